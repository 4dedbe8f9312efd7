// Squared-error losses, one op each way:
//   L       = factor · Σ_i (x_i − t_i)²
//   dL/dx_i = 2 · factor · g · (x_i − t_i),   dL/dt = −dL/dx   (g = dL/dL, one value)
// mse_loss is factor 1/numel (Mean) or 1 (Sum); the coursework's MSE_reconstruct, a per-sample
// sum averaged over the N samples, factor 1/N (nn/losses.cpp; 100 × mse_loss(Mean) for 10×10
// images, docs/losses.md).
#include "autograd/functions.h"

namespace convgrad {

namespace {

// Σ (a_i − b_i)² with 8 interleaved partial sums in double (lane k takes i ≡ k mod 8), added
// pairwise at the end: one running sum would make each addition wait for the one before.
template <typename T>
double squared_distance(const T* a, const T* b, int64_t n) {
  double part[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) {
      const T d = a[i + k] - b[i + k];
      part[k] += static_cast<double>(d * d);
    }
  for (int k = 0; i < n; ++i, ++k) {
    const T d = a[i] - b[i];
    part[k] += static_cast<double>(d * d);
  }
  return ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
}

}  // namespace

Variable squared_error(const Variable& input, const Variable& target, double factor, const char* op) {
  CONVGRAD_CHECK(input.shape() == target.shape(), op, ": expected input and target of the same shape, but got input ",
                 shape_str(input.shape()), " and target ", shape_str(target.shape()));
  check_same_dtype(input.data(), target.data(), op);
  const Tensor x = input.data(), t = target.data();
  Tensor output = Tensor::empty({}, x.dtype());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    output.data<T>()[0] = static_cast<T>(factor * squared_distance(x.data<T>(), t.data<T>(), x.numel()));
  });

  const bool need_target = target.requires_grad();
  return make_result(op, output, {input, target}, [x, t, factor, need_target](const Tensor& grad_output) {
    Tensor grad_input = Tensor::empty(x.shape(), x.dtype()), grad_target;
    dispatch(x.dtype(), [&](auto zero) {
      using T = decltype(zero);
      const T c = static_cast<T>(2.0 * factor * grad_output.item());
      const T *a = x.data<T>(), *b = t.data<T>();
      T* dx = grad_input.data<T>();
      for (int64_t i = 0; i < x.numel(); ++i) dx[i] = c * (a[i] - b[i]);
      if (need_target) {
        grad_target = Tensor::empty(x.shape(), x.dtype());
        T* dt = grad_target.data<T>();
        for (int64_t i = 0; i < x.numel(); ++i) dt[i] = -dx[i];
      }
    });
    return Grads{grad_input, grad_target};
  });
}

Variable mse_loss(const Variable& input, const Variable& target, Reduction reduction) {
  const double factor = reduction == Reduction::Sum ? 1.0 : 1.0 / static_cast<double>(input.numel());
  return squared_error(input, target, factor, "mse_loss");
}

}  // namespace convgrad
