// 薬剤情報 (YZK) and 特定健診情報 (TKK) requests, seen from the domain: what a host may ask, the
// request documents the terminal reads (with their own element names, oqs-interface.md §5.3),
// and what the terminal's answer means.
//
// Consent: the terminal decides today (a ResultCode other than 1 is a refusal, mapped here to
// ONSHI_NO_CONSENT); issue 4 adds onshi's own consent ledger in front of the request
// (docs/medical-info.md).
//
// All functions are pure and thread-safe. Error texts name fields, never values.

#ifndef ONSHI_PLUGIN_CORE_MEDICAL_INFO_H_
#define ONSHI_PLUGIN_CORE_MEDICAL_INFO_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onshi/v1/medical_info_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "onshi/v1/oqs_medical_documents.pb.h"
#include "plugin/core/dates.h"

namespace onshi {

// The two kinds of medical information; the values are stored (never renumber).
enum class MedicalInfoKind {
  // 薬剤情報 (and 診療・手術情報): YZKsiquc01.
  kMedication = 1,
  // 特定健診情報: TKKsiquc01.
  kCheckups = 2,
};

// "medication" / "checkups" for logs; "unknown" otherwise.
absl::string_view MedicalInfoKindName(MedicalInfoKind kind);

// How many months a medication request may span and reach back: the terminal keeps
// レセプト-derived 薬剤情報 for up to 3 years (oqs-interface.md §5.3), so onshi accepts the 36
// months ending with the current month.
inline constexpr int kMedicationHistoryMonths = 36;

// A calendar month.
struct YearMonth {
  int year = 0;
  int month = 0;
};
inline bool operator==(const YearMonth& a, const YearMonth& b) {
  return a.year == b.year && a.month == b.month;
}
inline bool operator<(const YearMonth& a, const YearMonth& b) {
  return a.year != b.year ? a.year < b.year : a.month < b.month;
}
inline bool operator<=(const YearMonth& a, const YearMonth& b) { return !(b < a); }

// Exactly six ASCII digits YYYYMM with kMinYear <= YYYY <= kMaxYear and 01 <= MM <= 12;
// nullopt otherwise.
std::optional<YearMonth> ParseYearMonth(absl::string_view yyyymm);
// "YYYYMM".
std::string FormatYearMonth(const YearMonth& month);
// `month` moved by `months` (negative goes back).
YearMonth AddMonths(const YearMonth& month, int months);

// The canonical form of a host's request: what is recorded in the request ledger and compared
// on a retry with the same request_id. It does not depend on the time of the call (so a retry
// after midnight or a month's end is still the same request):
//   request_id   ValidateRequestId.
//   patient_id   required; ValidatePatientId.
//   start_month, end_month  empty, or YYYYMM (ParseYearMonth); when both are given,
//                start_month <= end_month. The window is checked by ResolveMedicationMonths.
//   format       UNSPECIFIED becomes XML; other values outside the enum are refused.
//   care_setting UNSPECIFIED becomes OUTPATIENT (外来); values outside the enum are refused.
//   inpatient    true: care_setting must be UNSPECIFIED or HOME_VISIT and becomes HOME_VISIT
//                (入院 is asked as 訪問診療等, TerminalCareSetting).
// Errors (INVALID_ARGUMENT), first failure in that order: ONSHI_INVALID_REQUEST_ID,
// ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_MONTH_RANGE (naming the field),
// ONSHI_INVALID_ARGUMENT (format, care_setting).
absl::StatusOr<v1::GetMedicationHistoryRequest> NormalizeMedicationRequest(
    const v1::GetMedicationHistoryRequest& in);
// The same for checkups (request_id, patient_id, format, care_setting).
absl::StatusOr<v1::GetCheckupsRequest> NormalizeCheckupsRequest(const v1::GetCheckupsRequest& in);

// The months a normalized medication request asks for, on `today_jst`: an empty end_month is
// the current month, an empty start_month is 35 months before the end; both must then lie within
// the kMedicationHistoryMonths months ending with the current month (not in the future, not
// further back). Errors: INVALID_ARGUMENT (ONSHI_INVALID_MONTH_RANGE, naming the field).
struct MonthRange {
  YearMonth start;
  YearMonth end;
};
absl::StatusOr<MonthRange> ResolveMedicationMonths(const v1::GetMedicationHistoryRequest& normalized,
                                                   const Date& today_jst);

// FileCategory of a YZK request: "1" PDF 薬剤, "2" XML 薬剤, "3" PDF 薬剤+診療, "4" XML 薬剤+診療.
// `format` UNSPECIFIED counts as XML.
std::string MedicationFileCategory(v1::MedicalInfoFormat format, bool include_treatments);
// FileCategory of a TKK request: "1" PDF, "2" XML.
std::string CheckupFileCategory(v1::MedicalInfoFormat format);

// The MessageHeader both request kinds share, for the patient's current coverage: this
// institution's code, InsurerNumber in its 8-character OQS form (NormalizeInsurerNumber, then
// InsurerNumberForOqs: a 6-digit 国保 number is space-padded), 記号 as InsuranceCardSymbol, 番号 as
// InsuredPersonIdentificationNumber, 枝番 as BranchNumber, `file_id` as ArbitraryFileIdentifier.
// Errors: ONSHI_INVALID_INSURER_NUMBER / ONSHI_INSURER_CHECK_DIGIT when the stored insurer
// number is not one (never expected: it came from the terminal); ONSHI_INVALID_CARD_NUMBER when
// the coverage has no 番号.
absl::StatusOr<v1::MedicalInfoRequestHeader> MedicalInfoHeaderFor(
    const v1::InsuranceIdentifiers& coverage, absl::string_view medical_institution_code,
    absl::string_view file_id);

// YZKsiquc01req for a normalized request and its resolved months: StartDate/EndDate,
// FileCategory (MedicationFileCategory), PrDiInfClassification "1" (the only value seen in use,
// §5.3), MedicalTreatmentFlag from care_setting. Infallible.
v1::MedicationRequestDocument BuildMedicationRequest(const v1::MedicalInfoRequestHeader& header,
                                                     const v1::GetMedicationHistoryRequest& normalized,
                                                     const MonthRange& months);
// TKKsiquc01req for a normalized request. Infallible.
v1::CheckupRequestDocument BuildCheckupRequest(const v1::MedicalInfoRequestHeader& header,
                                               const v1::GetCheckupsRequest& normalized);

// True for a short ASCII code that can be shown to IT without risk of carrying patient data:
// 1–32 characters of [A-Za-z0-9_.-].
bool IsSafeCode(absl::string_view text);

// What the ResultCode / MessageContents of a YZK or TKK XML answer mean:
//   "1"            OK: the information follows.
//   empty          INTERNAL (ONSHI_TERMINAL_MALFORMED_ANSWER): the answer states no result.
//   "9"            UNAVAILABLE (ONSHI_TERMINAL_FAILED): 異常終了 (OQSCD003), the terminal could
//                  not process the request (nobody or several people match, its own error).
//   anything else  FAILED_PRECONDITION (ONSHI_NO_CONSENT): the terminal refused, which it does
//                  when the patient has not consented or the consent expired (§7).
// The IT detail names the ResultCode and the MessageContents when each IsSafeCode; free text
// (which may name the patient) is replaced by a generic remark.
absl::Status MedicalResultStatus(absl::string_view result_code,
                                 absl::string_view message_contents);

// True for bytes that start with "%PDF-" (the transport also checks the %%EOF trailer).
bool LooksLikePdf(absl::string_view bytes);

// The consent a qualification record reports for the information of `kind`: 薬剤情報
// (PharmacistsInfo*) for kMedication, 特定健診 (SpecificHealthCheckupsInfo*) for kCheckups.
const v1::Consent& ConsentFor(const v1::QualificationRecord& record, MedicalInfoKind kind);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_MEDICAL_INFO_H_
