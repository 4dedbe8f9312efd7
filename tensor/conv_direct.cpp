#include "tensor/conv_direct.h"

#include "tensor/direct_kernels.h"

namespace convgrad {

using namespace direct;

namespace {

template <typename T, int kOut, int kTaps>
void weight_grad_blocks(const T* xpad, const T* dy, int64_t dy_stride, const ConvGeometry& g, const PaddedLayout& l,
                        int64_t c, int64_t o, int64_t kh, int64_t kw0, T* grad_weight) {
  T sums[kOut][kTaps];
  weight_grad_block<T, kOut, kTaps>(xpad, dy, dy_stride, l, c, o, kh * l.Wp + kw0, sums);
  for (int ob = 0; ob < kOut; ++ob)
    for (int t = 0; t < kTaps; ++t) grad_weight[(((o + ob) * g.C + c) * g.K_h + kh) * g.K_w + kw0 + t] = sums[ob][t];
}

// One kernel row's taps in runs of 3, 2 or 1 (for_tap_runs), kOut at compile time.
template <typename T, int kOut>
void weight_grad_row(const T* xpad, const T* dy, int64_t dy_stride, const ConvGeometry& g, const PaddedLayout& l,
                     int64_t c, int64_t o, int64_t kh, T* grad_weight) {
  for_tap_runs(g.K_w, [&](auto taps, int64_t kw0) {
    weight_grad_blocks<T, kOut, decltype(taps)::value>(xpad, dy, dy_stride, g, l, c, o, kh, kw0, grad_weight);
  });
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
int64_t conv2d_direct_planes_size(const ConvGeometry& g) {
  return g.C * padded_layout<T>(g).plane;
}

template <typename T>
void conv2d_direct_stack(const T* x, const ConvGeometry& g, T* planes) {
  stack_images(x, g, padded_layout<T>(g), planes);
}

template <typename T>
void conv2d_direct_from_planes(const T* planes, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out,
                               T* y) {
  const int64_t taps = g.K_h * g.K_w, C = g.C;
  const PaddedLayout l = padded_layout<T>(g);
  // Weights block by block: block [C][taps][width], the width weights of one (c, tap) side by side.
  const std::vector<ChannelBlock> blocks = channel_blocks(C_out, 8);
  T* w_blocks = scratch_buffer<T>(6, C_out * C * taps);
  for (const ChannelBlock& b : blocks)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t ob = 0; ob < b.width; ++ob)
          w_blocks[b.first * C * taps + (c * taps + tap) * b.width + ob] = weight[((b.first + ob) * C + c) * taps + tap];

  T* out = scratch_buffer<T>(5, C_out * l.positions);
  for (const ChannelBlock& b : blocks)
    output_channel_block<T>(b.first, b.width, planes, l.plane, C, l.offsets.data(), taps,
                            w_blocks + b.first * C * taps, l.positions, out);
  // Keep each image's outputs, plus the bias: plane by plane in y's order, so that a plane's
  // vector stores may run into the next plane, written after it.
  const int64_t plane_size = g.H_out * g.W_out, y_size = g.N * C_out * plane_size;
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < C_out; ++o) {
      const int64_t at = (n * C_out + o) * plane_size;
      store_plane(out + o * l.positions, l, n, g.H_out, g.W_out, bias ? bias[o] : T(0), y_size - at, y + at);
    }
}

template <typename T>
void conv2d_direct(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* y) {
  T* planes = scratch_buffer<T>(4, conv2d_direct_planes_size<T>(g));
  conv2d_direct_stack(x, g, planes);
  conv2d_direct_from_planes(planes, weight, bias, g, C_out, y);
}

int64_t conv2d_direct_gradient_shift(const ConvGeometry& g, const ConvGeometry& g_flipped) {
  const PaddedLayout l = padded_layout<float>(g), l_flipped = padded_layout<float>(g_flipped);
  if (l.Wp != l_flipped.Wp || l.image_rows != l_flipped.image_rows || g.N != g_flipped.N) return -1;
  return g_flipped.padding[0] * l.Wp + g_flipped.padding[1];
}

template <typename T>
void conv2d_direct_weight_grad_from_planes(const T* x_planes, const T* grad_y, const T* grad_y_planes,
                                           int64_t grad_y_stride, const ConvGeometry& g, int64_t C_out,
                                           T* grad_weight) {
  const PaddedLayout l = padded_layout<T>(g);
  const T* dy = grad_y_planes;
  if (dy == nullptr) {  // grad_y at the output positions of the stack (0 at the thrown-away ones)
    T* stacked = scratch_buffer<T>(5, C_out * l.positions);
    stack_at_outputs(grad_y, g.N, C_out, g.H_out, g.W_out, l, stacked);
    dy = stacked;
    grad_y_stride = l.positions;
  }
  for (const ChannelBlock& b : channel_blocks(C_out, kWeightGradWidest))
    for (int64_t c = 0; c < g.C; ++c)
      for (int64_t kh = 0; kh < g.K_h; ++kh) {
        if (b.width == 8) weight_grad_row<T, 8>(x_planes, dy, grad_y_stride, g, l, c, b.first, kh, grad_weight);
        if (b.width == 4) weight_grad_row<T, 4>(x_planes, dy, grad_y_stride, g, l, c, b.first, kh, grad_weight);
        if (b.width == 1) weight_grad_row<T, 1>(x_planes, dy, grad_y_stride, g, l, c, b.first, kh, grad_weight);
      }
}

template <typename T>
void conv2d_direct_weight_grad(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out, T* grad_weight) {
  T* planes = scratch_buffer<T>(4, conv2d_direct_planes_size<T>(g));
  conv2d_direct_stack(x, g, planes);
  conv2d_direct_weight_grad_from_planes<T>(planes, grad_y, nullptr, 0, g, C_out, grad_weight);
}

template void conv2d_direct<float>(const float*, const float*, const float*, const ConvGeometry&, int64_t, float*);
template void conv2d_direct<double>(const double*, const double*, const double*, const ConvGeometry&, int64_t,
                                    double*);
template void conv2d_direct_weight_grad<float>(const float*, const float*, const ConvGeometry&, int64_t, float*);
template void conv2d_direct_weight_grad<double>(const double*, const double*, const ConvGeometry&, int64_t, double*);
template int64_t conv2d_direct_planes_size<float>(const ConvGeometry&);
template int64_t conv2d_direct_planes_size<double>(const ConvGeometry&);
template void conv2d_direct_stack<float>(const float*, const ConvGeometry&, float*);
template void conv2d_direct_stack<double>(const double*, const ConvGeometry&, double*);
template void conv2d_direct_from_planes<float>(const float*, const float*, const float*, const ConvGeometry&, int64_t,
                                               float*);
template void conv2d_direct_from_planes<double>(const double*, const double*, const double*, const ConvGeometry&,
                                                int64_t, double*);
template void conv2d_direct_weight_grad_from_planes<float>(const float*, const float*, const float*, int64_t,
                                                           const ConvGeometry&, int64_t, float*);
template void conv2d_direct_weight_grad_from_planes<double>(const double*, const double*, const double*, int64_t,
                                                            const ConvGeometry&, int64_t, double*);

}  // namespace convgrad
