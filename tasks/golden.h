// `convgrad golden DIR`: runs PyTorch golden cases through the engine in float64.
//
// A case is a folder with case.json and .npy files (format: shared/golden/README.md, and
// docs/golden.md for exporting your own). For each case the runner rebuilds the op or
// model from `config`, feeds `inputs` and `params`, compares `outputs`, backpropagates
// `grad_output` and compares `grads` (Adam/AdamW cases: the parameter and both moments
// after every step). The error of a value is max |got − want| / max(1, |want|).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace convgrad {

struct GoldenResult {
  enum class Status { Passed, Failed, Skipped, Unreadable };
  std::string name;  // the case folder's name
  std::string op;
  Status status = Status::Unreadable;
  double output_error = 0.0;  // worst over outputs (and optimizer trajectories)
  double grad_error = 0.0;    // worst over gradients
  bool has_grads = false;     // whether any gradient was compared (a forward-only case has none)
  std::string worst;          // which value had the worst error
  std::string message;        // why a case was skipped or unreadable
  bool float32 = false;       // PyTorch computed the reference in float32 (case.json "dtype", or its files)
};

// The largest error that passes: 1e-8 for a float64 reference; 1e-5 for a float32 one, whose
// own rounding is compared (the batch-32 coursework U-Net's float32 gradients were measured
// 2.3e-6 from the float64 ones, single layers up to 1.4e-6).
constexpr double kGoldenTolerance = 1e-8;
constexpr double kGoldenToleranceFloat32 = 1e-5;
inline double golden_tolerance(const GoldenResult& r) { return r.float32 ? kGoldenToleranceFloat32 : kGoldenTolerance; }

// Runs one case folder. Never throws: an unreadable case comes back with its message.
GoldenResult run_golden_case(const std::string& case_dir);

// Runs every case folder in `dir` (sorted by name; index.json, when present, is not needed),
// printing one line per case to `out`, and for each unreadable case the reason, one line
// "convgrad: error: <file>: <what is wrong>", to stderr. Returns the results.
std::vector<GoldenResult> run_golden_dir(const std::string& dir, std::ostream& out);

// 0 when every case passed or was skipped, 1 otherwise.
int golden_exit_code(const std::vector<GoldenResult>& results);

}  // namespace convgrad
