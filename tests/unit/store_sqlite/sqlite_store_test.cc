#include "adapters/store_sqlite/sqlite_store.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;
using ::testing::Not;
using testing_support::FakeClock;
using testing_support::MakeAnswer;
using testing_support::MakeConfirmation;
using testing_support::MakeCoverage;
using testing_support::MakeEntry;
using testing_support::MakeResponse;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

constexpr int64_t kApplicationId = 0x4F4E5348;

int FileMode(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return -1;
  return static_cast<int>(info.st_mode & 07777);
}

bool SameEntry(const LedgerEntry& a, const LedgerEntry& b) {
  return a.request_id == b.request_id && a.file_id == b.file_id && a.state == b.state &&
         a.patient_id == b.patient_id && a.created_time == b.created_time &&
         a.deadline == b.deadline && a.updated_time == b.updated_time &&
         MessageDifferencer::Equals(a.request, b.request) &&
         MessageDifferencer::Equals(a.response, b.response) && a.error_code == b.error_code &&
         MessageDifferencer::Equals(a.error, b.error);
}

// ---------------------------------------------------------------------------------------------
// Opening, schema, files.

TEST(SqliteStoreOpenTest, NewFileIsMigratedToLatestSchemaAndMarkedAsOnshi) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  {
    auto store = SqliteStore::Open(path, &clock);
    ASSERT_TRUE(store.ok()) << store.status();
    absl::StatusOr<int64_t> version = (*store)->SchemaVersion();
    ASSERT_TRUE(version.ok()) << version.status();
    EXPECT_EQ(*version, SqliteStore::LatestSchemaVersion());
    EXPECT_GE(SqliteStore::LatestSchemaVersion(), 1);
    EXPECT_TRUE((*store)->CheckIntegrity().ok());
  }
  RawDb raw(path);
  EXPECT_EQ(raw.QueryInt("PRAGMA application_id"), kApplicationId);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM schema_migrations"),
            SqliteStore::LatestSchemaVersion());
  EXPECT_EQ(raw.QueryInt("SELECT min(version) FROM schema_migrations"), 1);
  for (const std::string& applied : raw.QueryColumn("SELECT applied_time FROM schema_migrations")) {
    EXPECT_THAT(applied, HasSubstr("2026-04-01T"));
  }
  std::vector<std::string> journal = raw.QueryColumn("PRAGMA journal_mode");
  ASSERT_EQ(journal.size(), 1u);
  EXPECT_EQ(journal[0], "wal");
}

TEST(SqliteStoreOpenTest, EmptyExistingFileIsMigrated) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("empty.db");
  std::ofstream(path).close();
  auto store = SqliteStore::Open(path, &clock);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->SchemaVersion(), SqliteStore::LatestSchemaVersion());
}

TEST(SqliteStoreOpenTest, ReopeningDoesNotApplyMigrationsAgain) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  ASSERT_TRUE(SqliteStore::Open(path, &clock).ok());
  std::vector<std::string> first;
  {
    RawDb raw(path);
    first = raw.QueryColumn("SELECT applied_time FROM schema_migrations ORDER BY version");
  }
  clock.Advance(absl::Hours(24));
  ASSERT_TRUE(SqliteStore::Open(path, &clock).ok());
  RawDb raw(path);
  EXPECT_EQ(raw.QueryColumn("SELECT applied_time FROM schema_migrations ORDER BY version"), first);
}

TEST(SqliteStoreOpenTest, SchemaNewerThanTheCodeIsRefused) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  ASSERT_TRUE(SqliteStore::Open(path, &clock).ok());
  {
    RawDb raw(path);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(raw.db(),
                                 "INSERT INTO schema_migrations (version, applied_time) "
                                 "VALUES (?1, '2030-01-01T00:00:00Z')",
                                 -1, &stmt, nullptr),
              SQLITE_OK);
    sqlite3_bind_int64(stmt, 1, SqliteStore::LatestSchemaVersion() + 1);
    ASSERT_EQ(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);
  }
  auto store = SqliteStore::Open(path, &clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Reason(store.status()), "ONSHI_STORE_UNAVAILABLE");
  EXPECT_THAT(store.status().message(), HasSubstr("newer than this onshi knows"));
}

TEST(SqliteStoreOpenTest, ForeignDatabaseIsRefusedAndLeftUntouched) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("other.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE patients (name TEXT)", nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = SqliteStore::Open(path, &clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(Reason(store.status()), "ONSHI_STORE_UNAVAILABLE");
  EXPECT_THAT(store.status().message(), HasSubstr("not an onshi database"));
  RawDb raw(path);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_schema"), 1);
  EXPECT_EQ(raw.QueryInt("PRAGMA application_id"), 0);
}

TEST(SqliteStoreOpenTest, DatabaseOfAnotherApplicationIdIsRefused) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("other.db");
  {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA application_id = 42", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
  }
  auto store = SqliteStore::Open(path, &clock);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("not an onshi database"));
}

TEST(SqliteStoreOpenTest, TablesWithoutTheirMigrationRecordFailAndChangeNothing) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  ASSERT_TRUE(SqliteStore::Open(path, &clock).ok());
  {
    RawDb raw(path);
    ASSERT_EQ(raw.Exec("DELETE FROM schema_migrations"), SQLITE_OK);
  }
  // Looks like version 0, so step 1 runs again and fails on the existing tables; the step's
  // transaction rolls back.
  auto store = SqliteStore::Open(path, &clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(Reason(store.status()), "ONSHI_STORE_UNAVAILABLE");
  EXPECT_THAT(store.status().message(), HasSubstr("SQLITE_ERROR during migration 1"));
  RawDb raw(path);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM schema_migrations"), 0);
}

TEST(SqliteStoreOpenTest, BadArgumentsAreRefused) {
  ScopedTempDir dir;
  FakeClock clock;
  auto no_clock = SqliteStore::Open(dir.File("a.db"), nullptr);
  EXPECT_EQ(no_clock.status().code(), absl::StatusCode::kInvalidArgument);
  for (const std::string& path : {std::string(), std::string(":memory:")}) {
    auto store = SqliteStore::Open(path, &clock);
    EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition) << path;
    EXPECT_EQ(Reason(store.status()), "ONSHI_CONFIG_INVALID");
  }
}

TEST(SqliteStoreOpenTest, MissingDirectoryIsUnavailable) {
  ScopedTempDir dir;
  FakeClock clock;
  auto store = SqliteStore::Open(dir.File("missing/onshi.db"), &clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(Reason(store.status()), "ONSHI_STORE_UNAVAILABLE");
  EXPECT_THAT(store.status().message(), HasSubstr("ENOENT"));
}

TEST(SqliteStoreOpenTest, SymlinkedDatabaseIsRefused) {
  ScopedTempDir dir;
  FakeClock clock;
  ASSERT_TRUE(SqliteStore::Open(dir.File("real.db"), &clock).ok());
  ASSERT_EQ(symlink(dir.File("real.db").c_str(), dir.File("link.db").c_str()), 0);
  auto store = SqliteStore::Open(dir.File("link.db"), &clock);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(Reason(store.status()), "ONSHI_STORE_UNAVAILABLE");
  EXPECT_THAT(store.status().message(), HasSubstr("SQLITE_CANTOPEN_SYMLINK"));
}

TEST(SqliteStoreOpenTest, DatabaseWalAndShmAreOwnerOnlyWhateverTheUmask) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  const mode_t old_umask = umask(0);
  {
    auto store = SqliteStore::Open(path, &clock);
    umask(old_umask);
    ASSERT_TRUE(store.ok()) << store.status();
    bool created = false;
    ASSERT_TRUE((*store)->CreateRequest(MakeEntry("req-00000001", "P1"), &created).ok());
    // While the store is open the WAL and the shared-memory index exist.
    EXPECT_EQ(FileMode(path), 0600);
    EXPECT_EQ(FileMode(path + "-wal"), 0600);
    EXPECT_EQ(FileMode(path + "-shm"), 0600);
  }
  umask(old_umask);
  EXPECT_EQ(FileMode(path), 0600);
}

TEST(SqliteStoreOpenTest, ConcurrentOpensOfANewFileAllSucceed) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  std::vector<absl::Status> results(6);
  std::vector<std::unique_ptr<SqliteStore>> stores(results.size());
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      auto store = SqliteStore::Open(path, &clock);
      results[i] = store.status();
      if (store.ok()) stores[i] = *std::move(store);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& status : results) EXPECT_TRUE(status.ok()) << status;
  RawDb raw(path);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM schema_migrations"),
            SqliteStore::LatestSchemaVersion());
  // One identity digest key, which every instance uses: a patient indexed through one store is
  // found through each of the others.
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM store_keys"), 1);
  for (const auto& store : stores) ASSERT_NE(store, nullptr);
  EXPECT_TRUE(stores[0]->CheckIntegrity().ok());
  ASSERT_TRUE(stores[1]->CreateRequest(MakeEntry("req-00000001", "P1"), nullptr).ok());
  LedgerTransition answer = MakeAnswer("req-00000001", "x");
  answer.coverage = MakeCoverage(0, "x");
  ASSERT_TRUE(stores[1]->ApplyTransition(answer).ok());
  for (const auto& store : stores) {
    absl::StatusOr<std::vector<std::string>> found = store->FindPatientsByIdentity(
        answer.coverage->version.coverage().identifiers(), "19850412");
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(*found, std::vector<std::string>{"P1"});
  }
}

// ---------------------------------------------------------------------------------------------
// The ledger and the record.

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto store = SqliteStore::Open(path_, &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  LedgerEntry Create(const LedgerEntry& entry) {
    bool created = false;
    absl::StatusOr<LedgerEntry> stored = store_->CreateRequest(entry, &created);
    EXPECT_TRUE(stored.ok()) << stored.status();
    EXPECT_TRUE(created);
    return stored.ok() ? *stored : LedgerEntry();
  }

  LedgerEntry Find(const std::string& request_id) {
    absl::StatusOr<std::optional<LedgerEntry>> found = store_->FindRequest(request_id);
    EXPECT_TRUE(found.ok()) << found.status();
    EXPECT_TRUE(found.ok() && found->has_value()) << request_id;
    return found.ok() && found->has_value() ? **found : LedgerEntry();
  }

  // Moves a fresh pending entry to `state`.
  void Drive(const std::string& request_id, LedgerState state) {
    if (state == LedgerState::kPending) return;
    LedgerTransition transition;
    transition.request_id = request_id;
    transition.to = state;
    if (state == LedgerState::kFailed) {
      transition.error_code = absl::StatusCode::kUnavailable;
      transition.error = ToErrorDetail(MakeError(errors::kTerminalFailed));
    } else {
      transition.response = MakeResponse(v1::CHECK_OUTCOME_ANSWERED, "drive");
    }
    ASSERT_TRUE(store_->ApplyTransition(transition).ok());
  }

  ScopedTempDir dir_;
  const std::string path_ = dir_.File("onshi.db");
  FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(SqliteStoreTest, CreateRequestStoresPendingEntryAndCreatesItsPatient) {
  LedgerEntry entry = MakeEntry("req-00000001", "P1");
  const absl::Time before = clock_.Now();
  LedgerEntry stored = Create(entry);
  EXPECT_EQ(stored.request_id, "req-00000001");
  EXPECT_EQ(stored.file_id, "F-req-00000001");
  EXPECT_EQ(stored.state, LedgerState::kPending);
  EXPECT_EQ(stored.patient_id, "P1");
  EXPECT_GT(stored.created_time, before);
  EXPECT_EQ(stored.updated_time, stored.created_time);
  EXPECT_EQ(stored.deadline, entry.deadline);
  EXPECT_TRUE(MessageDifferencer::Equals(stored.request, entry.request));
  EXPECT_EQ(stored.response.ByteSizeLong(), 0u);
  EXPECT_EQ(stored.error_code, absl::StatusCode::kOk);

  EXPECT_TRUE(SameEntry(Find("req-00000001"), stored));
  absl::StatusOr<std::optional<LedgerEntry>> by_file =
      store_->FindRequestByFileId("F-req-00000001");
  ASSERT_TRUE(by_file.ok() && by_file->has_value());
  EXPECT_TRUE(SameEntry(**by_file, stored));

  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->patient_id(), "P1");
  EXPECT_FALSE(record->has_current_coverage());
  EXPECT_EQ(record->confirmations_size(), 0);
  EXPECT_GT(record->created_time().seconds(), 0);
}

TEST_F(SqliteStoreTest, CreateRequestWithKnownIdReturnsTheStoredEntryUnchanged) {
  LedgerEntry original = Create(MakeEntry("req-00000001", "P1"));
  LedgerEntry retry = MakeEntry("req-00000001", "P2");
  retry.file_id = "F-other";
  retry.request.set_birth_date("19900101");
  bool created = true;
  absl::StatusOr<LedgerEntry> again = store_->CreateRequest(retry, &created);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(created);
  EXPECT_TRUE(SameEntry(*again, original));
  RawDb raw(path_);
  EXPECT_EQ(raw.RowCounts().requests, 1);
  EXPECT_EQ(raw.RowCounts().patients, 1);
  absl::StatusOr<std::optional<LedgerEntry>> other = store_->FindRequestByFileId("F-other");
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->has_value());
  // A null `created` is allowed.
  EXPECT_TRUE(store_->CreateRequest(retry, nullptr).ok());
}

TEST_F(SqliteStoreTest, CreateRequestWithoutPatientCreatesNoPatient) {
  LedgerEntry stored = Create(MakeEntry("req-00000001"));
  EXPECT_EQ(stored.patient_id, "");
  RawDb raw(path_);
  EXPECT_EQ(raw.RowCounts().patients, 0);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM requests WHERE patient_id IS NULL"), 1);
}

TEST_F(SqliteStoreTest, SecondRequestForAPatientKeepsThePatientRow) {
  Create(MakeEntry("req-00000001", "P1"));
  absl::StatusOr<v1::PatientRecord> first = store_->GetPatientRecord("P1");
  Create(MakeEntry("req-00000002", "P1"));
  absl::StatusOr<v1::PatientRecord> second = store_->GetPatientRecord("P1");
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(first->created_time(), second->created_time()));
  EXPECT_EQ(RawDb(path_).RowCounts().patients, 1);
}

TEST_F(SqliteStoreTest, CreateRequestRefusesAFileIdOfAnotherRequest) {
  Create(MakeEntry("req-00000001", "P1"));
  LedgerEntry clash = MakeEntry("req-00000002", "P2");
  clash.file_id = "F-req-00000001";
  bool created = true;
  absl::StatusOr<LedgerEntry> refused = store_->CreateRequest(clash, &created);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(refused.status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_THAT(refused.status().message(), Not(HasSubstr("F-req-00000001")));
  RawDb raw(path_);
  EXPECT_EQ(raw.RowCounts().requests, 1);
  // The patient of the refused request was not created either.
  EXPECT_EQ(raw.RowCounts().patients, 1);
}

TEST_F(SqliteStoreTest, CreateRequestRefusesMalformedEntries) {
  LedgerEntry no_id = MakeEntry("");
  EXPECT_EQ(store_->CreateRequest(no_id, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  LedgerEntry no_file = MakeEntry("req-00000001");
  no_file.file_id.clear();
  EXPECT_EQ(store_->CreateRequest(no_file, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  LedgerEntry answered = MakeEntry("req-00000002");
  answered.state = LedgerState::kAnswered;
  EXPECT_EQ(store_->CreateRequest(answered, nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  LedgerEntry bad_utf8 = MakeEntry("req-00000003");
  bad_utf8.request.set_birth_date(std::string("\xff\xfe", 2));
  absl::StatusOr<LedgerEntry> refused = store_->CreateRequest(bad_utf8, nullptr);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(refused.status().message(), HasSubstr("not valid UTF-8"));
  EXPECT_EQ(RawDb(path_).RowCounts().requests, 0);
}

TEST_F(SqliteStoreTest, UnknownIdsAreNotFound) {
  absl::StatusOr<std::optional<LedgerEntry>> by_id = store_->FindRequest("req-missing");
  ASSERT_TRUE(by_id.ok());
  EXPECT_FALSE(by_id->has_value());
  absl::StatusOr<std::optional<LedgerEntry>> by_file = store_->FindRequestByFileId("F-missing");
  ASSERT_TRUE(by_file.ok());
  EXPECT_FALSE(by_file->has_value());
  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P-missing");
  EXPECT_EQ(record.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Reason(record.status()), "ONSHI_PATIENT_NOT_FOUND");
  absl::StatusOr<std::optional<v1::CoverageVersion>> coverage =
      store_->GetCurrentCoverage("P-missing");
  ASSERT_TRUE(coverage.ok());
  EXPECT_FALSE(coverage->has_value());
}

TEST_F(SqliteStoreTest, DeadlinesRoundTripIncludingInfinity) {
  LedgerEntry forever = MakeEntry("req-00000001", "", absl::InfiniteFuture());
  EXPECT_EQ(Create(forever).deadline, absl::InfiniteFuture());
  LedgerEntry past = MakeEntry("req-00000002", "", absl::InfinitePast());
  EXPECT_EQ(Create(past).deadline, absl::InfinitePast());
  LedgerEntry precise =
      MakeEntry("req-00000003", "", absl::FromUnixMicros(1775001630123456) + absl::Nanoseconds(7));
  EXPECT_EQ(Create(precise).deadline, absl::FromUnixMicros(1775001630123456));
}

TEST_F(SqliteStoreTest, ListPendingRequestsIsOldestFirstAndOnlyPending) {
  Create(MakeEntry("req-00000003", "P1"));
  Create(MakeEntry("req-00000001", "P2"));
  Create(MakeEntry("req-00000002"));
  Drive("req-00000001", LedgerState::kUnconfirmed);
  absl::StatusOr<std::vector<LedgerEntry>> pending = store_->ListPendingRequests();
  ASSERT_TRUE(pending.ok()) << pending.status();
  ASSERT_EQ(pending->size(), 2u);
  EXPECT_EQ((*pending)[0].request_id, "req-00000003");
  EXPECT_EQ((*pending)[1].request_id, "req-00000002");
  EXPECT_TRUE(SameEntry((*pending)[0], Find("req-00000003")));
}

TEST_F(SqliteStoreTest, AnsweredTransitionStoresResponseAndConfirmation) {
  LedgerEntry created = Create(MakeEntry("req-00000001", "P1"));
  LedgerTransition answer = MakeAnswer("req-00000001", "山田　太郎");
  ASSERT_TRUE(store_->ApplyTransition(answer).ok());
  LedgerEntry stored = Find("req-00000001");
  EXPECT_EQ(stored.state, LedgerState::kAnswered);
  EXPECT_TRUE(MessageDifferencer::Equals(stored.response, answer.response));
  EXPECT_GT(stored.updated_time, created.updated_time);
  EXPECT_EQ(stored.created_time, created.created_time);
  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(record->confirmations_size(), 1);
  v1::Confirmation expected = *answer.confirmation;
  expected.set_request_id("req-00000001");
  EXPECT_TRUE(MessageDifferencer::Equals(record->confirmations(0), expected));
}

TEST_F(SqliteStoreTest, FailedTransitionStoresErrorCodeAndDetail) {
  Create(MakeEntry("req-00000001", "P1"));
  LedgerTransition failed;
  failed.request_id = "req-00000001";
  failed.to = LedgerState::kFailed;
  failed.error_code = absl::StatusCode::kFailedPrecondition;
  failed.error = ToErrorDetail(MakeError(errors::kTerminalRejectedRequest, "err code X1"));
  failed.confirmation = MakeConfirmation(v1::CHECK_OUTCOME_UNSPECIFIED, false);
  ASSERT_TRUE(store_->ApplyTransition(failed).ok());
  LedgerEntry stored = Find("req-00000001");
  EXPECT_EQ(stored.state, LedgerState::kFailed);
  EXPECT_EQ(stored.error_code, absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(MessageDifferencer::Equals(stored.error, failed.error));
  EXPECT_EQ(stored.response.ByteSizeLong(), 0u);
}

TEST_F(SqliteStoreTest, LateAnswerReplacesTheUnconfirmedConfirmation) {
  Create(MakeEntry("req-00000001", "P1"));
  LedgerTransition unconfirmed;
  unconfirmed.request_id = "req-00000001";
  unconfirmed.to = LedgerState::kUnconfirmed;
  unconfirmed.response.set_outcome(v1::CHECK_OUTCOME_UNCONFIRMED);
  unconfirmed.confirmation = MakeConfirmation(v1::CHECK_OUTCOME_UNCONFIRMED, false);
  ASSERT_TRUE(store_->ApplyTransition(unconfirmed).ok());

  LedgerTransition late;
  late.request_id = "req-00000001";
  late.from = LedgerState::kUnconfirmed;
  late.to = LedgerState::kLate;
  late.response = MakeResponse(v1::CHECK_OUTCOME_LATE_ANSWER, "late");
  late.confirmation = MakeConfirmation(v1::CHECK_OUTCOME_LATE_ANSWER, true);
  ASSERT_TRUE(store_->ApplyTransition(late).ok());

  EXPECT_EQ(Find("req-00000001").state, LedgerState::kLate);
  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(record->confirmations_size(), 1);
  EXPECT_TRUE(record->confirmations(0).late());
  EXPECT_EQ(record->confirmations(0).outcome(), v1::CHECK_OUTCOME_LATE_ANSWER);
  RawDb raw(path_);
  EXPECT_EQ(raw.RowCounts().confirmations, 1);
  EXPECT_EQ(raw.QueryInt("SELECT late FROM confirmations"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT outcome FROM confirmations"), v1::CHECK_OUTCOME_LATE_ANSWER);
}

TEST_F(SqliteStoreTest, EveryStateCanMoveToEveryOtherNonPendingState) {
  const LedgerState kStates[] = {LedgerState::kPending, LedgerState::kAnswered,
                                 LedgerState::kFailed, LedgerState::kUnconfirmed,
                                 LedgerState::kLate};
  int count = 0;
  for (LedgerState from : kStates) {
    for (LedgerState to : kStates) {
      if (to == LedgerState::kPending || to == from) continue;
      const std::string id = "req-transition-" + std::to_string(count++);
      Create(MakeEntry(id, "P1"));
      Drive(id, from);
      LedgerTransition transition;
      transition.request_id = id;
      transition.from = from;
      transition.to = to;
      if (to == LedgerState::kFailed) {
        transition.error_code = absl::StatusCode::kInternal;
        transition.error = ToErrorDetail(MakeError(errors::kTerminalMalformedAnswer));
      } else {
        transition.response = MakeResponse(v1::CHECK_OUTCOME_ANSWERED, id);
      }
      absl::Status status = store_->ApplyTransition(transition);
      ASSERT_TRUE(status.ok()) << static_cast<int>(from) << "->" << static_cast<int>(to) << ": "
                               << status;
      LedgerEntry stored = Find(id);
      EXPECT_EQ(stored.state, to);
      EXPECT_EQ(stored.error_code, transition.error_code);
      EXPECT_TRUE(MessageDifferencer::Equals(stored.response, transition.response));
    }
  }
  EXPECT_EQ(count, 16);
}

TEST_F(SqliteStoreTest, TransitionFromAStateTheEntryIsNotInIsAConflictAndWritesNothing) {
  Create(MakeEntry("req-00000001", "P1"));
  ASSERT_TRUE(store_->ApplyTransition(MakeAnswer("req-00000001", "first")).ok());
  LedgerEntry before = Find("req-00000001");
  RawDb raw(path_);
  const RawDb::Counts counts = raw.RowCounts();

  LedgerTransition stale = MakeAnswer("req-00000001", "second");
  stale.coverage = MakeCoverage(0, "second");
  absl::Status status = store_->ApplyTransition(stale);
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Reason(status), "ONSHI_STORE_CONFLICT");
  EXPECT_THAT(status.message(), Not(HasSubstr("req-00000001")));
  EXPECT_TRUE(SameEntry(Find("req-00000001"), before));
  EXPECT_EQ(raw.RowCounts(), counts);
  EXPECT_TRUE(ToErrorDetail(status).retryable());
}

TEST_F(SqliteStoreTest, MalformedTransitionsAreRefused) {
  Create(MakeEntry("req-00000001", "P1"));
  Create(MakeEntry("req-00000002"));
  std::vector<LedgerTransition> bad;
  {
    LedgerTransition t = MakeAnswer("req-00000001", "x");
    t.to = LedgerState::kPending;
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("req-00000001", "x");
    t.to = LedgerState::kPending;
    t.from = LedgerState::kPending;
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("req-00000001", "x");
    t.to = static_cast<LedgerState>(9);
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("req-00000001", "x");
    t.to = LedgerState::kFailed;  // without an error code
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("req-00000001", "x");
    t.error_code = absl::StatusCode::kInternal;  // an error on an answer
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("req-00000001", "x");
    t.confirmation->set_request_id("req-00000002");
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("req-00000001", "x");
    t.coverage = MakeCoverage(0, "x");
    t.coverage->version.set_version(5);
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("req-00000001", "x");
    t.coverage = MakeCoverage(-1, "x");
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("req-00000002", "x");  // a confirmation, no patient
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("req-00000002", "x");  // a coverage, no patient
    t.confirmation.reset();
    t.coverage = MakeCoverage(0, "x");
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("req-unknown", "x");
    bad.push_back(t);
  }
  {
    LedgerTransition t = MakeAnswer("", "x");
    bad.push_back(t);
  }
  RawDb raw(path_);
  const RawDb::Counts counts = raw.RowCounts();
  for (size_t i = 0; i < bad.size(); ++i) {
    absl::Status status = store_->ApplyTransition(bad[i]);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << i << ": " << status;
    EXPECT_EQ(Reason(status), "ONSHI_INVALID_ARGUMENT") << i;
  }
  EXPECT_EQ(raw.RowCounts(), counts);
  EXPECT_EQ(Find("req-00000001").state, LedgerState::kPending);
  EXPECT_EQ(Find("req-00000002").state, LedgerState::kPending);
}

TEST_F(SqliteStoreTest, CoverageVersionsFollowOneAnother) {
  Create(MakeEntry("req-00000001", "P1"));
  LedgerTransition first = MakeAnswer("req-00000001", "first");
  first.coverage = MakeCoverage(0, "first", "06139806", "req-00000001");
  ASSERT_TRUE(store_->ApplyTransition(first).ok());
  absl::StatusOr<std::optional<v1::CoverageVersion>> current = store_->GetCurrentCoverage("P1");
  ASSERT_TRUE(current.ok() && current->has_value());
  EXPECT_EQ((*current)->version(), 1);
  EXPECT_EQ((*current)->coverage().name(), "first");

  Create(MakeEntry("req-00000002", "P1"));
  LedgerTransition second = MakeAnswer("req-00000002", "second");
  second.coverage = MakeCoverage((*current)->version(), "second", "39131013", "req-00000002");
  ASSERT_TRUE(store_->ApplyTransition(second).ok());
  current = store_->GetCurrentCoverage("P1");
  ASSERT_TRUE(current.ok() && current->has_value());
  EXPECT_EQ((*current)->version(), 2);
  EXPECT_EQ((*current)->coverage().identifiers().insurer_number(), "39131013");
  EXPECT_EQ((*current)->field_provenance().at("name").version(), 2);

  RawDb raw(path_);
  EXPECT_EQ(raw.QueryColumn("SELECT check_id FROM coverage_versions ORDER BY version"),
            (std::vector<std::string>{"req-00000001", "req-00000002"}));
  EXPECT_EQ(raw.QueryInt("SELECT max(source) FROM coverage_versions"), v1::SOURCE_TERMINAL_ANSWER);
}

TEST_F(SqliteStoreTest, StaleCoverageVersionIsRefusedAndRollsBackTheWholeTransition) {
  Create(MakeEntry("req-00000001", "P1"));
  Create(MakeEntry("req-00000002", "P1"));
  // Both callers read "no coverage yet" (version 0).
  LedgerTransition winner = MakeAnswer("req-00000001", "winner");
  winner.coverage = MakeCoverage(0, "winner");
  LedgerTransition loser = MakeAnswer("req-00000002", "loser");
  loser.coverage = MakeCoverage(0, "loser");
  ASSERT_TRUE(store_->ApplyTransition(winner).ok());
  LedgerEntry loser_before = Find("req-00000002");
  RawDb raw(path_);
  const RawDb::Counts counts = raw.RowCounts();

  absl::Status status = store_->ApplyTransition(loser);
  EXPECT_EQ(status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Reason(status), "ONSHI_STORE_CONFLICT");
  EXPECT_THAT(status.message(), HasSubstr("version 1, not the expected 0"));
  // Nothing of the loser's transaction remains: state, response, confirmation, coverage.
  EXPECT_TRUE(SameEntry(Find("req-00000002"), loser_before));
  EXPECT_EQ(raw.RowCounts(), counts);
  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->current_coverage().coverage().name(), "winner");
  EXPECT_EQ(record->coverage_history_size(), 0);
  ASSERT_EQ(record->confirmations_size(), 1);
  EXPECT_EQ(record->confirmations(0).request_id(), "req-00000001");

  // Re-read and retry: the same transition with the current version goes through.
  loser.coverage = MakeCoverage(1, "loser");
  ASSERT_TRUE(store_->ApplyTransition(loser).ok());
  EXPECT_EQ(Find("req-00000002").state, LedgerState::kAnswered);
  EXPECT_EQ((*store_->GetCurrentCoverage("P1"))->version(), 2);
}

TEST_F(SqliteStoreTest, CoverageWithoutRecordedTimeGetsTheStoreClockTime) {
  Create(MakeEntry("req-00000001", "P1"));
  LedgerTransition answer = MakeAnswer("req-00000001", "x");
  answer.coverage = MakeCoverage(0, "x");
  const absl::Time before = clock_.Now();
  ASSERT_TRUE(store_->ApplyTransition(answer).ok());
  absl::StatusOr<std::optional<v1::CoverageVersion>> current = store_->GetCurrentCoverage("P1");
  ASSERT_TRUE(current.ok() && current->has_value());
  EXPECT_GT((*current)->recorded_time().seconds(), absl::ToUnixSeconds(before) - 1);

  Create(MakeEntry("req-00000002", "P1"));
  LedgerTransition given = MakeAnswer("req-00000002", "y");
  given.coverage = MakeCoverage(1, "y");
  given.coverage->version.mutable_recorded_time()->set_seconds(1700000000);
  ASSERT_TRUE(store_->ApplyTransition(given).ok());
  EXPECT_EQ((*store_->GetCurrentCoverage("P1"))->recorded_time().seconds(), 1700000000);
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT recorded_time FROM coverage_versions WHERE version = 2"),
            1700000000LL * 1000000);
}

TEST_F(SqliteStoreTest, PatientRecordListsNewestFirst) {
  for (int i = 1; i <= 3; ++i) {
    const std::string id = "req-0000000" + std::to_string(i);
    Create(MakeEntry(id, "P1"));
  }
  // Answer them out of order: the confirmations still come newest check first.
  int64_t version = 0;
  for (int i : {2, 3, 1}) {
    const std::string id = "req-0000000" + std::to_string(i);
    LedgerTransition answer = MakeAnswer(id, "name " + std::to_string(i));
    answer.coverage = MakeCoverage(version, "name " + std::to_string(i));
    ASSERT_TRUE(store_->ApplyTransition(answer).ok());
    ++version;
  }
  Create(MakeEntry("req-other", "P2"));
  ASSERT_TRUE(store_->ApplyTransition(MakeAnswer("req-other", "other")).ok());

  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->current_coverage().version(), 3);
  EXPECT_EQ(record->current_coverage().coverage().name(), "name 1");
  ASSERT_EQ(record->coverage_history_size(), 2);
  EXPECT_EQ(record->coverage_history(0).version(), 2);
  EXPECT_EQ(record->coverage_history(1).version(), 1);
  ASSERT_EQ(record->confirmations_size(), 3);
  EXPECT_EQ(record->confirmations(0).request_id(), "req-00000003");
  EXPECT_EQ(record->confirmations(1).request_id(), "req-00000002");
  EXPECT_EQ(record->confirmations(2).request_id(), "req-00000001");
}

TEST_F(SqliteStoreTest, EverythingSurvivesClosingAndReopening) {
  Create(MakeEntry("req-00000001", "P1"));
  Create(MakeEntry("req-00000002", "P1"));
  Create(MakeEntry("req-00000003"));
  LedgerTransition answer = MakeAnswer("req-00000001", "山田　花子");
  answer.coverage = MakeCoverage(0, "山田　花子");
  ASSERT_TRUE(store_->ApplyTransition(answer).ok());
  Drive("req-00000003", LedgerState::kFailed);

  std::vector<LedgerEntry> before;
  for (const char* id : {"req-00000001", "req-00000002", "req-00000003"}) {
    before.push_back(Find(id));
  }
  absl::StatusOr<v1::PatientRecord> record_before = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record_before.ok());

  Reopen();
  for (const LedgerEntry& entry : before) {
    EXPECT_TRUE(SameEntry(Find(entry.request_id), entry)) << entry.request_id;
  }
  absl::StatusOr<v1::PatientRecord> record_after = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record_after.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*record_before, *record_after));
  absl::StatusOr<std::vector<LedgerEntry>> pending = store_->ListPendingRequests();
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  EXPECT_EQ((*pending)[0].request_id, "req-00000002");
  EXPECT_TRUE(store_->CheckIntegrity().ok());
}

TEST_F(SqliteStoreTest, StoredBlobsAreDeterministicSerializations) {
  Create(MakeEntry("req-00000001", "P1"));
  LedgerTransition answer = MakeAnswer("req-00000001", "x");
  answer.coverage = MakeCoverage(0, "x");
  for (int i = 0; i < 20; ++i) {
    v1::FieldProvenance field;
    field.set_version(1);
    (*answer.coverage->version.mutable_field_provenance())["field." + std::to_string(i)] = field;
  }
  ASSERT_TRUE(store_->ApplyTransition(answer).ok());
  v1::CoverageVersion expected = answer.coverage->version;
  *expected.mutable_recorded_time() = (*store_->GetCurrentCoverage("P1"))->recorded_time();
  std::string deterministic;
  {
    google::protobuf::io::StringOutputStream stream(&deterministic);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    ASSERT_TRUE(expected.SerializeToCodedStream(&coded));
  }
  RawDb raw(path_);
  std::vector<std::string> content = raw.QueryColumn("SELECT content FROM coverage_versions");
  ASSERT_EQ(content.size(), 1u);
  EXPECT_EQ(content[0], deterministic);
}

TEST_F(SqliteStoreTest, InsuranceNumbersAppearOnlyInsideMessageBlobs) {
  const std::string kInsurer = "67123457";
  const std::string kNumber = "98765432";
  const std::string kSymbol = "記号カナリア";
  LedgerEntry entry = MakeEntry("req-00000001", "P1");
  entry.request.mutable_identifiers()->set_insurer_number(kInsurer);
  entry.request.mutable_identifiers()->set_insured_identification_number(kNumber);
  entry.request.mutable_identifiers()->set_insured_card_symbol(kSymbol);
  Create(entry);
  LedgerTransition answer = MakeAnswer("req-00000001", "x");
  answer.coverage = MakeCoverage(0, "x", kInsurer);
  v1::QualificationRecord* coverage = answer.coverage->version.mutable_coverage();
  coverage->mutable_identifiers()->set_insured_identification_number(kNumber);
  coverage->mutable_identifiers()->set_insured_card_symbol(kSymbol);
  coverage->set_birth_date("19850412");
  ASSERT_TRUE(store_->ApplyTransition(answer).ok());
  // The patient is indexed by identity (so the digest table is not empty).
  absl::StatusOr<std::vector<std::string>> found =
      store_->FindPatientsByIdentity(coverage->identifiers(), "19850412");
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(*found, std::vector<std::string>{"P1"});

  RawDb raw(path_);
  // Every column of every table (found in the schema, so tables added later are scanned too),
  // except the serialized messages that make up the record, and the schema text itself.
  const std::set<std::string> kMessageColumns = {"requests.request", "requests.response",
                                                 "requests.error", "coverage_versions.content",
                                                 "confirmations.content"};
  int scanned = 0;
  for (const std::string& table :
       raw.QueryColumn("SELECT name FROM sqlite_schema WHERE type = 'table'")) {
    for (const std::string& column :
         raw.QueryColumn(("SELECT name FROM pragma_table_info('" + table + "')").c_str())) {
      if (kMessageColumns.count(table + "." + column) > 0) continue;
      ++scanned;
      const std::string query = "SELECT CAST(\"" + column + "\" AS BLOB) FROM \"" + table + "\"";
      for (const std::string& value : raw.QueryColumn(query.c_str())) {
        EXPECT_THAT(value, Not(HasSubstr(kInsurer))) << table << "." << column;
        EXPECT_THAT(value, Not(HasSubstr(kNumber))) << table << "." << column;
        EXPECT_THAT(value, Not(HasSubstr(kSymbol))) << table << "." << column;
      }
    }
  }
  EXPECT_GE(scanned, 30);
  for (const std::string& sql :
       raw.QueryColumn("SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL")) {
    EXPECT_THAT(sql, Not(HasSubstr(kInsurer)));
    EXPECT_THAT(sql, Not(HasSubstr(kNumber)));
  }
  // The identity index holds 32-byte digests only, one for the patient; the key is 32 bytes.
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM patient_identities"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM patient_identities WHERE length(digest) <> 32"), 0);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM store_keys"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT length(value) FROM store_keys"), 32);
  // The numbers are there, inside the request and coverage messages.
  std::vector<std::string> requests = raw.QueryColumn("SELECT request FROM requests");
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0], HasSubstr(kNumber));
  std::vector<std::string> contents = raw.QueryColumn("SELECT content FROM coverage_versions");
  ASSERT_EQ(contents.size(), 1u);
  EXPECT_THAT(contents[0], HasSubstr(kInsurer));
}

TEST_F(SqliteStoreTest, ErrorTextsNameNoValues) {
  Create(MakeEntry("req-secret-id", "patient-secret"));
  ASSERT_TRUE(store_->ApplyTransition(MakeAnswer("req-secret-id", "x")).ok());
  std::vector<absl::Status> errors;
  errors.push_back(store_->ApplyTransition(MakeAnswer("req-secret-id", "x")));
  errors.push_back(store_->GetPatientRecord("patient-unknown-secret").status());
  LedgerEntry clash = MakeEntry("req-other-secret", "patient-secret");
  clash.file_id = "F-req-secret-id";
  errors.push_back(store_->CreateRequest(clash, nullptr).status());
  for (const absl::Status& status : errors) {
    ASSERT_FALSE(status.ok());
    const v1::ErrorDetail detail = ToErrorDetail(status);
    EXPECT_THAT(detail.it_message(), Not(HasSubstr("secret"))) << status;
    EXPECT_THAT(detail.staff_message(), Not(HasSubstr("secret"))) << status;
  }
}

TEST_F(SqliteStoreTest, HealthFailsWhenTheFileIsRenamedUnderTheStore) {
  Create(MakeEntry("req-00000001", "P1"));
  EXPECT_TRUE(store_->CheckHealth().ok());
  ASSERT_EQ(rename(path_.c_str(), dir_.File("moved.db").c_str()), 0);
  absl::Status status = store_->CheckHealth();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Reason(status), "ONSHI_STORE_UNAVAILABLE");
  EXPECT_THAT(status.message(), HasSubstr("deleted or renamed"));
  ASSERT_EQ(rename(dir_.File("moved.db").c_str(), path_.c_str()), 0);
  EXPECT_TRUE(store_->CheckHealth().ok());
}

TEST_F(SqliteStoreTest, CheckIntegrityReportsForeignKeyDamage) {
  Create(MakeEntry("req-00000001", "P1"));
  EXPECT_TRUE(store_->CheckIntegrity().ok());
  {
    RawDb raw(path_);
    ASSERT_EQ(raw.Exec("PRAGMA foreign_keys = OFF"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("DELETE FROM patients"), SQLITE_OK);
  }
  absl::Status status = store_->CheckIntegrity();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), HasSubstr("foreign_key_check reported 1"));
}

TEST_F(SqliteStoreTest, BackupIsAConsistentOwnerOnlyCopy) {
  Create(MakeEntry("req-00000001", "P1"));
  LedgerTransition answer = MakeAnswer("req-00000001", "x");
  answer.coverage = MakeCoverage(0, "x");
  ASSERT_TRUE(store_->ApplyTransition(answer).ok());
  const std::string backup = dir_.File("backup.db");
  const mode_t old_umask = umask(0);
  absl::Status status = store_->BackupTo(backup);
  umask(old_umask);
  ASSERT_TRUE(status.ok()) << status;
  EXPECT_EQ(FileMode(backup), 0600);

  // Exists already: refused, and the existing file is left alone.
  absl::Status again = store_->BackupTo(backup);
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(again), "ONSHI_CONFIG_INVALID");

  auto copy = SqliteStore::Open(backup, &clock_);
  ASSERT_TRUE(copy.ok()) << copy.status();
  EXPECT_TRUE((*copy)->CheckIntegrity().ok());
  absl::StatusOr<v1::PatientRecord> original = store_->GetPatientRecord("P1");
  absl::StatusOr<v1::PatientRecord> restored = (*copy)->GetPatientRecord("P1");
  ASSERT_TRUE(original.ok() && restored.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*original, *restored));
}

TEST_F(SqliteStoreTest, BackupDuringWritesIsACommittedPrefix) {
  std::atomic<bool> stop{false};
  std::atomic<bool> done{false};
  std::atomic<int> written{0};
  std::thread writer([&] {
    for (int i = 0; !stop.load() && i < 2000; ++i) {
      const std::string id = "req-bg-" + std::to_string(i);
      if (!store_->CreateRequest(MakeEntry(id, "P" + std::to_string(i % 5)), nullptr).ok()) break;
      if (!store_->ApplyTransition(MakeAnswer(id, "bg")).ok()) break;
      written.store(i + 1);
    }
    done.store(true);
  });
  std::vector<std::string> backups;
  for (int i = 0; i < 5; ++i) {
    while (written.load() < (i + 1) * 10 && !done.load()) std::this_thread::yield();
    backups.push_back(dir_.File("backup-" + std::to_string(i) + ".db"));
    absl::Status status = store_->BackupTo(backups.back());
    ASSERT_TRUE(status.ok()) << status;
  }
  stop.store(true);
  writer.join();
  EXPECT_GE(written.load(), 50);
  for (const std::string& backup : backups) {
    auto copy = SqliteStore::Open(backup, &clock_);
    ASSERT_TRUE(copy.ok()) << copy.status();
    EXPECT_TRUE((*copy)->CheckIntegrity().ok());
    RawDb raw(backup);
    const int64_t requests = raw.RowCounts().requests;
    // A committed prefix: requests 0..n-1 exist, each answered except possibly the last one.
    const int64_t answered = raw.QueryInt("SELECT count(*) FROM requests WHERE state = 2");
    EXPECT_GE(answered, requests - 1);
    EXPECT_EQ(raw.RowCounts().confirmations, answered);
    for (int64_t i = 0; i < requests; ++i) {
      absl::StatusOr<std::optional<LedgerEntry>> found =
          (*copy)->FindRequest("req-bg-" + std::to_string(i));
      ASSERT_TRUE(found.ok() && found->has_value()) << i;
    }
  }
}

TEST_F(SqliteStoreTest, ForkedChildCannotUseTheParentsStore) {
  Create(MakeEntry("req-00000001", "P1"));
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // In the child: every call is refused, and destroying the store leaves the parent's
    // connection alone. _exit skips every other destructor.
    absl::StatusOr<std::optional<LedgerEntry>> found = store_->FindRequest("req-00000001");
    const bool refused = !found.ok() && ReasonOf(found.status()) == "ONSHI_STORE_UNAVAILABLE";
    const bool write_refused = !store_->CreateRequest(MakeEntry("req-child"), nullptr).ok();
    store_.reset();
    _exit(refused && write_refused ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  // The parent's connection works as before.
  Create(MakeEntry("req-00000002", "P1"));
  EXPECT_EQ(Find("req-00000001").state, LedgerState::kPending);
  absl::StatusOr<std::optional<LedgerEntry>> child_entry = store_->FindRequest("req-child");
  ASSERT_TRUE(child_entry.ok());
  EXPECT_FALSE(child_entry->has_value());
  EXPECT_TRUE(store_->CheckIntegrity().ok());
}

}  // namespace
}  // namespace onshi
