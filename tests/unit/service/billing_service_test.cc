// SelfPayCaps: the patient's coverage from the record store, filtered by the consent rule, then
// the cap (docs/billing.md). The store and the filter are fakes; the rules are tested in
// tests/unit/core/self_pay_cap_view_test.cc.

#include "plugin/service/billing_service.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugin/core/consent_store.h"
#include "plugin/core/errors.h"

namespace onshi::service {
namespace {

class FixedClock final : public Clock {
 public:
  explicit FixedClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override { return now_; }

 private:
  absl::Time now_;
};

// The record store as far as the cap reads it: patients and their current coverage.
class FakeRecords final : public RecordStore {
 public:
  std::map<std::string, std::optional<v1::CoverageVersion>> patients;
  absl::Status failure;  // returned by GetPatientRecord when not OK
  int reads = 0;

  absl::StatusOr<LedgerEntry> CreateRequest(const LedgerEntry&, bool*) override { return Unused(); }
  absl::StatusOr<std::optional<LedgerEntry>> FindRequest(const std::string&) override {
    return Unused();
  }
  absl::StatusOr<std::optional<LedgerEntry>> FindRequestByFileId(const std::string&) override {
    return Unused();
  }
  absl::StatusOr<std::vector<LedgerEntry>> ListPendingRequests() override { return Unused(); }
  absl::Status ApplyTransition(const LedgerTransition&) override { return Unused(); }
  absl::StatusOr<std::optional<v1::CoverageVersion>> GetCurrentCoverage(
      const std::string&) override {
    return Unused();
  }
  absl::StatusOr<v1::PatientRecord> GetPatientRecord(const std::string& patient_id) override {
    ++reads;
    if (!failure.ok()) return failure;
    auto it = patients.find(patient_id);
    if (it == patients.end()) return MakeError(errors::kPatientNotFound);
    v1::PatientRecord record;
    record.set_patient_id(patient_id);
    if (it->second.has_value()) {
      *record.mutable_current_coverage() = *it->second;
      *record.add_coverage_history() = *it->second;  // an older version, never used
    }
    return record;
  }
  absl::Status CheckHealth() override { return absl::OkStatus(); }

 private:
  static absl::Status Unused() {
    ADD_FAILURE() << "the ledger was used";
    return MakeError(errors::kInternal, "unused");
  }
};

v1::CoverageVersion Coverage(const std::string& birth, const std::string& category) {
  v1::CoverageVersion version;
  version.set_version(2);
  version.mutable_provenance()->set_confirmation_date("20261123");
  v1::QualificationRecord* record = version.mutable_coverage();
  record->set_birth_date(birth);
  record->mutable_identifiers()->set_insurer_number("01139013");
  record->set_insured_partial_contribution_ratio("030");
  if (!category.empty()) {
    record->mutable_limit_certificate()->set_category(category);
    record->mutable_limit_certificate()->set_valid_start_date("20250801");
    record->mutable_limit_certificate()->set_valid_end_date("20310731");
  }
  return version;
}

class SelfPayCapsTest : public ::testing::Test {
 protected:
  SelfPayCapsTest()
      // 2026-11-23T15:30:00Z is 2026-11-24 00:30 in Japan.
      : clock_(absl::FromUnixSeconds(1795447800)),
        caps_(
            &records_,
            [this](v1::PatientRecord* record) -> absl::Status {
              filtered_.push_back(record->patient_id());
              EXPECT_EQ(record->coverage_history_size(), 0) << "only the current coverage";
              if (!filter_failure_.ok()) return filter_failure_;
              if (strip_limit_ && record->has_current_coverage()) {
                StripLimitCertificate(record->mutable_current_coverage()->mutable_coverage());
              }
              return absl::OkStatus();
            },
            &clock_) {}

  v1::GetSelfPayCapRequest Request(const std::string& patient, const std::string& month = "") {
    v1::GetSelfPayCapRequest request;
    request.set_patient_id(patient);
    request.set_month(month);
    return request;
  }

  FakeRecords records_;
  FixedClock clock_;
  bool strip_limit_ = false;
  absl::Status filter_failure_;
  std::vector<std::string> filtered_;
  SelfPayCaps caps_;
};

TEST_F(SelfPayCapsTest, CapOfTheRecordedCategoryForThisMonthInJapan) {
  records_.patients["pt-1"] = Coverage("19800115", "A03");
  absl::StatusOr<v1::GetSelfPayCapResponse> cap = caps_.Get(Request("pt-1"));
  ASSERT_TRUE(cap.ok()) << cap.status();
  EXPECT_EQ(cap->month(), "202611");  // the UTC date is still the 23rd
  EXPECT_EQ(cap->cap_yen(), 80'100);
  EXPECT_EQ(cap->limit_category_code(), "A03");
  EXPECT_EQ(cap->coverage_version(), 2);
  EXPECT_EQ(filtered_, std::vector<std::string>{"pt-1"});
}

TEST_F(SelfPayCapsTest, CategoryTheConsentRuleRemovesIsUnknown) {
  records_.patients["pt-1"] = Coverage("19800115", "A03");
  strip_limit_ = true;
  absl::StatusOr<v1::GetSelfPayCapResponse> cap = caps_.Get(Request("pt-1", "202611"));
  EXPECT_EQ(cap.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(cap.status()), "ONSHI_LIMIT_CATEGORY_UNKNOWN");
}

TEST_F(SelfPayCapsTest, FilterFailureFailsTheCall) {
  records_.patients["pt-1"] = Coverage("19800115", "A03");
  filter_failure_ = MakeError(errors::kStoreUnavailable, "consent ledger");
  absl::StatusOr<v1::GetSelfPayCapResponse> cap = caps_.Get(Request("pt-1"));
  EXPECT_EQ(ReasonOf(cap.status()), "ONSHI_STORE_UNAVAILABLE");
}

TEST_F(SelfPayCapsTest, UnknownPatientIsNotFound) {
  absl::StatusOr<v1::GetSelfPayCapResponse> cap = caps_.Get(Request("nobody"));
  EXPECT_EQ(cap.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(cap.status()), "ONSHI_PATIENT_NOT_FOUND");
}

TEST_F(SelfPayCapsTest, PatientWithoutCoverageHasNoCoverage) {
  records_.patients["pt-2"] = std::nullopt;
  absl::StatusOr<v1::GetSelfPayCapResponse> cap = caps_.Get(Request("pt-2"));
  EXPECT_EQ(cap.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(cap.status()), "ONSHI_NO_COVERAGE");
}

TEST_F(SelfPayCapsTest, MalformedPatientIdIsRefusedBeforeTheStore) {
  for (const char* id : {"", "has space", "ü"}) {
    absl::StatusOr<v1::GetSelfPayCapResponse> cap = caps_.Get(Request(id));
    EXPECT_EQ(ReasonOf(cap.status()), "ONSHI_INVALID_PATIENT_ID") << id;
  }
  EXPECT_EQ(records_.reads, 0);
}

TEST_F(SelfPayCapsTest, StoreFailureIsPassedOn) {
  records_.failure = MakeError(errors::kStoreUnavailable, "locked");
  absl::StatusOr<v1::GetSelfPayCapResponse> cap = caps_.Get(Request("pt-1"));
  EXPECT_EQ(ReasonOf(cap.status()), "ONSHI_STORE_UNAVAILABLE");
}

}  // namespace
}  // namespace onshi::service
