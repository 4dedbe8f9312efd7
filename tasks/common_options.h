// The options every training command shares (`task1`, `task2`, `all`), as DESIGN.md fixes them:
//
//   --data CSV  --out DIR (default out)  --seed N (default 0)  --threads N  --no-shuffle
//   --quiet  --max-epochs N  --dtype float32|float64  --init-from FILE  --save-models DIR
//
// and the two things every such command does first: load the dataset (the bundled synthetic
// one when --data is not given) and make sure the output folder can be written, so that a bad
// --out is reported before minutes of training rather than after.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "tasks/dataset.h"
#include "tensor/dtype.h"

namespace convgrad {

struct CommonOptions {
  std::string data;          // CSV path; empty = the bundled synthetic dataset (seed 0)
  std::string out = "out";   // results.json, figures/ and report.html go here
  uint64_t seed = 0;         // model initialisation and shuffling (never the data)
  int threads = 0;           // 0 = leave the BLAS/OpenMP default
  bool no_shuffle = false;   // mini-batches in file order (for parity with a PyTorch run)
  bool quiet = false;        // no progress line, no informational output
  int max_epochs = 0;        // 0 = no cap; otherwise every training phase stops by then
  std::string dtype = "float32";
  std::string init_from;     // safetensors state dict loaded into every fresh model
  std::string save_models;   // folder for the trained weights (safetensors)

  DType parsed_dtype() const { return parse_dtype(dtype); }
};

// A --seed value: a decimal integer from 0 to 2^64 − 1. (CLI11 alone turns -1 into 2^64 − 1 and
// 2^64 into 2^64 − 1 without a word.)
CLI::Validator seed_value();

// Adds exactly the common options above to `cmd`, bound to `o`.
void add_common_options(CLI::App* cmd, CommonOptions& o);

// The --data CSV, or, without --data, make_synthetic_dataset(0) — seed 0 whatever --seed
// says, so that changing the training seed never changes the data. Prints one line saying
// which (unless quiet).
Dataset load_dataset(const CommonOptions& o);

// Creates `dir` (and parents) and writes and removes a probe file in it; throws
// "--out: expected a writable folder, but ..." when either fails. Then removes the hidden
// temporaries a killed run left in it (tensor/atomic_file.h).
void ensure_writable_dir(const std::string& dir, const char* option = "--out");

// Applies --threads (when > 0) and returns the thread count in effect.
int apply_threads(const CommonOptions& o);

}  // namespace convgrad
