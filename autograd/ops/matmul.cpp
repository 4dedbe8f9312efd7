// matmul: c = a @ b, a [..., M, K] (viewed as [M', K] with M' = numel(a) / K), b [K, N].
// The forward is tensor/blas.h's matmul (one GEMM); the backward is two more.
#include "autograd/functions.h"
#include "tensor/blas.h"

namespace convgrad {

Variable matmul(const Variable& a, const Variable& b) {
  const Tensor ta = a.data(), tb = b.data();
  Tensor output = matmul(ta, tb);  // checks the shapes ("matmul: expected the inner sizes to match, ...")
  const bool need_a = a.requires_grad(), need_b = b.requires_grad();

  // dL/da = G · bᵀ,   dL/db = aᵀ · G   (G = grad_output as [M', N])
  return make_result("matmul", output, {a, b}, [ta, tb, need_a, need_b](const Tensor& grad_output) {
    const int64_t K = tb.size(0), N = tb.size(1), M = ta.numel() / K;
    const DType dtype = grad_output.dtype();
    Tensor grad_a, grad_b;
    dispatch(dtype, [&](auto zero) {
      using T = decltype(zero);
      const T* G = grad_output.data<T>();
      if (need_a) {
        grad_a = Tensor::empty(ta.shape(), dtype);
        gemm<T>(false, true, M, K, N, T(1), G, N, tb.data<T>(), N, T(0), grad_a.data<T>(), K);
      }
      if (need_b) {
        grad_b = Tensor::empty(tb.shape(), dtype);
        gemm<T>(true, false, K, N, M, T(1), ta.data<T>(), K, G, N, T(0), grad_b.data<T>(), N);
      }
    });
    return Grads{grad_a, grad_b};
  });
}

}  // namespace convgrad
