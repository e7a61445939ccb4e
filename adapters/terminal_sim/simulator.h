// The 資格確認端末 simulator: serves a folder root the way the terminal's 連携アプリケーション
// does, for every document kind. Request files (req/<prefix>req_<id>.xml) are taken out of req/
// as they appear, and the answer (res/<prefix>res_<id>.xml, or .pdf) appears after the
// configured latency, written under a temp name and renamed into place. A request it cannot
// process is moved into res/ with res/<prefix>req_<id>.err beside it. Card-reader check-ins are
// commanded through the control folder <root>/.sim/control/ (control.h) or CheckIn, and appear
// in face/. What it answers comes from the dataset (dataset.h); the rules are in responder.h
// and docs/simulator.md. What it remembers (照会番号, consents) is kept in
// <root>/.sim/state.textproto.
//
// onshi talks to the simulator only through the folders; the program onshi-terminal-sim runs it
// as its own process, and unit tests run it in-process.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_SIMULATOR_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_SIMULATOR_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/terminal_sim/control.h"
#include "adapters/terminal_sim/faults.h"
#include "adapters/terminal_sim/responder.h"
#include "onshi/sim/v1/dataset.pb.h"
#include "plugin/core/ports.h"

namespace onshi::sim {

struct SimulatorOptions {
  // The shared folder; it and req/, res/, face/ below it are created when missing.
  std::string root;
  // Must pass ValidateDataset (LoadDataset does that).
  v1::Dataset dataset;
  // 10-digit 医療機関コード this terminal serves.
  std::string institution_code;
  // Default answer encoding (a patient may override it).
  oqs::Encoding encoding = oqs::Encoding::kUtf8;
  // Default latency between taking a request and the answer appearing (a patient may override
  // it for 個別照会).
  absl::Duration latency = absl::ZeroDuration();
  // Faults per family (a single Fault converts to "every family").
  FaultSet fault;
  // 一括照会 / 照会番号一括: result downloads say 処理中 until this long after the upload.
  absl::Duration batch_processing_time = absl::Seconds(2);
  // --fault=late: the delay of the faulted families' answers.
  absl::Duration late_delay = absl::Seconds(3);
  // Keep what the terminal remembers (照会番号 registrations, check-in consents, the
  // ReceptionNumber sequence) in <root>/.sim/state.textproto, so a restarted simulator knows
  // it; false: in memory only.
  bool durable_state = true;
  // req/ is listed completely this often, whatever notifications say. Must be positive.
  absl::Duration rescan_interval = absl::Seconds(1);
  // Also react to inotify events on req/ (answers sooner than the rescan).
  bool notifications = true;
  // ProcessExecutionTime and 限度額 consent times come from this clock (nullptr = the system
  // clock). Latencies are measured on the monotonic clock regardless. Must outlive the
  // Simulator.
  const Clock* clock = nullptr;
  // A request file that does not decode is refused only once it has stayed unchanged for this
  // long since the simulator first saw it (it may still be being written by a writer that does
  // not rename into place).
  absl::Duration settle_time = absl::Milliseconds(500);
  // How often the check-in control folder is listed (besides its notifications, and also with
  // `notifications` off: it is the simulator's own local folder). Must be positive.
  absl::Duration control_rescan_interval = absl::Milliseconds(200);
  // --fault=slow-write: bytes per write and the pause between writes.
  size_t slow_write_chunk_bytes = 256;
  absl::Duration slow_write_pause = absl::Milliseconds(100);
  // --fault=duplicate: how long to wait for the first copy to be taken out of res/ before
  // giving up on the second; how often to look.
  absl::Duration duplicate_wait = absl::Seconds(60);
  absl::Duration duplicate_poll = absl::Milliseconds(50);
};

// Counters for tests and the log; a consistent snapshot.
struct SimulatorStats {
  // Request files taken out of req/ (answered, silenced or refused).
  int64_t requests_taken = 0;
  int64_t answers_written = 0;  // complete answer files in place (duplicates count twice)
  int64_t requests_rejected = 0;
  int64_t requests_silenced = 0;
  // Times an undecodable request file was left for later because it had not settled yet.
  int64_t requests_deferred = 0;
  // Answers (or remaining slow-write chunks, duplicate copies) still scheduled.
  int64_t pending_jobs = 0;
  // Errors writing into res/ or face/ (the answer is lost, as on a terminal whose disk fails).
  int64_t write_errors = 0;
  // Card-reader check-ins carried out (face files scheduled or, under --fault=face:silent,
  // recorded only), and control commands refused.
  int64_t checkins = 0;
  int64_t control_errors = 0;
  // Extra files written by faults: orphan answers, renamed duplicates (not in answers_written).
  int64_t extra_files_written = 0;
};

class Simulator {
 public:
  // Validates the options, creates the folders (req/, res/, face/, and the private .sim/ and
  // .sim/control/, 0700), takes the root's lock (one simulator per root), loads the state,
  // builds the responder, starts watching req/ and the control folder, and the answer worker.
  // When it returns OK the simulator is watching: a request placed in req/ from then on is seen.
  // Errors: ONSHI_CONFIG_INVALID naming the option (empty root, an institution code that is not
  // 10 digits, a non-positive interval, a dataset that fails validation, a state file that does
  // not parse); ONSHI_TERMINAL_UNAVAILABLE when the folders cannot be created or watched, .sim/
  // is not private to this user, or another simulator holds the root (the detail gives the step
  // and errno name).
  static absl::StatusOr<std::unique_ptr<Simulator>> Start(SimulatorOptions options);

  // Calls Stop().
  ~Simulator();

  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Stops watching and drops answers not yet written (a half-written slow-write file stays as
  // it is). Once it returns, no file is touched any more. Idempotent; thread-safe; must not be
  // called concurrently with the destructor.
  void Stop();

  SimulatorStats stats() const;

  // A card-reader check-in (what a control command does): records the consents (durably) and
  // schedules the face file, which appears in face/ shortly after (written like answers, with
  // the face family's faults). Errors: the Responder's CheckIn errors (an unknown scenario, a bad
  // time: ONSHI_INVALID_ARGUMENT; the state file: ONSHI_TERMINAL_UNAVAILABLE);
  // ONSHI_TERMINAL_UNAVAILABLE once stopped. Thread-safe.
  absl::StatusOr<CheckinResult> CheckIn(const v1::CheckinCommand& command);

  // What the terminal remembers (tests).
  v1::State StateSnapshot() const;

  class Impl;

 private:
  explicit Simulator(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_SIMULATOR_H_
