// conv2d (autograd/ops/conv2d.cpp) and its kernels im2col / col2im (tensor/conv_kernels.cpp),
// and strided layers as convolutions of phases (autograd/ops/conv_phases.h).
#include <catch2/catch.hpp>

#include "autograd/autograd.h"
#include "autograd/ops/conv_phases.h"
#include "support/golden_case.h"
#include "support/variables.h"
#include "tensor/conv_direct.h"
#include "tensor/conv_kernels.h"
#include "tensor/elementwise.h"

using namespace convgrad;
using namespace convgrad::testing;

TEST_CASE("conv2d forward and backward by hand") {
  // x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]], w = [[1, 2], [3, 4]], b = 10, stride 1, no padding:
  //   y[0][0] = 1*1 + 2*2 + 3*4 + 4*5 + 10 = 47      y[0][1] = 1*2 + 2*3 + 3*5 + 4*6 + 10 = 57
  //   y[1][0] = 1*4 + 2*5 + 3*7 + 4*8 + 10 = 77      y[1][1] = 1*5 + 2*6 + 3*8 + 4*9 + 10 = 87
  Variable x(Tensor::from_vector({1, 2, 3, 4, 5, 6, 7, 8, 9}, {1, 1, 3, 3}, DType::Float64), true);
  Variable w(Tensor::from_vector({1, 2, 3, 4}, {1, 1, 2, 2}, DType::Float64), true);
  Variable b(Tensor::from_vector({10}, {1}, DType::Float64), true);
  Variable y = conv2d(x, w, b);
  CHECK(y.shape() == Shape{1, 1, 2, 2});
  CHECK(y.data().to_vector() == Values{47, 57, 77, 87});

  // With dL/dy = 1 everywhere:
  //   dL/dw[kh][kw] = sum of the 2x2 block of x at offset (kh, kw): [[1+2+4+5, 2+3+5+6], [4+5+7+8, 5+6+8+9]]
  //   dL/db = 4 (output pixels)
  //   dL/dx[i][j] = sum of the weights that touch pixel (i, j): corners get one weight, the centre all four
  y.backward(Tensor::ones(y.shape(), DType::Float64));
  CHECK(w.grad().to_vector() == Values{12, 16, 24, 28});
  CHECK(b.grad().to_vector() == Values{4});
  CHECK(x.grad().to_vector() == Values{1, 3, 2, 4, 10, 6, 3, 7, 4});
}

TEST_CASE("conv2d with stride 2 and padding 1 by hand") {
  // x = 2x2 ones, w = 3x3 ones, padding 1, stride 2: H_out = floor((2 + 2 - 2 - 1) / 2) + 1 = 1.
  // The single window is centred on x[0][0] and covers all four ones: y = 4.
  Variable x(Tensor::ones({1, 1, 2, 2}, DType::Float64), true);
  Variable w(Tensor::ones({1, 1, 3, 3}, DType::Float64), true);
  Conv2dOptions options;
  options.stride = {2, 2};
  options.padding = {1, 1};
  Variable y = conv2d(x, w, Variable(), options);
  CHECK(y.shape() == Shape{1, 1, 1, 1});
  CHECK(y.item() == 4.0);
  // dL/dw is the padded input under the window: zeros on the top row and left column.
  y.backward(Tensor::ones(y.shape(), DType::Float64));
  CHECK(w.grad().to_vector() == Values{0, 0, 0, 0, 1, 1, 0, 1, 1});
}

TEST_CASE("conv2d matches PyTorch golden cases (forward and every gradient)") {
  const std::string name = GENERATE(as<std::string>{}, "conv2d_cw_16to8_k3p1", "conv2d_cw_1to8_k3p1",
                                    "conv2d_cw_8to16_k3p1", "conv2d_cw_8to1_k1", "conv2d_cw_8to8_k3p1",
                                    "conv2d_k2x3_s2_p1x0_d2x1", "conv2d_k3_d2_p2", "conv2d_k3_p0", "conv2d_k3_s2_p1",
                                    "conv2d_nobias_k3", "conv2d_vae_k4_s2_p1", "conv2d_vae_k4_s2_p1_odd");
  CAPTURE(name);
  const GoldenCase golden(name);
  Variable x(golden.input("input"), true);
  Variable w(golden.param("weight"), true);
  const bool has_bias = golden.has_param("bias");
  Variable b = has_bias ? Variable(golden.param("bias"), true) : Variable();
  Conv2dOptions options;
  options.stride = golden.config_pair("stride", 1);
  options.padding = golden.config_pair("padding", 0);
  options.dilation = golden.config_pair("dilation", 1);

  Variable y = conv2d(x, w, b, options);
  CHECK(max_rel_error(y.data(), golden.output("output")) < 1e-10);
  y.backward(golden.grad_output());
  CHECK(max_rel_error(x.grad(), golden.grad("input")) < 1e-10);
  CHECK(max_rel_error(w.grad(), golden.grad("weight")) < 1e-10);
  if (has_bias) CHECK(max_rel_error(b.grad(), golden.grad("bias")) < 1e-10);
}

TEST_CASE("conv2d gradcheck over strides, paddings and dilations") {
  const int64_t stride = GENERATE(1, 2, 3);
  const int64_t padding = GENERATE(0, 1, 2);
  const int64_t dilation = GENERATE(1, 2);
  const bool with_bias = GENERATE(true, false);
  CAPTURE(stride, padding, dilation, with_bias);
  // Odd sizes and a rectangular kernel: x [2, 2, 7, 8], w [3, 2, 3, 2].
  Variable x = random_var({2, 2, 7, 8}, 1), w = random_var({3, 2, 3, 2}, 2), b = random_var({3}, 3);
  Conv2dOptions options;
  options.stride = {stride, stride};
  options.padding = {padding, padding};
  options.dilation = {dilation, dilation};
  auto fn = [&](const std::vector<Variable>& in) {
    return conv2d(in[0], in[1], with_bias ? in[2] : Variable(), options);
  };
  auto r = with_bias ? gradcheck(fn, {x, w, b}) : gradcheck(fn, {x, w});
  INFO(r.report());
  REQUIRE(r.passed);
}

TEST_CASE("conv2d gradcheck with different height and width options") {
  using Row = std::tuple<Pair, Pair, Pair, Pair, Pair>;  // stride, padding, dilation, kernel, input H x W
  const auto [stride, padding, dilation, kernel, size] = GENERATE(table<Pair, Pair, Pair, Pair, Pair>({
      Row{{1, 2}, {0, 1}, {1, 1}, {3, 3}, {5, 6}},
      Row{{2, 1}, {1, 0}, {2, 1}, {2, 3}, {8, 9}},
      Row{{3, 2}, {2, 1}, {1, 2}, {1, 4}, {7, 11}},
      Row{{1, 1}, {0, 0}, {1, 1}, {1, 1}, {3, 4}},
      Row{{2, 3}, {1, 2}, {2, 2}, {4, 2}, {6, 5}},
  }));
  CAPTURE(stride, padding, dilation, kernel, size);
  Variable x = random_var({2, 3, size[0], size[1]}, 4);
  Variable w = random_var({2, 3, kernel[0], kernel[1]}, 5), b = random_var({2}, 6);
  Conv2dOptions options{stride, padding, dilation};
  auto r = gradcheck([&](const std::vector<Variable>& in) { return conv2d(in[0], in[1], in[2], options); }, {x, w, b});
  INFO(r.report());
  REQUIRE(r.passed);
}

TEST_CASE("conv2d skips the gradients of inputs that do not require grad") {
  Variable x = random_constant({2, 2, 5, 5}, 7);
  Variable w = random_var({3, 2, 3, 3}, 8), b = random_constant({3}, 9);
  Variable y = conv2d(x, w, b);
  y.backward(Tensor::ones(y.shape(), DType::Float64));
  CHECK(w.grad().defined());
  CHECK_FALSE(x.grad().defined());
  CHECK_FALSE(b.grad().defined());
  // Nothing requires grad: a plain constant, no graph.
  CHECK_FALSE(conv2d(x, w.detach(), b).requires_grad());
}

TEST_CASE("conv2d's im2col + GEMM path equals the plain seven-deep loop") {
  using Row = std::tuple<Pair, Pair, Pair, Pair, Pair>;  // stride, padding, dilation, kernel, input H x W
  const auto [stride, padding, dilation, kernel, size] = GENERATE(table<Pair, Pair, Pair, Pair, Pair>({
      Row{{1, 1}, {1, 1}, {1, 1}, {3, 3}, {10, 10}},
      Row{{2, 2}, {1, 1}, {1, 1}, {4, 4}, {14, 14}},
      Row{{2, 1}, {1, 0}, {2, 1}, {2, 3}, {8, 9}},
      Row{{3, 2}, {2, 2}, {2, 1}, {3, 5}, {9, 7}},
      Row{{1, 3}, {0, 2}, {1, 3}, {1, 2}, {4, 13}},
  }));
  const DType dtype = GENERATE(DType::Float64, DType::Float32);
  CAPTURE(stride, padding, dilation, kernel, size, dtype_name(dtype));
  const int64_t N = 3, C_in = 4, C_out = 5;
  Variable x = random_constant({N, C_in, size[0], size[1]}, 10, dtype);
  Variable w = random_constant({C_out, C_in, kernel[0], kernel[1]}, 11, dtype);
  Variable b = random_constant({C_out}, 12, dtype);
  const Tensor fast = conv2d(x, w, b, Conv2dOptions{stride, padding, dilation}).data();

  const ConvGeometry g = conv2d_geometry(x.shape(), w.shape(), stride, padding, dilation);
  Tensor slow = Tensor::empty({N, C_out, g.H_out, g.W_out}, dtype);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    conv2d_reference<T>(x.data().data<T>(), w.data().data<T>(), b.data().data<T>(), g, C_out, slow.data<T>());
  });
  REQUIRE(fast.shape() == slow.shape());
  CHECK(max_abs_diff(fast, slow) < (dtype == DType::Float64 ? 1e-12 : 1e-4));
}

TEST_CASE("im2col follows its definition and col2im is its adjoint") {
  // cols[(c K_h + kh) K_w + kw][(n H_out + oh) W_out + ow] = x[n][c][oh s_h - p_h + kh d_h][ow s_w - p_w + kw d_w]
  const ConvGeometry g = conv2d_geometry({2, 3, 7, 6}, {1, 3, 3, 2}, {2, 1}, {1, 2}, {1, 2});
  const Tensor x = random_var({2, 3, 7, 6}, 13).data();
  Tensor cols = Tensor::empty({g.col_rows(), g.col_cols()}, DType::Float64);
  im2col<double>(x.data<double>(), g, cols.data<double>());
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t kh = 0; kh < g.K_h; ++kh)
      for (int64_t kw = 0; kw < g.K_w; ++kw)
        for (int64_t n = 0; n < g.N; ++n)
          for (int64_t oh = 0; oh < g.H_out; ++oh)
            for (int64_t ow = 0; ow < g.W_out; ++ow) {
              const int64_t h = oh * 2 - 1 + kh * 1, w = ow * 1 - 2 + kw * 2;
              const bool inside = h >= 0 && h < g.H && w >= 0 && w < g.W;
              const double want = inside ? x.at({n, c, h, w}) : 0.0;
              REQUIRE(cols.at({(c * g.K_h + kh) * g.K_w + kw, (n * g.H_out + oh) * g.W_out + ow}) == want);
            }
  // <im2col(x), u> == <x, col2im(u)> for any u: col2im is im2col's transpose.
  const Tensor u = random_var(cols.shape(), 14).data();
  Tensor back = Tensor::empty(x.shape(), DType::Float64);
  col2im<double>(u.data<double>(), g, back.data<double>());
  double lhs = 0, rhs = 0;
  for (int64_t i = 0; i < cols.numel(); ++i) lhs += cols.data<double>()[i] * u.data<double>()[i];
  for (int64_t i = 0; i < x.numel(); ++i) rhs += x.data<double>()[i] * back.data<double>()[i];
  CHECK(lhs == Approx(rhs).epsilon(1e-12));
}

TEST_CASE("conv2d in float32 agrees with float64") {
  Variable x = random_var({2, 3, 9, 8}, 15), w = random_var({4, 3, 3, 3}, 16), b = random_var({4}, 17);
  Conv2dOptions options{{2, 1}, {1, 1}, {1, 1}};
  const Tensor y64 = conv2d(x, w, b, options).data();
  const Tensor y32 = conv2d(Variable(x.data().to(DType::Float32)), Variable(w.data().to(DType::Float32)),
                            Variable(b.data().to(DType::Float32)), options).data();
  CHECK(y32.dtype() == DType::Float32);
  CHECK(max_abs_diff(y32.to(DType::Float64), y64) < 1e-5);
}

TEST_CASE("conv2d error messages name both shapes") {
  auto var = [](const Shape& s) { return Variable(Tensor::zeros(s, DType::Float64)); };
  SECTION("channel mismatch") {
    REQUIRE_THROWS_WITH(conv2d(var({32, 3, 10, 10}), var({8, 1, 3, 3}), var({8})),
                        "conv2d: expected input [32, 3, 10, 10] to have 1 channels (weight [8, 1, 3, 3]), "
                        "but got 3 channels");
  }
  SECTION("kernel larger than the padded input") {
    REQUIRE_THROWS_WITH(conv2d(var({1, 1, 2, 2}), var({1, 1, 3, 3}), Variable()),
                        "conv2d: expected a kernel no larger than the padded input, but got input [1, 1, 2, 2] with "
                        "padding (0, 0) and kernel (3, 3) dilated by (1, 1): 3x3 > padded 2x2");
    // Padding makes room: 2 + 2 * 1 = 4 >= 3.
    CHECK(conv2d(var({1, 1, 2, 2}), var({1, 1, 3, 3}), Variable(), Conv2dOptions{{1, 1}, {1, 1}, {1, 1}}).shape() ==
          Shape{1, 1, 2, 2});
    // Dilation 2 turns a 3x3 kernel into 5x5.
    REQUIRE_THROWS_WITH(conv2d(var({1, 1, 4, 6}), var({1, 1, 3, 3}), Variable(), Conv2dOptions{{1, 1}, {0, 0}, {2, 2}}),
                        Catch::Contains("input [1, 1, 4, 6] with padding (0, 0) and kernel (3, 3) dilated by (2, 2)"));
  }
  SECTION("non-4-d weight (the input's rank: test_unbatched.cpp)") {
    REQUIRE_THROWS_WITH(conv2d(var({1, 3, 10, 10}), var({8, 27}), Variable()),
                        "conv2d: expected a 4-d weight [C_out, C_in, K_h, K_w], but got [8, 27]");
  }
  SECTION("bias of the wrong size") {
    REQUIRE_THROWS_WITH(conv2d(var({2, 1, 10, 10}), var({8, 1, 3, 3}), var({3})),
                        "conv2d: expected bias of shape [8] (weight [8, 1, 3, 3]), but got [3]");
  }
  SECTION("non-positive stride or dilation, negative padding") {
    REQUIRE_THROWS_WITH(conv2d(var({1, 1, 5, 5}), var({1, 1, 3, 3}), Variable(), Conv2dOptions{{0, 1}, {0, 0}, {1, 1}}),
                        "conv2d: expected a positive stride, but got (0, 1)");
    REQUIRE_THROWS_WITH(conv2d(var({1, 1, 5, 5}), var({1, 1, 3, 3}), Variable(), Conv2dOptions{{1, 1}, {-1, 0}, {1, 1}}),
                        "conv2d: expected a non-negative padding, but got (-1, 0)");
    REQUIRE_THROWS_WITH(conv2d(var({1, 1, 5, 5}), var({1, 1, 3, 3}), Variable(), Conv2dOptions{{1, 1}, {0, 0}, {1, 0}}),
                        "conv2d: expected a positive dilation, but got (1, 0)");
  }
  SECTION("mixed dtypes") {
    REQUIRE_THROWS_WITH(conv2d(var({1, 1, 5, 5}), Variable(Tensor::zeros({1, 1, 3, 3}, DType::Float32)), Variable()),
                        Catch::Contains("conv2d: expected tensors of one dtype"));
  }
}

TEST_CASE("conv2d on a coursework-sized batch equals one image at a time") {
  // Batch 32, 16 -> 8 channels, 10x10: large enough that im2col and col2im run their OpenMP
  // loops; one image alone stays below the threshold and runs serially.
  Variable x = random_var({32, 16, 10, 10}, 18), w = random_var({8, 16, 3, 3}, 19), b = random_var({8}, 20);
  const Conv2dOptions options{{1, 1}, {1, 1}, {1, 1}};
  Variable y = conv2d(x, w, b, options);
  const Tensor g = random_var(y.shape(), 21).data();
  y.backward(g);
  Tensor grad_weight_sum = Tensor::zeros(w.shape(), DType::Float64);
  for (int64_t n = 0; n < 32; ++n) {
    CAPTURE(n);
    Variable x_n(batch_sample(x.data(), n), true), w_n(w.data(), true);
    Variable y_n = conv2d(x_n, w_n, b.detach(), options);
    REQUIRE(max_abs_diff(y_n.data(), batch_sample(y.data(), n)) < 1e-12);
    y_n.backward(batch_sample(g, n));
    REQUIRE(max_abs_diff(x_n.grad(), batch_sample(x.grad(), n)) < 1e-12);
    add_inplace(grad_weight_sum, w_n.grad());
  }
  CHECK(max_abs_diff(grad_weight_sum, w.grad()) < 1e-10);
}

TEST_CASE("conv2d gradcheck on the direct kernels (stride 1, 4 or more channels)") {
  using Row = std::tuple<Shape, Shape, Pair>;  // x, weight, padding
  const auto [x_shape, w_shape, padding] = GENERATE(table<Shape, Shape, Pair>({
      Row{{2, 1, 6, 6}, {8, 1, 3, 3}, {1, 1}},  // like conv1: forward and dL/dW direct
      Row{{2, 6, 5, 6}, {4, 6, 3, 2}, {1, 0}},  // dL/dx direct too (6 channels back)
      Row{{1, 5, 4, 7}, {9, 5, 2, 3}, {0, 2}},  // blocks of 8 + 1 output channels
      Row{{2, 4, 3, 3}, {5, 4, 1, 1}, {0, 0}},  // 1x1
  }));
  CAPTURE(x_shape, w_shape, padding);
  const ConvGeometry g = conv2d_geometry(x_shape, w_shape, {1, 1}, padding, {1, 1});
  REQUIRE(conv2d_direct_applies(g, w_shape[0]));
  Variable x = random_var(x_shape, 7), w = random_var(w_shape, 8), b = random_var({w_shape[0]}, 9);
  Conv2dOptions options{{1, 1}, padding, {1, 1}};
  auto r = gradcheck([&](const std::vector<Variable>& in) { return conv2d(in[0], in[1], in[2], options); }, {x, w, b});
  INFO(r.report());
  REQUIRE(r.passed);
}

TEST_CASE("conv2d gradcheck on strided layers computed as stride-1 convolutions of phases") {
  using Row = std::tuple<Shape, Shape, Pair, Pair>;  // x, weight, stride, padding
  const auto [x_shape, w_shape, stride, padding] = GENERATE(table<Shape, Shape, Pair, Pair>({
      Row{{2, 1, 8, 8}, {8, 1, 4, 4}, {2, 2}, {1, 1}},   // like the VAE's k4 s2 p1
      Row{{1, 1, 9, 8}, {6, 1, 2, 2}, {2, 2}, {0, 0}},   // floor mode drops x's last row
      Row{{2, 2, 7, 9}, {5, 2, 4, 2}, {2, 2}, {1, 0}},   // odd sizes, rectangular kernel
      Row{{1, 1, 9, 10}, {4, 1, 3, 3}, {3, 3}, {1, 2}},  // stride 3
      Row{{1, 2, 8, 6}, {4, 2, 4, 3}, {2, 1}, {1, 1}},   // stride 2 down, 1 across
  }));
  CAPTURE(x_shape, w_shape, stride, padding);
  const ConvGeometry g = conv2d_geometry(x_shape, w_shape, stride, padding, {1, 1});
  REQUIRE(conv2d_by_phases_applies(g, w_shape[0]));
  Variable x = random_var(x_shape, 7), w = random_var(w_shape, 8), b = random_var({w_shape[0]}, 9);
  const Conv2dOptions options{stride, padding, {1, 1}};
  auto r = gradcheck([&](const std::vector<Variable>& in) { return conv2d(in[0], in[1], in[2], options); }, {x, w, b});
  INFO(r.report());
  REQUIRE(r.passed);
  // The forward against the plain seven-deep loop.
  Tensor loops = Tensor::empty({g.N, w_shape[0], g.H_out, g.W_out}, DType::Float64);
  conv2d_reference<double>(x.data().data<double>(), w.data().data<double>(), b.data().data<double>(), g, w_shape[0],
                           loops.data<double>());
  const std::vector<double> got = conv2d(x, w, b, options).data().to_vector(), want = loops.to_vector();
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) REQUIRE(got[i] == Approx(want[i]).margin(1e-12));
}

TEST_CASE("phase_split: every value once, in its phase; zeros outside; gradcheck") {
  Variable x = random_var({1, 1, 3, 4}, 5);
  // stride 2, padding (1, 1): padded row r, column c hold x[r - 1][c - 1]; 2×3 per phase.
  const Variable y = phase_split(x, {2, 2}, 1, 1, 2, 3);
  REQUIRE(y.shape() == Shape{1, 4, 2, 3});
  const std::vector<double> v = x.data().to_vector(), out = y.data().to_vector();
  for (int64_t ph = 0; ph < 4; ++ph)
    for (int64_t a = 0; a < 2; ++a)
      for (int64_t b = 0; b < 3; ++b) {
        const int64_t h = 2 * a + ph / 2 - 1, w = 2 * b + ph % 2 - 1;
        const double want = h >= 0 && h < 3 && w >= 0 && w < 4 ? v[h * 4 + w] : 0.0;
        CHECK(out[(ph * 2 + a) * 3 + b] == want);
      }
  auto r = gradcheck([](const std::vector<Variable>& in) { return phase_split(in[0], {2, 3}, 1, 0, 3, 2); },
                     {random_var({2, 2, 5, 5}, 6)});
  INFO(r.report());
  REQUIRE(r.passed);
}

