// The integration harness: onshi-terminal-sim and onshid as real processes on a temporary folder
// tree, driven from the test through the public C API (libonshi.so) only.
//
// Children are started with posix_spawn (never fork: gRPC may already run in the test process,
// e.g. an embedded client), stdout on a pipe to wait for the "ready" line both programs print,
// stderr appended to a log file kept for the privacy check. When setpriv(1) is available the
// children get PDEATHSIG=KILL, so a crashed test leaves no process behind; for that reason
// children must be started from the test's main thread.
//
// Nothing here is thread-safe unless stated: a Stack belongs to the thread running the test.

#ifndef ONSHI_TESTS_INTEGRATION_HARNESS_H_
#define ONSHI_TESTS_INTEGRATION_HARNESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "adapters/terminal_sim/control.h"  // sim::AllConsentCategories for SimCheckIn
#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "onshi/sim/v1/dataset.pb.h"
#include "onshi/v1/checkin_service.pb.h"
#include "onshi/v1/eligibility_service.pb.h"

namespace onshi::integration {

using Millis = std::chrono::milliseconds;

// The 医療機関コード the simulator serves and onshid asks for.
inline constexpr char kInstitutionCode[] = "1310000016";
// A confirmation date inside every validity window of the dataset (70–74 patients are 70–74 on
// it, every 限度額 and 高齢受給者 certificate covers it). onshi refuses a date more than a day
// ahead of today (JST), so these tests need a clock on or after 2026-11-22.
inline constexpr char kConfirmationDate[] = "20261123";

// How long waits for the children (start, stop, files) may take at most. Generous: the suite
// also runs under ASan+UBSan on a loaded 2-core machine; waits end as soon as their condition
// holds.
inline constexpr Millis kStartTimeout{60000};
inline constexpr Millis kStopTimeout{20000};
inline constexpr Millis kSettleTimeout{20000};

// ---------------------------------------------------------------------------------------------
// RAII for the C API's objects.

struct ClientCloser {
  void operator()(onshi_client* c) const { onshi_client_close(c); }
};
struct RequestFreer {
  void operator()(onshi_check_request* r) const { onshi_check_request_free(r); }
};
struct ResultFreer {
  void operator()(onshi_qualification* q) const { onshi_qualification_free(q); }
};
struct ErrorFreer {
  void operator()(onshi_error* e) const { onshi_error_free(e); }
};
struct StringFreer {
  void operator()(char* s) const { onshi_string_free(s); }
};
using ClientPtr = std::unique_ptr<onshi_client, ClientCloser>;
using RequestPtr = std::unique_ptr<onshi_check_request, RequestFreer>;
using ResultPtr = std::unique_ptr<onshi_qualification, ResultFreer>;
using ErrorPtr = std::unique_ptr<onshi_error, ErrorFreer>;
using StringPtr = std::unique_ptr<char, StringFreer>;

// ---------------------------------------------------------------------------------------------
// Child processes.

struct SpawnOptions {
  std::vector<std::string> argv;
  // Where stdout goes: a file (created or truncated), or, when empty, a pipe read for "ready".
  std::string stdout_path;
  // stderr is appended to this file (so a restarted program keeps one log).
  std::string stderr_path;
  // "NAME=value" entries added to (or replacing those of) the test's environment.
  std::vector<std::string> extra_env;
  // Wait until the child prints a line "ready" on stdout (needs stdout_path empty).
  bool wait_for_ready = true;
};

// A child process. The destructor kills (SIGKILL) and reaps it if it still runs.
class Process {
 public:
  // Starts the program; with wait_for_ready, returns only once it printed "ready". On failure
  // returns nullptr and describes it in `error` (exit status, tail of the stderr log).
  static std::unique_ptr<Process> Spawn(const SpawnOptions& options, std::string* error);

  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool exited() const { return reaped_; }
  const std::string& stderr_path() const { return stderr_path_; }

  // SIGTERM, then waits up to `grace` for the exit; SIGKILL after that. Returns the wait status.
  int Terminate(Millis grace = kStopTimeout);
  // kill -9 and reap. Returns the wait status.
  int Kill();
  // SIGSTOP / SIGCONT.
  void Pause();
  void Resume();
  // Waits up to `timeout` for the child to exit by itself; true (and `*status`) when it did.
  bool WaitForExit(Millis timeout, int* status);

 private:
  Process() = default;
  bool Reap(bool block);

  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string stderr_path_;
};

// "exit 0", "signal 9 (Killed)", … for messages.
std::string DescribeWaitStatus(int status);
// True for a normal exit with status 0.
bool ExitedCleanly(int status);

// ---------------------------------------------------------------------------------------------
// Files and folders.

// A fresh private (0700) directory under the test temp dir whose path leaves room for a Unix
// socket path below it.
std::string MakeTempRoot(const std::string& name);
void RemoveTree(const std::string& path);
bool WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);
// The last `lines` lines of a file (for failure messages).
std::string TailOfFile(const std::string& path, int lines = 40);
// Names in a directory, sorted, without "." and ".."; empty when it cannot be read.
std::vector<std::string> ListDir(const std::string& path);

// Polls `condition` every 20 ms until it holds or `timeout` passes; returns its last value.
bool WaitUntil(const std::function<bool()>& condition, Millis timeout = kSettleTimeout);

// Watches a folder with inotify for anything being created, written or moved in.
class FolderWatch {
 public:
  explicit FolderWatch(const std::string& path);
  ~FolderWatch();
  FolderWatch(const FolderWatch&) = delete;
  FolderWatch& operator=(const FolderWatch&) = delete;

  bool ok() const { return fd_ >= 0; }
  // Names of entries created, written or moved in since the watch started or the last call.
  std::vector<std::string> TakeEvents();

 private:
  int fd_ = -1;
};

// ---------------------------------------------------------------------------------------------
// The dataset.

// The simulator's dataset (tests/data/sim/dataset.textproto), loaded once with LoadDataset.
// Fails the calling test (and returns an empty dataset) when it does not load.
const sim::v1::Dataset& Dataset();
// The dataset patient with this scenario id; fails the test when there is none.
const sim::v1::Patient& PatientByScenario(const std::string& scenario);
// gtest-safe name of a scenario id ("valid-kyokai-honnin" → "valid_kyokai_honnin").
std::string TestNameOf(const std::string& scenario);

// Values of the dataset that are patient data (names, kana, birth dates, addresses, insurer
// numbers, 記号, 番号 of cards and records) with at least 4 characters, for the privacy check.
struct Canary {
  std::string value;
  std::string where;  // "scenario/field", never the value
};
std::vector<Canary> PhiCanaries();
// Where any canary occurs in `text`: "where (line N)" for each hit. Short ASCII values
// (< 8 characters) count only as whole tokens, so that random ids (file ids, UUIDs) that happen
// to contain the digits are not taken for a leak.
std::vector<std::string> FindCanaries(const std::string& text, const std::vector<Canary>& canaries);

// ---------------------------------------------------------------------------------------------
// The C API, with less ceremony.

// A request for a dataset patient's card as printed (what staff type).
struct RequestSpec {
  bool limit_consent = false;
  std::string patient_id;
  std::string confirmation_date = kConfirmationDate;
  std::string request_id;  // empty: the generated one
  int64_t timeout_ms = 0;  // 0: the client's default
};
RequestPtr NewRequestFor(const sim::v1::Patient& patient, const RequestSpec& spec = {});
RequestPtr NewRequestForCard(const v1::InsuranceIdentifiers& card, const std::string& birth_date,
                             const RequestSpec& spec = {});

// The outcome of one onshi_check_qualification call.
struct CheckOutcome {
  onshi_status status = ONSHI_UNKNOWN;
  ResultPtr result;
  ErrorPtr error;
  Millis elapsed{0};

  // "OK" or "UNAVAILABLE ONSHI_TERMINAL_FAILED: <it text>" for messages.
  std::string Describe() const;
  std::string reason() const { return onshi_error_reason(error.get()); }
  int32_t outcome() const { return onshi_qualification_outcome(result.get()); }
};
CheckOutcome Check(onshi_client* client, const onshi_check_request* request);
// Runs every request at once, each on its own thread; the outcomes in the requests' order.
std::vector<CheckOutcome> CheckAtOnce(onshi_client* client,
                                      const std::vector<RequestPtr>& requests);

// The result as the onshi.v1.CheckQualificationResponse it is the JSON of.
v1::CheckQualificationResponse ResponseOf(const onshi_qualification* q);

// onshi_get_patient_record, parsed. `status` receives the call's status; nullopt on failure.
std::optional<v1::PatientRecord> GetPatientRecord(onshi_client* client,
                                                  const std::string& patient_id,
                                                  onshi_status* status = nullptr,
                                                  std::string* reason = nullptr);

// Opens a client on onshid's socket. Fails the test (and returns null) when it cannot.
ClientPtr OpenSidecarClient(const std::string& socket_path, int64_t connect_timeout_ms = 0);
// Opens an embedded client on a configuration file.
ClientPtr OpenEmbeddedClient(const std::string& config_path, onshi_status* status = nullptr,
                             std::string* reason = nullptr);

// ---------------------------------------------------------------------------------------------
// A stack: a temp root with the terminal's shared folder (oqs/{req,res,face}), onshid's state
// (state/, 0700) and socket folder (run/, 0700), the simulator and onshid running on them, and a
// client on the socket.

struct StackOptions {
  std::string name = "stack";
  // Extra flags for onshi-terminal-sim, e.g. {"--fault=silent"}.
  std::vector<std::string> sim_flags;
  int64_t answer_timeout_ms = 1500;
  int64_t rescan_interval_ms = 100;
  int64_t malformed_grace_ms = 500;
  // onshid writes its requests in Shift_JIS instead of UTF-8.
  bool shift_jis_requests = false;
  // false: neither program uses inotify; both rely on their periodic rescans (as on an SMB
  // share).
  bool notifications = true;
  // The 医療機関コード onshid is configured with; empty: the simulator's (kInstitutionCode).
  std::string onshid_institution_code;
  // false: only the simulator (embedded-mode tests open their own client on config_path()).
  bool start_onshid = true;
  // More fields of onshid's `terminal { … }` block, in protobuf text format, e.g.
  // "batch_file_size: 3 batch_poll_initial_ms: 100".
  std::string extra_terminal_config;
  // More top-level fields of onshid's configuration, in protobuf text format, e.g.
  // "outage { recheck_tick_ms: 100 }" (outage workflow).
  std::string extra_config;
  // The hygiene check accepts fewer answers archived than the simulator wrote: after a kill -9,
  // onshid places again what it had not recorded under the same file ids, and a second answer
  // may replace (rename over) the first one still in res/.
  bool answers_may_be_replaced = false;
};

class Stack {
 public:
  explicit Stack(StackOptions options);
  // Kills whatever still runs and removes the temp root (kept, logs and all, when the
  // environment has ONSHI_IT_KEEP_TEMP set: for looking at a failure).
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  // Creates the folders and onshid's configuration, starts the simulator and (unless disabled)
  // onshid, and opens the client. Describes a failure in `error`.
  bool Start(std::string* error);

  bool StartSim(std::string* error);
  bool StartOnshid(std::string* error);
  // SIGTERM and wait; returns the wait status (also kept for the hygiene check).
  int StopOnshid();
  int StopSim();
  // kill -9; the exit is not held against the stack.
  void KillOnshid();

  // A dataset patient at the card reader, through the running simulator's control folder
  // (sim::RequestCheckin): the simulator records `consents` as the patient's latest ones (what
  // it judges 薬剤・特定健診 requests by) and writes the face file. `at`: JST YYYYMMDDhhmmss, or
  // empty for the simulator's clock. Returns the face file's bare name (in oqs/face/), or ""
  // after failing the test. The hygiene check counts the face files written this way.
  std::string SimCheckIn(const std::string& scenario,
                         const std::vector<sim::v1::ConsentCategory>& consents,
                         const std::string& at = "");

  Process* onshid() { return onshid_.get(); }
  Process* sim() { return sim_.get(); }
  onshi_client* client() { return client_.get(); }
  const StackOptions& options() const { return options_; }

  const std::string& root() const { return root_; }
  std::string oqs_dir() const { return root_ + "/oqs"; }
  std::string req_dir() const { return root_ + "/oqs/req"; }
  std::string res_dir() const { return root_ + "/oqs/res"; }
  std::string state_dir() const { return root_ + "/state"; }
  std::string processed_dir() const { return root_ + "/state/processed"; }
  std::string quarantine_dir() const { return root_ + "/state/quarantine"; }
  std::string socket_path() const { return root_ + "/run/onshid.sock"; }
  std::string config_path() const { return root_ + "/onshid.conf"; }
  std::string onshid_log() const { return root_ + "/onshid.stderr.log"; }
  std::string sim_log() const { return root_ + "/sim.stderr.log"; }

  // A check timeout comfortably above the answer timeout.
  int64_t check_timeout_ms() const { return options_.answer_timeout_ms + 30000; }

  // Remembers the file id of an answered check: the hygiene check expects it archived.
  void NoteAnswered(const onshi_qualification* q);

  // The after-run hygiene, as test expectations: req/ and res/ end up empty (waits for
  // in-flight answers), every noted answer is archived under state/processed, both programs
  // stop cleanly on SIGTERM (exit 0: under ASan that includes no leak report), and neither
  // program's stderr log holds a value of the dataset (reliability.md G2).
  void StopAndCheckHygiene();

 private:
  StackOptions options_;
  std::string root_;
  std::unique_ptr<Process> sim_;
  std::unique_ptr<Process> onshid_;
  ClientPtr client_;
  std::vector<std::string> answered_file_ids_;
  std::vector<std::string> unclean_exits_;
  int64_t sim_face_files_ = 0;
};

// JST YYYYMMDDhhmmss of `t`: the card reader's and the terminal's stamps.
std::string JstStamp(absl::Time t);

// The dataset patient at the simulator's card reader choosing `consents`, at `at`. Returns the
// event onshid recorded, once `client` received it (so what it consented to is on record),
// acknowledging it and every earlier event; an empty event after failing the test. The card
// reader stamps whole seconds and a refusal withdraws what was given up to the same second, so a
// check-in "now" returns only once its second is over: two check-ins of one patient within one
// second are not a real clerk's sequence.
v1::CheckinEvent CheckInAtTheReader(Stack& stack, onshi_client* client, const std::string& scenario,
                                    const std::vector<sim::v1::ConsentCategory>& consents,
                                    absl::Time at = absl::Now());

// ---------------------------------------------------------------------------------------------
// One stack shared by every test of a suite: started in SetUpTestSuite, checked for hygiene and
// stopped in TearDownTestSuite (a hygiene failure fails the suite). `Derived` provides
// `static StackOptions SuiteStackOptions()`; `Base` is ::testing::Test or a TestWithParam<T>.
template <typename Derived, typename Base = ::testing::Test>
class SharedStackTest : public Base {
 public:
  static void SetUpTestSuite() {
    stack_ = new Stack(Derived::SuiteStackOptions());
    std::string error;
    ready_ = stack_->Start(&error);
    if (!ready_) ADD_FAILURE() << "the stack did not start: " << error;
  }

  static void TearDownTestSuite() {
    if (ready_) stack_->StopAndCheckHygiene();
    delete stack_;
    stack_ = nullptr;
    ready_ = false;
  }

 protected:
  void SetUp() override { ASSERT_TRUE(ready_) << "the suite's stack is not running"; }

  static Stack& stack() { return *stack_; }
  static onshi_client* client() { return stack_->client(); }

 private:
  inline static Stack* stack_ = nullptr;
  inline static bool ready_ = false;
};

}  // namespace onshi::integration

namespace onshi::sim::v1 {
// Parametrised tests print a patient as its scenario id.
inline void PrintTo(const Patient& patient, std::ostream* os) { *os << patient.scenario(); }
}  // namespace onshi::sim::v1

#endif  // ONSHI_TESTS_INTEGRATION_HARNESS_H_
