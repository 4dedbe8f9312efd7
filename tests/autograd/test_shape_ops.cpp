// reshape, flatten, cat, select, slice (autograd/ops/reshape.cpp, cat.cpp, select.cpp).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "autograd/autograd.h"
#include "support/golden_case.h"
#include "support/variables.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {
Variable arange_var(const Shape& shape) {
  return Variable(Tensor::arange(shape_numel(shape), DType::Float64).reshape(shape), true);
}
}  // namespace

// ---- reshape and flatten ----

TEST_CASE("reshape is a view with the gradient reshaped back") {
  Variable x = arange_var({2, 3});
  Variable y = reshape(x, {3, -1});  // -1 is inferred: 6 / 3 = 2
  CHECK(y.shape() == Shape{3, 2});
  CHECK(y.data().shares_storage_with(x.data()));
  CHECK(y.data().to_vector() == Values{0, 1, 2, 3, 4, 5});
  y.backward(Tensor::from_vector({1, 2, 3, 4, 5, 6}, {3, 2}, DType::Float64));
  CHECK(x.grad().shape() == Shape{2, 3});
  CHECK(x.grad().to_vector() == Values{1, 2, 3, 4, 5, 6});
}

TEST_CASE("flatten merges dims start_dim..end_dim") {
  Variable x = arange_var({2, 3, 4, 5});
  CHECK(flatten(x).shape() == Shape{2, 60});  // PyTorch's nn.Flatten default: start_dim 1
  CHECK(flatten(x, 0).shape() == Shape{120});
  CHECK(flatten(x, 1, 2).shape() == Shape{2, 12, 5});
  CHECK(flatten(x, -2, -1).shape() == Shape{2, 3, 20});
  CHECK(flatten(x, 2, 2).shape() == Shape{2, 3, 4, 5});
  CHECK(flatten(Variable(Tensor::scalar(3.0, DType::Float64)), 0).shape() == Shape{1});
  CHECK(flatten(x).data().shares_storage_with(x.data()));
}

TEST_CASE("reshape and flatten gradcheck") {
  Variable x = random_var({2, 3, 4}, 41);
  auto r = gradcheck([](const std::vector<Variable>& in) { return reshape(in[0], {4, -1}) * 2.0; }, {x});
  INFO(r.report());
  REQUIRE(r.passed);
  auto f = gradcheck([](const std::vector<Variable>& in) { return flatten(in[0], 0, 1); }, {x});
  INFO(f.report());
  REQUIRE(f.passed);
}

TEST_CASE("reshape and flatten errors") {
  Variable x = arange_var({2, 3});
  REQUIRE_THROWS_WITH(reshape(x, {4, 2}), "reshape: cannot reshape [2, 3] (6 elements) into [4, 2]");
  REQUIRE_THROWS_WITH(flatten(arange_var({2, 3, 4}), 2, 1),
                      "flatten: expected start_dim <= end_dim, but got start_dim 2 and end_dim 1 for shape [2, 3, 4]");
  REQUIRE_THROWS_WITH(flatten(arange_var({5})), "flatten: expected a dimension in [-1, 0], but got 1");
}

// ---- cat ----

TEST_CASE("cat forward and backward by hand") {
  // a = [[0, 1], [2, 3]], b = [[0, 1, 2], [3, 4, 5]]
  Variable a = arange_var({2, 2}), b = arange_var({2, 3});
  SECTION("dim 1: rows side by side [[0, 1, 0, 1, 2], [2, 3, 3, 4, 5]]; g splits by columns") {
    Variable y = cat({a, b}, 1);
    CHECK(y.shape() == Shape{2, 5});
    CHECK(y.data().to_vector() == Values{0, 1, 0, 1, 2, 2, 3, 3, 4, 5});
    y.backward(Tensor::arange(10, DType::Float64).reshape({2, 5}));  // g = [[0..4], [5..9]]
    CHECK(a.grad().to_vector() == Values{0, 1, 5, 6});
    CHECK(b.grad().to_vector() == Values{2, 3, 4, 7, 8, 9});
  }
  SECTION("dim -1 is dim 1") {
    CHECK(cat({a, b}, -1).data().to_vector() == cat({a, b}, 1).data().to_vector());
  }
  SECTION("dim 0: b's rows under a's, with three inputs") {
    Variable c = arange_var({1, 2});
    Variable y = cat({a, c, a}, 0);  // [[0, 1], [2, 3], [0, 1], [0, 1], [2, 3]]
    CHECK(y.data().to_vector() == Values{0, 1, 2, 3, 0, 1, 0, 1, 2, 3});
    y.backward(Tensor::ones({5, 2}, DType::Float64));
    CHECK(a.grad().to_vector() == Values{2, 2, 2, 2});  // used twice: gradients add
    CHECK(c.grad().to_vector() == Values{1, 1});
  }
  SECTION("an input that needs no gradient gets none") {
    Variable frozen(Tensor::ones({2, 3}, DType::Float64));
    cat({a, frozen}, 1).backward(Tensor::ones({2, 5}, DType::Float64));
    CHECK(a.grad().to_vector() == Values{1, 1, 1, 1});
    CHECK_FALSE(frozen.grad().defined());
  }
}

TEST_CASE("cat matches PyTorch (golden U-Net skip concatenation)") {
  const std::string name = GENERATE(std::string("cat_dim1_3_5"), std::string("cat_dim1_cw_8_8"));
  CAPTURE(name);
  GoldenCase golden(name);
  REQUIRE(golden.config().at("order") == nlohmann::json({"a", "b"}));
  Variable a(golden.input("a"), true), b(golden.input("b"), true);
  Variable y = cat({a, b}, golden.config().at("dim").get<int64_t>());
  y.backward(golden.grad_output());
  CHECK(max_rel_error(y.data(), golden.output("output"), kExactZeros) <= 1e-10);
  CHECK(max_rel_error(a.grad(), golden.grad("a"), kExactZeros) <= 1e-10);
  CHECK(max_rel_error(b.grad(), golden.grad("b"), kExactZeros) <= 1e-10);
}

TEST_CASE("cat gradcheck over dims") {
  auto [shape_a, shape_b, dim] = GENERATE(table<Shape, Shape, int64_t>({
      {{4}, {3}, 0},
      {{2, 3}, {4, 3}, 0},
      {{2, 3}, {2, 1}, 1},
      {{2, 3, 4, 5}, {2, 2, 4, 5}, 1},  // the U-Net case: channels
      {{2, 3, 4, 5}, {2, 3, 4, 2}, -1},
      {{2, 3, 4, 5}, {2, 3, 1, 5}, -2},
      {{1, 2, 3}, {3, 2, 3}, -3},
  }));
  CAPTURE(shape_a, shape_b, dim);
  Variable a = random_var(shape_a, 51), b = random_var(shape_b, 52);
  auto r = gradcheck([dim = dim](const std::vector<Variable>& in) { return cat({in[0], in[1], in[0]}, dim); },
                     {a, b});
  INFO(r.report());
  REQUIRE(r.passed);
}

TEST_CASE("cat errors name the shapes") {
  Variable a = arange_var({2, 3, 4, 5}), b = arange_var({2, 5, 3, 5});
  REQUIRE_THROWS_WITH(cat({a, b}, 1),
                      "cat: expected tensors whose sizes match except in dimension 1, but got shapes "
                      "[2, 3, 4, 5], [2, 5, 3, 5] (tensor 1 is [2, 5, 3, 5])");
  REQUIRE_THROWS_WITH(cat({a, arange_var({2, 3})}, 0),
                      Catch::StartsWith("cat: expected tensors whose sizes match except in dimension 0"));
  REQUIRE_THROWS_WITH(cat({a, Variable(Tensor::ones({2, 3, 4, 5}, DType::Float32))}, 1),
                      "cat: expected tensors of one dtype, but got float64 (tensor 0) and float32 (tensor 1)");
  REQUIRE_THROWS_WITH(cat({}, 0), "cat: expected at least one tensor, but got none");
  REQUIRE_THROWS_WITH(cat({a, a}, 4), "cat: expected a dimension in [-4, 3], but got 4");
}

// ---- select and slice ----

TEST_CASE("select forward and backward by hand") {
  // x = [[0, 1, 2], [3, 4, 5]]
  Variable x = arange_var({2, 3});
  SECTION("select(x, 1, 2) = column 2 = [2, 5]; g lands in that column") {
    Variable y = select(x, 1, 2);
    CHECK(y.shape() == Shape{2});
    CHECK(y.data().to_vector() == Values{2, 5});
    y.backward(Tensor::from_vector({7, 8}, {2}, DType::Float64));
    CHECK(x.grad().to_vector() == Values{0, 0, 7, 0, 0, 8});
  }
  SECTION("negative dim and index: select(x, -2, -1) = row 1 = [3, 4, 5]") {
    Variable y = select(x, -2, -1);
    CHECK(y.data().to_vector() == Values{3, 4, 5});
    y.backward(Tensor::ones({3}, DType::Float64));
    CHECK(x.grad().to_vector() == Values{0, 0, 0, 1, 1, 1});
  }
  SECTION("selecting from a 1-d tensor gives a scalar") {
    Variable y = select(select(x, 0, 1), 0, 1);
    CHECK(y.shape() == Shape{});
    CHECK(y.item() == 4);
  }
}

TEST_CASE("slice forward and backward by hand, with Python-style bounds") {
  // x = [0, 1, 2, 3, 4, 5, 6]
  Variable x = arange_var({7});
  CHECK(slice(x, 0, 1, 6, 2).data().to_vector() == Values{1, 3, 5});  // x[1:6:2]
  CHECK(slice(x, 0, -3, 100).data().to_vector() == Values{4, 5, 6});  // x[-3:100]: end clamps to 7
  CHECK(slice(x, 0, -100, 2).data().to_vector() == Values{0, 1});     // start clamps to 0
  CHECK(slice(x, 0, 0, -1, 3).data().to_vector() == Values{0, 3});    // x[0:-1:3] = x[0:6:3]
  CHECK(slice(x, 0, 5, 2).shape() == Shape{0});                       // empty, not an error
  CHECK(slice(x, 0, 9, 12).shape() == Shape{0});

  // On x = [[0, 1, 2, 3], [4, 5, 6, 7]]: x[:, 1::2] = [[1, 3], [5, 7]]; g scatters back.
  Variable m = arange_var({2, 4});
  Variable y = slice(m, -1, 1, 4, 2);
  CHECK(y.data().to_vector() == Values{1, 3, 5, 7});
  y.backward(Tensor::from_vector({1, 2, 3, 4}, {2, 2}, DType::Float64));
  CHECK(m.grad().to_vector() == Values{0, 1, 0, 2, 0, 3, 0, 4});
}

TEST_CASE("select and slice gradcheck") {
  Variable x = random_var({3, 4, 5}, 61);
  auto [dim, index] = GENERATE(table<int64_t, int64_t>({{0, 0}, {0, -1}, {1, 2}, {-1, 4}, {-2, -3}}));
  CAPTURE(dim, index);
  auto r = gradcheck([dim = dim, index = index](const std::vector<Variable>& in) { return select(in[0], dim, index); },
                     {x});
  INFO(r.report());
  REQUIRE(r.passed);
  auto [start, end, step] = GENERATE(table<int64_t, int64_t, int64_t>({{0, 100, 1}, {1, -1, 2}, {-4, 5, 3}, {2, 3, 1}}));
  CAPTURE(start, end, step);
  auto s = gradcheck([dim = dim, start = start, end = end, step = step](const std::vector<Variable>& in) {
    return slice(in[0], dim, start, end, step);
  }, {x});
  INFO(s.report());
  REQUIRE(s.passed);
}

TEST_CASE("select and slice errors") {
  Variable x = arange_var({2, 3});
  REQUIRE_THROWS_WITH(select(x, 1, 3), "select: expected an index in [-3, 2] for dimension 1 of shape [2, 3], but got 3");
  REQUIRE_THROWS_WITH(select(x, 0, -3), "select: expected an index in [-2, 1] for dimension 0 of shape [2, 3], but got -3");
  REQUIRE_THROWS_WITH(select(x, 2, 0), "select: expected a dimension in [-2, 1], but got 2");
  REQUIRE_THROWS_WITH(select(Variable(Tensor::scalar(1.0, DType::Float64)), 0, 0),
                      "select: expected a tensor of at least one dimension, but got shape []");
  REQUIRE_THROWS_WITH(slice(x, 1, 0, 2, 0), "slice: expected a positive step, but got 0");
  REQUIRE_THROWS_WITH(slice(x, -3, 0, 2), "slice: expected a dimension in [-2, 1], but got -3");
}

// ---- pad2d ----

TEST_CASE("pad2d: each mode's values on a 2x3 plane, as PyTorch's F.pad") {
  const Variable x = arange_var({1, 1, 2, 3});  // [[0, 1, 2], [3, 4, 5]]
  const Pad2d pad{2, 1, 1, 0};                  // left 2, right 1, top 1, bottom 0
  // torch.nn.functional.pad(torch.arange(6.).reshape(1, 1, 2, 3), (2, 1, 1, 0), mode)
  CHECK(pad2d(x, pad, PadMode::Constant).data().to_vector() ==
        std::vector<double>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0, 0, 0, 3, 4, 5, 0});
  CHECK(pad2d(x, pad, PadMode::Reflect).data().to_vector() ==
        std::vector<double>{5, 4, 3, 4, 5, 4, 2, 1, 0, 1, 2, 1, 5, 4, 3, 4, 5, 4});
  CHECK(pad2d(x, pad, PadMode::Replicate).data().to_vector() ==
        std::vector<double>{0, 0, 0, 1, 2, 2, 0, 0, 0, 1, 2, 2, 3, 3, 3, 4, 5, 5});
  CHECK(pad2d(x, pad, PadMode::Circular).data().to_vector() ==
        std::vector<double>{4, 5, 3, 4, 5, 3, 1, 2, 0, 1, 2, 0, 4, 5, 3, 4, 5, 3});
  CHECK(pad2d(x, pad, PadMode::Reflect).shape() == Shape{1, 1, 3, 6});
}

TEST_CASE("pad2d: backward adds every output's gradient to the input it copies") {
  Variable x = arange_var({1, 1, 2, 3});
  sum(pad2d(x, Pad2d{2, 1, 1, 0}, PadMode::Replicate)).backward();
  // Replicate: x[0][0] is copied 3 (columns) x 2 (rows) times, x[1][2] 2 x 1, ...
  CHECK(x.grad().to_vector() == std::vector<double>{6, 2, 4, 3, 1, 2});
}

TEST_CASE("pad2d: paddings the mode cannot make are errors naming them") {
  const Variable x = arange_var({1, 1, 2, 3});
  CHECK_THROWS_WITH(pad2d(x, Pad2d{3, 0, 0, 0}, PadMode::Reflect),
                    "pad2d: expected reflect paddings < the input's size, but got (left 3, right 0, top 0, bottom 0) "
                    "for an input of 2×3");
  CHECK_NOTHROW(pad2d(x, Pad2d{3, 3, 2, 2}, PadMode::Circular));
  CHECK_THROWS_WITH(pad2d(x, Pad2d{0, 0, 3, 0}, PadMode::Circular), Catch::Contains("expected circular paddings <="));
  CHECK_THROWS_WITH(pad2d(x, Pad2d{-1, 0, 0, 0}, PadMode::Constant), Catch::StartsWith("pad2d: expected paddings >= 0"));
  CHECK_THROWS_WITH(pad_mode_from_name("mirror"), Catch::Contains("but got 'mirror'"));
}
