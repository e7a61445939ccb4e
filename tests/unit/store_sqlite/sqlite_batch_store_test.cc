// SqliteBatchStore on real SQLite files: batches with their files and results, one file's rows
// with their confirmations and coverage versions in one transaction, compare-and-set on file
// revisions, registrations, and durability across reopening.

#include "adapters/store_sqlite/sqlite_batch_store.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/batches.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::SizeIs;
using testing_support::FakeClock;
using testing_support::MakeCoverage;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

constexpr char kNumber[] = "7654321";

BatchRecord MakeBatch(const std::string& request_id, int patients) {
  BatchRecord batch;
  batch.request_id = request_id;
  batch.request.set_request_id(request_id);
  batch.request.set_confirmation_date("20260401");
  for (int i = 0; i < patients; ++i) {
    v1::BatchPatient* patient = batch.request.add_patients();
    patient->set_patient_id("P" + std::to_string(i));
    patient->mutable_identifiers()->set_insurer_number("06139806");
    patient->mutable_identifiers()->set_insured_identification_number(kNumber);
    patient->set_birth_date("19850412");
  }
  return batch;
}

BulkFile MakeFile(const std::string& request_id, int32_t index, RowRange rows,
                  BulkExchange exchange = BulkExchange::kBatch) {
  BulkFile file;
  file.exchange = exchange;
  file.request_id = request_id;
  file.index = index;
  file.rows = rows;
  file.upload_file_id = "UP" + request_id + std::to_string(index);
  file.next_time = absl::FromUnixSeconds(1775001600);
  return file;
}

// An answered row for patient P<row>: result, confirmation, first coverage version.
BatchRowWrite AnsweredRow(int32_t row, int64_t expected_version = 0) {
  BatchRowWrite write;
  write.result.set_index(row);
  write.result.set_patient_id("P" + std::to_string(row));
  write.result.set_validity(v1::QUALIFICATION_VALIDITY_VALID);
  write.result.add_records()->mutable_identifiers()->set_insured_identification_number(kNumber);
  v1::Confirmation& confirmation = write.confirmation.emplace();
  confirmation.set_outcome(v1::CHECK_OUTCOME_ANSWERED);
  confirmation.set_validity(v1::QUALIFICATION_VALIDITY_VALID);
  confirmation.mutable_provenance()->set_source(v1::SOURCE_BATCH);
  write.coverage = MakeCoverage(expected_version, "試験 " + std::to_string(row));
  write.checked_time = absl::FromUnixSeconds(1775001700 + row);
  return write;
}

class SqliteBatchStoreTest : public ::testing::Test {
 protected:
  SqliteBatchStoreTest() { Open(); }

  void Open() {
    batches_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(dir_.File("onshi.db"), &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    batches_ = std::make_unique<SqliteBatchStore>(store_.get());
  }

  // A batch of `patients` in files of two, created.
  std::vector<BulkFile> CreateBatch(const std::string& request_id, int patients,
                                    const std::vector<BatchRowWrite>& rows = {}) {
    std::vector<BulkFile> files;
    for (int32_t first = 0, index = 0; first < patients; first += 2, ++index) {
      files.push_back(MakeFile(request_id, index, {first, std::min(first + 2, patients)}));
    }
    bool created = false;
    absl::StatusOr<BatchRecord> stored =
        batches_->CreateBatch(MakeBatch(request_id, patients), files, rows, &created);
    EXPECT_TRUE(stored.ok()) << stored.status();
    EXPECT_TRUE(created);
    absl::StatusOr<std::vector<BulkFile>> listed =
        batches_->ListBulkFiles(BulkExchange::kBatch, request_id);
    EXPECT_TRUE(listed.ok());
    return listed.value_or(std::vector<BulkFile>());
  }

  std::vector<StoredBatchResult> Results(const std::string& request_id, int64_t after = 0) {
    absl::StatusOr<std::vector<StoredBatchResult>> results =
        batches_->ListBatchResults(request_id, after, 100);
    EXPECT_TRUE(results.ok()) << results.status();
    return results.value_or(std::vector<StoredBatchResult>());
  }

  static BulkFile Finished(BulkFile file) {
    file.state = BulkFileState::kDone;
    return file;
  }

  FakeClock clock_;
  ScopedTempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteBatchStore> batches_;
};

TEST_F(SqliteBatchStoreTest, SchemaHasTheBatchStep) {
  EXPECT_GE(SqliteStore::LatestSchemaVersion(), 4);
  RawDb raw(dir_.File("onshi.db"));
  for (const char* table : {"batches", "batch_results", "registrations", "bulk_files"}) {
    EXPECT_EQ(raw.QueryInt(("SELECT count(*) FROM " + std::string(table)).c_str()), 0) << table;
  }
}

TEST_F(SqliteBatchStoreTest, ABatchIsCreatedOnceWithItsFilesAndImmediateResults) {
  std::vector<BatchRowWrite> invalid = {ErrorRow(2, "P2", absl::InvalidArgumentError("x"))};
  std::vector<BulkFile> files = CreateBatch("batch-a", 5, invalid);
  ASSERT_THAT(files, SizeIs(3));
  for (const BulkFile& file : files) {
    EXPECT_EQ(file.state, BulkFileState::kWaitingForSlot);
    EXPECT_EQ(file.revision, 1);
    EXPECT_TRUE(file.ask_file_id.empty());
  }
  EXPECT_EQ(files[1].rows.first, 2);
  EXPECT_EQ(files[1].rows.end, 4);
  // A second create with the same request_id writes nothing and returns the stored batch.
  bool created = true;
  absl::StatusOr<BatchRecord> again =
      batches_->CreateBatch(MakeBatch("batch-a", 1), {MakeFile("batch-a", 9, {0, 1})}, {},
                            &created);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(created);
  EXPECT_EQ(again->request.patients_size(), 5);
  EXPECT_EQ(again->file_count, 3);
  EXPECT_FALSE(again->done);
  std::vector<StoredBatchResult> results = Results("batch-a");
  ASSERT_THAT(results, SizeIs(1));
  EXPECT_EQ(results[0].result.index(), 2);
}

TEST_F(SqliteBatchStoreTest, FinishingAFileWritesRowsConfirmationsAndCoverageTogether) {
  std::vector<BulkFile> files = CreateBatch("batch-a", 3);
  ASSERT_TRUE(batches_->FinishBatchFile(Finished(files[0]), {AnsweredRow(0), AnsweredRow(1)}).ok());
  std::vector<StoredBatchResult> results = Results("batch-a");
  ASSERT_THAT(results, SizeIs(2));
  EXPECT_LT(results[0].sequence, results[1].sequence);
  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok()) << record.status();
  ASSERT_EQ(record->confirmations_size(), 1);
  EXPECT_EQ(record->confirmations(0).request_id(), "batch-a/1");
  EXPECT_EQ(record->current_coverage().version(), 1);
  // Not done until the last file is finished.
  absl::StatusOr<std::optional<BatchRecord>> batch = batches_->FindBatch("batch-a");
  ASSERT_TRUE(batch.ok() && batch->has_value());
  EXPECT_FALSE((*batch)->done);
  BulkFile failed = files[1];
  failed.state = BulkFileState::kFailed;
  failed.error_code = absl::StatusCode::kUnavailable;
  failed.error.set_reason("ONSHI_TERMINAL_FAILED");
  ASSERT_TRUE(batches_->FinishBatchFile(
                          failed, {ErrorRow(2, "P2", absl::UnavailableError("terminal"))})
                  .ok());
  batch = batches_->FindBatch("batch-a");
  ASSERT_TRUE(batch.ok() && batch->has_value());
  EXPECT_TRUE((*batch)->done);
  EXPECT_THAT(Results("batch-a", results[1].sequence), SizeIs(1));
  // The failed row has no patient.
  EXPECT_EQ(Reason(store_->GetPatientRecord("P2").status()), "ONSHI_PATIENT_NOT_FOUND");
  absl::StatusOr<std::vector<BulkFile>> unfinished = batches_->ListUnfinishedBulkFiles();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_TRUE(unfinished->empty());
}

TEST_F(SqliteBatchStoreTest, AStaleCoverageVersionWritesNothingOfTheFile) {
  std::vector<BulkFile> files = CreateBatch("batch-a", 2);
  // P1 already has coverage version 1: a row expecting none is stale.
  std::vector<BulkFile> other = CreateBatch("batch-b", 2);
  ASSERT_TRUE(batches_->FinishBatchFile(Finished(other[0]), {AnsweredRow(0), AnsweredRow(1)}).ok());
  RawDb raw(dir_.File("onshi.db"));
  const int64_t results_before = raw.QueryInt("SELECT count(*) FROM batch_results");
  const int64_t confirmations_before = raw.QueryInt("SELECT count(*) FROM confirmations");
  absl::Status stale =
      batches_->FinishBatchFile(Finished(files[0]), {AnsweredRow(0, 1), AnsweredRow(1, 0)});
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM batch_results"), results_before);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM confirmations"), confirmations_before);
  absl::StatusOr<std::vector<BulkFile>> listed =
      batches_->ListBulkFiles(BulkExchange::kBatch, "batch-a");
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ((*listed)[0].state, BulkFileState::kWaitingForSlot);
  EXPECT_EQ((*listed)[0].revision, 1);
  // Read again, retried with the right versions: written.
  EXPECT_TRUE(
      batches_->FinishBatchFile(Finished(files[0]), {AnsweredRow(0, 1), AnsweredRow(1, 1)}).ok());
}

TEST_F(SqliteBatchStoreTest, FileUpdatesAreCompareAndSetOnTheRevision) {
  std::vector<BulkFile> files = CreateBatch("batch-a", 4);
  ASSERT_THAT(files, SizeIs(2));
  BulkFile asking = files[0];
  asking.state = BulkFileState::kAsking;
  asking.reception_number = "R000001";
  asking.ask_file_id = "ASK1";
  asking.ask_count = 1;
  asking.next_time = absl::FromUnixSeconds(1775001660);
  absl::StatusOr<BulkFile> stored = batches_->UpdateBulkFile(asking);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_EQ(stored->revision, 2);
  EXPECT_EQ(stored->next_time, absl::FromUnixSeconds(1775001660));
  // The old revision is stale, for updates and for finishing.
  EXPECT_EQ(batches_->UpdateBulkFile(asking).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(batches_->FinishBatchFile(Finished(files[0]), {}).code(), absl::StatusCode::kAborted);
  // Found by its upload id and by its ask id.
  for (const char* id : {"UPbatch-a0", "ASK1"}) {
    absl::StatusOr<std::optional<BulkFile>> found = batches_->FindBulkFileByFileId(id);
    ASSERT_TRUE(found.ok() && found->has_value()) << id;
    EXPECT_EQ((*found)->index, 0);
    EXPECT_EQ((*found)->state, BulkFileState::kAsking);
  }
  absl::StatusOr<std::optional<BulkFile>> none = batches_->FindBulkFileByFileId("NOPE");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  // An ask id of another file, a finished state, an unknown file: refused.
  BulkFile clash = files[1];
  clash.ask_file_id = "ASK1";
  EXPECT_EQ(Reason(batches_->UpdateBulkFile(clash).status()), "ONSHI_INVALID_ARGUMENT");
  BulkFile done = *stored;
  done.state = BulkFileState::kDone;
  EXPECT_EQ(Reason(batches_->UpdateBulkFile(done).status()), "ONSHI_INVALID_ARGUMENT");
  BulkFile unknown = files[0];
  unknown.index = 7;
  EXPECT_EQ(Reason(batches_->UpdateBulkFile(unknown).status()), "ONSHI_INVALID_ARGUMENT");
}

TEST_F(SqliteBatchStoreTest, ARowIsWrittenOnceAndOnlyInsideItsFile) {
  std::vector<BulkFile> files = CreateBatch("batch-a", 4);
  EXPECT_EQ(Reason(batches_->FinishBatchFile(Finished(files[0]), {AnsweredRow(2)})),
            "ONSHI_INVALID_ARGUMENT");
  std::vector<BulkFile> with_invalid =
      CreateBatch("batch-b", 2, {ErrorRow(1, "P1", absl::InvalidArgumentError("x"))});
  EXPECT_EQ(Reason(batches_->FinishBatchFile(Finished(with_invalid[0]),
                                             {AnsweredRow(0), AnsweredRow(1)})),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_THAT(Results("batch-b"), SizeIs(1));
}

TEST_F(SqliteBatchStoreTest, EverythingSurvivesReopening) {
  std::vector<BulkFile> files = CreateBatch("batch-a", 2);
  BulkFile receipt = files[0];
  receipt.state = BulkFileState::kReceipt;
  receipt.reception_number = "R1";
  ASSERT_TRUE(batches_->UpdateBulkFile(receipt).ok());
  Open();
  absl::StatusOr<std::vector<BulkFile>> unfinished = batches_->ListUnfinishedBulkFiles();
  ASSERT_TRUE(unfinished.ok());
  ASSERT_THAT(*unfinished, SizeIs(1));
  EXPECT_EQ((*unfinished)[0].state, BulkFileState::kReceipt);
  EXPECT_EQ((*unfinished)[0].reception_number, "R1");
  EXPECT_EQ((*unfinished)[0].revision, 2);
  absl::StatusOr<std::optional<BatchRecord>> batch = batches_->FindBatch("batch-a");
  ASSERT_TRUE(batch.ok() && batch->has_value());
  EXPECT_EQ((*batch)->request.patients(1).patient_id(), "P1");
}

TEST_F(SqliteBatchStoreTest, CurrentCoveragesReadsTheNewestVersionOfEachKnownPatient) {
  std::vector<BulkFile> files = CreateBatch("batch-a", 2);
  ASSERT_TRUE(batches_->FinishBatchFile(Finished(files[0]), {AnsweredRow(0)}).ok());
  absl::StatusOr<std::map<std::string, v1::CoverageVersion>> coverages =
      batches_->CurrentCoverages({"P0", "P1", "P0", "nobody"});
  ASSERT_TRUE(coverages.ok());
  ASSERT_THAT(*coverages, SizeIs(1));
  EXPECT_EQ(coverages->at("P0").version(), 1);
}

TEST_F(SqliteBatchStoreTest, RegistrationsKeepTheirOutcomesAndFinishWithTheirLastFile) {
  RegistrationRecord registration;
  registration.request_id = "reg-a";
  registration.request.set_request_id("reg-a");
  for (const char* id : {"P0", "P1", "P2"}) registration.request.add_patient_ids(id);
  for (int i = 0; i < 3; ++i) {
    registration.registrations.emplace_back().set_reference_number("P" + std::to_string(i));
    registration.response.add_outcomes();
  }
  registration.response.mutable_outcomes(1)->set_patient_id("P1");
  registration.response.mutable_outcomes(1)->mutable_error()->set_reason("ONSHI_NO_COVERAGE");
  BulkFile file = MakeFile("reg-a", 0, {0, 3}, BulkExchange::kBulkReferenceNumber);
  bool created = false;
  absl::StatusOr<RegistrationRecord> stored =
      batches_->CreateRegistration(registration, {file}, &created);
  ASSERT_TRUE(stored.ok()) << stored.status();
  EXPECT_TRUE(created);
  EXPECT_FALSE(stored->done);
  ASSERT_THAT(stored->registrations, SizeIs(3));
  // Outcomes must name their row's patient.
  v1::ReferenceNumberOutcome wrong;
  wrong.set_patient_id("P1");
  BulkFile done = file;
  done.state = BulkFileState::kDone;
  EXPECT_EQ(Reason(batches_->FinishRegistrationFile(done, {{0, wrong}})),
            "ONSHI_INVALID_ARGUMENT");
  v1::ReferenceNumberOutcome p0, p2;
  p0.set_patient_id("P0");
  p0.set_registered(true);
  p2.set_patient_id("P2");
  p2.set_registered(true);
  ASSERT_TRUE(batches_->FinishRegistrationFile(done, {{0, p0}, {2, p2}}).ok());
  absl::StatusOr<std::optional<RegistrationRecord>> found = batches_->FindRegistration("reg-a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_TRUE((*found)->done);
  EXPECT_TRUE((*found)->response.outcomes(0).registered());
  EXPECT_EQ((*found)->response.outcomes(1).error().reason(), "ONSHI_NO_COVERAGE");
  EXPECT_TRUE((*found)->response.outcomes(2).registered());
  // A second create writes nothing.
  ASSERT_TRUE(batches_->CreateRegistration(registration, {file}, &created).ok());
  EXPECT_FALSE(created);
}

TEST_F(SqliteBatchStoreTest, NoColumnOfTheBatchTablesHoldsAnInsuranceNumber) {
  std::vector<BulkFile> files = CreateBatch("batch-a", 2);
  ASSERT_TRUE(batches_->FinishBatchFile(Finished(files[0]), {AnsweredRow(0), AnsweredRow(1)}).ok());
  RawDb raw(dir_.File("onshi.db"));
  for (const char* query :
       {"SELECT CAST(request_id AS BLOB) || '|' || done || '|' || patient_count FROM batches",
        "SELECT CAST(request_id AS BLOB) || '|' || row_index FROM batch_results",
        "SELECT CAST(request_id AS BLOB) || '|' || CAST(upload_file_id AS BLOB) || '|' || "
        "CAST(reception_number AS BLOB) || '|' || COALESCE(CAST(ask_file_id AS BLOB), '') "
        "FROM bulk_files"}) {
    for (const std::string& value : raw.QueryColumn(query)) {
      EXPECT_THAT(value, Not(HasSubstr(kNumber))) << query;
    }
  }
  // The numbers are there, inside the messages only.
  std::vector<std::string> requests = raw.QueryColumn("SELECT request FROM batches");
  ASSERT_THAT(requests, SizeIs(1));
  EXPECT_THAT(requests[0], HasSubstr(kNumber));
}

TEST_F(SqliteBatchStoreTest, ResultsAreListedAfterACursorInWriteOrder) {
  std::vector<BulkFile> files = CreateBatch("batch-a", 4);
  ASSERT_TRUE(batches_->FinishBatchFile(Finished(files[1]), {AnsweredRow(2), AnsweredRow(3)}).ok());
  ASSERT_TRUE(batches_->FinishBatchFile(Finished(files[0]), {AnsweredRow(0), AnsweredRow(1)}).ok());
  std::vector<StoredBatchResult> all = Results("batch-a");
  std::vector<int32_t> order;
  for (const StoredBatchResult& r : all) order.push_back(r.result.index());
  EXPECT_THAT(order, ElementsAre(2, 3, 0, 1));
  absl::StatusOr<std::vector<StoredBatchResult>> page =
      batches_->ListBatchResults("batch-a", all[0].sequence, 2);
  ASSERT_TRUE(page.ok());
  ASSERT_THAT(*page, SizeIs(2));
  EXPECT_EQ((*page)[0].result.index(), 3);
  EXPECT_EQ((*page)[1].result.index(), 0);
}

}  // namespace
}  // namespace onshi
