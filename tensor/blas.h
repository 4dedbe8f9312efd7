// Matrix products through OpenBLAS (cblas_sgemm / cblas_dgemm), row-major.
// Conv2d, ConvTranspose2d and Linear all reduce to these GEMMs.
#pragma once

#include <cstdint>

#include "tensor/tensor.h"

namespace convgrad {

// C[M,N] = alpha * op(A) * op(B) + beta * C, with op(A) of shape [M,K] and op(B) [K,N].
// lda/ldb/ldc are the row strides of A, B, C as stored (before any transpose).
template <typename T>
void gemm(bool transpose_a, bool transpose_b, int64_t M, int64_t N, int64_t K, T alpha,
          const T* A, int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc);

// a[M,K] @ b[K,N] -> [M,N]; also a[..., M, K] @ b[K, N] with leading batch dims on a.
// Throws "matmul: expected the inner sizes to match, but got [..] and [..]".
Tensor matmul(const Tensor& a, const Tensor& b);
// The 2-d transpose, as a new contiguous tensor.
Tensor transpose2d(const Tensor& x);

// Threads used by OpenBLAS and OpenMP regions (0 = leave the default).
void set_num_threads(int threads);
int get_num_threads();

}  // namespace convgrad
