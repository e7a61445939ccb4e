// 照会番号 registration as a service (docs/batches.md): each patient's patient_id is registered
// as its 照会番号 with the insurance identifiers of its current coverage, one patient through
// OQSsiimm01, several through OQSmuimm01/02 on the bulk-exchange engine (the same upload,
// receipt, backoff and resume as batches). Idempotent by request_id.

#ifndef ONSHI_PLUGIN_SERVICE_REFERENCE_NUMBERS_H_
#define ONSHI_PLUGIN_SERVICE_REFERENCE_NUMBERS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "onshi/v1/reference_number_service.pb.h"
#include "plugin/core/batch_store.h"
#include "plugin/core/ports.h"
#include "plugin/service/bulk_exchange.h"

namespace onshi::service {

struct ReferenceNumberOptions {
  // This institution's 医療機関コード.
  std::string medical_institution_code;
  // Registrations per bulk upload file (terminal.batch_file_size).
  int file_size = 500;
  // Patients per request at most (terminal.batch_max_patients).
  int max_patients = 20000;
};

// Thread-safe. Registered with the engine for BulkExchange::kReferenceNumber and
// kBulkReferenceNumber; must outlive it.
class ReferenceNumbers final : public BulkExchangeHandler {
 public:
  // `store`, `engine` and `clock` are not owned and must outlive this.
  ReferenceNumbers(ReferenceNumberOptions options, BatchStore* store, BulkExchangeEngine* engine,
                   const Clock* clock);

  // Registers the 照会番号 of each patient and returns one outcome per patient id, in the
  // request's order, once every one is known. A patient id that is invalid, longer than 50
  // characters or listed twice, or a patient without recorded coverage (ONSHI_NO_COVERAGE),
  // gets its error outcome and is not sent; the terminal's refusal of one registration is that
  // patient's outcome (ONSHI_REFERENCE_NUMBER_REFUSED), its failure of a file (or no answer
  // within terminal.bulk_timeout_ms) the outcome of the file's patients.
  //
  // Errors: INVALID_ARGUMENT (ONSHI_INVALID_REQUEST_ID, ONSHI_INVALID_ARGUMENT for no patient
  // ids, ONSHI_BATCH_TOO_LARGE); ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT) when request_id
  // names a registration of other patients; DEADLINE_EXCEEDED when `call_deadline` passes and
  // CANCELLED when `cancelled()` turns true or on shutdown: the registration goes on, and a
  // retry with the same request returns its outcomes; the store's.
  absl::StatusOr<v1::RegisterReferenceNumbersResponse> Register(
      const v1::RegisterReferenceNumbersRequest& request, absl::Time call_deadline,
      const std::function<bool()>& cancelled);

  // BulkExchangeHandler.
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildUpload(
      const BulkFile& file) override;
  absl::Status RecordResult(const BulkFile& finished, const IncomingAnswer& answer) override;
  absl::Status RecordFailure(const BulkFile& finished) override;

 private:
  // Validates and records the registration, or finds the stored one of a retry.
  absl::StatusOr<RegistrationRecord> Begin(const v1::RegisterReferenceNumbersRequest& request);
  absl::StatusOr<RegistrationRecord> Load(const std::string& request_id);

  const ReferenceNumberOptions options_;
  BatchStore* const store_;
  BulkExchangeEngine* const engine_;
  const Clock* const clock_;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_REFERENCE_NUMBERS_H_
