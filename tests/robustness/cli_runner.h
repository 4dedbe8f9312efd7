// Running the built `convgrad` binary from a test, as a user would from a shell, and a
// scratch folder for the files a test feeds it.
//
//   CliRun run = run_convgrad({"task1", "--variant", "bsc", "--data", csv, "--out", out});
//   CHECK(run.exit_code == 1);  CHECK(run.err == "convgrad: error: ...\n");
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace convgrad::testing {

struct CliRun {
  int exit_code = -1;  // the process's exit status; 128 + N when killed by signal N
  std::string out;     // everything written to stdout
  std::string err;     // everything written to stderr
};

// The binary the tests run: CONVGRAD_BINARY_DIR "/convgrad".
std::string convgrad_binary();

// Runs convgrad with `args` (no shell: each argument is passed as is) and waits for it.
CliRun run_convgrad(const std::vector<std::string>& args);
// Runs argv[0] (a path) with the rest as its arguments, the same way.
CliRun run_program(const std::vector<std::string>& argv);

// The lines of `text` (without their '\n'); a last line without '\n' counts too.
std::vector<std::string> lines_of(const std::string& text);

// Every regular file under `dir` (recursively), as paths relative to it; empty when `dir`
// does not exist.
std::vector<std::string> files_under(const std::filesystem::path& dir);

// A fresh folder under the system temp folder, removed with everything in it at the end.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& label);
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  // Writes `bytes` to path()/name (creating folders) and returns the full path.
  std::string write(const std::string& name, const std::string& bytes) const;

 private:
  std::filesystem::path path_;
};

// The whole content of a file (for fixtures the tests start from).
std::string read_bytes(const std::string& path);

}  // namespace convgrad::testing
