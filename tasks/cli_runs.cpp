#include "tasks/cli_runs.h"

#include <memory>

#include "tasks/common_options.h"
#include "tasks/run_output.h"

namespace convgrad {

void add_run_commands(CLI::App& app, int& exit_code) {
  auto t2_options = std::make_shared<CommonOptions>();
  auto t2 = std::make_shared<Task2Options>();
  CLI::App* task2 = app.add_subcommand("task2", "Coursework Task 2.1 + 2.2 (cosine-similarity graph, centrality)");
  add_common_options(task2, *t2_options);
  CLI::Option* rows = task2->add_option("--rows", t2->rows,
                                        "Use the first N cells (the task says 400; without --rows, a dataset with "
                                        "fewer is used whole)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{4}, int64_t{10'000'000}));
  task2->add_option("--features", t2->features, "Use Feature 1 .. Feature K (the task says 10)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100'000}));
  task2->callback([t2_options, t2, rows, &exit_code] {
    t2->rows_required = rows->count() > 0;
    run_task2_command(*t2_options, *t2);
    exit_code = 0;
  });

  auto all_options = std::make_shared<CommonOptions>();
  CLI::App* all = app.add_subcommand("all", "Task 1 (BSc and MSc) and Task 2, figures and report.html");
  add_common_options(all, *all_options);
  all->callback([all_options, &exit_code] {
    run_all_command(*all_options);
    exit_code = 0;
  });
}

}  // namespace convgrad
