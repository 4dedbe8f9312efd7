#include "graph/spanning_tree.h"

#include <algorithm>
#include <limits>

#include "tensor/error.h"

namespace convgrad::graph {

SpanningTree maximum_spanning_tree(const UnitRows& rows) {
  const int64_t n = rows.size(), K = rows.features();
  CONVGRAD_CHECK(n >= 2, "maximum_spanning_tree: expected at least 2 rows, but got ", n);
  SpanningTree tree;
  tree.edges.reserve(static_cast<size_t>(n - 1));
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (int64_t i = 0; i < n; ++i) {  // the diagonal S_ii (1 up to rounding)
    const double s = rows.similarity(i, i);
    lo = std::min(lo, s);
    hi = std::max(hi, s);
  }

  // Outside nodes sit in slots 0..outside-1, their feature columns compacted so the kernel
  // reads contiguous memory; removing a slot moves the last one into it.
  const int64_t stride = n - 1;
  int64_t outside = n - 1;
  std::vector<int64_t> node(static_cast<size_t>(outside)), from(static_cast<size_t>(outside), 0);
  std::vector<double> best(static_cast<size_t>(outside), -std::numeric_limits<double>::infinity());
  std::vector<double> columns(static_cast<size_t>(K * stride));
  for (int64_t s = 0; s < outside; ++s) {
    node[s] = s + 1;
    for (int64_t f = 0; f < K; ++f) columns[f * stride + s] = rows.columns()[f * n + s + 1];
  }

  constexpr int64_t kTile = 512;
  double s[kTile];
  int64_t joined = 0;  // the node that entered the tree last
  while (outside > 0) {
    int64_t pick = 0;
    for (int64_t tile = 0; tile < outside; tile += kTile) {
      const int64_t count = std::min(kTile, outside - tile);
      similarity_kernel(rows.row(joined), K, columns.data() + tile, stride, count, s);
      for (int64_t r = 0; r < count; ++r) {
        const int64_t slot = tile + r;
        lo = std::min(lo, s[r]);
        hi = std::max(hi, s[r]);
        if (s[r] > best[slot]) {
          best[slot] = s[r];
          from[slot] = joined;
        }
        if (best[slot] > best[pick]) pick = slot;
      }
    }
    tree.edges.push_back({from[pick], node[pick], best[pick]});
    joined = node[pick];
    --outside;
    node[pick] = node[outside];
    from[pick] = from[outside];
    best[pick] = best[outside];
    for (int64_t f = 0; f < K; ++f) columns[f * stride + pick] = columns[f * stride + outside];
  }
  tree.similarity_min = lo;
  tree.similarity_max = hi;
  return tree;
}

}  // namespace convgrad::graph
