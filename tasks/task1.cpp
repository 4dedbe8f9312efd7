// Task 1's shared machinery: the splits as image tensors, seeding, --init-from, metrics,
// the results.json document and the `task1` command. The variants are task1_bsc.cpp and
// task1_msc.cpp.
#include "tasks/task1.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "tasks/run_output.h"
#include "tensor/atomic_file.h"
#include "tensor/blas.h"

namespace convgrad {

using nlohmann::json;

uint64_t phase_seed(uint64_t seed, const std::string& phase) {
  uint64_t h = 14695981039346656037ull;  // FNV-1a 64 of the phase name
  for (const unsigned char c : phase) {
    h ^= c;
    h *= 1099511628211ull;
  }
  uint64_t z = seed ^ h;  // splitmix64 finaliser: nearby seeds give unrelated streams
  z += 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

Examples make_image_examples(const Dataset& data, int64_t begin, int64_t end, DType dtype) {
  CONVGRAD_CHECK(data.n_features() == 100, "task1: expected 100 feature columns in ", data.source,
                 " (a 10×10 image per cell), but it has ", data.n_features());
  CONVGRAD_CHECK(0 <= begin && begin <= end && end <= data.rows, "task1: expected rows within [0, ", data.rows,
                 "], but got [", begin, ", ", end, ")");
  const int64_t n = end - begin;
  // Feature k of a row is pixel ((k − 1) / 10, (k − 1) % 10): numpy.reshape(row, (10, 10)).
  std::vector<double> x(data.features.begin() + begin * 100, data.features.begin() + end * 100);
  std::vector<double> y(data.target.begin() + begin, data.target.begin() + end);
  return Examples{Tensor::from_vector(x, {n, 1, 10, 10}, dtype), Tensor::from_vector(y, {n}, dtype)};
}

double mean_squared_error(const std::vector<double>& y, const std::vector<double>& yhat) {
  CONVGRAD_CHECK(y.size() == yhat.size() && !y.empty(), "mean_squared_error: expected two equal, non-empty lists, ",
                 "but got ", y.size(), " and ", yhat.size(), " values");
  double sum = 0.0;
  for (size_t i = 0; i < y.size(); ++i) sum += (y[i] - yhat[i]) * (y[i] - yhat[i]);
  return sum / static_cast<double>(y.size());
}

double r2_score(const std::vector<double>& y, const std::vector<double>& yhat) {
  CONVGRAD_CHECK(y.size() == yhat.size() && y.size() >= 2, "r2_score: expected two equal lists of at least 2 ",
                 "values, but got ", y.size(), " and ", yhat.size());
  double mean = 0.0;
  for (const double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  double ss_res = 0.0, ss_tot = 0.0;  // R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)²
  for (size_t i = 0; i < y.size(); ++i) {
    ss_res += (y[i] - yhat[i]) * (y[i] - yhat[i]);
    ss_tot += (y[i] - mean) * (y[i] - mean);
  }
  CONVGRAD_CHECK(ss_tot > 0.0, "r2_score: expected targets that vary, but all ", y.size(), " are ", mean);
  return 1.0 - ss_res / ss_tot;
}

std::vector<double> per_feature_mse(const Tensor& x, const Tensor& xhat) {
  check_same_shape(x, xhat, "per_feature_mse");
  const int64_t n = x.size(0), p = x.numel() / n;
  const std::vector<double> a = x.to_vector(), b = xhat.to_vector();
  std::vector<double> mse(static_cast<size_t>(p), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t k = 0; k < p; ++k) {
      const double d = a[i * p + k] - b[i * p + k];
      mse[k] += d * d;
    }
  }
  for (double& v : mse) v /= static_cast<double>(n);
  return mse;
}

// ---- Task1Context ----

Task1Context::Task1Context(const CommonOptions& options, const Dataset& data)
    : options_(options), data_(data), dtype_(options.parsed_dtype()), split_(coursework_split(data.rows)) {
  // R² on the test split divides by the spread of its targets: check now, not after the training.
  const int64_t test_begin = split_.train + split_.val;
  const auto test_targets = data.target.begin() + test_begin;
  const bool constant = std::all_of(test_targets, data.target.end(), [&](double t) { return t == *test_targets; });
  CONVGRAD_CHECK(!constant, "task1: ", data.rows_location(test_begin, data.rows - 1),
                 " (the test split): expected values of Target: MAP7 that vary, for the R² score (1 − Σ(y − ŷ)² / ",
                 "Σ(y − ȳ)²), but all ", split_.test, " are ", *test_targets);
  train_ = make_image_examples(data, 0, split_.train, dtype_);
  val_ = make_image_examples(data, split_.train, split_.train + split_.val, dtype_);
  test_ = make_image_examples(data, split_.train + split_.val, data.rows, dtype_);
  if (!options.init_from.empty()) init_from_ = read_safetensors(options.init_from);
}

Generator Task1Context::init_generator(const std::string& phase) const {
  return Generator(phase_seed(options_.seed, phase));
}

json Task1Context::apply_init_from(Module& model, const std::string& phase, std::ostream* out) const {
  if (options_.init_from.empty()) return nullptr;
  // Strict about shapes (an error), lenient about names: the others keep the seeded init.
  const LoadReport report = load_state_dict(model, init_from_, /*strict=*/false, options_.init_from);
  std::vector<std::string> loaded;
  for (const auto& [name, param] : model.named_parameters()) {
    if (init_from_.count(name) != 0) loaded.push_back(name);
  }
  if (out != nullptr) {
    *out << phase << ": --init-from " << options_.init_from << ": loaded " << loaded.size() << " of "
         << model.named_parameters().size() << " parameters";
    if (!report.missing_keys.empty()) {
      *out << "; seeded initialisation kept for:";
      for (const auto& name : report.missing_keys) *out << " " << name;
    }
    *out << "\n";
  }
  return json{{"file", options_.init_from}, {"loaded", loaded}, {"seeded", report.missing_keys}};
}

TrainOptions Task1Context::train_options(const std::string& phase, int max_epochs, int max_patience,
                                         std::ostream* out, const Module& model, const std::string& save_as) const {
  TrainOptions o;
  o.phase = phase;
  o.max_epochs = max_epochs;
  o.epoch_cap = options_.max_epochs;
  o.max_patience = max_patience;
  o.batch_size = 32;
  o.lr = 1e-3;
  o.shuffle = !options_.no_shuffle;
  o.shuffle_seed = phase_seed(options_.seed, phase + "/shuffle");
  o.progress = out == &std::cout ? &std::cerr : out;
  for (const auto& [name, param] : model.named_parameters()) o.param_names.push_back(name);  // as parameters()
  o.on_non_finite = [this, &model, save_as, out] { save_model(model, save_as, out, "the last good weights"); };
  return o;
}

void Task1Context::save_model(const Module& model, const std::string& name, std::ostream* out,
                              const char* what) const {
  if (options_.save_models.empty()) return;
  const std::string path = (std::filesystem::path(options_.save_models) / (name + ".safetensors")).string();
  save_state_dict(model, path,
                  Metadata{{"model", model.name()}, {"phase", name}, {"seed", std::to_string(options_.seed)}});
  if (out != nullptr) *out << name << ": saved " << what << " to " << path << "\n";
}

void Task1Context::record_seconds(const std::string& key, double seconds) {
  const std::lock_guard<std::mutex> lock(timings_mutex_);
  timings_[key] = seconds;
}

json Task1Context::timings() const {
  const std::lock_guard<std::mutex> lock(timings_mutex_);
  return timings_;
}

// ---- JSON pieces ----

json phase_json(const TrainResult& r, int max_patience) {
  return json{{"epochs_run", r.epochs_run},
              {"best_epoch", r.best_epoch},
              {"max_patience", max_patience},
              {"stopped_early", r.stopped_early},
              {"capped", r.capped},
              {"best_val_loss", r.best_val_loss},
              {"train_curve", r.train_curve},
              {"val_curve", r.val_curve},
              {"running_loss_curve", r.running_loss_curve}};
}

json latent_scatter_json(const Tensor& z, const Tensor& y) {
  CONVGRAD_CHECK(z.dim() == 4 && z.size(1) >= 2 && z.size(2) >= 1 && z.size(3) >= 2 && y.numel() == z.size(0),
                 "latent_scatter: expected latents [N, C >= 2, H, W >= 2] and N targets, but got ", shape_str(z.shape()),
                 " and ", shape_str(y.shape()));
  const int64_t n = z.size(0), per = z.numel() / n, plane = z.size(2) * z.size(3);
  const std::vector<double> values = z.to_vector();
  std::vector<double> e101, e000;
  for (int64_t i = 0; i < n; ++i) {
    e101.push_back(values[i * per + 1 * plane + 0 * z.size(3) + 1]);  // z[i, 1, 0, 1]
    e000.push_back(values[i * per]);                                  // z[i, 0, 0, 0]
  }
  return json{{"elem_1_0_1", e101}, {"elem_0_0_0", e000}, {"map7", y.to_vector()}};
}

json run_metadata(const CommonOptions& options, const Dataset& data, int threads) {
  const Split s = coursework_split(data.rows);
  return json{{"feature_names", data.feature_names},
              {"dataset", {{"source", data.source}, {"rows", data.rows},
                           {"split", {{"train", s.train}, {"val", s.val}, {"test", s.test}}}}},
              {"seed", options.seed},
              {"dtype", dtype_name(options.parsed_dtype())},
              {"threads", threads}};
}

// ---- the command ----

json run_task1_command(const CommonOptions& options, const std::string& variant, bool with_figures) {
  CONVGRAD_CHECK(variant == "bsc" || variant == "msc", "task1: expected --variant bsc or msc, but got \"", variant,
                 "\"");
  ensure_writable_dir(options.out, "--out");  // before any training: a bad folder fails now
  if (!options.save_models.empty()) ensure_writable_dir(options.save_models, "--save-models");
  const int threads = apply_threads(options);
  const auto start = std::chrono::steady_clock::now();
  const Dataset data = load_dataset(options);
  Task1Context ctx(options, data);
  if (!options.quiet) {
    const Split& s = ctx.split();
    std::cout << "task1 (" << variant << "): split in file order, no shuffling: train " << s.train << ", validation "
              << s.val << ", test " << s.test << " rows (70% / 10% / rest); " << dtype_name(ctx.dtype()) << ", seed "
              << options.seed << ", " << threads << " threads\n";
  }

  json doc = run_metadata(options, data, threads);
  const std::string key = "task1_" + variant;
  const Task1Jobs variant_jobs = variant == "bsc" ? task1_bsc_jobs(ctx) : task1_msc_jobs(ctx);
  run_phase_jobs(variant_jobs.jobs, threads, ctx.info());
  doc[key] = variant_jobs.result();
  ctx.record_seconds(key + ".total", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  doc["timings_s"] = ctx.timings();

  if (with_figures) {
    write_run_outputs(doc, options, /*with_report=*/false);  // results.json, then figures/*.svg
  } else {
    const std::string path = (std::filesystem::path(options.out) / "results.json").string();
    write_file_atomically(path, doc.dump(1) + "\n");
    if (!options.quiet) std::cout << "wrote " << path << "\n";
  }
  return doc;
}

}  // namespace convgrad
