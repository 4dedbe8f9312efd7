#include "graph/centrality.h"

#include "tensor/error.h"

namespace convgrad::graph {

std::vector<double> degree_centrality(const std::vector<int64_t>& degree) {
  const double others = static_cast<double>(degree.size()) - 1.0;
  std::vector<double> out(degree.size());
  for (size_t i = 0; i < degree.size(); ++i) out[i] = static_cast<double>(degree[i]) / others;
  return out;
}

void check_treatment(const std::vector<int>& treatment, int64_t n) {
  CONVGRAD_CHECK(static_cast<int64_t>(treatment.size()) == n, "analyse_similarity_graph: expected ", n,
                 " treatment labels (one per row), but got ", treatment.size());
  for (size_t i = 0; i < treatment.size(); ++i)
    CONVGRAD_CHECK(treatment[i] == 0 || treatment[i] == 1,
                   "analyse_similarity_graph: expected treatment labels 0 or 1, but row ", i + 1, " (index ", i,
                   ") has ", treatment[i]);
}

}  // namespace convgrad::graph
