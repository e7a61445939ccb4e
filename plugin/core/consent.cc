#include "plugin/core/consent.h"

#include "absl/strings/str_cat.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

bool OnSite(ConsentSetting s) {
  return s == ConsentSetting::kOutpatient || s == ConsentSetting::kInpatient ||
         s == ConsentSetting::kEmergency;
}

bool Remote(ConsentSetting s) {
  return s == ConsentSetting::kHomeVisit || s == ConsentSetting::kOnline;
}

bool KnownScope(ConsentScope scope) {
  return scope >= ConsentScope::kLimitCertificate && scope <= ConsentScope::kCheckups;
}

bool KnownSetting(ConsentSetting setting) {
  return setting >= ConsentSetting::kOutpatient && setting <= ConsentSetting::kEmergency;
}

// The information §7 says is not provided during the certificate grace period.
bool MedicalInformation(ConsentScope scope) {
  return scope == ConsentScope::kMedication || scope == ConsentScope::kDiagnosis ||
         scope == ConsentScope::kOperation || scope == ConsentScope::kCheckups;
}

bool SourceAccepted(ConsentSource source, ConsentScope scope) {
  return source == ConsentSource::kCardReader ||
         (source == ConsentSource::kStaffRecorded && scope == ConsentScope::kLimitCertificate);
}

bool SettingCovers(ConsentScope scope, ConsentSetting captured, ConsentSetting asked) {
  if (scope == ConsentScope::kLimitCertificate) return true;
  return (OnSite(captured) && OnSite(asked)) || (Remote(captured) && Remote(asked));
}

ConsentVerdict Refuse(ConsentScope scope, ConsentRefusal refusal,
                      absl::Time expired_at = absl::InfinitePast()) {
  ConsentVerdict verdict;
  verdict.refusal = refusal;
  verdict.expired_at = expired_at;
  verdict.status = MakeError(
      errors::kNoConsent,
      absl::StrCat("consent scope ", ConsentScopeName(scope), ": ", ConsentRefusalName(refusal)));
  return verdict;
}

ConsentVerdict Allow(ConsentBasis basis, absl::Time valid_until) {
  ConsentVerdict verdict;
  verdict.status = absl::OkStatus();
  verdict.basis = basis;
  verdict.valid_until = valid_until;
  return verdict;
}

}  // namespace

absl::string_view ConsentScopeName(ConsentScope scope) {
  switch (scope) {
    case ConsentScope::kLimitCertificate:
      return "limit_certificate";
    case ConsentScope::kSpecificDiseases:
      return "specific_diseases";
    case ConsentScope::kMedication:
      return "medication";
    case ConsentScope::kDiagnosis:
      return "diagnosis";
    case ConsentScope::kOperation:
      return "operation";
    case ConsentScope::kCheckups:
      return "checkups";
  }
  return "unknown";
}

absl::string_view ConsentSettingName(ConsentSetting setting) {
  switch (setting) {
    case ConsentSetting::kOutpatient:
      return "outpatient";
    case ConsentSetting::kInpatient:
      return "inpatient";
    case ConsentSetting::kHomeVisit:
      return "home_visit";
    case ConsentSetting::kOnline:
      return "online";
    case ConsentSetting::kEmergency:
      return "emergency";
  }
  return "unknown";
}

v1::CareSetting TerminalCareSetting(ConsentSetting setting) {
  switch (setting) {
    case ConsentSetting::kOutpatient:
      return v1::CARE_SETTING_OUTPATIENT;
    case ConsentSetting::kInpatient:
    case ConsentSetting::kHomeVisit:
      return v1::CARE_SETTING_HOME_VISIT;
    case ConsentSetting::kOnline:
      return v1::CARE_SETTING_ONLINE;
    case ConsentSetting::kEmergency:
      return v1::CARE_SETTING_EMERGENCY;
  }
  return v1::CARE_SETTING_UNSPECIFIED;
}

std::optional<ConsentSetting> ConsentSettingFromTerminal(v1::CareSetting setting) {
  switch (setting) {
    case v1::CARE_SETTING_OUTPATIENT:
      return ConsentSetting::kOutpatient;
    case v1::CARE_SETTING_HOME_VISIT:
      return ConsentSetting::kHomeVisit;
    case v1::CARE_SETTING_ONLINE:
      return ConsentSetting::kOnline;
    case v1::CARE_SETTING_EMERGENCY:
      return ConsentSetting::kEmergency;
    default:
      return std::nullopt;
  }
}

absl::StatusOr<ConsentRecord> ConsentFromCardReader(ConsentScope scope, const v1::Consent& consent,
                                                    ConsentSetting setting,
                                                    absl::Time observed_at) {
  if (!v1::ConsentFlag_IsValid(consent.flag()) || consent.flag() == v1::CONSENT_FLAG_UNSPECIFIED) {
    return MakeError(errors::kInvalidArgument, "consent flag");
  }
  ConsentRecord record;
  record.scope = scope;
  record.source = ConsentSource::kCardReader;
  record.flag = consent.flag();
  record.setting = setting;
  if (consent.consent_time().empty()) {
    if (consent.flag() == v1::CONSENT_FLAG_GIVEN) {
      return MakeError(errors::kInvalidArgument, "consent ConsTime missing");
    }
    record.captured_at = observed_at;
  } else {
    absl::StatusOr<absl::Time> given = ParseJstTimestamp(consent.consent_time());
    if (!given.ok()) return MakeError(errors::kInvalidArgument, "consent ConsTime");
    record.captured_at = *given;
  }
  if (consent.available_time().empty()) {
    record.available_until = record.captured_at + kConsentWindow;
  } else {
    absl::StatusOr<absl::Time> until = ParseJstTimestamp(consent.available_time());
    if (!until.ok()) return MakeError(errors::kInvalidArgument, "consent AvailableTime");
    record.available_until = *until;
  }
  if (absl::Status valid = ValidateConsentRecord(record); !valid.ok()) return valid;
  return record;
}

absl::StatusOr<ConsentRecord> StaffRecordedConsent(ConsentScope scope, absl::Time captured_at,
                                                   ConsentSetting setting) {
  ConsentRecord record;
  record.scope = scope;
  record.source = ConsentSource::kStaffRecorded;
  record.flag = v1::CONSENT_FLAG_GIVEN;
  record.captured_at = captured_at;
  record.available_until = captured_at + kConsentWindow;
  record.setting = setting;
  if (absl::Status valid = ValidateConsentRecord(record); !valid.ok()) return valid;
  return record;
}

absl::Status ValidateConsentRecord(const ConsentRecord& record) {
  if (!KnownScope(record.scope)) return MakeError(errors::kInvalidArgument, "consent scope");
  if (!KnownSetting(record.setting)) return MakeError(errors::kInvalidArgument, "consent setting");
  if (record.source != ConsentSource::kCardReader &&
      record.source != ConsentSource::kStaffRecorded) {
    return MakeError(errors::kInvalidArgument, "consent source");
  }
  if (!SourceAccepted(record.source, record.scope)) {
    return MakeError(errors::kInvalidArgument,
                     absl::StrCat("consent source: staff-recorded consent is accepted only for "
                                  "limit_certificate, not ",
                                  ConsentScopeName(record.scope)));
  }
  if (!v1::ConsentFlag_IsValid(record.flag) || record.flag == v1::CONSENT_FLAG_UNSPECIFIED) {
    return MakeError(errors::kInvalidArgument, "consent flag");
  }
  if (record.captured_at == absl::InfinitePast() || record.captured_at == absl::InfiniteFuture()) {
    return MakeError(errors::kInvalidArgument, "consent captured_at");
  }
  if (record.flag == v1::CONSENT_FLAG_GIVEN && !(record.captured_at < record.available_until)) {
    return MakeError(errors::kInvalidArgument, "consent available_until not after captured_at");
  }
  return absl::OkStatus();
}

const v1::Consent& ConsentOf(const v1::QualificationRecord& record, ConsentScope scope) {
  switch (scope) {
    case ConsentScope::kLimitCertificate:
      return record.limit_certificate_consent();
    case ConsentScope::kSpecificDiseases:
      return record.specific_diseases_consent();
    case ConsentScope::kMedication:
      return record.pharmacists_info_consent();
    case ConsentScope::kDiagnosis:
      return record.diagnosis_info_consent();
    case ConsentScope::kOperation:
      return record.operation_info_consent();
    case ConsentScope::kCheckups:
      return record.specific_health_checkups_consent();
  }
  return v1::Consent::default_instance();
}

bool HolderNeverRetrievable(const ConsentHolderFacts& holder) {
  return holder.insured_card_classification == "07" || holder.insured_card_classification == "A1" ||
         holder.medical_assistance_ticket || holder.day_laborer_certificate;
}

absl::string_view ConsentRefusalName(ConsentRefusal refusal) {
  switch (refusal) {
    case ConsentRefusal::kNone:
      return "none";
    case ConsentRefusal::kNoConsent:
      return "no_consent";
    case ConsentRefusal::kExpired:
      return "expired";
    case ConsentRefusal::kWrongSetting:
      return "wrong_setting";
    case ConsentRefusal::kStaffRecordedNotAccepted:
      return "staff_recorded_not_accepted";
    case ConsentRefusal::kHolderNeverRetrievable:
      return "holder_never_retrievable";
    case ConsentRefusal::kCertificateGracePeriod:
      return "certificate_grace_period";
  }
  return "unknown";
}

ConsentVerdict EvaluateConsent(const std::vector<ConsentRecord>& consents, ConsentScope scope,
                               ConsentSetting setting, const ConsentHolderFacts& holder,
                               absl::Time now) {
  // 1–2: the holder decides before any consent.
  if (HolderNeverRetrievable(holder)) return Refuse(scope, ConsentRefusal::kHolderNeverRetrievable);
  if (holder.certificate_grace_period && MedicalInformation(scope)) {
    return Refuse(scope, ConsentRefusal::kCertificateGracePeriod);
  }
  // 4: settings that need no ledger entry (never for 限度額).
  if (scope != ConsentScope::kLimitCertificate) {
    if (setting == ConsentSetting::kEmergency) {
      return Allow(ConsentBasis::kEmergency, absl::InfiniteFuture());
    }
    if (Remote(setting) && holder.home_care_consent) {
      return Allow(ConsentBasis::kStandingHomeCare, absl::InfiniteFuture());
    }
  }
  // 5: the latest withdrawal captured by `now` cancels every grant up to it.
  absl::Time withdrawn_at = absl::InfinitePast();
  bool withdrawn = false;
  for (const ConsentRecord& r : consents) {
    if (r.scope != scope || r.flag == v1::CONSENT_FLAG_GIVEN || r.captured_at > now) continue;
    // Any source may withdraw: refusing more is the safe side.
    if (r.captured_at == absl::InfinitePast()) continue;
    if (!withdrawn || r.captured_at > withdrawn_at) withdrawn_at = r.captured_at;
    withdrawn = true;
  }
  bool excluded_by_source = false;
  bool excluded_by_setting = false;
  bool found = false;
  ConsentBasis best_basis = ConsentBasis::kNone;
  absl::Time best_until = absl::InfinitePast();
  for (const ConsentRecord& r : consents) {
    if (r.scope != scope || r.flag != v1::CONSENT_FLAG_GIVEN || r.captured_at > now) continue;
    if (withdrawn && r.captured_at <= withdrawn_at) continue;
    if (!SourceAccepted(r.source, scope)) {
      excluded_by_source = true;
      continue;
    }
    if (!ValidateConsentRecord(r).ok()) continue;
    if (!SettingCovers(scope, r.setting, setting)) {
      excluded_by_setting = true;
      continue;
    }
    ConsentBasis basis = ConsentBasis::kConsent;
    absl::Time until = r.available_until;
    if (setting == ConsentSetting::kInpatient && r.setting == ConsentSetting::kInpatient &&
        holder.admitted_at.has_value() && r.captured_at >= *holder.admitted_at &&
        *holder.admitted_at <= now) {
      basis = ConsentBasis::kInpatientStay;
      until = absl::InfiniteFuture();
    }
    if (!found || until > best_until) {
      best_until = until;
      best_basis = basis;
    }
    found = true;
  }
  if (found) {
    // The boundary: a window ending exactly at `now` is over.
    if (now < best_until) return Allow(best_basis, best_until);
    return Refuse(scope, ConsentRefusal::kExpired, best_until);
  }
  // 6.
  if (excluded_by_setting) return Refuse(scope, ConsentRefusal::kWrongSetting);
  if (excluded_by_source) return Refuse(scope, ConsentRefusal::kStaffRecordedNotAccepted);
  return Refuse(scope, ConsentRefusal::kNoConsent);
}

}  // namespace onshi
