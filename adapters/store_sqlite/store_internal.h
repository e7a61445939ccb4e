// Internal to adapters/store_sqlite: what the store classes of this library share. Not for other
// modules (plugin/service and the rest use SqliteStore and the ports of plugin/core/ports.h).
//
// A feature store (check-ins, batches, medical information ...) is a class in this directory
// that implements its own port on top of a SqliteStore: it runs its work through
// StoreAccess::RunInTransaction, on the store's one connection, under the store's lock, with the
// store's transaction and fail-closed semantics, and writes confirmations and coverage versions
// only through the helpers below, so every confirmation and coverage version of the record is
// written by one code path (the ledger's ApplyTransition uses the same helpers). Its tables come
// from new steps appended to kMigrations in schema.cc. Its SQL is constant Sql objects named
// kSomething (values always bound; tests/unit/store_sqlite scans every .cc of this directory).
//
// docs/store.md describes the tables, check ids and identity digests.

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_STORE_INTERNAL_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_STORE_INTERNAL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "adapters/store_sqlite/connection.h"
#include "google/protobuf/message_lite.h"
#include "google/protobuf/timestamp.pb.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/core/ports.h"

namespace onshi {

class SqliteStore;

namespace store_sqlite {

// --- Access to a SqliteStore's connection --------------------------------------------------------

class StoreAccess {
 public:
  // The body of a transaction. It runs with the store's lock held: it must not call any method
  // of the store (or another StoreAccess function on the same store; the lock is not
  // recursive), and should not block on anything but the database. It returns OK to commit.
  using Body = std::function<absl::Status(Connection&)>;

  // Runs `body` in one transaction on `store`'s connection: BEGIN IMMEDIATE when `write` (the
  // write lock is taken up front, waiting up to the store's busy timeout for other
  // connections), BEGIN DEFERRED otherwise. Committed when `body` returns OK; rolled back, with
  // `body`'s status returned, otherwise (a failed COMMIT is returned likewise). Statements
  // `body` prepares must not outlive it.
  //
  // Same semantics as every SqliteStore method: refused with ONSHI_STORE_UNAVAILABLE in a
  // forked child, and, when `write`, after an earlier write or fsync failure of this instance
  // (fail closed; reads go on); a write or fsync failure inside `body` closes the store for
  // writes. A read transaction (`write` false) whose body wrote anything is rolled back and
  // fails with ONSHI_INTERNAL (a deferred transaction that starts writing can fail with
  // SQLITE_BUSY whatever the timeout, and would bypass the fail-closed check).
  // Errors: `body`'s; ONSHI_STORE_UNAVAILABLE (retryable) for SQLite failures and lock timeouts.
  // Thread-safe: transactions of one store run one at a time.
  static absl::Status RunInTransaction(SqliteStore& store, bool write, const Body& body);

  // The clock the store stamps its times with (created/recorded times). Thread-safe.
  static const Clock& ClockOf(const SqliteStore& store);
};

// --- Record helpers -----------------------------------------------------------------------------
// Each runs inside a transaction the caller holds (StoreAccess::RunInTransaction with write =
// true for the writers); none begins or ends one. Times are microseconds since the Unix epoch,
// UTC (ToMicros). Errors from a helper leave the transaction to the caller: return them from the
// body and everything the body wrote is rolled back. SQLite failures are
// ONSHI_STORE_UNAVAILABLE (retryable).

// Inserts the patient unless it exists (created_time = `now`). INVALID_ARGUMENT
// (ONSHI_INVALID_ARGUMENT) for an empty id.
absl::Status EnsurePatient(Connection& connection, const std::string& patient_id, int64_t now);

// True when the patient exists.
absl::StatusOr<bool> PatientExists(Connection& connection, const std::string& patient_id);

// The checks WriteConfirmation makes before touching the database, for callers that want to
// refuse bad input before taking the lock: `check_id` non-empty, and confirmation.request_id
// empty or equal to `check_id`. INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT).
absl::Status CheckConfirmation(absl::string_view check_id, const v1::Confirmation& confirmation);

// Upserts the confirmation of check `check_id` for `patient_id`: one row per check id (a later
// write for the same check replaces the row, e.g. UNCONFIRMED then LATE, and keeps its place
// in insertion order). `check_id` is the id of the check that produced it: the request_id of a
// 個別照会, the event id of a card-reader check-in, "<batch request_id>/<row index>" of a batch
// row (docs/store.md). The stored message has request_id = `check_id`. `checked_time` is when
// the check happened (GetPatientRecord orders by it, newest first, then by insertion);
// recorded_time = `now`. Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) as for
// CheckConfirmation, for an empty patient id, or a message with a string that is not UTF-8;
// NOT_FOUND (ONSHI_PATIENT_NOT_FOUND) when the patient does not exist (EnsurePatient first).
absl::Status WriteConfirmation(Connection& connection, const std::string& check_id,
                               const std::string& patient_id, int64_t checked_time,
                               const v1::Confirmation& confirmation, int64_t now);

// The checks WriteCoverageVersion makes before touching the database: expected_version >= 0
// and version.version == expected_version + 1. INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT).
absl::Status CheckCoverageUpdate(const CoverageUpdate& update);

// Inserts `update.version` as the patient's new current coverage, written by check `check_id`,
// only while the patient's newest version is `update.expected_version` (optimistic
// concurrency), and replaces the patient's identity digest with the one of the new coverage
// (its identifiers and birth_date; none when IsCompleteIdentity is false), so that
// FindPatientsByIdentity follows the change. A version without recorded_time gets `now`.
// Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) as for CheckCoverageUpdate, for an empty
// patient or check id, or a message with a string that is not UTF-8; NOT_FOUND
// (ONSHI_PATIENT_NOT_FOUND) when the patient does not exist; ABORTED (ONSHI_STORE_CONFLICT)
// when the current version is not expected_version (re-read and retry); ONSHI_STORE_UNAVAILABLE
// when the store's digest key is missing (it is recreated when the store is opened again).
absl::Status WriteCoverageVersion(Connection& connection, const std::string& patient_id,
                                  const std::string& check_id, const CoverageUpdate& update,
                                  int64_t now);

// The patient's newest coverage version; nullopt for an unknown patient as for one without
// coverage. ONSHI_INTERNAL when the stored message does not parse.
absl::StatusOr<std::optional<v1::CoverageVersion>> ReadCurrentCoverage(
    Connection& connection, const std::string& patient_id);

// PatientDirectory::FindPatientsByIdentity inside the caller's transaction (e.g. to match a
// check-in and record it atomically): sorted patient ids, empty when none or when the identity
// is incomplete. ONSHI_STORE_UNAVAILABLE when the digest key is missing.
absl::StatusOr<std::vector<std::string>> FindPatientsByIdentity(
    Connection& connection, const v1::InsuranceIdentifiers& identifiers,
    absl::string_view birth_date);

// --- Identity digest key ------------------------------------------------------------------------

// True when store_keys holds the identity digest key. Any transaction or none.
absl::StatusOr<bool> HasIdentityKey(Connection& connection);

// Inside a write transaction: stores a new random 32-byte identity digest key (getrandom) in
// store_keys, replacing any, and recomputes the digest of every patient's current coverage with
// it. Used by schema migration 2 and when a store is opened without a key. The key is never
// logged or returned. Errors: ONSHI_STORE_UNAVAILABLE when the kernel gives no randomness;
// ONSHI_INTERNAL when a stored coverage does not parse.
absl::Status InstallIdentityKey(Connection& connection);

// --- Values --------------------------------------------------------------------------------------

// absl::Time ↔ microseconds since the Unix epoch; the infinite future/past are INT64_MAX/MIN.
int64_t ToMicros(absl::Time time);
absl::Time FromMicros(int64_t micros);

// True unless the timestamp is the zero value (unset).
bool IsSet(const google::protobuf::Timestamp& timestamp);
google::protobuf::Timestamp ToTimestamp(int64_t micros);
int64_t TimestampMicros(const google::protobuf::Timestamp& timestamp);

// ONSHI_INVALID_ARGUMENT with `detail` (a field name, never a value).
absl::Status InvalidArgument(absl::string_view detail);

// The deterministic serialization of `message` (map entries in key order, so equal messages
// give equal bytes), parsed back once: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) naming `what`
// when a string field is not UTF-8 (its row could never be read); ONSHI_INTERNAL when it cannot
// be serialized.
absl::Status Encode(const google::protobuf::MessageLite& message, absl::string_view what,
                    std::string* out);

// Parses a stored message. ONSHI_INTERNAL naming `what` when the bytes do not parse (damaged
// database or foreign writer).
absl::Status Decode(const std::string& bytes, absl::string_view what,
                    google::protobuf::MessageLite* message);

// The first column of the first row of `sql` (which takes no parameters) as an integer.
// ONSHI_STORE_UNAVAILABLE when it returns no row.
absl::StatusOr<int64_t> QueryInt(Connection& connection, const Sql& sql);

}  // namespace store_sqlite
}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_STORE_INTERNAL_H_
