// add, sub, mul, div, neg (autograd/ops/arithmetic.cpp): hand-computed forwards and
// gradients, broadcasting gradchecks, and the broadcast error.
#include <catch2/catch.hpp>

#include "autograd/autograd.h"
#include "support/variables.h"
#include "tensor/elementwise.h"

using namespace convgrad;
using namespace convgrad::testing;

TEST_CASE("arithmetic forward and backward by hand, with a broadcast row") {
  // a = [[1, 2], [3, 4]], b = [10, 20] broadcast over rows; upstream gradient = ones.
  Variable a = values({1, 2, 3, 4}, {2, 2}), b = values({10, 20}, {2});
  SECTION("add: [[11, 22], [13, 24]]; da = 1, db = column sums of g = [2, 2]") {
    Variable y = a + b;
    CHECK(y.data().to_vector() == Values{11, 22, 13, 24});
    y.backward(Tensor::ones({2, 2}, DType::Float64));
    CHECK(a.grad().to_vector() == Values{1, 1, 1, 1});
    CHECK(b.grad().to_vector() == Values{2, 2});
  }
  SECTION("sub: [[-9, -18], [-7, -16]]; da = 1, db = -[2, 2]") {
    Variable y = a - b;
    CHECK(y.data().to_vector() == Values{-9, -18, -7, -16});
    y.backward(Tensor::ones({2, 2}, DType::Float64));
    CHECK(a.grad().to_vector() == Values{1, 1, 1, 1});
    CHECK(b.grad().to_vector() == Values{-2, -2});
  }
  SECTION("mul: [[10, 40], [30, 80]]; da = b = [[10, 20], [10, 20]], db = [1+3, 2+4] = [4, 6]") {
    Variable y = a * b;
    CHECK(y.data().to_vector() == Values{10, 40, 30, 80});
    y.backward(Tensor::ones({2, 2}, DType::Float64));
    CHECK(a.grad().to_vector() == Values{10, 20, 10, 20});
    CHECK(b.grad().to_vector() == Values{4, 6});
  }
  SECTION("div: [[0.1, 0.1], [0.3, 0.2]]; da = 1/b, db = -(a / b^2) summed over rows") {
    Variable y = a / b;
    CHECK(y.data().to_vector() == Values{0.1, 0.1, 0.3, 0.2});
    y.backward(Tensor::ones({2, 2}, DType::Float64));
    CHECK(a.grad().to_vector() == Values{0.1, 0.05, 0.1, 0.05});
    // db0 = -(1 + 3) / 100 = -0.04, db1 = -(2 + 4) / 400 = -0.015
    CHECK(b.grad().at({0}) == Approx(-0.04));
    CHECK(b.grad().at({1}) == Approx(-0.015));
  }
  SECTION("neg: -a; da = -1") {
    Variable y = -a;
    CHECK(y.data().to_vector() == Values{-1, -2, -3, -4});
    y.backward(Tensor::ones({2, 2}, DType::Float64));
    CHECK(a.grad().to_vector() == Values{-1, -1, -1, -1});
  }
}

TEST_CASE("arithmetic with scalars: 3 * x - 1 and x / 2") {
  Variable x = values({1, 2}, {2});
  Variable y = sum(3.0 * x - 1.0) + sum(x / 2.0);  // (2 + 5) + (0.5 + 1) = 8.5; dy/dx = 3.5
  CHECK(y.item() == 8.5);
  y.backward();
  CHECK(x.grad().to_vector() == Values{3.5, 3.5});
}

TEST_CASE("arithmetic gradcheck over broadcasting shapes") {
  auto [shape_a, shape_b] = GENERATE(table<Shape, Shape>({
      {{3, 4}, {3, 4}},
      {{3, 4}, {4}},
      {{4}, {3, 4}},
      {{2, 1, 4}, {3, 1}},
      {{2, 3, 1, 5}, {1, 3, 4, 1}},
      {{}, {2, 3}},
      {{2, 3}, {}},
      {{1}, {5}},
  }));
  CAPTURE(shape_a, shape_b);
  Variable a = random_var(shape_a, 11), b = random_var(shape_b, 12);
  // b stays away from zero for div: |b| in [0.5, 1.5].
  Variable b_nonzero = Variable(map_unary(b.data(), [](auto v) { return v < 0 ? v - 0.5 : v + 0.5; }), true);
  SECTION("add") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return in[0] + in[1]; }, {a, b});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("sub") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return in[0] - in[1]; }, {a, b});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("mul") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return in[0] * in[1]; }, {a, b});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("div") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return in[0] / in[1]; }, {a, b_nonzero});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("neg") {
    auto r = gradcheck([](const std::vector<Variable>& in) { return -in[0]; }, {a});
    INFO(r.report());
    REQUIRE(r.passed);
  }
}

TEST_CASE("mul and div give no gradient to an input that does not require one") {
  Variable a = values({1, 2}, {2});
  Variable c(Tensor::from_vector({4, 8}, {2}, DType::Float64), /*requires_grad=*/false);
  (a * c + a / c).backward(Tensor::ones({2}, DType::Float64));  // da = c + 1/c
  CHECK(a.grad().to_vector() == Values{4.25, 8.125});
  CHECK_FALSE(c.grad().defined());
}

TEST_CASE("arithmetic errors name both shapes") {
  Variable a = random_var({2, 3}, 1), b = random_var({4}, 2);
  REQUIRE_THROWS_WITH(a + b, "add: cannot broadcast shapes [2, 3] and [4] (size 3 vs 4 at dimension 1 of the result)");
  REQUIRE_THROWS_WITH(a * b, Catch::StartsWith("mul: cannot broadcast shapes [2, 3] and [4]"));
  Variable f32(Tensor::ones({2, 3}, DType::Float32));
  REQUIRE_THROWS_WITH(a - f32, "sub: expected tensors of one dtype, but got float64 and float32");
}
