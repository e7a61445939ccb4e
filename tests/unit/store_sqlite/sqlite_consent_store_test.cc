// SqliteConsentStore on real SQLite files: append-only ledger rows per patient, idempotent by
// (origin, scope), exact times, refusals of bad input, and rows surviving a reopen.

#include "adapters/store_sqlite/sqlite_consent_store.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using testing_support::FakeClock;
using testing_support::MakeEntry;
using testing_support::Reason;
using testing_support::ScopedTempDir;

ConsentRecord Given(ConsentScope scope, absl::Time at,
                    ConsentSource source = ConsentSource::kCardReader) {
  ConsentRecord record;
  record.scope = scope;
  record.source = source;
  record.flag = v1::CONSENT_FLAG_GIVEN;
  // Microseconds survive exactly.
  record.captured_at = at + absl::Microseconds(123);
  record.available_until = record.captured_at + kConsentWindow;
  record.setting = ConsentSetting::kOutpatient;
  return record;
}

ConsentRecord Refused(ConsentScope scope, absl::Time at) {
  ConsentRecord record;
  record.scope = scope;
  record.flag = v1::CONSENT_FLAG_NOT_GIVEN;
  record.captured_at = at;
  record.available_until = absl::InfinitePast();
  return record;
}

class SqliteConsentStoreTest : public ::testing::Test {
 protected:
  SqliteConsentStoreTest() { Open(); }

  void Open() {
    consents_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(dir_.File("onshi.db"), &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    consents_ = std::make_unique<SqliteConsentStore>(store_.get());
  }

  void AddPatient(const std::string& patient_id) {
    ASSERT_TRUE(store_->CreateRequest(MakeEntry("req-" + patient_id, patient_id), nullptr).ok());
  }

  std::vector<StoredConsent> List(const std::string& patient_id) {
    absl::StatusOr<std::vector<StoredConsent>> rows = consents_->ListConsents(patient_id);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.value_or(std::vector<StoredConsent>());
  }

  const absl::Time at_ = absl::FromUnixSeconds(1795392630);
  ScopedTempDir dir_;
  FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteConsentStore> consents_;
};

TEST_F(SqliteConsentStoreTest, AppendedRowsComeBackExactlyInOrderAndSurviveAReopen) {
  AddPatient("p-1");
  AddPatient("p-2");
  const std::vector<ConsentRecord> checkin = {Given(ConsentScope::kMedication, at_),
                                              Refused(ConsentScope::kCheckups, at_)};
  absl::StatusOr<std::vector<StoredConsent>> appended =
      consents_->AppendConsents("p-1", "event-0001", "", checkin);
  ASSERT_TRUE(appended.ok()) << appended.status();
  ASSERT_EQ(appended->size(), 2u);
  ConsentRecord staff = Given(ConsentScope::kLimitCertificate, at_, ConsentSource::kStaffRecorded);
  staff.setting = ConsentSetting::kHomeVisit;
  ASSERT_TRUE(consents_->AppendConsents("p-1", "req-staff-0001", "clerk07", {staff}).ok());
  ASSERT_TRUE(
      consents_->AppendConsents("p-2", "event-0002", "", {Given(ConsentScope::kCheckups, at_)})
          .ok());

  Open();
  const std::vector<StoredConsent> rows = List("p-1");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_LT(rows[0].sequence, rows[1].sequence);
  EXPECT_LT(rows[1].sequence, rows[2].sequence);
  EXPECT_EQ(rows[0].record.scope, ConsentScope::kMedication);
  EXPECT_EQ(rows[0].record.flag, v1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(rows[0].record.captured_at, checkin[0].captured_at);
  EXPECT_EQ(rows[0].record.available_until, checkin[0].available_until);
  EXPECT_EQ(rows[0].origin, "event-0001");
  EXPECT_EQ(rows[0].patient_id, "p-1");
  EXPECT_NE(rows[0].recorded_time, absl::InfinitePast());
  EXPECT_EQ(rows[1].record.scope, ConsentScope::kCheckups);
  EXPECT_EQ(rows[1].record.flag, v1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_EQ(rows[1].record.available_until, absl::InfinitePast());
  EXPECT_EQ(rows[2].record.source, ConsentSource::kStaffRecorded);
  EXPECT_EQ(rows[2].record.setting, ConsentSetting::kHomeVisit);
  EXPECT_EQ(rows[2].user_id, "clerk07");
  EXPECT_EQ(rows[2].origin, "req-staff-0001");
  EXPECT_EQ(List("p-2").size(), 1u);
  EXPECT_TRUE(List("p-unknown").empty());
}

TEST_F(SqliteConsentStoreTest, TheSameOriginAndScopeIsAppendedOnce) {
  AddPatient("p-1");
  const std::vector<ConsentRecord> checkin = {Given(ConsentScope::kMedication, at_)};
  ASSERT_TRUE(consents_->AppendConsents("p-1", "event-0001", "", checkin).ok());
  // A re-delivered face file; a retried staff request recorded later: the first row stays.
  ASSERT_TRUE(consents_->AppendConsents("p-1", "event-0001", "", checkin).ok());
  absl::StatusOr<std::vector<StoredConsent>> again = consents_->AppendConsents(
      "p-1", "event-0001", "", {Given(ConsentScope::kMedication, at_ + absl::Hours(1))});
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ((*again)[0].record.captured_at, checkin[0].captured_at);
  // A scope the origin did not have yet is added.
  ASSERT_TRUE(consents_
                  ->AppendConsents(
                      "p-1", "event-0001", "",
                      {Given(ConsentScope::kMedication, at_), Given(ConsentScope::kDiagnosis, at_)})
                  .ok());
  EXPECT_EQ(List("p-1").size(), 2u);
}

TEST_F(SqliteConsentStoreTest, AnOriginBelongsToOnePatient) {
  AddPatient("p-1");
  AddPatient("p-2");
  ASSERT_TRUE(
      consents_->AppendConsents("p-1", "req-0001", "", {Given(ConsentScope::kMedication, at_)})
          .ok());
  absl::StatusOr<std::vector<StoredConsent>> other =
      consents_->AppendConsents("p-2", "req-0001", "", {Given(ConsentScope::kMedication, at_)});
  EXPECT_EQ(Reason(other.status()), "ONSHI_REQUEST_ID_CONFLICT");
  EXPECT_TRUE(List("p-2").empty());
}

TEST_F(SqliteConsentStoreTest, BadInputIsRefusedAndWritesNothing) {
  AddPatient("p-1");
  const ConsentRecord good = Given(ConsentScope::kMedication, at_);
  EXPECT_EQ(Reason(consents_->AppendConsents("", "o-1", "", {good}).status()),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(Reason(consents_->AppendConsents("p-1", "", "", {good}).status()),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(Reason(consents_->AppendConsents("p-nobody", "o-1", "", {good}).status()),
            "ONSHI_PATIENT_NOT_FOUND");
  // Staff may record only 限度額; a grant needs a window after its capture.
  ConsentRecord staff_medication =
      Given(ConsentScope::kMedication, at_, ConsentSource::kStaffRecorded);
  EXPECT_EQ(Reason(consents_->AppendConsents("p-1", "o-1", "", {good, staff_medication}).status()),
            "ONSHI_INVALID_ARGUMENT");
  ConsentRecord empty_window = good;
  empty_window.available_until = empty_window.captured_at;
  EXPECT_EQ(Reason(consents_->AppendConsents("p-1", "o-1", "", {empty_window}).status()),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(Reason(consents_->ListConsents("").status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_TRUE(List("p-1").empty());
}

TEST_F(SqliteConsentStoreTest, RowsChangedBehindTheStoreAreReadAsTheyAreOrRefused) {
  AddPatient("p-1");
  ASSERT_TRUE(
      consents_->AppendConsents("p-1", "event-0001", "", {Given(ConsentScope::kMedication, at_)})
          .ok());
  consents_.reset();
  store_.reset();
  {
    testing_support::RawDb raw(dir_.File("onshi.db"));
    // The schema refuses values outside the enums.
    EXPECT_NE(raw.Exec("UPDATE consents SET scope = 7"), SQLITE_OK);
    EXPECT_NE(raw.Exec("UPDATE consents SET flag = 0"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("UPDATE consents SET flag = 4"), SQLITE_OK);
  }
  Open();
  const std::vector<StoredConsent> rows = List("p-1");
  ASSERT_EQ(rows.size(), 1u);
  // 同意取得困難 is read back as such: a withdrawal, never a grant.
  EXPECT_EQ(rows[0].record.flag, v1::CONSENT_FLAG_DIFFICULT);
}

}  // namespace
}  // namespace onshi
