// SqliteWriteBackStore on real SQLite files: the write-back ledger row and the coverage version
// in one transaction, idempotency by request_id, the version compare-and-set, patient creation,
// the who/why columns, racing writers, and rows surviving a reopen.

#include "adapters/store_sqlite/sqlite_write_back_store.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using testing_support::FakeClock;
using testing_support::MakeCoverage;
using testing_support::MakeEntry;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

WriteBackEntry MakeWrite(const std::string& request_id, const std::string& patient_id,
                         int64_t expected_version, bool changed) {
  WriteBackEntry entry;
  entry.request_id = request_id;
  entry.patient_id = patient_id;
  entry.source_request_id = "check-0001";
  entry.user_id = "clerk07";
  entry.request.set_request_id(request_id);
  entry.request.set_patient_id(patient_id);
  entry.request.set_source_request_id("check-0001");
  entry.request.set_expected_version(expected_version);
  entry.request.set_reason("窓口で確認");
  v1::RecordWrite* write = entry.response.mutable_write();
  write->set_patient_id(patient_id);
  write->set_changed(changed);
  write->set_coverage_version(expected_version + (changed ? 1 : 0));
  return entry;
}

std::optional<CoverageUpdate> Authored(CoverageUpdate update) {
  update.version.set_recorded_by("clerk07");
  update.version.set_reason("窓口で確認");
  return update;
}

class SqliteWriteBackStoreTest : public ::testing::Test {
 protected:
  SqliteWriteBackStoreTest() { Open(); }

  void Open() {
    write_backs_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(dir_.File("onshi.db"), &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    write_backs_ = std::make_unique<SqliteWriteBackStore>(store_.get());
  }

  void AddPatient(const std::string& patient_id) {
    ASSERT_TRUE(store_->CreateRequest(MakeEntry("req-" + patient_id, patient_id), nullptr).ok());
  }

  ScopedTempDir dir_;
  FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteWriteBackStore> write_backs_;
};

TEST_F(SqliteWriteBackStoreTest, WriteStoresLedgerRowAndAuthoredVersionTogether) {
  AddPatient("P1");
  bool created = false;
  absl::StatusOr<WriteBackEntry> stored = write_backs_->ApplyWriteBack(
      MakeWrite("wb-00000001", "P1", 0, true), 0, Authored(MakeCoverage(0, "山田太郎")),
      /*create_patient=*/false, &created);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(created);
  EXPECT_EQ(stored->user_id, "clerk07");
  EXPECT_EQ(stored->request.reason(), "窓口で確認");
  EXPECT_EQ(stored->response.write().coverage_version(), 1);

  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->current_coverage().version(), 1);
  EXPECT_EQ(record->current_coverage().recorded_by(), "clerk07");
  EXPECT_EQ(record->current_coverage().reason(), "窓口で確認");

  RawDb raw(dir_.File("onshi.db"));
  EXPECT_EQ(raw.QueryColumn("SELECT recorded_by FROM coverage_versions"),
            std::vector<std::string>{"clerk07"});
  EXPECT_EQ(raw.QueryColumn("SELECT reason FROM coverage_versions"),
            std::vector<std::string>{"窓口で確認"});
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM write_backs"), 1);
}

TEST_F(SqliteWriteBackStoreTest, SameRequestIdReturnsTheStoredWriteAndWritesNothing) {
  AddPatient("P1");
  ASSERT_TRUE(write_backs_
                  ->ApplyWriteBack(MakeWrite("wb-00000001", "P1", 0, true), 0,
                                   Authored(MakeCoverage(0, "山田太郎")), false, nullptr)
                  .ok());
  // A second write under the same key, based on a version that is now stale, with another
  // coverage: the stored write comes back, nothing else is written.
  WriteBackEntry other = MakeWrite("wb-00000001", "P1", 0, true);
  other.request.set_reason("別の理由");
  bool created = true;
  absl::StatusOr<WriteBackEntry> again =
      write_backs_->ApplyWriteBack(other, 0, Authored(MakeCoverage(0, "別人")), false, &created);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(created);
  EXPECT_EQ(again->request.reason(), "窓口で確認");
  RawDb raw(dir_.File("onshi.db"));
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM coverage_versions"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM write_backs"), 1);
}

TEST_F(SqliteWriteBackStoreTest, StaleExpectedVersionIsVersionConflictAndWritesNothing) {
  AddPatient("P1");
  ASSERT_TRUE(write_backs_
                  ->ApplyWriteBack(MakeWrite("wb-00000001", "P1", 0, true), 0,
                                   Authored(MakeCoverage(0, "山田太郎")), false, nullptr)
                  .ok());
  absl::StatusOr<WriteBackEntry> stale =
      write_backs_->ApplyWriteBack(MakeWrite("wb-00000002", "P1", 0, true), 0,
                                   Authored(MakeCoverage(0, "山田花子")), false, nullptr);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Reason(stale.status()), "ONSHI_VERSION_CONFLICT");
  // Also for a write that would add no version: it was based on what is no longer current.
  absl::StatusOr<WriteBackEntry> unchanged = write_backs_->ApplyWriteBack(
      MakeWrite("wb-00000003", "P1", 0, false), 0, std::nullopt, false, nullptr);
  EXPECT_EQ(Reason(unchanged.status()), "ONSHI_VERSION_CONFLICT");
  RawDb raw(dir_.File("onshi.db"));
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM coverage_versions"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM write_backs"), 1);
  absl::StatusOr<std::optional<WriteBackEntry>> none = write_backs_->FindWriteBack("wb-00000002");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

TEST_F(SqliteWriteBackStoreTest, UnchangedWriteRecordsLedgerRowWithoutVersion) {
  AddPatient("P1");
  ASSERT_TRUE(write_backs_
                  ->ApplyWriteBack(MakeWrite("wb-00000001", "P1", 0, true), 0,
                                   Authored(MakeCoverage(0, "山田太郎")), false, nullptr)
                  .ok());
  bool created = false;
  absl::StatusOr<WriteBackEntry> unchanged = write_backs_->ApplyWriteBack(
      MakeWrite("wb-00000002", "P1", 1, false), 1, std::nullopt, false, &created);
  ASSERT_TRUE(unchanged.ok()) << unchanged.status();
  EXPECT_TRUE(created);
  EXPECT_FALSE(unchanged->response.write().changed());
  RawDb raw(dir_.File("onshi.db"));
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM coverage_versions"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM write_backs"), 2);
}

TEST_F(SqliteWriteBackStoreTest, UnknownPatientIsNotFoundUnlessCreationIsAllowed) {
  absl::StatusOr<WriteBackEntry> refused = write_backs_->ApplyWriteBack(
      MakeWrite("wb-00000001", "NEW1", 0, true), 0, Authored(MakeCoverage(0, "山田太郎")),
      /*create_patient=*/false, nullptr);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Reason(refused.status()), "ONSHI_PATIENT_NOT_FOUND");
  absl::StatusOr<PatientCoverage> absent = write_backs_->ReadPatientCoverage("NEW1");
  ASSERT_TRUE(absent.ok());
  EXPECT_FALSE(absent->exists);

  absl::StatusOr<WriteBackEntry> created = write_backs_->ApplyWriteBack(
      MakeWrite("wb-00000001", "NEW1", 0, true), 0, Authored(MakeCoverage(0, "山田太郎")),
      /*create_patient=*/true, nullptr);
  ASSERT_TRUE(created.ok()) << created.status();
  absl::StatusOr<PatientCoverage> present = write_backs_->ReadPatientCoverage("NEW1");
  ASSERT_TRUE(present.ok());
  EXPECT_TRUE(present->exists);
  ASSERT_TRUE(present->current.has_value());
  EXPECT_EQ(present->current->version(), 1);
  // The directory finds the new patient by its identity, as for any coverage version.
  absl::StatusOr<std::vector<std::string>> found = store_->FindPatientsByIdentity(
      present->current->coverage().identifiers(), present->current->coverage().birth_date());
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, std::vector<std::string>{"NEW1"});
}

TEST_F(SqliteWriteBackStoreTest, RacingWritesOnOneVersionLetExactlyOneWin) {
  AddPatient("P1");
  constexpr int kWriters = 6;
  std::atomic<int> won{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      const std::string key = "wb-race-000" + std::to_string(i);
      absl::StatusOr<WriteBackEntry> result = write_backs_->ApplyWriteBack(
          MakeWrite(key, "P1", 0, true), 0, Authored(MakeCoverage(0, "名前" + std::to_string(i))),
          false, nullptr);
      if (result.ok()) {
        ++won;
      } else if (Reason(result.status()) == "ONSHI_VERSION_CONFLICT") {
        ++conflicts;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(won.load(), 1);
  EXPECT_EQ(conflicts.load(), kWriters - 1);
  RawDb raw(dir_.File("onshi.db"));
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM coverage_versions"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT COUNT(*) FROM write_backs"), 1);
}

TEST_F(SqliteWriteBackStoreTest, WriteBacksSurviveReopen) {
  AddPatient("P1");
  ASSERT_TRUE(write_backs_
                  ->ApplyWriteBack(MakeWrite("wb-00000001", "P1", 0, true), 0,
                                   Authored(MakeCoverage(0, "山田太郎")), false, nullptr)
                  .ok());
  Open();
  absl::StatusOr<std::optional<WriteBackEntry>> found = write_backs_->FindWriteBack("wb-00000001");
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->patient_id, "P1");
  EXPECT_EQ((*found)->source_request_id, "check-0001");
  EXPECT_EQ((*found)->user_id, "clerk07");
  EXPECT_EQ((*found)->response.write().coverage_version(), 1);
}

TEST_F(SqliteWriteBackStoreTest, UpdateOfAnotherVersionThanExpectedIsRefused) {
  AddPatient("P1");
  absl::StatusOr<WriteBackEntry> refused =
      write_backs_->ApplyWriteBack(MakeWrite("wb-00000001", "P1", 1, true), 1,
                                   Authored(MakeCoverage(0, "山田太郎")), false, nullptr);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace onshi
