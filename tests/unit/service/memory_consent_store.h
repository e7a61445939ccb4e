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

  absl::StatusOr<InpatientStay> RecordAdmission(const std::string& patient_id,
                                                const std::string& request_id,
                                                absl::Time admitted_at,
                                                const std::string& user_id) override {
    if (patient_id.empty() || request_id.empty() || user_id.empty()) {
      return MakeError(errors::kInvalidArgument, "empty");
    }
    if (patient_exists && !patient_exists(patient_id)) return MakeError(errors::kPatientNotFound);
    absl::MutexLock lock(&mu_);
    for (const InpatientStay& stay : stays_) {
      if (stay.admission_request_id != request_id) continue;
      if (stay.patient_id != patient_id) return MakeError(errors::kRequestIdConflict, "id");
      return stay;
    }
    for (const InpatientStay& stay : stays_) {
      if (stay.patient_id != patient_id) continue;
      if (!stay.discharged_at.has_value()) return MakeError(errors::kAlreadyAdmitted);
      if (admitted_at < *stay.discharged_at) return MakeError(errors::kInvalidArgument, "time");
    }
    InpatientStay stay;
    stay.patient_id = patient_id;
    stay.admitted_at = admitted_at;
    stay.admission_request_id = request_id;
    stay.admitted_by = user_id;
    stays_.push_back(stay);
    return stay;
  }

  absl::StatusOr<InpatientStay> RecordDischarge(const std::string& patient_id,
                                                const std::string& request_id,
                                                absl::Time discharged_at,
                                                const std::string& user_id) override {
    if (patient_id.empty() || request_id.empty() || user_id.empty()) {
      return MakeError(errors::kInvalidArgument, "empty");
    }
    absl::MutexLock lock(&mu_);
    for (const InpatientStay& stay : stays_) {
      if (stay.discharge_request_id != request_id) continue;
      if (stay.patient_id != patient_id) return MakeError(errors::kRequestIdConflict, "id");
      return stay;
    }
    for (InpatientStay& stay : stays_) {
      if (stay.patient_id != patient_id || stay.discharged_at.has_value()) continue;
      if (discharged_at < stay.admitted_at) return MakeError(errors::kInvalidArgument, "time");
      stay.discharged_at = discharged_at;
      stay.discharge_request_id = request_id;
      stay.discharged_by = user_id;
      return stay;
    }
    return MakeError(errors::kNotAdmitted);
  }

  absl::StatusOr<std::vector<InpatientStay>> ListStays(const std::string& patient_id) override {
    absl::MutexLock lock(&mu_);
    std::vector<InpatientStay> out;
    for (const InpatientStay& stay : stays_) {
      if (stay.patient_id == patient_id) out.push_back(stay);
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
  std::vector<InpatientStay> stays_ ABSL_GUARDED_BY(mu_);
  int appends_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace onshi::service

#endif  // ONSHI_TESTS_UNIT_SERVICE_MEMORY_CONSENT_STORE_H_
