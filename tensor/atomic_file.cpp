#include "tensor/atomic_file.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/error.h"

namespace convgrad {

namespace {
// A hidden temporary name beside the target, unique to this process and call:
// DIR/.NAME.tmp.PID.N (remove_stale_temporaries knows the pattern).
std::string temporary_name_for(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  const std::filesystem::path target(path);
  const std::string name = "." + target.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                           std::to_string(counter++);
  return (target.parent_path() / name).string();
}

// The process id in a temporary's name ".NAME.tmp.PID" or ".NAME.tmp.PID.N", or -1.
long temporary_owner(const std::string& name) {
  const size_t at = name.rfind(".tmp.");
  if (name.empty() || name[0] != '.' || at == std::string::npos) return -1;
  long pid = 0;
  size_t i = at + 5;
  if (i >= name.size() || !std::isdigit(static_cast<unsigned char>(name[i]))) return -1;
  for (; i < name.size() && std::isdigit(static_cast<unsigned char>(name[i])); ++i) pid = pid * 10 + (name[i] - '0');
  if (i < name.size() && name[i] != '.') return -1;
  for (size_t j = i + (i < name.size() ? 1 : 0); j < name.size(); ++j)
    if (!std::isdigit(static_cast<unsigned char>(name[j]))) return -1;
  return pid;
}
}  // namespace

void remove_stale_temporaries(const std::string& dir) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    const long pid = temporary_owner(entry.path().filename().string());
    // kill(pid, 0) fails with ESRCH only when no such process exists: its writer was killed.
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH && entry.is_regular_file(error))
      std::filesystem::remove(entry.path(), error);
  }
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  const std::string tmp = temporary_name_for(path);
  // O_EXCL: never write through an existing file or link; mode 0666 is reduced by the umask.
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  CONVGRAD_CHECK(fd >= 0, path, ": cannot write file: ", std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string reason = std::strerror(errno);
      ::close(fd);
      std::remove(tmp.c_str());
      throw Error(path + ": cannot write file: " + reason);
    }
    written += static_cast<size_t>(n);
  }
  const bool synced = ::fsync(fd) == 0;
  const bool closed = ::close(fd) == 0;
  if (!synced || !closed || std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::remove(tmp.c_str());
    throw Error(path + ": cannot write file: " + reason);
  }
}

std::string read_file(const std::string& path) {
  // NOTE: a folder opens without error on Linux and then reads as empty; say what it is.
  std::error_code error;
  CONVGRAD_CHECK(!std::filesystem::is_directory(path, error), path, ": expected a file, but got a folder");
  std::ifstream in(path, std::ios::binary);
  CONVGRAD_CHECK(in.good(), path, ": cannot open file: ", std::strerror(errno));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  CONVGRAD_CHECK(!in.bad(), path, ": cannot read file: ", std::strerror(errno));
  return buffer.str();
}

}  // namespace convgrad
