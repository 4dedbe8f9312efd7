// `convgrad task2` and `convgrad all`.
#pragma once

#include <CLI/CLI.hpp>

namespace convgrad {

void add_run_commands(CLI::App& app, int& exit_code);

}  // namespace convgrad
