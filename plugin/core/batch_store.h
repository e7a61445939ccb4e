// The port for the terminal's bulk exchanges (docs/batches.md): 一括照会 batches with their
// per-patient results, 照会番号 registrations with their per-patient outcomes, and the upload
// files of both with the state of their exchange with the terminal (plugin/core/bulk_exchange.h),
// durable so that onshid resumes them after a restart.
//
// Implemented by adapters/store_sqlite (SqliteBatchStore); plugin/service (bulk_exchange.h,
// batches.h, reference_numbers.h) is its only user.

#ifndef ONSHI_PLUGIN_CORE_BATCH_STORE_H_
#define ONSHI_PLUGIN_CORE_BATCH_STORE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "onshi/v1/batch_service.pb.h"
#include "onshi/v1/error.pb.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/oqs_bulk_documents.pb.h"
#include "onshi/v1/reference_number_service.pb.h"
#include "plugin/core/bulk_exchange.h"
#include "plugin/core/ports.h"

namespace onshi {

// One upload file of a bulk exchange and where its exchange with the terminal stands.
struct BulkFile {
  BulkExchange exchange = BulkExchange::kBatch;
  // The batch's or registration's request_id; (exchange, request_id, index) is the key.
  std::string request_id;
  // 0, 1, ... in row order.
  int32_t index = 0;
  // The rows of the request it carries (only the valid ones in the range are sent).
  RowRange rows;
  BulkFileState state = BulkFileState::kWaitingForSlot;
  // Bumped by every write of the file; UpdateBulkFile and the Finish* methods write only while
  // the stored revision is this one (compare-and-set). Starts at 1.
  int64_t revision = 1;
  // The upload's ArbitraryFileIdentifier (random, chosen before the file is placed; unique).
  std::string upload_file_id;
  // From the receipt; empty before it.
  std::string reception_number;
  // The ArbitraryFileIdentifier of the result request now outstanding (kAsking), or of the last
  // one; empty before the first. Unique.
  std::string ask_file_id;
  // When the driver acts on the file next: place it (kWaitingForSlot), place it again without
  // a receipt (kUploaded), ask (kReceipt), ask again without an answer (kAsking).
  absl::Time next_time = absl::InfinitePast();
  // Result requests placed so far.
  int32_t ask_count = 0;
  // "処理中" answers received so far (the backoff grows with it).
  int32_t processing_count = 0;
  absl::Time created_time;
  absl::Time updated_time;
  // kFailed only: why (the status its rows carry).
  absl::StatusCode error_code = absl::StatusCode::kOk;
  v1::ErrorDetail error;
};

// A batch: the request as normalised, and whether every patient has a result.
struct BatchRecord {
  std::string request_id;
  // Canonical (core NormalizeBatchRequest): compared on a retry with the same request_id.
  v1::RunBatchCheckRequest request;
  // True once every file is finished (every patient has its result).
  bool done = false;
  // Set by the store.
  absl::Time created_time;
  int32_t file_count = 0;
};

// One patient's result and what it writes into the patient record, all or nothing with the rest
// of its file.
struct BatchRowWrite {
  // index and patient_id set; complete.
  v1::BatchPatientResult result;
  // For an answered row: the confirmation of check "<request_id>/<index>" (BatchCheckId).
  std::optional<v1::Confirmation> confirmation;
  // When the answer changes the patient's coverage (optimistic, as LedgerTransition::coverage).
  std::optional<CoverageUpdate> coverage;
  // When the check happened (the answer's arrival): orders the patient's confirmations.
  absl::Time checked_time;
};

// A stored result with its place in the batch's write order.
struct StoredBatchResult {
  // Increases with every result written to the store (across batches); results written later
  // have higher sequences.
  int64_t sequence = 0;
  v1::BatchPatientResult result;
};

// A 照会番号 registration: the request as normalised, what is sent for each patient, and the
// outcomes so far.
struct RegistrationRecord {
  std::string request_id;
  // Canonical: compared on a retry with the same request_id.
  v1::RegisterReferenceNumbersRequest request;
  // One per patient of `request`, in its order: reference_number (= patient_id), identifiers
  // from the patient's coverage at the time of the request, arbitrary_identifier = RowKey(row).
  // Rows that are not sent (their outcome is set at once) carry only the reference number.
  std::vector<v1::ReferenceNumberRegistration> registrations;
  // One per patient; an outcome is set (patient_id non-empty) once known.
  v1::RegisterReferenceNumbersResponse response;
  bool done = false;
  absl::Time created_time;
};

// Implementations must be thread-safe; every method is one transaction.
//
// Errors, besides those listed: ONSHI_STORE_UNAVAILABLE (retryable) for any failure of the
// store; ONSHI_INTERNAL when stored data does not parse.
class BatchStore {
 public:
  virtual ~BatchStore() = default;

  // --- Batches ---

  // Inserts the batch with its files (all kWaitingForSlot, revision 1) and the results known at
  // once (invalid patients: error only, no confirmation or coverage) unless a batch with its
  // request_id exists. Returns the stored batch; `*created` (may be null) says whether this call
  // inserted it. A duplicate writes nothing.
  // Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an empty request_id, a file of another
  // request_id, an upload file id already used, or a row write with a confirmation or coverage.
  virtual absl::StatusOr<BatchRecord> CreateBatch(const BatchRecord& batch,
                                                  const std::vector<BulkFile>& files,
                                                  const std::vector<BatchRowWrite>& rows,
                                                  bool* created) = 0;

  virtual absl::StatusOr<std::optional<BatchRecord>> FindBatch(const std::string& request_id) = 0;

  // The batch's results with a sequence above `after_sequence`, lowest first, at most `limit`
  // (> 0).
  virtual absl::StatusOr<std::vector<StoredBatchResult>> ListBatchResults(
      const std::string& request_id, int64_t after_sequence, int limit) = 0;

  // Finishes a batch file: writes `file` (state kDone or kFailed, `file.revision` the revision
  // read) and its rows (results, and for answered rows their patients, confirmations and
  // coverage versions), and marks the batch done when no unfinished file is left: all or
  // nothing. Errors: ABORTED (ONSHI_STORE_CONFLICT) when the file's revision is no longer
  // `file.revision` or a coverage update's expected_version is stale (nothing written: read
  // again and retry); INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an unknown file, a state
  // that is not finished, a row outside the file's range or already written.
  virtual absl::Status FinishBatchFile(const BulkFile& file,
                                       const std::vector<BatchRowWrite>& rows) = 0;

  // The current coverage of each named patient that has one (one read transaction).
  virtual absl::StatusOr<std::map<std::string, v1::CoverageVersion>> CurrentCoverages(
      const std::vector<std::string>& patient_ids) = 0;

  // --- 照会番号 registrations ---

  // Inserts the registration with its files (as CreateBatch) unless one with its request_id
  // exists; `registration.done` is stored as given (true when nothing is to be sent). Returns
  // the stored one. Errors: INVALID_ARGUMENT as for CreateBatch.
  virtual absl::StatusOr<RegistrationRecord> CreateRegistration(
      const RegistrationRecord& registration, const std::vector<BulkFile>& files,
      bool* created) = 0;

  virtual absl::StatusOr<std::optional<RegistrationRecord>> FindRegistration(
      const std::string& request_id) = 0;

  // Finishes a registration file as FinishBatchFile does: `outcomes` maps row index → outcome
  // (rows of the file only), merged into the stored response. Errors as FinishBatchFile.
  virtual absl::Status FinishRegistrationFile(
      const BulkFile& file, const std::map<int32_t, v1::ReferenceNumberOutcome>& outcomes) = 0;

  // --- Files of every exchange ---

  // Files not finished, of every exchange, oldest first (for the driver and restart recovery).
  virtual absl::StatusOr<std::vector<BulkFile>> ListUnfinishedBulkFiles() = 0;

  // The files of one batch or registration (of `exchange`, the one it uses), by index.
  virtual absl::StatusOr<std::vector<BulkFile>> ListBulkFiles(BulkExchange exchange,
                                                              const std::string& request_id) = 0;

  // The file whose upload_file_id or ask_file_id is `file_id`, if any.
  virtual absl::StatusOr<std::optional<BulkFile>> FindBulkFileByFileId(
      const std::string& file_id) = 0;

  // Writes the exchange state of an unfinished file (state, reception number, ask file id,
  // next time, counts) while its stored revision is `file.revision`; returns it as stored (with
  // the next revision). Errors: ABORTED (ONSHI_STORE_CONFLICT) on a stale revision;
  // INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an unknown file, a finished state (use the
  // Finish* methods), or an ask file id already used by another file.
  virtual absl::StatusOr<BulkFile> UpdateBulkFile(const BulkFile& file) = 0;
};

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_BATCH_STORE_H_
