// How the simulated terminal recognises a person from a request (oqs-interface.md §3.1, §8.3).
// Width, padding and leading zeros are compared the way core compares identifiers
// (plugin/core/text.h), which is what the public material describes OQS doing.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_MATCHING_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_MATCHING_H_

#include <map>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "onshi/sim/v1/dataset.pb.h"
#include "onshi/v1/oqs_documents.pb.h"

namespace onshi::sim {

// Whether `asked` designates the card `card` without a birth date (照会番号 registration, 薬剤・
// 特定健診 requests): insurer, 記号 and 番号 the same under SameIdentifier (so "  139014",
// "00139014" and "１３９０１４" are one insurer), 枝番 the same when both sides have one. Pure
// and thread-safe.
bool IdentifiersMatch(const onshi::v1::InsuranceIdentifiers& asked,
                      const onshi::v1::InsuranceIdentifiers& card);

// Whether a request for (`asked`, `asked_birth_date`) designates the person whose card is
// (`card`, `birth_date`): IdentifiersMatch and the birth date byte-equal. Pure and thread-safe.
bool CardMatches(const onshi::v1::InsuranceIdentifiers& asked, absl::string_view asked_birth_date,
                 const onshi::v1::InsuranceIdentifiers& card, absl::string_view birth_date);

// The dataset's patients indexed by the comparison keys of their card's insurer number and
// 番号, so that a 10,000-record batch costs 10,000 lookups, not 10,000 scans. Immutable after
// construction; every method is thread-safe. Keeps pointers into `dataset`, which must outlive
// it and not change.
class PatientIndex {
 public:
  explicit PatientIndex(const v1::Dataset& dataset);

  // The patient a 個別照会 / 一括照会 record designates (CardMatches), or nullptr. A validated
  // dataset has at most one.
  const v1::Patient* FindByCard(const onshi::v1::InsuranceIdentifiers& asked,
                                absl::string_view asked_birth_date) const;

  // Every patient whose card IdentifiersMatch `asked`, in dataset order (several when the
  // request leaves out the 枝番 that tells family members apart).
  std::vector<const v1::Patient*> FindByIdentifiers(
      const onshi::v1::InsuranceIdentifiers& asked) const;

  // The patient with this scenario id, or nullptr.
  const v1::Patient* FindByScenario(absl::string_view scenario) const;

 private:
  static std::string KeyOf(const onshi::v1::InsuranceIdentifiers& ids);

  std::multimap<std::string, const v1::Patient*> by_key_;
  std::map<std::string, const v1::Patient*, std::less<>> by_scenario_;
};

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_MATCHING_H_
