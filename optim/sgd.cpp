#include "optim/sgd.h"

#include <cmath>

namespace convgrad {

SGD::SGD(std::vector<Variable> params, SGDOptions options)
    : Optimizer(std::move(params), "SGD"), options_(options), buffers_(params_.size()) {
  CONVGRAD_CHECK(options_.lr >= 0, "SGD: expected lr >= 0, but got ", options_.lr);
  CONVGRAD_CHECK(options_.momentum >= 0, "SGD: expected momentum >= 0, but got ", options_.momentum);
  CONVGRAD_CHECK(options_.weight_decay >= 0, "SGD: expected weight_decay >= 0, but got ", options_.weight_decay);
  CONVGRAD_CHECK(!options_.nesterov || (options_.momentum > 0 && options_.dampening == 0),
                 "SGD: expected momentum > 0 and dampening = 0 for nesterov, but got momentum=",
                 options_.momentum, ", dampening=", options_.dampening);
}

const Tensor& SGD::momentum_buffer(size_t index) const {
  CONVGRAD_CHECK(index < buffers_.size(), "SGD.momentum_buffer: expected an index below ", buffers_.size(),
                 ", but got ", index);
  return buffers_[index];
}

void SGD::step() {
  NoGradGuard no_grad;
  const SGDOptions& o = options_;
  for (size_t i = 0; i < params_.size(); ++i) {
    Variable& param = params_[i];
    const Tensor& grad = param.grad();
    if (!grad.defined()) continue;  // frozen or unused: skipped, as in PyTorch
    check_state_dtype(i, grad, "gradient");
    check_state_dtype(i, buffers_[i], "momentum buffer");
    const bool first = !buffers_[i].defined();
    if (o.momentum != 0 && first) buffers_[i] = Tensor::empty(param.shape(), param.dtype());

    dispatch(param.dtype(), [&](auto zero) {
      using T = decltype(zero);
      T* theta = param.data().data<T>();
      const T* g_in = grad.data<T>();
      T* buf = o.momentum != 0 ? buffers_[i].data<T>() : nullptr;
      const T decay = T(o.weight_decay), momentum = T(o.momentum);
      const T one_minus_dampening = T(1 - o.dampening), neg_lr = T(-o.lr);
      const int64_t n = param.numel();
      // NOTE: x.add(y, alpha=a) is a fused multiply-add in PyTorch's CPU kernel: std::fma(y, a, x).
      for (int64_t k = 0; k < n; ++k) {
        T d = g_in[k];
        if (o.weight_decay != 0) d = std::fma(theta[k], decay, d);  // d_p.add(θ, alpha=wd)
        if (buf != nullptr) {
          // the first buffer is a clone of d_p; later buf.mul_(momentum).add_(d_p, alpha=1 − dampening)
          buf[k] = first ? d : std::fma(d, one_minus_dampening, buf[k] * momentum);
          d = o.nesterov ? std::fma(buf[k], momentum, d) : buf[k];  // d_p.add(buf, alpha=momentum)
        }
        theta[k] = std::fma(d, neg_lr, theta[k]);  // θ.add_(d_p, alpha=−lr)
      }
    });
  }
}

}  // namespace convgrad
