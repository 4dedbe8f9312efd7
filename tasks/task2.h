// Coursework Task 2 on the dataset: the cosine-similarity graph of the first `rows` cells
// over the first `features` features (400 and 10 in the task text), via graph/.
#pragma once

#include <cstdint>
#include <ostream>

#include <nlohmann/json.hpp>

#include "tasks/dataset.h"

namespace convgrad {

struct Task2Options {
  int64_t rows = 400;          // the first N cells
  bool rows_required = false;  // --rows given: fewer rows is an error; else a smaller dataset is used whole
  int64_t features = 10;       // Feature 1 .. Feature K
  bool quiet = false;
};

// The cells Task 2 uses: the first `rows`, or, when the dataset has fewer and --rows was not
// given, all of them (as the coursework notebook's `data[:400]` would).
int64_t task2_rows(const Dataset& data, const Task2Options& options);

// Whether `data` has the rows and features `options` ask for; else a convgrad::Error naming
// the dataset (`convgrad all` checks it before Task 1 trains).
void check_task2_input(const Dataset& data, const Task2Options& options);

// Runs 2.1 and 2.2, prints a summary to `log` (unless quiet), and returns the `task2`
// section of results.json (DESIGN.md keys, plus treatment, edges, strength, eigenvalues,
// timings_s). Errors name the dataset when it has too few rows or features.
nlohmann::json run_task2(const Dataset& data, const Task2Options& options, std::ostream& log);

}  // namespace convgrad
