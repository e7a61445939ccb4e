// 高額療養費 自己負担限度額: the most a patient pays at this institution's window in one calendar
// month (暦月, 1st to last day), per oqs-interface.md §8.5 and the 健康保険法施行令 /
// 高齢者の医療の 確保に関する法律施行令 it summarises. The reason 限度額 data exists: the window
// never charges above this amount.
//
// Scope: the amount applied at the window per institution, per care setting (外来 / 入院 are
// capped separately; so are 医科 and 歯科: the caller passes one of them). The insurer's later
// aggregation (世帯合算, the 70+ 外来 年間上限 144,000 yen, bills under 21,000 yen for under-70
// patients) is not the window's business and is not computed here.
//
// Tables in force from 2018-08-01 (the last change of the 70+ table); earlier service months
// are refused rather than computed with the wrong table. A future change of the law needs a new
// dated table here.
//
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_SELF_PAY_CAP_H_
#define ONSHI_PLUGIN_CORE_SELF_PAY_CAP_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "plugin/core/copay_ratio.h"
#include "plugin/core/dates.h"

namespace onshi {

// 外来 (including 訪問・オンライン: care outside a ward) or 入院.
enum class CareSetting { kOutpatient, kInpatient };

// The largest month total accepted (10 billion yen); above it the input is an error, not a bill.
inline constexpr int64_t kMaxMonthlyMedicalCostYen = 10'000'000'000;

struct SelfPayCapInput {
  // 限度額適用区分, OQSCD012: A01–A06 (under 70), B01–B10 (70 and over).
  std::string limit_category;
  Date birth_date;
  // Any day of the month being billed; the month is the 暦月 of the cap, the day decides the
  // age rules (the 70–74 rules start on the 1st of a month, 後期高齢者医療 on the 75th birthday).
  Date service_date;
  // 総医療費 (10割) of the month at this institution in this setting, in yen, >= 0.
  int64_t total_medical_cost_yen = 0;
  // 多数回該当: the household reached the cap in 3 earlier months of the last 12.
  bool many_times = false;
  CareSetting setting = CareSetting::kOutpatient;
  // 特定疾病療養受療証, OQSCD013: 0 none, 1 人工透析を要する慢性腎不全, 2 血友病, 3 HIV
  // (血液凝固因子製剤). When set, the cap is the 特定疾病 one (it applies to the care for that
  // disease).
  int specific_disease_category = 0;
  // 65–74 and in 後期高齢者医療 by the 広域連合's disability certification (障害認定).
  bool late_elderly_by_disability = false;
};

struct SelfPayCap {
  int64_t cap_yen = 0;
  // For display to staff, Japanese: which row of which table applied and every adjustment,
  // e.g. "70歳未満 区分ウ：80,100円＋（総医療費−267,000円）×1%".
  std::string rule;
  CopayAgeBracket bracket = CopayAgeBracket::kWorkingAge;
  bool many_times_applied = false;  // the 多数回 amount replaced the normal one
  bool turning_75_halved = false;   // 75歳到達月の特例: every amount halved
  bool general_two_relief = false;  // the 一般Ⅱ 配慮措置 amount was below 18,000 and applied
  bool specific_disease = false;    // the 特定疾病 amount applied
};

// The monthly cap for `input`.
//
// Under 70 (months before the 70–74 rules, ElderlyRulesStart): A01 ア 252,600 +
// (総医療費 − 842,000) × 1% [多数回 140,100]; A02 イ 167,400 + (− 558,000) × 1% [93,000]; A03 ウ
// 80,100 + (− 267,000) × 1% [44,400]; A04 エ 57,600 [44,400]; A05/A06 オ 35,400 [24,600]; same
// for 外来 and 入院.
// 70 and over (B codes): 現役並み B01/B02/B03 the same formulas as ア/イ/ウ in both settings;
// 一般 B04 (70–74), B10 一般Ⅰ and B09 一般Ⅱ (後期高齢者 only) 外来 18,000, 入院 57,600 [44,400,
// 入院 only]; 低所得Ⅱ B05 8,000 / 24,600; 低所得Ⅰ B06–B08 8,000 / 15,000 (no 多数回 amount
// exists for 低所得 nor for the 外来 amounts: `many_times` is then ignored and the rule says so).
// The 1% term: the part of the cost above the threshold (0 when below), times 1%, rounded to
// the yen as the 施行令 does: fractions under 50 sen dropped, 50 sen and more raised to 1 yen.
// 一般Ⅱ 配慮措置 (B09, 外来, service month 2022-10 … 2025-09): min(18,000, 6,000 +
// (総医療費 − 30,000) × 10%), the cost below 30,000 counting as 30,000, same rounding.
// 特定疾病: 10,000; 20,000 for category 1 under 70 in ア or イ.
// 75歳到達月の特例: in the month of the 75th birthday, unless it is the 1st or the patient was
// already 後期高齢者 by disability, every amount and threshold above is halved (both before the
// birthday, old insurer, and after it, 後期高齢者医療).
//
// Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT), the detail naming the field, never a
// value: limit_category unknown, or not fitting the age rules on service_date (an A code from
// the 70–74 rules on, a B code before them, B09/B10 outside 後期高齢者医療, B09 before
// 2022-10-01); birth_date/service_date not real dates or service_date before birth_date;
// service_date before 2018-08-01; total_medical_cost_yen negative or above
// kMaxMonthlyMedicalCostYen; specific_disease_category not 0–3; late_elderly_by_disability
// under 65.
absl::StatusOr<SelfPayCap> ComputeSelfPayCap(const SelfPayCapInput& input);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_SELF_PAY_CAP_H_
