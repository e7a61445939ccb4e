// The medical-information request ledger on the SQLite store (docs/store.md, table
// medical_requests, migration 5): the MedicalRequestStore port of plugin/core/medical_store.h, on
// the store's own connection and transactions (store_internal.h).

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_MEDICAL_STORE_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_MEDICAL_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "plugin/core/medical_store.h"

namespace onshi {

// Thread-safe (every method is one transaction of `store`, serialised with the store's other
// work). Errors beyond the port's: those of SqliteStore (ONSHI_STORE_UNAVAILABLE; writes refused
// after a failed write or fsync; refused in a forked child).
class SqliteMedicalStore final : public MedicalRequestStore {
 public:
  // `store` is not owned and must outlive this object. Its schema (migration 5) holds the table.
  explicit SqliteMedicalStore(SqliteStore* store) : store_(store) {}

  // MedicalRequestStore. Beyond the port's contract:
  // - CreateMedicalRequest: the returned entry is re-read from the file (times at microsecond
  //   resolution); INVALID_ARGUMENT also for a kind outside the enum or a message holding a
  //   string that is not UTF-8.
  // - ApplyMedicalTransition: updated_time becomes the store clock's time.
  // - PurgeMedicalResults: one UPDATE over the partial index of unpurged finished entries.
  // - LatestConsent: reads the newest 64 recorded answers of the patient (qualification answers
  //   of the ledger in states answered/late, by the time they were recorded; check-in events
  //   matched to the patient, by the time they were read); an older statement is not looked for.
  absl::StatusOr<MedicalRequestEntry> CreateMedicalRequest(const MedicalRequestEntry& entry,
                                                           bool* created) override;
  absl::StatusOr<std::optional<MedicalRequestEntry>> FindMedicalRequest(
      const std::string& request_id) override;
  absl::StatusOr<std::optional<MedicalRequestEntry>> FindMedicalRequestByFileId(
      const std::string& file_id) override;
  absl::StatusOr<std::vector<MedicalRequestEntry>> ListPendingMedicalRequests() override;
  absl::Status ApplyMedicalTransition(const MedicalTransition& transition) override;
  absl::StatusOr<int64_t> PurgeMedicalResults(absl::Time updated_before) override;
  absl::StatusOr<std::optional<RecordedConsent>> LatestConsent(const std::string& patient_id,
                                                               MedicalInfoKind kind) override;

 private:
  SqliteStore* const store_;
};

}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_MEDICAL_STORE_H_
