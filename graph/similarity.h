// Cosine similarity between the rows of X (N × K, row-major):
//   S_ij = <x_i, x_j> / (‖x_i‖ ‖x_j‖) = <u_i, u_j>   with  u_i = x_i / ‖x_i‖.
// The rows are normalised once (UnitRows); every S_ij in graph/ is then computed by the same
// kernel, summing u_if·u_jf over f = 0..K-1 in that order, without fused multiply-adds
// (graph/ is built with -ffp-contract=off). So S_ij is bit-identical to S_ji and to itself
// wherever it is recomputed (range pass, sweep, graph build, matrix-free products): the
// threshold comparisons S_ij ≥ δ give the same answer everywhere, ties included.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace convgrad::graph {

// Passes over all pairs run on one thread below this many rows: at N = 400 the whole pass takes
// well under a millisecond, less than a fork/join costs on busy cores.
constexpr int64_t kParallelMinRows = 1024;

class UnitRows {
 public:
  // Normalises every row. Throws convgrad::Error for a non-finite value or a zero-norm row:
  //   "cosine_similarity: expected non-zero rows, but row 17 (index 16) has norm 0".
  UnitRows(const double* X, int64_t N, int64_t K);

  int64_t size() const { return n_; }
  int64_t features() const { return k_; }
  // u_i as K contiguous values.
  const double* row(int64_t i) const { return rows_.data() + i * k_; }
  // Feature-major copy: columns()[f * size() + i] = u_if (contiguous over i, for the kernel).
  const double* columns() const { return columns_.data(); }

  double similarity(int64_t i, int64_t j) const;
  // out[j - begin] = S_ij for j in [begin, end).
  void similarity_row(int64_t i, int64_t begin, int64_t end, double* out) const;
  // The same with S_ii replaced by −∞, so a test "S_ij ≥ δ" never picks i itself (no
  // self-loops) and loops over j need no j ≠ i branch.
  void similarity_row_excluding_self(int64_t i, int64_t begin, int64_t end, double* out) const;

 private:
  int64_t n_ = 0;
  int64_t k_ = 0;
  std::vector<double> rows_;     // N × K
  std::vector<double> columns_;  // K × N
};

// The kernel behind every similarity: out[r] = Σ_f a[f] · columns[f * stride + r], r < count,
// accumulated in f order starting from 0 (see the note at the top of this file).
void similarity_kernel(const double* a, int64_t K, const double* columns, int64_t stride,
                       int64_t count, double* out);

// The dense N × N matrix S (for small N and for tests; N = 20,000 would need 3.2 GB).
Eigen::MatrixXd cosine_similarity(const double* X, int64_t N, int64_t K);
Eigen::MatrixXd cosine_similarity(const UnitRows& rows);

}  // namespace convgrad::graph
