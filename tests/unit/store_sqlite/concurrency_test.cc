// D1/D2 (reliability.md §3 D): many threads on two SqliteStore instances over one file (two
// connections, as two processes would have) on overlapping patients: no lost or duplicate
// writes, no SQLITE_BUSY surfaced, and the final state equals the serial expectation.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing_support::FakeClock;
using testing_support::MakeAnswer;
using testing_support::MakeConfirmation;
using testing_support::MakeCoverage;
using testing_support::MakeEntry;
using testing_support::MakeResponse;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

constexpr int kThreads = 16;
constexpr int kIterations = 25;
constexpr int kPatients = 6;

// What iteration `i` of thread `t` does; the serial oracle is computed from the same plan.
struct Plan {
  std::string request_id;
  std::string patient_id;  // empty: the request names no patient
  LedgerState final_state;
  bool writes_coverage;
};

Plan PlanFor(int t, int i) {
  Plan plan;
  plan.request_id = absl::StrCat("req-t", t, "-i", i);
  plan.patient_id = i % 5 == 4 ? "" : absl::StrCat("P", (t + i) % kPatients);
  switch (i % 4) {
    case 0:
    case 1:
      plan.final_state = LedgerState::kAnswered;
      break;
    case 2:
      plan.final_state = LedgerState::kLate;
      break;
    default:
      plan.final_state = LedgerState::kFailed;
      break;
  }
  plan.writes_coverage = plan.final_state == LedgerState::kAnswered && !plan.patient_id.empty();
  return plan;
}

class Failures {
 public:
  void Add(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    messages_.push_back(what);
  }
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> messages_;
};

// Runs one planned check to its final state on `store`, re-reading the coverage version after
// each optimistic-concurrency conflict.
void RunPlan(SqliteStore& store, SqliteStore& other, const Plan& plan, int i, Failures& failures,
             std::atomic<int>& conflicts) {
  bool created = false;
  absl::StatusOr<LedgerEntry> entry =
      store.CreateRequest(MakeEntry(plan.request_id, plan.patient_id), &created);
  if (!entry.ok() || !created) {
    failures.Add(absl::StrCat(plan.request_id, " create: ", entry.status().ToString()));
    return;
  }
  if (i % 7 == 0) {
    // An idempotent retry through the other connection.
    bool again = true;
    absl::StatusOr<LedgerEntry> retry =
        other.CreateRequest(MakeEntry(plan.request_id, plan.patient_id), &again);
    if (!retry.ok() || again || retry->created_time != entry->created_time) {
      failures.Add(absl::StrCat(plan.request_id, " retry: ", retry.status().ToString()));
      return;
    }
  }
  const bool named = !plan.patient_id.empty();
  if (plan.final_state == LedgerState::kAnswered) {
    // Bounded: a store that reported conflicts forever must fail the test, not hang it.
    for (int attempt = 0; attempt < 500; ++attempt) {
      LedgerTransition answer = MakeAnswer(plan.request_id, plan.request_id);
      if (!named) answer.confirmation.reset();
      if (plan.writes_coverage) {
        absl::StatusOr<std::optional<v1::CoverageVersion>> current =
            store.GetCurrentCoverage(plan.patient_id);
        if (!current.ok()) {
          failures.Add(absl::StrCat(plan.request_id, " read: ", current.status().ToString()));
          return;
        }
        const int64_t version = current->has_value() ? (*current)->version() : 0;
        answer.coverage = MakeCoverage(version, plan.request_id, "06139806", plan.request_id);
      }
      absl::Status status = store.ApplyTransition(answer);
      if (status.ok()) return;
      if (Reason(status) == "ONSHI_STORE_CONFLICT" && plan.writes_coverage) {
        ++conflicts;
        continue;
      }
      failures.Add(absl::StrCat(plan.request_id, " answer: ", status.ToString()));
      return;
    }
    failures.Add(absl::StrCat(plan.request_id, " answer: still conflicting after 500 attempts"));
    return;
  }
  if (plan.final_state == LedgerState::kLate) {
    LedgerTransition unconfirmed;
    unconfirmed.request_id = plan.request_id;
    unconfirmed.to = LedgerState::kUnconfirmed;
    unconfirmed.response.set_outcome(v1::CHECK_OUTCOME_UNCONFIRMED);
    if (named) unconfirmed.confirmation = MakeConfirmation(v1::CHECK_OUTCOME_UNCONFIRMED, false);
    absl::Status status = store.ApplyTransition(unconfirmed);
    if (!status.ok()) {
      failures.Add(absl::StrCat(plan.request_id, " unconfirmed: ", status.ToString()));
      return;
    }
    LedgerTransition late;
    late.request_id = plan.request_id;
    late.from = LedgerState::kUnconfirmed;
    late.to = LedgerState::kLate;
    late.response = MakeResponse(v1::CHECK_OUTCOME_LATE_ANSWER, plan.request_id);
    if (named) late.confirmation = MakeConfirmation(v1::CHECK_OUTCOME_LATE_ANSWER, true);
    // Through the other connection: whoever reads the late answer.
    status = other.ApplyTransition(late);
    if (!status.ok()) failures.Add(absl::StrCat(plan.request_id, " late: ", status.ToString()));
    return;
  }
  LedgerTransition failed;
  failed.request_id = plan.request_id;
  failed.to = LedgerState::kFailed;
  failed.error_code = absl::StatusCode::kUnavailable;
  failed.error = ToErrorDetail(MakeError(errors::kTerminalFailed));
  if (named) failed.confirmation = MakeConfirmation(v1::CHECK_OUTCOME_UNSPECIFIED, false);
  absl::Status status = store.ApplyTransition(failed);
  if (!status.ok()) failures.Add(absl::StrCat(plan.request_id, " failed: ", status.ToString()));
}

TEST(SqliteStoreConcurrencyTest, TwoConnectionsSixteenThreadsLoseNothing) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  auto a = SqliteStore::Open(path, &clock);
  auto b = SqliteStore::Open(path, &clock);
  ASSERT_TRUE(a.ok() && b.ok());
  SqliteStore* stores[] = {a->get(), b->get()};

  Failures failures;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      SqliteStore& mine = *stores[t % 2];
      SqliteStore& other = *stores[(t + 1) % 2];
      for (int i = 0; i < kIterations; ++i) {
        RunPlan(mine, other, PlanFor(t, i), i, failures, conflicts);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  const std::vector<std::string> messages = failures.messages();
  EXPECT_TRUE(messages.empty()) << messages.size() << " failures, first: " << messages[0];

  // The serial oracle.
  std::map<std::string, std::set<std::string>> coverage_requests;
  std::map<std::string, int> confirmations;
  int requests = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kIterations; ++i) {
      const Plan plan = PlanFor(t, i);
      ++requests;
      if (plan.patient_id.empty()) continue;
      ++confirmations[plan.patient_id];
      if (plan.writes_coverage) coverage_requests[plan.patient_id].insert(plan.request_id);
    }
  }

  SqliteStore& store = *stores[0];
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kIterations; ++i) {
      const Plan plan = PlanFor(t, i);
      absl::StatusOr<std::optional<LedgerEntry>> found = store.FindRequest(plan.request_id);
      ASSERT_TRUE(found.ok() && found->has_value()) << plan.request_id;
      EXPECT_EQ((*found)->state, plan.final_state) << plan.request_id;
      EXPECT_EQ((*found)->patient_id, plan.patient_id) << plan.request_id;
    }
  }
  for (const auto& [patient, expected] : coverage_requests) {
    absl::StatusOr<v1::PatientRecord> record = store.GetPatientRecord(patient);
    ASSERT_TRUE(record.ok()) << patient;
    // Versions 1..n, one per coverage-writing request, each request exactly once.
    const int n = static_cast<int>(expected.size());
    EXPECT_EQ(record->current_coverage().version(), n) << patient;
    ASSERT_EQ(record->coverage_history_size(), n - 1) << patient;
    std::set<std::string> seen = {record->current_coverage().provenance().request_id()};
    for (int k = 0; k < n - 1; ++k) {
      EXPECT_EQ(record->coverage_history(k).version(), n - 1 - k) << patient;
      seen.insert(record->coverage_history(k).provenance().request_id());
    }
    EXPECT_EQ(seen, expected) << patient;
    EXPECT_EQ(record->confirmations_size(), confirmations[patient]) << patient;
  }

  RawDb raw(path);
  const RawDb::Counts counts = raw.RowCounts();
  EXPECT_EQ(counts.requests, requests);
  EXPECT_EQ(counts.patients, static_cast<int64_t>(confirmations.size()));
  int total_coverage = 0;
  int total_confirmations = 0;
  for (const auto& entry : coverage_requests) total_coverage += entry.second.size();
  for (const auto& entry : confirmations) total_confirmations += entry.second;
  EXPECT_EQ(counts.coverage_versions, total_coverage);
  EXPECT_EQ(counts.confirmations, total_confirmations);
  absl::StatusOr<std::vector<LedgerEntry>> pending = store.ListPendingRequests();
  ASSERT_TRUE(pending.ok());
  EXPECT_TRUE(pending->empty());
  EXPECT_TRUE(stores[0]->CheckIntegrity().ok());
  EXPECT_TRUE(stores[1]->CheckIntegrity().ok());
  // Conflicts are expected (16 writers on 6 patients) and were all resolved by re-reading.
  RecordProperty("coverage_conflicts", conflicts.load());
}

TEST(SqliteStoreConcurrencyTest, ConcurrentCreatesWithOneRequestIdInsertOnce) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  auto a = SqliteStore::Open(path, &clock);
  auto b = SqliteStore::Open(path, &clock);
  ASSERT_TRUE(a.ok() && b.ok());
  SqliteStore* stores[] = {a->get(), b->get()};
  constexpr int kKeys = 40;
  constexpr int kRetries = 6;
  std::vector<std::vector<LedgerEntry>> results(kKeys, std::vector<LedgerEntry>(kRetries));
  std::vector<std::vector<int>> created(kKeys, std::vector<int>(kRetries, -1));
  std::vector<std::thread> threads;
  for (int r = 0; r < kRetries; ++r) {
    threads.emplace_back([&, r] {
      for (int k = 0; k < kKeys; ++k) {
        bool inserted = false;
        absl::StatusOr<LedgerEntry> entry = stores[r % 2]->CreateRequest(
            MakeEntry(absl::StrCat("req-key-", k), absl::StrCat("P", k % 3)), &inserted);
        if (!entry.ok()) continue;
        results[k][r] = *entry;
        created[k][r] = inserted ? 1 : 0;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int k = 0; k < kKeys; ++k) {
    int inserted = 0;
    for (int r = 0; r < kRetries; ++r) {
      ASSERT_NE(created[k][r], -1) << "key " << k << " retry " << r << " failed";
      inserted += created[k][r];
      EXPECT_EQ(results[k][r].created_time, results[k][0].created_time);
      EXPECT_EQ(results[k][r].file_id, results[k][0].file_id);
      EXPECT_TRUE(MessageDifferencer::Equals(results[k][r].request, results[k][0].request));
    }
    EXPECT_EQ(inserted, 1) << "key " << k;
  }
  RawDb raw(path);
  EXPECT_EQ(raw.RowCounts().requests, kKeys);
  EXPECT_EQ(raw.RowCounts().patients, 3);
}

}  // namespace
}  // namespace onshi
