// The responder's common part: dispatch by kind, the 個別照会 (and the per-person answer the
// 一括照会 shares), card-reader check-ins, and the helpers every kind uses.

#include "adapters/terminal_sim/responder.h"

#include <fcntl.h>
#include <sys/random.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "adapters/terminal_sim/responder_util.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"
#include "plugin/core/text.h"
#include "plugin/core/validation.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using internal::kNotFoundMessage;
using internal::kTerminalErrorMessage;

Plan RejectPlan(absl::string_view code) {
  Plan plan;
  plan.action = Plan::Action::kReject;
  plan.reject_code = std::string(code);
  return plan;
}

// The header every 個別照会 answer carries: the request's identifiers echoed, the terminal's
// clock.
ov1::QualificationResult AnswerHeader(const ov1::QualificationRequestDocument& request,
                                      absl::Time now) {
  ov1::QualificationResult answer;
  answer.set_process_execution_time(FormatJst(now));
  answer.set_qualification_confirmation_date(request.qualification_confirmation_date());
  answer.set_medical_institution_code(request.medical_institution_code());
  answer.set_arbitrary_file_identifier(request.arbitrary_file_identifier());
  answer.set_reference_classification(ov1::REFERENCE_CLASSIFICATION_INSURANCE_CARD);
  return answer;
}

void MakeTerminalError(absl::string_view code, absl::string_view message,
                       ov1::QualificationResult* answer) {
  answer->set_segment_of_result(ov1::SEGMENT_OF_RESULT_FAILED);
  answer->set_error_code(std::string(code));
  answer->set_error_message(std::string(message));
}

// What is wrong with one QualificationConfirmSearchInfo, if anything.
enum class RecordProblem { kNone, kMissing, kBad };

RecordProblem CheckSearchInfo(const ov1::QualificationSearchInfo& search) {
  const ov1::InsuranceIdentifiers& ids = search.identifiers();
  if (ids.insurer_number().empty() || ids.insured_identification_number().empty() ||
      search.birth_date().empty() ||
      search.limit_certificate_consent() == ov1::CONSENT_FLAG_UNSPECIFIED) {
    return RecordProblem::kMissing;
  }
  if (!ParseDate(search.birth_date()).has_value() ||
      !internal::IsInsurerNumberForm(ids.insurer_number()) ||
      (search.limit_certificate_consent() != ov1::CONSENT_FLAG_GIVEN &&
       search.limit_certificate_consent() != ov1::CONSENT_FLAG_NOT_GIVEN)) {
    return RecordProblem::kBad;
  }
  return RecordProblem::kNone;
}

// Random bytes from the kernel (for face ids; the simulator's randomness needs no more).
std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    const ssize_t r = ::getrandom(out.data() + got, n - got, 0);
    if (r > 0) got += static_cast<size_t>(r);
  }
  return out;
}

void SetConsent(const ov1::Consent& from, ov1::Consent* to) { *to = from; }

// A person the dataset does not know, for a check-in of an unknown person: the card documented
// as "not found" (docs/simulator.md), so no onshi record built from the dataset knows them.
const v1::Patient& UnknownPerson() {
  static const v1::Patient* const person = [] {
    auto* p = new v1::Patient();
    p->mutable_card()->set_insurer_number("01139013");
    p->mutable_card()->set_insured_card_symbol("9999");
    p->mutable_card()->set_insured_identification_number("999");
    p->mutable_card()->set_insured_branch_number("00");
    p->set_birth_date("19800115");
    p->set_validity(ov1::QUALIFICATION_VALIDITY_VALID);
    ov1::QualificationRecord* r = p->add_records();
    r->set_insured_card_classification("01");
    *r->mutable_identifiers() = p->card();
    r->set_personal_family_classification("1");
    r->set_insured_name("試験　不明");
    r->set_name("試験　不明");
    r->set_name_kana("ｼｹﾝ ﾌﾒｲ");
    r->set_sex1("1");
    r->set_birth_date("19800115");
    r->set_address("東京都千代田区試験町九丁目９番９号");
    r->set_post_number("100-0009");
    r->set_qualification_date("20200401");
    r->set_insured_certificate_issuance_date("20200401");
    r->set_insured_card_valid_date("20200401");
    r->set_insurer_name("全国健康保険協会　試験支部");
    return p;
  }();
  return *person;
}

}  // namespace

// ---- helpers shared by the responder's parts --------------------------------------------------

namespace internal {

Reply RejectReply(absl::string_view code) {
  Reply reply;
  reply.action = Reply::Action::kReject;
  reply.reject_code = std::string(code);
  return reply;
}

Reply SilentReply() {
  Reply reply;
  reply.action = Reply::Action::kSilent;
  reply.summary = "taken, never answered";
  return reply;
}

Reply AnswerReply(DocumentKind kind, std::shared_ptr<const google::protobuf::Message> document,
                  const ResponderOptions& options) {
  Reply reply;
  reply.action = Reply::Action::kAnswer;
  reply.kind = kind;
  reply.document = std::move(document);
  reply.encoding = options.encoding;
  reply.latency = options.latency;
  return reply;
}

oqs::Encoding EncodingFor(const v1::Patient* patient, oqs::Encoding fallback) {
  if (patient == nullptr) return fallback;
  switch (patient->encoding()) {
    case v1::ANSWER_ENCODING_UTF8:
      return oqs::Encoding::kUtf8;
    case v1::ANSWER_ENCODING_SHIFT_JIS:
      return oqs::Encoding::kShiftJis;
    default:
      return fallback;
  }
}

bool IsInsurerNumberForm(absl::string_view insurer_number) {
  const std::string folded(absl::StripAsciiWhitespace(FoldWidth(insurer_number)));
  return IsAsciiDigits(folded) && (folded.size() == 6 || folded.size() == 8);
}

bool IsYearMonth(absl::string_view yyyymm) {
  return yyyymm.size() == 6 && ParseDate(absl::StrCat(yyyymm, "01")).has_value();
}

std::string JstDate(absl::Time time) { return FormatJst(time).substr(0, 8); }

void ApplyAnswerFaults(Fault fault, const ResponderOptions& options, Reply* reply) {
  if (reply->action != Reply::Action::kAnswer) return;
  switch (fault) {
    case Fault::kLate:
      reply->latency = options.late_delay;
      break;
    case Fault::kMalformedAnswer:
      reply->malformed = true;
      break;
    case Fault::kOtherInstitution:
      if (reply->document != nullptr) {
        std::unique_ptr<google::protobuf::Message> copy(reply->document->New());
        copy->CopyFrom(*reply->document);
        const google::protobuf::FieldDescriptor* field =
            copy->GetDescriptor()->FindFieldByName("medical_institution_code");
        if (field != nullptr) {
          copy->GetReflection()->SetString(copy.get(), field,
                                           OtherInstitution(options.institution_code));
        }
        reply->document = std::shared_ptr<const google::protobuf::Message>(std::move(copy));
      }
      break;
    case Fault::kSlowWrite:
    case Fault::kDuplicate:
    case Fault::kDuplicateRenamed:
    case Fault::kOrphan:
      reply->write_fault = fault;
      break;
    default:
      break;
  }
}

}  // namespace internal

std::string FormatJst(absl::Time time) {
  static const absl::TimeZone kJst = absl::FixedTimeZone(9 * 60 * 60);
  return absl::FormatTime("%Y%m%d%H%M%S", time, kJst);
}

std::string TruncateDocument(absl::string_view encoded) {
  // Cut right after a '>' near the middle: the root element is then never closed, and no
  // multi-byte character is split (in UTF-8 and in Shift_JIS '>' is never a trail byte). A PDF
  // cut there has lost its cross-reference table and %%EOF.
  size_t cut = encoded.size() / 2;
  const size_t gt = encoded.find('>', cut);
  cut = gt == absl::string_view::npos ? cut : gt + 1;
  if (cut >= encoded.size()) cut = encoded.size() / 2;
  return std::string(encoded.substr(0, cut));
}

std::shared_ptr<const google::protobuf::Message> WithFileId(
    const google::protobuf::Message& document, const std::string& file_id) {
  std::unique_ptr<google::protobuf::Message> copy(document.New());
  copy->CopyFrom(document);
  const google::protobuf::FieldDescriptor* field =
      copy->GetDescriptor()->FindFieldByName("arbitrary_file_identifier");
  if (field != nullptr) copy->GetReflection()->SetString(copy.get(), field, file_id);
  return std::shared_ptr<const google::protobuf::Message>(std::move(copy));
}

std::string OtherInstitution(absl::string_view ours) {
  return ours == "1399999994" ? "1399999986" : "1399999994";
}

// ---- the Responder --------------------------------------------------------------------------

Responder::Responder(sim::v1::Dataset dataset, ResponderOptions options, SimState* state)
    : dataset_(std::move(dataset)),
      options_(std::move(options)),
      index_(dataset_),
      own_state_(state == nullptr ? std::make_unique<SimState>() : nullptr),
      state_(state == nullptr ? own_state_.get() : state) {}

Plan Responder::Respond(absl::string_view request_bytes, absl::Time now) const {
  absl::StatusOr<ov1::QualificationRequestDocument> request =
      oqs::DecodeQualificationRequest(request_bytes);
  if (!request.ok()) {
    Plan plan = RejectPlan(kRejectUndecodable);
    plan.undecodable = true;
    return plan;
  }
  return RespondTo(*request, now);
}

v1::PatientConsents Responder::CurrentConsents(const v1::Patient& patient) const {
  if (std::optional<v1::PatientConsents> recorded =
          state_->Consents(options_.institution_code, patient.scenario())) {
    return *std::move(recorded);
  }
  v1::PatientConsents consents;
  if (patient.records_size() > 0) {
    const ov1::QualificationRecord& r = patient.records(0);
    *consents.mutable_specific_diseases() = r.specific_diseases_consent();
    *consents.mutable_specific_health_checkups() = r.specific_health_checkups_consent();
    *consents.mutable_pharmacists_info() = r.pharmacists_info_consent();
    *consents.mutable_diagnosis_info() = r.diagnosis_info_consent();
    *consents.mutable_operation_info() = r.operation_info_consent();
  }
  return consents;
}

const v1::Patient* Responder::AnswerPerson(const ov1::QualificationSearchInfo& search,
                                           const std::string& process_time, bool batch,
                                           ov1::BatchConfirmUnit* out) const {
  const v1::Patient* patient = index_.FindByCard(search.identifiers(), search.birth_date());
  if (patient == nullptr) {
    out->set_processing_result_status(ov1::PROCESSING_RESULT_STATUS_ERROR);
    out->set_processing_result_code(std::string(kNotFoundCode));
    out->set_processing_result_message(std::string(kNotFoundMessage));
    out->set_qualification_validity(ov1::QUALIFICATION_VALIDITY_NOT_FOUND);
    return nullptr;
  }
  out->set_processing_result_status(ov1::PROCESSING_RESULT_STATUS_NORMAL);
  out->set_processing_result_code(patient->processing_result_code());
  out->set_processing_result_message(patient->processing_result_message());
  out->set_qualification_validity(patient->validity());
  const std::optional<std::string> reference =
      state_->ReferenceNumber(options_.institution_code, patient->scenario());
  const std::optional<v1::PatientConsents> checked_in =
      state_->Consents(options_.institution_code, patient->scenario());
  const bool consented = search.limit_certificate_consent() == ov1::CONSENT_FLAG_GIVEN;
  for (const ov1::QualificationRecord& stored : patient->records()) {
    ov1::QualificationRecord* record = out->add_records();
    *record = stored;
    // §7: 限度額 information leaves the terminal only with the patient's consent on this
    // request; the consent is echoed on every record.
    ov1::Consent* consent = record->mutable_limit_certificate_consent();
    if (consented) {
      consent->set_flag(ov1::CONSENT_FLAG_GIVEN);
      consent->set_consent_time(process_time);
      if (batch)
        record->set_limit_certificate_changed(patient->limit_certificate_changed() ? "1" : "0");
    } else {
      consent->set_flag(ov1::CONSENT_FLAG_NOT_GIVEN);
      record->clear_limit_certificate();
    }
    // The viewing consents the terminal knows are those of the latest check-in.
    if (checked_in.has_value()) {
      SetConsent(checked_in->specific_health_checkups(),
                 record->mutable_specific_health_checkups_consent());
      SetConsent(checked_in->pharmacists_info(), record->mutable_pharmacists_info_consent());
      SetConsent(checked_in->diagnosis_info(), record->mutable_diagnosis_info_consent());
      SetConsent(checked_in->operation_info(), record->mutable_operation_info_consent());
    }
    if (reference.has_value() && !batch) record->set_reference_number(*reference);
    if (!search.arbitrary_identifier().empty()) {
      record->set_arbitrary_identifier(search.arbitrary_identifier());
    }
  }
  if (reference.has_value() && batch) out->set_reference_number(*reference);
  return patient;
}

Plan Responder::RespondTo(const ov1::QualificationRequestDocument& request, absl::Time now) const {
  const ov1::QualificationSearchInfo& search = request.search_info();
  const RecordProblem problem = CheckSearchInfo(search);

  // What the terminal needs to run the query at all.
  if (request.qualification_confirmation_date().empty() ||
      request.medical_institution_code().empty() || problem == RecordProblem::kMissing) {
    return RejectPlan(kRejectMissingElement);
  }
  if (!ParseDate(request.qualification_confirmation_date()).has_value() ||
      !IsMedicalInstitutionCode(request.medical_institution_code()) ||
      problem == RecordProblem::kBad) {
    return RejectPlan(kRejectBadValue);
  }
  if (request.medical_institution_code() != options_.institution_code) {
    return RejectPlan(kRejectOtherInstitution);
  }
  const Fault fault = options_.fault.For(FaultScope::kQualification);
  if (fault == Fault::kReject) return RejectPlan(kRejectByFault);

  const v1::Patient* patient = index_.FindByCard(search.identifiers(), search.birth_date());
  Plan plan;
  plan.action = Plan::Action::kAnswer;
  plan.encoding = internal::EncodingFor(patient, options_.encoding);
  plan.latency = options_.latency;
  if (patient != nullptr) {
    plan.scenario = patient->scenario();
    if (patient->has_latency_ms()) plan.latency = absl::Milliseconds(patient->latency_ms());
  }

  v1::Behavior behavior = patient != nullptr ? patient->behavior() : v1::BEHAVIOR_NORMAL;
  switch (fault) {
    case Fault::kSilent:
      behavior = v1::BEHAVIOR_SILENT;
      break;
    case Fault::kError:
      behavior = v1::BEHAVIOR_TERMINAL_ERROR;
      break;
    case Fault::kMalformedAnswer:
      behavior = v1::BEHAVIOR_MALFORMED_ANSWER;
      break;
    default:
      break;
  }

  switch (behavior) {
    case v1::BEHAVIOR_SILENT:
      plan.action = Plan::Action::kSilent;
      return plan;
    case v1::BEHAVIOR_REJECT_REQUEST: {
      Plan reject = RejectPlan(kRejectByScenario);
      reject.scenario = plan.scenario;
      return reject;
    }
    case v1::BEHAVIOR_TERMINAL_ERROR: {
      plan.answer = AnswerHeader(request, now);
      if (fault == Fault::kError || patient == nullptr) {
        MakeTerminalError(kFaultErrorCode, kTerminalErrorMessage, &plan.answer);
      } else {
        MakeTerminalError(
            patient->error_code().empty() ? kTerminalErrorCode : patient->error_code(),
            patient->error_message().empty() ? kTerminalErrorMessage : patient->error_message(),
            &plan.answer);
      }
      return plan;
    }
    case v1::BEHAVIOR_MALFORMED_ANSWER:
      plan.malformed = true;
      break;
    default:
      break;
  }

  ov1::QualificationResult& answer = plan.answer;
  answer = AnswerHeader(request, now);
  answer.set_segment_of_result(ov1::SEGMENT_OF_RESULT_COMPLETED);
  *answer.mutable_search_info() = search;
  ov1::BatchConfirmUnit person;
  AnswerPerson(search, answer.process_execution_time(), /*batch=*/false, &person);
  answer.set_processing_result_status(person.processing_result_status());
  answer.set_processing_result_code(person.processing_result_code());
  answer.set_processing_result_message(person.processing_result_message());
  answer.set_qualification_validity(person.qualification_validity());
  answer.mutable_records()->Swap(person.mutable_records());
  return plan;
}

Reply Responder::HandleQualification(const ov1::QualificationRequestDocument& request,
                                     absl::Time now) const {
  Plan plan = RespondTo(request, now);
  Reply reply;
  reply.action = plan.action;
  reply.kind = DocumentKind::kQualificationAnswer;
  reply.reject_code = std::move(plan.reject_code);
  reply.encoding = plan.encoding;
  reply.latency = plan.latency;
  reply.malformed = plan.malformed;
  reply.scenario = std::move(plan.scenario);
  if (plan.action == Plan::Action::kAnswer) {
    reply.document = std::make_shared<const ov1::QualificationResult>(std::move(plan.answer));
    const Fault fault = options_.fault.For(FaultScope::kQualification);
    // kSilent, kError and kMalformedAnswer are decided above, per behaviour.
    if (fault != Fault::kMalformedAnswer) internal::ApplyAnswerFaults(fault, options_, &reply);
  } else if (plan.action == Plan::Action::kSilent) {
    reply.summary = "taken, never answered";
  }
  return reply;
}

Reply Responder::Handle(DocumentKind kind, absl::string_view request_bytes, absl::Time now) const {
  if (!IsRequestKind(kind)) return internal::RejectReply(kRejectUndecodable);
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> request =
      oqs::DecodeByKind(kind, request_bytes);
  if (!request.ok()) {
    Reply reply = internal::RejectReply(kRejectUndecodable);
    reply.undecodable = true;
    return reply;
  }
  return HandleDocument(kind, **request, now);
}

Reply Responder::HandleDocument(DocumentKind kind, const google::protobuf::Message& request,
                                absl::Time now) const {
  if (!IsRequestKind(kind) || request.GetDescriptor() != DocumentTypeOf(kind)) {
    return internal::RejectReply(kRejectUndecodable);
  }
  using google::protobuf::DynamicCastToGenerated;
  switch (kind) {
    case DocumentKind::kQualificationRequest:
      return HandleQualification(
          *DynamicCastToGenerated<ov1::QualificationRequestDocument>(&request), now);
    case DocumentKind::kBatchUpload:
      return HandleBatchUpload(
          *DynamicCastToGenerated<ov1::BatchQualificationRequestDocument>(&request), now);
    case DocumentKind::kBatchResultRequest:
    case DocumentKind::kBulkReferenceNumberResultRequest:
      return HandleBulkResultRequest(
          kind, *DynamicCastToGenerated<ov1::BulkResultRequestDocument>(&request), now);
    case DocumentKind::kReferenceNumberRequest:
      return HandleReferenceNumber(
          *DynamicCastToGenerated<ov1::ReferenceNumberRequestDocument>(&request), now);
    case DocumentKind::kBulkReferenceNumberUpload:
      return HandleBulkReferenceUpload(
          *DynamicCastToGenerated<ov1::BulkReferenceNumberRequestDocument>(&request), now);
    case DocumentKind::kMedicationRequest:
      return HandleMedication(*DynamicCastToGenerated<ov1::MedicationRequestDocument>(&request),
                              now);
    case DocumentKind::kCheckupRequest:
      return HandleCheckup(*DynamicCastToGenerated<ov1::CheckupRequestDocument>(&request), now);
    default:
      return internal::RejectReply(kRejectUndecodable);
  }
}

// ---- card-reader check-ins --------------------------------------------------------------------

absl::StatusOr<CheckinReply> Responder::CheckIn(const v1::CheckinCommand& command,
                                                absl::Time now) const {
  absl::Time at = now;
  if (!command.at().empty()) {
    absl::StatusOr<absl::Time> parsed = ParseJstTimestamp(command.at());
    if (!parsed.ok()) {
      return MakeError(errors::kInvalidArgument, "check-in: at must be YYYYMMDDhhmmss");
    }
    at = *parsed;
  }
  const v1::Patient* patient = nullptr;
  if (command.unknown_person()) {
    patient = &UnknownPerson();
  } else if (command.scenario().empty()) {
    return MakeError(errors::kInvalidArgument,
                     "check-in: a scenario (or unknown_person) is needed");
  } else {
    patient = index_.FindByScenario(command.scenario());
    if (patient == nullptr) {
      return MakeError(
          errors::kInvalidArgument,
          absl::StrCat("check-in: no dataset patient has scenario ", command.scenario()));
    }
  }
  const Fault fault = options_.fault.For(FaultScope::kFace);
  const bool ours = fault != Fault::kOtherInstitution;
  const std::string institution =
      ours ? options_.institution_code : OtherInstitution(options_.institution_code);
  const std::string time = FormatJst(at);

  const std::set<int> chosen(command.consents().begin(), command.consents().end());
  auto consent = [&](v1::ConsentCategory category, bool viewing) {
    ov1::Consent c;
    if (chosen.count(static_cast<int>(category)) > 0) {
      c.set_flag(ov1::CONSENT_FLAG_GIVEN);
      c.set_consent_time(time);
      if (viewing) c.set_available_time(FormatJst(at + absl::Hours(24)));
    } else {
      c.set_flag(ov1::CONSENT_FLAG_NOT_GIVEN);
    }
    return c;
  };
  v1::PatientConsents consents;
  *consents.mutable_limit_certificate() = consent(v1::CONSENT_CATEGORY_LIMIT, false);
  *consents.mutable_specific_diseases() = consent(v1::CONSENT_CATEGORY_DISEASES, false);
  *consents.mutable_specific_health_checkups() = consent(v1::CONSENT_CATEGORY_CHECKUPS, true);
  *consents.mutable_pharmacists_info() = consent(v1::CONSENT_CATEGORY_PHARMACISTS, true);
  *consents.mutable_diagnosis_info() = consent(v1::CONSENT_CATEGORY_DIAGNOSIS, true);
  *consents.mutable_operation_info() = consent(v1::CONSENT_CATEGORY_OPERATION, true);

  CheckinReply reply;
  reply.file_id = absl::StrCat(institution, absl::BytesToHexString(RandomBytes(10)), "_", time);
  reply.encoding = internal::EncodingFor(patient, options_.encoding);
  reply.malformed = command.malformed() || fault == Fault::kMalformedAnswer;
  if (!command.unknown_person()) reply.scenario = patient->scenario();
  if (fault == Fault::kSlowWrite || fault == Fault::kDuplicate ||
      fault == Fault::kDuplicateRenamed) {
    reply.write_fault = fault;
  }

  // The terminal knows the consents of a check-in that happened here and reached it: recorded
  // (durably) before the face file can be seen, so a request right after it is judged by them.
  reply.recorded = ours && !reply.malformed && !command.unknown_person() && fault != Fault::kError;
  if (reply.recorded) {
    absl::Status stored = state_->Update([&](v1::State& state) {
      (*(*state.mutable_institutions())[options_.institution_code]
            .mutable_consents())[patient->scenario()] = consents;
    });
    if (!stored.ok()) return stored;
  }
  if (fault == Fault::kSilent) return reply;

  auto face = std::make_shared<ov1::QualificationResult>();
  face->set_process_execution_time(time);
  face->set_qualification_confirmation_date(time.substr(0, 8));
  face->set_medical_institution_code(institution);
  // The face app's own id: base64-looking, like "ArnHCeDfNjMCFzg=".
  face->set_arbitrary_file_identifier(absl::Base64Escape(RandomBytes(11)));
  face->set_reference_classification(ov1::REFERENCE_CLASSIFICATION_MY_NUMBER_CARD);
  if (fault == Fault::kError) {
    MakeTerminalError(kFaultErrorCode, kTerminalErrorMessage, face.get());
    reply.document = std::move(face);
    return reply;
  }
  face->set_segment_of_result(ov1::SEGMENT_OF_RESULT_COMPLETED);
  face->set_processing_result_status(ov1::PROCESSING_RESULT_STATUS_NORMAL);
  face->set_processing_result_code(patient->processing_result_code());
  face->set_processing_result_message(patient->processing_result_message());
  // A card is one person: of a 複数該当 family only the first record is that person's.
  const bool multiple = patient->validity() == ov1::QUALIFICATION_VALIDITY_MULTIPLE;
  face->set_qualification_validity(multiple ? ov1::QUALIFICATION_VALIDITY_VALID
                                            : patient->validity());
  const std::optional<std::string> reference =
      command.unknown_person()
          ? std::nullopt
          : state_->ReferenceNumber(options_.institution_code, patient->scenario());
  for (int i = 0; i < (multiple ? 1 : patient->records_size()); ++i) {
    ov1::QualificationRecord* record = face->add_records();
    *record = patient->records(i);
    *record->mutable_limit_certificate_consent() = consents.limit_certificate();
    if (consents.limit_certificate().flag() != ov1::CONSENT_FLAG_GIVEN) {
      record->clear_limit_certificate();
    }
    *record->mutable_specific_diseases_consent() = consents.specific_diseases();
    if (consents.specific_diseases().flag() != ov1::CONSENT_FLAG_GIVEN) {
      record->clear_specific_diseases();
    }
    *record->mutable_specific_health_checkups_consent() = consents.specific_health_checkups();
    *record->mutable_pharmacists_info_consent() = consents.pharmacists_info();
    *record->mutable_diagnosis_info_consent() = consents.diagnosis_info();
    *record->mutable_operation_info_consent() = consents.operation_info();
    if (reference.has_value() && ours) record->set_reference_number(*reference);
  }
  face->set_prescription_issue_select(patient->prescription_issue_select());
  reply.document = std::move(face);
  return reply;
}

}  // namespace onshi::sim
