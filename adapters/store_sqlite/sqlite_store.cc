#include "adapters/store_sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/store_sqlite/connection.h"
#include "adapters/store_sqlite/schema.h"
#include "adapters/store_sqlite/store_internal.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

using store_sqlite::Connection;
using store_sqlite::Decode;
using store_sqlite::Encode;
using store_sqlite::FromMicros;
using store_sqlite::InvalidArgument;
using store_sqlite::QueryInt;
using store_sqlite::Sql;
using store_sqlite::Statement;
using store_sqlite::ToMicros;
using store_sqlite::ToTimestamp;

constexpr absl::string_view kComponent = "store_sqlite";

// --- SQL ----------------------------------------------------------------------------------------
// Every statement is a constant; values are bound (?N), never spliced into the text.

constexpr Sql kBeginImmediate{"begin write transaction", "BEGIN IMMEDIATE"};
constexpr Sql kBeginDeferred{"begin read transaction", "BEGIN DEFERRED"};
constexpr Sql kCommit{"commit", "COMMIT"};
constexpr Sql kRollback{"roll back", "ROLLBACK"};

constexpr Sql kSetSynchronousFull{"set synchronous", "PRAGMA synchronous = FULL"};
constexpr Sql kReadSynchronous{"read synchronous", "PRAGMA synchronous"};
constexpr Sql kSetForeignKeys{"set foreign_keys", "PRAGMA foreign_keys = ON"};
constexpr Sql kReadForeignKeys{"read foreign_keys", "PRAGMA foreign_keys"};
constexpr Sql kSetJournalModeWal{"set journal_mode", "PRAGMA journal_mode = WAL"};
// Truncate the WAL back to at most 16 MiB after a checkpoint instead of leaving it at its peak.
constexpr Sql kSetJournalSizeLimit{"set journal_size_limit",
                                   "PRAGMA journal_size_limit = 16777216"};
constexpr Sql kIntegrityCheck{"integrity check", "PRAGMA integrity_check"};
constexpr Sql kForeignKeyCheck{"foreign key check", "PRAGMA foreign_key_check"};
constexpr Sql kVacuumInto{"backup (VACUUM INTO)", "VACUUM INTO ?1"};

constexpr Sql kFindRequest{
    "find request",
    "SELECT request_id, file_id, state, patient_id, created_time, deadline, updated_time, "
    "request, response, error_code, error FROM requests WHERE request_id = ?1"};
constexpr Sql kFindRequestByFileId{
    "find request by file id",
    "SELECT request_id, file_id, state, patient_id, created_time, deadline, updated_time, "
    "request, response, error_code, error FROM requests WHERE file_id = ?1"};
constexpr Sql kListRequestsInState{
    "list requests in state",
    "SELECT request_id, file_id, state, patient_id, created_time, deadline, updated_time, "
    "request, response, error_code, error FROM requests WHERE state = ?1 "
    "ORDER BY created_time, seq"};
constexpr Sql kFileIdInUse{"look up file id", "SELECT 1 FROM requests WHERE file_id = ?1"};
constexpr Sql kInsertRequest{
    "insert request",
    "INSERT INTO requests (request_id, file_id, state, patient_id, created_time, deadline, "
    "updated_time, request, response, error_code, error) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7, ?8, 0, ?8)"};
constexpr Sql kRequestState{"read request state",
                            "SELECT state FROM requests WHERE request_id = ?1"};
// Compare-and-set: changes the entry only while it is in state ?7.
constexpr Sql kUpdateRequest{
    "update request",
    "UPDATE requests SET state = ?2, updated_time = ?3, response = ?4, error_code = ?5, "
    "error = ?6 WHERE request_id = ?1 AND state = ?7 RETURNING patient_id, created_time"};
constexpr Sql kFindPatient{"find patient",
                           "SELECT created_time FROM patients WHERE patient_id = ?1"};
constexpr Sql kPatientCoverages{"read coverage versions",
                                "SELECT content FROM coverage_versions WHERE patient_id = ?1 "
                                "ORDER BY version DESC"};
// Newest check first; checks at the same time in reverse insertion order.
constexpr Sql kPatientConfirmations{"read confirmations",
                                    "SELECT content FROM confirmations WHERE patient_id = ?1 "
                                    "ORDER BY checked_time DESC, seq DESC"};

// --- Values -------------------------------------------------------------------------------------

bool ValidState(LedgerState state) {
  const int value = static_cast<int>(state);
  return value >= static_cast<int>(LedgerState::kPending) &&
         value <= static_cast<int>(LedgerState::kLate);
}

bool ValidStatusCode(int64_t code) { return code >= 0 && code <= 16; }

// The entry in the current row of a statement selecting the requests columns in order.
absl::Status ReadEntry(const Statement& row, LedgerEntry* entry) {
  entry->request_id = row.ColumnBlob(0);
  entry->file_id = row.ColumnBlob(1);
  const int64_t state = row.ColumnInt64(2);
  entry->state = static_cast<LedgerState>(state);
  if (!ValidState(entry->state)) {
    return MakeError(errors::kInternal,
                     absl::StrCat("stored requests.state ", state, " is not a ledger state"));
  }
  entry->patient_id = row.ColumnIsNull(3) ? std::string() : row.ColumnBlob(3);
  entry->created_time = FromMicros(row.ColumnInt64(4));
  entry->deadline = FromMicros(row.ColumnInt64(5));
  entry->updated_time = FromMicros(row.ColumnInt64(6));
  absl::Status status = Decode(row.ColumnBlob(7), "requests.request", &entry->request);
  if (status.ok()) status = Decode(row.ColumnBlob(8), "requests.response", &entry->response);
  if (!status.ok()) return status;
  const int64_t code = row.ColumnInt64(9);
  if (!ValidStatusCode(code)) {
    return MakeError(errors::kInternal,
                     absl::StrCat("stored requests.error_code ", code, " is not a status code"));
  }
  entry->error_code = static_cast<absl::StatusCode>(code);
  return Decode(row.ColumnBlob(10), "requests.error", &entry->error);
}

std::string ErrnoName(int error) {
  const char* name = strerrorname_np(error);
  return name != nullptr ? std::string(name) : absl::StrCat("errno ", error);
}

// SQLite as Debian builds it (SQLITE_USE_URI) reads a name starting with "file:" as a URI; a
// relative path gets "./" so it is always a plain file name.
std::string PlainFileName(const std::string& path) {
  return path[0] == '/' ? path : absl::StrCat("./", path);
}

absl::Status CheckPath(const std::string& path, absl::string_view what) {
  if (path.empty() || path == ":memory:" || path.find('\0') != std::string::npos) {
    return MakeError(errors::kConfigInvalid,
                     absl::StrCat(what, " must name a file (not empty, not :memory:)"));
  }
  return absl::OkStatus();
}

std::string DirectoryOf(const std::string& file) {
  const size_t slash = file.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return file.substr(0, slash);
}

// fsync of the directory, so a newly created file's name is durable too.
absl::Status SyncDirectory(const std::string& file, absl::string_view what) {
  const int fd = open(DirectoryOf(file).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    const int error = errno;
    if (fd >= 0) close(fd);
    return MakeError(errors::kStoreUnavailable, absl::StrCat("cannot sync the directory of the ",
                                                             what, " (", ErrnoName(error), ")"));
  }
  close(fd);
  return absl::OkStatus();
}

// Creates `file` empty with mode exactly 0600 unless it exists. Closing a descriptor drops every
// POSIX lock this process holds on the file, SQLite's included (howtocorrupt §2.2), so the
// store never opens a database file itself, with one exception: here, while the file did not
// exist until this very call (O_EXCL), so no connection can hold a lock on it. The mutex keeps
// another Open in this process from opening the new file before the descriptor is closed.
std::mutex create_mu;

absl::Status CreateDatabaseFileIfAbsent(const std::string& file) {
  std::lock_guard<std::mutex> lock(create_mu);
  const int fd = open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    // An existing file (or a link, which SQLite refuses to open with SQLITE_CANTOPEN_SYMLINK).
    if (errno == EEXIST) return absl::OkStatus();
    return MakeError(errors::kStoreUnavailable,
                     absl::StrCat("cannot create the database file (", ErrnoName(errno), ")"));
  }
  // The umask may have removed bits from 0600 (never added any): set it exactly.
  const int chmod_result = fchmod(fd, S_IRUSR | S_IWUSR);
  const int error = errno;
  close(fd);
  if (chmod_result != 0) {
    return MakeError(errors::kStoreUnavailable,
                     absl::StrCat("cannot set the database file mode (", ErrnoName(error), ")"));
  }
  return SyncDirectory(file, "database file");
}

void WarnIfReadableByOthers(const std::string& file) {
  struct stat info;
  if (stat(file.c_str(), &info) == 0 && (info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%03o", static_cast<unsigned>(info.st_mode & 0777));
    Log(LogLevel::kWarning, kComponent, "the database file is accessible to group or others (mode ",
        mode, "); it holds patient data: chmod 600 it (new files are created 0600)");
  }
}

// Connection settings every connection of the store runs with (per connection, not stored in
// the file, except journal_mode).
absl::Status Configure(Connection& connection) {
  absl::Status status = connection.Exec(kSetForeignKeys);
  if (status.ok()) status = connection.Exec(kSetSynchronousFull);
  if (status.ok()) status = connection.Exec(kSetJournalSizeLimit);
  if (!status.ok()) return status;
  {
    Statement wal = connection.Prepare(kSetJournalModeWal);
    absl::StatusOr<bool> row = wal.Step();
    if (!row.ok()) return row.status();
    if (!*row || wal.ColumnBlob(0) != "wal") {
      return MakeError(errors::kStoreUnavailable,
                       "the database cannot use WAL journaling (network or read-only file "
                       "system?); keep the store on a local disk");
    }
  }
  // Read back: a build without foreign keys, or a setting silently ignored, must not pass.
  absl::StatusOr<int64_t> foreign_keys = QueryInt(connection, kReadForeignKeys);
  if (!foreign_keys.ok()) return foreign_keys.status();
  absl::StatusOr<int64_t> synchronous = QueryInt(connection, kReadSynchronous);
  if (!synchronous.ok()) return synchronous.status();
  if (*foreign_keys != 1 || *synchronous != 2) {
    return MakeError(errors::kStoreUnavailable,
                     "SQLite did not accept foreign_keys=ON and synchronous=FULL");
  }
  return absl::OkStatus();
}

}  // namespace

// --- Open / close -------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                               const Clock* clock) {
  return Open(path, clock, SqliteStoreOptions());
}

absl::StatusOr<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path,
                                                               const Clock* clock,
                                                               const SqliteStoreOptions& options) {
  if (clock == nullptr) return InvalidArgument("clock is null");
  absl::Status status = CheckPath(path, "the store path");
  if (!status.ok()) return status;
  const std::string file = PlainFileName(path);
  status = CreateDatabaseFileIfAbsent(file);
  if (!status.ok()) return status;

  store_sqlite::ConnectionOptions connection_options;
  connection_options.vfs = options.vfs;
  connection_options.busy_timeout = options.busy_timeout;
  absl::StatusOr<std::unique_ptr<Connection>> connection =
      Connection::Open(file, connection_options);
  if (!connection.ok()) return connection.status();
  status = Configure(**connection);
  if (status.ok()) status = store_sqlite::Migrate(**connection, *clock);
  if (!status.ok()) return status;
  WarnIfReadableByOthers(file);
  Log(LogLevel::kInfo, kComponent, "store open, schema version ",
      store_sqlite::LatestSchemaVersion());
  return std::unique_ptr<SqliteStore>(new SqliteStore(*std::move(connection), clock));
}

SqliteStore::SqliteStore(std::unique_ptr<Connection> connection, const Clock* clock)
    : clock_(clock), owner_pid_(getpid()), connection_(std::move(connection)) {}

SqliteStore::~SqliteStore() {
  std::lock_guard<std::mutex> lock(mu_);
  if (getpid() != owner_pid_) connection_->Abandon();
  connection_.reset();
}

int64_t SqliteStore::LatestSchemaVersion() { return store_sqlite::LatestSchemaVersion(); }

absl::Status SqliteStore::CheckProcess() const {
  if (getpid() == owner_pid_) return absl::OkStatus();
  return MakeError(errors::kStoreUnavailable,
                   "the store was opened by the parent process (fork); open it anew in this "
                   "process");
}

absl::Status SqliteStore::CheckWritable() const {
  if (!connection_->write_failed()) return absl::OkStatus();
  return MakeError(errors::kStoreUnavailable,
                   "an earlier write or fsync of the database failed; writes stay refused "
                   "until onshid is restarted (check the disk and the kernel log first)");
}

template <typename Body>
absl::Status SqliteStore::Transaction(bool write, Body body) {
  if (write) {
    absl::Status writable = CheckWritable();
    if (!writable.ok()) return writable;
  }
  absl::Status status = connection_->Exec(write ? kBeginImmediate : kBeginDeferred);
  if (!status.ok()) return status;
  status = body();
  if (status.ok() && !write && connection_->InWriteTransaction()) {
    status = MakeError(errors::kInternal, "a read transaction wrote to the database");
  }
  if (status.ok()) status = connection_->Exec(kCommit);
  if (!status.ok() && connection_->InTransaction()) {
    absl::Status rolled_back = connection_->Exec(kRollback);
    if (!rolled_back.ok()) Log(LogLevel::kError, kComponent, rolled_back.message());
  }
  return status;
}

absl::StatusOr<int64_t> SqliteStore::SchemaVersion() {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  return store_sqlite::ReadSchemaVersion(*connection_);
}

absl::Status SqliteStore::CheckHealth() {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  status = CheckWritable();
  if (!status.ok()) return status;
  absl::StatusOr<bool> moved = connection_->FileHasMoved();
  if (!moved.ok()) return moved.status();
  if (*moved) {
    return MakeError(errors::kStoreUnavailable,
                     "the database file was deleted or renamed while open; restart onshid and "
                     "check what touched the store directory");
  }
  absl::StatusOr<int64_t> version = store_sqlite::ReadSchemaVersion(*connection_);
  if (!version.ok()) return version.status();
  return absl::OkStatus();
}

absl::Status SqliteStore::CheckIntegrity() {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  int problems = 0;
  {
    Statement check = connection_->Prepare(kIntegrityCheck);
    while (true) {
      absl::StatusOr<bool> row = check.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      const std::string line = check.ColumnBlob(0);
      if (line == "ok") continue;
      ++problems;
      if (problems <= 20) Log(LogLevel::kError, kComponent, "integrity_check: ", line);
    }
  }
  if (problems > 0) {
    return MakeError(errors::kInternal, absl::StrCat("PRAGMA integrity_check reported ", problems,
                                                     " problem(s); restore the last good backup"));
  }
  int violations = 0;
  {
    Statement check = connection_->Prepare(kForeignKeyCheck);
    while (true) {
      absl::StatusOr<bool> row = check.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      ++violations;
      if (violations <= 20) {
        Log(LogLevel::kError, kComponent, "foreign_key_check: table ", check.ColumnBlob(0), " row ",
            check.ColumnInt64(1), " refers to a missing ", check.ColumnBlob(2), " row");
      }
    }
  }
  if (violations > 0) {
    return MakeError(errors::kInternal,
                     absl::StrCat("PRAGMA foreign_key_check reported ", violations,
                                  " violation(s); restore the last good backup"));
  }
  return absl::OkStatus();
}

absl::Status SqliteStore::BackupTo(const std::string& path) {
  absl::Status status = CheckProcess();
  if (status.ok()) status = CheckPath(path, "the backup path");
  if (!status.ok()) return status;
  const std::string file = PlainFileName(path);
  // Created here, empty and 0600, so the copy of patient data is never readable by others;
  // VACUUM INTO accepts an empty target file.
  const int fd = open(file.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    return MakeError(errors::kConfigInvalid,
                     absl::StrCat("cannot create the backup file (", ErrnoName(errno),
                                  "); it must not exist yet"));
  }
  const int chmod_result = fchmod(fd, S_IRUSR | S_IWUSR);
  close(fd);
  if (chmod_result == 0) {
    std::lock_guard<std::mutex> lock(mu_);
    Statement vacuum = connection_->Prepare(kVacuumInto);
    vacuum.BindText(1, file);
    status = vacuum.Run();
  } else {
    status = MakeError(errors::kStoreUnavailable, "cannot set the backup file mode");
  }
  if (status.ok()) {
    // VACUUM INTO does not sync its output; a backup must be on disk before it counts.
    const int backup = open(file.c_str(), O_RDONLY | O_CLOEXEC);
    if (backup < 0 || fsync(backup) != 0) {
      status = MakeError(errors::kStoreUnavailable,
                         absl::StrCat("cannot sync the backup file (", ErrnoName(errno), ")"));
    }
    if (backup >= 0) close(backup);
  }
  if (status.ok()) status = SyncDirectory(file, "backup file");
  if (!status.ok()) unlink(file.c_str());
  return status;
}

// --- Ledger -------------------------------------------------------------------------------------

absl::StatusOr<std::optional<LedgerEntry>> SqliteStore::FindLocked(bool by_file_id,
                                                                   const std::string& id) {
  Statement query = connection_->Prepare(by_file_id ? kFindRequestByFileId : kFindRequest);
  query.BindBlob(1, id);
  absl::StatusOr<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<LedgerEntry>();
  LedgerEntry entry;
  absl::Status status = ReadEntry(query, &entry);
  if (!status.ok()) return status;
  return std::optional<LedgerEntry>(std::move(entry));
}

absl::StatusOr<std::optional<LedgerEntry>> SqliteStore::FindRequest(const std::string& request_id) {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  return FindLocked(/*by_file_id=*/false, request_id);
}

absl::StatusOr<std::optional<LedgerEntry>> SqliteStore::FindRequestByFileId(
    const std::string& file_id) {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  return FindLocked(/*by_file_id=*/true, file_id);
}

absl::StatusOr<std::vector<LedgerEntry>> SqliteStore::ListPendingRequests() {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  Statement query = connection_->Prepare(kListRequestsInState);
  query.BindInt64(1, static_cast<int64_t>(LedgerState::kPending));
  std::vector<LedgerEntry> entries;
  while (true) {
    absl::StatusOr<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    LedgerEntry entry;
    status = ReadEntry(query, &entry);
    if (!status.ok()) return status;
    entries.push_back(std::move(entry));
  }
  return entries;
}

absl::StatusOr<LedgerEntry> SqliteStore::CreateRequest(const LedgerEntry& entry, bool* created) {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  if (entry.request_id.empty()) return InvalidArgument("entry.request_id is empty");
  if (entry.file_id.empty()) return InvalidArgument("entry.file_id is empty");
  if (entry.state != LedgerState::kPending) {
    return InvalidArgument("entry.state must be kPending for a new ledger entry");
  }
  std::string request;
  status = Encode(entry.request, "entry.request", &request);
  if (!status.ok()) return status;

  std::lock_guard<std::mutex> lock(mu_);
  LedgerEntry stored;
  bool inserted = false;
  status = Transaction(/*write=*/true, [&]() -> absl::Status {
    absl::StatusOr<std::optional<LedgerEntry>> existing =
        FindLocked(/*by_file_id=*/false, entry.request_id);
    if (!existing.ok()) return existing.status();
    if (existing->has_value()) {
      stored = std::move(**existing);
      return absl::OkStatus();
    }
    {
      Statement probe = connection_->Prepare(kFileIdInUse);
      probe.BindBlob(1, entry.file_id);
      absl::StatusOr<bool> row = probe.Step();
      if (!row.ok()) return row.status();
      if (*row) return InvalidArgument("entry.file_id already belongs to another ledger entry");
    }
    const int64_t now = ToMicros(clock_->Now());
    if (!entry.patient_id.empty()) {
      absl::Status inserted_patient =
          store_sqlite::EnsurePatient(*connection_, entry.patient_id, now);
      if (!inserted_patient.ok()) return inserted_patient;
    }
    {
      Statement insert = connection_->Prepare(kInsertRequest);
      insert.BindBlob(1, entry.request_id);
      insert.BindBlob(2, entry.file_id);
      insert.BindInt64(3, static_cast<int64_t>(LedgerState::kPending));
      if (entry.patient_id.empty()) {
        insert.BindNull(4);
      } else {
        insert.BindBlob(4, entry.patient_id);
      }
      insert.BindInt64(5, now);
      insert.BindInt64(6, ToMicros(entry.deadline));
      insert.BindBlob(7, request);
      // An empty message serializes to no bytes: response and error start empty.
      insert.BindBlob(8, absl::string_view());
      absl::Status inserted_request = insert.Run();
      if (!inserted_request.ok()) return inserted_request;
    }
    absl::StatusOr<std::optional<LedgerEntry>> again =
        FindLocked(/*by_file_id=*/false, entry.request_id);
    if (!again.ok()) return again.status();
    if (!again->has_value()) {
      return MakeError(errors::kInternal, "the inserted ledger entry cannot be read back");
    }
    stored = std::move(**again);
    inserted = true;
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (created != nullptr) *created = inserted;
  return stored;
}

absl::Status SqliteStore::ApplyTransition(const LedgerTransition& transition) {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  if (transition.request_id.empty()) return InvalidArgument("transition.request_id is empty");
  if (!ValidState(transition.from) || !ValidState(transition.to)) {
    return InvalidArgument("transition.from or transition.to is not a ledger state");
  }
  if (transition.to == LedgerState::kPending || transition.to == transition.from) {
    return InvalidArgument("transition.to must be a new state other than kPending");
  }
  if ((transition.to == LedgerState::kFailed) != (transition.error_code != absl::StatusCode::kOk)) {
    return InvalidArgument("transition.error_code must be set for kFailed and only for kFailed");
  }
  if (!ValidStatusCode(static_cast<int64_t>(transition.error_code))) {
    return InvalidArgument("transition.error_code is not a status code");
  }

  // What can be checked without the database is, so the lock is held briefly and bad input
  // never takes it.
  std::string response;
  std::string error;
  status = Encode(transition.response, "transition.response", &response);
  if (status.ok()) status = Encode(transition.error, "transition.error", &error);
  if (status.ok() && transition.confirmation.has_value()) {
    status = store_sqlite::CheckConfirmation(transition.request_id, *transition.confirmation);
  }
  if (status.ok() && transition.coverage.has_value()) {
    status = store_sqlite::CheckCoverageUpdate(*transition.coverage);
  }
  if (!status.ok()) return status;
  const int64_t now = ToMicros(clock_->Now());

  std::lock_guard<std::mutex> lock(mu_);
  return Transaction(/*write=*/true, [&]() -> absl::Status {
    // The compare-and-set first. Everything after it may still refuse the transition (no
    // patient, a stale coverage version); the rollback then undoes the state change too.
    std::string patient_id;
    int64_t created_time = 0;
    {
      Statement update = connection_->Prepare(kUpdateRequest);
      update.BindBlob(1, transition.request_id);
      update.BindInt64(2, static_cast<int64_t>(transition.to));
      update.BindInt64(3, now);
      update.BindBlob(4, response);
      update.BindInt64(5, static_cast<int64_t>(transition.error_code));
      update.BindBlob(6, error);
      update.BindInt64(7, static_cast<int64_t>(transition.from));
      absl::StatusOr<bool> row = update.Step();
      if (!row.ok()) return row.status();
      if (*row) {
        if (!update.ColumnIsNull(0)) patient_id = update.ColumnBlob(0);
        created_time = update.ColumnInt64(1);
        absl::Status finished = update.Run();
        if (!finished.ok()) return finished;
      } else {
        // Not updated: no such entry, or not in `from`.
        Statement current = connection_->Prepare(kRequestState);
        current.BindBlob(1, transition.request_id);
        absl::StatusOr<bool> found = current.Step();
        if (!found.ok()) return found.status();
        if (!*found) return InvalidArgument("transition.request_id names no ledger entry");
        return MakeError(errors::kStoreConflict,
                         absl::StrCat("the ledger entry is in state ", current.ColumnInt64(0),
                                      ", not ", static_cast<int>(transition.from)));
      }
    }
    if ((transition.confirmation.has_value() || transition.coverage.has_value()) &&
        patient_id.empty()) {
      return InvalidArgument(
          "transition carries a confirmation or coverage but the entry names no patient");
    }
    // The check of a 個別照会 is its ledger entry: check id = request_id, checked at the entry's
    // creation.
    if (transition.coverage.has_value()) {
      absl::Status written = store_sqlite::WriteCoverageVersion(
          *connection_, patient_id, transition.request_id, *transition.coverage, now);
      if (!written.ok()) return written;
    }
    if (transition.confirmation.has_value()) {
      absl::Status written =
          store_sqlite::WriteConfirmation(*connection_, transition.request_id, patient_id,
                                          created_time, *transition.confirmation, now);
      if (!written.ok()) return written;
    }
    return absl::OkStatus();
  });
}

// --- Patients -----------------------------------------------------------------------------------

absl::StatusOr<std::optional<v1::CoverageVersion>> SqliteStore::GetCurrentCoverage(
    const std::string& patient_id) {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  return store_sqlite::ReadCurrentCoverage(*connection_, patient_id);
}

absl::Status SqliteStore::PatientRecordLocked(const std::string& patient_id,
                                              v1::PatientRecord* record) {
  {
    Statement patient = connection_->Prepare(kFindPatient);
    patient.BindBlob(1, patient_id);
    absl::StatusOr<bool> row = patient.Step();
    if (!row.ok()) return row.status();
    if (!*row) return MakeError(errors::kPatientNotFound);
    record->set_patient_id(patient_id);
    *record->mutable_created_time() = ToTimestamp(patient.ColumnInt64(0));
  }
  {
    Statement coverages = connection_->Prepare(kPatientCoverages);
    coverages.BindBlob(1, patient_id);
    bool first = true;
    while (true) {
      absl::StatusOr<bool> row = coverages.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      v1::CoverageVersion* version =
          first ? record->mutable_current_coverage() : record->add_coverage_history();
      first = false;
      absl::Status status = Decode(coverages.ColumnBlob(0), "coverage_versions.content", version);
      if (!status.ok()) return status;
    }
  }
  Statement confirmations = connection_->Prepare(kPatientConfirmations);
  confirmations.BindBlob(1, patient_id);
  while (true) {
    absl::StatusOr<bool> row = confirmations.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::Status status =
        Decode(confirmations.ColumnBlob(0), "confirmations.content", record->add_confirmations());
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::PatientRecord> SqliteStore::GetPatientRecord(const std::string& patient_id) {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  v1::PatientRecord record;
  // One read transaction: the three queries see one snapshot.
  status = Transaction(/*write=*/false, [&]() -> absl::Status {
    record.Clear();
    return PatientRecordLocked(patient_id, &record);
  });
  if (!status.ok()) return status;
  return record;
}

absl::StatusOr<std::vector<std::string>> SqliteStore::FindPatientsByIdentity(
    const v1::InsuranceIdentifiers& identifiers, absl::string_view birth_date) {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> found;
  // One read transaction: the key, the index and the coverages it points at are one snapshot.
  status = Transaction(/*write=*/false, [&]() -> absl::Status {
    absl::StatusOr<std::vector<std::string>> ids =
        store_sqlite::FindPatientsByIdentity(*connection_, identifiers, birth_date);
    if (!ids.ok()) return ids.status();
    found = *std::move(ids);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<bool> SqliteStore::PatientExists(const std::string& patient_id) {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  return store_sqlite::PatientExists(*connection_, patient_id);
}

// --- Extension API (store_internal.h) ------------------------------------------------------------

absl::Status SqliteStore::RunInTransaction(bool write,
                                           const std::function<absl::Status(Connection&)>& body) {
  absl::Status status = CheckProcess();
  if (!status.ok()) return status;
  std::lock_guard<std::mutex> lock(mu_);
  return Transaction(write, [&]() -> absl::Status { return body(*connection_); });
}

namespace store_sqlite {

absl::Status StoreAccess::RunInTransaction(SqliteStore& store, bool write, const Body& body) {
  return store.RunInTransaction(write, body);
}

const Clock& StoreAccess::ClockOf(const SqliteStore& store) { return *store.clock_; }

}  // namespace store_sqlite
}  // namespace onshi
