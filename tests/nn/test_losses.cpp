// The coursework losses: MSE_reconstruct (per-sample sum, batch mean) and MSE_regress.
#include <catch2/catch.hpp>

#include "nn/losses.h"
#include "support/golden_case.h"

using namespace convgrad;
using namespace convgrad::testing;

TEST_CASE("mse_reconstruct sums over pixels and averages over samples") {
  // sample 0 errors (1, 2, 0, 0) -> 5; sample 1 errors (0, 0, 0, 3) -> 9; mean 7
  Variable xhat(Tensor::from_vector({1, 2, 0, 0, 0, 0, 0, 3}, {2, 1, 2, 2}, DType::Float64), true);
  Variable x(Tensor::zeros({2, 1, 2, 2}, DType::Float64));
  Variable loss = mse_reconstruct(xhat, x);
  CHECK(loss.item() == 7.0);
  // dL/dxhat = 2 (xhat - x) / N = xhat
  loss.backward();
  CHECK(xhat.grad().to_vector() == std::vector<double>{1, 2, 0, 0, 0, 0, 0, 3});
}

TEST_CASE("mse_reconstruct and mse_regress match PyTorch") {
  for (const char* name : {"mse_reconstruct_cw", "mse_regress_cw"}) {
    CAPTURE(name);
    const GoldenCase golden(name);
    Variable input(golden.input("input"), true);
    Variable target(golden.input("target"), true);
    Variable loss = std::string(name) == "mse_regress_cw" ? mse_regress(input, target) : mse_reconstruct(input, target);
    CHECK(loss.item() == Approx(golden.output("loss").item()).epsilon(1e-12));
    loss.backward(golden.grad_output());
    const auto got = input.grad().to_vector();
    const auto want = golden.grad("input").to_vector();
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < got.size(); ++i) CHECK(got[i] == Approx(want[i]).epsilon(1e-12).margin(1e-15));
  }
}

TEST_CASE("mse_regress accepts [N] and [N, 1] in any pairing, never broadcasting to [N, N]") {
  // errors 1, -1, 2 -> (1 + 1 + 4) / 3 = 2
  const Tensor y = Tensor::from_vector({0, 0, 0}, {3}, DType::Float64);
  const Tensor yhat = Tensor::from_vector({1, -1, 2}, {3}, DType::Float64);
  CHECK(mse_regress(Variable(yhat), Variable(y)).item() == 2.0);
  CHECK(mse_regress(Variable(yhat.reshape({3, 1})), Variable(y)).item() == 2.0);
  CHECK(mse_regress(Variable(yhat), Variable(y.reshape({3, 1}))).item() == 2.0);
  CHECK(mse_regress(Variable(yhat.reshape({3, 1})), Variable(y.reshape({3, 1}))).item() == 2.0);
}

TEST_CASE("loss shape errors name both shapes") {
  Variable a(Tensor::zeros({4, 1}, DType::Float64));
  Variable b(Tensor::zeros({5}, DType::Float64));
  REQUIRE_THROWS_WITH(mse_regress(a, b), "mse_regress: expected predictions and targets with the same number N > 0 "
                                         "of samples, but got [4, 1] and [5]");
  REQUIRE_THROWS_WITH(mse_regress(Variable(Tensor::zeros({4, 2}, DType::Float64)), b),
                      "mse_regress: expected predictions and targets of shape [N] or [N, 1], but got [4, 2] and [5]");
  REQUIRE_THROWS_WITH(mse_reconstruct(Variable(Tensor::zeros({2, 1, 10, 10}, DType::Float64)),
                                      Variable(Tensor::zeros({2, 100}, DType::Float64))),
                      "mse_reconstruct: expected the target to have the input's shape [2, 1, 10, 10], but got [2, 100]");
}
