// The coursework splits, the bundled synthetic dataset (schema, determinism, structure the
// tasks rely on) and writing/reading it back.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <unistd.h>

#include "tasks/data_command.h"
#include "tasks/dataset.h"
#include "tasks/synthetic_data.h"

using namespace convgrad;
namespace fs = std::filesystem;

namespace {

fs::path fresh_temp_dir(const std::string& tag) {
  const fs::path dir = fs::temp_directory_path() / ("convgrad_dataset_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_all(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream content;
  content << file.rdbuf();
  return content.str();
}

const Dataset& seed0() {
  static const Dataset data = make_synthetic_dataset(0);
  return data;
}

double feature(const Dataset& d, int64_t row, int64_t k) { return d.features[row * d.n_features() + (k - 1)]; }

// Test R^2 of an ordinary least-squares fit (with intercept) of MAP7 on all features,
// trained on rows [0, train_rows), tested on [test_start, rows). Normal equations, Cholesky.
double least_squares_r2(const Dataset& d, int64_t train_rows, int64_t test_start) {
  const int64_t p = d.n_features() + 1;
  std::vector<double> a(p * p, 0.0), b(p, 0.0), x(p);
  auto load = [&](int64_t row) {
    x[0] = 1.0;
    for (int64_t k = 1; k < p; ++k) x[k] = feature(d, row, k);
  };
  for (int64_t row = 0; row < train_rows; ++row) {
    load(row);
    for (int64_t i = 0; i < p; ++i) {
      b[i] += x[i] * d.target[row];
      for (int64_t j = 0; j < p; ++j) a[i * p + j] += x[i] * x[j];
    }
  }
  for (int64_t j = 0; j < p; ++j) {  // a = L L^T, L stored in the lower triangle
    for (int64_t k = 0; k < j; ++k) a[j * p + j] -= a[j * p + k] * a[j * p + k];
    a[j * p + j] = std::sqrt(a[j * p + j]);
    for (int64_t i = j + 1; i < p; ++i) {
      for (int64_t k = 0; k < j; ++k) a[i * p + j] -= a[i * p + k] * a[j * p + k];
      a[i * p + j] /= a[j * p + j];
    }
  }
  std::vector<double> w = b;
  for (int64_t i = 0; i < p; ++i) {  // L y = b
    for (int64_t k = 0; k < i; ++k) w[i] -= a[i * p + k] * w[k];
    w[i] /= a[i * p + i];
  }
  for (int64_t i = p - 1; i >= 0; --i) {  // L^T w = y
    for (int64_t k = i + 1; k < p; ++k) w[i] -= a[k * p + i] * w[k];
    w[i] /= a[i * p + i];
  }
  double mean = 0.0;
  for (int64_t row = test_start; row < d.rows; ++row) mean += d.target[row];
  mean /= static_cast<double>(d.rows - test_start);
  double residual = 0.0, total = 0.0;
  for (int64_t row = test_start; row < d.rows; ++row) {
    load(row);
    double prediction = 0.0;
    for (int64_t i = 0; i < p; ++i) prediction += w[i] * x[i];
    residual += (d.target[row] - prediction) * (d.target[row] - prediction);
    total += (d.target[row] - mean) * (d.target[row] - mean);
  }
  return 1.0 - residual / total;
}

double correlation(const Dataset& d, int64_t k1, int64_t k2) {
  double m1 = 0, m2 = 0;
  for (int64_t r = 0; r < d.rows; ++r) m1 += feature(d, r, k1), m2 += feature(d, r, k2);
  m1 /= d.rows, m2 /= d.rows;
  double s12 = 0, s11 = 0, s22 = 0;
  for (int64_t r = 0; r < d.rows; ++r) {
    const double a = feature(d, r, k1) - m1, b = feature(d, r, k2) - m2;
    s12 += a * b, s11 += a * a, s22 += b * b;
  }
  return s12 / std::sqrt(s11 * s22);
}

}  // namespace

TEST_CASE("coursework_split: 1848/264/529 for 2641 rows, 70%/10%/rest otherwise") {
  auto [rows, train, val, test] = GENERATE(table<int64_t, int64_t, int64_t, int64_t>({
      {2641, 1848, 264, 529},
      {1000, 700, 100, 200},
      {400, 280, 40, 80},
      {19, 13, 1, 5},
      {10, 7, 1, 2},
  }));
  CAPTURE(rows);
  const Split split = coursework_split(rows);
  CHECK(split.train == train);
  CHECK(split.val == val);
  CHECK(split.test == test);
  CHECK(split.train + split.val + split.test == rows);
}

TEST_CASE("coursework_split: too few rows is an error naming the count needed") {
  const int64_t rows = GENERATE(9, 1, 0, -3);
  REQUIRE_THROWS_WITH(coursework_split(rows),
                      Catch::Contains("coursework_split: expected at least 10 rows") &&
                          Catch::Contains(", but got " + std::to_string(rows)));
}

TEST_CASE("synthetic dataset: coursework schema") {
  const Dataset& d = seed0();
  CHECK(d.source == "bundled synthetic dataset (seed 0)");
  REQUIRE(d.rows == 2641);
  REQUIRE(d.n_features() == 100);
  CHECK(d.features.size() == 264100);
  CHECK(d.target.size() == 2641);
  CHECK(d.treatment.size() == 2641);
  const std::vector<std::string> first_ten = {"FOXO3", "TCF7L2", "GSK3B", "NRG1", "PIK3CB",
                                              "PRKCE", "RHOQ", "PLXNA2", "TACC2", "DYRK2"};
  for (int k = 1; k <= 10; ++k) CHECK(d.feature_names[k - 1] == "Feature " + std::to_string(k) + ": " + first_ten[k - 1]);
  CHECK(d.feature_names[99] == "Feature 100: KLHL29");
  std::set<std::string> genes(synthetic_gene_names().begin(), synthetic_gene_names().end());
  CHECK(genes.size() == 100);  // no gene twice
  CHECK(genes.count("MAP7") == 0);
  for (int k = 1; k <= 100; ++k) CHECK(d.feature_names[k - 1] == "Feature " + std::to_string(k) + ": " + synthetic_gene_names()[k - 1]);
}

TEST_CASE("synthetic dataset: values are finite log2 expression levels with dropouts") {
  const Dataset& d = seed0();
  int64_t zeros = 0;
  for (const double v : d.features) {
    REQUIRE(std::isfinite(v));
    REQUIRE(v >= 0.0);
    REQUIRE(v < 13.0);
    zeros += v == 0.0;
  }
  const double zero_fraction = static_cast<double>(zeros) / static_cast<double>(d.features.size());
  CAPTURE(zero_fraction);
  CHECK(zero_fraction > 0.05);  // zero-inflation, as in single-cell data
  CHECK(zero_fraction < 0.30);
  double mean_target = 0.0;
  for (const double y : d.target) {
    REQUIRE(std::isfinite(y));
    REQUIRE(y >= 0.0);
    REQUIRE(y < 13.0);
    mean_target += y / d.rows;
  }
  CHECK(mean_target > 4.0);
  CHECK(mean_target < 9.0);
}

TEST_CASE("synthetic dataset: both treatment groups in the first 400 rows and in every split") {
  const Dataset& d = seed0();
  const Split split = coursework_split(d.rows);
  const std::vector<std::pair<int64_t, int64_t>> ranges = {
      {0, 400}, {0, split.train}, {split.train, split.train + split.val}, {split.train + split.val, d.rows}};
  for (const auto& [begin, end] : ranges) {
    CAPTURE(begin, end);
    int64_t treated = 0;
    for (int64_t r = begin; r < end; ++r) {
      REQUIRE((d.treatment[r] == 0 || d.treatment[r] == 1));
      treated += d.treatment[r];
    }
    CHECK(treated > (end - begin) / 3);
    CHECK(treated < 2 * (end - begin) / 3);
  }
  // The smallest dataset has both groups too.
  const Dataset small = make_synthetic_dataset(3, 10);
  CHECK(std::count(small.treatment.begin(), small.treatment.end(), 1) > 0);
  CHECK(std::count(small.treatment.begin(), small.treatment.end(), 0) > 0);
}

TEST_CASE("synthetic dataset: deterministic from the seed; fewer rows give a prefix") {
  const Dataset& a = seed0();
  const Dataset b = make_synthetic_dataset(0);
  CHECK(a.features == b.features);
  CHECK(a.target == b.target);
  CHECK(a.treatment == b.treatment);
  const Dataset other = make_synthetic_dataset(1);
  CHECK(other.features != a.features);
  CHECK(other.target != a.target);
  CHECK(other.source == "bundled synthetic dataset (seed 1)");

  const Dataset prefix = make_synthetic_dataset(0, 100);
  CHECK(prefix.rows == 100);
  CHECK(std::equal(prefix.features.begin(), prefix.features.end(), a.features.begin()));
  CHECK(std::equal(prefix.target.begin(), prefix.target.end(), a.target.begin()));
  CHECK(std::equal(prefix.treatment.begin(), prefix.treatment.end(), a.treatment.begin()));

  // Pinned values: a change here changes every downstream result (and needs a reason).
  CHECK(a.features[0] == Approx(9.4693404963869998).epsilon(1e-12));
  CHECK(a.target[0] == Approx(7.091593440252999).epsilon(1e-12));
  CHECK(a.target[2640] == Approx(11.604271001064738).epsilon(1e-12));

  REQUIRE_THROWS_WITH(make_synthetic_dataset(0, 9),
                      Catch::Contains("make_synthetic_dataset: expected between 10 and 1000000 rows, but got 9"));
}

TEST_CASE("synthetic dataset: the written CSV is byte-identical per seed and reads back exactly") {
  const fs::path dir = fresh_temp_dir("roundtrip");
  const std::string first = (dir / "first.csv").string(), second = (dir / "second.csv").string();
  write_dataset_csv(make_synthetic_dataset(0), first);
  write_dataset_csv(make_synthetic_dataset(0), second);
  write_dataset_csv(make_synthetic_dataset(1), (dir / "other.csv").string());
  const std::string bytes = read_all(first);
  CHECK(bytes == read_all(second));
  CHECK(bytes != read_all(dir / "other.csv"));
  CHECK(bytes.rfind(",Target: MAP7,Feature 1: FOXO3,Feature 2: TCF7L2,", 0) == 0);
  CHECK(bytes.find(",Feature 100: KLHL29,Treatment\n0,") != std::string::npos);

  const Dataset back = read_dataset_csv(first);
  const Dataset& original = seed0();
  CHECK(back.source == first);
  CHECK(back.rows == original.rows);
  CHECK(back.feature_names == original.feature_names);
  CHECK(back.features == original.features);  // exact: shortest round-trip formatting
  CHECK(back.target == original.target);
  CHECK(back.treatment == original.treatment);
  fs::remove_all(dir);
}

TEST_CASE("synthetic dataset: MAP7 is predictable from the features, but not trivially") {
  // Least squares on the 100 features: train on the first 1848 rows, test on the last 529.
  for (const uint64_t seed : {0, 1}) {
    const double r2 = least_squares_r2(seed == 0 ? seed0() : make_synthetic_dataset(seed), 1848, 2641 - 529);
    CAPTURE(seed, r2);
    CHECK(r2 > 0.5);
    CHECK(r2 < 0.8);
  }
}

TEST_CASE("synthetic dataset: gene modules are contiguous bands of correlated features") {
  const Dataset& d = seed0();
  // Neighbours in one module correlate; genes of distant modules hardly do.
  for (const GeneModule& module : synthetic_gene_modules()) {
    CAPTURE(module.name);
    CHECK(correlation(d, module.first, module.first + 1) > 0.3);
  }
  CHECK(std::abs(correlation(d, 24, 98)) < 0.15);
  // Unstructured genes follow no module.
  for (const int64_t k : synthetic_unstructured_features()) {
    CAPTURE(k);
    CHECK(std::abs(correlation(d, k, k + 1)) < 0.15);
  }
}

TEST_CASE("synthetic dataset: treated cells are more alike on Features 1-10 (Task 2)") {
  // Mean cosine similarity over pairs of the first 400 cells, by treatment of the pair.
  const Dataset& d = seed0();
  double sum[3] = {0, 0, 0};  // untreated pairs, treated pairs, mixed pairs
  double count[3] = {0, 0, 0};
  for (int64_t i = 0; i < 400; ++i) {
    for (int64_t j = i + 1; j < 400; ++j) {
      double dot = 0, ni = 0, nj = 0;
      for (int64_t k = 1; k <= 10; ++k) {
        dot += feature(d, i, k) * feature(d, j, k);
        ni += feature(d, i, k) * feature(d, i, k);
        nj += feature(d, j, k) * feature(d, j, k);
      }
      const int kind = d.treatment[i] != d.treatment[j] ? 2 : d.treatment[i];
      sum[kind] += dot / std::sqrt(ni * nj);
      count[kind] += 1;
    }
  }
  const double untreated = sum[0] / count[0], treated = sum[1] / count[1], mixed = sum[2] / count[2];
  CAPTURE(untreated, treated, mixed);
  CHECK(treated > untreated + 0.01);
  CHECK(untreated > mixed + 0.01);
}

TEST_CASE("run_data_command writes the CSV, creating directories, and says what it wrote") {
  const fs::path dir = fresh_temp_dir("command");
  const std::string out = (dir / "nested" / "data.csv").string();
  std::ostringstream captured;
  std::streambuf* saved = std::cout.rdbuf(captured.rdbuf());
  try {
    run_data_command(out, 7, 50);
  } catch (...) {
    std::cout.rdbuf(saved);
    throw;
  }
  std::cout.rdbuf(saved);
  CHECK(captured.str() == "data: wrote " + out +
                              ": 50 rows x 103 columns (index, Target: MAP7, Feature 1..100, Treatment), "
                              "bundled synthetic dataset, seed 7\n");
  const Dataset back = read_dataset_csv(out);
  CHECK(back.rows == 50);
  CHECK(back.features == make_synthetic_dataset(7, 50).features);
  REQUIRE_THROWS_WITH(run_data_command(out, 7, 3), Catch::Contains("expected between 10 and 1000000 rows, but got 3"));
  fs::remove_all(dir);
}
