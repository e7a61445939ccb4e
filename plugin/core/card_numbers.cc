#include "plugin/core/card_numbers.h"

#include "absl/strings/str_cat.h"
#include "plugin/core/errors.h"
#include "plugin/core/insurer_number.h"
#include "plugin/core/text.h"

namespace onshi {
namespace {

// Width-folded and trimmed; false for invalid UTF-8.
bool Canonical(absl::string_view input, std::string* out) {
  if (!IsValidUtf8(input)) return false;
  const std::string folded = FoldWidth(input);
  *out = std::string(TrimSpaces(folded));
  return true;
}

bool IsEightDigits(absl::string_view text) { return text.size() == 8 && IsAsciiDigits(text); }

}  // namespace

absl::StatusOr<std::string> NormalizePublicExpenseNumber(absl::string_view input) {
  std::string number;
  if (!Canonical(input, &number) || !IsEightDigits(number)) {
    return MakeError(errors::kInvalidPublicExpenseNumber,
                     "field public_expense_number must be 8 digits");
  }
  if (!HasValidCheckDigit(number)) {
    return MakeError(errors::kInvalidPublicExpenseNumber,
                     "field public_expense_number check digit does not match");
  }
  return number;
}

bool IsLocalPublicExpenseLaw(int law) { return law >= 80 && law <= 99; }

absl::StatusOr<std::string> NormalizeRecipientNumber(absl::string_view input,
                                                     absl::string_view public_expense_number) {
  if (!IsEightDigits(public_expense_number) || !HasValidCheckDigit(public_expense_number)) {
    return MakeError(errors::kInvalidPublicExpenseNumber,
                     "field public_expense_number must be normalized before recipient_number");
  }
  const int law = (public_expense_number[0] - '0') * 10 + (public_expense_number[1] - '0');
  std::string number;
  if (!Canonical(input, &number)) {
    return MakeError(errors::kInvalidRecipientNumber, "field recipient_number is not UTF-8");
  }
  if (IsLocalPublicExpenseLaw(law)) {
    if (number.empty() || HasControlChars(number) ||
        Utf8Length(number) > kMaxLocalRecipientNumberLength) {
      return MakeError(errors::kInvalidRecipientNumber,
                       "field recipient_number must be 1-30 characters without control "
                       "characters for a local scheme (法別 80-99)");
    }
    return number;
  }
  if (number.size() != 7 || !IsAsciiDigits(number)) {
    return MakeError(errors::kInvalidRecipientNumber,
                     "field recipient_number must be 7 digits for a national scheme");
  }
  // The rule weighs from the digit left of the check digit leftwards, so a leading zero adds
  // nothing: the 8-digit form "0" + number has the same check digit, and HasValidCheckDigit
  // (the ONE implementation of the rule) takes 6 or 8 digits.
  if (!HasValidCheckDigit(absl::StrCat("0", number))) {
    return MakeError(errors::kInvalidRecipientNumber,
                     "field recipient_number check digit does not match");
  }
  return number;
}

absl::StatusOr<std::string> NormalizeLateElderlyCard(absl::string_view insurer_number,
                                                     absl::string_view symbol,
                                                     absl::string_view insured_number) {
  if (!IsLateElderlyInsurer(insurer_number) || !HasValidCheckDigit(insurer_number)) {
    return MakeError(errors::kInvalidInsurerNumber,
                     "field insurer_number is not a 後期高齢者医療 insurer (8 digits, 法別 39)");
  }
  std::string canonical_symbol;
  if (!Canonical(symbol, &canonical_symbol) || !canonical_symbol.empty()) {
    return MakeError(errors::kInvalidCardSymbol,
                     "field insured_card_symbol must be empty for a 後期高齢者 insurer (法別 39)");
  }
  std::string number;
  if (!Canonical(insured_number, &number) || !IsEightDigits(number)) {
    return MakeError(errors::kInvalidCardNumber,
                     "field insured_identification_number must be 8 digits for a 後期高齢者 "
                     "insurer (法別 39)");
  }
  return number;
}

bool LateElderlyInsuredNumberCheckDigitMatches(absl::string_view insured_number) {
  return IsEightDigits(insured_number) && HasValidCheckDigit(insured_number);
}

}  // namespace onshi
