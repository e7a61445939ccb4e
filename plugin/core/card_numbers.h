// Numbers on 公費 certificates and 後期高齢者 cards, beyond the 保険者番号 of insurer_number.h
// (oqs-interface.md §8.2, §8.3):
//   公費負担者番号  8 digits = 法別番号(2) + 都道府県番号(2) + 実施機関番号(3) + 検証番号(1), the
//                 check digit by the 保険者番号 rule (HasValidCheckDigit). Example 54016027.
//   受給者番号      national schemes: 7 digits = 受給者区分(6) + 検証番号(1), same rule over the 6
//                 digits; 地方単独 schemes: their own numbering, up to 30 characters (PMH).
//   後期高齢者       保険者番号 8 digits starting with 39; no 記号; 被保険者番号 8 digits.
//
// Width is folded (full-width digits and spaces accepted) and surrounding spaces trimmed; the
// returned canonical forms are ASCII. Error texts name the field, never the value.
//
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_CARD_NUMBERS_H_
#define ONSHI_PLUGIN_CORE_CARD_NUMBERS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace onshi {

// The longest 地方単独 受給者番号 accepted, in code points (PMH allows 30, §8.2).
inline constexpr size_t kMaxLocalRecipientNumberLength = 30;

// The canonical 公費負担者番号: exactly 8 digits after width folding and trimming, with a valid
// check digit. Errors: INVALID_ARGUMENT (ONSHI_INVALID_PUBLIC_EXPENSE_NUMBER), the detail
// naming field public_expense_number and whether the form or the check digit is wrong.
absl::StatusOr<std::string> NormalizePublicExpenseNumber(absl::string_view input);

// True when `law` (the 法別番号 of a 公費負担者番号, 0–99) is a 地方単独事業: 80–99.
//
// Choice (the reference is silent): the national schemes use 法別番号 below 80 (10 感染症 …
// 12 生活保護 … 21 精神通院 … 54 指定難病 … 79 障害児施設医療) and the prefectures and
// municipalities give their own schemes numbers from 80 to 99 (e.g. 東京都 80 マル障, 88 マル子).
// Their 受給者番号 follow local numbering, so only the national ones get the 7-digit rule.
bool IsLocalPublicExpenseLaw(int law);

// The canonical 受給者番号 for the certificate whose canonical 公費負担者番号 (from
// NormalizePublicExpenseNumber) is `public_expense_number`:
//   national scheme (法別 01–79): exactly 7 digits after width folding and trimming, the last
//     the check digit of the first 6 by the 保険者番号 rule (weights 2, 1, 2, 1, 2, 1 from the
//     6th digit leftwards). Example: 123456 → 12→3 + 5 + 8 + 3 + 4 + 1 = 24 → 6 → 1234566.
//   地方単独 (法別 80–99): valid UTF-8, no control characters, 1–30 code points after width
//     folding and trimming; no check digit is assumed.
// Errors: INVALID_ARGUMENT: ONSHI_INVALID_PUBLIC_EXPENSE_NUMBER when `public_expense_number` is
// not a canonical one (callers normalize it first); ONSHI_INVALID_RECIPIENT_NUMBER, naming field
// recipient_number and the rule broken, otherwise.
absl::StatusOr<std::string> NormalizeRecipientNumber(absl::string_view input,
                                                     absl::string_view public_expense_number);

// The rules of a 後期高齢者医療 card (§8.3) for an insurer number NormalizeInsurerNumber
// returned: the insurer must be 8 digits of 法別 39 (IsLateElderlyInsurer), the 記号 empty (after
// trimming spaces), the 被保険者番号 exactly 8 digits after width folding and trimming.
// Returns the canonical 8-digit 被保険者番号.
//
// Errors: INVALID_ARGUMENT: ONSHI_INVALID_INSURER_NUMBER (field insurer_number, not a 後期高齢者
// insurer), ONSHI_INVALID_CARD_SYMBOL (field insured_card_symbol, must be empty),
// ONSHI_INVALID_CARD_NUMBER (field insured_identification_number, 8 digits).
//
// The 被保険者番号's check digit is NOT checked here: the reference gives that rule only with low
// confidence (§8.3 [L]); see LateElderlyInsuredNumberCheckDigitMatches.
absl::StatusOr<std::string> NormalizeLateElderlyCard(absl::string_view insurer_number,
                                                     absl::string_view symbol,
                                                     absl::string_view insured_number);

// Whether the last digit of a canonical 8-digit 後期高齢者 被保険者番号 is the check digit of the
// other 7 under the 保険者番号 rule, as oqs-interface.md §8.3 states with low confidence
// (レセプト受付エラー 4151). Meant for a warning to staff, not for refusing a patient, until the
// rule is confirmed against real cards. False for anything that is not 8 ASCII digits.
bool LateElderlyInsuredNumberCheckDigitMatches(absl::string_view insured_number);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_CARD_NUMBERS_H_
