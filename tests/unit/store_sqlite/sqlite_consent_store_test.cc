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

// --- inpatient stays (table inpatient_stays, migration "inpatient stays") ---

TEST_F(SqliteConsentStoreTest, AStayIsOpenedAndClosedOnceAndSurvivesAReopen) {
  AddPatient("p-1");
  absl::StatusOr<InpatientStay> admitted =
      consents_->RecordAdmission("p-1", "adm-0001", at_, "clerk07");
  ASSERT_TRUE(admitted.ok()) << admitted.status();
  EXPECT_EQ(admitted->admitted_at, at_);
  EXPECT_FALSE(admitted->discharged_at.has_value());
  EXPECT_EQ(admitted->admitted_by, "clerk07");
  EXPECT_TRUE(admitted->Covers(at_ + absl::Hours(100)));
  EXPECT_FALSE(admitted->Covers(at_ - absl::Microseconds(1)));

  // A retry returns the stay; a second admission while it is open is refused.
  absl::StatusOr<InpatientStay> again =
      consents_->RecordAdmission("p-1", "adm-0001", at_ + absl::Hours(1), "clerk08");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->admitted_at, at_);
  EXPECT_EQ(again->admitted_by, "clerk07");
  EXPECT_EQ(Reason(consents_->RecordAdmission("p-1", "adm-0002", at_, "clerk07").status()),
            "ONSHI_ALREADY_ADMITTED");

  const absl::Time out = at_ + absl::Hours(50) + absl::Microseconds(7);
  absl::StatusOr<InpatientStay> discharged =
      consents_->RecordDischarge("p-1", "dis-0001", out, "clerk09");
  ASSERT_TRUE(discharged.ok()) << discharged.status();
  ASSERT_TRUE(discharged->discharged_at.has_value());
  EXPECT_EQ(*discharged->discharged_at, out);
  EXPECT_EQ(discharged->discharged_by, "clerk09");
  EXPECT_FALSE(discharged->Covers(out));
  EXPECT_TRUE(discharged->Covers(out - absl::Microseconds(1)));
  // Retried: the same stay; discharged again under another id: nothing open.
  absl::StatusOr<InpatientStay> retried =
      consents_->RecordDischarge("p-1", "dis-0001", out + absl::Hours(1), "clerk09");
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(*retried->discharged_at, out);
  EXPECT_EQ(Reason(consents_->RecordDischarge("p-1", "dis-0002", out, "clerk09").status()),
            "ONSHI_NOT_ADMITTED");

  Open();
  absl::StatusOr<std::vector<InpatientStay>> stays = consents_->ListStays("p-1");
  ASSERT_TRUE(stays.ok()) << stays.status();
  ASSERT_EQ(stays->size(), 1u);
  EXPECT_EQ((*stays)[0].admission_request_id, "adm-0001");
  EXPECT_EQ((*stays)[0].discharge_request_id, "dis-0001");
  EXPECT_EQ((*stays)[0].admitted_at, at_);
  EXPECT_EQ((*stays)[0].discharged_at, out);
}

TEST_F(SqliteConsentStoreTest, StaysAreRefusedWhenTheyContradictTheRecord) {
  AddPatient("p-1");
  AddPatient("p-2");
  EXPECT_EQ(Reason(consents_->RecordAdmission("p-9", "adm-0009", at_, "clerk07").status()),
            "ONSHI_PATIENT_NOT_FOUND");
  EXPECT_EQ(Reason(consents_->RecordDischarge("p-1", "dis-0001", at_, "clerk07").status()),
            "ONSHI_NOT_ADMITTED");
  EXPECT_EQ(Reason(consents_->RecordAdmission("p-1", "adm-0001", at_, "").status()),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(
      Reason(consents_->RecordAdmission("p-1", "adm-0001", absl::InfiniteFuture(), "c").status()),
      "ONSHI_INVALID_ARGUMENT");
  ASSERT_TRUE(consents_->RecordAdmission("p-1", "adm-0001", at_, "clerk07").ok());
  // The same request id for another patient.
  EXPECT_EQ(Reason(consents_->RecordAdmission("p-2", "adm-0001", at_, "clerk07").status()),
            "ONSHI_REQUEST_ID_CONFLICT");
  // A discharge before the admission.
  EXPECT_EQ(
      Reason(consents_->RecordDischarge("p-1", "dis-0001", at_ - absl::Seconds(1), "c").status()),
      "ONSHI_INVALID_ARGUMENT");
  ASSERT_TRUE(consents_->RecordDischarge("p-1", "dis-0001", at_ + absl::Hours(2), "c").ok());
  // A new stay may not start before the previous one ended; at its end it may.
  EXPECT_EQ(
      Reason(consents_->RecordAdmission("p-1", "adm-0002", at_ + absl::Hours(1), "c").status()),
      "ONSHI_INVALID_ARGUMENT");
  ASSERT_TRUE(consents_->RecordAdmission("p-1", "adm-0002", at_ + absl::Hours(2), "c").ok());
  absl::StatusOr<std::vector<InpatientStay>> stays = consents_->ListStays("p-1");
  ASSERT_TRUE(stays.ok());
  ASSERT_EQ(stays->size(), 2u);
  EXPECT_TRUE((*stays)[0].discharged_at.has_value());
  EXPECT_FALSE((*stays)[1].discharged_at.has_value());
  absl::StatusOr<std::vector<InpatientStay>> other = consents_->ListStays("p-2");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty());
}

}  // namespace
}  // namespace onshi
