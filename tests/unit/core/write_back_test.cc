// Write-back rules: what a write-back request may carry, which checks can be written, and the
// diff staff see before recording (one readable Japanese message per kind of change).

#include "plugin/core/write_back.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"
#include "plugin/core/validation.h"

namespace onshi {
namespace {

v1::WriteBackRequest ValidRequest() {
  v1::WriteBackRequest request;
  request.set_request_id("wb-00000001");
  request.set_patient_id("P-001");
  request.set_source_request_id("check-00000001");
  request.set_expected_version(3);
  request.set_reason("窓口で確認");
  return request;
}

v1::QualificationRecord Record() {
  v1::QualificationRecord record;
  v1::InsuranceIdentifiers* ids = record.mutable_identifiers();
  ids->set_insurer_number("06139806");
  ids->set_insured_card_symbol("１２３");
  ids->set_insured_identification_number("4567");
  ids->set_insured_branch_number("01");
  record.set_name("山田太郎");
  record.set_birth_date("19850412");
  record.set_insured_partial_contribution_ratio("3");
  record.mutable_limit_certificate()->set_category("A03");
  return record;
}

LedgerEntry Answered(const v1::QualificationRecord* record, v1::QualificationValidity validity,
                     const std::string& patient_id = "P-001") {
  LedgerEntry entry;
  entry.request_id = "check-00000001";
  entry.file_id = "F1";
  entry.patient_id = patient_id;
  entry.state = LedgerState::kAnswered;
  entry.response.set_outcome(v1::CHECK_OUTCOME_ANSWERED);
  v1::QualificationResult* result = entry.response.mutable_result();
  result->set_qualification_validity(validity);
  if (record != nullptr) *result->add_records() = *record;
  entry.response.mutable_provenance()->set_source(v1::SOURCE_TERMINAL_ANSWER);
  entry.response.mutable_provenance()->set_request_id("check-00000001");
  return entry;
}

v1::CoverageVersion Current(const v1::QualificationRecord& record, int64_t version = 3,
                            v1::QualificationValidity validity = v1::QUALIFICATION_VALIDITY_VALID) {
  v1::CoverageVersion current;
  current.set_version(version);
  *current.mutable_coverage() = record;
  current.set_validity(validity);
  return current;
}

// The preview of writing `next` (validity VALID unless given) over `current`.
v1::RecordPreview PreviewOver(
    const v1::CoverageVersion& current, const v1::QualificationRecord& next,
    v1::QualificationValidity validity = v1::QUALIFICATION_VALIDITY_VALID) {
  absl::StatusOr<v1::RecordPreview> preview =
      PreviewCheck(Answered(&next, validity), "P-001", true, &current);
  EXPECT_TRUE(preview.ok()) << preview.status();
  return preview.ok() ? *preview : v1::RecordPreview();
}

std::vector<std::string> Messages(const v1::RecordPreview& preview) {
  std::vector<std::string> out;
  for (const v1::FieldChange& change : preview.changes()) out.push_back(change.staff_message());
  return out;
}

TEST(WriteBackRequestTest, ValidRequestPasses) {
  EXPECT_TRUE(ValidateWriteBackRequest(ValidRequest()).ok());
}

TEST(WriteBackRequestTest, ReasonOfTwoHundredJapaneseCharactersPassesOneMoreFails) {
  v1::WriteBackRequest request = ValidRequest();
  std::string reason;
  for (int i = 0; i < 200; ++i) reason += "確";
  request.set_reason(reason);
  EXPECT_TRUE(ValidateWriteBackRequest(request).ok());
  request.set_reason(reason + "認");
  EXPECT_EQ(ReasonOf(ValidateWriteBackRequest(request)), "ONSHI_INVALID_ARGUMENT");
}

TEST(WriteBackRequestTest, ReasonWithControlCharacterOrBrokenUtf8IsRefused) {
  v1::WriteBackRequest request = ValidRequest();
  request.set_reason("窓口\nで確認");
  EXPECT_EQ(ReasonOf(ValidateWriteBackRequest(request)), "ONSHI_INVALID_ARGUMENT");
  request.set_reason("\xE7\xAA");
  EXPECT_EQ(ReasonOf(ValidateWriteBackRequest(request)), "ONSHI_INVALID_ARGUMENT");
}

TEST(WriteBackRequestTest, BadIdsAndNegativeVersionAreRefused) {
  v1::WriteBackRequest request = ValidRequest();
  request.set_request_id("short");
  EXPECT_EQ(ReasonOf(ValidateWriteBackRequest(request)), "ONSHI_INVALID_REQUEST_ID");
  request = ValidRequest();
  request.set_patient_id("");
  EXPECT_EQ(ReasonOf(ValidateWriteBackRequest(request)), "ONSHI_INVALID_PATIENT_ID");
  request = ValidRequest();
  request.set_source_request_id("bad id!");
  EXPECT_EQ(ReasonOf(ValidateWriteBackRequest(request)), "ONSHI_INVALID_REQUEST_ID");
  request = ValidRequest();
  request.set_expected_version(-1);
  EXPECT_EQ(ReasonOf(ValidateWriteBackRequest(request)), "ONSHI_INVALID_ARGUMENT");
}

TEST(AnswerOfCheckTest, CheckWithoutTerminalAnswerIsNotConfirmed) {
  const v1::QualificationRecord record = Record();
  for (LedgerState state :
       {LedgerState::kPending, LedgerState::kUnconfirmed, LedgerState::kFailed}) {
    LedgerEntry entry = Answered(&record, v1::QUALIFICATION_VALIDITY_VALID);
    entry.state = state;
    absl::StatusOr<AnswerToRecord> answer = AnswerOfCheck(entry, "P-001");
    EXPECT_EQ(answer.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(answer.status()), "ONSHI_NOT_CONFIRMED");
  }
}

TEST(AnswerOfCheckTest, LateAnswerCanBeWritten) {
  const v1::QualificationRecord record = Record();
  LedgerEntry entry = Answered(&record, v1::QUALIFICATION_VALIDITY_VALID);
  entry.state = LedgerState::kLate;
  entry.response.set_outcome(v1::CHECK_OUTCOME_LATE_ANSWER);
  absl::StatusOr<AnswerToRecord> answer = AnswerOfCheck(entry, "P-001");
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->coverage.name(), "山田太郎");
}

TEST(AnswerOfCheckTest, CheckMadeForAnotherPatientIsRefused) {
  const v1::QualificationRecord record = Record();
  absl::StatusOr<AnswerToRecord> answer =
      AnswerOfCheck(Answered(&record, v1::QUALIFICATION_VALIDITY_VALID, "P-999"), "P-001");
  EXPECT_EQ(ReasonOf(answer.status()), "ONSHI_INVALID_ARGUMENT");
  // A check that named no patient may be written into any (that is how patients are created).
  EXPECT_TRUE(AnswerOfCheck(Answered(&record, v1::QUALIFICATION_VALIDITY_VALID, ""), "P-001").ok());
}

TEST(AnswerOfCheckTest, SeveralQualificationsAreNotConfirmedAsThePatients) {
  const v1::QualificationRecord record = Record();
  LedgerEntry entry = Answered(&record, v1::QUALIFICATION_VALIDITY_MULTIPLE);
  *entry.response.mutable_result()->add_records() = record;
  EXPECT_EQ(ReasonOf(AnswerOfCheck(entry, "P-001").status()), "ONSHI_NOT_CONFIRMED");
}

TEST(WriteBackDiffTest, InsurerChangeSaysInsurerChanged) {
  v1::QualificationRecord next = Record();
  next.mutable_identifiers()->set_insurer_number("01130012");
  const v1::RecordPreview preview = PreviewOver(Current(Record()), next);
  EXPECT_EQ(preview.current_version(), 3);
  EXPECT_TRUE(preview.changed());
  ASSERT_EQ(preview.changes_size(), 1);
  EXPECT_EQ(preview.changes(0).field(), "identifiers.insurer_number");
  EXPECT_EQ(preview.changes(0).old_value(), "06139806");
  EXPECT_EQ(preview.changes(0).new_value(), "01130012");
  EXPECT_EQ(preview.changes(0).staff_message(), "保険者番号が変わりました");
}

TEST(WriteBackDiffTest, SymbolAndNumberChangeSaysKigoBangoChanged) {
  v1::QualificationRecord next = Record();
  next.mutable_identifiers()->set_insured_card_symbol("９９９");
  next.mutable_identifiers()->set_insured_identification_number("1111");
  EXPECT_EQ(Messages(PreviewOver(Current(Record()), next)),
            (std::vector<std::string>{"記号・番号が変わりました", "記号・番号が変わりました"}));
}

TEST(WriteBackDiffTest, CopayRatioChangeSaysRatioChanged) {
  v1::QualificationRecord next = Record();
  next.set_insured_partial_contribution_ratio("2");
  EXPECT_EQ(Messages(PreviewOver(Current(Record()), next)),
            std::vector<std::string>{"負担割合が変わりました"});
}

TEST(WriteBackDiffTest, LimitCategoryChangeSaysLimitCategoryChanged) {
  v1::QualificationRecord next = Record();
  next.mutable_limit_certificate()->set_category("A04");
  EXPECT_EQ(Messages(PreviewOver(Current(Record()), next)),
            std::vector<std::string>{"限度額適用区分が変わりました"});
}

TEST(WriteBackDiffTest, ValidToInvalidSaysQualificationLost) {
  const v1::RecordPreview preview =
      PreviewOver(Current(Record()), Record(), v1::QUALIFICATION_VALIDITY_INVALID);
  ASSERT_EQ(preview.changes_size(), 1);
  EXPECT_EQ(preview.changes(0).field(), "validity");
  EXPECT_EQ(preview.changes(0).old_value(), "有効");
  EXPECT_EQ(preview.changes(0).new_value(), "無効");
  EXPECT_EQ(preview.changes(0).staff_message(), "資格を喪失しました");
}

TEST(WriteBackDiffTest, NotFoundWithoutRecordKeepsFieldsAndSaysQualificationLost) {
  const v1::CoverageVersion current = Current(Record());
  absl::StatusOr<v1::RecordPreview> preview = PreviewCheck(
      Answered(nullptr, v1::QUALIFICATION_VALIDITY_NOT_FOUND), "P-001", true, &current);
  ASSERT_TRUE(preview.ok()) << preview.status();
  ASSERT_EQ(preview->changes_size(), 1);
  EXPECT_EQ(preview->changes(0).new_value(), "該当資格なし");
  EXPECT_EQ(preview->changes(0).staff_message(), "資格を喪失しました");

  absl::StatusOr<AnswerToRecord> answer =
      AnswerOfCheck(Answered(nullptr, v1::QUALIFICATION_VALIDITY_NOT_FOUND), "P-001");
  ASSERT_TRUE(answer.ok());
  EXPECT_TRUE(answer->validity_only);
  const PlannedCoverageWrite plan =
      PlanWriteBack("P-001", &current, *answer, WriteBackAuthor{}, google::protobuf::Timestamp());
  ASSERT_TRUE(plan.update.has_value());
  EXPECT_EQ(plan.update->version.coverage().name(), "山田太郎");
  EXPECT_EQ(plan.update->version.validity(), v1::QUALIFICATION_VALIDITY_NOT_FOUND);
}

TEST(WriteBackDiffTest, AnswerWithoutRecordThatIsNotALossIsNotConfirmed) {
  EXPECT_EQ(
      ReasonOf(
          AnswerOfCheck(Answered(nullptr, v1::QUALIFICATION_VALIDITY_VALID), "P-001").status()),
      "ONSHI_NOT_CONFIRMED");
}

TEST(WriteBackDiffTest, MatchingAnswerIsUnchangedAndPlansNoVersion) {
  const v1::CoverageVersion current = Current(Record());
  const v1::RecordPreview preview = PreviewOver(current, Record());
  EXPECT_FALSE(preview.changed());
  EXPECT_EQ(preview.changes_size(), 0);
  EXPECT_EQ(preview.current_version(), 3);
}

TEST(WriteBackDiffTest, FirstCoverageIsRecordedFieldByField) {
  const v1::QualificationRecord record = Record();
  absl::StatusOr<v1::RecordPreview> preview = PreviewCheck(
      Answered(&record, v1::QUALIFICATION_VALIDITY_VALID, ""), "NEW-1", false, nullptr);
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_FALSE(preview->patient_exists());
  EXPECT_EQ(preview->current_version(), 0);
  EXPECT_TRUE(preview->changed());
  for (const v1::FieldChange& change : preview->changes()) {
    EXPECT_NE(change.staff_message().find("を記録しました"), std::string::npos) << change.field();
  }
}

TEST(WriteBackPlanTest, NewVersionCarriesWhoWhyAndTheAnswersProvenance) {
  v1::QualificationRecord next = Record();
  next.mutable_identifiers()->set_insurer_number("01130012");
  const v1::CoverageVersion current = Current(Record());
  absl::StatusOr<AnswerToRecord> answer =
      AnswerOfCheck(Answered(&next, v1::QUALIFICATION_VALIDITY_VALID), "P-001");
  ASSERT_TRUE(answer.ok());
  const PlannedCoverageWrite plan = PlanWriteBack(
      "P-001", &current, *answer, WriteBackAuthor{"clerk07", "窓口で確認", "wb-00000001"},
      google::protobuf::Timestamp());
  ASSERT_TRUE(plan.update.has_value());
  EXPECT_EQ(plan.update->expected_version, 3);
  const v1::CoverageVersion& version = plan.update->version;
  EXPECT_EQ(version.version(), 4);
  EXPECT_EQ(version.recorded_by(), "clerk07");
  EXPECT_EQ(version.reason(), "窓口で確認");
  EXPECT_EQ(version.write_request_id(), "wb-00000001");
  EXPECT_EQ(version.provenance().request_id(), "check-00000001");
  EXPECT_EQ(version.field_provenance().at("identifiers.insurer_number").version(), 4);
  EXPECT_EQ(plan.write.coverage_version(), 4);
  EXPECT_TRUE(plan.write.changed());
}

// The check's preview_only option survives normalisation (it is part of the request a retry
// is compared with) and defaults to automatic recording.
TEST(WriteBackCheckOptionTest, PreviewOnlySurvivesNormalizationAndDefaultsToOff) {
  v1::CheckQualificationRequest request;
  request.set_request_id("req-0001.abcd_EF");
  request.set_patient_id("P000123");
  request.mutable_identifiers()->set_insurer_number("06139992");
  request.mutable_identifiers()->set_insured_card_symbol("記号ＸＹ９");
  request.mutable_identifiers()->set_insured_identification_number("98765");
  request.set_birth_date("19850412");
  request.set_confirmation_date("20250602");
  const Date today = *ParseDate("20250602");
  absl::StatusOr<v1::CheckQualificationRequest> automatic = NormalizeCheckRequest(request, today);
  ASSERT_TRUE(automatic.ok()) << automatic.status();
  EXPECT_FALSE(automatic->preview_only());
  request.set_preview_only(true);
  absl::StatusOr<v1::CheckQualificationRequest> preview = NormalizeCheckRequest(request, today);
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_TRUE(preview->preview_only());
}

}  // namespace
}  // namespace onshi
