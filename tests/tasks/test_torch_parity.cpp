// PyTorch parity of the whole Task 1 pipeline: with --init-from, --no-shuffle and
// --dtype float64, `convgrad task1` follows PyTorch's trajectory to float64 rounding.
//
// tests/fixtures/parity/ was made by tests/tasks/make_torch_parity_fixture.py (PyTorch 1.13,
// dev-only): the initial weights (bsc_init / msc_init .safetensors, PyTorch's default init)
// and expected.json, PyTorch's train and validation losses of every phase capped at 3
// epochs (autoencoder, regressor, U-Net, the three α of the multi-task search, the
// retraining) and the final test metrics. Every number must agree to 1e-9 relative.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <unistd.h>

#include "tasks/task1.h"
#include "tensor/atomic_file.h"

using namespace convgrad;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

uint64_t fnv1a64(const std::string& bytes) {
  uint64_t h = 14695981039346656037ull;
  for (const unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

struct Worst {
  double relative = 0.0;
  std::string where;
  int compared = 0;
};

// Compares every number of `want` (PyTorch) with the same path in `got` (convgrad).
void compare(const json& want, const json& got, const std::string& path, Worst& worst) {
  INFO(path);
  if (want.is_object()) {
    for (const auto& [key, value] : want.items()) {
      REQUIRE(got.contains(key));
      compare(value, got[key], path + "." + key, worst);
    }
  } else if (want.is_array()) {
    REQUIRE(got.is_array());
    REQUIRE(got.size() == want.size());
    for (size_t i = 0; i < want.size(); ++i) compare(want[i], got[i], path + "[" + std::to_string(i) + "]", worst);
  } else if (want.is_number_float()) {
    const double w = want.get<double>(), g = got.get<double>();
    const double relative = std::abs(g - w) / std::max(std::abs(w), 1e-300);
    CHECK(relative <= 1e-9);
    if (relative >= worst.relative) worst = Worst{relative, path, worst.compared};
    ++worst.compared;
  } else {
    CHECK(got == want);  // epochs_run, best_epoch, ...
  }
}

}  // namespace

TEST_CASE("parity: Task 1 BSc and MSc follow PyTorch's float64 trajectory (3 epochs per phase)") {
  const fs::path fixtures = fs::path(CONVGRAD_FIXTURES_DIR) / "parity";
  const json expected = json::parse(read_file((fixtures / "expected.json").string()));

  // The bundled CSV, regenerated in-process: the same bytes the fixture script used.
  const std::string csv = dataset_csv_text(make_synthetic_dataset(0));
  REQUIRE(std::to_string(fnv1a64(csv)) == expected["csv_fnv1a64"].get<std::string>());
  const fs::path dir = fs::temp_directory_path() / ("convgrad_parity_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  write_file_atomically((dir / "bundled.csv").string(), csv);

  const std::string variant = GENERATE(as<std::string>{}, "bsc", "msc");
  CommonOptions o;
  o.data = (dir / "bundled.csv").string();
  o.out = (dir / variant).string();
  o.init_from = (fixtures / (variant + "_init.safetensors")).string();
  o.no_shuffle = true;
  o.dtype = "float64";
  o.max_epochs = expected["epochs"].get<int>();
  o.threads = 1;
  o.quiet = true;
  std::streambuf* saved = std::cout.rdbuf(nullptr);
  const json got = run_task1_command(o, variant, /*with_figures=*/false);
  std::cout.rdbuf(saved);

  Worst worst;
  const std::string key = "task1_" + variant;
  compare(expected[key], got[key], key, worst);
  CHECK(worst.compared >= 14);  // BSc: 15 values, MSc: 46
  WARN("parity " << variant << ": " << worst.compared << " values, max relative difference " << worst.relative
                 << " at " << worst.where);
  fs::remove_all(dir);
}
