// linear (autograd/ops/linear.cpp): y = x Wᵀ + b.
#include <catch2/catch.hpp>

#include "autograd/autograd.h"
#include "support/golden_case.h"
#include "support/variables.h"

using namespace convgrad;
using namespace convgrad::testing;

TEST_CASE("linear forward and backward by hand") {
  // x = [[1, 2, 3], [4, 5, 6]], W = [[1, 0, -1], [2, 1, 0]], b = [0.5, -1]:
  //   y[0] = [1 - 3 + 0.5, 2 + 2 - 1] = [-1.5, 3],   y[1] = [4 - 6 + 0.5, 8 + 5 - 1] = [-1.5, 12]
  Variable x(Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, DType::Float64), true);
  Variable w(Tensor::from_vector({1, 0, -1, 2, 1, 0}, {2, 3}, DType::Float64), true);
  Variable b(Tensor::from_vector({0.5, -1}, {2}, DType::Float64), true);
  Variable y = linear(x, w, b);
  CHECK(y.data().to_vector() == Values{-1.5, 3, -1.5, 12});
  // dL/dy = 1: dL/dx = 1·W = each row [1 + 2, 0 + 1, -1 + 0] = [3, 1, -1];
  //            dL/dW = 1ᵀ·x = each row [1 + 4, 2 + 5, 3 + 6] = [5, 7, 9];  dL/db = [2, 2]
  y.backward(Tensor::ones(y.shape(), DType::Float64));
  CHECK(x.grad().to_vector() == Values{3, 1, -1, 3, 1, -1});
  CHECK(w.grad().to_vector() == Values{5, 7, 9, 5, 7, 9});
  CHECK(b.grad().to_vector() == Values{2, 2});
}

TEST_CASE("linear matches PyTorch golden cases (forward and every gradient)") {
  const std::string name =
      GENERATE(as<std::string>{}, "linear_7to5", "linear_cw_200to1", "linear_cw_400to1", "linear_nobias_6to4");
  CAPTURE(name);
  const GoldenCase golden(name);
  Variable x(golden.input("input"), true);
  Variable w(golden.param("weight"), true);
  const bool has_bias = golden.has_param("bias");
  Variable b = has_bias ? Variable(golden.param("bias"), true) : Variable();
  Variable y = linear(x, w, b);
  CHECK(max_rel_error(y.data(), golden.output("output")) < 1e-10);
  y.backward(golden.grad_output());
  CHECK(max_rel_error(x.grad(), golden.grad("input")) < 1e-10);
  CHECK(max_rel_error(w.grad(), golden.grad("weight")) < 1e-10);
  if (has_bias) CHECK(max_rel_error(b.grad(), golden.grad("bias")) < 1e-10);
}

TEST_CASE("linear gradcheck for 1-d, 2-d and batched inputs, with and without bias") {
  const Shape x_shape = GENERATE(Shape{4}, Shape{3, 4}, Shape{2, 3, 4}, Shape{1, 4});
  const bool with_bias = GENERATE(true, false);
  CAPTURE(x_shape, with_bias);
  Variable x = random_var(x_shape, 1), w = random_var({5, 4}, 2), b = random_var({5}, 3);
  auto fn = [&](const std::vector<Variable>& in) { return linear(in[0], in[1], with_bias ? in[2] : Variable()); };
  auto r = with_bias ? gradcheck(fn, {x, w, b}) : gradcheck(fn, {x, w});
  INFO(r.report());
  REQUIRE(r.passed);
  Shape y_shape = x_shape;
  y_shape.back() = 5;
  CHECK(linear(x, w, b).shape() == y_shape);
}

TEST_CASE("linear skips the gradients of inputs that do not require grad") {
  Variable x = random_constant({3, 4}, 4), w = random_var({5, 4}, 5), b = random_constant({5}, 6);
  Variable y = linear(x, w, b);
  y.backward(Tensor::ones(y.shape(), DType::Float64));
  CHECK(w.grad().defined());
  CHECK_FALSE(x.grad().defined());
  CHECK_FALSE(b.grad().defined());
}

TEST_CASE("linear error messages name both shapes") {
  auto var = [](const Shape& s) { return Variable(Tensor::zeros(s, DType::Float64)); };
  REQUIRE_THROWS_WITH(linear(var({3, 6}), var({5, 7}), var({5})),
                      "linear: expected input [3, 6] to have 7 features in its last dimension (weight [5, 7]), "
                      "but got 6");
  REQUIRE_THROWS_WITH(linear(var({3, 7}), var({5, 7}), var({7})),
                      "linear: expected bias of shape [5] (weight [5, 7]), but got [7]");
  REQUIRE_THROWS_WITH(linear(var({3, 7}), var({5, 7, 1}), Variable()),
                      "linear: expected a 2-d weight [out, in], but got [5, 7, 1]");
}
