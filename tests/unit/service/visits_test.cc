// The outage workflow on the real SQLite store with a fake terminal (the re-check function):
// visits materialised from the ledger, self-declarations, the queue drain with the original
// visit date, review items, late answers, the claims view and durability across a reopen.

#include "plugin/service/visits.h"

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "adapters/store_sqlite/sqlite_visit_store.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "plugin/core/visits.h"

namespace onshi::service {
namespace {

constexpr char kInsurer[] = "06138093";
constexpr char kOtherInsurer[] = "06110852";

class TestClock final : public Clock {
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
  // 2026-04-10 09:00 JST.
  absl::Time now_ ABSL_GUARDED_BY(mu_) = absl::FromUnixSeconds(1775779200);
};

// What the fake terminal answers for a re-check.
struct Verdict {
  v1::QualificationValidity validity = v1::QUALIFICATION_VALIDITY_VALID;
  std::string insurer = kInsurer;
  int ratio = 30;
  // The terminal answers this card with a failure (SegmentOfResult 9).
  bool fails = false;
};

class FakeTerminal {
 public:
  absl::StatusOr<v1::CheckQualificationResponse> Check(const v1::CheckQualificationRequest& req,
                                                       absl::Time) {
    absl::MutexLock lock(&mu_);
    requests_.push_back(req);
    v1::CheckQualificationResponse response;
    if (silent_) {
      response.set_outcome(v1::CHECK_OUTCOME_UNCONFIRMED);
      *response.mutable_unconfirmed_reason() = ToErrorDetail(MakeError(errors::kTerminalTimeout));
      return response;
    }
    Verdict verdict;
    auto it = verdicts_.find(req.identifiers().insured_identification_number());
    if (it != verdicts_.end()) verdict = it->second;
    if (verdict.fails) return MakeError(errors::kTerminalFailed, "SegmentOfResult 9");
    response.set_outcome(v1::CHECK_OUTCOME_ANSWERED);
    *response.mutable_result() = Result(verdict, req.identifiers().insured_identification_number());
    response.mutable_billing()->set_copay_ratio_percent(verdict.ratio);
    return response;
  }

  // The answer echoes the number asked for.
  static v1::QualificationResult Result(const Verdict& verdict, const std::string& number) {
    v1::QualificationResult result;
    result.set_qualification_validity(verdict.validity);
    if (verdict.validity != v1::QUALIFICATION_VALIDITY_NOT_FOUND) {
      v1::InsuranceIdentifiers* ids = result.add_records()->mutable_identifiers();
      ids->set_insurer_number(verdict.insurer);
      ids->set_insured_card_symbol("1234");
      ids->set_insured_identification_number(number);
    }
    return result;
  }

  void SetSilent(bool silent) {
    absl::MutexLock lock(&mu_);
    silent_ = silent;
  }
  void SetVerdict(const std::string& number, Verdict verdict) {
    absl::MutexLock lock(&mu_);
    verdicts_[number] = verdict;
  }
  std::vector<v1::CheckQualificationRequest> requests() {
    absl::MutexLock lock(&mu_);
    return requests_;
  }

 private:
  absl::Mutex mu_;
  bool silent_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, Verdict> verdicts_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::CheckQualificationRequest> requests_ ABSL_GUARDED_BY(mu_);
};

class CapturingAudit final : public AuditLog {
 public:
  absl::Status Append(const AuditEntry& entry) override {
    absl::MutexLock lock(&mu_);
    entries_.push_back(entry);
    return absl::OkStatus();
  }
  int Count(const std::string& operation) {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (const AuditEntry& e : entries_) n += e.operation == operation ? 1 : 0;
    return n;
  }

 private:
  absl::Mutex mu_;
  std::vector<AuditEntry> entries_ ABSL_GUARDED_BY(mu_);
};

class VisitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/visits_test.XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    Open();
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }

  void Open() {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(dir_ + "/onshi.db", &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    visit_store_ = std::make_unique<SqliteVisitStore>(store_.get());
    VisitOptions options;
    options.probe_initial = absl::Seconds(5);
    options.probe_max = absl::Seconds(40);
    options.recheck_max_age_days = 90;
    visits_ = std::make_unique<Visits>(
        options, visit_store_.get(), store_.get(),
        [this](const v1::CheckQualificationRequest& r, absl::Time d) {
          return terminal_.Check(r, d);
        },
        &audit_, &clock_);
  }
  void Close() {
    visits_.reset();
    visit_store_.reset();
    store_.reset();
  }

  // A check naming `patient` for `date`, left in `final_state` (kUnconfirmed, kAnswered, ...).
  void AddCheck(const std::string& id, const std::string& patient, const std::string& date,
                LedgerState final_state, const std::string& number = "5678") {
    LedgerEntry entry;
    entry.request_id = id;
    entry.file_id = "F-" + id;
    entry.patient_id = patient;
    entry.created_time = clock_.Now();
    entry.deadline = clock_.Now() + absl::Seconds(2);
    entry.updated_time = clock_.Now();
    entry.request.set_request_id(id);
    entry.request.mutable_identifiers()->set_insurer_number(kInsurer);
    entry.request.mutable_identifiers()->set_insured_card_symbol("1234");
    entry.request.mutable_identifiers()->set_insured_identification_number(number);
    entry.request.set_birth_date("19800101");
    entry.request.set_confirmation_date(date);
    entry.request.set_patient_id(patient);
    bool created = false;
    ASSERT_TRUE(store_->CreateRequest(entry, &created).ok());
    clock_.Advance(absl::Milliseconds(1));
    if (final_state == LedgerState::kPending) return;
    LedgerTransition t;
    t.request_id = id;
    t.from = LedgerState::kPending;
    t.to = final_state == LedgerState::kLate ? LedgerState::kUnconfirmed : final_state;
    v1::Confirmation confirmation;
    if (t.to == LedgerState::kAnswered) {
      t.response.set_outcome(v1::CHECK_OUTCOME_ANSWERED);
      *t.response.mutable_result() = FakeTerminal::Result(Verdict{}, number);
    } else if (t.to == LedgerState::kUnconfirmed) {
      t.response.set_outcome(v1::CHECK_OUTCOME_UNCONFIRMED);
      *t.response.mutable_unconfirmed_reason() = ToErrorDetail(MakeError(errors::kTerminalTimeout));
    } else {
      t.error_code = absl::StatusCode::kUnavailable;
      t.error = ToErrorDetail(MakeError(errors::kTerminalRejectedRequest));
    }
    confirmation.set_outcome(t.response.outcome());
    if (t.to != LedgerState::kFailed) t.confirmation = confirmation;
    ASSERT_TRUE(store_->ApplyTransition(t).ok());
    if (final_state == LedgerState::kLate) LateAnswer(id, Verdict{}, number);
  }

  // The visit's own check is answered after its deadline (as the coordinator records it).
  void LateAnswer(const std::string& id, const Verdict& verdict,
                  const std::string& number = "5678") {
    LedgerTransition t;
    t.request_id = id;
    t.from = LedgerState::kUnconfirmed;
    t.to = LedgerState::kLate;
    t.response.set_outcome(v1::CHECK_OUTCOME_LATE_ANSWER);
    *t.response.mutable_result() = FakeTerminal::Result(verdict, number);
    t.response.mutable_billing()->set_copay_ratio_percent(verdict.ratio);
    v1::Confirmation confirmation;
    confirmation.set_outcome(v1::CHECK_OUTCOME_LATE_ANSWER);
    confirmation.set_late(true);
    t.confirmation = confirmation;
    ASSERT_TRUE(store_->ApplyTransition(t).ok());
  }

  v1::RecordSelfDeclarationRequest Declaration(const std::string& visit_id,
                                               v1::SelfDeclarationDocument document,
                                               int ratio = 30) {
    v1::RecordSelfDeclarationRequest request;
    request.set_request_id("decl-" + visit_id);
    request.set_visit_id(visit_id);
    request.set_document(document);
    v1::CardFace& face = *request.mutable_card_face();
    face.mutable_identifiers()->set_insurer_number(kInsurer);
    face.mutable_identifiers()->set_insured_card_symbol("1234");
    face.mutable_identifiers()->set_insured_identification_number("5678");
    face.set_name("試験 太郎");
    face.set_address("東京都千代田区霞が関1-2-2");
    face.set_contact("03-0000-0000");
    face.set_copay_ratio_percent(ratio);
    return request;
  }

  v1::Visit Get(const std::string& id) {
    absl::StatusOr<v1::Visit> visit = visits_->GetVisit(id);
    EXPECT_TRUE(visit.ok()) << visit.status();
    return visit.ok() ? *visit : v1::Visit();
  }

  int QueueSize() {
    absl::StatusOr<std::vector<v1::Visit>> queue = visits_->ListRecheckQueue(0);
    EXPECT_TRUE(queue.ok());
    return queue.ok() ? static_cast<int>(queue->size()) : -1;
  }

  std::string dir_;
  TestClock clock_;
  FakeTerminal terminal_;
  CapturingAudit audit_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteVisitStore> visit_store_;
  std::unique_ptr<Visits> visits_;
};

TEST_F(VisitsTest, UnconfirmedCheckIsQueuedAtOnceAndNeverConfirmed) {
  AddCheck("check-0001", "pat-1", "20260410", LedgerState::kUnconfirmed);
  AddCheck("check-0002", "pat-2", "20260410", LedgerState::kFailed);
  const v1::Visit visit = Get("check-0001");
  EXPECT_EQ(visit.state(), v1::VISIT_STATE_UNCONFIRMED);
  EXPECT_TRUE(visit.queued());
  EXPECT_EQ(visit.visit_date(), "20260410");
  EXPECT_EQ(visit.unconfirmed_reason().reason(), errors::kTerminalTimeout.reason);
  EXPECT_EQ(Get("check-0002").state(), v1::VISIT_STATE_UNCONFIRMED);
  EXPECT_EQ(QueueSize(), 2);
  EXPECT_EQ(audit_.Count("recheck.queue"), 2);
}

TEST_F(VisitsTest, AnsweredCheckIsAVisitWithoutARow) {
  AddCheck("check-0001", "pat-1", "20260410", LedgerState::kAnswered);
  const v1::Visit visit = Get("check-0001");
  EXPECT_EQ(visit.state(), v1::VISIT_STATE_CONFIRMED);
  EXPECT_FALSE(visit.queued());
  EXPECT_EQ(QueueSize(), 0);
  AddCheck("check-0002", "pat-1", "20260410", LedgerState::kPending);
  EXPECT_EQ(ReasonOf(visits_->GetVisit("check-0002").status()), errors::kVisitState.reason);
  EXPECT_EQ(ReasonOf(visits_->GetVisit("check-none").status()), errors::kVisitNotFound.reason);
}

// E2: each document type is stored with its source type and fields, and stays queued.
TEST_F(VisitsTest, EachDocumentTypeIsRecordedAndStaysQueued) {
  const v1::SelfDeclarationDocument documents[] = {
      v1::SELF_DECLARATION_DOCUMENT_APPLICATION,
      v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_CERTIFICATE,
      v1::SELF_DECLARATION_DOCUMENT_MYNA_PORTAL_SCREEN,
      v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_NOTICE};
  int i = 0;
  for (v1::SelfDeclarationDocument document : documents) {
    const std::string id = absl::StrCat("check-000", ++i);
    AddCheck(id, absl::StrCat("pat-", i), "20260410", LedgerState::kUnconfirmed);
    absl::StatusOr<v1::Visit> visit =
        visits_->RecordSelfDeclaration(Declaration(id, document), "clerk07");
    ASSERT_TRUE(visit.ok()) << visit.status();
    EXPECT_EQ(visit->state(), v1::VISIT_STATE_SELF_DECLARED);
    const v1::Visit stored = Get(id);
    EXPECT_EQ(stored.self_declaration().document(), document);
    EXPECT_EQ(stored.self_declaration().recorded_by(), "clerk07");
    EXPECT_EQ(stored.self_declaration().card_face().address(), "東京都千代田区霞が関1-2-2");
    EXPECT_EQ(stored.self_declaration().card_face().copay_ratio_percent(), 30);
    EXPECT_TRUE(stored.queued());
  }
  EXPECT_EQ(QueueSize(), 4);
}

TEST_F(VisitsTest, SelfDeclarationIsIdempotentAndRefusedOnceAnswered) {
  AddCheck("check-0001", "pat-1", "20260410", LedgerState::kUnconfirmed);
  const v1::RecordSelfDeclarationRequest request =
      Declaration("check-0001", v1::SELF_DECLARATION_DOCUMENT_APPLICATION);
  ASSERT_TRUE(visits_->RecordSelfDeclaration(request, "clerk07").ok());
  ASSERT_TRUE(visits_->RecordSelfDeclaration(request, "clerk07").ok());
  v1::RecordSelfDeclarationRequest changed = request;
  changed.mutable_card_face()->set_copay_ratio_percent(20);
  EXPECT_EQ(ReasonOf(visits_->RecordSelfDeclaration(changed, "clerk07").status()),
            errors::kRequestIdConflict.reason);
  EXPECT_EQ(ReasonOf(visits_->RecordSelfDeclaration(request, "").status()),
            errors::kInvalidUserId.reason);

  AddCheck("check-0002", "pat-2", "20260410", LedgerState::kAnswered);
  EXPECT_EQ(ReasonOf(visits_
                         ->RecordSelfDeclaration(
                             Declaration("check-0002", v1::SELF_DECLARATION_DOCUMENT_APPLICATION),
                             "clerk07")
                         .status()),
            errors::kVisitState.reason);
}

// Trap: the same declaration retried five times at once is recorded once.
TEST_F(VisitsTest, SameDeclarationRetriedFiveTimesAtOnceIsRecordedOnce) {
  AddCheck("check-0001", "pat-1", "20260410", LedgerState::kUnconfirmed);
  ASSERT_TRUE(visits_->Sync().ok());
  const v1::RecordSelfDeclarationRequest request =
      Declaration("check-0001", v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_NOTICE);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&] {
      if (visits_->RecordSelfDeclaration(request, "clerk07").ok()) ++ok;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 5);
  absl::StatusOr<std::optional<std::pair<std::string, v1::SelfDeclaration>>> stored =
      visit_store_->FindSelfDeclaration(request.request_id());
  ASSERT_TRUE(stored.ok());
  ASSERT_TRUE(stored->has_value());
  EXPECT_EQ(Get("check-0001").state(), v1::VISIT_STATE_SELF_DECLARED);
}

TEST_F(VisitsTest, SilentTerminalKeepsTheQueueAndBacksOff) {
  for (int i = 0; i < 3; ++i) {
    AddCheck(absl::StrCat("check-000", i), "pat-1", "20260410", LedgerState::kUnconfirmed);
  }
  terminal_.SetSilent(true);
  ASSERT_TRUE(visits_->Sync().ok());
  absl::StatusOr<int> drained = visits_->DrainOnce();
  ASSERT_TRUE(drained.ok());
  EXPECT_EQ(*drained, 0);
  // Only the oldest was tried; the rest waits.
  EXPECT_EQ(terminal_.requests().size(), 1u);
  EXPECT_EQ(Get("check-0000").state(), v1::VISIT_STATE_RECHECK_PENDING);
  EXPECT_EQ(Get("check-0000").recheck_attempts(), 1);
  EXPECT_EQ(Get("check-0001").state(), v1::VISIT_STATE_UNCONFIRMED);
  // Before the probe is due nothing is tried.
  ASSERT_TRUE(visits_->DrainOnce().ok());
  EXPECT_EQ(terminal_.requests().size(), 1u);
  clock_.Advance(absl::Seconds(6));
  ASSERT_TRUE(visits_->DrainOnce().ok());
  EXPECT_EQ(terminal_.requests().size(), 2u);
  EXPECT_EQ(terminal_.requests()[1].request_id(), terminal_.requests()[0].request_id())
      << "a new id only once the previous re-check's ledger entry is no longer pending";
  EXPECT_EQ(QueueSize(), 3);
  // Back again: the probe drains everything.
  terminal_.SetSilent(false);
  clock_.Advance(absl::Seconds(11));
  drained = visits_->DrainOnce();
  ASSERT_TRUE(drained.ok());
  EXPECT_EQ(*drained, 3);
  EXPECT_EQ(QueueSize(), 0);
}

// A visit the terminal keeps failing for waits its own backoff and holds up nobody.
TEST_F(VisitsTest, AVisitTheTerminalFailsForDoesNotBlockTheQueue) {
  AddCheck("check-0001", "pat-1", "20260410", LedgerState::kUnconfirmed, "1111");
  AddCheck("check-0002", "pat-2", "20260410", LedgerState::kUnconfirmed, "2222");
  Verdict failing;
  failing.fails = true;
  terminal_.SetVerdict("1111", failing);
  ASSERT_TRUE(visits_->Sync().ok());
  absl::StatusOr<int> drained = visits_->DrainOnce();
  ASSERT_TRUE(drained.ok());
  EXPECT_EQ(*drained, 1);
  EXPECT_EQ(Get("check-0002").state(), v1::VISIT_STATE_RECHECKED_CONFIRMED);
  const v1::Visit stuck = Get("check-0001");
  EXPECT_TRUE(stuck.queued());
  EXPECT_EQ(stuck.recheck_attempts(), 1);
  // Not retried before its backoff, then retried.
  ASSERT_TRUE(visits_->DrainOnce().ok());
  EXPECT_EQ(terminal_.requests().size(), 2u);
  clock_.Advance(absl::Seconds(6));
  ASSERT_TRUE(visits_->DrainOnce().ok());
  EXPECT_EQ(terminal_.requests().size(), 3u);
  EXPECT_EQ(Get("check-0001").recheck_attempts(), 2);
}

// E3: 200 pending visits drained after recovery, with the original visit dates, mismatches as
// review items, no change of any patient's coverage.
TEST_F(VisitsTest, RecoveryDrainsTwoHundredVisitsWithTheirOriginalDates) {
  constexpr int kVisits = 200;
  for (int i = 0; i < kVisits; ++i) {
    const std::string number = absl::StrCat(1000 + i);
    const std::string date = absl::StrCat("202604", i % 2 == 0 ? "01" : "09");
    AddCheck(absl::StrCat("check-", 1000 + i), absl::StrCat("pat-", i), date,
             LedgerState::kUnconfirmed, number);
    if (i % 10 == 0) {
      terminal_.SetVerdict(number, Verdict{v1::QUALIFICATION_VALIDITY_INVALID});
    } else if (i % 10 == 1) {
      terminal_.SetVerdict(number, Verdict{v1::QUALIFICATION_VALIDITY_NOT_FOUND});
    } else if (i % 10 == 2) {
      terminal_.SetVerdict(number, Verdict{v1::QUALIFICATION_VALIDITY_VALID, kInsurer, 20});
    } else if (i % 10 == 3) {
      // Nothing was declared for odd visits: nothing collected to contradict.
      terminal_.SetVerdict(number, Verdict{v1::QUALIFICATION_VALIDITY_VALID, kOtherInsurer, 20});
    } else if (i % 10 == 4) {
      terminal_.SetVerdict(number, Verdict{v1::QUALIFICATION_VALIDITY_VALID, kOtherInsurer, 30});
    }
    if (i % 2 == 0) {
      v1::RecordSelfDeclarationRequest declaration =
          Declaration(absl::StrCat("check-", 1000 + i),
                      v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_CERTIFICATE);
      declaration.mutable_card_face()->mutable_identifiers()->set_insured_identification_number(
          number);
      ASSERT_TRUE(visits_->RecordSelfDeclaration(declaration, "clerk07").ok());
    }
  }
  EXPECT_EQ(QueueSize(), kVisits);
  absl::StatusOr<int> drained = visits_->DrainOnce();
  ASSERT_TRUE(drained.ok()) << drained.status();
  EXPECT_EQ(*drained, kVisits);
  EXPECT_EQ(QueueSize(), 0);

  // Every re-check asked for its visit's own date and named no patient.
  const std::vector<v1::CheckQualificationRequest> requests = terminal_.requests();
  ASSERT_EQ(requests.size(), static_cast<size_t>(kVisits));
  for (const v1::CheckQualificationRequest& r : requests) {
    const int i = std::stoi(r.identifiers().insured_identification_number()) - 1000;
    EXPECT_EQ(r.confirmation_date(), absl::StrCat("202604", i % 2 == 0 ? "01" : "09"));
    EXPECT_TRUE(r.patient_id().empty());
  }
  std::map<std::string, int> codes;
  absl::StatusOr<std::vector<v1::BillingReviewItem>> items = visits_->ListReviewItems(false, "");
  ASSERT_TRUE(items.ok());
  for (const v1::BillingReviewItem& item : *items) ++codes[item.reason_code()];
  EXPECT_EQ(codes["RECHECK_INVALID"], 20);
  EXPECT_EQ(codes["RECHECK_NOT_FOUND"], 20);
  // Ratio and insurer mismatches only where something was declared (even i: i % 10 == 2, 4).
  EXPECT_EQ(codes["COPAY_RATIO_MISMATCH"], 20);
  EXPECT_EQ(codes["INSURER_MISMATCH"], 20);
  EXPECT_EQ(items->size(), 80u);
  int confirmed = 0;
  for (int i = 0; i < kVisits; ++i) {
    const v1::Visit visit = Get(absl::StrCat("check-", 1000 + i));
    EXPECT_TRUE(HasTerminalAnswer(visit.state()));
    confirmed += visit.state() == v1::VISIT_STATE_RECHECKED_CONFIRMED ? 1 : 0;
    // No silent change: the patient's coverage was never written by a re-check.
    absl::StatusOr<std::optional<v1::CoverageVersion>> coverage =
        store_->GetCurrentCoverage(visit.patient_id());
    ASSERT_TRUE(coverage.ok());
    EXPECT_FALSE(coverage->has_value());
  }
  EXPECT_EQ(confirmed, 160);
  EXPECT_EQ(audit_.Count("recheck"), kVisits);
}

// Trap: a late answer of the visit's own check after a self-declaration counts as its re-check
// and is compared with what was collected.
TEST_F(VisitsTest, LateAnswerAfterSelfDeclarationIsTheRecheck) {
  AddCheck("check-0001", "pat-1", "20260410", LedgerState::kUnconfirmed);
  ASSERT_TRUE(visits_
                  ->RecordSelfDeclaration(
                      Declaration("check-0001", v1::SELF_DECLARATION_DOCUMENT_MYNA_PORTAL_SCREEN),
                      "clerk07")
                  .ok());
  LateAnswer("check-0001", Verdict{v1::QUALIFICATION_VALIDITY_VALID, kInsurer, 10});
  terminal_.SetSilent(true);  // Nothing else answers: the late answer alone must do.
  absl::StatusOr<int> drained = visits_->DrainOnce();
  ASSERT_TRUE(drained.ok());
  EXPECT_EQ(*drained, 1);
  EXPECT_TRUE(terminal_.requests().empty());
  const v1::Visit visit = Get("check-0001");
  EXPECT_EQ(visit.state(), v1::VISIT_STATE_RECHECKED_CONFIRMED);
  EXPECT_TRUE(visit.recheck().late_answer());
  EXPECT_EQ(visit.self_declaration().card_face().copay_ratio_percent(), 30)
      << "what was collected stays as collected";
  absl::StatusOr<std::vector<v1::BillingReviewItem>> items = visits_->ListReviewItems(false, "");
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].reason_code(), "COPAY_RATIO_MISMATCH");
  absl::StatusOr<std::optional<v1::CoverageVersion>> coverage = store_->GetCurrentCoverage("pat-1");
  ASSERT_TRUE(coverage.ok());
  EXPECT_FALSE(coverage->has_value());
}

TEST_F(VisitsTest, TooOldVisitBecomesRecheckNotPossible) {
  AddCheck("check-0001", "pat-1", "20251201", LedgerState::kUnconfirmed);
  absl::StatusOr<int> drained = visits_->DrainOnce();
  ASSERT_TRUE(visits_->Sync().ok());
  drained = visits_->DrainOnce();
  ASSERT_TRUE(drained.ok());
  EXPECT_TRUE(terminal_.requests().empty());
  const v1::Visit visit = Get("check-0001");
  EXPECT_TRUE(visit.recheck_abandoned());
  EXPECT_FALSE(visit.queued());
  EXPECT_EQ(visit.state(), v1::VISIT_STATE_UNCONFIRMED);
  absl::StatusOr<std::vector<v1::BillingReviewItem>> items = visits_->ListReviewItems(false, "");
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ((*items)[0].reason_code(), "RECHECK_TOO_OLD");
  // Still without proof at billing time: listed as 不詳 for its month.
  absl::StatusOr<std::vector<v1::ClaimsVisit>> claims = visits_->ListUnconfirmedVisits("202512");
  ASSERT_TRUE(claims.ok());
  ASSERT_EQ(claims->size(), 1u);
  EXPECT_TRUE((*claims)[0].rendering().unknown());
  EXPECT_EQ((*claims)[0].rendering().insurer_number(), "77777777");
}

TEST_F(VisitsTest, ClaimsViewListsUnconfirmedAndChangedAfterBilling) {
  AddCheck("check-0001", "pat-1", "20260401", LedgerState::kUnconfirmed);
  AddCheck("check-0002", "pat-2", "20260402", LedgerState::kUnconfirmed);
  AddCheck("check-0003", "pat-3", "20260403", LedgerState::kAnswered);
  AddCheck("check-0004", "pat-4", "20260301", LedgerState::kUnconfirmed);
  ASSERT_TRUE(
      visits_
          ->RecordSelfDeclaration(
              Declaration("check-0001", v1::SELF_DECLARATION_DOCUMENT_APPLICATION), "clerk07")
          .ok());
  absl::StatusOr<std::vector<v1::ClaimsVisit>> april = visits_->ListUnconfirmedVisits("202604");
  ASSERT_TRUE(april.ok());
  ASSERT_EQ(april->size(), 2u);
  EXPECT_EQ((*april)[0].visit().visit_id(), "check-0001");
  EXPECT_EQ((*april)[0].rendering().summary_text(),
            "被保険者資格申立書により請求（資格確認不可）　住所：東京都千代田区霞が関1-2-2　"
            "連絡先：03-0000-0000");
  absl::StatusOr<int> marked = visits_->MarkBilled("202604", {});
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ(*marked, 2);
  marked = visits_->MarkBilled("202604", {});
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ(*marked, 0) << "marking twice marks nothing new";
  marked = visits_->MarkBilled("", {"check-0003"});
  ASSERT_TRUE(marked.ok());
  EXPECT_EQ(*marked, 0) << "an answered visit has nothing that could change";
  EXPECT_EQ(ReasonOf(visits_->MarkBilled("", {"check-none"}).status()),
            errors::kVisitNotFound.reason);

  absl::StatusOr<std::vector<v1::ClaimsVisit>> changed = visits_->ListChangedAfterBilling("202604");
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(changed->empty());
  ASSERT_TRUE(visits_->DrainOnce().ok());
  changed = visits_->ListChangedAfterBilling("202604");
  ASSERT_TRUE(changed.ok());
  ASSERT_EQ(changed->size(), 2u);
  EXPECT_FALSE((*changed)[0].rendering().unknown());
  april = visits_->ListUnconfirmedVisits("202604");
  ASSERT_TRUE(april.ok());
  EXPECT_TRUE(april->empty());
  // March was not billed: re-checked, but not "changed after billing".
  changed = visits_->ListChangedAfterBilling("202603");
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(changed->empty());
  EXPECT_EQ(ReasonOf(visits_->ListUnconfirmedVisits("2026-04").status()),
            errors::kInvalidArgument.reason);
}

TEST_F(VisitsTest, ReviewItemsAreResolvedByAUser) {
  AddCheck("check-0001", "pat-1", "20260401", LedgerState::kUnconfirmed);
  terminal_.SetVerdict("5678", Verdict{v1::QUALIFICATION_VALIDITY_INVALID});
  ASSERT_TRUE(visits_->Sync().ok());
  ASSERT_TRUE(visits_->DrainOnce().ok());
  absl::StatusOr<std::vector<v1::BillingReviewItem>> items =
      visits_->ListReviewItems(false, "202604");
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), 1u);
  EXPECT_EQ(ReasonOf(visits_->ResolveReviewItem((*items)[0].item_id(), "", "").status()),
            errors::kInvalidUserId.reason);
  absl::StatusOr<v1::BillingReviewItem> resolved =
      visits_->ResolveReviewItem((*items)[0].item_id(), "保険者に確認済", "billing01");
  ASSERT_TRUE(resolved.ok());
  EXPECT_TRUE(resolved->resolved());
  EXPECT_EQ(resolved->resolved_by(), "billing01");
  items = visits_->ListReviewItems(false, "");
  ASSERT_TRUE(items.ok());
  EXPECT_TRUE(items->empty());
  items = visits_->ListReviewItems(true, "");
  ASSERT_TRUE(items.ok());
  EXPECT_EQ(items->size(), 1u);
  EXPECT_EQ(ReasonOf(visits_->ResolveReviewItem("nope-0000", "", "billing01").status()),
            errors::kVisitNotFound.reason);
}

// E6 (store level): the queue, declarations and in-flight re-checks survive a restart.
TEST_F(VisitsTest, QueueSurvivesReopening) {
  for (int i = 0; i < 20; ++i) {
    AddCheck(absl::StrCat("check-", 1000 + i), "pat-1", "20260409", LedgerState::kUnconfirmed);
  }
  ASSERT_TRUE(
      visits_
          ->RecordSelfDeclaration(
              Declaration("check-1000", v1::SELF_DECLARATION_DOCUMENT_APPLICATION), "clerk07")
          .ok());
  terminal_.SetSilent(true);
  ASSERT_TRUE(visits_->DrainOnce().ok());
  EXPECT_EQ(QueueSize(), 20);
  Close();
  Open();
  EXPECT_EQ(QueueSize(), 20);
  EXPECT_EQ(Get("check-1000").state(), v1::VISIT_STATE_RECHECK_PENDING);
  EXPECT_EQ(Get("check-1000").self_declaration().recorded_by(), "clerk07");
  terminal_.SetSilent(false);
  absl::StatusOr<int> drained = visits_->DrainOnce();
  ASSERT_TRUE(drained.ok());
  EXPECT_EQ(*drained, 20);
  EXPECT_EQ(QueueSize(), 0);
}

TEST_F(VisitsTest, BackgroundLoopDrainsWithoutBeingAsked) {
  AddCheck("check-0001", "pat-1", "20260410", LedgerState::kUnconfirmed);
  visits_->Start();
  for (int i = 0; i < 500 && Get("check-0001").queued(); ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  visits_->Shutdown();
  EXPECT_EQ(Get("check-0001").state(), v1::VISIT_STATE_RECHECKED_CONFIRMED);
}

}  // namespace
}  // namespace onshi::service
