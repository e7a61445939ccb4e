// 保険者番号 (insurer number): 8 digits = 法別番号(2) + 都道府県番号(2) + 保険者別番号(3) +
// 検証番号(1); 国民健康保険 uses 6 digits (都道府県 2 + 保険者別 3 + 検証 1). See
// oqs-interface.md §8.1.
//
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_INSURER_NUMBER_H_
#define ONSHI_PLUGIN_CORE_INSURER_NUMBER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onshi {

// True when `digits` is exactly 6 or 8 ASCII digits whose last digit is the check digit of the
// others under the rule of the 厚生労働省 保険者番号設定要領: from the rightmost digit before the
// check digit, multiply alternately by 2, 1, 2, 1 …; replace each two-digit product by the sum
// of its digits; add everything up; check digit = (10 − sum % 10) % 10. Example: 3312001 →
// 6+3+2+2+0+0+2 = 15 → 5 → 33120015. The same rule serves 公費負担者番号 (§8.2).
bool HasValidCheckDigit(absl::string_view digits);

// The canonical form of an insurer number as typed: width folded (full-width digits and
// spaces accepted), surrounding spaces trimmed, then exactly 6 or 8 ASCII digits with a valid
// check digit. Returns those 6 or 8 digits. A 7-digit value (an 8-digit number that lost its
// leading zero in a spreadsheet) is refused rather than guessed.
//
// Errors (INVALID_ARGUMENT): ONSHI_INVALID_INSURER_NUMBER when the form is wrong (including
// invalid UTF-8), ONSHI_INSURER_CHECK_DIGIT when the check digit does not match. The error texts
// never contain the value.
absl::StatusOr<std::string> NormalizeInsurerNumber(absl::string_view input);

// The 8-character InsurerNumber element of a request for a normalized number: 8 digits as they
// are, a 6-digit 国保 number left-padded with two spaces ("  123456"), the form the terminal
// itself writes in results (§3.1). Values of other lengths are returned unchanged (callers pass
// NormalizeInsurerNumber's output).
std::string InsurerNumberForOqs(absl::string_view normalized);

// True for a 後期高齢者医療 insurer (8 digits, 法別番号 39). Their cards have no 記号 (§8.3).
bool IsLateElderlyInsurer(absl::string_view normalized);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_INSURER_NUMBER_H_
