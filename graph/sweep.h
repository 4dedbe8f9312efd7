// The threshold sweep: for every grid value t_k, the number of connected components n(t_k) and
// the number of edges of G^(t_k) (edge i–j, i ≠ j, when S_ij ≥ t_k), without building 200 graphs.
//
// Two exact algorithms, same answers bit for bit:
//  * sweep_sorted_edges — sort the N(N−1)/2 weights once, descending, and walk the grid from
//    the top down, uniting edge endpoints in a union-find. O(N² log N) time, O(N²) memory;
//    the default for N ≤ 1024 and the reference.
//  * sweep_spanning_tree — Prim's algorithm on the implicit complete graph finds a maximum
//    spanning tree T in O(N² K) time and O(N K) memory (spanning_tree.h); one more parallel
//    pass histograms all N(N−1)/2 weights by grid bucket (edge_histogram). Then
//        n(t_k) = N − |{e ∈ T : w_e ≥ t_k}|,   |E(G^(t_k))| = Σ_{b ≥ k} count_b.
//    (Kruskal, run in descending order, is the sorted sweep; every maximum spanning tree is a
//    Kruskal tree for some order of equal weights, and ties all enter at the same δ, so the
//    tree edges ≥ δ span exactly the components of G^(δ).) Used for large N (20,000 rows).
//
// δ*       = the largest grid value whose graph is connected (n = 1);
// δ*_exact = max{δ : G^(δ) connected} = the smallest edge of a maximum spanning tree (the
//            bottleneck): the weight whose union makes the graph connected in the sweep.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "graph/similarity.h"
#include "graph/thresholds.h"

namespace convgrad::graph {

struct SweepResult {
  std::vector<double> thresholds;     // t_0 = min(S) .. t_{T-1} = max(S), numpy.linspace
  std::vector<int64_t> n_components;  // n(t_k)
  std::vector<int64_t> n_edges;       // edges of G^(t_k)
  std::vector<double> sparsity;       // s(t_k) = n_edges / (N(N−1)/2)
  double similarity_min = 0.0;        // min(S), diagonal included
  double similarity_max = 0.0;        // max(S), diagonal included
  int delta_star_index = 0;           // largest k with n(t_k) = 1
  double delta_star = 0.0;            // t_{delta_star_index}
  double delta_star_exact = 0.0;      // bottleneck of a maximum spanning tree
};

// S: any symmetric N × N matrix (N ≥ 2); only i < j is read for edges, all of it for min/max.
SweepResult sweep_sorted_edges(const Eigen::MatrixXd& S, int n_thresholds = 200);

// Same result from the normalised rows, never holding more than O(N K) values.
SweepResult sweep_spanning_tree(const UnitRows& rows, int n_thresholds = 200);

// count_b = number of pairs i < j whose weight S_ij falls in bucket b (ThresholdGrid::bucket).
std::vector<int64_t> edge_histogram(const UnitRows& rows, const ThresholdGrid& grid);

// Fills sparsity and δ* from thresholds, n_components, n_edges (shared by both sweeps).
void finish_sweep(SweepResult& result, int64_t n_nodes);

}  // namespace convgrad::graph
