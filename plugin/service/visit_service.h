// gRPC VisitService (proto/onshi/v1/visit_service.proto) over Visits: the outage workflow and
// the claims view.

#ifndef ONSHI_PLUGIN_SERVICE_VISIT_SERVICE_H_
#define ONSHI_PLUGIN_SERVICE_VISIT_SERVICE_H_

#include "onshi/v1/visit_service.grpc.pb.h"
#include "plugin/service/visits.h"

namespace onshi::service {

// Thread-safe. Errors: as documented in visit_service.proto, plus INVALID_ARGUMENT
// (ONSHI_INVALID_USER_ID) when the onshi-user-id metadata is malformed.
class VisitServiceImpl final : public v1::VisitService::Service {
 public:
  // `visits` is not owned and must outlive the service.
  explicit VisitServiceImpl(Visits* visits) : visits_(visits) {}

  grpc::Status RecordSelfDeclaration(grpc::ServerContext* context,
                                     const v1::RecordSelfDeclarationRequest* request,
                                     v1::Visit* response) override;
  grpc::Status GetVisit(grpc::ServerContext* context, const v1::GetVisitRequest* request,
                        v1::Visit* response) override;
  grpc::Status ListRecheckQueue(grpc::ServerContext* context,
                                const v1::ListRecheckQueueRequest* request,
                                v1::ListVisitsResponse* response) override;
  grpc::Status ListBillingReviewItems(grpc::ServerContext* context,
                                      const v1::ListBillingReviewItemsRequest* request,
                                      v1::ListBillingReviewItemsResponse* response) override;
  grpc::Status ResolveBillingReviewItem(grpc::ServerContext* context,
                                        const v1::ResolveBillingReviewItemRequest* request,
                                        v1::BillingReviewItem* response) override;
  grpc::Status ListUnconfirmedVisits(grpc::ServerContext* context,
                                     const v1::ListClaimsRequest* request,
                                     v1::ListClaimsResponse* response) override;
  grpc::Status ListChangedAfterBilling(grpc::ServerContext* context,
                                       const v1::ListClaimsRequest* request,
                                       v1::ListClaimsResponse* response) override;
  grpc::Status MarkBilled(grpc::ServerContext* context, const v1::MarkBilledRequest* request,
                          v1::MarkBilledResponse* response) override;

 private:
  Visits* const visits_;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_VISIT_SERVICE_H_
