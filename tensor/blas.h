// Matrix products through OpenBLAS (cblas_sgemm / cblas_dgemm), row-major.
// Conv2d, ConvTranspose2d and Linear all reduce to these GEMMs.
//
// Threads: convgrad runs ONE pool of threads, OpenMP's. OpenBLAS always runs single-threaded,
// and the work is split by the callers: the conv ops hand chunks of a batch to the threads,
// gemm splits a large product by columns. Two pools side by side (OpenBLAS's own threads
// spinning next to OpenMP's) oversubscribe the cores: on a busy 2-core machine a 120 µs
// convolution was seen to take 60 ms.
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

// Threads of the OpenMP regions (0 = leave the default: one per core).
void set_num_threads(int threads);
int get_num_threads();

// Whether a loop of `multiply_adds` of work should be split over the threads: there must be
// more than one thread, no enclosing parallel region, and enough work (2^23 multiply-adds,
// 0.1-0.2 ms of one core) that the fork and the join are a small part of it.
// NOTE: measured on a 2-core machine shared with other programs. With regions from 2^21
// multiply-adds up (the coursework's conv layers), 2 threads made a U-Net training epoch 1.3x
// faster when the machine was quiet (load 1.7: 41 -> 32 ms), but 2-5x slower under load 3-7:
// a thread waits milliseconds at each join for its partner to get a core back (a 50 µs region
// took 16-20 ms at the 90th percentile). The coursework's layers (at most 3.7 M multiply-adds,
// conv3) stay below the threshold, and its training and evaluation run inside run_tasks
// anyway (one OpenMP thread per task): they split batches, not ops. Ops of a VAE's shape
// (batch 128, 28×28, 12.8 M) are split: on 2 threads its k4 s2 conv fwd+bwd 1040 -> 620 µs,
// the transposed one 1430 -> 870 µs. (It was 2^26 before run_tasks took over the coursework.)
inline constexpr int64_t kParallelMinWork = int64_t{1} << 23;
bool worth_parallel(int64_t multiply_adds);

}  // namespace convgrad
