// Shared helpers for the graph/ tests: random inputs and brute-force references.
#pragma once

#include <cstdint>
#include <queue>
#include <random>
#include <vector>

#include <Eigen/Core>

namespace convgrad::graph::testing {

// N × K positive values (log-expression-like).
inline std::vector<double> random_rows(int64_t n, int64_t k, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> value(0.5, 10.0);
  std::vector<double> x(static_cast<size_t>(n * k));
  for (double& v : x) v = value(rng);
  return x;
}

// N × K small integers in [1, levels], drawn from a few prototype rows, so rows repeat and
// many similarities are exactly equal.
inline std::vector<double> repeating_integer_rows(int64_t n, int64_t k, int levels, int prototypes, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(1, levels), pick(0, prototypes - 1);
  std::vector<double> protos(static_cast<size_t>(prototypes * k));
  for (double& v : protos) v = value(rng);
  std::vector<double> x(static_cast<size_t>(n * k));
  for (int64_t i = 0; i < n; ++i) {
    const int p = pick(rng);
    for (int64_t f = 0; f < k; ++f) x[i * k + f] = protos[p * k + f];
  }
  return x;
}

// Components and edge count of G^(delta) by breadth-first search on the dense matrix.
struct BruteForceGraph {
  int64_t components = 0;
  int64_t edges = 0;
};
inline BruteForceGraph brute_force_graph(const Eigen::MatrixXd& S, double delta) {
  const int64_t n = S.rows();
  BruteForceGraph out;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) out.edges += S(i, j) >= delta;
  std::vector<bool> seen(static_cast<size_t>(n), false);
  for (int64_t start = 0; start < n; ++start) {
    if (seen[start]) continue;
    ++out.components;
    std::queue<int64_t> queue;
    queue.push(start);
    seen[start] = true;
    while (!queue.empty()) {
      const int64_t i = queue.front();
      queue.pop();
      for (int64_t j = 0; j < n; ++j) {
        if (j != i && !seen[j] && S(i, j) >= delta) {
          seen[j] = true;
          queue.push(j);
        }
      }
    }
  }
  return out;
}

}  // namespace convgrad::graph::testing
