#include "tensor/conv_direct.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace convgrad {

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

// The sums of `kOut` output channels at `lanes` positions from q on:
//   out[ob][q + l] = sum_c sum_tap w[c][tap][ob] · xpad[c][q + l + offsets[tap]]
// w is this block's weights as [C][taps][kOut]: the kOut weights of one (c, tap) side by side.
template <typename T, int kOut>
void output_block(const T* xpad, int64_t plane, int64_t C, const int64_t* offsets, int64_t taps, const T* w,
                  int64_t q, T* out, int64_t out_stride) {
  using V = typename Vec<T>::type;
  V sum[kOut] = {};
  for (int64_t c = 0; c < C; ++c) {
    const T* x = xpad + c * plane + q;
    for (int64_t tap = 0; tap < taps; ++tap, w += kOut) {
      const V v = load(x + offsets[tap]);
      for (int ob = 0; ob < kOut; ++ob) sum[ob] += w[ob] * v;
    }
  }
  for (int ob = 0; ob < kOut; ++ob) std::memcpy(out + ob * out_stride + q, &sum[ob], sizeof(V));
}

// Output channels [o, o + kOut) at every position of the stack.
template <typename T, int kOut>
void output_channels(const T* xpad, int64_t plane, int64_t C, const int64_t* offsets, int64_t taps, const T* w_block,
                     int64_t positions, T* out, int64_t out_stride) {
  for (int64_t q = 0; q < positions; q += Vec<T>::lanes)
    output_block<T, kOut>(xpad, plane, C, offsets, taps, w_block, q, out, out_stride);
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
PaddedLayout padded_layout(const ConvGeometry& g) {
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

// x [N, C, H, W] into the stacked planes [C, plane] (zeroed first).
template <typename T>
void stack_images(const T* x, const ConvGeometry& g, const PaddedLayout& l, T* planes) {
  std::fill(planes, planes + g.C * l.plane, T(0));
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t h = 0; h < g.H; ++h)
        std::memcpy(planes + c * l.plane + (g.padding[0] + n * l.image_rows + h) * l.Wp + g.padding[1],
                    x + ((n * g.C + c) * g.H + h) * g.W, static_cast<size_t>(g.W) * sizeof(T));
}

// Output channels in blocks of `widest` (8 or 4), then 4, then 1.
struct ChannelBlock {
  int64_t first, width;
};
std::vector<ChannelBlock> channel_blocks(int64_t channels, int64_t widest) {
  std::vector<ChannelBlock> blocks;
  for (int64_t o = 0; o < channels;) {
    const int64_t width = channels - o >= widest ? widest : channels - o >= 4 ? 4 : 1;
    blocks.push_back({o, width});
    o += width;
  }
  return blocks;
}

// dL/dW of output channels [o, o + kOut) and taps (kh, kw0 .. kw0 + kTaps) of input channel c:
//   sums[ob][t] = sum_q dy[o + ob][q] · xpad[c][q + kh Wp + kw0 + t]   (q over the whole stack)
template <typename T, int kOut, int kTaps>
void weight_grad_block(const T* xpad, const T* dy, const PaddedLayout& l, int64_t c, int64_t o, int64_t shift,
                       T sums[kOut][kTaps]) {
  using V = typename Vec<T>::type;
  V acc[kOut][kTaps] = {};
  const T* x = xpad + c * l.plane + shift;
  const T* d = dy + o * l.positions;
  for (int64_t q = 0; q < l.positions; q += Vec<T>::lanes) {
    V xv[kTaps];
    for (int t = 0; t < kTaps; ++t) xv[t] = load(x + q + t);
    for (int ob = 0; ob < kOut; ++ob) {
      V dv = load(d + ob * l.positions + q);
      // Into a register once: else GCC reloads it from memory for each of the kTaps
      // multiply-adds (3 loads instead of 1), and the loads, not the arithmetic, set the pace.
      asm("" : "+v"(dv));
      for (int t = 0; t < kTaps; ++t) acc[ob][t] += dv * xv[t];
    }
  }
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) {
      T total = T(0);
      for (int64_t lane = 0; lane < Vec<T>::lanes; ++lane) total += acc[ob][t][lane];
      sums[ob][t] = total;
    }
}

template <typename T, int kOut, int kTaps>
void weight_grad_blocks(const T* xpad, const T* dy, const ConvGeometry& g, const PaddedLayout& l, int64_t c, int64_t o,
                        int64_t kh, int64_t kw0, T* grad_weight) {
  T sums[kOut][kTaps];
  weight_grad_block<T, kOut, kTaps>(xpad, dy, l, c, o, kh * l.Wp + kw0, sums);
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) grad_weight[(((o + ob) * g.C + c) * g.K_h + kh) * g.K_w + kw0 + t] = sums[ob][t];
}

// kTaps chosen at run time (3, 2 or 1 taps of a kernel row), kOut at compile time.
template <typename T, int kOut>
void weight_grad_row(const T* xpad, const T* dy, const ConvGeometry& g, const PaddedLayout& l,
                     int64_t c, int64_t o, int64_t kh, T* grad_weight) {
  for (int64_t kw0 = 0; kw0 < g.K_w;) {
    const int64_t taps = std::min<int64_t>(3, g.K_w - kw0);
    if (taps == 3) weight_grad_blocks<T, kOut, 3>(xpad, dy, g, l, c, o, kh, kw0, grad_weight);
    if (taps == 2) weight_grad_blocks<T, kOut, 2>(xpad, dy, g, l, c, o, kh, kw0, grad_weight);
    if (taps == 1) weight_grad_blocks<T, kOut, 1>(xpad, dy, g, l, c, o, kh, kw0, grad_weight);
    kw0 += taps;
  }
}

// Registers: 8 channels x 3 taps of sums take 24 of AVX-512's 32 vector registers; AVX2 and SSE have 16.
constexpr int64_t kWeightGradWidest = kVectorBytes == 64 ? 8 : 4;

}  // namespace

bool conv2d_direct_applies(const ConvGeometry& g, int64_t C_out) {
  return g.stride == Pair{1, 1} && g.dilation == Pair{1, 1} && C_out >= 4 && C_out <= 64 && g.col_rows() <= 1152;
}

bool conv2d_direct_weight_grad_applies(const ConvGeometry& g, int64_t C_out) {
  if (!conv2d_direct_applies(g, C_out)) return false;
  // At least 65% of the positions summed over must be outputs (10×10 "same": 100 of 121; 5×5: 25 of 36).
  const PaddedLayout l = padded_layout<float>(g);
  return 100 * g.N * g.H_out * g.W_out >= 65 * l.positions;
}

template <typename T>
void conv2d_direct(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* y) {
  const int64_t taps = g.K_h * g.K_w, C = g.C;
  const PaddedLayout l = padded_layout<T>(g);
  // Weights block by block: block [C][taps][width], the width weights of one (c, tap) side by side.
  const std::vector<ChannelBlock> blocks = channel_blocks(C_out, 8);
  std::vector<T> w_blocks(static_cast<size_t>(C_out * C * taps));
  for (const ChannelBlock& b : blocks)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t ob = 0; ob < b.width; ++ob)
          w_blocks[static_cast<size_t>(b.first * C * taps + (c * taps + tap) * b.width + ob)] =
              weight[((b.first + ob) * C + c) * taps + tap];

  T* xpad = scratch_buffer<T>(4, C * l.plane);
  T* out = scratch_buffer<T>(5, C_out * l.positions);
  stack_images(x, g, l, xpad);
  for (const ChannelBlock& b : blocks) {
    const T* w = w_blocks.data() + b.first * C * taps;
    T* o = out + b.first * l.positions;
    const int64_t* offsets = l.offsets.data();
    if (b.width == 8) output_channels<T, 8>(xpad, l.plane, C, offsets, taps, w, l.positions, o, l.positions);
    if (b.width == 4) output_channels<T, 4>(xpad, l.plane, C, offsets, taps, w, l.positions, o, l.positions);
    if (b.width == 1) output_channels<T, 1>(xpad, l.plane, C, offsets, taps, w, l.positions, o, l.positions);
  }
  // Keep each image's outputs, plus the bias.
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < C_out; ++o) {
      const T b = bias ? bias[o] : T(0);
      for (int64_t oh = 0; oh < g.H_out; ++oh) {
        const T* src = out + o * l.positions + l.output_at(n, oh);
        T* dst = y + ((n * C_out + o) * g.H_out + oh) * g.W_out;
        for (int64_t ow = 0; ow < g.W_out; ++ow) dst[ow] = src[ow] + b;
      }
    }
}

template <typename T>
void conv2d_direct_weight_grad(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out, T* grad_weight) {
  const PaddedLayout l = padded_layout<T>(g);
  // The stacked planes, and grad_y at the output positions of the stack (0 at the thrown-away ones).
  T* xpad = scratch_buffer<T>(4, g.C * l.plane);
  T* dy = scratch_buffer<T>(5, C_out * l.positions);
  stack_images(x, g, l, xpad);
  std::fill(dy, dy + C_out * l.positions, T(0));
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < C_out; ++o)
      for (int64_t oh = 0; oh < g.H_out; ++oh)
        std::memcpy(dy + o * l.positions + l.output_at(n, oh), grad_y + ((n * C_out + o) * g.H_out + oh) * g.W_out,
                    static_cast<size_t>(g.W_out) * sizeof(T));
  for (const ChannelBlock& b : channel_blocks(C_out, kWeightGradWidest))
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t kh = 0; kh < g.K_h; ++kh) {
        if (b.width == 8) weight_grad_row<T, 8>(xpad, dy, g, l, c, b.first, kh, grad_weight);
        if (b.width == 4) weight_grad_row<T, 4>(xpad, dy, g, l, c, b.first, kh, grad_weight);
        if (b.width == 1) weight_grad_row<T, 1>(xpad, dy, g, l, c, b.first, kh, grad_weight);
      }
}

template void conv2d_direct<float>(const float*, const float*, const float*, const ConvGeometry&, int64_t, float*);
template void conv2d_direct<double>(const double*, const double*, const double*, const ConvGeometry&, int64_t,
                                    double*);
template void conv2d_direct_weight_grad<float>(const float*, const float*, const ConvGeometry&, int64_t, float*);
template void conv2d_direct_weight_grad<double>(const double*, const double*, const ConvGeometry&, int64_t, double*);

}  // namespace convgrad
