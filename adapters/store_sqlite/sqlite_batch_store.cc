#include "adapters/store_sqlite/sqlite_batch_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/store_sqlite/connection.h"
#include "adapters/store_sqlite/store_internal.h"
#include "plugin/core/batches.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

using store_sqlite::Connection;
using store_sqlite::Sql;
using store_sqlite::Statement;
using store_sqlite::StoreAccess;

// Every statement is a constant; values are bound (?N), never spliced into the text. Queries of
// files select the columns in the order ReadFile reads them.
constexpr Sql kInsertBatch{
    "insert batch",
    "INSERT INTO batches (request_id, done, created_time, updated_time, patient_count, request) "
    "VALUES (?1, ?2, ?3, ?3, ?4, ?5) ON CONFLICT (request_id) DO NOTHING RETURNING done"};
constexpr Sql kFindBatch{"find batch",
                         "SELECT request_id, done, created_time, request FROM batches "
                         "WHERE request_id = ?1"};
constexpr Sql kCountFiles{"count bulk files",
                          "SELECT count(*) FROM bulk_files WHERE exchange = ?1 AND request_id = ?2"};
constexpr Sql kInsertResult{
    "insert batch result",
    "INSERT INTO batch_results (request_id, row_index, recorded_time, content) "
    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (request_id, row_index) DO NOTHING RETURNING sequence"};
constexpr Sql kListResults{"list batch results",
                           "SELECT sequence, content FROM batch_results WHERE request_id = ?1 "
                           "AND sequence > ?2 ORDER BY sequence LIMIT ?3"};
constexpr Sql kCountUnfinishedFiles{
    "count unfinished bulk files",
    "SELECT count(*) FROM bulk_files WHERE exchange = ?1 AND request_id = ?2 AND state < 5"};
constexpr Sql kMarkBatchDone{"mark batch done",
                             "UPDATE batches SET done = 1, updated_time = ?2 WHERE request_id = ?1"};
constexpr Sql kInsertRegistration{
    "insert registration",
    "INSERT INTO registrations (request_id, done, created_time, updated_time, request, "
    "registrations, response) VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (request_id) DO NOTHING RETURNING done"};
constexpr Sql kFindRegistration{
    "find registration",
    "SELECT request_id, done, created_time, request, registrations, response FROM registrations "
    "WHERE request_id = ?1"};
constexpr Sql kUpdateRegistration{
    "update registration",
    "UPDATE registrations SET done = ?2, updated_time = ?3, response = ?4 WHERE request_id = ?1"};
constexpr Sql kInsertFile{
    "insert bulk file",
    "INSERT INTO bulk_files (exchange, request_id, file_index, first_row, end_row, state, "
    "revision, upload_file_id, reception_number, ask_file_id, next_time, ask_count, "
    "processing_count, created_time, updated_time, error_code, error) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7, ?8, NULL, ?9, 0, 0, ?10, ?10, 0, ?11)"};
constexpr Sql kFileIdInUse{"look up bulk file id",
                           "SELECT 1 FROM bulk_files WHERE upload_file_id = ?1 OR ask_file_id = ?1"};
constexpr Sql kListUnfinishedFiles{
    "list unfinished bulk files",
    "SELECT exchange, request_id, file_index, first_row, end_row, state, revision, "
    "upload_file_id, reception_number, ask_file_id, next_time, ask_count, processing_count, "
    "created_time, updated_time, error_code, error FROM bulk_files WHERE state < 5 "
    "ORDER BY created_time, exchange, request_id, file_index"};
constexpr Sql kListFiles{
    "list bulk files",
    "SELECT exchange, request_id, file_index, first_row, end_row, state, revision, "
    "upload_file_id, reception_number, ask_file_id, next_time, ask_count, processing_count, "
    "created_time, updated_time, error_code, error FROM bulk_files "
    "WHERE exchange = ?1 AND request_id = ?2 ORDER BY file_index"};
constexpr Sql kFindFileByFileId{
    "find bulk file by file id",
    "SELECT exchange, request_id, file_index, first_row, end_row, state, revision, "
    "upload_file_id, reception_number, ask_file_id, next_time, ask_count, processing_count, "
    "created_time, updated_time, error_code, error FROM bulk_files "
    "WHERE upload_file_id = ?1 OR ask_file_id = ?1"};
constexpr Sql kFindFile{
    "find bulk file",
    "SELECT exchange, request_id, file_index, first_row, end_row, state, revision, "
    "upload_file_id, reception_number, ask_file_id, next_time, ask_count, processing_count, "
    "created_time, updated_time, error_code, error FROM bulk_files "
    "WHERE exchange = ?1 AND request_id = ?2 AND file_index = ?3"};
constexpr Sql kAskFileIdElsewhere{
    "look up ask file id",
    "SELECT 1 FROM bulk_files WHERE (upload_file_id = ?1 OR ask_file_id = ?1) AND NOT "
    "(exchange = ?2 AND request_id = ?3 AND file_index = ?4)"};
// Compare-and-set on the revision.
constexpr Sql kUpdateFile{
    "update bulk file",
    "UPDATE bulk_files SET state = ?5, revision = revision + 1, reception_number = ?6, "
    "ask_file_id = ?7, next_time = ?8, ask_count = ?9, processing_count = ?10, "
    "updated_time = ?11, error_code = ?12, error = ?13 "
    "WHERE exchange = ?1 AND request_id = ?2 AND file_index = ?3 AND revision = ?4 "
    "RETURNING revision"};


bool ValidExchange(BulkExchange exchange) {
  const int value = static_cast<int>(exchange);
  return value >= 1 && value <= 3;
}

bool ValidState(BulkFileState state) {
  const int value = static_cast<int>(state);
  return value >= 1 && value <= 6;
}

absl::Status ReadFile(const Statement& row, BulkFile* file) {
  file->exchange = static_cast<BulkExchange>(row.ColumnInt64(0));
  file->request_id = row.ColumnBlob(1);
  file->index = static_cast<int32_t>(row.ColumnInt64(2));
  file->rows.first = static_cast<int32_t>(row.ColumnInt64(3));
  file->rows.end = static_cast<int32_t>(row.ColumnInt64(4));
  file->state = static_cast<BulkFileState>(row.ColumnInt64(5));
  file->revision = row.ColumnInt64(6);
  file->upload_file_id = row.ColumnBlob(7);
  file->reception_number = row.ColumnBlob(8);
  file->ask_file_id = row.ColumnIsNull(9) ? std::string() : row.ColumnBlob(9);
  file->next_time = store_sqlite::FromMicros(row.ColumnInt64(10));
  file->ask_count = static_cast<int32_t>(row.ColumnInt64(11));
  file->processing_count = static_cast<int32_t>(row.ColumnInt64(12));
  file->created_time = store_sqlite::FromMicros(row.ColumnInt64(13));
  file->updated_time = store_sqlite::FromMicros(row.ColumnInt64(14));
  file->error_code = static_cast<absl::StatusCode>(row.ColumnInt64(15));
  if (!ValidExchange(file->exchange) || !ValidState(file->state)) {
    return MakeError(errors::kInternal, "bulk_files holds an unknown exchange or state");
  }
  return store_sqlite::Decode(row.ColumnBlob(16), "bulk_files.error", &file->error);
}

// Runs `query` (bound) and reads every row as a file.
absl::StatusOr<std::vector<BulkFile>> ReadFiles(Statement& query) {
  std::vector<BulkFile> files;
  while (true) {
    absl::StatusOr<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!*row) return files;
    if (absl::Status s = ReadFile(query, &files.emplace_back()); !s.ok()) return s;
  }
}

absl::StatusOr<std::optional<BulkFile>> FindFileLocked(Connection& connection,
                                                       const BulkFile& key) {
  Statement query = connection.Prepare(kFindFile);
  query.BindInt64(1, static_cast<int64_t>(key.exchange));
  query.BindBlob(2, key.request_id);
  query.BindInt64(3, key.index);
  absl::StatusOr<std::vector<BulkFile>> files = ReadFiles(query);
  if (!files.ok()) return files.status();
  if (files->empty()) return std::nullopt;
  return std::move(files->front());
}

// The checks of a file to insert that need no database.
absl::Status CheckNewFile(const BulkFile& file, const std::string& request_id) {
  if (file.request_id != request_id) {
    return store_sqlite::InvalidArgument("a file names another request_id");
  }
  if (!ValidExchange(file.exchange)) return store_sqlite::InvalidArgument("file.exchange");
  if (file.upload_file_id.empty()) {
    return store_sqlite::InvalidArgument("file.upload_file_id is empty");
  }
  if (file.index < 0 || file.rows.first < 0 || file.rows.end <= file.rows.first) {
    return store_sqlite::InvalidArgument("file.index or file.rows");
  }
  return absl::OkStatus();
}

absl::Status InsertFiles(Connection& connection, const std::vector<BulkFile>& files,
                         int64_t now) {
  std::string no_error;
  for (const BulkFile& file : files) {
    {
      Statement probe = connection.Prepare(kFileIdInUse);
      probe.BindBlob(1, file.upload_file_id);
      absl::StatusOr<bool> row = probe.Step();
      if (!row.ok()) return row.status();
      if (*row) return store_sqlite::InvalidArgument("file.upload_file_id is already used");
    }
    Statement insert = connection.Prepare(kInsertFile);
    insert.BindInt64(1, static_cast<int64_t>(file.exchange));
    insert.BindBlob(2, file.request_id);
    insert.BindInt64(3, file.index);
    insert.BindInt64(4, file.rows.first);
    insert.BindInt64(5, file.rows.end);
    insert.BindInt64(6, static_cast<int64_t>(BulkFileState::kWaitingForSlot));
    insert.BindBlob(7, file.upload_file_id);
    insert.BindBlob(8, absl::string_view());
    insert.BindInt64(9, store_sqlite::ToMicros(file.next_time));
    insert.BindInt64(10, now);
    insert.BindBlob(11, no_error);
    if (absl::Status s = insert.Run(); !s.ok()) return s;
  }
  return absl::OkStatus();
}

// Writes `file`'s exchange state (any state) while its stored revision is file.revision.
// ABORTED on a stale revision; INVALID_ARGUMENT for an unknown file or an ask file id used by
// another file.
absl::Status UpdateFileLocked(Connection& connection, const BulkFile& file, int64_t now) {
  std::string error;
  if (absl::Status s = store_sqlite::Encode(file.error, "file.error", &error); !s.ok()) return s;
  if (!file.ask_file_id.empty()) {
    Statement probe = connection.Prepare(kAskFileIdElsewhere);
    probe.BindBlob(1, file.ask_file_id);
    probe.BindInt64(2, static_cast<int64_t>(file.exchange));
    probe.BindBlob(3, file.request_id);
    probe.BindInt64(4, file.index);
    absl::StatusOr<bool> row = probe.Step();
    if (!row.ok()) return row.status();
    if (*row) return store_sqlite::InvalidArgument("file.ask_file_id belongs to another file");
  }
  Statement update = connection.Prepare(kUpdateFile);
  update.BindInt64(1, static_cast<int64_t>(file.exchange));
  update.BindBlob(2, file.request_id);
  update.BindInt64(3, file.index);
  update.BindInt64(4, file.revision);
  update.BindInt64(5, static_cast<int64_t>(file.state));
  update.BindBlob(6, file.reception_number);
  if (file.ask_file_id.empty()) {
    update.BindNull(7);
  } else {
    update.BindBlob(7, file.ask_file_id);
  }
  update.BindInt64(8, store_sqlite::ToMicros(file.next_time));
  update.BindInt64(9, file.ask_count);
  update.BindInt64(10, file.processing_count);
  update.BindInt64(11, now);
  update.BindInt64(12, static_cast<int64_t>(file.error_code));
  update.BindBlob(13, error);
  absl::StatusOr<bool> updated = update.Step();
  if (!updated.ok()) return updated.status();
  if (*updated) return update.Run();
  absl::StatusOr<std::optional<BulkFile>> stored = FindFileLocked(connection, file);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return store_sqlite::InvalidArgument("the bulk file does not exist");
  return MakeError(errors::kStoreConflict,
                   absl::StrCat("the bulk file is at revision ", (*stored)->revision, ", not ",
                                file.revision));
}

// The checks of a finished file that need no database.
absl::Status CheckFinished(const BulkFile& file) {
  if (!ValidExchange(file.exchange) || !IsFinished(file.state)) {
    return store_sqlite::InvalidArgument("file.state must be kDone or kFailed");
  }
  if ((file.state == BulkFileState::kFailed) != (file.error_code != absl::StatusCode::kOk)) {
    return store_sqlite::InvalidArgument("file.error_code must be set for kFailed only");
  }
  return absl::OkStatus();
}

// True when `row` is in the file's range.
bool InRange(const BulkFile& file, int32_t row) {
  return row >= file.rows.first && row < file.rows.end;
}

// True when `file`'s batch or registration has no unfinished file left.
absl::StatusOr<bool> NoUnfinishedFiles(Connection& connection, const BulkFile& file) {
  Statement count = connection.Prepare(kCountUnfinishedFiles);
  count.BindInt64(1, static_cast<int64_t>(file.exchange));
  count.BindBlob(2, file.request_id);
  absl::StatusOr<bool> row = count.Step();
  if (!row.ok()) return row.status();
  return *row && count.ColumnInt64(0) == 0;
}

}  // namespace

// --- Batches ------------------------------------------------------------------------------------

namespace {

absl::StatusOr<std::optional<BatchRecord>> FindBatchLocked(Connection& connection,
                                                           const std::string& request_id) {
  BatchRecord batch;
  {
    Statement query = connection.Prepare(kFindBatch);
    query.BindBlob(1, request_id);
    absl::StatusOr<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!*row) return std::nullopt;
    batch.request_id = query.ColumnBlob(0);
    batch.done = query.ColumnInt64(1) != 0;
    batch.created_time = store_sqlite::FromMicros(query.ColumnInt64(2));
    if (absl::Status s = store_sqlite::Decode(query.ColumnBlob(3), "batches.request",
                                              &batch.request);
        !s.ok()) {
      return s;
    }
  }
  Statement count = connection.Prepare(kCountFiles);
  count.BindInt64(1, static_cast<int64_t>(BulkExchange::kBatch));
  count.BindBlob(2, request_id);
  absl::StatusOr<bool> row = count.Step();
  if (!row.ok()) return row.status();
  batch.file_count = *row ? static_cast<int32_t>(count.ColumnInt64(0)) : 0;
  return batch;
}

// Inserts one row's result. INVALID_ARGUMENT when the row already has one.
absl::Status InsertResult(Connection& connection, const std::string& request_id, int32_t row,
                          const std::string& content, int64_t now) {
  Statement insert = connection.Prepare(kInsertResult);
  insert.BindBlob(1, request_id);
  insert.BindInt64(2, row);
  insert.BindInt64(3, now);
  insert.BindBlob(4, content);
  absl::StatusOr<bool> inserted = insert.Step();
  if (!inserted.ok()) return inserted.status();
  if (!*inserted) return store_sqlite::InvalidArgument("a row's result is already written");
  return insert.Run();
}

}  // namespace

absl::StatusOr<BatchRecord> SqliteBatchStore::CreateBatch(const BatchRecord& batch,
                                                          const std::vector<BulkFile>& files,
                                                          const std::vector<BatchRowWrite>& rows,
                                                          bool* created) {
  if (created != nullptr) *created = false;
  if (batch.request_id.empty()) return store_sqlite::InvalidArgument("batch.request_id is empty");
  for (const BulkFile& file : files) {
    if (absl::Status s = CheckNewFile(file, batch.request_id); !s.ok()) return s;
    if (file.exchange != BulkExchange::kBatch) {
      return store_sqlite::InvalidArgument("a batch file of another exchange");
    }
  }
  // Encoded before the lock is taken: a batch of thousands is large.
  std::string request;
  if (absl::Status s = store_sqlite::Encode(batch.request, "batch.request", &request); !s.ok()) {
    return s;
  }
  std::vector<std::pair<int32_t, std::string>> results;
  results.reserve(rows.size());
  for (const BatchRowWrite& row : rows) {
    if (row.confirmation.has_value() || row.coverage.has_value()) {
      return store_sqlite::InvalidArgument("a row known at once writes its result only");
    }
    auto& [index, content] = results.emplace_back(row.result.index(), std::string());
    if (absl::Status s = store_sqlite::Encode(row.result, "row.result", &content); !s.ok()) {
      return s;
    }
  }
  const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());

  std::optional<BatchRecord> stored;
  bool inserted = false;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
        {
          Statement insert = connection.Prepare(kInsertBatch);
          insert.BindBlob(1, batch.request_id);
          insert.BindInt64(2, files.empty() ? 1 : 0);
          insert.BindInt64(3, now);
          insert.BindInt64(4, batch.request.patients_size());
          insert.BindBlob(5, request);
          absl::StatusOr<bool> row = insert.Step();
          if (!row.ok()) return row.status();
          inserted = *row;
          if (inserted) {
            if (absl::Status s = insert.Run(); !s.ok()) return s;
          }
        }
        if (inserted) {
          if (absl::Status s = InsertFiles(connection, files, now); !s.ok()) return s;
          for (const auto& [index, content] : results) {
            if (absl::Status s = InsertResult(connection, batch.request_id, index, content, now);
                !s.ok()) {
              return s;
            }
          }
        }
        absl::StatusOr<std::optional<BatchRecord>> found =
            FindBatchLocked(connection, batch.request_id);
        if (!found.ok()) return found.status();
        if (!found->has_value()) return MakeError(errors::kInternal, "batch not read back");
        stored = std::move(**found);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (created != nullptr) *created = inserted;
  return *std::move(stored);
}

absl::StatusOr<std::optional<BatchRecord>> SqliteBatchStore::FindBatch(
    const std::string& request_id) {
  std::optional<BatchRecord> found;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        absl::StatusOr<std::optional<BatchRecord>> batch = FindBatchLocked(connection, request_id);
        if (!batch.ok()) return batch.status();
        found = *std::move(batch);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<std::vector<StoredBatchResult>> SqliteBatchStore::ListBatchResults(
    const std::string& request_id, int64_t after_sequence, int limit) {
  if (limit <= 0) return store_sqlite::InvalidArgument("limit must be positive");
  std::vector<StoredBatchResult> results;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        results.clear();
        Statement query = connection.Prepare(kListResults);
        query.BindBlob(1, request_id);
        query.BindInt64(2, after_sequence);
        query.BindInt64(3, limit);
        while (true) {
          absl::StatusOr<bool> row = query.Step();
          if (!row.ok()) return row.status();
          if (!*row) return absl::OkStatus();
          StoredBatchResult& result = results.emplace_back();
          result.sequence = query.ColumnInt64(0);
          if (absl::Status s = store_sqlite::Decode(query.ColumnBlob(1), "batch_results.content",
                                                    &result.result);
              !s.ok()) {
            return s;
          }
        }
      });
  if (!status.ok()) return status;
  return results;
}

absl::Status SqliteBatchStore::FinishBatchFile(const BulkFile& file,
                                               const std::vector<BatchRowWrite>& rows) {
  if (absl::Status s = CheckFinished(file); !s.ok()) return s;
  if (file.exchange != BulkExchange::kBatch) {
    return store_sqlite::InvalidArgument("not a batch file");
  }
  // Everything that needs no database first, so the lock is held for the writes alone.
  std::vector<std::string> contents(rows.size());
  std::vector<std::string> check_ids(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const BatchRowWrite& row = rows[i];
    if (!InRange(file, row.result.index())) {
      return store_sqlite::InvalidArgument("a row is outside the file's range");
    }
    check_ids[i] = BatchCheckId(file.request_id, row.result.index());
    if ((row.confirmation.has_value() || row.coverage.has_value()) &&
        row.result.patient_id().empty()) {
      return store_sqlite::InvalidArgument("an answered row names no patient");
    }
    if (row.confirmation.has_value()) {
      if (absl::Status s = store_sqlite::CheckConfirmation(check_ids[i], *row.confirmation);
          !s.ok()) {
        return s;
      }
    }
    if (row.coverage.has_value()) {
      if (absl::Status s = store_sqlite::CheckCoverageUpdate(*row.coverage); !s.ok()) return s;
    }
    if (absl::Status s = store_sqlite::Encode(row.result, "row.result", &contents[i]); !s.ok()) {
      return s;
    }
  }
  const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());

  return StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
    // The compare-and-set first: a lost race writes nothing.
    if (absl::Status s = UpdateFileLocked(connection, file, now); !s.ok()) return s;
    for (size_t i = 0; i < rows.size(); ++i) {
      const BatchRowWrite& row = rows[i];
      if (absl::Status s =
              InsertResult(connection, file.request_id, row.result.index(), contents[i], now);
          !s.ok()) {
        return s;
      }
      const std::string& patient_id = row.result.patient_id();
      if (row.confirmation.has_value() || row.coverage.has_value()) {
        if (absl::Status s = store_sqlite::EnsurePatient(connection, patient_id, now); !s.ok()) {
          return s;
        }
      }
      if (row.confirmation.has_value()) {
        if (absl::Status s = store_sqlite::WriteConfirmation(
                connection, check_ids[i], patient_id, store_sqlite::ToMicros(row.checked_time),
                *row.confirmation, now);
            !s.ok()) {
          return s;
        }
      }
      if (row.coverage.has_value()) {
        if (absl::Status s = store_sqlite::WriteCoverageVersion(connection, patient_id,
                                                                check_ids[i], *row.coverage, now);
            !s.ok()) {
          return s;
        }
      }
    }
    absl::StatusOr<bool> all_finished = NoUnfinishedFiles(connection, file);
    if (!all_finished.ok()) return all_finished.status();
    if (!*all_finished) return absl::OkStatus();
    Statement done = connection.Prepare(kMarkBatchDone);
    done.BindBlob(1, file.request_id);
    done.BindInt64(2, now);
    return done.Run();
  });
}

absl::StatusOr<std::map<std::string, v1::CoverageVersion>> SqliteBatchStore::CurrentCoverages(
    const std::vector<std::string>& patient_ids) {
  std::map<std::string, v1::CoverageVersion> coverages;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        coverages.clear();
        for (const std::string& patient_id : patient_ids) {
          if (coverages.count(patient_id) > 0) continue;
          absl::StatusOr<std::optional<v1::CoverageVersion>> current =
              store_sqlite::ReadCurrentCoverage(connection, patient_id);
          if (!current.ok()) return current.status();
          if (current->has_value()) coverages.emplace(patient_id, **std::move(current));
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return coverages;
}

// --- 照会番号 registrations --------------------------------------------------------------------

namespace {

// The registrations list is stored in the shape of an OQSmuimm01req body: the message that holds
// exactly "these registrations".
absl::StatusOr<std::optional<RegistrationRecord>> FindRegistrationLocked(
    Connection& connection, const std::string& request_id) {
  Statement query = connection.Prepare(kFindRegistration);
  query.BindBlob(1, request_id);
  absl::StatusOr<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  RegistrationRecord registration;
  registration.request_id = query.ColumnBlob(0);
  registration.done = query.ColumnInt64(1) != 0;
  registration.created_time = store_sqlite::FromMicros(query.ColumnInt64(2));
  v1::BulkReferenceNumberRequestDocument list;
  absl::Status status =
      store_sqlite::Decode(query.ColumnBlob(3), "registrations.request", &registration.request);
  if (status.ok()) {
    status = store_sqlite::Decode(query.ColumnBlob(4), "registrations.registrations", &list);
  }
  if (status.ok()) {
    status = store_sqlite::Decode(query.ColumnBlob(5), "registrations.response",
                                  &registration.response);
  }
  if (!status.ok()) return status;
  registration.registrations.assign(list.registrations().begin(), list.registrations().end());
  return registration;
}

}  // namespace

absl::StatusOr<RegistrationRecord> SqliteBatchStore::CreateRegistration(
    const RegistrationRecord& registration, const std::vector<BulkFile>& files, bool* created) {
  if (created != nullptr) *created = false;
  if (registration.request_id.empty()) {
    return store_sqlite::InvalidArgument("registration.request_id is empty");
  }
  for (const BulkFile& file : files) {
    if (absl::Status s = CheckNewFile(file, registration.request_id); !s.ok()) return s;
    if (file.exchange == BulkExchange::kBatch) {
      return store_sqlite::InvalidArgument("a registration file of another exchange");
    }
  }
  v1::BulkReferenceNumberRequestDocument list;
  for (const v1::ReferenceNumberRegistration& r : registration.registrations) {
    *list.add_registrations() = r;
  }
  std::string request, registrations, response;
  absl::Status status =
      store_sqlite::Encode(registration.request, "registration.request", &request);
  if (status.ok()) status = store_sqlite::Encode(list, "registration.registrations", &registrations);
  if (status.ok()) {
    status = store_sqlite::Encode(registration.response, "registration.response", &response);
  }
  if (!status.ok()) return status;
  const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());

  std::optional<RegistrationRecord> stored;
  bool inserted = false;
  status = StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
    {
      Statement insert = connection.Prepare(kInsertRegistration);
      insert.BindBlob(1, registration.request_id);
      insert.BindInt64(2, registration.done ? 1 : 0);
      insert.BindInt64(3, now);
      insert.BindBlob(4, request);
      insert.BindBlob(5, registrations);
      insert.BindBlob(6, response);
      absl::StatusOr<bool> row = insert.Step();
      if (!row.ok()) return row.status();
      inserted = *row;
      if (inserted) {
        if (absl::Status s = insert.Run(); !s.ok()) return s;
      }
    }
    if (inserted) {
      if (absl::Status s = InsertFiles(connection, files, now); !s.ok()) return s;
    }
    absl::StatusOr<std::optional<RegistrationRecord>> found =
        FindRegistrationLocked(connection, registration.request_id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return MakeError(errors::kInternal, "registration not read back");
    stored = std::move(**found);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (created != nullptr) *created = inserted;
  return *std::move(stored);
}

absl::StatusOr<std::optional<RegistrationRecord>> SqliteBatchStore::FindRegistration(
    const std::string& request_id) {
  std::optional<RegistrationRecord> found;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        absl::StatusOr<std::optional<RegistrationRecord>> registration =
            FindRegistrationLocked(connection, request_id);
        if (!registration.ok()) return registration.status();
        found = *std::move(registration);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return found;
}

absl::Status SqliteBatchStore::FinishRegistrationFile(
    const BulkFile& file, const std::map<int32_t, v1::ReferenceNumberOutcome>& outcomes) {
  if (absl::Status s = CheckFinished(file); !s.ok()) return s;
  if (file.exchange == BulkExchange::kBatch) {
    return store_sqlite::InvalidArgument("not a registration file");
  }
  for (const auto& [row, outcome] : outcomes) {
    if (!InRange(file, row)) {
      return store_sqlite::InvalidArgument("an outcome is outside the file's range");
    }
  }
  const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());
  return StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
    if (absl::Status s = UpdateFileLocked(connection, file, now); !s.ok()) return s;
    absl::StatusOr<std::optional<RegistrationRecord>> found =
        FindRegistrationLocked(connection, file.request_id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return store_sqlite::InvalidArgument("the registration does not exist");
    v1::RegisterReferenceNumbersResponse& response = (*found)->response;
    const v1::RegisterReferenceNumbersRequest& request = (*found)->request;
    for (const auto& [row, outcome] : outcomes) {
      if (row >= response.outcomes_size() || row >= request.patient_ids_size() ||
          outcome.patient_id() != request.patient_ids(row)) {
        return store_sqlite::InvalidArgument("an outcome does not name the patient of its row");
      }
      *response.mutable_outcomes(row) = outcome;
    }
    absl::StatusOr<bool> all_finished = NoUnfinishedFiles(connection, file);
    if (!all_finished.ok()) return all_finished.status();
    std::string bytes;
    if (absl::Status s = store_sqlite::Encode(response, "registration.response", &bytes);
        !s.ok()) {
      return s;
    }
    Statement update = connection.Prepare(kUpdateRegistration);
    update.BindBlob(1, file.request_id);
    update.BindInt64(2, *all_finished ? 1 : 0);
    update.BindInt64(3, now);
    update.BindBlob(4, bytes);
    return update.Run();
  });
}

// --- Files --------------------------------------------------------------------------------------

absl::StatusOr<std::vector<BulkFile>> SqliteBatchStore::ListUnfinishedBulkFiles() {
  std::vector<BulkFile> files;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        Statement query = connection.Prepare(kListUnfinishedFiles);
        absl::StatusOr<std::vector<BulkFile>> found = ReadFiles(query);
        if (!found.ok()) return found.status();
        files = *std::move(found);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return files;
}

absl::StatusOr<std::vector<BulkFile>> SqliteBatchStore::ListBulkFiles(
    BulkExchange exchange, const std::string& request_id) {
  std::vector<BulkFile> files;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        Statement query = connection.Prepare(kListFiles);
        query.BindInt64(1, static_cast<int64_t>(exchange));
        query.BindBlob(2, request_id);
        absl::StatusOr<std::vector<BulkFile>> found = ReadFiles(query);
        if (!found.ok()) return found.status();
        files = *std::move(found);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return files;
}

absl::StatusOr<std::optional<BulkFile>> SqliteBatchStore::FindBulkFileByFileId(
    const std::string& file_id) {
  std::optional<BulkFile> file;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        Statement query = connection.Prepare(kFindFileByFileId);
        query.BindBlob(1, file_id);
        absl::StatusOr<std::vector<BulkFile>> found = ReadFiles(query);
        if (!found.ok()) return found.status();
        if (!found->empty()) file = std::move(found->front());
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return file;
}

absl::StatusOr<BulkFile> SqliteBatchStore::UpdateBulkFile(const BulkFile& file) {
  if (!ValidExchange(file.exchange) || !ValidState(file.state) || IsFinished(file.state)) {
    return store_sqlite::InvalidArgument(
        "file.state must be an unfinished state (finish files with the Finish* methods)");
  }
  if (file.error_code != absl::StatusCode::kOk) {
    return store_sqlite::InvalidArgument("file.error_code is set for an unfinished file");
  }
  const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());
  std::optional<BulkFile> stored;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
        if (absl::Status s = UpdateFileLocked(connection, file, now); !s.ok()) return s;
        absl::StatusOr<std::optional<BulkFile>> found = FindFileLocked(connection, file);
        if (!found.ok()) return found.status();
        if (!found->has_value()) return MakeError(errors::kInternal, "bulk file not read back");
        stored = std::move(**found);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return *std::move(stored);
}

}  // namespace onshi
