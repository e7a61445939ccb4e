// The port of the medical-information request ledger (薬剤情報 / 特定健診): what the service needs
// to keep YZK/TKK requests durable from before their file is written, idempotent by request_id,
// and their answers (PHI: decoded documents and PDF bytes) for a bounded time.
//
// Implemented by adapters/store_sqlite (SqliteMedicalStore) next to the RecordStore of ports.h;
// tests use in-memory fakes. Implementations must be thread-safe; every method is one
// transaction. Errors, besides those listed per method: UNAVAILABLE (ONSHI_STORE_UNAVAILABLE,
// retryable) when the store cannot be read or written.

#ifndef ONSHI_PLUGIN_CORE_MEDICAL_STORE_H_
#define ONSHI_PLUGIN_CORE_MEDICAL_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/error.pb.h"
#include "onshi/v1/medical_info_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "onshi/v1/oqs_medical_documents.pb.h"
#include "plugin/core/medical_info.h"

namespace onshi {

// The values are stored (never renumber).
enum class MedicalRequestState {
  // Placed for the terminal, no answer yet.
  kPending = 1,
  // Answered (ResultCode 1, or a PDF) before the deadline: the response is stored.
  kAnswered = 2,
  // The terminal refused (no consent), rejected the request (.err), wrote an unreadable answer,
  // or the file could not be placed: `error` says which.
  kFailed = 3,
  // The deadline passed without an answer.
  kTimedOut = 4,
  // An answer (with information) arrived after the deadline: the response is stored.
  kLate = 5,
};

// "pending", "answered", ... for logs; "unknown" otherwise.
absl::string_view MedicalRequestStateName(MedicalRequestState state);

// One medical-information request to the terminal.
struct MedicalRequestEntry {
  std::string request_id;
  // ArbitraryFileIdentifier and file-name id: random, onshi's own.
  std::string file_id;
  MedicalInfoKind kind = MedicalInfoKind::kMedication;
  MedicalRequestState state = MedicalRequestState::kPending;
  // Always set: a medical request is about one patient of the record.
  std::string patient_id;
  absl::Time created_time;
  absl::Time deadline;
  absl::Time updated_time;
  // Set once the stored document and response were purged (retention, docs/medical-info.md).
  std::optional<absl::Time> purged_time;

  // The member of `kind` holds the caller's request as normalized (NormalizeMedicationRequest,
  // NormalizeCheckupsRequest): a retry must carry an equal one. The other stays empty.
  v1::GetMedicationHistoryRequest medication_request;
  v1::GetCheckupsRequest checkups_request;
  // The document placed for the terminal (kept so that a restart can place it again); empty
  // once purged.
  v1::MedicationRequestDocument medication_document;
  v1::CheckupRequestDocument checkup_document;
  // kAnswered, kLate: what callers get (decoded document or PDF bytes); empty once purged.
  v1::GetMedicationHistoryResponse medication_response;
  v1::GetCheckupsResponse checkups_response;
  // kFailed only: the status code and detail returned to callers.
  absl::StatusCode error_code = absl::StatusCode::kOk;
  v1::ErrorDetail error;
};

// A state change of an entry, compare-and-set on `from`.
struct MedicalTransition {
  std::string request_id;
  MedicalRequestState from = MedicalRequestState::kPending;
  MedicalRequestState to = MedicalRequestState::kAnswered;
  // kAnswered, kLate: the response of the entry's kind (the other stays empty).
  v1::GetMedicationHistoryResponse medication_response;
  v1::GetCheckupsResponse checkups_response;
  // kFailed only.
  absl::StatusCode error_code = absl::StatusCode::kOk;
  v1::ErrorDetail error;
};

// A consent as a recorded answer (a qualification check's answer or a card-reader check-in)
// reported it.
struct RecordedConsent {
  v1::Consent consent;
  // Where it came from: SOURCE_TERMINAL_ANSWER or SOURCE_CARD_READER.
  v1::Source source = v1::SOURCE_UNSPECIFIED;
  // When onshi recorded that answer.
  absl::Time recorded_time;
};

class MedicalRequestStore {
 public:
  virtual ~MedicalRequestStore() = default;

  // Inserts `entry` (state kPending, patient_id set, the request and document of its kind set)
  // unless an entry with its request_id exists; returns the stored entry, `*created` saying
  // whether it was inserted (`created` may be null). created_time and updated_time are the
  // store's clock; deadline is the entry's. Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT)
  // for an empty request_id, file_id or patient_id, a state other than kPending, a file_id
  // used by another entry; NOT_FOUND (ONSHI_PATIENT_NOT_FOUND) when the patient is not in the
  // record (medical requests never create patients).
  virtual absl::StatusOr<MedicalRequestEntry> CreateMedicalRequest(const MedicalRequestEntry& entry,
                                                                   bool* created) = 0;

  virtual absl::StatusOr<std::optional<MedicalRequestEntry>> FindMedicalRequest(
      const std::string& request_id) = 0;
  virtual absl::StatusOr<std::optional<MedicalRequestEntry>> FindMedicalRequestByFileId(
      const std::string& file_id) = 0;

  // Entries still kPending, oldest first (deadline sweeps, restart recovery).
  virtual absl::StatusOr<std::vector<MedicalRequestEntry>> ListPendingMedicalRequests() = 0;

  // Applies `transition` when the entry is in `from`. Errors: ABORTED (ONSHI_STORE_CONFLICT)
  // when it is not (nothing written); INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) when `to` is
  // kPending or equals `from`, error_code is OK for kFailed or set for another state, the
  // request_id names no entry, or the entry was purged.
  virtual absl::Status ApplyMedicalTransition(const MedicalTransition& transition) = 0;

  // Retention: clears the document and response of every entry that is no longer kPending and
  // was last updated before `updated_before`, and sets its purged_time; the rest of the entry
  // (ids, kind, state, times, the normalized request, the error) stays for audit. Returns how
  // many entries were purged.
  virtual absl::StatusOr<int64_t> PurgeMedicalResults(absl::Time updated_before) = 0;

  // The consent for `kind` stated by the newest recorded answer about `patient_id` that states
  // one at all (flag not UNSPECIFIED): answers of qualification checks recorded for the patient
  // and card-reader check-ins matched to the patient, newest by the time onshi recorded them.
  // nullopt when no recorded answer states one (or the patient is unknown).
  virtual absl::StatusOr<std::optional<RecordedConsent>> LatestConsent(
      const std::string& patient_id, MedicalInfoKind kind) = 0;
};

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_MEDICAL_STORE_H_
