#include "adapters/terminal_sim/matching.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "plugin/core/text.h"

namespace onshi::sim {

bool IdentifiersMatch(const onshi::v1::InsuranceIdentifiers& asked,
                      const onshi::v1::InsuranceIdentifiers& card) {
  if (!SameIdentifier(asked.insurer_number(), card.insurer_number()) ||
      !SameIdentifier(asked.insured_card_symbol(), card.insured_card_symbol()) ||
      !SameIdentifier(asked.insured_identification_number(),
                      card.insured_identification_number())) {
    return false;
  }
  const std::string asked_branch = NormalizeIdentifierForComparison(asked.insured_branch_number());
  const std::string card_branch = NormalizeIdentifierForComparison(card.insured_branch_number());
  return asked_branch.empty() || card_branch.empty() || asked_branch == card_branch;
}

bool CardMatches(const onshi::v1::InsuranceIdentifiers& asked, absl::string_view asked_birth_date,
                 const onshi::v1::InsuranceIdentifiers& card, absl::string_view birth_date) {
  return asked_birth_date == birth_date && IdentifiersMatch(asked, card);
}

PatientIndex::PatientIndex(const v1::Dataset& dataset) {
  for (const v1::Patient& patient : dataset.patients()) {
    by_key_.emplace(KeyOf(patient.card()), &patient);
    by_scenario_.emplace(patient.scenario(), &patient);
  }
}

std::string PatientIndex::KeyOf(const onshi::v1::InsuranceIdentifiers& ids) {
  // NUL cannot occur in a normalised identifier of valid text, so the key is unambiguous.
  return absl::StrCat(NormalizeIdentifierForComparison(ids.insurer_number()),
                      absl::string_view("\0", 1),
                      NormalizeIdentifierForComparison(ids.insured_identification_number()));
}

const v1::Patient* PatientIndex::FindByCard(const onshi::v1::InsuranceIdentifiers& asked,
                                            absl::string_view asked_birth_date) const {
  auto [first, last] = by_key_.equal_range(KeyOf(asked));
  // Equal keys keep their insertion (dataset) order in a multimap.
  for (auto it = first; it != last; ++it) {
    const v1::Patient* p = it->second;
    if (CardMatches(asked, asked_birth_date, p->card(), p->birth_date())) return p;
  }
  return nullptr;
}

std::vector<const v1::Patient*> PatientIndex::FindByIdentifiers(
    const onshi::v1::InsuranceIdentifiers& asked) const {
  std::vector<const v1::Patient*> found;
  auto [first, last] = by_key_.equal_range(KeyOf(asked));
  for (auto it = first; it != last; ++it) {
    if (IdentifiersMatch(asked, it->second->card())) found.push_back(it->second);
  }
  return found;
}

const v1::Patient* PatientIndex::FindByScenario(absl::string_view scenario) const {
  auto it = by_scenario_.find(scenario);
  return it == by_scenario_.end() ? nullptr : it->second;
}

}  // namespace onshi::sim
