#include "plugin/core/validation.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"
#include "onshi/v1/oqs_options.pb.h"
#include "plugin/core/errors.h"
#include "plugin/core/insurer_number.h"
#include "plugin/core/text.h"

namespace onshi {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsIdCharacter(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

bool IsIdOfLength(absl::string_view id, size_t min_length, size_t max_length) {
  if (id.size() < min_length || id.size() > max_length) return false;
  for (char c : id) {
    if (!IsIdCharacter(c)) return false;
  }
  return true;
}

// 記号 and 番号: valid UTF-8, no control characters, trimmed, at most kMaxCardFieldLength code
// points. Returns false on any violation; `*trimmed` receives the trimmed value.
bool CheckCardField(absl::string_view value, std::string* trimmed) {
  if (!IsValidUtf8(value) || HasControlChars(value)) return false;
  const absl::string_view inner = TrimSpaces(value);
  if (Utf8Length(inner) > kMaxCardFieldLength) return false;
  *trimmed = std::string(inner);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Format checks of a decoded answer, driven by the (oqs_element) options.

enum class ValueFormat { kText, kDate, kTimestamp, kMonth, kRatio };

// The OQS documents name their elements by what they hold: …Date / Birthdate, …Time, …Month,
// …Ratio. Deciding by the name keeps every such element of every message checked, including
// ones added to the proto later.
ValueFormat FormatOfElement(absl::string_view element) {
  if (absl::EndsWith(element, "Date") || absl::EndsWith(element, "Birthdate")) {
    return ValueFormat::kDate;
  }
  if (absl::EndsWith(element, "Time")) return ValueFormat::kTimestamp;
  if (absl::EndsWith(element, "Month")) return ValueFormat::kMonth;
  if (absl::EndsWith(element, "Ratio")) return ValueFormat::kRatio;
  return ValueFormat::kText;
}

bool HasFormat(absl::string_view value, ValueFormat format) {
  if (value.empty()) return true;
  switch (format) {
    case ValueFormat::kText:
      return true;
    case ValueFormat::kDate:
      return ParseDate(value).has_value();
    case ValueFormat::kTimestamp:
      return IsValidTimestamp(value);
    case ValueFormat::kMonth:
      return value.size() == 6 && IsAsciiDigits(value) &&
             ParseDate(absl::StrCat(value, "01")).has_value();
    case ValueFormat::kRatio:
      return value.size() == 3 && IsAsciiDigits(value) && value <= absl::string_view("100");
  }
  return false;
}

absl::Status InvalidValue(absl::string_view element_path) {
  return MakeError(errors::kDocumentInvalidValue, element_path);
}

std::string JoinPath(absl::string_view parent, absl::string_view child) {
  if (parent.empty()) return std::string(child);
  return absl::StrCat(parent, "/", child);
}

// Checks every mapped field of `message`. `path` is the element path of `message` itself;
// `name_prefix` is prepended to the element names of its fields (the "Prefix*" form).
absl::Status CheckFormats(const Message& message, absl::string_view path,
                          absl::string_view name_prefix) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string& element = field->options().GetExtension(v1::oqs_element);
    if (element.empty()) continue;  // onshi's own field, not in OQS documents
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      std::string child_path;
      std::string child_prefix;
      if (element == "*") {
        child_path = std::string(path);
        child_prefix = std::string(name_prefix);
      } else if (absl::EndsWith(element, "*")) {
        child_path = std::string(path);
        child_prefix = absl::StrCat(name_prefix, element.substr(0, element.size() - 1));
      } else {
        child_path = JoinPath(path, absl::StrCat(name_prefix, element));
      }
      if (field->is_repeated()) {
        for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
          absl::Status status = CheckFormats(reflection->GetRepeatedMessage(message, field, j),
                                             child_path, child_prefix);
          if (!status.ok()) return status;
        }
      } else if (reflection->HasField(message, field)) {
        absl::Status status =
            CheckFormats(reflection->GetMessage(message, field), child_path, child_prefix);
        if (!status.ok()) return status;
      }
      continue;
    }
    if (field->is_repeated()) continue;  // the documents have no repeated scalars
    const std::string name = absl::StrCat(name_prefix, element);
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string scratch;
        const std::string& value = reflection->GetStringReference(message, field, &scratch);
        if (!HasFormat(value, FormatOfElement(name))) return InvalidValue(JoinPath(path, name));
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64:
        if (reflection->GetInt64(message, field) < 0) return InvalidValue(JoinPath(path, name));
        break;
      case FieldDescriptor::CPPTYPE_INT32:
        if (reflection->GetInt32(message, field) < 0) return InvalidValue(JoinPath(path, name));
        break;
      default:
        break;  // enums are checked against their code table by the codec
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateRequestId(absl::string_view request_id) {
  if (!IsIdOfLength(request_id, 8, 64)) {
    return MakeError(errors::kInvalidRequestId, "field request_id");
  }
  return absl::OkStatus();
}

absl::Status ValidatePatientId(absl::string_view patient_id) {
  if (!IsIdOfLength(patient_id, 1, 64)) {
    return MakeError(errors::kInvalidPatientId, "field patient_id");
  }
  return absl::OkStatus();
}

bool IsMedicalInstitutionCode(absl::string_view code) {
  return code.size() == 10 && IsAsciiDigits(code);
}

absl::Status ValidateMedicalInstitutionCode(absl::string_view code) {
  if (!IsMedicalInstitutionCode(code)) {
    return MakeError(errors::kConfigInvalid, "medical_institution_code must be 10 digits");
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::CheckQualificationRequest> NormalizeCheckRequest(
    const v1::CheckQualificationRequest& in, const Date& today_jst) {
  v1::CheckQualificationRequest out;

  absl::Status status = ValidateRequestId(in.request_id());
  if (!status.ok()) return status;
  out.set_request_id(in.request_id());

  if (!in.patient_id().empty()) {
    status = ValidatePatientId(in.patient_id());
    if (!status.ok()) return status;
    out.set_patient_id(in.patient_id());
  }

  absl::StatusOr<std::string> insurer = NormalizeInsurerNumber(in.identifiers().insurer_number());
  if (!insurer.ok()) return insurer.status();
  v1::InsuranceIdentifiers* ids = out.mutable_identifiers();
  ids->set_insurer_number(*insurer);

  // 記号 and 番号 are sent with the width the staff typed. Assumption (not verifiable from
  // public material): the terminal, like the insurers' own systems, matches them after
  // full/half-width normalisation, and the insurer-registered spelling comes back in the
  // answer. Folding here would change what the patient's card says; comparisons fold instead
  // (SameIdentifier).
  std::string symbol;
  if (!CheckCardField(in.identifiers().insured_card_symbol(), &symbol)) {
    return MakeError(errors::kInvalidCardSymbol, "field identifiers.insured_card_symbol");
  }
  if (!symbol.empty() && IsLateElderlyInsurer(*insurer)) {
    return MakeError(errors::kInvalidCardSymbol,
                     "field identifiers.insured_card_symbol must be empty for a 後期高齢者 "
                     "insurer (法別 39)");
  }
  ids->set_insured_card_symbol(symbol);

  std::string number;
  if (!CheckCardField(in.identifiers().insured_identification_number(), &number) ||
      number.empty()) {
    return MakeError(errors::kInvalidCardNumber, "field identifiers.insured_identification_number");
  }
  ids->set_insured_identification_number(number);

  const absl::string_view branch_in = in.identifiers().insured_branch_number();
  if (!IsValidUtf8(branch_in)) {
    return MakeError(errors::kInvalidBranchNumber, "field identifiers.insured_branch_number");
  }
  const std::string branch_folded = FoldWidth(branch_in);
  const absl::string_view branch = TrimSpaces(branch_folded);
  if (!branch.empty() && (branch.size() != 2 || !IsAsciiDigits(branch))) {
    return MakeError(errors::kInvalidBranchNumber, "field identifiers.insured_branch_number");
  }
  ids->set_insured_branch_number(std::string(branch));

  Date confirmation = today_jst;
  if (!in.confirmation_date().empty()) {
    std::optional<Date> parsed = ParseDate(in.confirmation_date());
    if (!parsed.has_value() || *parsed > AddDays(today_jst, 1)) {
      return MakeError(errors::kInvalidConfirmationDate, "field confirmation_date");
    }
    confirmation = *parsed;
  }
  out.set_confirmation_date(FormatDate(confirmation));

  std::optional<Date> birth = ParseDate(in.birth_date());
  if (!birth.has_value() || *birth > confirmation) {
    return MakeError(errors::kInvalidBirthDate, "field birth_date");
  }
  out.set_birth_date(FormatDate(*birth));

  out.set_limit_certificate_consent(in.limit_certificate_consent());
  out.set_preview_only(in.preview_only());  // write-back (docs/record.md)
  return out;
}

v1::QualificationRequestDocument BuildQualificationRequest(
    const v1::CheckQualificationRequest& normalized, absl::string_view medical_institution_code,
    absl::string_view file_id) {
  v1::QualificationRequestDocument document;
  document.set_qualification_confirmation_date(normalized.confirmation_date());
  document.set_medical_institution_code(std::string(medical_institution_code));
  document.set_arbitrary_file_identifier(std::string(file_id));
  v1::QualificationSearchInfo* search = document.mutable_search_info();
  v1::InsuranceIdentifiers* ids = search->mutable_identifiers();
  ids->set_insurer_number(InsurerNumberForOqs(normalized.identifiers().insurer_number()));
  ids->set_insured_card_symbol(normalized.identifiers().insured_card_symbol());
  ids->set_insured_identification_number(normalized.identifiers().insured_identification_number());
  ids->set_insured_branch_number(normalized.identifiers().insured_branch_number());
  search->set_birth_date(normalized.birth_date());
  search->set_limit_certificate_consent(
      normalized.limit_certificate_consent() ? v1::CONSENT_FLAG_GIVEN : v1::CONSENT_FLAG_NOT_GIVEN);
  return document;
}

absl::Status ValidateQualificationResult(const v1::QualificationResult& result) {
  if (result.segment_of_result() == v1::SEGMENT_OF_RESULT_UNSPECIFIED) {
    return InvalidValue("MessageHeader/SegmentOfResult");
  }
  if (result.segment_of_result() == v1::SEGMENT_OF_RESULT_COMPLETED) {
    if (result.processing_result_status() == v1::PROCESSING_RESULT_STATUS_UNSPECIFIED) {
      return InvalidValue("MessageBody/ProcessingResultStatus");
    }
    if (result.qualification_validity() == v1::QUALIFICATION_VALIDITY_UNSPECIFIED &&
        result.processing_result_status() != v1::PROCESSING_RESULT_STATUS_ERROR) {
      return InvalidValue("MessageBody/QualificationValidity");
    }
    if (result.medical_institution_code().empty()) {
      return InvalidValue("MessageHeader/MedicalInstitutionCode");
    }
  }
  if (!result.medical_institution_code().empty() &&
      !IsMedicalInstitutionCode(result.medical_institution_code())) {
    return InvalidValue("MessageHeader/MedicalInstitutionCode");
  }
  return CheckFormats(result, "", "");
}

}  // namespace onshi
