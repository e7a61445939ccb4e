#include "plugin/service/checkin_service.h"

#include "plugin/service/grpc_status.h"

namespace onshi::service {

grpc::Status CheckinServiceImpl::WatchCheckins(grpc::ServerContext* context,
                                               const v1::WatchCheckinsRequest* request,
                                               grpc::ServerWriter<v1::CheckinEvent>* writer) {
  absl::Status status = checkins_->Watch(
      *request, [writer](const v1::CheckinEvent& event) { return writer->Write(event); },
      [context] { return context->IsCancelled(); });
  return ToGrpcStatus(status);
}

grpc::Status CheckinServiceImpl::AcknowledgeCheckin(grpc::ServerContext* context,
                                                    const v1::AcknowledgeCheckinRequest* request,
                                                    v1::AcknowledgeCheckinResponse* response) {
  return ToGrpcStatus(checkins_->Acknowledge(request->event_id()).status());
}

}  // namespace onshi::service
