#include "tasks/cli_tasks.h"

#include <iostream>
#include <memory>

#include "tasks/common_options.h"
#include "tasks/data_command.h"
#include "tasks/dataset.h"
#include "tasks/summary.h"
#include "tasks/task1.h"

namespace convgrad {

namespace {

void add_data_command(CLI::App& app, int& exit_code) {
  struct DataArgs {
    std::string out = kDefaultDataFile;
    uint64_t seed = 0;
    int64_t rows = kCourseworkRows;
  };
  auto args = std::make_shared<DataArgs>();
  CLI::App* cmd = app.add_subcommand("data", "Write the bundled synthetic stand-in dataset as a coursework CSV");
  cmd->add_option("--out", args->out, "Output CSV file")->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the synthetic cells")->capture_default_str()->check(seed_value());
  cmd->add_option("--rows", args->rows, "Number of cells")
      ->capture_default_str()
      ->check(CLI::Range(kMinSplitRows, kMaxSyntheticRows));
  cmd->callback([args, &exit_code] {
    run_data_command(args->out, args->seed, args->rows);
    exit_code = 0;
  });
}

void add_task1_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CommonOptions>();
  auto variant = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("task1", "Coursework Task 1.1 + 1.2 (CNN autoencoder / U-Net, regression)");
  cmd->add_option("--variant", *variant, "bsc (autoencoder + regressor) or msc (U-Net + multi-task)")
      ->required()
      ->check(CLI::IsMember({"bsc", "msc"}));
  add_common_options(cmd, *options);
  cmd->callback([options, variant, &exit_code] {
    run_task1_command(*options, *variant);
    exit_code = 0;
  });
}

void add_summary_command(CLI::App& app, int& exit_code) {
  auto model = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "summary", "Each layer of a coursework network: output shape with its formula, parameter count, totals");
  cmd->add_option("MODEL", *model, "autoencoder, regressor, unet or unet-multitask")
      ->required()
      ->check(CLI::IsMember({"autoencoder", "regressor", "unet", "unet-multitask"}));
  cmd->callback([model, &exit_code] {
    std::cout << format_summary(summarize_model(parse_model_kind(*model)));
    exit_code = 0;
  });
}

}  // namespace

void add_task_commands(CLI::App& app, int& exit_code) {
  add_data_command(app, exit_code);
  add_task1_command(app, exit_code);
  add_summary_command(app, exit_code);
}

}  // namespace convgrad
