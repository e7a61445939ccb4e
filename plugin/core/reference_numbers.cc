#include "plugin/core/reference_numbers.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "plugin/core/bulk_exchange.h"
#include "plugin/core/errors.h"
#include "plugin/core/insurer_number.h"
#include "plugin/core/validation.h"

namespace onshi {
absl::StatusOr<NormalizedRegistration> NormalizeRegistrationRequest(
    const v1::RegisterReferenceNumbersRequest& in, int max_patients) {
  if (absl::Status s = ValidateRequestId(in.request_id()); !s.ok()) return s;
  if (in.patient_ids_size() == 0) {
    return MakeError(errors::kInvalidArgument, "field patient_ids is empty");
  }
  if (in.patient_ids_size() > max_patients) {
    return MakeError(errors::kBatchTooLarge,
                     absl::StrCat("field patient_ids has ", in.patient_ids_size(),
                                  " entries; terminal.batch_max_patients is ", max_patients));
  }
  NormalizedRegistration out;
  out.request = in;
  std::set<absl::string_view> seen;
  for (const std::string& patient_id : in.patient_ids()) {
    absl::Status status = ValidatePatientId(patient_id);
    if (status.ok() && patient_id.size() > kMaxReferenceNumberLength) {
      status = MakeError(errors::kInvalidPatientId,
                         "field patient_ids: a 照会番号 has at most 50 characters");
    }
    if (status.ok() && !seen.insert(patient_id).second) {
      status = MakeError(errors::kInvalidArgument, "field patient_ids lists a patient twice");
    }
    out.patient_errors.push_back(status);
  }
  return out;
}

v1::ReferenceNumberRegistration RegistrationFor(absl::string_view patient_id,
                                                const v1::InsuranceIdentifiers& identifiers,
                                                int32_t row) {
  v1::ReferenceNumberRegistration registration;
  registration.set_reference_number(std::string(patient_id));
  v1::InsuranceIdentifiers& ids = *registration.mutable_identifiers();
  ids = identifiers;
  // The coverage holds the number as the terminal wrote it (possibly space-padded); send the
  // canonical 8-character form when it is a valid number, as every request does.
  absl::StatusOr<std::string> insurer = NormalizeInsurerNumber(identifiers.insurer_number());
  if (insurer.ok()) ids.set_insurer_number(InsurerNumberForOqs(*insurer));
  registration.set_arbitrary_identifier(RowKey(row));
  return registration;
}

v1::ReferenceNumberOutcome ErrorOutcome(absl::string_view patient_id, const absl::Status& error) {
  v1::ReferenceNumberOutcome outcome;
  outcome.set_patient_id(std::string(patient_id));
  outcome.set_registered(false);
  *outcome.mutable_error() = ToErrorDetail(error);
  outcome.set_error_code(static_cast<int32_t>(error.code()));
  return outcome;
}

v1::ReferenceNumberOutcome TerminalOutcome(absl::string_view patient_id,
                                           v1::ProcessingResultStatus status,
                                           absl::string_view code, absl::string_view message) {
  v1::ReferenceNumberOutcome outcome;
  if (status != v1::PROCESSING_RESULT_STATUS_NORMAL) {
    outcome = ErrorOutcome(
        patient_id, MakeError(errors::kReferenceNumberRefused,
                              absl::StrCat("ProcessingResultCode ", LoggableCode(code))));
  } else {
    outcome.set_patient_id(std::string(patient_id));
    outcome.set_registered(true);
  }
  outcome.set_processing_result_code(std::string(code));
  outcome.set_processing_result_message(std::string(message));
  return outcome;
}

}  // namespace onshi
