// max_pool2d and max_pool2d_with_indices (autograd/ops/max_pool2d.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "autograd/autograd.h"
#include "support/golden_case.h"
#include "support/variables.h"
#include "tensor/conv_kernels.h"
#include "tensor/elementwise.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {
using Indices = std::vector<int64_t>;

MaxPool2dOptions pool(Pair kernel, Pair stride = {0, 0}, Pair padding = {0, 0}, Pair dilation = {1, 1},
                      bool ceil_mode = false) {
  return MaxPool2dOptions{kernel, stride, padding, dilation, ceil_mode};
}
}  // namespace

TEST_CASE("max_pool2d forward and backward by hand") {
  SECTION("k2 s2 on 1..16: the bottom-right of each 2x2 block") {
    // x = [[1, 2, 3, 4], [5, 6, 7, 8], [9, 10, 11, 12], [13, 14, 15, 16]]
    // windows {1,2,5,6} -> 6 at (1,1) = index 5, {3,4,7,8} -> 8 at 7, {9,10,13,14} -> 14 at 13, 16 at 15
    Variable x = values({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, {1, 1, 4, 4});
    MaxPool2dResult r = max_pool2d_with_indices(x, pool({2, 2}));
    CHECK(r.output.data().to_vector() == Values{6, 8, 14, 16});
    CHECK(r.indices == Indices{5, 7, 13, 15});
    r.output.backward(Tensor::from_vector({1, 2, 3, 4}, {1, 1, 2, 2}, DType::Float64));
    CHECK(x.grad().to_vector() == Values{0, 0, 0, 0, 0, 1, 0, 2, 0, 0, 0, 0, 0, 3, 0, 4});
  }
  SECTION("overlapping windows accumulate the gradient") {
    // x = [[1, 2, 3], [4, 9, 5], [6, 7, 8]], k2 s1: all four windows hold the 9 (index 4),
    // so dL/dx[4] = 1 + 1 + 1 + 1 = 4 with dL/dy = 1.
    Variable x = values({1, 2, 3, 4, 9, 5, 6, 7, 8}, {1, 1, 3, 3});
    Variable y = max_pool2d(x, pool({2, 2}, {1, 1}));
    CHECK(y.data().to_vector() == Values{9, 9, 9, 9});
    y.backward(Tensor::ones(y.shape(), DType::Float64));
    CHECK(x.grad().to_vector() == Values{0, 0, 0, 0, 4, 0, 0, 0, 0});
  }
  SECTION("padding acts as -inf") {
    // x = -[1..9] (3x3), k3 s2 p1: H_out = floor((3 + 2 - 2 - 1) / 2) + 1 = 2. The window at
    // (0, 0) covers rows/cols -1..1: the padding never wins, the max is x[0][0] = -1.
    Variable x = values({-1, -2, -3, -4, -5, -6, -7, -8, -9}, {1, 1, 3, 3});
    MaxPool2dResult r = max_pool2d_with_indices(x, pool({3, 3}, {2, 2}, {1, 1}));
    CHECK(r.output.data().to_vector() == Values{-1, -2, -4, -5});
    CHECK(r.indices == Indices{0, 1, 3, 4});
  }
  SECTION("dilation 2 skips every other pixel") {
    // k2 d2 on 3x3: the one window reads the four corners {1, 3, 7, 9}, not the centre 100.
    Variable x = values({1, 2, 3, 4, 100, 6, 7, 8, 9}, {1, 1, 3, 3});
    MaxPool2dResult r = max_pool2d_with_indices(x, pool({2, 2}, {1, 1}, {0, 0}, {2, 2}));
    CHECK(r.output.data().to_vector() == Values{9});
    CHECK(r.indices == Indices{8});
  }
}

TEST_CASE("max_pool2d ties, NaN and -inf") {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  SECTION("the first maximum in row-major window order wins") {
    // window [[1, 3], [3, 2]]: 3 at index 1 and at index 2 -> index 1
    CHECK(max_pool2d_with_indices(values({1, 3, 3, 2}, {1, 1, 2, 2}), pool({2, 2})).indices == Indices{1});
    // a constant window -> its first element
    CHECK(max_pool2d_with_indices(values({7, 7, 7, 7}, {1, 1, 2, 2}), pool({2, 2})).indices == Indices{0});
  }
  SECTION("NaN counts as the maximum") {
    MaxPool2dResult r = max_pool2d_with_indices(values({1, nan, 5, 2}, {1, 1, 2, 2}), pool({2, 2}));
    CHECK(std::isnan(r.output.item()));
    CHECK(r.indices == Indices{1});
  }
  SECTION("an all -inf window still picks its first element") {
    MaxPool2dResult r = max_pool2d_with_indices(values({-inf, -inf, -inf, -inf}, {1, 1, 2, 2}), pool({2, 2}));
    CHECK(r.output.item() == -inf);
    CHECK(r.indices == Indices{0});
  }
}

TEST_CASE("max_pool2d ceil_mode keeps a last partial window only if it starts inside") {
  // x [1, 1, 2, 5] = [[1..5], [6..10]], k2 s2: floor gives 2 windows, ceil adds the partial one at column 4.
  Variable x = values({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {1, 1, 2, 5});
  CHECK(max_pool2d(x, pool({2, 2})).data().to_vector() == Values{7, 9});
  CHECK(max_pool2d(x, pool({2, 2}, {0, 0}, {0, 0}, {1, 1}, true)).data().to_vector() == Values{7, 9, 10});
  // W = 5, k3 s3 p1: the rounded-up count is 3, but the third window would start at column 5,
  // in the right padding, so it is dropped (PyTorch's rule): 2 outputs.
  CHECK(pool_output_size(5, 3, 3, 1, 1, false) == 2);
  CHECK(pool_output_size(5, 3, 3, 1, 1, true) == 2);
  CHECK(pool_output_size(6, 3, 3, 1, 1, true) == 3);
}

TEST_CASE("max_pool2d matches PyTorch golden cases (output, indices, gradient)") {
  const std::string name = GENERATE(as<std::string>{}, "maxpool_k2_s1", "maxpool_k2_s2_ceil", "maxpool_k2_s2_cw",
                                    "maxpool_k2_s2_odd", "maxpool_k2_s2_ties_const", "maxpool_k2_s2_ties_int",
                                    "maxpool_k3_s1_overlap", "maxpool_k3_s1_ties_const", "maxpool_k3_s1_ties_int",
                                    "maxpool_k3_s2_odd", "maxpool_k3_s2_p1", "maxpool_k3_s3");
  CAPTURE(name);
  const GoldenCase golden(name);
  Variable x(golden.input("input"), true);
  MaxPool2dOptions options;
  options.kernel_size = golden.config_pair("kernel_size", 0);
  options.stride = golden.config_pair("stride", 0);
  options.padding = golden.config_pair("padding", 0);
  options.dilation = golden.config_pair("dilation", 1);
  options.ceil_mode = golden.config().value("ceil_mode", false);

  MaxPool2dResult r = max_pool2d_with_indices(x, options);
  CHECK(max_rel_error(r.output.data(), golden.output("output")) < 1e-10);
  const Values want_indices = golden.output("indices").to_vector();
  CHECK(Values(r.indices.begin(), r.indices.end()) == want_indices);
  r.output.backward(golden.grad_output());
  CHECK(max_rel_error(x.grad(), golden.grad("input")) < 1e-10);
}

TEST_CASE("max_pool2d gradcheck over kernels, strides, paddings, dilations and ceil_mode") {
  const int64_t kernel = GENERATE(2, 3);
  const int64_t stride = GENERATE(1, 2, 3);
  const int64_t padding = GENERATE_COPY(range<int64_t>(0, kernel / 2 + 1));
  const int64_t dilation = GENERATE(1, 2);
  const bool ceil_mode = GENERATE(false, true);
  CAPTURE(kernel, stride, padding, dilation, ceil_mode);
  Variable x = random_var({2, 2, 7, 8}, 1);  // distinct values: no ties
  const auto options = pool({kernel, kernel}, {stride, stride}, {padding, padding}, {dilation, dilation}, ceil_mode);
  auto r = gradcheck([&](const std::vector<Variable>& in) { return max_pool2d(in[0], options); }, {x});
  INFO(r.report());
  REQUIRE(r.passed);
  CHECK(r.kinks == 0);
}

TEST_CASE("max_pool2d gradcheck with rectangular windows") {
  using Row = std::tuple<Pair, Pair, Pair, Pair>;  // kernel, stride, padding, dilation
  const auto [kernel, stride, padding, dilation] = GENERATE(table<Pair, Pair, Pair, Pair>({
      Row{{2, 3}, {1, 2}, {1, 1}, {1, 1}},
      Row{{3, 1}, {2, 1}, {0, 0}, {2, 1}},
      Row{{1, 4}, {1, 3}, {0, 2}, {1, 2}},
  }));
  CAPTURE(kernel, stride, padding, dilation);
  Variable x = random_var({1, 3, 9, 11}, 2);
  const auto options = pool(kernel, stride, padding, dilation);
  auto r = gradcheck([&](const std::vector<Variable>& in) { return max_pool2d(in[0], options); }, {x});
  INFO(r.report());
  REQUIRE(r.passed);
}

TEST_CASE("max_pool2d gradcheck reports tied maxima as kinks") {
  // Window [[1, 1], [-1, 0.5]]: x[0] - eps or x[1] + eps moves the argmax, so those two
  // elements are at a kink (reported, not compared); x[2] and x[3] are checked (gradient 0).
  Variable x = values({1, 1, -1, 0.5}, {1, 1, 2, 2});
  // NOTE: GCC 12.2 with -O3 -march=native (AVX-512) miscompiled the literal {1, 1, 0, 0} here
  // into {1, 1, 1, 1}; this guard keeps such a compiler bug from posing as an op bug.
  REQUIRE(x.data().to_vector() == Values{1, 1, -1, 0.5});
  auto r = gradcheck([](const std::vector<Variable>& in) { return max_pool2d(in[0], pool({2, 2})); }, {x});
  INFO(r.report());
  CHECK(r.passed);
  CHECK(r.kinks == 2);
  CHECK(r.checked == 2);
}

TEST_CASE("max_pool2d error messages") {
  auto var = [](const Shape& s) { return Variable(Tensor::zeros(s, DType::Float64)); };
  SECTION("padding more than half the kernel") {
    REQUIRE_THROWS_WITH(max_pool2d(var({1, 1, 8, 8}), pool({3, 3}, {1, 1}, {2, 1})),
                        "max_pool2d: expected padding at most half the kernel size, but got padding (2, 1) with "
                        "kernel_size (3, 3)");
  }
  SECTION("kernel larger than the padded input") {
    REQUIRE_THROWS_WITH(max_pool2d(var({2, 3, 2, 2}), pool({3, 3})),
                        "max_pool2d: expected a kernel no larger than the padded input, but got input [2, 3, 2, 2] "
                        "with padding (0, 0) and kernel_size (3, 3) dilated by (1, 1) (output 0x0)");
  }
  SECTION("non-positive kernel or stride") {
    REQUIRE_THROWS_WITH(max_pool2d(var({1, 1, 4, 4}), pool({0, 2})),
                        "max_pool2d: expected a positive kernel_size, but got (0, 2)");
    REQUIRE_THROWS_WITH(max_pool2d(var({1, 1, 4, 4}), pool({2, 2}, {-1, 1})),
                        "max_pool2d: expected a positive stride, but got (-1, 1)");
  }
}

TEST_CASE("max_pool2d on a large batch matches a per-plane scan (the parallel kernel)") {
  // [32, 16, 10, 10] with k2 s2 runs the OpenMP loop; compare with a direct scan of each window.
  Variable x = random_var({32, 16, 10, 10}, 3);
  MaxPool2dResult r = max_pool2d_with_indices(x, pool({2, 2}));
  const Values v = x.data().to_vector();
  Values want(r.indices.size());
  Indices want_indices(r.indices.size());
  for (int64_t plane = 0; plane < 32 * 16; ++plane)
    for (int64_t i = 0; i < 5; ++i)
      for (int64_t j = 0; j < 5; ++j) {
        int64_t best = 2 * i * 10 + 2 * j;
        for (int64_t p : {2 * i * 10 + 2 * j + 1, (2 * i + 1) * 10 + 2 * j, (2 * i + 1) * 10 + 2 * j + 1})
          if (v[plane * 100 + p] > v[plane * 100 + best]) best = p;
        want[plane * 25 + i * 5 + j] = v[plane * 100 + best];
        want_indices[plane * 25 + i * 5 + j] = best;
      }
  CHECK(r.output.data().to_vector() == want);
  CHECK(r.indices == want_indices);
  // Non-overlapping windows: the gradient is g at each argmax and 0 elsewhere.
  const Tensor g = random_var(r.output.shape(), 4).data();
  r.output.backward(g);
  const Values gv = g.to_vector(), grad = x.grad().to_vector();
  Values want_grad(grad.size(), 0.0);
  for (size_t o = 0; o < gv.size(); ++o) want_grad[(o / 25) * 100 + want_indices[o]] = gv[o];
  CHECK(grad == want_grad);
}

TEST_CASE("max_pool2d 2x2 stride 2 matches a window-by-window scan for every row width, with ties and NaN") {
  // The kernel takes 8 or 4 windows side by side, a short rest as one whole block running into
  // the plane's next row, and the last row's rest one by one: widths that end on each of these.
  const DType dtype = GENERATE(DType::Float32, DType::Float64);
  const int64_t W = GENERATE(2, 4, 8, 9, 10, 16, 18, 26, 34, 35);
  const int64_t H = GENERATE(2, 3, 6);
  CAPTURE(dtype_name(dtype), W, H);
  const int64_t N = 2, C = 3, H_out = H / 2, W_out = W / 2;
  Values v(static_cast<size_t>(N * C * H * W));
  for (size_t i = 0; i < v.size(); ++i) {
    v[i] = static_cast<double>((i * 2654435761u >> 11) % 3);  // 0, 1 or 2: many tied windows
    if (i % 37 == 11) v[i] = std::numeric_limits<double>::quiet_NaN();
  }
  const Variable x(Tensor::from_vector(v, {N, C, H, W}, dtype), true);
  const MaxPool2dResult r = max_pool2d_with_indices(x, pool({2, 2}));
  Values g(static_cast<size_t>(N * C * H_out * W_out)), want_grad(v.size(), 0.0);
  for (size_t o = 0; o < g.size(); ++o) g[o] = 1.0 + static_cast<double>(o);
  r.output.backward(Tensor::from_vector(g, r.output.shape(), dtype));
  const Values grad = x.grad().to_vector();
  const Values out = r.output.data().to_vector();
  REQUIRE(static_cast<int64_t>(out.size()) == N * C * H_out * W_out);
  for (int64_t plane = 0; plane < N * C; ++plane)
    for (int64_t i = 0; i < H_out; ++i)
      for (int64_t j = 0; j < W_out; ++j) {
        // scan a, b, c, d: a greater value or a NaN takes over
        int64_t best = 2 * i * W + 2 * j;
        for (int64_t p : {best + 1, best + W, best + W + 1}) {
          const double candidate = v[plane * H * W + p], current = v[plane * H * W + best];
          if (candidate > current || std::isnan(candidate)) best = p;
        }
        const int64_t o = (plane * H_out + i) * W_out + j;
        CAPTURE(plane, i, j);
        CHECK(r.indices[o] == best);
        const double want = v[plane * H * W + best];
        CHECK((std::isnan(want) ? std::isnan(out[o]) : out[o] == want));
        want_grad[plane * H * W + best] = g[o];
      }
  // Backward: dL/dy at each argmax, 0 elsewhere (the odd last row and column too).
  CHECK(grad == want_grad);
}
