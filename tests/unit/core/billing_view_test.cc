#include "plugin/core/billing_view.h"

#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/coverage_diff.h"

namespace onshi {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const Date kDate{2025, 6, 2};

// The answer of oqs-interface.md §9.2: 有効, 3割, 区分ウ in force, consent given.
v1::QualificationResult ValidResult() {
  v1::QualificationResult result;
  result.set_process_execution_time("20250602091512");
  result.set_qualification_confirmation_date("20250602");
  result.set_medical_institution_code("1310000016");
  result.set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  result.mutable_search_info()->set_limit_certificate_consent(v1::CONSENT_FLAG_GIVEN);
  result.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
  v1::QualificationRecord* record = result.add_records();
  record->set_insured_card_classification("01");
  record->mutable_identifiers()->set_insurer_number("06139992");
  record->mutable_identifiers()->set_insured_card_symbol("１２３");
  record->mutable_identifiers()->set_insured_identification_number("4567");
  record->mutable_identifiers()->set_insured_branch_number("01");
  record->set_personal_family_classification("1");
  record->set_insured_name("試験　花子");
  record->set_name("試験　花子");
  record->set_name_kana("ｼｹﾝ ﾊﾅｺ");
  record->set_sex1("2");
  record->set_birth_date("19850412");
  record->set_address("東京都千代田区○○一丁目");
  record->set_post_number("100-0000");
  record->set_insured_certificate_issuance_date("20240401");
  record->set_insured_card_valid_date("20240401");
  record->set_insured_partial_contribution_ratio("030");
  record->set_insurer_name("○○健康保険組合");
  record->mutable_limit_certificate_consent()->set_flag(v1::CONSENT_FLAG_GIVEN);
  record->mutable_limit_certificate_consent()->set_consent_time("20250602091512");
  record->mutable_limit_certificate()->set_classification("01");
  record->mutable_limit_certificate()->set_category("A03");
  record->mutable_limit_certificate()->set_valid_start_date("20250401");
  record->mutable_limit_certificate()->set_valid_end_date("20260331");
  return result;
}

std::vector<std::string> NoticeCodes(const v1::BillingView& view) {
  std::vector<std::string> codes;
  for (const v1::Notice& notice : view.notices()) codes.push_back(notice.code());
  return codes;
}

const v1::Notice* FindNotice(const v1::BillingView& view, absl::string_view code) {
  for (const v1::Notice& notice : view.notices()) {
    if (notice.code() == code) return &notice;
  }
  return nullptr;
}

// No IT text may quote a value of the record (codes of 3 characters or fewer excepted: they
// are code-table values, allowed in IT texts).
void ExpectItTextsFreeOfRecordValues(const v1::BillingView& view,
                                     const v1::QualificationResult& result) {
  for (const v1::QualificationRecord& record : result.records()) {
    for (const auto& [path, value] : FlattenRecord(record)) {
      if (value.size() <= 3) continue;
      for (const v1::Notice& notice : view.notices()) {
        EXPECT_THAT(notice.it_message(), Not(HasSubstr(value))) << notice.code() << " " << path;
      }
    }
  }
  if (result.processing_result_message().size() > 3) {
    for (const v1::Notice& notice : view.notices()) {
      EXPECT_THAT(notice.it_message(), Not(HasSubstr(result.processing_result_message())));
    }
  }
}

TEST(BillingViewTest, ValidAnswerIsEligibleWithRatioAndLimit) {
  const v1::QualificationResult result = ValidResult();
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_TRUE(view.eligible());
  EXPECT_EQ(view.status_label(), "有効");
  EXPECT_FALSE(view.status_explanation().empty());
  EXPECT_EQ(view.copay_ratio_percent(), 30);
  EXPECT_EQ(view.copay_ratio_label(), "3割");
  EXPECT_EQ(view.copay_ratio_source(), "InsuredPartialContributionRatio");
  EXPECT_EQ(view.limit_category_code(), "A03");
  EXPECT_EQ(view.limit_category_name(), "区分ウ");
  EXPECT_TRUE(view.limit_certificate_in_force());
  EXPECT_FALSE(view.preschool());
  EXPECT_THAT(NoticeCodes(view), IsEmpty());
}

struct ValidityCase {
  v1::QualificationValidity validity;
  v1::ProcessingResultStatus status;
  int records;
  std::string label;
  bool eligible;
  // A word the explanation must contain.
  std::string explanation_word;
};

class BillingViewValidityTest : public ::testing::TestWithParam<ValidityCase> {};

TEST_P(BillingViewValidityTest, LabelsExplainsAndDecidesEligibility) {
  const ValidityCase& c = GetParam();
  v1::QualificationResult result = ValidResult();
  result.set_qualification_validity(c.validity);
  result.set_processing_result_status(c.status);
  v1::QualificationRecord record = result.records(0);
  result.clear_records();
  for (int i = 0; i < c.records; ++i) *result.add_records() = record;
  if (c.validity == v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED) {
    // 医療扶助: no ratio.
    result.mutable_records(0)->set_insured_card_classification("A1");
    result.mutable_records(0)->clear_insured_partial_contribution_ratio();
  }
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_EQ(view.status_label(), c.label);
  EXPECT_EQ(view.eligible(), c.eligible);
  EXPECT_THAT(view.status_explanation(), HasSubstr(c.explanation_word));
  if (!c.eligible) {
    EXPECT_EQ(view.copay_ratio_percent(), 0);
    EXPECT_EQ(view.copay_ratio_label(), "");
    EXPECT_EQ(view.limit_category_code(), "");
    EXPECT_FALSE(view.limit_certificate_in_force());
  }
  ExpectItTextsFreeOfRecordValues(view, result);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BillingViewValidityTest,
    ::testing::Values(
        ValidityCase{v1::QUALIFICATION_VALIDITY_VALID, v1::PROCESSING_RESULT_STATUS_NORMAL, 1,
                     "有効", true, "有効"},
        ValidityCase{v1::QUALIFICATION_VALIDITY_INVALID, v1::PROCESSING_RESULT_STATUS_NORMAL, 1,
                     "無効", false, "被保険者資格申立書"},
        ValidityCase{v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS,
                     v1::PROCESSING_RESULT_STATUS_NORMAL, 1, "無効（新しい資格あり）", false,
                     "新しい資格"},
        ValidityCase{v1::QUALIFICATION_VALIDITY_NOT_FOUND, v1::PROCESSING_RESULT_STATUS_ERROR, 0,
                     "該当資格なし", false, "生年月日"},
        ValidityCase{v1::QUALIFICATION_VALIDITY_MULTIPLE, v1::PROCESSING_RESULT_STATUS_NORMAL, 2,
                     "複数該当", false, "特定できません"},
        ValidityCase{v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED,
                     v1::PROCESSING_RESULT_STATUS_NORMAL, 1, "有効（未登録）", true, "医療券"},
        // 有効 without exactly one record, or with an error status, confirms nothing.
        ValidityCase{v1::QUALIFICATION_VALIDITY_VALID, v1::PROCESSING_RESULT_STATUS_NORMAL, 0,
                     "未確認", false, "確認できていません"},
        ValidityCase{v1::QUALIFICATION_VALIDITY_VALID, v1::PROCESSING_RESULT_STATUS_NORMAL, 2,
                     "未確認", false, "確認できていません"},
        ValidityCase{v1::QUALIFICATION_VALIDITY_VALID, v1::PROCESSING_RESULT_STATUS_ERROR, 1,
                     "未確認", false, "確認できていません"},
        ValidityCase{v1::QUALIFICATION_VALIDITY_UNSPECIFIED, v1::PROCESSING_RESULT_STATUS_ERROR, 0,
                     "未確認", false, "照会エラー"}));

TEST(BillingViewTest, ValidWithoutSingleRecordCarriesInconsistencyNotice) {
  v1::QualificationResult result = ValidResult();
  result.clear_records();
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_INCONSISTENT_ANSWER"));
  EXPECT_THAT(view.notices(0).it_message(), HasSubstr("0 ResultOfQualificationConfirmation"));
}

TEST(BillingViewTest, MultipleQualificationsAdviseBranchNumber) {
  v1::QualificationResult result = ValidResult();
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_MULTIPLE);
  *result.add_records() = result.records(0);
  v1::BillingView view = DeriveBillingView(result, kDate);
  const v1::Notice* notice = FindNotice(view, "ONSHI_NOTICE_MULTIPLE_QUALIFICATIONS");
  ASSERT_NE(notice, nullptr);
  EXPECT_THAT(notice->staff_message(), HasSubstr("枝番"));
}

TEST(BillingViewTest, UnfinishedOrFailedAnswerIsUnconfirmed) {
  for (v1::SegmentOfResult segment :
       {v1::SEGMENT_OF_RESULT_FAILED, v1::SEGMENT_OF_RESULT_PROCESSING,
        v1::SEGMENT_OF_RESULT_UNSPECIFIED}) {
    v1::QualificationResult result = ValidResult();
    result.set_segment_of_result(segment);
    v1::BillingView view = DeriveBillingView(result, kDate);
    EXPECT_FALSE(view.eligible());
    EXPECT_EQ(view.SerializeAsString(), UnconfirmedBillingView().SerializeAsString());
  }
}

TEST(UnconfirmedBillingViewTest, TellsStaffHowToProceed) {
  v1::BillingView view = UnconfirmedBillingView();
  EXPECT_FALSE(view.eligible());
  EXPECT_EQ(view.status_label(), "未確認");
  EXPECT_THAT(view.status_explanation(), HasSubstr("資格確認書"));
  EXPECT_THAT(view.status_explanation(), HasSubstr("マイナポータル"));
  EXPECT_THAT(view.status_explanation(), HasSubstr("被保険者資格申立書"));
  EXPECT_THAT(view.status_explanation(), HasSubstr("再確認"));
  EXPECT_EQ(view.copay_ratio_percent(), 0);
}

TEST(ValidityLabelTest, NamesEveryValidity) {
  EXPECT_EQ(ValidityLabel(v1::QUALIFICATION_VALIDITY_VALID), "有効");
  EXPECT_EQ(ValidityLabel(v1::QUALIFICATION_VALIDITY_INVALID), "無効");
  EXPECT_EQ(ValidityLabel(v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS),
            "無効（新しい資格あり）");
  EXPECT_EQ(ValidityLabel(v1::QUALIFICATION_VALIDITY_NOT_FOUND), "該当資格なし");
  EXPECT_EQ(ValidityLabel(v1::QUALIFICATION_VALIDITY_MULTIPLE), "複数該当");
  EXPECT_EQ(ValidityLabel(v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED), "有効（未登録）");
  EXPECT_EQ(ValidityLabel(v1::QUALIFICATION_VALIDITY_UNSPECIFIED), "");
  EXPECT_EQ(ValidityLabel(static_cast<v1::QualificationValidity>(99)), "");
}

const std::map<std::string, std::string>& LimitNames() {
  static const auto* const kNames = new std::map<std::string, std::string>{
      {"A01", "区分ア"},          {"A02", "区分イ"},
      {"A03", "区分ウ"},          {"A04", "区分エ"},
      {"A05", "区分オ"},          {"A06", "区分オ（境）"},
      {"B01", "現役並みⅢ"},       {"B02", "現役並みⅡ"},
      {"B03", "現役並みⅠ"},       {"B04", "一般"},
      {"B05", "低所得Ⅱ"},         {"B06", "低所得Ⅰ"},
      {"B07", "低所得Ⅰ（老福）"}, {"B08", "低所得Ⅰ（境）"},
      {"B09", "一般Ⅱ"},           {"B10", "一般Ⅰ"},
  };
  return *kNames;
}

TEST(LimitCategoryTest, NamesEveryOqscd012Code) {
  ASSERT_EQ(LimitNames().size(), 16u);
  for (const auto& [code, name] : LimitNames()) {
    EXPECT_EQ(LimitCategoryName(code), name) << code;
    v1::QualificationResult result = ValidResult();
    result.mutable_records(0)->mutable_limit_certificate()->set_category(code);
    v1::BillingView view = DeriveBillingView(result, kDate);
    EXPECT_EQ(view.limit_category_code(), code);
    EXPECT_EQ(view.limit_category_name(), name);
    EXPECT_THAT(NoticeCodes(view), IsEmpty()) << code;
  }
  for (const char* unknown : {"", "A00", "A07", "B11", "a01", "C01"}) {
    EXPECT_EQ(LimitCategoryName(unknown), "") << unknown;
  }
}

TEST(LimitCategoryTest, UnknownCodeIsKeptAndExplained) {
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->mutable_limit_certificate()->set_category("C01");
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_EQ(view.limit_category_code(), "C01");
  EXPECT_EQ(view.limit_category_name(), "");
  const v1::Notice* notice = FindNotice(view, "ONSHI_NOTICE_UNKNOWN_LIMIT_CATEGORY");
  ASSERT_NE(notice, nullptr);
  EXPECT_THAT(notice->it_message(), HasSubstr("C01"));
}

TEST(LimitCategoryTest, CertificateOutsideItsPeriodIsNotInForce) {
  for (const auto& [start, end] : std::vector<std::pair<std::string, std::string>>{
           {"20250603", "20260331"}, {"20240401", "20250601"}}) {
    v1::QualificationResult result = ValidResult();
    result.mutable_records(0)->mutable_limit_certificate()->set_valid_start_date(start);
    result.mutable_records(0)->mutable_limit_certificate()->set_valid_end_date(end);
    v1::BillingView view = DeriveBillingView(result, kDate);
    EXPECT_EQ(view.limit_category_code(), "A03");
    EXPECT_FALSE(view.limit_certificate_in_force());
    EXPECT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_LIMIT_CERTIFICATE_NOT_IN_FORCE"));
  }
}

TEST(LimitCategoryTest, CertificateCoversItsFirstAndLastDayAndOpenEnds) {
  for (const auto& [start, end] : std::vector<std::pair<std::string, std::string>>{
           {"20250602", "20250602"}, {"", "20250602"}, {"20250602", ""}, {"", ""}}) {
    v1::QualificationResult result = ValidResult();
    result.mutable_records(0)->mutable_limit_certificate()->set_valid_start_date(start);
    result.mutable_records(0)->mutable_limit_certificate()->set_valid_end_date(end);
    EXPECT_TRUE(DeriveBillingView(result, kDate).limit_certificate_in_force()) << start << end;
  }
}

TEST(LimitCategoryTest, ConsentWithoutLimitDataIsExplained) {
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->clear_limit_certificate();
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_EQ(view.limit_category_code(), "");
  EXPECT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_NO_LIMIT_DATA"));

  // Without consent, no data is expected and nothing is said.
  result.mutable_search_info()->set_limit_certificate_consent(v1::CONSENT_FLAG_NOT_GIVEN);
  result.mutable_records(0)->mutable_limit_certificate_consent()->set_flag(
      v1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_THAT(NoticeCodes(DeriveBillingView(result, kDate)), IsEmpty());
}

v1::QualificationResult ElderlyResult(const std::string& card_ratio,
                                      const std::string& elderly_ratio, const std::string& start,
                                      const std::string& end) {
  v1::QualificationResult result = ValidResult();
  v1::QualificationRecord* record = result.mutable_records(0);
  // 71 on kDate: in the 70–74 rules since 2024-05-01, where a 高齢受給者証 belongs.
  record->set_birth_date("19540415");
  record->set_insured_partial_contribution_ratio(card_ratio);
  record->mutable_elderly_recipient_certificate()->set_contribution_ratio(elderly_ratio);
  record->mutable_elderly_recipient_certificate()->set_valid_start_date(start);
  record->mutable_elderly_recipient_certificate()->set_valid_end_date(end);
  return result;
}

TEST(CopayRatioTest, ElderlyCertificateInForceTakesPrecedence) {
  v1::BillingView view = DeriveBillingView(ElderlyResult("", "020", "20250401", "20260331"), kDate);
  EXPECT_EQ(view.copay_ratio_percent(), 20);
  EXPECT_EQ(view.copay_ratio_label(), "2割");
  EXPECT_EQ(view.copay_ratio_source(), "ElderlyRecipientContributionRatio");
  EXPECT_THAT(NoticeCodes(view), IsEmpty());
}

TEST(CopayRatioTest, DifferingRatiosUseTheElderlyOneAndSaySo) {
  const v1::QualificationResult result = ElderlyResult("030", "020", "20250401", "20260331");
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_EQ(view.copay_ratio_percent(), 20);
  EXPECT_EQ(view.copay_ratio_source(), "ElderlyRecipientContributionRatio");
  EXPECT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_COPAY_RATIO_MISMATCH"));
  ExpectItTextsFreeOfRecordValues(view, result);
}

TEST(CopayRatioTest, EqualRatiosRaiseNoNotice) {
  v1::BillingView view =
      DeriveBillingView(ElderlyResult("020", "020", "20250401", "20260331"), kDate);
  EXPECT_EQ(view.copay_ratio_percent(), 20);
  EXPECT_THAT(NoticeCodes(view), IsEmpty());
}

TEST(CopayRatioTest, ElderlyCertificateOutOfPeriodFallsBackToTheCard) {
  // Starts the day after the confirmation date (e.g. the month after the 70th birthday).
  v1::QualificationResult result = ElderlyResult("030", "020", "20250603", "20260331");
  // 70 in June 2025: the 70–74 rules start on 2025-07-01, after kDate.
  result.mutable_records(0)->set_birth_date("19550615");
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_EQ(view.copay_ratio_percent(), 30);
  EXPECT_EQ(view.copay_ratio_source(), "InsuredPartialContributionRatio");
  EXPECT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_ELDERLY_CERTIFICATE_NOT_IN_FORCE"));
}

TEST(CopayRatioTest, LateElderlyRatiosComeFromTheCard) {
  for (const auto& [ratio, percent, label] : std::vector<std::tuple<std::string, int, std::string>>{
           {"010", 10, "1割"}, {"020", 20, "2割"}, {"030", 30, "3割"}}) {
    v1::QualificationResult result = ValidResult();
    result.mutable_records(0)->set_birth_date("19450510");
    result.mutable_records(0)->mutable_identifiers()->set_insurer_number("39131156");
    result.mutable_records(0)->mutable_identifiers()->clear_insured_card_symbol();
    result.mutable_records(0)->set_insured_partial_contribution_ratio(ratio);
    v1::BillingView view = DeriveBillingView(result, kDate);
    EXPECT_EQ(view.copay_ratio_percent(), percent);
    EXPECT_EQ(view.copay_ratio_label(), label);
  }
}

TEST(CopayRatioTest, UnreadableRatioGivesZeroAndNotice) {
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->set_insured_partial_contribution_ratio("3割");
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_TRUE(view.eligible());
  EXPECT_EQ(view.copay_ratio_percent(), 0);
  EXPECT_EQ(view.copay_ratio_label(), "");
  EXPECT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_COPAY_RATIO_UNREADABLE"));
  ExpectItTextsFreeOfRecordValues(view, result);
}

struct AgeRatioCase {
  const char* name;
  const char* birth_date;
  Date date;
  int percent;  // 0: the age does not fix it (70 and over)
};

class CopayRatioByAgeTest : public ::testing::TestWithParam<AgeRatioCase> {};

TEST_P(CopayRatioByAgeTest, AnswerWithoutRatioGetsTheRatioTheLawFixesByAge) {
  const AgeRatioCase& c = GetParam();
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->clear_insured_partial_contribution_ratio();
  result.mutable_records(0)->set_birth_date(c.birth_date);
  result.mutable_records(0)->mutable_limit_certificate()->set_valid_end_date("20991231");
  v1::BillingView view = DeriveBillingView(result, c.date);
  EXPECT_EQ(view.copay_ratio_percent(), c.percent);
  if (c.percent != 0) {
    EXPECT_EQ(view.copay_ratio_source(), "age");
    EXPECT_THAT(NoticeCodes(view), Not(Contains("ONSHI_NOTICE_COPAY_RATIO_MISSING")));
  } else {
    EXPECT_EQ(view.copay_ratio_label(), "");
    EXPECT_THAT(NoticeCodes(view), Contains("ONSHI_NOTICE_COPAY_RATIO_MISSING"));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Boundaries, CopayRatioByAgeTest,
    ::testing::Values(AgeRatioCase{"Adult", "19850412", {2025, 6, 2}, 30},
                      // Born 1 April: reaches 6 on 31 March, the last preschool day.
                      AgeRatioCase{"BornAprilFirstLastPreschoolDay", "20200401", {2026, 3, 31}, 20},
                      AgeRatioCase{"BornAprilFirstFirstSchoolDay", "20200401", {2026, 4, 1}, 30},
                      // Born 2 April: reaches 6 on 1 April, so one more preschool year.
                      AgeRatioCase{"BornAprilSecondStillPreschool", "20200402", {2027, 3, 31}, 20},
                      AgeRatioCase{"BornAprilSecondSchool", "20200402", {2027, 4, 1}, 30},
                      AgeRatioCase{"Newborn", "20250601", {2025, 6, 2}, 20},
                      // Born on the 1st: the 70-74 rules start in the birthday month itself.
                      AgeRatioCase{"SeventyBornFirstMonthBefore", "19560301", {2026, 2, 28}, 30},
                      AgeRatioCase{"SeventyBornFirstBirthdayMonth", "19560301", {2026, 3, 1}, 0},
                      // Born mid-month: from the month after.
                      AgeRatioCase{"SeventyMidMonthBirthdayMonth", "19560315", {2026, 3, 31}, 30},
                      AgeRatioCase{"SeventyMidMonthMonthAfter", "19560315", {2026, 4, 1}, 0},
                      AgeRatioCase{
                          "SeventyInDecemberStartsInJanuary", "19561215", {2026, 12, 31}, 30},
                      AgeRatioCase{"SeventyInDecemberJanuary", "19561215", {2027, 1, 1}, 0}),
    [](const ::testing::TestParamInfo<AgeRatioCase>& info) { return info.param.name; });

TEST(CopayRatioTest, PreschoolClassificationGivesTwoTenthsWhateverTheAge) {
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->clear_insured_partial_contribution_ratio();
  result.mutable_records(0)->set_preschool_classification("1");
  EXPECT_EQ(DeriveBillingView(result, kDate).copay_ratio_percent(), 20);
}

TEST(CopayRatioTest, MissingRatioIsExplainedExceptForMedicalAssistance) {
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->clear_insured_partial_contribution_ratio();
  // 後期高齢者 (75 on kDate): the ratio depends on income, only the terminal can state it.
  result.mutable_records(0)->set_birth_date("19500101");
  result.mutable_records(0)->mutable_identifiers()->set_insurer_number("39131156");
  result.mutable_records(0)->mutable_identifiers()->clear_insured_card_symbol();
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_EQ(view.copay_ratio_percent(), 0);
  EXPECT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_COPAY_RATIO_MISSING"));

  result.mutable_records(0)->set_insured_card_classification("A1");
  EXPECT_THAT(NoticeCodes(DeriveBillingView(result, kDate)), IsEmpty());
}

TEST(CopayRatioTest, RatioTheAgeDoesNotAllowIsShownAsAnsweredWithAWarning) {
  // A 40-year-old (ValidResult) answered with 2割: shown as the terminal says, never corrected.
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->set_insured_partial_contribution_ratio("020");
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_EQ(view.copay_ratio_percent(), 20);
  EXPECT_EQ(view.copay_ratio_source(), "InsuredPartialContributionRatio");
  EXPECT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_COPAY_RATIO_UNEXPECTED_FOR_AGE"));
  ExpectItTextsFreeOfRecordValues(view, result);
}

TEST(CopayRatioTest, SeventyFourYearOldWithoutElderlyCertificateIsWarned) {
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->set_birth_date("19510301");  // 74 on kDate
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_EQ(view.copay_ratio_percent(), 30);
  EXPECT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_ELDERLY_RATIO_MISSING"));
  ExpectItTextsFreeOfRecordValues(view, result);
}

TEST(NoticeTest, GetaMarkInNameIsExplained) {
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->set_name("試験　〓子");
  v1::BillingView view = DeriveBillingView(result, kDate);
  ASSERT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_UNREPRESENTABLE_CHARACTER"));
  EXPECT_EQ(view.notices(0).staff_message(),
            "氏名に表示できない文字（外字）が含まれています。保険証等の表記を確認してください。");
  EXPECT_TRUE(view.eligible());
  ExpectItTextsFreeOfRecordValues(view, result);
}

TEST(NoticeTest, GetaMarkInAddressIsExplainedSeparately) {
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->set_address("東京都〓〓区");
  v1::BillingView view = DeriveBillingView(result, kDate);
  ASSERT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_UNREPRESENTABLE_CHARACTER"));
  EXPECT_THAT(view.notices(0).staff_message(), HasSubstr("住所"));
}

TEST(NoticeTest, GetaMarkIsReportedEvenWhenNotEligible) {
  v1::QualificationResult result = ValidResult();
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_INVALID);
  result.mutable_records(0)->set_insured_name("〓田　太郎");
  EXPECT_THAT(NoticeCodes(DeriveBillingView(result, kDate)),
              ElementsAre("ONSHI_NOTICE_UNREPRESENTABLE_CHARACTER"));
}

TEST(NoticeTest, TerminalMessageIsShownAsWritten) {
  v1::QualificationResult result = ValidResult();
  result.set_processing_result_code("W0123");
  result.set_processing_result_message("電子証明書の有効期限が３か月以内です。");
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_TRUE(view.eligible());
  ASSERT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_TERMINAL_MESSAGE"));
  EXPECT_EQ(view.notices(0).staff_message(), "電子証明書の有効期限が３か月以内です。");
  EXPECT_EQ(view.notices(0).it_message(), "terminal supplementary message, code W0123");
}

TEST(NoticeTest, TerminalCodeThatIsNotACodeIsNotQuoted) {
  v1::QualificationResult result = ValidResult();
  result.set_processing_result_code("試験 花子");
  result.set_processing_result_message("msg");
  v1::BillingView view = DeriveBillingView(result, kDate);
  ASSERT_NE(FindNotice(view, "ONSHI_NOTICE_TERMINAL_MESSAGE"), nullptr);
  EXPECT_EQ(view.notices(0).it_message(), "terminal supplementary message, code (not shown)");
}

TEST(NoticeTest, TerminalMessageOnAnErrorIsShownToo) {
  v1::QualificationResult result = ValidResult();
  result.clear_records();
  result.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_ERROR);
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_NOT_FOUND);
  result.set_processing_result_code("SIM-NOTFOUND");
  result.set_processing_result_message("該当する資格がありません。");
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_EQ(view.status_label(), "該当資格なし");
  ASSERT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_TERMINAL_MESSAGE"));
  EXPECT_EQ(view.notices(0).it_message(), "terminal error message, code SIM-NOTFOUND");
}

TEST(NoticeTest, ExpiredCardIsExplained) {
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->set_insured_card_expiration_date("20250602");
  EXPECT_THAT(NoticeCodes(DeriveBillingView(result, kDate)), IsEmpty());  // last valid day
  result.mutable_records(0)->set_insured_card_expiration_date("20250601");
  v1::BillingView view = DeriveBillingView(result, kDate);
  ASSERT_THAT(NoticeCodes(view), ElementsAre("ONSHI_NOTICE_CARD_EXPIRED"));
  EXPECT_THAT(view.notices(0).staff_message(), HasSubstr("2025年6月1日"));
  ExpectItTextsFreeOfRecordValues(view, result);
}

TEST(NoticeTest, OneNoticePerSpecificDiseaseCertificate) {
  v1::QualificationResult result = ValidResult();
  v1::SpecificDiseaseCertificate* dialysis = result.mutable_records(0)->add_specific_diseases();
  dialysis->set_disease_category("1");
  dialysis->set_valid_start_date("20250401");
  dialysis->set_self_pay_yen(20000);
  v1::SpecificDiseaseCertificate* hemophilia = result.mutable_records(0)->add_specific_diseases();
  hemophilia->set_disease_category("2");
  hemophilia->set_valid_end_date("20250531");
  hemophilia->set_self_pay_yen(10000);
  v1::BillingView view = DeriveBillingView(result, kDate);
  ASSERT_THAT(NoticeCodes(view),
              ElementsAre("ONSHI_NOTICE_SPECIFIC_DISEASE", "ONSHI_NOTICE_SPECIFIC_DISEASE"));
  EXPECT_THAT(view.notices(0).staff_message(), HasSubstr("人工透析"));
  EXPECT_THAT(view.notices(0).staff_message(), HasSubstr("月20,000円"));
  EXPECT_THAT(view.notices(0).staff_message(), Not(HasSubstr("有効期間外")));
  EXPECT_THAT(view.notices(1).staff_message(), HasSubstr("先天性血液凝固因子障害"));
  EXPECT_THAT(view.notices(1).staff_message(), HasSubstr("月10,000円"));
  EXPECT_THAT(view.notices(1).staff_message(), HasSubstr("有効期間外"));
  EXPECT_THAT(view.notices(1).it_message(), HasSubstr("not in force"));
  ExpectItTextsFreeOfRecordValues(view, result);
}

TEST(BillingViewTest, PreschoolChild) {
  v1::QualificationResult result = ValidResult();
  result.mutable_records(0)->set_preschool_classification("1");
  result.mutable_records(0)->set_insured_partial_contribution_ratio("020");
  v1::BillingView view = DeriveBillingView(result, kDate);
  EXPECT_TRUE(view.preschool());
  EXPECT_EQ(view.copay_ratio_label(), "2割");
}

TEST(NoticeTest, CodesAreStableAndWellFormed) {
  for (absl::string_view code :
       {notices::kTerminalMessage, notices::kUnrepresentableCharacter, notices::kInconsistentAnswer,
        notices::kMultipleQualifications, notices::kCopayRatioUnreadable,
        notices::kCopayRatioMissing, notices::kCopayRatioMismatch,
        notices::kElderlyCertificateNotInForce, notices::kNoLimitData,
        notices::kLimitCertificateNotInForce, notices::kUnknownLimitCategory, notices::kCardExpired,
        notices::kSpecificDisease}) {
    EXPECT_THAT(std::string(code), ::testing::MatchesRegex("ONSHI_NOTICE_[A-Z_]+"));
  }
}

}  // namespace
}  // namespace onshi
