#include "plugin/core/dates.h"

#include <ostream>
#include <string>

#include "absl/time/civil_time.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

Date D(int y, int m, int d) { return Date{y, m, d}; }

absl::Time Utc(int y, int mo, int d, int h, int mi, int s) {
  return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
}

TEST(ParseDateTest, AcceptsRealDatesIncludingLeapDays) {
  for (const char* text : {"20240229", "20000229", "19000101", "21991231", "20251231", "19850412",
                           "20250131", "20250430"}) {
    SCOPED_TRACE(text);
    std::optional<Date> date = ParseDate(text);
    ASSERT_TRUE(date.has_value());
    EXPECT_EQ(FormatDate(*date), text);
  }
  EXPECT_EQ(ParseDate("20240229").value_or(Date{}), D(2024, 2, 29));
}

TEST(ParseDateTest, RefusesImpossibleOrMalformedDates) {
  for (const char* text : {"20250230", "20230229", "19000229", "21000229", "20250431", "20251301",
                           "20250001", "20250100", "18991231", "22000101", "", "2025023",
                           "202502280", "2025-2-28", "２０２５０１０１", " 20250101", "2025010a"}) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(ParseDate(text).has_value());
  }
}

TEST(DateTest, ComparesChronologically) {
  EXPECT_LT(D(2025, 6, 2), D(2025, 6, 3));
  EXPECT_LT(D(2025, 6, 30), D(2025, 7, 1));
  EXPECT_LT(D(2024, 12, 31), D(2025, 1, 1));
  EXPECT_EQ(D(2025, 6, 2), D(2025, 6, 2));
  EXPECT_NE(D(2025, 6, 2), D(2025, 2, 6));
  EXPECT_LE(D(2025, 6, 2), D(2025, 6, 2));
  EXPECT_GE(D(2025, 6, 3), D(2025, 6, 2));
  EXPECT_GT(D(2026, 1, 1), D(2025, 12, 31));
}

TEST(FormatDateTest, PadsWithZeros) { EXPECT_EQ(FormatDate(D(2025, 1, 5)), "20250105"); }

TEST(IsValidDateTest, ChecksRangeAndCalendar) {
  EXPECT_TRUE(IsValidDate(D(2024, 2, 29)));
  EXPECT_FALSE(IsValidDate(D(2025, 2, 29)));
  EXPECT_FALSE(IsValidDate(D(2025, 0, 1)));
  EXPECT_FALSE(IsValidDate(D(1899, 12, 31)));
  EXPECT_FALSE(IsValidDate(D(2200, 1, 1)));
  EXPECT_FALSE(IsValidDate(Date{}));
}

TEST(IsValidTimestampTest, RequiresFourteenDigitsOfARealInstant) {
  EXPECT_TRUE(IsValidTimestamp("20250602091512"));
  EXPECT_TRUE(IsValidTimestamp("20240229235959"));
  EXPECT_TRUE(IsValidTimestamp("20250602000000"));
  EXPECT_FALSE(IsValidTimestamp("20250602240000"));
  EXPECT_FALSE(IsValidTimestamp("20250602236000"));
  EXPECT_FALSE(IsValidTimestamp("20250602235960"));
  EXPECT_FALSE(IsValidTimestamp("20250230120000"));
  EXPECT_FALSE(IsValidTimestamp("2025060209151"));
  EXPECT_FALSE(IsValidTimestamp("202506020915120"));
  EXPECT_FALSE(IsValidTimestamp("20250602 91512"));
  EXPECT_FALSE(IsValidTimestamp(""));
}

TEST(ParseJstTimestampTest, ReadsJapanTime) {
  absl::StatusOr<absl::Time> t = ParseJstTimestamp("20250602091512");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, Utc(2025, 6, 2, 0, 15, 12));
  t = ParseJstTimestamp("20260101050000");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, Utc(2025, 12, 31, 20, 0, 0));
}

TEST(ParseJstTimestampTest, RefusesMalformedWithoutEchoingIt) {
  absl::StatusOr<absl::Time> t = ParseJstTimestamp("20250230091512");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(ReasonOf(t.status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(std::string(t.status().message()).find("20250230"), std::string::npos);
}

TEST(JapanDateTest, ChangesDateAtFifteenHundredUtc) {
  EXPECT_EQ(JapanDate(Utc(2026, 11, 22, 14, 59, 59)), D(2026, 11, 22));
  EXPECT_EQ(JapanDate(Utc(2026, 11, 22, 15, 0, 0)), D(2026, 11, 23));
  EXPECT_EQ(JapanDate(Utc(2026, 11, 22, 0, 0, 0)), D(2026, 11, 22));
  EXPECT_EQ(JapanDate(Utc(2025, 12, 31, 15, 0, 0)), D(2026, 1, 1));
  EXPECT_EQ(JapanDate(Utc(2024, 2, 28, 15, 0, 0)), D(2024, 2, 29));
}

TEST(JapanDateTest, RoundTripsWithParseJstTimestamp) {
  for (const char* text : {"20250602000000", "20250602235959"}) {
    absl::StatusOr<absl::Time> t = ParseJstTimestamp(text);
    ASSERT_TRUE(t.ok()) << text;
    EXPECT_EQ(JapanDate(*t), D(2025, 6, 2)) << text;
  }
}

TEST(AddDaysTest, CrossesMonthsYearsAndLeapDays) {
  EXPECT_EQ(AddDays(D(2024, 2, 28), 1), D(2024, 2, 29));
  EXPECT_EQ(AddDays(D(2023, 2, 28), 1), D(2023, 3, 1));
  EXPECT_EQ(AddDays(D(2025, 12, 31), 1), D(2026, 1, 1));
  EXPECT_EQ(AddDays(D(2024, 3, 1), -1), D(2024, 2, 29));
  EXPECT_EQ(AddDays(D(2025, 6, 2), 0), D(2025, 6, 2));
  EXPECT_EQ(AddDays(D(2025, 1, 1), 365), D(2026, 1, 1));
}

struct AgeCase {
  Date birth;
  Date on;
  int age;
};

void PrintTo(const AgeCase& c, std::ostream* os) {
  *os << FormatDate(c.birth) << " on " << FormatDate(c.on) << " → " << c.age;
}

class AgeOnTest : public ::testing::TestWithParam<AgeCase> {};

TEST_P(AgeOnTest, CompletesTheYearOnTheDayBeforeTheBirthday) {
  EXPECT_EQ(AgeOn(GetParam().birth, GetParam().on), GetParam().age);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, AgeOnTest,
    ::testing::Values(
        // Born on the 15th: 70 from the 14th.
        AgeCase{D(1956, 5, 15), D(2026, 5, 13), 69}, AgeCase{D(1956, 5, 15), D(2026, 5, 14), 70},
        AgeCase{D(1956, 5, 15), D(2026, 5, 15), 70},
        // Born on the 1st: 70 already on the last day of the previous month.
        AgeCase{D(1956, 5, 1), D(2026, 4, 29), 69}, AgeCase{D(1956, 5, 1), D(2026, 4, 30), 70},
        // Born on 1 January: older on 31 December.
        AgeCase{D(2000, 1, 1), D(2025, 12, 30), 25}, AgeCase{D(2000, 1, 1), D(2025, 12, 31), 26},
        // Born on 29 February: older at the end of 28 February, leap year or not.
        AgeCase{D(2000, 2, 29), D(2023, 2, 27), 22}, AgeCase{D(2000, 2, 29), D(2023, 2, 28), 23},
        AgeCase{D(2000, 2, 29), D(2024, 2, 28), 24},
        // Day of birth and before.
        AgeCase{D(2025, 6, 2), D(2025, 6, 2), 0}, AgeCase{D(2025, 6, 2), D(2025, 6, 1), 0},
        AgeCase{D(2025, 6, 2), D(2026, 6, 1), 1}));

TEST(DateOfReachingAgeTest, IsTheDayBeforeTheBirthday) {
  EXPECT_EQ(DateOfReachingAge(D(1956, 5, 15), 70), D(2026, 5, 14));
  EXPECT_EQ(DateOfReachingAge(D(1956, 5, 1), 70), D(2026, 4, 30));
  EXPECT_EQ(DateOfReachingAge(D(2000, 2, 29), 23), D(2023, 2, 28));
  EXPECT_EQ(DateOfReachingAge(D(2000, 2, 29), 24), D(2024, 2, 28));
  EXPECT_EQ(DateOfReachingAge(D(2000, 1, 1), 6), D(2005, 12, 31));
}

TEST(DateOfReachingAgeTest, BirthdayOnTheFirstMovesMonthRulesOneMonthEarlier) {
  // "From the month after the month one reaches 70" (70–74 負担割合): for a birthday on the
  // 1st that is the birthday's own month, for any other day the month after it.
  const Date first = DateOfReachingAge(D(1956, 5, 1), 70);
  EXPECT_EQ(first.month, 4);  // rule applies from May
  const Date second = DateOfReachingAge(D(1956, 5, 2), 70);
  EXPECT_EQ(second.month, 5);  // rule applies from June
  for (const Date& birth : {D(1956, 5, 1), D(1956, 5, 2), D(2000, 2, 29)}) {
    const Date reached = DateOfReachingAge(birth, 70);
    EXPECT_EQ(AgeOn(birth, reached), 70);
    EXPECT_EQ(AgeOn(birth, AddDays(reached, -1)), 69);
  }
}

}  // namespace
}  // namespace onshi
