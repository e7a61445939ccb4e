// Write-back: recording a check's terminal answer into a patient by staff decision, after
// showing the difference (docs/record.md). The rules live here (pure, no I/O); the ledger of
// writes is the WriteBackStore port; plugin/service/record_service wires both to the request
// ledger and the gRPC RecordService.
//
// Rules kept here:
// - only a terminal answer is ever written (a check ANSWERED or LATE_ANSWER: never pending,
//   unconfirmed or failed), and only one naming at most one qualification;
// - a write names the coverage version it was based on (optimistic concurrency);
// - who (host user id), why (reason) and the write's request_id go with the new version;
//   provenance per field is the answer's, as for versions a check records by itself.

#ifndef ONSHI_PLUGIN_CORE_WRITE_BACK_H_
#define ONSHI_PLUGIN_CORE_WRITE_BACK_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/record_service.pb.h"
#include "plugin/core/coverage_diff.h"
#include "plugin/core/ports.h"

namespace onshi {

// Longest WriteBackRequest.reason, in characters (code points).
inline constexpr int kMaxWriteBackReasonChars = 200;

// Checks a WriteBackRequest before anything is read: request_id and source_request_id as
// ValidateRequestId, patient_id as ValidatePatientId, expected_version >= 0, reason valid UTF-8
// without control characters and at most kMaxWriteBackReasonChars characters.
// Errors: ONSHI_INVALID_REQUEST_ID, ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_ARGUMENT (naming the
// field). Thread-safe.
absl::Status ValidateWriteBackRequest(const v1::WriteBackRequest& request);

// What a check's answer gives to record.
struct AnswerToRecord {
  // CoverageOf the answer's one record; empty when the answer has no record (該当資格なし).
  v1::QualificationRecord coverage;
  // The terminal's verdict.
  v1::QualificationValidity validity = v1::QUALIFICATION_VALIDITY_UNSPECIFIED;
  // The answer has no record: only the validity is news (the fields stay as last recorded).
  bool validity_only = false;
  // The answer's provenance (request, file id, times, confirmation date).
  v1::Provenance provenance;
};

// The answer of the ledger entry `check` to write into `patient_id`.
// Errors: FAILED_PRECONDITION (ONSHI_NOT_CONFIRMED) when the check is not ANSWERED or LATE (no
// terminal answer: pending, unconfirmed, failed) or its answer names several qualifications
// (複数該当: none is confirmed as the patient's); INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT)
// when the check named another patient. Thread-safe.
absl::StatusOr<AnswerToRecord> AnswerOfCheck(const LedgerEntry& check,
                                             absl::string_view patient_id);

// Who wrote a version and why.
struct WriteBackAuthor {
  std::string user_id;
  std::string reason;
  // The WriteBack request_id.
  std::string write_request_id;
};

// What writing `answer` into `patient_id` over `current` (nullptr: no coverage yet) writes:
// PlanCoverageWrite of the answer (for a validity-only answer: the current coverage's fields
// with the answer's validity), the new version carrying `author` and `recorded_time`.
// Thread-safe.
PlannedCoverageWrite PlanWriteBack(const std::string& patient_id,
                                   const v1::CoverageVersion* current, const AnswerToRecord& answer,
                                   const WriteBackAuthor& author,
                                   const google::protobuf::Timestamp& recorded_time);

// The preview of `plan` (computed over `current`) for staff. Thread-safe.
v1::RecordPreview PreviewOf(const std::string& patient_id, bool patient_exists,
                            const v1::CoverageVersion* current, const PlannedCoverageWrite& plan);

// The preview of writing the answer of `check` into `patient_id` over `current`: as
// AnswerOfCheck, then PlanWriteBack and PreviewOf. Errors: AnswerOfCheck's. Thread-safe.
absl::StatusOr<v1::RecordPreview> PreviewCheck(const LedgerEntry& check,
                                               const std::string& patient_id, bool patient_exists,
                                               const v1::CoverageVersion* current);

// ---------------------------------------------------------------------------------------------
// The write-back ledger port.

// One write-back, durable once written.
struct WriteBackEntry {
  std::string request_id;
  std::string patient_id;
  std::string source_request_id;
  // The caller's host user id (may be empty).
  std::string user_id;
  // Set by the store.
  absl::Time recorded_time;
  // As the caller sent it (validated, dry_run false): a retry must carry an equal request.
  v1::WriteBackRequest request;
  // The outcome given to callers.
  v1::WriteBackResponse response;
};

// A patient as a write-back sees it: whether it is in the record, and its current coverage.
struct PatientCoverage {
  bool exists = false;
  std::optional<v1::CoverageVersion> current;
};

// Implementations must be thread-safe; every method is one transaction.
class WriteBackStore {
 public:
  virtual ~WriteBackStore() = default;

  // The write-back with this request_id, if any. Errors: ONSHI_STORE_UNAVAILABLE.
  virtual absl::StatusOr<std::optional<WriteBackEntry>> FindWriteBack(
      const std::string& request_id) = 0;

  // Whether the patient exists and its current coverage, in one snapshot.
  // Errors: ONSHI_STORE_UNAVAILABLE.
  virtual absl::StatusOr<PatientCoverage> ReadPatientCoverage(const std::string& patient_id) = 0;

  // Atomically: when a write-back with entry.request_id exists, returns it and writes nothing
  // (`*created` false; the caller compares the requests). Otherwise creates the patient when
  // absent and `create_patient` (else NOT_FOUND, ONSHI_PATIENT_NOT_FOUND), requires the
  // patient's current coverage version to be `expected_version` (else ABORTED,
  // ONSHI_VERSION_CONFLICT), writes `update` when given (its expected_version must equal
  // `expected_version`) and the entry, and returns the entry as stored (`*created` true).
  // Nothing is written on any error. `created` may be null. Errors besides those:
  // INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an entry missing an id or an update of another
  // version; ONSHI_STORE_UNAVAILABLE.
  virtual absl::StatusOr<WriteBackEntry> ApplyWriteBack(const WriteBackEntry& entry,
                                                        int64_t expected_version,
                                                        const std::optional<CoverageUpdate>& update,
                                                        bool create_patient, bool* created) = 0;
};

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_WRITE_BACK_H_
