// Numerical faults during training (tasks/training.h): a non-finite loss or gradient stops
// the phase with an error naming the epoch, the batch and the parameter; the parameters go
// back to the last good weights, which the caller can save (on_non_finite), and no
// non-finite update is ever applied. End to end: a CSV whose values overflow float32.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "autograd/functions.h"
#include "nn/safetensors.h"
#include "robustness/bad_files.h"
#include "robustness/cli_runner.h"
#include "robustness/csv_edits.h"
#include "tasks/training.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {

Examples zeros(int64_t rows) {
  return Examples{Tensor::zeros({rows, 1}, DType::Float64), Tensor::zeros({rows}, DType::Float64)};
}

TrainOptions options(int max_epochs) {
  TrainOptions o;
  o.phase = "test_phase";
  o.max_epochs = max_epochs;
  o.max_patience = 5;
  o.batch_size = 10;
  o.lr = 0.1;
  o.shuffle = false;
  return o;
}

}  // namespace

TEST_CASE("a non-finite loss stops the phase at its epoch and batch, back on the best epoch's weights",
          "[robustness][training]") {
  const Examples train = zeros(70), val = zeros(9);  // 7 batches of 10
  Variable theta(Tensor::full({1}, 1.0, DType::Float64), true);
  std::vector<double> theta_after_epoch;
  int training_batches = 0;
  // Validation loss falls every epoch, so each epoch is the best so far.
  const LossFn loss = [&](const Batch& b, LossParts*) -> Variable {
    if (b.size() == 9) {
      theta_after_epoch.push_back(theta.data().item());
      return Variable(Tensor::full({}, 10.0 - static_cast<double>(theta_after_epoch.size()), DType::Float64));
    }
    if (is_grad_enabled() && ++training_batches == 7 * 2 + 3) {  // epoch 3, batch 3
      return sum(theta) * std::numeric_limits<double>::quiet_NaN();
    }
    return sum(theta) * 1.0;
  };
  TrainOptions o = options(10);
  double theta_when_saved = 0.0;
  int saves = 0;
  o.on_non_finite = [&] {
    ++saves;
    theta_when_saved = theta.data().item();
  };
  REQUIRE_THROWS_WITH(train_phase({theta}, loss, train, val, o),
                      Catch::StartsWith("test_phase: expected a finite loss, but got nan at epoch 3, batch 3") &&
                          Catch::Contains("the parameters are back to the weights of epoch 2"));
  REQUIRE(theta_after_epoch.size() == 2);
  CHECK(saves == 1);
  CHECK(theta_when_saved == theta_after_epoch[1]);
  CHECK(theta.data().item() == theta_after_epoch[1]);
}

TEST_CASE("a non-finite gradient under a finite loss names the parameter, and no update is applied",
          "[robustness][training]") {
  const Examples train = zeros(30), val = zeros(9);
  Variable weight(Tensor::full({2}, 0.25, DType::Float64), true);
  Variable head(Tensor::full({1}, 0.5, DType::Float64), true);
  int training_batches = 0;
  // sqrt(0 * head) is 0, a finite loss, but its gradient is 0 * (1 / (2 sqrt(0))) = 0 * inf = NaN.
  const LossFn loss = [&](const Batch&, LossParts*) -> Variable {
    Variable l = sum(weight) * 0.0 + sum(head) * 0.0;
    if (is_grad_enabled() && ++training_batches == 2) l = l + sum(sqrt(head * 0.0));
    return l;
  };
  TrainOptions o = options(5);
  o.early_stopping = false;
  o.param_names = {"conv1.weight", "head.bias"};
  REQUIRE_THROWS_WITH(train_phase({weight, head}, loss, train, val, o),
                      Catch::StartsWith("test_phase: expected finite gradients, but got nan in the gradient of "
                                        "head.bias [1] (element 0) at epoch 1, batch 2") &&
                          Catch::Contains("the parameters are back to the initial weights"));
  CHECK(weight.data().to_vector() == std::vector<double>{0.25, 0.25});
  CHECK(head.data().item() == 0.5);
}

TEST_CASE("convgrad task1 on data that overflows float32 stops with the phase, epoch and batch, and writes "
          "no results",
          "[robustness][training][cli]") {
  ScratchDir scratch("overflow");
  // Every Feature 1 value 1e30: finite in float32, but its square in MSE_reconstruct is not.
  std::string csv = good_files().csv;
  for (int line = 2; line <= 61; ++line) csv = set_cell(csv, line, 3, "1e30");
  const std::string data = scratch.write("huge.csv", csv);
  const CliRun run = run_convgrad({"task1", "--variant", "bsc", "--max-epochs", "2", "--threads", "1", "--quiet",
                                   "--no-shuffle", "--data", data, "--out", scratch / "out"});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 1);
  REQUIRE(lines_of(run.err).size() == 1);
  CHECK_THAT(run.err, Catch::StartsWith("convgrad: error: task1_bsc.autoencoder: expected a finite loss, but got "));
  CHECK_THAT(run.err, Catch::Contains("at epoch 1, batch 1 (positions 0..31 of the epoch's row order)"));
  CHECK(files_under(scratch / "out").empty());
}

TEST_CASE("with --save-models, a phase stopped by a non-finite loss saves its last good weights",
          "[robustness][training][cli]") {
  ScratchDir scratch("overflow_save");
  std::string csv = good_files().csv;
  for (int line = 2; line <= 61; ++line) csv = set_cell(csv, line, 3, "1e30");
  const std::string data = scratch.write("huge.csv", csv);
  const CliRun run = run_convgrad({"task1", "--variant", "bsc", "--max-epochs", "2", "--threads", "1", "--quiet",
                                   "--data", data, "--out", scratch / "out", "--save-models", scratch / "models"});
  CHECK(run.exit_code == 1);
  const TensorMap saved = read_safetensors(scratch / "models/task1_bsc.autoencoder.safetensors");
  CHECK(saved.size() == 6);
  for (const auto& [name, tensor] : saved) {
    for (const double v : tensor.to_vector()) CHECK(std::isfinite(v));
  }
}
