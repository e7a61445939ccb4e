#include "plugin/service/eligibility_service.h"

#include <chrono>
#include <thread>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "plugin/service/caller.h"
#include "plugin/service/grpc_status.h"

namespace onshi::service {
namespace {

using grpc::health::v1::HealthCheckResponse;

bool IsKnownService(const std::string& name) {
  return name.empty() || name == v1::EligibilityService::service_full_name();
}

}  // namespace

grpc::Status EligibilityServiceImpl::CheckQualification(
    grpc::ServerContext* context, const v1::CheckQualificationRequest* request,
    v1::CheckQualificationResponse* response) {
  // --- consent ledger: the caller is who asked the patient for the 限度額 consent ---
  absl::StatusOr<std::string> user = CallerUserId(*context);
  if (!user.ok()) return ToGrpcStatus(user.status());
  // --- end of consent ledger ---
  absl::StatusOr<v1::CheckQualificationResponse> outcome = coordinator_->CheckQualification(
      *request, ReplyDeadline(*context), [context] { return context->IsCancelled(); });
  if (!outcome.ok()) return ToGrpcStatus(outcome.status());
  // --- consent ledger ---
  if (absl::Status s = consents_->AfterCheck(*request, *user, &*outcome); !s.ok()) {
    return ToGrpcStatus(s);
  }
  // --- end of consent ledger ---
  *response = std::move(*outcome);
  return grpc::Status::OK;
}

grpc::Status EligibilityServiceImpl::GetPatientRecord(grpc::ServerContext* context,
                                                      const v1::GetPatientRecordRequest* request,
                                                      v1::GetPatientRecordResponse* response) {
  absl::StatusOr<v1::PatientRecord> record = coordinator_->GetPatientRecord(request->patient_id());
  if (!record.ok()) return ToGrpcStatus(record.status());
  // --- consent ledger: 限度額 data only in versions recorded under a consent ---
  if (absl::Status s = consents_->FilterRecord(&*record); !s.ok()) return ToGrpcStatus(s);
  // --- end of consent ledger ---
  *response->mutable_record() = std::move(*record);
  return grpc::Status::OK;
}

HealthCheckResponse::ServingStatus HealthServiceImpl::Current() {
  if (shutdown_.load()) return HealthCheckResponse::NOT_SERVING;
  return probe_().ok() ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING;
}

grpc::Status HealthServiceImpl::Check(grpc::ServerContext* context,
                                      const grpc::health::v1::HealthCheckRequest* request,
                                      HealthCheckResponse* response) {
  if (!IsKnownService(request->service())) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
  }
  response->set_status(Current());
  return grpc::Status::OK;
}

grpc::Status HealthServiceImpl::Watch(grpc::ServerContext* context,
                                      const grpc::health::v1::HealthCheckRequest* request,
                                      grpc::ServerWriter<HealthCheckResponse>* writer) {
  bool first = true;
  HealthCheckResponse::ServingStatus last = HealthCheckResponse::UNKNOWN;
  while (!context->IsCancelled()) {
    HealthCheckResponse::ServingStatus now =
        IsKnownService(request->service()) ? Current() : HealthCheckResponse::SERVICE_UNKNOWN;
    if (first || now != last) {
      HealthCheckResponse response;
      response.set_status(now);
      if (!writer->Write(response)) break;
      first = false;
      last = now;
    }
    if (shutdown_.load()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return grpc::Status::OK;
}

void HealthServiceImpl::Shutdown() { shutdown_.store(true); }

}  // namespace onshi::service
