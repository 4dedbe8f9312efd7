#include "tasks/training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <sstream>
#include <unistd.h>

#include "optim/adam.h"
#include "tensor/blas.h"
#include "tensor/elementwise.h"
#include "tensor/parallel_tasks.h"
#include "tensor/random.h"

namespace convgrad {

// ---- EarlyStopping ----

EarlyStopping::EarlyStopping(int max_patience) : max_patience_(max_patience) {
  CONVGRAD_CHECK(max_patience >= 1, "EarlyStopping: expected max_patience >= 1, but got ", max_patience);
}

bool EarlyStopping::update(double val_loss) {
  ++epochs_seen_;
  if (val_loss < best_loss_) {  // strict: a tie is no improvement (and NaN never is one)
    best_loss_ = val_loss;
    best_epoch_ = epochs_seen_;
    counter_ = 0;
    return true;
  }
  ++counter_;
  return false;
}

// ---- rows, batches, evaluation ----

void gather_rows(const Tensor& from, const std::vector<int64_t>& order, int64_t begin, int64_t end, Tensor& into) {
  const int64_t rows = from.size(0);
  const size_t row_bytes = static_cast<size_t>(from.numel() / std::max<int64_t>(rows, 1)) * dtype_size(from.dtype());
  CONVGRAD_CHECK(into.dtype() == from.dtype() && into.size(0) == end - begin &&
                     static_cast<size_t>(into.numel()) * dtype_size(into.dtype()) == row_bytes * (end - begin),
                 "gather_rows: expected a ", dtype_name(from.dtype()), " buffer of ", end - begin,
                 " rows like ", shape_str(from.shape()), ", but got ", dtype_name(into.dtype()), " ",
                 shape_str(into.shape()));
  const char* src = static_cast<const char*>(from.raw_data());
  char* dst = static_cast<char*>(into.raw_data());
  for (int64_t i = begin; i < end; ++i) {
    const int64_t row = order.empty() ? i : order[i];
    std::memcpy(dst + (i - begin) * row_bytes, src + row * row_bytes, row_bytes);
  }
}

namespace {

// Preallocated batch buffers: one of `size` rows and one for the partial remainder, so that
// no epoch allocates its inputs again. A Batch wraps the buffer's storage (no copy).
class BatchBuffers {
 public:
  BatchBuffers(const Examples& set, int64_t size) : set_(set) {
    full_ = make(std::min(size, set.rows()));
    const int64_t rest = set.rows() % std::max<int64_t>(size, 1);
    if (rest != 0 && set.rows() > size) partial_ = make(rest);
  }

  // Rows order[begin, end) (or begin..end in file order when `order` is empty).
  Batch gather(const std::vector<int64_t>& order, int64_t begin, int64_t end) {
    Examples& buffer = (end - begin == full_.rows()) ? full_ : partial_;
    gather_rows(set_.x, order, begin, end, buffer.x);
    if (set_.y.defined()) gather_rows(set_.y, order, begin, end, buffer.y);
    return Batch{Variable(buffer.x), set_.y.defined() ? Variable(buffer.y) : Variable()};
  }

 private:
  Examples make(int64_t rows) const {
    Shape x_shape = set_.x.shape();
    x_shape[0] = rows;
    Examples e;
    e.x = Tensor::empty(x_shape, set_.x.dtype());
    if (set_.y.defined()) {
      Shape y_shape = set_.y.shape();
      y_shape[0] = rows;
      e.y = Tensor::empty(y_shape, set_.y.dtype());
    }
    return e;
  }

  const Examples& set_;
  Examples full_, partial_;
};

// Index of the first NaN or infinity in `t`, or -1.
template <typename T>
int64_t first_non_finite(const T* values, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(values[i])) return i;
  return -1;
}
int64_t first_non_finite(const Tensor& t) {
  return t.dtype() == DType::Float32 ? first_non_finite(t.data<float>(), t.numel())
                                     : first_non_finite(t.data<double>(), t.numel());
}

// A loss or gradient value in an error: "nan" whatever its sign bit (glibc prints "-nan").
std::string value_str(double value) { return std::isnan(value) ? std::string("nan") : str_cat(value); }

// "conv1.weight [8, 1, 3, 3]", or "parameter 1 of 6 [8, 1, 3, 3]" without names.
std::string param_label(const TrainOptions& o, size_t i, size_t count, const Shape& shape) {
  const std::string name = i < o.param_names.size() ? o.param_names[i] : str_cat("parameter ", i + 1, " of ", count);
  return str_cat(name, " ", shape_str(shape));
}

// Sets the parameters' values to `values` (Variables share their storage with the model).
void copy_values(const std::vector<Variable>& params, const std::vector<Tensor>& values) {
  NoGradGuard no_grad;
  std::vector<Variable> targets = params;
  for (size_t i = 0; i < targets.size(); ++i) targets[i].data().copy_from(values[i]);
}

// Whether `out` writes to a terminal (a line that rewrites itself); a phase running side by
// side with others writes to a buffer instead (tasks/phase_jobs.h).
bool is_terminal(std::ostream* out) {
  return (out == &std::cerr && ::isatty(STDERR_FILENO)) || (out == &std::cout && ::isatty(STDOUT_FILENO));
}

}  // namespace

namespace {

// Rows [begin, end) of `set` (in file order) as a Batch of new tensors.
Batch batch_of_rows(const Examples& set, int64_t begin, int64_t end) {
  const auto rows_of = [&](const Tensor& from) {
    Shape shape = from.shape();
    shape[0] = end - begin;
    Tensor into = Tensor::empty(shape, from.dtype());
    gather_rows(from, {}, begin, end, into);
    return into;
  };
  return Batch{Variable(rows_of(set.x)), set.y.defined() ? Variable(rows_of(set.y)) : Variable()};
}

// The chunks of a whole set: chunk k is rows [k · size, min(rows, (k + 1) · size)).
int64_t chunk_count(int64_t rows, int64_t size) { return (rows + size - 1) / size; }

}  // namespace

// The chunks are independent, so they run as tasks (tensor/parallel_tasks.h) and are added
// up in chunk order afterwards: the same value on any number of threads.
double evaluate_loss(const LossFn& loss, const Examples& set, int64_t chunk, LossParts* parts) {
  const int64_t rows = set.rows();
  CONVGRAD_CHECK(rows > 0, "evaluate_loss: expected a non-empty set, but got 0 rows");
  CONVGRAD_CHECK(chunk >= 1, "evaluate_loss: expected chunk >= 1, but got ", chunk);
  const int64_t chunks = chunk_count(rows, chunk);
  std::vector<double> values(static_cast<size_t>(chunks));
  std::vector<LossParts> chunk_parts(static_cast<size_t>(chunks));
  run_tasks(chunks, [&](int64_t k) {
    NoGradGuard no_grad;  // on this task's thread
    const Batch batch = batch_of_rows(set, k * chunk, std::min(rows, (k + 1) * chunk));
    values[k] = loss(batch, parts ? &chunk_parts[k] : nullptr).item();
  });
  // A per-sample mean over each chunk, weighted by its share of the rows: the set's mean.
  double total = 0.0;
  if (parts) parts->clear();
  for (int64_t k = 0; k < chunks; ++k) {
    const double weight = static_cast<double>(std::min(rows, (k + 1) * chunk) - k * chunk) / static_cast<double>(rows);
    total += values[k] * weight;
    if (parts) {
      for (const auto& [name, value] : chunk_parts[k]) (*parts)[name] += value * weight;
    }
  }
  return total;
}

Tensor map_batches(const std::function<Variable(const Batch&)>& fn, const Examples& set, int64_t chunk) {
  const int64_t rows = set.rows();
  CONVGRAD_CHECK(rows > 0, "map_batches: expected a non-empty set, but got 0 rows");
  CONVGRAD_CHECK(chunk >= 1, "map_batches: expected chunk >= 1, but got ", chunk);
  const int64_t chunks = chunk_count(rows, chunk);
  std::vector<Tensor> outputs(static_cast<size_t>(chunks));
  run_tasks(chunks, [&](int64_t k) {
    NoGradGuard no_grad;
    const int64_t begin = k * chunk, end = std::min(rows, begin + chunk);
    const Tensor y = fn(batch_of_rows(set, begin, end)).data();
    CONVGRAD_CHECK(y.dim() >= 1 && y.size(0) == end - begin, "map_batches: expected an output with ", end - begin,
                   " rows, but got ", shape_str(y.shape()));
    outputs[k] = y;
  });
  Shape shape = outputs[0].shape();
  shape[0] = rows;
  Tensor out = Tensor::empty(shape, outputs[0].dtype());
  const size_t row_bytes = static_cast<size_t>(outputs[0].numel() / outputs[0].size(0)) * dtype_size(out.dtype());
  for (int64_t k = 0; k < chunks; ++k) {
    const Tensor& y = outputs[k];
    CONVGRAD_CHECK(y.dtype() == out.dtype() && static_cast<size_t>(y.numel()) * dtype_size(y.dtype()) ==
                                                   row_bytes * static_cast<size_t>(y.size(0)),
                   "map_batches: expected every chunk's output like the first's ", shape_str(outputs[0].shape()),
                   ", but got ", shape_str(y.shape()));
    std::memcpy(static_cast<char*>(out.raw_data()) + k * chunk * row_bytes, y.raw_data(), row_bytes * y.size(0));
  }
  return out;
}

double batch_gradients(const std::vector<Variable>& params, const LossFn& loss, const Batch& batch, int parts) {
  const int64_t n = batch.size();
  parts = static_cast<int>(std::clamp<int64_t>(parts, 1, n));
  std::vector<Variable> targets = params;
  if (parts == 1) {
    const Variable value = loss(batch, nullptr);
    for (Variable& p : targets) p.zero_grad();
    value.backward();
    return value.item();
  }
  const Examples rows{batch.x.data(), batch.y.defined() ? batch.y.data() : Tensor()};
  const auto first_row = [&](int64_t k) { return n * k / parts; };
  std::vector<double> values(static_cast<size_t>(parts));
  // Each part's gradients land in tensors made here, on this thread: a tensor made on a helper
  // thread and freed on this one would leave the helper's cache of freed blocks
  // (tensor/block_cache.h) empty, and it would allocate afresh every batch.
  std::vector<std::vector<Tensor>> grads(static_cast<size_t>(parts));
  std::vector<std::vector<bool>> reached(static_cast<size_t>(parts), std::vector<bool>(params.size(), false));
  for (auto& part : grads)
    for (const Variable& p : params) part.push_back(Tensor::empty(p.shape(), p.dtype()));
  run_tasks(parts, [&](int64_t k) {
    const Variable value = loss(batch_of_rows(rows, first_row(k), first_row(k + 1)), nullptr);
    values[k] = value.item();
    const double share = static_cast<double>(first_row(k + 1) - first_row(k)) / static_cast<double>(n);
    const std::vector<Tensor> part = gradients(value, params, Tensor::full(value.shape(), share, value.dtype()));
    for (size_t i = 0; i < part.size(); ++i) {
      if (!part[i].defined()) continue;
      grads[k][i].copy_from(part[i]);
      reached[k][i] = true;
    }
  });
  double total = 0.0;
  for (int k = 0; k < parts; ++k)
    total += values[k] * static_cast<double>(first_row(k + 1) - first_row(k)) / static_cast<double>(n);
  for (size_t i = 0; i < targets.size(); ++i) {
    Tensor sum;
    for (int k = 0; k < parts; ++k) {
      if (!reached[k][i]) continue;
      if (sum.defined()) add_inplace(sum, grads[k][i]);
      else sum = grads[k][i];
    }
    if (sum.defined()) targets[i].set_grad(sum);
    else targets[i].zero_grad();
  }
  return total;
}

// ---- the loop ----

namespace {

// The one updating progress line: "\r<phase>  epoch 12/100  train … val … best 10  patience 2/5".
void print_progress(const TrainOptions& o, int epoch, int max_epochs, const TrainResult& r,
                    const EarlyStopping& stopping, bool final_line) {
  if (o.progress == nullptr) return;
  const bool terminal = is_terminal(o.progress);
  // On a terminal every epoch rewrites the line; in a log file a line every 25 epochs.
  if (!terminal && !final_line && epoch % 25 != 0) return;
  std::ostringstream line;
  line << o.phase << "  epoch " << epoch << "/" << max_epochs << "  train " << std::setprecision(6)
       << r.train_curve.back();
  if (!r.val_curve.empty()) line << "  val " << r.val_curve.back();
  if (o.early_stopping) {
    line << "  best " << stopping.best_epoch() << "  patience " << stopping.counter() << "/" << stopping.max_patience();
  }
  if (terminal) {
    *o.progress << "\r" << std::left << std::setw(100) << line.str() << std::flush;
    if (final_line) *o.progress << "\n";
  } else {
    *o.progress << line.str() << "\n" << std::flush;
  }
}

}  // namespace

TrainResult train_phase(const std::vector<Variable>& params, const LossFn& loss, const Examples& train,
                        const Examples& val, const TrainOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const int64_t rows = train.rows();
  CONVGRAD_CHECK(rows > 0, o.phase, ": expected training rows, but got 0");
  CONVGRAD_CHECK(o.batch_size >= 1, o.phase, ": expected batch_size >= 1, but got ", o.batch_size);
  CONVGRAD_CHECK(o.batch_parts >= 1, o.phase, ": expected batch_parts >= 1, but got ", o.batch_parts);
  CONVGRAD_CHECK(o.max_epochs >= 1, o.phase, ": expected max_epochs >= 1, but got ", o.max_epochs);
  CONVGRAD_CHECK(!o.early_stopping || val.rows() > 0, o.phase,
                 ": expected validation rows for early stopping, but got 0");
  const int max_epochs = o.epoch_cap > 0 ? std::min(o.max_epochs, o.epoch_cap) : o.max_epochs;

  Adam optimizer(params, AdamOptions{o.lr});
  EarlyStopping stopping(o.early_stopping ? std::max(o.max_patience, 1) : 1);
  std::vector<Tensor> best_params;  // the parameters at the best epoch, restored at the end
  for (const Variable& p : params) best_params.push_back(p.data().clone());

  BatchBuffers buffers(train, o.batch_size);
  Generator shuffle_gen(o.shuffle_seed);
  std::vector<int64_t> order(static_cast<size_t>(rows));
  TrainResult r;
  LossParts parts;
  int good_epoch = 0;  // the epoch whose weights best_params holds (0: the initial weights)
  // A non-finite loss or gradient: back to the last good weights, let the caller save them, stop.
  const auto stop_non_finite = [&](const std::string& what) {
    if (is_terminal(o.progress)) *o.progress << "\n";  // end the updating line before the error
    copy_values(params, best_params);
    std::string saved;
    if (o.on_non_finite) {
      try {
        o.on_non_finite();
      } catch (const std::exception& e) {
        saved = str_cat(" (saving them failed: ", e.what(), ")");
      }
    }
    throw Error(str_cat(o.phase, ": ", what, "; the parameters are back to ",
                        good_epoch == 0 ? std::string("the initial weights") : str_cat("the weights of epoch ", good_epoch),
                        saved, " (try a smaller learning rate, or check the data for extreme values)"));
  };
  for (int epoch = 1; epoch <= max_epochs; ++epoch) {
    if (o.shuffle) {
      order = randperm(rows, shuffle_gen);
    } else {
      std::iota(order.begin(), order.end(), int64_t{0});
    }
    double running = 0.0;
    int64_t batch_index = 0;
    for (int64_t begin = 0; begin < rows; begin += o.batch_size, ++batch_index) {
      const int64_t end = std::min(rows, begin + o.batch_size);
      const double value = batch_gradients(params, loss, buffers.gather(order, begin, end), o.batch_parts);
      const std::string where = str_cat("at epoch ", epoch, ", batch ", batch_index + 1, " (positions ", begin, "..",
                                        end - 1, " of the epoch's row order)");
      if (!std::isfinite(value)) stop_non_finite(str_cat("expected a finite loss, but got ", value_str(value), " ", where));
      for (size_t i = 0; i < params.size(); ++i) {  // before the step: never apply a non-finite update
        const Tensor& grad = params[i].grad();
        const int64_t bad = grad.defined() ? first_non_finite(grad) : -1;
        if (bad >= 0) {
          const double got = grad.dtype() == DType::Float32 ? grad.data<float>()[bad] : grad.data<double>()[bad];
          stop_non_finite(str_cat("expected finite gradients, but got ", value_str(got), " in the gradient of ",
                                  param_label(o, i, params.size(), params[i].shape()), " (element ", bad, ") ", where,
                                  ", with a finite loss of ", value));
        }
      }
      optimizer.step();
      running += value * static_cast<double>(end - begin);
    }
    r.running_loss_curve.push_back(running / static_cast<double>(rows));

    // The whole sets, without a graph, on the weights after this epoch.
    r.train_curve.push_back(evaluate_loss(loss, train, o.eval_chunk, &parts));
    if (!std::isfinite(r.train_curve.back())) {
      stop_non_finite(str_cat("expected a finite loss, but got ", value_str(r.train_curve.back()),
                              " on the whole training set after epoch ", epoch));
    }
    for (const auto& [name, value] : parts) r.train_parts[name].push_back(value);
    if (val.rows() > 0) {
      r.val_curve.push_back(evaluate_loss(loss, val, o.eval_chunk, &parts));
      if (!std::isfinite(r.val_curve.back())) {
        stop_non_finite(str_cat("expected a finite loss, but got ", value_str(r.val_curve.back()),
                                " on the whole validation set after epoch ", epoch));
      }
      for (const auto& [name, value] : parts) r.val_parts[name].push_back(value);
    }
    r.epochs_run = epoch;

    // Without early stopping, every whole epoch's weights are the last good ones.
    if (o.early_stopping ? stopping.update(r.val_curve.back()) : true) {
      for (size_t i = 0; i < params.size(); ++i) best_params[i].copy_from(params[i].data());
      good_epoch = epoch;
    }
    if (o.early_stopping && stopping.should_stop()) r.stopped_early = true;
    print_progress(o, epoch, max_epochs, r, stopping, r.stopped_early || epoch == max_epochs);
    if (r.stopped_early) break;
  }
  r.capped = !r.stopped_early && o.epoch_cap > 0 && max_epochs < o.max_epochs;

  if (o.early_stopping) {
    copy_values(params, best_params);
    r.best_epoch = stopping.best_epoch();
    r.best_val_loss = stopping.best_loss();
  } else {
    r.best_epoch = r.epochs_run;
    r.best_val_loss = r.val_curve.empty() ? 0.0 : r.val_curve.back();
  }
  if (o.progress != nullptr) {
    std::ostream& out = *o.progress;
    if (r.stopped_early) {
      out << o.phase << ": early stopping at epoch " << r.epochs_run << " (no strict improvement for "
          << o.max_patience << " epochs); restored epoch " << r.best_epoch << ", val loss " << r.best_val_loss << "\n";
    } else if (o.early_stopping) {
      out << o.phase << ": reached " << (r.capped ? "the --max-epochs cap" : "the maximum") << " of " << r.epochs_run
          << " epochs without early stopping; restored epoch " << r.best_epoch << ", val loss " << r.best_val_loss
          << "\n";
    } else {
      out << o.phase << ": trained exactly " << r.epochs_run << " epochs (no early stopping)\n";
    }
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace convgrad
