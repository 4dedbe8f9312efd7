// sum and mean over all or chosen dims, with keepdim (autograd/ops/reduce.cpp).
#include <catch2/catch.hpp>

#include "autograd/autograd.h"
#include "support/variables.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {
using Dims = std::vector<int64_t>;
}  // namespace

TEST_CASE("sum and mean forward and backward by hand") {
  // x = [[1, 2, 3],
  //      [4, 5, 6]]
  Variable x(Tensor::from_vector({1, 2, 3, 4, 5, 6}, {2, 3}, DType::Float64), true);
  SECTION("sum over everything = 21; dL/dx = g = 2 everywhere") {
    Variable y = sum(x);
    CHECK(y.shape() == Shape{});
    CHECK(y.item() == 21);
    y.backward(Tensor::scalar(2.0, DType::Float64));
    CHECK(x.grad().to_vector() == Values(6, 2.0));
  }
  SECTION("sum over dim 0 = [5, 7, 9]; g = [1, 2, 3] is repeated down the rows") {
    Variable y = sum(x, {0});
    CHECK(y.shape() == Shape{3});
    CHECK(y.data().to_vector() == Values{5, 7, 9});
    y.backward(Tensor::from_vector({1, 2, 3}, {3}, DType::Float64));
    CHECK(x.grad().to_vector() == Values{1, 2, 3, 1, 2, 3});
  }
  SECTION("sum over dim -1 with keepdim = [[6], [15]]; g = [[1], [2]] is repeated along the row") {
    Variable y = sum(x, {-1}, /*keepdim=*/true);
    CHECK(y.shape() == Shape{2, 1});
    CHECK(y.data().to_vector() == Values{6, 15});
    y.backward(Tensor::from_vector({1, 2}, {2, 1}, DType::Float64));
    CHECK(x.grad().to_vector() == Values{1, 1, 1, 2, 2, 2});
  }
  SECTION("mean over everything = 21 / 6 = 3.5; dL/dx = g / 6") {
    Variable y = mean(x);
    CHECK(y.item() == 3.5);
    y.backward(Tensor::scalar(6.0, DType::Float64));
    CHECK(x.grad().to_vector() == Values(6, 1.0));
  }
  SECTION("mean over dim 1 = [2, 5]; g = [3, 6] gives [1, 1, 1, 2, 2, 2]") {
    Variable y = mean(x, {1});
    CHECK(y.data().to_vector() == Values{2, 5});
    y.backward(Tensor::from_vector({3, 6}, {2}, DType::Float64));
    CHECK(x.grad().to_vector() == Values{1, 1, 1, 2, 2, 2});
  }
  SECTION("mean over dims (0, 1) with keepdim = [[3.5]]") {
    Variable y = mean(x, {0, 1}, /*keepdim=*/true);
    CHECK(y.shape() == Shape{1, 1});
    CHECK(y.item() == 3.5);
  }
}

TEST_CASE("reduction gradcheck over shapes, dims and keepdim") {
  auto [shape, dims] = GENERATE(table<Shape, Dims>({
      {{5}, {}},
      {{5}, {0}},
      {{3, 4}, {}},
      {{3, 4}, {0}},
      {{3, 4}, {-1}},
      {{2, 3, 4}, {1}},
      {{2, 3, 4}, {0, 2}},
      {{2, 3, 4}, {-1, 0}},
      {{2, 3, 4, 5}, {1, 2, 3}},
      {{2, 1, 4, 3}, {-3}},
  }));
  const bool keepdim = GENERATE(false, true);
  CAPTURE(shape, dims, keepdim);
  Variable x = random_var(shape, 31);
  SECTION("sum") {
    auto r = gradcheck([dims = dims, keepdim](const std::vector<Variable>& in) { return sum(in[0], dims, keepdim); },
                       {x});
    INFO(r.report());
    REQUIRE(r.passed);
  }
  SECTION("mean") {
    auto r = gradcheck([dims = dims, keepdim](const std::vector<Variable>& in) { return mean(in[0], dims, keepdim); },
                       {x});
    INFO(r.report());
    REQUIRE(r.passed);
  }
}

TEST_CASE("reductions of float32 stay float32") {
  Variable x(Tensor::ones({2, 3}, DType::Float32), true);
  Variable y = mean(x, {0});
  CHECK(y.dtype() == DType::Float32);
  y.backward(Tensor::ones({3}, DType::Float32));
  CHECK(x.grad().dtype() == DType::Float32);
  CHECK(x.grad().to_vector() == Values(6, 0.5));
}

TEST_CASE("reduction errors name the dimension") {
  Variable x = random_var({2, 3, 4}, 1);
  REQUIRE_THROWS_WITH(sum(x, {3}), "sum: expected a dimension in [-3, 2], but got 3");
  REQUIRE_THROWS_WITH(mean(x, {-4}), "mean: expected a dimension in [-3, 2], but got -4");
  REQUIRE_THROWS_WITH(sum(x, {1, -2}), "sum: expected each dimension at most once, but got a repeated one");
}
