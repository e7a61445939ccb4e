// The record store on a local SQLite file (the default store): the request ledger, patients,
// coverage versions and confirmations. docs/store.md describes the schema, the durability
// settings and how to back the file up.

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_STORE_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_STORE_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "plugin/core/ports.h"

namespace onshi {

namespace store_sqlite {
class Connection;
class StoreAccess;
}  // namespace store_sqlite

struct SqliteStoreOptions {
  // How long one operation waits for the write lock held by another connection (another
  // onshid, a backup) before failing with ONSHI_STORE_UNAVAILABLE.
  absl::Duration busy_timeout = absl::Seconds(5);
  // SQLite VFS to open the file with; empty = the platform default. For fault-injection tests.
  std::string vfs;
};

// RecordStore and PatientDirectory on one SQLite file in WAL mode with synchronous=FULL: a
// method returns OK only after its transaction is durable on disk. Feature stores of this
// library (check-ins, batches, ...) work on the same connection and lock through
// store_sqlite::StoreAccess (adapters/store_sqlite/store_internal.h, internal to the library).
//
// Threads: every method is thread-safe. An instance owns one SQLite connection and serialises
// its operations under a mutex (an operation is one short transaction, bounded by one fsync, so
// a second connection would buy little and cost a second cache and a second writer to
// arbitrate). Several instances or processes may open the same file: writers take the write
// lock up front (BEGIN IMMEDIATE) and wait for each other up to `busy_timeout`.
//
// Errors, besides those listed per method: UNAVAILABLE (ONSHI_STORE_UNAVAILABLE, retryable)
// for any SQLite failure, a lock not obtained within `busy_timeout` included; its IT text names
// the SQLite result code and the operation, never a value. After a write or fsync of the file
// failed, every later write fails with ONSHI_STORE_UNAVAILABLE until the store is opened anew
// (fail closed: a retried fsync may report success for data the kernel dropped); reads go on.
//
// fork(): the connection belongs to the process that opened it. In a child every method fails
// with ONSHI_STORE_UNAVAILABLE and destroying the store leaves the parent's connection alone.
class SqliteStore final : public RecordStore, public PatientDirectory {
 public:
  // Opens the database at `path`, creating it (mode 0600, whatever the umask; its -wal and
  // -shm files inherit that mode) when absent, and migrates its schema to the latest version.
  // `path` names a file, not a link and not ":memory:"; its directory must exist. `clock`
  // stamps created/updated/recorded times; it is not owned and must outlive the store.
  // Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for a null clock;
  // FAILED_PRECONDITION (ONSHI_CONFIG_INVALID) for an unusable path; ONSHI_STORE_UNAVAILABLE
  // when the file cannot be created or opened, is not an onshi database, has a schema newer
  // than this code knows, cannot use WAL, or a migration step fails.
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                           const Clock* clock);
  static absl::StatusOr<std::unique_ptr<SqliteStore>> Open(const std::string& path,
                                                           const Clock* clock,
                                                           const SqliteStoreOptions& options);

  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override;

  // The newest schema version this code knows; Open brings every database to it.
  static int64_t LatestSchemaVersion();

  // The schema version recorded in the file.
  absl::StatusOr<int64_t> SchemaVersion();

  // Runs PRAGMA integrity_check and PRAGMA foreign_key_check. OK when both find nothing;
  // otherwise INTERNAL (ONSHI_INTERNAL) naming the check and the number of problems (SQLite's
  // report is logged at error level; it names pages and tables, not values).
  absl::Status CheckIntegrity();

  // Writes a consistent snapshot of the database to `path` (VACUUM INTO), created with mode
  // 0600 and fsynced with its directory. `path` must not exist. Safe while other processes
  // write: this is how to back the store up (never copy a live file). This instance's other
  // operations wait until it is done. A failed backup removes its partial file.
  // Errors: FAILED_PRECONDITION (ONSHI_CONFIG_INVALID) when `path` exists or cannot be created;
  // ONSHI_STORE_UNAVAILABLE.
  absl::Status BackupTo(const std::string& path);

  // RecordStore::CheckHealth: OK when the database answers a query, has not been unlinked or
  // renamed under the store (SQLite would go on writing to the lost file), and writes are not
  // refused after a failed write; otherwise ONSHI_STORE_UNAVAILABLE.
  absl::Status CheckHealth() override;

  // RecordStore. Beyond the port's contract:
  // - CreateRequest: `entry.state` must be kPending; its response/error and times are not
  //   taken from `entry`: created_time and updated_time are the store clock's time, deadline
  //   is the entry's. The returned entry is re-read from the file, so it is exactly what
  //   FindRequest returns (times at microsecond resolution). `created` may be null.
  //   INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT): empty request_id or file_id; state not
  //   kPending; file_id already used by another request_id; a message with a string that is
  //   not valid UTF-8 (it could not be read back).
  // - ApplyTransition: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) when `to` is kPending or equal
  //   to `from`, a state is out of range, error_code is OK for kFailed or set for another
  //   state, the confirmation's request_id is another request's, the coverage's version is not
  //   expected_version + 1, a confirmation or coverage is given for an entry without patient,
  //   or the request_id names no entry. ABORTED (ONSHI_STORE_CONFLICT) when the entry is not in
  //   `from` or the patient's current coverage version is not expected_version; nothing is
  //   written then. The confirmation and the coverage version are written with check id =
  //   the request_id (the confirmation's request_id is filled in), the confirmation checked at
  //   the entry's created_time; a coverage version without recorded_time gets the store
  //   clock's time; the patient's identity digest follows the new coverage.
  // - GetCurrentCoverage: nullopt for an unknown patient as for one without coverage.
  // - GetPatientRecord: confirmations of every kind of check, newest check first (by the time
  //   of the check; for 個別照会 the ledger entry's created_time), checks of the same time in
  //   reverse order of their first recording.
  absl::StatusOr<LedgerEntry> CreateRequest(const LedgerEntry& entry, bool* created) override;
  absl::StatusOr<std::optional<LedgerEntry>> FindRequest(const std::string& request_id) override;
  absl::StatusOr<std::optional<LedgerEntry>> FindRequestByFileId(
      const std::string& file_id) override;
  absl::StatusOr<std::vector<LedgerEntry>> ListPendingRequests() override;
  absl::Status ApplyTransition(const LedgerTransition& transition) override;
  absl::StatusOr<std::optional<v1::CoverageVersion>> GetCurrentCoverage(
      const std::string& patient_id) override;
  absl::StatusOr<v1::PatientRecord> GetPatientRecord(const std::string& patient_id) override;

  // PatientDirectory, as the port says. FindPatientsByIdentity looks the keyed digest of the
  // identity up in patient_identities and confirms each candidate against its current coverage.
  absl::StatusOr<std::vector<std::string>> FindPatientsByIdentity(
      const v1::InsuranceIdentifiers& identifiers, absl::string_view birth_date) override;
  absl::StatusOr<bool> PatientExists(const std::string& patient_id) override;

 private:
  friend class store_sqlite::StoreAccess;

  SqliteStore(std::unique_ptr<store_sqlite::Connection> connection, const Clock* clock);

  // OK when the connection may be used by this process (not a forked child).
  absl::Status CheckProcess() const;
  absl::Status CheckWritable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::StatusOr<std::optional<LedgerEntry>> FindLocked(bool by_file_id, const std::string& id)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status CreateLocked(const LedgerEntry& entry, bool* created, LedgerEntry* stored)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status TransitionLocked(const LedgerTransition& transition)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status PatientRecordLocked(const std::string& patient_id, v1::PatientRecord* record)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // Runs `body` in one transaction (BEGIN IMMEDIATE when `write`, deferred otherwise):
  // committed when it returns OK, rolled back otherwise. A write is refused after a failed
  // write (fail closed); a read transaction that wrote is rolled back with ONSHI_INTERNAL.
  template <typename Body>
  absl::Status Transaction(bool write, Body body) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  // StoreAccess::RunInTransaction: CheckProcess, the lock, then Transaction.
  absl::Status RunInTransaction(bool write,
                                const std::function<absl::Status(store_sqlite::Connection&)>& body)
      ABSL_LOCKS_EXCLUDED(mu_);

  const Clock* const clock_;
  const pid_t owner_pid_;
  // std::mutex rather than absl::Mutex: Debian's Abseil is not built with ThreadSanitizer
  // annotations, so TSan cannot see absl::Mutex and reports races on everything it guards.
  std::mutex mu_;
  std::unique_ptr<store_sqlite::Connection> connection_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_STORE_H_
