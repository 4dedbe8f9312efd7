// Coursework Task 1 on convgrad: `convgrad task1 --variant bsc|msc`.
//
//   BSc 1.1  CNN autoencoder, MSE_reconstruct, early stopping (patience 5, ≤ 100 epochs);
//            test MSE_reconstruct and its 100 per-feature parts (the 10×10 heatmap).
//   BSc 1.2  the latent shape [8, 5, 5] and why; the test set's latent elements [1,0,1] vs
//            [0,0,0] (coloured by MAP7); a regressor flatten → Linear(200, 1) on the FROZEN
//            encoder, MSE_regress, patience 10, ≤ 1000 epochs; test R² and MSE.
//   MSc 1.1  U-Net reconstruction, as BSc 1.1.
//   MSc 1.2  multi-task U-Net, L_multi = MSE_regress + α·MSE_reconstruct, α ∈ {0.1, 1, 10}:
//            each α from a fresh initialisation, early-stopped on validation L_multi
//            (patience 10, ≤ 1000 epochs); α chosen by the validation MSE_regress of the
//            restored weights; retrained from a fresh initialisation for exactly that α's
//            best_epoch epochs; test R², MSE_regress, MSE_reconstruct.
//
// Fresh initialisation: every model gets its own Generator(phase_seed(--seed, phase)) for its
// weights and, separately, Generator(phase_seed(--seed, phase + "/shuffle")) for the batch
// order, so phases do not depend on one another's random draws. With --init-from, every
// parameter named in the file is then overwritten from it (tasks/task1.cpp, docs/task1.md).
//
// Results: DESIGN.md's keys plus those listed in docs/task1.md, in OUT/results.json.
#pragma once

#include <cstdint>
#include <functional>
#include <iostream>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "nn/nn.h"
#include "tasks/common_options.h"
#include "tasks/phase_jobs.h"
#include "tasks/training.h"

namespace convgrad {

// A seed for `phase` derived from the run's --seed: splitmix64(seed XOR fnv1a64(phase)).
uint64_t phase_seed(uint64_t seed, const std::string& phase);

// Rows [begin, end) as images x [n, 1, 10, 10] (features row-major, as numpy.reshape does)
// and targets y = MAP7 [n], in `dtype`.
Examples make_image_examples(const Dataset& data, int64_t begin, int64_t end, DType dtype);

// The coefficient of determination 1 − SS_res / SS_tot (SS_tot about the mean of y).
double r2_score(const std::vector<double>& y, const std::vector<double>& yhat);
// mean_i (y_i − yhat_i)².
double mean_squared_error(const std::vector<double>& y, const std::vector<double>& yhat);
// MSE^p_reconstruct = mean_i (x_ip − xhat_ip)² for each pixel p of [N, ...] images.
std::vector<double> per_feature_mse(const Tensor& x, const Tensor& xhat);

// Everything the Task 1 phases share: options, the three splits as tensors, --init-from,
// and the phase timings. Phases may run at the same time (tasks/phase_jobs.h): everything
// here is read-only for them except record_seconds, which is thread-safe. `out` arguments
// are where a phase's messages go (nullptr: none).
class Task1Context {
 public:
  Task1Context(const CommonOptions& options, const Dataset& data);

  const CommonOptions& options() const { return options_; }
  const Dataset& data() const { return data_; }
  DType dtype() const { return dtype_; }
  const Split& split() const { return split_; }
  const Examples& train() const { return train_; }
  const Examples& val() const { return val_; }
  const Examples& test() const { return test_; }

  // Generator(phase_seed(seed, phase)), for a freshly initialised model of `phase`.
  Generator init_generator(const std::string& phase) const;
  // After a fresh initialisation: loads the --init-from parameters the model has (a shape
  // mismatch is an error), lists the ones that keep the seeded initialisation, and returns
  // {"file", "loaded": [...], "seeded": [...]} (null without --init-from).
  nlohmann::json apply_init_from(Module& model, const std::string& phase, std::ostream* out) const;
  // Batches of 32, Adam 1e-3, the run's shuffle and cap; progress to `out` (std::cout means
  // the terminal: progress then goes to std::cerr, next to the results on std::cout). The
  // model's parameter names go into errors; if a non-finite loss or gradient stops the phase,
  // its last good weights are saved as `save_as` (with --save-models) before the error.
  TrainOptions train_options(const std::string& phase, int max_epochs, int max_patience, std::ostream* out,
                             const Module& model, const std::string& save_as) const;
  // --save-models DIR/<name>.safetensors (nothing without --save-models).
  // `what` names them in the message ("the trained weights", "the last good weights").
  void save_model(const Module& model, const std::string& name, std::ostream* out,
                  const char* what = "the trained weights") const;

  // Where the run's own messages go: std::cout, or nullptr with --quiet.
  std::ostream* info() const { return options_.quiet ? nullptr : &std::cout; }
  void record_seconds(const std::string& key, double seconds);
  nlohmann::json timings() const;

 private:
  const CommonOptions& options_;
  const Dataset& data_;
  DType dtype_;
  Split split_;
  Examples train_, val_, test_;
  TensorMap init_from_;
  mutable std::mutex timings_mutex_;
  nlohmann::json timings_ = nlohmann::json::object();
};

// A phase's training record: epochs_run, best_epoch, curves, max_patience, ...
nlohmann::json phase_json(const TrainResult& r, int max_patience);
// {"elem_1_0_1": [...], "elem_0_0_0": [...], "map7": [...]} from latents z [N, C, H, W].
nlohmann::json latent_scatter_json(const Tensor& z, const Tensor& y);

// A variant's phases as jobs for run_phase_jobs (tasks/phase_jobs.h), and, once they have
// all ended, their "task1_bsc" / "task1_msc" object. The BSc variant is one job (each step
// needs the previous one's model); the MSc variant is five: the U-Net, the three α
// searches side by side, then the retraining with the chosen α.
struct Task1Jobs {
  std::vector<PhaseJob> jobs;
  std::function<nlohmann::json()> result;
};
Task1Jobs task1_bsc_jobs(Task1Context& ctx);
Task1Jobs task1_msc_jobs(Task1Context& ctx);

// The top-level keys of results.json that describe the run: feature_names, dataset
// {source, rows, split}, seed, dtype, threads.
nlohmann::json run_metadata(const CommonOptions& options, const Dataset& data, int threads);

// `convgrad task1 --variant bsc|msc`: checks --out (and --save-models) are writable, loads
// the data, runs the variant, writes OUT/results.json atomically and, with_figures, the
// figures (tasks/run_output.h). Returns the document.
nlohmann::json run_task1_command(const CommonOptions& options, const std::string& variant, bool with_figures = true);

}  // namespace convgrad
