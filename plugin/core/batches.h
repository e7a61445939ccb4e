// 一括照会 (batch pre-check) as rules without I/O: what a batch request must hold, what is
// uploaded for it, and what one BulkConfirmUnit of the terminal's result means for the patient
// and the record (docs/batches.md).
//
// Error texts name fields, never values. All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_BATCHES_H_
#define ONSHI_PLUGIN_CORE_BATCHES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "onshi/v1/batch_service.pb.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/oqs_bulk_documents.pb.h"
#include "plugin/core/batch_store.h"
#include "plugin/core/bulk_exchange.h"
#include "plugin/core/dates.h"

namespace onshi {

// A batch request in canonical form, and which of its patients can be sent.
struct NormalizedBatch {
  // request_id as given; confirmation_date resolved (empty → today in Japan); each patient
  // that passed NormalizeBatchPatient in its canonical form, each other one as given.
  v1::RunBatchCheckRequest request;
  // One per patient: OK, or why the patient is never sent (its result is this error).
  std::vector<absl::Status> patient_errors;
  // Indices of the patients with an OK error, ascending.
  std::vector<int32_t> sendable_rows;
};

// Checks a batch request: request_id (ValidateRequestId), at least one patient and at most
// `max_patients` (ONSHI_BATCH_TOO_LARGE, INVALID_ARGUMENT), confirmation_date (empty → today
// in Japan, else a real date at most one day after `today_jst`: ONSHI_INVALID_CONFIRMATION_DATE).
// These fail the whole request (INVALID_ARGUMENT; ONSHI_INVALID_ARGUMENT for no patients).
// Each patient is then checked on its own by NormalizeBatchPatient: one that fails gets its
// error in patient_errors and is never sent; the others are sent.
absl::StatusOr<NormalizedBatch> NormalizeBatchRequest(const v1::RunBatchCheckRequest& in,
                                                      const Date& today_jst, int max_patients);

// One patient of a batch as a 個別照会 would check it (NormalizeCheckRequest, with the batch's
// request_id and resolved `confirmation_date`), plus: patient_id is required (the answer is
// recorded into it; ONSHI_INVALID_PATIENT_ID). Returns the canonical patient. Idempotent: a
// canonical patient comes back unchanged.
absl::StatusOr<v1::BatchPatient> NormalizeBatchPatient(const v1::BatchPatient& patient,
                                                       absl::string_view request_id,
                                                       absl::string_view confirmation_date);

// The patients of `range` that are sent: those of a canonical request (NormalizedBatch::request)
// that pass NormalizeBatchPatient, ascending.
std::vector<int32_t> SendableRows(const v1::RunBatchCheckRequest& canonical, RowRange range);

// The id under which a batch row's confirmation is recorded: "<request_id>/<row>".
std::string BatchCheckId(absl::string_view request_id, int32_t row);

// The OQSmuquc01req document for `rows` (indices into the canonical request, sendable ones):
// the batch's confirmation date, this institution's code, `file_id` as ArbitraryFileIdentifier,
// and per row a QualificationConfirmSearchInfo as BuildQualificationRequest writes it, with
// ArbitraryIdentifier = RowKey(row) (the row index: never patient data).
v1::BatchQualificationRequestDocument BuildBatchUpload(const v1::RunBatchCheckRequest& canonical,
                                                       const std::vector<int32_t>& rows,
                                                       absl::string_view medical_institution_code,
                                                       absl::string_view file_id);

// One unit of a complete OQSmuquc02res in the shape of a 個別照会 answer, so that
// ValidateQualificationResult and DeriveBillingView apply to it unchanged: the document's
// ProcessExecutionTime, 医療機関コード, ArbitraryFileIdentifier and CharacterCodeIdentifier,
// SegmentOfResult COMPLETED, and the unit's search info, processing result, validity and
// records.
v1::QualificationResult ResultOfUnit(const v1::BatchQualificationResultDocument& document,
                                     const v1::BatchConfirmUnit& unit);

// What an answered row writes. `result` is ResultOfUnit of the row's unit; `provenance` says
// where it came from (source SOURCE_BATCH, the batch's request_id, the upload's file id, times,
// the confirmation date); `current` is the patient's coverage now (nullptr: none).
//   - A result failing ValidateQualificationResult gives an error row
//     (ONSHI_TERMINAL_MALFORMED_ANSWER naming the element) and writes nothing else.
//   - Otherwise the result carries the unit as written (records with
//     LimitApplicationCertificateChanged), its billing view for the confirmation date,
//     limit_certificate_changed (any record says "1"), the provenance, and a confirmation
//     (outcome ANSWERED); with exactly one record, the coverage write PlanCoverageWrite gives
//     (record_write always names the patient).
// checked_time = `answered`.
BatchRowWrite PlanAnsweredRow(int32_t row, const v1::BatchPatient& patient,
                              const v1::QualificationResult& result, const Date& confirmation_date,
                              const v1::Provenance& provenance, const v1::CoverageVersion* current,
                              absl::Time answered);

// A row without an answer: its input was invalid, or the terminal failed its file. `error` is
// not OK. Writes the result only.
BatchRowWrite ErrorRow(int32_t row, absl::string_view patient_id, const absl::Status& error);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_BATCHES_H_
