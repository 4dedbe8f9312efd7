// convgrad: the command line. Each group of subcommands lives in its own cli_*.cpp.
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "tasks/cli_engine.h"
#include "tasks/cli_runs.h"
#include "tasks/cli_tasks.h"
#include "tensor/blas_core.h"
#include "tensor/error.h"

int main(int argc, char** argv) {
  convgrad::use_best_blas_kernels(argv);  // may start the program again, once (see tensor/blas_core.h)
  CLI::App app{"convgrad: a from-scratch tensor and autodiff engine, and the coursework that runs on it"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "convgrad " CONVGRAD_VERSION);
  int exit_code = 0;
  convgrad::add_task_commands(app, exit_code);
  convgrad::add_run_commands(app, exit_code);
  convgrad::add_engine_commands(app, exit_code);
  if (argc > 1 && argv[1][0] != '-') {  // CLI11 would only say "A subcommand is required"
    std::string commands;
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) {
      commands += (commands.empty() ? "" : ", ") + sub->get_name();
      known = known || sub->get_name() == argv[1];
    }
    if (!known) {
      std::cerr << "convgrad: error: unknown command '" << argv[1] << "' (commands: " << commands << ")\n";
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help: the help text, exit 0
    // A usage error is one line on stderr, as every other error (CLI11 would add a second).
    std::string command = "convgrad";
    for (const CLI::App* sub : app.get_subcommands()) command += " " + sub->get_name();
    std::cerr << "convgrad: error: " << e.what() << " (see " << command << " --help)\n";
    return 2;
  } catch (const convgrad::Error& e) {
    std::cerr << "convgrad: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "convgrad: unexpected error: " << e.what() << "\n";  // a bug, or out of memory
    return 1;
  }
  return exit_code;
}
