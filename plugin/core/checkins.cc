#include "plugin/core/checkins.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "plugin/core/validation.h"

namespace onshi {
namespace {

v1::PatientMatch Matched(v1::PatientMatchKind kind, std::string patient_id) {
  v1::PatientMatch match;
  match.set_kind(kind);
  match.set_patient_id(std::move(patient_id));
  return match;
}

v1::PatientMatch NoMatch() {
  v1::PatientMatch match;
  match.set_kind(v1::PATIENT_MATCH_KIND_NONE);
  return match;
}

}  // namespace

absl::StatusOr<v1::PatientMatch> MatchCheckinPatient(const v1::QualificationResult& result,
                                                     PatientDirectory& directory) {
  if (result.records_size() != 1) return NoMatch();
  const v1::QualificationRecord& record = result.records(0);

  const std::string& reference = record.reference_number();
  if (!reference.empty() && ValidatePatientId(reference).ok()) {
    absl::StatusOr<bool> exists = directory.PatientExists(reference);
    if (!exists.ok()) return exists.status();
    if (*exists) return Matched(v1::PATIENT_MATCH_KIND_REFERENCE_NUMBER, reference);
  }

  absl::StatusOr<std::vector<std::string>> found =
      directory.FindPatientsByIdentity(record.identifiers(), record.birth_date());
  if (!found.ok()) return found.status();
  std::vector<std::string> candidates = *std::move(found);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  if (candidates.empty()) return NoMatch();
  if (candidates.size() == 1) {
    return Matched(v1::PATIENT_MATCH_KIND_IDENTIFIERS, std::move(candidates.front()));
  }
  v1::PatientMatch match;
  match.set_kind(v1::PATIENT_MATCH_KIND_AMBIGUOUS);
  for (std::string& candidate : candidates) {
    match.add_candidate_patient_ids(std::move(candidate));
  }
  return match;
}

Date CheckinConfirmationDate(const v1::QualificationResult& result, absl::Time received) {
  if (std::optional<Date> date = ParseDate(result.qualification_confirmation_date())) {
    return *date;
  }
  absl::StatusOr<absl::Time> executed = ParseJstTimestamp(result.process_execution_time());
  if (executed.ok()) return JapanDate(*executed);
  return JapanDate(received);
}

}  // namespace onshi
