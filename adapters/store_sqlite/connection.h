// Internal to adapters/store_sqlite: one SQLite connection with its prepared-statement cache, its
// busy policy, and the mapping of SQLite result codes to onshi errors.
//
// Not thread-safe: the owner (SqliteStore) serialises every use of a Connection, and of the
// Statements it hands out, under one mutex.

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_CONNECTION_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_CONNECTION_H_

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace onshi {
namespace store_sqlite {

// A constant SQL text and the short label that errors and logs name it by. SQL texts are static
// constants, never built from values (values are always bound); the statement cache keys on the
// address of `text`.
struct Sql {
  const char* label;
  const char* text;
};

// The symbolic name of an SQLite result code, extended codes included: "SQLITE_BUSY",
// "SQLITE_IOERR_FSYNC". Unknown codes read "SQLITE_<primary name>+<number>".
std::string ResultCodeName(int rc);

// ONSHI_STORE_UNAVAILABLE (UNAVAILABLE, retryable) whose IT text names the result code and the
// operation. Never carries a value or SQLite's own message (which may quote SQL).
absl::Status StoreError(int rc, absl::string_view during);

class Connection;

// A prepared statement leased from the connection's cache for one use. Bind, then Step or Run.
// A failure to prepare or bind is reported by the first Step/Run. The destructor resets the
// statement and clears its bindings, so no bound value outlives the lease.
class Statement {
 public:
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Binds `bytes` as a BLOB (exact bytes: embedded NULs and non-UTF-8 survive, comparison is
  // memcmp). Index is 1-based as in SQLite.
  void BindBlob(int index, absl::string_view bytes);
  void BindInt64(int index, int64_t value);
  void BindText(int index, absl::string_view text);
  void BindNull(int index);

  // One step: true when a row is ready, false when the statement is done.
  absl::StatusOr<bool> Step();
  // Steps to the end, ignoring rows.
  absl::Status Run();

  bool ColumnIsNull(int column) const;
  int64_t ColumnInt64(int column) const;
  // The column's bytes; empty for NULL.
  std::string ColumnBlob(int column) const;

 private:
  friend class Connection;
  Statement(Connection* connection, const Sql& sql, sqlite3_stmt* stmt, bool cached, int error);
  void NoteBind(int rc);

  Connection* const connection_;
  const Sql& sql_;
  sqlite3_stmt* const stmt_;
  const bool cached_;
  // The first prepare/bind failure, reported by Step.
  int error_;
  // A row was returned: the statement is under way and is not retried after SQLITE_BUSY.
  bool stepped_ = false;
};

struct ConnectionOptions {
  // SQLite VFS name; empty = the default ("unix").
  std::string vfs;
  // How long one statement waits for a lock held by another connection.
  absl::Duration busy_timeout = absl::Seconds(5);
};

class Connection {
 public:
  // Opens an existing file read-write (never creates it, never follows a symlink), with
  // extended result codes, the busy handler, defensive mode, untrusted schema and no extension
  // loading. Errors: ONSHI_STORE_UNAVAILABLE.
  static absl::StatusOr<std::unique_ptr<Connection>> Open(const std::string& path,
                                                          const ConnectionOptions& options);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // A cached prepared statement for `sql` (or a fresh one if the cached one is leased out).
  Statement Prepare(const Sql& sql);
  // Prepares and runs `sql`, which takes no parameters; rows are ignored.
  absl::Status Exec(const Sql& sql);
  // Runs a script of several constant statements (a migration's DDL). Not cached.
  absl::Status ExecScript(const Sql& script);

  // True while a transaction is open on this connection.
  bool InTransaction() const;
  // True while the open transaction has written (holds the write lock).
  bool InWriteTransaction() const;

  // True once a write, sync or truncate of the database or its WAL failed. After an fsync
  // failure the kernel may have dropped the dirty pages and a later fsync can report success
  // for data that never reached the disk ("fsyncgate"), so the store stops writing (fails
  // closed) instead of retrying. Cleared only by opening a new connection.
  bool write_failed() const { return write_failed_; }

  // True when the main database file was unlinked or renamed since it was opened.
  absl::StatusOr<bool> FileHasMoved();

  // Leaves the handle open (a process that forked must neither use nor close its parent's
  // connection: closing could checkpoint or delete the parent's WAL).
  void Abandon();

 private:
  friend class Statement;
  struct CachedStatement {
    sqlite3_stmt* stmt = nullptr;
    bool leased = false;
  };

  explicit Connection(sqlite3* db, absl::Duration busy_timeout);
  void NoteFailure(int rc);
  void Release(sqlite3_stmt* stmt, bool cached);
  // Sleeps before another attempt and returns true, unless the busy timeout counted from
  // `since` has passed.
  bool PauseAfterBusy(std::chrono::steady_clock::time_point since, int attempt);
  // A short jittered sleep, longer with `attempt` (50 µs growing to 0.5-1 ms).
  void Pause(int attempt);
  static int OnBusy(void* self, int count);

  sqlite3* db_;
  std::unordered_map<const char*, CachedStatement> cache_;
  const std::chrono::steady_clock::duration busy_timeout_;
  std::chrono::steady_clock::time_point busy_since_;
  std::minstd_rand jitter_;
  bool write_failed_ = false;
};

}  // namespace store_sqlite
}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_CONNECTION_H_
