#include "plugin/service/billing_service.h"

#include <utility>

#include "plugin/core/dates.h"
#include "plugin/core/errors.h"
#include "plugin/core/self_pay_cap_view.h"
#include "plugin/core/validation.h"
#include "plugin/service/caller.h"
#include "plugin/service/grpc_status.h"

namespace onshi::service {

absl::StatusOr<v1::GetSelfPayCapResponse> SelfPayCaps::Get(
    const v1::GetSelfPayCapRequest& request) {
  if (absl::Status s = ValidatePatientId(request.patient_id()); !s.ok()) return s;
  absl::StatusOr<v1::PatientRecord> record = records_->GetPatientRecord(request.patient_id());
  if (!record.ok()) return record.status();
  // Only the current coverage matters; the filter judges it like GetPatientRecord does.
  record->clear_coverage_history();
  record->clear_confirmations();
  if (absl::Status s = filter_(&*record); !s.ok()) return s;
  if (!record->has_current_coverage()) {
    return MakeError(errors::kNoCoverage, "the patient has no recorded coverage");
  }
  return SelfPayCapOfCoverage(record->current_coverage(), request, JapanDate(clock_->Now()));
}

grpc::Status BillingServiceImpl::GetSelfPayCap(grpc::ServerContext* context,
                                               const v1::GetSelfPayCapRequest* request,
                                               v1::GetSelfPayCapResponse* response) {
  absl::StatusOr<std::string> user = CallerUserId(*context);
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::StatusOr<v1::GetSelfPayCapResponse> cap = caps_->Get(*request);
  if (!cap.ok()) return ToGrpcStatus(cap.status());
  *response = std::move(*cap);
  return grpc::Status::OK;
}

}  // namespace onshi::service
