// 負担割合 (copay ratio) by age, oqs-interface.md §8.4: the ONE implementation of the age
// boundaries that decide which ratio the law allows on a date (billing_view.cc and
// self_pay_cap.cc use it too), and the cross-check of a terminal answer against it.
//
// The law fixes the ratio by age alone only before 70 (2割 未就学, 3割 after). From the 70–74
// rules on it depends on income, which only the insurer knows: onshi can then only say which
// ratios are possible. A ratio the answer states that the age does not allow is never
// corrected: it becomes a warning for staff (CheckCopayRatio).
//
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_COPAY_RATIO_H_
#define ONSHI_PLUGIN_CORE_COPAY_RATIO_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/core/dates.h"

namespace onshi {

// Warning codes of CheckCopayRatio. Stable; hosts may key on them.
namespace notices {
// The ratio the answer applies is not one the age allows on the confirmation date (e.g. 3割
// for a preschool child, 2割 for a 40-year-old, 1割 for someone in the 70–74 rules).
inline constexpr absl::string_view kCopayRatioUnexpectedForAge =
    "ONSHI_NOTICE_COPAY_RATIO_UNEXPECTED_FOR_AGE";
// The patient is in the 70–74 rules (高齢受給者) but the answer has no 高齢受給者証 ratio in
// force on the date.
inline constexpr absl::string_view kElderlyRatioMissing = "ONSHI_NOTICE_ELDERLY_RATIO_MISSING";
// A 高齢受給者証 ratio is in force on the date, but the patient is not in the 70–74 rules
// (before the month after reaching 70, or 後期高齢者).
inline constexpr absl::string_view kElderlyCertificateUnexpected =
    "ONSHI_NOTICE_ELDERLY_CERTIFICATE_UNEXPECTED";
// The patient is 75 or older on the date but the insurer is not a 後期高齢者医療広域連合
// (法別 39): probably the card of the insurance the patient left at 75.
inline constexpr absl::string_view kLateElderlyInsurerExpected =
    "ONSHI_NOTICE_LATE_ELDERLY_INSURER_EXPECTED";
// PreschoolClassification says 未就学 but the age says school age (or older).
inline constexpr absl::string_view kPreschoolFlagMismatch = "ONSHI_NOTICE_PRESCHOOL_FLAG_MISMATCH";
}  // namespace notices

// The age brackets of §8.4, in order.
enum class CopayAgeBracket {
  // 義務教育就学前: from birth to the first 31 March on or after the day the child reaches 6.
  kPreschool,
  // From school age to the last day of the month in which the patient reaches 70 (the month
  // before, for a birthday on the 1st).
  kWorkingAge,
  // 高齢受給者 (70–74 rules): from the first day of the month after the month in which the
  // patient reaches 70, until the day before 後期高齢者医療 starts.
  kElderly70To74,
  // 後期高齢者医療: from the 75th birthday (LateElderlyStart), or from 65 with the 広域連合's
  // disability certification (障害認定).
  kLateElderly,
};

// An OQS ratio element (InsuredPartialContributionRatio, ElderlyRecipientContributionRatio): a
// 3-digit percent ("030" → 30) of at most 100; nullopt for anything else, including empty.
std::optional<int> ParseContributionRatio(absl::string_view ratio);

// Whether a certificate valid from `start` to `end` (YYYYMMDD; either may be empty = open)
// covers `date`. Unreadable bounds cover nothing.
bool CertificateCovers(absl::string_view start, absl::string_view end, const Date& date);

// The last day of 未就学: the first 31 March on or after the day the child reaches 6
// (DateOfReachingAge). A child born on 1 April reaches 6 on 31 March and starts school that
// April; one born on 2 April starts a year later. `birth` must satisfy IsValidDate.
Date LastPreschoolDay(const Date& birth);

// The first day of the 70–74 rules: the 1st of the month after the month in which the patient
// reaches 70 (民法 143条: the day before the 70th birthday), so the birthday month itself for a
// birthday on the 1st. `birth` must satisfy IsValidDate.
Date ElderlyRulesStart(const Date& birth);

// The first day of 後期高齢者医療 by age: the 75th birthday itself (資格取得日 = 75歳の誕生日).
// Computed as the day after the patient reaches 75 (DateOfReachingAge + 1), which is the
// birthday for every birth date except 29 February, where it is 1 March in a common year
// (the day the legal age of 75 is complete). `birth` must satisfy IsValidDate.
Date LateElderlyStart(const Date& birth);

// The bracket on `date` by age alone; `late_elderly_by_disability` puts a patient of 65 or
// more into kLateElderly before 75 (a 65–74 patient whose insurer is a 広域連合). Requires
// valid dates with `birth` <= `date`; returns kPreschool for a `date` before `birth`.
CopayAgeBracket CopayAgeBracketOn(const Date& birth, const Date& date,
                                  bool late_elderly_by_disability = false);

// The ratios the law allows in a bracket, in percent, ascending:
//   kPreschool {20}; kWorkingAge {30}; kElderly70To74 {20, 30} (2割 一般・低所得, 3割 現役並み);
//   kLateElderly {10, 20, 30} (1割 一般Ⅰ・低所得, 2割 一般Ⅱ since 2022-10-01, 3割 現役並み).
// For kLateElderly before 2022-10-01 the 2割 did not exist: pass `date` so that it is left out.
std::vector<int> AllowedCopayPercents(CopayAgeBracket bracket, const Date& date);

// The single ratio the law fixes by age on `date`, or nullopt from the 70–74 rules on (income
// decides). `preschool_flag` (OQS PreschoolClassification 1) makes it 20 whatever the age, as
// the terminal's word. Requires valid dates; nullopt for a `date` before `birth`.
std::optional<int> CopayPercentFixedByAge(const Date& birth, const Date& date, bool preschool_flag);

// A warning for staff. `staff_message` (Japanese, what to check at the desk) and `it_message`
// (English, which elements disagree) never contain a value from the record: no ratio, no age,
// no date, no number.
struct CopayWarning {
  std::string code;  // one of `notices` above
  std::string staff_message;
  std::string it_message;
};

struct CopayCheck {
  CopayAgeBracket bracket = CopayAgeBracket::kWorkingAge;
  // AllowedCopayPercents of the bracket on the date.
  std::vector<int> allowed_percents;
  // The ratio the answer applies on the date, as billing_view chooses it:
  // ElderlyRecipientContributionRatio when its certificate covers the date, else
  // InsuredPartialContributionRatio. nullopt when absent or unreadable (billing_view explains).
  std::optional<int> answered_percent;
  std::vector<CopayWarning> warnings;
};

// Cross-checks the ratio of `record` (one ResultOfQualificationConfirmation of a VALID answer)
// against the age on `confirmation_date`. The bracket uses the record's Birthdate; a 後期高齢者
// insurer (法別 39) for a patient of 65–74 counts as late_elderly_by_disability. Warnings (in
// this order, each at most once): kPreschoolFlagMismatch, kElderlyCertificateUnexpected,
// kElderlyRatioMissing, kLateElderlyInsurerExpected, kCopayRatioUnexpectedForAge. 医療扶助
// records (InsuredCardClassification A1) carry no ratio and get no warning.
//
// Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) naming "Birthdate" when it is not a real
// date or is after `confirmation_date`, or naming "confirmation_date" when that is not a valid
// date.
absl::StatusOr<CopayCheck> CheckCopayRatio(const v1::QualificationRecord& record,
                                           const Date& confirmation_date);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_COPAY_RATIO_H_
