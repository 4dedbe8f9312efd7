// convgrad task2 on the bundled dataset equals NumPy + NetworkX (fixture made from the CSV
// that `convgrad data` writes), and bad sizes are clear errors.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tasks/dataset.h"
#include "tasks/task2.h"

using namespace convgrad;

namespace {
nlohmann::json bundled_fixture() {
  std::ifstream in(std::string(CONVGRAD_FIXTURES_DIR) + "/graph/networkx_bundled.json");
  REQUIRE(in.good());
  return nlohmann::json::parse(in);
}
}  // namespace

TEST_CASE("task2 on the bundled dataset equals NetworkX") {
  const nlohmann::json want = bundled_fixture();
  const Dataset data = make_synthetic_dataset(0);
  // The fixture was made from exactly these rows and columns (Feature 1..10, first 400 cells).
  const auto& X = want["X"];
  REQUIRE(X.size() == 400);
  for (size_t i = 0; i < X.size(); ++i)
    for (size_t k = 0; k < 10; ++k) REQUIRE(X[i][k].get<double>() == data.features[i * data.n_features() + k]);

  std::ostringstream log;
  const nlohmann::json got = run_task2(data, Task2Options{}, log);
  CHECK(got["n_samples"] == 400);
  CHECK(got["n_components"] == want["n_components"]);
  CHECK(got["degree"] == want["degree"]);
  CHECK(got["delta_star"].get<double>() == Approx(want["delta_star"].get<double>()).margin(1e-12));
  CHECK(got["delta_star_exact"].get<double>() == Approx(want["delta_star_exact"].get<double>()).margin(1e-12));
  const auto sparsity = got["sparsity"].get<std::vector<double>>();
  const auto want_sparsity = want["sparsity"].get<std::vector<double>>();
  REQUIRE(sparsity.size() == 200);
  for (size_t t = 0; t < 200; ++t) CHECK(sparsity[t] == Approx(want_sparsity[t]).margin(1e-12));
  for (const char* key : {"thresholds", "n_components", "sparsity", "delta_star", "delta_star_exact",
                          "sparsity_at_delta_star", "degree", "degree_centrality", "mean_degree",
                          "mean_degree_centrality", "spectral_layout"})
    CHECK(got.contains(key));
  CHECK(got["spectral_layout"].size() == 400);
  CHECK_THAT(log.str(), Catch::Contains("delta* = 0.97"));
}

TEST_CASE("task2 uses a dataset of fewer than 400 rows whole; with --rows, fewer is an error naming the dataset") {
  const Dataset data = make_synthetic_dataset(0, 100);
  std::ostringstream log;
  const nlohmann::json got = run_task2(data, Task2Options{}, log);
  CHECK(got["n_samples"] == 100);
  CHECK(got["degree"].size() == 100);
  CHECK(got["spectral_layout"].size() == 100);
  CHECK_THAT(log.str(), Catch::Contains("has 100 rows, fewer than the 400 the task asks for: using all 100"));
  // The same as asking for exactly those 100 rows.
  Task2Options hundred;
  hundred.rows = 100;
  hundred.rows_required = true;
  std::ostringstream quiet_log;
  CHECK(run_task2(data, hundred, quiet_log)["degree"] == got["degree"]);

  Task2Options required;
  required.rows_required = true;
  REQUIRE_THROWS_WITH(run_task2(data, required, log),
                      "task2: expected at least 400 rows in bundled synthetic dataset (seed 0) (--rows), but it has 100");
  Task2Options wide;
  wide.rows = 50;
  wide.features = 200;
  REQUIRE_THROWS_WITH(run_task2(data, wide, log), Catch::Contains("expected at least 200 feature columns"));
}
