#include "tensor/blas.h"

#include <cblas.h>
#include <omp.h>

namespace convgrad {

template <>
void gemm<float>(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                 int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A,
              static_cast<int>(lda), B, static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
}

template <>
void gemm<double>(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
                  int64_t lda, const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
              static_cast<int>(M), static_cast<int>(N), static_cast<int>(K), alpha, A,
              static_cast<int>(lda), B, static_cast<int>(ldb), beta, C, static_cast<int>(ldc));
}

Tensor matmul(const Tensor& a, const Tensor& b) {
  CONVGRAD_CHECK(a.dim() >= 2 && b.dim() == 2, "matmul: expected a [.., M, K] and a [K, N] tensor, but got ",
                 shape_str(a.shape()), " and ", shape_str(b.shape()));
  CONVGRAD_CHECK(a.size(-1) == b.size(0), "matmul: expected the inner sizes to match, but got ",
                 shape_str(a.shape()), " and ", shape_str(b.shape()), " (", a.size(-1), " vs ",
                 b.size(0), ")");
  check_same_dtype(a, b, "matmul");
  const int64_t K = b.size(0), N = b.size(1), M = a.numel() / K;
  Shape out_shape = a.shape();
  out_shape.back() = N;
  Tensor out = Tensor::empty(out_shape, a.dtype());
  dispatch(a.dtype(), [&](auto zero) {
    using T = decltype(zero);
    gemm<T>(false, false, M, N, K, T(1), a.data<T>(), K, b.data<T>(), N, T(0), out.data<T>(), N);
  });
  return out;
}

Tensor transpose2d(const Tensor& x) {
  CONVGRAD_CHECK(x.dim() == 2, "transpose2d: expected a 2-d tensor, but got ", shape_str(x.shape()));
  const int64_t R = x.size(0), C = x.size(1);
  Tensor out = Tensor::empty({C, R}, x.dtype());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    const T* in = x.data<T>();
    T* o = out.data<T>();
    for (int64_t r = 0; r < R; ++r)
      for (int64_t c = 0; c < C; ++c) o[c * R + r] = in[r * C + c];
  });
  return out;
}

void set_num_threads(int threads) {
  if (threads <= 0) return;
  openblas_set_num_threads(threads);
  omp_set_num_threads(threads);
}

int get_num_threads() { return omp_get_max_threads(); }

}  // namespace convgrad
