// convgrad: the command line. Each group of subcommands lives in its own cli_*.cpp.
#include <iostream>

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
  int exit_code = 0;
  convgrad::add_task_commands(app, exit_code);
  convgrad::add_run_commands(app, exit_code);
  convgrad::add_engine_commands(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const convgrad::Error& e) {
    std::cerr << "convgrad: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "convgrad: unexpected error: " << e.what() << "\n";
    return 2;
  }
  return exit_code;
}
