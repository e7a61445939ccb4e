// gRPC handlers of onshi.v1.EligibilityService and grpc.health.v1.Health. Thin: they convert
// deadlines and statuses and leave every decision to the Coordinator and core.

#ifndef ONSHI_PLUGIN_SERVICE_ELIGIBILITY_SERVICE_H_
#define ONSHI_PLUGIN_SERVICE_ELIGIBILITY_SERVICE_H_

#include <functional>

#include "absl/status/status.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "onshi/v1/eligibility_service.grpc.pb.h"
#include "plugin/service/consent.h"
#include "plugin/service/coordinator.h"

namespace onshi::service {

class EligibilityServiceImpl final : public v1::EligibilityService::Service {
 public:
  // `coordinator` and `consents` are not owned and must outlive the service. `consents`
  // records a 限度額 consent the request states and keeps 限度額 data from leaving without one
  // (docs/consent.md).
  EligibilityServiceImpl(Coordinator* coordinator, ConsentLedger* consents)
      : coordinator_(coordinator), consents_(consents) {}

  grpc::Status CheckQualification(grpc::ServerContext* context,
                                  const v1::CheckQualificationRequest* request,
                                  v1::CheckQualificationResponse* response) override;
  grpc::Status GetPatientRecord(grpc::ServerContext* context,
                                const v1::GetPatientRecordRequest* request,
                                v1::GetPatientRecordResponse* response) override;

 private:
  Coordinator* const coordinator_;
  ConsentLedger* const consents_;
};

// Serves SERVING for "" and "onshi.v1.EligibilityService" while `probe` returns OK, NOT_SERVING
// otherwise (and after Shutdown); other service names are NOT_FOUND, as the protocol says.
class HealthServiceImpl final : public grpc::health::v1::Health::Service {
 public:
  explicit HealthServiceImpl(std::function<absl::Status()> probe) : probe_(std::move(probe)) {}

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override;
  // Sends the status at once and again whenever it changes, until the call is cancelled or the
  // service shuts down.
  grpc::Status Watch(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::ServerWriter<grpc::health::v1::HealthCheckResponse>* writer) override;

  void Shutdown();

 private:
  grpc::health::v1::HealthCheckResponse::ServingStatus Current();

  const std::function<absl::Status()> probe_;
  std::atomic<bool> shutdown_{false};
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_ELIGIBILITY_SERVICE_H_
