// Card-reader check-ins (顔認証付きカードリーダー, face/): who the patient is, decided from the
// terminal's file and the record alone.
//
// The rule (docs/checkins.md):
//   1. The file must carry exactly one qualification (ResultOfQualificationConfirmation). A file
//      without one (該当資格なし, an error) or with several (複数該当) names nobody: NONE.
//   2. Its ReferenceNumber (照会番号), when it is a well-formed patient id (ValidatePatientId)
//      naming a patient of the record: REFERENCE_NUMBER, that patient. The clinic registered it
//      for this person (OQSsiimm01), so it outranks the numbers, which may have changed.
//   3. Otherwise (no ReferenceNumber, or one that names nobody) the record's insurance identity
//      (保険者番号, 記号, 番号, 枝番 and birth date) against the current coverage of every patient:
//      exactly one → IDENTIFIERS; none → NONE; several → AMBIGUOUS with every candidate, sorted.
//      onshi never guesses between candidates: staff choose.
//   An incomplete identity (IsCompleteIdentity false) names nobody: NONE (the directory's rule).
//
// The decision does no I/O of its own: it asks the PatientDirectory port (the store's).

#ifndef ONSHI_PLUGIN_CORE_CHECKINS_H_
#define ONSHI_PLUGIN_CORE_CHECKINS_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "onshi/v1/checkin_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/core/dates.h"
#include "plugin/core/ports.h"

namespace onshi {

// Applies the rule above to a check-in's document, asking `directory` (the record) who is who.
// Errors: whatever the directory returns (the decision is then not made; the caller retries the
// file later). Thread-safe as far as `directory` is.
absl::StatusOr<v1::PatientMatch> MatchCheckinPatient(const v1::QualificationResult& result,
                                                     PatientDirectory& directory);

// The date a check-in confirms the qualification for: the file's QualificationConfirmationDate
// when it is a real date, else the date of its ProcessExecutionTime (a JST timestamp), else the
// JST date of `received` (when onshi read the file). Pure, thread-safe.
Date CheckinConfirmationDate(const v1::QualificationResult& result, absl::Time received);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_CHECKINS_H_
