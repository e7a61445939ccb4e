// 照会番号 registration (oqs-interface.md §5.2) as rules without I/O: which patients a request
// may register, what is sent for each, and what the terminal's answer means per patient
// (docs/batches.md).
//
// Error texts name fields, never values. All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_REFERENCE_NUMBERS_H_
#define ONSHI_PLUGIN_CORE_REFERENCE_NUMBERS_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onshi/v1/oqs_bulk_documents.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "onshi/v1/reference_number_service.pb.h"

namespace onshi {

// Longest 照会番号 the terminal takes (characters; onshi's are ASCII patient ids).
inline constexpr size_t kMaxReferenceNumberLength = 50;

struct NormalizedRegistration {
  // As given (patient ids are not rewritten).
  v1::RegisterReferenceNumbersRequest request;
  // One per patient id: OK, or why it is not registered (its outcome is this error).
  std::vector<absl::Status> patient_errors;
};

// Checks a registration request: request_id (ValidateRequestId), at least one patient id
// (ONSHI_INVALID_ARGUMENT) and at most `max_patients` (ONSHI_BATCH_TOO_LARGE); these fail the
// whole request. Each patient id on its own: ValidatePatientId, at most
// kMaxReferenceNumberLength characters (ONSHI_INVALID_PATIENT_ID), and not a repeat of an
// earlier one in the list (ONSHI_INVALID_ARGUMENT; the first occurrence is registered).
absl::StatusOr<NormalizedRegistration> NormalizeRegistrationRequest(
    const v1::RegisterReferenceNumbersRequest& in, int max_patients);

// What is sent for a patient: reference_number = `patient_id`, the identifiers of its current
// coverage (the insurer number in its 8-character OQS form when it is a valid one; 記号, 番号,
// 枝番 as recorded) and ArbitraryIdentifier = RowKey(row).
v1::ReferenceNumberRegistration RegistrationFor(absl::string_view patient_id,
                                                const v1::InsuranceIdentifiers& identifiers,
                                                int32_t row);

// The outcome of a patient that is not registered because of `error` (not OK).
v1::ReferenceNumberOutcome ErrorOutcome(absl::string_view patient_id, const absl::Status& error);

// The outcome of the terminal's per-record answer: registered when `status` is NORMAL;
// otherwise ONSHI_REFERENCE_NUMBER_REFUSED with the terminal's code in the IT text. The code and
// message are kept as written either way.
v1::ReferenceNumberOutcome TerminalOutcome(absl::string_view patient_id,
                                           v1::ProcessingResultStatus status,
                                           absl::string_view code, absl::string_view message);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_REFERENCE_NUMBERS_H_
