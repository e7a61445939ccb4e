// The responder's two-phase kinds: 一括照会 (OQSmuquc01/02) and 照会番号 registration, single
// (OQSsiimm01) and bulk (OQSmuimm01/02).

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/terminal_sim/responder.h"
#include "adapters/terminal_sim/responder_util.h"
#include "plugin/common/log.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"
#include "plugin/core/text.h"
#include "plugin/core/validation.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using internal::AnswerReply;
using internal::ApplyAnswerFaults;
using internal::RejectReply;
using internal::SilentReply;

constexpr absl::string_view kLog = "terminal_sim";
constexpr absl::string_view kUnknownReceptionMessage = "指定された受付番号の処理結果はありません。";
constexpr absl::string_view kStateErrorMessage =
    "登録処理中にエラーが発生しました。しばらく時間をおいてから再度登録してください。";
constexpr absl::string_view kReferenceTooLongMessage = "照会番号は50文字以内で指定してください。";
constexpr absl::string_view kReferenceTakenMessage = "この照会番号は別の方に登録されています。";
constexpr size_t kMaxReferenceNumberLength = 50;

// Header checks every request of these kinds shares: the 医療機関コード present, well-formed and
// ours. Returns the .err code, or empty.
absl::string_view CheckInstitution(const std::string& code, const std::string& ours) {
  if (code.empty()) return kRejectMissingElement;
  if (!IsMedicalInstitutionCode(code)) return kRejectBadValue;
  if (code != ours) return kRejectOtherInstitution;
  return {};
}

// The outcome of one 照会番号 registration record.
struct Registration {
  ov1::ProcessingResultStatus status = ov1::PROCESSING_RESULT_STATUS_NORMAL;
  std::string code;
  std::string message;
  // The person it registers for (status NORMAL).
  std::string scenario;
};

void Fail(absl::string_view code, absl::string_view message, Registration* r) {
  r->status = ov1::PROCESSING_RESULT_STATUS_ERROR;
  r->code = std::string(code);
  r->message = std::string(message);
}

}  // namespace

absl::StatusOr<std::string> Responder::StoreReception(
    DocumentKind upload_kind, std::shared_ptr<const google::protobuf::Message> result,
    size_t records, absl::Time now) const {
  absl::StatusOr<int64_t> sequence = state_->NextReceptionSequence();
  if (!sequence.ok()) return sequence.status();
  char digits[16];
  std::snprintf(digits, sizeof(digits), "%08lld", static_cast<long long>(*sequence % 100000000));
  std::string number = absl::StrCat("R", internal::JstDate(now), digits);
  std::lock_guard<std::mutex> lock(mu_);
  receptions_[number] =
      Reception{upload_kind, std::chrono::steady_clock::now(), std::move(result), records};
  reception_order_.push_back(number);
  kept_records_ += records;
  while (kept_records_ > options_.max_kept_bulk_records && reception_order_.size() > 1) {
    auto oldest = receptions_.find(reception_order_.front());
    if (oldest != receptions_.end()) {
      kept_records_ -= oldest->second.records;
      receptions_.erase(oldest);
    }
    reception_order_.pop_front();
  }
  return number;
}

// ---- 一括照会 -----------------------------------------------------------------------------

Reply Responder::HandleBatchUpload(const ov1::BatchQualificationRequestDocument& request,
                                   absl::Time now) const {
  if (request.qualification_confirmation_date().empty() || request.search_infos().empty()) {
    return RejectReply(kRejectMissingElement);
  }
  if (!ParseDate(request.qualification_confirmation_date()).has_value()) {
    return RejectReply(kRejectBadValue);
  }
  if (absl::string_view code =
          CheckInstitution(request.medical_institution_code(), options_.institution_code);
      !code.empty()) {
    return RejectReply(code);
  }
  const Fault fault = options_.fault.For(FaultScope::kBatch);
  if (fault == Fault::kReject) return RejectReply(kRejectByFault);
  if (fault == Fault::kSilent) return SilentReply();

  auto receipt = std::make_shared<ov1::BulkReceiptDocument>();
  const std::string process_time = FormatJst(now);
  receipt->set_process_execution_time(process_time);
  receipt->set_medical_institution_code(request.medical_institution_code());
  receipt->set_arbitrary_file_identifier(request.arbitrary_file_identifier());
  Reply reply = AnswerReply(DocumentKind::kBatchReceipt, receipt, options_);
  if (fault == Fault::kReceiptError) {
    receipt->set_segment_of_result(ov1::SEGMENT_OF_RESULT_FAILED);
    receipt->set_error_code(std::string(kFaultErrorCode));
    receipt->set_error_message(std::string(internal::kTerminalErrorMessage));
    reply.summary = "upload refused (receipt-error)";
    return reply;
  }

  // The terminal processes the upload at once; the downloads show the result once the
  // processing time has passed.
  auto result = std::make_shared<ov1::BatchQualificationResultDocument>();
  result->mutable_units()->Reserve(request.search_infos_size());
  int64_t normal = 0;
  for (const ov1::QualificationSearchInfo& search : request.search_infos()) {
    ov1::BatchConfirmUnit* unit = result->add_units();
    *unit->mutable_search_info() = search;
    const ov1::InsuranceIdentifiers& ids = search.identifiers();
    // Per-record problems do not fail the file: they become the unit's error.
    if (ids.insurer_number().empty() || ids.insured_identification_number().empty() ||
        search.birth_date().empty() ||
        search.limit_certificate_consent() == ov1::CONSENT_FLAG_UNSPECIFIED) {
      unit->set_processing_result_status(ov1::PROCESSING_RESULT_STATUS_ERROR);
      unit->set_processing_result_code(std::string(kRecordMissingElement));
      unit->set_processing_result_message(std::string(internal::kMissingElementMessage));
      continue;
    }
    if (!ParseDate(search.birth_date()).has_value() ||
        !internal::IsInsurerNumberForm(ids.insurer_number()) ||
        (search.limit_certificate_consent() != ov1::CONSENT_FLAG_GIVEN &&
         search.limit_certificate_consent() != ov1::CONSENT_FLAG_NOT_GIVEN)) {
      unit->set_processing_result_status(ov1::PROCESSING_RESULT_STATUS_ERROR);
      unit->set_processing_result_code(std::string(kRecordBadValue));
      unit->set_processing_result_message(std::string(internal::kBadValueMessage));
      continue;
    }
    const v1::Patient* patient = AnswerPerson(search, process_time, /*batch=*/true, unit);
    if (patient != nullptr && patient->behavior() == v1::BEHAVIOR_TERMINAL_ERROR) {
      // The one behaviour that has a per-record form: that person's lookup failed.
      unit->clear_records();
      unit->clear_reference_number();
      unit->clear_qualification_validity();
      unit->set_processing_result_status(ov1::PROCESSING_RESULT_STATUS_ERROR);
      unit->set_processing_result_code(
          patient->error_code().empty() ? std::string(kTerminalErrorCode) : patient->error_code());
      unit->set_processing_result_message(patient->error_message().empty()
                                              ? std::string(internal::kTerminalErrorMessage)
                                              : patient->error_message());
    }
    if (unit->processing_result_status() == ov1::PROCESSING_RESULT_STATUS_NORMAL) ++normal;
  }
  const int64_t count = result->units_size();
  result->set_number_of_processing_result(count);
  result->set_number_of_normal_processing(normal);
  result->set_number_of_error(count - normal);

  absl::StatusOr<std::string> number =
      StoreReception(DocumentKind::kBatchUpload, result, static_cast<size_t>(count), now);
  if (!number.ok()) {
    Log(LogLevel::kError, kLog, "batch upload ", request.arbitrary_file_identifier(),
        " not stored: ", ReasonOf(number.status()));
    receipt->set_segment_of_result(ov1::SEGMENT_OF_RESULT_FAILED);
    receipt->set_error_code(std::string(kStateErrorCode));
    receipt->set_error_message(std::string(kStateErrorMessage));
    return reply;
  }
  receipt->set_reception_number(*number);
  receipt->set_reception_date_time(process_time);
  reply.summary = absl::StrCat("reception ", *number, ", ", count, " records (", normal,
                               " normal, ", count - normal, " errors)");
  ApplyAnswerFaults(fault, options_, &reply);
  return reply;
}

Reply Responder::HandleBulkResultRequest(DocumentKind kind,
                                         const ov1::BulkResultRequestDocument& request,
                                         absl::Time now) const {
  if (request.reception_number().empty()) return RejectReply(kRejectMissingElement);
  if (absl::string_view code =
          CheckInstitution(request.medical_institution_code(), options_.institution_code);
      !code.empty()) {
    return RejectReply(code);
  }
  const bool batch = kind == DocumentKind::kBatchResultRequest;
  const Fault fault = options_.fault.For(kind);
  if (fault == Fault::kReject) return RejectReply(kRejectByFault);
  if (fault == Fault::kSilent) return SilentReply();

  std::shared_ptr<const google::protobuf::Message> stored;
  bool processing = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = receptions_.find(request.reception_number());
    const DocumentKind upload =
        batch ? DocumentKind::kBatchUpload : DocumentKind::kBulkReferenceNumberUpload;
    if (it != receptions_.end() && it->second.upload_kind == upload) {
      stored = it->second.result;
      processing = std::chrono::steady_clock::now() <
                   it->second.uploaded + absl::ToChronoNanoseconds(options_.batch_processing_time);
    }
  }

  // The header both result types share; the segment decides the rest.
  ov1::SegmentOfResult segment = ov1::SEGMENT_OF_RESULT_COMPLETED;
  absl::string_view error_code;
  absl::string_view error_message;
  if (stored == nullptr) {
    segment = ov1::SEGMENT_OF_RESULT_FAILED;
    error_code = kUnknownReceptionCode;
    error_message = kUnknownReceptionMessage;
  } else if (fault == Fault::kError) {
    segment = ov1::SEGMENT_OF_RESULT_FAILED;
    error_code = kFaultErrorCode;
    error_message = internal::kTerminalErrorMessage;
  } else if (processing || fault == Fault::kProcessingForever) {
    segment = ov1::SEGMENT_OF_RESULT_PROCESSING;
  }

  std::shared_ptr<google::protobuf::Message> answer;
  if (batch) {
    auto doc =
        segment == ov1::SEGMENT_OF_RESULT_COMPLETED
            ? std::make_shared<ov1::BatchQualificationResultDocument>(
                  *google::protobuf::DynamicCastToGenerated<ov1::BatchQualificationResultDocument>(
                      stored.get()))
            : std::make_shared<ov1::BatchQualificationResultDocument>();
    doc->set_process_execution_time(FormatJst(now));
    doc->set_medical_institution_code(request.medical_institution_code());
    doc->set_arbitrary_file_identifier(request.arbitrary_file_identifier());
    doc->set_reception_number(request.reception_number());
    doc->set_segment_of_result(segment);
    doc->set_error_code(std::string(error_code));
    doc->set_error_message(std::string(error_message));
    answer = std::move(doc);
  } else {
    auto doc =
        segment == ov1::SEGMENT_OF_RESULT_COMPLETED
            ? std::make_shared<ov1::BulkReferenceNumberResultDocument>(
                  *google::protobuf::DynamicCastToGenerated<ov1::BulkReferenceNumberResultDocument>(
                      stored.get()))
            : std::make_shared<ov1::BulkReferenceNumberResultDocument>();
    doc->set_process_execution_time(FormatJst(now));
    doc->set_medical_institution_code(request.medical_institution_code());
    doc->set_arbitrary_file_identifier(request.arbitrary_file_identifier());
    doc->set_reception_number(request.reception_number());
    doc->set_segment_of_result(segment);
    doc->set_error_code(std::string(error_code));
    doc->set_error_message(std::string(error_message));
    answer = std::move(doc);
  }
  Reply reply = AnswerReply(AnswerKindOf(kind).value_or(DocumentKind::kBatchResult),
                            std::move(answer), options_);
  reply.summary = absl::StrCat("reception ", request.reception_number(), ": ",
                               segment == ov1::SEGMENT_OF_RESULT_COMPLETED    ? "complete"
                               : segment == ov1::SEGMENT_OF_RESULT_PROCESSING ? "processing"
                                                                              : "failed");
  if (fault != Fault::kError) ApplyAnswerFaults(fault, options_, &reply);
  return reply;
}

// ---- 照会番号 registration ------------------------------------------------------------------

namespace {

// Judges one registration against the dataset and what is already registered (`taken`: number
// → scenario, including the earlier records of the same upload).
Registration Judge(const ov1::ReferenceNumberRegistration& r, const PatientIndex& index,
                   const std::map<std::string, std::string>& taken) {
  Registration out;
  const ov1::InsuranceIdentifiers& ids = r.identifiers();
  if (r.reference_number().empty() || ids.insurer_number().empty() ||
      ids.insured_identification_number().empty()) {
    Fail(kRecordMissingElement, internal::kMissingElementMessage, &out);
    return out;
  }
  if (!internal::IsInsurerNumberForm(ids.insurer_number()) || !IsValidUtf8(r.reference_number()) ||
      HasControlChars(r.reference_number())) {
    Fail(kRecordBadValue, internal::kBadValueMessage, &out);
    return out;
  }
  if (Utf8Length(r.reference_number()) > kMaxReferenceNumberLength) {
    Fail(kReferenceTooLongCode, kReferenceTooLongMessage, &out);
    return out;
  }
  const std::vector<const v1::Patient*> people = index.FindByIdentifiers(ids);
  if (people.empty()) {
    Fail(kNotFoundCode, internal::kNotFoundMessage, &out);
    return out;
  }
  if (people.size() > 1) {
    Fail(kAmbiguousCode, internal::kAmbiguousMessage, &out);
    return out;
  }
  auto holder = taken.find(r.reference_number());
  if (holder != taken.end() && holder->second != people[0]->scenario()) {
    Fail(kReferenceTakenCode, kReferenceTakenMessage, &out);
    return out;
  }
  out.scenario = people[0]->scenario();
  return out;
}

// number → scenario, of everything `institution` registered.
std::map<std::string, std::string> TakenNumbers(const v1::State& state,
                                                const std::string& institution) {
  std::map<std::string, std::string> taken;
  auto inst = state.institutions().find(institution);
  if (inst == state.institutions().end()) return taken;
  for (const auto& [scenario, number] : inst->second.reference_numbers()) {
    taken[number] = scenario;
  }
  return taken;
}

// Registers the successful ones among `registrations` (judged in order) in one durable update.
// On a state error every successful one becomes a terminal error (nothing was registered).
std::vector<Registration> RegisterAll(
    const google::protobuf::RepeatedPtrField<ov1::ReferenceNumberRegistration>& registrations,
    const PatientIndex& index, const std::string& institution, SimState& state) {
  std::vector<Registration> outcomes;
  outcomes.reserve(registrations.size());
  std::map<std::string, std::string> taken = TakenNumbers(state.Snapshot(), institution);
  std::map<std::string, std::string> registered;  // scenario → number, in order
  for (const ov1::ReferenceNumberRegistration& r : registrations) {
    Registration outcome = Judge(r, index, taken);
    if (outcome.status == ov1::PROCESSING_RESULT_STATUS_NORMAL) {
      // A person gets one number: a new one replaces the old (which becomes free).
      for (auto it = taken.begin(); it != taken.end();) {
        it = it->second == outcome.scenario ? taken.erase(it) : std::next(it);
      }
      taken[r.reference_number()] = outcome.scenario;
      registered[outcome.scenario] = r.reference_number();
    }
    outcomes.push_back(std::move(outcome));
  }
  if (registered.empty()) return outcomes;
  absl::Status stored = state.Update([&](v1::State& s) {
    auto* numbers = (*s.mutable_institutions())[institution].mutable_reference_numbers();
    for (const auto& [scenario, number] : registered) (*numbers)[scenario] = number;
  });
  if (!stored.ok()) {
    Log(LogLevel::kError, kLog, "照会番号 registrations not stored: ", ReasonOf(stored));
    for (Registration& outcome : outcomes) {
      if (outcome.status == ov1::PROCESSING_RESULT_STATUS_NORMAL) {
        Fail(kStateErrorCode, kStateErrorMessage, &outcome);
      }
    }
  }
  return outcomes;
}

}  // namespace

Reply Responder::HandleReferenceNumber(const ov1::ReferenceNumberRequestDocument& request,
                                       absl::Time now) const {
  if (!request.has_registration()) return RejectReply(kRejectMissingElement);
  if (absl::string_view code =
          CheckInstitution(request.medical_institution_code(), options_.institution_code);
      !code.empty()) {
    return RejectReply(code);
  }
  const Fault fault = options_.fault.For(FaultScope::kReference);
  if (fault == Fault::kReject) return RejectReply(kRejectByFault);
  if (fault == Fault::kSilent) return SilentReply();

  auto answer = std::make_shared<ov1::ReferenceNumberResultDocument>();
  answer->set_process_execution_time(FormatJst(now));
  answer->set_medical_institution_code(request.medical_institution_code());
  answer->set_arbitrary_file_identifier(request.arbitrary_file_identifier());
  Reply reply = AnswerReply(DocumentKind::kReferenceNumberResult, answer, options_);
  if (fault == Fault::kError) {
    answer->set_segment_of_result(ov1::SEGMENT_OF_RESULT_FAILED);
    answer->set_error_code(std::string(kFaultErrorCode));
    answer->set_error_message(std::string(internal::kTerminalErrorMessage));
    reply.summary = "failed (fault)";
    return reply;
  }
  google::protobuf::RepeatedPtrField<ov1::ReferenceNumberRegistration> one;
  *one.Add() = request.registration();
  const Registration outcome = RegisterAll(one, index_, options_.institution_code, *state_).front();
  answer->set_segment_of_result(ov1::SEGMENT_OF_RESULT_COMPLETED);
  answer->set_processing_result_status(outcome.status);
  answer->set_processing_result_code(outcome.code);
  answer->set_processing_result_message(outcome.message);
  reply.scenario = outcome.scenario;
  reply.summary = outcome.code.empty() ? "registered" : absl::StrCat("refused: ", outcome.code);
  ApplyAnswerFaults(fault, options_, &reply);
  return reply;
}

Reply Responder::HandleBulkReferenceUpload(const ov1::BulkReferenceNumberRequestDocument& request,
                                           absl::Time now) const {
  if (request.registrations().empty()) return RejectReply(kRejectMissingElement);
  if (absl::string_view code =
          CheckInstitution(request.medical_institution_code(), options_.institution_code);
      !code.empty()) {
    return RejectReply(code);
  }
  const Fault fault = options_.fault.For(FaultScope::kBulkReference);
  if (fault == Fault::kReject) return RejectReply(kRejectByFault);
  if (fault == Fault::kSilent) return SilentReply();

  auto receipt = std::make_shared<ov1::BulkReceiptDocument>();
  const std::string process_time = FormatJst(now);
  receipt->set_process_execution_time(process_time);
  receipt->set_medical_institution_code(request.medical_institution_code());
  receipt->set_arbitrary_file_identifier(request.arbitrary_file_identifier());
  Reply reply = AnswerReply(DocumentKind::kBulkReferenceNumberReceipt, receipt, options_);
  if (fault == Fault::kReceiptError) {
    receipt->set_segment_of_result(ov1::SEGMENT_OF_RESULT_FAILED);
    receipt->set_error_code(std::string(kFaultErrorCode));
    receipt->set_error_message(std::string(internal::kTerminalErrorMessage));
    reply.summary = "upload refused (receipt-error)";
    return reply;
  }

  // Registered at once (so a check-in during processing already carries the number); the
  // outcomes are downloadable once the processing time has passed.
  const std::vector<Registration> outcomes =
      RegisterAll(request.registrations(), index_, options_.institution_code, *state_);
  auto result = std::make_shared<ov1::BulkReferenceNumberResultDocument>();
  int normal = 0;
  for (int i = 0; i < request.registrations_size(); ++i) {
    ov1::ReferenceNumberUnit* unit = result->add_units();
    *unit->mutable_registration() = request.registrations(i);
    unit->set_processing_result_status(outcomes[i].status);
    unit->set_processing_result_code(outcomes[i].code);
    unit->set_processing_result_message(outcomes[i].message);
    if (outcomes[i].status == ov1::PROCESSING_RESULT_STATUS_NORMAL) ++normal;
  }
  absl::StatusOr<std::string> number =
      StoreReception(DocumentKind::kBulkReferenceNumberUpload, result, outcomes.size(), now);
  if (!number.ok()) {
    receipt->set_segment_of_result(ov1::SEGMENT_OF_RESULT_FAILED);
    receipt->set_error_code(std::string(kStateErrorCode));
    receipt->set_error_message(std::string(kStateErrorMessage));
    return reply;
  }
  receipt->set_reception_number(*number);
  receipt->set_reception_date_time(process_time);
  reply.summary = absl::StrCat("reception ", *number, ", ", outcomes.size(), " registrations (",
                               normal, " registered)");
  ApplyAnswerFaults(fault, options_, &reply);
  return reply;
}

}  // namespace onshi::sim
