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

// Output channels [o, o + kOut) of one image, at every padded-width position.
template <typename T, int kOut>
void output_channels(const T* xpad, int64_t plane, int64_t C, const int64_t* offsets, int64_t taps, const T* w_block,
                     int64_t positions, T* out, int64_t out_stride) {
  for (int64_t q = 0; q < positions; q += Vec<T>::lanes)
    output_block<T, kOut>(xpad, plane, C, offsets, taps, w_block, q, out, out_stride);
}

// Where the padded planes and the padded-width positions lie (see conv_direct.h).
struct PaddedLayout {
  int64_t Wp;         // padded width: the row stride of planes and of positions
  int64_t positions;  // H_out · Wp, rounded up to whole vectors
  int64_t plane;      // values per padded plane, with room for the last vector's reads
  std::vector<int64_t> offsets;  // per tap (kh, kw): kh · Wp + kw
};

template <typename T>
PaddedLayout padded_layout(const ConvGeometry& g) {
  PaddedLayout l;
  const int64_t Hp = g.H + 2 * g.padding[0], lanes = Vec<T>::lanes;
  l.Wp = g.W + 2 * g.padding[1];
  l.positions = (g.H_out * l.Wp + lanes - 1) / lanes * lanes;
  // The last vector reads up to (positions - 1) + (K_h - 1) Wp + K_w - 1.
  l.plane = std::max(Hp * l.Wp, l.positions + (g.K_h - 1) * l.Wp + g.K_w - 1);
  for (int64_t kh = 0; kh < g.K_h; ++kh)
    for (int64_t kw = 0; kw < g.K_w; ++kw) l.offsets.push_back(kh * l.Wp + kw);
  return l;
}

// image [C, H, W] into its padded planes [C, plane]; the padding must already be zero.
template <typename T>
void pad_image(const T* image, const ConvGeometry& g, const PaddedLayout& l, T* planes) {
  for (int64_t c = 0; c < g.C; ++c)
    for (int64_t h = 0; h < g.H; ++h)
      std::memcpy(planes + c * l.plane + (h + g.padding[0]) * l.Wp + g.padding[1], image + (c * g.H + h) * g.W,
                  static_cast<size_t>(g.W) * sizeof(T));
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
//   sums[ob][t] = sum_n sum_q dy[n][o + ob][q] · xpad[n][c][q + kh Wp + kw0 + t]
template <typename T, int kOut, int kTaps>
void weight_grad_block(const T* xpad, const T* dy, int64_t N, int64_t C, int64_t C_out, const PaddedLayout& l,
                       int64_t c, int64_t o, int64_t shift, T sums[kOut][kTaps]) {
  using V = typename Vec<T>::type;
  V acc[kOut][kTaps] = {};
  for (int64_t n = 0; n < N; ++n) {
    const T* x = xpad + (n * C + c) * l.plane + shift;
    const T* d = dy + (n * C_out + o) * l.positions;
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
  }
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) {
      T total = T(0);
      for (int64_t lane = 0; lane < Vec<T>::lanes; ++lane) total += acc[ob][t][lane];
      sums[ob][t] = total;
    }
}

template <typename T, int kOut, int kTaps>
void weight_grad_blocks(const T* xpad, const T* dy, const ConvGeometry& g, int64_t C_out, const PaddedLayout& l,
                        int64_t c, int64_t o, int64_t kh, int64_t kw0, T* grad_weight) {
  T sums[kOut][kTaps];
  weight_grad_block<T, kOut, kTaps>(xpad, dy, g.N, g.C, C_out, l, c, o, kh * l.Wp + kw0, sums);
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) grad_weight[(((o + ob) * g.C + c) * g.K_h + kh) * g.K_w + kw0 + t] = sums[ob][t];
}

// kTaps chosen at run time (3, 2 or 1 taps of a kernel row), kOut at compile time.
template <typename T, int kOut>
void weight_grad_row(const T* xpad, const T* dy, const ConvGeometry& g, int64_t C_out, const PaddedLayout& l,
                     int64_t c, int64_t o, int64_t kh, T* grad_weight) {
  for (int64_t kw0 = 0; kw0 < g.K_w;) {
    const int64_t taps = std::min<int64_t>(3, g.K_w - kw0);
    if (taps == 3) weight_grad_blocks<T, kOut, 3>(xpad, dy, g, C_out, l, c, o, kh, kw0, grad_weight);
    if (taps == 2) weight_grad_blocks<T, kOut, 2>(xpad, dy, g, C_out, l, c, o, kh, kw0, grad_weight);
    if (taps == 1) weight_grad_blocks<T, kOut, 1>(xpad, dy, g, C_out, l, c, o, kh, kw0, grad_weight);
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
  // At least 70% of the positions summed over must be outputs (10×10 "same": 100 of 128; 5×5: 25 of 48).
  const PaddedLayout l = padded_layout<float>(g);
  return 10 * g.H_out * g.W_out >= 7 * l.positions;
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
  std::fill(xpad, xpad + C * l.plane, T(0));  // the padding stays zero; the inside is overwritten per image
  for (int64_t n = 0; n < g.N; ++n) {
    pad_image(x + n * C * g.H * g.W, g, l, xpad);
    for (const ChannelBlock& b : blocks) {
      const T* w = w_blocks.data() + b.first * C * taps;
      T* o = out + b.first * l.positions;
      const int64_t* offsets = l.offsets.data();
      if (b.width == 8) output_channels<T, 8>(xpad, l.plane, C, offsets, taps, w, l.positions, o, l.positions);
      if (b.width == 4) output_channels<T, 4>(xpad, l.plane, C, offsets, taps, w, l.positions, o, l.positions);
      if (b.width == 1) output_channels<T, 1>(xpad, l.plane, C, offsets, taps, w, l.positions, o, l.positions);
    }
    // Keep the first W_out of each padded-width row, plus the bias.
    for (int64_t o = 0; o < C_out; ++o) {
      const T b = bias ? bias[o] : T(0);
      for (int64_t oh = 0; oh < g.H_out; ++oh) {
        const T* src = out + o * l.positions + oh * l.Wp;
        T* dst = y + ((n * C_out + o) * g.H_out + oh) * g.W_out;
        for (int64_t ow = 0; ow < g.W_out; ++ow) dst[ow] = src[ow] + b;
      }
    }
  }
}

template <typename T>
void conv2d_direct_weight_grad(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out, T* grad_weight) {
  const PaddedLayout l = padded_layout<T>(g);
  const int64_t C = g.C;
  // Every image's padded planes, and grad_y in the padded-width layout (0 at the thrown-away positions).
  T* xpad = scratch_buffer<T>(4, g.N * C * l.plane);
  T* dy = scratch_buffer<T>(5, g.N * C_out * l.positions);
  std::fill(xpad, xpad + g.N * C * l.plane, T(0));
  std::fill(dy, dy + g.N * C_out * l.positions, T(0));
  for (int64_t n = 0; n < g.N; ++n) {
    pad_image(x + n * C * g.H * g.W, g, l, xpad + n * C * l.plane);
    for (int64_t o = 0; o < C_out; ++o)
      for (int64_t oh = 0; oh < g.H_out; ++oh)
        std::memcpy(dy + (n * C_out + o) * l.positions + oh * l.Wp, grad_y + ((n * C_out + o) * g.H_out + oh) * g.W_out,
                    static_cast<size_t>(g.W_out) * sizeof(T));
  }
  for (const ChannelBlock& b : channel_blocks(C_out, kWeightGradWidest))
    for (int64_t c = 0; c < C; ++c)
      for (int64_t kh = 0; kh < g.K_h; ++kh) {
        if (b.width == 8) weight_grad_row<T, 8>(xpad, dy, g, C_out, l, c, b.first, kh, grad_weight);
        if (b.width == 4) weight_grad_row<T, 4>(xpad, dy, g, C_out, l, c, b.first, kh, grad_weight);
        if (b.width == 1) weight_grad_row<T, 1>(xpad, dy, g, C_out, l, c, b.first, kh, grad_weight);
      }
}

template void conv2d_direct<float>(const float*, const float*, const float*, const ConvGeometry&, int64_t, float*);
template void conv2d_direct<double>(const double*, const double*, const double*, const ConvGeometry&, int64_t,
                                    double*);
template void conv2d_direct_weight_grad<float>(const float*, const float*, const ConvGeometry&, int64_t, float*);
template void conv2d_direct_weight_grad<double>(const double*, const double*, const ConvGeometry&, int64_t, double*);

}  // namespace convgrad
