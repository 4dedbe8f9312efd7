// graph/ — the similarity graph of coursework Task 2, standalone (Eigen + Spectra, no autograd).
//
// Plain arrays in, plain structs out. Given N samples with K features (row-major doubles):
//
//   1. S_ij = cos(x_i, x_j)                                     similarity.h
//   2. 200 thresholds t_k = numpy.linspace(min S, max S, 200)   thresholds.h
//   3. n(t_k) = components of G^(t_k) (edge i–j when S_ij ≥ t_k), s(t_k) = edges / (N(N−1)/2),
//      from ONE sweep: sorted edges + union-find (N ≤ 1024), or Prim's maximum spanning tree
//      plus a bucket histogram (large N, O(N K) memory)                     sweep.h, union_find.h
//   4. δ* = largest t_k with n = 1; δ*_exact = the maximum-spanning-tree bottleneck; G = G^(δ*)
//   5. spectral layout: eigenvectors 2 and 3 of L = I − D^(−1/2) A D^(−1/2)   spectral.h
//   6. degree, degree centrality deg/(N−1), strength, and their means per treatment group
//                                                                             centrality.h
//
//   graph::Task2Result r = graph::analyse_similarity_graph(X, 400, 10, treatment);
//   r.n_components[k], r.delta_star, r.spectral_layout[i][0], r.mean_degree.treated, ...
//
// Nothing here prints or writes files. Errors are convgrad::Error (a std::runtime_error) with
// "<function>: expected <what>, but got <actual>" messages. docs/graph.md has the why.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "graph/centrality.h"
#include "graph/similarity.h"
#include "graph/spanning_tree.h"
#include "graph/spectral.h"
#include "graph/sweep.h"
#include "graph/threshold_graph.h"
#include "graph/thresholds.h"
#include "graph/union_find.h"

namespace convgrad::graph {

enum class SweepMethod { Auto, SortedEdges, SpanningTree };
enum class EigenMethod { Auto, Dense, SparseLanczos, ImplicitLanczos };

struct AnalysisOptions {
  int n_thresholds = 200;
  // Auto: SortedEdges for N ≤ dense_limit, else SpanningTree (same results, O(N K) memory).
  SweepMethod sweep = SweepMethod::Auto;
  // Auto: Dense for N ≤ dense_limit; else SparseLanczos when G's CSR fits in max_graph_bytes,
  // else ImplicitLanczos (recomputes S for every product: slow, but O(N) memory).
  EigenMethod eigen = EigenMethod::Auto;
  // NOTE: the dense eigensolver finds all N eigenpairs: 20 ms at N = 400, but 5 CPU-seconds at
  // N = 2000, where Lanczos needs 0.7 s; hence the switch at about 1000.
  int64_t dense_limit = 1024;
  int64_t max_graph_bytes = int64_t{1} << 30;
  // G's edges are copied into the result for drawing when there are at most this many.
  int64_t max_edges_kept = 2'000'000;
};

struct Edge {
  int32_t source = 0;  // source < target, 0-based row indices
  int32_t target = 0;
  double weight = 0.0;  // S_source,target
};

struct Timing {
  std::string phase;
  double seconds = 0.0;
};

struct Task2Result {
  int64_t n_samples = 0;
  int64_t n_features = 0;

  // 2.1: the threshold sweep (index k = threshold k, ascending).
  std::vector<double> thresholds;
  std::vector<int64_t> n_components;
  std::vector<int64_t> n_edges;
  std::vector<double> sparsity;
  double similarity_min = 0.0;
  double similarity_max = 0.0;
  int delta_star_index = 0;
  double delta_star = 0.0;        // the grid value; G = G^(delta_star)
  double delta_star_exact = 0.0;  // bottleneck: largest δ with G^(δ) connected
  int64_t n_edges_at_delta_star = 0;
  double sparsity_at_delta_star = 0.0;

  // G itself, for drawing (empty, edges_complete = false, above max_edges_kept).
  std::vector<Edge> edges;
  bool edges_complete = false;

  // 2.2: per node of G, and group means (treated = label 1, untreated = label 0).
  std::vector<int64_t> degree;
  std::vector<double> degree_centrality;
  std::vector<double> strength;
  int64_t n_treated = 0;
  int64_t n_untreated = 0;
  GroupMeans mean_degree;
  GroupMeans mean_degree_centrality;
  GroupMeans mean_strength;

  // Spectral layout: λ1 ≤ λ2 ≤ λ3 of the normalised Laplacian, node i at spectral_layout[i].
  std::array<double, 3> eigenvalues{};
  std::vector<std::array<double, 2>> spectral_layout;

  std::string sweep_method;  // "sorted-edges" or "spanning-tree"
  std::string eigen_method;  // "dense", "spectra-csr" or "spectra-implicit"
  int64_t lanczos_products = 0;
  // normalise, sweep, graph, spectral, centrality, total — wall-clock seconds.
  std::vector<Timing> timings;
};

// X: N × K row-major (N ≥ 4, K ≥ 1, finite, no zero row); treatment: N labels, each 0 or 1.
Task2Result analyse_similarity_graph(const double* X, int64_t N, int64_t K, const std::vector<int>& treatment,
                                     const AnalysisOptions& options = {});

}  // namespace convgrad::graph
