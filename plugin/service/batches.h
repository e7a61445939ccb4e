// 一括照会 (batch pre-check) as a service (docs/batches.md): RunBatchCheck validates a batch,
// records it (idempotent by request_id), hands its files to the bulk-exchange engine, and
// streams every patient's result as it is recorded. The engine's driver thread, not the
// caller's, moves the batch on, so a batch nobody listens to any more still completes, and a
// restarted onshid resumes it from the stored file states.

#ifndef ONSHI_PLUGIN_SERVICE_BATCHES_H_
#define ONSHI_PLUGIN_SERVICE_BATCHES_H_

#include <deque>
#include <functional>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "onshi/v1/batch_service.pb.h"
#include "plugin/core/batch_store.h"
#include "plugin/core/ports.h"
#include "plugin/service/bulk_exchange.h"

namespace onshi::service {

struct BatchOptions {
  // This institution's 医療機関コード.
  std::string medical_institution_code;
  // Patients per upload file (terminal.batch_file_size).
  int file_size = 500;
  // Patients per batch at most (terminal.batch_max_patients).
  int max_patients = 20000;
};

// Thread-safe. Registered with the engine for BulkExchange::kBatch; must outlive it.
class Batches final : public BulkExchangeHandler {
 public:
  // `store`, `engine` and `clock` are not owned and must outlive this.
  Batches(BatchOptions options, BatchStore* store, BulkExchangeEngine* engine, const Clock* clock);

  // Receives each event of the stream; returns false when the receiver is gone (the call then
  // ends with CANCELLED; the batch goes on).
  using Emit = std::function<bool(const v1::BatchCheckEvent&)>;

  // Runs (or resumes) a batch and streams its events: a progress event, every result already
  // recorded (a retry replays them), each new result as its file is recorded with a progress
  // event after each file, and a final progress event with done = true, after which it returns
  // OK. Each patient's result is sent once per call.
  //
  // Errors before anything is streamed: INVALID_ARGUMENT (ONSHI_INVALID_REQUEST_ID,
  // ONSHI_INVALID_CONFIRMATION_DATE, ONSHI_BATCH_TOO_LARGE, ONSHI_INVALID_ARGUMENT for no
  // patients); ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT) when request_id names a batch with
  // other patients, date or consents; the store's. While streaming: DEADLINE_EXCEEDED when
  // `call_deadline` passes and CANCELLED when `cancelled()` turns true, `emit` returns false or
  // Shutdown is called. The batch goes on after any of these: call again with the same request
  // to resume the stream.
  absl::Status RunBatchCheck(const v1::RunBatchCheckRequest& request, absl::Time call_deadline,
                             const std::function<bool()>& cancelled, const Emit& emit);

  // BulkExchangeHandler for kBatch files.
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildUpload(
      const BulkFile& file) override;
  absl::Status RecordResult(const BulkFile& finished, const IncomingAnswer& answer) override;
  absl::Status RecordFailure(const BulkFile& finished) override;

 private:
  // Validates and records the batch, or finds the stored one of a retry.
  absl::StatusOr<std::shared_ptr<const BatchRecord>> Begin(const v1::RunBatchCheckRequest& request);
  // The stored batch (cached: a batch's request never changes once stored).
  absl::StatusOr<std::shared_ptr<const BatchRecord>> Load(const std::string& request_id);
  void Remember(std::shared_ptr<const BatchRecord> batch);
  // Streams the stored results and then the new ones until every patient has one.
  absl::Status Stream(const BatchRecord& batch, absl::Time call_deadline,
                      const std::function<bool()>& cancelled, const Emit& emit);
  // The progress event for `finished_patients` results sent so far.
  absl::StatusOr<v1::BatchCheckEvent> Progress(const BatchRecord& batch, int finished_patients);

  const BatchOptions options_;
  BatchStore* const store_;
  BulkExchangeEngine* const engine_;
  const Clock* const clock_;

  absl::Mutex mu_;
  // The batches used last, newest at the back (their canonical requests are large; the engine
  // needs them for every file).
  std::deque<std::shared_ptr<const BatchRecord>> cache_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_BATCHES_H_
