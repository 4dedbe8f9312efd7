// Every input in tests/fixtures/fuzz_regressions/<target>/ (saved from tests/fuzz/ runs
// and from review) goes to its reader again: it must give a value or a convgrad::Error with
// a one-line message — never a crash, a sanitizer report or another exception.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>
#include <cstring>
#include <map>
#include <string>

#include "nn/linear.h"
#include "nn/state_dict.h"
#include "robustness/cli_runner.h"
#include "tasks/dataset.h"
#include "tasks/golden.h"
#include "tensor/error.h"
#include "tensor/npy.h"

using namespace convgrad;
using namespace convgrad::testing;
namespace fs = std::filesystem;

namespace {

const fs::path kRegressions = fs::path(CONVGRAD_FIXTURES_DIR) / "fuzz_regressions";

// What each fuzz target does with its input (tests/fuzz/fuzz_<target>.cpp), minus the
// fuzzer's own invariant checks. Throws convgrad::Error for a bad input.
void feed_csv(const std::string& bytes) { parse_dataset_csv(bytes, "regression.csv"); }
void feed_npy(const std::string& bytes) { parse_npy(bytes, "regression.npy"); }
void feed_safetensors(const std::string& bytes) {
  const TensorMap tensors = parse_safetensors(bytes, "regression.safetensors");
  Generator gen(0);
  Linear model(4, 3, /*bias=*/true, DType::Float32, gen);
  load_state_dict(model, tensors, /*strict=*/false, "regression.safetensors");
}
// case.json in a case folder beside a link "g" to the golden fixtures, as the fuzzer has it.
void feed_golden_case(const std::string& bytes) {
  ScratchDir scratch("golden_regression");
  fs::create_directory_symlink(fs::path(CONVGRAD_FIXTURES_DIR) / "golden", scratch.path() / "g");
  scratch.write("case/case.json", bytes);
  const GoldenResult result = run_golden_case(scratch / "case");  // never throws
  if (result.status == GoldenResult::Status::Unreadable) throw Error(result.message);
}

const std::map<std::string, std::function<void(const std::string&)>>& readers() {
  static const std::map<std::string, std::function<void(const std::string&)>> table = {
      {"csv", feed_csv}, {"npy", feed_npy}, {"safetensors", feed_safetensors}, {"golden_case", feed_golden_case}};
  return table;
}

// Feeds `bytes`; a convgrad::Error must be one line.
void check_clean(const std::string& target, const std::string& bytes) {
  try {
    readers().at(target)(bytes);
  } catch (const Error& e) {
    const std::string message = e.what();
    CAPTURE(message);
    CHECK(message.find('\n') == std::string::npos);
    CHECK(!message.empty());
  }
}

}  // namespace

TEST_CASE("saved fuzz inputs give a value or a clean one-line error", "[robustness][fuzz]") {
  int files = 0;
  for (const auto& [target, reader] : readers()) {
    const fs::path folder = kRegressions / target;
    if (!fs::is_directory(folder)) continue;
    for (const auto& entry : fs::directory_iterator(folder)) {
      DYNAMIC_SECTION(target << "/" << entry.path().filename().string()) {
        check_clean(target, read_bytes(entry.path().string()));
      }
      ++files;
    }
  }
  CHECK(files >= 1);
}

TEST_CASE("JSON nested 100,000 levels deep is a clean error, not a stack overflow", "[robustness][fuzz]") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  SECTION("safetensors header") {
    const std::string header = "{\"w\": {\"dtype\": \"F32\", \"shape\": " + deep + ", \"data_offsets\": [0, 0]}}";
    std::string bytes(8, '\0');
    const uint64_t length = header.size();
    std::memcpy(&bytes[0], &length, 8);
    REQUIRE_THROWS_WITH(feed_safetensors(bytes + header), Catch::Contains("nested at most 16 levels deep"));
  }
  SECTION("golden case.json") {
    REQUIRE_THROWS_WITH(feed_golden_case("{\"op\": \"relu\", \"inputs\": {\"input\": " + deep + "}}"),
                        Catch::Contains("nested at most 32 levels deep"));
  }
}
