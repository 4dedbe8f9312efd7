// relu, sigmoid, tanh (autograd/ops/relu.cpp, sigmoid.cpp, tanh.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "autograd/autograd.h"
#include "support/golden_case.h"
#include "support/variables.h"

using namespace convgrad;
using namespace convgrad::testing;

TEST_CASE("relu forward and backward by hand") {
  // relu([-1, 0, 2]) = [0, 0, 2]; dL/dx = g * (x > 0) = [0, 0, 5] for g = [5, 5, 5]
  Variable x = values({-1, 0, 2}, {3});
  Variable y = relu(x);
  CHECK(y.data().to_vector() == Values{0, 0, 2});
  y.backward(Tensor::full({3}, 5.0, DType::Float64));
  CHECK(x.grad().to_vector() == Values{0, 0, 5});
}

TEST_CASE("relu passes NaN through and keeps -0, as PyTorch does") {
  // torch.relu([nan, -0., -1]) = [nan, -0., 0]; its gradient for g = 1 is [1, 0, 0]
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Variable x = values({nan, -0.0, -1}, {3});
  Variable y = relu(x);
  const Values out = y.data().to_vector();
  CHECK(std::isnan(out[0]));
  CHECK((out[1] == 0.0 && std::signbit(out[1])));
  CHECK((out[2] == 0.0 && !std::signbit(out[2])));
  y.backward(Tensor::ones({3}, DType::Float64));
  CHECK(x.grad().to_vector() == Values{1, 0, 0});
}

TEST_CASE("relu matches PyTorch (golden relu_with_zeros, exact zeros included)") {
  GoldenCase golden("relu_with_zeros");
  Variable x(golden.input("input"), true);
  Variable y = relu(x);
  y.backward(golden.grad_output());
  CHECK(max_rel_error(y.data(), golden.output("output"), kExactZeros) <= 1e-10);
  CHECK(max_rel_error(x.grad(), golden.grad("input"), kExactZeros) <= 1e-10);
}

TEST_CASE("sigmoid forward and backward by hand") {
  // sigmoid(0) = 1/2, sigmoid(ln 3) = 3/4, sigmoid(-ln 3) = 1/4;
  // d/dx = s (1 - s) = [1/4, 3/16, 3/16]
  Variable x = values({0, std::log(3.0), -std::log(3.0)}, {3});
  Variable y = sigmoid(x);
  CHECK(y.data().at({0}) == 0.5);
  CHECK(y.data().at({1}) == Approx(0.75));
  CHECK(y.data().at({2}) == Approx(0.25));
  y.backward(Tensor::ones({3}, DType::Float64));
  CHECK(x.grad().at({0}) == 0.25);
  CHECK(x.grad().at({1}) == Approx(3.0 / 16.0));
  CHECK(x.grad().at({2}) == Approx(3.0 / 16.0));
}

TEST_CASE("sigmoid saturates without overflow") {
  // e^1000 overflows; the stable form gives exactly 0 and 1 and a zero gradient.
  Variable x = values({-1000, 1000}, {2});
  Variable y = sigmoid(x);
  CHECK(y.data().to_vector() == Values{0, 1});
  y.backward(Tensor::ones({2}, DType::Float64));
  CHECK(x.grad().to_vector() == Values{0, 0});
}

TEST_CASE("tanh forward and backward by hand") {
  // tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6; d/dx = 1 - 0.36 = 0.64.  tanh(0) = 0, d/dx = 1.
  Variable x = values({0, std::log(2.0)}, {2});
  Variable y = tanh(x);
  CHECK(y.data().at({0}) == 0.0);
  CHECK(y.data().at({1}) == Approx(0.6));
  y.backward(Tensor::ones({2}, DType::Float64));
  CHECK(x.grad().at({0}) == 1.0);
  CHECK(x.grad().at({1}) == Approx(0.64));
}

TEST_CASE("activation gradcheck over shapes") {
  const Shape shape = GENERATE(Shape{}, Shape{7}, Shape{3, 4}, Shape{2, 3, 4, 5});
  CAPTURE(shape);
  Variable x = random_var(shape, 21, -4.0, 4.0);
  SECTION("relu") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return relu(in[0]); }, {x});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("sigmoid") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return sigmoid(in[0]); }, {x});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("tanh") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return tanh(in[0]); }, {x});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("a composition: tanh(sigmoid(x) * relu(x))") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return tanh(sigmoid(in[0]) * relu(in[0])); }, {x});
    INFO(r.report());
    REQUIRE(r.passed);
  }
}

TEST_CASE("relu gradcheck reports exact zeros as kinks") {
  Variable x = values({0, 1, -1, 0}, {2, 2});
  auto r = gradcheck([](const std::vector<Variable>& in) { return relu(in[0]); }, {x});
  INFO(r.report());
  CHECK(r.passed);
  CHECK(r.kinks == 2);
}

TEST_CASE("activations reject an undefined variable") {
  REQUIRE_THROWS_WITH(sigmoid(Variable()), "Variable: expected a defined variable, but got an undefined one");
  REQUIRE_THROWS_WITH(tanh(Variable()), "Variable: expected a defined variable, but got an undefined one");
}
