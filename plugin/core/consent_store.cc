#include "plugin/core/consent_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "plugin/core/errors.h"

namespace onshi {

std::string CheckinConsentOrigin(absl::string_view file_id) {
  return absl::StrCat("face/", file_id);
}

const std::vector<ConsentScope>& AllConsentScopes() {
  static const std::vector<ConsentScope>* const scopes = new std::vector<ConsentScope>{
      ConsentScope::kLimitCertificate, ConsentScope::kSpecificDiseases, ConsentScope::kMedication,
      ConsentScope::kDiagnosis,        ConsentScope::kOperation,        ConsentScope::kCheckups};
  return *scopes;
}

ConsentHolderFacts HolderFactsFromCoverage(const v1::QualificationRecord& coverage) {
  ConsentHolderFacts facts;
  facts.insured_card_classification = coverage.insured_card_classification();
  facts.medical_assistance_ticket = coverage.medical_tickets_size() > 0;
  return facts;
}

bool StripLimitCertificate(v1::QualificationRecord* record) {
  const bool had = record->has_limit_certificate() || !record->limit_certificate_changed().empty();
  record->clear_limit_certificate();
  record->clear_limit_certificate_changed();
  return had;
}

bool StripLimitCertificate(v1::BillingView* billing) {
  const bool had = !billing->limit_category_code().empty() ||
                   !billing->limit_category_name().empty() || billing->limit_certificate_in_force();
  billing->clear_limit_category_code();
  billing->clear_limit_category_name();
  billing->clear_limit_certificate_in_force();
  return had;
}

absl::Status ConsentRefusalError(const ConsentVerdict& verdict, ConsentScope scope) {
  if (verdict.allowed()) return absl::OkStatus();
  const std::string detail =
      absl::StrCat("onshi's consent ledger refused: consent scope ", ConsentScopeName(scope), ": ",
                   ConsentRefusalName(verdict.refusal));
  switch (verdict.refusal) {
    case ConsentRefusal::kExpired:
      return MakeError(errors::kConsentExpired, detail);
    case ConsentRefusal::kWrongSetting:
      return MakeError(errors::kConsentWrongSetting, detail);
    case ConsentRefusal::kHolderNeverRetrievable:
      return MakeError(errors::kConsentNeverAvailable, detail);
    case ConsentRefusal::kCertificateGracePeriod:
      return MakeError(errors::kEligibilityOnly, detail);
    case ConsentRefusal::kNone:
    case ConsentRefusal::kNoConsent:
    case ConsentRefusal::kStaffRecordedNotAccepted:
      break;
  }
  return MakeError(errors::kNoConsent, detail);
}

std::vector<ConsentRecord> LedgerAt(const std::vector<StoredConsent>& rows,
                                    const std::vector<InpatientStay>& stays, absl::Time at,
                                    ConsentHolderFacts* holder) {
  holder->admitted_at.reset();
  for (const InpatientStay& stay : stays) {
    if (stay.Covers(at)) holder->admitted_at = stay.admitted_at;
  }
  std::vector<ConsentRecord> ledger;
  ledger.reserve(rows.size());
  for (const StoredConsent& row : rows) {
    ConsentRecord record = row.record;
    if (holder->admitted_at.has_value() && record.source == ConsentSource::kCardReader &&
        record.setting == ConsentSetting::kOutpatient &&
        record.captured_at >= *holder->admitted_at) {
      record.setting = ConsentSetting::kInpatient;
    }
    ledger.push_back(record);
  }
  return ledger;
}

}  // namespace onshi
