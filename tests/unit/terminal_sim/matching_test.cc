#include "adapters/terminal_sim/matching.h"

#include "gtest/gtest.h"

namespace onshi::sim {
namespace {

onshi::v1::InsuranceIdentifiers Ids(const std::string& insurer, const std::string& symbol,
                                    const std::string& number, const std::string& branch = "") {
  onshi::v1::InsuranceIdentifiers ids;
  ids.set_insurer_number(insurer);
  ids.set_insured_card_symbol(symbol);
  ids.set_insured_identification_number(number);
  ids.set_insured_branch_number(branch);
  return ids;
}

TEST(CardMatchesTest, WidthPaddingAndLeadingZerosDoNotMatter) {
  const auto card = Ids("139014", "１２３", "0012345", "01");
  EXPECT_TRUE(CardMatches(Ids("  139014", "123", "12345", "1"), "19700303", card, "19700303"));
  EXPECT_TRUE(
      CardMatches(Ids("00139014", "１２３", "００１２３４５", "01"), "19700303", card, "19700303"));
}

TEST(CardMatchesTest, BranchIsComparedOnlyWhenBothSidesHaveOne) {
  const auto card = Ids("01139013", "1001", "25", "00");
  EXPECT_TRUE(CardMatches(Ids("01139013", "1001", "25"), "19800115", card, "19800115"));
  EXPECT_TRUE(CardMatches(Ids("01139013", "1001", "25", "00"), "19800115",
                          Ids("01139013", "1001", "25"), "19800115"));
  EXPECT_FALSE(CardMatches(Ids("01139013", "1001", "25", "03"), "19800115", card, "19800115"));
}

TEST(CardMatchesTest, AnyOtherDifferenceIsNoMatch) {
  const auto card = Ids("01139013", "1001", "25", "00");
  EXPECT_FALSE(CardMatches(Ids("01139013", "1001", "25", "00"), "19800116", card, "19800115"));
  EXPECT_FALSE(CardMatches(Ids("01139021", "1001", "25", "00"), "19800115", card, "19800115"));
  EXPECT_FALSE(CardMatches(Ids("01139013", "1002", "25", "00"), "19800115", card, "19800115"));
  EXPECT_FALSE(CardMatches(Ids("01139013", "1001", "26", "00"), "19800115", card, "19800115"));
  // 記号 given where the card has none (後期高齢), and the other way round.
  EXPECT_FALSE(CardMatches(Ids("39139019", "1", "10000016"), "19450510",
                           Ids("39139019", "", "10000016"), "19450510"));
  EXPECT_FALSE(CardMatches(Ids("39139019", "", "10000016"), "19450510",
                           Ids("39139019", "1", "10000016"), "19450510"));
}

}  // namespace
}  // namespace onshi::sim
