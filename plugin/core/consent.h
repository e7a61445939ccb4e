// The consent ledger's rules (issue 4 item 1): which patient consent lets 限度額, 特定疾病,
// 薬剤, 診療, 手術 or 特定健診 information leave onshi, in which care setting, and until when.
// Rules from oqs-interface.md §7 (consent), §4 (face results carry the consent flags and
// times) and §6 (OQSCD001/016/028/036).
//
// This file holds records and pure rules only; storing the ledger is someone else's port. The
// caller evaluates a consent before anything is sent to the terminal: a refusal means nothing is
// sent.
//
// Time rules (every window below is half-open, [captured_at, available_until)):
//   - a consent counts only once it was captured: captured_at <= now. A consent captured after
//     the request time does not count for that request.
//   - a consent expiring exactly at `now` is expired: valid while now < available_until.
//
// All functions are pure and thread-safe. Error texts name the scope and the reason, never
// patient data or times.

#ifndef ONSHI_PLUGIN_CORE_CONSENT_H_
#define ONSHI_PLUGIN_CORE_CONSENT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "onshi/v1/oqs_medical_documents.pb.h"

namespace onshi {

// What a consent is for (OQSCD036 閲覧同意情報種別 plus 限度額, OQSCD001). The values are
// stored: never renumber.
enum class ConsentScope {
  // 限度額適用認定証 information (LimitApplicationCertificateRelated*).
  kLimitCertificate = 1,
  // 特定疾病療養受療証 information (SpecificDiseasesCertificateRelated*, TSR).
  kSpecificDiseases = 2,
  // 薬剤情報 (PharmacistsInfo*, YZK).
  kMedication = 3,
  // 診療・アレルギー・検査情報 (DiagnosisInfo*, SRJ).
  kDiagnosis = 4,
  // 手術・傷病名・感染症情報 (OperationInfo*, SHJ).
  kOperation = 5,
  // 特定健診情報 (SpecificHealthCheckupsInfo*, TKK).
  kCheckups = 6,
};

// "limit_certificate", "specific_diseases", "medication", "diagnosis", "operation",
// "checkups"; "unknown" otherwise. Safe for logs and error details.
absl::string_view ConsentScopeName(ConsentScope scope);

// Where a consent came from. The values are stored: never renumber.
enum class ConsentSource {
  // The patient chose it on the card reader (face result, §4).
  kCardReader = 1,
  // Reception staff recorded the patient's spoken consent. Accepted only for 限度額
  // (kLimitCertificate), whose consent the billing software itself sends as
  // LimitApplicationCertificateRelatedConsFlg (§7); every other category needs the patient's
  // own choice on the card reader (§7: changing it needs a re-authentication with the card).
  kStaffRecorded = 2,
};

// The care setting a consent was captured in or information is asked for. OQSCD028 has no
// 入院, so this is wider than v1::CareSetting; TerminalCareSetting maps it back. The values are
// stored: never renumber.
enum class ConsentSetting {
  kOutpatient = 1,  // 外来 (発熱外来 too, §7)
  kInpatient = 2,   // 入院
  kHomeVisit = 3,   // 訪問診療等
  kOnline = 4,      // オンライン診療等
  kEmergency = 5,   // 救急時
};

// "outpatient", "inpatient", "home_visit", "online", "emergency"; "unknown" otherwise.
absl::string_view ConsentSettingName(ConsentSetting setting);

// The MedicalTreatmentFlag (OQSCD028) to send for `setting`: 入院 is sent as 訪問診療等, which
// §7 says it is treated like. Infallible.
v1::CareSetting TerminalCareSetting(ConsentSetting setting);
// The setting a v1::CareSetting names; nullopt for UNSPECIFIED and values outside the enum.
std::optional<ConsentSetting> ConsentSettingFromTerminal(v1::CareSetting setting);

// How long a consent lasts when the terminal gave no AvailableTime: 24 hours (§7 外来; §4: the
// public face sample has AvailableTime = ConsTime + 24 h).
inline constexpr absl::Duration kConsentWindow = absl::Hours(24);

// One entry of the consent ledger.
struct ConsentRecord {
  ConsentScope scope = ConsentScope::kMedication;
  ConsentSource source = ConsentSource::kCardReader;
  // CONSENT_FLAG_GIVEN grants. Any other flag (同意なし, 期限切れ, 取得困難) is the patient's
  // later answer and withdraws every consent for the scope captured before it.
  v1::ConsentFlag flag = v1::CONSENT_FLAG_GIVEN;
  // When the patient consented (ConsTime) or answered.
  absl::Time captured_at = absl::InfinitePast();
  // End of the viewing window, exclusive: the terminal's AvailableTime when it gave one, else
  // captured_at + kConsentWindow.
  absl::Time available_until = absl::InfinitePast();
  // Where the patient was when it was captured.
  ConsentSetting setting = ConsentSetting::kOutpatient;
};

// A ledger record for the terminal's consent `consent` of `scope` (ConsentOf), captured in
// `setting`. `observed_at` (the face result's ProcessExecutionTime, or when onshi read it) is
// the capture time of an answer that carries no ConsTime.
// Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT naming the field) when the flag is
// UNSPECIFIED or outside the enum, a GIVEN consent has no ConsTime, ConsTime or AvailableTime is
// not YYYYMMDDhhmmss, or AvailableTime is not after ConsTime.
absl::StatusOr<ConsentRecord> ConsentFromCardReader(ConsentScope scope, const v1::Consent& consent,
                                                    ConsentSetting setting, absl::Time observed_at);

// A staff-recorded consent given at `captured_at` in `setting`, lasting kConsentWindow.
// Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for any scope other than kLimitCertificate
// and for a non-finite `captured_at`.
absl::StatusOr<ConsentRecord> StaffRecordedConsent(ConsentScope scope, absl::Time captured_at,
                                                   ConsentSetting setting);

// Checks a record before it enters the ledger (or after it was read back): a staff-recorded
// consent for anything but 限度額, a non-finite captured_at, or a GIVEN record whose
// available_until is not after captured_at is refused. Errors: INVALID_ARGUMENT
// (ONSHI_INVALID_ARGUMENT naming the field).
absl::Status ValidateConsentRecord(const ConsentRecord& record);

// The terminal's consent for `scope` in a qualification record (§4): LimitApplicationCertificate
// Related*, SpecificDiseasesCertificateRelated*, PharmacistsInfo*, DiagnosisInfo*,
// OperationInfo*, SpecificHealthCheckupsInfo*.
const v1::Consent& ConsentOf(const v1::QualificationRecord& record, ConsentScope scope);

// What onshi knows about the patient that decides before any consent does.
struct ConsentHolderFacts {
  // 被保険者証区分 OQSCD010 of the current qualification: "07" 自衛官 and "A1" 医療扶助 are
  // never retrievable (§7).
  std::string insured_card_classification;
  // The patient holds 医療扶助の医療券・調剤券 (whatever the card class says).
  bool medical_assistance_ticket = false;
  // The patient holds a 日雇特例 受給資格者票 / 特別療養費受給票.
  bool day_laborer_certificate = false;
  // The 利用者証明用電子証明書 is in its post-expiry grace period (§8.6): eligibility only.
  bool certificate_grace_period = false;
  // The patient has the standing 居宅同意取得型 consent for 訪問診療 / オンライン診療 (§7,
  // listed by the bulk lists of §5.4).
  bool home_care_consent = false;
  // Start of the current inpatient stay; nullopt when the patient is not admitted now.
  std::optional<absl::Time> admitted_at;
};

// True when §7 says no information of this holder is ever retrievable: card class 07 or A1, a
// 医療扶助 ticket, or a 日雇特例 certificate.
bool HolderNeverRetrievable(const ConsentHolderFacts& holder);

// Why a consent does not allow the request.
enum class ConsentRefusal {
  kNone = 0,  // allowed
  // No consent for the scope captured by `now`, or the patient's latest answer withdrew it.
  kNoConsent = 1,
  // The newest usable consent's window ended at expired_at (<= now).
  kExpired = 2,
  // Consents exist, but only from a setting that does not cover the one asked for.
  kWrongSetting = 3,
  // The only consents are staff-recorded, and the scope is not 限度額.
  kStaffRecordedNotAccepted = 4,
  // 自衛官 / 医療扶助 / 日雇特例: never retrievable, not even in 救急.
  kHolderNeverRetrievable = 5,
  // Certificate grace period: eligibility only.
  kCertificateGracePeriod = 6,
};

// "none", "no_consent", "expired", "wrong_setting", "staff_recorded_not_accepted",
// "holder_never_retrievable", "certificate_grace_period".
absl::string_view ConsentRefusalName(ConsentRefusal refusal);

// What allowed a request.
enum class ConsentBasis {
  kNone = 0,  // refused
  // A consent record, valid until valid_until.
  kConsent = 1,
  // A consent captured during the current inpatient stay: valid while the stay lasts.
  kInpatientStay = 2,
  // The standing 居宅同意取得型 consent (訪問診療 / オンライン診療).
  kStandingHomeCare = 3,
  // 救急時: allowed without a consent, for this request only.
  kEmergency = 4,
};

struct ConsentVerdict {
  // OK when allowed; otherwise FAILED_PRECONDITION (ONSHI_NO_CONSENT) whose IT detail names
  // the scope and the refusal.
  absl::Status status;
  ConsentRefusal refusal = ConsentRefusal::kNone;
  ConsentBasis basis = ConsentBasis::kNone;
  // Allowed: the instant (exclusive) the permission ends; absl::InfiniteFuture() for
  // kInpatientStay and kStandingHomeCare (until discharge or revocation) and for kEmergency
  // (evaluate again for every request).
  absl::Time valid_until = absl::InfinitePast();
  // kExpired: when the window ended.
  absl::Time expired_at = absl::InfinitePast();

  bool allowed() const { return status.ok(); }
};

// Whether information of `scope` may be requested in `setting` at `now`, given the ledger
// `consents` (any scopes, any order) and `holder`. Rules, in order:
//   1. Never-retrievable holders (HolderNeverRetrievable): refused for every scope and setting,
//      救急 included.
//   2. Certificate grace period: refused for 薬剤, 診療, 手術 and 特定健診; 限度額 and 特定疾病
//      travel with the eligibility answer and go on to their own consent.
//   3. 限度額 needs a consent in every setting (a billing consent, not a care one); any setting
//      of capture counts; staff-recorded ones are accepted.
//   4. Other scopes: 救急 is allowed without a consent (kEmergency); 訪問診療 / オンライン診療
//      with holder.home_care_consent is allowed (kStandingHomeCare).
//   5. Otherwise the ledger decides. Records for the scope captured after `now` are ignored. A
//      non-GIVEN record withdraws the GIVEN ones captured before it or at the same instant.
//      Staff-recorded records count only for 限度額. A record counts for the setting asked for
//      when both are on site (外来, 入院, 救急: the institution's card reader) or both remote
//      (訪問診療, オンライン診療: 居宅同意取得型); 限度額 ignores settings. For 入院, a
//      record captured in 入院 at or after holder.admitted_at lasts while the stay lasts
//      (kInpatientStay); every other record lasts until its available_until. The record lasting
//      longest decides: allowed if now < its end, else kExpired at its end.
//   6. Nothing usable: kWrongSetting if records were excluded only by setting,
//      kStaffRecordedNotAccepted if only by source, else kNoConsent.
// Infallible (a refusal is a verdict, not an error); records failing ValidateConsentRecord are
// never counted as granting.
ConsentVerdict EvaluateConsent(const std::vector<ConsentRecord>& consents, ConsentScope scope,
                               ConsentSetting setting, const ConsentHolderFacts& holder,
                               absl::Time now);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_CONSENT_H_
