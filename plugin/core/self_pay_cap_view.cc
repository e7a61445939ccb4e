#include "plugin/core/self_pay_cap_view.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "plugin/core/billing_view.h"
#include "plugin/core/copay_ratio.h"
#include "plugin/core/errors.h"
#include "plugin/core/insurer_number.h"
#include "plugin/core/self_pay_cap.h"

namespace onshi {
namespace {

constexpr Date kFirstMonth{2018, 8, 1};
constexpr Date kGeneralTwoStart{2022, 10, 1};

absl::Status Invalid(absl::string_view detail) {
  return MakeError(errors::kInvalidArgument, detail);
}

void AddNotice(v1::GetSelfPayCapResponse* response, absl::string_view code,
               std::string staff_message, std::string it_message) {
  v1::Notice* notice = response->add_notices();
  notice->set_code(std::string(code));
  notice->set_staff_message(std::move(staff_message));
  notice->set_it_message(std::move(it_message));
}

// "202611" → 2026-11-01; nullopt for anything but six ASCII digits naming a real month.
std::optional<Date> ParseMonth(absl::string_view yyyymm) {
  if (yyyymm.size() != 6) return std::nullopt;
  for (char c : yyyymm) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  }
  const Date first{std::stoi(std::string(yyyymm.substr(0, 4))),
                   std::stoi(std::string(yyyymm.substr(4, 2))), 1};
  if (!IsValidDate(first)) return std::nullopt;
  return first;
}

bool SameMonth(const Date& a, const Date& b) { return a.year == b.year && a.month == b.month; }

v1::CapAgeBand BandOf(CopayAgeBracket bracket) {
  switch (bracket) {
    case CopayAgeBracket::kPreschool:
    case CopayAgeBracket::kWorkingAge:
      return v1::CAP_AGE_BAND_UNDER_70;
    case CopayAgeBracket::kElderly70To74:
      return v1::CAP_AGE_BAND_70_TO_74;
    case CopayAgeBracket::kLateElderly:
      return v1::CAP_AGE_BAND_LATE_ELDERLY;
  }
  return v1::CAP_AGE_BAND_UNSPECIFIED;
}

absl::string_view BandLabel(v1::CapAgeBand band) {
  switch (band) {
    case v1::CAP_AGE_BAND_UNDER_70:
      return "70歳未満";
    case v1::CAP_AGE_BAND_70_TO_74:
      return "70〜74歳";
    case v1::CAP_AGE_BAND_LATE_ELDERLY:
      return "後期高齢者";
    default:
      return "";
  }
}

bool IsLateElderlyOnlyCode(absl::string_view code) { return code == "B09" || code == "B10"; }

// The 区分 the 負担割合 in force on `day` implies at the window for a 70+ patient, or "" when it
// decides none (under 70, no readable ratio, a ratio the band does not know).
std::string CategoryFromRatio(const v1::QualificationRecord& record, CopayAgeBracket bracket,
                              const Date& day) {
  const v1::ElderlyRecipientCertificate& elderly = record.elderly_recipient_certificate();
  const bool elderly_in_force =
      !elderly.contribution_ratio().empty() &&
      CertificateCovers(elderly.valid_start_date(), elderly.valid_end_date(), day);
  const std::optional<int> percent =
      ParseContributionRatio(elderly_in_force ? elderly.contribution_ratio()
                                              : record.insured_partial_contribution_ratio());
  if (!percent.has_value()) return "";
  if (bracket == CopayAgeBracket::kElderly70To74) {
    if (*percent == 20) return "B04";
    if (*percent == 30) return "B01";
    return "";
  }
  if (bracket == CopayAgeBracket::kLateElderly) {
    if (*percent == 10) return "B10";
    if (*percent == 20 && day >= kGeneralTwoStart) return "B09";
    if (*percent == 30) return "B01";
  }
  return "";
}

CareSetting SettingOf(v1::CapCareSetting setting) {
  return setting == v1::CAP_CARE_SETTING_INPATIENT ? CareSetting::kInpatient
                                                   : CareSetting::kOutpatient;
}

}  // namespace

absl::StatusOr<v1::GetSelfPayCapResponse> SelfPayCapOfCoverage(
    const v1::CoverageVersion& coverage, const v1::GetSelfPayCapRequest& request,
    const Date& today) {
  // The request's own fields first: an error names what the caller sent.
  std::optional<Date> first = request.month().empty()
                                  ? std::optional<Date>(Date{today.year, today.month, 1})
                                  : ParseMonth(request.month());
  if (!first.has_value()) return Invalid("field month is not YYYYMM");
  if (*first < kFirstMonth) {
    return Invalid("field month is before 201808; older limit tables are not implemented");
  }
  if (request.total_medical_cost_yen() < 0 ||
      request.total_medical_cost_yen() > kMaxMonthlyMedicalCostYen) {
    return Invalid("field total_medical_cost_yen is out of range");
  }
  if (!v1::CapCareSetting_IsValid(request.care_setting())) {
    return Invalid("field care_setting is not a CapCareSetting value");
  }
  if (!v1::SpecificDiseaseKind_IsValid(request.specific_disease())) {
    return Invalid("field specific_disease is not a SpecificDiseaseKind value");
  }

  const v1::QualificationRecord& record = coverage.coverage();
  const std::optional<Date> birth = ParseDate(record.birth_date());
  if (!birth.has_value()) {
    return MakeError(errors::kInternal, "the recorded coverage has no readable birth_date");
  }
  if (*first < Date{birth->year, birth->month, 1}) {
    return Invalid("field month is before the patient's birth month");
  }

  // The day whose age rules apply.
  Date day = *first;
  if (const std::optional<Date> confirmed = ParseDate(coverage.provenance().confirmation_date());
      confirmed.has_value() && SameMonth(*confirmed, *first) && *confirmed >= *birth) {
    day = *confirmed;
  }
  if (day < *birth) day = *birth;

  const bool late_insurer = IsLateElderlyInsurer(record.identifiers().insurer_number());
  const bool by_disability =
      late_insurer && AgeOn(*birth, day) >= 65 && LateElderlyStart(*birth) > day;

  SelfPayCapInput input;
  input.birth_date = *birth;
  input.total_medical_cost_yen = request.total_medical_cost_yen();
  input.many_times = request.many_times();
  input.setting = SettingOf(request.care_setting());
  input.specific_disease_category = static_cast<int>(request.specific_disease());

  v1::GetSelfPayCapResponse response;
  // The certificate's 区分 when it can be used.
  const v1::LimitCertificate& limit = record.limit_certificate();
  absl::StatusOr<SelfPayCap> cap = MakeError(errors::kLimitCategoryUnknown, "not computed");
  if (!limit.category().empty()) {
    Date certificate_day = day;
    const Date late_start = LateElderlyStart(*birth);
    if (IsLateElderlyOnlyCode(limit.category()) && SameMonth(late_start, *first) &&
        certificate_day < late_start) {
      certificate_day = late_start;
    }
    if (LimitCategoryName(limit.category()).empty()) {
      AddNotice(&response, notices::kUnknownLimitCategory,
                "記録されている限度額適用区分のコードを判別できません。限度額適用認定証で区分を"
                "確認してください。",
                "the recorded LimitApplicationCertificateClassificationFlag code is not in "
                "OQSCD012; it was not used");
    } else if (!CertificateCovers(limit.valid_start_date(), limit.valid_end_date(),
                                  certificate_day)) {
      AddNotice(&response, notices::kLimitCertificateNotInForce,
                "記録されている限度額適用認定証の有効期間がこの月を含まないため、その区分は使って"
                "いません。新しい認定証の有無を確認してください。",
                "LimitApplicationCertificateValidStartDate/EndDate do not cover the day of the "
                "month whose rules apply; the recorded category was not used");
    } else {
      input.limit_category = limit.category();
      input.service_date = certificate_day;
      input.late_elderly_by_disability =
          late_insurer && AgeOn(*birth, certificate_day) >= 65 && late_start > certificate_day;
      cap = ComputeSelfPayCap(input);
      if (cap.ok()) {
        day = certificate_day;
        response.set_category_source(v1::CAP_CATEGORY_SOURCE_CERTIFICATE);
      } else {
        // The request's fields were checked above: only the 区分 can be what did not fit.
        AddNotice(
            &response, notices::kCapCategoryAgeMismatch,
            "記録されている限度額適用区分が、この月の年齢区分（70歳未満・70〜74歳・後期高齢者）"
            "に合わないため使っていません。最新の限度額適用認定証で区分を確認してください。",
            "the recorded limit category does not fit the age rules of the month (A codes "
            "before the 70-74 rules, B codes from them on, B09/B10 for late-elderly insurance "
            "only)");
      }
    }
  }

  if (!cap.ok()) {
    const CopayAgeBracket bracket = CopayAgeBracketOn(*birth, day, by_disability);
    const std::string category = CategoryFromRatio(record, bracket, day);
    if (category.empty()) {
      return MakeError(
          errors::kLimitCategoryUnknown,
          bracket == CopayAgeBracket::kPreschool || bracket == CopayAgeBracket::kWorkingAge
              ? "no usable limit category on record for the month and the patient "
                "is under the 70-74 rules (income decides the category)"
              : "no usable limit category on record for the month and no "
                "contribution ratio in force that decides one");
    }
    input.limit_category = category;
    input.service_date = day;
    input.late_elderly_by_disability = by_disability;
    cap = ComputeSelfPayCap(input);
    if (!cap.ok()) return cap.status();
    response.set_category_source(v1::CAP_CATEGORY_SOURCE_AGE_AND_RATIO);
    AddNotice(&response, notices::kCapCategoryFromRatio,
              absl::StrCat("限度額適用区分の記録がないため、年齢と負担割合から「",
                           LimitCategoryName(category),
                           "」として計算しています。限度額適用認定証（低所得・現役並みⅠ/Ⅱ）の"
                           "提示があれば、その区分で計算し直してください。"),
              "no usable limit category on record: the category the 70+ contribution ratio "
              "implies at the window was used (oqs-interface.md 8.5)");
  }

  response.set_cap_yen(cap->cap_yen);
  response.set_formula(cap->rule);
  response.set_month(absl::StrFormat("%04d%02d", first->year, first->month));
  response.set_rule_date(FormatDate(day));
  response.set_limit_category_code(input.limit_category);
  response.set_limit_category_name(std::string(LimitCategoryName(input.limit_category)));
  response.set_age_band(BandOf(cap->bracket));
  response.set_age_band_label(std::string(BandLabel(response.age_band())));
  response.set_many_times_applied(cap->many_times_applied);
  response.set_turning_75_halved(cap->turning_75_halved);
  response.set_general_two_relief(cap->general_two_relief);
  response.set_specific_disease_applied(cap->specific_disease);
  // The rule names 総医療費 exactly when the amount grows with it (the 1% and 10% terms).
  response.set_depends_on_total_cost(absl::StrContains(cap->rule, "総医療費"));
  response.set_coverage_version(coverage.version());

  if (cap->turning_75_halved) {
    AddNotice(&response, notices::kCapTurning75Halved,
              "75歳の誕生日の月のため、限度額は本来の2分の1です（75歳到達月の特例。誕生日前の保険"
              "と後期高齢者医療のそれぞれで半額）。",
              "month of the 75th birthday (not on the 1st): every amount and threshold halved");
  }
  if (request.many_times() && !cap->many_times_applied) {
    AddNotice(&response, notices::kCapManyTimesNotApplicable,
              "この区分・この額には多数回該当の軽減がないため、通常の限度額です。",
              "many_times was set but the category/setting has no many-times amount");
  }
  if (cap->general_two_relief) {
    AddNotice(&response, notices::kCapGeneralTwoRelief,
              "一般Ⅱの配慮措置（外来の負担増を月3,000円までに抑える措置）を適用しています。",
              "B09 outpatient relief measure applied (service months 2022-10 to 2025-09)");
  }
  if (cap->specific_disease) {
    AddNotice(&response, notices::kCapSpecificDisease,
              "特定疾病療養の限度額です。対象の疾病の診療にだけ適用されます。特定疾病療養受療証を"
              "確認してください。",
              "specific_disease was set: the specific-disease amount applies to the care of that "
              "disease only");
  }
  if (response.depends_on_total_cost() && request.total_medical_cost_yen() == 0) {
    AddNotice(&response, notices::kCapCostUnknown,
              "総医療費が未入力のため、基本額を表示しています。総医療費が式の基準額を超えると、"
              "超えた分に応じて限度額が上がります。",
              "total_medical_cost_yen was 0 (unknown): cap_yen is the base amount of the formula");
  }
  return response;
}

}  // namespace onshi
