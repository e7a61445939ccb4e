// Validation at onshi's two borders: what a billing host asks (CheckQualificationRequest) and
// what the terminal answers (QualificationResult, after the codec decoded it).
//
// Error texts name fields and elements, never their values: the values are patient data.
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_VALIDATION_H_
#define ONSHI_PLUGIN_CORE_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/core/dates.h"

namespace onshi {

// Longest 記号 and 番号 accepted, in code points (oqs-interface.md §3.1).
inline constexpr size_t kMaxCardFieldLength = 20;

// request_id: 8–64 characters of [A-Za-z0-9._-]. Errors: INVALID_ARGUMENT
// (ONSHI_INVALID_REQUEST_ID).
absl::Status ValidateRequestId(absl::string_view request_id);

// patient_id: 1–64 characters of [A-Za-z0-9._-]. Errors: INVALID_ARGUMENT
// (ONSHI_INVALID_PATIENT_ID).
absl::Status ValidatePatientId(absl::string_view patient_id);

// True for exactly 10 ASCII digits (医療機関コード).
bool IsMedicalInstitutionCode(absl::string_view code);

// The institution's 医療機関コード comes only from onshid's configuration (hosts never send
// one), so a malformed one is a configuration error: FAILED_PRECONDITION (ONSHI_CONFIG_INVALID)
// unless IsMedicalInstitutionCode.
absl::Status ValidateMedicalInstitutionCode(absl::string_view code);

// Checks a host's request and returns its canonical form, the one that is recorded in the
// request ledger, compared on retries and sent to the terminal:
//   request_id      ValidateRequestId.
//   patient_id      empty, or ValidatePatientId.
//   insurer_number  NormalizeInsurerNumber: 6 or 8 half-width digits with a valid check digit.
//   記号            optional; valid UTF-8 without control characters, surrounding (ideographic)
//                   spaces trimmed, at most 20 code points; empty for a 後期高齢者 insurer
//                   (法別 39, §8.3). Its width is kept as typed (see the .cc).
//   番号            required; same rules as 記号; width kept as typed.
//   枝番            empty, or exactly 2 digits after width folding (stored half-width).
//   confirmation_date  empty → `today_jst`; else a real date YYYYMMDD at most one day after
//                   `today_jst` (past dates re-check a past visit).
//   birth_date      a real date YYYYMMDD, not after the confirmation date.
//   limit_certificate_consent  as given.
//   preview_only    as given (write-back, docs/record.md).
// Fields are checked in that order and the first failure is returned: INVALID_ARGUMENT with
// ONSHI_INVALID_REQUEST_ID, _INVALID_PATIENT_ID, _INVALID_INSURER_NUMBER,
// _INSURER_CHECK_DIGIT, _INVALID_CARD_SYMBOL, _INVALID_CARD_NUMBER, _INVALID_BRANCH_NUMBER,
// _INVALID_CONFIRMATION_DATE or _INVALID_BIRTH_DATE. The IT detail names the field only.
absl::StatusOr<v1::CheckQualificationRequest> NormalizeCheckRequest(
    const v1::CheckQualificationRequest& in, const Date& today_jst);

// The OQSsiquc01req document for a request NormalizeCheckRequest returned: InsurerNumber in
// its 8-character OQS form (InsurerNumberForOqs), the limit consent flag always set (GIVEN or
// NOT_GIVEN, never UNSPECIFIED: the terminal requires it), the confirmation date, this
// institution's code and `file_id` as ArbitraryFileIdentifier. Infallible; callers validate
// `medical_institution_code` once at configuration.
v1::QualificationRequestDocument BuildQualificationRequest(
    const v1::CheckQualificationRequest& normalized, absl::string_view medical_institution_code,
    absl::string_view file_id);

// Semantic checks of a decoded answer (the codec checks only syntax and code tables):
//   - SegmentOfResult present;
//   - when COMPLETED: ProcessingResultStatus present, QualificationValidity present unless the
//     status is ERROR, MedicalInstitutionCode 10 digits;
//   - MedicalInstitutionCode, when present, 10 digits;
//   - everywhere in the document (header, echoed search info, every record and its nested
//     certificates and tickets), by the OQS naming convention of the element: "…Date" and
//     "Birthdate" elements empty or a real date YYYYMMDD, "…Time" elements empty or a valid
//     timestamp YYYYMMDDhhmmss, "…Month" elements empty or YYYYMM, "…Ratio" elements empty or
//     3 digits (percent, at most 100), integers not negative.
// Errors: INVALID_ARGUMENT (ONSHI_DOCUMENT_INVALID_VALUE), the detail naming the element path,
// e.g. "MessageBody/ResultList/ResultOfQualificationConfirmation/InsuredCardValidDate".
absl::Status ValidateQualificationResult(const v1::QualificationResult& result);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_VALIDATION_H_
