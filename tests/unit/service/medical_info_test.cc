// The medical-information coordinator with fakes: the request document it places, what it makes
// of each kind of answer, idempotency, deadlines, retention, and the sink's refusals.

#include "plugin/service/medical_info.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/service/memory_consent_store.h"

namespace onshi::service {
namespace {

constexpr char kInstitution[] = "1310000016";
constexpr char kPatient[] = "P0001";

class FakeClock final : public Clock {
 public:
  absl::Time Now() const override {
    absl::MutexLock lock(&mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    absl::MutexLock lock(&mu_);
    now_ += d;
  }

 private:
  mutable absl::Mutex mu_;
  // 2026-11-23 09:00 JST.
  absl::Time now_ = absl::FromUnixSeconds(1795392000);
};

// The record store as far as medical requests read it: coverage and patients.
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
  static absl::Status Unused() {
    ADD_FAILURE() << "the qualification ledger was used";
    return MakeError(errors::kInternal, "unused");
  }
};

// An in-memory MedicalRequestStore keeping the port's contract (CAS, purge).
class MemoryMedicalStore final : public MedicalRequestStore {
 public:
  std::optional<RecordedConsent> consent;
  int purges = 0;

  absl::StatusOr<MedicalRequestEntry> CreateMedicalRequest(const MedicalRequestEntry& entry,
                                                           bool* created) override {
    absl::MutexLock lock(&mu_);
    if (auto it = entries_.find(entry.request_id); it != entries_.end()) {
      if (created != nullptr) *created = false;
      return it->second;
    }
    for (const auto& [id, e] : entries_) {
      if (e.file_id == entry.file_id) return MakeError(errors::kInvalidArgument, "file id used");
    }
    entries_[entry.request_id] = entry;
    if (created != nullptr) *created = true;
    return entry;
  }
  absl::StatusOr<std::optional<MedicalRequestEntry>> FindMedicalRequest(
      const std::string& request_id) override {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(request_id);
    if (it == entries_.end()) return std::optional<MedicalRequestEntry>();
    return std::optional<MedicalRequestEntry>(it->second);
  }
  absl::StatusOr<std::optional<MedicalRequestEntry>> FindMedicalRequestByFileId(
      const std::string& file_id) override {
    absl::MutexLock lock(&mu_);
    for (const auto& [id, e] : entries_) {
      if (e.file_id == file_id) return std::optional<MedicalRequestEntry>(e);
    }
    return std::optional<MedicalRequestEntry>();
  }
  absl::StatusOr<std::vector<MedicalRequestEntry>> ListPendingMedicalRequests() override {
    absl::MutexLock lock(&mu_);
    std::vector<MedicalRequestEntry> pending;
    for (const auto& [id, e] : entries_) {
      if (e.state == MedicalRequestState::kPending) pending.push_back(e);
    }
    return pending;
  }
  absl::Status ApplyMedicalTransition(const MedicalTransition& t) override {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(t.request_id);
    if (it == entries_.end()) return MakeError(errors::kInvalidArgument, "no entry");
    if (it->second.state != t.from) return MakeError(errors::kStoreConflict, "state");
    it->second.state = t.to;
    it->second.medication_response = t.medication_response;
    it->second.checkups_response = t.checkups_response;
    it->second.error_code = t.error_code;
    it->second.error = t.error;
    ++transitions_;
    return absl::OkStatus();
  }
  absl::StatusOr<int64_t> PurgeMedicalResults(absl::Time updated_before) override {
    absl::MutexLock lock(&mu_);
    ++purges;
    int64_t n = 0;
    for (auto& [id, e] : entries_) {
      if (e.state == MedicalRequestState::kPending || e.purged_time.has_value()) continue;
      if (e.updated_time >= updated_before) continue;
      e.medication_document.Clear();
      e.checkup_document.Clear();
      e.medication_response.Clear();
      e.checkups_response.Clear();
      e.purged_time = updated_before;
      ++n;
    }
    return n;
  }
  absl::StatusOr<std::optional<RecordedConsent>> LatestConsent(const std::string&,
                                                               MedicalInfoKind) override {
    return consent;
  }

  int transitions() {
    absl::MutexLock lock(&mu_);
    return transitions_;
  }
  size_t size() {
    absl::MutexLock lock(&mu_);
    return entries_.size();
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, MedicalRequestEntry> entries_;
  int transitions_ = 0;
};

// Records what is placed; `on_submit` plays the terminal (it runs inside Submit, after the
// ledger entry exists, like a terminal answering at once).
class FakeTransport final : public TerminalTransport {
 public:
  struct Placed {
    DocumentKind kind;
    std::unique_ptr<google::protobuf::Message> document;
  };
  std::vector<Placed> placed;
  absl::Status fail_with;
  std::function<void(DocumentKind, const google::protobuf::Message&)> on_submit;

  std::vector<std::string> released;

  using TerminalTransport::Submit;
  absl::Status Start(AnswerSink*) override { return absl::OkStatus(); }
  void Stop() override {}

  absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document) override {
    if (!fail_with.ok()) return fail_with;
    Placed p{kind, std::unique_ptr<google::protobuf::Message>(document.New())};
    p.document->CopyFrom(document);
    placed.push_back(std::move(p));
    if (on_submit) on_submit(kind, document);
    return absl::OkStatus();
  }
  void Release(DocumentKind, const std::string& file_id) override { released.push_back(file_id); }
  absl::Status CheckHealth() override { return absl::OkStatus(); }
};

v1::CoverageVersion KokuhoCoverage() {
  v1::CoverageVersion version;
  version.set_version(1);
  v1::InsuranceIdentifiers* ids = version.mutable_coverage()->mutable_identifiers();
  ids->set_insurer_number("  138057");
  ids->set_insured_card_symbol("あいう");
  ids->set_insured_identification_number("1234");
  ids->set_insured_branch_number("02");
  version.set_validity(v1::QUALIFICATION_VALIDITY_VALID);
  return version;
}

std::string FileIdOfPlaced(const FakeTransport::Placed& placed) {
  absl::StatusOr<std::string> id = FileIdOf(placed.kind, *placed.document);
  return id.ok() ? *id : std::string();
}

std::shared_ptr<v1::MedicationResultDocument> MedicationAnswer(const std::string& file_id,
                                                               const std::string& result_code) {
  auto doc = std::make_shared<v1::MedicationResultDocument>();
  doc->set_result_code(result_code);
  doc->set_arbitrary_file_identifier(file_id);
  doc->set_medical_institution_code(kInstitution);
  if (result_code == "1") {
    for (const char* month : {"202509", "202510"}) {
      v1::MedicationMonth* m = doc->add_months();
      m->set_month(month);
      m->set_pharmacy_name("試験薬局");
      v1::DispensingDate* date = m->add_dates();
      date->set_dispensing_date(std::string(month) + "15");
      v1::Drug* drug = date->add_drugs();
      drug->set_code("620000001");
      drug->set_name("アムロジピン錠５ｍｇ");
      drug->set_quantity("1");
      drug->set_unit("錠");
      drug->set_usage("1日1回朝食後");
    }
  } else {
    doc->set_message_contents("試験　花子様の薬剤情報は同意がないため提供できません。");
  }
  return doc;
}

std::shared_ptr<v1::CheckupResultDocument> CheckupAnswer(const std::string& file_id) {
  auto doc = std::make_shared<v1::CheckupResultDocument>();
  doc->set_result_code("1");
  doc->set_arbitrary_file_identifier(file_id);
  v1::Checkup* checkup = doc->add_checkups();
  checkup->set_effective_time("20250915");
  v1::CheckupItem* item = checkup->add_items();
  item->set_item_code("9N001000000000001");
  item->set_item_name("身長");
  item->set_value("158.2");
  item->set_unit("cm");
  return doc;
}

const std::string kPdf = "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

class MedicalInfoTest : public ::testing::Test {
 protected:
  // The patient checked in at the card reader a minute ago consenting to 薬剤 and 特定健診:
  // the tests of the terminal's side below run under a valid consent.
  MedicalInfoTest() {
    records_.patients[kPatient] = KokuhoCoverage();
    CheckIn("checkin-event-0001", clock_.Now() - absl::Minutes(1), v1::CONSENT_FLAG_GIVEN);
  }

  // A card-reader check-in of kPatient at `at` answering `flag` for 薬剤 and 特定健診
  // (AvailableTime = at + 24 h).
  void CheckIn(const std::string& event_id, absl::Time at, v1::ConsentFlag flag) {
    std::vector<ConsentRecord> records;
    for (ConsentScope scope : {ConsentScope::kMedication, ConsentScope::kCheckups}) {
      ConsentRecord record;
      record.scope = scope;
      record.source = ConsentSource::kCardReader;
      record.flag = flag;
      record.captured_at = at;
      record.available_until = at + kConsentWindow;
      record.setting = ConsentSetting::kOutpatient;
      records.push_back(record);
    }
    ASSERT_TRUE(consents_.AppendConsents(kPatient, event_id, "", records).ok());
  }

  MedicalInfoCoordinator& coordinator() {
    if (coordinator_ == nullptr) {
      coordinator_ = std::make_unique<MedicalInfoCoordinator>(options_, &records_, &store_,
                                                              &consents_, &transport_, &clock_);
    }
    return *coordinator_;
  }

  // The terminal answers each request at once with `make(file_id)`.
  void AnswerWith(std::function<IncomingAnswer(DocumentKind, const std::string&)> make) {
    transport_.on_submit = [this, make](DocumentKind kind, const google::protobuf::Message& doc) {
      absl::StatusOr<std::string> id = FileIdOf(kind, doc);
      ASSERT_TRUE(id.ok());
      IncomingAnswer answer = make(*AnswerKindOf(kind), *id);
      answer.received_time = clock_.Now();
      absl::StatusOr<AnswerDisposition> d = coordinator().OnAnswer(answer);
      ASSERT_TRUE(d.ok()) << d.status();
      last_disposition_ = *d;
    };
  }

  static IncomingAnswer Xml(DocumentKind kind, const std::string& file_id,
                            std::shared_ptr<const google::protobuf::Message> doc) {
    IncomingAnswer answer;
    answer.kind = kind;
    answer.file_id = file_id;
    answer.document = std::move(doc);
    return answer;
  }

  static IncomingAnswer Pdf(DocumentKind kind, const std::string& file_id) {
    IncomingAnswer answer;
    answer.kind = kind;
    answer.file_id = file_id;
    answer.pdf = kPdf;
    return answer;
  }

  v1::GetMedicationHistoryRequest Medication(const std::string& request_id) {
    v1::GetMedicationHistoryRequest request;
    request.set_request_id(request_id);
    request.set_patient_id(kPatient);
    request.set_start_month("202509");
    request.set_end_month("202510");
    return request;
  }

  v1::GetCheckupsRequest Checkups(const std::string& request_id) {
    v1::GetCheckupsRequest request;
    request.set_request_id(request_id);
    request.set_patient_id(kPatient);
    return request;
  }

  absl::StatusOr<v1::GetMedicationHistoryResponse> Get(const v1::GetMedicationHistoryRequest& r) {
    return coordinator().GetMedicationHistory(r, absl::InfiniteFuture(), nullptr);
  }
  absl::StatusOr<v1::GetCheckupsResponse> Get(const v1::GetCheckupsRequest& r) {
    return coordinator().GetCheckups(r, absl::InfiniteFuture(), nullptr);
  }

  MedicalInfoOptions options_{kInstitution, absl::Seconds(30), absl::Hours(24)};
  FakeClock clock_;
  FakeRecords records_;
  MemoryMedicalStore store_;
  MemoryConsentStore consents_;
  FakeTransport transport_;
  std::unique_ptr<MedicalInfoCoordinator> coordinator_;
  AnswerDisposition last_disposition_ = AnswerDisposition::kQuarantine;
};

std::string Reason(const absl::Status& status) { return std::string(ReasonOf(status)); }

TEST_F(MedicalInfoTest, MedicationRequestCarriesTheCoverageUnderYzkElementNames) {
  AnswerWith([](DocumentKind kind, const std::string& id) {
    return Xml(kind, id, MedicationAnswer(id, "1"));
  });
  v1::GetMedicationHistoryRequest request = Medication("req-med-00000001");
  request.set_include_treatments(true);
  ASSERT_TRUE(Get(request).ok());
  ASSERT_EQ(transport_.placed.size(), 1u);
  EXPECT_EQ(transport_.placed[0].kind, DocumentKind::kMedicationRequest);
  const auto& doc =
      dynamic_cast<const v1::MedicationRequestDocument&>(*transport_.placed[0].document);
  EXPECT_EQ(doc.header().medical_institution_code(), kInstitution);
  EXPECT_EQ(doc.header().insurer_number(), "  138057") << "8 characters, space-padded";
  EXPECT_EQ(doc.header().insurance_card_symbol(), "あいう");
  EXPECT_EQ(doc.header().insured_person_identification_number(), "1234");
  EXPECT_EQ(doc.header().branch_number(), "02");
  EXPECT_EQ(doc.header().arbitrary_file_identifier().size(), 20u);
  EXPECT_EQ(doc.start_month(), "202509");
  EXPECT_EQ(doc.end_month(), "202510");
  EXPECT_EQ(doc.file_category(), "4");
  EXPECT_EQ(doc.pr_di_inf_classification(), "1");
  EXPECT_EQ(doc.care_setting(), v1::CARE_SETTING_OUTPATIENT);
}

TEST_F(MedicalInfoTest, XmlAnswerBecomesTheStructuredResponseWithConsentTime) {
  RecordedConsent consent;
  consent.consent.set_flag(v1::CONSENT_FLAG_GIVEN);
  consent.consent.set_available_time("20261124090000");
  store_.consent = consent;
  AnswerWith([](DocumentKind kind, const std::string& id) {
    return Xml(kind, id, MedicationAnswer(id, "1"));
  });
  absl::StatusOr<v1::GetMedicationHistoryResponse> response = Get(Medication("req-med-00000002"));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(last_disposition_, AnswerDisposition::kProcessed);
  ASSERT_EQ(response->medication().months_size(), 2);
  EXPECT_EQ(response->medication().months(1).dates(0).drugs(0).name(), "アムロジピン錠５ｍｇ");
  EXPECT_TRUE(response->pdf().empty());
  EXPECT_EQ(response->consent_available_time(), "20261124090000");
  EXPECT_EQ(response->provenance().source(), v1::SOURCE_TERMINAL_ANSWER);
  EXPECT_EQ(response->provenance().request_id(), "req-med-00000002");
  EXPECT_EQ(response->provenance().file_id(), FileIdOfPlaced(transport_.placed[0]));
  EXPECT_TRUE(response->provenance().has_answered_time());
}

TEST_F(MedicalInfoTest, ConsentTimeIsLeftEmptyWhenTheLatestConsentIsNotGiven) {
  RecordedConsent consent;
  consent.consent.set_flag(v1::CONSENT_FLAG_EXPIRED);
  consent.consent.set_available_time("20261101090000");
  store_.consent = consent;
  AnswerWith([](DocumentKind kind, const std::string& id) {
    return Xml(kind, id, MedicationAnswer(id, "1"));
  });
  absl::StatusOr<v1::GetMedicationHistoryResponse> response = Get(Medication("req-med-00000003"));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->consent_available_time(), "");
}

TEST_F(MedicalInfoTest, PdfAnswerIsPassedThroughByteForByte) {
  AnswerWith([](DocumentKind kind, const std::string& id) { return Pdf(kind, id); });
  v1::GetMedicationHistoryRequest request = Medication("req-med-00000004");
  request.set_format(v1::MEDICAL_INFO_FORMAT_PDF);
  absl::StatusOr<v1::GetMedicationHistoryResponse> response = Get(request);
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->pdf(), kPdf);
  EXPECT_FALSE(response->has_medication());
  const auto& doc =
      dynamic_cast<const v1::MedicationRequestDocument&>(*transport_.placed[0].document);
  EXPECT_EQ(doc.file_category(), "1");
}

TEST_F(MedicalInfoTest, RefusalIsNoConsentAndNeverEchoesTheTerminalsText) {
  AnswerWith([](DocumentKind kind, const std::string& id) {
    return Xml(kind, id, MedicationAnswer(id, "2"));
  });
  absl::StatusOr<v1::GetMedicationHistoryResponse> response = Get(Medication("req-med-00000005"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(response.status()), "ONSHI_NO_CONSENT");
  const v1::ErrorDetail detail = ToErrorDetail(response.status());
  EXPECT_EQ(detail.it_message().find("花子"), std::string::npos);
  EXPECT_NE(detail.it_message().find("ResultCode 2"), std::string::npos);
  EXPECT_EQ(last_disposition_, AnswerDisposition::kProcessed);

  // A retry gets the same refusal from the ledger, without a second request.
  transport_.on_submit = nullptr;
  response = Get(Medication("req-med-00000005"));
  EXPECT_EQ(Reason(response.status()), "ONSHI_NO_CONSENT");
  EXPECT_EQ(transport_.placed.size(), 1u);
}

TEST_F(MedicalInfoTest, RetryReturnsTheStoredAnswerWithoutAskingAgain) {
  AnswerWith([](DocumentKind kind, const std::string& id) {
    return Xml(kind, id, MedicationAnswer(id, "1"));
  });
  absl::StatusOr<v1::GetMedicationHistoryResponse> first = Get(Medication("req-med-00000006"));
  ASSERT_TRUE(first.ok());
  absl::StatusOr<v1::GetMedicationHistoryResponse> second = Get(Medication("req-med-00000006"));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(transport_.placed.size(), 1u);
  EXPECT_EQ(first->SerializeAsString(), second->SerializeAsString());
}

TEST_F(MedicalInfoTest, SameRequestIdWithAnotherRequestIsAConflict) {
  AnswerWith([](DocumentKind kind, const std::string& id) {
    return Xml(kind, id, MedicationAnswer(id, "1"));
  });
  ASSERT_TRUE(Get(Medication("req-med-00000007")).ok());
  v1::GetMedicationHistoryRequest other = Medication("req-med-00000007");
  other.set_start_month("202508");
  absl::Status status = Get(other).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Reason(status), "ONSHI_REQUEST_ID_CONFLICT");
  // The same id for the other kind of information is another request too.
  EXPECT_EQ(Reason(Get(Checkups("req-med-00000007")).status()), "ONSHI_REQUEST_ID_CONFLICT");
  EXPECT_EQ(transport_.placed.size(), 1u);
}

TEST_F(MedicalInfoTest, NoAnswerByTheDeadlineIsATypedTimeoutAndALateAnswerServesTheRetry) {
  std::string file_id;
  transport_.on_submit = [&](DocumentKind kind, const google::protobuf::Message& doc) {
    file_id = *FileIdOf(kind, doc);
    clock_.Advance(absl::Seconds(31));
  };
  absl::Status status = Get(Medication("req-med-00000008")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(Reason(status), "ONSHI_MEDICAL_INFO_TIMEOUT");
  EXPECT_TRUE(ToErrorDetail(status).retryable());
  EXPECT_EQ(transport_.released, std::vector<std::string>{file_id})
      << "a request nobody waits for holds no place at the terminal";

  // The terminal answers late: recorded, and the retry gets it.
  IncomingAnswer late =
      Xml(DocumentKind::kMedicationResult, file_id, MedicationAnswer(file_id, "1"));
  late.received_time = clock_.Now();
  absl::StatusOr<AnswerDisposition> disposition = coordinator().OnAnswer(late);
  ASSERT_TRUE(disposition.ok());
  EXPECT_EQ(*disposition, AnswerDisposition::kProcessed);
  absl::StatusOr<v1::GetMedicationHistoryResponse> retry = Get(Medication("req-med-00000008"));
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_EQ(retry->medication().months_size(), 2);
  EXPECT_EQ(transport_.placed.size(), 1u);
}

TEST_F(MedicalInfoTest, AnAnswerReadAfterTheDeadlineIsLateEvenBeforeTheSweep) {
  std::string file_id;
  transport_.on_submit = [&](DocumentKind kind, const google::protobuf::Message& doc) {
    file_id = *FileIdOf(kind, doc);
    clock_.Advance(absl::Seconds(31));
    IncomingAnswer answer =
        Xml(DocumentKind::kMedicationResult, file_id, MedicationAnswer(file_id, "1"));
    answer.received_time = clock_.Now();
    ASSERT_TRUE(coordinator().OnAnswer(answer).ok());
  };
  absl::StatusOr<v1::GetMedicationHistoryResponse> response = Get(Medication("req-med-00000009"));
  ASSERT_TRUE(response.ok()) << "the late answer is what a caller still waiting gets";
  absl::StatusOr<std::optional<MedicalRequestEntry>> entry =
      store_.FindMedicalRequest("req-med-00000009");
  ASSERT_TRUE(entry.ok() && entry->has_value());
  EXPECT_EQ((*entry)->state, MedicalRequestState::kLate);
}

TEST_F(MedicalInfoTest, ACallDeadlineShorterThanTheAnswerTimeoutLeavesTheRequestPending) {
  absl::Status status =
      coordinator()
          .GetMedicationHistory(Medication("req-med-00000010"), clock_.Now(), nullptr)
          .status();
  EXPECT_EQ(Reason(status), "ONSHI_DEADLINE_EXCEEDED");
  absl::StatusOr<std::vector<MedicalRequestEntry>> pending = store_.ListPendingMedicalRequests();
  ASSERT_TRUE(pending.ok());
  EXPECT_EQ(pending->size(), 1u);
}

TEST_F(MedicalInfoTest, UnknownPatientAndMissingCoverageSendNothing) {
  v1::GetMedicationHistoryRequest request = Medication("req-med-00000011");
  request.set_patient_id("NOBODY");
  absl::Status status = Get(request).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Reason(status), "ONSHI_PATIENT_NOT_FOUND");

  records_.patients["NEW1"] = std::nullopt;
  v1::GetCheckupsRequest checkups = Checkups("req-chk-00000011");
  checkups.set_patient_id("NEW1");
  status = Get(checkups).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(status), "ONSHI_NO_COVERAGE");
  EXPECT_TRUE(transport_.placed.empty());
  EXPECT_EQ(store_.size(), 0u) << "refused before anything was recorded";
}

TEST_F(MedicalInfoTest, MonthsOutsideTheWindowAreRefusedBeforeTheRecordIsRead) {
  v1::GetMedicationHistoryRequest request = Medication("req-med-00000012");
  request.set_patient_id("NOBODY");
  request.set_start_month("202012");
  EXPECT_EQ(Reason(Get(request).status()), "ONSHI_INVALID_MONTH_RANGE");
  request.set_start_month("202611");
  request.set_end_month("202612");
  EXPECT_EQ(Reason(Get(request).status()), "ONSHI_INVALID_MONTH_RANGE");
  EXPECT_TRUE(transport_.placed.empty());
}

TEST_F(MedicalInfoTest, AFolderThatCannotBeWrittenFailsTheRequestOnRecord) {
  transport_.fail_with = MakeError(errors::kTerminalUnavailable, "test");
  absl::Status status = Get(Checkups("req-chk-00000013")).status();
  EXPECT_EQ(Reason(status), "ONSHI_TERMINAL_UNAVAILABLE");
  absl::StatusOr<std::optional<MedicalRequestEntry>> entry =
      store_.FindMedicalRequest("req-chk-00000013");
  ASSERT_TRUE(entry.ok() && entry->has_value());
  EXPECT_EQ((*entry)->state, MedicalRequestState::kFailed);
}

TEST_F(MedicalInfoTest, CheckupsXmlAndPdf) {
  AnswerWith(
      [](DocumentKind kind, const std::string& id) { return Xml(kind, id, CheckupAnswer(id)); });
  absl::StatusOr<v1::GetCheckupsResponse> xml = Get(Checkups("req-chk-00000014"));
  ASSERT_TRUE(xml.ok()) << xml.status();
  ASSERT_EQ(xml->checkups().checkups_size(), 1);
  EXPECT_EQ(xml->checkups().checkups(0).items(0).item_name(), "身長");
  EXPECT_EQ(transport_.placed[0].kind, DocumentKind::kCheckupRequest);
  const auto& doc = dynamic_cast<const v1::CheckupRequestDocument&>(*transport_.placed[0].document);
  EXPECT_EQ(doc.file_category(), "2");
  EXPECT_EQ(doc.header().insurer_number(), "  138057");

  AnswerWith([](DocumentKind kind, const std::string& id) { return Pdf(kind, id); });
  v1::GetCheckupsRequest pdf_request = Checkups("req-chk-00000015");
  pdf_request.set_format(v1::MEDICAL_INFO_FORMAT_PDF);
  absl::StatusOr<v1::GetCheckupsResponse> pdf = Get(pdf_request);
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_EQ(pdf->pdf(), kPdf);
  EXPECT_EQ(dynamic_cast<const v1::CheckupRequestDocument&>(*transport_.placed[1].document)
                .file_category(),
            "1");
}

TEST_F(MedicalInfoTest, RejectedRequestAndUnreadableAnswerMapToTypedErrors) {
  transport_.on_submit = [&](DocumentKind kind, const google::protobuf::Message& doc) {
    RejectedRequest rejected;
    rejected.kind = kind;
    rejected.file_id = *FileIdOf(kind, doc);
    rejected.error_code = "SIM-E0004";
    ASSERT_TRUE(coordinator().OnRequestRejected(rejected).ok());
  };
  absl::Status status = Get(Medication("req-med-00000016")).status();
  EXPECT_EQ(Reason(status), "ONSHI_TERMINAL_REJECTED_REQUEST");
  EXPECT_NE(status.message().find("SIM-E0004"), std::string::npos);

  transport_.on_submit = [&](DocumentKind kind, const google::protobuf::Message& doc) {
    UnreadableAnswer unreadable;
    unreadable.kind = *AnswerKindOf(kind);
    unreadable.file_id = *FileIdOf(kind, doc);
    unreadable.error = MakeError(errors::kDocumentMalformed, "line 3");
    ASSERT_TRUE(coordinator().OnUnreadableAnswer(unreadable).ok());
  };
  status = Get(Checkups("req-chk-00000017")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(Reason(status), "ONSHI_TERMINAL_MALFORMED_ANSWER");
}

TEST_F(MedicalInfoTest, AnswersThatAreNotOursAreQuarantinedWithoutTouchingTheLedger) {
  std::string file_id;
  transport_.on_submit = [&](DocumentKind kind, const google::protobuf::Message& doc) {
    file_id = *FileIdOf(kind, doc);
  };
  ASSERT_FALSE(coordinator()
                   .GetMedicationHistory(Medication("req-med-00000018"), clock_.Now(), nullptr)
                   .ok());
  const int transitions = store_.transitions();

  auto expect_quarantine = [&](IncomingAnswer answer) {
    answer.received_time = clock_.Now();
    absl::StatusOr<AnswerDisposition> d = coordinator().OnAnswer(answer);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(*d, AnswerDisposition::kQuarantine);
  };
  // Unknown id.
  expect_quarantine(
      Xml(DocumentKind::kMedicationResult, "UNKNOWN1", MedicationAnswer("UNKNOWN1", "1")));
  // Another institution.
  auto other = MedicationAnswer(file_id, "1");
  other->set_medical_institution_code("1310000024");
  expect_quarantine(Xml(DocumentKind::kMedicationResult, file_id, other));
  // A checkup answer for a medication request.
  expect_quarantine(Xml(DocumentKind::kCheckupResult, file_id, CheckupAnswer(file_id)));
  // No document and no PDF.
  IncomingAnswer empty;
  empty.kind = DocumentKind::kMedicationResult;
  empty.file_id = file_id;
  expect_quarantine(empty);
  // Not a medical kind at all.
  expect_quarantine(Xml(DocumentKind::kQualificationAnswer, file_id,
                        std::make_shared<v1::QualificationResult>()));
  EXPECT_EQ(store_.transitions(), transitions);

  // Its own answer is still taken, and a duplicate only once.
  IncomingAnswer own =
      Xml(DocumentKind::kMedicationResult, file_id, MedicationAnswer(file_id, "1"));
  own.received_time = clock_.Now();
  ASSERT_TRUE(coordinator().OnAnswer(own).ok());
  ASSERT_TRUE(coordinator().OnAnswer(own).ok());
  EXPECT_EQ(store_.transitions(), transitions + 1);
}

TEST_F(MedicalInfoTest, PurgedResultsAreNoLongerGivenOut) {
  AnswerWith([](DocumentKind kind, const std::string& id) {
    return Xml(kind, id, MedicationAnswer(id, "1"));
  });
  ASSERT_TRUE(Get(Medication("req-med-00000019")).ok());
  coordinator().ExpireOverdue();  // Purges nothing yet: the answer is fresh.
  ASSERT_TRUE(Get(Medication("req-med-00000019")).ok());

  clock_.Advance(absl::Hours(25));
  coordinator().ExpireOverdue();
  absl::Status status = Get(Medication("req-med-00000019")).status();
  EXPECT_EQ(Reason(status), "ONSHI_NO_CONSENT");
  EXPECT_NE(status.message().find("purged"), std::string::npos);
  EXPECT_EQ(transport_.placed.size(), 1u);
}

TEST_F(MedicalInfoTest, PurgeRunsAtMostOnceAMinute) {
  coordinator().ExpireOverdue();
  coordinator().ExpireOverdue();
  EXPECT_EQ(store_.purges, 1);
  clock_.Advance(absl::Minutes(2));
  coordinator().ExpireOverdue();
  EXPECT_EQ(store_.purges, 2);
}

TEST_F(MedicalInfoTest, RecoverPlacesPendingRequestsAgainAndTimesOutOverdueOnes) {
  // Two requests left pending by a "previous run" (the call gave up at once).
  ASSERT_FALSE(coordinator()
                   .GetMedicationHistory(Medication("req-med-00000020"), clock_.Now(), nullptr)
                   .ok());
  clock_.Advance(absl::Seconds(20));
  ASSERT_FALSE(coordinator().GetCheckups(Checkups("req-chk-00000021"), clock_.Now(), nullptr).ok());
  ASSERT_EQ(transport_.placed.size(), 2u);
  clock_.Advance(absl::Seconds(15));  // The first is overdue now, the second is not.

  MedicalInfoCoordinator restarted(options_, &records_, &store_, &consents_, &transport_, &clock_);
  ASSERT_TRUE(restarted.Recover().ok());
  ASSERT_EQ(transport_.placed.size(), 2u) << "Recover only expires";
  restarted.PlacePending();
  ASSERT_EQ(transport_.placed.size(), 3u);
  EXPECT_EQ(transport_.placed[2].kind, DocumentKind::kCheckupRequest);
  EXPECT_EQ(FileIdOfPlaced(transport_.placed[2]), FileIdOfPlaced(transport_.placed[1]));
  EXPECT_EQ(Reason(restarted
                       .GetMedicationHistory(Medication("req-med-00000020"), absl::InfiniteFuture(),
                                             nullptr)
                       .status()),
            "ONSHI_MEDICAL_INFO_TIMEOUT");
}

// A request made after recovery was placed by its own call; the recovery pass (which may run
// late, on its own thread) must not place it a second time.
TEST_F(MedicalInfoTest, RecoveryPassNeverPlacesAgainARequestMadeAfterRecovery) {
  MedicalInfoCoordinator restarted(options_, &records_, &store_, &consents_, &transport_, &clock_);
  ASSERT_TRUE(restarted.Recover().ok());
  ASSERT_FALSE(restarted.GetCheckups(Checkups("req-chk-00000031"), clock_.Now(), nullptr).ok());
  ASSERT_EQ(transport_.placed.size(), 1u);
  restarted.PlacePending();
  EXPECT_EQ(transport_.placed.size(), 1u) << "placed again by the recovery pass";
}

TEST_F(MedicalInfoTest, ARequestThatNeverGetsAPlaceAtTheTerminalFailsAsBusy) {
  ASSERT_FALSE(coordinator().GetCheckups(Checkups("req-chk-00000023"), clock_.Now(), nullptr).ok());
  transport_.fail_with = MakeError(errors::kTerminalBusy, "test");
  MedicalInfoCoordinator restarted(options_, &records_, &store_, &consents_, &transport_, &clock_);
  ASSERT_TRUE(restarted.Recover().ok());
  restarted.PlacePending();
  absl::Status status =
      restarted.GetCheckups(Checkups("req-chk-00000023"), absl::InfiniteFuture(), nullptr).status();
  EXPECT_EQ(Reason(status), "ONSHI_TERMINAL_BUSY");
}

TEST_F(MedicalInfoTest, ShutdownCancelsWaitingCalls) {
  coordinator().Shutdown();
  absl::Status status = Get(Medication("req-med-00000022")).status();
  EXPECT_EQ(Reason(status), "ONSHI_CANCELLED");
}

// --- onshi's consent gate ----------------------------------------------------------------------

// Refused by onshi: the reason, and nothing placed for the terminal nor recorded.
void ExpectRefusedBeforeTheTerminal(const absl::Status& status, const std::string& reason,
                                    const FakeTransport& transport) {
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
  EXPECT_EQ(Reason(status), reason);
  EXPECT_TRUE(transport.placed.empty());
}

TEST_F(MedicalInfoTest, WithoutAnyConsentNothingIsSent) {
  records_.patients["P0002"] = KokuhoCoverage();
  v1::GetMedicationHistoryRequest medication = Medication("req-gate-00000001");
  medication.set_patient_id("P0002");
  ExpectRefusedBeforeTheTerminal(Get(medication).status(), "ONSHI_NO_CONSENT", transport_);
  v1::GetCheckupsRequest checkups = Checkups("req-gate-00000002");
  checkups.set_patient_id("P0002");
  ExpectRefusedBeforeTheTerminal(Get(checkups).status(), "ONSHI_NO_CONSENT", transport_);
  // Nothing recorded: the same request_id is judged again once a consent exists.
  absl::StatusOr<std::optional<MedicalRequestEntry>> entry =
      store_.FindMedicalRequest("req-gate-00000001");
  ASSERT_TRUE(entry.ok());
  EXPECT_FALSE(entry->has_value());
}

TEST_F(MedicalInfoTest, ALaterRefusalAtTheCardReaderWithdrawsTheConsent) {
  CheckIn("checkin-event-0002", clock_.Now(), v1::CONSENT_FLAG_NOT_GIVEN);
  ExpectRefusedBeforeTheTerminal(Get(Medication("req-gate-00000003")).status(), "ONSHI_NO_CONSENT",
                                 transport_);
  ExpectRefusedBeforeTheTerminal(Get(Checkups("req-gate-00000004")).status(), "ONSHI_NO_CONSENT",
                                 transport_);
}

TEST_F(MedicalInfoTest, ConsentExpiringBetweenTwoCallsRefusesTheSecondWithoutSendingIt) {
  AnswerWith([](DocumentKind kind, const std::string& id) {
    return Xml(kind, id, MedicationAnswer(id, "1"));
  });
  // One second before the window ends: allowed and sent.
  clock_.Advance(kConsentWindow - absl::Minutes(1) - absl::Seconds(1));
  ASSERT_TRUE(Get(Medication("req-gate-00000005")).ok());
  ASSERT_EQ(transport_.placed.size(), 1u);
  // Exactly at its end: expired, nothing more placed.
  clock_.Advance(absl::Seconds(1));
  absl::Status second = Get(Medication("req-gate-00000006")).status();
  EXPECT_EQ(Reason(second), "ONSHI_CONSENT_EXPIRED");
  EXPECT_EQ(second.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(transport_.placed.size(), 1u);
  // The first request's retry still returns what it was given.
  EXPECT_TRUE(Get(Medication("req-gate-00000005")).ok());
  EXPECT_EQ(transport_.placed.size(), 1u);
}

TEST_F(MedicalInfoTest, AnOnSiteConsentDoesNotCoverAHomeVisit) {
  v1::GetMedicationHistoryRequest request = Medication("req-gate-00000007");
  request.set_care_setting(v1::CARE_SETTING_HOME_VISIT);
  ExpectRefusedBeforeTheTerminal(Get(request).status(), "ONSHI_CONSENT_WRONG_SETTING", transport_);
  v1::GetCheckupsRequest checkups = Checkups("req-gate-00000008");
  checkups.set_care_setting(v1::CARE_SETTING_ONLINE);
  ExpectRefusedBeforeTheTerminal(Get(checkups).status(), "ONSHI_CONSENT_WRONG_SETTING", transport_);
}

TEST_F(MedicalInfoTest, EmergencyNeedsNoConsent) {
  AnswerWith([](DocumentKind kind, const std::string& id) {
    return Xml(kind, id, MedicationAnswer(id, "1"));
  });
  records_.patients["P0002"] = KokuhoCoverage();
  v1::GetMedicationHistoryRequest request = Medication("req-gate-00000009");
  request.set_patient_id("P0002");
  request.set_care_setting(v1::CARE_SETTING_EMERGENCY);
  EXPECT_TRUE(Get(request).ok());
  EXPECT_EQ(transport_.placed.size(), 1u);
}

TEST_F(MedicalInfoTest, SelfDefenseForceAndMedicalAssistanceHoldersAreNeverAsked) {
  for (const std::string classification : {"07", "A1"}) {
    SCOPED_TRACE(classification);
    records_.patients[kPatient]->mutable_coverage()->set_insured_card_classification(
        classification);
    v1::GetMedicationHistoryRequest request = Medication("req-gate-1000000" + classification);
    ExpectRefusedBeforeTheTerminal(Get(request).status(), "ONSHI_CONSENT_NEVER_AVAILABLE",
                                   transport_);
    request.set_request_id("req-gate-2000000" + classification);
    request.set_care_setting(v1::CARE_SETTING_EMERGENCY);
    ExpectRefusedBeforeTheTerminal(Get(request).status(), "ONSHI_CONSENT_NEVER_AVAILABLE",
                                   transport_);
  }
  records_.patients[kPatient]->mutable_coverage()->set_insured_card_classification("01");
  records_.patients[kPatient]->mutable_coverage()->add_medical_tickets()->set_ticket_type("1");
  ExpectRefusedBeforeTheTerminal(Get(Checkups("req-gate-00000010")).status(),
                                 "ONSHI_CONSENT_NEVER_AVAILABLE", transport_);
}

TEST_F(MedicalInfoTest, AConsentCapturedAfterTheRequestTimeDoesNotCount) {
  records_.patients["P0002"] = KokuhoCoverage();
  ConsentRecord future;
  future.scope = ConsentScope::kMedication;
  future.captured_at = clock_.Now() + absl::Minutes(5);
  future.available_until = future.captured_at + kConsentWindow;
  ASSERT_TRUE(consents_.AppendConsents("P0002", "checkin-event-0003", "", {future}).ok());
  v1::GetMedicationHistoryRequest request = Medication("req-gate-00000011");
  request.set_patient_id("P0002");
  ExpectRefusedBeforeTheTerminal(Get(request).status(), "ONSHI_NO_CONSENT", transport_);
}

TEST_F(MedicalInfoTest, FiveConcurrentCallsOfOneRequestSendOneFileAndGetEqualOutcomes) {
  AnswerWith([](DocumentKind kind, const std::string& id) {
    return Xml(kind, id, MedicationAnswer(id, "1"));
  });
  coordinator();  // Built once, before the threads.
  std::vector<absl::StatusOr<v1::GetMedicationHistoryResponse>> outcomes(
      5, absl::UnknownError("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back(
        [this, i, &outcomes] { outcomes[i] = Get(Medication("req-gate-five001")); });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(transport_.placed.size(), 1u);
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->SerializeAsString(), outcomes[0]->SerializeAsString());
  }
}

TEST_F(MedicalInfoTest, FiveConcurrentRefusedCallsAllGetTheSameRefusal) {
  records_.patients["P0002"] = KokuhoCoverage();
  coordinator();  // Built once, before the threads.
  std::vector<absl::Status> outcomes(5);
  std::vector<std::thread> threads;
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([this, i, &outcomes] {
      v1::GetMedicationHistoryRequest request = Medication("req-gate-five002");
      request.set_patient_id("P0002");
      outcomes[i] = Get(request).status();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_TRUE(transport_.placed.empty());
  for (const absl::Status& outcome : outcomes) EXPECT_EQ(Reason(outcome), "ONSHI_NO_CONSENT");
}

}  // namespace
}  // namespace onshi::service
