#include "tensor/conv_direct.h"

#include "tensor/direct_kernels.h"

namespace convgrad {

using namespace direct;

namespace {

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
