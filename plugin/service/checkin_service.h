// gRPC handlers of onshi.v1.CheckinService. Thin: they convert statuses and leave every
// decision to Checkins (plugin/service/checkins.h).

#ifndef ONSHI_PLUGIN_SERVICE_CHECKIN_SERVICE_H_
#define ONSHI_PLUGIN_SERVICE_CHECKIN_SERVICE_H_

#include "onshi/v1/checkin_service.grpc.pb.h"
#include "plugin/service/checkins.h"

namespace onshi::service {

class CheckinServiceImpl final : public v1::CheckinService::Service {
 public:
  // `checkins` is not owned and must outlive the service.
  explicit CheckinServiceImpl(Checkins* checkins) : checkins_(checkins) {}

  // Holds one server thread while the stream waits (gRPC's synchronous API); new events are
  // written the moment they are recorded.
  grpc::Status WatchCheckins(grpc::ServerContext* context, const v1::WatchCheckinsRequest* request,
                             grpc::ServerWriter<v1::CheckinEvent>* writer) override;
  grpc::Status AcknowledgeCheckin(grpc::ServerContext* context,
                                  const v1::AcknowledgeCheckinRequest* request,
                                  v1::AcknowledgeCheckinResponse* response) override;

 private:
  Checkins* const checkins_;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_CHECKIN_SERVICE_H_
