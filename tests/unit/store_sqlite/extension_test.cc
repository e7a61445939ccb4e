// The extension API for feature stores (store_internal.h): transactions on the store's
// connection that commit, roll back and refuse like the store's own, and the shared helpers that
// write confirmations and coverage versions for checks that are not ledger entries (card-reader
// check-ins, batch rows).

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "adapters/store_sqlite/store_internal.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using google::protobuf::util::MessageDifferencer;
using store_sqlite::Connection;
using store_sqlite::StoreAccess;
using ::testing::HasSubstr;
using testing_support::FakeClock;
using testing_support::MakeAnswer;
using testing_support::MakeConfirmation;
using testing_support::MakeCoverage;
using testing_support::MakeEntry;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

class StoreExtensionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = SqliteStore::Open(path_, &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  int64_t Now() { return store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now()); }

  absl::Status Write(const StoreAccess::Body& body) {
    return StoreAccess::RunInTransaction(*store_, /*write=*/true, body);
  }

  // What a card-reader check-in records: the patient (created if new), its confirmation and a
  // coverage version, in one transaction.
  absl::Status RecordCheckin(const std::string& event_id, const std::string& patient_id,
                             int64_t checked_time, int64_t expected_version) {
    const int64_t now = Now();
    return Write([&](Connection& connection) -> absl::Status {
      absl::Status status = store_sqlite::EnsurePatient(connection, patient_id, now);
      if (!status.ok()) return status;
      status = store_sqlite::WriteCoverageVersion(connection, patient_id, event_id,
                                                  MakeCoverage(expected_version, event_id), now);
      if (!status.ok()) return status;
      v1::Confirmation confirmation = MakeConfirmation(v1::CHECK_OUTCOME_ANSWERED, false);
      confirmation.mutable_provenance()->set_source(v1::SOURCE_CARD_READER);
      return store_sqlite::WriteConfirmation(connection, event_id, patient_id, checked_time,
                                             confirmation, now);
    });
  }

  std::vector<std::string> ConfirmationIds(const std::string& patient_id) {
    absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord(patient_id);
    EXPECT_TRUE(record.ok()) << record.status();
    std::vector<std::string> ids;
    if (!record.ok()) return ids;
    for (const v1::Confirmation& confirmation : record->confirmations()) {
      ids.push_back(confirmation.request_id());
    }
    return ids;
  }

  ScopedTempDir dir_;
  const std::string path_ = dir_.File("onshi.db");
  FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(StoreExtensionTest, CommittedWorkIsVisibleToTheStoreAndToOtherConnections) {
  const int64_t checked = Now();
  ASSERT_TRUE(RecordCheckin("evt-1", "P-new", checked, 0).ok());
  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P-new");
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->current_coverage().version(), 1);
  EXPECT_EQ(record->current_coverage().coverage().name(), "evt-1");
  ASSERT_EQ(record->confirmations_size(), 1);
  EXPECT_EQ(record->confirmations(0).request_id(), "evt-1");
  EXPECT_EQ(record->confirmations(0).provenance().source(), v1::SOURCE_CARD_READER);
  // The identity digest followed the coverage.
  absl::StatusOr<std::vector<std::string>> found =
      store_->FindPatientsByIdentity(record->current_coverage().coverage().identifiers(),
                                     record->current_coverage().coverage().birth_date());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, std::vector<std::string>{"P-new"});

  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT checked_time FROM confirmations"), checked);
  EXPECT_EQ(raw.QueryColumn("SELECT check_id FROM coverage_versions"),
            std::vector<std::string>{"evt-1"});
  // No ledger entry was needed.
  EXPECT_EQ(raw.RowCounts().requests, 0);
}

TEST_F(StoreExtensionTest, AFailingBodyRollsEverythingBackAndItsStatusIsReturned) {
  RawDb raw(path_);
  const RawDb::Counts before = raw.RowCounts();
  const absl::Status failure = MakeError(errors::kCheckinNotFound, "from the body");
  absl::Status status = Write([&](Connection& connection) -> absl::Status {
    const int64_t now = Now();
    absl::Status written = store_sqlite::EnsurePatient(connection, "P1", now);
    if (written.ok()) {
      written =
          store_sqlite::WriteCoverageVersion(connection, "P1", "evt-1", MakeCoverage(0, "x"), now);
    }
    if (written.ok()) {
      written = store_sqlite::WriteConfirmation(
          connection, "evt-1", "P1", now, MakeConfirmation(v1::CHECK_OUTCOME_ANSWERED, false), now);
    }
    EXPECT_TRUE(written.ok()) << written;
    return failure;
  });
  EXPECT_EQ(status, failure);
  EXPECT_EQ(raw.RowCounts(), before);
  EXPECT_FALSE(*store_->PatientExists("P1"));
}

TEST_F(StoreExtensionTest, HelperErrorsRollBackTheTransaction) {
  ASSERT_TRUE(RecordCheckin("evt-1", "P1", Now(), 0).ok());
  RawDb raw(path_);
  const RawDb::Counts before = raw.RowCounts();
  // A second check-in based on the version it read before the first: a conflict.
  absl::Status stale = RecordCheckin("evt-2", "P1", Now(), 0);
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Reason(stale), "ONSHI_STORE_CONFLICT");
  EXPECT_THAT(stale.message(), HasSubstr("version 1, not the expected 0"));
  EXPECT_EQ(raw.RowCounts(), before);
  EXPECT_TRUE(RecordCheckin("evt-2", "P1", Now(), 1).ok());
}

TEST_F(StoreExtensionTest, HelpersRefuseBadInput) {
  const int64_t now = Now();
  auto in_transaction = [&](const StoreAccess::Body& body) { return Write(body); };
  v1::Confirmation foreign = MakeConfirmation(v1::CHECK_OUTCOME_ANSWERED, false);
  foreign.set_request_id("another-check");
  struct Case {
    const char* name;
    StoreAccess::Body body;
    absl::StatusCode code;
  };
  const v1::Confirmation plain = MakeConfirmation(v1::CHECK_OUTCOME_ANSWERED, false);
  const Case cases[] = {
      {"empty patient for EnsurePatient",
       [&](Connection& c) { return store_sqlite::EnsurePatient(c, "", now); },
       absl::StatusCode::kInvalidArgument},
      {"empty check id",
       [&](Connection& c) { return store_sqlite::WriteConfirmation(c, "", "P1", now, plain, now); },
       absl::StatusCode::kInvalidArgument},
      {"request_id of another check",
       [&](Connection& c) {
         return store_sqlite::WriteConfirmation(c, "evt-1", "P1", now, foreign, now);
       },
       absl::StatusCode::kInvalidArgument},
      {"confirmation for an unknown patient",
       [&](Connection& c) {
         return store_sqlite::WriteConfirmation(c, "evt-1", "P-unknown", now, plain, now);
       },
       absl::StatusCode::kNotFound},
      {"coverage for an unknown patient",
       [&](Connection& c) {
         return store_sqlite::WriteCoverageVersion(c, "P-unknown", "evt-1", MakeCoverage(0, "x"),
                                                   now);
       },
       absl::StatusCode::kNotFound},
      {"coverage without check id",
       [&](Connection& c) {
         return store_sqlite::WriteCoverageVersion(c, "P1", "", MakeCoverage(0, "x"), now);
       },
       absl::StatusCode::kInvalidArgument},
      {"coverage version not expected + 1",
       [&](Connection& c) {
         CoverageUpdate update = MakeCoverage(0, "x");
         update.version.set_version(3);
         return store_sqlite::WriteCoverageVersion(c, "P1", "evt-1", update, now);
       },
       absl::StatusCode::kInvalidArgument},
      {"coverage with a string that is not UTF-8",
       [&](Connection& c) {
         return store_sqlite::WriteCoverageVersion(c, "P1", "evt-1", MakeCoverage(0, "\xff\xfe"),
                                                   now);
       },
       absl::StatusCode::kInvalidArgument},
  };
  ASSERT_TRUE(Write([&](Connection& c) { return store_sqlite::EnsurePatient(c, "P1", now); }).ok());
  RawDb raw(path_);
  const RawDb::Counts before = raw.RowCounts();
  for (const Case& test : cases) {
    absl::Status status = in_transaction(test.body);
    EXPECT_EQ(status.code(), test.code) << test.name << ": " << status;
  }
  EXPECT_EQ(raw.RowCounts(), before);
}

TEST_F(StoreExtensionTest, ConfirmationsOfEveryKindOfCheckAreOrderedByTheirCheckTime) {
  // A 個別照会 created now, answered later.
  ASSERT_TRUE(store_->CreateRequest(MakeEntry("req-1", "P1"), nullptr).ok());
  const int64_t request_created =
      store_sqlite::ToMicros((*store_->FindRequest("req-1"))->created_time);
  // A check-in that happened before the request, recorded after it; a batch row after it.
  ASSERT_TRUE(RecordCheckin("evt-early", "P1", request_created - 60000000, 0).ok());
  const int64_t now = Now();
  ASSERT_TRUE(Write([&](Connection& c) {
                return store_sqlite::WriteConfirmation(
                    c, "batch-7/12", "P1", request_created + 60000000,
                    MakeConfirmation(v1::CHECK_OUTCOME_ANSWERED, false), now);
              }).ok());
  ASSERT_TRUE(store_->ApplyTransition(MakeAnswer("req-1", "x")).ok());
  // Two check-ins at the same microsecond: the later recorded first.
  ASSERT_TRUE(RecordCheckin("evt-tie-a", "P1", request_created - 1, 1).ok());
  ASSERT_TRUE(RecordCheckin("evt-tie-b", "P1", request_created - 1, 2).ok());
  EXPECT_EQ(ConfirmationIds("P1"), (std::vector<std::string>{"batch-7/12", "req-1", "evt-tie-b",
                                                             "evt-tie-a", "evt-early"}));
}

TEST_F(StoreExtensionTest, WriteConfirmationReplacesTheRowOfItsCheckInPlace) {
  ASSERT_TRUE(RecordCheckin("evt-1", "P1", Now(), 0).ok());
  const int64_t second = Now();
  ASSERT_TRUE(RecordCheckin("evt-2", "P1", second, 1).ok());
  // evt-1 again, now late and re-timed: one row, its insertion order kept.
  const int64_t now = Now();
  ASSERT_TRUE(Write([&](Connection& c) {
                return store_sqlite::WriteConfirmation(
                    c, "evt-1", "P1", second, MakeConfirmation(v1::CHECK_OUTCOME_LATE_ANSWER, true),
                    now);
              }).ok());
  RawDb raw(path_);
  EXPECT_EQ(raw.RowCounts().confirmations, 2);
  EXPECT_EQ(raw.QueryInt("SELECT late FROM confirmations WHERE check_id = CAST('evt-1' AS BLOB)"),
            1);
  // Both at the same time now: evt-1 keeps the place of its first recording, before evt-2's.
  EXPECT_EQ(ConfirmationIds("P1"), (std::vector<std::string>{"evt-2", "evt-1"}));
}

TEST_F(StoreExtensionTest, ReadCurrentCoverageSeesTheTransactionsOwnWrites) {
  ASSERT_TRUE(RecordCheckin("evt-1", "P1", Now(), 0).ok());
  absl::Status status = Write([&](Connection& c) -> absl::Status {
    absl::StatusOr<std::optional<v1::CoverageVersion>> current =
        store_sqlite::ReadCurrentCoverage(c, "P1");
    if (!current.ok()) return current.status();
    EXPECT_TRUE(current->has_value());
    const int64_t version = current->has_value() ? (*current)->version() : 0;
    absl::Status written =
        store_sqlite::WriteCoverageVersion(c, "P1", "evt-2", MakeCoverage(version, "two"), Now());
    if (!written.ok()) return written;
    current = store_sqlite::ReadCurrentCoverage(c, "P1");
    if (!current.ok()) return current.status();
    EXPECT_EQ((*current)->coverage().name(), "two");
    absl::StatusOr<std::optional<v1::CoverageVersion>> none =
        store_sqlite::ReadCurrentCoverage(c, "P-unknown");
    EXPECT_TRUE(none.ok() && !none->has_value());
    return absl::OkStatus();
  });
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ((*store_->GetCurrentCoverage("P1"))->version(), 2);
}

TEST_F(StoreExtensionTest, FindPatientsByIdentityWorksInsideATransaction) {
  ASSERT_TRUE(RecordCheckin("evt-1", "P1", Now(), 0).ok());
  const CoverageUpdate card = MakeCoverage(0, "x");
  std::vector<std::string> found;
  ASSERT_TRUE(
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& c) -> absl::Status {
        absl::StatusOr<std::vector<std::string>> ids = store_sqlite::FindPatientsByIdentity(
            c, card.version.coverage().identifiers(), card.version.coverage().birth_date());
        if (!ids.ok()) return ids.status();
        found = *ids;
        return absl::OkStatus();
      }).ok());
  EXPECT_EQ(found, std::vector<std::string>{"P1"});
}

TEST_F(StoreExtensionTest, AReadTransactionThatWritesIsRolledBack) {
  absl::Status status = StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& c) {
    return store_sqlite::EnsurePatient(c, "P1", Now());
  });
  EXPECT_EQ(Reason(status), "ONSHI_INTERNAL");
  EXPECT_THAT(status.message(), HasSubstr("read transaction wrote"));
  EXPECT_FALSE(*store_->PatientExists("P1"));
}

TEST_F(StoreExtensionTest, TransactionsOfOneStoreRunOneAtATime) {
  // Read-modify-write through the API from several threads: no lost update.
  ASSERT_TRUE(RecordCheckin("evt-0", "P1", Now(), 0).ok());
  constexpr int kThreads = 4;
  constexpr int kEach = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        const std::string id = absl::StrCat("evt-", t, "-", i);
        absl::Status status = Write([&](Connection& c) -> absl::Status {
          absl::StatusOr<std::optional<v1::CoverageVersion>> current =
              store_sqlite::ReadCurrentCoverage(c, "P1");
          if (!current.ok()) return current.status();
          return store_sqlite::WriteCoverageVersion(c, "P1", id,
                                                    MakeCoverage((*current)->version(), id), Now());
        });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ((*store_->GetCurrentCoverage("P1"))->version(), 1 + kThreads * kEach);
}

TEST_F(StoreExtensionTest, ForkedChildCannotUseTheParentsStoreThroughTheApi) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    bool ran = false;
    absl::Status status = StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection&) {
      ran = true;
      return absl::OkStatus();
    });
    const bool refused = ReasonOf(status) == "ONSHI_STORE_UNAVAILABLE" && !ran;
    store_.reset();
    _exit(refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(RecordCheckin("evt-1", "P1", Now(), 0).ok());
}

}  // namespace
}  // namespace onshi
