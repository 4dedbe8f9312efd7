// The pieces the direct convolutions share (tensor/conv_direct.cpp, conv_transpose_direct.cpp):
// the vector type, the stacked padded layout, and the kernel that sums 8 output channels at
// one vector of positions. Internal to tensor/; see conv_direct.h for the idea.
// NOTE: a file that instantiates output_block is compiled with -ffp-contract=fast
// (tensor/CMakeLists.txt), so that each tap is one fused multiply-add.
#pragma once

#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "tensor/conv_kernels.h"

namespace convgrad::direct {
// Unnamed: every including file has its own copy, compiled with its own flags.
namespace {

// One machine vector of T (GCC/Clang vector extensions): 64 bytes where the build targets
// AVX-512, 32 with AVX, else 16 (SSE). Arithmetic on it is lane by lane.
#if defined(__AVX512F__)
constexpr int kVectorBytes = 64;
#elif defined(__AVX__)
constexpr int kVectorBytes = 32;
#else
constexpr int kVectorBytes = 16;
#endif
template <typename T>
struct Vec {
  typedef T type __attribute__((vector_size(kVectorBytes)));
  static constexpr int64_t lanes = kVectorBytes / sizeof(T);
};

template <typename T>
inline typename Vec<T>::type load(const T* p) {
  typename Vec<T>::type v;
  std::memcpy(&v, p, sizeof(v));  // an unaligned vector load
  return v;
}

// The sums of `kOut` output channels at kVecs · lanes positions from q on:
//   out[ob][q + l] (+)= sum_c sum_tap w[c][tap][ob] · xpad[c][q + l + offsets[tap]]
// w is this block's weights as [C][taps][kOut]: the kOut weights of one (c, tap) side by side.
// kAccumulate adds onto out instead of overwriting it.
template <typename T, int kOut, int kVecs, bool kAccumulate = false>
void output_block(const T* xpad, int64_t plane, int64_t C, const int64_t* offsets, int64_t taps, const T* w,
                  int64_t q, T* out, int64_t out_stride) {
  using V = typename Vec<T>::type;
  constexpr int64_t lanes = Vec<T>::lanes;
  V sum[kOut][kVecs] = {};
  if (kAccumulate)
    for (int ob = 0; ob < kOut; ++ob)
      for (int v = 0; v < kVecs; ++v) sum[ob][v] = load(out + ob * out_stride + q + v * lanes);
  for (int64_t c = 0; c < C; ++c) {
    const T* x = xpad + c * plane + q;
    for (int64_t tap = 0; tap < taps; ++tap, w += kOut) {
      V in[kVecs];
      for (int v = 0; v < kVecs; ++v) in[v] = load(x + offsets[tap] + v * lanes);
      for (int ob = 0; ob < kOut; ++ob) {
        const T weight = w[ob];
        for (int v = 0; v < kVecs; ++v) sum[ob][v] += weight * in[v];
      }
    }
  }
  for (int ob = 0; ob < kOut; ++ob)
    for (int v = 0; v < kVecs; ++v) std::memcpy(out + ob * out_stride + q + v * lanes, &sum[ob][v], sizeof(V));
}

// Output channels [o, o + kOut) at every position of the stack: two vectors of positions at a
// time (2 · kOut sums in registers: each loaded weight serves two multiply-adds, and 16
// independent sums keep both multiply-add units busy), the last vector alone.
template <typename T, int kOut, bool kAccumulate = false>
void output_channels(const T* xpad, int64_t plane, int64_t C, const int64_t* offsets, int64_t taps, const T* w_block,
                     int64_t positions, T* out, int64_t out_stride) {
  constexpr int64_t lanes = Vec<T>::lanes;
  int64_t q = 0;
  for (; q + 2 * lanes <= positions; q += 2 * lanes)
    output_block<T, kOut, 2, kAccumulate>(xpad, plane, C, offsets, taps, w_block, q, out, out_stride);
  for (; q < positions; q += lanes)
    output_block<T, kOut, 1, kAccumulate>(xpad, plane, C, offsets, taps, w_block, q, out, out_stride);
}

// output_channels for one block of channel_blocks (width 8, 4 or 1, chosen at run time):
// out's channels [b.first, b.first + b.width), `positions` apart; w_block is the block's weights.
template <typename T, bool kAccumulate = false>
void output_channel_block(int64_t first, int64_t width, const T* xpad, int64_t plane, int64_t C,
                          const int64_t* offsets, int64_t taps, const T* w_block, int64_t positions, T* out) {
  T* o = out + first * positions;
  if (width == 8) output_channels<T, 8, kAccumulate>(xpad, plane, C, offsets, taps, w_block, positions, o, positions);
  if (width == 4) output_channels<T, 4, kAccumulate>(xpad, plane, C, offsets, taps, w_block, positions, o, positions);
  if (width == 1) output_channels<T, 1, kAccumulate>(xpad, plane, C, offsets, taps, w_block, positions, o, positions);
}

// Where the stacked padded planes and the positions lie (see conv_direct.h).
// A chunk's images are stacked, per channel, into one plane of rows Wp = W + gap_w wide:
// image n's pixel (h, w) at row pad_h + n · image_rows + h, column pad_w + w, zeros elsewhere.
// The zeros between two rows (or two images) serve as the right (bottom) padding of the one and
// the left (top) padding of the next, so the gap is max(p, 2p − K + 1): at least the padding,
// and enough rows for H_out output rows per image (H_out > H + p only when p ≥ K).
// Output (n, oh, ow) is computed at q = (n · image_rows + oh) · Wp + ow and tap (kh, kw) reads
// q + kh · Wp + kw; the other positions are thrown away.
struct PaddedLayout {
  int64_t Wp;          // row stride of the plane and of the positions
  int64_t image_rows;  // rows per image in the stack: H + gap_h
  int64_t positions;   // N · image_rows · Wp, rounded up to whole vectors
  int64_t plane;       // values per channel's stacked plane, with room for the last vector's reads
  std::vector<int64_t> offsets;  // per tap (kh, kw): kh · Wp + kw

  int64_t output_at(int64_t n, int64_t oh) const { return (n * image_rows + oh) * Wp; }
};

template <typename T>
inline PaddedLayout padded_layout(const ConvGeometry& g) {
  PaddedLayout l;
  const int64_t gap_h = std::max(g.padding[0], 2 * g.padding[0] - g.K_h + 1);
  const int64_t gap_w = std::max(g.padding[1], 2 * g.padding[1] - g.K_w + 1);
  const int64_t lanes = Vec<T>::lanes;
  l.Wp = g.W + gap_w;
  l.image_rows = g.H + gap_h;
  l.positions = (g.N * l.image_rows * l.Wp + lanes - 1) / lanes * lanes;
  // The last vector reads up to (positions - 1) + (K_h - 1) Wp + K_w - 1.
  l.plane = std::max((g.padding[0] + g.N * l.image_rows) * l.Wp, l.positions + (g.K_h - 1) * l.Wp + g.K_w - 1);
  for (int64_t kh = 0; kh < g.K_h; ++kh)
    for (int64_t kw = 0; kw < g.K_w; ++kw) l.offsets.push_back(kh * l.Wp + kw);
  return l;
}

// Copies rows of W values: dst[0, W) = src[0, W). A row no wider than a vector is copied as one
// whole vector with its lanes past W set to +0 when `whole_vector` (the caller's promise that
// src has `lanes` values to read and that dst[W, lanes) are zeros or written after): memcpy of
// a 10-value row (a call and a branchy small-size copy) took 10% of a U-Net training step in
// the stacking below.
template <typename T>
class RowCopier {
  using V = typename Vec<T>::type;
  using Mask = decltype(V{} < V{});  // the integer vector of V's lane size

 public:
  explicit RowCopier(int64_t W) : W_(W), keep_{} {
    for (int64_t i = 0; i < std::min<int64_t>(W, Vec<T>::lanes); ++i) keep_[i] = -1;  // lanes [0, W)
  }
  void operator()(const T* src, bool whole_vector, T* dst) const {
    if (whole_vector && W_ <= Vec<T>::lanes) {
      const V row = reinterpret_cast<V>(reinterpret_cast<Mask>(load(src)) & keep_);
      std::memcpy(dst, &row, sizeof(V));
    } else {
      std::memcpy(dst, src, static_cast<size_t>(W_) * sizeof(T));
    }
  }

 private:
  int64_t W_;
  Mask keep_;  // all bits set in lanes [0, W), none past them
};

// x [N, C, H, W] into the stacked planes [C, plane] (zeroed first). A row's whole vector runs on
// over its gap columns (zeros) into the rows below: padding, or rows of this channel's later
// images, written after it; it may not read past x or write past its channel's plane.
template <typename T>
inline void stack_images(const T* x, const ConvGeometry& g, const PaddedLayout& l, T* planes) {
  constexpr int64_t lanes = Vec<T>::lanes;
  std::fill(planes, planes + g.C * l.plane, T(0));
  const int64_t x_size = g.N * g.C * g.H * g.W;
  const RowCopier<T> copy_row(g.W);
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t h = 0; h < g.H; ++h) {
        const int64_t from = ((n * g.C + c) * g.H + h) * g.W;
        const int64_t to = (g.padding[0] + n * l.image_rows + h) * l.Wp + g.padding[1];  // within the plane
        copy_row(x + from, from + lanes <= x_size && to + lanes <= l.plane, planes + c * l.plane + to);
      }
}

// v [N, C, H_out, W_out] at the output positions of the stack, channel c at out + c · positions,
// zeros at the thrown-away positions: dL/dy for a direct dL/dW, x for the transposed conv's.
// (A row's whole vector may run on into later rows of its channel, written after it, not past it.)
template <typename T>
inline void stack_at_outputs(const T* v, int64_t N, int64_t C, int64_t H_out, int64_t W_out, const PaddedLayout& l,
                             T* out) {
  std::fill(out, out + C * l.positions, T(0));
  const int64_t v_size = N * C * H_out * W_out, lanes = Vec<T>::lanes;
  const RowCopier<T> copy_row(W_out);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t oh = 0; oh < H_out; ++oh) {
        const int64_t from = ((n * C + c) * H_out + oh) * W_out, to = l.output_at(n, oh);
        copy_row(v + from, from + lanes <= v_size && to + lanes <= l.positions, out + c * l.positions + to);
      }
}

// One channel's outputs from the stack into an image plane, plus `add`:
//   dst[oh][ow] = out[output_at(n, oh) + ow] + add     (oh < H_out, ow < W_out; dst dense)
// A 10-wide row is shorter than a vector, and a plain loop over it runs lane by lane; here each
// row is written with whole vectors that may run past its end into the next row (which is
// written after it), and past the plane's last row into the next plane when that one, too, is
// written after: `room` values from dst on may be written (at least H_out · W_out). Only where
// a vector would read past the stack's last row or write past `room` do values go one by one.
template <typename T>
inline void store_plane(const T* out, const PaddedLayout& l, int64_t n, int64_t H_out, int64_t W_out, T add,
                        int64_t room, T* dst) {
  using V = typename Vec<T>::type;
  constexpr int64_t lanes = Vec<T>::lanes;
  const int64_t vectors = (W_out + lanes - 1) / lanes, span = vectors * lanes;
  const T* src = out + l.output_at(n, 0);
  // Reads may run to the end of the stack's positions (the last image's last row is followed by
  // its gap rows, or by the rounding up to whole vectors).
  const int64_t src_end = l.positions - l.output_at(n, 0);
  for (int64_t oh = 0; oh < H_out; ++oh) {
    const T* s = src + oh * l.Wp;
    T* d = dst + oh * W_out;
    if (oh * l.Wp + span <= src_end && oh * W_out + span <= room) {
      for (int64_t v = 0; v < vectors; ++v) {
        const V sum = load(s + v * lanes) + add;
        std::memcpy(d + v * lanes, &sum, sizeof(V));
      }
    } else {
      for (int64_t ow = 0; ow < W_out; ++ow) d[ow] = s[ow] + add;
    }
  }
}

// Output channels in blocks of `widest` (8 or 4), then 4, then 1.
struct ChannelBlock {
  int64_t first, width;
};
inline std::vector<ChannelBlock> channel_blocks(int64_t channels, int64_t widest) {
  std::vector<ChannelBlock> blocks;
  for (int64_t o = 0; o < channels;) {
    const int64_t width = channels - o >= widest ? widest : channels - o >= 4 ? 4 : 1;
    blocks.push_back({o, width});
    o += width;
  }
  return blocks;
}

// dL/dW of output channels [o, o + kOut) and taps (kh, kw0 .. kw0 + kTaps) of input channel c,
// lane by lane over the positions [q0, q1) (multiples of lanes), added onto acc:
//   acc[ob][t][lane] += sum_{q ≡ lane} dy[o + ob][q] · xpad[c][q + kh Wp + kw0 + t]
// dy's channels lie dy_stride values apart. The weight is the sum of its lanes (lane_total);
// positions taken range after range in order give each lane the same sum as one pass.
template <typename T, int kOut, int kTaps>
void weight_grad_range(const T* xpad, const T* dy, int64_t dy_stride, const PaddedLayout& l, int64_t c, int64_t o,
                       int64_t shift, int64_t q0, int64_t q1, typename Vec<T>::type acc[kOut][kTaps]) {
  using V = typename Vec<T>::type;
  V sum[kOut][kTaps];
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) sum[ob][t] = acc[ob][t];
  const T* x = xpad + c * l.plane + shift;
  const T* d = dy + o * dy_stride;
  for (int64_t q = q0; q < q1; q += Vec<T>::lanes) {
    V xv[kTaps];
    for (int t = 0; t < kTaps; ++t) xv[t] = load(x + q + t);
    for (int ob = 0; ob < kOut; ++ob) {
      V dv = load(d + ob * dy_stride + q);
      // Into a register once: else GCC reloads it from memory for each of the kTaps
      // multiply-adds (3 loads instead of 1), and the loads, not the arithmetic, set the pace.
      asm("" : "+v"(dv));
      for (int t = 0; t < kTaps; ++t) sum[ob][t] += dv * xv[t];
    }
  }
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) acc[ob][t] = sum[ob][t];
}

// The sum of a vector's lanes, first to last.
template <typename T>
inline T lane_total(const typename Vec<T>::type& v) {
  T total = T(0);
  for (int64_t lane = 0; lane < Vec<T>::lanes; ++lane) total += v[lane];
  return total;
}

// weight_grad_range over the whole stack, summed: sums[ob][t] = dL/dW of that block.
template <typename T, int kOut, int kTaps>
void weight_grad_block(const T* xpad, const T* dy, int64_t dy_stride, const PaddedLayout& l, int64_t c, int64_t o,
                       int64_t shift, T sums[kOut][kTaps]) {
  typename Vec<T>::type acc[kOut][kTaps] = {};
  weight_grad_range<T, kOut, kTaps>(xpad, dy, dy_stride, l, c, o, shift, 0, l.positions, acc);
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) sums[ob][t] = lane_total<T>(acc[ob][t]);
}

// Calls f(std::integral_constant<int, kTaps>{}, first) for runs of 3, 2 or 1 taps covering
// [0, count): the weight-gradient kernel's tap count is a compile-time constant.
template <typename F>
void for_tap_runs(int64_t count, F&& f) {
  for (int64_t first = 0; first < count;) {
    const int64_t taps = std::min<int64_t>(3, count - first);
    if (taps == 3) f(std::integral_constant<int, 3>{}, first);
    if (taps == 2) f(std::integral_constant<int, 2>{}, first);
    if (taps == 1) f(std::integral_constant<int, 1>{}, first);
    first += taps;
  }
}

// Registers: 8 channels x 3 taps of sums take 24 of AVX-512's 32 vector registers; AVX2 and SSE have 16.
constexpr int64_t kWeightGradWidest = kVectorBytes == 64 ? 8 : 4;

}  // namespace
}  // namespace convgrad::direct
