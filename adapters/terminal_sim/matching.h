// How the simulated terminal recognises a person from a request (oqs-interface.md §3.1, §8.3).
// Width, padding and leading zeros are compared the way core compares identifiers
// (plugin/core/text.h), which is what the public material describes OQS doing.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_MATCHING_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_MATCHING_H_

#include "absl/strings/string_view.h"
#include "onshi/v1/oqs_documents.pb.h"

namespace onshi::sim {

// Whether a request for (`asked`, `asked_birth_date`) designates the person whose card is
// (`card`, `birth_date`): insurer, 記号 and 番号 the same under SameIdentifier (so "  139014",
// "00139014" and "１３９０１４" are one insurer), 枝番 the same when both sides have one, birth
// date byte-equal. Pure and thread-safe.
bool CardMatches(const onshi::v1::InsuranceIdentifiers& asked, absl::string_view asked_birth_date,
                 const onshi::v1::InsuranceIdentifiers& card, absl::string_view birth_date);

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_MATCHING_H_
