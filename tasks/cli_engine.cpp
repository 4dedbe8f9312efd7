#include "tasks/cli_engine.h"

#include <iostream>
#include <memory>

#include "autograd/gradcheck_suite.h"
#include "tasks/common_options.h"
#include "tasks/golden.h"

namespace convgrad {

void add_engine_commands(CLI::App& app, int& exit_code) {
  struct GradcheckArgs {
    std::string op = "all";
    uint64_t seed = 0;
    int configs = 20;
  };
  auto gc = std::make_shared<GradcheckArgs>();
  CLI::App* gradcheck_cmd = app.add_subcommand(
      "gradcheck", "Check every op's backward against float64 central differences on randomised configurations");
  gradcheck_cmd->add_option("--op", gc->op, "An op name, or 'all'")->capture_default_str();
  gradcheck_cmd->add_option("--seed", gc->seed, "Seed for the random configurations")
      ->capture_default_str()
      ->check(seed_value());
  gradcheck_cmd->add_option("--configs", gc->configs, "Random configurations per op")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  gradcheck_cmd->callback([gc, &exit_code] {
    const auto rows = run_gradcheck_suite(gc->op, gc->seed, gc->configs, &std::cerr);
    std::cout << format_gradcheck_table(rows);
    for (const auto& r : rows)
      if (r.passed != r.configs) exit_code = 1;
  });

  auto golden_dir = std::make_shared<std::string>();
  CLI::App* golden_cmd = app.add_subcommand(
      "golden", "Run PyTorch golden cases (case.json + .npy folders) through the engine in float64");
  golden_cmd->add_option("DIR", *golden_dir, "Folder of case folders, e.g. ../shared/golden")->required();
  golden_cmd->callback([golden_dir, &exit_code] {
    exit_code = golden_exit_code(run_golden_dir(*golden_dir, std::cout));
  });
}

}  // namespace convgrad
