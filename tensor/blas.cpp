#include "tensor/blas.h"

#include <cblas.h>
#include <omp.h>

#include <type_traits>
#if defined(__AVX__)
#include <immintrin.h>
#endif
#ifdef __GLIBC__
#include <malloc.h>
#endif

namespace convgrad {

namespace {

// Settings made once, when the program starts, whether or not set_num_threads is called:
// - OpenBLAS single-threaded (see blas.h);
// - glibc's allocator keeps freed memory for reuse. By default it returns blocks above a
//   moving threshold (128 kB to 32 MB) to the OS, so an evaluation pass over 512 images,
//   whose activations are 1-3 MB each, page-faulted its buffers in again and again: 20% of
//   an evaluation epoch of the U-Net. Blocks over 64 MB still go back at once.
struct StartupSettings {
  StartupSettings() {
    openblas_set_num_threads(1);
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 64 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
  }
};
const StartupSettings startup_settings;

void blas_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
               const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(M),
              static_cast<int>(N), static_cast<int>(K), alpha, A, static_cast<int>(lda), B, static_cast<int>(ldb),
              beta, C, static_cast<int>(ldc));
}

void blas_gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
               const double* B, int64_t ldb, double beta, double* C, int64_t ldc) {
  cblas_dgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, static_cast<int>(M),
              static_cast<int>(N), static_cast<int>(K), alpha, A, static_cast<int>(lda), B, static_cast<int>(ldb),
              beta, C, static_cast<int>(ldc));
}

}  // namespace

template <typename T>
void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, const T* B,
          int64_t ldb, T beta, T* C, int64_t ldc) {
  if (M == 0 || N == 0) return;
  // A large product: each thread computes a block of C's columns, C[:, begin:end] =
  // op(A) · op(B)[:, begin:end], with a single-threaded BLAS call of its own.
  constexpr int64_t kMinColumnsPerThread = 64;
  if (worth_parallel(M * N * K) && N >= 2 * kMinColumnsPerThread) {
#pragma omp parallel
    {
      const int64_t t = omp_get_thread_num(), count = omp_get_num_threads();
      const int64_t begin = N * t / count, end = N * (t + 1) / count;
      const T* B_block = tb ? B + begin * ldb : B + begin;  // columns of op(B) are rows of B when transposed
      blas_gemm(ta, tb, M, end - begin, K, alpha, A, lda, B_block, ldb, beta, C + begin, ldc);
    }
    return;
  }
  blas_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

template void gemm<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t,
                          float, float*, int64_t);
template void gemm<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t, const double*,
                           int64_t, double, double*, int64_t);

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

namespace {
// out[c][r] = in[r][c] for the 8 × 8 tile at (r, c): 8 rows loaded, the 8 columns stored, the
// tile turned in registers (pairs of rows interleaved, then pairs of pairs, then the halves).
#if defined(__AVX__)
void transpose_tile8(const float* in, int64_t C, float* out, int64_t R) {
  __m256 row[8], pair[8], quad[8];
  for (int i = 0; i < 8; ++i) row[i] = _mm256_loadu_ps(in + i * C);
  for (int i = 0; i < 8; i += 2) {
    pair[i] = _mm256_unpacklo_ps(row[i], row[i + 1]);      // r0c0 r1c0 r0c1 r1c1 | r0c4 r1c4 r0c5 r1c5
    pair[i + 1] = _mm256_unpackhi_ps(row[i], row[i + 1]);  // r0c2 r1c2 r0c3 r1c3 | r0c6 r1c6 r0c7 r1c7
  }
  for (int i = 0; i < 8; i += 4)  // four rows' column j | column j + 4, j = 0..3
    for (int j = 0; j < 2; ++j) {
      quad[i + 2 * j] = _mm256_shuffle_ps(pair[i + j], pair[i + j + 2], 0x44);
      quad[i + 2 * j + 1] = _mm256_shuffle_ps(pair[i + j], pair[i + j + 2], 0xEE);
    }
  for (int j = 0; j < 4; ++j) {
    _mm256_storeu_ps(out + j * R, _mm256_permute2f128_ps(quad[j], quad[j + 4], 0x20));        // column j
    _mm256_storeu_ps(out + (j + 4) * R, _mm256_permute2f128_ps(quad[j], quad[j + 4], 0x31));  // column j + 4
  }
}
#endif

template <typename T>
void transpose(const T* in, int64_t R, int64_t C, T* out) {
  int64_t r0 = 0;
#if defined(__AVX__)
  if constexpr (std::is_same_v<T, float>)  // whole 8 × 8 tiles turned in registers
    for (; r0 + 8 <= R; r0 += 8) {
      int64_t c = 0;
      for (; c + 8 <= C; c += 8) transpose_tile8(in + r0 * C + c, C, out + c * R + r0, R);
      for (; c < C; ++c)
        for (int64_t r = r0; r < r0 + 8; ++r) out[c * R + r] = in[r * C + c];
    }
#endif
  for (int64_t r = r0; r < R; ++r)
    for (int64_t c = 0; c < C; ++c) out[c * R + r] = in[r * C + c];
}
}  // namespace

Tensor transpose2d(const Tensor& x) {
  CONVGRAD_CHECK(x.dim() == 2, "transpose2d: expected a 2-d tensor, but got ", shape_str(x.shape()));
  const int64_t R = x.size(0), C = x.size(1);
  Tensor out = Tensor::empty({C, R}, x.dtype());
  dispatch(x.dtype(), [&](auto zero) {
    using T = decltype(zero);
    transpose(x.data<T>(), R, C, out.data<T>());
  });
  return out;
}

void set_num_threads(int threads) {
  if (threads <= 0) return;
  omp_set_num_threads(threads);
  openblas_set_num_threads(1);  // still one pool only (see blas.h)
}

int get_num_threads() { return omp_get_max_threads(); }

bool worth_parallel(int64_t multiply_adds) {
  return multiply_adds >= kParallelMinWork && omp_get_max_threads() > 1 && !omp_in_parallel();
}

}  // namespace convgrad
