// Killing `convgrad all` with SIGKILL at seeded-random moments never leaves a half-written
// results.json, report.html or figure: tests/robustness/kill_test.sh does the killing and
// the checking; this runs it on the binary under test (about 6 whole-run times).
#include <catch2/catch.hpp>

#include "robustness/cli_runner.h"

using namespace convgrad::testing;

TEST_CASE("convgrad all killed at random moments leaves complete outputs or none", "[robustness][kill]") {
  const CliRun run = run_program({"/bin/bash", std::string(CONVGRAD_SOURCE_DIR) + "/tests/robustness/kill_test.sh",
                                  convgrad_binary(), /*rounds=*/"6", /*seed=*/"1"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("kill_test: passed"));
}
