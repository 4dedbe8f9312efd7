#include "tasks/figure_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "tensor/error.h"

namespace convgrad {

namespace {

bool is_executable_file(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// The child's side of run_process; only async-signal-safe calls between fork and exec.
[[noreturn]] void exec_child(char* const* argv, const char* cwd, int output_fd, pid_t parent) {
  ::setpgid(0, 0);
#ifdef __linux__
  // If convgrad is killed, so is the child (else gnuplot would run on until its own end).
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl
#else
  (void)parent;
#endif
  const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
  ::dup2(output_fd, STDOUT_FILENO);
  ::dup2(output_fd, STDERR_FILENO);
  if (::chdir(cwd) != 0) {
    const char message[] = "cannot enter the working folder\n";
    (void)!::write(STDERR_FILENO, message, sizeof(message) - 1);
    ::_exit(127);
  }
  ::execv(argv[0], argv);
  const char message[] = "cannot execute the program\n";
  (void)!::write(STDERR_FILENO, message, sizeof(message) - 1);
  ::_exit(127);
}

}  // namespace

std::string find_executable(const std::string& command) {
  if (command.empty()) return "";
  if (command.find('/') != std::string::npos) return is_executable_file(command) ? command : "";
  const char* path = std::getenv("PATH");
  const std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = end > start ? dirs.substr(start, end - start) : ".";
    const std::string candidate = dir + "/" + command;
    if (is_executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& cwd, double timeout_s) {
  CONVGRAD_CHECK(!argv.empty(), "run_process: expected a program to run, but got an empty command");
  std::vector<std::string> args = argv;  // execv wants mutable char*
  std::vector<char*> c_argv;
  for (std::string& arg : args) c_argv.push_back(arg.data());
  c_argv.push_back(nullptr);

  int fds[2];
  // Close-on-exec: a gnuplot started meanwhile from another thread must not hold this pipe open.
  CONVGRAD_CHECK(::pipe2(fds, O_CLOEXEC) == 0, argv[0], ": cannot create a pipe: ", std::strerror(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const std::string reason = std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    throw Error(argv[0] + ": cannot start: " + reason);
  }
  if (pid == 0) {
    ::close(fds[0]);
    exec_child(c_argv.data(), cwd.c_str(), fds[1], parent);
  }
  ::close(fds[1]);
  ::setpgid(pid, pid);  // also done by the child: whichever runs first

  ProcessResult result;
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeout_s));
  char buffer[4096];
  bool open = true;
  while (open) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd poll_fd{fds[0], POLLIN, 0};
    const int ready = ::poll(&poll_fd, 1, static_cast<int>(left < 1000 ? left : 1000));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    const ssize_t n = ::read(fds[0], buffer, sizeof(buffer));
    if (n > 0) {
      result.output.append(buffer, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      open = false;
    }
  }
  ::close(fds[0]);

  int status = 0;
  if (result.timed_out) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  } else {
    // The output is closed; the program may still be finishing. Give it the time left.
    while (::waitpid(pid, &status, WNOHANG) == 0) {
      if (Clock::now() >= deadline) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
        break;
      }
      ::usleep(2000);
    }
    if (!result.timed_out) {
      if (WIFEXITED(status)) result.exit_status = WEXITSTATUS(status);
      if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
      return result;
    }
  }
  ::waitpid(pid, &status, 0);
  return result;
}

}  // namespace convgrad
