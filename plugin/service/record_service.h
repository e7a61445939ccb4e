// Write-back (docs/record.md): the WriteBacks logic over the request ledger and the write-back
// ledger, and the gRPC handlers of onshi.v1.RecordService. The rules are in
// plugin/core/write_back.h; this wires them to the stores.

#ifndef ONSHI_PLUGIN_SERVICE_RECORD_SERVICE_H_
#define ONSHI_PLUGIN_SERVICE_RECORD_SERVICE_H_

#include <string>

#include "absl/status/statusor.h"
#include "onshi/v1/record_service.grpc.pb.h"
#include "plugin/core/ports.h"
#include "plugin/core/write_back.h"
#include "plugin/service/consent.h"

namespace onshi::service {

// Thread-safe (the stores are).
class WriteBacks {
 public:
  // Not owned; must outlive this object. `ledger` holds the checks (source requests).
  WriteBacks(RecordStore* ledger, WriteBackStore* store, const Clock* clock)
      : ledger_(ledger), store_(store), clock_(clock) {}

  // The diff of writing the answer of check `source_request_id` into `patient_id`. Writes
  // nothing. Errors: ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_REQUEST_ID; AnswerOfCheck's
  // (ONSHI_NOT_CONFIRMED also for an unknown check); the stores'.
  absl::StatusOr<v1::RecordPreview> Preview(const std::string& patient_id,
                                            const std::string& source_request_id);

  // RecordService.WriteBack for the caller `user_id` (already validated; may be empty).
  // Order of checks: the request's form; a stored write with the same request_id (the stored
  // outcome, or ONSHI_REQUEST_ID_CONFLICT when the request differs); the source check
  // (ONSHI_NOT_CONFIRMED, ONSHI_INVALID_ARGUMENT); the patient (ONSHI_PATIENT_NOT_FOUND without
  // create_patient); the version (ONSHI_VERSION_CONFLICT). A dry run stops before writing and
  // leaves request_id unused. Errors besides: the stores'.
  absl::StatusOr<v1::WriteBackResponse> WriteBack(const v1::WriteBackRequest& request,
                                                  const std::string& user_id);

 private:
  // The stored outcome for a retry of `request`, or ONSHI_REQUEST_ID_CONFLICT.
  static absl::StatusOr<v1::WriteBackResponse> Replay(const WriteBackEntry& stored,
                                                      const v1::WriteBackRequest& request);

  RecordStore* const ledger_;
  WriteBackStore* const store_;
  const Clock* const clock_;
};

class RecordServiceImpl final : public v1::RecordService::Service {
 public:
  // `write_backs` is not owned and must outlive the service.
  // Not owned; must outlive the service. `consents` decides whether changes of 限度額 fields may
  // leave (ConsentLedger::FilterChanges).
  RecordServiceImpl(WriteBacks* write_backs, ConsentLedger* consents)
      : write_backs_(write_backs), consents_(consents) {}

  grpc::Status PreviewWriteBack(grpc::ServerContext* context,
                                const v1::PreviewWriteBackRequest* request,
                                v1::PreviewWriteBackResponse* response) override;
  grpc::Status WriteBack(grpc::ServerContext* context, const v1::WriteBackRequest* request,
                         v1::WriteBackResponse* response) override;

 private:
  WriteBacks* const write_backs_;
  ConsentLedger* const consents_;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_RECORD_SERVICE_H_
