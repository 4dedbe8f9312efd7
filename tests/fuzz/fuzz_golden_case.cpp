// libFuzzer target: a golden case's case.json (tasks/golden.h, run_golden_case).
// The input is written as case.json in a scratch case folder; its .npy names may point at
// the repository's golden fixtures through the link "../g" (tests/fixtures/golden), as the
// seed corpus does. run_golden_case promises never to throw: every bad case comes back as
// Unreadable with a message; a crash or sanitizer report is a bug. tests/fuzz/run.sh.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tasks/golden.h"

namespace fs = std::filesystem;

namespace {

fs::path scratch_root() { return fs::temp_directory_path() / ("convgrad_fuzz_golden_" + std::to_string(::getpid())); }

// <tmp>/convgrad_fuzz_golden_<pid>/{g -> fixtures/golden, case/}, made once per process and
// removed when it exits.
fs::path case_dir() {
  static const fs::path dir = [] {
    const fs::path root = scratch_root();
    fs::create_directories(root / "case");
    std::atexit([] {
      std::error_code ignored;
      fs::remove_all(scratch_root(), ignored);
    });
    std::error_code ignored;
    fs::create_directory_symlink(CONVGRAD_FIXTURES_DIR "/golden", root / "g", ignored);
    return root / "case";
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const fs::path dir = case_dir();
  {
    std::ofstream file(dir / "case.json", std::ios::binary | std::ios::trunc);
    file.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const convgrad::GoldenResult result = convgrad::run_golden_case(dir.string());
  if (result.status == convgrad::GoldenResult::Status::Unreadable && result.message.empty()) __builtin_trap();
  return 0;
}
