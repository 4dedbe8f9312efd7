#include "graph/similarity.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tensor/error.h"

namespace convgrad::graph {

UnitRows::UnitRows(const double* X, int64_t N, int64_t K) : n_(N), k_(K) {
  CONVGRAD_CHECK(N >= 1 && K >= 1, "cosine_similarity: expected at least one row and one column, but got ",
                 N, " x ", K);
  rows_.resize(static_cast<size_t>(N * K));
  columns_.resize(static_cast<size_t>(N * K));
  for (int64_t i = 0; i < N; ++i) {
    const double* x = X + i * K;
    double squared = 0.0, largest = 0.0;
    for (int64_t f = 0; f < K; ++f) {
      CONVGRAD_CHECK(std::isfinite(x[f]), "cosine_similarity: expected finite values, but row ", i + 1,
                     " (index ", i, ") has ", x[f], " in column ", f + 1);
      squared += x[f] * x[f];
      largest = std::max(largest, std::abs(x[f]));
    }
    double norm = std::sqrt(squared);  // numpy's formula
    if (largest > 0.0 && !(norm > 0.0 && std::isfinite(norm))) {
      // NOTE: x_f² under- or overflowed; ‖x‖ = m·‖x/m‖ with m = max|x_f| is safe.
      double scaled = 0.0;
      for (int64_t f = 0; f < K; ++f) scaled += (x[f] / largest) * (x[f] / largest);
      norm = largest * std::sqrt(scaled);
    }
    CONVGRAD_CHECK(norm > 0.0, "cosine_similarity: expected non-zero rows, but row ", i + 1, " (index ", i,
                   ") has norm 0");
    for (int64_t f = 0; f < K; ++f) {
      const double u = x[f] / norm;
      rows_[i * K + f] = u;
      columns_[f * N + i] = u;
    }
  }
}

void similarity_kernel(const double* a, int64_t K, const double* columns, int64_t stride, int64_t count,
                       double* out) {
  // Blocks of kBlock pairs keep their partial sums in registers across the K features (the
  // q-loop vectorises); the remainder runs the same operations one pair at a time.
  constexpr int64_t kBlock = 32;
  int64_t r0 = 0;
  for (; r0 + kBlock <= count; r0 += kBlock) {
    double acc[kBlock] = {};
    for (int64_t f = 0; f < K; ++f) {
      const double af = a[f];
      const double* column = columns + f * stride + r0;
      for (int64_t q = 0; q < kBlock; ++q) acc[q] += af * column[q];
    }
    for (int64_t q = 0; q < kBlock; ++q) out[r0 + q] = acc[q];
  }
  for (int64_t r = r0; r < count; ++r) {
    double acc = 0.0;
    for (int64_t f = 0; f < K; ++f) acc += a[f] * columns[f * stride + r];
    out[r] = acc;
  }
}

double UnitRows::similarity(int64_t i, int64_t j) const {
  double s;
  similarity_kernel(row(i), k_, columns_.data() + j, n_, 1, &s);
  return s;
}

void UnitRows::similarity_row(int64_t i, int64_t begin, int64_t end, double* out) const {
  similarity_kernel(row(i), k_, columns_.data() + begin, n_, end - begin, out);
}

void UnitRows::similarity_row_excluding_self(int64_t i, int64_t begin, int64_t end, double* out) const {
  similarity_row(i, begin, end, out);
  if (begin <= i && i < end) out[i - begin] = -std::numeric_limits<double>::infinity();
}

Eigen::MatrixXd cosine_similarity(const UnitRows& rows) {
  const int64_t n = rows.size();
  Eigen::MatrixXd S(n, n);
  // Column-major: column i holds S_ji = S_ij for j ≥ i; the other triangle is mirrored, so the
  // matrix is exactly symmetric.
#pragma omp parallel for schedule(dynamic, 16) if (n >= kParallelMinRows)
  for (int64_t i = 0; i < n; ++i) rows.similarity_row(i, i, n, S.col(i).data() + i);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) S(i, j) = S(j, i);
  return S;
}

Eigen::MatrixXd cosine_similarity(const double* X, int64_t N, int64_t K) {
  return cosine_similarity(UnitRows(X, N, K));
}

}  // namespace convgrad::graph
