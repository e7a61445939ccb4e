#include "plugin/core/write_back.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "plugin/core/errors.h"
#include "plugin/core/text.h"
#include "plugin/core/validation.h"

namespace onshi {
namespace {

int CountCodePoints(absl::string_view utf8) {
  int count = 0;
  for (char c : utf8) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool IsLostValidity(v1::QualificationValidity validity) {
  return validity == v1::QUALIFICATION_VALIDITY_INVALID ||
         validity == v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS ||
         validity == v1::QUALIFICATION_VALIDITY_NOT_FOUND;
}

}  // namespace

absl::Status ValidateWriteBackRequest(const v1::WriteBackRequest& request) {
  if (absl::Status s = ValidateRequestId(request.request_id()); !s.ok()) return s;
  if (absl::Status s = ValidatePatientId(request.patient_id()); !s.ok()) return s;
  if (absl::Status s = ValidateRequestId(request.source_request_id()); !s.ok()) {
    return MakeError(errors::kInvalidRequestId, "source_request_id");
  }
  if (request.expected_version() < 0) {
    return MakeError(errors::kInvalidArgument, "expected_version is negative");
  }
  const std::string& reason = request.reason();
  if (!IsValidUtf8(reason) || HasControlChars(reason)) {
    return MakeError(errors::kInvalidArgument, "reason is not UTF-8 text without control chars");
  }
  if (CountCodePoints(reason) > kMaxWriteBackReasonChars) {
    return MakeError(
        errors::kInvalidArgument,
        absl::StrCat("reason is longer than ", kMaxWriteBackReasonChars, " characters"));
  }
  return absl::OkStatus();
}

absl::StatusOr<AnswerToRecord> AnswerOfCheck(const LedgerEntry& check,
                                             absl::string_view patient_id) {
  if (check.state != LedgerState::kAnswered && check.state != LedgerState::kLate) {
    return MakeError(errors::kNotConfirmed, absl::StrCat("the source check is in ledger state ",
                                                         static_cast<int>(check.state)));
  }
  const v1::CheckQualificationResponse& response = check.response;
  if (response.outcome() != v1::CHECK_OUTCOME_ANSWERED &&
      response.outcome() != v1::CHECK_OUTCOME_LATE_ANSWER) {
    return MakeError(errors::kNotConfirmed, "the source check has no terminal answer");
  }
  if (!check.patient_id.empty() && check.patient_id != patient_id) {
    return MakeError(errors::kInvalidArgument, "the source check was made for another patient_id");
  }
  const v1::QualificationResult& result = response.result();
  AnswerToRecord answer;
  answer.validity = result.qualification_validity();
  answer.provenance = response.provenance();
  if (result.records_size() > 1) {
    return MakeError(errors::kNotConfirmed,
                     "the answer names several qualifications (複数該当); none is confirmed");
  }
  if (result.records_size() == 1) {
    answer.coverage = CoverageOf(result.records(0));
    return answer;
  }
  if (!IsLostValidity(answer.validity)) {
    return MakeError(errors::kNotConfirmed, "the answer carries no qualification record");
  }
  answer.validity_only = true;
  return answer;
}

PlannedCoverageWrite PlanWriteBack(const std::string& patient_id,
                                   const v1::CoverageVersion* current, const AnswerToRecord& answer,
                                   const WriteBackAuthor& author,
                                   const google::protobuf::Timestamp& recorded_time) {
  const v1::QualificationRecord& coverage =
      answer.validity_only && current != nullptr ? current->coverage() : answer.coverage;
  PlannedCoverageWrite plan = PlanCoverageWrite(patient_id, current, coverage, answer.validity,
                                                answer.provenance, recorded_time);
  if (plan.update.has_value()) {
    v1::CoverageVersion& next = plan.update->version;
    next.set_recorded_by(author.user_id);
    next.set_reason(author.reason);
    next.set_write_request_id(author.write_request_id);
  }
  return plan;
}

v1::RecordPreview PreviewOf(const std::string& patient_id, bool patient_exists,
                            const v1::CoverageVersion* current, const PlannedCoverageWrite& plan) {
  v1::RecordPreview preview;
  preview.set_patient_id(patient_id);
  preview.set_patient_exists(patient_exists);
  preview.set_current_version(current != nullptr ? current->version() : 0);
  preview.set_changed(plan.update.has_value());
  *preview.mutable_changes() = plan.write.changes();
  return preview;
}

absl::StatusOr<v1::RecordPreview> PreviewCheck(const LedgerEntry& check,
                                               const std::string& patient_id, bool patient_exists,
                                               const v1::CoverageVersion* current) {
  absl::StatusOr<AnswerToRecord> answer = AnswerOfCheck(check, patient_id);
  if (!answer.ok()) return answer.status();
  const PlannedCoverageWrite plan =
      PlanWriteBack(patient_id, current, *answer, WriteBackAuthor{}, google::protobuf::Timestamp());
  return PreviewOf(patient_id, patient_exists, current, plan);
}

}  // namespace onshi
