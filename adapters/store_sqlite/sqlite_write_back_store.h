// Write-backs on the SQLite store (docs/store.md, table write_backs; docs/record.md): the
// WriteBackStore port of plugin/core/write_back.h, on the store's own connection and
// transactions (store_internal.h), so the ledger row, the patient and the new coverage version
// are written in one transaction.

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_WRITE_BACK_STORE_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_WRITE_BACK_STORE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "plugin/core/write_back.h"

namespace onshi {

// Thread-safe (every method is one transaction of `store`, serialised with the store's other
// work). Errors beyond the port's: those of SqliteStore (ONSHI_STORE_UNAVAILABLE; writes refused
// after a failed write or fsync; refused in a forked child).
class SqliteWriteBackStore final : public WriteBackStore {
 public:
  // `store` is not owned and must outlive this object. Its schema (migration 8) holds the table.
  explicit SqliteWriteBackStore(SqliteStore* store) : store_(store) {}

  // WriteBackStore. Beyond the port's contract: ApplyWriteBack stamps recorded_time with the
  // store clock (microsecond resolution); the coverage version is written with check id = the
  // source check's request_id (the check that produced the values), and its recorded_by and
  // reason columns are filled from the version.
  absl::StatusOr<std::optional<WriteBackEntry>> FindWriteBack(
      const std::string& request_id) override;
  absl::StatusOr<PatientCoverage> ReadPatientCoverage(const std::string& patient_id) override;
  absl::StatusOr<WriteBackEntry> ApplyWriteBack(const WriteBackEntry& entry,
                                                int64_t expected_version,
                                                const std::optional<CoverageUpdate>& update,
                                                bool create_patient, bool* created) override;

 private:
  SqliteStore* const store_;
};

}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_WRITE_BACK_STORE_H_
