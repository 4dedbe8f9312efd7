// The engine's own subcommands: `convgrad gradcheck` and `convgrad golden`.
#pragma once

#include <CLI/CLI.hpp>

namespace convgrad {

// Adds the subcommands to `app`; each sets `exit_code` when it runs.
void add_engine_commands(CLI::App& app, int& exit_code);

}  // namespace convgrad
