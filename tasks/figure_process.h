// Running an outside program (gnuplot) with a time limit, and finding it on PATH.
//
// The figures are drawn by gnuplot in a child process: its stdout and stderr are captured
// together, it runs in the figure folder, and it is killed (with its process group, so a
// wrapper script's children go too) when it runs past the limit.
#pragma once

#include <string>
#include <vector>

namespace convgrad {

struct ProcessResult {
  int exit_status = -1;  // the exit code when the program exited normally, else -1
  int signal = 0;        // the signal that ended it, 0 if none
  bool timed_out = false;
  std::string output;    // stdout and stderr, interleaved
};

// The path of `command`: itself when it contains a '/', else the first executable file of
// that name in $PATH. Empty when there is none.
std::string find_executable(const std::string& command);

// Runs argv[0] (a path, see find_executable) with the arguments argv[1..] in `cwd`, stdin
// from /dev/null. Throws convgrad::Error when the process cannot be started.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd, double timeout_s);

}  // namespace convgrad
