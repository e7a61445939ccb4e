// This month's self-pay cap of a patient from the patient's recorded coverage: the
// BillingService.GetSelfPayCap answer (docs/billing.md). Chooses the 限度額適用区分 (the
// certificate's, or the one the 70+ 負担割合 implies at the window), the day whose age rules
// apply, and turns ComputeSelfPayCap (self_pay_cap.h) into the response with notices for staff.
//
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_SELF_PAY_CAP_VIEW_H_
#define ONSHI_PLUGIN_CORE_SELF_PAY_CAP_VIEW_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onshi/v1/billing_service.pb.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "plugin/core/dates.h"

namespace onshi {

// Notice codes of the answer. Stable; hosts may key on them.
namespace notices {
// 75歳到達月の特例: the amounts are half the usual ones.
inline constexpr absl::string_view kCapTurning75Halved = "ONSHI_NOTICE_CAP_TURNING_75_HALVED";
// No certificate 区分 on record for the month: the 区分 comes from the 70+ 負担割合.
inline constexpr absl::string_view kCapCategoryFromRatio = "ONSHI_NOTICE_CAP_CATEGORY_FROM_RATIO";
// The recorded 区分 does not fit the age rules of the month (e.g. an A code after the 70–74
// rules started): it was not used.
inline constexpr absl::string_view kCapCategoryAgeMismatch =
    "ONSHI_NOTICE_CAP_CATEGORY_AGE_MISMATCH";
// 多数回 was asked for but this 区分/amount has no 多数回 amount.
inline constexpr absl::string_view kCapManyTimesNotApplicable =
    "ONSHI_NOTICE_CAP_MANY_TIMES_NOT_APPLICABLE";
// The 一般Ⅱ 配慮措置 amount applied.
inline constexpr absl::string_view kCapGeneralTwoRelief = "ONSHI_NOTICE_CAP_GENERAL_TWO_RELIEF";
// The 特定疾病 amount applied (for the care of that disease only).
inline constexpr absl::string_view kCapSpecificDisease = "ONSHI_NOTICE_CAP_SPECIFIC_DISEASE";
// The cap grows with the month's cost and none was given: the base amount is shown.
inline constexpr absl::string_view kCapCostUnknown = "ONSHI_NOTICE_CAP_COST_UNKNOWN";
}  // namespace notices

// The cap for `request` from `coverage`, the patient's current coverage as it may leave onshi
// (限度額 data already removed when it was not recorded under a 限度額 consent). `today` is
// today in Japan (for an empty month).
//
// The day whose age rules apply (rule_date): the coverage's confirmation date when it lies in
// the month, else the 1st (the patient's birth date in the birth month); for a 後期高齢者-only
// 区分 (B09/B10) in the month of the 75th birthday, not before that birthday.
// The 区分: the certificate's when its code is in OQSCD012, the certificate covers rule_date and
// the code fits the age rules on it; otherwise (with a notice saying why) for a patient in the
// 70–74 rules or 後期高齢者医療 the 区分 the 負担割合 in force implies at the window
// (ElderlyRecipientContributionRatio when its certificate covers the day, else
// InsuredPartialContributionRatio): 2割 70–74 → B04 一般, 1割 後期 → B10 一般Ⅰ, 2割 後期 → B09
// 一般Ⅱ, 3割 → B01 現役並みⅢ (without a certificate the window applies these; 低所得 and
// 現役並みⅠ/Ⅱ need one).
//
// Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) naming the field: month not YYYYMM, before
// 201808, or before the patient's birth month; total_medical_cost_yen out of range;
// care_setting or specific_disease not a known value. FAILED_PRECONDITION
// (ONSHI_LIMIT_CATEGORY_UNKNOWN) when no 区分 can be used (under 70 without a usable
// certificate, or a 70+ ratio that decides none). INTERNAL (ONSHI_INTERNAL) when the coverage
// has no readable birth date.
absl::StatusOr<v1::GetSelfPayCapResponse> SelfPayCapOfCoverage(
    const v1::CoverageVersion& coverage, const v1::GetSelfPayCapRequest& request,
    const Date& today);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_SELF_PAY_CAP_VIEW_H_
