// Bulk exchanges on the SQLite store (docs/store.md, tables batches, batch_results,
// registrations, bulk_files): the BatchStore port of plugin/core/batch_store.h, on the store's
// own connection and transactions (store_internal.h), so that one file's rows, their
// confirmations and coverage versions and the file's new state are one transaction.

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_BATCH_STORE_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_BATCH_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "plugin/core/batch_store.h"

namespace onshi {

// Thread-safe (every method is one transaction of `store`, serialised with the store's other
// work). Errors beyond the port's: those of SqliteStore (ONSHI_STORE_UNAVAILABLE; writes refused
// after a failed write or fsync; refused in a forked child).
class SqliteBatchStore final : public BatchStore {
 public:
  // `store` is not owned and must outlive this object. Its schema (migration 4) holds the
  // tables.
  explicit SqliteBatchStore(SqliteStore* store) : store_(store) {}

  // BatchStore. Beyond the port's contract:
  // - created_time and updated_time of batches, registrations and files are the store clock's
  //   time; a new file is stored with revision 1 whatever it says.
  // - FinishBatchFile: an answered row (one with a confirmation) creates its patient if new;
  //   its confirmation is that of check BatchCheckId(request_id, index) with checked_time =
  //   the row's checked_time; a coverage version is written by the same check id.
  // - FinishRegistrationFile: INVALID_ARGUMENT also for an outcome whose patient_id is not the
  //   request's at that row.
  absl::StatusOr<BatchRecord> CreateBatch(const BatchRecord& batch,
                                          const std::vector<BulkFile>& files,
                                          const std::vector<BatchRowWrite>& rows,
                                          bool* created) override;
  absl::StatusOr<std::optional<BatchRecord>> FindBatch(const std::string& request_id) override;
  absl::StatusOr<std::vector<StoredBatchResult>> ListBatchResults(const std::string& request_id,
                                                                  int64_t after_sequence,
                                                                  int limit) override;
  absl::Status FinishBatchFile(const BulkFile& file,
                               const std::vector<BatchRowWrite>& rows) override;
  absl::StatusOr<std::map<std::string, v1::CoverageVersion>> CurrentCoverages(
      const std::vector<std::string>& patient_ids) override;
  absl::StatusOr<RegistrationRecord> CreateRegistration(const RegistrationRecord& registration,
                                                        const std::vector<BulkFile>& files,
                                                        bool* created) override;
  absl::StatusOr<std::optional<RegistrationRecord>> FindRegistration(
      const std::string& request_id) override;
  absl::Status FinishRegistrationFile(
      const BulkFile& file, const std::map<int32_t, v1::ReferenceNumberOutcome>& outcomes) override;
  absl::StatusOr<std::vector<BulkFile>> ListUnfinishedBulkFiles() override;
  absl::StatusOr<std::vector<BulkFile>> ListBulkFiles(BulkExchange exchange,
                                                      const std::string& request_id) override;
  absl::StatusOr<std::optional<BulkFile>> FindBulkFileByFileId(const std::string& file_id) override;
  absl::StatusOr<BulkFile> UpdateBulkFile(const BulkFile& file) override;

 private:
  SqliteStore* const store_;
};

}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_BATCH_STORE_H_
