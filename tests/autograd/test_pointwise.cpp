// pow, square, exp, log, sqrt (autograd/ops/pointwise.cpp).
#include <catch2/catch.hpp>

#include <cmath>

#include "autograd/autograd.h"
#include "support/variables.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {
// Runs y.backward() with an all-ones upstream gradient.
void backward_ones(const Variable& y) { y.backward(Tensor::ones(y.shape(), y.dtype())); }
}  // namespace

TEST_CASE("pow forward and backward by hand") {
  // x = [1, 2, 3]: x^3 = [1, 8, 27]; d/dx = 3 x^2 = [3, 12, 27]
  Variable x = values({1, 2, 3}, {3});
  Variable y = pow(x, 3.0);
  CHECK(y.data().to_vector() == Values{1, 8, 27});
  backward_ones(y);
  CHECK(x.grad().to_vector() == Values{3, 12, 27});

  // x = [4, 9]: x^0.5 = [2, 3]; d/dx = 0.5 x^-0.5 = [0.25, 1/6]
  Variable z = values({4, 9}, {2});
  backward_ones(pow(z, 0.5));
  CHECK(z.grad().at({0}) == Approx(0.25));
  CHECK(z.grad().at({1}) == Approx(1.0 / 6.0));
}

TEST_CASE("pow with exponent 0 has a zero gradient, also at x = 0") {
  // 0^0 = 1 and d/dx x^0 = 0 (not 0 * 0^-1 = NaN), as in PyTorch.
  Variable x = values({0, 2}, {2});
  Variable y = pow(x, 0.0);
  CHECK(y.data().to_vector() == Values{1, 1});
  backward_ones(y);
  CHECK(x.grad().to_vector() == Values{0, 0});
}

TEST_CASE("square, exp, log and sqrt forward and backward by hand") {
  SECTION("square([-2, 3]) = [4, 9]; d/dx = 2x = [-4, 6]") {
    Variable x = values({-2, 3}, {2});
    Variable y = square(x);
    CHECK(y.data().to_vector() == Values{4, 9});
    backward_ones(y);
    CHECK(x.grad().to_vector() == Values{-4, 6});
  }
  SECTION("exp([0, 1]) = [1, e]; d/dx = exp(x)") {
    Variable x = values({0, 1}, {2});
    Variable y = exp(x);
    CHECK(y.data().to_vector() == Values{1, std::exp(1.0)});
    backward_ones(y);
    CHECK(x.grad().to_vector() == Values{1, std::exp(1.0)});
  }
  SECTION("log([1, e]) = [0, 1]; d/dx = 1/x = [1, 1/e]") {
    Variable x = values({1, std::exp(1.0)}, {2});
    Variable y = log(x);
    CHECK(y.data().at({0}) == 0.0);
    CHECK(y.data().at({1}) == Approx(1.0));
    backward_ones(y);
    CHECK(x.grad().at({0}) == 1.0);
    CHECK(x.grad().at({1}) == Approx(std::exp(-1.0)));
  }
  SECTION("sqrt([4, 9]) = [2, 3]; d/dx = 1/(2 sqrt x) = [1/4, 1/6]") {
    Variable x = values({4, 9}, {2});
    Variable y = sqrt(x);
    CHECK(y.data().to_vector() == Values{2, 3});
    backward_ones(y);
    CHECK(x.grad().at({0}) == 0.25);
    CHECK(x.grad().at({1}) == Approx(1.0 / 6.0));
  }
  SECTION("float32 stays float32") {
    Variable x(Tensor::from_vector({1, 4}, {2}, DType::Float32), true);
    Variable y = sqrt(exp(log(square(x))));  // = |x|
    CHECK(y.dtype() == DType::Float32);
    CHECK(y.data().at({1}) == Approx(4.0));
    backward_ones(y);
    CHECK(x.grad().dtype() == DType::Float32);
    CHECK(x.grad().at({1}) == Approx(1.0));
  }
}

TEST_CASE("pointwise gradcheck over shapes") {
  const Shape shape = GENERATE(Shape{}, Shape{5}, Shape{2, 3}, Shape{2, 1, 3, 4});
  CAPTURE(shape);
  // log, sqrt and fractional powers need positive inputs: x in [0.5, 2].
  Variable positive = random_var(shape, 7, 0.5, 2.0), any = random_var(shape, 8, -2.0, 2.0);
  SECTION("pow, integer exponents, any sign") {
    const double p = GENERATE(1.0, 2.0, 3.0, -1.0);
    CAPTURE(p);
    Variable x = p < 0 ? positive : any;
    auto r = gradcheck([p](const std::vector<Variable>& in) { return pow(in[0], p); }, {x});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("pow, fractional exponents") {
    const double p = GENERATE(0.5, -1.5, 2.7);
    CAPTURE(p);
    auto r = gradcheck([p](const std::vector<Variable>& in) { return pow(in[0], p); }, {positive});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("square") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return square(in[0]); }, {any});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("exp") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return exp(in[0]); }, {any});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("log") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return log(in[0]); }, {positive});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("sqrt") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return sqrt(in[0]); }, {positive});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("a composition: sqrt(exp(x) + x^2) * log(x)") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return sqrt(exp(in[0]) + square(in[0])) * log(in[0]); },
                       {positive});
    INFO(r.report());
    REQUIRE(r.passed);
  }
}

TEST_CASE("pointwise ops reject an undefined variable") {
  REQUIRE_THROWS_WITH(exp(Variable()), "Variable: expected a defined variable, but got an undefined one");
  REQUIRE_THROWS_WITH(pow(Variable(), 2.0), "Variable: expected a defined variable, but got an undefined one");
}
