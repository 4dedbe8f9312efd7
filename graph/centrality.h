// Degree centrality and per-treatment-group means (Task 2.2).
//   degree centrality c_i = deg(i) / (N − 1)   (the fraction of the other nodes i links to,
//   as networkx.degree_centrality); strength = weighted degree Σ_j A_ij.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace convgrad::graph {

std::vector<double> degree_centrality(const std::vector<int64_t>& degree);

// Means over the nodes with label 1 (treated) and 0 (untreated); NaN for an empty group.
struct GroupMeans {
  double treated = std::numeric_limits<double>::quiet_NaN();
  double untreated = std::numeric_limits<double>::quiet_NaN();
};
template <typename T>
GroupMeans group_means(const std::vector<T>& values, const std::vector<int>& treatment) {
  double sum[2] = {0.0, 0.0};
  int64_t count[2] = {0, 0};
  for (size_t i = 0; i < values.size(); ++i) {
    sum[treatment[i]] += static_cast<double>(values[i]);
    ++count[treatment[i]];
  }
  GroupMeans out;
  if (count[1] > 0) out.treated = sum[1] / static_cast<double>(count[1]);
  if (count[0] > 0) out.untreated = sum[0] / static_cast<double>(count[0]);
  return out;
}

// Throws convgrad::Error unless treatment has n entries, each 0 or 1.
void check_treatment(const std::vector<int>& treatment, int64_t n);

}  // namespace convgrad::graph
