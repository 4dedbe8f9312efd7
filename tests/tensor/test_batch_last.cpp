// The batch-last kernels (tensor/batch_last.h) against the plain loops that define the three
// sums of a convolution, and against the NCHW max-pool kernels: float64 to rounding, float32 to
// 1e-5 relative; batches that fill no vector, whole vectors, and whole ones plus a partial one;
// strides, paddings, dilations and rectangular kernels; every channel block width (8, 4, 1).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "tensor/batch_last.h"
#include "tensor/random.h"

using namespace convgrad;

namespace {

// [N, rest...] → [rest..., N]
template <typename T>
std::vector<T> to_batch_last(const T* v, int64_t N, int64_t per_image) {
  std::vector<T> out(static_cast<size_t>(N * per_image));
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < per_image; ++i) out[i * N + n] = v[n * per_image + i];
  return out;
}

// max |got − want| / max(1, max |want|); a NaN where the other has a number is infinitely wrong.
template <typename T>
double relative_error(const std::vector<T>& got, const std::vector<T>& want) {
  double diff = 0.0, scale = 1.0;
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(got[i]) || std::isnan(want[i])) {
      if (std::isnan(got[i]) != std::isnan(want[i])) return std::numeric_limits<double>::infinity();
      continue;
    }
    diff = std::max(diff, std::abs(static_cast<double>(got[i]) - static_cast<double>(want[i])));
    scale = std::max(scale, std::abs(static_cast<double>(want[i])));
  }
  return diff / scale;
}

// The convolution's three sums as one loop nest over (n, o, c, oh, ow, kh, kw), NCHW:
//   y += W·x (+ b),  dx += W·dy,  dW += dy·x,  wherever the tap lands inside x.
template <typename T>
struct Reference {
  std::vector<T> y, grad_x, grad_w;
  Reference(const T* x, const T* w, const T* b, const T* dy, const ConvGeometry& g, int64_t C_out)
      : y(static_cast<size_t>(g.N * C_out * g.positions())),
        grad_x(static_cast<size_t>(g.N * g.C * g.H * g.W)),
        grad_w(static_cast<size_t>(C_out * g.col_rows())) {
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t o = 0; o < C_out; ++o)
        for (int64_t oh = 0; oh < g.H_out; ++oh)
          for (int64_t ow = 0; ow < g.W_out; ++ow) {
            const int64_t out = ((n * C_out + o) * g.H_out + oh) * g.W_out + ow;
            T sum = b[o];
            for (int64_t c = 0; c < g.C; ++c)
              for (int64_t kh = 0; kh < g.K_h; ++kh)
                for (int64_t kw = 0; kw < g.K_w; ++kw) {
                  const int64_t ih = oh * g.stride[0] - g.padding[0] + kh * g.dilation[0];
                  const int64_t iw = ow * g.stride[1] - g.padding[1] + kw * g.dilation[1];
                  if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                  const int64_t in = ((n * g.C + c) * g.H + ih) * g.W + iw;
                  const int64_t wi = ((o * g.C + c) * g.K_h + kh) * g.K_w + kw;
                  sum += w[wi] * x[in];
                  grad_x[in] += w[wi] * dy[out];
                  grad_w[wi] += dy[out] * x[in];
                }
            y[out] = sum;
          }
  }
};

template <typename T>
std::vector<T> random_values(int64_t count, Generator& gen) {
  const Tensor t = uniform({count}, -1.0, 1.0, gen, dtype_of<T>());
  return std::vector<T>(t.data<T>(), t.data<T>() + count);
}

template <typename T>
void check_conv(const ConvGeometry& g, int64_t C_out, double tolerance) {
  Generator gen(7);
  const int64_t x_per = g.C * g.H * g.W, y_per = C_out * g.positions();
  const std::vector<T> x = random_values<T>(g.N * x_per, gen), w = random_values<T>(C_out * g.col_rows(), gen),
                       b = random_values<T>(C_out, gen), dy = random_values<T>(g.N * y_per, gen);
  const Reference<T> want(x.data(), w.data(), b.data(), dy.data(), g, C_out);
  const std::vector<T> x_bl = to_batch_last(x.data(), g.N, x_per), dy_bl = to_batch_last(dy.data(), g.N, y_per);
  std::vector<T> y(want.y.size()), grad_x(want.grad_x.size()), grad_w(want.grad_w.size()), grad_b(C_out);
  conv2d_batch_last_forward(x_bl.data(), w.data(), b.data(), g, C_out, y.data());
  conv2d_batch_last_input_grad(dy_bl.data(), w.data(), g, C_out, grad_x.data());
  conv2d_batch_last_weight_grad(x_bl.data(), dy_bl.data(), g, C_out, grad_w.data());
  channel_sums_batch_last(dy_bl.data(), C_out, g.positions() * g.N, grad_b.data());
  std::vector<T> want_b(C_out, T(0));
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t i = 0; i < y_per; ++i) want_b[i / g.positions()] += dy[n * y_per + i];
  CHECK(relative_error(y, to_batch_last(want.y.data(), g.N, y_per)) < tolerance);
  CHECK(relative_error(grad_x, to_batch_last(want.grad_x.data(), g.N, x_per)) < tolerance);
  CHECK(relative_error(grad_w, want.grad_w) < tolerance);
  CHECK(relative_error(grad_b, want_b) < tolerance);
}

}  // namespace

TEST_CASE("the batch-last convolution's forward, dL/dx and dL/dW equal the plain loop nest") {
  // N, C, C_out, kernel, stride, padding, dilation, input H x W
  using Row = std::tuple<int64_t, int64_t, int64_t, Pair, Pair, Pair, Pair, Pair>;
  const auto [N, C, C_out, kernel, stride, padding, dilation, size] =
      GENERATE(table<int64_t, int64_t, int64_t, Pair, Pair, Pair, Pair, Pair>({
          Row{32, 16, 8, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {10, 10}},  // the U-Net's conv3
          Row{24, 8, 16, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {5, 5}},    // conv2, the epoch's last batch
          Row{56, 1, 8, {3, 3}, {1, 1}, {1, 1}, {1, 1}, {10, 10}},   // conv1: 2 + 1 + a partial vector
          Row{7, 8, 1, {1, 1}, {1, 1}, {0, 0}, {1, 1}, {10, 10}},    // conv4: one partial vector
          Row{17, 3, 13, {3, 5}, {1, 1}, {0, 2}, {1, 1}, {7, 9}},    // blocks 8 + 4 + 1, rectangular
          Row{33, 5, 6, {3, 3}, {2, 2}, {1, 1}, {1, 1}, {10, 10}},   // stride 2 (the transposed conv's)
          Row{20, 4, 5, {4, 4}, {2, 3}, {1, 2}, {1, 1}, {9, 11}},    // uneven strides
          Row{9, 2, 4, {3, 2}, {1, 1}, {3, 2}, {2, 3}, {6, 8}},      // dilation, padding past the kernel
          Row{1, 3, 9, {3, 3}, {3, 3}, {0, 0}, {1, 1}, {5, 5}},      // one image
      }));
  const ConvGeometry g = conv2d_geometry({N, C, size[0], size[1]}, {C_out, C, kernel[0], kernel[1]}, stride, padding,
                                         dilation);
  CAPTURE(N, C, C_out, kernel, stride, padding, dilation, size);
  SECTION("float64") { check_conv<double>(g, C_out, 1e-12); }
  SECTION("float32") { check_conv<float>(g, C_out, 1e-5); }
}

TEST_CASE("the batch-last kernels' tap tables, kept per geometry, are not reused for another batch size") {
  // The same image and kernel one after the other with 19 images, then 40: each call must use
  // the table of its own N (the images' stride in every offset).
  for (const int64_t N : {19, 40, 19}) {
    CAPTURE(N);
    check_conv<float>(conv2d_geometry({N, 3, 6, 6}, {5, 3, 3, 3}, {2, 2}, {1, 1}, {1, 1}), 5, 1e-5);
  }
}

TEST_CASE("the batch-last max pool picks the NCHW kernel's winners and routes its gradients") {
  // N, C, kernel, stride, padding, dilation, ceil_mode, input H x W
  using Row = std::tuple<int64_t, int64_t, Pair, Pair, Pair, Pair, bool, Pair>;
  const auto [N, C, kernel, stride, padding, dilation, ceil_mode, size] =
      GENERATE(table<int64_t, int64_t, Pair, Pair, Pair, Pair, bool, Pair>({
          Row{32, 8, {2, 2}, {2, 2}, {0, 0}, {1, 1}, false, {10, 10}},  // the coursework's pool
          Row{21, 3, {3, 3}, {2, 2}, {1, 1}, {1, 1}, true, {7, 8}},     // overlapping windows, padding
          Row{5, 2, {2, 3}, {1, 2}, {1, 1}, {2, 1}, false, {6, 7}},     // dilation
          Row{7, 2, {2, 2}, {2, 2}, {0, 0}, {1, 1}, false, {11, 9}},    // last row and column in no window
          Row{17, 3, {2, 2}, {3, 3}, {1, 1}, {1, 1}, true, {8, 8}},     // gaps between windows
      }));
  Generator gen(3);
  const ConvGeometry g = max_pool2d_geometry({N, C, size[0], size[1]}, kernel, stride, padding, dilation, ceil_mode);
  const int64_t x_per = C * g.H * g.W, y_per = C * g.positions();
  std::vector<double> x = random_values<double>(N * x_per, gen);
  for (int64_t i = 0; i < N * x_per; i += 5) x[i] = x[(i * 7) % (N * x_per)];  // ties
  x[3] = std::nan("");
  const std::vector<double> dy = random_values<double>(N * y_per, gen);
  std::vector<double> want_y(N * y_per), want_dx(N * x_per);
  std::vector<int64_t> index(N * y_per);
  max_pool2d_forward(x.data(), g, want_y.data(), index.data());
  max_pool2d_backward(dy.data(), index.data(), g, want_dx.data());

  const std::vector<double> x_bl = to_batch_last(x.data(), N, x_per), dy_bl = to_batch_last(dy.data(), N, y_per);
  // NaN-filled: every value must be written (grad_x 0 where no window reads)
  std::vector<double> y(N * y_per, std::nan("")), window(N * y_per, std::nan("")), dx(N * x_per, std::nan(""));
  max_pool2d_batch_last_forward(x_bl.data(), g, y.data(), window.data());
  max_pool2d_batch_last_backward(dy_bl.data(), window.data(), g, dx.data());
  const std::vector<double> want_y_bl = to_batch_last(want_y.data(), N, y_per);
  for (size_t i = 0; i < y.size(); ++i) {
    CAPTURE(i);
    if (std::isnan(want_y_bl[i])) CHECK(std::isnan(y[i]));
    else CHECK(y[i] == want_y_bl[i]);
  }
  // the winning tap as the NCHW kernel's index h · W + w
  for (int64_t n = 0; n < N; ++n)
    for (int64_t i = 0; i < y_per; ++i) {
      const int64_t tap = static_cast<int64_t>(window[i * N + n]), p = i % g.positions();
      const int64_t oh = p / g.W_out, ow = p % g.W_out;
      const int64_t h = oh * g.stride[0] - g.padding[0] + tap / g.K_w * g.dilation[0];
      const int64_t w = ow * g.stride[1] - g.padding[1] + tap % g.K_w * g.dilation[1];
      CHECK(h * g.W + w == index[n * y_per + i]);
    }
  CHECK(relative_error(dx, to_batch_last(want_dx.data(), N, x_per)) == 0.0);
}
