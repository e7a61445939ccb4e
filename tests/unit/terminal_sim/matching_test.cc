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

TEST(FoldWidthTest, FullWidthAsciiBecomesAscii) {
  EXPECT_EQ(FoldWidth("１２３"), "123");
  EXPECT_EQ(FoldWidth("ＡＢｃ－９"), "ABc-9");
  EXPECT_EQ(FoldWidth("～！"), "~!");
}

TEST(FoldWidthTest, IdeographicSpaceBecomesSpace) {
  EXPECT_EQ(FoldWidth("試験　太郎"), "試験 太郎");
}

TEST(FoldWidthTest, KanjiKanaAndHalfWidthKanaAreKept) {
  EXPECT_EQ(FoldWidth("試験ｼｹﾝ𠮷"), "試験ｼｹﾝ𠮷");
  EXPECT_EQ(FoldWidth("ab"), "ab");
}

TEST(FoldWidthTest, InvalidUtf8IsCopiedNotDropped) {
  const std::string bad = "\xEF\xBC";
  EXPECT_EQ(FoldWidth(bad), bad);
}

TEST(NormalizeCardValueTest, LeadingZerosOfAllDigitValuesAreStripped) {
  EXPECT_EQ(NormalizeCardValue("0025"), "25");
  EXPECT_EQ(NormalizeCardValue("００２５"), "25");
  EXPECT_EQ(NormalizeCardValue("00"), "0");
  EXPECT_EQ(NormalizeCardValue("0"), "0");
}

TEST(NormalizeCardValueTest, ValuesWithNonDigitsKeepTheirZeros) {
  EXPECT_EQ(NormalizeCardValue("0A1"), "0A1");
  EXPECT_EQ(NormalizeCardValue("試験01"), "試験01");
}

TEST(NormalizeCardValueTest, SurroundingSpacesAreTrimmed) {
  EXPECT_EQ(NormalizeCardValue("  12 "), "12");
  EXPECT_EQ(NormalizeCardValue("　１２　"), "12");
  EXPECT_EQ(NormalizeCardValue(""), "");
}

TEST(NormalizeInsurerNumberTest, SixDigitKokuhoPaddedWithSpacesOrZerosIsTheSameInsurer) {
  EXPECT_EQ(NormalizeInsurerNumber("  139014"), "139014");
  EXPECT_EQ(NormalizeInsurerNumber("00139014"), "139014");
  EXPECT_EQ(NormalizeInsurerNumber("139014"), "139014");
  EXPECT_EQ(NormalizeInsurerNumber("０１１３９０１３"), NormalizeInsurerNumber("01139013"));
}

TEST(InsurerCheckDigitTest, ReferenceVectorsAreValid) {
  for (const char* valid :
       {"138156", "06138093", "06110852", "63132286", "31130685", "39131156", "39131131",
        "39131040", "80137151", "41139155", "81137150", "33120015", "06139992"}) {
    EXPECT_TRUE(InsurerCheckDigitValid(valid)) << valid;
  }
}

TEST(InsurerCheckDigitTest, WrongCheckDigitOrShapeIsInvalid) {
  for (const char* invalid : {"138157", "06139995", "6138093", "0613999", "061399920", "",
                              "0613999A", "  139014", "１３８１５６"}) {
    EXPECT_FALSE(InsurerCheckDigitValid(invalid)) << invalid;
  }
}

TEST(IsValidDateTest, AcceptsRealDatesOnly) {
  EXPECT_TRUE(IsValidDate("20240229"));
  EXPECT_TRUE(IsValidDate("20001231"));
  EXPECT_FALSE(IsValidDate("20230229"));
  EXPECT_FALSE(IsValidDate("19000229"));
  EXPECT_FALSE(IsValidDate("20251301"));
  EXPECT_FALSE(IsValidDate("20250100"));
  EXPECT_FALSE(IsValidDate("2025011"));
  EXPECT_FALSE(IsValidDate("2025-1-1"));
}

TEST(IsValidTimestampTest, AcceptsRealTimesOnly) {
  EXPECT_TRUE(IsValidTimestamp("20261201093000"));
  EXPECT_FALSE(IsValidTimestamp("20261201243000"));
  EXPECT_FALSE(IsValidTimestamp("20261201096000"));
  EXPECT_FALSE(IsValidTimestamp("202612010930"));
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
