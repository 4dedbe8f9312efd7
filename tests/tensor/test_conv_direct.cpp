// conv2d_direct and conv2d_direct_weight_grad (tensor/conv_direct.h) against the plain
// loops (conv2d_reference, and the sum that defines dL/dW): float64
// to rounding, float32 to 1e-5 relative, for odd sizes, rectangular kernels, paddings from 0
// to more than the kernel, every block width of output channels (8, 4, 1 and mixes) and
// planes whose padded-width positions are not a whole number of vectors.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "tensor/conv_direct.h"
#include "tensor/conv_pointwise.h"
#include "tensor/random.h"

using namespace convgrad;

namespace {

// max |a - b| / max(1, max |b|)
template <typename T>
double relative_error(const Tensor& a, const Tensor& b) {
  double diff = 0.0, scale = 1.0;
  for (int64_t i = 0; i < a.numel(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(a.data<T>()[i]) - static_cast<double>(b.data<T>()[i])));
    scale = std::max(scale, std::abs(static_cast<double>(b.data<T>()[i])));
  }
  return diff / scale;
}

// grad_w[o][c][kh][kw] = sum_n sum_{oh,ow} grad_y[n][o][oh][ow] · x[n][c][oh - p_h + kh][ow - p_w + kw]
template <typename T>
void weight_grad_reference(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out, T* grad_w) {
  for (int64_t o = 0; o < C_out; ++o)
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t kh = 0; kh < g.K_h; ++kh)
        for (int64_t kw = 0; kw < g.K_w; ++kw) {
          T total = T(0);
          for (int64_t n = 0; n < g.N; ++n)
            for (int64_t oh = 0; oh < g.H_out; ++oh)
              for (int64_t ow = 0; ow < g.W_out; ++ow) {
                const int64_t h = oh - g.padding[0] + kh, w = ow - g.padding[1] + kw;
                if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                total += grad_y[((n * C_out + o) * g.H_out + oh) * g.W_out + ow] * x[((n * g.C + c) * g.H + h) * g.W + w];
              }
          grad_w[((o * g.C + c) * g.K_h + kh) * g.K_w + kw] = total;
        }
}

}  // namespace

TEST_CASE("conv2d_direct equals the plain seven-deep loop") {
  // channels in, channels out, kernel, padding, input H x W
  using Row = std::tuple<int64_t, int64_t, Pair, Pair, Pair>;
  const auto [C, C_out, kernel, padding, size] = GENERATE(table<int64_t, int64_t, Pair, Pair, Pair>({
      Row{1, 8, {3, 3}, {1, 1}, {10, 10}},   // the coursework's conv1
      Row{16, 8, {3, 3}, {1, 1}, {10, 10}},  // conv3
      Row{8, 16, {3, 3}, {1, 1}, {5, 5}},    // the U-Net's conv2: two blocks of 8
      Row{8, 16, {3, 3}, {1, 1}, {10, 10}},  // conv3's dL/dx
      Row{3, 13, {3, 5}, {0, 2}, {7, 9}},    // blocks 8 + 4 + 1, rectangular kernel
      Row{2, 5, {1, 1}, {0, 0}, {4, 6}},     // 1x1: blocks 4 + 1
      Row{4, 7, {2, 2}, {0, 0}, {3, 3}},     // even kernel, no padding
      Row{2, 4, {3, 3}, {3, 4}, {2, 3}},     // padding larger than the kernel
      Row{5, 9, {5, 5}, {2, 2}, {1, 17}},    // one-row image
      Row{3, 8, {3, 3}, {1, 1}, {4, 21}},    // rows wider than a vector: stored two vectors a row
      Row{3, 4, {4, 3}, {0, 0}, {4, 3}},     // kernel as large as the input: one output pixel
      Row{2, 12, {2, 4}, {1, 2}, {6, 5}},    // dL/dW: rows of 4 taps = 3 + 1
      Row{2, 6, {3, 5}, {1, 1}, {8, 8}},     // dL/dW: rows of 5 taps = 3 + 2
  }));
  const DType dtype = GENERATE(DType::Float64, DType::Float32);
  const bool with_bias = GENERATE(true, false);
  CAPTURE(C, C_out, kernel, padding, size, dtype_name(dtype), with_bias);
  const int64_t N = 3;
  const ConvGeometry g =
      conv2d_geometry({N, C, size[0], size[1]}, {C_out, C, kernel[0], kernel[1]}, {1, 1}, padding, {1, 1});
  Generator gen(11);
  const Tensor x = uniform({N, C, size[0], size[1]}, -1.0, 1.0, gen, dtype);
  const Tensor w = uniform({C_out, C, kernel[0], kernel[1]}, -1.0, 1.0, gen, dtype);
  const Tensor b = uniform({C_out}, -1.0, 1.0, gen, dtype);
  Tensor y = Tensor::full({N, C_out, g.H_out, g.W_out}, 99.0, dtype), y_ref = y.clone();
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* bias = with_bias ? b.data<T>() : nullptr;
    conv2d_direct<T>(x.data<T>(), w.data<T>(), bias, g, C_out, y.data<T>());
    conv2d_reference<T>(x.data<T>(), w.data<T>(), bias, g, C_out, y_ref.data<T>());
    CHECK(relative_error<T>(y, y_ref) <= (dtype == DType::Float64 ? 1e-14 : 1e-5));

    // dL/dW for a random dL/dy: every block width, and kernel rows cut into runs of 3, 2 and 1 taps.
    const Tensor grad_y = uniform(y.shape(), -1.0, 1.0, gen, dtype);
    Tensor grad_w = Tensor::full(w.shape(), 99.0, dtype), grad_w_ref = grad_w.clone();
    conv2d_direct_weight_grad<T>(x.data<T>(), grad_y.data<T>(), g, C_out, grad_w.data<T>());
    weight_grad_reference<T>(x.data<T>(), grad_y.data<T>(), g, C_out, grad_w_ref.data<T>());
    CHECK(relative_error<T>(grad_w, grad_w_ref) <= (dtype == DType::Float64 ? 1e-14 : 1e-5));
  });
}

TEST_CASE("conv2d_direct over a batch of several chunks of images equals the plain loops") {
  // 80 images of 10x10 with padding 1, 12 output channels: chunks of 32 images in float32 and
  // 16 in float64 (ImageChunks: ~256 KiB of sums), so the forward stores chunk by chunk and
  // dL/dW carries its lane sums across chunks.
  const DType dtype = GENERATE(DType::Float64, DType::Float32);
  CAPTURE(dtype_name(dtype));
  const int64_t N = 80, C = 2, C_out = 12;
  const ConvGeometry g = conv2d_geometry({N, C, 10, 10}, {C_out, C, 3, 3}, {1, 1}, {1, 1}, {1, 1});
  Generator gen(12);
  const Tensor x = uniform({N, C, 10, 10}, -1.0, 1.0, gen, dtype);
  const Tensor w = uniform({C_out, C, 3, 3}, -1.0, 1.0, gen, dtype);
  const Tensor b = uniform({C_out}, -1.0, 1.0, gen, dtype);
  const Tensor grad_y = uniform({N, C_out, 10, 10}, -1.0, 1.0, gen, dtype);
  Tensor y = Tensor::full({N, C_out, 10, 10}, 99.0, dtype), y_ref = y.clone();
  Tensor grad_w = Tensor::full({C_out, C, 3, 3}, 99.0, dtype), grad_w_ref = grad_w.clone();
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    conv2d_direct<T>(x.data<T>(), w.data<T>(), b.data<T>(), g, C_out, y.data<T>());
    conv2d_reference<T>(x.data<T>(), w.data<T>(), b.data<T>(), g, C_out, y_ref.data<T>());
    CHECK(relative_error<T>(y, y_ref) <= (dtype == DType::Float64 ? 1e-14 : 1e-5));
    conv2d_direct_weight_grad<T>(x.data<T>(), grad_y.data<T>(), g, C_out, grad_w.data<T>());
    weight_grad_reference<T>(x.data<T>(), grad_y.data<T>(), g, C_out, grad_w_ref.data<T>());
    CHECK(relative_error<T>(grad_w, grad_w_ref) <= (dtype == DType::Float64 ? 1e-14 : 1e-5));
  });
}

TEST_CASE("conv2d_direct_applies: stride 1, dilation 1, small layers only") {
  const auto geometry = [](Pair stride, Pair dilation, int64_t C, Pair kernel) {
    return conv2d_geometry({2, C, 12, 12}, {8, C, kernel[0], kernel[1]}, stride, {1, 1}, dilation);
  };
  CHECK(conv2d_direct_applies(geometry({1, 1}, {1, 1}, 16, {3, 3}), 8));
  CHECK(conv2d_direct_weight_grad_applies(geometry({1, 1}, {1, 1}, 16, {3, 3}), 8));
  // 5x5 "same": 25 outputs of 36 stacked positions, enough for dL/dW too
  const ConvGeometry same = conv2d_geometry({32, 8, 5, 5}, {16, 8, 3, 3}, {1, 1}, {1, 1}, {1, 1});
  CHECK(conv2d_direct_applies(same, 16));
  CHECK(conv2d_direct_weight_grad_applies(same, 16));
  // 5x5 "valid": 9 outputs of 25 positions (whatever the vector width): dL/dW by the GEMM
  const ConvGeometry valid = conv2d_geometry({2, 8, 5, 5}, {16, 8, 3, 3}, {1, 1}, {0, 0}, {1, 1});
  CHECK(conv2d_direct_applies(valid, 16));
  CHECK_FALSE(conv2d_direct_weight_grad_applies(valid, 16));
  CHECK_FALSE(conv2d_direct_applies(geometry({2, 1}, {1, 1}, 16, {3, 3}), 8));
  CHECK_FALSE(conv2d_direct_applies(geometry({1, 1}, {1, 2}, 16, {3, 3}), 8));
  CHECK_FALSE(conv2d_direct_applies(geometry({1, 1}, {1, 1}, 256, {3, 3}), 8));  // 2304 values per output pixel
  CHECK_FALSE(conv2d_direct_applies(geometry({1, 1}, {1, 1}, 16, {3, 3}), 128));
  CHECK_FALSE(conv2d_direct_applies(geometry({1, 1}, {1, 1}, 8, {1, 1}), 1));  // the U-Net's conv4
}

TEST_CASE("the 1x1 convolution's plane loops equal the plain loops") {
  const int64_t C_out = GENERATE(1, 3, 8);
  const DType dtype = GENERATE(DType::Float64, DType::Float32);
  CAPTURE(C_out, dtype_name(dtype));
  const int64_t N = 3, C = 5;
  const ConvGeometry g = conv2d_geometry({N, C, 7, 9}, {C_out, C, 1, 1}, {1, 1}, {0, 0}, {1, 1});
  REQUIRE(conv2d_pointwise_applies(g, C_out));
  Generator gen(13);
  const Tensor x = uniform({N, C, 7, 9}, -1.0, 1.0, gen, dtype);
  const Tensor w = uniform({C_out, C, 1, 1}, -1.0, 1.0, gen, dtype);
  const Tensor b = uniform({C_out}, -1.0, 1.0, gen, dtype);
  const Tensor gy = uniform({N, C_out, 7, 9}, -1.0, 1.0, gen, dtype);
  Tensor y = Tensor::full({N, C_out, 7, 9}, 99.0, dtype), y_ref = y.clone();
  Tensor gx = Tensor::full(x.shape(), 99.0, dtype), gx_ref = Tensor::zeros(x.shape(), dtype);
  Tensor gw = Tensor::full(w.shape(), 99.0, dtype), gw_ref = gw.clone();
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    conv2d_pointwise<T>(x.data<T>(), w.data<T>(), b.data<T>(), g, C_out, y.data<T>());
    conv2d_reference<T>(x.data<T>(), w.data<T>(), b.data<T>(), g, C_out, y_ref.data<T>());
    conv2d_pointwise_input_grad<T>(gy.data<T>(), w.data<T>(), g, C_out, gx.data<T>());
    for (int64_t n = 0; n < N; ++n)  // dx[n][c][l] = sum_o w[o][c] gy[n][o][l]
      for (int64_t c = 0; c < C; ++c)
        for (int64_t o = 0; o < C_out; ++o)
          for (int64_t l = 0; l < 63; ++l)
            gx_ref.data<T>()[(n * C + c) * 63 + l] += w.data<T>()[o * C + c] * gy.data<T>()[(n * C_out + o) * 63 + l];
    conv2d_pointwise_weight_grad<T>(x.data<T>(), gy.data<T>(), g, C_out, gw.data<T>());
    weight_grad_reference<T>(x.data<T>(), gy.data<T>(), g, C_out, gw_ref.data<T>());
    const double tolerance = dtype == DType::Float64 ? 1e-13 : 1e-5;
    CHECK(relative_error<T>(y, y_ref) < tolerance);
    CHECK(relative_error<T>(gx, gx_ref) < tolerance);
    CHECK(relative_error<T>(gw, gw_ref) < tolerance);
  });
}

TEST_CASE("dL/dW from dL/dy's stack for the flipped convolution equals the plain sum") {
  // C, C_out, kernel, padding (at most K - 1: dL/dx is then the flipped convolution), size
  using Row = std::tuple<int64_t, int64_t, Pair, Pair, Pair>;
  const auto [C, C_out, kernel, padding, size] = GENERATE(table<int64_t, int64_t, Pair, Pair, Pair>({
      Row{16, 8, {3, 3}, {1, 1}, {10, 10}},  // the U-Net's conv3
      Row{8, 16, {3, 3}, {1, 1}, {5, 5}},    // its conv2
      Row{3, 5, {5, 3}, {2, 1}, {6, 7}},     // rectangular
      Row{4, 6, {3, 3}, {0, 0}, {8, 8}},     // "valid"
      Row{4, 6, {3, 2}, {2, 1}, {4, 5}},     // padding K - 1: outputs larger than the input
  }));
  const DType dtype = GENERATE(DType::Float64, DType::Float32);
  CAPTURE(C, C_out, kernel, size, dtype_name(dtype));
  const int64_t N = 3;
  const ConvGeometry g = conv2d_geometry({N, C, size[0], size[1]}, {C_out, C, kernel[0], kernel[1]}, {1, 1}, padding,
                                         {1, 1});
  // dL/dx's convolution: dL/dy [N, C_out, H_out, W_out] with the flipped kernel, padding K - 1 - p
  const ConvGeometry gf = conv2d_geometry({N, C_out, g.H_out, g.W_out}, {C, C_out, kernel[0], kernel[1]}, {1, 1},
                                          {kernel[0] - 1 - padding[0], kernel[1] - 1 - padding[1]}, {1, 1});
  const int64_t shift = conv2d_direct_gradient_shift(g, gf);
  REQUIRE(shift >= 0);
  Generator gen(17);
  const Tensor x = uniform({N, C, size[0], size[1]}, -1.0, 1.0, gen, dtype);
  const Tensor gy = uniform({N, C_out, g.H_out, g.W_out}, -1.0, 1.0, gen, dtype);
  Tensor gw = Tensor::full({C_out, C, kernel[0], kernel[1]}, 99.0, dtype), gw_ref = gw.clone();
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> x_planes(static_cast<size_t>(conv2d_direct_planes_size<T>(g)));
    std::vector<T> dy_planes(static_cast<size_t>(conv2d_direct_planes_size<T>(gf)));
    conv2d_direct_stack<T>(x.data<T>(), g, x_planes.data());
    conv2d_direct_stack<T>(gy.data<T>(), gf, dy_planes.data());
    conv2d_direct_weight_grad_from_planes<T>(x_planes.data(), gy.data<T>(), dy_planes.data() + shift,
                                             static_cast<int64_t>(dy_planes.size()) / C_out, g, C_out, gw.data<T>());
    weight_grad_reference<T>(x.data<T>(), gy.data<T>(), g, C_out, gw_ref.data<T>());
    CHECK(relative_error<T>(gw, gw_ref) < (dtype == DType::Float64 ? 1e-13 : 1e-5));
  });
}
