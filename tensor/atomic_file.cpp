#include "tensor/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tensor/error.h"

namespace convgrad {

namespace {
// A temporary name beside the target, unique to this process and call.
std::string temporary_name_for(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}
}  // namespace

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
