#include "graph/threshold_graph.h"

#include <algorithm>
#include <limits>

#include "tensor/error.h"

namespace convgrad::graph {

namespace {
constexpr int64_t kTile = 1024;
}

DegreeSummary threshold_degrees(const UnitRows& rows, double delta) {
  const int64_t n = rows.size();
  DegreeSummary out;
  out.degree.assign(static_cast<size_t>(n), 0);
  out.strength.assign(static_cast<size_t>(n), 0.0);
  // Full rows (each pair computed twice) keep every row independent: no atomics, and the
  // strength is summed in one fixed order whatever the thread count.
#pragma omp parallel if (n >= kParallelMinRows)
  {
    std::vector<double> s(static_cast<size_t>(kTile));
#pragma omp for schedule(dynamic, 16)
    for (int64_t i = 0; i < n; ++i) {
      int64_t degree = 0;
      MaskedRowSum strength;
      for (int64_t tile = 0; tile < n; tile += kTile) {
        const int64_t count = std::min(kTile, n - tile);
        rows.similarity_row_excluding_self(i, tile, tile + count, s.data());
        for (int64_t r = 0; r < count; ++r) degree += s[r] >= delta;
        strength.add(s.data(), nullptr, count, delta);
      }
      out.degree[i] = degree;
      out.strength[i] = strength.total();
    }
  }
  int64_t ends = 0;
  for (int64_t d : out.degree) ends += d;
  out.n_edges = ends / 2;
  return out;
}

int64_t threshold_graph_bytes(const DegreeSummary& degrees) {
  const int64_t entries = 2 * degrees.n_edges;
  return entries * static_cast<int64_t>(sizeof(int32_t) + sizeof(double)) +
         static_cast<int64_t>(degrees.degree.size() + 1) * static_cast<int64_t>(sizeof(int64_t));
}

ThresholdGraph build_threshold_graph(const UnitRows& rows, double delta, const DegreeSummary& degrees) {
  const int64_t n = rows.size();
  CONVGRAD_CHECK(n <= std::numeric_limits<int32_t>::max(), "build_threshold_graph: expected N < 2^31, but got ",
                 n);
  ThresholdGraph g;
  g.n = n;
  g.delta = delta;
  g.row_start.assign(static_cast<size_t>(n + 1), 0);
  for (int64_t i = 0; i < n; ++i) g.row_start[i + 1] = g.row_start[i] + degrees.degree[i];
  g.neighbour.resize(static_cast<size_t>(g.row_start[n]));
  g.weight.resize(static_cast<size_t>(g.row_start[n]));
#pragma omp parallel if (n >= kParallelMinRows)
  {
    std::vector<double> s(static_cast<size_t>(kTile));
#pragma omp for schedule(dynamic, 16)
    for (int64_t i = 0; i < n; ++i) {
      int64_t at = g.row_start[i];
      for (int64_t tile = 0; tile < n; tile += kTile) {
        const int64_t count = std::min(kTile, n - tile);
        rows.similarity_row_excluding_self(i, tile, tile + count, s.data());
        for (int64_t r = 0; r < count; ++r) {
          if (s[r] >= delta) {
            g.neighbour[at] = static_cast<int32_t>(tile + r);
            g.weight[at] = s[r];
            ++at;
          }
        }
      }
    }
  }
  return g;
}

}  // namespace convgrad::graph
