#include "tensor/conv_pointwise.h"

#include <algorithm>

namespace convgrad {

bool conv2d_pointwise_applies(const ConvGeometry& g, int64_t C_out) {
  return g.K_h == 1 && g.K_w == 1 && g.stride == Pair{1, 1} && g.padding == Pair{0, 0} && C_out <= 8;
}

template <typename T>
void conv2d_pointwise(const T* x, const T* weight, const T* bias, const ConvGeometry& g, int64_t C_out, T* y) {
  const int64_t L = g.H * g.W;
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t o = 0; o < C_out; ++o) {
      T* out = y + (n * C_out + o) * L;
      std::fill(out, out + L, bias ? bias[o] : T(0));
      for (int64_t c = 0; c < g.C; ++c) {
        const T w = weight[o * g.C + c];
        const T* in = x + (n * g.C + c) * L;
        for (int64_t l = 0; l < L; ++l) out[l] += w * in[l];
      }
    }
}

template <typename T>
void conv2d_pointwise_input_grad(const T* grad_y, const T* weight, const ConvGeometry& g, int64_t C_out, T* grad_x) {
  const int64_t L = g.H * g.W;
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t c = 0; c < g.C; ++c) {
      T* out = grad_x + (n * g.C + c) * L;
      std::fill(out, out + L, T(0));
      for (int64_t o = 0; o < C_out; ++o) {
        const T w = weight[o * g.C + c];
        const T* gy = grad_y + (n * C_out + o) * L;
        for (int64_t l = 0; l < L; ++l) out[l] += w * gy[l];
      }
    }
}

template <typename T>
void conv2d_pointwise_weight_grad(const T* x, const T* grad_y, const ConvGeometry& g, int64_t C_out, T* grad_weight) {
  const int64_t L = g.H * g.W;
  // NOTE: 8 partial sums per dot product (lanes a vector unit can keep), added at the end.
  constexpr int kLanes = 8;
  for (int64_t o = 0; o < C_out; ++o)
    for (int64_t c = 0; c < g.C; ++c) {
      T lanes[kLanes] = {};
      T tail = T(0);
      for (int64_t n = 0; n < g.N; ++n) {
        const T* gy = grad_y + (n * C_out + o) * L;
        const T* in = x + (n * g.C + c) * L;
        int64_t l = 0;
        for (; l + kLanes <= L; l += kLanes)
          for (int i = 0; i < kLanes; ++i) lanes[i] += gy[l + i] * in[l + i];
        for (; l < L; ++l) tail += gy[l] * in[l];
      }
      T total = tail;
      for (int i = 0; i < kLanes; ++i) total += lanes[i];
      grad_weight[o * g.C + c] = total;
    }
}

#define CONVGRAD_INSTANTIATE_POINTWISE(T)                                                                        \
  template void conv2d_pointwise<T>(const T*, const T*, const T*, const ConvGeometry&, int64_t, T*);            \
  template void conv2d_pointwise_input_grad<T>(const T*, const T*, const ConvGeometry&, int64_t, T*);           \
  template void conv2d_pointwise_weight_grad<T>(const T*, const T*, const ConvGeometry&, int64_t, T*);
CONVGRAD_INSTANTIATE_POINTWISE(float)
CONVGRAD_INSTANTIATE_POINTWISE(double)
#undef CONVGRAD_INSTANTIATE_POINTWISE

}  // namespace convgrad
