#include <algorithm>
#include <cmath>

#include "graph/sweep.h"
#include "graph/thresholds.h"
#include "graph/union_find.h"
#include "tensor/error.h"

namespace convgrad::graph {

namespace {
struct WeightedPair {
  double weight;
  int32_t i, j;
};
}  // namespace

SweepResult sweep_sorted_edges(const Eigen::MatrixXd& S, int n_thresholds) {
  const int64_t n = S.rows();
  CONVGRAD_CHECK(S.rows() == S.cols() && n >= 2,
                 "sweep_sorted_edges: expected a square similarity matrix with N >= 2, but got ", S.rows(),
                 " x ", S.cols());
  CONVGRAD_CHECK(S.allFinite(), "sweep_sorted_edges: expected finite similarities, but S has NaN or Inf");
  SweepResult result;
  result.similarity_min = S.minCoeff();
  result.similarity_max = S.maxCoeff();
  const ThresholdGrid grid(result.similarity_min, result.similarity_max, n_thresholds);
  result.thresholds = grid.values();

  std::vector<WeightedPair> edges;
  edges.reserve(static_cast<size_t>(n * (n - 1) / 2));
  for (int64_t j = 1; j < n; ++j)
    for (int64_t i = 0; i < j; ++i)
      edges.push_back({S(i, j), static_cast<int32_t>(i), static_cast<int32_t>(j)});
  std::sort(edges.begin(), edges.end(),
            [](const WeightedPair& a, const WeightedPair& b) { return a.weight > b.weight; });

  // Top down: G^(t_k) = G^(t_{k+1}) + the edges with t_k ≤ w < t_{k+1}. Equal weights enter
  // together, so "≥" is exact whatever order the sort left them in.
  result.n_components.assign(static_cast<size_t>(n_thresholds), 0);
  result.n_edges.assign(static_cast<size_t>(n_thresholds), 0);
  UnionFind components(n);
  size_t next = 0;
  bool connected = false;
  for (int k = n_thresholds - 1; k >= 0; --k) {
    for (; next < edges.size() && edges[next].weight >= grid[k]; ++next) {
      if (components.unite(edges[next].i, edges[next].j) && components.components() == 1 && !connected) {
        connected = true;
        result.delta_star_exact = edges[next].weight;  // the bottleneck edge
      }
    }
    result.n_components[k] = components.components();
    result.n_edges[k] = static_cast<int64_t>(next);
  }
  // G^(t_0) is complete (t_0 = min S), so the loop above always reaches one component.
  finish_sweep(result, n);
  return result;
}

void finish_sweep(SweepResult& result, int64_t n_nodes) {
  const double max_edges = 0.5 * static_cast<double>(n_nodes) * static_cast<double>(n_nodes - 1);
  const int count = static_cast<int>(result.thresholds.size());
  result.sparsity.resize(static_cast<size_t>(count));
  for (int k = 0; k < count; ++k) result.sparsity[k] = static_cast<double>(result.n_edges[k]) / max_edges;
  result.delta_star_index = 0;
  for (int k = count - 1; k >= 0; --k) {
    if (result.n_components[k] == 1) {
      result.delta_star_index = k;
      break;
    }
  }
  result.delta_star = result.thresholds[result.delta_star_index];
}

}  // namespace convgrad::graph
