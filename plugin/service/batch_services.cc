#include "plugin/service/batch_services.h"

#include <utility>

#include "plugin/service/consent.h"  // consent ledger
#include "plugin/service/grpc_status.h"

namespace onshi::service {

grpc::Status BatchServiceImpl::RunBatchCheck(grpc::ServerContext* context,
                                             const v1::RunBatchCheckRequest* request,
                                             grpc::ServerWriter<v1::BatchCheckEvent>* writer) {
  return ToGrpcStatus(batches_->RunBatchCheck(
      *request, ReplyDeadline(*context), [context] { return context->IsCancelled(); },
      [writer, request](const v1::BatchCheckEvent& event) {
        // --- consent ledger: 限度額 data only for rows that consented (docs/consent.md) ---
        if (event.has_result()) {
          v1::BatchCheckEvent filtered = event;
          ConsentLedger::FilterBatchResult(*request, filtered.mutable_result());
          return writer->Write(filtered);
        }
        // --- end of consent ledger ---
        return writer->Write(event);
      }));
}

grpc::Status ReferenceNumberServiceImpl::RegisterReferenceNumbers(
    grpc::ServerContext* context, const v1::RegisterReferenceNumbersRequest* request,
    v1::RegisterReferenceNumbersResponse* response) {
  absl::StatusOr<v1::RegisterReferenceNumbersResponse> outcome = reference_numbers_->Register(
      *request, ReplyDeadline(*context), [context] { return context->IsCancelled(); });
  if (!outcome.ok()) return ToGrpcStatus(outcome.status());
  *response = *std::move(outcome);
  return grpc::Status::OK;
}

}  // namespace onshi::service
