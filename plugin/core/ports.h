// The ports: what the domain needs from the outside world, declared here and implemented in
// adapters/ (the terminal's folders, the record store) or plugin/common (the clock). core/ never
// includes an adapter; plugin/service wires adapters to these interfaces.

#ifndef ONSHI_PLUGIN_CORE_PORTS_H_
#define ONSHI_PLUGIN_CORE_PORTS_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/oqs_bulk_documents.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "onshi/v1/oqs_medical_documents.pb.h"

namespace onshi {

// Wall-clock time. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;
};

// ---------------------------------------------------------------------------------------------
// The terminal (資格確認端末), seen from the domain.

// What a document exchanged with the terminal is. Each kind has exactly one onshi.v1 message type
// (named below; DocumentTypeOf returns it); two pairs of kinds share a type because the terminal
// uses one shape for both. The kind, not the type, says what a document means. How a kind is
// named in the shared folders is the adapter's business (adapters/oqs_files/file_names.h,
// docs/oqs-mapping.md).
//
// Requests are what onshi writes (IsRequestKind); every request carries onshi's random
// ArbitraryFileIdentifier (FileIdOf), which the terminal echoes in its answer and which is also
// the id in both file names. Every other kind is an answer the terminal writes.
enum class DocumentKind {
  // 資格確認 個別照会 (OQSsiquc01req): v1::QualificationRequestDocument.
  kQualificationRequest = 1,
  // Its answer (OQSsiquc01res): v1::QualificationResult.
  kQualificationAnswer = 2,
  // A card-reader check-in the terminal writes unsolicited into face/ (OQSsiquc01res_face):
  // v1::QualificationResult with ReferenceClassification 1 and no echoed search info. Its file id
  // is the terminal's own, and its ArbitraryFileIdentifier is the face app's random one (the two
  // are unrelated, and neither is onshi's).
  kFaceCheckin = 3,
  // 一括照会 upload (OQSmuquc01req): v1::BatchQualificationRequestDocument.
  kBatchUpload = 4,
  // Its answer (OQSmuquc01res), carrying the ReceptionNumber: v1::BulkReceiptDocument.
  kBatchReceipt = 5,
  // 一括照会 result download by ReceptionNumber (OQSmuquc02req): v1::BulkResultRequestDocument.
  kBatchResultRequest = 6,
  // Its answer (OQSmuquc02res), complete or still processing:
  // v1::BatchQualificationResultDocument.
  kBatchResult = 7,
  // 照会番号 registration, single (OQSsiimm01req): v1::ReferenceNumberRequestDocument.
  kReferenceNumberRequest = 8,
  // Its answer (OQSsiimm01res): v1::ReferenceNumberResultDocument.
  kReferenceNumberResult = 9,
  // 照会番号 registration, bulk upload (OQSmuimm01req): v1::BulkReferenceNumberRequestDocument.
  kBulkReferenceNumberUpload = 10,
  // Its answer (OQSmuimm01res), carrying the ReceptionNumber: v1::BulkReceiptDocument.
  kBulkReferenceNumberReceipt = 11,
  // Bulk 照会番号 result download (OQSmuimm02req): v1::BulkResultRequestDocument.
  kBulkReferenceNumberResultRequest = 12,
  // Its answer (OQSmuimm02res): v1::BulkReferenceNumberResultDocument.
  kBulkReferenceNumberResult = 13,
  // 薬剤情報 request (YZKsiquc01req): v1::MedicationRequestDocument (the file id is in `header`).
  kMedicationRequest = 14,
  // Its answer (YZKsiquc01res): v1::MedicationResultDocument when XML; a PDF when the request
  // asked for one (IncomingAnswer::pdf, never parsed).
  kMedicationResult = 15,
  // 特定健診情報 request (TKKsiquc01req): v1::CheckupRequestDocument (the file id is in `header`).
  kCheckupRequest = 16,
  // Its answer (TKKsiquc01res): v1::CheckupResultDocument when XML; or a PDF, as for medication.
  kCheckupResult = 17,
};

// Every kind, in declaration order. Thread-safe.
const std::vector<DocumentKind>& AllDocumentKinds();

// A short stable name ("qualification-answer", "face-checkin", ...) for logs and error details;
// "unknown" for a value outside the enum. Thread-safe.
absl::string_view DocumentKindName(DocumentKind kind);

// True for the kinds onshi writes for the terminal (the *Request and *Upload kinds).
// Thread-safe.
bool IsRequestKind(DocumentKind kind);

// The answer the terminal gives to a request of `kind`; nullopt when `kind` is not a request
// kind. Thread-safe.
std::optional<DocumentKind> AnswerKindOf(DocumentKind kind);

// True for the answers that may come as a PDF instead of XML (medication, checkup). Thread-safe.
bool MayBePdf(DocumentKind kind);

// The message type of `kind` (see the enum); nullptr for a value outside the enum. Thread-safe.
const google::protobuf::Descriptor* DocumentTypeOf(DocumentKind kind);

// The ArbitraryFileIdentifier `document` carries: the top-level arbitrary_file_identifier field,
// or header.arbitrary_file_identifier for the medication and checkup requests. Works for every
// kind (for a face check-in it is the face app's id, not the file's). Errors:
// ONSHI_INVALID_ARGUMENT when `document` is not of kind's message type (the detail names both
// types, never a value). Thread-safe.
absl::StatusOr<std::string> FileIdOf(DocumentKind kind, const google::protobuf::Message& document);

// An answer the transport read completely (from res/, or face/ for check-ins) and decoded.
struct IncomingAnswer {
  // Never a request kind.
  DocumentKind kind = DocumentKind::kQualificationAnswer;
  // The id part of the file name (OQSsiquc01res_<file_id>.xml, OQSsiquc01res_face_<file_id>.xml,
  // YZKsiquc01res_<file_id>.pdf, ...).
  std::string file_id;
  // The decoded document, of DocumentTypeOf(kind); read it with AnswerAs<T>. Null for a PDF
  // answer. Shared so that sinks may keep it past the call without a copy.
  std::shared_ptr<const google::protobuf::Message> document;
  // A PDF answer (kMedicationResult, kCheckupResult): the file's bytes, complete (they start with
  // "%PDF-" and end with "%%EOF" within the last KiB), never parsed. Empty for XML answers.
  std::string pdf;
  absl::Time received_time;
};

// The answer's document as a T, or nullptr when there is none (a PDF answer) or it is of another
// type. Thread-safe as far as `answer` is not being modified.
template <typename T>
const T* AnswerAs(const IncomingAnswer& answer) {
  if (answer.document == nullptr || answer.document->GetDescriptor() != T::descriptor()) {
    return nullptr;
  }
  return google::protobuf::DynamicCastToGenerated<T>(answer.document.get());
}

// The terminal refused a request: it moved the request into res/ with an .err file beside it
// (<request prefix>_<file_id>.err), or returned the request alone.
struct RejectedRequest {
  // The request's kind (always a request kind).
  DocumentKind kind = DocumentKind::kQualificationRequest;
  std::string file_id;
  // A short error code read from the .err file when it has one that is safe to log (ASCII
  // letters, digits, '-', '_', at most 32 characters); empty otherwise. The .err content itself
  // is never logged or stored: it may echo the request.
  std::string error_code;
};

// An answer file that could not be decoded (it has been quarantined). `file_id` is the id part
// of its name, which may or may not belong to a request of ours.
struct UnreadableAnswer {
  // The kind its name says it is (never a request kind).
  DocumentKind kind = DocumentKind::kQualificationAnswer;
  std::string file_id;
  absl::Status error;
};

// What becomes of an answer file once the sink has seen it.
enum class AnswerDisposition {
  // Recorded: the file leaves res/ (or face/) per the processed-file policy (archive or delete).
  kProcessed,
  // Not ours or not trustworthy (unknown id, another institution, id mismatch), or of a kind
  // nobody handles: moved into the quarantine folder, attached to nobody.
  kQuarantine,
};

// Receives what the transport finds in res/ and face/. Calls come from the transport's own
// thread, one at a time. The file stays where it is until the call returns: a sink that could
// not record the answer durably returns an error and sees the same file again on a later scan,
// so nothing is lost; a sink must therefore accept the same answer twice (and record it once).
class AnswerSink {
 public:
  virtual ~AnswerSink() = default;
  // Any answer kind, check-ins included. Dispatch on answer.kind.
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

  // Starts watching res/ and face/ and delivering to `sink` (which must outlive Stop()).
  virtual absl::Status Start(AnswerSink* sink) = 0;
  // Stops watching; no sink call is running or will run once it returns. Idempotent.
  virtual void Stop() = 0;

  // Places `document`, a request of `kind`, for the terminal under the name that kind and its
  // ArbitraryFileIdentifier (FileIdOf) give (OQSsiquc01req_<id>.xml, YZKsiquc01req_<id>.xml,
  // ...), atomically and durably: the file appears under its final name complete, or not at all;
  // an existing file is never replaced. Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) when
  // `kind` is not a request kind, `document` is not of kind's message type, or its
  // ArbitraryFileIdentifier cannot be a file-name id; the codec's errors when it cannot be
  // encoded; UNAVAILABLE (ONSHI_TERMINAL_UNAVAILABLE) when the folder cannot be written.
  virtual absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document) = 0;

  // Submit for a request whose owner stops waiting for its answer at `deadline`. A transport that
  // limits how many requests are at the terminal at once (service::ThrottledTransport,
  // reliability.md B12) makes the call wait, first come first served, for a free place at most
  // until then, and stops counting the request once it passes; it then also fails with
  // UNAVAILABLE (ONSHI_TERMINAL_BUSY: nothing was placed) or, when stopped while the call
  // waits, CANCELLED (ONSHI_CANCELLED); its two-argument Submit is this without a deadline. The
  // default places at once (the two-argument Submit) and ignores `deadline`.
  virtual absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document,
                              absl::Time deadline) {
    return Submit(kind, document);
  }

  // The owner of the request `file_id` of `kind` stops waiting for its answer (the request
  // failed, or its deadline passed): a transport that counts the requests at the terminal stops
  // counting it, so that a request nobody waits for does not hold a place. Idempotent; unknown
  // ids are ignored. Thread-safe. The default does nothing.
  virtual void Release(DocumentKind kind, const std::string& file_id) {}

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

  virtual absl::StatusOr<std::optional<LedgerEntry>> FindRequest(const std::string& request_id) = 0;
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

// Finding the patients of the record. Insurance numbers are never a key: an implementation keeps
// (at most) a keyed digest of IdentityKey (plugin/core/identity.h) of each patient's current
// coverage. Implementations must be thread-safe; every method is one read transaction.
class PatientDirectory {
 public:
  virtual ~PatientDirectory() = default;

  // The patients whose CURRENT coverage (the newest version: its identifiers and birth_date) has
  // the same IdentityKey as `identifiers` and `birth_date` (so width, space and leading-zero
  // variants match), sorted by patient_id (bytewise), without duplicates. Empty when nobody
  // matches, when the identity is incomplete (IsCompleteIdentity is false: such an identity
  // names nobody), and for a patient whose coverage changed since (only the newest coverage
  // counts). Several ids mean the record holds duplicates: the caller must not pick one.
  // Errors: ONSHI_STORE_UNAVAILABLE (retryable); ONSHI_INTERNAL when the store is damaged.
  virtual absl::StatusOr<std::vector<std::string>> FindPatientsByIdentity(
      const v1::InsuranceIdentifiers& identifiers, absl::string_view birth_date) = 0;

  // True when `patient_id` names a patient of the record (created by a check that named it or
  // by a feature that records into it), with or without coverage. Errors:
  // ONSHI_STORE_UNAVAILABLE (retryable).
  virtual absl::StatusOr<bool> PatientExists(const std::string& patient_id) = 0;
};

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_PORTS_H_
