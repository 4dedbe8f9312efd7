// The sparse and implicit spectral layouts: Spectra's restarted Lanczos for the 3 largest
// eigenvalues of M = D^(−1/2) A D^(−1/2), i.e. the 3 smallest of L = I − M (see spectral.h).
// Spectra needs only y = M x; the two operators below give it from a CSR or from the rows.
#include <algorithm>
#include <cmath>

#include <Spectra/SymEigsSolver.h>

#include "graph/spectral.h"
#include "tensor/error.h"

namespace convgrad::graph {

namespace {

std::vector<double> inverse_sqrt(const std::vector<double>& strength) {
  std::vector<double> out(strength.size());
  for (size_t i = 0; i < strength.size(); ++i) {
    CONVGRAD_CHECK(strength[i] > 0.0, "spectral_layout: expected every node to have a neighbour, but node ", i,
                   " has weighted degree ", strength[i]);
    out[i] = 1.0 / std::sqrt(strength[i]);
  }
  return out;
}

// y_i = d_i^(−1/2) Σ_j A_ij d_j^(−1/2) x_j over the stored neighbours.
class CsrOperator {
 public:
  using Scalar = double;
  explicit CsrOperator(const ThresholdGraph& g) : g_(g) {
    std::vector<double> strength(static_cast<size_t>(g.n), 0.0);
    for (int64_t i = 0; i < g.n; ++i)
      for (int64_t e = g.row_start[i]; e < g.row_start[i + 1]; ++e) strength[i] += g.weight[e];
    inv_sqrt_ = inverse_sqrt(strength);
  }
  Eigen::Index rows() const { return g_.n; }
  Eigen::Index cols() const { return g_.n; }
  void perform_op(const double* x, double* y) const {
#pragma omp parallel for schedule(dynamic, 64) if (g_.n >= kParallelMinRows)
    for (int64_t i = 0; i < g_.n; ++i) {
      double sum = 0.0;
      for (int64_t e = g_.row_start[i]; e < g_.row_start[i + 1]; ++e)
        sum += g_.weight[e] * inv_sqrt_[g_.neighbour[e]] * x[g_.neighbour[e]];
      y[i] = inv_sqrt_[i] * sum;
    }
  }

 private:
  const ThresholdGraph& g_;
  std::vector<double> inv_sqrt_;
};

// The same product with A_ij = S_ij·[S_ij ≥ δ, i ≠ j] recomputed from the rows each time.
class ImplicitOperator {
 public:
  using Scalar = double;
  ImplicitOperator(const UnitRows& rows, double delta, const std::vector<double>& strength)
      : rows_(rows), delta_(delta), inv_sqrt_(inverse_sqrt(strength)), z_(strength.size()) {}
  Eigen::Index rows() const { return rows_.size(); }
  Eigen::Index cols() const { return rows_.size(); }
  void perform_op(const double* x, double* y) const {
    constexpr int64_t kTile = 1024;
    const int64_t n = rows_.size();
    for (int64_t j = 0; j < n; ++j) z_[j] = inv_sqrt_[j] * x[j];
#pragma omp parallel if (n >= kParallelMinRows)
    {
      std::vector<double> s(static_cast<size_t>(kTile));
#pragma omp for schedule(dynamic, 16)
      for (int64_t i = 0; i < n; ++i) {
        MaskedRowSum sum;
        for (int64_t tile = 0; tile < n; tile += kTile) {
          const int64_t count = std::min(kTile, n - tile);
          rows_.similarity_row_excluding_self(i, tile, tile + count, s.data());
          sum.add(s.data(), z_.data() + tile, count, delta_);
        }
        y[i] = inv_sqrt_[i] * sum.total();
      }
    }
  }

 private:
  const UnitRows& rows_;
  double delta_;
  std::vector<double> inv_sqrt_;
  mutable std::vector<double> z_;
};

template <typename Operator>
SpectralLayout lanczos_layout(Operator& op, const char* method) {
  const int64_t n = op.rows();
  CONVGRAD_CHECK(n >= 4, "spectral_layout: expected at least 4 nodes for the Lanczos solver, but got ", n);
  const int nev = 3;
  const Eigen::Index ncv = std::min<Eigen::Index>(n, 24);
  Spectra::SymEigsSolver<Operator> solver(op, nev, ncv);
  solver.init();  // Spectra's fixed-seed start vector: reproducible
  solver.compute(Spectra::SortRule::LargestAlge, 10000, 1e-12);
  CONVGRAD_CHECK(solver.info() == Spectra::CompInfo::Successful, "spectral_layout: expected Lanczos (",
                 method, ") to converge, but it stopped after ", solver.num_iterations(), " restarts");
  const Eigen::VectorXd mu = solver.eigenvalues();  // descending: μ1 ≥ μ2 ≥ μ3
  Eigen::MatrixXd vectors = solver.eigenvectors();
  SpectralLayout out;
  out.method = method;
  out.matrix_products = solver.num_operations();
  for (int c = 0; c < 3; ++c) out.eigenvalues[c] = 1.0 - mu[c];
  Eigen::VectorXd v2 = vectors.col(1).normalized(), v3 = vectors.col(2).normalized();
  fix_sign(v2);
  fix_sign(v3);
  out.coordinates.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.coordinates[i] = {v2[i], v3[i]};
  return out;
}

}  // namespace

SpectralLayout spectral_layout_sparse(const ThresholdGraph& g) {
  CsrOperator op(g);
  return lanczos_layout(op, "spectra-csr");
}

SpectralLayout spectral_layout_implicit(const UnitRows& rows, double delta, const std::vector<double>& strength) {
  ImplicitOperator op(rows, delta, strength);
  return lanczos_layout(op, "spectra-implicit");
}

}  // namespace convgrad::graph
