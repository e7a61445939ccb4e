#include "plugin/core/self_pay_cap.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

// The first day the tables below are the law (70+ table of 2018-08).
constexpr Date kTablesStart{2018, 8, 1};
// 一般Ⅱ (後期高齢者 2割) exists from this day; its 配慮措置 ends on the last day.
constexpr Date kGeneralTwoStart{2022, 10, 1};
constexpr Date kGeneralTwoReliefEnd{2025, 9, 30};

// One row of a table: `base` yen, plus 1% of the cost above `threshold` when `threshold` > 0;
// `many_times` replaces it when 多数回 (0: no such amount).
struct Limit {
  int64_t base;
  int64_t threshold;
  int64_t many_times;
};

enum class AgeGroup { kUnder70, k70AndOver };

// Who may hold a B code: B04 一般 is the 70–74 code (also accepted for 後期高齢者, same
// amounts); B09/B10 exist only in 後期高齢者医療.
enum class Holder { kAny, kLateElderlyOnly };

struct Category {
  absl::string_view code;
  absl::string_view name;
  AgeGroup group;
  Limit outpatient;
  Limit inpatient;
  Holder holder;
  bool general_two;     // B09: the 配慮措置 may apply
  bool upper_income;    // ア/イ: 特定疾病 人工透析 20,000 under 70
  bool income_formula;  // the 1% formula (for the rule text)
};

constexpr Limit kA{252'600, 842'000, 140'100};
constexpr Limit kI{167'400, 558'000, 93'000};
constexpr Limit kU{80'100, 267'000, 44'400};
constexpr Limit kE{57'600, 0, 44'400};
constexpr Limit kO{35'400, 0, 24'600};
constexpr Limit kGeneralOutpatient{18'000, 0, 0};
constexpr Limit kGeneralInpatient{57'600, 0, 44'400};
constexpr Limit kLowIncomeOutpatient{8'000, 0, 0};
constexpr Limit kLowIncome2Inpatient{24'600, 0, 0};
constexpr Limit kLowIncome1Inpatient{15'000, 0, 0};

// OQSCD012 with oqs-interface.md §8.5.
constexpr Category kCategories[] = {
    {"A01", "区分ア", AgeGroup::kUnder70, kA, kA, Holder::kAny, false, true, true},
    {"A02", "区分イ", AgeGroup::kUnder70, kI, kI, Holder::kAny, false, true, true},
    {"A03", "区分ウ", AgeGroup::kUnder70, kU, kU, Holder::kAny, false, false, true},
    {"A04", "区分エ", AgeGroup::kUnder70, kE, kE, Holder::kAny, false, false, false},
    {"A05", "区分オ", AgeGroup::kUnder70, kO, kO, Holder::kAny, false, false, false},
    {"A06", "区分オ（境）", AgeGroup::kUnder70, kO, kO, Holder::kAny, false, false, false},
    {"B01", "現役並みⅢ", AgeGroup::k70AndOver, kA, kA, Holder::kAny, false, false, true},
    {"B02", "現役並みⅡ", AgeGroup::k70AndOver, kI, kI, Holder::kAny, false, false, true},
    {"B03", "現役並みⅠ", AgeGroup::k70AndOver, kU, kU, Holder::kAny, false, false, true},
    {"B04", "一般", AgeGroup::k70AndOver, kGeneralOutpatient, kGeneralInpatient, Holder::kAny,
     false, false, false},
    {"B05", "低所得Ⅱ", AgeGroup::k70AndOver, kLowIncomeOutpatient, kLowIncome2Inpatient,
     Holder::kAny, false, false, false},
    {"B06", "低所得Ⅰ", AgeGroup::k70AndOver, kLowIncomeOutpatient, kLowIncome1Inpatient,
     Holder::kAny, false, false, false},
    {"B07", "低所得Ⅰ（老福）", AgeGroup::k70AndOver, kLowIncomeOutpatient, kLowIncome1Inpatient,
     Holder::kAny, false, false, false},
    {"B08", "低所得Ⅰ（境）", AgeGroup::k70AndOver, kLowIncomeOutpatient, kLowIncome1Inpatient,
     Holder::kAny, false, false, false},
    {"B09", "一般Ⅱ", AgeGroup::k70AndOver, kGeneralOutpatient, kGeneralInpatient,
     Holder::kLateElderlyOnly, true, false, false},
    {"B10", "一般Ⅰ", AgeGroup::k70AndOver, kGeneralOutpatient, kGeneralInpatient,
     Holder::kLateElderlyOnly, false, false, false},
};

const Category* FindCategory(absl::string_view code) {
  for (const Category& category : kCategories) {
    if (category.code == code) return &category;
  }
  return nullptr;
}

absl::Status Invalid(absl::string_view detail) {
  return MakeError(errors::kInvalidArgument, detail);
}

// `amount` × `percent` / 100 rounded to the yen as the 施行令 rounds the 1% term: under 50 sen
// dropped, 50 sen or more raised. `amount` >= 0.
int64_t PercentRoundedHalfUp(int64_t amount, int64_t percent) {
  return (amount * percent + 50) / 100;
}

// 10000 → "10,000".
std::string Yen(int64_t amount) {
  std::string digits = absl::StrCat(amount);
  std::string out;
  const size_t lead = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out.append(digits, 0, lead);
  for (size_t i = lead; i < digits.size(); i += 3) {
    out.push_back(',');
    out.append(digits, i, 3);
  }
  return out;
}

bool SameMonth(const Date& a, const Date& b) { return a.year == b.year && a.month == b.month; }

absl::string_view BracketLabel(CopayAgeBracket bracket) {
  switch (bracket) {
    case CopayAgeBracket::kPreschool:
    case CopayAgeBracket::kWorkingAge:
      return "70歳未満";
    case CopayAgeBracket::kElderly70To74:
      return "70〜74歳";
    case CopayAgeBracket::kLateElderly:
      return "後期高齢者";
  }
  return "";
}

}  // namespace

absl::StatusOr<SelfPayCap> ComputeSelfPayCap(const SelfPayCapInput& input) {
  const Category* category = FindCategory(input.limit_category);
  if (category == nullptr) return Invalid("field limit_category is not an OQSCD012 code");
  if (!IsValidDate(input.birth_date)) return Invalid("field birth_date");
  if (!IsValidDate(input.service_date) || input.service_date < input.birth_date) {
    return Invalid("field service_date");
  }
  if (input.service_date < kTablesStart) {
    return Invalid(
        "field service_date is before 2018-08-01; older limit tables are not implemented");
  }
  if (input.total_medical_cost_yen < 0 ||
      input.total_medical_cost_yen > kMaxMonthlyMedicalCostYen) {
    return Invalid("field total_medical_cost_yen is out of range");
  }
  if (input.specific_disease_category < 0 || input.specific_disease_category > 3) {
    return Invalid("field specific_disease_category is not 0-3 (OQSCD013)");
  }
  if (input.late_elderly_by_disability && AgeOn(input.birth_date, input.service_date) < 65) {
    return Invalid("field late_elderly_by_disability requires age 65 or more on service_date");
  }

  SelfPayCap cap;
  cap.bracket =
      CopayAgeBracketOn(input.birth_date, input.service_date, input.late_elderly_by_disability);
  const bool under70 =
      cap.bracket == CopayAgeBracket::kPreschool || cap.bracket == CopayAgeBracket::kWorkingAge;
  const bool late_elderly = cap.bracket == CopayAgeBracket::kLateElderly;
  if ((category->group == AgeGroup::kUnder70) != under70) {
    return Invalid(
        "field limit_category does not fit the age rules on service_date (A codes before the "
        "70-74 rules, B codes from them on)");
  }
  if (category->holder == Holder::kLateElderlyOnly && !late_elderly) {
    return Invalid(
        "field limit_category is a 後期高齢者 code but the patient is not in 後期高齢者医療 on "
        "service_date");
  }
  if (category->general_two && input.service_date < kGeneralTwoStart) {
    return Invalid("field limit_category 一般Ⅱ does not exist before 2022-10-01");
  }

  // 75歳到達月の特例. Someone already 後期高齢者 by disability does not change insurer at 75.
  const Date late_start = LateElderlyStart(input.birth_date);
  cap.turning_75_halved = !input.late_elderly_by_disability && late_start.day != 1 &&
                          SameMonth(late_start, input.service_date);
  const int64_t divisor = cap.turning_75_halved ? 2 : 1;
  const std::string halved_note =
      cap.turning_75_halved ? "（75歳到達月の特例により本来額の2分の1）" : "";

  const std::string prefix = absl::StrCat(BracketLabel(cap.bracket), " ", category->name, "：");
  if (input.specific_disease_category != 0) {
    cap.specific_disease = true;
    const bool dialysis_upper =
        input.specific_disease_category == 1 && under70 && category->upper_income;
    cap.cap_yen = (dialysis_upper ? 20'000 : 10'000) / divisor;
    cap.rule =
        absl::StrCat(prefix, "特定疾病療養 ", Yen(cap.cap_yen), "円",
                     dialysis_upper ? "（人工透析・70歳未満の上位所得者）" : "", halved_note);
    return cap;
  }

  const Limit& limit =
      input.setting == CareSetting::kOutpatient ? category->outpatient : category->inpatient;
  const absl::string_view setting_label =
      category->group == AgeGroup::kUnder70
          ? ""
          : (input.setting == CareSetting::kOutpatient
                 ? (category->income_formula ? "外来・入院共通 " : "外来（個人）")
                 : "外来＋入院（世帯）");
  const int64_t cost = input.total_medical_cost_yen;

  if (input.many_times && limit.many_times > 0) {
    cap.many_times_applied = true;
    cap.cap_yen = limit.many_times / divisor;
    cap.rule =
        absl::StrCat(prefix, setting_label, "多数回該当 ", Yen(cap.cap_yen), "円", halved_note);
    return cap;
  }
  const std::string many_note =
      input.many_times ? "（この区分・この額に多数回該当の軽減はありません）" : "";

  if (category->general_two && input.setting == CareSetting::kOutpatient &&
      input.service_date <= kGeneralTwoReliefEnd) {
    // 配慮措置: the month's 外来 burden may exceed the 1割 burden by at most 3,000 yen, i.e.
    // 6,000 + (cost − 30,000) × 10%, never above the 18,000 cap. Below 30,000 the 2割 burden
    // is under 6,000 anyway; the threshold is floored like the 1% terms (choice, see header).
    const int64_t cap_amount = limit.base / divisor;
    const int64_t relief_base = 6'000 / divisor;
    const int64_t relief_threshold = 30'000 / divisor;
    const int64_t relief =
        relief_base + PercentRoundedHalfUp(std::max<int64_t>(0, cost - relief_threshold), 10);
    cap.general_two_relief = relief < cap_amount;
    cap.cap_yen = std::min(relief, cap_amount);
    cap.rule = absl::StrCat(prefix, setting_label, Yen(relief_base), "円＋（総医療費−",
                            Yen(relief_threshold), "円）×10%（上限", Yen(cap_amount),
                            "円、一般Ⅱの配慮措置 2025年9月診療分まで）", halved_note, many_note);
    return cap;
  }

  const int64_t base = limit.base / divisor;
  if (limit.threshold == 0) {
    cap.cap_yen = base;
    cap.rule = absl::StrCat(prefix, setting_label, Yen(base), "円", halved_note, many_note);
    return cap;
  }
  const int64_t threshold = limit.threshold / divisor;
  cap.cap_yen = base + PercentRoundedHalfUp(std::max<int64_t>(0, cost - threshold), 1);
  cap.rule = absl::StrCat(prefix, setting_label, Yen(base), "円＋（総医療費−", Yen(threshold),
                          "円）×1%（1円未満は50銭以上切り上げ）", halved_note, many_note);
  return cap;
}

}  // namespace onshi
