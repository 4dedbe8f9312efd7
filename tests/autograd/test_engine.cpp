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
