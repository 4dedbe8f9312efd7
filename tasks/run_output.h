// The last step of every coursework run: results.json, the figures and (for `all`) the report.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "tasks/common_options.h"
#include "tasks/task2.h"

namespace convgrad {

// Writes OUT/results.json atomically, renders the figures it has data for into OUT/figures
// and, when `with_report`, writes OUT/report.html; prints the paths (unless quiet).
void write_run_outputs(const nlohmann::json& results, const CommonOptions& options, bool with_report);

// `convgrad task2`: Task 2.1 + 2.2 on the first rows × features of the dataset.
nlohmann::json run_task2_command(const CommonOptions& options, const Task2Options& task2);

// `convgrad all`: Task 1 BSc, Task 1 MSc and Task 2 on one dataset, then report.html.
nlohmann::json run_all_command(const CommonOptions& options);

}  // namespace convgrad
