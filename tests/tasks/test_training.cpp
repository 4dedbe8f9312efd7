// The training loop (tasks/training.h): the early-stopping rule on made-up loss sequences,
// weight restoring, the epoch cap, batching and shuffling, whole-set evaluation, and the
// error for a non-finite loss.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <set>

#include "autograd/functions.h"
#include "nn/losses.h"
#include "tasks/models.h"
#include "tasks/training.h"
#include "tensor/random.h"
#include "tensor/blas.h"

using namespace convgrad;

namespace {

// A one-parameter "model" whose validation loss is scripted: the loss on a training batch
// is θ (gradient 1, so Adam moves θ every step); on the validation set (recognised by its
// row count) it is the next value of `val_losses`, and θ is recorded at that moment, i.e.
// after each epoch.
struct ScriptedRun {
  std::vector<double> val_losses;
  Examples train, val;
  Variable theta{Tensor::full({1}, 0.5, DType::Float64), true};
  std::vector<double> theta_after_epoch;
  std::vector<int64_t> batch_sizes;
  std::vector<std::vector<double>> batch_rows;  // the first column of each training batch

  ScriptedRun(std::vector<double> losses, int64_t train_rows = 70, int64_t val_rows = 9)
      : val_losses(std::move(losses)) {
    std::vector<double> ids(static_cast<size_t>(train_rows));
    for (int64_t i = 0; i < train_rows; ++i) ids[i] = static_cast<double>(i);
    train.x = Tensor::from_vector(ids, {train_rows, 1}, DType::Float64);
    train.y = Tensor::from_vector(ids, {train_rows}, DType::Float64);
    val.x = Tensor::zeros({val_rows, 1}, DType::Float64);
    val.y = Tensor::zeros({val_rows}, DType::Float64);
  }

  LossFn loss() {
    return [this](const Batch& b, LossParts* parts) -> Variable {
      if (b.size() == val.rows()) {
        theta_after_epoch.push_back(theta.data().item());
        const double v = val_losses.at(theta_after_epoch.size() - 1);
        if (parts) (*parts)["scripted"] = v;
        return Variable(Tensor::full({}, v, DType::Float64));
      }
      if (is_grad_enabled()) {  // a training batch
        batch_sizes.push_back(b.size());
        batch_rows.push_back(b.x.data().to_vector());
      }
      return sum(theta) * 1.0;
    };
  }

  TrainResult run(TrainOptions o) { return train_phase({theta}, loss(), train, val, o); }
};

TrainOptions quiet_options(int max_epochs, int patience) {
  TrainOptions o;
  o.phase = "test";
  o.max_epochs = max_epochs;
  o.max_patience = patience;
  o.shuffle = false;
  return o;
}

}  // namespace

TEST_CASE("EarlyStopping: a strict improvement resets patience, a tie does not") {
  EarlyStopping s(3);
  CHECK(s.update(10.0));   // epoch 1: best
  CHECK(s.update(9.0));    // epoch 2: best
  CHECK_FALSE(s.update(9.0));  // epoch 3: a tie is no improvement
  CHECK(s.counter() == 1);
  CHECK_FALSE(s.update(9.5));  // epoch 4
  CHECK_FALSE(s.should_stop());
  CHECK_FALSE(s.update(9.0));  // epoch 5: tie again, the counter reaches 3
  CHECK(s.should_stop());
  CHECK(s.best_epoch() == 2);
  CHECK(s.best_loss() == 9.0);
  CHECK(s.epochs_seen() == s.best_epoch() + s.max_patience());
}

TEST_CASE("EarlyStopping: improvements after a plateau restart the count; NaN never improves") {
  EarlyStopping s(2);
  s.update(5.0);
  s.update(6.0);  // counter 1
  CHECK(s.update(4.0));  // resets
  CHECK(s.counter() == 0);
  CHECK_FALSE(s.update(std::numeric_limits<double>::quiet_NaN()));
  CHECK_FALSE(s.update(4.0));
  CHECK(s.should_stop());
  CHECK(s.best_epoch() == 3);
  REQUIRE_THROWS_WITH(EarlyStopping(0), "EarlyStopping: expected max_patience >= 1, but got 0");
}

TEST_CASE("train_phase: stops at best_epoch + max_patience and restores the best epoch's weights") {
  // Best at epoch 4; epochs 5..9 tie or are worse, so the counter reaches 5 at epoch 9.
  ScriptedRun r({10, 9, 9, 8, 8, 8.5, 8, 8, 8, 1, 1, 1});
  const TrainResult result = r.run(quiet_options(100, 5));
  CHECK(result.stopped_early);
  CHECK_FALSE(result.capped);
  CHECK(result.best_epoch == 4);
  CHECK(result.epochs_run == 9);
  CHECK(result.best_val_loss == 8.0);
  REQUIRE(result.val_curve == std::vector<double>{10, 9, 9, 8, 8, 8.5, 8, 8, 8});
  CHECK(result.val_parts.at("scripted") == result.val_curve);
  REQUIRE(result.train_curve.size() == 9);
  CHECK(result.running_loss_curve.size() == 9);
  // The parameter holds exactly the values it had after epoch 4, not after epoch 9.
  CHECK(r.theta.data().item() == r.theta_after_epoch[3]);
  CHECK(r.theta_after_epoch[8] != r.theta_after_epoch[3]);
}

TEST_CASE("train_phase: the --max-epochs cap ends the phase first and the best epoch so far is restored") {
  ScriptedRun r({10, 9, 9, 8, 8, 8, 8, 8, 8});
  TrainOptions o = quiet_options(100, 5);
  o.epoch_cap = 3;
  const TrainResult result = r.run(o);
  CHECK_FALSE(result.stopped_early);
  CHECK(result.capped);
  CHECK(result.epochs_run == 3);
  CHECK(result.best_epoch == 2);  // epoch 3 ties epoch 2: no improvement
  CHECK(r.theta.data().item() == r.theta_after_epoch[1]);
}

TEST_CASE("train_phase: the task's own maximum, then without early stopping exactly max_epochs") {
  SECTION("maximum reached while still improving") {
    ScriptedRun r({5, 4, 3, 2});
    const TrainResult result = r.run(quiet_options(4, 5));
    CHECK(result.epochs_run == 4);
    CHECK(result.best_epoch == 4);
    CHECK_FALSE(result.stopped_early);
    CHECK_FALSE(result.capped);
  }
  SECTION("no early stopping: every epoch, the last weights kept") {
    ScriptedRun r({1, 2, 3, 4, 5, 6});
    TrainOptions o = quiet_options(6, 1);
    o.early_stopping = false;
    const TrainResult result = r.run(o);
    CHECK(result.epochs_run == 6);
    CHECK(result.best_epoch == 6);
    CHECK(r.theta.data().item() == r.theta_after_epoch[5]);
  }
}

TEST_CASE("train_phase: batches of 32 with the partial last one, in file order or reshuffled per epoch") {
  SECTION("file order") {
    ScriptedRun r({3, 2, 1});
    r.run(quiet_options(3, 5));
    REQUIRE(r.batch_sizes == std::vector<int64_t>{32, 32, 6, 32, 32, 6, 32, 32, 6});
    CHECK(r.batch_rows[0].front() == 0);
    CHECK(r.batch_rows[1].front() == 32);
    CHECK(r.batch_rows[2] == std::vector<double>{64, 65, 66, 67, 68, 69});
    CHECK(r.batch_rows[3].front() == 0);  // every epoch the same order
  }
  SECTION("shuffled: a permutation per epoch, different epochs differ, the same seed repeats") {
    auto epoch_orders = [](uint64_t seed) {
      ScriptedRun r({3, 2, 1});
      TrainOptions o = quiet_options(3, 5);
      o.shuffle = true;
      o.shuffle_seed = seed;
      r.run(o);
      std::vector<std::vector<double>> epochs(3);
      for (size_t b = 0; b < r.batch_rows.size(); ++b) {
        epochs[b / 3].insert(epochs[b / 3].end(), r.batch_rows[b].begin(), r.batch_rows[b].end());
      }
      return epochs;
    };
    const auto a = epoch_orders(7), b = epoch_orders(7), c = epoch_orders(8);
    CHECK(a == b);
    CHECK(a != c);
    CHECK(a[0] != a[1]);
    for (const auto& order : a) CHECK(std::set<double>(order.begin(), order.end()).size() == 70);
  }
}

TEST_CASE("train_phase: a non-finite loss is an error naming the phase, epoch and batch") {
  Examples train{Tensor::zeros({70, 1}, DType::Float64), Tensor::zeros({70}, DType::Float64)};
  Examples val{Tensor::zeros({9, 1}, DType::Float64), Tensor::zeros({9}, DType::Float64)};
  Variable theta(Tensor::full({1}, 1.0, DType::Float64), true);
  int calls = 0;
  const LossFn loss = [&](const Batch& b, LossParts*) {
    const bool training = is_grad_enabled() && b.size() != 9;
    if (training && ++calls == 6) return sum(theta) * std::numeric_limits<double>::infinity();  // epoch 2, batch 3
    return sum(theta) * 1.0;
  };
  TrainOptions o = quiet_options(5, 5);
  o.phase = "task1_bsc.autoencoder";
  REQUIRE_THROWS_WITH(train_phase({theta}, loss, train, val, o),
                      Catch::StartsWith("task1_bsc.autoencoder: expected a finite loss, but got inf at epoch 2, batch 3"));
}

TEST_CASE("evaluate_loss and map_batches: chunks combine into the whole set's value") {
  const int64_t n = 50;
  std::vector<double> values(n);
  for (int64_t i = 0; i < n; ++i) values[i] = std::sin(0.3 * static_cast<double>(i));
  Examples set{Tensor::from_vector(values, {n, 1}, DType::Float64), Tensor::from_vector(values, {n}, DType::Float64)};
  const LossFn loss = [](const Batch& b, LossParts* parts) {
    Variable m = mean(square(b.x));
    if (parts) (*parts)["mean_y"] = mean(b.y).item();
    return m;
  };
  LossParts whole_parts, chunk_parts;
  const double whole = evaluate_loss(loss, set, 512, &whole_parts);
  const double chunked = evaluate_loss(loss, set, 7, &chunk_parts);
  CHECK(chunked == Approx(whole).epsilon(1e-14));
  CHECK(chunk_parts.at("mean_y") == Approx(whole_parts.at("mean_y")).epsilon(1e-12));

  const Tensor doubled = map_batches([](const Batch& b) { return b.x * 2.0; }, set, 8);
  REQUIRE(doubled.shape() == Shape{n, 1});
  for (int64_t i = 0; i < n; ++i) CHECK(doubled.to_vector()[i] == 2.0 * values[i]);
  CHECK(is_grad_enabled());  // the guards restored grad mode
}

TEST_CASE("evaluate_loss and map_batches give the same numbers on 1 and 2 threads") {
  const int64_t n = 1000;
  std::vector<double> values(n);
  for (int64_t i = 0; i < n; ++i) values[i] = std::cos(0.17 * static_cast<double>(i));
  Examples set{Tensor::from_vector(values, {n, 1}, DType::Float32), Tensor::from_vector(values, {n}, DType::Float32)};
  const LossFn loss = [](const Batch& b, LossParts* parts) {
    if (parts) (*parts)["mean_y"] = mean(b.y).item();
    return mean(square(b.x - 0.25));
  };
  const int before = get_num_threads();
  set_num_threads(1);
  LossParts parts_one, parts_two;
  const double one = evaluate_loss(loss, set, 64, &parts_one);
  const Tensor mapped_one = map_batches([](const Batch& b) { return b.x * 3.0; }, set, 64);
  set_num_threads(2);
  const double two = evaluate_loss(loss, set, 64, &parts_two);
  const Tensor mapped_two = map_batches([](const Batch& b) { return b.x * 3.0; }, set, 64);
  set_num_threads(before);
  CHECK(one == two);  // chunks added in chunk order, whatever thread ran them
  CHECK(parts_one == parts_two);
  CHECK(mapped_one.to_vector() == mapped_two.to_vector());
  CHECK(is_grad_enabled());
}

TEST_CASE("batch_gradients: a batch in parts gives the one-pass gradients, the same on 1 and 2 threads") {
  // L = mean over rows of (w · x_r + b − y_r)², float64: the parts' weighted gradients add up
  // to the whole batch's, up to rounding.
  const int64_t n = 13;
  std::vector<double> xs(n * 3), ys(n);
  for (int64_t i = 0; i < n * 3; ++i) xs[i] = std::sin(1.3 * static_cast<double>(i));
  for (int64_t i = 0; i < n; ++i) ys[i] = std::cos(0.7 * static_cast<double>(i));
  const Batch batch{Variable(Tensor::from_vector(xs, {n, 3}, DType::Float64)),
                    Variable(Tensor::from_vector(ys, {n}, DType::Float64))};
  Variable w(Tensor::from_vector({0.3, -0.2, 0.5}, {3, 1}, DType::Float64), true);
  Variable b(Tensor::full({1}, 0.1, DType::Float64), true);
  Variable unused(Tensor::full({2}, 1.0, DType::Float64), true);
  const LossFn loss = [&](const Batch& part, LossParts*) {
    return mean(square(reshape(matmul(part.x, w) + b, {-1}) - part.y));
  };
  const std::vector<Variable> params{w, b, unused};
  const auto grads_of = [&](int parts) {
    const double value = batch_gradients(params, loss, batch, parts);
    std::vector<double> g = w.grad().to_vector();
    g.push_back(b.grad().item());
    g.push_back(value);
    CHECK_FALSE(unused.grad().defined());  // not reached: no gradient, as with backward()
    return g;
  };
  const int before = get_num_threads();
  set_num_threads(1);
  const std::vector<double> whole = grads_of(1);
  const std::vector<double> three_on_one = grads_of(3);
  set_num_threads(2);
  const std::vector<double> three_on_two = grads_of(3);
  const std::vector<double> two_on_two = grads_of(2);
  set_num_threads(before);
  CHECK(three_on_one == three_on_two);  // the same parts, whichever thread ran them
  for (size_t i = 0; i < whole.size(); ++i) {
    CHECK(three_on_two[i] == Approx(whole[i]).epsilon(1e-13));
    CHECK(two_on_two[i] == Approx(whole[i]).epsilon(1e-13));
  }
  // A fresh step sets .grad rather than adding to the last one.
  CHECK(grads_of(2) == two_on_two);
}

TEST_CASE("train_phase with batch_parts 2: the multi-task U-Net trains on two threads, reproducibly, as on one part") {
  // float64, so that one part and two differ only by summation order; 2 epochs of 24 rows
  // in batches of 8 (halves of 4) plus a validation set.
  Generator data_gen(5);
  const int64_t rows = 24;
  const Examples train{uniform({rows, 1, 10, 10}, 0.0, 2.0, data_gen, DType::Float64),
                       uniform({rows}, -1.0, 1.0, data_gen, DType::Float64)};
  const Examples val{uniform({6, 1, 10, 10}, 0.0, 2.0, data_gen, DType::Float64),
                     uniform({6}, -1.0, 1.0, data_gen, DType::Float64)};
  const auto run = [&](int parts, int threads) {
    Generator gen(11);
    auto net = std::make_shared<UNet>(/*multitask=*/true, DType::Float64, gen);
    const LossFn loss = [net](const Batch& b, LossParts*) {
      const UNet::Trace t = net->trace(b.x);
      return mse_regress(t.yhat, b.y) + 0.5 * mse_reconstruct(t.xhat, b.x);
    };
    TrainOptions o;
    o.phase = "parts";
    o.max_epochs = 2;
    o.early_stopping = false;
    o.batch_size = 8;
    o.batch_parts = parts;
    const int before = get_num_threads();
    set_num_threads(threads);
    const TrainResult r = train_phase(net->parameters(), loss, train, val, o);
    set_num_threads(before);
    std::vector<double> values = r.val_curve;
    for (const Variable& p : net->parameters())
      for (const double v : p.data().to_vector()) values.push_back(v);
    return values;
  };
  const std::vector<double> one_part = run(1, 1);
  const std::vector<double> two_parts = run(2, 2);
  CHECK(run(2, 2) == two_parts);  // reproducible
  CHECK(run(2, 1) == two_parts);  // the parts, not the threads, set the numbers
  REQUIRE(two_parts.size() == one_part.size());
  for (size_t i = 0; i < one_part.size(); ++i) CHECK(two_parts[i] == Approx(one_part[i]).epsilon(1e-9));
}
