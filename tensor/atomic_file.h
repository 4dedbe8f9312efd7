// Writing files so that a reader never sees half of one: the bytes go to a temporary
// file in the same directory, which is flushed to disk and then renamed over the target
// (rename is atomic on POSIX file systems). If anything fails, the target is untouched.
#pragma once

#include <string>

namespace convgrad {

// Throws convgrad::Error naming the path and the system's reason on failure.
void write_file_atomically(const std::string& path, const std::string& bytes);

// Removes from `dir` (not below it) the temporaries of writers that no longer run — what a
// killed process leaves behind: hidden files ".NAME.tmp.PID[.N]" whose PID does not exist.
// Never throws; a file it cannot remove stays.
void remove_stale_temporaries(const std::string& dir);

// Reads a whole file; throws "<path>: cannot open file: <reason>".
std::string read_file(const std::string& path);

}  // namespace convgrad
