// libFuzzer target: the coursework CSV reader (tasks/dataset.h, parse_dataset_csv).
// Every input must either parse or throw convgrad::Error. Anything else — a sanitizer
// report, another exception type, a broken invariant below — is a bug. tests/fuzz/run.sh.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>

#include "tasks/dataset.h"
#include "tensor/error.h"

using convgrad::Dataset;

namespace {

// What a successful parse promises its callers (tasks/dataset.h).
void check_invariants(const Dataset& d) {
  const size_t rows = static_cast<size_t>(d.rows);
  if (d.rows < convgrad::kMinSplitRows || d.n_features() < 1) __builtin_trap();
  if (d.features.size() != rows * static_cast<size_t>(d.n_features())) __builtin_trap();
  if (d.target.size() != rows || d.treatment.size() != rows) __builtin_trap();
  for (const double v : d.features)
    if (!std::isfinite(v)) __builtin_trap();
  for (const double v : d.target)
    if (!std::isfinite(v)) __builtin_trap();
  for (const int t : d.treatment)
    if (t != 0 && t != 1) __builtin_trap();
}

// Writing what was read and reading it again gives the same table.
void check_round_trip(const Dataset& d) {
  const Dataset again = convgrad::parse_dataset_csv(convgrad::dataset_csv_text(d), "round-trip.csv");
  if (again.feature_names != d.feature_names || again.rows != d.rows || again.features != d.features ||
      again.target != d.target || again.treatment != d.treatment) {
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Dataset d;
  try {
    d = convgrad::parse_dataset_csv(std::string(reinterpret_cast<const char*>(data), size), "fuzz.csv");
  } catch (const convgrad::Error&) {
    return 0;  // a clean, user-facing error
  }
  check_invariants(d);
  check_round_trip(d);  // an Error here escapes: a table we read must write and read back
  return 0;
}
