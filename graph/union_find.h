// Disjoint sets over nodes 0..n-1 with path compression and union by size: a sequence of m
// unite/find calls costs O(m α(n)), α the inverse Ackermann function (≤ 4 in practice).
#pragma once

#include <cstdint>
#include <numeric>
#include <utility>
#include <vector>

namespace convgrad::graph {

class UnionFind {
 public:
  explicit UnionFind(int64_t n)
      : parent_(static_cast<size_t>(n)), size_(static_cast<size_t>(n), 1), components_(n) {
    std::iota(parent_.begin(), parent_.end(), int64_t{0});
  }

  int64_t find(int64_t x) {
    int64_t root = x;
    while (parent_[root] != root) root = parent_[root];
    while (parent_[x] != root) x = std::exchange(parent_[x], root);  // path compression
    return root;
  }

  // Merges the sets of a and b; false when they were already one set.
  bool unite(int64_t a, int64_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    if (size_[a] < size_[b]) std::swap(a, b);  // union by size: the smaller tree goes below
    parent_[b] = a;
    size_[a] += size_[b];
    --components_;
    return true;
  }

  int64_t components() const { return components_; }
  int64_t set_size(int64_t x) { return size_[find(x)]; }

 private:
  std::vector<int64_t> parent_;
  std::vector<int64_t> size_;
  int64_t components_;
};

}  // namespace convgrad::graph
