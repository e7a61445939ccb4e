// onshi-terminal-sim: the 資格確認端末 simulator as its own process (docs/simulator.md).
//
//   onshi-terminal-sim --root DIR --dataset FILE --institution 1310000016
//       [--encoding utf8|sjis] [--latency-ms N] [--fault none|silent|error|malformed-answer|
//       slow-write|duplicate] [--rescan-ms N] [--no-notify]
//
// Prints "ready" on stdout once it watches req/; stops cleanly on SIGTERM or SIGINT.
// Exit codes: 0 after a clean stop, 1 when it cannot start, 2 for bad usage.

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "adapters/terminal_sim/dataset.h"
#include "adapters/terminal_sim/simulator.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"

namespace {

constexpr char kUsage[] =
    "usage: onshi-terminal-sim --root DIR --dataset FILE --institution CODE10\n"
    "         [--encoding utf8|sjis] [--latency-ms N] [--rescan-ms N] [--no-notify]\n"
    "         [--fault none|silent|error|malformed-answer|slow-write|duplicate]\n";

int Usage(absl::string_view problem) {
  std::fprintf(stderr, "onshi-terminal-sim: %.*s\n%s", static_cast<int>(problem.size()),
               problem.data(), kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  onshi::sim::SimulatorOptions options;
  std::string dataset_path;
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    }
    if (arg == "--no-notify") {
      options.notifications = false;
      continue;
    }
    absl::string_view name = arg;
    std::string value;
    const size_t eq = arg.find('=');
    if (eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return Usage(absl::StrCat(arg, " needs a value"));
    }
    int64_t number = 0;
    if (name == "--root") {
      options.root = value;
    } else if (name == "--dataset") {
      dataset_path = value;
    } else if (name == "--institution") {
      options.institution_code = value;
    } else if (name == "--encoding") {
      if (value == "utf8") {
        options.encoding = onshi::oqs::Encoding::kUtf8;
      } else if (value == "sjis") {
        options.encoding = onshi::oqs::Encoding::kShiftJis;
      } else {
        return Usage("--encoding must be utf8 or sjis");
      }
    } else if (name == "--latency-ms") {
      if (!absl::SimpleAtoi(value, &number) || number < 0) {
        return Usage("--latency-ms must be a non-negative integer");
      }
      options.latency = absl::Milliseconds(number);
    } else if (name == "--rescan-ms") {
      if (!absl::SimpleAtoi(value, &number) || number <= 0) {
        return Usage("--rescan-ms must be a positive integer");
      }
      options.rescan_interval = absl::Milliseconds(number);
    } else if (name == "--fault") {
      if (!onshi::sim::ParseFault(value, &options.fault)) return Usage("unknown --fault");
    } else {
      return Usage(absl::StrCat("unknown option ", name));
    }
  }
  if (options.root.empty() || dataset_path.empty() || options.institution_code.empty()) {
    return Usage("--root, --dataset and --institution are required");
  }

  // Signals are taken by sigwait below; every thread started from here on inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  absl::StatusOr<onshi::sim::v1::Dataset> dataset = onshi::sim::LoadDataset(dataset_path);
  if (!dataset.ok()) {
    onshi::Log(onshi::LogLevel::kError, "terminal_sim", dataset.status().message());
    return 1;
  }
  options.dataset = *std::move(dataset);
  absl::StatusOr<std::unique_ptr<onshi::sim::Simulator>> simulator =
      onshi::sim::Simulator::Start(std::move(options));
  if (!simulator.ok()) {
    onshi::Log(onshi::LogLevel::kError, "terminal_sim", simulator.status().message());
    return 1;
  }
  std::fputs("ready\n", stdout);
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  onshi::Log(onshi::LogLevel::kInfo, "terminal_sim", "stopping on signal ", signal_number);
  (*simulator)->Stop();
  const onshi::sim::SimulatorStats stats = (*simulator)->stats();
  onshi::Log(onshi::LogLevel::kInfo, "terminal_sim", "stopped: ", stats.requests_taken,
             " requests taken, ", stats.answers_written, " answers written, ",
             stats.requests_rejected, " refused, ", stats.requests_silenced, " silenced");
  return 0;
}
