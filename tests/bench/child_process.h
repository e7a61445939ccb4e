// The benchmark's helper processes (echo server, stand-in sidecar, onshid, the simulator):
// started with posix_spawn before the benchmark initialises gRPC in its own process (gRPC is not
// fork-safe once initialised, ../shared/reference/toolchain.md pitfall 10), stopped with SIGTERM.
// A child can also be frozen (SIGSTOP) and thawed (SIGCONT), for the hung-sidecar benchmark.
//
// Each child prints "ready" on stdout once it serves; its stderr goes to a log file so that a
// failure can be reported with the child's own words.

#ifndef ONSHI_TESTS_BENCH_CHILD_PROCESS_H_
#define ONSHI_TESTS_BENCH_CHILD_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace onshi::bench {

// Not thread-safe; one owner. Destruction stops the child (Stop()).
class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Spawns argv[0] (a path) with `argv`, stdout to a pipe read by WaitReady, stderr appended to
  // `stderr_path`. False (with *error set) when the spawn fails.
  bool Start(const std::vector<std::string>& argv, const std::string& stderr_path,
             std::string* error);

  // Waits until the child printed a line "ready", at most `timeout_ms`. False (with *error
  // set) when it exited, closed stdout or took too long; the child is then stopped.
  bool WaitReady(int timeout_ms, std::string* error);

  // SIGCONT (a stopped child, paused here or by anyone, would not act on SIGTERM; a running
  // one ignores it), SIGTERM, then waits up to 10 s for it to exit, then SIGKILL. Returns the
  // exit status as waitpid gives it, or -1 when no child ran. Idempotent.
  int Stop();

  // Sends SIGSTOP and waits (waitpid WUNTRACED) until the kernel reports the child stopped:
  // kill() returns before every thread of the child has stopped. False (with *error set) when
  // no child runs, it is already paused, or it exited instead of stopping.
  bool Pause(std::string* error);

  // Sends SIGCONT to a paused child and waits (waitpid WCONTINUED) until it runs again. False
  // (with *error set) when no child runs or it is not paused.
  bool Resume(std::string* error);

  bool paused() const { return paused_; }

  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }
  const std::string& stderr_path() const { return stderr_path_; }

 private:
  pid_t pid_ = -1;
  bool paused_ = false;
  int stdout_fd_ = -1;
  std::string name_;
  std::string stderr_path_;
};

// Installs handlers for SIGINT, SIGTERM, SIGHUP and the crash signals (SIGSEGV, SIGBUS,
// SIGFPE, SIGILL, SIGABRT) that send SIGTERM and SIGCONT (a paused child acts on SIGTERM only
// once continued) to every child still running, then let the signal take its default course: a
// benchmark interrupted or crashing never leaves onshid or the simulator behind. Call once, from
// main, before starting children.
void StopChildrenOnFatalSignals();

// The last `max_bytes` of a file, for error reports ("" when unreadable).
std::string FileTail(const std::string& path, size_t max_bytes);

}  // namespace onshi::bench

#endif  // ONSHI_TESTS_BENCH_CHILD_PROCESS_H_
