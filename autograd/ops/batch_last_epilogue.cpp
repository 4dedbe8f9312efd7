#include "autograd/ops/batch_last_epilogue.h"

namespace convgrad {

EpilogueGrads epilogue_backward(const Tensor& grad_y, const Tensor& y, Activation activation, bool need_bias) {
  EpilogueGrads out;
  const int64_t C = grad_y.size(0), per_channel = C > 0 ? grad_y.numel() / C : 0;
  if (need_bias) out.grad_bias = Tensor::empty({C}, grad_y.dtype());
  if (activation == Activation::none) {
    out.grad_sum = grad_y;
    if (!need_bias) return out;
  } else {
    out.grad_sum = Tensor::empty(grad_y.shape(), grad_y.dtype());
  }
  dispatch(grad_y.dtype(), [&](auto zero) {
    using T = decltype(zero);
    T* grad_bias = need_bias ? out.grad_bias.data<T>() : nullptr;
    if (activation == Activation::none) channel_sums_batch_last<T>(grad_y.data<T>(), C, per_channel, grad_bias);
    else activation_grad_batch_last<T>(grad_y.data<T>(), y.data<T>(), C, per_channel, activation,
                                       out.grad_sum.data<T>(), grad_bias);
  });
  return out;
}

}  // namespace convgrad
