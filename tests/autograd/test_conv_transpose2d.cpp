// conv_transpose2d (autograd/ops/conv_transpose2d.cpp).
#include <catch2/catch.hpp>

#include <algorithm>

#include "autograd/autograd.h"
#include "support/golden_case.h"
#include "support/variables.h"
#include "tensor/conv_kernels.h"
#include "tensor/elementwise.h"

using namespace convgrad;
using namespace convgrad::testing;

TEST_CASE("conv_transpose2d forward and backward by hand") {
  // Each input pixel stamps x[i][j] * w onto the output at (i s, j s); stamps overlap and add.
  Variable x(Tensor::from_vector({1, 2, 3, 4}, {1, 1, 2, 2}, DType::Float64), true);
  Variable w(Tensor::ones({1, 1, 2, 2}, DType::Float64), true);
  Variable b(Tensor::from_vector({0.5}, {1}, DType::Float64), true);
  SECTION("stride 2: the 2x2 stamps tile a 4x4 output, H_out = (2 - 1) 2 + (2 - 1) + 1 = 4") {
    ConvTranspose2dOptions options;
    options.stride = {2, 2};
    Variable y = conv_transpose2d(x, w, Variable(), options);
    CHECK(y.shape() == Shape{1, 1, 4, 4});
    CHECK(y.data().to_vector() == Values{1, 1, 2, 2,  //
                                         1, 1, 2, 2,  //
                                         3, 3, 4, 4,  //
                                         3, 3, 4, 4});
  }
  SECTION("stride 1: the stamps overlap, H_out = (2 - 1) + (2 - 1) + 1 = 3") {
    // centre = 1 + 2 + 3 + 4 = 10, edges = sums of two neighbours, corners = one pixel; + bias 0.5
    Variable y = conv_transpose2d(x, w, b);
    CHECK(y.data().to_vector() == Values{1.5, 3.5, 2.5, 4.5, 10.5, 6.5, 3.5, 7.5, 4.5});
    // dL/dy = 1: each x pixel's stamp covers 4 outputs of weight 1 -> dL/dx = 4;
    // dL/dw[kh][kw] = sum of x = 10; dL/db = 9 output pixels.
    y.backward(Tensor::ones(y.shape(), DType::Float64));
    CHECK(x.grad().to_vector() == Values{4, 4, 4, 4});
    CHECK(w.grad().to_vector() == Values{10, 10, 10, 10});
    CHECK(b.grad().to_vector() == Values{9});
  }
}

TEST_CASE("conv_transpose2d output_padding resolves the size ambiguity (coursework 5x5 -> 10x10)") {
  // k3 s2 p1: H_out = (5 - 1) 2 - 2 + 2 + output_padding + 1 = 9 + output_padding.
  // conv2d(k3 s2 p1) maps both 9x9 and 10x10 to 5x5, so output_padding = 1 picks 10.
  Variable x = random_var({2, 16, 5, 5}, 1), w = random_var({16, 8, 3, 3}, 2);
  ConvTranspose2dOptions options;
  options.stride = {2, 2};
  options.padding = {1, 1};
  CHECK(conv_transpose2d(x, w, Variable(), options).shape() == Shape{2, 8, 9, 9});
  options.output_padding = {1, 1};
  CHECK(conv_transpose2d(x, w, Variable(), options).shape() == Shape{2, 8, 10, 10});
  // The extra row and column get only what the stamps reach (here, with p1, the last kernel row).
  CHECK(conv_output_size(10, 3, 2, 1, 1) == 5);
  CHECK(conv_output_size(9, 3, 2, 1, 1) == 5);
}

TEST_CASE("conv_transpose2d is the input gradient of conv2d") {
  using Row = std::tuple<Pair, Pair, Pair, Pair, Pair>;  // stride, padding, dilation, kernel, conv input H x W
  const auto [stride, padding, dilation, kernel, size] = GENERATE(table<Pair, Pair, Pair, Pair, Pair>({
      Row{{2, 2}, {1, 1}, {1, 1}, {3, 3}, {10, 10}},
      Row{{3, 2}, {0, 1}, {1, 2}, {2, 3}, {11, 8}},
      Row{{1, 1}, {2, 2}, {2, 2}, {3, 3}, {6, 7}},
  }));
  CAPTURE(stride, padding, dilation, kernel, size);
  const Conv2dOptions conv_options{stride, padding, dilation};
  Variable x = random_var({2, 3, size[0], size[1]}, 3), w = random_constant({4, 3, kernel[0], kernel[1]}, 4);
  Variable y = conv2d(x, w, Variable(), conv_options);
  const Tensor g = random_var(y.shape(), 5).data();
  y.backward(g);
  // The transposed convolution of g with the same weight, sized back to H x W.
  ConvTranspose2dOptions options;
  options.stride = stride;
  options.padding = padding;
  options.dilation = dilation;
  for (int d = 0; d < 2; ++d)
    options.output_padding[d] =
        size[d] - conv_transpose_output_size(y.size(2 + d), kernel[d], stride[d], padding[d], 0, dilation[d]);
  const Tensor t = conv_transpose2d(Variable(g), w, Variable(), options).data();
  REQUIRE(t.shape() == x.shape());
  CHECK(max_abs_diff(t, x.grad()) < 1e-12);
}

TEST_CASE("conv_transpose2d matches PyTorch golden cases (forward and every gradient)") {
  const std::string name = GENERATE(as<std::string>{}, "convT_cw_16to8_k3_s2_p1_op1", "convT_cw_8to1_k3_s2_p1_op1",
                                    "convT_k1_s1", "convT_k2_s3_p0_op2", "convT_k3_s2_p0_op1", "convT_k3_s2_p1_op0",
                                    "convT_k3_s3_p1_op1", "convT_nobias_k3_s2_p1_op1", "convT_vae_k4_s2_p1");
  CAPTURE(name);
  const GoldenCase golden(name);
  Variable x(golden.input("input"), true);
  Variable w(golden.param("weight"), true);
  const bool has_bias = golden.has_param("bias");
  Variable b = has_bias ? Variable(golden.param("bias"), true) : Variable();
  ConvTranspose2dOptions options;
  options.stride = golden.config_pair("stride", 1);
  options.padding = golden.config_pair("padding", 0);
  options.output_padding = golden.config_pair("output_padding", 0);
  options.dilation = golden.config_pair("dilation", 1);

  Variable y = conv_transpose2d(x, w, b, options);
  CHECK(max_rel_error(y.data(), golden.output("output")) < 1e-10);
  y.backward(golden.grad_output());
  CHECK(max_rel_error(x.grad(), golden.grad("input")) < 1e-10);
  CHECK(max_rel_error(w.grad(), golden.grad("weight")) < 1e-10);
  if (has_bias) CHECK(max_rel_error(b.grad(), golden.grad("bias")) < 1e-10);
}

TEST_CASE("conv_transpose2d gradcheck over strides, paddings, dilations and every valid output_padding") {
  const int64_t stride = GENERATE(1, 2, 3);
  const int64_t padding = GENERATE(0, 1, 2);
  const int64_t dilation = GENERATE(1, 2);
  // output_padding must be < stride or < dilation: every such value.
  const int64_t output_padding = GENERATE_COPY(range<int64_t>(0, std::max(stride, dilation)));
  CAPTURE(stride, padding, dilation, output_padding);
  Variable x = random_var({2, 3, 4, 5}, 6), w = random_var({3, 2, 3, 3}, 7), b = random_var({2}, 8);
  ConvTranspose2dOptions options;
  options.stride = {stride, stride};
  options.padding = {padding, padding};
  options.output_padding = {output_padding, output_padding};
  options.dilation = {dilation, dilation};
  auto r = gradcheck([&](const std::vector<Variable>& in) { return conv_transpose2d(in[0], in[1], in[2], options); },
                     {x, w, b});
  INFO(r.report());
  REQUIRE(r.passed);
}

TEST_CASE("conv_transpose2d gradcheck with rectangular kernels, odd sizes and no bias") {
  using Row = std::tuple<Pair, Pair, Pair, Pair, Pair, Pair>;  // stride, padding, output_padding, dilation, kernel, H x W
  const auto [stride, padding, output_padding, dilation, kernel, size] =
      GENERATE(table<Pair, Pair, Pair, Pair, Pair, Pair>({
          Row{{2, 3}, {1, 0}, {1, 2}, {1, 1}, {3, 2}, {3, 4}},
          Row{{1, 2}, {0, 1}, {1, 0}, {2, 1}, {2, 4}, {5, 3}},
          Row{{3, 1}, {2, 0}, {0, 0}, {1, 1}, {5, 1}, {2, 7}},
          Row{{1, 1}, {0, 0}, {0, 0}, {1, 1}, {1, 1}, {3, 3}},
      }));
  CAPTURE(stride, padding, output_padding, dilation, kernel, size);
  Variable x = random_var({2, 2, size[0], size[1]}, 9), w = random_var({2, 3, kernel[0], kernel[1]}, 10);
  ConvTranspose2dOptions options{stride, padding, output_padding, dilation};
  auto r = gradcheck(
      [&](const std::vector<Variable>& in) { return conv_transpose2d(in[0], in[1], Variable(), options); }, {x, w});
  INFO(r.report());
  REQUIRE(r.passed);
}

TEST_CASE("conv_transpose2d skips the gradients of inputs that do not require grad") {
  Variable x = random_var({2, 3, 4, 4}, 11), w = random_constant({3, 2, 3, 3}, 12), b = random_var({2}, 13);
  Variable y = conv_transpose2d(x, w, b);
  y.backward(Tensor::ones(y.shape(), DType::Float64));
  CHECK(x.grad().defined());
  CHECK(b.grad().defined());
  CHECK_FALSE(w.grad().defined());
}

TEST_CASE("conv_transpose2d error messages name both shapes") {
  auto var = [](const Shape& s) { return Variable(Tensor::zeros(s, DType::Float64)); };
  SECTION("channel mismatch") {
    REQUIRE_THROWS_WITH(conv_transpose2d(var({32, 3, 5, 5}), var({16, 8, 3, 3}), var({8})),
                        "conv_transpose2d: expected input [32, 3, 5, 5] to have 16 channels (weight [16, 8, 3, 3]), "
                        "but got 3 channels");
  }
  SECTION("output_padding not smaller than stride or dilation") {
    ConvTranspose2dOptions options;
    options.stride = {2, 2};
    options.output_padding = {2, 1};
    REQUIRE_THROWS_WITH(conv_transpose2d(var({1, 1, 5, 5}), var({1, 1, 3, 3}), Variable(), options),
                        "conv_transpose2d: expected output_padding smaller than stride or dilation, but got "
                        "output_padding (2, 1) with stride (2, 2) and dilation (1, 1)");
    options.dilation = {3, 1};  // now 2 < dilation 3 in height: allowed, as in PyTorch
    CHECK(conv_transpose2d(var({1, 1, 5, 5}), var({1, 1, 3, 3}), Variable(), options).shape() == Shape{1, 1, 17, 12});
  }
  SECTION("an output size below one") {
    ConvTranspose2dOptions options;
    options.padding = {2, 2};
    REQUIRE_THROWS_WITH(conv_transpose2d(var({1, 1, 1, 1}), var({1, 1, 3, 3}), Variable(), options),
                        Catch::StartsWith("conv_transpose2d: expected a positive output size, but got -1x-1 from "
                                          "input [1, 1, 1, 1] with kernel (3, 3)"));
  }
  SECTION("non-4-d weight (the input's rank: test_unbatched.cpp)") {
    REQUIRE_THROWS_WITH(conv_transpose2d(var({1, 16, 5, 5}), var({16, 8, 3}), Variable()),
                        "conv_transpose2d: expected a 4-d weight [C_in, C_out, K_h, K_w], but got [16, 8, 3]");
  }
  SECTION("bias of the wrong size") {
    REQUIRE_THROWS_WITH(conv_transpose2d(var({1, 16, 5, 5}), var({16, 8, 3, 3}), var({16})),
                        "conv_transpose2d: expected bias of shape [8] (weight [16, 8, 3, 3]), but got [16]");
  }
}

TEST_CASE("conv_transpose2d on a coursework-sized batch equals one image at a time") {
  // The U-Net's up-convolution at batch 32: 16 -> 8 channels, 5x5 -> 10x10. The batch is large
  // enough for the OpenMP loops of col2im and im2col; one image alone runs serially.
  Variable x = random_var({32, 16, 5, 5}, 14), w = random_var({16, 8, 3, 3}, 15), b = random_var({8}, 16);
  ConvTranspose2dOptions options;
  options.stride = {2, 2};
  options.padding = {1, 1};
  options.output_padding = {1, 1};
  Variable y = conv_transpose2d(x, w, b, options);
  const Tensor g = random_var(y.shape(), 17).data();
  y.backward(g);
  Tensor grad_weight_sum = Tensor::zeros(w.shape(), DType::Float64);
  for (int64_t n = 0; n < 32; ++n) {
    CAPTURE(n);
    Variable x_n(batch_sample(x.data(), n), true), w_n(w.data(), true);
    Variable y_n = conv_transpose2d(x_n, w_n, b.detach(), options);
    REQUIRE(max_abs_diff(y_n.data(), batch_sample(y.data(), n)) < 1e-12);
    y_n.backward(batch_sample(g, n));
    REQUIRE(max_abs_diff(x_n.grad(), batch_sample(x.grad(), n)) < 1e-12);
    add_inplace(grad_weight_sum, w_n.grad());
  }
  CHECK(max_abs_diff(grad_weight_sum, w.grad()) < 1e-10);
}
