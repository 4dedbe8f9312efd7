#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "graph/graph.h"
#include "graph_test_util.h"

using namespace convgrad::graph;

namespace {
std::vector<int> alternating_labels(int64_t n) {
  std::vector<int> t(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) t[i] = static_cast<int>(i % 3 == 0);
  return t;
}
}  // namespace

TEST_CASE("analyse_similarity_graph reports a consistent Task 2") {
  const int64_t n = 250, k = 10;
  const std::vector<double> x = testing::random_rows(n, k, 9);
  const std::vector<int> treatment = alternating_labels(n);
  const Task2Result r = analyse_similarity_graph(x.data(), n, k, treatment);
  CHECK(r.sweep_method == "sorted-edges");
  CHECK(r.eigen_method == "dense");
  REQUIRE(r.thresholds.size() == 200);
  CHECK(r.n_components.size() == 200);
  CHECK(r.sparsity.size() == 200);
  CHECK(r.thresholds.front() == r.similarity_min);
  CHECK(r.thresholds.back() == r.similarity_max);
  CHECK(r.delta_star == r.thresholds[r.delta_star_index]);
  CHECK(r.delta_star <= r.delta_star_exact);
  CHECK(r.sparsity_at_delta_star == r.sparsity[r.delta_star_index]);

  // Degrees, centrality and the edge list describe the same graph G.
  REQUIRE(r.edges_complete);
  CHECK(static_cast<int64_t>(r.edges.size()) == r.n_edges_at_delta_star);
  std::vector<int64_t> degree(static_cast<size_t>(n), 0);
  for (const Edge& e : r.edges) {
    REQUIRE(e.source < e.target);
    REQUIRE(e.weight >= r.delta_star);
    ++degree[e.source];
    ++degree[e.target];
  }
  CHECK(degree == r.degree);
  for (int64_t i = 0; i < n; ++i) CHECK(r.degree_centrality[i] == static_cast<double>(r.degree[i]) / (n - 1));

  // Group means by hand.
  double sum[2] = {0, 0};
  int64_t count[2] = {0, 0};
  for (int64_t i = 0; i < n; ++i) {
    sum[treatment[i]] += static_cast<double>(r.degree[i]);
    ++count[treatment[i]];
  }
  CHECK(r.n_treated == count[1]);
  CHECK(r.n_untreated == count[0]);
  CHECK(r.mean_degree.treated == Approx(sum[1] / count[1]));
  CHECK(r.mean_degree.untreated == Approx(sum[0] / count[0]));
  CHECK(r.mean_degree_centrality.treated == Approx(sum[1] / count[1] / (n - 1)));
  CHECK(r.spectral_layout.size() == static_cast<size_t>(n));

  std::vector<std::string> phases;
  for (const Timing& t : r.timings) phases.push_back(t.phase);
  CHECK(phases == std::vector<std::string>{"normalise", "sweep", "graph", "spectral", "centrality", "total"});
}

TEST_CASE("the large-N algorithms give the small-N answers") {
  const int64_t n = 500, k = 10;
  const std::vector<double> x = testing::random_rows(n, k, 31);
  const std::vector<int> treatment = alternating_labels(n);
  const Task2Result small = analyse_similarity_graph(x.data(), n, k, treatment);
  AnalysisOptions options;
  options.dense_limit = 100;  // as if N were large
  SECTION("spanning tree + Lanczos on the CSR") {}
  SECTION("spanning tree + matrix-free Lanczos") { options.max_graph_bytes = 0; }
  const Task2Result large = analyse_similarity_graph(x.data(), n, k, treatment, options);
  CHECK(large.sweep_method == "spanning-tree");
  CHECK(large.eigen_method == (options.max_graph_bytes == 0 ? "spectra-implicit" : "spectra-csr"));
  CHECK(large.edges_complete == (options.max_graph_bytes != 0));
  CHECK(large.thresholds == small.thresholds);
  CHECK(large.n_components == small.n_components);
  CHECK(large.sparsity == small.sparsity);
  CHECK(large.delta_star == small.delta_star);
  CHECK(large.delta_star_exact == small.delta_star_exact);
  CHECK(large.degree == small.degree);
  CHECK(large.strength == small.strength);
  for (int c = 0; c < 3; ++c) CHECK(large.eigenvalues[c] == Approx(small.eigenvalues[c]).margin(1e-12));
  for (int64_t i = 0; i < n; ++i)
    for (int c = 0; c < 2; ++c) CHECK(large.spectral_layout[i][c] == Approx(small.spectral_layout[i][c]).margin(1e-8));
}

TEST_CASE("bad treatment labels and sizes are errors") {
  const std::vector<double> x = testing::random_rows(10, 2, 1);
  REQUIRE_THROWS_WITH(analyse_similarity_graph(x.data(), 10, 2, std::vector<int>(9, 0)),
                      "analyse_similarity_graph: expected 10 treatment labels (one per row), but got 9");
  std::vector<int> labels(10, 0);
  labels[4] = 2;
  REQUIRE_THROWS_WITH(analyse_similarity_graph(x.data(), 10, 2, labels),
                      "analyse_similarity_graph: expected treatment labels 0 or 1, but row 5 (index 4) has 2");
  REQUIRE_THROWS_WITH(analyse_similarity_graph(x.data(), 3, 2, std::vector<int>(3, 0)),
                      "analyse_similarity_graph: expected at least 4 rows (3 eigenvectors), but got 3");
}

TEST_CASE("an empty treatment group gives NaN means") {
  const std::vector<double> x = testing::random_rows(12, 3, 2);
  const Task2Result r = analyse_similarity_graph(x.data(), 12, 3, std::vector<int>(12, 1));
  CHECK(r.n_untreated == 0);
  CHECK(std::isnan(r.mean_degree.untreated));
  CHECK_FALSE(std::isnan(r.mean_degree.treated));
}
