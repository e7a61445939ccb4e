// The consent ledger's port (issue 4 item 1, docs/consent.md): every consent a patient gave or
// refused, as captured from card-reader check-ins and from reception staff, appended and never
// changed; plus the pure helpers that turn what the terminal and the record say into ledger
// records and holder facts, and that strip 限度額 data from what leaves onshi without a consent.
//
// The rules themselves are plugin/core/consent.h (EvaluateConsent). Implemented by
// adapters/store_sqlite (SqliteConsentStore); tests use in-memory fakes. Implementations must be
// thread-safe; every method is one transaction. Errors, besides those listed per method:
// UNAVAILABLE (ONSHI_STORE_UNAVAILABLE, retryable) when the store cannot be read or written.

#ifndef ONSHI_PLUGIN_CORE_CONSENT_STORE_H_
#define ONSHI_PLUGIN_CORE_CONSENT_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/core/consent.h"

namespace onshi {

// One row of the ledger.
struct StoredConsent {
  // Ascending in insertion order; assigned by the store.
  int64_t sequence = 0;
  std::string patient_id;
  ConsentRecord record;
  // What wrote it: CheckinConsentOrigin(face file id) for the card reader (the same for every
  // delivery and recording attempt of one face file), or the request_id of the check or
  // RecordStaffConsent call (staff). Together with the scope, the row's idempotency key.
  std::string origin;
  // The host's user id (onshi-user-id) of a staff-recorded consent; empty for the card reader.
  std::string user_id;
  // When onshi stored it.
  absl::Time recorded_time = absl::InfinitePast();
};

// One inpatient stay (入院) a clerk recorded (docs/consent.md, "The inpatient stay"): open until
// its discharge is recorded. At most one open stay per patient.
struct InpatientStay {
  std::string patient_id;
  absl::Time admitted_at = absl::InfinitePast();
  // nullopt while the patient is admitted.
  std::optional<absl::Time> discharged_at;
  // The request ids of the RecordAdmission / RecordDischarge calls (idempotency keys).
  std::string admission_request_id;
  std::string discharge_request_id;
  // The host user ids (onshi-user-id) that recorded the admission / the discharge.
  std::string admitted_by;
  std::string discharged_by;

  // Whether the stay covers `at`: admitted_at <= at < discharged_at (or no discharge yet).
  bool Covers(absl::Time at) const {
    return admitted_at <= at && (!discharged_at.has_value() || at < *discharged_at);
  }
};

class ConsentStore {
 public:
  virtual ~ConsentStore() = default;

  // Appends `records` for `patient_id`, written by `origin` (see StoredConsent), in one
  // transaction. Idempotent by (origin, scope): a record whose origin already has a row for its
  // scope is not appended again, the first row stays as it was (a re-delivered face file or a
  // retried request adds nothing). Returns the ledger rows of `origin` after the call, in
  // sequence order. Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an empty patient id
  // or origin, or a record failing ValidateConsentRecord; NOT_FOUND (ONSHI_PATIENT_NOT_FOUND)
  // for a patient the record store does not know; ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT)
  // when `origin` already has rows for another patient.
  virtual absl::StatusOr<std::vector<StoredConsent>> AppendConsents(
      const std::string& patient_id, const std::string& origin, const std::string& user_id,
      const std::vector<ConsentRecord>& records) = 0;

  // Every ledger row of the patient, in sequence order; empty for an unknown patient.
  // Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an empty patient id; INTERNAL when a
  // stored row is out of range.
  virtual absl::StatusOr<std::vector<StoredConsent>> ListConsents(
      const std::string& patient_id) = 0;

  // Opens an inpatient stay of `patient_id` at `admitted_at`, recorded by `user_id`. Idempotent
  // by `request_id`: a retry returns the stay it opened (also after its discharge). Errors:
  // INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an empty patient id, request id or user id, a
  // non-finite time, or an admission before the end of the patient's previous stay; NOT_FOUND
  // (ONSHI_PATIENT_NOT_FOUND); ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT) when `request_id`
  // opened a stay of another patient; FAILED_PRECONDITION (ONSHI_ALREADY_ADMITTED) when the
  // patient has an open stay.
  virtual absl::StatusOr<InpatientStay> RecordAdmission(const std::string& patient_id,
                                                        const std::string& request_id,
                                                        absl::Time admitted_at,
                                                        const std::string& user_id) = 0;

  // Closes the patient's open stay at `discharged_at`, recorded by `user_id`. Idempotent by
  // `request_id`: a retry returns the stay it closed. Errors: INVALID_ARGUMENT
  // (ONSHI_INVALID_ARGUMENT) for an empty id, a non-finite time or a discharge before the
  // admission; ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT) when `request_id` closed a stay of
  // another patient; FAILED_PRECONDITION (ONSHI_NOT_ADMITTED) when no stay is open.
  virtual absl::StatusOr<InpatientStay> RecordDischarge(const std::string& patient_id,
                                                        const std::string& request_id,
                                                        absl::Time discharged_at,
                                                        const std::string& user_id) = 0;

  // Every stay of the patient, oldest first; empty for an unknown patient. Errors:
  // INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an empty patient id.
  virtual absl::StatusOr<std::vector<InpatientStay>> ListStays(const std::string& patient_id) = 0;
};

// The origin of the consents of the card-reader check-in delivered as face file `file_id`:
// "face/<file_id>" ('/' never occurs in a request_id). Infallible.
std::string CheckinConsentOrigin(absl::string_view file_id);

// Every ConsentScope, in their numeric order.
const std::vector<ConsentScope>& AllConsentScopes();

// What the patient's current coverage says about the holder (ConsentHolderFacts): the card
// class, and a 医療扶助 ticket when the record lists one. What onshi cannot learn from an answer
// stays false / nullopt (docs/consent.md: grace period, 日雇特例, 居宅同意, admission).
// Infallible and pure.
ConsentHolderFacts HolderFactsFromCoverage(const v1::QualificationRecord& coverage);

// The ledger as EvaluateConsent judges it at `at`, given the patient's stays (docs/consent.md,
// "The inpatient stay"): sets holder->admitted_at to the start of the stay covering `at`
// (InpatientStay::Covers; nullopt when none) and returns the records of `rows`, where every
// card-reader row captured on site (外来) at or after that admission counts as captured in 入院
// (the card reader cannot tell the bedside reader from reception; the stored rows stay as they
// were captured). Derived here, not at capture time, because a clerk may record the admission
// after the bedside check-in, and a row keeps no trace of a stay that ended. Infallible and pure.
std::vector<ConsentRecord> LedgerAt(const std::vector<StoredConsent>& rows,
                                    const std::vector<InpatientStay>& stays, absl::Time at,
                                    ConsentHolderFacts* holder);

// Removes every 限度額適用認定証 field (LimitApplicationCertificate*: the consent's info part and
// LimitApplicationCertificateChanged) from `record`; the consent flag and times stay (they say
// why nothing is there). Returns true when anything was removed. Infallible.
bool StripLimitCertificate(v1::QualificationRecord* record);

// The same for the 限度額 fields onshi derives into a BillingView (limit_category_code,
// limit_category_name, limit_certificate_in_force). Returns true when anything was removed.
bool StripLimitCertificate(v1::BillingView* billing);

// The error a refused verdict for `scope` becomes at onshi's gate (FAILED_PRECONDITION):
// kNoConsent and kStaffRecordedNotAccepted → ONSHI_NO_CONSENT, kExpired →
// ONSHI_CONSENT_EXPIRED, kWrongSetting → ONSHI_CONSENT_WRONG_SETTING, kHolderNeverRetrievable →
// ONSHI_CONSENT_NEVER_AVAILABLE, kCertificateGracePeriod → ONSHI_ELIGIBILITY_ONLY; the IT detail
// names the scope and the refusal, never times or patient data. OK for an allowed verdict.
absl::Status ConsentRefusalError(const ConsentVerdict& verdict, ConsentScope scope);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_CONSENT_STORE_H_
