// The batch and 照会番号 rules of core: backoff schedule, splitting into files, row keys,
// normalisation of a batch and of a registration, the upload document, and what one result unit
// writes.

#include "plugin/core/batches.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/bulk_exchange.h"
#include "plugin/core/errors.h"
#include "plugin/core/reference_numbers.h"

namespace onshi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const Date kToday{2025, 6, 2};
constexpr char kInsurer[] = "06139992";
constexpr char kNumber[] = "98765";

v1::BatchPatient Patient(const std::string& patient_id) {
  v1::BatchPatient patient;
  patient.set_patient_id(patient_id);
  patient.mutable_identifiers()->set_insurer_number(kInsurer);
  patient.mutable_identifiers()->set_insured_card_symbol("記号１");
  patient.mutable_identifiers()->set_insured_identification_number(kNumber);
  patient.mutable_identifiers()->set_insured_branch_number("０１");
  patient.set_birth_date("19850412");
  return patient;
}

v1::RunBatchCheckRequest Batch(int patients) {
  v1::RunBatchCheckRequest request;
  request.set_request_id("batch-0001");
  for (int i = 0; i < patients; ++i) *request.add_patients() = Patient("P" + std::to_string(i));
  return request;
}

// --- Backoff, files, row keys -------------------------------------------------------------------

TEST(PollDelayTest, DoublesFromTheInitialPauseUpToTheMaximum) {
  const absl::Duration initial = absl::Seconds(1);
  const absl::Duration max = absl::Seconds(30);
  std::vector<int64_t> seconds;
  for (int n = 0; n <= 8; ++n) seconds.push_back(absl::ToInt64Seconds(PollDelay(n, initial, max)));
  EXPECT_THAT(seconds, ElementsAre(0, 1, 2, 4, 8, 16, 30, 30, 30));
  // Many answers later it stays at the maximum (no overflow).
  EXPECT_EQ(PollDelay(1000, initial, max), max);
}

TEST(SplitIntoFilesTest, CutsTheSentRowsIntoFilesOfTheConfiguredSize) {
  std::vector<int32_t> rows;
  for (int32_t i = 0; i < 7; ++i) rows.push_back(i);
  std::vector<RowRange> files = SplitIntoFiles(rows, 3);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].first, 0);
  EXPECT_EQ(files[0].end, 3);
  EXPECT_EQ(files[1].first, 3);
  EXPECT_EQ(files[1].end, 6);
  EXPECT_EQ(files[2].first, 6);
  EXPECT_EQ(files[2].end, 7);
  EXPECT_TRUE(SplitIntoFiles({}, 3).empty());
}

TEST(SplitIntoFilesTest, RowsNotSentLieInsideARangeButDoNotCount) {
  // Rows 1 and 4 were invalid: each file still carries 2 sent rows.
  std::vector<RowRange> files = SplitIntoFiles({0, 2, 3, 5, 6}, 2);
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].first, 0);
  EXPECT_EQ(files[0].end, 3);
  EXPECT_EQ(files[1].first, 3);
  EXPECT_EQ(files[1].end, 6);
  EXPECT_EQ(files[2].first, 6);
  EXPECT_EQ(files[2].end, 7);
}

TEST(RowKeyTest, RoundTripsInsideTheRangeOnly) {
  const RowRange range{10, 20};
  EXPECT_EQ(RowKey(12), "12");
  EXPECT_EQ(ParseRowKey(RowKey(12), range), 12);
  EXPECT_EQ(ParseRowKey("10", range), 10);
  EXPECT_EQ(ParseRowKey("20", range), std::nullopt);
  EXPECT_EQ(ParseRowKey("9", range), std::nullopt);
  for (const char* bad : {"", "012", "+12", "-1", "1 2", "12a", "99999999999"}) {
    EXPECT_EQ(ParseRowKey(bad, range), std::nullopt) << bad;
  }
}

TEST(LoggableCodeTest, ShowsCodesOnly) {
  EXPECT_EQ(LoggableCode("SIM-E9001"), "SIM-E9001");
  EXPECT_EQ(LoggableCode(""), "(none)");
  EXPECT_EQ(LoggableCode("山田 太郎"), "(not shown)");
  EXPECT_EQ(LoggableCode(std::string(33, 'A')), "(not shown)");
}

// --- Batch normalisation --------------------------------------------------------------------------

TEST(NormalizeBatchRequestTest, ResolvesTheDateAndCanonicalisesEachPatient) {
  absl::StatusOr<NormalizedBatch> batch = NormalizeBatchRequest(Batch(2), kToday, 10);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->request.confirmation_date(), "20250602");
  EXPECT_THAT(batch->sendable_rows, ElementsAre(0, 1));
  ASSERT_EQ(batch->request.patients_size(), 2);
  // 枝番 folded to half-width, as a 個別照会 stores it.
  EXPECT_EQ(batch->request.patients(0).identifiers().insured_branch_number(), "01");
  // Canonical patients are fixed points.
  absl::StatusOr<v1::BatchPatient> again =
      NormalizeBatchPatient(batch->request.patients(0), "batch-0001", "20250602");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->SerializeAsString(), batch->request.patients(0).SerializeAsString());
}

TEST(NormalizeBatchRequestTest, MorePatientsThanAllowedIsBatchTooLarge) {
  absl::StatusOr<NormalizedBatch> batch = NormalizeBatchRequest(Batch(11), kToday, 10);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(batch.status()), "ONSHI_BATCH_TOO_LARGE");
  EXPECT_TRUE(NormalizeBatchRequest(Batch(10), kToday, 10).ok());
}

TEST(NormalizeBatchRequestTest, RequestLevelProblemsFailTheWholeBatch) {
  EXPECT_EQ(ReasonOf(NormalizeBatchRequest(Batch(0), kToday, 10).status()),
            "ONSHI_INVALID_ARGUMENT");
  v1::RunBatchCheckRequest bad_id = Batch(1);
  bad_id.set_request_id("short");
  EXPECT_EQ(ReasonOf(NormalizeBatchRequest(bad_id, kToday, 10).status()),
            "ONSHI_INVALID_REQUEST_ID");
  v1::RunBatchCheckRequest far = Batch(1);
  far.set_confirmation_date("20250604");
  EXPECT_EQ(ReasonOf(NormalizeBatchRequest(far, kToday, 10).status()),
            "ONSHI_INVALID_CONFIRMATION_DATE");
  v1::RunBatchCheckRequest tomorrow = Batch(1);
  tomorrow.set_confirmation_date("20250603");
  EXPECT_TRUE(NormalizeBatchRequest(tomorrow, kToday, 10).ok());
}

TEST(NormalizeBatchRequestTest, AnInvalidPatientGetsItsErrorAndIsNotSent) {
  v1::RunBatchCheckRequest request = Batch(4);
  request.mutable_patients(1)->mutable_identifiers()->set_insurer_number("06139993");
  request.mutable_patients(2)->clear_patient_id();
  request.mutable_patients(3)->set_birth_date("20250603");
  absl::StatusOr<NormalizedBatch> batch = NormalizeBatchRequest(request, kToday, 10);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_THAT(batch->sendable_rows, ElementsAre(0));
  EXPECT_TRUE(batch->patient_errors[0].ok());
  EXPECT_EQ(ReasonOf(batch->patient_errors[1]), "ONSHI_INSURER_CHECK_DIGIT");
  EXPECT_EQ(ReasonOf(batch->patient_errors[2]), "ONSHI_INVALID_PATIENT_ID");
  EXPECT_EQ(ReasonOf(batch->patient_errors[3]), "ONSHI_INVALID_BIRTH_DATE");
  // The invalid ones are kept as given (a retry compares them), and stay unsendable.
  EXPECT_EQ(batch->request.patients(1).identifiers().insurer_number(), "06139993");
  EXPECT_THAT(SendableRows(batch->request, RowRange{0, 4}), ElementsAre(0));
  for (const absl::Status& error : batch->patient_errors) {
    EXPECT_THAT(ToErrorDetail(error).it_message(), Not(HasSubstr(kNumber)));
  }
}

// --- Upload document ------------------------------------------------------------------------------

TEST(BuildBatchUploadTest, EachRowIsAQualificationSearchKeyedByItsIndex) {
  absl::StatusOr<NormalizedBatch> batch = NormalizeBatchRequest(Batch(5), kToday, 10);
  ASSERT_TRUE(batch.ok());
  batch->request.mutable_patients(3)->set_limit_certificate_consent(true);
  v1::BatchQualificationRequestDocument upload =
      BuildBatchUpload(batch->request, {2, 3}, "1310000016", "FILEID1");
  EXPECT_EQ(upload.qualification_confirmation_date(), "20250602");
  EXPECT_EQ(upload.medical_institution_code(), "1310000016");
  EXPECT_EQ(upload.arbitrary_file_identifier(), "FILEID1");
  ASSERT_EQ(upload.search_infos_size(), 2);
  EXPECT_EQ(upload.search_infos(0).arbitrary_identifier(), "2");
  EXPECT_EQ(upload.search_infos(1).arbitrary_identifier(), "3");
  EXPECT_EQ(upload.search_infos(0).identifiers().insurer_number(), kInsurer);
  EXPECT_EQ(upload.search_infos(0).birth_date(), "19850412");
  // The consent flag is always explicit, as for a 個別照会.
  EXPECT_EQ(upload.search_infos(0).limit_certificate_consent(), v1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_EQ(upload.search_infos(1).limit_certificate_consent(), v1::CONSENT_FLAG_GIVEN);
}

TEST(BatchCheckIdTest, IsRequestIdSlashRow) { EXPECT_EQ(BatchCheckId("batch-0001", 7), "batch-0001/7"); }

// --- Result units ---------------------------------------------------------------------------------

v1::BatchQualificationResultDocument ResultDocument() {
  v1::BatchQualificationResultDocument document;
  document.set_process_execution_time("20250602093000");
  document.set_medical_institution_code("1310000016");
  document.set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  return document;
}

v1::BatchConfirmUnit ValidUnit(const std::string& key) {
  v1::BatchConfirmUnit unit;
  unit.mutable_search_info()->set_arbitrary_identifier(key);
  unit.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  unit.set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
  v1::QualificationRecord* record = unit.add_records();
  record->mutable_identifiers()->set_insurer_number(kInsurer);
  record->mutable_identifiers()->set_insured_identification_number(kNumber);
  record->set_insured_card_classification("01");
  record->set_birth_date("19850412");
  record->set_insured_partial_contribution_ratio("030");
  record->set_limit_certificate_changed("1");
  return unit;
}

v1::Provenance BatchProvenance() {
  v1::Provenance provenance;
  provenance.set_source(v1::SOURCE_BATCH);
  provenance.set_request_id("batch-0001");
  provenance.set_file_id("FILEID1");
  provenance.mutable_answered_time()->set_seconds(1748822400);
  provenance.set_confirmation_date("20250602");
  return provenance;
}

TEST(PlanAnsweredRowTest, AnAnswerNamingOneQualificationWritesTheCoverage) {
  const v1::QualificationResult result = ResultOfUnit(ResultDocument(), ValidUnit("3"));
  EXPECT_EQ(result.segment_of_result(), v1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(result.medical_institution_code(), "1310000016");
  BatchRowWrite write = PlanAnsweredRow(3, Patient("P3"), result, kToday, BatchProvenance(),
                                        nullptr, absl::FromUnixSeconds(1748822400));
  EXPECT_FALSE(write.result.has_error());
  EXPECT_EQ(write.result.index(), 3);
  EXPECT_EQ(write.result.patient_id(), "P3");
  EXPECT_EQ(write.result.validity(), v1::QUALIFICATION_VALIDITY_VALID);
  EXPECT_TRUE(write.result.billing().eligible());
  EXPECT_EQ(write.result.billing().copay_ratio_percent(), 30);
  // LimitApplicationCertificateChanged stays on the record and is raised on the result.
  EXPECT_TRUE(write.result.limit_certificate_changed());
  EXPECT_EQ(write.result.records(0).limit_certificate_changed(), "1");
  EXPECT_EQ(write.result.provenance().source(), v1::SOURCE_BATCH);
  ASSERT_TRUE(write.confirmation.has_value());
  EXPECT_EQ(write.confirmation->outcome(), v1::CHECK_OUTCOME_ANSWERED);
  ASSERT_TRUE(write.coverage.has_value());
  EXPECT_EQ(write.coverage->expected_version, 0);
  EXPECT_EQ(write.coverage->version.version(), 1);
  // Per-check fields do not become coverage.
  EXPECT_TRUE(write.coverage->version.coverage().limit_certificate_changed().empty());
  EXPECT_EQ(write.result.record_write().patient_id(), "P3");
  EXPECT_EQ(write.result.record_write().coverage_version(), 1);
}

TEST(PlanAnsweredRowTest, TheSameCoverageAgainWritesNoVersion) {
  const v1::QualificationResult result = ResultOfUnit(ResultDocument(), ValidUnit("0"));
  BatchRowWrite first = PlanAnsweredRow(0, Patient("P0"), result, kToday, BatchProvenance(),
                                        nullptr, absl::FromUnixSeconds(1748822400));
  ASSERT_TRUE(first.coverage.has_value());
  BatchRowWrite second = PlanAnsweredRow(0, Patient("P0"), result, kToday, BatchProvenance(),
                                         &first.coverage->version,
                                         absl::FromUnixSeconds(1748822500));
  EXPECT_FALSE(second.coverage.has_value());
  EXPECT_TRUE(second.confirmation.has_value());
  EXPECT_FALSE(second.result.record_write().changed());
  EXPECT_EQ(second.result.record_write().coverage_version(), 1);
}

TEST(PlanAnsweredRowTest, NotFoundWritesAConfirmationButNoCoverage) {
  v1::BatchConfirmUnit unit;
  unit.mutable_search_info()->set_arbitrary_identifier("0");
  unit.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  unit.set_qualification_validity(v1::QUALIFICATION_VALIDITY_NOT_FOUND);
  BatchRowWrite write =
      PlanAnsweredRow(0, Patient("P0"), ResultOfUnit(ResultDocument(), unit), kToday,
                      BatchProvenance(), nullptr, absl::FromUnixSeconds(1748822400));
  EXPECT_FALSE(write.result.has_error());
  EXPECT_FALSE(write.coverage.has_value());
  EXPECT_TRUE(write.confirmation.has_value());
  EXPECT_FALSE(write.result.billing().eligible());
  EXPECT_EQ(write.result.record_write().patient_id(), "P0");
}

TEST(PlanAnsweredRowTest, AUnitFailingValidationIsAnErrorRowWritingNothingElse) {
  v1::BatchConfirmUnit unit = ValidUnit("0");
  unit.mutable_records(0)->set_birth_date("19851345");
  BatchRowWrite write =
      PlanAnsweredRow(0, Patient("P0"), ResultOfUnit(ResultDocument(), unit), kToday,
                      BatchProvenance(), nullptr, absl::FromUnixSeconds(1748822400));
  ASSERT_TRUE(write.result.has_error());
  EXPECT_EQ(write.result.error().reason(), "ONSHI_TERMINAL_MALFORMED_ANSWER");
  EXPECT_EQ(write.result.error_code(), static_cast<int32_t>(absl::StatusCode::kInternal));
  EXPECT_FALSE(write.confirmation.has_value());
  EXPECT_FALSE(write.coverage.has_value());
  EXPECT_THAT(write.result.error().it_message(), Not(HasSubstr("19851345")));
}

TEST(ErrorRowTest, CarriesTheStatusAsDetailAndCode) {
  BatchRowWrite write = ErrorRow(4, "P4", MakeError(errors::kTerminalFailed, "ErrorCode X1"));
  EXPECT_EQ(write.result.index(), 4);
  EXPECT_EQ(write.result.patient_id(), "P4");
  EXPECT_EQ(write.result.error().reason(), "ONSHI_TERMINAL_FAILED");
  EXPECT_EQ(write.result.error_code(), static_cast<int32_t>(absl::StatusCode::kUnavailable));
  EXPECT_FALSE(write.confirmation.has_value());
}

// --- 照会番号 -----------------------------------------------------------------------------------

TEST(NormalizeRegistrationRequestTest, PerPatientProblemsAreOutcomesNotFailures) {
  v1::RegisterReferenceNumbersRequest request;
  request.set_request_id("reg-000001");
  request.add_patient_ids("P1");
  request.add_patient_ids(std::string(51, 'A'));
  request.add_patient_ids("P1");
  request.add_patient_ids("bad id");
  request.add_patient_ids(std::string(50, 'B'));
  absl::StatusOr<NormalizedRegistration> normalized = NormalizeRegistrationRequest(request, 10);
  ASSERT_TRUE(normalized.ok()) << normalized.status();
  ASSERT_EQ(normalized->patient_errors.size(), 5u);
  EXPECT_TRUE(normalized->patient_errors[0].ok());
  EXPECT_EQ(ReasonOf(normalized->patient_errors[1]), "ONSHI_INVALID_PATIENT_ID");
  EXPECT_EQ(ReasonOf(normalized->patient_errors[2]), "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(ReasonOf(normalized->patient_errors[3]), "ONSHI_INVALID_PATIENT_ID");
  EXPECT_TRUE(normalized->patient_errors[4].ok());
}

TEST(NormalizeRegistrationRequestTest, RequestLevelProblemsFail) {
  v1::RegisterReferenceNumbersRequest request;
  request.set_request_id("reg-000001");
  EXPECT_EQ(ReasonOf(NormalizeRegistrationRequest(request, 10).status()),
            "ONSHI_INVALID_ARGUMENT");
  for (int i = 0; i < 3; ++i) request.add_patient_ids("P" + std::to_string(i));
  EXPECT_EQ(ReasonOf(NormalizeRegistrationRequest(request, 2).status()), "ONSHI_BATCH_TOO_LARGE");
  request.set_request_id("x");
  EXPECT_EQ(ReasonOf(NormalizeRegistrationRequest(request, 10).status()),
            "ONSHI_INVALID_REQUEST_ID");
}

TEST(RegistrationForTest, SendsThePatientIdWithTheCoverageIdentifiersInOqsForm) {
  v1::InsuranceIdentifiers ids;
  ids.set_insurer_number("138057");  // 6-digit 国保, as a coverage may hold it
  ids.set_insured_card_symbol("記号");
  ids.set_insured_identification_number(kNumber);
  v1::ReferenceNumberRegistration registration = RegistrationFor("P1", ids, 4);
  EXPECT_EQ(registration.reference_number(), "P1");
  EXPECT_EQ(registration.identifiers().insurer_number(), "  138057");
  EXPECT_EQ(registration.identifiers().insured_card_symbol(), "記号");
  EXPECT_EQ(registration.arbitrary_identifier(), "4");
}

TEST(TerminalOutcomeTest, AnErrorStatusIsARefusalWithTheTerminalsCode) {
  v1::ReferenceNumberOutcome ok =
      TerminalOutcome("P1", v1::PROCESSING_RESULT_STATUS_NORMAL, "", "");
  EXPECT_TRUE(ok.registered());
  EXPECT_FALSE(ok.has_error());
  v1::ReferenceNumberOutcome refused =
      TerminalOutcome("P2", v1::PROCESSING_RESULT_STATUS_ERROR, "SIM-R01", "登録済みです");
  EXPECT_FALSE(refused.registered());
  EXPECT_EQ(refused.error().reason(), "ONSHI_REFERENCE_NUMBER_REFUSED");
  EXPECT_THAT(refused.error().it_message(), HasSubstr("SIM-R01"));
  EXPECT_EQ(refused.processing_result_code(), "SIM-R01");
  EXPECT_EQ(refused.processing_result_message(), "登録済みです");
  v1::ReferenceNumberOutcome none = ErrorOutcome("P3", MakeError(errors::kNoCoverage));
  EXPECT_EQ(none.error().reason(), "ONSHI_NO_COVERAGE");
  EXPECT_EQ(none.error_code(), static_cast<int32_t>(absl::StatusCode::kFailedPrecondition));
}

}  // namespace
}  // namespace onshi
