#include <cmath>

#include <Eigen/Eigenvalues>

#include "graph/spectral.h"
#include "tensor/error.h"

namespace convgrad::graph {

void fix_sign(Eigen::Ref<Eigen::VectorXd> v) {
  Eigen::Index largest = 0;
  for (Eigen::Index i = 1; i < v.size(); ++i)
    if (std::abs(v[i]) > std::abs(v[largest])) largest = i;
  if (v.size() > 0 && v[largest] < 0) v = -v;
}

Eigen::MatrixXd normalized_laplacian(const ThresholdGraph& g) {
  const int64_t n = g.n;
  // d_i^(−1/2) with d_i the weighted degree (strength) of node i.
  Eigen::VectorXd inv_sqrt(n);
  for (int64_t i = 0; i < n; ++i) {
    double d = 0.0;
    for (int64_t e = g.row_start[i]; e < g.row_start[i + 1]; ++e) d += g.weight[e];
    CONVGRAD_CHECK(d > 0.0, "normalized_laplacian: expected every node to have a neighbour, but node ", i,
                   " has weighted degree ", d);
    inv_sqrt[i] = 1.0 / std::sqrt(d);
  }
  Eigen::MatrixXd L = Eigen::MatrixXd::Identity(n, n);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t e = g.row_start[i]; e < g.row_start[i + 1]; ++e)
      L(g.neighbour[e], i) = -inv_sqrt[i] * g.weight[e] * inv_sqrt[g.neighbour[e]];  // −A_ij/√(d_i d_j)
  return L;
}

SpectralLayout spectral_layout_dense(const ThresholdGraph& g) {
  CONVGRAD_CHECK(g.n >= 3, "spectral_layout: expected at least 3 nodes for 3 eigenvectors, but got ", g.n);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(normalized_laplacian(g));
  CONVGRAD_CHECK(solver.info() == Eigen::Success, "spectral_layout: the dense eigensolver did not converge");
  SpectralLayout out;
  out.method = "dense";
  for (int c = 0; c < 3; ++c) out.eigenvalues[c] = solver.eigenvalues()[c];  // ascending
  Eigen::VectorXd v2 = solver.eigenvectors().col(1), v3 = solver.eigenvectors().col(2);
  fix_sign(v2);
  fix_sign(v3);
  out.coordinates.resize(static_cast<size_t>(g.n));
  for (int64_t i = 0; i < g.n; ++i) out.coordinates[i] = {v2[i], v3[i]};
  return out;
}

}  // namespace convgrad::graph
