#include "plugin/service/visit_service.h"

#include <string>
#include <vector>

#include "plugin/core/validation.h"
#include "plugin/service/caller.h"
#include "plugin/service/grpc_status.h"

namespace onshi::service {
namespace {

grpc::Status FillClaims(const absl::StatusOr<std::vector<v1::ClaimsVisit>>& lines,
                        v1::ListClaimsResponse* response) {
  if (!lines.ok()) return ToGrpcStatus(lines.status());
  for (const v1::ClaimsVisit& line : *lines) *response->add_visits() = line;
  return grpc::Status::OK;
}

}  // namespace

grpc::Status VisitServiceImpl::RecordSelfDeclaration(
    grpc::ServerContext* context, const v1::RecordSelfDeclarationRequest* request,
    v1::Visit* response) {
  absl::StatusOr<std::string> user = CallerUserId(*context);
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::StatusOr<v1::Visit> visit = visits_->RecordSelfDeclaration(*request, *user);
  if (!visit.ok()) return ToGrpcStatus(visit.status());
  *response = *std::move(visit);
  return grpc::Status::OK;
}

grpc::Status VisitServiceImpl::GetVisit(grpc::ServerContext* context,
                                        const v1::GetVisitRequest* request, v1::Visit* response) {
  absl::StatusOr<v1::Visit> visit = visits_->GetVisit(request->visit_id());
  if (!visit.ok()) return ToGrpcStatus(visit.status());
  *response = *std::move(visit);
  return grpc::Status::OK;
}

grpc::Status VisitServiceImpl::ListRecheckQueue(grpc::ServerContext* context,
                                                const v1::ListRecheckQueueRequest* request,
                                                v1::ListVisitsResponse* response) {
  absl::StatusOr<std::vector<v1::Visit>> visits = visits_->ListRecheckQueue(request->limit());
  if (!visits.ok()) return ToGrpcStatus(visits.status());
  for (v1::Visit& visit : *visits) *response->add_visits() = std::move(visit);
  return grpc::Status::OK;
}

grpc::Status VisitServiceImpl::ListBillingReviewItems(
    grpc::ServerContext* context, const v1::ListBillingReviewItemsRequest* request,
    v1::ListBillingReviewItemsResponse* response) {
  absl::StatusOr<std::vector<v1::BillingReviewItem>> items =
      visits_->ListReviewItems(request->include_resolved(), request->month());
  if (!items.ok()) return ToGrpcStatus(items.status());
  for (v1::BillingReviewItem& item : *items) *response->add_items() = std::move(item);
  return grpc::Status::OK;
}

grpc::Status VisitServiceImpl::ResolveBillingReviewItem(
    grpc::ServerContext* context, const v1::ResolveBillingReviewItemRequest* request,
    v1::BillingReviewItem* response) {
  absl::StatusOr<std::string> user = CallerUserId(*context);
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::StatusOr<v1::BillingReviewItem> item =
      visits_->ResolveReviewItem(request->item_id(), request->note(), *user);
  if (!item.ok()) return ToGrpcStatus(item.status());
  *response = *std::move(item);
  return grpc::Status::OK;
}

grpc::Status VisitServiceImpl::ListUnconfirmedVisits(grpc::ServerContext* context,
                                                     const v1::ListClaimsRequest* request,
                                                     v1::ListClaimsResponse* response) {
  return FillClaims(visits_->ListUnconfirmedVisits(request->month()), response);
}

grpc::Status VisitServiceImpl::ListChangedAfterBilling(grpc::ServerContext* context,
                                                       const v1::ListClaimsRequest* request,
                                                       v1::ListClaimsResponse* response) {
  return FillClaims(visits_->ListChangedAfterBilling(request->month()), response);
}

grpc::Status VisitServiceImpl::MarkBilled(grpc::ServerContext* context,
                                          const v1::MarkBilledRequest* request,
                                          v1::MarkBilledResponse* response) {
  if (absl::Status s = ValidateRequestId(request->request_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  std::vector<std::string> ids(request->visit_ids().begin(), request->visit_ids().end());
  absl::StatusOr<int> marked = visits_->MarkBilled(request->month(), ids);
  if (!marked.ok()) return ToGrpcStatus(marked.status());
  response->set_marked(*marked);
  return grpc::Status::OK;
}

}  // namespace onshi::service
