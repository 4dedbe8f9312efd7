// The large-N sweep: n(δ) from a maximum spanning tree, edge counts from one histogram pass.
#include <algorithm>
#include <functional>

#include "graph/spanning_tree.h"
#include "graph/sweep.h"
#include "graph/thresholds.h"

namespace convgrad::graph {

std::vector<int64_t> edge_histogram(const UnitRows& rows, const ThresholdGrid& grid) {
  const int64_t n = rows.size();
  constexpr int64_t kTile = 1024;
  std::vector<int64_t> total(static_cast<size_t>(grid.size()), 0);
#pragma omp parallel if (n >= kParallelMinRows)
  {
    // NOTE: 4 interleaved counters per bucket: neighbouring pairs often share a bucket, and one
    // counter would chain every increment through the same memory word.
    std::vector<int64_t> counts(static_cast<size_t>(4 * (grid.size() + 1)), 0);
    std::vector<double> s(static_cast<size_t>(kTile));
#pragma omp for schedule(dynamic, 16) nowait
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t tile = i + 1; tile < n; tile += kTile) {
        const int64_t count = std::min(kTile, n - tile);
        rows.similarity_row(i, tile, tile + count, s.data());
        for (int64_t r = 0; r < count; ++r) ++counts[4 * (grid.bucket(s[r]) + 1) + (r & 3)];
      }
    }
#pragma omp critical
    for (int b = 0; b < grid.size(); ++b)
      for (int c = 0; c < 4; ++c) total[b] += counts[4 * (b + 1) + c];
  }
  return total;
}

SweepResult sweep_spanning_tree(const UnitRows& rows, int n_thresholds) {
  const int64_t n = rows.size();
  const SpanningTree tree = maximum_spanning_tree(rows);
  SweepResult result;
  result.similarity_min = tree.similarity_min;
  result.similarity_max = tree.similarity_max;
  const ThresholdGrid grid(tree.similarity_min, tree.similarity_max, n_thresholds);
  result.thresholds = grid.values();
  const std::vector<int64_t> histogram = edge_histogram(rows, grid);

  // n(t_k) = N − (tree edges ≥ t_k); edges(t_k) = weights in buckets ≥ k.
  std::vector<double> weights;
  weights.reserve(tree.edges.size());
  for (const TreeEdge& e : tree.edges) weights.push_back(e.weight);
  std::sort(weights.begin(), weights.end(), std::greater<double>());
  result.n_components.assign(static_cast<size_t>(n_thresholds), 0);
  result.n_edges.assign(static_cast<size_t>(n_thresholds), 0);
  size_t in_tree = 0;
  int64_t edges = 0;
  for (int k = n_thresholds - 1; k >= 0; --k) {
    while (in_tree < weights.size() && weights[in_tree] >= grid[k]) ++in_tree;
    edges += histogram[k];
    result.n_components[k] = n - static_cast<int64_t>(in_tree);
    result.n_edges[k] = edges;
  }
  result.delta_star_exact = weights.back();
  finish_sweep(result, n);
  return result;
}

}  // namespace convgrad::graph
