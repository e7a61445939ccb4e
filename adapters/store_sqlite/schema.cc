#include "adapters/store_sqlite/schema.h"

#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "adapters/store_sqlite/store_internal.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace store_sqlite {
namespace {

constexpr absl::string_view kComponent = "store_sqlite";

struct Migration {
  int64_t version;
  Sql script;
  // Optional: runs after `script`, in the same transaction, for what SQL alone cannot do
  // (e.g. computing digests with a key). It is part of the released step and is never edited
  // either.
  absl::Status (*then)(Connection&) = nullptr;
};

// The schema, one step per version, in order. A released step is never edited: a change is a
// new step. Scripts hold DDL and data copies only (constant text, no values); each step runs in
// one transaction.
//
// Conventions (docs/store.md): ids (request_id, file_id, patient_id) are BLOBs holding the
// caller's exact bytes; times are INTEGER microseconds since the Unix epoch, UTC (INT64_MAX /
// INT64_MIN stand for the infinite future / past); protobuf messages are stored as their
// deterministic serialization, and only what queries need is copied into columns. Insurance
// numbers live only inside the message BLOBs: no key, index or column holds one (patients are
// found by card through keyed digests, patient_identities).
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
    // Confirmations and coverage versions are written by every kind of check (個別照会, card
    // reader check-ins, batch rows, ...), not only by requests of the ledger: request_id becomes
    // check_id, without a foreign key to requests; confirmations get the time of their check
    // (for 個別照会 rows the ledger entry's created_time, which ordered them until now) and an
    // explicit insertion order (seq: VACUUM may renumber implicit rowids). Patients become
    // findable by a keyed digest of their current coverage's identity; the key lives in
    // store_keys and is created, and existing coverages indexed, by InstallIdentityKey.
    // Rebuilds follow SQLite's procedure (create new, copy, drop, rename, recreate indexes); no
    // other table refers to the two rebuilt tables.
    {2,
     {"migration 2 (check ids, checked_time, patient identities, store keys)",
      R"sql(
CREATE TABLE confirmations_new (
  seq INTEGER PRIMARY KEY,
  check_id BLOB NOT NULL UNIQUE,
  patient_id BLOB NOT NULL REFERENCES patients (patient_id),
  checked_time INTEGER NOT NULL,
  outcome INTEGER NOT NULL,
  validity INTEGER NOT NULL,
  late INTEGER NOT NULL CHECK (late IN (0, 1)),
  recorded_time INTEGER NOT NULL,
  content BLOB NOT NULL
);
INSERT INTO confirmations_new (check_id, patient_id, checked_time, outcome, validity, late,
                               recorded_time, content)
  SELECT c.request_id, c.patient_id, COALESCE(r.created_time, c.recorded_time), c.outcome,
         c.validity, c.late, c.recorded_time, c.content
  FROM confirmations AS c LEFT JOIN requests AS r ON r.request_id = c.request_id
  ORDER BY COALESCE(r.created_time, c.recorded_time), r.seq, c.rowid;
DROP TABLE confirmations;
ALTER TABLE confirmations_new RENAME TO confirmations;
CREATE INDEX confirmations_by_patient ON confirmations (patient_id, checked_time);

CREATE TABLE coverage_versions_new (
  patient_id BLOB NOT NULL REFERENCES patients (patient_id),
  version INTEGER NOT NULL CHECK (version >= 1),
  recorded_time INTEGER NOT NULL,
  source INTEGER NOT NULL,
  check_id BLOB,
  validity INTEGER NOT NULL,
  content BLOB NOT NULL,
  PRIMARY KEY (patient_id, version)
);
INSERT INTO coverage_versions_new (patient_id, version, recorded_time, source, check_id,
                                   validity, content)
  SELECT patient_id, version, recorded_time, source, request_id, validity, content
  FROM coverage_versions ORDER BY rowid;
DROP TABLE coverage_versions;
ALTER TABLE coverage_versions_new RENAME TO coverage_versions;

CREATE TABLE patient_identities (
  digest BLOB NOT NULL CHECK (length(digest) = 32),
  patient_id BLOB NOT NULL REFERENCES patients (patient_id),
  PRIMARY KEY (digest, patient_id)
) WITHOUT ROWID;
CREATE INDEX patient_identities_by_patient ON patient_identities (patient_id);

CREATE TABLE store_keys (
  name TEXT NOT NULL PRIMARY KEY,
  value BLOB NOT NULL
);
)sql"},
     &InstallIdentityKey},
    // --- Card-reader check-ins (adapters/store_sqlite/sqlite_checkin_store.cc) ---
    // One row per face file read (file_id UNIQUE: a file delivered twice is recorded once),
    // in arrival order (sequence, never reused), durable until a host acknowledges it. The
    // partial index lists what hosts still have to see, in order, without scanning the
    // acknowledged history. content is the v1.CheckinEvent without sequence and
    // acknowledged_time (the columns hold them).
    {3,
     {"migration 3 (card-reader check-in events)",
      R"sql(
CREATE TABLE checkin_events (
  sequence INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id BLOB NOT NULL UNIQUE,
  file_id BLOB NOT NULL UNIQUE,
  received_time INTEGER NOT NULL,
  patient_id BLOB REFERENCES patients (patient_id),
  content BLOB NOT NULL,
  acknowledged_time INTEGER
);
CREATE INDEX checkin_events_unacknowledged ON checkin_events (sequence)
  WHERE acknowledged_time IS NULL;
)sql"}},
    // --- end of card-reader check-ins ---
    // --- 一括照会 and 照会番号 registration (adapters/store_sqlite/sqlite_batch_store.cc) ---
    // batches and registrations hold the request as normalised (a retry is compared with it);
    // batch_results one result per patient row, in write order (sequence: the stream's cursor);
    // registrations keep their per-patient outcomes in `response`. bulk_files holds the upload
    // files of both with the state of their exchange with the terminal (plugin/core/
    // bulk_exchange.h), changed by compare-and-set on `revision`; its partial index lists the
    // unfinished ones for the driver. Patient rows of answered batch rows, their confirmations
    // (check id "<request_id>/<row>") and coverage versions live in the record's own tables.
    {4,
     {"migration 4 (batches, batch results, 照会番号 registrations, bulk files)",
      R"sql(
CREATE TABLE batches (
  request_id BLOB NOT NULL PRIMARY KEY,
  done INTEGER NOT NULL CHECK (done IN (0, 1)),
  created_time INTEGER NOT NULL,
  updated_time INTEGER NOT NULL,
  patient_count INTEGER NOT NULL,
  request BLOB NOT NULL
);

CREATE TABLE batch_results (
  sequence INTEGER PRIMARY KEY,
  request_id BLOB NOT NULL REFERENCES batches (request_id),
  row_index INTEGER NOT NULL CHECK (row_index >= 0),
  recorded_time INTEGER NOT NULL,
  content BLOB NOT NULL,
  UNIQUE (request_id, row_index)
);
CREATE INDEX batch_results_by_batch ON batch_results (request_id, sequence);

CREATE TABLE registrations (
  request_id BLOB NOT NULL PRIMARY KEY,
  done INTEGER NOT NULL CHECK (done IN (0, 1)),
  created_time INTEGER NOT NULL,
  updated_time INTEGER NOT NULL,
  request BLOB NOT NULL,
  registrations BLOB NOT NULL,
  response BLOB NOT NULL
);

CREATE TABLE bulk_files (
  exchange INTEGER NOT NULL CHECK (exchange BETWEEN 1 AND 3),
  request_id BLOB NOT NULL,
  file_index INTEGER NOT NULL CHECK (file_index >= 0),
  first_row INTEGER NOT NULL,
  end_row INTEGER NOT NULL,
  state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 6),
  revision INTEGER NOT NULL,
  upload_file_id BLOB NOT NULL UNIQUE,
  reception_number BLOB NOT NULL,
  ask_file_id BLOB UNIQUE,
  next_time INTEGER NOT NULL,
  ask_count INTEGER NOT NULL,
  processing_count INTEGER NOT NULL,
  created_time INTEGER NOT NULL,
  updated_time INTEGER NOT NULL,
  error_code INTEGER NOT NULL CHECK (error_code BETWEEN 0 AND 16),
  error BLOB NOT NULL,
  PRIMARY KEY (exchange, request_id, file_index)
);
CREATE INDEX bulk_files_unfinished ON bulk_files (created_time, exchange, request_id, file_index)
  WHERE state < 5;
)sql"}},
    // --- end of 一括照会 and 照会番号 registration ---
    // --- 薬剤情報 / 特定健診 requests (adapters/store_sqlite/sqlite_medical_store.cc) ---
    // The ledger of YZK/TKK requests: one row per request_id (file_id unique), always for a
    // patient of the record. request/document/response/error hold the messages of the row's
    // kind (1 medication, 2 checkups); document and response are PHI and are emptied once
    // purged_time is set (retention, docs/medical-info.md). Partial indexes list the pending
    // rows for the deadline sweep and the unpurged finished rows for the purge. The check-in
    // index serves the consent lookup (the newest recorded consent of a patient).
    {5,
     {"migration 5 (medical information requests)",
      R"sql(
CREATE TABLE medical_requests (
  seq INTEGER PRIMARY KEY,
  request_id BLOB NOT NULL UNIQUE,
  file_id BLOB NOT NULL UNIQUE,
  kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
  state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 5),
  patient_id BLOB NOT NULL REFERENCES patients (patient_id),
  created_time INTEGER NOT NULL,
  deadline INTEGER NOT NULL,
  updated_time INTEGER NOT NULL,
  purged_time INTEGER,
  request BLOB NOT NULL,
  document BLOB NOT NULL,
  response BLOB NOT NULL,
  error_code INTEGER NOT NULL CHECK (error_code BETWEEN 0 AND 16),
  error BLOB NOT NULL
);
CREATE INDEX medical_requests_pending ON medical_requests (created_time, seq) WHERE state = 1;
CREATE INDEX medical_requests_unpurged ON medical_requests (updated_time)
  WHERE purged_time IS NULL AND state <> 1;
CREATE INDEX medical_requests_by_patient ON medical_requests (patient_id);
CREATE INDEX checkin_events_by_patient ON checkin_events (patient_id, received_time);
)sql"}},
    // --- end of 薬剤情報 / 特定健診 requests ---
    // --- consent ledger (adapters/store_sqlite/sqlite_consent_store.cc, docs/consent.md) ---
    // Append-only: one row per consent a patient gave or refused, per scope (1 限度額 ... 6
    // 特定健診), source (1 card reader, 2 staff), ConsentFlag, setting; times in microseconds.
    // origin is the check-in event id or the request_id that wrote it; (origin, scope) is the
    // idempotency key.
    {6,
     {"migration 6 (consent ledger)",
      R"sql(
CREATE TABLE consents (
  seq INTEGER PRIMARY KEY,
  patient_id BLOB NOT NULL REFERENCES patients (patient_id),
  scope INTEGER NOT NULL CHECK (scope BETWEEN 1 AND 6),
  source INTEGER NOT NULL CHECK (source IN (1, 2)),
  flag INTEGER NOT NULL CHECK (flag BETWEEN 1 AND 4),
  captured_time INTEGER NOT NULL,
  available_until INTEGER NOT NULL,
  setting INTEGER NOT NULL CHECK (setting BETWEEN 1 AND 5),
  origin BLOB NOT NULL,
  user_id BLOB NOT NULL,
  recorded_time INTEGER NOT NULL,
  UNIQUE (origin, scope)
);
CREATE INDEX consents_by_patient ON consents (patient_id, seq);
)sql"}},
    // --- end of consent ledger ---
    // --- audit log (adapters/store_sqlite/sqlite_audit_log.cc, docs/audit.md) ---
    // One row per operation, chained: mac = HMAC-SHA256(audit.key, previous mac || the row's
    // canonical encoding). Append-only: the triggers refuse every UPDATE and DELETE. No foreign
    // keys: a row outlives whatever it names, and a failed operation's ids may name nothing.
    {7,
     {"migration 7 (audit log)",
      R"sql(
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY CHECK (seq >= 1),
  time INTEGER NOT NULL,
  user_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  patient_id BLOB NOT NULL,
  request_id BLOB NOT NULL,
  outcome_code TEXT NOT NULL,
  outcome_reason TEXT NOT NULL,
  mac BLOB NOT NULL CHECK (length(mac) = 32)
);
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
)sql"}},
    // --- end of audit log ---
    // --- write-back (adapters/store_sqlite/sqlite_write_back_store.cc, docs/record.md) ---
    // One row per write-back request_id (the idempotency key of a staff write of a check's
    // answer into a patient): the normalised request (a retry is compared with it) and the
    // stored outcome. coverage_versions gains who wrote a version and why (empty for versions
    // written automatically by a check); the content blob carries the same two values.
    {8,
     {"migration 8 (write-back ledger, coverage version author and reason)",
      R"sql(
CREATE TABLE write_backs (
  seq INTEGER PRIMARY KEY,
  request_id BLOB NOT NULL UNIQUE,
  patient_id BLOB NOT NULL REFERENCES patients (patient_id),
  source_request_id BLOB NOT NULL,
  user_id TEXT NOT NULL,
  recorded_time INTEGER NOT NULL,
  coverage_version INTEGER NOT NULL CHECK (coverage_version >= 0),
  changed INTEGER NOT NULL CHECK (changed IN (0, 1)),
  request BLOB NOT NULL,
  response BLOB NOT NULL
);
CREATE INDEX write_backs_by_patient ON write_backs (patient_id, seq);
ALTER TABLE coverage_versions ADD COLUMN recorded_by TEXT NOT NULL DEFAULT '';
ALTER TABLE coverage_versions ADD COLUMN reason TEXT NOT NULL DEFAULT '';
)sql"}},
    // --- end of write-back ---
    // --- outage workflow (adapters/store_sqlite/sqlite_visit_store.cc, docs/outage.md) ---
    // One visits row per check naming a patient that the terminal did not answer in time
    // (answered checks need none: their visit is the ledger entry); content is the v1.Visit,
    // visit_date YYYYMMDD as an integer, queued mirrors Visit.queued for the re-check queue's
    // partial index. Every self-declaration is kept (request_id = its idempotency key);
    // billing-review items carry their visit's date for the claims view.
    {9,
     {"migration 9 (visits, self-declarations, billing-review items)",
      R"sql(
CREATE TABLE visits (
  visit_id BLOB NOT NULL PRIMARY KEY REFERENCES requests (request_id),
  patient_id BLOB NOT NULL REFERENCES patients (patient_id),
  visit_date INTEGER NOT NULL,
  queued INTEGER NOT NULL CHECK (queued IN (0, 1)),
  created_time INTEGER NOT NULL,
  updated_time INTEGER NOT NULL,
  content BLOB NOT NULL
);
CREATE INDEX visits_queue ON visits (created_time, visit_id) WHERE queued = 1;
CREATE INDEX visits_by_date ON visits (visit_date, created_time);

CREATE TABLE self_declarations (
  request_id BLOB NOT NULL PRIMARY KEY,
  visit_id BLOB NOT NULL REFERENCES visits (visit_id),
  recorded_time INTEGER NOT NULL,
  content BLOB NOT NULL
);
CREATE INDEX self_declarations_by_visit ON self_declarations (visit_id);

CREATE TABLE billing_review_items (
  seq INTEGER PRIMARY KEY,
  item_id BLOB NOT NULL UNIQUE,
  visit_id BLOB NOT NULL REFERENCES visits (visit_id),
  visit_date INTEGER NOT NULL,
  resolved INTEGER NOT NULL CHECK (resolved IN (0, 1)),
  content BLOB NOT NULL
);
CREATE INDEX billing_review_items_open ON billing_review_items (seq) WHERE resolved = 0;
)sql"}},
    // --- end of outage workflow ---
    // --- inpatient stays (adapters/store_sqlite/sqlite_consent_store.cc, docs/consent.md) ---
    // One row per 入院; discharged_time NULL while open, at most one open stay per patient.
    // The discharge columns are written once (NULL → value), nothing else is ever changed.
    {10,
     {"migration 10 (inpatient stays)",
      R"sql(
CREATE TABLE inpatient_stays (
  seq INTEGER PRIMARY KEY,
  patient_id BLOB NOT NULL REFERENCES patients (patient_id),
  admitted_time INTEGER NOT NULL,
  discharged_time INTEGER,
  admission_request_id BLOB NOT NULL UNIQUE,
  discharge_request_id BLOB UNIQUE,
  admitted_by BLOB NOT NULL,
  discharged_by BLOB,
  CHECK ((discharged_time IS NULL) = (discharge_request_id IS NULL)),
  CHECK ((discharged_time IS NULL) = (discharged_by IS NULL)),
  CHECK (discharged_time IS NULL OR discharged_time >= admitted_time)
);
CREATE UNIQUE INDEX inpatient_stays_open ON inpatient_stays (patient_id)
  WHERE discharged_time IS NULL;
CREATE INDEX inpatient_stays_by_patient ON inpatient_stays (patient_id, seq);
)sql"}},
    // --- end of inpatient stays ---
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

absl::Status MigrateTo(Connection& connection, const Clock& clock, int64_t target_version) {
  if (target_version < 1 || target_version > LatestSchemaVersion()) {
    return MakeError(errors::kInternal, "no such schema version");
  }
  absl::Status status = InTransaction(connection, [&] { return Bootstrap(connection); });
  if (!status.ok()) return status;
  for (const Migration& migration : kMigrations) {
    if (migration.version > target_version) break;
    bool applied = false;
    status = InTransaction(connection, [&]() -> absl::Status {
      absl::StatusOr<int64_t> version = CheckedVersion(connection);
      if (!version.ok()) return version.status();
      if (*version >= migration.version) return absl::OkStatus();
      if (*version != migration.version - 1) {
        return MakeError(errors::kStoreUnavailable, "migration steps out of order");
      }
      absl::Status step = connection.ExecScript(migration.script);
      if (step.ok() && migration.then != nullptr) step = migration.then(connection);
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
  if (*version < target_version) {
    return MakeError(errors::kStoreUnavailable, "schema migration did not complete");
  }
  return absl::OkStatus();
}

absl::Status Migrate(Connection& connection, const Clock& clock) {
  absl::Status status = MigrateTo(connection, clock, LatestSchemaVersion());
  if (!status.ok()) return status;
  // Migration 2 created the identity digest key. A file without one (store_keys edited by hand)
  // gets a new key and every digest recomputed; the write lock makes concurrent openers agree
  // on one key.
  absl::StatusOr<bool> has_key = HasIdentityKey(connection);
  if (!has_key.ok()) return has_key.status();
  if (*has_key) return absl::OkStatus();
  return InTransaction(connection, [&]() -> absl::Status {
    absl::StatusOr<bool> again = HasIdentityKey(connection);
    if (!again.ok()) return again.status();
    if (*again) return absl::OkStatus();
    Log(LogLevel::kWarning, kComponent,
        "the identity digest key was missing from store_keys; creating a new one");
    return InstallIdentityKey(connection);
  });
}

}  // namespace store_sqlite
}  // namespace onshi
