// The self-pay cap's service side (docs/billing.md): reading the patient's coverage as it may
// leave onshi, and the gRPC handler of onshi.v1.BillingService. The rules are in
// plugin/core/self_pay_cap_view.h and plugin/core/self_pay_cap.h.

#ifndef ONSHI_PLUGIN_SERVICE_BILLING_SERVICE_H_
#define ONSHI_PLUGIN_SERVICE_BILLING_SERVICE_H_

#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onshi/v1/billing_service.grpc.pb.h"
#include "onshi/v1/billing_service.pb.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "plugin/core/ports.h"

namespace onshi::service {

// Thread-safe (the store and the filter must be).
class SelfPayCaps {
 public:
  // Removes from a patient record the 限度額 data that may not leave onshi (the consent
  // ledger's rule, ConsentLedger::FilterRecord). Errors fail the call.
  using LimitFilter = std::function<absl::Status(v1::PatientRecord*)>;

  // `records` and `clock` are not owned and must outlive this object.
  SelfPayCaps(RecordStore* records, LimitFilter filter, const Clock* clock)
      : records_(records), filter_(std::move(filter)), clock_(clock) {}

  // GetSelfPayCap: the patient's current coverage, filtered, then SelfPayCapOfCoverage with
  // today in Japan. Errors: INVALID_ARGUMENT (ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_ARGUMENT);
  // NOT_FOUND (ONSHI_PATIENT_NOT_FOUND); FAILED_PRECONDITION (ONSHI_NO_COVERAGE when nothing is
  // recorded yet, ONSHI_LIMIT_CATEGORY_UNKNOWN); the store's and the filter's.
  absl::StatusOr<v1::GetSelfPayCapResponse> Get(const v1::GetSelfPayCapRequest& request);

 private:
  RecordStore* const records_;
  const LimitFilter filter_;
  const Clock* const clock_;
};

// gRPC handlers of onshi.v1.BillingService: thin.
class BillingServiceImpl final : public v1::BillingService::Service {
 public:
  // `caps` is not owned and must outlive the service.
  explicit BillingServiceImpl(SelfPayCaps* caps) : caps_(caps) {}

  grpc::Status GetSelfPayCap(grpc::ServerContext* context, const v1::GetSelfPayCapRequest* request,
                             v1::GetSelfPayCapResponse* response) override;

 private:
  SelfPayCaps* const caps_;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_BILLING_SERVICE_H_
