// How the simulated terminal recognises a person: the comparison rules the public material
// describes for OQS (../shared/reference/oqs-interface.md §3.1, §8.1, §8.3), written
// independently of plugin/core so that the simulator checks onshi rather than mirrors it.
//
// All functions are pure and thread-safe.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_MATCHING_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_MATCHING_H_

#include <string>

#include "absl/strings/string_view.h"
#include "onshi/v1/oqs_documents.pb.h"

namespace onshi::sim {

// Full-width ASCII (U+FF01–U+FF5E) becomes ASCII and the ideographic space (U+3000) a space;
// everything else (kanji, kana, invalid bytes) is kept as it is.
std::string FoldWidth(absl::string_view text);

// A 記号・番号・枝番 value as the terminal compares it: width-folded, surrounding spaces
// trimmed, and leading zeros stripped when it is all digits ("0025" → "25", "00" → "0").
std::string NormalizeCardValue(absl::string_view value);

// A 保険者番号 as the terminal compares it: NormalizeCardValue, so "  139014" (space-padded),
// "00139014" (zero-padded) and "139014" are the same insurer.
std::string NormalizeInsurerNumber(absl::string_view value);

// True when `digits` is 6 or 8 ASCII digits whose last digit is the check digit of the others
// under the MHLW 保険者番号設定要領 rule (§8.1): from the rightmost digit multiply by 2, 1, 2,
// 1 …, add the digits of each product, check digit = (10 − sum mod 10) mod 10.
bool InsurerCheckDigitValid(absl::string_view digits);

// True for a real Gregorian date written YYYYMMDD (years 1800–2999).
bool IsValidDate(absl::string_view yyyymmdd);

// True for YYYYMMDDhhmmss with a real date and a time of day.
bool IsValidTimestamp(absl::string_view yyyymmddhhmmss);

// Whether a request for (`asked`, `asked_birth_date`) designates the person whose card is
// (`card`, `birth_date`): insurer, 記号 and 番号 equal after normalisation, 枝番 equal when both
// sides have one, birth date byte-equal.
bool CardMatches(const onshi::v1::InsuranceIdentifiers& asked, absl::string_view asked_birth_date,
                 const onshi::v1::InsuranceIdentifiers& card, absl::string_view birth_date);

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_MATCHING_H_
