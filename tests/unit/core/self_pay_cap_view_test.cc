#include "plugin/core/self_pay_cap_view.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/billing_view.h"
#include "plugin/core/errors.h"
#include "plugin/core/self_pay_cap.h"

namespace onshi {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr Date kToday{2026, 11, 24};

// A coverage as the store keeps it: the record, its version, the confirmation date.
struct CoverageBuilder {
  v1::CoverageVersion version;

  CoverageBuilder(const std::string& birth, const std::string& confirmed) {
    version.set_version(3);
    version.mutable_provenance()->set_confirmation_date(confirmed);
    v1::QualificationRecord* r = version.mutable_coverage();
    r->set_birth_date(birth);
    r->mutable_identifiers()->set_insurer_number("06139992");
  }
  CoverageBuilder& Insurer(const std::string& number) {
    version.mutable_coverage()->mutable_identifiers()->set_insurer_number(number);
    return *this;
  }
  CoverageBuilder& Limit(const std::string& code, const std::string& start = "20180801",
                         const std::string& end = "20991231") {
    v1::LimitCertificate* limit = version.mutable_coverage()->mutable_limit_certificate();
    limit->set_classification("01");
    limit->set_category(code);
    limit->set_valid_start_date(start);
    limit->set_valid_end_date(end);
    return *this;
  }
  CoverageBuilder& Elderly(const std::string& ratio, const std::string& start,
                           const std::string& end = "20991231") {
    v1::ElderlyRecipientCertificate* e =
        version.mutable_coverage()->mutable_elderly_recipient_certificate();
    e->set_contribution_ratio(ratio);
    e->set_valid_start_date(start);
    e->set_valid_end_date(end);
    return *this;
  }
  CoverageBuilder& Ratio(const std::string& ratio) {
    version.mutable_coverage()->set_insured_partial_contribution_ratio(ratio);
    return *this;
  }
};

v1::GetSelfPayCapRequest Request(const std::string& month, int64_t cost = 0,
                                 v1::CapCareSetting setting = v1::CAP_CARE_SETTING_OUTPATIENT) {
  v1::GetSelfPayCapRequest request;
  request.set_patient_id("p-1");
  request.set_month(month);
  request.set_total_medical_cost_yen(cost);
  request.set_care_setting(setting);
  return request;
}

std::vector<std::string> NoticeCodes(const v1::GetSelfPayCapResponse& response) {
  std::vector<std::string> codes;
  for (const v1::Notice& n : response.notices()) codes.push_back(n.code());
  return codes;
}

void ExpectReason(const absl::Status& status, absl::StatusCode code, absl::string_view reason) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(ReasonOf(status), reason) << status;
}

// ---- The certificate's 区分.

TEST(SelfPayCapViewTest, CertificateCategoryGivesTheBaseAndTheFormulaWhenCostIsUnknown) {
  const CoverageBuilder c = CoverageBuilder("19800115", "20261123").Limit("A03");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202611"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 80'100);
  EXPECT_THAT(r->formula(), HasSubstr("80,100円＋（総医療費−267,000円）×1%"));
  EXPECT_EQ(r->limit_category_code(), "A03");
  EXPECT_EQ(r->limit_category_name(), "区分ウ");
  EXPECT_EQ(r->category_source(), v1::CAP_CATEGORY_SOURCE_CERTIFICATE);
  EXPECT_EQ(r->age_band(), v1::CAP_AGE_BAND_UNDER_70);
  EXPECT_EQ(r->age_band_label(), "70歳未満");
  EXPECT_EQ(r->month(), "202611");
  EXPECT_EQ(r->rule_date(), "20261123");
  EXPECT_EQ(r->coverage_version(), 3);
  EXPECT_TRUE(r->depends_on_total_cost());
  EXPECT_THAT(NoticeCodes(*r), ::testing::ElementsAre(std::string(notices::kCapCostUnknown)));
}

TEST(SelfPayCapViewTest, CostAboveTheThresholdAddsOnePercent) {
  const CoverageBuilder c = CoverageBuilder("19800115", "20261123").Limit("A03");
  // 80,100 + (500,000 − 267,000) × 1% = 80,100 + 2,330 = 82,430.
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202611", 500'000), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 82'430);
  EXPECT_THAT(NoticeCodes(*r), IsEmpty());
}

TEST(SelfPayCapViewTest, EmptyMonthMeansThisMonthInJapan) {
  const CoverageBuilder c = CoverageBuilder("19800115", "20261101").Limit("A04");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request(""), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->month(), "202611");
  EXPECT_EQ(r->cap_yen(), 57'600);
  EXPECT_FALSE(r->depends_on_total_cost());
}

// Every 区分 of OQSCD012, from a coverage, agrees with ComputeSelfPayCap for the same inputs.
TEST(SelfPayCapViewTest, EveryCategoryAgreesWithTheCalculator) {
  struct Row {
    const char* code;
    const char* birth;
    const char* insurer;
  };
  const Row rows[] = {
      {"A01", "19800115", "06139992"}, {"A02", "19800115", "06139992"},
      {"A03", "19800115", "06139992"}, {"A04", "19800115", "06139992"},
      {"A05", "19800115", "06139992"}, {"A06", "19800115", "06139992"},
      {"B01", "19530310", "06139992"}, {"B02", "19530310", "06139992"},
      {"B03", "19530310", "06139992"}, {"B04", "19530310", "06139992"},
      {"B05", "19530310", "06139992"}, {"B06", "19530310", "06139992"},
      {"B07", "19450210", "39139019"}, {"B08", "19450210", "39139019"},
      {"B09", "19450210", "39139019"}, {"B10", "19450210", "39139019"},
  };
  for (const Row& row : rows) {
    for (const int64_t cost : {int64_t{0}, int64_t{300'000}, int64_t{1'000'000}}) {
      for (const bool inpatient : {false, true}) {
        SCOPED_TRACE(::testing::Message() << row.code << " cost " << cost << " in " << inpatient);
        const CoverageBuilder c =
            CoverageBuilder(row.birth, "20261110").Insurer(row.insurer).Limit(row.code);
        absl::StatusOr<v1::GetSelfPayCapResponse> r = SelfPayCapOfCoverage(
            c.version,
            Request("202611", cost,
                    inpatient ? v1::CAP_CARE_SETTING_INPATIENT : v1::CAP_CARE_SETTING_OUTPATIENT),
            kToday);
        ASSERT_TRUE(r.ok()) << r.status();
        SelfPayCapInput input;
        input.limit_category = row.code;
        input.birth_date = *ParseDate(row.birth);
        input.service_date = Date{2026, 11, 10};
        input.total_medical_cost_yen = cost;
        input.setting = inpatient ? CareSetting::kInpatient : CareSetting::kOutpatient;
        absl::StatusOr<SelfPayCap> expected = ComputeSelfPayCap(input);
        ASSERT_TRUE(expected.ok()) << expected.status();
        EXPECT_EQ(r->cap_yen(), expected->cap_yen);
        EXPECT_EQ(r->formula(), expected->rule);
        EXPECT_EQ(r->category_source(), v1::CAP_CATEGORY_SOURCE_CERTIFICATE);
      }
    }
  }
}

TEST(SelfPayCapViewTest, ManyTimesReplacesTheAmountOrSaysItDoesNotExist) {
  const CoverageBuilder under70 = CoverageBuilder("19800115", "20261123").Limit("A03");
  v1::GetSelfPayCapRequest request = Request("202611", 1'000'000);
  request.set_many_times(true);
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(under70.version, request, kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 44'400);
  EXPECT_TRUE(r->many_times_applied());

  // 70–74 一般 外来（個人） 18,000 has no 多数回 amount.
  const CoverageBuilder general = CoverageBuilder("19530310", "20261123").Limit("B04");
  r = SelfPayCapOfCoverage(general.version, request, kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 18'000);
  EXPECT_FALSE(r->many_times_applied());
  EXPECT_THAT(NoticeCodes(*r),
              ::testing::Contains(std::string(notices::kCapManyTimesNotApplicable)));
}

TEST(SelfPayCapViewTest, SpecificDiseaseAmounts) {
  v1::GetSelfPayCapRequest request = Request("202611", 2'000'000);
  request.set_specific_disease(v1::SPECIFIC_DISEASE_KIND_DIALYSIS);
  // 人工透析, under 70, 区分ア: 20,000.
  absl::StatusOr<v1::GetSelfPayCapResponse> r = SelfPayCapOfCoverage(
      CoverageBuilder("19800115", "20261123").Limit("A01").version, request, kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 20'000);
  EXPECT_TRUE(r->specific_disease_applied());
  EXPECT_THAT(NoticeCodes(*r), ::testing::Contains(std::string(notices::kCapSpecificDisease)));
  // 区分ウ: 10,000.
  r = SelfPayCapOfCoverage(CoverageBuilder("19800115", "20261123").Limit("A03").version, request,
                           kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 10'000);
  // 血友病, 区分ア: 10,000.
  request.set_specific_disease(v1::SPECIFIC_DISEASE_KIND_HEMOPHILIA);
  r = SelfPayCapOfCoverage(CoverageBuilder("19800115", "20261123").Limit("A01").version, request,
                           kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 10'000);
}

// ---- Without a usable 区分.

TEST(SelfPayCapViewTest, UnderSeventyWithoutCategoryIsLimitCategoryUnknown) {
  const CoverageBuilder c = CoverageBuilder("19800115", "20261123").Ratio("030");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202611"), kToday);
  ExpectReason(r.status(), absl::StatusCode::kFailedPrecondition, "ONSHI_LIMIT_CATEGORY_UNKNOWN");
}

TEST(SelfPayCapViewTest, SeventyToSeventyFourTwoWariWithoutCategoryIsGeneral) {
  const CoverageBuilder c =
      CoverageBuilder("19530310", "20261123").Ratio("030").Elderly("020", "20230401");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202611"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit_category_code(), "B04");
  EXPECT_EQ(r->limit_category_name(), "一般");
  EXPECT_EQ(r->cap_yen(), 18'000);
  EXPECT_EQ(r->category_source(), v1::CAP_CATEGORY_SOURCE_AGE_AND_RATIO);
  EXPECT_EQ(r->age_band(), v1::CAP_AGE_BAND_70_TO_74);
  EXPECT_THAT(NoticeCodes(*r), ::testing::Contains(std::string(notices::kCapCategoryFromRatio)));
  // 入院: the household amount 57,600.
  r = SelfPayCapOfCoverage(c.version, Request("202611", 0, v1::CAP_CARE_SETTING_INPATIENT), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 57'600);
}

TEST(SelfPayCapViewTest, ThreeWariWithoutCategoryIsGenekiNamiThree) {
  const CoverageBuilder c =
      CoverageBuilder("19530310", "20261123").Ratio("030").Elderly("030", "20230401");
  // 252,600 + (1,000,000 − 842,000) × 1% = 252,600 + 1,580 = 254,180.
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202611", 1'000'000), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit_category_code(), "B01");
  EXPECT_EQ(r->cap_yen(), 254'180);
}

TEST(SelfPayCapViewTest, LateElderlyRatiosDecideGeneralOneAndTwo) {
  const CoverageBuilder one =
      CoverageBuilder("19450210", "20261123").Insurer("39139019").Ratio("010");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(one.version, Request("202611"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit_category_code(), "B10");
  EXPECT_EQ(r->cap_yen(), 18'000);
  EXPECT_EQ(r->age_band(), v1::CAP_AGE_BAND_LATE_ELDERLY);

  const CoverageBuilder two =
      CoverageBuilder("19450210", "20250910").Insurer("39139019").Ratio("020");
  // 2025-09: 配慮措置, cost 50,000 → 6,000 + (50,000 − 30,000) × 10% = 8,000.
  r = SelfPayCapOfCoverage(two.version, Request("202509", 50'000), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit_category_code(), "B09");
  EXPECT_EQ(r->cap_yen(), 8'000);
  EXPECT_THAT(NoticeCodes(*r), ::testing::Contains(std::string(notices::kCapGeneralTwoRelief)));
  // 2025-10: the relief is over → 18,000.
  r = SelfPayCapOfCoverage(two.version, Request("202510", 50'000), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 18'000);
  // Before 2022-10 there was no 2割 for 後期高齢者: nothing decides.
  r = SelfPayCapOfCoverage(two.version, Request("202209"), kToday);
  ExpectReason(r.status(), absl::StatusCode::kFailedPrecondition, "ONSHI_LIMIT_CATEGORY_UNKNOWN");
}

TEST(SelfPayCapViewTest, CertificateNotCoveringTheMonthIsNotUsed) {
  const CoverageBuilder c =
      CoverageBuilder("19800115", "20261123").Limit("A03", "20250801", "20260731");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202611"), kToday);
  ExpectReason(r.status(), absl::StatusCode::kFailedPrecondition, "ONSHI_LIMIT_CATEGORY_UNKNOWN");
  // The month it covers.
  r = SelfPayCapOfCoverage(c.version, Request("202607"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 80'100);
  EXPECT_EQ(r->rule_date(), "20260701");
}

TEST(SelfPayCapViewTest, UnknownCodeIsNotUsedAndSaysSo) {
  const CoverageBuilder c =
      CoverageBuilder("19530310", "20261123").Limit("Z99").Elderly("020", "20230401");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202611"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->limit_category_code(), "B04");
  EXPECT_THAT(NoticeCodes(*r), ::testing::Contains(std::string(notices::kUnknownLimitCategory)));
}

// ---- The traps of the age boundaries.

// Born on the 1st: the 70–74 rules start in the birthday month itself (the day before the
// birthday the patient is already 70). 1956-03-01 → from 2026-03-01.
TEST(SelfPayCapViewTest, BirthdayOnTheFirstStartsTheSeventyRulesInTheBirthdayMonth) {
  const CoverageBuilder c = CoverageBuilder("19560301", "20261123")
                                .Limit("B04", "20260301", "20310228")
                                .Elderly("020", "20260301", "20310228")
                                .Ratio("030");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202603"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->age_band(), v1::CAP_AGE_BAND_70_TO_74);
  EXPECT_EQ(r->category_source(), v1::CAP_CATEGORY_SOURCE_CERTIFICATE);
  EXPECT_EQ(r->cap_yen(), 18'000);
  // February is still under 70: B04 does not apply, and income decides the 区分.
  r = SelfPayCapOfCoverage(c.version, Request("202602"), kToday);
  ExpectReason(r.status(), absl::StatusCode::kFailedPrecondition, "ONSHI_LIMIT_CATEGORY_UNKNOWN");
}

// A 70th birthday mid-month: the 70–74 rules start on the 1st of the next month. The A code
// on record fits March; in April it no longer does and the 高齢受給者証 ratio decides.
TEST(SelfPayCapViewTest, SeventiethBirthdayMidMonthChangesTheTableFromTheNextMonth) {
  const CoverageBuilder c = CoverageBuilder("19560315", "20260320")
                                .Limit("A03")
                                .Ratio("030")
                                .Elderly("020", "20260401", "20310331");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202603", 400'000), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  // 80,100 + (400,000 − 267,000) × 1% = 81,430.
  EXPECT_EQ(r->cap_yen(), 81'430);
  EXPECT_EQ(r->age_band(), v1::CAP_AGE_BAND_UNDER_70);
  EXPECT_EQ(r->rule_date(), "20260320");

  r = SelfPayCapOfCoverage(c.version, Request("202604", 400'000), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->age_band(), v1::CAP_AGE_BAND_70_TO_74);
  EXPECT_EQ(r->limit_category_code(), "B04");
  EXPECT_EQ(r->cap_yen(), 18'000);
  EXPECT_THAT(NoticeCodes(*r),
              ::testing::IsSupersetOf({std::string(notices::kCapCategoryAgeMismatch),
                                       std::string(notices::kCapCategoryFromRatio)}));
}

// The 75th-birthday month (birthday not on the 1st): every amount halved, on the old insurer
// before the birthday and in 後期高齢者医療 after it.
TEST(SelfPayCapViewTest, SeventyFifthBirthdayMonthHalvesTheCap) {
  // 後期高齢者 B10 recorded, asked for the birthday month without a confirmation in it: the
  // 後期 code applies from the birthday (2025-11-20).
  const CoverageBuilder late = CoverageBuilder("19501120", "20251201")
                                   .Insurer("39139019")
                                   .Ratio("010")
                                   .Limit("B10", "20251120");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(late.version, Request("202511"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rule_date(), "20251120");
  EXPECT_TRUE(r->turning_75_halved());
  EXPECT_EQ(r->cap_yen(), 9'000);  // 18,000 / 2
  EXPECT_THAT(NoticeCodes(*r), ::testing::Contains(std::string(notices::kCapTurning75Halved)));
  r = SelfPayCapOfCoverage(late.version, Request("202511", 0, v1::CAP_CARE_SETTING_INPATIENT),
                           kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 28'800);  // 57,600 / 2
  // The month after: the full amount.
  r = SelfPayCapOfCoverage(late.version, Request("202512"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->turning_75_halved());
  EXPECT_EQ(r->cap_yen(), 18'000);

  // The old insurer's coverage (70–74, B04) in the same month: halved too.
  const CoverageBuilder old = CoverageBuilder("19501120", "20251105")
                                  .Ratio("030")
                                  .Elderly("020", "20201201", "20251119")
                                  .Limit("B04", "20201201", "20251119");
  r = SelfPayCapOfCoverage(old.version, Request("202511"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rule_date(), "20251105");
  EXPECT_EQ(r->age_band(), v1::CAP_AGE_BAND_70_TO_74);
  EXPECT_EQ(r->cap_yen(), 9'000);

  // 現役並みⅢ formula halved: 126,300 + (1,000,000 − 421,000) × 1% = 126,300 + 5,790.
  const CoverageBuilder rich = CoverageBuilder("19501120", "20251125")
                                   .Insurer("39139019")
                                   .Ratio("030")
                                   .Limit("B01", "20251120");
  r = SelfPayCapOfCoverage(rich.version, Request("202511", 1'000'000), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 132'090);
}

TEST(SelfPayCapViewTest, SeventyFifthBirthdayOnTheFirstIsNotHalved) {
  const CoverageBuilder c = CoverageBuilder("19501201", "20251210")
                                .Insurer("39139019")
                                .Ratio("010")
                                .Limit("B10", "20251201");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202512"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->turning_75_halved());
  EXPECT_EQ(r->cap_yen(), 18'000);
}

// ---- Refused input.

TEST(SelfPayCapViewTest, InvalidRequestFieldsAreRefusedByName) {
  const CoverageBuilder c = CoverageBuilder("19800115", "20261123").Limit("A03");
  struct Bad {
    v1::GetSelfPayCapRequest request;
    const char* field;
  };
  std::vector<Bad> bad;
  for (const char* month : {"2026-1", "202613", "２０２６１１", "20261", "201807"}) {
    bad.push_back({Request(month), "month"});
  }
  bad.push_back({Request("197912"), "month"});  // before the birth month
  bad.push_back({Request("202611", -1), "total_medical_cost_yen"});
  bad.push_back({Request("202611", kMaxMonthlyMedicalCostYen + 1), "total_medical_cost_yen"});
  bad.push_back({Request("202611", 0, static_cast<v1::CapCareSetting>(7)), "care_setting"});
  v1::GetSelfPayCapRequest disease = Request("202611");
  disease.set_specific_disease(static_cast<v1::SpecificDiseaseKind>(4));
  bad.push_back({disease, "specific_disease"});
  for (const Bad& b : bad) {
    SCOPED_TRACE(b.request.ShortDebugString());
    absl::StatusOr<v1::GetSelfPayCapResponse> r =
        SelfPayCapOfCoverage(c.version, b.request, kToday);
    ExpectReason(r.status(), absl::StatusCode::kInvalidArgument, "ONSHI_INVALID_ARGUMENT");
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(b.field));
  }
}

TEST(SelfPayCapViewTest, BirthMonthItselfIsAccepted) {
  const CoverageBuilder c = CoverageBuilder("20260310", "20260320").Limit("A05");
  absl::StatusOr<v1::GetSelfPayCapResponse> r =
      SelfPayCapOfCoverage(c.version, Request("202603"), kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cap_yen(), 35'400);
}

// The IT texts of the notices are English and never quote the record.
TEST(SelfPayCapViewTest, NoticeItTextsAreAsciiAndStaffTextsJapanese) {
  const CoverageBuilder c =
      CoverageBuilder("19501120", "20251125").Insurer("39139019").Ratio("020").Limit("Z99");
  v1::GetSelfPayCapRequest request = Request("202511");
  request.set_many_times(true);
  absl::StatusOr<v1::GetSelfPayCapResponse> r = SelfPayCapOfCoverage(c.version, request, kToday);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_GE(r->notices_size(), 3);
  for (const v1::Notice& n : r->notices()) {
    SCOPED_TRACE(n.code());
    for (char ch : n.it_message()) EXPECT_EQ(static_cast<unsigned char>(ch) & 0x80, 0);
    EXPECT_TRUE(std::any_of(n.staff_message().begin(), n.staff_message().end(),
                            [](char ch) { return (static_cast<unsigned char>(ch) & 0x80) != 0; }));
    EXPECT_THAT(n.it_message(), ::testing::Not(HasSubstr("1950")));
  }
}

}  // namespace
}  // namespace onshi
