// Helpers for the SqliteStore tests: a deterministic clock, temporary directories, builders for
// ledger entries and transitions, and a raw SQLite connection to look at the file directly.

#ifndef ONSHI_TESTS_UNIT_STORE_SQLITE_TEST_SUPPORT_H_
#define ONSHI_TESTS_UNIT_STORE_SQLITE_TEST_SUPPORT_H_

#include <sqlite3.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "plugin/core/ports.h"

namespace onshi {
namespace testing_support {

// Starts at 2026-04-01 00:00 UTC and moves one millisecond forward on every Now(), so every
// stamped time is distinct and ordered. Thread-safe.
class FakeClock final : public Clock {
 public:
  absl::Time Now() const override;
  void Advance(absl::Duration by);

 private:
  mutable std::atomic<int64_t> micros_{1775001600LL * 1000000};
};

// A fresh directory under testing::TempDir(), removed with everything in it on destruction.
class ScopedTempDir {
 public:
  ScopedTempDir();
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A pending entry; file_id is "F-" + request_id. The request carries synthetic insurance
// numbers, a birth date and the patient id.
LedgerEntry MakeEntry(const std::string& request_id, const std::string& patient_id = "",
                      absl::Time deadline = absl::FromUnixSeconds(1775001630));

// An answered response whose result carries one record named `name`.
v1::CheckQualificationResponse MakeResponse(v1::CheckOutcome outcome, const std::string& name);

v1::Confirmation MakeConfirmation(v1::CheckOutcome outcome, bool late);

// A coverage update from `expected_version` to expected_version + 1 for a record named `name`,
// with the given insurer number and MakeEntry's other identifiers and birth date (a complete
// identity, so the patient is indexed by it).
CoverageUpdate MakeCoverage(int64_t expected_version, const std::string& name,
                            const std::string& insurer_number = "06139806",
                            const std::string& request_id = "");

// A transition pending → answered with response, confirmation and (optionally) coverage.
LedgerTransition MakeAnswer(const std::string& request_id, const std::string& name);

// The onshi reason carried by a status ("" for OK).
std::string Reason(const absl::Status& status);

// A plain SQLite connection to the store's file, for looking behind the store's back (row
// counts, schema). Opening it is SQLite's business, not a raw open() of the file.
class RawDb {
 public:
  explicit RawDb(const std::string& path);
  ~RawDb();
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  sqlite3* db() { return db_; }
  // Runs constant SQL; returns the SQLite result code.
  int Exec(const char* sql);
  // The first column of the first row as an integer (-1 when there is no row).
  int64_t QueryInt(const char* sql);
  // Every row of a one-column query, as bytes.
  std::vector<std::string> QueryColumn(const char* sql);

  struct Counts {
    int64_t patients = 0;
    int64_t requests = 0;
    int64_t coverage_versions = 0;
    int64_t confirmations = 0;
    int64_t patient_identities = 0;
    int64_t schema_objects = 0;
    bool operator==(const Counts& other) const;
  };
  Counts RowCounts();

 private:
  sqlite3* db_ = nullptr;
};

}  // namespace testing_support
}  // namespace onshi

#endif  // ONSHI_TESTS_UNIT_STORE_SQLITE_TEST_SUPPORT_H_
