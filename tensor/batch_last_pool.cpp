// Max pooling with the batch as the last axis (tensor/batch_last.h): per output pixel, the
// window's taps compared a vector of images at a time.
#include <limits>
#include <vector>

#include "tensor/batch_last.h"
#include "tensor/batch_last_lanes.h"
#include "tensor/blas.h"
#include "tensor/parallel_for.h"

namespace convgrad {

using namespace batch_last;

namespace {
// f(oh, ow, rows, cols, at) for every output pixel of channel c: the window's taps inside x
// (rows × cols) and where the pixel's N values start in the output.
template <typename F>
void for_each_window(const ConvGeometry& g, int64_t c, F&& f) {
  for (int64_t oh = 0; oh < g.H_out; ++oh) {
    const TapRange rows = taps_inside(oh, g.K_h, g.stride[0], g.padding[0], g.dilation[0], g.H);
    for (int64_t ow = 0; ow < g.W_out; ++ow) {
      const TapRange cols = taps_inside(ow, g.K_w, g.stride[1], g.padding[1], g.dilation[1], g.W);
      f(oh, ow, rows, cols, ((c * g.H_out + oh) * g.W_out + ow) * g.N);
    }
  }
}
}  // namespace

template <typename T>
void max_pool2d_batch_last_forward(const T* x, const ConvGeometry& g, T* y, T* window) {
  using V = typename Vec<T>::type;
  constexpr int64_t lanes = Vec<T>::lanes;
  const int64_t N = g.N;
  parallel_for(g.C, worth_parallel(g.C * g.positions() * g.K_h * g.K_w * N), [&](int64_t c) {
    for_each_window(g, c, [&](int64_t oh, int64_t ow, const TapRange& rows, const TapRange& cols, int64_t at) {
        for (int64_t n = 0; n < N; n += lanes) {
          const int64_t count = std::min(lanes, N - n);
          // From −inf and no tap; then tap by tap in row-major order: a larger value, or a NaN, wins.
          V best = V{} - std::numeric_limits<T>::infinity();
          V best_tap = V{} - T(1);
          for (int64_t kh = rows.first; kh < rows.last; ++kh) {
            const int64_t ih = oh * g.stride[0] - g.padding[0] + kh * g.dilation[0];
            for (int64_t kw = cols.first; kw < cols.last; ++kw) {
              const int64_t iw = ow * g.stride[1] - g.padding[1] + kw * g.dilation[1];
              const V v = load_lanes(x + ((c * g.H + ih) * g.W + iw) * N + n, count);
              const bool first = kh == rows.first && kw == cols.first;  // a window's first tap always counts
              const auto take = first ? (v == v) | (v != v) : (v > best) | (v != v);
              best = take ? v : best;
              best_tap = take ? V{} + T(kh * g.K_w + kw) : best_tap;
            }
          }
          store_lanes(y + at + n, best, count);
          store_lanes(window + at + n, best_tap, count);
        }
    });
  });
}

// grad_x = 0, then per output pixel and tap, in row-major order: grad_x at the tap's input +=
// grad_y where the tap won, + 0 elsewhere (the same sums as adding each gradient to its winner).
template <typename T>
void max_pool2d_batch_last_backward(const T* grad_y, const T* window, const ConvGeometry& g, T* grad_x) {
  using V = typename Vec<T>::type;
  constexpr int64_t lanes = Vec<T>::lanes;
  const int64_t N = g.N;
  parallel_for(g.C, worth_parallel(g.C * (g.positions() + g.H * g.W) * N), [&](int64_t c) {
    T* plane = grad_x + c * g.H * g.W * N;
    std::fill(plane, plane + g.H * g.W * N, T(0));
    for_each_window(g, c, [&](int64_t oh, int64_t ow, const TapRange& rows, const TapRange& cols, int64_t at) {
        for (int64_t n = 0; n < N; n += lanes) {
          const int64_t count = std::min(lanes, N - n);
          const V dy = load_lanes(grad_y + at + n, count), won = load_lanes(window + at + n, count);
          for (int64_t kh = rows.first; kh < rows.last; ++kh) {
            const int64_t ih = oh * g.stride[0] - g.padding[0] + kh * g.dilation[0];
            for (int64_t kw = cols.first; kw < cols.last; ++kw) {
              const int64_t iw = ow * g.stride[1] - g.padding[1] + kw * g.dilation[1];
              T* dx = plane + (ih * g.W + iw) * N + n;
              const V add = won == T(kh * g.K_w + kw) ? dy : V{};
              store_lanes(dx, load_lanes(dx, count) + add, count);
            }
          }
        }
    });
  });
}

template void max_pool2d_batch_last_forward<float>(const float*, const ConvGeometry&, float*, float*);
template void max_pool2d_batch_last_forward<double>(const double*, const ConvGeometry&, double*, double*);
template void max_pool2d_batch_last_backward<float>(const float*, const float*, const ConvGeometry&, float*);
template void max_pool2d_batch_last_backward<double>(const double*, const double*, const ConvGeometry&, double*);

}  // namespace convgrad
