#include "adapters/terminal_sim/matching.h"

#include <string>

#include "plugin/core/text.h"

namespace onshi::sim {

bool CardMatches(const onshi::v1::InsuranceIdentifiers& asked, absl::string_view asked_birth_date,
                 const onshi::v1::InsuranceIdentifiers& card, absl::string_view birth_date) {
  if (asked_birth_date != birth_date) return false;
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

}  // namespace onshi::sim
