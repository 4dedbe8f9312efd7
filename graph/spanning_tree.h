// A maximum spanning tree of the complete graph on the rows, weights S_ij, by Prim's algorithm
// in its dense form: O(N² K) time, O(N K) memory, and every S_ij (i ≠ j) computed exactly once.
//
//   in the tree: {0};  best[v] = max over tree nodes u of S_uv for every v outside;
//   repeat N−1 times: move the outside v with the largest best[v] (ties: the earliest slot)
//   into the tree through that edge, then best[w] = max(best[w], S_vw) for the rest.
//
// The same pass records min and max of S (diagonal included), so the threshold grid needs no
// extra pass. Single-threaded on purpose: each of the N steps ends in a global argmax, and a
// barrier per step costs more than it saves on 2 shared cores (measured at N = 20,000 on the
// busy 2-core machine: 2.8 s on one thread, 20 s with 2 threads and a barrier per step).
#pragma once

#include <cstdint>
#include <vector>

#include "graph/similarity.h"

namespace convgrad::graph {

struct TreeEdge {
  int64_t inside = 0;   // the tree node the edge came from
  int64_t outside = 0;  // the node it brought in
  double weight = 0.0;  // S_inside,outside
};

struct SpanningTree {
  std::vector<TreeEdge> edges;  // N − 1 edges, in the order Prim added them
  double similarity_min = 0.0;  // min(S) over the whole matrix, diagonal included
  double similarity_max = 0.0;  // max(S), likewise
};

SpanningTree maximum_spanning_tree(const UnitRows& rows);

}  // namespace convgrad::graph
