#include "plugin/core/identity.h"

#include "absl/strings/str_cat.h"
#include "plugin/core/text.h"

namespace onshi {
namespace {

// Bumped (with a store migration) whenever the key's format or normalisation changes.
constexpr absl::string_view kVersionTag = "onshi-identity-v1";

std::string NormalizeBirthDate(absl::string_view birth_date) {
  const std::string folded = FoldWidth(birth_date);
  return std::string(TrimSpaces(folded));
}

// "<byte length>:<bytes>": the length says where the field ends, whatever it contains.
void AppendField(std::string* key, absl::string_view field) {
  absl::StrAppend(key, field.size(), ":", field);
}

}  // namespace

std::string IdentityKey(const v1::InsuranceIdentifiers& identifiers, absl::string_view birth_date) {
  std::string key(kVersionTag);
  key.push_back('\n');
  AppendField(&key, NormalizeIdentifierForComparison(identifiers.insurer_number()));
  AppendField(&key, NormalizeIdentifierForComparison(identifiers.insured_card_symbol()));
  AppendField(&key, NormalizeIdentifierForComparison(identifiers.insured_identification_number()));
  AppendField(&key, NormalizeIdentifierForComparison(identifiers.insured_branch_number()));
  AppendField(&key, NormalizeBirthDate(birth_date));
  return key;
}

bool IsCompleteIdentity(const v1::InsuranceIdentifiers& identifiers, absl::string_view birth_date) {
  return !NormalizeIdentifierForComparison(identifiers.insurer_number()).empty() &&
         !NormalizeIdentifierForComparison(identifiers.insured_identification_number()).empty() &&
         !NormalizeBirthDate(birth_date).empty();
}

}  // namespace onshi
