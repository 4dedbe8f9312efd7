#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "graph/graph.h"
#include "graph_test_util.h"

using namespace convgrad::graph;

TEST_CASE("cosine similarity of a hand-computable case") {
  // x0 = (3, 4), x1 = (4, 3), x2 = (0, 2): norms 5, 5, 2.
  // S01 = (12 + 12)/25 = 0.96, S02 = 8/10 = 0.8, S12 = 6/10 = 0.6, S_ii = 1.
  const std::vector<double> x = {3, 4, 4, 3, 0, 2};
  const Eigen::MatrixXd S = cosine_similarity(x.data(), 3, 2);
  CHECK(S(0, 1) == Approx(0.96).margin(1e-15));
  CHECK(S(0, 2) == Approx(0.8).margin(1e-15));
  CHECK(S(1, 2) == Approx(0.6).margin(1e-15));
  for (int i = 0; i < 3; ++i) CHECK(S(i, i) == Approx(1.0).margin(1e-15));
}

TEST_CASE("every recomputation of S_ij gives the same bits") {
  const int64_t n = 97, k = 10;  // odd sizes exercise the kernel's block remainder
  const std::vector<double> x = testing::random_rows(n, k, 3);
  const UnitRows rows(x.data(), n, k);
  const Eigen::MatrixXd S = cosine_similarity(rows);
  std::vector<double> row(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    rows.similarity_row(i, 0, n, row.data());
    for (int64_t j = 0; j < n; ++j) {
      CAPTURE(i, j);
      REQUIRE(S(i, j) == S(j, i));
      REQUIRE(row[j] == S(i, j));
      REQUIRE(rows.similarity(j, i) == S(i, j));
    }
  }
}

TEST_CASE("a zero row is an error naming the row") {
  std::vector<double> x = testing::random_rows(20, 3, 1);
  x[16 * 3 + 0] = x[16 * 3 + 1] = x[16 * 3 + 2] = 0.0;
  REQUIRE_THROWS_WITH(cosine_similarity(x.data(), 20, 3),
                      "cosine_similarity: expected non-zero rows, but row 17 (index 16) has norm 0");
  const std::vector<int> treatment(20, 0);
  REQUIRE_THROWS_WITH(analyse_similarity_graph(x.data(), 20, 3, treatment),
                      "cosine_similarity: expected non-zero rows, but row 17 (index 16) has norm 0");
}

TEST_CASE("a non-finite value is an error naming row and column") {
  std::vector<double> x = testing::random_rows(5, 3, 1);
  x[2 * 3 + 1] = std::numeric_limits<double>::quiet_NaN();
  REQUIRE_THROWS_WITH(cosine_similarity(x.data(), 5, 3),
                      "cosine_similarity: expected finite values, but row 3 (index 2) has nan in column 2");
}

TEST_CASE("tiny and huge rows are normalised without under- or overflow") {
  const std::vector<double> x = {3e-200, 4e-200, 3e200, 4e200, 3, 4};
  const Eigen::MatrixXd S = cosine_similarity(x.data(), 3, 2);
  CHECK(S.isApprox(Eigen::MatrixXd::Ones(3, 3), 1e-15));
}

TEST_CASE("thresholds follow numpy.linspace") {
  // numpy.linspace(0.25, 1.0, 4) = [0.25, 0.5, 0.75, 1.0] (all exact in binary).
  const ThresholdGrid grid(0.25, 1.0, 4);
  CHECK(grid.values() == std::vector<double>{0.25, 0.5, 0.75, 1.0});
  // Values printed by numpy 1.24 (repr, so exact): linspace(0.1, 0.7, 7) and two entries of
  // linspace(0.61, 1.0000000000000002, 200).
  CHECK(ThresholdGrid(0.1, 0.7, 7).values() == std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7});
  const ThresholdGrid fine(0.61, 1.0000000000000002, 200);
  CHECK(fine[57] == 0.7217085427135679);
  CHECK(fine[133] == 0.8706532663316584);
  CHECK(fine[199] == 1.0000000000000002);
  REQUIRE_THROWS_WITH(ThresholdGrid(0.0, 1.0, 1), "thresholds: expected at least 2 thresholds, but got 1");
}

TEST_CASE("bucket(w) is the largest k with t_k <= w, ties included") {
  for (auto [lo, hi, count] : {std::tuple{0.61, 1.0000000000000002, 200}, std::tuple{-1.0, 1.0, 9},
                               std::tuple{0.5, 0.5, 5}, std::tuple{0.0, 4.0, 5}}) {
    const ThresholdGrid grid(lo, hi, count);
    std::vector<double> probes = grid.values();
    for (double t : grid.values()) {
      probes.push_back(std::nextafter(t, -10.0));
      probes.push_back(std::nextafter(t, 10.0));
    }
    for (int i = 0; i <= 1000; ++i) probes.push_back(lo - 0.01 + (hi - lo + 0.02) * i / 1000.0);
    for (double w : probes) {
      int expected = -1;
      for (int k = 0; k < count; ++k)
        if (grid[k] <= w) expected = k;
      CAPTURE(lo, hi, count, w);
      REQUIRE(grid.bucket(w) == expected);
    }
  }
}
