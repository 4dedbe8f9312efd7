// Outputs are written whole or not at all (tensor/atomic_file.h), and an --out or
// --save-models folder that cannot be written is reported before any data is read or any
// training starts. Tests run as root, so "unwritable" is a path under a regular file, which
// no permission bit can make writable.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "robustness/bad_files.h"
#include "robustness/cli_runner.h"

using namespace convgrad::testing;
namespace fs = std::filesystem;

namespace {

void check_refused_before_training(const CliRun& run, const std::string& option, const std::string& folder) {
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 1);
  REQUIRE(lines_of(run.err).size() == 1);
  CHECK_THAT(run.err, Catch::StartsWith("convgrad: error: " + option + ": expected a writable folder, but cannot create \"" +
                                        folder + "\""));
  // The data is loaded after the folders are checked: it was not even read.
  CHECK_THAT(run.out, !Catch::Contains("data:"));
  CHECK_THAT(run.out, !Catch::Contains("epoch"));
}

}  // namespace

TEST_CASE("an --out under a regular file is refused before the data is read", "[robustness][cli][output]") {
  ScratchDir scratch("unwritable_out");
  const std::string blocker = scratch.write("blocker", "a regular file\n");
  const std::string out = blocker + "/out";
  const std::vector<std::vector<std::string>> commands = {
      {"task1", "--variant", "bsc"}, {"task1", "--variant", "msc"}, {"task2"}, {"all"}};
  for (const auto& command : commands) {
    CAPTURE(command);
    std::vector<std::string> args = command;
    args.insert(args.end(), {"--data", good_files().csv_path, "--max-epochs", "1", "--out", out});
    check_refused_before_training(run_convgrad(args), "--out", out);
  }
  SECTION("an --out that is itself a regular file") {
    check_refused_before_training(
        run_convgrad({"task1", "--variant", "bsc", "--data", good_files().csv_path, "--out", blocker}), "--out", blocker);
  }
  CHECK(read_bytes(blocker) == "a regular file\n");
}

TEST_CASE("a --save-models under a regular file is refused before training", "[robustness][cli][output]") {
  ScratchDir scratch("unwritable_models");
  const std::string blocker = scratch.write("blocker", "x");
  for (const std::string command : {"task1", "all"}) {
    std::vector<std::string> args = {command};
    if (command == "task1") args.insert(args.end(), {"--variant", "bsc"});
    args.insert(args.end(), {"--data", good_files().csv_path, "--max-epochs", "1", "--out", scratch / "out",
                             "--save-models", blocker + "/models"});
    check_refused_before_training(run_convgrad(args), "--save-models", blocker + "/models");
    CHECK(files_under(scratch / "out").empty());
  }
}

TEST_CASE("convgrad data --out under a regular file is one error line", "[robustness][cli][output]") {
  ScratchDir scratch("unwritable_data");
  const std::string blocker = scratch.write("blocker", "x");
  const CliRun run = run_convgrad({"data", "--rows", "20", "--out", blocker + "/sub/cells.csv"});
  INFO(run.err);
  CHECK(run.exit_code == 1);
  REQUIRE(lines_of(run.err).size() == 1);
  CHECK_THAT(run.err, Catch::StartsWith("convgrad: error: data: cannot create the directory \"" + blocker + "/sub\""));
}

TEST_CASE("a results.json that cannot be replaced is an error, and no temporary file is left",
          "[robustness][cli][output]") {
  ScratchDir scratch("blocked_results");
  scratch.write("out/results.json/in_the_way", "x");  // a folder where the file goes
  const CliRun run = run_convgrad({"task1", "--variant", "bsc", "--quiet", "--max-epochs", "1", "--threads", "1",
                                   "--data", good_files().csv_path, "--out", scratch / "out"});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  CHECK(run.exit_code == 1);
  REQUIRE(lines_of(run.err).size() == 1);
  CHECK_THAT(run.err, Catch::StartsWith("convgrad: error: " + scratch / "out/results.json" + ": cannot write file: "));
  CHECK(files_under(scratch / "out") == std::vector<std::string>{"results.json/in_the_way"});
}

TEST_CASE("a run removes the temporaries a killed run left in --out, its figures and --save-models",
          "[robustness][cli][output]") {
  ScratchDir scratch("stale_temporaries");
  // PID 9999999 cannot exist (above Linux's largest pid_max): these writers are gone.
  const std::string stale_out = scratch.write("out/.results.json.tmp.9999999.0", "{\"half");
  const std::string stale_figure = scratch.write("out/figures/.task2_sparsity.svg.tmp.9999999", "<svg");
  const std::string stale_model = scratch.write("models/.unet.safetensors.tmp.9999999.2", "half");
  const std::string kept = scratch.write("out/notes.txt", "mine\n");
  const CliRun run = run_convgrad({"task1", "--variant", "bsc", "--data", good_files().csv_path, "--max-epochs", "1",
                                   "--threads", "1", "--quiet", "--out", scratch / "out", "--save-models",
                                   scratch / "models"});
  INFO("stdout:\n" << run.out << "stderr:\n" << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_FALSE(fs::exists(stale_out));
  CHECK_FALSE(fs::exists(stale_figure));
  CHECK_FALSE(fs::exists(stale_model));
  CHECK(read_bytes(kept) == "mine\n");
  CHECK(fs::exists(scratch / "out/results.json"));
}
