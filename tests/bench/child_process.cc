#include "tests/bench/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

extern char** environ;

namespace onshi::bench {
namespace {

int64_t NowMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

// Children to stop from a signal handler: written by the owning thread, read by the handler
// (pid_t stores are single instructions; the handler only sends signals).
constexpr int kMaxChildren = 16;
volatile sig_atomic_t g_children[kMaxChildren] = {};

void Remember(pid_t pid) {
  for (volatile sig_atomic_t& slot : g_children) {
    if (slot == 0) {
      slot = pid;
      return;
    }
  }
}

void Forget(pid_t pid) {
  for (volatile sig_atomic_t& slot : g_children) {
    if (slot == pid) slot = 0;
  }
}

void OnFatalSignal(int sig) {
  for (volatile sig_atomic_t& slot : g_children) {
    if (slot > 0) {
      ::kill(static_cast<pid_t>(slot), SIGTERM);
      ::kill(static_cast<pid_t>(slot), SIGCONT);
    }
  }
  // SA_RESETHAND restored the default action: deliver the signal again to take it.
  ::raise(sig);
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

ChildProcess::~ChildProcess() { Stop(); }

bool ChildProcess::Start(const std::vector<std::string>& argv, const std::string& stderr_path,
                         std::string* error) {
  name_ = BaseName(argv.at(0));
  stderr_path_ = stderr_path;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    *error = "pipe2: " + std::string(std::strerror(errno));
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int err = posix_spawn(&pid, argv[0].c_str(), &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (err != 0) {
    ::close(pipe_fds[0]);
    *error = "posix_spawn " + name_ + ": " + std::strerror(err);
    return false;
  }
  pid_ = pid;
  Remember(pid);
  stdout_fd_ = pipe_fds[0];
  return true;
}

bool ChildProcess::WaitReady(int timeout_ms, std::string* error) {
  const int64_t give_up = NowMs() + timeout_ms;
  std::string seen;
  while (true) {
    const size_t newline = seen.find('\n');
    if (newline != std::string::npos) {
      if (seen.compare(0, newline, "ready") == 0) return true;
      seen.erase(0, newline + 1);
      continue;
    }
    const int64_t left = give_up - NowMs();
    if (left <= 0) {
      *error = name_ + " did not print \"ready\" within " + std::to_string(timeout_ms) + " ms";
      break;
    }
    pollfd fd = {stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buffer[256];
    const ssize_t n = ::read(stdout_fd_, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      *error = name_ + " exited before it was ready";
      break;
    }
    seen.append(buffer, static_cast<size_t>(n));
  }
  const int status = Stop();
  if (status >= 0 && WIFEXITED(status)) {
    *error += " (exit status " + std::to_string(WEXITSTATUS(status)) + ")";
  }
  *error += "; its stderr ends with:\n" + FileTail(stderr_path_, 2000);
  return false;
}

int ChildProcess::Stop() {
  if (stdout_fd_ >= 0) {
    ::close(stdout_fd_);
    stdout_fd_ = -1;
  }
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGCONT);
  paused_ = false;
  ::kill(pid_, SIGTERM);
  int status = 0;
  const int64_t give_up = NowMs() + 10000;
  while (true) {
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (done < 0 && errno != EINTR) {
      status = -1;
      break;
    }
    if (NowMs() >= give_up) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      break;
    }
    ::usleep(10000);
  }
  Forget(pid_);
  pid_ = -1;
  return status;
}

bool ChildProcess::Pause(std::string* error) {
  if (pid_ <= 0 || paused_) {
    *error = pid_ <= 0 ? "no child to pause" : name_ + " is already paused";
    return false;
  }
  if (::kill(pid_, SIGSTOP) != 0) {
    *error = "kill(SIGSTOP) " + name_ + ": " + std::strerror(errno);
    return false;
  }
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WUNTRACED);
    if (done < 0 && errno == EINTR) continue;
    if (done != pid_) {
      *error = "waitpid " + name_ + ": " + std::strerror(errno);
      return false;
    }
    if (WIFSTOPPED(status)) break;
    // It exited (or was killed) instead of stopping: it is gone.
    Forget(pid_);
    pid_ = -1;
    *error = name_ + " exited instead of stopping";
    return false;
  }
  paused_ = true;
  return true;
}

bool ChildProcess::Resume(std::string* error) {
  if (pid_ <= 0 || !paused_) {
    *error = pid_ <= 0 ? "no child to resume" : name_ + " is not paused";
    return false;
  }
  if (::kill(pid_, SIGCONT) != 0) {
    *error = "kill(SIGCONT) " + name_ + ": " + std::strerror(errno);
    return false;
  }
  paused_ = false;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WCONTINUED);
    if (done < 0 && errno == EINTR) continue;
    if (done != pid_) {
      *error = "waitpid " + name_ + ": " + std::strerror(errno);
      return false;
    }
    if (WIFCONTINUED(status)) return true;
    Forget(pid_);
    pid_ = -1;
    *error = name_ + " exited instead of continuing";
    return false;
  }
}

void StopChildrenOnFatalSignals() {
  struct sigaction action;
  std::memset(&action, 0, sizeof(action));
  action.sa_handler = OnFatalSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESETHAND;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) {
    ::sigaction(sig, &action, nullptr);
  }
}

std::string FileTail(const std::string& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.size() > max_bytes) text.erase(0, text.size() - max_bytes);
  return text;
}

}  // namespace onshi::bench
