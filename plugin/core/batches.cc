#include "plugin/core/batches.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "plugin/core/billing_view.h"
#include "plugin/core/coverage_diff.h"
#include "plugin/core/errors.h"
#include "plugin/core/validation.h"

namespace onshi {

absl::StatusOr<NormalizedBatch> NormalizeBatchRequest(const v1::RunBatchCheckRequest& in,
                                                      const Date& today_jst, int max_patients) {
  if (absl::Status s = ValidateRequestId(in.request_id()); !s.ok()) return s;
  if (in.patients_size() == 0) {
    return MakeError(errors::kInvalidArgument, "field patients is empty");
  }
  if (in.patients_size() > max_patients) {
    return MakeError(errors::kBatchTooLarge,
                     absl::StrCat("field patients has ", in.patients_size(),
                                  " entries; terminal.batch_max_patients is ", max_patients));
  }
  Date confirmation = today_jst;
  if (!in.confirmation_date().empty()) {
    std::optional<Date> parsed = ParseDate(in.confirmation_date());
    if (!parsed.has_value() || *parsed > AddDays(today_jst, 1)) {
      return MakeError(errors::kInvalidConfirmationDate, "field confirmation_date");
    }
    confirmation = *parsed;
  }

  NormalizedBatch out;
  out.request.set_request_id(in.request_id());
  out.request.set_confirmation_date(FormatDate(confirmation));
  out.patient_errors.reserve(in.patients_size());
  out.request.mutable_patients()->Reserve(in.patients_size());
  for (int i = 0; i < in.patients_size(); ++i) {
    absl::StatusOr<v1::BatchPatient> patient = NormalizeBatchPatient(
        in.patients(i), out.request.request_id(), out.request.confirmation_date());
    if (patient.ok()) {
      *out.request.add_patients() = *std::move(patient);
      out.patient_errors.push_back(absl::OkStatus());
      out.sendable_rows.push_back(i);
    } else {
      *out.request.add_patients() = in.patients(i);
      out.patient_errors.push_back(patient.status());
    }
  }
  return out;
}

absl::StatusOr<v1::BatchPatient> NormalizeBatchPatient(const v1::BatchPatient& patient,
                                                       absl::string_view request_id,
                                                       absl::string_view confirmation_date) {
  if (patient.patient_id().empty()) {
    return MakeError(errors::kInvalidPatientId, "field patients.patient_id is required");
  }
  std::optional<Date> date = ParseDate(confirmation_date);
  if (!date.has_value()) return MakeError(errors::kInvalidConfirmationDate, "confirmation_date");
  v1::CheckQualificationRequest check;
  check.set_request_id(std::string(request_id));
  check.set_patient_id(patient.patient_id());
  *check.mutable_identifiers() = patient.identifiers();
  check.set_birth_date(patient.birth_date());
  check.set_confirmation_date(std::string(confirmation_date));
  check.set_limit_certificate_consent(patient.limit_certificate_consent());
  // "today" = the confirmation date: the batch's date was checked against the real today once;
  // this way a stored batch re-checks the same rows the same way on any later day.
  absl::StatusOr<v1::CheckQualificationRequest> normalized = NormalizeCheckRequest(check, *date);
  if (!normalized.ok()) return normalized.status();
  v1::BatchPatient out;
  out.set_patient_id(normalized->patient_id());
  *out.mutable_identifiers() = normalized->identifiers();
  out.set_birth_date(normalized->birth_date());
  out.set_limit_certificate_consent(normalized->limit_certificate_consent());
  return out;
}

std::vector<int32_t> SendableRows(const v1::RunBatchCheckRequest& canonical, RowRange range) {
  std::vector<int32_t> rows;
  for (int32_t row = std::max(range.first, 0); row < range.end && row < canonical.patients_size();
       ++row) {
    if (NormalizeBatchPatient(canonical.patients(row), canonical.request_id(),
                              canonical.confirmation_date())
            .ok()) {
      rows.push_back(row);
    }
  }
  return rows;
}

std::string BatchCheckId(absl::string_view request_id, int32_t row) {
  return absl::StrCat(request_id, "/", row);
}

v1::BatchQualificationRequestDocument BuildBatchUpload(const v1::RunBatchCheckRequest& canonical,
                                                       const std::vector<int32_t>& rows,
                                                       absl::string_view medical_institution_code,
                                                       absl::string_view file_id) {
  v1::BatchQualificationRequestDocument document;
  document.set_qualification_confirmation_date(canonical.confirmation_date());
  document.set_medical_institution_code(std::string(medical_institution_code));
  document.set_arbitrary_file_identifier(std::string(file_id));
  document.mutable_search_infos()->Reserve(static_cast<int>(rows.size()));
  for (int32_t row : rows) {
    const v1::BatchPatient& patient = canonical.patients(row);
    // The same search info a 個別照会 of this patient would send.
    v1::CheckQualificationRequest check;
    *check.mutable_identifiers() = patient.identifiers();
    check.set_birth_date(patient.birth_date());
    check.set_confirmation_date(canonical.confirmation_date());
    check.set_limit_certificate_consent(patient.limit_certificate_consent());
    v1::QualificationSearchInfo* search = document.add_search_infos();
    *search = std::move(*BuildQualificationRequest(check, medical_institution_code, file_id)
                             .mutable_search_info());
    search->set_arbitrary_identifier(RowKey(row));
  }
  return document;
}

v1::QualificationResult ResultOfUnit(const v1::BatchQualificationResultDocument& document,
                                     const v1::BatchConfirmUnit& unit) {
  v1::QualificationResult result;
  result.set_process_execution_time(document.process_execution_time());
  result.set_medical_institution_code(document.medical_institution_code());
  result.set_arbitrary_file_identifier(document.arbitrary_file_identifier());
  result.set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  result.set_character_code(document.character_code());
  *result.mutable_search_info() = unit.search_info();
  result.set_processing_result_status(unit.processing_result_status());
  result.set_processing_result_code(unit.processing_result_code());
  result.set_processing_result_message(unit.processing_result_message());
  result.set_qualification_validity(unit.qualification_validity());
  *result.mutable_records() = unit.records();
  return result;
}

BatchRowWrite PlanAnsweredRow(int32_t row, const v1::BatchPatient& patient,
                              const v1::QualificationResult& result, const Date& confirmation_date,
                              const v1::Provenance& provenance, const v1::CoverageVersion* current,
                              absl::Time answered) {
  if (absl::Status valid = ValidateQualificationResult(result); !valid.ok()) {
    return ErrorRow(row, patient.patient_id(),
                    MakeError(errors::kTerminalMalformedAnswer,
                              absl::StrCat("BulkConfirmUnit failed validation: ",
                                           ToErrorDetail(valid).it_message())));
  }
  BatchRowWrite write;
  write.checked_time = answered;
  v1::BatchPatientResult& out = write.result;
  out.set_index(row);
  out.set_patient_id(patient.patient_id());
  out.set_processing_result_status(result.processing_result_status());
  out.set_processing_result_code(result.processing_result_code());
  out.set_processing_result_message(result.processing_result_message());
  out.set_validity(result.qualification_validity());
  *out.mutable_records() = result.records();
  *out.mutable_billing() = DeriveBillingView(result, confirmation_date);
  for (const v1::QualificationRecord& record : result.records()) {
    // OQSCD014: 1 = 変更あり又は判定不能.
    if (record.limit_certificate_changed() == "1") out.set_limit_certificate_changed(true);
  }
  *out.mutable_provenance() = provenance;

  // As for a 個別照会: the coverage follows an answer naming exactly one qualification.
  if (result.records_size() == 1) {
    google::protobuf::Timestamp recorded = provenance.answered_time();
    PlannedCoverageWrite plan =
        PlanCoverageWrite(patient.patient_id(), current, result.records(0),
                          result.qualification_validity(), provenance, recorded);
    *out.mutable_record_write() = std::move(plan.write);
    write.coverage = std::move(plan.update);
  } else {
    out.mutable_record_write()->set_patient_id(patient.patient_id());
  }

  v1::Confirmation& confirmation = write.confirmation.emplace();
  confirmation.set_outcome(v1::CHECK_OUTCOME_ANSWERED);
  confirmation.set_validity(result.qualification_validity());
  *confirmation.mutable_provenance() = provenance;
  return write;
}

BatchRowWrite ErrorRow(int32_t row, absl::string_view patient_id, const absl::Status& error) {
  BatchRowWrite write;
  write.result.set_index(row);
  write.result.set_patient_id(std::string(patient_id));
  *write.result.mutable_error() = ToErrorDetail(error);
  write.result.set_error_code(static_cast<int32_t>(error.code()));
  return write;
}

}  // namespace onshi
