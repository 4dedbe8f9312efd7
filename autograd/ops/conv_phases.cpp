#include "autograd/ops/conv_phases.h"

#include <algorithm>

#include "tensor/conv_direct.h"

namespace convgrad {

namespace {

// The loops of phase_split and its backward, one output row at a time: output row `out` is
// input row `in` (or nothing, a row of zeros, when in == -1) read at columns s_w·b + first
// for b in [b_begin, b_end), zeros outside. `visit(out, in, first, b_begin, b_end)`.
template <typename Visit>
void for_each_phase_row(const Shape& in, Pair s, int64_t top, int64_t left, int64_t H_ph, int64_t W_ph,
                        const Visit& visit) {
  const int64_t N = in[0], C = in[1], H = in[2], W = in[3];
  int64_t out = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t ph_h = 0; ph_h < s[0]; ++ph_h)
        for (int64_t ph_w = 0; ph_w < s[1]; ++ph_w) {
          // Columns w = s_w·b + first inside [0, W): b from ceil(−first / s_w) to below ceil((W − first) / s_w).
          const int64_t first = ph_w - left;
          const int64_t b_begin = std::clamp<int64_t>(first >= 0 ? 0 : (-first + s[1] - 1) / s[1], 0, W_ph);
          const int64_t b_end = std::clamp<int64_t>(W > first ? (W - first + s[1] - 1) / s[1] : 0, b_begin, W_ph);
          for (int64_t a = 0; a < H_ph; ++a, out += W_ph) {
            const int64_t h = s[0] * a + ph_h - top;
            visit(out, h >= 0 && h < H ? ((n * C + c) * H + h) * W : int64_t{-1}, first, b_begin, b_end);
          }
        }
}

}  // namespace

Variable phase_split(const Variable& x, Pair stride, int64_t top, int64_t left, int64_t H_ph, int64_t W_ph) {
  CONVGRAD_CHECK(x.dim() == 4, "phase_split: expected input [N, C, H, W], but got shape ", shape_str(x.shape()));
  CONVGRAD_CHECK(stride[0] >= 1 && stride[1] >= 1 && H_ph >= 0 && W_ph >= 0,
                 "phase_split: expected strides >= 1 and sizes >= 0, but got stride (", stride[0], ", ", stride[1],
                 ") and size ", H_ph, "×", W_ph);
  const Shape in_shape = x.shape();
  Tensor output = Tensor::empty({in_shape[0], in_shape[1] * stride[0] * stride[1], H_ph, W_ph}, x.dtype());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data().data<T>();
    T* out = output.data<T>();
    const int64_t s_w = stride[1];
    for_each_phase_row(in_shape, stride, top, left, H_ph, W_ph,
                       [&](int64_t o, int64_t row, int64_t first, int64_t b_begin, int64_t b_end) {
                         T* __restrict dst = out + o;
                         const T* __restrict src = in + row + first;
                         const int64_t copy_begin = row < 0 ? 0 : b_begin, copy_end = row < 0 ? 0 : b_end;
                         std::fill(dst, dst + copy_begin, T(0));
                         if (s_w == 2) {  // (a constant stride lets the compiler use vector loads)
                           for (int64_t b = copy_begin; b < copy_end; ++b) dst[b] = src[2 * b];
                         } else {
                           for (int64_t b = copy_begin; b < copy_end; ++b) dst[b] = src[s_w * b];
                         }
                         std::fill(dst + copy_end, dst + W_ph, T(0));
                       });
  });
  // Each input value is copied at most once: dL/dx[i] = dL/dy[o] for its o, 0 if none.
  return make_result("phase_split", output, {x}, [=](const Tensor& grad_output) {
    Tensor grad_input = Tensor::zeros(in_shape, grad_output.dtype());
    dispatch(grad_output.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T* gy = grad_output.data<T>();
      T* gx = grad_input.data<T>();
      const int64_t s_w = stride[1];
      for_each_phase_row(in_shape, stride, top, left, H_ph, W_ph,
                         [&](int64_t o, int64_t row, int64_t first, int64_t b_begin, int64_t b_end) {
                           if (row < 0) return;
                           T* __restrict dst = gx + row + first;
                           const T* __restrict src = gy + o;
                           for (int64_t b = b_begin; b < b_end; ++b) dst[s_w * b] = src[b];
                         });
    });
    return Grads{grad_input};
  });
}

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// The stride-1 geometry of the phase images (see the header).
ConvGeometry phase_geometry(const ConvGeometry& g) {
  ConvGeometry p = g;
  p.C = g.C * g.stride[0] * g.stride[1];
  p.K_h = ceil_div(g.K_h, g.stride[0]);
  p.K_w = ceil_div(g.K_w, g.stride[1]);
  p.H = g.H_out - 1 + p.K_h;
  p.W = g.W_out - 1 + p.K_w;
  p.stride = {1, 1};
  p.padding = {0, 0};
  return p;
}

}  // namespace

bool conv2d_by_phases_applies(const ConvGeometry& g, int64_t C_out) {
  // A stride that does not divide the kernel would pad it with zero taps (k3 s2: 16 for 9).
  const bool divides = g.K_h % g.stride[0] == 0 && g.K_w % g.stride[1] == 0;
  return g.stride != Pair{1, 1} && g.dilation == Pair{1, 1} && divides && g.H_out > 0 && g.W_out > 0 &&
         conv2d_direct_applies(phase_geometry(g), C_out);
}

Variable conv2d_by_phases(const Variable& x, const Variable& weight, const Variable& bias, const Conv2dOptions& options) {
  const ConvGeometry g = conv2d_geometry(x.shape(), weight.shape(), options.stride, options.padding, options.dilation);
  const ConvGeometry p = phase_geometry(g);
  const Variable x_phases = phase_split(x, g.stride, g.padding[0], g.padding[1], p.H, p.W);
  const Variable w_phases = phase_split(weight, g.stride, 0, 0, p.K_h, p.K_w);
  return conv2d(x_phases, w_phases, bias, Conv2dOptions{});
}

}  // namespace convgrad
