#include "plugin/core/coverage_diff.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"
#include "onshi/v1/oqs_options.pb.h"
#include "plugin/core/billing_view.h"
#include "plugin/core/text.h"

namespace onshi {
namespace {

using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct Label {
  absl::string_view path;
  absl::string_view label;
};

// Field paths (without list indices) → what staff call them. Paths missing here fall back to
// the enclosing field's label.
constexpr Label kLabels[] = {
    {"validity", "資格の有効性"},
    {"insured_card_classification", "被保険者証区分"},
    {"identifiers.insurer_number", "保険者番号"},
    {"identifiers.insured_card_symbol", "記号"},
    {"identifiers.insured_identification_number", "番号"},
    {"identifiers.insured_branch_number", "枝番"},
    {"personal_family_classification", "本人・家族の区分"},
    {"insured_name", "被保険者氏名（世帯主）"},
    {"name", "氏名"},
    {"name_of_other", "通称"},
    {"name_kana", "氏名カナ"},
    {"name_of_other_kana", "通称カナ"},
    {"sex1", "性別"},
    {"sex2", "性別（戸籍上）"},
    {"birth_date", "生年月日"},
    {"address", "住所"},
    {"post_number", "郵便番号"},
    {"qualification_date", "資格取得日"},
    {"disqualification_date", "資格喪失日"},
    {"insured_certificate_issuance_date", "保険証等の交付年月日"},
    {"insured_card_valid_date", "保険証等の有効開始日"},
    {"insured_card_expiration_date", "保険証等の有効期限"},
    {"insured_partial_contribution_ratio", "負担割合"},
    {"preschool_classification", "未就学区分"},
    {"reason_of_loss", "資格喪失事由"},
    {"insurer_name", "保険者名称"},
    {"elderly_recipient_certificate", "高齢受給者証"},
    {"elderly_recipient_certificate.certificate_date", "高齢受給者証の交付年月日"},
    {"elderly_recipient_certificate.valid_start_date", "高齢受給者証の有効開始日"},
    {"elderly_recipient_certificate.valid_end_date", "高齢受給者証の有効終了日"},
    {"elderly_recipient_certificate.contribution_ratio", "高齢受給者証の負担割合"},
    {"limit_certificate_consent", "限度額情報の提供同意"},
    {"limit_certificate", "限度額適用認定証"},
    {"limit_certificate.classification", "限度額適用認定証の種類"},
    {"limit_certificate.category", "限度額適用区分"},
    {"limit_certificate.certificate_date", "限度額適用認定証の交付年月日"},
    {"limit_certificate.valid_start_date", "限度額適用認定証の有効開始日"},
    {"limit_certificate.valid_end_date", "限度額適用認定証の有効終了日"},
    {"limit_certificate.long_term_date", "長期入院該当年月日"},
    {"specific_diseases_consent", "特定疾病情報の提供同意"},
    {"specific_diseases", "特定疾病療養受療証"},
    {"specific_diseases.disease_category", "特定疾病の認定疾病"},
    {"specific_diseases.self_pay_yen", "特定疾病の自己負担限度額"},
    {"specific_health_checkups_consent", "特定健診情報の閲覧同意"},
    {"pharmacists_info_consent", "薬剤情報の閲覧同意"},
    {"diagnosis_info_consent", "診療情報の閲覧同意"},
    {"operation_info_consent", "手術情報の閲覧同意"},
    {"reference_number", "照会番号"},
    {"arbitrary_identifier", "任意の識別子"},
    {"prescription_issue_select", "処方箋の発行形態"},
    {"limit_certificate_changed", "限度額適用認定証の変更有無"},
    {"public_expense_number", "公費負担者番号"},
    {"beneficiary_number", "受給者番号"},
    {"welfare_office_name", "福祉事務所名"},
    {"medical_tickets", "医療券・調剤券"},
};

absl::string_view LookUpLabel(absl::string_view path) {
  for (const Label& label : kLabels) {
    if (label.path == path) return label.label;
  }
  return {};
}

// "specific_diseases[0].self_pay_yen" → "specific_diseases.self_pay_yen".
std::string WithoutIndices(absl::string_view path) {
  std::string out;
  bool in_index = false;
  for (char c : path) {
    if (c == '[') {
      in_index = true;
    } else if (c == ']') {
      in_index = false;
    } else if (!in_index) {
      out.push_back(c);
    }
  }
  return out;
}

std::string ScalarText(const Message& message, const FieldDescriptor* field, int index) {
  const Reflection* r = message.GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return repeated ? r->GetRepeatedString(message, field, index) : r->GetString(message, field);
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(repeated ? r->GetRepeatedInt32(message, field, index)
                                   : r->GetInt32(message, field));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(repeated ? r->GetRepeatedInt64(message, field, index)
                                   : r->GetInt64(message, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(repeated ? r->GetRepeatedUInt32(message, field, index)
                                   : r->GetUInt32(message, field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(repeated ? r->GetRepeatedUInt64(message, field, index)
                                   : r->GetUInt64(message, field));
    case FieldDescriptor::CPPTYPE_BOOL: {
      const bool value =
          repeated ? r->GetRepeatedBool(message, field, index) : r->GetBool(message, field);
      return value ? "true" : "";
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumValueDescriptor* value =
          repeated ? r->GetRepeatedEnum(message, field, index) : r->GetEnum(message, field);
      if (value->number() == 0) return "";
      const std::string& code = value->options().GetExtension(v1::oqs_code);
      return code.empty() ? value->name() : code;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
    case FieldDescriptor::CPPTYPE_MESSAGE:
      break;  // the records have none (messages are handled by the caller)
  }
  return "";
}

void Flatten(const Message& message, const std::string& prefix,
             std::map<std::string, std::string>* out) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const std::string path = absl::StrCat(prefix, field->name());
    const bool is_message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (field->is_repeated()) {
      for (int j = 0; j < reflection->FieldSize(message, field); ++j) {
        const std::string item = absl::StrCat(path, "[", j, "]");
        if (is_message) {
          Flatten(reflection->GetRepeatedMessage(message, field, j), absl::StrCat(item, "."), out);
        } else {
          std::string text = ScalarText(message, field, j);
          if (!text.empty()) (*out)[item] = std::move(text);
        }
      }
    } else if (is_message) {
      if (reflection->HasField(message, field)) {
        Flatten(reflection->GetMessage(message, field), absl::StrCat(path, "."), out);
      }
    } else {
      std::string text = ScalarText(message, field, -1);
      if (!text.empty()) (*out)[path] = std::move(text);
    }
  }
}

bool IsValidLike(v1::QualificationValidity validity) {
  return validity == v1::QUALIFICATION_VALIDITY_VALID ||
         validity == v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED;
}

bool IsLost(v1::QualificationValidity validity) {
  return validity == v1::QUALIFICATION_VALIDITY_INVALID ||
         validity == v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS ||
         validity == v1::QUALIFICATION_VALIDITY_NOT_FOUND;
}

std::string StaffMessage(absl::string_view path, absl::string_view old_value,
                         absl::string_view new_value, v1::QualificationValidity old_validity,
                         v1::QualificationValidity new_validity) {
  const std::string field = WithoutIndices(path);
  const bool same_identifier =
      !old_value.empty() && !new_value.empty() && SameIdentifier(old_value, new_value);
  if (field == kValidityField) {
    if (IsValidLike(old_validity) && IsLost(new_validity)) return "資格を喪失しました";
    if (!IsValidLike(old_validity) && IsValidLike(new_validity)) return "資格が有効になりました";
    return "資格の有効性が変わりました";
  }
  if (field == "disqualification_date" && old_value.empty()) return "資格を喪失しました";
  if (field == "identifiers.insurer_number") {
    return same_identifier ? "保険者番号の表記（全角・半角など）が変わりました"
                           : "保険者番号が変わりました";
  }
  if (field == "identifiers.insured_card_symbol" ||
      field == "identifiers.insured_identification_number" ||
      field == "identifiers.insured_branch_number") {
    return same_identifier ? "記号・番号の表記（全角・半角など）が変わりました"
                           : "記号・番号が変わりました";
  }
  if (field == "insured_partial_contribution_ratio" ||
      field == "elderly_recipient_certificate.contribution_ratio") {
    return "負担割合が変わりました";
  }
  if (field == "limit_certificate.category") return "限度額適用区分が変わりました";
  if (field == "name" || field == "name_kana") return "氏名が変わりました";
  if (field == "address") return "住所が変わりました";
  return absl::StrCat(FieldLabel(path), "が変わりました");
}

}  // namespace

std::map<std::string, std::string> FlattenRecord(const v1::QualificationRecord& record) {
  std::map<std::string, std::string> out;
  Flatten(record, "", &out);
  return out;
}

std::map<std::string, std::string> CoverageFields(const v1::QualificationRecord& record,
                                                  v1::QualificationValidity validity) {
  std::map<std::string, std::string> out = FlattenRecord(record);
  const absl::string_view label = ValidityLabel(validity);
  if (!label.empty()) out[std::string(kValidityField)] = std::string(label);
  return out;
}

std::string FieldLabel(absl::string_view path) {
  std::string field = WithoutIndices(path);
  while (true) {
    const absl::string_view label = LookUpLabel(field);
    if (!label.empty()) return std::string(label);
    const size_t dot = field.rfind('.');
    if (dot == std::string::npos) break;
    field.resize(dot);
  }
  return std::string(path);
}

v1::QualificationRecord CoverageOf(const v1::QualificationRecord& record) {
  v1::QualificationRecord coverage = record;
  coverage.clear_limit_certificate_consent();
  coverage.clear_specific_diseases_consent();
  coverage.clear_specific_health_checkups_consent();
  coverage.clear_pharmacists_info_consent();
  coverage.clear_diagnosis_info_consent();
  coverage.clear_operation_info_consent();
  coverage.clear_arbitrary_identifier();
  coverage.clear_prescription_issue_select();
  coverage.clear_limit_certificate_changed();
  return coverage;
}

std::vector<v1::FieldChange> DiffCoverage(const v1::CoverageVersion* current,
                                          const v1::QualificationRecord& next,
                                          v1::QualificationValidity next_validity) {
  const std::map<std::string, std::string> before =
      current == nullptr ? std::map<std::string, std::string>()
                         : CoverageFields(current->coverage(), current->validity());
  const std::map<std::string, std::string> after = CoverageFields(next, next_validity);
  const v1::QualificationValidity old_validity =
      current == nullptr ? v1::QUALIFICATION_VALIDITY_UNSPECIFIED : current->validity();

  std::set<std::string> paths;
  for (const auto& [path, value] : before) paths.insert(path);
  for (const auto& [path, value] : after) paths.insert(path);

  std::vector<v1::FieldChange> changes;
  for (const std::string& path : paths) {
    const auto old_it = before.find(path);
    const auto new_it = after.find(path);
    const std::string old_value = old_it == before.end() ? std::string() : old_it->second;
    const std::string new_value = new_it == after.end() ? std::string() : new_it->second;
    if (old_value == new_value) continue;
    v1::FieldChange change;
    change.set_field(path);
    change.set_old_value(old_value);
    change.set_new_value(new_value);
    change.set_staff_message(
        current == nullptr ? absl::StrCat(FieldLabel(path), "を記録しました")
                           : StaffMessage(path, old_value, new_value, old_validity, next_validity));
    changes.push_back(std::move(change));
  }
  return changes;
}

void CarryFieldProvenance(const v1::CoverageVersion* current,
                          const std::vector<v1::FieldChange>& changes, v1::CoverageVersion* next) {
  google::protobuf::Map<std::string, v1::FieldProvenance> provenance;
  if (current != nullptr) provenance = current->field_provenance();

  v1::FieldProvenance here;
  here.set_version(next->version());
  *here.mutable_provenance() = next->provenance();

  const std::map<std::string, std::string> present =
      CoverageFields(next->coverage(), next->validity());
  if (current == nullptr) {
    for (const auto& [path, value] : present) provenance[path] = here;
  }
  for (const v1::FieldChange& change : changes) {
    if (present.count(change.field()) > 0) provenance[change.field()] = here;
  }
  for (auto it = provenance.begin(); it != provenance.end();) {
    if (present.count(it->first) == 0) {
      it = provenance.erase(it);
    } else {
      ++it;
    }
  }
  *next->mutable_field_provenance() = std::move(provenance);
}

}  // namespace onshi

namespace onshi {

PlannedCoverageWrite PlanCoverageWrite(const std::string& patient_id,
                                       const v1::CoverageVersion* current,
                                       const v1::QualificationRecord& record,
                                       v1::QualificationValidity validity,
                                       const v1::Provenance& provenance,
                                       const google::protobuf::Timestamp& recorded_time) {
  PlannedCoverageWrite plan;
  const v1::QualificationRecord coverage = CoverageOf(record);
  std::vector<v1::FieldChange> changes = DiffCoverage(current, coverage, validity);
  const int64_t current_version = current != nullptr ? current->version() : 0;
  plan.write.set_patient_id(patient_id);
  plan.write.set_coverage_version(current_version);
  if (changes.empty()) return plan;
  CoverageUpdate& update = plan.update.emplace();
  update.expected_version = current_version;
  v1::CoverageVersion& next = update.version;
  next.set_version(current_version + 1);
  *next.mutable_coverage() = coverage;
  next.set_validity(validity);
  *next.mutable_provenance() = provenance;
  *next.mutable_recorded_time() = recorded_time;
  CarryFieldProvenance(current, changes, &next);
  plan.write.set_coverage_version(next.version());
  plan.write.set_changed(true);
  for (v1::FieldChange& change : changes) *plan.write.add_changes() = std::move(change);
  return plan;
}

}  // namespace onshi
