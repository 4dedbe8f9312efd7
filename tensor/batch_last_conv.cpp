// The three sums of a convolution with the batch as the last axis (tensor/batch_last.h).
// NOTE: compiled with -ffp-contract=fast (tensor/CMakeLists.txt): each tap is one fused
// multiply-add, as in conv_direct.cpp, whose sums these are in the same order.
#include <algorithm>
#include <vector>

#include "tensor/batch_last.h"
#include "tensor/batch_last_lanes.h"
#include "tensor/blas.h"
#include "tensor/parallel_for.h"

namespace convgrad {

using namespace batch_last;

namespace {

// Channels in blocks of 8 (each loaded input vector feeds 8 multiply-adds), then 4, then 1.
using direct::ChannelBlock;
std::vector<ChannelBlock> channel_blocks(int64_t channels) { return direct::channel_blocks(channels, 8); }

// f(std::integral_constant<int, width>) for a block's width 8, 4 or 1.
template <typename F>
void with_width(int64_t width, F&& f) {
  if (width == 8) f(std::integral_constant<int, 8>{});
  if (width == 4) f(std::integral_constant<int, 4>{});
  if (width == 1) f(std::integral_constant<int, 1>{});
}

// f(block, lanes, width, vectors, partial) for every (channel block, lane block) pair, the pairs
// split over threads when the work pays for it; the last three are compile-time constants.
template <typename T, typename F>
void for_block_pairs(const std::vector<ChannelBlock>& channels, const std::vector<LaneBlock>& lanes, bool split,
                     F&& f) {
  const int64_t tasks = static_cast<int64_t>(channels.size() * lanes.size());
  parallel_for(tasks, split, [&](int64_t k) {
    const ChannelBlock& cb = channels[k / lanes.size()];
    const LaneBlock& b = lanes[k % lanes.size()];
    with_width(cb.width, [&](auto width) {
      with_block_shape<T>(b, [&](auto vectors, auto partial) { f(cb, b, width, vectors, partial); });
    });
  });
}

// v, or relu(v) = (v < 0 ? 0 : v) lane by lane: a NaN fails the test and passes, −0 too.
template <typename V>
inline V activated(V v, Activation activation) {
  if (activation == Activation::relu) return v < 0 ? V{} : v;
  return v;
}

// ---- forward: y = activation(conv2d(x, W) + b), one output pixel at a time ----
// Output channels [o0, o0 + kOut) of the images in block b. w_block [C][K_h][K_w][kOut]: the
// kOut weights of one (c, kh, kw) side by side, broadcast one at a time. `window`: each output
// pixel's taps inside x (taps_by_output_pixel).
template <typename T, int kOut, int kVectors, bool kPartial>
void forward_block(const T* x, const T* w_block, const T* bias, int64_t o0, const ConvGeometry& g,
                   const PixelTaps& window, const LaneBlock& b, Activation activation, T* y) {
  using V = typename Vec<T>::type;
  const int64_t N = g.N, plane = g.H * g.W * N, taps = g.K_h * g.K_w;
  for (int64_t p = 0; p < window.pixels(); ++p) {
    V sum[kOut][kVectors] = {};
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t e = window.first[p]; e < window.first[p + 1]; ++e) {
        const T* x_at = x + c * plane + window.other[e] + b.first;
        const T* w = w_block + (c * taps + window.tap[e]) * kOut;
        V in[kVectors];
        for (int v = 0; v < kVectors; ++v) in[v] = load_vector<T, kPartial>(x_at, v, b.last);
        for (int ob = 0; ob < kOut; ++ob)
          for (int v = 0; v < kVectors; ++v) sum[ob][v] += w[ob] * in[v];
      }
    for (int ob = 0; ob < kOut; ++ob) {
      T* out = y + ((o0 + ob) * g.positions() + p) * N + b.first;
      const T add = bias != nullptr ? bias[o0 + ob] : T(0);
      for (int v = 0; v < kVectors; ++v) store_vector<T, kPartial>(out, v, activated(sum[ob][v] + add, activation), b.last);
    }
  }
}

// ---- dL/dx: per input pixel, the output pixels and taps that read it ----
// Input channels [c0, c0 + kOut) of block b. w_block [C_out][K_h][K_w][kOut]: W[o][c0 + cb][kh][kw].
// `readers`: each input pixel's output pixels and taps (taps_by_input_pixel).
// A narrow block (one channel: the single-channel image of a decoder's last conv_transpose2d)
// takes kPixels pixels at a time: each sum is a chain of dependent multiply-adds, and one
// pixel's kVectors chains alone would leave the multiply-add units waiting on each result.
template <typename T, int kOut, int kVectors, bool kPartial>
void input_grad_block(const T* grad_y, const T* w_block, int64_t c0, const ConvGeometry& g, int64_t C_out,
                      const PixelTaps& readers, const LaneBlock& b, T* grad_x) {
  using V = typename Vec<T>::type;
  constexpr int kPixels = kOut == 1 ? 4 : 1;
  const int64_t N = g.N, out_plane = g.positions() * N, taps = g.K_h * g.K_w, pixels = readers.pixels();
  for (int64_t p0 = 0; p0 < pixels; p0 += kPixels) {
    V sum[kPixels][kOut][kVectors] = {};
#pragma GCC unroll 4
    for (int px = 0; px < kPixels; ++px)  // unrolled: each pixel's sums stay in registers
      if (p0 + px < pixels)
        for (int64_t e = readers.first[p0 + px]; e < readers.first[p0 + px + 1]; ++e) {
          // the same tap of every output channel: a loop of fixed length, whatever the pixel
          const T* dy = grad_y + readers.other[e] + b.first;
          const T* w = w_block + readers.tap[e] * kOut;
          for (int64_t o = 0; o < C_out; ++o) {
            V in[kVectors];
            for (int v = 0; v < kVectors; ++v) in[v] = load_vector<T, kPartial>(dy + o * out_plane, v, b.last);
            for (int cb = 0; cb < kOut; ++cb)
              for (int v = 0; v < kVectors; ++v) sum[px][cb][v] += w[o * taps * kOut + cb] * in[v];
          }
        }
    for (int px = 0; px < kPixels && p0 + px < pixels; ++px)
      for (int cb = 0; cb < kOut; ++cb) {
        T* out = grad_x + ((c0 + cb) * pixels + p0 + px) * N + b.first;
        for (int v = 0; v < kVectors; ++v) store_vector<T, kPartial>(out, v, sum[px][cb][v], b.last);
      }
  }
}

// ---- dL/dW: per weight, a dot product over the output pixels and the images ----
// Output channels [o0, o0 + kOut) × input channel c × the kTaps taps t0, t0 + 1, … (kernel
// positions in row-major order), lane by lane: each loaded dL/dy vector feeds kTaps multiply-adds
// and each x vector kOut. The sums go lane block by lane block, pixel by pixel within one.
// `reads`: every tap of every output pixel (taps_by_output_pixel with outside ones kept), a tap
// outside x reading `zeros` (N zeros) instead.
template <typename T, int kOut, int kTaps>
void weight_grad_taps(const T* x, const T* grad_y, int64_t o0, int64_t c, int64_t t0, const ConvGeometry& g,
                      const PixelTaps& reads, const T* zeros, const std::vector<LaneBlock>& blocks, T* grad_weight) {
  using V = typename Vec<T>::type;
  const int64_t N = g.N, taps = g.K_h * g.K_w, dy_channel = g.positions() * N;
  const T* x_c = x + c * g.H * g.W * N;
  const T* dy_o = grad_y + o0 * dy_channel;
  V sum[kOut][kTaps] = {};
  for (const LaneBlock& b : blocks)
    with_block_shape<T>(b, [&](auto vectors, auto partial) {
      constexpr int kVectors = decltype(vectors)::value;
      constexpr bool kPartial = decltype(partial)::value;
      for (int64_t p = 0; p < g.positions(); ++p) {
        const int64_t* at = reads.other.data() + p * taps + t0;
        bool any_inside = false;  // none: the whole run reads zeros (a kernel row above or below x)
        for (int t = 0; t < kTaps; ++t) any_inside |= at[t] >= 0;
        if (!any_inside) continue;
        const T* x_at[kTaps];
        for (int t = 0; t < kTaps; ++t) x_at[t] = (at[t] >= 0 ? x_c + at[t] : zeros) + b.first;
        const T* dy = dy_o + p * N + b.first;
        for (int v = 0; v < kVectors; ++v) {
          V xv[kTaps];
          for (int t = 0; t < kTaps; ++t) xv[t] = load_vector<T, kPartial>(x_at[t], v, b.last);
          for (int ob = 0; ob < kOut; ++ob) {
            V dv = load_vector<T, kPartial>(dy + ob * dy_channel, v, b.last);
            asm("" : "+v"(dv));  // one load per channel, not one per tap (see direct_kernels.h)
            for (int t = 0; t < kTaps; ++t) sum[ob][t] += dv * xv[t];
          }
        }
      }
    });
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) grad_weight[((o0 + ob) * g.C + c) * taps + t0 + t] = direct::lane_total<T>(sum[ob][t]);
}

}  // namespace

template <typename T>
void conv2d_batch_last_forward(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* y,
                               Activation activation) {
  const int64_t taps = g.K_h * g.K_w;
  const std::vector<ChannelBlock> channels = channel_blocks(C_out);
  const std::vector<LaneBlock> lanes = lane_blocks<T>(g.N);
  // Weights block by block: block [C][K_h][K_w][width].
  std::vector<T> packed(static_cast<size_t>(C_out * g.C * taps));
  for (const ChannelBlock& cb : channels)
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t ob = 0; ob < cb.width; ++ob)
          packed[cb.first * g.C * taps + (c * taps + tap) * cb.width + ob] = weight[((cb.first + ob) * g.C + c) * taps + tap];
  const std::shared_ptr<const PixelTaps> window = cached<taps_by_output_pixel>(g);
  for_block_pairs<T>(channels, lanes, worth_parallel(C_out * g.col_rows() * g.col_cols()),
                     [&](const ChannelBlock& cb, const LaneBlock& b, auto width, auto vectors, auto partial) {
    forward_block<T, decltype(width)::value, decltype(vectors)::value, decltype(partial)::value>(
        x, packed.data() + cb.first * g.C * taps, bias, cb.first, g, *window, b, activation, y);
  });
}

template <typename T>
void conv2d_batch_last_input_grad(const T* grad_y, const T* weight, const ConvGeometry& g, int64_t C_out, T* grad_x) {
  const int64_t taps = g.K_h * g.K_w;
  const std::vector<ChannelBlock> channels = channel_blocks(g.C);
  const std::vector<LaneBlock> lanes = lane_blocks<T>(g.N);
  // Weights by input-channel block: block [C_out][K_h][K_w][width].
  std::vector<T> packed(static_cast<size_t>(C_out * g.C * taps));
  for (const ChannelBlock& cb : channels)
    for (int64_t o = 0; o < C_out; ++o)
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t i = 0; i < cb.width; ++i)
          packed[cb.first * C_out * taps + (o * taps + tap) * cb.width + i] = weight[(o * g.C + cb.first + i) * taps + tap];
  const std::shared_ptr<const PixelTaps> readers = cached<taps_by_input_pixel>(g);
  for_block_pairs<T>(channels, lanes, worth_parallel(C_out * g.col_rows() * g.col_cols()),
                     [&](const ChannelBlock& cb, const LaneBlock& b, auto width, auto vectors, auto partial) {
    input_grad_block<T, decltype(width)::value, decltype(vectors)::value, decltype(partial)::value>(
        grad_y, packed.data() + cb.first * C_out * taps, cb.first, g, C_out, *readers, b, grad_x);
  });
}

template <typename T>
void conv2d_batch_last_weight_grad(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out,
                                   T* grad_weight) {
  const int64_t taps = g.K_h * g.K_w;
  const std::vector<ChannelBlock> channels = channel_blocks(C_out);
  const std::vector<LaneBlock> lanes = lane_blocks<T>(g.N);
  const std::shared_ptr<const PixelTaps> reads = cached<every_tap_by_output_pixel>(g);
  const std::vector<T> zeros(static_cast<size_t>(g.N));
  const int64_t runs = (taps + 2) / 3;  // taps in runs of 3 (24 sums in registers), the last one shorter
  const int64_t tasks = static_cast<int64_t>(channels.size()) * g.C * runs;
  parallel_for(tasks, worth_parallel(C_out * g.col_rows() * g.col_cols()), [&](int64_t k) {
    const ChannelBlock& cb = channels[k / (g.C * runs)];
    const int64_t c = k / runs % g.C, t0 = k % runs * 3, count = std::min<int64_t>(3, taps - t0);
    with_width(cb.width, [&](auto width) {
      constexpr int kOut = decltype(width)::value;
      if (count == 3) weight_grad_taps<T, kOut, 3>(x, grad_y, cb.first, c, t0, g, *reads, zeros.data(), lanes, grad_weight);
      if (count == 2) weight_grad_taps<T, kOut, 2>(x, grad_y, cb.first, c, t0, g, *reads, zeros.data(), lanes, grad_weight);
      if (count == 1) weight_grad_taps<T, kOut, 1>(x, grad_y, cb.first, c, t0, g, *reads, zeros.data(), lanes, grad_weight);
    });
  });
}

namespace {
// Channel by channel (C channels of n values): g = grad_y, or with kRelu grad_y where y > 0 or
// NaN and 0 where y ≤ 0; written to grad_z and summed into grad_bias[c] where these are given.
template <typename T, bool kRelu>
void channel_pass(const T* grad_y, const T* y, int64_t C, int64_t n, T* grad_z, T* grad_bias) {
  using V = typename Vec<T>::type;
  constexpr int64_t lanes = Vec<T>::lanes;
  for (int64_t c = 0; c < C; ++c) {
    const int64_t at = c * n;
    V sum[4] = {};  // vector i in sum[i % 4]: four independent chains of additions, not one
    const auto step = [&](int64_t i, int64_t count, V& into) {
      V v = load_lanes(grad_y + at + i, count);
      if constexpr (kRelu) v = load_lanes(y + at + i, count) <= 0 ? V{} : v;
      if (grad_z != nullptr) store_lanes(grad_z + at + i, v, count);
      into += v;
    };
    int64_t i = 0;
    for (; i + 4 * lanes <= n; i += 4 * lanes)  // whole vectors: plain loads and stores
      for (int k = 0; k < 4; ++k) step(i + k * lanes, lanes, sum[k]);
    for (int k = 0; i < n; i += lanes, ++k) step(i, std::min(lanes, n - i), sum[k]);
    if (grad_bias != nullptr) grad_bias[c] = direct::lane_total<T>((sum[0] + sum[1]) + (sum[2] + sum[3]));
  }
}
}  // namespace

template <typename T>
void channel_sums_batch_last(const T* grad_y, int64_t C, int64_t values_per_channel, T* grad_bias) {
  channel_pass<T, false>(grad_y, nullptr, C, values_per_channel, nullptr, grad_bias);
}

template <typename T>
void activation_grad_batch_last(const T* grad_y, const T* y, int64_t C, int64_t values_per_channel,
                                Activation activation, T* grad_z, T* grad_bias) {
  if (activation == Activation::relu) channel_pass<T, true>(grad_y, y, C, values_per_channel, grad_z, grad_bias);
  else channel_pass<T, false>(grad_y, y, C, values_per_channel, grad_z, grad_bias);
}

template <typename T>
void bias_and_activation_batch_last(T* y, const T* bias, int64_t C, int64_t per_channel, Activation activation) {
  for (int64_t c = 0; c < C; ++c) {
    T* y_c = y + c * per_channel;
    const T add = bias != nullptr ? bias[c] : T(0);
    if (activation == Activation::relu) {
      for (int64_t i = 0; i < per_channel; ++i) y_c[i] = y_c[i] + add < 0 ? T(0) : y_c[i] + add;
    } else if (bias != nullptr) {
      for (int64_t i = 0; i < per_channel; ++i) y_c[i] += add;
    }
  }
}

#define CONVGRAD_INSTANTIATE(T)                                                                                    \
  template void conv2d_batch_last_forward<T>(const T*, const T*, const T*, const ConvGeometry&, int64_t, T*, Activation); \
  template void bias_and_activation_batch_last<T>(T*, const T*, int64_t, int64_t, Activation);                     \
  template void activation_grad_batch_last<T>(const T*, const T*, int64_t, int64_t, Activation, T*, T*);            \
  template void conv2d_batch_last_input_grad<T>(const T*, const T*, const ConvGeometry&, int64_t, T*);             \
  template void conv2d_batch_last_weight_grad<T>(const T*, const T*, const ConvGeometry&, int64_t, T*);            \
  template void channel_sums_batch_last<T>(const T*, int64_t, int64_t, T*);
CONVGRAD_INSTANTIATE(float)
CONVGRAD_INSTANTIATE(double)
#undef CONVGRAD_INSTANTIATE

}  // namespace convgrad
