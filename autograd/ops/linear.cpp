// linear: y = x Wᵀ + b, x [..., in] (viewed as [M, in]), weight [out, in], bias [out].
// One GEMM; the bias is written first and the GEMM adds onto it (beta = 1).
#include "autograd/functions.h"
#include "tensor/blas.h"
#include "tensor/conv_kernels.h"

namespace convgrad {

Variable linear(const Variable& x, const Variable& weight, const Variable& bias) {
  CONVGRAD_CHECK(weight.dim() == 2, "linear: expected a 2-d weight [out, in], but got ", shape_str(weight.shape()));
  CONVGRAD_CHECK(x.dim() >= 1 && x.size(-1) == weight.size(1), "linear: expected input ", shape_str(x.shape()),
                 " to have ", weight.size(1), " features in its last dimension (weight ", shape_str(weight.shape()),
                 "), but got ", x.dim() >= 1 ? x.size(-1) : 0);
  check_same_dtype(x.data(), weight.data(), "linear");
  const int64_t in = weight.size(1), out = weight.size(0), M = x.numel() / in;
  if (bias.defined()) {
    CONVGRAD_CHECK(bias.dim() == 1 && bias.size(0) == out, "linear: expected bias of shape [", out, "] (weight ",
                   shape_str(weight.shape()), "), but got ", shape_str(bias.shape()));
    check_same_dtype(x.data(), bias.data(), "linear");
  }
  Shape out_shape = x.shape();
  out_shape.back() = out;
  const DType dtype = x.dtype();
  const Tensor input = x.data(), w = weight.data();
  Tensor output = Tensor::empty(out_shape, dtype);
  dispatch(dtype, [&](auto zero) {
    using T = decltype(zero);
    T* y = output.data<T>();
    if (bias.defined()) {
      const T* b = bias.data().data<T>();
      for (int64_t m = 0; m < M; ++m) std::copy(b, b + out, y + m * out);
    }
    gemm<T>(false, true, M, out, in, T(1), input.data<T>(), in, w.data<T>(), in, T(bias.defined() ? 1 : 0), y, out);
  });

  const bool need_input = x.requires_grad(), need_weight = weight.requires_grad();
  const bool has_bias = bias.defined(), need_bias = has_bias && bias.requires_grad();
  std::vector<Variable> inputs{x, weight};
  if (has_bias) inputs.push_back(bias);

  // G = grad_output as [M, out]:  dL/dx = G · W,   dL/dW = Gᵀ · x,   dL/db = column sums of G
  return make_result("linear", output, std::move(inputs),
                     [input, w, M, need_input, need_weight, need_bias, has_bias](const Tensor& grad_output) {
    const int64_t out = w.size(0), in = w.size(1);
    const DType dtype = grad_output.dtype();
    Tensor grad_input, grad_weight, grad_bias;
    dispatch(dtype, [&](auto zero) {
      using T = decltype(zero);
      const T* G = grad_output.data<T>();
      if (need_input) {
        grad_input = Tensor::empty(input.shape(), dtype);
        gemm<T>(false, false, M, in, out, T(1), G, out, w.data<T>(), in, T(0), grad_input.data<T>(), in);
      }
      if (need_weight) {
        grad_weight = Tensor::empty(w.shape(), dtype);
        gemm<T>(true, false, out, in, M, T(1), G, out, input.data<T>(), in, T(0), grad_weight.data<T>(), in);
      }
      if (need_bias) {
        grad_bias = Tensor::empty({out}, dtype);
        channel_sums<T>(G, M, out, 1, grad_bias.data<T>());
      }
    });
    Grads grads{grad_input, grad_weight};
    if (has_bias) grads.push_back(grad_bias);
    return grads;
  });
}

}  // namespace convgrad
