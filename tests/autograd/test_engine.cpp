#include <catch2/catch.hpp>

#include "autograd/functions.h"

using namespace convgrad;

TEST_CASE("a variable used twice accumulates both gradients") {
  // y = x * x + x  ->  dy/dx = 2x + 1 = 7 at x = 3
  Variable x(Tensor::scalar(3.0, DType::Float64), true);
  Variable y = x * x + x;
  y.backward();
  CHECK(x.grad().item() == 7.0);
  // A second backward accumulates into .grad, as in PyTorch.
  (x * 2.0).backward();
  CHECK(x.grad().item() == 9.0);
}

TEST_CASE("no-grad guard and detach record nothing") {
  Variable x(Tensor::scalar(2.0, DType::Float64), true);
  {
    NoGradGuard guard;
    Variable y = x * x;
    CHECK_FALSE(y.requires_grad());
  }
  CHECK_FALSE((x.detach() * x.detach()).requires_grad());
  REQUIRE_THROWS_WITH((x.detach() * 3.0).backward(), Catch::Contains("backward: expected an output that requires grad"));
}

TEST_CASE("broadcast gradients sum back to the input's shape") {
  Variable a(Tensor::ones({2, 3}, DType::Float64), true);
  Variable b(Tensor::ones({3}, DType::Float64), true);
  relu(a + b).backward(Tensor::ones({2, 3}, DType::Float64));
  CHECK(b.grad().to_vector() == std::vector<double>{2, 2, 2});
  CHECK(a.grad().to_vector() == std::vector<double>(6, 1.0));
}

TEST_CASE("a graph of thousands of variables, fanned in and out, gets every gradient") {
  // y = sum_k (x_k + x_{k+1}) * c  over a chain of 2000 leaves: dy/dx_k = 2c (1c at the ends).
  // Far more variables than the sweep's first table holds, and deeper than any stack.
  const int64_t n = 2000;
  std::vector<Variable> x;
  for (int64_t k = 0; k < n; ++k) x.emplace_back(Tensor::scalar(0.5 * static_cast<double>(k), DType::Float64), true);
  Variable y = (x[0] + x[1]) * 3.0;
  for (int64_t k = 1; k + 1 < n; ++k) y = y + (x[k] + x[k + 1]) * 3.0;
  y.backward();
  for (int64_t k = 0; k < n; ++k) {
    CAPTURE(k);
    CHECK(x[k].grad().item() == (k == 0 || k == n - 1 ? 3.0 : 6.0));
  }
  // and a chain 20000 deep: y = x + x + ... (each step adds x once more)
  Variable z = x[1];
  for (int k = 0; k < 20000; ++k) z = z + x[1];
  x[1].zero_grad();
  z.backward();
  CHECK(x[1].grad().item() == 20001.0);
}

TEST_CASE("a leaf's .grad aliases no tensor the caller or an op still holds") {
  Variable x(Tensor::from_vector({1.0, 2.0}, {2}, DType::Float64), true);
  // the root itself a leaf: .grad must be a copy of the upstream gradient, not the caller's tensor
  const Tensor upstream = Tensor::from_vector({5.0, 7.0}, {2}, DType::Float64);
  x.backward(upstream);
  CHECK_FALSE(x.grad().shares_storage_with(upstream));
  // an op whose backward hands out a tensor it keeps: .grad must not be that tensor
  const Tensor kept = Tensor::from_vector({3.0, 4.0}, {2}, DType::Float64);
  x.zero_grad();
  make_result("keeps_its_gradient", x.data().clone(), {x}, [kept](const Tensor&) { return Grads{kept}; })
      .backward(upstream);
  CHECK_FALSE(x.grad().shares_storage_with(kept));
  CHECK(x.grad().to_vector() == std::vector<double>{3.0, 4.0});
  // an op's own fresh gradient is adopted, not copied (nothing else holds it)
  x.zero_grad();
  (x * 2.0).backward(upstream);
  CHECK(x.grad().to_vector() == std::vector<double>{10.0, 14.0});
  CHECK(x.grad().sole_owner());
}
