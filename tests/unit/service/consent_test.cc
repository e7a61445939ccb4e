// ConsentLedger (plugin/service/consent.h): staff 限度額 consents from qualification checks, the
// stripping of 限度額 data from check answers and patient records without a consent, and the
// ListConsents / RecordStaffConsent RPC bodies.

#include "plugin/service/consent.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/service/memory_consent_store.h"

namespace onshi::service {
namespace {

class FixedClock final : public Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1795392000);  // 2026-11-23 09:00 JST
};

// The record store as far as the ledger reads it: patients and their current coverage.
class FakeRecords final : public RecordStore {
 public:
  std::map<std::string, std::optional<v1::CoverageVersion>> patients;

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
      const std::string& patient_id) override {
    auto it = patients.find(patient_id);
    if (it == patients.end()) return std::optional<v1::CoverageVersion>();
    return it->second;
  }
  absl::StatusOr<v1::PatientRecord> GetPatientRecord(const std::string& patient_id) override {
    auto it = patients.find(patient_id);
    if (it == patients.end()) return MakeError(errors::kPatientNotFound);
    v1::PatientRecord record;
    record.set_patient_id(patient_id);
    if (it->second.has_value()) *record.mutable_current_coverage() = *it->second;
    return record;
  }
  absl::Status CheckHealth() override { return absl::OkStatus(); }

 private:
  static absl::Status Unused() { return MakeError(errors::kInternal, "unused"); }
};

void AddLimitData(v1::QualificationRecord* record) {
  record->mutable_limit_certificate()->set_classification("01");
  record->mutable_limit_certificate()->set_category("A03");
}

// An answered check for P1 whose record carries 限度額 data and states `flag` for it.
v1::CheckQualificationResponse Answer(v1::ConsentFlag flag) {
  v1::CheckQualificationResponse response;
  response.set_outcome(v1::CHECK_OUTCOME_ANSWERED);
  v1::QualificationRecord* record = response.mutable_result()->add_records();
  record->mutable_limit_certificate_consent()->set_flag(flag);
  AddLimitData(record);
  response.mutable_billing()->set_limit_category_code("A03");
  response.mutable_billing()->set_limit_certificate_in_force(true);
  v1::FieldChange* change = response.mutable_record_write()->add_changes();
  change->set_field("limit_certificate.category");
  response.mutable_record_write()->add_changes()->set_field("identifiers.insurer_number");
  return response;
}

v1::CheckQualificationRequest Request(const std::string& request_id, bool limit_consent) {
  v1::CheckQualificationRequest request;
  request.set_request_id(request_id);
  request.set_patient_id("P1");
  request.set_limit_certificate_consent(limit_consent);
  return request;
}

class ConsentLedgerTest : public ::testing::Test {
 protected:
  ConsentLedgerTest() : ledger_(&store_, &records_, &clock_) {
    v1::CoverageVersion coverage;
    coverage.set_version(1);
    coverage.mutable_coverage()->set_insured_card_classification("01");
    records_.patients["P1"] = coverage;
  }

  static bool HasLimitData(const v1::CheckQualificationResponse& r) {
    return r.result().records(0).has_limit_certificate() ||
           !r.billing().limit_category_code().empty() || r.billing().limit_certificate_in_force();
  }

  FixedClock clock_;
  FakeRecords records_;
  MemoryConsentStore store_;
  ConsentLedger ledger_;
};

TEST_F(ConsentLedgerTest, ACheckWithTheLimitConsentRecordsAStaffConsentAndKeepsTheData) {
  v1::CheckQualificationResponse response = Answer(v1::CONSENT_FLAG_GIVEN);
  ASSERT_TRUE(ledger_.AfterCheck(Request("req-limit-0001", true), "clerk07", &response).ok());
  EXPECT_TRUE(HasLimitData(response));
  EXPECT_EQ(response.record_write().changes_size(), 2);
  const std::vector<StoredConsent> rows = store_.All();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].record.scope, ConsentScope::kLimitCertificate);
  EXPECT_EQ(rows[0].record.source, ConsentSource::kStaffRecorded);
  EXPECT_EQ(rows[0].record.captured_at, clock_.now);
  EXPECT_EQ(rows[0].record.available_until, clock_.now + absl::Hours(24));
  EXPECT_EQ(rows[0].origin, "req-limit-0001");
  EXPECT_EQ(rows[0].user_id, "clerk07");
  // A retry adds nothing.
  v1::CheckQualificationResponse again = Answer(v1::CONSENT_FLAG_GIVEN);
  ASSERT_TRUE(ledger_.AfterCheck(Request("req-limit-0001", true), "clerk07", &again).ok());
  EXPECT_EQ(store_.All().size(), 1u);
}

TEST_F(ConsentLedgerTest, LimitDataWithoutAnyConsentIsStrippedEverywhereInTheAnswer) {
  v1::CheckQualificationResponse response = Answer(v1::CONSENT_FLAG_GIVEN);
  ASSERT_TRUE(ledger_.AfterCheck(Request("req-limit-0002", false), "", &response).ok());
  EXPECT_FALSE(HasLimitData(response));
  ASSERT_EQ(response.record_write().changes_size(), 1);
  EXPECT_EQ(response.record_write().changes(0).field(), "identifiers.insurer_number");
  // The flag stays: it says why nothing is there.
  EXPECT_EQ(response.result().records(0).limit_certificate_consent().flag(),
            v1::CONSENT_FLAG_GIVEN);
  EXPECT_TRUE(store_.All().empty());
}

TEST_F(ConsentLedgerTest, AValidCardReaderLimitConsentLetsTheDataThroughUntilItEnds) {
  ConsentRecord card;
  card.scope = ConsentScope::kLimitCertificate;
  card.captured_at = clock_.now - absl::Hours(1);
  card.available_until = card.captured_at + absl::Hours(24);
  ASSERT_TRUE(store_.AppendConsents("P1", "face/F1", "", {card}).ok());
  v1::CheckQualificationResponse response = Answer(v1::CONSENT_FLAG_GIVEN);
  ASSERT_TRUE(ledger_.AfterCheck(Request("req-limit-0003", false), "", &response).ok());
  EXPECT_TRUE(HasLimitData(response));
  // A record that itself says 同意なし is stripped even then.
  v1::CheckQualificationResponse refused = Answer(v1::CONSENT_FLAG_NOT_GIVEN);
  ASSERT_TRUE(ledger_.AfterCheck(Request("req-limit-0004", false), "", &refused).ok());
  EXPECT_FALSE(refused.result().records(0).has_limit_certificate());
  // Once the window is over: stripped.
  clock_.now += absl::Hours(23);
  v1::CheckQualificationResponse late = Answer(v1::CONSENT_FLAG_GIVEN);
  ASSERT_TRUE(ledger_.AfterCheck(Request("req-limit-0005", false), "", &late).ok());
  EXPECT_FALSE(HasLimitData(late));
}

TEST_F(ConsentLedgerTest, TheRecordShowsLimitDataOnlyInVersionsRecordedUnderAConsent) {
  v1::PatientRecord record;
  record.set_patient_id("P1");
  v1::CoverageVersion* current = record.mutable_current_coverage();
  current->mutable_provenance()->set_source(v1::SOURCE_TERMINAL_ANSWER);
  current->mutable_provenance()->set_request_id("req-limit-0006");
  AddLimitData(current->mutable_coverage());
  v1::CoverageVersion* card = record.add_coverage_history();
  card->mutable_provenance()->set_source(v1::SOURCE_CARD_READER);
  card->mutable_provenance()->set_request_id("event-1");
  card->mutable_provenance()->set_file_id("F1");
  AddLimitData(card->mutable_coverage());
  v1::CoverageVersion* unconsented = record.add_coverage_history();
  unconsented->mutable_provenance()->set_source(v1::SOURCE_TERMINAL_ANSWER);
  unconsented->mutable_provenance()->set_request_id("req-limit-0007");
  AddLimitData(unconsented->mutable_coverage());

  ConsentRecord from_card;
  from_card.scope = ConsentScope::kLimitCertificate;
  from_card.captured_at = clock_.now - absl::Hours(48);
  from_card.available_until = from_card.captured_at + absl::Hours(24);
  ASSERT_TRUE(store_.AppendConsents("P1", CheckinConsentOrigin("F1"), "", {from_card}).ok());
  v1::CheckQualificationResponse answer = Answer(v1::CONSENT_FLAG_GIVEN);
  ASSERT_TRUE(ledger_.AfterCheck(Request("req-limit-0006", true), "clerk07", &answer).ok());

  ASSERT_TRUE(ledger_.FilterRecord(&record).ok());
  EXPECT_TRUE(record.current_coverage().coverage().has_limit_certificate());
  // Recorded under the card consent: still shown after its 24 hours.
  EXPECT_TRUE(record.coverage_history(0).coverage().has_limit_certificate());
  EXPECT_FALSE(record.coverage_history(1).coverage().has_limit_certificate());
}

TEST_F(ConsentLedgerTest, ListGivesEveryScopesVerdictAndTheRows) {
  ConsentRecord medication;
  medication.scope = ConsentScope::kMedication;
  medication.captured_at = clock_.now - absl::Hours(1);
  medication.available_until = medication.captured_at + absl::Hours(24);
  ASSERT_TRUE(store_.AppendConsents("P1", "face/F1", "", {medication}).ok());
  v1::ListConsentsRequest request;
  request.set_patient_id("P1");
  absl::StatusOr<v1::ListConsentsResponse> listed = ledger_.List(request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->verdicts_size(), 6);
  ASSERT_EQ(listed->entries_size(), 1);
  const v1::ScopeVerdict& verdict = listed->verdicts(2);
  EXPECT_EQ(verdict.scope(), v1::CONSENT_SCOPE_MEDICATION);
  EXPECT_TRUE(verdict.allowed());
  EXPECT_EQ(verdict.valid_until().seconds(), absl::ToUnixSeconds(medication.available_until));
  EXPECT_EQ(verdict.source(), v1::CONSENT_SOURCE_CARD_READER);
  EXPECT_FALSE(listed->verdicts(5).allowed());
  EXPECT_EQ(listed->verdicts(5).reason(), "ONSHI_NO_CONSENT");

  request.set_setting(v1::CONSENT_SETTING_EMERGENCY);
  listed = ledger_.List(request);
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->verdicts(5).allowed());
  EXPECT_FALSE(listed->verdicts(5).has_valid_until());
  // 限度額 needs its consent even in an emergency.
  EXPECT_FALSE(listed->verdicts(0).allowed());

  request.set_patient_id("P-nobody");
  EXPECT_EQ(ReasonOf(ledger_.List(request).status()), "ONSHI_PATIENT_NOT_FOUND");
  request.set_patient_id("");
  EXPECT_EQ(ReasonOf(ledger_.List(request).status()), "ONSHI_INVALID_PATIENT_ID");
}

TEST_F(ConsentLedgerTest, StaffMayRecordOnlyTheLimitConsent) {
  v1::RecordStaffConsentRequest request;
  request.set_request_id("req-staff-0001");
  request.set_patient_id("P1");
  request.set_scope(v1::CONSENT_SCOPE_MEDICATION);
  EXPECT_EQ(ReasonOf(ledger_.RecordStaff(request, "clerk07").status()), "ONSHI_INVALID_ARGUMENT");
  request.set_scope(v1::CONSENT_SCOPE_LIMIT_CERTIFICATE);
  absl::StatusOr<v1::RecordStaffConsentResponse> recorded = ledger_.RecordStaff(request, "clerk07");
  ASSERT_TRUE(recorded.ok()) << recorded.status();
  EXPECT_EQ(recorded->entry().source(), v1::CONSENT_SOURCE_STAFF);
  EXPECT_EQ(recorded->entry().user_id(), "clerk07");
  EXPECT_TRUE(recorded->entry().given());
  request.set_request_id("bad id");
  EXPECT_EQ(ReasonOf(ledger_.RecordStaff(request, "").status()), "ONSHI_INVALID_REQUEST_ID");
}

TEST_F(ConsentLedgerTest, BatchRowsKeepLimitDataOnlyWhenTheRowConsented) {
  v1::RunBatchCheckRequest request;
  request.add_patients()->set_limit_certificate_consent(true);
  request.add_patients()->set_limit_certificate_consent(false);
  for (int index : {0, 1, 5}) {
    SCOPED_TRACE(index);
    v1::BatchPatientResult result;
    result.set_index(index);
    v1::QualificationRecord* record = result.add_records();
    record->mutable_limit_certificate_consent()->set_flag(v1::CONSENT_FLAG_GIVEN);
    AddLimitData(record);
    result.mutable_billing()->set_limit_category_code("A03");
    result.set_limit_certificate_changed(true);
    ConsentLedger::FilterBatchResult(request, &result);
    const bool kept = index == 0;
    EXPECT_EQ(result.records(0).has_limit_certificate(), kept);
    EXPECT_EQ(result.billing().limit_category_code().empty(), !kept);
    EXPECT_EQ(result.limit_certificate_changed(), kept);
  }
}

// --- inpatient stay (入院): RecordAdmission / RecordDischarge and the 入院 window ---

class InpatientStayTest : public ConsentLedgerTest {
 protected:
  // A 薬剤 consent the patient gave at the card reader at `at` (24 h window, 外来 as stored).
  void CardReaderConsent(const std::string& face_file_id, absl::Time at,
                         v1::ConsentFlag flag = v1::CONSENT_FLAG_GIVEN) {
    ConsentRecord record;
    record.scope = ConsentScope::kMedication;
    record.source = ConsentSource::kCardReader;
    record.flag = flag;
    record.captured_at = at;
    record.available_until = at + kConsentWindow;
    record.setting = ConsentSetting::kOutpatient;
    ASSERT_TRUE(store_.AppendConsents("P1", CheckinConsentOrigin(face_file_id), "", {record}).ok());
  }

  void Admit(absl::Time at, const std::string& request_id = "adm-00000001") {
    v1::RecordAdmissionRequest request;
    request.set_request_id(request_id);
    request.set_patient_id("P1");
    *request.mutable_admitted_time() =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(at));
    absl::StatusOr<v1::RecordAdmissionResponse> admitted =
        ledger_.RecordAdmission(request, "clerk07");
    ASSERT_TRUE(admitted.ok()) << admitted.status();
  }

  void Discharge(absl::Time at) {
    v1::RecordDischargeRequest request;
    request.set_request_id("dis-00000001");
    request.set_patient_id("P1");
    *request.mutable_discharged_time() =
        google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(at));
    absl::StatusOr<v1::RecordDischargeResponse> discharged =
        ledger_.RecordDischarge(request, "clerk07");
    ASSERT_TRUE(discharged.ok()) << discharged.status();
  }

  ConsentVerdict Judge(ConsentSetting setting, absl::Time at) {
    absl::StatusOr<ConsentVerdict> verdict =
        ledger_.Evaluate("P1", ConsentScope::kMedication, setting, at);
    EXPECT_TRUE(verdict.ok()) << verdict.status();
    return verdict.value_or(ConsentVerdict());
  }

  const absl::Time t0_ = clock_.now;
};

TEST_F(InpatientStayTest, AConsentCapturedAfterAdmissionLastsPastTheDayWhileAdmitted) {
  Admit(t0_);
  CardReaderConsent("F-bedside-1", t0_ + absl::Hours(1));
  const ConsentVerdict inpatient = Judge(ConsentSetting::kInpatient, t0_ + absl::Hours(49));
  EXPECT_TRUE(inpatient.allowed()) << inpatient.status;
  EXPECT_EQ(inpatient.basis, ConsentBasis::kInpatientStay);
  EXPECT_EQ(inpatient.valid_until, absl::InfiniteFuture());
  // Outside the 入院 setting the row keeps its own 24 hours.
  EXPECT_EQ(Judge(ConsentSetting::kOutpatient, t0_ + absl::Hours(49)).refusal,
            ConsentRefusal::kExpired);
  // The row itself is stored as captured.
  EXPECT_EQ(store_.All().back().record.setting, ConsentSetting::kOutpatient);
}

TEST_F(InpatientStayTest, TheDischargeEndsTheWindow) {
  Admit(t0_);
  CardReaderConsent("F-bedside-1", t0_ + absl::Hours(1));
  Discharge(t0_ + absl::Hours(48));
  EXPECT_TRUE(Judge(ConsentSetting::kInpatient, t0_ + absl::Hours(47)).allowed());
  const ConsentVerdict after = Judge(ConsentSetting::kInpatient, t0_ + absl::Hours(48));
  EXPECT_FALSE(after.allowed());
  EXPECT_EQ(after.refusal, ConsentRefusal::kExpired);
  EXPECT_EQ(ReasonOf(ConsentRefusalError(after, ConsentScope::kMedication)),
            "ONSHI_CONSENT_EXPIRED");
}

TEST_F(InpatientStayTest, AConsentCapturedBeforeAdmissionKeepsItsOwnWindow) {
  CardReaderConsent("F-reception-1", t0_ - absl::Hours(1));
  Admit(t0_);
  const ConsentVerdict early = Judge(ConsentSetting::kInpatient, t0_ + absl::Hours(2));
  EXPECT_TRUE(early.allowed());
  EXPECT_EQ(early.basis, ConsentBasis::kConsent);
  EXPECT_EQ(early.valid_until, t0_ + absl::Hours(23));
  EXPECT_EQ(Judge(ConsentSetting::kInpatient, t0_ + absl::Hours(25)).refusal,
            ConsentRefusal::kExpired);
}

TEST_F(InpatientStayTest, ARevocationAtTheReaderStillWithdrawsTheConsent) {
  Admit(t0_);
  CardReaderConsent("F-bedside-1", t0_ + absl::Hours(1));
  CardReaderConsent("F-bedside-2", t0_ + absl::Hours(30), v1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_TRUE(Judge(ConsentSetting::kInpatient, t0_ + absl::Hours(29)).allowed());
  EXPECT_EQ(Judge(ConsentSetting::kInpatient, t0_ + absl::Hours(31)).refusal,
            ConsentRefusal::kNoConsent);
}

TEST_F(InpatientStayTest, ListShowsTheStayAndTheWhileAdmittedVerdict) {
  Admit(t0_);
  CardReaderConsent("F-bedside-1", t0_ + absl::Hours(1));
  v1::ListConsentsRequest request;
  request.set_patient_id("P1");
  request.set_setting(v1::CONSENT_SETTING_INPATIENT);
  *request.mutable_at_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t0_ + absl::Hours(49)));
  absl::StatusOr<v1::ListConsentsResponse> listed = ledger_.List(request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->stay().admission_request_id(), "adm-00000001");
  EXPECT_EQ(listed->stay().admitted_by(), "clerk07");
  EXPECT_FALSE(listed->stay().has_discharged_time());
  const v1::ScopeVerdict& medication = listed->verdicts(2);
  ASSERT_EQ(medication.scope(), v1::CONSENT_SCOPE_MEDICATION);
  EXPECT_TRUE(medication.allowed());
  EXPECT_TRUE(medication.while_admitted());
  EXPECT_FALSE(medication.has_valid_until());
  // Before the admission: no stay shown.
  *request.mutable_at_time() = google::protobuf::util::TimeUtil::NanosecondsToTimestamp(
      absl::ToUnixNanos(t0_ - absl::Hours(1)));
  listed = ledger_.List(request);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_FALSE(listed->has_stay());
  EXPECT_FALSE(listed->verdicts(2).while_admitted());
}

TEST_F(InpatientStayTest, AdmissionAndDischargeFollowTheirRules) {
  v1::RecordAdmissionRequest admission;
  admission.set_request_id("adm-00000001");
  admission.set_patient_id("P1");
  // A clerk records it: no user id, no admission.
  EXPECT_EQ(ReasonOf(ledger_.RecordAdmission(admission, "").status()), "ONSHI_INVALID_USER_ID");
  absl::StatusOr<v1::RecordAdmissionResponse> first = ledger_.RecordAdmission(admission, "clerk07");
  ASSERT_TRUE(first.ok()) << first.status();
  // Unset time: now.
  EXPECT_EQ(first->stay().admitted_time().seconds(), absl::ToUnixSeconds(t0_));
  // Retried: the same stay; another admission while open: refused.
  clock_.now = t0_ + absl::Hours(1);
  absl::StatusOr<v1::RecordAdmissionResponse> retried =
      ledger_.RecordAdmission(admission, "clerk07");
  ASSERT_TRUE(retried.ok()) << retried.status();
  EXPECT_EQ(retried->stay().admitted_time().seconds(), absl::ToUnixSeconds(t0_));
  admission.set_request_id("adm-00000002");
  EXPECT_EQ(ReasonOf(ledger_.RecordAdmission(admission, "clerk07").status()),
            "ONSHI_ALREADY_ADMITTED");
  admission.set_patient_id("P404");
  EXPECT_EQ(ReasonOf(ledger_.RecordAdmission(admission, "clerk07").status()),
            "ONSHI_PATIENT_NOT_FOUND");
  admission.set_request_id("bad id");
  EXPECT_EQ(ReasonOf(ledger_.RecordAdmission(admission, "clerk07").status()),
            "ONSHI_INVALID_REQUEST_ID");

  v1::RecordDischargeRequest discharge;
  discharge.set_request_id("dis-00000001");
  discharge.set_patient_id("P1");
  EXPECT_EQ(ReasonOf(ledger_.RecordDischarge(discharge, "").status()), "ONSHI_INVALID_USER_ID");
  absl::StatusOr<v1::RecordDischargeResponse> out = ledger_.RecordDischarge(discharge, "clerk08");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->stay().discharged_time().seconds(), absl::ToUnixSeconds(clock_.now));
  EXPECT_EQ(out->stay().discharged_by(), "clerk08");
  discharge.set_request_id("dis-00000002");
  EXPECT_EQ(ReasonOf(ledger_.RecordDischarge(discharge, "clerk08").status()), "ONSHI_NOT_ADMITTED");
  discharge.set_patient_id("P404");
  EXPECT_EQ(ReasonOf(ledger_.RecordDischarge(discharge, "clerk08").status()),
            "ONSHI_PATIENT_NOT_FOUND");
}

}  // namespace
}  // namespace onshi::service
