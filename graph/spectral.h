// Spectral layout of a connected weighted graph G (adjacency A, weighted degrees d_i = Σ_j A_ij):
//   L = I − D^(−1/2) A D^(−1/2)   (symmetric normalised Laplacian, eigenvalues in [0, 2]).
// λ1 = 0 with eigenvector ∝ D^(1/2)·1; node i is drawn at (v2_i, v3_i), the entries of the unit
// eigenvectors of the 2nd and 3rd smallest eigenvalues. An eigenvector is only defined up to
// sign, so the sign is fixed: the entry of largest magnitude is positive (ties: the first).
//
// Three solvers, one answer (up to rounding):
//  * dense    — Eigen::SelfAdjointEigenSolver on the N × N matrix L, O(N³): small N.
//  * sparse   — Spectra's Lanczos (SymEigsSolver) on the CSR of A: the 3 largest eigenvalues
//               μ of M = D^(−1/2) A D^(−1/2) are the 3 smallest λ = 1 − μ of L.
//  * implicit — the same Lanczos, but M x is computed from the normalised rows on the fly
//               (O(N² K) per product, O(N) memory) for a G too dense to store.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "graph/similarity.h"
#include "graph/threshold_graph.h"

namespace convgrad::graph {

struct SpectralLayout {
  std::array<double, 3> eigenvalues{};              // λ1 ≤ λ2 ≤ λ3 of L
  std::vector<std::array<double, 2>> coordinates;   // node i at (v2_i, v3_i)
  std::string method;                               // "dense", "spectra-csr", "spectra-implicit"
  int64_t matrix_products = 0;                      // M x products Lanczos needed (0 for dense)
};

// The dense L of G (every node must have a neighbour).
Eigen::MatrixXd normalized_laplacian(const ThresholdGraph& g);

SpectralLayout spectral_layout_dense(const ThresholdGraph& g);
SpectralLayout spectral_layout_sparse(const ThresholdGraph& g);
// G^(delta) given by rows and delta; strength = its weighted degrees (threshold_degrees).
SpectralLayout spectral_layout_implicit(const UnitRows& rows, double delta, const std::vector<double>& strength);

// Flips v so that its largest-magnitude entry (the first of equal ones) is positive.
void fix_sign(Eigen::Ref<Eigen::VectorXd> v);

}  // namespace convgrad::graph
