// The training loop shared by every Task 1 phase (autoencoder, regressor, U-Net, multi-task).
//
// The caller supplies what differs between phases — the trainable parameters and the loss —
// and the loop does the rest the same way each time (DESIGN.md, "Training rules"):
//
//   TrainOptions opt;  opt.phase = "task1_bsc.autoencoder";  opt.max_epochs = 100;  opt.max_patience = 5;
//   LossFn loss = [&](const Batch& b, LossParts*) { return mse_reconstruct(model->forward(b.x), b.x); };
//   TrainResult r = train_phase(model->parameters(), loss, train_set, val_set, opt);
//
// - mini-batches of `batch_size` rows of the training set (the last, partial batch is kept),
//   reshuffled every epoch from a Generator(shuffle_seed), or in file order without shuffling;
// - Adam(lr) over the given parameters; anything else the loss touches is left alone;
// - after each epoch the loss on the WHOLE training and validation sets, without a graph
//   (train_curve / val_curve); the per-epoch mean of the batch losses is kept apart
//   (running_loss_curve);
// - early stopping (EarlyStopping below) on the validation loss, then the best epoch's
//   weights restored; or, with early_stopping off, exactly max_epochs epochs;
// - a non-finite loss or gradient stops the phase with an error naming the epoch, the batch
//   and (for a gradient) the parameter. No non-finite update is ever applied: the parameters
//   are set back to the last good weights (the best epoch's so far with early stopping, else
//   the last whole epoch's, else the initial ones) and on_non_finite runs (to save them)
//   before the error is thrown.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "autograd/variable.h"

namespace convgrad {

// The early-stopping rule alone, so it can be tested on a made-up loss sequence.
// After each epoch, update() is given the monitored validation loss:
// - a STRICT improvement on the best so far makes that epoch the best and resets the
//   patience counter (a tie does not: it counts as no improvement);
// - otherwise the counter goes up by one;
// - should_stop() once the counter reaches max_patience,
// so a run that is stopped ends at epoch best_epoch + max_patience.
class EarlyStopping {
 public:
  explicit EarlyStopping(int max_patience);

  // Records the next epoch's loss; true when it is the new best (save the weights then).
  bool update(double val_loss);
  bool should_stop() const { return counter_ >= max_patience_; }

  int epochs_seen() const { return epochs_seen_; }
  int best_epoch() const { return best_epoch_; }  // 1-based; 0 before the first update
  double best_loss() const { return best_loss_; }
  int counter() const { return counter_; }        // epochs since the best one
  int max_patience() const { return max_patience_; }

 private:
  int max_patience_;
  int epochs_seen_ = 0;
  int best_epoch_ = 0;
  int counter_ = 0;
  double best_loss_ = std::numeric_limits<double>::infinity();
};

// A set of examples: inputs [N, ...] and targets [N] (targets may be undefined when the
// loss does not need them), both in the run's dtype, rows in file order.
struct Examples {
  Tensor x;
  Tensor y;
  int64_t rows() const { return x.defined() ? x.size(0) : 0; }
};

// One mini-batch (or one evaluation chunk): rows of Examples as Variables without grad.
struct Batch {
  Variable x;
  Variable y;  // undefined when the Examples have no targets
  int64_t size() const { return x.size(0); }
};

// Named parts of a loss, filled in during evaluation ("mse_regress", "mse_reconstruct").
// Each part must be a per-sample mean over the batch, like the loss itself, so that the
// values of several chunks combine into the whole set's value.
using LossParts = std::map<std::string, double>;

// The phase's loss on a batch, a mean over its rows. `parts` is null while training and
// non-null when evaluating, for losses that want their components recorded too.
using LossFn = std::function<Variable(const Batch& batch, LossParts* parts)>;

// Rows per forward pass when a whole set is evaluated without a graph. Larger chunks spread
// the per-op overhead over more rows, but past ~256 the U-Net's activations (16 channels ×
// 10×10 per row) no longer fit in the core's cache: measured (bench/ evaluate_ms.unet)
// 9.6 ms at 128 or 256 rows, 11.2 ms at 512.
constexpr int64_t kEvalChunk = 256;

struct TrainOptions {
  std::string phase = "training";  // names the phase in progress lines and errors
  int max_epochs = 100;            // the task's own maximum
  int epoch_cap = 0;               // --max-epochs: a further cap (0 = none)
  bool early_stopping = true;      // off: train exactly min(max_epochs, cap) epochs
  int max_patience = 5;
  int64_t batch_size = 32;
  double lr = 1e-3;
  bool shuffle = true;             // off: every epoch in file order
  uint64_t shuffle_seed = 0;
  int64_t eval_chunk = kEvalChunk;  // rows per forward pass when evaluating a whole set
  // Parts per batch (batch_gradients): with 2 on 2 threads, each batch's halves train side
  // by side. The loss is then called from several threads at once (so it must not change
  // shared state), and float32 results differ in the last bits from 1 part. The coursework
  // keeps 1: its phases run side by side instead (tasks/phase_jobs.h), and its numbers do
  // not depend on --threads.
  int batch_parts = 1;
  std::ostream* progress = nullptr;  // the updating progress line and the stop message (null = quiet)
  std::vector<std::string> param_names;  // names of the params, for errors (empty: by position)
  std::function<void()> on_non_finite;   // after the last good weights are back (see the top)
};

struct TrainResult {
  int epochs_run = 0;
  int best_epoch = 0;         // the epoch whose weights the parameters hold now
  bool stopped_early = false;
  bool capped = false;        // the --max-epochs cap ended the phase
  double best_val_loss = 0.0;
  std::vector<double> train_curve;         // whole training set, per epoch, after it
  std::vector<double> val_curve;           // whole validation set (empty without one)
  std::vector<double> running_loss_curve;  // mean of the epoch's batch losses (by rows)
  std::map<std::string, std::vector<double>> train_parts, val_parts;  // LossParts per epoch
  double seconds = 0.0;
};

// Trains `params` (Adam) to lower `loss` on `train`, monitoring `val` (which may be empty
// when early_stopping is off). See the top of this file.
TrainResult train_phase(const std::vector<Variable>& params, const LossFn& loss, const Examples& train,
                        const Examples& val, const TrainOptions& options);

// The loss (and its parts) on a whole set, without a graph, `chunk` rows per forward pass:
// sum over chunks of loss_chunk * rows_chunk / rows. The chunks are tasks on the threads
// (tensor/parallel_tasks.h), added up in chunk order: the same value on any number of
// threads; with more than one, `loss` is called from several threads at once.
double evaluate_loss(const LossFn& loss, const Examples& set, int64_t chunk = kEvalChunk, LossParts* parts = nullptr);

// Runs fn on a whole set, `chunk` rows at a time, without a graph, and stacks the outputs
// (each [rows_chunk, ...]) into one tensor [rows, ...]. For predictions and latents. The
// chunks are tasks, as in evaluate_loss.
Tensor map_batches(const std::function<Variable(const Batch&)>& fn, const Examples& set, int64_t chunk = kEvalChunk);

// One training step's gradients: sets the parameters' .grad to dL/dθ of `batch` (a mean over
// its rows) and returns L. parts = 1: one forward and backward. parts > 1: the batch's rows in `parts` contiguous parts, each a task on its own
// thread (tensor/parallel_tasks.h) with its own graph; part k's loss, a mean over its n_k
// rows, is weighted by n_k / n, so that
//   dL/dθ = sum_k (n_k / n) · dL_k/dθ        (added in part order)
// — the same gradients in another summation order (float32 results differ in the last bits
// from one part, and are the same for the same number of parts whichever thread ran which).
double batch_gradients(const std::vector<Variable>& params, const LossFn& loss, const Batch& batch, int parts);

// Copies rows `order[begin, end)` of `from` into `into` (preallocated, [end - begin, ...]).
void gather_rows(const Tensor& from, const std::vector<int64_t>& order, int64_t begin, int64_t end, Tensor& into);

}  // namespace convgrad
