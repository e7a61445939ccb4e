// SqliteMedicalStore on real SQLite files: the medical-information ledger (idempotent creation,
// compare-and-set transitions, PDF bytes kept exactly, purge), and the consent lookup over the
// qualification ledger and check-in events.

#include "adapters/store_sqlite/sqlite_medical_store.h"

#include <memory>
#include <string>
#include <vector>

#include "adapters/store_sqlite/sqlite_checkin_store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing_support::FakeClock;
using testing_support::MakeAnswer;
using testing_support::MakeEntry;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

// A PDF with bytes a text column would not keep: a NUL, CR LF, bytes above 0x7F.
constexpr char kPdfHead[] = "%PDF-1.7\r\n%\xE2\xE3\xCF\xD3\r\n\0stream\n";
const std::string kPdf = std::string(kPdfHead, sizeof(kPdfHead) - 1) +
                         std::string(4096, '\xFF') + "\n%%EOF\n";

MedicalRequestEntry MakeMedication(const std::string& request_id, const std::string& patient_id,
                                   absl::Time deadline = absl::FromUnixSeconds(1775001630)) {
  MedicalRequestEntry entry;
  entry.request_id = request_id;
  entry.file_id = "M-" + request_id;
  entry.kind = MedicalInfoKind::kMedication;
  entry.patient_id = patient_id;
  entry.deadline = deadline;
  entry.medication_request.set_request_id(request_id);
  entry.medication_request.set_patient_id(patient_id);
  entry.medication_request.set_start_month("202601");
  entry.medication_request.set_format(v1::MEDICAL_INFO_FORMAT_XML);
  entry.medication_request.set_care_setting(v1::CARE_SETTING_OUTPATIENT);
  v1::MedicalInfoRequestHeader* header = entry.medication_document.mutable_header();
  header->set_medical_institution_code("1310000016");
  header->set_insurer_number("06139992");
  header->set_insurance_card_symbol("１２３");
  header->set_insured_person_identification_number("4567");
  header->set_arbitrary_file_identifier(entry.file_id);
  entry.medication_document.set_start_month("202601");
  entry.medication_document.set_end_month("202603");
  entry.medication_document.set_file_category("2");
  return entry;
}

MedicalRequestEntry MakeCheckups(const std::string& request_id, const std::string& patient_id) {
  MedicalRequestEntry entry;
  entry.request_id = request_id;
  entry.file_id = "C-" + request_id;
  entry.kind = MedicalInfoKind::kCheckups;
  entry.patient_id = patient_id;
  entry.deadline = absl::FromUnixSeconds(1775001630);
  entry.checkups_request.set_request_id(request_id);
  entry.checkups_request.set_patient_id(patient_id);
  entry.checkups_request.set_format(v1::MEDICAL_INFO_FORMAT_PDF);
  entry.checkup_document.mutable_header()->set_arbitrary_file_identifier(entry.file_id);
  entry.checkup_document.set_file_category("1");
  return entry;
}

MedicalTransition Answered(const std::string& request_id) {
  MedicalTransition t;
  t.request_id = request_id;
  t.from = MedicalRequestState::kPending;
  t.to = MedicalRequestState::kAnswered;
  v1::MedicationMonth* month = t.medication_response.mutable_medication()->add_months();
  month->set_month("202602");
  month->add_dates()->add_drugs()->set_name("アムロジピン錠５ｍｇ");
  t.medication_response.mutable_provenance()->set_request_id(request_id);
  t.medication_response.set_consent_available_time("20260402091030");
  return t;
}

v1::Consent Given(const std::string& available_time) {
  v1::Consent consent;
  consent.set_flag(v1::CONSENT_FLAG_GIVEN);
  consent.set_consent_time("20260401091030");
  consent.set_available_time(available_time);
  return consent;
}

class SqliteMedicalStoreTest : public ::testing::Test {
 protected:
  SqliteMedicalStoreTest() { Open(); }

  void Open() {
    medical_.reset();
    checkins_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(dir_.File("onshi.db"), &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    medical_ = std::make_unique<SqliteMedicalStore>(store_.get());
    checkins_ = std::make_unique<SqliteCheckinStore>(store_.get());
  }

  // Creates the patient the way a check that names it does.
  void AddPatient(const std::string& patient_id) {
    ASSERT_TRUE(store_->CreateRequest(MakeEntry("req-" + patient_id, patient_id), nullptr).ok());
  }

  MedicalRequestEntry Create(const MedicalRequestEntry& entry, bool expect_created = true) {
    bool created = !expect_created;
    absl::StatusOr<MedicalRequestEntry> stored = medical_->CreateMedicalRequest(entry, &created);
    EXPECT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(created, expect_created);
    return stored.value_or(MedicalRequestEntry());
  }

  MedicalRequestEntry Find(const std::string& request_id) {
    absl::StatusOr<std::optional<MedicalRequestEntry>> found =
        medical_->FindMedicalRequest(request_id);
    EXPECT_TRUE(found.ok() && found->has_value()) << request_id;
    return found.ok() && found->has_value() ? **found : MedicalRequestEntry();
  }

  // A check-in matched to `patient_id` whose record states `consent` for 薬剤情報.
  void RecordCheckin(const std::string& event_id, const std::string& patient_id,
                     const v1::Consent& consent) {
    CheckinWrite write;
    v1::CheckinEvent& event = write.event;
    event.set_event_id(event_id);
    *event.mutable_received_time() = store_sqlite_test_now();
    *event.mutable_result()->add_records()->mutable_pharmacists_info_consent() = consent;
    event.mutable_provenance()->set_source(v1::SOURCE_CARD_READER);
    event.mutable_provenance()->set_file_id("face-" + event_id);
    event.mutable_match()->set_kind(v1::PATIENT_MATCH_KIND_IDENTIFIERS);
    event.mutable_match()->set_patient_id(patient_id);
    ASSERT_TRUE(checkins_->RecordCheckin(write, nullptr).ok());
  }

  // A qualification check of `patient_id` answered with a record stating `consent` for 薬剤情報.
  void RecordCheck(const std::string& request_id, const std::string& patient_id,
                   const v1::Consent& consent) {
    ASSERT_TRUE(store_->CreateRequest(MakeEntry(request_id, patient_id), nullptr).ok());
    LedgerTransition answer = MakeAnswer(request_id, "x");
    *answer.response.mutable_result()->mutable_records(0)->mutable_pharmacists_info_consent() =
        consent;
    answer.coverage.reset();
    ASSERT_TRUE(store_->ApplyTransition(answer).ok());
  }

  google::protobuf::Timestamp store_sqlite_test_now() {
    google::protobuf::Timestamp t;
    t.set_seconds(absl::ToUnixSeconds(clock_.Now()));
    return t;
  }

  FakeClock clock_;
  ScopedTempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteMedicalStore> medical_;
  std::unique_ptr<SqliteCheckinStore> checkins_;
};

TEST_F(SqliteMedicalStoreTest, SchemaHasTheMedicalStep) {
  absl::StatusOr<int64_t> version = store_->SchemaVersion();
  ASSERT_TRUE(version.ok());
  EXPECT_GE(*version, 5);
  RawDb raw(dir_.File("onshi.db"));
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM schema_migrations WHERE version = 5"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM medical_requests"), 0);
  EXPECT_TRUE(store_->CheckIntegrity().ok());
}

TEST_F(SqliteMedicalStoreTest, CreateIsIdempotentByRequestIdAndSurvivesReopening) {
  AddPatient("P1");
  const MedicalRequestEntry entry = MakeMedication("med-0001", "P1");
  MedicalRequestEntry stored = Create(entry);
  EXPECT_EQ(stored.state, MedicalRequestState::kPending);
  EXPECT_EQ(stored.kind, MedicalInfoKind::kMedication);
  EXPECT_FALSE(stored.purged_time.has_value());
  EXPECT_TRUE(MessageDifferencer::Equals(stored.medication_request, entry.medication_request));
  EXPECT_TRUE(MessageDifferencer::Equals(stored.medication_document, entry.medication_document));
  EXPECT_EQ(stored.deadline, entry.deadline);

  // The same request_id again (even with another file id) returns the stored entry.
  MedicalRequestEntry again = MakeMedication("med-0001", "P1");
  again.file_id = "other";
  EXPECT_EQ(Create(again, /*expect_created=*/false).file_id, "M-med-0001");

  Open();
  MedicalRequestEntry reread = Find("med-0001");
  EXPECT_EQ(reread.file_id, "M-med-0001");
  EXPECT_EQ(reread.created_time, stored.created_time);
  EXPECT_TRUE(MessageDifferencer::Equals(reread.medication_document, entry.medication_document));
  absl::StatusOr<std::optional<MedicalRequestEntry>> by_file =
      medical_->FindMedicalRequestByFileId("M-med-0001");
  ASSERT_TRUE(by_file.ok() && by_file->has_value());
  EXPECT_EQ((*by_file)->request_id, "med-0001");
}

TEST_F(SqliteMedicalStoreTest, CreateRefusesUnknownPatientsReusedFileIdsAndBadEntries) {
  EXPECT_EQ(Reason(medical_->CreateMedicalRequest(MakeMedication("med-0002", "NOBODY"), nullptr)
                       .status()),
            "ONSHI_PATIENT_NOT_FOUND");
  AddPatient("P1");
  Create(MakeMedication("med-0002", "P1"));
  MedicalRequestEntry clash = MakeCheckups("chk-0002", "P1");
  clash.file_id = "M-med-0002";
  EXPECT_EQ(Reason(medical_->CreateMedicalRequest(clash, nullptr).status()),
            "ONSHI_INVALID_ARGUMENT");
  MedicalRequestEntry bad = MakeCheckups("chk-0003", "P1");
  bad.state = MedicalRequestState::kAnswered;
  EXPECT_EQ(Reason(medical_->CreateMedicalRequest(bad, nullptr).status()),
            "ONSHI_INVALID_ARGUMENT");
  bad = MakeCheckups("chk-0003", "");
  EXPECT_EQ(Reason(medical_->CreateMedicalRequest(bad, nullptr).status()),
            "ONSHI_INVALID_ARGUMENT");
  RawDb raw(dir_.File("onshi.db"));
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM medical_requests"), 1);
}

TEST_F(SqliteMedicalStoreTest, TransitionsAreCompareAndSet) {
  AddPatient("P1");
  Create(MakeMedication("med-0003", "P1"));
  MedicalTransition wrong = Answered("med-0003");
  wrong.from = MedicalRequestState::kTimedOut;
  EXPECT_EQ(Reason(medical_->ApplyMedicalTransition(wrong)), "ONSHI_STORE_CONFLICT");
  EXPECT_EQ(Find("med-0003").state, MedicalRequestState::kPending);

  ASSERT_TRUE(medical_->ApplyMedicalTransition(Answered("med-0003")).ok());
  MedicalRequestEntry answered = Find("med-0003");
  EXPECT_EQ(answered.state, MedicalRequestState::kAnswered);
  EXPECT_EQ(answered.medication_response.medication().months(0).dates(0).drugs(0).name(),
            "アムロジピン錠５ｍｇ");
  EXPECT_GT(answered.updated_time, answered.created_time);
  // Once answered, a second answer loses.
  EXPECT_EQ(Reason(medical_->ApplyMedicalTransition(Answered("med-0003"))),
            "ONSHI_STORE_CONFLICT");

  MedicalTransition failed;
  failed.request_id = "med-0003";
  failed.from = MedicalRequestState::kAnswered;
  failed.to = MedicalRequestState::kFailed;
  EXPECT_EQ(Reason(medical_->ApplyMedicalTransition(failed)), "ONSHI_INVALID_ARGUMENT")
      << "kFailed needs an error code";
  MedicalTransition unknown = Answered("nobody");
  EXPECT_EQ(Reason(medical_->ApplyMedicalTransition(unknown)), "ONSHI_INVALID_ARGUMENT");
}

TEST_F(SqliteMedicalStoreTest, PdfBytesAndErrorsComeBackExactly) {
  AddPatient("P1");
  Create(MakeCheckups("chk-0004", "P1"));
  MedicalTransition pdf;
  pdf.request_id = "chk-0004";
  pdf.to = MedicalRequestState::kAnswered;
  pdf.checkups_response.set_pdf(kPdf);
  ASSERT_TRUE(medical_->ApplyMedicalTransition(pdf).ok());
  Open();
  MedicalRequestEntry stored = Find("chk-0004");
  EXPECT_EQ(stored.kind, MedicalInfoKind::kCheckups);
  EXPECT_EQ(stored.checkups_response.pdf(), kPdf);
  EXPECT_EQ(stored.checkups_request.format(), v1::MEDICAL_INFO_FORMAT_PDF);

  Create(MakeMedication("med-0005", "P1"));
  MedicalTransition refused;
  refused.request_id = "med-0005";
  refused.to = MedicalRequestState::kFailed;
  refused.error_code = absl::StatusCode::kFailedPrecondition;
  refused.error.set_reason("ONSHI_NO_CONSENT");
  ASSERT_TRUE(medical_->ApplyMedicalTransition(refused).ok());
  stored = Find("med-0005");
  EXPECT_EQ(stored.state, MedicalRequestState::kFailed);
  EXPECT_EQ(stored.error_code, absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(stored.error.reason(), "ONSHI_NO_CONSENT");
}

TEST_F(SqliteMedicalStoreTest, PendingEntriesAreListedOldestFirst) {
  AddPatient("P1");
  Create(MakeMedication("med-0006", "P1"));
  Create(MakeCheckups("chk-0007", "P1"));
  Create(MakeMedication("med-0008", "P1"));
  ASSERT_TRUE(medical_->ApplyMedicalTransition(Answered("med-0008")).ok());
  absl::StatusOr<std::vector<MedicalRequestEntry>> pending =
      medical_->ListPendingMedicalRequests();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].request_id, "med-0006");
  EXPECT_EQ((*pending)[1].request_id, "chk-0007");
  EXPECT_EQ((*pending)[1].kind, MedicalInfoKind::kCheckups);
}

TEST_F(SqliteMedicalStoreTest, PurgeEmptiesOldResultsOnlyAndKeepsTheAuditTrail) {
  AddPatient("P1");
  Create(MakeCheckups("chk-0009", "P1"));
  MedicalTransition pdf;
  pdf.request_id = "chk-0009";
  pdf.to = MedicalRequestState::kAnswered;
  pdf.checkups_response.set_pdf(kPdf);
  ASSERT_TRUE(medical_->ApplyMedicalTransition(pdf).ok());
  Create(MakeMedication("med-0010", "P1"));  // Still pending: never purged.
  const absl::Time between = clock_.Now();
  clock_.Advance(absl::Hours(1));
  Create(MakeMedication("med-0011", "P1"));
  ASSERT_TRUE(medical_->ApplyMedicalTransition(Answered("med-0011")).ok());  // Too young.

  absl::StatusOr<int64_t> purged = medical_->PurgeMedicalResults(between);
  ASSERT_TRUE(purged.ok()) << purged.status();
  EXPECT_EQ(*purged, 1);
  MedicalRequestEntry old = Find("chk-0009");
  EXPECT_TRUE(old.purged_time.has_value());
  EXPECT_EQ(old.state, MedicalRequestState::kAnswered);
  EXPECT_TRUE(old.checkups_response.pdf().empty());
  EXPECT_FALSE(old.checkup_document.has_header());
  EXPECT_EQ(old.checkups_request.request_id(), "chk-0009") << "the request stays for audit";
  EXPECT_FALSE(Find("med-0010").purged_time.has_value());
  EXPECT_FALSE(Find("med-0011").purged_time.has_value());
  EXPECT_FALSE(Find("med-0011").medication_response.medication().months().empty());

  RawDb raw(dir_.File("onshi.db"));
  EXPECT_EQ(raw.QueryInt("SELECT length(response) + length(document) FROM medical_requests "
                         "WHERE purged_time IS NOT NULL"),
            0);
  // Purging again finds nothing; a purged entry takes no transition.
  purged = medical_->PurgeMedicalResults(between);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 0);
  MedicalTransition late;
  late.request_id = "chk-0009";
  late.from = MedicalRequestState::kAnswered;
  late.to = MedicalRequestState::kLate;
  EXPECT_EQ(Reason(medical_->ApplyMedicalTransition(late)), "ONSHI_INVALID_ARGUMENT");
}

TEST_F(SqliteMedicalStoreTest, LatestConsentIsTheNewestRecordedStatementOfEitherSource) {
  AddPatient("P1");
  absl::StatusOr<std::optional<RecordedConsent>> none =
      medical_->LatestConsent("P1", MedicalInfoKind::kMedication);
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_FALSE(none->has_value());

  RecordCheck("req-check-01", "P1", Given("20260402090000"));
  clock_.Advance(absl::Minutes(1));
  RecordCheckin("event-01", "P1", Given("20260402091000"));
  absl::StatusOr<std::optional<RecordedConsent>> latest =
      medical_->LatestConsent("P1", MedicalInfoKind::kMedication);
  ASSERT_TRUE(latest.ok() && latest->has_value()) << latest.status();
  EXPECT_EQ((*latest)->consent.available_time(), "20260402091000");
  EXPECT_EQ((*latest)->source, v1::SOURCE_CARD_READER);

  clock_.Advance(absl::Minutes(1));
  RecordCheck("req-check-02", "P1", Given("20260402092000"));
  latest = medical_->LatestConsent("P1", MedicalInfoKind::kMedication);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->consent.available_time(), "20260402092000");
  EXPECT_EQ((*latest)->source, v1::SOURCE_TERMINAL_ANSWER);

  // A newer answer that states no 薬剤 consent at all does not hide the older statement.
  clock_.Advance(absl::Minutes(1));
  RecordCheck("req-check-03", "P1", v1::Consent());
  latest = medical_->LatestConsent("P1", MedicalInfoKind::kMedication);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->consent.available_time(), "20260402092000");

  // A newer refusal does.
  clock_.Advance(absl::Minutes(1));
  v1::Consent refused;
  refused.set_flag(v1::CONSENT_FLAG_NOT_GIVEN);
  RecordCheckin("event-02", "P1", refused);
  latest = medical_->LatestConsent("P1", MedicalInfoKind::kMedication);
  ASSERT_TRUE(latest.ok() && latest->has_value());
  EXPECT_EQ((*latest)->consent.flag(), v1::CONSENT_FLAG_NOT_GIVEN);

  // 特定健診 was never stated; another patient has nothing.
  latest = medical_->LatestConsent("P1", MedicalInfoKind::kCheckups);
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
  latest = medical_->LatestConsent("P2", MedicalInfoKind::kMedication);
  ASSERT_TRUE(latest.ok());
  EXPECT_FALSE(latest->has_value());
}

}  // namespace
}  // namespace onshi
