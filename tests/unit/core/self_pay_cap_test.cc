#include "plugin/core/self_pay_cap.h"

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/core/test_names.h"

namespace onshi {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr CareSetting kOut = CareSetting::kOutpatient;
constexpr CareSetting kIn = CareSetting::kInpatient;

// Patients, for service dates in 2025-06 unless a case says otherwise.
constexpr Date kBorn1980{1980, 5, 10};  // 45: under 70
constexpr Date kBorn1953{1953, 3, 10};  // 72: 70–74 rules
constexpr Date kBorn1945{1945, 2, 10};  // 80: 後期高齢者
constexpr Date kJune{2025, 6, 15};

struct CapCase {
  const char* name;
  const char* code;
  Date birth;
  Date service;
  int64_t cost;
  bool many;
  CareSetting setting;
  int disease;
  bool disability;
  int64_t expected;
};

class SelfPayCapTableTest : public ::testing::TestWithParam<CapCase> {};

TEST_P(SelfPayCapTableTest, MatchesTheHandComputedCap) {
  const CapCase& c = GetParam();
  SelfPayCapInput input;
  input.limit_category = c.code;
  input.birth_date = c.birth;
  input.service_date = c.service;
  input.total_medical_cost_yen = c.cost;
  input.many_times = c.many;
  input.setting = c.setting;
  input.specific_disease_category = c.disease;
  input.late_elderly_by_disability = c.disability;
  absl::StatusOr<SelfPayCap> cap = ComputeSelfPayCap(input);
  ASSERT_TRUE(cap.ok()) << cap.status();
  EXPECT_EQ(cap->cap_yen, c.expected);
  EXPECT_FALSE(cap->rule.empty());
}

// Each row: the hand computation of the expected cap in its comment.
INSTANTIATE_TEST_SUITE_P(
    Table, SelfPayCapTableTest,
    ::testing::Values(
        // ---- Under 70, ア A01: 252,600 + (cost − 842,000) × 1%, 多数回 140,100.
        // 842,000 − 842,000 = 0 → 252,600.
        CapCase{"A01AtThreshold", "A01", kBorn1980, kJune, 842'000, false, kOut, 0, false, 252'600},
        // 1 × 1% = 0.01 yen → under 50 sen, dropped → 252,600.
        CapCase{"A01OneYenAbove", "A01", kBorn1980, kJune, 842'001, false, kOut, 0, false, 252'600},
        // 49 × 1% = 0.49 → dropped → 252,600.
        CapCase{"A01FortyNineSen", "A01", kBorn1980, kJune, 842'049, false, kOut, 0, false,
                252'600},
        // 50 × 1% = 0.50 → raised to 1 → 252,601.
        CapCase{"A01FiftySen", "A01", kBorn1980, kJune, 842'050, false, kOut, 0, false, 252'601},
        // 158,000 × 1% = 1,580 → 254,180.
        CapCase{"A01Million", "A01", kBorn1980, kJune, 1'000'000, false, kIn, 0, false, 254'180},
        // below the threshold: the excess counts as 0 → 252,600.
        CapCase{"A01BelowThreshold", "A01", kBorn1980, kJune, 500'000, false, kOut, 0, false,
                252'600},
        // 多数回: flat 140,100, no 1% term.
        CapCase{"A01ManyTimes", "A01", kBorn1980, kJune, 1'000'000, true, kIn, 0, false, 140'100},
        // ---- イ A02: 167,400 + (cost − 558,000) × 1%, 多数回 93,000.
        // 0 excess → 167,400.
        CapCase{"A02AtThreshold", "A02", kBorn1980, kJune, 558'000, false, kOut, 0, false, 167'400},
        // 100 × 1% = 1 → 167,401.
        CapCase{"A02HundredAbove", "A02", kBorn1980, kJune, 558'100, false, kOut, 0, false,
                167'401},
        // 442,000 × 1% = 4,420 → 171,820.
        CapCase{"A02Million", "A02", kBorn1980, kJune, 1'000'000, false, kIn, 0, false, 171'820},
        CapCase{"A02ManyTimes", "A02", kBorn1980, kJune, 1'000'000, true, kIn, 0, false, 93'000},
        // ---- ウ A03: 80,100 + (cost − 267,000) × 1%, 多数回 44,400.
        // 0 excess → 80,100.
        CapCase{"A03AtThreshold", "A03", kBorn1980, kJune, 267'000, false, kOut, 0, false, 80'100},
        // 1 × 1% = 0.01 → dropped → 80,100.
        CapCase{"A03OneYenAbove", "A03", kBorn1980, kJune, 267'001, false, kOut, 0, false, 80'100},
        // 50 × 1% = 0.5 → raised → 80,101.
        CapCase{"A03FiftySen", "A03", kBorn1980, kJune, 267'050, false, kOut, 0, false, 80'101},
        // 233,000 × 1% = 2,330 → 82,430 (入院: same table under 70).
        CapCase{"A03Inpatient", "A03", kBorn1980, kJune, 500'000, false, kIn, 0, false, 82'430},
        // 733,000 × 1% = 7,330 → 87,430.
        CapCase{"A03Million", "A03", kBorn1980, kJune, 1'000'000, false, kIn, 0, false, 87'430},
        CapCase{"A03ManyTimes", "A03", kBorn1980, kJune, 1'000'000, true, kIn, 0, false, 44'400},
        // ---- エ A04 57,600 flat, 多数回 44,400; オ A05/A06 35,400, 多数回 24,600.
        CapCase{"A04Flat", "A04", kBorn1980, kJune, 1'000'000, false, kIn, 0, false, 57'600},
        CapCase{"A04ManyTimes", "A04", kBorn1980, kJune, 1'000'000, true, kIn, 0, false, 44'400},
        CapCase{"A05Flat", "A05", kBorn1980, kJune, 1'000'000, false, kOut, 0, false, 35'400},
        CapCase{"A05ManyTimes", "A05", kBorn1980, kJune, 1'000'000, true, kIn, 0, false, 24'600},
        CapCase{"A06Flat", "A06", kBorn1980, kJune, 300'000, false, kIn, 0, false, 35'400},
        CapCase{"A06ManyTimes", "A06", kBorn1980, kJune, 300'000, true, kIn, 0, false, 24'600},
        // ---- 70–74, 現役並み B01–B03: the ア/イ/ウ formulas, 外来 = 世帯.
        // 0 excess → 252,600.
        CapCase{"B01AtThreshold", "B01", kBorn1953, kJune, 842'000, false, kOut, 0, false, 252'600},
        // 358,000 × 1% = 3,580 → 256,180, 外来 too (no separate 外来 limit for 現役並み).
        CapCase{"B01OutpatientFormula", "B01", kBorn1953, kJune, 1'200'000, false, kOut, 0, false,
                256'180},
        CapCase{"B01ManyTimes", "B01", kBorn1953, kJune, 1'200'000, true, kIn, 0, false, 140'100},
        // 42,000 × 1% = 420 → 167,820.
        CapCase{"B02Inpatient", "B02", kBorn1953, kJune, 600'000, false, kIn, 0, false, 167'820},
        CapCase{"B02ManyTimes", "B02", kBorn1953, kJune, 600'000, true, kIn, 0, false, 93'000},
        // 0 excess → 80,100; 50 × 1% = 0.5 → 80,101.
        CapCase{"B03AtThreshold", "B03", kBorn1953, kJune, 267'000, false, kOut, 0, false, 80'100},
        CapCase{"B03FiftySen", "B03", kBorn1953, kJune, 267'050, false, kOut, 0, false, 80'101},
        CapCase{"B03ManyTimes", "B03", kBorn1953, kJune, 267'050, true, kOut, 0, false, 44'400},
        // ---- 70–74 一般 B04: 外来(個人) 18,000; 世帯 57,600; 多数回 44,400 (世帯 only).
        CapCase{"B04Outpatient", "B04", kBorn1953, kJune, 500'000, false, kOut, 0, false, 18'000},
        CapCase{"B04Inpatient", "B04", kBorn1953, kJune, 500'000, false, kIn, 0, false, 57'600},
        CapCase{"B04InpatientManyTimes", "B04", kBorn1953, kJune, 500'000, true, kIn, 0, false,
                44'400},
        // 多数回 does not touch the 外来 individual amount: 18,000.
        CapCase{"B04OutpatientManyTimesIgnored", "B04", kBorn1953, kJune, 500'000, true, kOut, 0,
                false, 18'000},
        // ---- 低所得Ⅱ B05 8,000 / 24,600; 低所得Ⅰ B06–B08 8,000 / 15,000; no 多数回 amount.
        CapCase{"B05Outpatient", "B05", kBorn1953, kJune, 500'000, false, kOut, 0, false, 8'000},
        CapCase{"B05Inpatient", "B05", kBorn1953, kJune, 500'000, false, kIn, 0, false, 24'600},
        CapCase{"B05InpatientManyTimesIgnored", "B05", kBorn1953, kJune, 500'000, true, kIn, 0,
                false, 24'600},
        CapCase{"B06Outpatient", "B06", kBorn1953, kJune, 500'000, false, kOut, 0, false, 8'000},
        CapCase{"B06Inpatient", "B06", kBorn1953, kJune, 500'000, false, kIn, 0, false, 15'000},
        CapCase{"B07Inpatient", "B07", kBorn1953, kJune, 500'000, false, kIn, 0, false, 15'000},
        CapCase{"B08InpatientManyTimesIgnored", "B08", kBorn1953, kJune, 500'000, true, kIn, 0,
                false, 15'000},
        // ---- 後期高齢者: 一般Ⅰ B10 like 一般; B04 accepted with the same amounts.
        CapCase{"B10Outpatient", "B10", kBorn1945, kJune, 500'000, false, kOut, 0, false, 18'000},
        CapCase{"B10Inpatient", "B10", kBorn1945, kJune, 500'000, false, kIn, 0, false, 57'600},
        CapCase{"B10InpatientManyTimes", "B10", kBorn1945, kJune, 500'000, true, kIn, 0, false,
                44'400},
        CapCase{"B04ForLateElderly", "B04", kBorn1945, kJune, 500'000, false, kOut, 0, false,
                18'000},
        CapCase{"B01ForLateElderly", "B01", kBorn1945, kJune, 842'100, false, kIn, 0, false,
                252'601},  // 100 × 1% = 1 → 252,601
        // ---- 一般Ⅱ B09 外来 配慮措置 (2022-10-01 … 2025-09-30):
        //      min(18,000, 6,000 + (cost − 30,000) × 10%).
        // 0 excess → 6,000.
        CapCase{"B09ReliefAtThirtyThousand", "B09", kBorn1945, kJune, 30'000, false, kOut, 0, false,
                6'000},
        // below 30,000 the excess counts as 0 → 6,000.
        CapCase{"B09ReliefBelowThirtyThousand", "B09", kBorn1945, kJune, 29'990, false, kOut, 0,
                false, 6'000},
        // 30,000 × 10% = 3,000 → 9,000.
        CapCase{"B09ReliefSixtyThousand", "B09", kBorn1945, kJune, 60'000, false, kOut, 0, false,
                9'000},
        // 70,005 × 10% = 7,000.5 → raised → 13,001.
        CapCase{"B09ReliefFiftySen", "B09", kBorn1945, kJune, 100'005, false, kOut, 0, false,
                13'001},
        // 70,004 × 10% = 7,000.4 → dropped → 13,000.
        CapCase{"B09ReliefFortySen", "B09", kBorn1945, kJune, 100'004, false, kOut, 0, false,
                13'000},
        // 120,000 × 10% = 12,000 → 18,000 = the cap.
        CapCase{"B09ReliefReachesCap", "B09", kBorn1945, kJune, 150'000, false, kOut, 0, false,
                18'000},
        // 120,010 × 10% = 12,001 → 18,001 > 18,000 → 18,000.
        CapCase{"B09ReliefAboveCap", "B09", kBorn1945, kJune, 150'010, false, kOut, 0, false,
                18'000},
        // first day of the measure: 6,000 + 3,000 = 9,000.
        CapCase{"B09ReliefFirstDay", "B09", kBorn1945, Date{2022, 10, 1}, 60'000, false, kOut, 0,
                false, 9'000},
        // last day of the measure: 9,000.
        CapCase{"B09ReliefLastDay", "B09", kBorn1945, Date{2025, 9, 30}, 60'000, false, kOut, 0,
                false, 9'000},
        // the day after: no relief, the plain 18,000.
        CapCase{"B09AfterRelief", "B09", kBorn1945, Date{2025, 10, 1}, 60'000, false, kOut, 0,
                false, 18'000},
        // 入院 never had the relief: 57,600; 多数回 44,400.
        CapCase{"B09Inpatient", "B09", kBorn1945, kJune, 60'000, false, kIn, 0, false, 57'600},
        CapCase{"B09InpatientManyTimes", "B09", kBorn1945, kJune, 60'000, true, kIn, 0, false,
                44'400},
        // ---- 特定疾病: 10,000; 20,000 for 人工透析 (1) under 70 in ア/イ.
        CapCase{"DialysisUpperIncomeA01", "A01", kBorn1980, kJune, 1'000'000, false, kOut, 1, false,
                20'000},
        CapCase{"DialysisUpperIncomeA02", "A02", kBorn1980, kJune, 1'000'000, false, kIn, 1, false,
                20'000},
        CapCase{"DialysisA03", "A03", kBorn1980, kJune, 1'000'000, false, kOut, 1, false, 10'000},
        CapCase{"HemophiliaA01", "A01", kBorn1980, kJune, 1'000'000, false, kOut, 2, false, 10'000},
        CapCase{"DialysisSeventyPlusB01", "B01", kBorn1953, kJune, 1'000'000, false, kOut, 1, false,
                10'000},
        CapCase{"HivLateElderly", "B10", kBorn1945, kJune, 1'000'000, true, kOut, 3, false, 10'000},
        // ---- The 70th birthday month: the 70–74 rules start on the 1st of the next month.
        // Born 1955-06-15: reaches 70 on 2025-06-14; June is still under 70 → ウ 80,100.
        CapCase{"SeventyMidMonthBirthdayMonthIsUnder70", "A03", Date{1955, 6, 15},
                Date{2025, 6, 30}, 267'000, false, kOut, 0, false, 80'100},
        CapCase{"SeventyMidMonthNextMonthIs70To74", "B04", Date{1955, 6, 15}, Date{2025, 7, 1},
                267'000, false, kOut, 0, false, 18'000},
        // Born 1955-07-01: reaches 70 on 2025-06-30 → the 70–74 rules from 2025-07-01.
        CapCase{"SeventyBornFirstDayBefore", "A04", Date{1955, 7, 1}, Date{2025, 6, 30}, 100'000,
                false, kOut, 0, false, 57'600},
        CapCase{"SeventyBornFirstBirthdayMonth", "B04", Date{1955, 7, 1}, Date{2025, 7, 1}, 100'000,
                false, kOut, 0, false, 18'000},
        // ---- 75歳到達月の特例: born 1950-06-15, 75th birthday 2025-06-15: June halved.
        // Before the birthday (old insurer, 70–74): 18,000 / 2 = 9,000.
        CapCase{"Turning75BeforeBirthdayOutpatient", "B04", Date{1950, 6, 15}, Date{2025, 6, 14},
                100'000, false, kOut, 0, false, 9'000},
        // 57,600 / 2 = 28,800; 多数回 44,400 / 2 = 22,200.
        CapCase{"Turning75BeforeBirthdayInpatient", "B04", Date{1950, 6, 15}, Date{2025, 6, 1},
                100'000, false, kIn, 0, false, 28'800},
        CapCase{"Turning75ManyTimes", "B04", Date{1950, 6, 15}, Date{2025, 6, 1}, 100'000, true,
                kIn, 0, false, 22'200},
        // From the birthday (後期高齢者): 一般Ⅰ 18,000 / 2 = 9,000.
        CapCase{"Turning75OnBirthday", "B10", Date{1950, 6, 15}, Date{2025, 6, 15}, 100'000, false,
                kOut, 0, false, 9'000},
        // 現役並みⅢ: 126,300 + (1,000,000 − 421,000) × 1% = 126,300 + 5,790 = 132,090.
        CapCase{"Turning75B01", "B01", Date{1950, 6, 15}, Date{2025, 6, 20}, 1'000'000, false, kIn,
                0, false, 132'090},
        // 現役並みⅡ 多数回: 93,000 / 2 = 46,500.
        CapCase{"Turning75B02ManyTimes", "B02", Date{1950, 6, 15}, Date{2025, 6, 20}, 1'000'000,
                true, kIn, 0, false, 46'500},
        // 現役並みⅠ: 40,050 + (500,000 − 133,500) × 1% = 40,050 + 3,665 = 43,715.
        CapCase{"Turning75B03", "B03", Date{1950, 6, 15}, Date{2025, 6, 20}, 500'000, false, kOut,
                0, false, 43'715},
        // 低所得Ⅱ 24,600 / 2 = 12,300; 低所得Ⅰ 15,000 / 2 = 7,500; 外来 8,000 / 2 = 4,000.
        CapCase{"Turning75B05Inpatient", "B05", Date{1950, 6, 15}, Date{2025, 6, 20}, 500'000,
                false, kIn, 0, false, 12'300},
        CapCase{"Turning75B06Inpatient", "B06", Date{1950, 6, 15}, Date{2025, 6, 20}, 500'000,
                false, kIn, 0, false, 7'500},
        CapCase{"Turning75B06Outpatient", "B06", Date{1950, 6, 15}, Date{2025, 6, 20}, 500'000,
                false, kOut, 0, false, 4'000},
        // 一般Ⅱ relief halved: 3,000 + (60,000 − 15,000) × 10% = 7,500 (< 9,000).
        CapCase{"Turning75B09Relief", "B09", Date{1950, 6, 15}, Date{2025, 6, 20}, 60'000, false,
                kOut, 0, false, 7'500},
        // 特定疾病 10,000 / 2 = 5,000.
        CapCase{"Turning75SpecificDisease", "B10", Date{1950, 6, 15}, Date{2025, 6, 20}, 60'000,
                false, kOut, 1, false, 5'000},
        // The month after: no halving → 18,000.
        CapCase{"Turning75NextMonth", "B10", Date{1950, 6, 15}, Date{2025, 7, 1}, 100'000, false,
                kOut, 0, false, 18'000},
        // Born on the 1st: 後期高齢者 the whole month, no halving → 18,000.
        CapCase{"Turning75BornFirst", "B10", Date{1950, 6, 1}, Date{2025, 6, 1}, 100'000, false,
                kOut, 0, false, 18'000},
        // Born 29 Feb 1952: the 75th "birthday" of common-year 2027 is 1 March → no halving in
        // February (70–74, 18,000) nor in March (後期, 18,000).
        CapCase{"Turning75LeapDayFebruary", "B04", Date{1952, 2, 29}, Date{2027, 2, 28}, 100'000,
                false, kOut, 0, false, 18'000},
        CapCase{"Turning75LeapDayMarch", "B10", Date{1952, 2, 29}, Date{2027, 3, 1}, 100'000, false,
                kOut, 0, false, 18'000},
        // Already 後期高齢者 by disability: no insurer change at 75, no halving → 18,000.
        CapCase{"Turning75ByDisabilityNotHalved", "B10", Date{1950, 6, 15}, Date{2025, 6, 20},
                100'000, false, kOut, 0, true, 18'000},
        // 67 and 後期高齢者 by disability: the 後期 table → 一般Ⅰ 入院 57,600.
        CapCase{"DisabilityAt67", "B10", Date{1958, 3, 3}, kJune, 100'000, false, kIn, 0, true,
                57'600},
        // First day of the tables: 2018-08-01, ウ 80,100.
        CapCase{"TablesFirstDay", "A03", kBorn1980, Date{2018, 8, 1}, 100'000, false, kOut, 0,
                false, 80'100}),
    DescriptionName());

SelfPayCapInput ValidInput() {
  SelfPayCapInput input;
  input.limit_category = "A03";
  input.birth_date = kBorn1980;
  input.service_date = kJune;
  input.total_medical_cost_yen = 987'654;
  return input;
}

void ExpectInvalid(const SelfPayCapInput& input, absl::string_view field) {
  absl::StatusOr<SelfPayCap> cap = ComputeSelfPayCap(input);
  ASSERT_FALSE(cap.ok());
  EXPECT_EQ(cap.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(cap.status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_THAT(std::string(cap.status().message()), HasSubstr(field));
  // No value of the input in the text: not the code, not the cost, not a date.
  if (!input.limit_category.empty()) {
    EXPECT_THAT(std::string(cap.status().message()), Not(HasSubstr(input.limit_category)));
  }
  EXPECT_THAT(std::string(cap.status().message()),
              Not(HasSubstr(absl::StrCat(input.total_medical_cost_yen))));
  EXPECT_THAT(std::string(cap.status().message()), Not(HasSubstr("1980")));
}

TEST(SelfPayCapErrorTest, UnknownCodesAreRefused) {
  for (const char* code : {"", "A00", "A07", "B00", "B11", "a03", "C01", "A03 "}) {
    SelfPayCapInput input = ValidInput();
    input.limit_category = code;
    SCOPED_TRACE(code);
    ExpectInvalid(input, "limit_category");
  }
}

TEST(SelfPayCapErrorTest, CodeOfTheWrongAgeIsRefused) {
  SelfPayCapInput input = ValidInput();
  input.limit_category = "B04";  // a 70+ code for a 45-year-old
  ExpectInvalid(input, "limit_category");
  input.limit_category = "A03";  // an under-70 code in the 70–74 rules
  input.birth_date = kBorn1953;
  ExpectInvalid(input, "limit_category");
  input.limit_category = "B10";  // a 後期高齢者 code for a 72-year-old
  ExpectInvalid(input, "limit_category");
  input.limit_category = "B09";
  ExpectInvalid(input, "limit_category");
  input.limit_category = "A01";  // under-70 code for a 後期高齢者
  input.birth_date = kBorn1945;
  ExpectInvalid(input, "limit_category");
}

TEST(SelfPayCapErrorTest, SeventiethBirthdayMonthStillRefusesBCodes) {
  SelfPayCapInput input = ValidInput();
  input.birth_date = Date{1955, 6, 15};
  input.service_date = Date{2025, 6, 30};
  input.limit_category = "B04";
  ExpectInvalid(input, "limit_category");
  input.service_date = Date{2025, 7, 1};
  input.limit_category = "A03";
  ExpectInvalid(input, "limit_category");
}

TEST(SelfPayCapErrorTest, GeneralTwoDoesNotExistBeforeOctober2022) {
  SelfPayCapInput input = ValidInput();
  input.birth_date = kBorn1945;
  input.limit_category = "B09";
  input.service_date = Date{2022, 9, 30};
  ExpectInvalid(input, "limit_category");
}

TEST(SelfPayCapErrorTest, ImpossibleInputsAreRefused) {
  SelfPayCapInput input = ValidInput();
  input.service_date = Date{2018, 7, 31};
  ExpectInvalid(input, "service_date");
  input = ValidInput();
  input.service_date = Date{2025, 2, 29};
  ExpectInvalid(input, "service_date");
  input = ValidInput();
  input.service_date = Date{1980, 5, 9};  // before the birth
  ExpectInvalid(input, "service_date");
  input = ValidInput();
  input.birth_date = Date{1980, 13, 1};
  ExpectInvalid(input, "birth_date");
  input = ValidInput();
  input.total_medical_cost_yen = -1;
  ExpectInvalid(input, "total_medical_cost_yen");
  input = ValidInput();
  input.total_medical_cost_yen = kMaxMonthlyMedicalCostYen + 1;
  ExpectInvalid(input, "total_medical_cost_yen");
  input = ValidInput();
  input.specific_disease_category = 4;
  ExpectInvalid(input, "specific_disease_category");
  input = ValidInput();
  input.specific_disease_category = -1;
  ExpectInvalid(input, "specific_disease_category");
  input = ValidInput();
  input.limit_category = "B10";
  input.late_elderly_by_disability = true;  // 45: too young for 障害認定
  ExpectInvalid(input, "late_elderly_by_disability");
}

TEST(SelfPayCapTest, LargestCostDoesNotOverflow) {
  SelfPayCapInput input = ValidInput();
  input.limit_category = "A01";
  input.total_medical_cost_yen = kMaxMonthlyMedicalCostYen;
  absl::StatusOr<SelfPayCap> cap = ComputeSelfPayCap(input);
  ASSERT_TRUE(cap.ok());
  // (10,000,000,000 − 842,000) × 1% = 99,991,580 → 252,600 + 99,991,580.
  EXPECT_EQ(cap->cap_yen, 252'600 + 99'991'580);
}

TEST(SelfPayCapTest, RuleNamesTheRowAndEveryAdjustment) {
  SelfPayCapInput input = ValidInput();
  absl::StatusOr<SelfPayCap> cap = ComputeSelfPayCap(input);
  ASSERT_TRUE(cap.ok());
  EXPECT_EQ(cap->rule,
            "70歳未満 区分ウ：80,100円＋（総医療費−267,000円）×1%（1円未満は50銭以上切り上げ）");
  EXPECT_FALSE(cap->many_times_applied);
  EXPECT_FALSE(cap->turning_75_halved);

  input.many_times = true;
  cap = ComputeSelfPayCap(input);
  ASSERT_TRUE(cap.ok());
  EXPECT_TRUE(cap->many_times_applied);
  EXPECT_THAT(cap->rule, HasSubstr("多数回該当 44,400円"));

  input = ValidInput();
  input.limit_category = "B04";
  input.birth_date = Date{1950, 6, 15};
  input.service_date = Date{2025, 6, 1};
  input.many_times = true;
  cap = ComputeSelfPayCap(input);
  ASSERT_TRUE(cap.ok());
  EXPECT_TRUE(cap->turning_75_halved);
  EXPECT_FALSE(cap->many_times_applied);
  EXPECT_EQ(cap->bracket, CopayAgeBracket::kElderly70To74);
  EXPECT_THAT(cap->rule, HasSubstr("外来（個人）9,000円"));
  EXPECT_THAT(cap->rule, HasSubstr("2分の1"));
  EXPECT_THAT(cap->rule, HasSubstr("多数回該当の軽減はありません"));

  input.limit_category = "B09";
  input.service_date = Date{2025, 7, 1};
  input.many_times = false;
  input.total_medical_cost_yen = 60'000;
  cap = ComputeSelfPayCap(input);
  ASSERT_TRUE(cap.ok());
  EXPECT_TRUE(cap->general_two_relief);
  EXPECT_EQ(cap->bracket, CopayAgeBracket::kLateElderly);
  EXPECT_THAT(cap->rule, HasSubstr("配慮措置"));

  input.specific_disease_category = 1;
  cap = ComputeSelfPayCap(input);
  ASSERT_TRUE(cap.ok());
  EXPECT_TRUE(cap->specific_disease);
  EXPECT_THAT(cap->rule, HasSubstr("特定疾病療養 10,000円"));
}

TEST(SelfPayCapTest, ReliefAtOrAboveTheCapIsNotReportedAsApplied) {
  SelfPayCapInput input = ValidInput();
  input.limit_category = "B09";
  input.birth_date = kBorn1945;
  input.total_medical_cost_yen = 150'000;  // 6,000 + 12,000 = 18,000: the cap itself
  absl::StatusOr<SelfPayCap> cap = ComputeSelfPayCap(input);
  ASSERT_TRUE(cap.ok());
  EXPECT_EQ(cap->cap_yen, 18'000);
  EXPECT_FALSE(cap->general_two_relief);
}

}  // namespace
}  // namespace onshi
