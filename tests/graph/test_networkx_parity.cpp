// Parity with NumPy + NetworkX, made by tests/graph/make_networkx_fixture.py from the first
// 400 rows of a coursework-style CSV: networkx_expected.json (a small synthetic CSV of the
// script's own) and networkx_bundled.json (the bundled dataset, `convgrad data`; that its rows
// are the bundled ones is checked in tests/tasks/test_task2.cpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/graph.h"

using namespace convgrad::graph;

namespace {

nlohmann::json load_fixture(const std::string& name) {
  const std::string path = std::string(CONVGRAD_FIXTURES_DIR) + "/graph/" + name;
  std::ifstream in(path);
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}

}  // namespace

TEST_CASE("Task 2 matches NumPy and NetworkX") {
  const std::string fixture = GENERATE(as<std::string>{}, "networkx_expected.json", "networkx_bundled.json");
  CAPTURE(fixture);
  const nlohmann::json want = load_fixture(fixture);
  const int64_t n = want["n_samples"], k = want["n_features"];
  std::vector<double> x;
  for (const auto& row : want["X"])
    for (double v : row) x.push_back(v);
  const std::vector<int> treatment = want["treatment"].get<std::vector<int>>();
  REQUIRE(static_cast<int64_t>(x.size()) == n * k);

  AnalysisOptions options;
  SECTION("small-N algorithms (sorted edges, dense eigensolver)") {}
  SECTION("large-N algorithms (spanning tree, Lanczos)") { options.dense_limit = 0; }
  const Task2Result r = analyse_similarity_graph(x.data(), n, k, treatment, options);
  CAPTURE(r.sweep_method, r.eigen_method);

  const std::vector<double> thresholds = want["thresholds"];
  const std::vector<int64_t> n_components = want["n_components"];
  const std::vector<double> sparsity = want["sparsity"];
  REQUIRE(r.thresholds.size() == thresholds.size());
  for (size_t t = 0; t < thresholds.size(); ++t) {
    CAPTURE(t);
    CHECK(r.thresholds[t] == Approx(thresholds[t]).margin(1e-12));
    CHECK(r.sparsity[t] == Approx(sparsity[t]).margin(1e-12));
  }
  CHECK(r.n_components == n_components);  // the whole n(δ) sequence
  CHECK(r.delta_star_index == want["delta_star_index"].get<int>());
  CHECK(r.delta_star == Approx(want["delta_star"].get<double>()).margin(1e-12));
  CHECK(r.delta_star_exact == Approx(want["delta_star_exact"].get<double>()).margin(1e-12));
  CHECK(r.n_edges_at_delta_star == want["n_edges_at_delta_star"].get<int64_t>());
  CHECK(r.sparsity_at_delta_star == Approx(want["sparsity_at_delta_star"].get<double>()).margin(1e-12));

  CHECK(r.degree == want["degree"].get<std::vector<int64_t>>());
  const std::vector<double> centrality = want["degree_centrality"], strength = want["strength"];
  for (int64_t i = 0; i < n; ++i) {
    CAPTURE(i);
    CHECK(r.degree_centrality[i] == Approx(centrality[i]).margin(1e-15));
    CHECK(r.strength[i] == Approx(strength[i]).margin(1e-10));
  }
  CHECK(r.mean_degree.treated == Approx(want["mean_degree"]["treated"].get<double>()).margin(1e-12));
  CHECK(r.mean_degree.untreated == Approx(want["mean_degree"]["untreated"].get<double>()).margin(1e-12));
  CHECK(r.mean_degree_centrality.treated ==
        Approx(want["mean_degree_centrality"]["treated"].get<double>()).margin(1e-14));
  CHECK(r.mean_degree_centrality.untreated ==
        Approx(want["mean_degree_centrality"]["untreated"].get<double>()).margin(1e-14));

  const std::vector<double> eigenvalues = want["eigenvalues"];
  for (int c = 0; c < 3; ++c) CHECK(r.eigenvalues[c] == Approx(eigenvalues[c]).margin(1e-10));
  // Eigenvectors up to sign (both sides use the same sign rule, but a near-tie in magnitude
  // could flip it): align by the dot product, then compare entrywise.
  const auto layout = want["spectral_layout"];
  for (int c = 0; c < 2; ++c) {
    double dot = 0.0;
    for (int64_t i = 0; i < n; ++i) dot += r.spectral_layout[i][c] * layout[i][c].get<double>();
    const double sign = dot < 0 ? -1.0 : 1.0;
    double worst = 0.0;
    for (int64_t i = 0; i < n; ++i)
      worst = std::max(worst, std::abs(sign * r.spectral_layout[i][c] - layout[i][c].get<double>()));
    CAPTURE(c);
    CHECK(worst < 1e-8);
  }
}
