// gRPC handlers of onshi.v1.BatchService and onshi.v1.ReferenceNumberService. Thin: they convert
// deadlines, cancellation and statuses and leave every decision to Batches and ReferenceNumbers.

#ifndef ONSHI_PLUGIN_SERVICE_BATCH_SERVICES_H_
#define ONSHI_PLUGIN_SERVICE_BATCH_SERVICES_H_

#include "onshi/v1/batch_service.grpc.pb.h"
#include "onshi/v1/reference_number_service.grpc.pb.h"
#include "plugin/service/batches.h"
#include "plugin/service/reference_numbers.h"

namespace onshi::service {

class BatchServiceImpl final : public v1::BatchService::Service {
 public:
  // `batches` is not owned and must outlive the service.
  explicit BatchServiceImpl(Batches* batches) : batches_(batches) {}

  // Holds one server thread for the life of the stream (gRPC's synchronous API). Each event is
  // written as it is read from the store; a write that fails (the caller went away) ends the
  // call, never the batch.
  grpc::Status RunBatchCheck(grpc::ServerContext* context, const v1::RunBatchCheckRequest* request,
                             grpc::ServerWriter<v1::BatchCheckEvent>* writer) override;

 private:
  Batches* const batches_;
};

class ReferenceNumberServiceImpl final : public v1::ReferenceNumberService::Service {
 public:
  // `reference_numbers` is not owned and must outlive the service.
  explicit ReferenceNumberServiceImpl(ReferenceNumbers* reference_numbers)
      : reference_numbers_(reference_numbers) {}

  grpc::Status RegisterReferenceNumbers(grpc::ServerContext* context,
                                        const v1::RegisterReferenceNumbersRequest* request,
                                        v1::RegisterReferenceNumbersResponse* response) override;

 private:
  ReferenceNumbers* const reference_numbers_;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_BATCH_SERVICES_H_
