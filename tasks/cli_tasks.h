// The coursework's subcommands: `convgrad data`, `convgrad task1` and `convgrad summary`.
#pragma once

#include <CLI/CLI.hpp>

namespace convgrad {

// Adds the subcommands to `app`; each sets `exit_code` when it runs.
void add_task_commands(CLI::App& app, int& exit_code);

}  // namespace convgrad
