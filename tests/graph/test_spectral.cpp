#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

#include "graph/graph.h"
#include "graph_test_util.h"

using namespace convgrad::graph;

namespace {

struct Fixture {
  std::vector<double> x;
  UnitRows rows;
  SweepResult sweep;
  DegreeSummary degrees;
  ThresholdGraph g;
  Fixture(int64_t n, int64_t k, uint32_t seed)
      : x(testing::random_rows(n, k, seed)),
        rows(x.data(), n, k),
        sweep(sweep_sorted_edges(cosine_similarity(rows), 200)),
        degrees(threshold_degrees(rows, sweep.delta_star)),
        g(build_threshold_graph(rows, sweep.delta_star, degrees)) {}
};

Eigen::VectorXd column(const SpectralLayout& layout, int c) {
  Eigen::VectorXd v(static_cast<Eigen::Index>(layout.coordinates.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) v[i] = layout.coordinates[i][c];
  return v;
}

void check_eigenpairs(const SpectralLayout& layout, const Eigen::MatrixXd& L, double tolerance) {
  CAPTURE(layout.method);
  CHECK(std::abs(layout.eigenvalues[0]) < 1e-12);  // connected graph: λ1 = 0
  CHECK(layout.eigenvalues[0] <= layout.eigenvalues[1]);
  CHECK(layout.eigenvalues[1] <= layout.eigenvalues[2]);
  for (int c = 0; c < 2; ++c) {
    const Eigen::VectorXd v = column(layout, c);
    const double lambda = layout.eigenvalues[c + 1];
    CHECK((L * v - lambda * v).cwiseAbs().maxCoeff() < tolerance);
    CHECK(v.norm() == Approx(1.0).margin(1e-12));
    Eigen::Index largest;
    v.cwiseAbs().maxCoeff(&largest);  // Eigen returns the first maximum
    CHECK(v[largest] > 0.0);
  }
}

}  // namespace

TEST_CASE("the normalised Laplacian of a hand-computable graph") {
  // Path 0 – 1 – 2 with weights 1 and 1: d = (1, 2, 1);
  // L = [[1, −1/√2, 0], [−1/√2, 1, −1/√2], [0, −1/√2, 1]], eigenvalues 0, 1, 2.
  ThresholdGraph g;
  g.n = 3;
  g.row_start = {0, 1, 3, 4};
  g.neighbour = {1, 0, 2, 1};
  g.weight = {1.0, 1.0, 1.0, 1.0};
  const Eigen::MatrixXd L = normalized_laplacian(g);
  const double r = 1.0 / std::sqrt(2.0);
  Eigen::MatrixXd expected(3, 3);
  expected << 1, -r, 0, -r, 1, -r, 0, -r, 1;
  CHECK((L - expected).cwiseAbs().maxCoeff() < 1e-15);
  const SpectralLayout layout = spectral_layout_dense(g);
  CHECK(layout.eigenvalues[0] == Approx(0.0).margin(1e-15));
  CHECK(layout.eigenvalues[1] == Approx(1.0));
  CHECK(layout.eigenvalues[2] == Approx(2.0));
  // λ = 1: v ∝ (1, 0, −1)/√2 up to sign; rounding decides which of the two equal magnitudes is
  // larger, and that entry is the positive one.
  CHECK(std::abs(layout.coordinates[0][0]) == Approx(r));
  CHECK(layout.coordinates[1][0] == Approx(0.0).margin(1e-15));
  CHECK(layout.coordinates[0][0] + layout.coordinates[2][0] == Approx(0.0).margin(1e-15));
  const int largest = std::abs(layout.coordinates[2][0]) > std::abs(layout.coordinates[0][0]) ? 2 : 0;
  CHECK(layout.coordinates[largest][0] > 0.0);
}

TEST_CASE("fix_sign makes the largest-magnitude entry positive, the first on ties") {
  Eigen::VectorXd a(3), b(3), c(2);
  a << 0.1, -0.9, 0.2;
  b << -0.5, 0.5, 0.1;
  c << 0.5, -0.5;
  fix_sign(a);
  fix_sign(b);
  fix_sign(c);
  CHECK(a[1] == 0.9);
  CHECK(b[0] == 0.5);
  CHECK(c[0] == 0.5);
}

TEST_CASE("dense, sparse and implicit solvers give the same eigenpairs") {
  const Fixture f(300, 10, 17);
  const Eigen::MatrixXd L = normalized_laplacian(f.g);
  const SpectralLayout dense = spectral_layout_dense(f.g);
  const SpectralLayout sparse = spectral_layout_sparse(f.g);
  const SpectralLayout implicit = spectral_layout_implicit(f.rows, f.sweep.delta_star, f.degrees.strength);
  check_eigenpairs(dense, L, 1e-10);
  check_eigenpairs(sparse, L, 1e-10);
  check_eigenpairs(implicit, L, 1e-10);
  for (const SpectralLayout* other : {&sparse, &implicit}) {
    CAPTURE(other->method);
    for (int c = 0; c < 3; ++c) CHECK(other->eigenvalues[c] == Approx(dense.eigenvalues[c]).margin(1e-12));
    for (int c = 0; c < 2; ++c) CHECK((column(*other, c) - column(dense, c)).cwiseAbs().maxCoeff() < 1e-8);
    CHECK(other->matrix_products > 0);
  }
}

TEST_CASE("the graph build agrees with the dense matrix") {
  const Fixture f(120, 4, 5);
  const Eigen::MatrixXd S = cosine_similarity(f.rows);
  int64_t edges = 0;
  for (int64_t i = 0; i < f.g.n; ++i) {
    int64_t degree = 0;
    double strength = 0.0;
    for (int64_t j = 0; j < f.g.n; ++j) {
      if (j != i && S(i, j) >= f.sweep.delta_star) {
        ++degree;
        strength += S(i, j);
      }
    }
    REQUIRE(f.degrees.degree[i] == degree);
    REQUIRE(f.g.degree(i) == degree);
    REQUIRE(f.degrees.strength[i] == Approx(strength).epsilon(1e-14));
    for (int64_t e = f.g.row_start[i]; e < f.g.row_start[i + 1]; ++e)
      REQUIRE(f.g.weight[e] == S(i, f.g.neighbour[e]));
    edges += degree;
  }
  CHECK(f.g.n_edges() == edges / 2);
  CHECK(f.degrees.n_edges == f.sweep.n_edges[f.sweep.delta_star_index]);
}
