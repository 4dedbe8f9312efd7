#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <vector>

#include "graph/graph.h"
#include "graph_test_util.h"

using namespace convgrad::graph;
using convgrad::graph::testing::brute_force_graph;

namespace {

// Checks every n(t_k) and edge count against breadth-first search on the dense matrix.
void check_against_bfs(const SweepResult& sweep, const Eigen::MatrixXd& S) {
  const int64_t n = S.rows();
  REQUIRE(sweep.similarity_min == S.minCoeff());
  REQUIRE(sweep.similarity_max == S.maxCoeff());
  for (size_t k = 0; k < sweep.thresholds.size(); ++k) {
    const auto expected = brute_force_graph(S, sweep.thresholds[k]);
    CAPTURE(n, k, sweep.thresholds[k]);
    REQUIRE(sweep.n_components[k] == expected.components);
    REQUIRE(sweep.n_edges[k] == expected.edges);
    REQUIRE(sweep.sparsity[k] == static_cast<double>(expected.edges) / (0.5 * n * (n - 1)));
  }
  CHECK(sweep.n_components[0] == 1);
  CHECK(sweep.n_components[sweep.delta_star_index] == 1);
  if (sweep.delta_star_index + 1 < static_cast<int>(sweep.thresholds.size()))
    CHECK(sweep.n_components[sweep.delta_star_index + 1] > 1);
  CHECK(sweep.delta_star == sweep.thresholds[sweep.delta_star_index]);
}

// The bottleneck by brute force: the largest off-diagonal weight w with G^(w) connected.
double brute_force_bottleneck(const Eigen::MatrixXd& S) {
  std::vector<double> weights;
  for (int64_t i = 0; i < S.rows(); ++i)
    for (int64_t j = i + 1; j < S.rows(); ++j) weights.push_back(S(i, j));
  std::sort(weights.begin(), weights.end());
  weights.erase(std::unique(weights.begin(), weights.end()), weights.end());
  // Connectivity is monotone in w: binary search for the last connected weight.
  size_t lo = 0, hi = weights.size() - 1;  // weights[0] (complete graph) is connected
  while (lo < hi) {
    const size_t mid = (lo + hi + 1) / 2;
    if (brute_force_graph(S, weights[mid]).components == 1) lo = mid; else hi = mid - 1;
  }
  return weights[lo];
}

// A symmetric matrix of small integers: ties everywhere, and with count − 1 dividing the range
// the thresholds land exactly on edge weights.
Eigen::MatrixXd integer_matrix(int64_t n, int levels, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(0, levels);
  Eigen::MatrixXd S(n, n);
  for (int64_t i = 0; i < n; ++i) {
    S(i, i) = levels;
    for (int64_t j = i + 1; j < n; ++j) S(i, j) = S(j, i) = value(rng);
  }
  return S;
}

}  // namespace

TEST_CASE("union-find counts components") {
  UnionFind uf(6);
  CHECK(uf.components() == 6);
  CHECK(uf.unite(0, 1));
  CHECK(uf.unite(2, 3));
  CHECK(uf.unite(1, 3));
  CHECK_FALSE(uf.unite(0, 2));
  CHECK(uf.components() == 3);
  CHECK(uf.find(0) == uf.find(3));
  CHECK(uf.set_size(2) == 4);
  CHECK(uf.find(4) != uf.find(5));
}

TEST_CASE("sorted-edge sweep matches breadth-first search") {
  SECTION("cosine similarities of random rows") {
    for (int64_t n : {2, 3, 7, 25, 60}) {
      const std::vector<double> x = testing::random_rows(n, 4, static_cast<uint32_t>(n));
      check_against_bfs(sweep_sorted_edges(cosine_similarity(x.data(), n, 4), 50), cosine_similarity(x.data(), n, 4));
    }
  }
  SECTION("repeated integer rows (ties in S)") {
    for (int64_t n : {5, 30, 80}) {
      const std::vector<double> x = testing::repeating_integer_rows(n, 3, 3, 6, static_cast<uint32_t>(n));
      const Eigen::MatrixXd S = cosine_similarity(x.data(), n, 3);
      check_against_bfs(sweep_sorted_edges(S, 200), S);
    }
  }
  SECTION("integer weights with thresholds exactly on them") {
    for (int count : {5, 9, 200}) {
      const Eigen::MatrixXd S = integer_matrix(40, 4, static_cast<uint32_t>(count));
      const SweepResult sweep = sweep_sorted_edges(S, count);
      if (count == 5) CHECK(sweep.thresholds == std::vector<double>{0, 1, 2, 3, 4});
      check_against_bfs(sweep, S);
    }
  }
}

TEST_CASE("spanning-tree sweep equals the sorted-edge sweep") {
  auto check_same = [](const std::vector<double>& x, int64_t n, int64_t k, int count) {
    const UnitRows rows(x.data(), n, k);
    const SweepResult sorted = sweep_sorted_edges(cosine_similarity(rows), count);
    const SweepResult tree = sweep_spanning_tree(rows, count);
    CAPTURE(n, k, count);
    REQUIRE(tree.thresholds == sorted.thresholds);
    REQUIRE(tree.n_components == sorted.n_components);
    REQUIRE(tree.n_edges == sorted.n_edges);
    REQUIRE(tree.sparsity == sorted.sparsity);
    REQUIRE(tree.delta_star_index == sorted.delta_star_index);
    REQUIRE(tree.delta_star_exact == sorted.delta_star_exact);
  };
  for (int64_t n : {2, 3, 17, 150, 700}) check_same(testing::random_rows(n, 10, 11 + n), n, 10, 200);
  for (int64_t n : {4, 50, 300}) check_same(testing::repeating_integer_rows(n, 3, 3, 5, 7 + n), n, 3, 200);
  check_same(testing::repeating_integer_rows(120, 2, 2, 3, 5), 120, 2, 7);
}

TEST_CASE("the maximum spanning tree spans and is maximal") {
  const int64_t n = 80;
  const std::vector<double> x = testing::random_rows(n, 5, 21);
  const UnitRows rows(x.data(), n, 5);
  const Eigen::MatrixXd S = cosine_similarity(rows);
  const SpanningTree tree = maximum_spanning_tree(rows);
  REQUIRE(tree.edges.size() == static_cast<size_t>(n - 1));
  UnionFind uf(n);
  double total = 0.0;
  for (const TreeEdge& e : tree.edges) {
    REQUIRE(e.weight == S(e.inside, e.outside));
    REQUIRE(uf.unite(e.inside, e.outside));  // no cycle
    total += e.weight;
  }
  // Kruskal's total weight, by a plain sort + union-find.
  std::vector<std::tuple<double, int64_t, int64_t>> edges;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) edges.emplace_back(S(i, j), i, j);
  std::sort(edges.rbegin(), edges.rend());
  UnionFind kruskal(n);
  double kruskal_total = 0.0;
  for (auto [w, i, j] : edges)
    if (kruskal.unite(i, j)) kruskal_total += w;
  CHECK(total == Approx(kruskal_total).epsilon(1e-14));
  CHECK(tree.similarity_min == S.minCoeff());
  CHECK(tree.similarity_max == S.maxCoeff());
}

TEST_CASE("delta*_exact is the brute-force bottleneck") {
  for (int64_t n : {3, 12, 45, 90}) {
    const std::vector<double> x = testing::random_rows(n, 6, 100 + n);
    const Eigen::MatrixXd S = cosine_similarity(x.data(), n, 6);
    const double expected = brute_force_bottleneck(S);
    CAPTURE(n);
    CHECK(sweep_sorted_edges(S, 200).delta_star_exact == expected);
    CHECK(sweep_spanning_tree(UnitRows(x.data(), n, 6), 200).delta_star_exact == expected);
    // The bottleneck is at or above the grid's δ*, and below the next grid value.
    const SweepResult sweep = sweep_sorted_edges(S, 200);
    CHECK(sweep.delta_star <= expected);
    if (sweep.delta_star_index + 1 < 200) CHECK(expected < sweep.thresholds[sweep.delta_star_index + 1]);
  }
  const Eigen::MatrixXd ties = integer_matrix(30, 3, 4);
  CHECK(sweep_sorted_edges(ties, 4).delta_star_exact == brute_force_bottleneck(ties));
}

TEST_CASE("edge_histogram counts every pair once") {
  const int64_t n = 333;
  const std::vector<double> x = testing::random_rows(n, 7, 8);
  const UnitRows rows(x.data(), n, 7);
  const Eigen::MatrixXd S = cosine_similarity(rows);
  const ThresholdGrid grid(S.minCoeff(), S.maxCoeff(), 200);
  const std::vector<int64_t> histogram = edge_histogram(rows, grid);
  std::vector<int64_t> expected(200, 0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) ++expected[grid.bucket(S(i, j))];
  CHECK(histogram == expected);
}
