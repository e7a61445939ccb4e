#include "plugin/core/insurer_number.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "plugin/core/errors.h"
#include "plugin/core/text.h"

namespace onshi {

bool HasValidCheckDigit(absl::string_view digits) {
  if ((digits.size() != 6 && digits.size() != 8) || !IsAsciiDigits(digits)) return false;
  int sum = 0;
  int weight = 2;
  // From the digit just left of the check digit towards the first one.
  for (size_t i = digits.size() - 1; i-- > 0;) {
    const int product = (digits[i] - '0') * weight;
    sum += product / 10 + product % 10;
    weight = weight == 2 ? 1 : 2;
  }
  const int check = (10 - sum % 10) % 10;
  return digits.back() - '0' == check;
}

absl::StatusOr<std::string> NormalizeInsurerNumber(absl::string_view input) {
  if (!IsValidUtf8(input)) {
    return MakeError(errors::kInvalidInsurerNumber, "field identifiers.insurer_number");
  }
  const std::string folded = FoldWidth(input);
  const absl::string_view digits = TrimSpaces(folded);
  if ((digits.size() != 6 && digits.size() != 8) || !IsAsciiDigits(digits)) {
    return MakeError(errors::kInvalidInsurerNumber, "field identifiers.insurer_number");
  }
  if (!HasValidCheckDigit(digits)) {
    return MakeError(errors::kInsurerCheckDigit, "field identifiers.insurer_number");
  }
  return std::string(digits);
}

std::string InsurerNumberForOqs(absl::string_view normalized) {
  if (normalized.size() == 6) return absl::StrCat("  ", normalized);
  return std::string(normalized);
}

bool IsLateElderlyInsurer(absl::string_view normalized) {
  return normalized.size() == 8 && IsAsciiDigits(normalized) && absl::StartsWith(normalized, "39");
}

}  // namespace onshi
