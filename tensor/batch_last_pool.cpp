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
// The windows of one channel (taps_by_output_pixel), with each tap's index also in x's type, to
// compare with the lanes of a window.
template <typename T>
struct Windows {
  std::shared_ptr<const PixelTaps> kept;
  const PixelTaps& taps;
  std::vector<T> tap_index;
  explicit Windows(const ConvGeometry& g)
      : kept(cached<taps_by_output_pixel>(g)), taps(*kept), tap_index(taps.tap.begin(), taps.tap.end()) {}
};

// The windows of one channel over the images of lane block b. Per window: its first tap (or −inf
// and no tap, for a window with none inside x); then tap by tap in row-major order, a larger
// value, or a NaN, wins.
template <typename T, int kVectors, bool kPartial>
void channel_max(const T* x, const Windows<T>& w, const LaneBlock& b, int64_t N, T* y, T* window) {
  using V = typename Vec<T>::type;
  for (int64_t p = 0; p < w.taps.pixels(); ++p) {
    const int64_t first = w.taps.first[p], count = w.taps.first[p + 1] - first;
    const int64_t* offsets = w.taps.other.data() + first;
    const T* taps = w.tap_index.data() + first;
    V best[kVectors], best_tap[kVectors];
    for (int v = 0; v < kVectors; ++v) {
      best[v] = count > 0 ? load_vector<T, kPartial>(x + offsets[0] + b.first, v, b.last)
                          : V{} - std::numeric_limits<T>::infinity();
      best_tap[v] = V{} + (count > 0 ? taps[0] : T(-1));
    }
    for (int64_t t = 1; t < count; ++t)
      for (int v = 0; v < kVectors; ++v) {
        const V in = load_vector<T, kPartial>(x + offsets[t] + b.first, v, b.last);
        const auto take = (in > best[v]) | (in != in);
        best[v] = take ? in : best[v];
        best_tap[v] = take ? V{} + taps[t] : best_tap[v];
      }
    for (int v = 0; v < kVectors; ++v) {
      store_vector<T, kPartial>(y + p * N + b.first, v, best[v], b.last);
      store_vector<T, kPartial>(window + p * N + b.first, v, best_tap[v], b.last);
    }
  }
}

// One channel's grad_x over the images of lane block b: per window and tap, at the tap's input
// + grad_y where the tap won, + 0 elsewhere. kAlone: no input is in two windows, so each is
// written once (no sum to add to; grad_x need not be zeroed first where windows cover it).
template <typename T, int kVectors, bool kPartial, bool kAlone>
void channel_grad(const T* grad_y, const T* window, const Windows<T>& w, const LaneBlock& b, int64_t N, T* grad_x) {
  using V = typename Vec<T>::type;
  const int64_t windows = w.taps.pixels(), n0 = b.first, last = b.last;
  const int64_t* first = w.taps.first.data();  // locals: the stores below could alias the vectors' fields
  const int64_t* offsets = w.taps.other.data();
  const T* taps = w.tap_index.data();
  for (int64_t p = 0; p < windows; ++p) {
    V dy[kVectors], won[kVectors];
    for (int v = 0; v < kVectors; ++v) {
      dy[v] = load_vector<T, kPartial>(grad_y + p * N + n0, v, last);
      won[v] = load_vector<T, kPartial>(window + p * N + n0, v, last);
    }
    for (int64_t t = first[p]; t < first[p + 1]; ++t) {
      T* dx = grad_x + offsets[t] + n0;
      for (int v = 0; v < kVectors; ++v) {
        const V share = won[v] == taps[t] ? dy[v] : V{};
        store_vector<T, kPartial>(dx, v, kAlone ? share : load_vector<T, kPartial>(dx, v, last) + share, last);
      }
    }
  }
}

// f(c, block, vectors, partial) for every channel and lane block, the channels split over
// threads when the work pays for it; the last two are compile-time constants.
template <typename T, typename F>
void for_channel_blocks(const ConvGeometry& g, bool split, F&& f) {
  const std::vector<LaneBlock> blocks = lane_blocks<T>(g.N);
  parallel_for(g.C, split, [&](int64_t c) {
    for (const LaneBlock& b : blocks)
      with_block_shape<T>(b, [&](auto vectors, auto partial) { f(c, b, vectors, partial); });
  });
}
}  // namespace

template <typename T>
void max_pool2d_batch_last_forward(const T* x, const ConvGeometry& g, T* y, T* window) {
  const Windows<T> w(g);
  const int64_t plane = g.H * g.W * g.N, out_plane = g.positions() * g.N;
  for_channel_blocks<T>(g, worth_parallel(g.C * g.positions() * g.K_h * g.K_w * g.N),
                        [&](int64_t c, const LaneBlock& b, auto vectors, auto partial) {
    channel_max<T, decltype(vectors)::value, decltype(partial)::value>(x + c * plane, w, b, g.N, y + c * out_plane,
                                                                       window + c * out_plane);
  });
}

// grad_x = 0, then per output pixel and tap, in row-major order: grad_x at the tap's input +=
// grad_y where the tap won, + 0 elsewhere (the same sums as adding each gradient to its winner).
template <typename T>
void max_pool2d_batch_last_backward(const T* grad_y, const T* window, const ConvGeometry& g, T* grad_x) {
  const Windows<T> w(g);
  const int64_t plane = g.H * g.W * g.N, out_plane = g.positions() * g.N;
  // Windows that never overlap (stride ≥ the window's extent) and cover every input leave
  // nothing to zero and nothing to add to.
  const bool alone = g.stride[0] >= g.dilation[0] * (g.K_h - 1) + 1 && g.stride[1] >= g.dilation[1] * (g.K_w - 1) + 1;
  const bool covered = alone && static_cast<int64_t>(w.taps.other.size()) == g.H * g.W;
  if (!covered) std::fill(grad_x, grad_x + g.C * plane, T(0));
  for_channel_blocks<T>(g, worth_parallel(g.C * (g.positions() + g.H * g.W) * g.N),
                        [&](int64_t c, const LaneBlock& b, auto vectors, auto partial) {
    constexpr int kVectors = decltype(vectors)::value;
    constexpr bool kPartial = decltype(partial)::value;
    const T* dy = grad_y + c * out_plane;
    const T* won = window + c * out_plane;
    if (alone) channel_grad<T, kVectors, kPartial, true>(dy, won, w, b, g.N, grad_x + c * plane);
    else channel_grad<T, kVectors, kPartial, false>(dy, won, w, b, g.N, grad_x + c * plane);
  });
}

template void max_pool2d_batch_last_forward<float>(const float*, const ConvGeometry&, float*, float*);
template void max_pool2d_batch_last_forward<double>(const double*, const ConvGeometry&, double*, double*);
template void max_pool2d_batch_last_backward<float>(const float*, const float*, const ConvGeometry&, float*);
template void max_pool2d_batch_last_backward<double>(const double*, const double*, const ConvGeometry&, double*);

}  // namespace convgrad
