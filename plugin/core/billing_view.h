// The billing view: what a terminal answer means for today's bill at the reception desk
// (eligible or not and why, 負担割合, 限度額適用区分, notices), derived from the answer alone.
//
// Rule of the house: nothing is eligible that the terminal did not confirm. Values the answer
// does not state are left empty/0 and explained by a notice, never guessed.
//
// Notices carry a stable code (ONSHI_NOTICE_*), a Japanese text for staff (which may quote the
// record, e.g. a self-pay amount) and an English text for IT that never contains a value from
// the record, only codes of the OQS code tables and element names.
//
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_BILLING_VIEW_H_
#define ONSHI_PLUGIN_CORE_BILLING_VIEW_H_

#include "absl/strings/string_view.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/core/dates.h"

namespace onshi {

// Notice codes.
namespace notices {
// The terminal's ProcessingResultMessage (e.g. the My Number card certificate expires soon),
// shown as the terminal wrote it.
inline constexpr absl::string_view kTerminalMessage = "ONSHI_NOTICE_TERMINAL_MESSAGE";
// A name or the address contains 〓 (U+3013): a character the terminal could not represent.
inline constexpr absl::string_view kUnrepresentableCharacter =
    "ONSHI_NOTICE_UNREPRESENTABLE_CHARACTER";
// The answer says 有効 but does not carry exactly one qualification.
inline constexpr absl::string_view kInconsistentAnswer = "ONSHI_NOTICE_INCONSISTENT_ANSWER";
// 複数該当: how to narrow the search.
inline constexpr absl::string_view kMultipleQualifications = "ONSHI_NOTICE_MULTIPLE_QUALIFICATIONS";
// The ratio element is present but not a 3-digit percent.
inline constexpr absl::string_view kCopayRatioUnreadable = "ONSHI_NOTICE_COPAY_RATIO_UNREADABLE";
// No ratio in the answer (not raised for 医療扶助, which has none).
inline constexpr absl::string_view kCopayRatioMissing = "ONSHI_NOTICE_COPAY_RATIO_MISSING";
// The 高齢受給者証 ratio and the card's ratio differ; the former is used.
inline constexpr absl::string_view kCopayRatioMismatch = "ONSHI_NOTICE_COPAY_RATIO_MISMATCH";
// A 高齢受給者証 with a ratio exists but does not cover the confirmation date.
inline constexpr absl::string_view kElderlyCertificateNotInForce =
    "ONSHI_NOTICE_ELDERLY_CERTIFICATE_NOT_IN_FORCE";
// Consent to 限度額 data was given, but the answer has none.
inline constexpr absl::string_view kNoLimitData = "ONSHI_NOTICE_NO_LIMIT_DATA";
// The 限度額 certificate does not cover the confirmation date.
inline constexpr absl::string_view kLimitCertificateNotInForce =
    "ONSHI_NOTICE_LIMIT_CERTIFICATE_NOT_IN_FORCE";
// 限度額適用区分 code not in OQSCD012.
inline constexpr absl::string_view kUnknownLimitCategory = "ONSHI_NOTICE_UNKNOWN_LIMIT_CATEGORY";
// InsuredCardExpirationDate is before the confirmation date.
inline constexpr absl::string_view kCardExpired = "ONSHI_NOTICE_CARD_EXPIRED";
// One per 特定疾病療養受療証, with its monthly self-pay.
inline constexpr absl::string_view kSpecificDisease = "ONSHI_NOTICE_SPECIFIC_DISEASE";
}  // namespace notices

// Derives the billing view of `result` for `confirmation_date` (the date the qualification was
// confirmed for).
//
// eligible: SegmentOfResult COMPLETED, ProcessingResultStatus NORMAL, QualificationValidity
// VALID (or VALID_UNREGISTERED, 医療扶助) and exactly one record. status_label follows the
// validity (ValidityLabel); a result that is not COMPLETED, or an ERROR without a validity, or
// a VALID answer without exactly one record is 未確認.
//
// For an eligible result: copay ratio from ElderlyRecipientContributionRatio when the
// 高齢受給者証 covers `confirmation_date`, else InsuredPartialContributionRatio ("030" → 30,
// "3割"); 限度額区分 code and name (OQSCD012) and whether the certificate covers the date;
// 未就学. Notices as listed in `notices`, and the copay warnings of CheckCopayRatio
// (copay_ratio.h) when the ratio or the certificates do not fit the age. Expects a result that passed
// ValidateQualificationResult; anything else still gives a view (never eligible on an
// unreadable validity), never a crash.
v1::BillingView DeriveBillingView(const v1::QualificationResult& result,
                                  const Date& confirmation_date);

// The view when no answer confirmed anything (timeout, terminal failure): not eligible,
// status 未確認, and what staff can do meanwhile.
v1::BillingView UnconfirmedBillingView();

// The name of a 限度額適用区分 code of OQSCD012 ("A03" → "区分ウ", "B09" → "一般Ⅱ"); empty for
// an unknown code.
absl::string_view LimitCategoryName(absl::string_view code);

// The Japanese label of a validity: 有効, 無効, 無効（新しい資格あり）, 該当資格なし, 複数該当,
// 有効（未登録）; empty for UNSPECIFIED or an unknown value.
absl::string_view ValidityLabel(v1::QualificationValidity validity);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_BILLING_VIEW_H_
