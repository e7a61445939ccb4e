// The coordinator as the sink of 個別照会 answers: what it cannot attribute to one of its checks
// is quarantined without touching the ledger.

#include "plugin/service/coordinator.h"

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi::service {
namespace {

class FixedClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(1748822400); }
};

// A store that must not be used: every call fails the test.
class UntouchableStore final : public RecordStore {
 public:
  absl::StatusOr<LedgerEntry> CreateRequest(const LedgerEntry&, bool*) override {
    return Touched();
  }
  absl::StatusOr<std::optional<LedgerEntry>> FindRequest(const std::string&) override {
    return Touched();
  }
  absl::StatusOr<std::optional<LedgerEntry>> FindRequestByFileId(const std::string&) override {
    return Touched();
  }
  absl::StatusOr<std::vector<LedgerEntry>> ListPendingRequests() override { return Touched(); }
  absl::Status ApplyTransition(const LedgerTransition&) override { return Touched(); }
  absl::StatusOr<std::optional<v1::CoverageVersion>> GetCurrentCoverage(
      const std::string&) override {
    return Touched();
  }
  absl::StatusOr<v1::PatientRecord> GetPatientRecord(const std::string&) override {
    return Touched();
  }
  absl::Status CheckHealth() override { return Touched(); }

 private:
  static absl::Status Touched() {
    ADD_FAILURE() << "the store was used";
    return MakeError(errors::kStoreUnavailable, "test store");
  }
};

class CoordinatorSinkTest : public ::testing::Test {
 protected:
  CoordinatorSinkTest()
      : coordinator_(CoordinatorOptions{"1310000016", absl::Seconds(30)}, &store_,
                     /*transport=*/nullptr, &clock_) {}

  FixedClock clock_;
  UntouchableStore store_;
  Coordinator coordinator_;
};

TEST_F(CoordinatorSinkTest, QualificationAnswerWithoutAResultIsQuarantined) {
  IncomingAnswer answer;
  answer.kind = DocumentKind::kQualificationAnswer;
  answer.file_id = "NODOC1";
  absl::StatusOr<AnswerDisposition> disposition = coordinator_.OnAnswer(answer);
  ASSERT_TRUE(disposition.ok());
  EXPECT_EQ(*disposition, AnswerDisposition::kQuarantine);
  answer.document = std::make_shared<v1::BatchQualificationResultDocument>();
  disposition = coordinator_.OnAnswer(answer);
  ASSERT_TRUE(disposition.ok());
  EXPECT_EQ(*disposition, AnswerDisposition::kQuarantine);
}

TEST_F(CoordinatorSinkTest, QualificationAnswerForAnotherInstitutionIsQuarantined) {
  auto result = std::make_shared<v1::QualificationResult>();
  result->set_medical_institution_code("1310000024");
  result->set_arbitrary_file_identifier("ELSE1");
  IncomingAnswer answer;
  answer.kind = DocumentKind::kQualificationAnswer;
  answer.file_id = "ELSE1";
  answer.document = result;
  absl::StatusOr<AnswerDisposition> disposition = coordinator_.OnAnswer(answer);
  ASSERT_TRUE(disposition.ok());
  EXPECT_EQ(*disposition, AnswerDisposition::kQuarantine);
}

}  // namespace
}  // namespace onshi::service
