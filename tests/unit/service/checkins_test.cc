// Check-ins as the face/ sink and as the source of WatchCheckins, over in-memory fakes of the
// record, the directory and the check-in store: dedup, matching, durability, waking watchers.

#include "plugin/service/checkins.h"

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "plugin/core/identity.h"
#include "tests/unit/service/memory_consent_store.h"

namespace onshi::service {
namespace {

using ::testing::ElementsAre;

constexpr char kInstitution[] = "1310000016";

class FixedClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(1795395600); }  // 2026-11-23
};

// The record: patients, their coverages (only GetCurrentCoverage is used by check-ins), and the
// directory over the coverages' identities. Thread-safe.
class FakeRecord final : public RecordStore, public PatientDirectory {
 public:
  void AddPatient(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    patients_[id];
  }
  void SetCoverage(const std::string& id, const v1::CoverageVersion& coverage) {
    std::lock_guard<std::mutex> lock(mu_);
    patients_[id] = coverage;
  }
  std::optional<v1::CoverageVersion> Coverage(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = patients_.find(id);
    if (it == patients_.end() || !it->second.has_value()) return std::nullopt;
    return it->second;
  }

  absl::StatusOr<std::vector<std::string>> FindPatientsByIdentity(
      const v1::InsuranceIdentifiers& identifiers, absl::string_view birth_date) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> found;
    if (!IsCompleteIdentity(identifiers, birth_date)) return found;
    const std::string key = IdentityKey(identifiers, birth_date);
    for (const auto& [id, coverage] : patients_) {
      if (coverage.has_value() && IdentityKey(coverage->coverage().identifiers(),
                                              coverage->coverage().birth_date()) == key) {
        found.push_back(id);
      }
    }
    return found;
  }
  absl::StatusOr<bool> PatientExists(const std::string& patient_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    return patients_.count(patient_id) > 0;
  }
  absl::StatusOr<std::optional<v1::CoverageVersion>> GetCurrentCoverage(
      const std::string& patient_id) override {
    return Coverage(patient_id);
  }

  absl::StatusOr<LedgerEntry> CreateRequest(const LedgerEntry&, bool*) override { return No(); }
  absl::StatusOr<std::optional<LedgerEntry>> FindRequest(const std::string&) override {
    return No();
  }
  absl::StatusOr<std::optional<LedgerEntry>> FindRequestByFileId(const std::string&) override {
    return No();
  }
  absl::StatusOr<std::vector<LedgerEntry>> ListPendingRequests() override { return No(); }
  absl::Status ApplyTransition(const LedgerTransition&) override { return No(); }
  absl::StatusOr<v1::PatientRecord> GetPatientRecord(const std::string&) override { return No(); }
  absl::Status CheckHealth() override { return absl::OkStatus(); }

 private:
  static absl::Status No() { return MakeError(errors::kInternal, "not used by check-ins"); }

  std::mutex mu_;
  std::map<std::string, std::optional<v1::CoverageVersion>> patients_;
};

// The check-in store in memory, writing confirmations and coverages into a FakeRecord as one
// step. Outlives the Checkins objects of a test, as a database file outlives processes.
class FakeCheckinStore final : public CheckinStore {
 public:
  explicit FakeCheckinStore(FakeRecord* record) : record_(record) {}

  // The next RecordCheckin calls fail with these, in order.
  void FailNextRecords(std::vector<absl::Status> failures) {
    std::lock_guard<std::mutex> lock(mu_);
    failures_ = std::move(failures);
  }
  std::vector<v1::CheckinEvent> Events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::map<std::string, v1::Confirmation> Confirmations() {
    std::lock_guard<std::mutex> lock(mu_);
    return confirmations_;
  }

  absl::StatusOr<v1::CheckinEvent> RecordCheckin(const CheckinWrite& write,
                                                 bool* created) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (created != nullptr) *created = false;
    if (!failures_.empty()) {
      absl::Status failure = failures_.front();
      failures_.erase(failures_.begin());
      return failure;
    }
    for (const v1::CheckinEvent& event : events_) {
      if (event.provenance().file_id() == write.event.provenance().file_id()) return event;
    }
    if (write.coverage.has_value()) {
      const std::string& patient = write.event.match().patient_id();
      std::optional<v1::CoverageVersion> current = record_->Coverage(patient);
      if ((current.has_value() ? current->version() : 0) != write.coverage->expected_version) {
        return MakeError(errors::kStoreConflict);
      }
      record_->SetCoverage(patient, write.coverage->version);
    }
    if (write.confirmation.has_value()) {
      confirmations_[write.event.event_id()] = *write.confirmation;
    }
    v1::CheckinEvent event = write.event;
    event.set_sequence(static_cast<int64_t>(events_.size()) + 1);
    events_.push_back(event);
    if (created != nullptr) *created = true;
    return event;
  }
  absl::StatusOr<std::optional<v1::CheckinEvent>> FindCheckinByFileId(
      const std::string& file_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const v1::CheckinEvent& event : events_) {
      if (event.provenance().file_id() == file_id) return event;
    }
    return std::nullopt;
  }
  absl::StatusOr<std::vector<v1::CheckinEvent>> ListUnacknowledgedCheckins(int64_t after,
                                                                           int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<v1::CheckinEvent> out;
    for (const v1::CheckinEvent& event : events_) {
      if (event.sequence() > after && !event.has_acknowledged_time() &&
          static_cast<int>(out.size()) < limit) {
        out.push_back(event);
      }
    }
    return out;
  }
  absl::StatusOr<v1::CheckinEvent> AcknowledgeCheckin(const std::string& event_id,
                                                      absl::Time when) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (v1::CheckinEvent& event : events_) {
      if (event.event_id() != event_id) continue;
      if (!event.has_acknowledged_time()) {
        event.mutable_acknowledged_time()->set_seconds(absl::ToUnixSeconds(when));
      }
      return event;
    }
    return MakeError(errors::kCheckinNotFound);
  }

 private:
  FakeRecord* const record_;
  std::mutex mu_;
  std::vector<absl::Status> failures_;
  std::vector<v1::CheckinEvent> events_;
  std::map<std::string, v1::Confirmation> confirmations_;
};

v1::InsuranceIdentifiers Card(const std::string& number) {
  v1::InsuranceIdentifiers card;
  card.set_insurer_number("06139992");
  card.set_insured_card_symbol("1234");
  card.set_insured_identification_number(number);
  card.set_insured_branch_number("01");
  return card;
}

v1::CoverageVersion CoverageFor(const v1::InsuranceIdentifiers& card) {
  v1::CoverageVersion version;
  version.set_version(1);
  *version.mutable_coverage()->mutable_identifiers() = card;
  version.mutable_coverage()->set_birth_date("19800115");
  version.set_validity(v1::QUALIFICATION_VALIDITY_VALID);
  return version;
}

// A face file for the card `number`, with a 薬剤 consent.
IncomingAnswer FaceFile(const std::string& file_id, const std::string& number,
                        const std::string& reference = "") {
  auto result = std::make_shared<v1::QualificationResult>();
  result->set_process_execution_time("20261123091030");
  result->set_medical_institution_code(kInstitution);
  result->set_arbitrary_file_identifier("ArnHCeDfNjMCFzg=");
  result->set_reference_classification(v1::REFERENCE_CLASSIFICATION_MY_NUMBER_CARD);
  result->set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  result->set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  result->set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
  v1::QualificationRecord& record = *result->add_records();
  *record.mutable_identifiers() = Card(number);
  record.set_birth_date("19800115");
  record.set_name("試験　太郎");
  record.set_insured_partial_contribution_ratio("030");
  record.set_reference_number(reference);
  record.mutable_pharmacists_info_consent()->set_flag(v1::CONSENT_FLAG_GIVEN);
  record.mutable_pharmacists_info_consent()->set_consent_time("20261123091030");
  record.mutable_pharmacists_info_consent()->set_available_time("20261124091030");
  IncomingAnswer answer;
  answer.kind = DocumentKind::kFaceCheckin;
  answer.file_id = file_id;
  answer.document = result;
  answer.received_time = absl::FromUnixSeconds(1795395630);
  return answer;
}

IncomingAnswer Modified(const IncomingAnswer& answer,
                        const std::function<void(v1::QualificationResult*)>& change) {
  auto result =
      std::make_shared<v1::QualificationResult>(*AnswerAs<v1::QualificationResult>(answer));
  change(result.get());
  IncomingAnswer copy = answer;
  copy.document = result;
  return copy;
}

class CheckinsTest : public ::testing::Test {
 protected:
  CheckinsTest() : store_(&record_) { Restart(); }

  // A new Checkins over the same store: what onshid's restart does.
  void Restart() {
    checkins_ = std::make_unique<Checkins>(CheckinOptions{kInstitution}, &store_, &record_,
                                           &record_, &consents_, &clock_);
  }

  AnswerDisposition Deliver(const IncomingAnswer& answer) {
    absl::StatusOr<AnswerDisposition> disposition = checkins_->OnAnswer(answer);
    EXPECT_TRUE(disposition.ok()) << disposition.status();
    return disposition.value_or(AnswerDisposition::kQuarantine);
  }

  // Watch with `request` until it returns; the events it passed.
  std::vector<v1::CheckinEvent> WatchAll(const v1::WatchCheckinsRequest& request,
                                         absl::Status* status = nullptr) {
    std::vector<v1::CheckinEvent> seen;
    absl::Status result = checkins_->Watch(
        request,
        [&](const v1::CheckinEvent& event) {
          seen.push_back(event);
          return true;
        },
        [] { return false; });
    if (status != nullptr) *status = result;
    return seen;
  }

  std::vector<v1::CheckinEvent> Backlog(int64_t after = 0) {
    v1::WatchCheckinsRequest request;
    request.set_after_sequence(after);
    request.set_backlog_only(true);
    absl::Status status;
    std::vector<v1::CheckinEvent> seen = WatchAll(request, &status);
    EXPECT_TRUE(status.ok()) << status;
    return seen;
  }

  FixedClock clock_;
  FakeRecord record_;
  FakeCheckinStore store_;
  MemoryConsentStore consents_;
  std::unique_ptr<Checkins> checkins_;
};

TEST_F(CheckinsTest, UnknownPersonIsRecordedAsAnUnmatchedEvent) {
  EXPECT_EQ(Deliver(FaceFile("face-1", "5678")), AnswerDisposition::kProcessed);
  std::vector<v1::CheckinEvent> events = Backlog();
  ASSERT_EQ(events.size(), 1u);
  const v1::CheckinEvent& event = events[0];
  EXPECT_EQ(event.sequence(), 1);
  EXPECT_FALSE(event.event_id().empty());
  EXPECT_EQ(event.match().kind(), v1::PATIENT_MATCH_KIND_NONE);
  EXPECT_TRUE(event.match().patient_id().empty());
  EXPECT_EQ(event.provenance().source(), v1::SOURCE_CARD_READER);
  EXPECT_EQ(event.provenance().file_id(), "face-1");
  EXPECT_EQ(event.provenance().request_id(), event.event_id());
  EXPECT_EQ(event.provenance().process_execution_time(), "20261123091030");
  // No QualificationConfirmationDate in the file: the JST date of ProcessExecutionTime.
  EXPECT_EQ(event.provenance().confirmation_date(), "20261123");
  EXPECT_TRUE(event.billing().eligible());
  EXPECT_EQ(event.billing().copay_ratio_label(), "3割");
  EXPECT_EQ(event.result().records(0).pharmacists_info_consent().available_time(),
            "20261124091030");
  EXPECT_FALSE(event.has_record_write());
  EXPECT_TRUE(store_.Confirmations().empty());
}

TEST_F(CheckinsTest, SameFaceFileDeliveredTwiceIsRecordedOnce) {
  EXPECT_EQ(Deliver(FaceFile("face-1", "5678")), AnswerDisposition::kProcessed);
  EXPECT_EQ(Deliver(FaceFile("face-1", "5678")), AnswerDisposition::kProcessed);
  Restart();
  EXPECT_EQ(Deliver(FaceFile("face-1", "5678")), AnswerDisposition::kProcessed);
  EXPECT_EQ(store_.Events().size(), 1u);
}

TEST_F(CheckinsTest, PatientFoundByIdentityGetsConfirmationAndCoverage) {
  record_.AddPatient("p-1");
  v1::CoverageVersion old = CoverageFor(Card("5678"));
  record_.SetCoverage("p-1", old);
  ASSERT_EQ(Deliver(FaceFile("face-1", "5678")), AnswerDisposition::kProcessed);
  const v1::CheckinEvent event = store_.Events().at(0);
  EXPECT_EQ(event.match().kind(), v1::PATIENT_MATCH_KIND_IDENTIFIERS);
  EXPECT_EQ(event.match().patient_id(), "p-1");
  EXPECT_EQ(event.record_write().patient_id(), "p-1");
  // The file adds a name and a ratio to the stored coverage: version 2, by this check-in.
  EXPECT_TRUE(event.record_write().changed());
  EXPECT_EQ(event.record_write().coverage_version(), 2);
  std::optional<v1::CoverageVersion> now = record_.Coverage("p-1");
  ASSERT_TRUE(now.has_value());
  EXPECT_EQ(now->version(), 2);
  EXPECT_EQ(now->provenance().source(), v1::SOURCE_CARD_READER);
  EXPECT_EQ(now->provenance().request_id(), event.event_id());
  // Consents belong to the check-in, not to the coverage.
  EXPECT_FALSE(now->coverage().has_pharmacists_info_consent());
  std::map<std::string, v1::Confirmation> confirmations = store_.Confirmations();
  ASSERT_EQ(confirmations.count(event.event_id()), 1u);
  const v1::Confirmation& confirmation = confirmations[event.event_id()];
  EXPECT_EQ(confirmation.request_id(), event.event_id());
  EXPECT_EQ(confirmation.outcome(), v1::CHECK_OUTCOME_ANSWERED);
  EXPECT_EQ(confirmation.validity(), v1::QUALIFICATION_VALIDITY_VALID);
  EXPECT_EQ(confirmation.provenance().source(), v1::SOURCE_CARD_READER);
}

TEST_F(CheckinsTest, UnchangedCoverageIsConfirmedWithoutANewVersion) {
  record_.AddPatient("p-1");
  ASSERT_EQ(Deliver(FaceFile("face-1", "5678", "p-1")), AnswerDisposition::kProcessed);
  ASSERT_EQ(Deliver(FaceFile("face-2", "5678", "p-1")), AnswerDisposition::kProcessed);
  std::vector<v1::CheckinEvent> events = store_.Events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].match().kind(), v1::PATIENT_MATCH_KIND_REFERENCE_NUMBER);
  EXPECT_EQ(events[0].record_write().coverage_version(), 1);
  EXPECT_TRUE(events[0].record_write().changed());
  EXPECT_EQ(events[1].record_write().coverage_version(), 1);
  EXPECT_FALSE(events[1].record_write().changed());
  EXPECT_EQ(store_.Confirmations().size(), 2u);
}

TEST_F(CheckinsTest, TwoPatientsWithTheSameIdentityAreAmbiguousAndNeitherIsWritten) {
  record_.SetCoverage("p-a", CoverageFor(Card("5678")));
  record_.SetCoverage("p-b", CoverageFor(Card("5678")));
  ASSERT_EQ(Deliver(FaceFile("face-1", "5678")), AnswerDisposition::kProcessed);
  const v1::CheckinEvent event = store_.Events().at(0);
  EXPECT_EQ(event.match().kind(), v1::PATIENT_MATCH_KIND_AMBIGUOUS);
  EXPECT_THAT(event.match().candidate_patient_ids(), ElementsAre("p-a", "p-b"));
  EXPECT_FALSE(event.has_record_write());
  EXPECT_TRUE(store_.Confirmations().empty());
  EXPECT_EQ(record_.Coverage("p-a")->version(), 1);
}

TEST_F(CheckinsTest, AnotherInstitutionsFileIsQuarantined) {
  IncomingAnswer other = Modified(FaceFile("face-1", "5678"), [](v1::QualificationResult* r) {
    r->set_medical_institution_code("2710000012");
  });
  EXPECT_EQ(Deliver(other), AnswerDisposition::kQuarantine);
  EXPECT_TRUE(store_.Events().empty());
}

TEST_F(CheckinsTest, InvalidFileIsQuarantined) {
  IncomingAnswer invalid = Modified(FaceFile("face-1", "5678"), [](v1::QualificationResult* r) {
    r->mutable_records(0)->set_birth_date("19801315");
  });
  EXPECT_EQ(Deliver(invalid), AnswerDisposition::kQuarantine);
  EXPECT_TRUE(store_.Events().empty());
}

TEST_F(CheckinsTest, StoreFailureLeavesTheFileForAnotherDelivery) {
  store_.FailNextRecords({MakeError(errors::kStoreUnavailable)});
  absl::StatusOr<AnswerDisposition> first = checkins_->OnAnswer(FaceFile("face-1", "5678"));
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(ReasonOf(first.status()), "ONSHI_STORE_UNAVAILABLE");
  EXPECT_TRUE(store_.Events().empty());
  EXPECT_EQ(Deliver(FaceFile("face-1", "5678")), AnswerDisposition::kProcessed);
  EXPECT_EQ(store_.Events().size(), 1u);
}

TEST_F(CheckinsTest, LostCoverageRaceIsRetried) {
  record_.SetCoverage("p-1", CoverageFor(Card("5678")));
  store_.FailNextRecords({MakeError(errors::kStoreConflict), MakeError(errors::kStoreConflict)});
  EXPECT_EQ(Deliver(FaceFile("face-1", "5678")), AnswerDisposition::kProcessed);
  EXPECT_EQ(store_.Events().size(), 1u);
}

TEST_F(CheckinsTest, UnacknowledgedEventsSurviveARestartAndAcknowledgedOnesDoNot) {
  Deliver(FaceFile("face-1", "1111"));
  Deliver(FaceFile("face-2", "2222"));
  Deliver(FaceFile("face-3", "3333"));
  const std::string second = store_.Events().at(1).event_id();
  ASSERT_TRUE(checkins_->Acknowledge(second).ok());
  Restart();
  std::vector<v1::CheckinEvent> events = Backlog();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].provenance().file_id(), "face-1");
  EXPECT_EQ(events[1].provenance().file_id(), "face-3");
  // Resuming after a sequence skips what was seen.
  events = Backlog(events[0].sequence());
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].provenance().file_id(), "face-3");
}

TEST_F(CheckinsTest, AcknowledgeIsIdempotentAndKnowsUnknownIds) {
  Deliver(FaceFile("face-1", "1111"));
  const std::string id = store_.Events().at(0).event_id();
  absl::StatusOr<v1::CheckinEvent> first = checkins_->Acknowledge(id);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->has_acknowledged_time());
  absl::StatusOr<v1::CheckinEvent> again = checkins_->Acknowledge(id);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->acknowledged_time().seconds(), first->acknowledged_time().seconds());
  absl::StatusOr<v1::CheckinEvent> unknown = checkins_->Acknowledge("no-such-event");
  EXPECT_EQ(ReasonOf(unknown.status()), "ONSHI_CHECKIN_NOT_FOUND");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(checkins_->Acknowledge("").status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(ReasonOf(checkins_->Acknowledge("a b").status()), "ONSHI_INVALID_ARGUMENT");
}

TEST_F(CheckinsTest, MaxEventsEndsTheStream) {
  Deliver(FaceFile("face-1", "1111"));
  Deliver(FaceFile("face-2", "2222"));
  v1::WatchCheckinsRequest request;
  request.set_max_events(1);
  absl::Status status;
  std::vector<v1::CheckinEvent> events = WatchAll(request, &status);
  EXPECT_TRUE(status.ok()) << status;
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].sequence(), 1);
}

TEST_F(CheckinsTest, NegativeCursorIsRefused) {
  v1::WatchCheckinsRequest request;
  request.set_after_sequence(-1);
  absl::Status status;
  WatchAll(request, &status);
  EXPECT_EQ(ReasonOf(status), "ONSHI_INVALID_ARGUMENT");
}

TEST_F(CheckinsTest, WaitingWatcherIsWokenByANewCheckin) {
  Deliver(FaceFile("face-1", "1111"));
  std::mutex mu;
  std::vector<std::string> seen;
  absl::Notification first_seen;
  absl::Notification second_seen;
  absl::Status status;
  std::thread watcher([&] {
    v1::WatchCheckinsRequest request;
    status = checkins_->Watch(
        request,
        [&](const v1::CheckinEvent& event) {
          std::lock_guard<std::mutex> lock(mu);
          seen.push_back(event.provenance().file_id());
          if (seen.size() == 1) first_seen.Notify();
          if (seen.size() == 2) second_seen.Notify();
          return true;
        },
        [] { return false; });
  });
  first_seen.WaitForNotification();
  Deliver(FaceFile("face-2", "2222"));
  second_seen.WaitForNotification();
  checkins_->Shutdown();
  watcher.join();
  EXPECT_EQ(ReasonOf(status), "ONSHI_CANCELLED");
  EXPECT_THAT(seen, ElementsAre("face-1", "face-2"));
}

TEST_F(CheckinsTest, CancelledWatcherReturns) {
  std::atomic<bool> cancelled{false};
  absl::Status status;
  std::thread watcher([&] {
    status = checkins_->Watch(
        v1::WatchCheckinsRequest(), [](const v1::CheckinEvent&) { return true; },
        [&] { return cancelled.load(); });
  });
  cancelled = true;
  watcher.join();
  EXPECT_EQ(ReasonOf(status), "ONSHI_CANCELLED");
}

TEST_F(CheckinsTest, WatcherWhoseCallerLeftEndsQuietly) {
  Deliver(FaceFile("face-1", "1111"));
  int calls = 0;
  absl::Status status = checkins_->Watch(
      v1::WatchCheckinsRequest(),
      [&](const v1::CheckinEvent&) {
        ++calls;
        return false;
      },
      [] { return false; });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(calls, 1);
}

// --- consent ledger ---------------------------------------------------------------------------

// The face file of FaceFile with every scope answered: 薬剤 and 限度額 given, the rest refused,
// and 限度額 data present.
IncomingAnswer FaceFileWithLimit(const std::string& file_id, v1::ConsentFlag limit_flag) {
  return Modified(FaceFile(file_id, "5678"), [limit_flag](v1::QualificationResult* result) {
    v1::QualificationRecord* record = result->mutable_records(0);
    record->mutable_limit_certificate_consent()->set_flag(limit_flag);
    if (limit_flag == v1::CONSENT_FLAG_GIVEN) {
      record->mutable_limit_certificate_consent()->set_consent_time("20261123091030");
      record->mutable_limit_certificate_consent()->set_available_time("20261124091030");
    }
    record->mutable_limit_certificate()->set_classification("01");
    record->mutable_limit_certificate()->set_category("A03");
    record->mutable_limit_certificate()->set_valid_start_date("20260401");
    for (v1::Consent* c :
         {record->mutable_specific_diseases_consent(),
          record->mutable_specific_health_checkups_consent(),
          record->mutable_diagnosis_info_consent(), record->mutable_operation_info_consent()}) {
      c->set_flag(v1::CONSENT_FLAG_NOT_GIVEN);
    }
  });
}

TEST_F(CheckinsTest, MatchedCheckinWritesEveryScopeOfItsConsentsToTheLedgerOnce) {
  record_.AddPatient("p-1");
  record_.SetCoverage("p-1", CoverageFor(Card("5678")));
  const IncomingAnswer face = FaceFileWithLimit("face-1", v1::CONSENT_FLAG_GIVEN);
  ASSERT_EQ(Deliver(face), AnswerDisposition::kProcessed);
  // Delivered again, and again after a restart: nothing doubles.
  ASSERT_EQ(Deliver(face), AnswerDisposition::kProcessed);
  Restart();
  ASSERT_EQ(Deliver(face), AnswerDisposition::kProcessed);
  const std::vector<StoredConsent> rows = consents_.All();
  ASSERT_EQ(rows.size(), 6u);
  int given = 0;
  for (const StoredConsent& row : rows) {
    EXPECT_EQ(row.patient_id, "p-1");
    EXPECT_EQ(row.origin, "face/face-1");
    EXPECT_EQ(row.user_id, "");
    EXPECT_EQ(row.record.source, ConsentSource::kCardReader);
    EXPECT_EQ(row.record.setting, ConsentSetting::kOutpatient);
    if (row.record.flag == v1::CONSENT_FLAG_GIVEN) {
      ++given;
      EXPECT_TRUE(row.record.scope == ConsentScope::kMedication ||
                  row.record.scope == ConsentScope::kLimitCertificate);
      // ConsTime 2026-11-23 09:10:30 JST, AvailableTime 24 h later.
      EXPECT_EQ(row.record.captured_at, absl::FromUnixSeconds(1795392630));
      EXPECT_EQ(row.record.available_until, absl::FromUnixSeconds(1795392630 + 86400));
    }
  }
  EXPECT_EQ(given, 2);
  // Consented: the 限度額 data is passed on.
  EXPECT_TRUE(store_.Events().at(0).result().records(0).has_limit_certificate());
}

TEST_F(CheckinsTest, LedgerFailureLeavesTheFileAndTheRedeliveryAddsTheRows) {
  record_.AddPatient("p-1");
  record_.SetCoverage("p-1", CoverageFor(Card("5678")));
  consents_.patient_exists = [](const std::string&) { return false; };
  absl::StatusOr<AnswerDisposition> first = checkins_->OnAnswer(FaceFile("face-1", "5678"));
  ASSERT_FALSE(first.ok());
  EXPECT_TRUE(consents_.All().empty());
  consents_.patient_exists = nullptr;
  EXPECT_EQ(Deliver(FaceFile("face-1", "5678")), AnswerDisposition::kProcessed);
  EXPECT_EQ(store_.Events().size(), 1u);
  ASSERT_EQ(consents_.All().size(), 1u);
  EXPECT_EQ(consents_.All()[0].origin, "face/face-1");
}

TEST_F(CheckinsTest, UnmatchedCheckinWritesNoConsents) {
  EXPECT_EQ(Deliver(FaceFileWithLimit("face-1", v1::CONSENT_FLAG_GIVEN)),
            AnswerDisposition::kProcessed);
  EXPECT_TRUE(consents_.All().empty());
}

TEST_F(CheckinsTest, LimitDataWithoutTheLimitConsentNeverLeavesOnshi) {
  record_.AddPatient("p-1");
  record_.SetCoverage("p-1", CoverageFor(Card("5678")));
  ASSERT_EQ(Deliver(FaceFileWithLimit("face-1", v1::CONSENT_FLAG_NOT_GIVEN)),
            AnswerDisposition::kProcessed);
  const v1::CheckinEvent event = store_.Events().at(0);
  EXPECT_FALSE(event.result().records(0).has_limit_certificate());
  // The flag stays: it says why nothing is there.
  EXPECT_EQ(event.result().records(0).limit_certificate_consent().flag(),
            v1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_TRUE(event.billing().limit_category_code().empty());
  EXPECT_FALSE(event.billing().limit_certificate_in_force());
  std::optional<v1::CoverageVersion> now = record_.Coverage("p-1");
  ASSERT_TRUE(now.has_value());
  EXPECT_FALSE(now->coverage().has_limit_certificate());
}

}  // namespace
}  // namespace onshi::service
