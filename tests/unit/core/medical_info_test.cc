// 薬剤情報 / 特定健診 requests: what a host may ask, the request documents with their own element
// names, and what the terminal's ResultCode means.

#include "plugin/core/medical_info.h"

#include <string>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

v1::GetMedicationHistoryRequest MedicationRequest(std::string start = "",
                                                  std::string end = "") {
  v1::GetMedicationHistoryRequest request;
  request.set_request_id("req-medication-0001");
  request.set_patient_id("P0001");
  request.set_start_month(std::move(start));
  request.set_end_month(std::move(end));
  return request;
}

std::string Reason(const absl::Status& status) { return std::string(ReasonOf(status)); }

const Date kToday{2026, 11, 23};

TEST(YearMonthTest, ParsesSixDigitMonthsOnly) {
  std::optional<YearMonth> month = ParseYearMonth("202501");
  ASSERT_TRUE(month.has_value());
  EXPECT_EQ(month->year, 2025);
  EXPECT_EQ(month->month, 1);
  EXPECT_FALSE(ParseYearMonth("202513").has_value());
  EXPECT_FALSE(ParseYearMonth("202500").has_value());
  EXPECT_FALSE(ParseYearMonth("20251").has_value());
  EXPECT_FALSE(ParseYearMonth("2025011").has_value());
  EXPECT_FALSE(ParseYearMonth("2025-1").has_value());
  EXPECT_FALSE(ParseYearMonth("２０２５０１").has_value());
  EXPECT_FALSE(ParseYearMonth("189912").has_value());
}

TEST(YearMonthTest, AddMonthsCrossesYearsBothWays) {
  EXPECT_EQ(FormatYearMonth(AddMonths(YearMonth{2026, 11}, -35)), "202312");
  EXPECT_EQ(FormatYearMonth(AddMonths(YearMonth{2026, 1}, -1)), "202512");
  EXPECT_EQ(FormatYearMonth(AddMonths(YearMonth{2025, 12}, 1)), "202601");
  EXPECT_EQ(FormatYearMonth(AddMonths(YearMonth{2026, 3}, -27)), "202312");
}

TEST(NormalizeMedicationRequestTest, DefaultsFormatToXmlAndCareSettingToOutpatient) {
  absl::StatusOr<v1::GetMedicationHistoryRequest> normalized =
      NormalizeMedicationRequest(MedicationRequest("202501", "202506"));
  ASSERT_TRUE(normalized.ok()) << normalized.status();
  EXPECT_EQ(normalized->format(), v1::MEDICAL_INFO_FORMAT_XML);
  EXPECT_EQ(normalized->care_setting(), v1::CARE_SETTING_OUTPATIENT);
  EXPECT_EQ(normalized->start_month(), "202501");
}

TEST(NormalizeMedicationRequestTest, KeepsEmptyMonthsSoARetryNextMonthIsTheSameRequest) {
  absl::StatusOr<v1::GetMedicationHistoryRequest> normalized =
      NormalizeMedicationRequest(MedicationRequest());
  ASSERT_TRUE(normalized.ok());
  EXPECT_TRUE(normalized->start_month().empty());
  EXPECT_TRUE(normalized->end_month().empty());
}

TEST(NormalizeMedicationRequestTest, RefusesMalformedMonthsNamingTheField) {
  absl::Status status = NormalizeMedicationRequest(MedicationRequest("2025-01", "")).status();
  EXPECT_EQ(Reason(status), "ONSHI_INVALID_MONTH_RANGE");
  EXPECT_NE(status.message().find("start_month"), std::string::npos);
  status = NormalizeMedicationRequest(MedicationRequest("", "202513")).status();
  EXPECT_EQ(Reason(status), "ONSHI_INVALID_MONTH_RANGE");
  EXPECT_NE(status.message().find("end_month"), std::string::npos);
}

TEST(NormalizeMedicationRequestTest, RefusesStartAfterEnd) {
  absl::Status status = NormalizeMedicationRequest(MedicationRequest("202506", "202505")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(status), "ONSHI_INVALID_MONTH_RANGE");
}

TEST(NormalizeMedicationRequestTest, ChecksIdsFirstAndRefusesUnknownEnumValues) {
  v1::GetMedicationHistoryRequest request = MedicationRequest("bad", "bad");
  request.set_request_id("short");
  EXPECT_EQ(Reason(NormalizeMedicationRequest(request).status()), "ONSHI_INVALID_REQUEST_ID");
  request = MedicationRequest();
  request.clear_patient_id();
  EXPECT_EQ(Reason(NormalizeMedicationRequest(request).status()), "ONSHI_INVALID_PATIENT_ID");
  request = MedicationRequest();
  request.set_format(static_cast<v1::MedicalInfoFormat>(7));
  EXPECT_EQ(Reason(NormalizeMedicationRequest(request).status()), "ONSHI_INVALID_ARGUMENT");
  request = MedicationRequest();
  request.set_care_setting(static_cast<v1::CareSetting>(9));
  EXPECT_EQ(Reason(NormalizeMedicationRequest(request).status()), "ONSHI_INVALID_ARGUMENT");
}

TEST(NormalizeCheckupsRequestTest, DefaultsAndChecksIds) {
  v1::GetCheckupsRequest request;
  request.set_request_id("req-checkups-0001");
  request.set_patient_id("P0001");
  absl::StatusOr<v1::GetCheckupsRequest> normalized = NormalizeCheckupsRequest(request);
  ASSERT_TRUE(normalized.ok());
  EXPECT_EQ(normalized->format(), v1::MEDICAL_INFO_FORMAT_XML);
  EXPECT_EQ(normalized->care_setting(), v1::CARE_SETTING_OUTPATIENT);
  request.set_patient_id("P 0001");
  EXPECT_EQ(Reason(NormalizeCheckupsRequest(request).status()), "ONSHI_INVALID_PATIENT_ID");
}

TEST(NormalizeMedicationRequestTest, InpatientIsAskedAsHomeVisitAndContradictionsAreRefused) {
  v1::GetMedicationHistoryRequest request = MedicationRequest();
  request.set_inpatient(true);
  absl::StatusOr<v1::GetMedicationHistoryRequest> normalized = NormalizeMedicationRequest(request);
  ASSERT_TRUE(normalized.ok()) << normalized.status();
  EXPECT_EQ(normalized->care_setting(), v1::CARE_SETTING_HOME_VISIT);
  EXPECT_TRUE(normalized->inpatient());
  request.set_care_setting(v1::CARE_SETTING_HOME_VISIT);
  EXPECT_TRUE(NormalizeMedicationRequest(request).ok());
  request.set_care_setting(v1::CARE_SETTING_OUTPATIENT);
  EXPECT_EQ(Reason(NormalizeMedicationRequest(request).status()), "ONSHI_INVALID_ARGUMENT");
  v1::GetCheckupsRequest checkups;
  checkups.set_request_id("req-checkups-0001");
  checkups.set_patient_id("P0001");
  checkups.set_inpatient(true);
  absl::StatusOr<v1::GetCheckupsRequest> checkup = NormalizeCheckupsRequest(checkups);
  ASSERT_TRUE(checkup.ok()) << checkup.status();
  EXPECT_EQ(checkup->care_setting(), v1::CARE_SETTING_HOME_VISIT);
  checkups.set_care_setting(v1::CARE_SETTING_EMERGENCY);
  EXPECT_EQ(Reason(NormalizeCheckupsRequest(checkups).status()), "ONSHI_INVALID_ARGUMENT");
}

TEST(ResolveMedicationMonthsTest, EmptyMonthsMeanTheWholeThirtySixMonthWindow) {
  absl::StatusOr<MonthRange> range = ResolveMedicationMonths(MedicationRequest(), kToday);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(FormatYearMonth(range->start), "202312");
  EXPECT_EQ(FormatYearMonth(range->end), "202611");
}

TEST(ResolveMedicationMonthsTest, EmptyStartIsThirtyFiveMonthsBeforeTheEnd) {
  absl::StatusOr<MonthRange> range =
      ResolveMedicationMonths(MedicationRequest("", "202506"), kToday);
  ASSERT_FALSE(range.ok()) << "202506 - 35 months is before the window";
  range = ResolveMedicationMonths(MedicationRequest("202501", ""), kToday);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(FormatYearMonth(range->start), "202501");
  EXPECT_EQ(FormatYearMonth(range->end), "202611");
}

TEST(ResolveMedicationMonthsTest, TheWindowEdgesAreIncludedAndNothingBeyond) {
  EXPECT_TRUE(ResolveMedicationMonths(MedicationRequest("202312", "202611"), kToday).ok());
  absl::Status before = ResolveMedicationMonths(MedicationRequest("202311", "202611"), kToday).status();
  EXPECT_EQ(Reason(before), "ONSHI_INVALID_MONTH_RANGE");
  EXPECT_NE(before.message().find("start_month"), std::string::npos);
  absl::Status future = ResolveMedicationMonths(MedicationRequest("202601", "202612"), kToday).status();
  EXPECT_EQ(Reason(future), "ONSHI_INVALID_MONTH_RANGE");
  EXPECT_NE(future.message().find("end_month"), std::string::npos);
  EXPECT_TRUE(ResolveMedicationMonths(MedicationRequest("202611", "202611"), kToday).ok());
}

TEST(ResolveMedicationMonthsTest, OnNewYearsDayTheCurrentMonthIsJanuary) {
  absl::StatusOr<MonthRange> range =
      ResolveMedicationMonths(MedicationRequest(), Date{2027, 1, 1});
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(FormatYearMonth(range->start), "202402");
  EXPECT_EQ(FormatYearMonth(range->end), "202701");
}

TEST(FileCategoryTest, FollowsFormatAndTreatments) {
  EXPECT_EQ(MedicationFileCategory(v1::MEDICAL_INFO_FORMAT_PDF, false), "1");
  EXPECT_EQ(MedicationFileCategory(v1::MEDICAL_INFO_FORMAT_XML, false), "2");
  EXPECT_EQ(MedicationFileCategory(v1::MEDICAL_INFO_FORMAT_PDF, true), "3");
  EXPECT_EQ(MedicationFileCategory(v1::MEDICAL_INFO_FORMAT_XML, true), "4");
  EXPECT_EQ(MedicationFileCategory(v1::MEDICAL_INFO_FORMAT_UNSPECIFIED, false), "2");
  EXPECT_EQ(CheckupFileCategory(v1::MEDICAL_INFO_FORMAT_PDF), "1");
  EXPECT_EQ(CheckupFileCategory(v1::MEDICAL_INFO_FORMAT_XML), "2");
}

v1::InsuranceIdentifiers Coverage(std::string insurer) {
  v1::InsuranceIdentifiers identifiers;
  identifiers.set_insurer_number(std::move(insurer));
  identifiers.set_insured_card_symbol("１２３");
  identifiers.set_insured_identification_number("4567");
  identifiers.set_insured_branch_number("01");
  return identifiers;
}

TEST(MedicalInfoHeaderTest, UsesTheMedicalElementNamesAndTheEightCharacterInsurerNumber) {
  absl::StatusOr<v1::MedicalInfoRequestHeader> header =
      MedicalInfoHeaderFor(Coverage("06139992"), "1310000016", "FILEID01");
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->medical_institution_code(), "1310000016");
  EXPECT_EQ(header->insurer_number(), "06139992");
  EXPECT_EQ(header->insurance_card_symbol(), "１２３");
  EXPECT_EQ(header->insured_person_identification_number(), "4567");
  EXPECT_EQ(header->branch_number(), "01");
  EXPECT_EQ(header->arbitrary_file_identifier(), "FILEID01");
}

TEST(MedicalInfoHeaderTest, SixDigitKokuhoNumberIsSpacePadded) {
  // 138057 (国保): the terminal itself writes it space-padded in results.
  absl::StatusOr<v1::MedicalInfoRequestHeader> header =
      MedicalInfoHeaderFor(Coverage("  138057"), "1310000016", "F1");
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->insurer_number(), "  138057");
}

TEST(MedicalInfoHeaderTest, RefusesACoverageWithoutNumberOrWithABadInsurer) {
  v1::InsuranceIdentifiers identifiers = Coverage("06139992");
  identifiers.clear_insured_identification_number();
  EXPECT_EQ(Reason(MedicalInfoHeaderFor(identifiers, "1310000016", "F1").status()),
            "ONSHI_INVALID_CARD_NUMBER");
  EXPECT_EQ(Reason(MedicalInfoHeaderFor(Coverage("06139995"), "1310000016", "F1").status()),
            "ONSHI_INSURER_CHECK_DIGIT");
}

TEST(BuildMedicationRequestTest, CarriesMonthsCategoryClassificationAndCareSetting) {
  v1::GetMedicationHistoryRequest request = MedicationRequest("202501", "202506");
  request.set_format(v1::MEDICAL_INFO_FORMAT_PDF);
  request.set_include_treatments(true);
  request.set_care_setting(v1::CARE_SETTING_EMERGENCY);
  absl::StatusOr<v1::MedicalInfoRequestHeader> header =
      MedicalInfoHeaderFor(Coverage("06139992"), "1310000016", "F1");
  ASSERT_TRUE(header.ok());
  absl::StatusOr<MonthRange> months = ResolveMedicationMonths(request, kToday);
  ASSERT_TRUE(months.ok());
  v1::MedicationRequestDocument document = BuildMedicationRequest(*header, request, *months);
  EXPECT_EQ(document.header().insurer_number(), "06139992");
  EXPECT_EQ(document.start_month(), "202501");
  EXPECT_EQ(document.end_month(), "202506");
  EXPECT_EQ(document.file_category(), "3");
  EXPECT_EQ(document.pr_di_inf_classification(), "1");
  EXPECT_EQ(document.care_setting(), v1::CARE_SETTING_EMERGENCY);
}

TEST(BuildCheckupRequestTest, DefaultsToOutpatientXml) {
  v1::GetCheckupsRequest request;
  absl::StatusOr<v1::MedicalInfoRequestHeader> header =
      MedicalInfoHeaderFor(Coverage("06139992"), "1310000016", "F2");
  ASSERT_TRUE(header.ok());
  v1::CheckupRequestDocument document = BuildCheckupRequest(*header, request);
  EXPECT_EQ(document.file_category(), "2");
  EXPECT_EQ(document.care_setting(), v1::CARE_SETTING_OUTPATIENT);
  EXPECT_EQ(document.header().arbitrary_file_identifier(), "F2");
}

TEST(MedicalResultStatusTest, ResultCodeOneIsSuccess) {
  EXPECT_TRUE(MedicalResultStatus("1", "").ok());
}

TEST(MedicalResultStatusTest, OtherResultCodesAreNoConsentWithoutEchoingFreeText) {
  const std::string text = "試験　花子さんの薬剤情報の閲覧について同意が確認できません。";
  absl::Status status = MedicalResultStatus("2", text);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(status), "ONSHI_NO_CONSENT");
  const v1::ErrorDetail detail = ToErrorDetail(status);
  EXPECT_EQ(detail.it_message().find("花子"), std::string::npos);
  EXPECT_EQ(detail.it_message().find("同意"), std::string::npos);
  EXPECT_NE(detail.it_message().find("ResultCode 2"), std::string::npos);
  EXPECT_NE(detail.it_message().find("free text"), std::string::npos);
}

TEST(MedicalResultStatusTest, ASafeCodeLikeMessageReachesTheItText) {
  absl::Status status = MedicalResultStatus("2", "SIM-NOCONSENT");
  EXPECT_EQ(Reason(status), "ONSHI_NO_CONSENT");
  EXPECT_NE(ToErrorDetail(status).it_message().find("SIM-NOCONSENT"), std::string::npos);
}

TEST(MedicalResultStatusTest, ResultCodeNineIsATerminalFailureNotAMissingConsent) {
  const std::string text = "照会した被保険者証等記号・番号等に該当する資格情報が存在しません。";
  absl::Status status = MedicalResultStatus("9", text);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Reason(status), "ONSHI_TERMINAL_FAILED");
  const v1::ErrorDetail detail = ToErrorDetail(status);
  EXPECT_NE(detail.it_message().find("ResultCode 9"), std::string::npos);
  EXPECT_EQ(detail.it_message().find("該当"), std::string::npos);
  EXPECT_EQ(detail.staff_message().find("同意"), std::string::npos);
  EXPECT_EQ(Reason(MedicalResultStatus("9", "SIM-E9002")), "ONSHI_TERMINAL_FAILED");
  EXPECT_NE(ToErrorDetail(MedicalResultStatus("9", "SIM-E9002")).it_message().find("SIM-E9002"),
            std::string::npos);
}

TEST(MedicalResultStatusTest, AnUnsafeResultCodeIsNotEchoed) {
  absl::Status status = MedicalResultStatus("同意なし", "");
  EXPECT_EQ(Reason(status), "ONSHI_NO_CONSENT");
  EXPECT_EQ(ToErrorDetail(status).it_message().find("同意なし"), std::string::npos);
}

TEST(MedicalResultStatusTest, AMissingResultCodeIsAMalformedAnswer) {
  EXPECT_EQ(Reason(MedicalResultStatus("", "")), "ONSHI_TERMINAL_MALFORMED_ANSWER");
}

TEST(IsSafeCodeTest, AcceptsShortAsciiCodesOnly) {
  EXPECT_TRUE(IsSafeCode("E1001"));
  EXPECT_TRUE(IsSafeCode("SIM-NOCONSENT"));
  EXPECT_FALSE(IsSafeCode(""));
  EXPECT_FALSE(IsSafeCode("has space"));
  EXPECT_FALSE(IsSafeCode(std::string(33, 'A')));
  EXPECT_FALSE(IsSafeCode("同意"));
}

TEST(LooksLikePdfTest, ChecksTheMagic) {
  EXPECT_TRUE(LooksLikePdf("%PDF-1.4\n..."));
  EXPECT_FALSE(LooksLikePdf("<?xml"));
  EXPECT_FALSE(LooksLikePdf(""));
}

TEST(ConsentForTest, PicksTheCategoryOfTheKind) {
  v1::QualificationRecord record;
  record.mutable_pharmacists_info_consent()->set_available_time("20261124091030");
  record.mutable_specific_health_checkups_consent()->set_available_time("20261124091031");
  EXPECT_EQ(ConsentFor(record, MedicalInfoKind::kMedication).available_time(), "20261124091030");
  EXPECT_EQ(ConsentFor(record, MedicalInfoKind::kCheckups).available_time(), "20261124091031");
}

}  // namespace
}  // namespace onshi
