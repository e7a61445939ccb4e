#include "adapters/store_sqlite/schema.h"

#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace store_sqlite {
namespace {

constexpr absl::string_view kComponent = "store_sqlite";

struct Migration {
  int64_t version;
  Sql script;
};

// The schema, one step per version, in order. A released step is never edited: a change is a
// new step. Steps hold DDL only (constant text, no values); each runs in one transaction.
//
// Conventions (docs/store.md): ids (request_id, file_id, patient_id) are BLOBs holding the
// caller's exact bytes; times are INTEGER microseconds since the Unix epoch, UTC (INT64_MAX /
// INT64_MIN stand for the infinite future / past); protobuf messages are stored as their
// deterministic serialization, and only what queries need is copied into columns. Insurance
// numbers live only inside the message BLOBs: no key, index or column holds one.
const Migration kMigrations[] = {
    {1,
     {"migration 1 (patients, request ledger, coverage versions, confirmations)",
      R"sql(
CREATE TABLE patients (
  patient_id BLOB NOT NULL PRIMARY KEY,
  created_time INTEGER NOT NULL
);

CREATE TABLE requests (
  seq INTEGER PRIMARY KEY,
  request_id BLOB NOT NULL UNIQUE,
  file_id BLOB NOT NULL UNIQUE,
  state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 5),
  patient_id BLOB REFERENCES patients (patient_id),
  created_time INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  updated_time INTEGER NOT NULL,
  request BLOB NOT NULL,
  response BLOB NOT NULL,
  error_code INTEGER NOT NULL CHECK (error_code BETWEEN 0 AND 16),
  error BLOB NOT NULL
);
CREATE INDEX requests_by_state ON requests (state, created_time, seq);
CREATE INDEX requests_by_patient ON requests (patient_id);

CREATE TABLE coverage_versions (
  patient_id BLOB NOT NULL REFERENCES patients (patient_id),
  version INTEGER NOT NULL CHECK (version >= 1),
  recorded_time INTEGER NOT NULL,
  source INTEGER NOT NULL,
  request_id BLOB REFERENCES requests (request_id),
  validity INTEGER NOT NULL,
  content BLOB NOT NULL,
  PRIMARY KEY (patient_id, version)
);

CREATE TABLE confirmations (
  request_id BLOB NOT NULL PRIMARY KEY REFERENCES requests (request_id),
  patient_id BLOB NOT NULL REFERENCES patients (patient_id),
  outcome INTEGER NOT NULL,
  validity INTEGER NOT NULL,
  late INTEGER NOT NULL CHECK (late IN (0, 1)),
  recorded_time INTEGER NOT NULL,
  content BLOB NOT NULL
);
CREATE INDEX confirmations_by_patient ON confirmations (patient_id);
)sql"}},
};

constexpr Sql kBeginImmediate{"begin migration", "BEGIN IMMEDIATE"};
constexpr Sql kCommit{"commit migration", "COMMIT"};
constexpr Sql kRollback{"roll back migration", "ROLLBACK"};
constexpr Sql kReadApplicationId{"read application_id", "PRAGMA application_id"};
constexpr Sql kSetApplicationId{"set application_id", "PRAGMA application_id = 1330533192"};
static_assert(kApplicationId == 1330533192, "kSetApplicationId spells kApplicationId");
constexpr Sql kHasMigrationsTable{
    "look for schema_migrations",
    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'"};
constexpr Sql kCountOtherObjects{
    "count schema objects",
    "SELECT count(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"};
constexpr Sql kCreateMigrationsTable{
    "create schema_migrations",
    "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_time TEXT NOT NULL)"};
constexpr Sql kMigrationState{
    "read schema_migrations",
    "SELECT COALESCE(MAX(version), 0), COUNT(*), COALESCE(MIN(version), 0) "
    "FROM schema_migrations"};
constexpr Sql kRecordMigration{"record migration",
                               "INSERT INTO schema_migrations (version, applied_time) "
                               "VALUES (?1, ?2)"};

absl::StatusOr<int64_t> QueryInt(Connection& connection, const Sql& sql) {
  Statement statement = connection.Prepare(sql);
  absl::StatusOr<bool> row = statement.Step();
  if (!row.ok()) return row.status();
  if (!*row) return StoreError(SQLITE_EMPTY, sql.label);
  return statement.ColumnInt64(0);
}

absl::Status NotOnshi() {
  return MakeError(errors::kStoreUnavailable,
                   "the database file is not an onshi database (other tables or another "
                   "application_id); check the configured store path");
}

// Runs `body` in a BEGIN IMMEDIATE transaction: committed when it returns OK, rolled back
// otherwise.
template <typename Body>
absl::Status InTransaction(Connection& connection, Body body) {
  absl::Status status = connection.Exec(kBeginImmediate);
  if (!status.ok()) return status;
  status = body();
  if (status.ok()) status = connection.Exec(kCommit);
  if (!status.ok() && connection.InTransaction()) {
    absl::Status rollback = connection.Exec(kRollback);
    if (!rollback.ok()) Log(LogLevel::kError, kComponent, rollback.message());
  }
  return status;
}

// Marks an empty file as ours; refuses a file that belongs to someone else.
absl::Status Bootstrap(Connection& connection) {
  absl::StatusOr<int64_t> application_id = QueryInt(connection, kReadApplicationId);
  if (!application_id.ok()) return application_id.status();
  absl::StatusOr<int64_t> has_table = QueryInt(connection, kHasMigrationsTable);
  if (!has_table.ok()) return has_table.status();
  if (*has_table > 0) {
    return *application_id == kApplicationId ? absl::OkStatus() : NotOnshi();
  }
  absl::StatusOr<int64_t> objects = QueryInt(connection, kCountOtherObjects);
  if (!objects.ok()) return objects.status();
  if (*objects > 0 || (*application_id != 0 && *application_id != kApplicationId)) {
    return NotOnshi();
  }
  absl::Status status = connection.Exec(kCreateMigrationsTable);
  if (status.ok()) status = connection.Exec(kSetApplicationId);
  return status;
}

// The applied version, checked: contiguous from 1 and not newer than this code.
absl::StatusOr<int64_t> CheckedVersion(Connection& connection) {
  Statement statement = connection.Prepare(kMigrationState);
  absl::StatusOr<bool> row = statement.Step();
  if (!row.ok()) return row.status();
  if (!*row) return StoreError(SQLITE_EMPTY, kMigrationState.label);
  const int64_t max = statement.ColumnInt64(0);
  const int64_t count = statement.ColumnInt64(1);
  const int64_t min = statement.ColumnInt64(2);
  if (max > LatestSchemaVersion()) {
    return MakeError(errors::kStoreUnavailable,
                     absl::StrCat("the database schema version ", max,
                                  " is newer than this onshi knows (", LatestSchemaVersion(),
                                  "); run the onshi release that wrote it, or restore a backup "
                                  "made by this release"));
  }
  if (count != max || (count > 0 && min != 1)) {
    return MakeError(errors::kStoreUnavailable,
                     "schema_migrations is not contiguous from version 1; the database was "
                     "edited by hand or damaged");
  }
  return max;
}

}  // namespace

int64_t LatestSchemaVersion() { return std::end(kMigrations)[-1].version; }

absl::StatusOr<int64_t> ReadSchemaVersion(Connection& connection) {
  constexpr Sql kVersion{"read schema version",
                         "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"};
  return QueryInt(connection, kVersion);
}

absl::Status Migrate(Connection& connection, const Clock& clock) {
  absl::Status status = InTransaction(connection, [&] { return Bootstrap(connection); });
  if (!status.ok()) return status;
  for (const Migration& migration : kMigrations) {
    bool applied = false;
    status = InTransaction(connection, [&]() -> absl::Status {
      absl::StatusOr<int64_t> version = CheckedVersion(connection);
      if (!version.ok()) return version.status();
      if (*version >= migration.version) return absl::OkStatus();
      if (*version != migration.version - 1) {
        return MakeError(errors::kStoreUnavailable, "migration steps out of order");
      }
      absl::Status step = connection.ExecScript(migration.script);
      if (!step.ok()) return step;
      Statement record = connection.Prepare(kRecordMigration);
      record.BindInt64(1, migration.version);
      record.BindText(2,
                      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", clock.Now(), absl::UTCTimeZone()));
      applied = true;
      return record.Run();
    });
    if (!status.ok()) return status;
    if (applied) {
      Log(LogLevel::kInfo, kComponent, "applied schema migration ", migration.version);
    }
  }
  absl::StatusOr<int64_t> version = CheckedVersion(connection);
  if (!version.ok()) return version.status();
  if (*version != LatestSchemaVersion()) {
    return MakeError(errors::kStoreUnavailable, "schema migration did not complete");
  }
  return absl::OkStatus();
}

}  // namespace store_sqlite
}  // namespace onshi
