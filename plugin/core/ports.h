// The ports: what the domain needs from the outside world, declared here and implemented in
// adapters/ (the terminal's folders, the record store) or plugin/common (the clock). core/ never
// includes an adapter; plugin/service wires adapters to these interfaces.

#ifndef ONSHI_PLUGIN_CORE_PORTS_H_
#define ONSHI_PLUGIN_CORE_PORTS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"

namespace onshi {

// Wall-clock time. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// ---------------------------------------------------------------------------------------------
// The terminal (資格確認端末), seen from the domain.

// An answer the transport read completely from res/ and decoded.
struct IncomingAnswer {
  // The id part of the file name (OQSsiquc01res_<file_id>.xml).
  std::string file_id;
  v1::QualificationResult result;
  absl::Time received_time;
};

// The terminal refused a request: it moved the request into res/ with an .err file beside it.
struct RejectedRequest {
  std::string file_id;
  // A short error code read from the .err file when it has one that is safe to log (ASCII
  // letters, digits, '-', '_', at most 32 characters); empty otherwise. The .err content itself
  // is never logged or stored: it may echo the request.
  std::string error_code;
};

// An answer file that could not be decoded (it has been quarantined). `file_id` is the id part
// of its name, which may or may not belong to a request of ours.
struct UnreadableAnswer {
  std::string file_id;
  absl::Status error;
};

// What becomes of an answer file once the sink has seen it.
enum class AnswerDisposition {
  // Recorded: the file leaves res/ per the processed-file policy (archive or delete).
  kProcessed,
  // Not ours or not trustworthy (unknown id, another institution, id mismatch): moved into the
  // quarantine folder, attached to nobody.
  kQuarantine,
};

// Receives what the transport finds in res/. Calls come from the transport's own thread, one at
// a time. The file stays in res/ until the call returns: a sink that could not record the answer
// durably returns an error and sees the same file again on a later scan, so nothing is lost; a
// sink must therefore accept the same answer twice (and record it once).
class AnswerSink {
 public:
  virtual ~AnswerSink() = default;
  virtual absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) = 0;
  // The rejected request and its .err file leave res/ (into quarantine) after an OK return.
  virtual absl::Status OnRequestRejected(const RejectedRequest& rejected) = 0;
  // Called after the file was quarantined.
  virtual absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) = 0;
};

// The file-drop interface of the terminal. Implementations must be thread-safe.
class TerminalTransport {
 public:
  virtual ~TerminalTransport() = default;

  // Starts watching res/ and delivering to `sink` (which must outlive Stop()).
  virtual absl::Status Start(AnswerSink* sink) = 0;
  // Stops watching; no sink call is running or will run once it returns. Idempotent.
  virtual void Stop() = 0;

  // Places `request` in req/ as OQSsiquc01req_<arbitrary_file_identifier>.xml, atomically and
  // durably: the file appears under its final name complete, or not at all. Errors:
  // UNAVAILABLE (ONSHI_TERMINAL_UNAVAILABLE) when the folder cannot be written.
  virtual absl::Status SubmitQualificationRequest(
      const v1::QualificationRequestDocument& request) = 0;

  // OK when req/ and res/ are reachable and writable.
  virtual absl::Status CheckHealth() = 0;
};

// ---------------------------------------------------------------------------------------------
// The record store: request ledger, patients, coverages, confirmations.

enum class LedgerState {
  // Placed for the terminal, no answer yet.
  kPending = 1,
  // Answered before the deadline.
  kAnswered = 2,
  // The terminal failed (SegmentOfResult 9), refused the request (.err), or its answer was
  // unreadable. `response` is empty; `error` says why.
  kFailed = 3,
  // The deadline passed without an answer.
  kUnconfirmed = 4,
  // An answer arrived after the deadline.
  kLate = 5,
};

// One request to the terminal, durable from before its file is written until forever.
struct LedgerEntry {
  std::string request_id;
  // ArbitraryFileIdentifier and file-name id: random, onshi's own.
  std::string file_id;
  LedgerState state = LedgerState::kPending;
  // Empty when the request did not name a patient.
  std::string patient_id;
  absl::Time created_time;
  absl::Time deadline;
  absl::Time updated_time;
  // As the caller sent it (after normalisation): a retry must carry an equal request.
  v1::CheckQualificationRequest request;
  // The outcome given to callers, once state is no longer kPending (except kFailed).
  v1::CheckQualificationResponse response;
  // kFailed only: the status code and detail returned to callers.
  absl::StatusCode error_code = absl::StatusCode::kOk;
  v1::ErrorDetail error;
};

// A new coverage version to write together with a state change.
struct CoverageUpdate {
  // The version the caller read (0 = none). The write is refused with ABORTED
  // (ONSHI_STORE_CONFLICT) when the current version is no longer this one.
  int64_t expected_version = 0;
  // The new version, complete; its `version` must be expected_version + 1.
  v1::CoverageVersion version;
};

// A transition of a ledger entry, written atomically with what it implies for the patient.
struct LedgerTransition {
  std::string request_id;
  // Compare-and-set: applied only while the entry is in `from`; otherwise ABORTED
  // (ONSHI_STORE_CONFLICT) and nothing is written.
  LedgerState from = LedgerState::kPending;
  LedgerState to = LedgerState::kAnswered;
  // kAnswered, kUnconfirmed, kLate.
  v1::CheckQualificationResponse response;
  // kFailed.
  absl::StatusCode error_code = absl::StatusCode::kOk;
  v1::ErrorDetail error;
  // When the entry names a patient: the confirmation row for this check (one per request_id;
  // a later transition of the same request replaces it).
  std::optional<v1::Confirmation> confirmation;
  // When the answer changes the patient's coverage.
  std::optional<CoverageUpdate> coverage;
};

// Durable store. Implementations must be thread-safe; every method is one transaction.
class RecordStore {
 public:
  virtual ~RecordStore() = default;

  // Inserts `entry` (state kPending) unless an entry with its request_id exists; creates the
  // named patient if new. Returns the stored entry; `*created` says whether it was inserted.
  virtual absl::StatusOr<LedgerEntry> CreateRequest(const LedgerEntry& entry, bool* created) = 0;

  virtual absl::StatusOr<std::optional<LedgerEntry>> FindRequest(
      const std::string& request_id) = 0;
  virtual absl::StatusOr<std::optional<LedgerEntry>> FindRequestByFileId(
      const std::string& file_id) = 0;

  // Entries still kPending, oldest first (for deadline sweeps and restart recovery).
  virtual absl::StatusOr<std::vector<LedgerEntry>> ListPendingRequests() = 0;

  virtual absl::Status ApplyTransition(const LedgerTransition& transition) = 0;

  // The patient's current coverage, if any.
  virtual absl::StatusOr<std::optional<v1::CoverageVersion>> GetCurrentCoverage(
      const std::string& patient_id) = 0;

  // NOT_FOUND (ONSHI_PATIENT_NOT_FOUND) for an unknown patient.
  virtual absl::StatusOr<v1::PatientRecord> GetPatientRecord(const std::string& patient_id) = 0;

  // Cheap liveness probe for the health service: the database answers a trivial query.
  virtual absl::Status CheckHealth() = 0;
};

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_PORTS_H_
