#include "plugin/core/copay_ratio.h"

#include <algorithm>
#include <utility>

#include "plugin/core/errors.h"
#include "plugin/core/insurer_number.h"
#include "plugin/core/text.h"

namespace onshi {
namespace {

constexpr absl::string_view kMedicalAssistanceCardClass = "A1";  // 医療扶助 (OQSCD010)
constexpr int kDisabilityLateElderlyMinAge = 65;
// 後期高齢者 2割 (一般Ⅱ) exists from this date (oqs-interface.md §8.4).
constexpr Date kLateElderlyTwoTenthsStart{2022, 10, 1};

Date FirstOfNextMonth(const Date& date) {
  return date.month == 12 ? Date{date.year + 1, 1, 1} : Date{date.year, date.month + 1, 1};
}

void Warn(CopayCheck* check, absl::string_view code, absl::string_view staff,
          absl::string_view it) {
  check->warnings.push_back(CopayWarning{std::string(code), std::string(staff), std::string(it)});
}

}  // namespace

std::optional<int> ParseContributionRatio(absl::string_view ratio) {
  if (ratio.size() != 3 || !IsAsciiDigits(ratio)) return std::nullopt;
  const int percent = (ratio[0] - '0') * 100 + (ratio[1] - '0') * 10 + (ratio[2] - '0');
  if (percent > 100) return std::nullopt;
  return percent;
}

bool CertificateCovers(absl::string_view start, absl::string_view end, const Date& date) {
  if (!start.empty()) {
    std::optional<Date> from = ParseDate(start);
    if (!from.has_value() || date < *from) return false;
  }
  if (!end.empty()) {
    std::optional<Date> to = ParseDate(end);
    if (!to.has_value() || *to < date) return false;
  }
  return true;
}

Date LastPreschoolDay(const Date& birth) {
  const Date six = DateOfReachingAge(birth, 6);
  return Date{six.month <= 3 ? six.year : six.year + 1, 3, 31};
}

Date ElderlyRulesStart(const Date& birth) { return FirstOfNextMonth(DateOfReachingAge(birth, 70)); }

Date LateElderlyStart(const Date& birth) { return AddDays(DateOfReachingAge(birth, 75), 1); }

CopayAgeBracket CopayAgeBracketOn(const Date& birth, const Date& date,
                                  bool late_elderly_by_disability) {
  if (date <= LastPreschoolDay(birth)) return CopayAgeBracket::kPreschool;
  if (date >= LateElderlyStart(birth)) return CopayAgeBracket::kLateElderly;
  if (late_elderly_by_disability && AgeOn(birth, date) >= kDisabilityLateElderlyMinAge) {
    return CopayAgeBracket::kLateElderly;
  }
  if (date >= ElderlyRulesStart(birth)) return CopayAgeBracket::kElderly70To74;
  return CopayAgeBracket::kWorkingAge;
}

std::vector<int> AllowedCopayPercents(CopayAgeBracket bracket, const Date& date) {
  switch (bracket) {
    case CopayAgeBracket::kPreschool:
      return {20};
    case CopayAgeBracket::kWorkingAge:
      return {30};
    case CopayAgeBracket::kElderly70To74:
      return {20, 30};
    case CopayAgeBracket::kLateElderly:
      if (date < kLateElderlyTwoTenthsStart) return {10, 30};
      return {10, 20, 30};
  }
  return {};
}

std::optional<int> CopayPercentFixedByAge(const Date& birth, const Date& date,
                                          bool preschool_flag) {
  if (date < birth) return std::nullopt;
  if (preschool_flag) return 20;
  switch (CopayAgeBracketOn(birth, date)) {
    case CopayAgeBracket::kPreschool:
      return 20;
    case CopayAgeBracket::kWorkingAge:
      return 30;
    default:
      return std::nullopt;
  }
}

absl::StatusOr<CopayCheck> CheckCopayRatio(const v1::QualificationRecord& record,
                                           const Date& confirmation_date) {
  if (!IsValidDate(confirmation_date)) {
    return MakeError(errors::kInvalidArgument, "field confirmation_date");
  }
  const std::optional<Date> birth = ParseDate(record.birth_date());
  if (!birth.has_value() || confirmation_date < *birth) {
    return MakeError(errors::kInvalidArgument, "element Birthdate");
  }
  const Date& date = confirmation_date;
  const bool late_elderly_insurer = IsLateElderlyInsurer(record.identifiers().insurer_number());

  CopayCheck check;
  check.bracket = CopayAgeBracketOn(*birth, date, late_elderly_insurer);
  check.allowed_percents = AllowedCopayPercents(check.bracket, date);

  const v1::ElderlyRecipientCertificate& elderly = record.elderly_recipient_certificate();
  const bool elderly_in_force =
      !elderly.contribution_ratio().empty() &&
      CertificateCovers(elderly.valid_start_date(), elderly.valid_end_date(), date);
  check.answered_percent =
      ParseContributionRatio(elderly_in_force ? elderly.contribution_ratio()
                                              : record.insured_partial_contribution_ratio());

  if (record.insured_card_classification() == kMedicalAssistanceCardClass) return check;

  if (record.preschool_classification() == "1" && check.bracket != CopayAgeBracket::kPreschool) {
    Warn(&check, notices::kPreschoolFlagMismatch,
         "応答では未就学となっていますが、生年月日から見ると就学後の年齢です。生年月日と負担割合を"
         "保険証等で確認してください。",
         "PreschoolClassification is 1 but Birthdate puts the patient past the first 31 March "
         "after reaching age 6 on the confirmation date");
  }
  if (elderly_in_force && check.bracket != CopayAgeBracket::kElderly70To74) {
    Warn(&check, notices::kElderlyCertificateUnexpected,
         "高齢受給者証の情報がありますが、生年月日から見ると高齢受給者（70〜74歳）の対象期間外"
         "です。生年月日と負担割合を保険証等で確認してください。",
         "ElderlyRecipientContributionRatio is in force on the confirmation date but Birthdate "
         "puts the patient outside the 70-74 rules (from the month after reaching 70 until "
         "後期高齢者医療)");
  }
  if (check.bracket == CopayAgeBracket::kElderly70To74 && !elderly_in_force) {
    Warn(&check, notices::kElderlyRatioMissing,
         "70〜74歳の方ですが、応答に有効な高齢受給者証の情報がありません。高齢受給者証で負担割合を"
         "確認してください。",
         "Birthdate puts the patient in the 70-74 rules but no ElderlyRecipientContributionRatio "
         "covers the confirmation date");
  }
  if (check.bracket == CopayAgeBracket::kLateElderly && !late_elderly_insurer) {
    Warn(&check, notices::kLateElderlyInsurerExpected,
         "75歳以上の方ですが、後期高齢者医療の保険者ではありません。後期高齢者医療の資格確認書・"
         "被保険者証の提示を求め、75歳になる前の保険証でないか確認してください。",
         "Birthdate puts the patient at 75 or older on the confirmation date but InsurerNumber "
         "is not 法別 39 (後期高齢者医療広域連合)");
  }
  if (check.answered_percent.has_value() &&
      std::find(check.allowed_percents.begin(), check.allowed_percents.end(),
                *check.answered_percent) == check.allowed_percents.end()) {
    Warn(
        &check, notices::kCopayRatioUnexpectedForAge,
        "応答の負担割合が、生年月日から見込まれる負担割合と異なります。負担割合は変更していません。"
        "保険証等・高齢受給者証で負担割合と生年月日を確認してください。",
        "the applied ratio (ElderlyRecipientContributionRatio when in force, else "
        "InsuredPartialContributionRatio) is not one the age bracket allows on the confirmation "
        "date (oqs-interface.md §8.4)");
  }
  return check;
}

}  // namespace onshi
