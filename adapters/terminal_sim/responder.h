// The simulated terminal's decisions, without file I/O: given one request of any kind (as bytes
// or decoded), what the 連携アプリケーション does with it (answer, refuse, or stay silent) and with
// which document; and what a card-reader check-in writes into face/. The Simulator
// (simulator.h) carries the decisions out on the folders; the in-process twin
// (in_process_terminal.h) hands them to a sink. docs/simulator.md states every rule.
//
// What the terminal remembers (照会番号 registrations, check-in consents, the ReceptionNumber
// sequence) lives in a SimState; the results of 一括 uploads live here, in memory.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_RESPONDER_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_RESPONDER_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/terminal_sim/faults.h"
#include "adapters/terminal_sim/matching.h"
#include "adapters/terminal_sim/state.h"
#include "google/protobuf/message.h"
#include "onshi/sim/v1/dataset.pb.h"
#include "onshi/v1/oqs_bulk_documents.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "onshi/v1/oqs_medical_documents.pb.h"
#include "plugin/core/ports.h"

namespace onshi::sim {

// The simulator's synthetic codes. The real 別紙6-1 codes are not public; these are clearly not
// them. docs/simulator.md lists them.
//
// .err file contents (one line) for refused requests:
inline constexpr absl::string_view kRejectUndecodable = "SIM-E0001";       // not a readable XmlMsg
inline constexpr absl::string_view kRejectMissingElement = "SIM-E0002";    // required element
inline constexpr absl::string_view kRejectOtherInstitution = "SIM-E0003";  // not our 医療機関
inline constexpr absl::string_view kRejectBadValue = "SIM-E0004";          // malformed value
inline constexpr absl::string_view kRejectByScenario = "SIM-E0005";  // BEHAVIOR_REJECT_REQUEST
inline constexpr absl::string_view kRejectByFault = "SIM-E0008";     // --fault=reject
// ProcessingResultCode of one record of a bulk file with a missing element or a malformed value
// (the same meaning as the .err codes, for one record).
inline constexpr absl::string_view kRecordMissingElement = kRejectMissingElement;
inline constexpr absl::string_view kRecordBadValue = kRejectBadValue;
// ProcessingResultCode for a person the dataset does not know.
inline constexpr absl::string_view kNotFoundCode = "SIM-NOTFOUND";
// ProcessingResultCode when a record without birth date (照会番号 registration) designates
// several people (a family without 枝番).
inline constexpr absl::string_view kAmbiguousCode = "SIM-AMBIGUOUS";
// 照会番号 registration refused: longer than 50 characters; already registered for another person.
inline constexpr absl::string_view kReferenceTooLongCode = "SIM-E0006";
inline constexpr absl::string_view kReferenceTakenCode = "SIM-E0007";
// ErrorCode of SegmentOfResult 9 answers when the dataset gives none, and of --fault=error.
inline constexpr absl::string_view kTerminalErrorCode = "SIM-E9001";
inline constexpr absl::string_view kFaultErrorCode = "SIM-E9002";
// ErrorCode of a result download (02) for a ReceptionNumber the terminal does not know.
inline constexpr absl::string_view kUnknownReceptionCode = "SIM-E9003";
// ErrorCode when the terminal could not store what a request needs stored (its state file).
inline constexpr absl::string_view kStateErrorCode = "SIM-E9004";
// ResultCode of 薬剤情報 / 特定健診 answers: released; refused for want of consent (or never
// releasable for this holder); any other failure (person unknown or ambiguous, --fault=error).
inline constexpr absl::string_view kMedicalResultReleased = "1";
inline constexpr absl::string_view kMedicalResultNoConsent = "2";
inline constexpr absl::string_view kMedicalResultFailed = "9";

struct ResponderOptions {
  // The 医療機関コード this terminal serves; requests for another are refused (SIM-E0003).
  std::string institution_code;
  oqs::Encoding encoding = oqs::Encoding::kUtf8;
  absl::Duration latency = absl::ZeroDuration();
  FaultSet fault;
  // 一括照会 / 照会番号一括: result downloads answer 処理中 (SegmentOfResult 2) until this long
  // after the upload (monotonic clock).
  absl::Duration batch_processing_time = absl::Seconds(2);
  // --fault=late: the delay of every answer of the faulted families.
  absl::Duration late_delay = absl::Seconds(3);
  // The results of uploads are kept until the uploads kept hold more records than this; the
  // oldest are then forgotten (their ReceptionNumber becomes unknown).
  size_t max_kept_bulk_records = 200000;
};

// What to do with one 個別照会 request file (the individual check's decision, kept for its own
// tests; Handle returns the same as a Reply).
struct Plan {
  enum class Action {
    // Write `answer` as the answer file after `latency`.
    kAnswer,
    // Move the request into res/ and write an .err file containing `reject_code`.
    kReject,
    // Remove the request and never answer.
    kSilent,
  };
  Action action = Action::kSilent;
  // kReject.
  std::string reject_code;
  // kReject: the file could not be decoded at all (the Simulator gives a file that may still be
  // being written a moment before refusing it).
  bool undecodable = false;
  // kAnswer.
  onshi::v1::QualificationResult answer;
  oqs::Encoding encoding = oqs::Encoding::kUtf8;
  absl::Duration latency = absl::ZeroDuration();
  // kAnswer: write the answer cut off in the middle instead of whole.
  bool malformed = false;
  // The matched scenario id; empty when nobody matched or the request was refused before
  // matching. Not patient data; safe to log.
  std::string scenario;
};

// What to do with one request of any kind.
struct Reply {
  using Action = Plan::Action;
  Action action = Action::kSilent;
  // The answer's kind (AnswerKindOf the request's kind).
  DocumentKind kind = DocumentKind::kQualificationAnswer;
  // kAnswer: the XML answer, of DocumentTypeOf(kind); null for a PDF answer.
  std::shared_ptr<const google::protobuf::Message> document;
  // kAnswer, PDF answers (medication and checkup results): the file's bytes.
  std::string pdf;
  // kReject, and `undecodable` as in Plan.
  std::string reject_code;
  bool undecodable = false;
  oqs::Encoding encoding = oqs::Encoding::kUtf8;
  absl::Duration latency = absl::ZeroDuration();
  // Write the answer cut off in the middle.
  bool malformed = false;
  // How the answer is written, from the family's fault: kNone, kSlowWrite, kDuplicate,
  // kDuplicateRenamed or kOrphan (the others are decided into the answer already).
  Fault write_fault = Fault::kNone;
  // Safe to log: the scenario id (single-person kinds), or empty.
  std::string scenario;
  // Safe to log: what was decided, e.g. "reception R2026120100000001, 3 records" (never patient
  // data).
  std::string summary;

  bool is_pdf() const { return document == nullptr && !pdf.empty(); }
};

// What a card-reader check-in writes into face/.
struct CheckinReply {
  // The face file's id: <医療機関コード><20 hex digits>_<yyyyMMddHHmmss of the check-in>; the
  // file is face/OQSsiquc01res_face_<file_id>.xml.
  std::string file_id;
  // The face document; null when the family's fault is kSilent (nothing is written).
  std::shared_ptr<const onshi::v1::QualificationResult> document;
  oqs::Encoding encoding = oqs::Encoding::kUtf8;
  // Write the file cut off in the middle (the command asked for a malformed file, or
  // --fault=face:malformed-answer).
  bool malformed = false;
  // kNone, kSlowWrite, kDuplicate or kDuplicateRenamed.
  Fault write_fault = Fault::kNone;
  // The patient's scenario id; empty for an unknown person.
  std::string scenario;
  // Whether the consents were recorded (a check-in of ours, well-formed, of a dataset patient).
  bool recorded = false;
};

// Thread-safe: every method may be called from any thread at the same time.
class Responder {
 public:
  // `dataset` must have passed ValidateDataset. `state` holds what the terminal remembers; null
  // = a private in-memory state. A given state must outlive the Responder.
  Responder(sim::v1::Dataset dataset, ResponderOptions options, SimState* state = nullptr);

  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  // 個別照会 only: decides about one OQSsiquc01req file. `now` becomes the answer's
  // ProcessExecutionTime (JST) and the time of the 限度額 consent. Never fails: anything wrong
  // with the request is a kReject plan.
  Plan Respond(absl::string_view request_bytes, absl::Time now) const;
  // Decides about a 個別照会 request already decoded (same rules after decoding).
  Plan RespondTo(const onshi::v1::QualificationRequestDocument& request, absl::Time now) const;

  // Any request kind (IsRequestKind): decodes `request_bytes` with the codec (a file that does
  // not decode is kReject with `undecodable`) and decides as HandleDocument does. Never fails.
  Reply Handle(DocumentKind kind, absl::string_view request_bytes, absl::Time now) const;

  // Any request kind, already decoded (`request` of DocumentTypeOf(kind)); a kind that is not a
  // request kind, or a message of another type, is refused with SIM-E0001. Uploads
  // (kBatchUpload, kBulkReferenceNumberUpload) are stored for their result downloads; 照会番号
  // registrations are recorded in the state (a state that cannot be written gives a terminal
  // error answer, SIM-E9004). Never fails.
  Reply HandleDocument(DocumentKind kind, const google::protobuf::Message& request,
                       absl::Time now) const;

  // A card-reader check-in (the control command; docs/simulator.md "Check-ins"): builds the face
  // document and, for a well-formed check-in of a dataset patient at this institution, records
  // its consents in the state (durably, before returning). `now` is used when the command gives
  // no time. Errors: ONSHI_INVALID_ARGUMENT for an unknown scenario (named: scenario ids are not
  // patient data), a missing scenario, or `at` that is not a YYYYMMDDhhmmss time; the state's
  // errors when the consents cannot be recorded (nothing is written then).
  absl::StatusOr<CheckinReply> CheckIn(const v1::CheckinCommand& command, absl::Time now) const;

  // The consents a patient's answers carry and 薬剤・特定健診 requests are judged by: the latest
  // check-in's at this institution if there is one, else the dataset's (the patient's first
  // record). Thread-safe.
  v1::PatientConsents CurrentConsents(const v1::Patient& patient) const;

  const ResponderOptions& options() const { return options_; }
  const PatientIndex& index() const { return index_; }
  SimState& state() const { return *state_; }

 private:
  struct Reception {
    DocumentKind upload_kind;
    std::chrono::steady_clock::time_point uploaded;
    // BatchQualificationResultDocument or BulkReferenceNumberResultDocument holding the units
    // (and counts); the header is filled per download.
    std::shared_ptr<const google::protobuf::Message> result;
    size_t records = 0;
  };

  // Decisions per kind (responder.cc, responder_bulk.cc, responder_medical.cc).
  Reply HandleQualification(const onshi::v1::QualificationRequestDocument& request,
                            absl::Time now) const;
  Reply HandleBatchUpload(const onshi::v1::BatchQualificationRequestDocument& request,
                          absl::Time now) const;
  Reply HandleBulkResultRequest(DocumentKind kind,
                                const onshi::v1::BulkResultRequestDocument& request,
                                absl::Time now) const;
  Reply HandleReferenceNumber(const onshi::v1::ReferenceNumberRequestDocument& request,
                              absl::Time now) const;
  Reply HandleBulkReferenceUpload(const onshi::v1::BulkReferenceNumberRequestDocument& request,
                                  absl::Time now) const;
  Reply HandleMedication(const onshi::v1::MedicationRequestDocument& request, absl::Time now) const;
  Reply HandleCheckup(const onshi::v1::CheckupRequestDocument& request, absl::Time now) const;

  // One person of a 個別照会 or one record of a 一括照会: the answer's body (status, codes,
  // validity, records) as the terminal gives it for `search`, consents and 照会番号 applied.
  // `batch` adds LimitApplicationCertificateChanged. Returns the matched patient (or null).
  const v1::Patient* AnswerPerson(const onshi::v1::QualificationSearchInfo& search,
                                  const std::string& process_time, bool batch,
                                  onshi::v1::BatchConfirmUnit* out) const;

  // Stores an upload's result under a fresh ReceptionNumber ("R" + JST date + 8 digits).
  absl::StatusOr<std::string> StoreReception(
      DocumentKind upload_kind, std::shared_ptr<const google::protobuf::Message> result,
      size_t records, absl::Time now) const;

  sim::v1::Dataset dataset_;
  ResponderOptions options_;
  PatientIndex index_;
  std::unique_ptr<SimState> own_state_;
  SimState* state_;

  mutable std::mutex mu_;
  mutable std::map<std::string, Reception> receptions_;  // guarded by mu_
  mutable std::deque<std::string> reception_order_;      // guarded by mu_
  mutable size_t kept_records_ = 0;                      // guarded by mu_
};

// `time` as YYYYMMDDhhmmss in JST (UTC+9, no daylight saving).
std::string FormatJst(absl::Time time);

// An encoded answer cut off in the middle, at the end of an element tag, so that it is never
// well-formed yet stays valid in its encoding (a PDF: cut in the middle, without its %%EOF).
std::string TruncateDocument(absl::string_view encoded);

// A copy of `document` (an answer of any kind) with its ArbitraryFileIdentifier replaced
// (--fault=orphan writes such a copy under `file_id`). Thread-safe.
std::shared_ptr<const google::protobuf::Message> WithFileId(
    const google::protobuf::Message& document, const std::string& file_id);

// The 医療機関コード --fault=other-institution writes instead of `ours` (another valid-looking
// 10-digit code).
std::string OtherInstitution(absl::string_view ours);

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_RESPONDER_H_
