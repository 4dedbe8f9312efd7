// conv_transpose2d_direct (the sub-pixel decomposition, tensor/conv_transpose_direct.h)
// against the definition written as a loop: every input pixel stamps its weighted kernel onto
// the output at stride s. float64 to rounding and float32 to 1e-5, for strides 1 to 3,
// paddings up to more than the kernel, output_padding, kernels smaller than the stride (phases
// with no tap), rectangular kernels and odd sizes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "support/golden_case.h"  // max_rel_error
#include "tensor/conv_transpose_direct.h"
#include "tensor/random.h"

using namespace convgrad;

namespace {

// y[n][o][ih s − p + kh][iw s − p + kw] += x[n][c][ih][iw] · w[c][o][kh][kw], starting from the bias
template <typename T>
void conv_transpose_loop(const T* x, const T* w, const T* bias, const ConvGeometry& g, int64_t C_in, T* y) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < g.C; ++o) {
      T* plane = y + (n * g.C + o) * g.H * g.W;
      std::fill(plane, plane + g.H * g.W, bias ? bias[o] : T(0));
      for (int64_t c = 0; c < C_in; ++c)
        for (int64_t ih = 0; ih < g.H_out; ++ih)
          for (int64_t iw = 0; iw < g.W_out; ++iw)
            for (int64_t kh = 0; kh < g.K_h; ++kh)
              for (int64_t kw = 0; kw < g.K_w; ++kw) {
                const int64_t oh = ih * g.stride[0] - g.padding[0] + kh, ow = iw * g.stride[1] - g.padding[1] + kw;
                if (oh < 0 || oh >= g.H || ow < 0 || ow >= g.W) continue;
                plane[oh * g.W + ow] += x[((n * C_in + c) * g.H_out + ih) * g.W_out + iw] *
                                        w[((c * g.C + o) * g.K_h + kh) * g.K_w + kw];
              }
    }
}

// dL/dx[n][c][ih][iw] = sum_{o,kh,kw} g[n][o][ih s − p + kh][iw s − p + kw] · w[c][o][kh][kw]
// dL/dW[c][o][kh][kw] = sum_{n,ih,iw} x[n][c][ih][iw] · g[n][o][ih s − p + kh][iw s − p + kw]
// (the stamping loop's adjoint: each stamp reads back what it wrote to)
template <typename T>
void conv_transpose_backward_loop(const T* x, const T* grad_y, const T* w, const ConvGeometry& g, int64_t C_in,
                                  T* grad_x, T* grad_w) {
  std::fill(grad_x, grad_x + g.N * C_in * g.H_out * g.W_out, T(0));
  std::fill(grad_w, grad_w + C_in * g.C * g.K_h * g.K_w, T(0));
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t c = 0; c < C_in; ++c)
      for (int64_t ih = 0; ih < g.H_out; ++ih)
        for (int64_t iw = 0; iw < g.W_out; ++iw)
          for (int64_t o = 0; o < g.C; ++o)
            for (int64_t kh = 0; kh < g.K_h; ++kh)
              for (int64_t kw = 0; kw < g.K_w; ++kw) {
                const int64_t oh = ih * g.stride[0] - g.padding[0] + kh, ow = iw * g.stride[1] - g.padding[1] + kw;
                if (oh < 0 || oh >= g.H || ow < 0 || ow >= g.W) continue;
                const int64_t xi = ((n * C_in + c) * g.H_out + ih) * g.W_out + iw;
                const int64_t wi = ((c * g.C + o) * g.K_h + kh) * g.K_w + kw;
                const T gy = grad_y[((n * g.C + o) * g.H + oh) * g.W + ow];
                grad_x[xi] += gy * w[wi];
                grad_w[wi] += gy * x[xi];
              }
}

}  // namespace

TEST_CASE("conv_transpose2d_direct_backward equals the adjoint loop") {
  // C_in, C_out, kernel, stride, padding, output_padding, input H x W
  using Row = std::tuple<int64_t, int64_t, Pair, Pair, Pair, Pair, Pair>;
  const auto [C_in, C_out, kernel, stride, padding, output_padding, size] =
      GENERATE(table<int64_t, int64_t, Pair, Pair, Pair, Pair, Pair>({
          Row{16, 8, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {5, 5}},  // the U-Net's up
          Row{8, 1, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {5, 5}},   // the autoencoder's deconv (backward only)
          Row{5, 3, {3, 3}, {1, 1}, {1, 1}, {0, 0}, {6, 7}},   // stride 1: one phase
          Row{4, 2, {4, 4}, {2, 2}, {1, 1}, {0, 0}, {4, 3}},   // k4 s2 p1
          Row{6, 3, {2, 3}, {3, 2}, {0, 1}, {2, 1}, {3, 4}},   // empty phases
          Row{4, 2, {3, 3}, {2, 3}, {3, 4}, {1, 2}, {5, 6}},   // padding beyond the kernel
          Row{13, 2, {5, 3}, {2, 2}, {2, 1}, {1, 0}, {1, 9}},  // 8 + 4 + 1 blocks of input channels
          Row{4, 2, {3, 3}, {3, 3}, {1, 1}, {0, 0}, {1, 1}},   // 1x1 output
      }));
  const DType dtype = GENERATE(DType::Float64, DType::Float32);
  CAPTURE(C_in, C_out, kernel, stride, padding, output_padding, size, dtype_name(dtype));
  const int64_t N = 3;
  const ConvGeometry g = conv_transpose2d_geometry({N, C_in, size[0], size[1]}, {C_in, C_out, kernel[0], kernel[1]},
                                                   stride, padding, output_padding, {1, 1});
  // (Run whether or not the op would choose it for speed: the sums are right for any geometry
  // with dilation 1.)
  Generator gen(7);
  const Tensor x = uniform({N, C_in, size[0], size[1]}, -1.0, 1.0, gen, dtype);
  const Tensor w = uniform({C_in, C_out, kernel[0], kernel[1]}, -1.0, 1.0, gen, dtype);
  const Tensor gy = uniform({N, C_out, g.H, g.W}, -1.0, 1.0, gen, dtype);
  Tensor gx = Tensor::full(x.shape(), 99.0, dtype), gx_ref = gx.clone();
  Tensor gw = Tensor::full(w.shape(), 99.0, dtype), gw_ref = gw.clone();
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    conv_transpose2d_direct_backward<T>(x.data<T>(), gy.data<T>(), w.data<T>(), g, C_in, gx.data<T>(), gw.data<T>());
    conv_transpose_backward_loop<T>(x.data<T>(), gy.data<T>(), w.data<T>(), g, C_in, gx_ref.data<T>(), gw_ref.data<T>());
  });
  const double tolerance = dtype == DType::Float64 ? 1e-13 : 1e-5;
  CHECK(testing::max_rel_error(gx, gx_ref) < tolerance);
  CHECK(testing::max_rel_error(gw, gw_ref) < tolerance);
}

TEST_CASE("the coursework's transposed convolutions take the direct backward") {
  CHECK(conv_transpose2d_direct_backward_applies(
      conv_transpose2d_geometry({32, 16, 5, 5}, {16, 8, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}), 16));
  CHECK(conv_transpose2d_direct_backward_applies(
      conv_transpose2d_geometry({32, 8, 5, 5}, {8, 1, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}), 8));
}

TEST_CASE("conv_transpose2d_direct equals the stamping loop") {
  // C_in, C_out, kernel, stride, padding, output_padding, input H x W
  using Row = std::tuple<int64_t, int64_t, Pair, Pair, Pair, Pair, Pair>;
  const auto [C_in, C_out, kernel, stride, padding, output_padding, size] =
      GENERATE(table<int64_t, int64_t, Pair, Pair, Pair, Pair, Pair>({
          Row{16, 8, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {5, 5}},  // the U-Net's up
          Row{3, 4, {3, 3}, {1, 1}, {1, 1}, {0, 0}, {6, 7}},   // stride 1: one phase, the whole kernel
          Row{2, 5, {4, 4}, {2, 2}, {1, 1}, {0, 0}, {4, 3}},   // VAE-like k4 s2 p1
          Row{3, 6, {2, 3}, {3, 2}, {0, 1}, {2, 1}, {3, 4}},   // kernel smaller than the stride: empty phases
          Row{2, 4, {3, 3}, {2, 3}, {3, 4}, {1, 2}, {5, 6}},   // padding beyond the kernel
          Row{4, 13, {5, 3}, {2, 2}, {2, 1}, {1, 0}, {1, 9}},  // one-row input, 8 + 4 + 1 channel blocks
          Row{1, 4, {1, 1}, {2, 2}, {0, 0}, {1, 1}, {3, 3}},   // 1x1: rows and columns of bias only
          Row{2, 4, {3, 3}, {3, 3}, {1, 1}, {0, 0}, {1, 1}},   // 1x1 output: phases that fall outside it
      }));
  const DType dtype = GENERATE(DType::Float64, DType::Float32);
  const bool with_bias = GENERATE(true, false);
  CAPTURE(C_in, C_out, kernel, stride, padding, output_padding, size, dtype_name(dtype), with_bias);
  const int64_t N = 3;
  const ConvGeometry g = conv_transpose2d_geometry({N, C_in, size[0], size[1]}, {C_in, C_out, kernel[0], kernel[1]},
                                                   stride, padding, output_padding, {1, 1});
  REQUIRE(conv_transpose2d_direct_applies(g, C_in));
  Generator gen(5);
  const Tensor x = uniform({N, C_in, size[0], size[1]}, -1.0, 1.0, gen, dtype);
  const Tensor w = uniform({C_in, C_out, kernel[0], kernel[1]}, -1.0, 1.0, gen, dtype);
  const Tensor b = uniform({C_out}, -1.0, 1.0, gen, dtype);
  Tensor y = Tensor::full({N, C_out, g.H, g.W}, 99.0, dtype), y_ref = y.clone();
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* bias = with_bias ? b.data<T>() : nullptr;
    conv_transpose2d_direct<T>(x.data<T>(), w.data<T>(), bias, g, C_in, y.data<T>());
    conv_transpose_loop<T>(x.data<T>(), w.data<T>(), bias, g, C_in, y_ref.data<T>());
  });
  CHECK(testing::max_rel_error(y, y_ref) < (dtype == DType::Float64 ? 1e-13 : 1e-5));
}

TEST_CASE("conv_transpose2d_direct is not used where its phases would not run on the direct kernel") {
  // dilation 2, and 1 output channel (the autoencoder's deconv)
  CHECK_FALSE(conv_transpose2d_direct_applies(
      conv_transpose2d_geometry({2, 4, 5, 5}, {4, 8, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {2, 2}), 4));
  CHECK_FALSE(conv_transpose2d_direct_applies(
      conv_transpose2d_geometry({2, 8, 5, 5}, {8, 1, 3, 3}, {2, 2}, {1, 1}, {1, 1}, {1, 1}), 8));
}
