#include "adapters/terminal_sim/responder.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "adapters/terminal_sim/matching.h"
#include "plugin/core/dates.h"
#include "plugin/core/text.h"
#include "plugin/core/validation.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;

constexpr absl::string_view kNotFoundMessage =
    "照会した被保険者証等記号・番号等に該当する資格情報が存在しません。入力内容を確認してください"
    "。";
constexpr absl::string_view kTerminalErrorMessage =
    "オンライン資格確認等システムで処理中にエラーが発生しました。しばらく時間をおいてから再度照会して"
    "ください。";

Plan Reject(absl::string_view code) {
  Plan plan;
  plan.action = Plan::Action::kReject;
  plan.reject_code = std::string(code);
  return plan;
}

// The header every answer carries: the request's identifiers echoed, the terminal's clock.
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

}  // namespace

bool ParseFault(absl::string_view name, Fault* fault) {
  static constexpr std::pair<absl::string_view, Fault> kNames[] = {
      {"none", Fault::kNone},
      {"silent", Fault::kSilent},
      {"error", Fault::kError},
      {"malformed-answer", Fault::kMalformedAnswer},
      {"slow-write", Fault::kSlowWrite},
      {"duplicate", Fault::kDuplicate},
  };
  for (const auto& [text, value] : kNames) {
    if (name == text) {
      *fault = value;
      return true;
    }
  }
  return false;
}

absl::string_view FaultName(Fault fault) {
  switch (fault) {
    case Fault::kNone:
      return "none";
    case Fault::kSilent:
      return "silent";
    case Fault::kError:
      return "error";
    case Fault::kMalformedAnswer:
      return "malformed-answer";
    case Fault::kSlowWrite:
      return "slow-write";
    case Fault::kDuplicate:
      return "duplicate";
  }
  return "none";
}

std::string FormatJst(absl::Time time) {
  static const absl::TimeZone kJst = absl::FixedTimeZone(9 * 60 * 60);
  return absl::FormatTime("%Y%m%d%H%M%S", time, kJst);
}

std::string TruncateDocument(absl::string_view encoded) {
  // Cut right after a '>' near the middle: the root element is then never closed, and no
  // multi-byte character is split (in UTF-8 and in Shift_JIS '>' is never a trail byte).
  size_t cut = encoded.size() / 2;
  const size_t gt = encoded.find('>', cut);
  cut = gt == absl::string_view::npos ? cut : gt + 1;
  if (cut >= encoded.size()) cut = encoded.size() / 2;
  return std::string(encoded.substr(0, cut));
}

Responder::Responder(sim::v1::Dataset dataset, ResponderOptions options)
    : dataset_(std::move(dataset)), options_(std::move(options)) {}

Plan Responder::Respond(absl::string_view request_bytes, absl::Time now) const {
  absl::StatusOr<ov1::QualificationRequestDocument> request =
      oqs::DecodeQualificationRequest(request_bytes);
  if (!request.ok()) {
    Plan plan = Reject(kRejectUndecodable);
    plan.undecodable = true;
    return plan;
  }
  return RespondTo(*request, now);
}

const v1::Patient* Responder::FindPatient(const ov1::QualificationSearchInfo& search) const {
  for (const v1::Patient& patient : dataset_.patients()) {
    if (CardMatches(search.identifiers(), search.birth_date(), patient.card(),
                    patient.birth_date())) {
      return &patient;
    }
  }
  return nullptr;
}

Plan Responder::RespondTo(const ov1::QualificationRequestDocument& request, absl::Time now) const {
  const ov1::QualificationSearchInfo& search = request.search_info();
  const ov1::InsuranceIdentifiers& ids = search.identifiers();

  // What the terminal needs to run the query at all.
  if (request.qualification_confirmation_date().empty() ||
      request.medical_institution_code().empty() || ids.insurer_number().empty() ||
      ids.insured_identification_number().empty() || search.birth_date().empty() ||
      search.limit_certificate_consent() == ov1::CONSENT_FLAG_UNSPECIFIED) {
    return Reject(kRejectMissingElement);
  }
  const std::string folded_insurer(absl::StripAsciiWhitespace(FoldWidth(ids.insurer_number())));
  if (!ParseDate(request.qualification_confirmation_date()).has_value() ||
      !ParseDate(search.birth_date()).has_value() ||
      !IsMedicalInstitutionCode(request.medical_institution_code()) ||
      !IsAsciiDigits(folded_insurer) ||
      (folded_insurer.size() != 6 && folded_insurer.size() != 8) ||
      (search.limit_certificate_consent() != ov1::CONSENT_FLAG_GIVEN &&
       search.limit_certificate_consent() != ov1::CONSENT_FLAG_NOT_GIVEN)) {
    return Reject(kRejectBadValue);
  }
  if (request.medical_institution_code() != options_.institution_code) {
    return Reject(kRejectOtherInstitution);
  }

  const v1::Patient* patient = FindPatient(search);
  Plan plan;
  plan.action = Plan::Action::kAnswer;
  plan.encoding = EncodingFor(patient, options_.encoding);
  plan.latency = options_.latency;
  if (patient != nullptr) {
    plan.scenario = patient->scenario();
    if (patient->has_latency_ms()) plan.latency = absl::Milliseconds(patient->latency_ms());
  }

  v1::Behavior behavior = patient != nullptr ? patient->behavior() : v1::BEHAVIOR_NORMAL;
  switch (options_.fault) {
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
      Plan reject = Reject(kRejectByScenario);
      reject.scenario = plan.scenario;
      return reject;
    }
    case v1::BEHAVIOR_TERMINAL_ERROR: {
      plan.answer = AnswerHeader(request, now);
      if (options_.fault == Fault::kError || patient == nullptr) {
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
  if (patient == nullptr) {
    answer.set_processing_result_status(ov1::PROCESSING_RESULT_STATUS_ERROR);
    answer.set_processing_result_code(std::string(kNotFoundCode));
    answer.set_processing_result_message(std::string(kNotFoundMessage));
    answer.set_qualification_validity(ov1::QUALIFICATION_VALIDITY_NOT_FOUND);
    return plan;
  }
  answer.set_processing_result_status(ov1::PROCESSING_RESULT_STATUS_NORMAL);
  answer.set_processing_result_code(patient->processing_result_code());
  answer.set_processing_result_message(patient->processing_result_message());
  answer.set_qualification_validity(patient->validity());
  const bool consented = search.limit_certificate_consent() == ov1::CONSENT_FLAG_GIVEN;
  for (const ov1::QualificationRecord& stored : patient->records()) {
    ov1::QualificationRecord* record = answer.add_records();
    *record = stored;
    // §7: 限度額 information leaves the terminal only with the patient's consent on this
    // request; the consent is echoed on every record.
    ov1::Consent* consent = record->mutable_limit_certificate_consent();
    if (consented) {
      consent->set_flag(ov1::CONSENT_FLAG_GIVEN);
      consent->set_consent_time(answer.process_execution_time());
    } else {
      consent->set_flag(ov1::CONSENT_FLAG_NOT_GIVEN);
      record->clear_limit_certificate();
    }
    if (!search.arbitrary_identifier().empty()) {
      record->set_arbitrary_identifier(search.arbitrary_identifier());
    }
  }
  return plan;
}

}  // namespace onshi::sim
