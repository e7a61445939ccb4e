#include "plugin/core/copay_ratio.h"

#include <optional>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/core/test_names.h"

namespace onshi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

struct DayCase {
  const char* name;
  Date birth;
  Date expected;
};

class LastPreschoolDayTest : public ::testing::TestWithParam<DayCase> {};

TEST_P(LastPreschoolDayTest, IsTheFirstThirtyFirstMarchAfterReachingSix) {
  EXPECT_EQ(LastPreschoolDay(GetParam().birth), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, LastPreschoolDayTest,
    ::testing::Values(
        // Reaches 6 on 2025-03-31 (the day before the birthday): school from April 2025.
        DayCase{"BornFirstApril", {2019, 4, 1}, {2025, 3, 31}},
        // Reaches 6 on 2025-04-01: one more year.
        DayCase{"BornSecondApril", {2019, 4, 2}, {2026, 3, 31}},
        DayCase{"BornThirtyFirstMarch", {2019, 3, 31}, {2025, 3, 31}},
        DayCase{"BornNewYear", {2019, 1, 1}, {2025, 3, 31}},
        DayCase{"BornDecember", {2019, 12, 31}, {2026, 3, 31}},
        // 29 Feb 2020 reaches 6 on 28 Feb 2026.
        DayCase{"BornLeapDay", {2020, 2, 29}, {2026, 3, 31}}),
    DescriptionName());

class ElderlyRulesStartTest : public ::testing::TestWithParam<DayCase> {};

TEST_P(ElderlyRulesStartTest, IsTheFirstOfTheMonthAfterReachingSeventy) {
  EXPECT_EQ(ElderlyRulesStart(GetParam().birth), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, ElderlyRulesStartTest,
    ::testing::Values(
        // Reaches 70 on 2026-05-14 → June.
        DayCase{"MidMonth", {1956, 5, 15}, {2026, 6, 1}},
        // Born on the 1st: reaches 70 on 2026-04-30 → the birthday month itself.
        DayCase{"BornFirst", {1956, 5, 1}, {2026, 5, 1}},
        DayCase{"BornSecond", {1956, 5, 2}, {2026, 6, 1}},
        DayCase{"BornLastDay", {1956, 5, 31}, {2026, 6, 1}},
        // Reaches 70 on 2026-12-14 → January of the next year.
        DayCase{"December", {1956, 12, 15}, {2027, 1, 1}},
        // Born 1 January: reaches 70 on 2025-12-31 → January 2026.
        DayCase{"BornNewYear", {1956, 1, 1}, {2026, 1, 1}},
        // Born 1 March: reaches 70 on 28 Feb 2026 → March.
        DayCase{"BornFirstMarch", {1956, 3, 1}, {2026, 3, 1}},
        // Born 29 Feb 1956: reaches 70 on 28 Feb 2026 → March.
        DayCase{"BornLeapDay", {1956, 2, 29}, {2026, 3, 1}}),
    DescriptionName());

class LateElderlyStartTest : public ::testing::TestWithParam<DayCase> {};

TEST_P(LateElderlyStartTest, IsTheSeventyFifthBirthday) {
  EXPECT_EQ(LateElderlyStart(GetParam().birth), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, LateElderlyStartTest,
    ::testing::Values(DayCase{"MidMonth", {1951, 6, 15}, {2026, 6, 15}},
                      DayCase{"BornFirst", {1951, 6, 1}, {2026, 6, 1}},
                      DayCase{"NewYear", {1951, 1, 1}, {2026, 1, 1}},
                      // 2027 has no 29 February: the age is complete at the end of the 28th.
                      DayCase{"BornLeapDay", {1952, 2, 29}, {2027, 3, 1}}),
    DescriptionName());

struct BracketCase {
  const char* name;
  Date birth;
  Date date;
  CopayAgeBracket expected;
};

class CopayAgeBracketTest : public ::testing::TestWithParam<BracketCase> {};

TEST_P(CopayAgeBracketTest, FollowsTheBoundaries) {
  EXPECT_EQ(CopayAgeBracketOn(GetParam().birth, GetParam().date), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, CopayAgeBracketTest,
    ::testing::Values(
        BracketCase{"Newborn", {2025, 6, 2}, {2025, 6, 2}, CopayAgeBracket::kPreschool},
        BracketCase{
            "AprilFirstLastPreschoolDay", {2019, 4, 1}, {2025, 3, 31}, CopayAgeBracket::kPreschool},
        BracketCase{
            "AprilFirstFirstSchoolDay", {2019, 4, 1}, {2025, 4, 1}, CopayAgeBracket::kWorkingAge},
        BracketCase{
            "AprilSecondStillPreschool", {2019, 4, 2}, {2026, 3, 31}, CopayAgeBracket::kPreschool},
        BracketCase{"AprilSecondSchool", {2019, 4, 2}, {2026, 4, 1}, CopayAgeBracket::kWorkingAge},
        BracketCase{"LeapDayChildLastPreschoolDay",
                    {2020, 2, 29},
                    {2026, 3, 31},
                    CopayAgeBracket::kPreschool},
        BracketCase{
            "LeapDayChildSchool", {2020, 2, 29}, {2026, 4, 1}, CopayAgeBracket::kWorkingAge},
        BracketCase{"SeventyMidMonthBirthdayMonth",
                    {1956, 3, 15},
                    {2026, 3, 31},
                    CopayAgeBracket::kWorkingAge},
        BracketCase{"SeventyMidMonthNextMonth",
                    {1956, 3, 15},
                    {2026, 4, 1},
                    CopayAgeBracket::kElderly70To74},
        BracketCase{"SeventyBornFirstMonthBefore",
                    {1956, 3, 1},
                    {2026, 2, 28},
                    CopayAgeBracket::kWorkingAge},
        BracketCase{"SeventyBornFirstBirthdayMonth",
                    {1956, 3, 1},
                    {2026, 3, 1},
                    CopayAgeBracket::kElderly70To74},
        BracketCase{
            "SeventyFiveDayBefore", {1951, 6, 15}, {2026, 6, 14}, CopayAgeBracket::kElderly70To74},
        BracketCase{
            "SeventyFiveBirthday", {1951, 6, 15}, {2026, 6, 15}, CopayAgeBracket::kLateElderly},
        BracketCase{"SeventyFiveLeapDayFebruary",
                    {1952, 2, 29},
                    {2027, 2, 28},
                    CopayAgeBracket::kElderly70To74},
        BracketCase{
            "SeventyFiveLeapDayMarch", {1952, 2, 29}, {2027, 3, 1}, CopayAgeBracket::kLateElderly}),
    DescriptionName());

TEST(CopayAgeBracketTest, DisabilityMakesLateElderlyFromSixtyFive) {
  // Reaches 65 (legal age, AgeOn) on 2025-06-14, the day before the birthday.
  EXPECT_EQ(CopayAgeBracketOn({1960, 6, 15}, {2025, 6, 13}, true), CopayAgeBracket::kWorkingAge);
  EXPECT_EQ(CopayAgeBracketOn({1960, 6, 15}, {2025, 6, 14}, true), CopayAgeBracket::kLateElderly);
  EXPECT_EQ(CopayAgeBracketOn({1960, 6, 15}, {2025, 6, 15}, false), CopayAgeBracket::kWorkingAge);
}

TEST(AllowedCopayPercentsTest, ListsTheRatiosOfEachBracket) {
  const Date today{2025, 6, 2};
  EXPECT_THAT(AllowedCopayPercents(CopayAgeBracket::kPreschool, today), ElementsAre(20));
  EXPECT_THAT(AllowedCopayPercents(CopayAgeBracket::kWorkingAge, today), ElementsAre(30));
  EXPECT_THAT(AllowedCopayPercents(CopayAgeBracket::kElderly70To74, today), ElementsAre(20, 30));
  EXPECT_THAT(AllowedCopayPercents(CopayAgeBracket::kLateElderly, today), ElementsAre(10, 20, 30));
  // 後期高齢者 2割 only from 2022-10-01.
  EXPECT_THAT(AllowedCopayPercents(CopayAgeBracket::kLateElderly, {2022, 9, 30}),
              ElementsAre(10, 30));
  EXPECT_THAT(AllowedCopayPercents(CopayAgeBracket::kLateElderly, {2022, 10, 1}),
              ElementsAre(10, 20, 30));
}

TEST(CopayPercentFixedByAgeTest, OnlyBeforeTheSeventyRules) {
  EXPECT_EQ(CopayPercentFixedByAge({2020, 4, 2}, {2027, 3, 31}, false), 20);
  EXPECT_EQ(CopayPercentFixedByAge({2020, 4, 2}, {2027, 4, 1}, false), 30);
  EXPECT_EQ(CopayPercentFixedByAge({2020, 4, 2}, {2030, 4, 1}, true), 20);
  EXPECT_EQ(CopayPercentFixedByAge({1956, 3, 15}, {2026, 3, 31}, false), 30);
  EXPECT_EQ(CopayPercentFixedByAge({1956, 3, 15}, {2026, 4, 1}, false), std::nullopt);
  EXPECT_EQ(CopayPercentFixedByAge({1940, 1, 1}, {2026, 4, 1}, false), std::nullopt);
  EXPECT_EQ(CopayPercentFixedByAge({2025, 6, 3}, {2025, 6, 2}, false), std::nullopt);
}

TEST(ContributionRatioTest, ParsesThreeDigitPercents) {
  EXPECT_EQ(ParseContributionRatio("030"), 30);
  EXPECT_EQ(ParseContributionRatio("100"), 100);
  EXPECT_EQ(ParseContributionRatio("000"), 0);
  EXPECT_EQ(ParseContributionRatio("101"), std::nullopt);
  EXPECT_EQ(ParseContributionRatio("30"), std::nullopt);
  EXPECT_EQ(ParseContributionRatio(""), std::nullopt);
  EXPECT_EQ(ParseContributionRatio("３０"), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// CheckCopayRatio

constexpr char kEmployeeInsurer[] = "06139992";
constexpr char kLateElderlyInsurer[] = "39131156";

v1::QualificationRecord Record(const char* birth, const char* insurer, const char* card_ratio) {
  v1::QualificationRecord record;
  record.set_birth_date(birth);
  record.mutable_identifiers()->set_insurer_number(insurer);
  record.set_insured_partial_contribution_ratio(card_ratio);
  record.set_insured_card_classification("01");
  return record;
}

void SetElderly(v1::QualificationRecord* record, const char* start, const char* end,
                const char* ratio) {
  record->mutable_elderly_recipient_certificate()->set_valid_start_date(start);
  record->mutable_elderly_recipient_certificate()->set_valid_end_date(end);
  record->mutable_elderly_recipient_certificate()->set_contribution_ratio(ratio);
}

std::vector<std::string> Codes(const CopayCheck& check) {
  std::vector<std::string> codes;
  for (const CopayWarning& warning : check.warnings) codes.push_back(warning.code);
  return codes;
}

CopayCheck Check(const v1::QualificationRecord& record, const Date& date) {
  absl::StatusOr<CopayCheck> check = CheckCopayRatio(record, date);
  EXPECT_TRUE(check.ok()) << check.status();
  return check.ok() ? *check : CopayCheck{};
}

TEST(CheckCopayRatioTest, AdultWithThreeTenthsIsQuiet) {
  const CopayCheck check = Check(Record("19850412", kEmployeeInsurer, "030"), {2025, 6, 2});
  EXPECT_EQ(check.bracket, CopayAgeBracket::kWorkingAge);
  EXPECT_EQ(check.answered_percent, 30);
  EXPECT_THAT(check.warnings, IsEmpty());
}

TEST(CheckCopayRatioTest, AdultWithTwoTenthsIsWarnedNotChanged) {
  const CopayCheck check = Check(Record("19850412", kEmployeeInsurer, "020"), {2025, 6, 2});
  EXPECT_EQ(check.answered_percent, 20);
  EXPECT_THAT(Codes(check), ElementsAre(std::string(notices::kCopayRatioUnexpectedForAge)));
}

TEST(CheckCopayRatioTest, SixthBirthdayBeforeAndAfterFirstApril) {
  // Born 1 April 2019: school (3割) from 1 April 2025.
  EXPECT_THAT(Check(Record("20190401", kEmployeeInsurer, "020"), {2025, 3, 31}).warnings,
              IsEmpty());
  EXPECT_THAT(Codes(Check(Record("20190401", kEmployeeInsurer, "020"), {2025, 4, 1})),
              ElementsAre(std::string(notices::kCopayRatioUnexpectedForAge)));
  // Born 2 April 2019: still 2割 on 1 April 2025.
  EXPECT_THAT(Check(Record("20190402", kEmployeeInsurer, "020"), {2025, 4, 1}).warnings, IsEmpty());
  EXPECT_THAT(Codes(Check(Record("20190402", kEmployeeInsurer, "030"), {2025, 4, 1})),
              ElementsAre(std::string(notices::kCopayRatioUnexpectedForAge)));
}

TEST(CheckCopayRatioTest, LeapDayChild) {
  EXPECT_THAT(Check(Record("20200229", kEmployeeInsurer, "020"), {2026, 3, 31}).warnings,
              IsEmpty());
  EXPECT_THAT(Check(Record("20200229", kEmployeeInsurer, "030"), {2026, 4, 1}).warnings, IsEmpty());
}

TEST(CheckCopayRatioTest, PreschoolFlagForASchoolChildIsWarned) {
  v1::QualificationRecord record = Record("20150101", kEmployeeInsurer, "030");
  record.set_preschool_classification("1");
  EXPECT_THAT(Codes(Check(record, {2025, 6, 2})),
              ElementsAre(std::string(notices::kPreschoolFlagMismatch)));
}

TEST(CheckCopayRatioTest, SeventiethBirthdayMidMonth) {
  // Born 1956-03-15: 70–74 rules from 2026-04-01. The certificate starts then.
  v1::QualificationRecord record = Record("19560315", kEmployeeInsurer, "030");
  SetElderly(&record, "20260401", "20270731", "020");
  // Birthday month: the card's 3割 applies, the certificate is not yet in force.
  CopayCheck check = Check(record, {2026, 3, 31});
  EXPECT_EQ(check.bracket, CopayAgeBracket::kWorkingAge);
  EXPECT_EQ(check.answered_percent, 30);
  EXPECT_THAT(check.warnings, IsEmpty());
  // The month after: the certificate's 2割.
  check = Check(record, {2026, 4, 1});
  EXPECT_EQ(check.bracket, CopayAgeBracket::kElderly70To74);
  EXPECT_EQ(check.answered_percent, 20);
  EXPECT_THAT(check.warnings, IsEmpty());
}

TEST(CheckCopayRatioTest, CertificateStartingInTheBirthdayMonthIsWarned) {
  // A 高齢受給者証 from 2026-03-01 for someone born 1956-03-15 (rules from April).
  v1::QualificationRecord record = Record("19560315", kEmployeeInsurer, "030");
  SetElderly(&record, "20260301", "20270731", "020");
  EXPECT_THAT(Codes(Check(record, {2026, 3, 20})),
              ElementsAre(std::string(notices::kElderlyCertificateUnexpected),
                          std::string(notices::kCopayRatioUnexpectedForAge)));
}

TEST(CheckCopayRatioTest, SeventiethBirthdayOnTheFirst) {
  // Born 1956-03-01: the 70–74 rules from 2026-03-01, the birthday month itself.
  v1::QualificationRecord record = Record("19560301", kEmployeeInsurer, "030");
  SetElderly(&record, "20260301", "20270731", "020");
  CopayCheck check = Check(record, {2026, 3, 1});
  EXPECT_EQ(check.bracket, CopayAgeBracket::kElderly70To74);
  EXPECT_EQ(check.answered_percent, 20);
  EXPECT_THAT(check.warnings, IsEmpty());
  check = Check(record, {2026, 2, 28});
  EXPECT_EQ(check.bracket, CopayAgeBracket::kWorkingAge);
  EXPECT_EQ(check.answered_percent, 30);
  EXPECT_THAT(check.warnings, IsEmpty());
}

TEST(CheckCopayRatioTest, SeventyToSeventyFourWithoutCertificateIsWarned) {
  const CopayCheck check = Check(Record("19530310", kEmployeeInsurer, "020"), {2025, 6, 2});
  EXPECT_EQ(check.bracket, CopayAgeBracket::kElderly70To74);
  EXPECT_THAT(Codes(check), ElementsAre(std::string(notices::kElderlyRatioMissing)));
}

TEST(CheckCopayRatioTest, OneTenthInTheSeventyRulesIsWarned) {
  v1::QualificationRecord record = Record("19530310", kEmployeeInsurer, "");
  SetElderly(&record, "20250101", "20250731", "010");
  EXPECT_THAT(Codes(Check(record, {2025, 6, 2})),
              ElementsAre(std::string(notices::kCopayRatioUnexpectedForAge)));
}

TEST(CheckCopayRatioTest, SeventyFifthBirthdayMidMonth) {
  // Born 1951-06-15: 後期高齢者 from 2026-06-15.
  v1::QualificationRecord old_card = Record("19510615", kEmployeeInsurer, "");
  SetElderly(&old_card, "20250801", "20260614", "020");
  EXPECT_THAT(Check(old_card, {2026, 6, 14}).warnings, IsEmpty());
  // On the birthday the old card is no longer right.
  EXPECT_THAT(Codes(Check(old_card, {2026, 6, 15})),
              ElementsAre(std::string(notices::kLateElderlyInsurerExpected)));
  v1::QualificationRecord new_card = Record("19510615", kLateElderlyInsurer, "010");
  const CopayCheck check = Check(new_card, {2026, 6, 15});
  EXPECT_EQ(check.bracket, CopayAgeBracket::kLateElderly);
  EXPECT_THAT(check.warnings, IsEmpty());
}

TEST(CheckCopayRatioTest, OldCertificateStillInForceAfterSeventyFiveIsWarned) {
  v1::QualificationRecord record = Record("19510615", kEmployeeInsurer, "");
  SetElderly(&record, "20250801", "20260731", "020");
  EXPECT_THAT(Codes(Check(record, {2026, 6, 20})),
              ElementsAre(std::string(notices::kElderlyCertificateUnexpected),
                          std::string(notices::kLateElderlyInsurerExpected)));
}

TEST(CheckCopayRatioTest, LateElderlyTwoTenthsOnlySinceOctober2022) {
  EXPECT_THAT(Codes(Check(Record("19450210", kLateElderlyInsurer, "020"), {2022, 9, 30})),
              ElementsAre(std::string(notices::kCopayRatioUnexpectedForAge)));
  EXPECT_THAT(Check(Record("19450210", kLateElderlyInsurer, "020"), {2022, 10, 1}).warnings,
              IsEmpty());
}

TEST(CheckCopayRatioTest, LateElderlyByDisabilityAtSixtySeven) {
  // A 広域連合 insurer for a 67-year-old: 後期高齢者 by 障害認定, 1割 is right.
  CopayCheck check = Check(Record("19580303", kLateElderlyInsurer, "010"), {2025, 6, 2});
  EXPECT_EQ(check.bracket, CopayAgeBracket::kLateElderly);
  EXPECT_THAT(check.warnings, IsEmpty());
  // The same 1割 on an employee insurer's card is not.
  check = Check(Record("19580303", kEmployeeInsurer, "010"), {2025, 6, 2});
  EXPECT_EQ(check.bracket, CopayAgeBracket::kWorkingAge);
  EXPECT_THAT(Codes(check), ElementsAre(std::string(notices::kCopayRatioUnexpectedForAge)));
}

TEST(CheckCopayRatioTest, MedicalAssistanceHasNoRatioAndNoWarning) {
  v1::QualificationRecord record = Record("19450210", "12130050", "");
  record.set_insured_card_classification("A1");
  const CopayCheck check = Check(record, {2025, 6, 2});
  EXPECT_EQ(check.answered_percent, std::nullopt);
  EXPECT_THAT(check.warnings, IsEmpty());
}

TEST(CheckCopayRatioTest, MissingOrUnreadableRatioIsLeftToTheBillingView) {
  EXPECT_THAT(Check(Record("19850412", kEmployeeInsurer, ""), {2025, 6, 2}).warnings, IsEmpty());
  const CopayCheck check = Check(Record("19850412", kEmployeeInsurer, "3割"), {2025, 6, 2});
  EXPECT_EQ(check.answered_percent, std::nullopt);
  EXPECT_THAT(check.warnings, IsEmpty());
}

TEST(CheckCopayRatioTest, WarningsQuoteNoValueOfTheRecord) {
  v1::QualificationRecord record = Record("19510615", kEmployeeInsurer, "");
  SetElderly(&record, "20250801", "20260731", "040");  // 4割: allowed in no bracket
  record.set_preschool_classification("1");
  const CopayCheck check = Check(record, {2026, 6, 20});
  ASSERT_EQ(check.warnings.size(), 4u);
  for (const CopayWarning& warning : check.warnings) {
    EXPECT_THAT(warning.code, testing::StartsWith("ONSHI_NOTICE_"));
    EXPECT_FALSE(warning.staff_message.empty());
    EXPECT_FALSE(warning.it_message.empty());
    for (const char* value : {"19510615", "1951", kEmployeeInsurer, "040", "20250801", "4割"}) {
      EXPECT_THAT(warning.staff_message, Not(HasSubstr(value)));
      EXPECT_THAT(warning.it_message, Not(HasSubstr(value)));
    }
  }
}

TEST(CheckCopayRatioTest, UnreadableBirthDateIsAnError) {
  for (const char* birth : {"", "19851301", "20250603"}) {
    absl::StatusOr<CopayCheck> check =
        CheckCopayRatio(Record(birth, kEmployeeInsurer, "030"), {2025, 6, 2});
    ASSERT_FALSE(check.ok()) << birth;
    EXPECT_EQ(ReasonOf(check.status()), "ONSHI_INVALID_ARGUMENT");
    EXPECT_THAT(std::string(check.status().message()), HasSubstr("Birthdate"));
  }
  absl::StatusOr<CopayCheck> check =
      CheckCopayRatio(Record("19850412", kEmployeeInsurer, "030"), {2025, 2, 29});
  ASSERT_FALSE(check.ok());
  EXPECT_THAT(std::string(check.status().message()), HasSubstr("confirmation_date"));
}

}  // namespace
}  // namespace onshi
