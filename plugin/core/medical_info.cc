#include "plugin/core/medical_info.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plugin/core/errors.h"
#include "plugin/core/insurer_number.h"
#include "plugin/core/medical_store.h"
#include "plugin/core/text.h"
#include "plugin/core/validation.h"

namespace onshi {
namespace {

constexpr absl::string_view kPdfMagic = "%PDF-";

absl::Status BadMonth(absl::string_view field, absl::string_view why) {
  return MakeError(errors::kInvalidMonthRange, absl::StrCat(field, " ", why));
}

// Checks an optional month field; `*out` receives the month when given.
absl::Status CheckMonthField(absl::string_view value, absl::string_view field,
                             std::optional<YearMonth>* out) {
  out->reset();
  if (value.empty()) return absl::OkStatus();
  std::optional<YearMonth> month = ParseYearMonth(value);
  if (!month.has_value()) return BadMonth(field, "is not a month YYYYMM");
  *out = month;
  return absl::OkStatus();
}

absl::StatusOr<v1::MedicalInfoFormat> CheckFormat(v1::MedicalInfoFormat format) {
  switch (format) {
    case v1::MEDICAL_INFO_FORMAT_UNSPECIFIED:
      return v1::MEDICAL_INFO_FORMAT_XML;
    case v1::MEDICAL_INFO_FORMAT_XML:
    case v1::MEDICAL_INFO_FORMAT_PDF:
      return format;
    default:
      break;
  }
  return MakeError(errors::kInvalidArgument, "format is not a MedicalInfoFormat value");
}

absl::StatusOr<v1::CareSetting> CheckCareSetting(v1::CareSetting setting) {
  switch (setting) {
    case v1::CARE_SETTING_UNSPECIFIED:
      return v1::CARE_SETTING_OUTPATIENT;
    case v1::CARE_SETTING_OUTPATIENT:
    case v1::CARE_SETTING_HOME_VISIT:
    case v1::CARE_SETTING_ONLINE:
    case v1::CARE_SETTING_EMERGENCY:
      return setting;
    default:
      break;
  }
  return MakeError(errors::kInvalidArgument, "care_setting is not a CareSetting value");
}

// 入院 is asked as 訪問診療等 (TerminalCareSetting): any other explicit setting contradicts it.
absl::StatusOr<v1::CareSetting> CheckInpatient(bool inpatient, v1::CareSetting asked,
                                               v1::CareSetting care) {
  if (!inpatient) return care;
  if (asked != v1::CARE_SETTING_UNSPECIFIED && asked != v1::CARE_SETTING_HOME_VISIT) {
    return MakeError(errors::kInvalidArgument,
                     "care_setting: an inpatient request is asked as CARE_SETTING_HOME_VISIT");
  }
  return v1::CARE_SETTING_HOME_VISIT;
}

// request_id and patient_id, as every medical request carries them.
absl::Status CheckIds(absl::string_view request_id, absl::string_view patient_id) {
  if (absl::Status s = ValidateRequestId(request_id); !s.ok()) return s;
  return ValidatePatientId(patient_id);
}

}  // namespace

absl::string_view MedicalInfoKindName(MedicalInfoKind kind) {
  switch (kind) {
    case MedicalInfoKind::kMedication:
      return "medication";
    case MedicalInfoKind::kCheckups:
      return "checkups";
  }
  return "unknown";
}

absl::string_view MedicalRequestStateName(MedicalRequestState state) {
  switch (state) {
    case MedicalRequestState::kPending:
      return "pending";
    case MedicalRequestState::kAnswered:
      return "answered";
    case MedicalRequestState::kFailed:
      return "failed";
    case MedicalRequestState::kTimedOut:
      return "timed-out";
    case MedicalRequestState::kLate:
      return "late";
  }
  return "unknown";
}

std::optional<YearMonth> ParseYearMonth(absl::string_view yyyymm) {
  if (yyyymm.size() != 6 || !IsAsciiDigits(yyyymm)) return std::nullopt;
  YearMonth month;
  month.year = (yyyymm[0] - '0') * 1000 + (yyyymm[1] - '0') * 100 + (yyyymm[2] - '0') * 10 +
               (yyyymm[3] - '0');
  month.month = (yyyymm[4] - '0') * 10 + (yyyymm[5] - '0');
  if (month.year < kMinYear || month.year > kMaxYear || month.month < 1 || month.month > 12) {
    return std::nullopt;
  }
  return month;
}

std::string FormatYearMonth(const YearMonth& month) {
  return absl::StrFormat("%04d%02d", month.year, month.month);
}

YearMonth AddMonths(const YearMonth& month, int months) {
  // Months since year 0, floor-divided back (works for negative offsets too).
  const int64_t index = int64_t{month.year} * 12 + (month.month - 1) + months;
  int64_t year = index / 12;
  int64_t rest = index % 12;
  if (rest < 0) {
    rest += 12;
    --year;
  }
  return YearMonth{static_cast<int>(year), static_cast<int>(rest) + 1};
}

absl::StatusOr<v1::GetMedicationHistoryRequest> NormalizeMedicationRequest(
    const v1::GetMedicationHistoryRequest& in) {
  if (absl::Status s = CheckIds(in.request_id(), in.patient_id()); !s.ok()) return s;
  std::optional<YearMonth> start;
  std::optional<YearMonth> end;
  if (absl::Status s = CheckMonthField(in.start_month(), "start_month", &start); !s.ok()) return s;
  if (absl::Status s = CheckMonthField(in.end_month(), "end_month", &end); !s.ok()) return s;
  if (start.has_value() && end.has_value() && *end < *start) {
    return BadMonth("start_month", "is after end_month");
  }
  absl::StatusOr<v1::MedicalInfoFormat> format = CheckFormat(in.format());
  if (!format.ok()) return format.status();
  absl::StatusOr<v1::CareSetting> care = CheckCareSetting(in.care_setting());
  if (!care.ok()) return care.status();
  care = CheckInpatient(in.inpatient(), in.care_setting(), *care);
  if (!care.ok()) return care.status();

  v1::GetMedicationHistoryRequest out = in;
  out.set_format(*format);
  out.set_care_setting(*care);
  return out;
}

absl::StatusOr<v1::GetCheckupsRequest> NormalizeCheckupsRequest(const v1::GetCheckupsRequest& in) {
  if (absl::Status s = CheckIds(in.request_id(), in.patient_id()); !s.ok()) return s;
  absl::StatusOr<v1::MedicalInfoFormat> format = CheckFormat(in.format());
  if (!format.ok()) return format.status();
  absl::StatusOr<v1::CareSetting> care = CheckCareSetting(in.care_setting());
  if (!care.ok()) return care.status();
  care = CheckInpatient(in.inpatient(), in.care_setting(), *care);
  if (!care.ok()) return care.status();
  v1::GetCheckupsRequest out = in;
  out.set_format(*format);
  out.set_care_setting(*care);
  return out;
}

absl::StatusOr<MonthRange> ResolveMedicationMonths(const v1::GetMedicationHistoryRequest& normalized,
                                                   const Date& today_jst) {
  const YearMonth current{today_jst.year, today_jst.month};
  const YearMonth earliest = AddMonths(current, -(kMedicationHistoryMonths - 1));
  std::optional<YearMonth> start;
  std::optional<YearMonth> end;
  if (absl::Status s = CheckMonthField(normalized.start_month(), "start_month", &start); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckMonthField(normalized.end_month(), "end_month", &end); !s.ok()) {
    return s;
  }
  MonthRange range;
  range.end = end.value_or(current);
  range.start = start.value_or(AddMonths(range.end, -(kMedicationHistoryMonths - 1)));
  if (current < range.end) return BadMonth("end_month", "is after the current month");
  if (range.start < earliest) {
    return BadMonth("start_month",
                    absl::StrCat("is more than ", kMedicationHistoryMonths,
                                 " months back (the terminal keeps 3 years)"));
  }
  if (range.end < range.start) return BadMonth("start_month", "is after end_month");
  return range;
}

std::string MedicationFileCategory(v1::MedicalInfoFormat format, bool include_treatments) {
  const bool pdf = format == v1::MEDICAL_INFO_FORMAT_PDF;
  if (include_treatments) return pdf ? "3" : "4";
  return pdf ? "1" : "2";
}

std::string CheckupFileCategory(v1::MedicalInfoFormat format) {
  return format == v1::MEDICAL_INFO_FORMAT_PDF ? "1" : "2";
}

absl::StatusOr<v1::MedicalInfoRequestHeader> MedicalInfoHeaderFor(
    const v1::InsuranceIdentifiers& coverage, absl::string_view medical_institution_code,
    absl::string_view file_id) {
  absl::StatusOr<std::string> insurer = NormalizeInsurerNumber(coverage.insurer_number());
  if (!insurer.ok()) return insurer.status();
  if (TrimSpaces(coverage.insured_identification_number()).empty()) {
    return MakeError(errors::kInvalidCardNumber,
                     "the patient's current coverage has no insured_identification_number");
  }
  v1::MedicalInfoRequestHeader header;
  header.set_medical_institution_code(std::string(medical_institution_code));
  header.set_insurer_number(InsurerNumberForOqs(*insurer));
  header.set_insurance_card_symbol(coverage.insured_card_symbol());
  header.set_insured_person_identification_number(coverage.insured_identification_number());
  header.set_branch_number(coverage.insured_branch_number());
  header.set_arbitrary_file_identifier(std::string(file_id));
  return header;
}

v1::MedicationRequestDocument BuildMedicationRequest(const v1::MedicalInfoRequestHeader& header,
                                                     const v1::GetMedicationHistoryRequest& normalized,
                                                     const MonthRange& months) {
  v1::MedicationRequestDocument document;
  *document.mutable_header() = header;
  document.set_start_month(FormatYearMonth(months.start));
  document.set_end_month(FormatYearMonth(months.end));
  document.set_file_category(
      MedicationFileCategory(normalized.format(), normalized.include_treatments()));
  document.set_pr_di_inf_classification("1");
  document.set_care_setting(normalized.care_setting() == v1::CARE_SETTING_UNSPECIFIED
                                ? v1::CARE_SETTING_OUTPATIENT
                                : normalized.care_setting());
  return document;
}

v1::CheckupRequestDocument BuildCheckupRequest(const v1::MedicalInfoRequestHeader& header,
                                               const v1::GetCheckupsRequest& normalized) {
  v1::CheckupRequestDocument document;
  *document.mutable_header() = header;
  document.set_file_category(CheckupFileCategory(normalized.format()));
  document.set_care_setting(normalized.care_setting() == v1::CARE_SETTING_UNSPECIFIED
                                ? v1::CARE_SETTING_OUTPATIENT
                                : normalized.care_setting());
  return document;
}

bool IsSafeCode(absl::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  for (char c : text) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      return false;
    }
  }
  return true;
}

absl::Status MedicalResultStatus(absl::string_view result_code,
                                 absl::string_view message_contents) {
  if (result_code == "1") return absl::OkStatus();
  if (result_code.empty()) {
    return MakeError(errors::kTerminalMalformedAnswer, "the answer has no ResultCode");
  }
  // ResultCode 9 is 異常終了 (OQSCD003): the terminal failed (nobody or several people match
  // the numbers, an error of its own), which is not a consent matter and must not tell staff to
  // ask the patient for one.
  const bool failed = result_code == "9";
  std::string detail =
      failed ? std::string("the terminal could not process the request (ResultCode 9, 異常終了)")
             : absl::StrCat("the terminal refused the request (ResultCode ",
                            IsSafeCode(result_code) ? std::string(result_code)
                                                    : std::string("not a plain code"),
                            ")");
  if (message_contents.empty()) {
    absl::StrAppend(&detail, " without MessageContents");
  } else if (IsSafeCode(message_contents)) {
    absl::StrAppend(&detail, ", MessageContents ", message_contents);
  } else {
    absl::StrAppend(&detail,
                    "; its MessageContents is free text and is not repeated here (it may name the "
                    "patient)");
  }
  return MakeError(failed ? errors::kTerminalFailed : errors::kNoConsent, detail);
}

bool LooksLikePdf(absl::string_view bytes) { return absl::StartsWith(bytes, kPdfMagic); }

const v1::Consent& ConsentFor(const v1::QualificationRecord& record, MedicalInfoKind kind) {
  return kind == MedicalInfoKind::kCheckups ? record.specific_health_checkups_consent()
                                            : record.pharmacists_info_consent();
}

}  // namespace onshi
