// The consent ledger on the SQLite store (docs/consent.md, tables consents and inpatient_stays):
// the ConsentStore port of plugin/core/consent_store.h, on the store's own connection and
// transactions (store_internal.h).

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_CONSENT_STORE_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_CONSENT_STORE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "plugin/core/consent_store.h"

namespace onshi {

// Thread-safe (every method is one transaction of `store`, serialised with the store's other
// work). Errors beyond the port's: those of SqliteStore (ONSHI_STORE_UNAVAILABLE; writes refused
// after a failed write or fsync; refused in a forked child).
class SqliteConsentStore final : public ConsentStore {
 public:
  // `store` is not owned and must outlive this object. Its schema holds the table (the
  // consent-ledger migration).
  explicit SqliteConsentStore(SqliteStore* store) : store_(store) {}

  // ConsentStore. Times are stored at microsecond resolution; recorded_time is the store
  // clock's.
  absl::StatusOr<std::vector<StoredConsent>> AppendConsents(
      const std::string& patient_id, const std::string& origin, const std::string& user_id,
      const std::vector<ConsentRecord>& records) override;
  absl::StatusOr<std::vector<StoredConsent>> ListConsents(const std::string& patient_id) override;
  absl::StatusOr<InpatientStay> RecordAdmission(const std::string& patient_id,
                                                const std::string& request_id,
                                                absl::Time admitted_at,
                                                const std::string& user_id) override;
  absl::StatusOr<InpatientStay> RecordDischarge(const std::string& patient_id,
                                                const std::string& request_id,
                                                absl::Time discharged_at,
                                                const std::string& user_id) override;
  absl::StatusOr<std::vector<InpatientStay>> ListStays(const std::string& patient_id) override;

 private:
  SqliteStore* const store_;
};

}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_CONSENT_STORE_H_
