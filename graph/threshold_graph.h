// G^(δ) as a weighted, undirected graph: edge i–j (i ≠ j) with weight S_ij when S_ij ≥ δ.
// Built row by row from the normalised rows, never from a dense S: first the degrees (which
// size the arrays), then, if wanted, the adjacency in compressed sparse row (CSR) form.
#pragma once

#include <cstdint>
#include <vector>

#include "graph/similarity.h"

namespace convgrad::graph {

// Σ_r [s_r ≥ δ] · s_r · z_r over a tile of one row (z = nullptr: z_r = 1), in 8 interleaved
// partial sums (lane = r mod 8) added up in a fixed order: the result does not depend on the
// thread count, and consecutive adds do not wait on each other.
struct MaskedRowSum {
  double lanes[8] = {};
  void add(const double* s, const double* z, int64_t count, double delta) {
    double acc[8];  // a local copy: it cannot alias s or z, so it stays in a register
    for (int q = 0; q < 8; ++q) acc[q] = lanes[q];
    for (int64_t r0 = 0; r0 < count; r0 += 8) {
      const int width = count - r0 < 8 ? static_cast<int>(count - r0) : 8;
      for (int q = 0; q < width; ++q) {
        const double term = z ? s[r0 + q] * z[r0 + q] : s[r0 + q];
        acc[q] += s[r0 + q] >= delta ? term : 0.0;
      }
    }
    for (int q = 0; q < 8; ++q) lanes[q] = acc[q];
  }
  double total() const {
    return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
  }
};

// Per-node degree (neighbour count) and strength (Σ_j A_ij) of G^(δ).
struct DegreeSummary {
  std::vector<int64_t> degree;
  std::vector<double> strength;
  int64_t n_edges = 0;  // Σ degree / 2
};
DegreeSummary threshold_degrees(const UnitRows& rows, double delta);

// Both directions of every edge: the neighbours of i are neighbour[row_start[i] .. row_start[i+1]),
// ascending, with weight[...] = S_ij. 12 bytes per stored entry (2 per edge).
struct ThresholdGraph {
  int64_t n = 0;
  double delta = 0.0;
  std::vector<int64_t> row_start;  // n + 1
  std::vector<int32_t> neighbour;
  std::vector<double> weight;

  int64_t n_edges() const { return static_cast<int64_t>(neighbour.size()) / 2; }
  int64_t degree(int64_t i) const { return row_start[i + 1] - row_start[i]; }
};
ThresholdGraph build_threshold_graph(const UnitRows& rows, double delta, const DegreeSummary& degrees);

// Bytes the CSR of a graph with these degrees takes (to decide whether to build it).
int64_t threshold_graph_bytes(const DegreeSummary& degrees);

}  // namespace convgrad::graph
