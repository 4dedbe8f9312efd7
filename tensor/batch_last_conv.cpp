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

// ---- forward: y = conv2d(x, W) + b, one output pixel at a time ----
// Output channels [o0, o0 + kOut) of the images in block b. w_block [C][K_h][K_w][kOut]: the
// kOut weights of one (c, kh, kw) side by side, broadcast one at a time.
template <typename T, int kOut, int kVectors, bool kPartial>
void forward_block(const T* x, const T* w_block, const T* bias, int64_t o0, const ConvGeometry& g,
                   const LaneBlock& b, T* y) {
  using V = typename Vec<T>::type;
  const int64_t N = g.N;
  for (int64_t oh = 0; oh < g.H_out; ++oh) {
    const TapRange rows = taps_inside(oh, g.K_h, g.stride[0], g.padding[0], g.dilation[0], g.H);
    const int64_t ih0 = oh * g.stride[0] - g.padding[0];
    for (int64_t ow = 0; ow < g.W_out; ++ow) {
      const TapRange cols = taps_inside(ow, g.K_w, g.stride[1], g.padding[1], g.dilation[1], g.W);
      const int64_t iw0 = ow * g.stride[1] - g.padding[1];
      V sum[kOut][kVectors] = {};
      for (int64_t c = 0; c < g.C; ++c)
        for (int64_t kh = rows.first; kh < rows.last; ++kh) {
          const T* x_row = x + ((c * g.H + ih0 + kh * g.dilation[0]) * g.W + iw0) * N + b.first;
          const T* w_row = w_block + (c * g.K_h + kh) * g.K_w * kOut;
          for (int64_t kw = cols.first; kw < cols.last; ++kw) {
            V in[kVectors];
            for (int v = 0; v < kVectors; ++v) in[v] = load_vector<T, kPartial>(x_row + kw * g.dilation[1] * N, v, b.last);
            for (int ob = 0; ob < kOut; ++ob) {
              const T weight = w_row[kw * kOut + ob];
              for (int v = 0; v < kVectors; ++v) sum[ob][v] += weight * in[v];
            }
          }
        }
      for (int ob = 0; ob < kOut; ++ob) {
        T* out = y + (((o0 + ob) * g.H_out + oh) * g.W_out + ow) * N + b.first;
        const T add = bias != nullptr ? bias[o0 + ob] : T(0);
        for (int v = 0; v < kVectors; ++v) store_vector<T, kPartial>(out, v, sum[ob][v] + add, b.last);
      }
    }
  }
}

// ---- dL/dx: per input pixel, the output pixels and taps that read it ----
// One axis: for input i, the taps k (largest first, the flipped kernel's order) and the outputs
// o = (i + p − k·d) / s that read it.
struct TapOutput {
  int64_t tap, output;
};
std::vector<std::vector<TapOutput>> readers(int64_t in_size, int64_t out_size, int64_t K, int64_t s, int64_t p,
                                            int64_t d) {
  std::vector<std::vector<TapOutput>> r(static_cast<size_t>(in_size));
  for (int64_t i = 0; i < in_size; ++i)
    for (int64_t k = K - 1; k >= 0; --k) {
      const int64_t t = i + p - k * d;
      if (t >= 0 && t % s == 0 && t / s < out_size) r[i].push_back({k, t / s});
    }
  return r;
}

// Input channels [c0, c0 + kOut) of block b. w_block [C_out][K_h][K_w][kOut]: W[o][c0 + cb][kh][kw].
template <typename T, int kOut, int kVectors, bool kPartial>
void input_grad_block(const T* grad_y, const T* w_block, int64_t c0, const ConvGeometry& g, int64_t C_out,
                      const std::vector<std::vector<TapOutput>>& row_readers,
                      const std::vector<std::vector<TapOutput>>& col_readers, const LaneBlock& b, T* grad_x) {
  using V = typename Vec<T>::type;
  const int64_t N = g.N;
  for (int64_t ih = 0; ih < g.H; ++ih)
    for (int64_t iw = 0; iw < g.W; ++iw) {
      V sum[kOut][kVectors] = {};
      for (int64_t o = 0; o < C_out; ++o)
        for (const TapOutput& r : row_readers[ih])
          for (const TapOutput& q : col_readers[iw]) {
            const T* dy = grad_y + ((o * g.H_out + r.output) * g.W_out + q.output) * N + b.first;
            const T* w = w_block + ((o * g.K_h + r.tap) * g.K_w + q.tap) * kOut;
            V in[kVectors];
            for (int v = 0; v < kVectors; ++v) in[v] = load_vector<T, kPartial>(dy, v, b.last);
            for (int cb = 0; cb < kOut; ++cb)
              for (int v = 0; v < kVectors; ++v) sum[cb][v] += w[cb] * in[v];
          }
      for (int cb = 0; cb < kOut; ++cb) {
        T* out = grad_x + (((c0 + cb) * g.H + ih) * g.W + iw) * N + b.first;
        for (int v = 0; v < kVectors; ++v) store_vector<T, kPartial>(out, v, sum[cb][v], b.last);
      }
    }
}

// ---- dL/dW: per weight, a dot product over the output pixels and the images ----
// Output channels [o0, o0 + kOut) × input channel c × the kTaps taps t0, t0 + 1, … (kernel
// positions in row-major order), lane by lane: each loaded dL/dy vector feeds kTaps multiply-adds
// and each x vector kOut. The sums go lane block by lane block, pixel by pixel within one.
template <typename T, int kOut, int kTaps>
void weight_grad_taps(const T* x, const T* grad_y, int64_t o0, int64_t c, int64_t t0, const ConvGeometry& g,
                      const std::vector<LaneBlock>& blocks, T* grad_weight) {
  using V = typename Vec<T>::type;
  const int64_t N = g.N;
  V sum[kOut][kTaps] = {};
  for (const LaneBlock& b : blocks)
    with_block_shape<T>(b, [&](auto vectors, auto partial) {
      constexpr int kVectors = decltype(vectors)::value;
      constexpr bool kPartial = decltype(partial)::value;
      for (int64_t oh = 0; oh < g.H_out; ++oh)
        for (int64_t ow = 0; ow < g.W_out; ++ow) {
          // Where each tap reads x at this pixel (nullptr: outside x, a 0).
          const T* x_at[kTaps];
          bool any = false;
          for (int t = 0; t < kTaps; ++t) {
            const int64_t kh = (t0 + t) / g.K_w, kw = (t0 + t) % g.K_w;
            const int64_t ih = oh * g.stride[0] - g.padding[0] + kh * g.dilation[0];
            const int64_t iw = ow * g.stride[1] - g.padding[1] + kw * g.dilation[1];
            const bool inside = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W;
            x_at[t] = inside ? x + ((c * g.H + ih) * g.W + iw) * N + b.first : nullptr;
            any = any || inside;
          }
          if (!any) continue;
          const T* dy = grad_y + ((o0 * g.H_out + oh) * g.W_out + ow) * N + b.first;
          const int64_t dy_channel = g.H_out * g.W_out * N;
          for (int v = 0; v < kVectors; ++v) {
            V xv[kTaps];
            for (int t = 0; t < kTaps; ++t) xv[t] = x_at[t] != nullptr ? load_vector<T, kPartial>(x_at[t], v, b.last) : V{};
            for (int ob = 0; ob < kOut; ++ob) {
              V dv = load_vector<T, kPartial>(dy + ob * dy_channel, v, b.last);
              asm("" : "+v"(dv));  // one load per channel, not one per tap (see direct_kernels.h)
              for (int t = 0; t < kTaps; ++t) sum[ob][t] += dv * xv[t];
            }
          }
        }
    });
  const int64_t taps = g.K_h * g.K_w;
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) grad_weight[((o0 + ob) * g.C + c) * taps + t0 + t] = direct::lane_total<T>(sum[ob][t]);
}

}  // namespace

template <typename T>
void conv2d_batch_last_forward(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* y) {
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
  for_block_pairs<T>(channels, lanes, worth_parallel(C_out * g.col_rows() * g.col_cols()),
                     [&](const ChannelBlock& cb, const LaneBlock& b, auto width, auto vectors, auto partial) {
    forward_block<T, decltype(width)::value, decltype(vectors)::value, decltype(partial)::value>(
        x, packed.data() + cb.first * g.C * taps, bias, cb.first, g, b, y);
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
  const auto row_readers = readers(g.H, g.H_out, g.K_h, g.stride[0], g.padding[0], g.dilation[0]);
  const auto col_readers = readers(g.W, g.W_out, g.K_w, g.stride[1], g.padding[1], g.dilation[1]);
  for_block_pairs<T>(channels, lanes, worth_parallel(C_out * g.col_rows() * g.col_cols()),
                     [&](const ChannelBlock& cb, const LaneBlock& b, auto width, auto vectors, auto partial) {
    input_grad_block<T, decltype(width)::value, decltype(vectors)::value, decltype(partial)::value>(
        grad_y, packed.data() + cb.first * C_out * taps, cb.first, g, C_out, row_readers, col_readers, b, grad_x);
  });
}

template <typename T>
void conv2d_batch_last_weight_grad(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out,
                                   T* grad_weight) {
  const int64_t taps = g.K_h * g.K_w;
  const std::vector<ChannelBlock> channels = channel_blocks(C_out);
  const std::vector<LaneBlock> lanes = lane_blocks<T>(g.N);
  const int64_t runs = (taps + 2) / 3;  // taps in runs of 3 (24 sums in registers), the last one shorter
  const int64_t tasks = static_cast<int64_t>(channels.size()) * g.C * runs;
  parallel_for(tasks, worth_parallel(C_out * g.col_rows() * g.col_cols()), [&](int64_t k) {
    const ChannelBlock& cb = channels[k / (g.C * runs)];
    const int64_t c = k / runs % g.C, t0 = k % runs * 3, count = std::min<int64_t>(3, taps - t0);
    with_width(cb.width, [&](auto width) {
      constexpr int kOut = decltype(width)::value;
      if (count == 3) weight_grad_taps<T, kOut, 3>(x, grad_y, cb.first, c, t0, g, lanes, grad_weight);
      if (count == 2) weight_grad_taps<T, kOut, 2>(x, grad_y, cb.first, c, t0, g, lanes, grad_weight);
      if (count == 1) weight_grad_taps<T, kOut, 1>(x, grad_y, cb.first, c, t0, g, lanes, grad_weight);
    });
  });
}

template <typename T>
void channel_sums_batch_last(const T* grad_y, int64_t C, int64_t values_per_channel, T* grad_bias) {
  using V = typename Vec<T>::type;
  constexpr int64_t lanes = Vec<T>::lanes;
  for (int64_t c = 0; c < C; ++c) {
    const T* p = grad_y + c * values_per_channel;
    V sum = {};
    int64_t i = 0;
    for (; i + lanes <= values_per_channel; i += lanes) sum += load(p + i);
    if (i < values_per_channel) sum += load_lanes(p + i, values_per_channel - i);
    grad_bias[c] = direct::lane_total<T>(sum);
  }
}

#define CONVGRAD_INSTANTIATE(T)                                                                                    \
  template void conv2d_batch_last_forward<T>(const T*, const T*, const T*, const ConvGeometry&, int64_t, T*);              \
  template void conv2d_batch_last_input_grad<T>(const T*, const T*, const ConvGeometry&, int64_t, T*);             \
  template void conv2d_batch_last_weight_grad<T>(const T*, const T*, const ConvGeometry&, int64_t, T*);            \
  template void channel_sums_batch_last<T>(const T*, int64_t, int64_t, T*);
CONVGRAD_INSTANTIATE(float)
CONVGRAD_INSTANTIATE(double)
#undef CONVGRAD_INSTANTIATE

}  // namespace convgrad
