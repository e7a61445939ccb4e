// onshi-terminal-sim: the 資格確認端末 simulator as its own process (docs/simulator.md).
//
//   onshi-terminal-sim [serve] --root DIR --dataset FILE --institution 1310000016
//       [--encoding utf8|sjis] [--latency-ms N] [--batch-processing-ms N] [--late-ms N]
//       [--fault [SCOPE:]MODE]... [--rescan-ms N] [--no-notify] [--memory-state]
//       [--slow-write-chunk-bytes N] [--slow-write-pause-ms N]
//     Serves the folders. Prints "ready" on stdout once it watches req/; stops cleanly on
//     SIGTERM or SIGINT. Exit codes: 0 after a clean stop, 1 when it cannot start, 2 for bad
//     usage.
//
//   onshi-terminal-sim checkin --root DIR (--scenario ID | --unknown-person)
//       [--consent all|none|limit,diseases,checkups,pharmacists,diagnosis,operation]
//       [--at YYYYMMDDhhmmss] [--malformed] [--timeout-ms N]
//     Asks the simulator running on DIR for a card-reader check-in (through DIR/.sim/control/)
//     and prints the face file's name (in DIR/face/) once it is there; prints nothing when the
//     simulator's face fault is "silent". Exit codes: 0 done, 1 refused or no simulator
//     answered, 2 for bad usage.

#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "adapters/terminal_sim/control.h"
#include "adapters/terminal_sim/dataset.h"
#include "adapters/terminal_sim/simulator.h"
#include "plugin/common/log.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"

namespace {

constexpr char kUsage[] =
    "usage: onshi-terminal-sim [serve] --root DIR --dataset FILE --institution CODE10\n"
    "         [--encoding utf8|sjis] [--latency-ms N] [--batch-processing-ms N] [--late-ms N]\n"
    "         [--fault [SCOPE:]MODE]... [--rescan-ms N] [--no-notify] [--memory-state]\n"
    "         [--slow-write-chunk-bytes N] [--slow-write-pause-ms N]\n"
    "       onshi-terminal-sim checkin --root DIR (--scenario ID | --unknown-person)\n"
    "         [--consent all|none|limit,diseases,checkups,pharmacists,diagnosis,operation]\n"
    "         [--at YYYYMMDDhhmmss] [--malformed] [--timeout-ms N]\n"
    "  SCOPE: qualification face batch reference bulk-reference medication checkup\n"
    "  MODE:  none silent error malformed-answer slow-write duplicate duplicate-renamed late\n"
    "         orphan other-institution reject receipt-error processing-forever\n";

int Usage(absl::string_view problem) {
  std::fprintf(stderr, "onshi-terminal-sim: %.*s\n%s", static_cast<int>(problem.size()),
               problem.data(), kUsage);
  return 2;
}

// Walks "--name value" and "--name=value" arguments; flags without a value are listed.
class Args {
 public:
  Args(int argc, char** argv, int first) : argc_(argc), argv_(argv), i_(first) {}

  // False at the end. `*name` is the option; `*value` its value when it takes one.
  bool Next(const std::vector<absl::string_view>& flags, absl::string_view* name,
            std::string* value, std::string* problem) {
    if (i_ >= argc_) return false;
    absl::string_view arg = argv_[i_++];
    value->clear();
    for (absl::string_view flag : flags) {
      if (arg == flag) {
        *name = arg;
        return true;
      }
    }
    const size_t eq = arg.find('=');
    if (eq != absl::string_view::npos) {
      *name = arg.substr(0, eq);
      *value = std::string(arg.substr(eq + 1));
    } else if (i_ < argc_) {
      *name = arg;
      *value = argv_[i_++];
    } else {
      *name = arg;
      *problem = absl::StrCat(arg, " needs a value");
    }
    return true;
  }

 private:
  int argc_;
  char** argv_;
  int i_;
};

bool Milliseconds(const std::string& value, bool positive, absl::Duration* out) {
  int64_t number = 0;
  if (!absl::SimpleAtoi(value, &number) || number < 0 || (positive && number == 0)) return false;
  *out = absl::Milliseconds(number);
  return true;
}

int Checkin(int argc, char** argv) {
  std::string root;
  onshi::sim::v1::CheckinCommand command;
  bool consents_given = false;
  absl::Duration timeout = absl::Seconds(10);
  Args args(argc, argv, 2);
  absl::string_view name;
  std::string value;
  std::string problem;
  while (args.Next({"--unknown-person", "--malformed", "--help", "-h"}, &name, &value, &problem)) {
    if (!problem.empty()) return Usage(problem);
    if (name == "--help" || name == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (name == "--unknown-person") {
      command.set_unknown_person(true);
    } else if (name == "--malformed") {
      command.set_malformed(true);
    } else if (name == "--root") {
      root = value;
    } else if (name == "--scenario") {
      command.set_scenario(value);
    } else if (name == "--consent") {
      std::vector<onshi::sim::v1::ConsentCategory> consents;
      if (!onshi::sim::ParseConsentList(value, &consents, &problem)) return Usage(problem);
      command.clear_consents();
      for (auto c : consents) command.add_consents(c);
      consents_given = true;
    } else if (name == "--at") {
      if (!onshi::IsValidTimestamp(value)) return Usage("--at must be YYYYMMDDhhmmss");
      command.set_at(value);
    } else if (name == "--timeout-ms") {
      if (!Milliseconds(value, true, &timeout)) {
        return Usage("--timeout-ms must be a positive integer");
      }
    } else {
      return Usage(absl::StrCat("unknown option ", name));
    }
  }
  if (root.empty()) return Usage("checkin needs --root");
  if (command.scenario().empty() == !command.unknown_person()) {
    return Usage("checkin needs exactly one of --scenario and --unknown-person");
  }
  // By default the patient agrees to everything on the reader.
  if (!consents_given) {
    for (auto c : onshi::sim::AllConsentCategories()) command.add_consents(c);
  }
  absl::StatusOr<onshi::sim::CheckinResult> result =
      onshi::sim::RequestCheckin(root, command, timeout);
  if (!result.ok()) {
    std::fprintf(stderr, "onshi-terminal-sim checkin: %s: %s\n",
                 std::string(onshi::ReasonOf(result.status())).c_str(),
                 std::string(result.status().message()).c_str());
    return 1;
  }
  if (result->written) std::printf("%s\n", result->face_file.c_str());
  return 0;
}

int Serve(int argc, char** argv, int first) {
  onshi::sim::SimulatorOptions options;
  std::string dataset_path;
  Args args(argc, argv, first);
  absl::string_view name;
  std::string value;
  std::string problem;
  while (args.Next({"--no-notify", "--memory-state", "--help", "-h"}, &name, &value, &problem)) {
    if (!problem.empty()) return Usage(problem);
    int64_t number = 0;
    if (name == "--help" || name == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (name == "--no-notify") {
      options.notifications = false;
    } else if (name == "--memory-state") {
      options.durable_state = false;
    } else if (name == "--root") {
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
      if (!Milliseconds(value, false, &options.latency)) {
        return Usage("--latency-ms must be a non-negative integer");
      }
    } else if (name == "--batch-processing-ms") {
      if (!Milliseconds(value, false, &options.batch_processing_time)) {
        return Usage("--batch-processing-ms must be a non-negative integer");
      }
    } else if (name == "--late-ms") {
      if (!Milliseconds(value, false, &options.late_delay)) {
        return Usage("--late-ms must be a non-negative integer");
      }
    } else if (name == "--rescan-ms") {
      if (!Milliseconds(value, true, &options.rescan_interval)) {
        return Usage("--rescan-ms must be a positive integer");
      }
    } else if (name == "--slow-write-chunk-bytes") {
      if (!absl::SimpleAtoi(value, &number) || number <= 0) {
        return Usage("--slow-write-chunk-bytes must be a positive integer");
      }
      options.slow_write_chunk_bytes = static_cast<size_t>(number);
    } else if (name == "--slow-write-pause-ms") {
      if (!Milliseconds(value, false, &options.slow_write_pause)) {
        return Usage("--slow-write-pause-ms must be a non-negative integer");
      }
    } else if (name == "--fault") {
      if (!onshi::sim::ParseFaultSpec(value, &options.fault, &problem)) return Usage(problem);
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
             stats.requests_rejected, " refused, ", stats.requests_silenced, " silenced, ",
             stats.checkins, " check-ins");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && absl::string_view(argv[1]) == "checkin") return Checkin(argc, argv);
  if (argc >= 2 && absl::string_view(argv[1]) == "serve") return Serve(argc, argv, 2);
  return Serve(argc, argv, 1);
}
