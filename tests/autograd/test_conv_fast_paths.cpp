// The float32 training path of conv2d / conv_transpose2d (chunks of images, the shifted
// im2col / col2im of stride-1 layers, the transposed weight-gradient GEMM) at the
// coursework's shapes, against float64: the plain seven-deep loop for the forward, and the
// float64 op (checked by gradcheck and the PyTorch golden cases) for the gradients. They must
// agree to 1e-5 relative: max |float32 - float64| <= 1e-5 * max |float64|.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>

#include "autograd/functions.h"
#include "support/variables.h"
#include "tensor/conv_kernels.h"

using namespace convgrad;
using namespace convgrad::testing;

namespace {

double relative_error(const Tensor& got, const Tensor& want) {
  const std::vector<double> a = got.to(DType::Float64).to_vector(), b = want.to_vector();
  double worst = 0.0, scale = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    worst = std::max(worst, std::fabs(a[i] - b[i]));
    scale = std::max(scale, std::fabs(b[i]));
  }
  return worst / std::max(scale, 1e-300);
}

Variable as_float32(const Variable& v) { return Variable(v.data().to(DType::Float32), true); }

}  // namespace

TEST_CASE("conv2d in float32 agrees with float64 at the coursework's shapes") {
  using Row = std::tuple<Shape, int64_t, int64_t, int64_t, int64_t>;  // x, C_out, kernel, stride, padding
  const auto [x_shape, C_out, k, s, p] = GENERATE(table<Shape, int64_t, int64_t, int64_t, int64_t>({
      Row{{32, 1, 10, 10}, 8, 3, 1, 1},   // conv1
      Row{{32, 8, 5, 5}, 16, 3, 1, 1},    // U-Net conv2
      Row{{40, 16, 10, 10}, 8, 3, 1, 1},  // conv3, 5 chunks of 8 images
      Row{{32, 8, 10, 10}, 1, 1, 1, 0},   // conv4
      Row{{20, 1, 28, 28}, 32, 4, 2, 1},  // a VAE encoder layer
  }));
  CAPTURE(x_shape, C_out, k, s, p);
  const Variable x = random_var(x_shape, 1), w = random_var({C_out, x_shape[1], k, k}, 2), b = random_var({C_out}, 3);
  const Conv2dOptions options{{s, s}, {p, p}, {1, 1}};
  Variable y64 = conv2d(x, w, b, options);
  const Tensor g = random_var(y64.shape(), 4).data();
  y64.backward(g);

  const Variable x32 = as_float32(x), w32 = as_float32(w), b32 = as_float32(b);
  Variable y32 = conv2d(x32, w32, b32, options);
  y32.backward(g.to(DType::Float32));

  const ConvGeometry geometry =
      conv2d_geometry(x.shape(), w.shape(), options.stride, options.padding, options.dilation);
  Tensor loops = Tensor::empty(y64.shape(), DType::Float64);
  conv2d_reference<double>(x.data().data<double>(), w.data().data<double>(), b.data().data<double>(), geometry, C_out,
                           loops.data<double>());
  CHECK(relative_error(y32.data(), loops) < 1e-5);
  CHECK(relative_error(x32.grad(), x.grad()) < 1e-5);
  CHECK(relative_error(w32.grad(), w.grad()) < 1e-5);
  CHECK(relative_error(b32.grad(), b.grad()) < 1e-5);
}

TEST_CASE("conv_transpose2d in float32 agrees with float64 at the coursework's shapes") {
  using Row = std::tuple<Shape, int64_t, int64_t, int64_t, int64_t, int64_t>;  // x, C_out, k, s, p, output_padding
  const auto [x_shape, C_out, k, s, p, op] = GENERATE(table<Shape, int64_t, int64_t, int64_t, int64_t, int64_t>({
      Row{{32, 8, 5, 5}, 1, 3, 2, 1, 1},     // the autoencoder's decoder
      Row{{32, 16, 5, 5}, 8, 3, 2, 1, 1},    // the U-Net's up-convolution
      Row{{20, 32, 14, 14}, 1, 4, 2, 1, 0},  // a VAE decoder layer
      Row{{24, 4, 6, 6}, 3, 3, 1, 1, 0},     // stride 1: col2im's shifted path
  }));
  CAPTURE(x_shape, C_out, k, s, p, op);
  const Variable x = random_var(x_shape, 5), w = random_var({x_shape[1], C_out, k, k}, 6), b = random_var({C_out}, 7);
  ConvTranspose2dOptions options;
  options.stride = {s, s};
  options.padding = {p, p};
  options.output_padding = {op, op};
  Variable y64 = conv_transpose2d(x, w, b, options);
  const Tensor g = random_var(y64.shape(), 8).data();
  y64.backward(g);

  const Variable x32 = as_float32(x), w32 = as_float32(w), b32 = as_float32(b);
  Variable y32 = conv_transpose2d(x32, w32, b32, options);
  y32.backward(g.to(DType::Float32));
  CHECK(relative_error(y32.data(), y64.data()) < 1e-5);
  CHECK(relative_error(x32.grad(), x.grad()) < 1e-5);
  CHECK(relative_error(w32.grad(), w.grad()) < 1e-5);
  CHECK(relative_error(b32.grad(), b.grad()) < 1e-5);
}
