// An in-memory ConsentStore for service tests, with the port's idempotency and patient checks.

#ifndef ONSHI_TESTS_UNIT_SERVICE_MEMORY_CONSENT_STORE_H_
#define ONSHI_TESTS_UNIT_SERVICE_MEMORY_CONSENT_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "plugin/core/consent_store.h"
#include "plugin/core/errors.h"

namespace onshi::service {

class MemoryConsentStore final : public ConsentStore {
 public:
  // Which patients exist (the record store's view); unset: every patient.
  std::function<bool(const std::string&)> patient_exists;

  absl::StatusOr<std::vector<StoredConsent>> AppendConsents(
      const std::string& patient_id, const std::string& origin, const std::string& user_id,
      const std::vector<ConsentRecord>& records) override {
    if (patient_id.empty() || origin.empty()) return MakeError(errors::kInvalidArgument, "empty");
    for (const ConsentRecord& r : records) {
      if (absl::Status s = ValidateConsentRecord(r); !s.ok()) return s;
    }
    if (patient_exists && !patient_exists(patient_id)) return MakeError(errors::kPatientNotFound);
    absl::MutexLock lock(&mu_);
    ++appends_;
    for (const StoredConsent& row : rows_) {
      if (row.origin == origin && row.patient_id != patient_id) {
        return MakeError(errors::kRequestIdConflict, "origin");
      }
    }
    for (const ConsentRecord& r : records) {
      bool present = false;
      for (const StoredConsent& row : rows_) {
        present |= row.origin == origin && row.record.scope == r.scope;
      }
      if (present) continue;
      StoredConsent row;
      row.sequence = static_cast<int64_t>(rows_.size()) + 1;
      row.patient_id = patient_id;
      row.record = r;
      row.origin = origin;
      row.user_id = user_id;
      rows_.push_back(row);
    }
    std::vector<StoredConsent> out;
    for (const StoredConsent& row : rows_) {
      if (row.origin == origin) out.push_back(row);
    }
    return out;
  }

  absl::StatusOr<std::vector<StoredConsent>> ListConsents(const std::string& patient_id) override {
    absl::MutexLock lock(&mu_);
    std::vector<StoredConsent> out;
    for (const StoredConsent& row : rows_) {
      if (row.patient_id == patient_id) out.push_back(row);
    }
    return out;
  }

  std::vector<StoredConsent> All() {
    absl::MutexLock lock(&mu_);
    return rows_;
  }

 private:
  absl::Mutex mu_;
  std::vector<StoredConsent> rows_ ABSL_GUARDED_BY(mu_);
  int appends_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace onshi::service

#endif  // ONSHI_TESTS_UNIT_SERVICE_MEMORY_CONSENT_STORE_H_
