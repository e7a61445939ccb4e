#include "plugin/service/record_service.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"
#include "plugin/core/validation.h"
#include "plugin/service/caller.h"
#include "plugin/service/grpc_status.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "write_back";

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

// The source check, or ONSHI_NOT_CONFIRMED when there is none.
absl::StatusOr<LedgerEntry> FindCheck(RecordStore* ledger, const std::string& request_id) {
  absl::StatusOr<std::optional<LedgerEntry>> found = ledger->FindRequest(request_id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) {
    return MakeError(errors::kNotConfirmed, "no check with this source_request_id");
  }
  return **std::move(found);
}

}  // namespace

absl::StatusOr<v1::RecordPreview> WriteBacks::Preview(const std::string& patient_id,
                                                      const std::string& source_request_id) {
  if (absl::Status s = ValidatePatientId(patient_id); !s.ok()) return s;
  if (absl::Status s = ValidateRequestId(source_request_id); !s.ok()) {
    return MakeError(errors::kInvalidRequestId, "source_request_id");
  }
  absl::StatusOr<LedgerEntry> check = FindCheck(ledger_, source_request_id);
  if (!check.ok()) return check.status();
  absl::StatusOr<PatientCoverage> patient = store_->ReadPatientCoverage(patient_id);
  if (!patient.ok()) return patient.status();
  return PreviewCheck(*check, patient_id, patient->exists,
                      patient->current.has_value() ? &*patient->current : nullptr);
}

absl::StatusOr<v1::WriteBackResponse> WriteBacks::Replay(const WriteBackEntry& stored,
                                                         const v1::WriteBackRequest& request) {
  v1::WriteBackRequest asked = request;
  asked.set_dry_run(false);
  if (!google::protobuf::util::MessageDifferencer::Equals(stored.request, asked)) {
    return MakeError(errors::kRequestIdConflict);
  }
  return stored.response;
}

absl::StatusOr<v1::WriteBackResponse> WriteBacks::WriteBack(const v1::WriteBackRequest& request,
                                                            const std::string& user_id) {
  if (absl::Status s = ValidateWriteBackRequest(request); !s.ok()) return s;

  if (!request.dry_run()) {
    absl::StatusOr<std::optional<WriteBackEntry>> stored =
        store_->FindWriteBack(request.request_id());
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) return Replay(**stored, request);
  }

  absl::StatusOr<LedgerEntry> check = FindCheck(ledger_, request.source_request_id());
  if (!check.ok()) return check.status();
  absl::StatusOr<AnswerToRecord> answer = AnswerOfCheck(*check, request.patient_id());
  if (!answer.ok()) return answer.status();

  absl::StatusOr<PatientCoverage> patient = store_->ReadPatientCoverage(request.patient_id());
  if (!patient.ok()) return patient.status();
  if (!patient->exists && !request.create_patient()) {
    return MakeError(errors::kPatientNotFound);
  }
  const v1::CoverageVersion* current = patient->current.has_value() ? &*patient->current : nullptr;
  const int64_t current_version = current != nullptr ? current->version() : 0;
  if (current_version != request.expected_version()) {
    if (!request.dry_run()) {
      // A write with this key may have won the race since the lookup above: its retries get
      // its outcome, not a conflict with the version it wrote.
      absl::StatusOr<std::optional<WriteBackEntry>> stored =
          store_->FindWriteBack(request.request_id());
      if (!stored.ok()) return stored.status();
      if (stored->has_value()) return Replay(**stored, request);
    }
    return MakeError(errors::kVersionConflict,
                     absl::StrCat("the patient's coverage is at version ", current_version,
                                  ", not the expected ", request.expected_version()));
  }

  WriteBackAuthor author;
  author.user_id = user_id;
  author.reason = request.reason();
  author.write_request_id = request.request_id();
  PlannedCoverageWrite plan =
      PlanWriteBack(request.patient_id(), current, *answer, author, ToProtoTime(clock_->Now()));

  v1::WriteBackResponse response;
  *response.mutable_write() = plan.write;
  response.set_patient_created(!patient->exists);
  if (request.dry_run()) {
    response.set_dry_run(true);
    return response;
  }

  WriteBackEntry entry;
  entry.request_id = request.request_id();
  entry.patient_id = request.patient_id();
  entry.source_request_id = request.source_request_id();
  entry.user_id = user_id;
  entry.request = request;
  entry.response = response;
  bool created = false;
  // The store checks the key, the patient and the version again in its transaction: of racing
  // writes with one key one is stored and the others get its outcome; of racing writes on one
  // version one wins and the others get ONSHI_VERSION_CONFLICT.
  absl::StatusOr<WriteBackEntry> stored = store_->ApplyWriteBack(
      entry, request.expected_version(), plan.update, request.create_patient(), &created);
  if (!stored.ok()) return stored.status();
  if (!created) return Replay(*stored, request);
  Log(LogLevel::kInfo, kLog, "write-back ", request.request_id(), " of check ",
      request.source_request_id(), " into patient ", request.patient_id(), ": version ",
      stored->response.write().coverage_version(),
      stored->response.write().changed() ? " (new)" : " (unchanged)");
  return stored->response;
}

grpc::Status RecordServiceImpl::PreviewWriteBack(grpc::ServerContext* context,
                                                 const v1::PreviewWriteBackRequest* request,
                                                 v1::PreviewWriteBackResponse* response) {
  absl::StatusOr<std::string> user = CallerUserId(*context);
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::StatusOr<v1::RecordPreview> preview =
      write_backs_->Preview(request->patient_id(), request->source_request_id());
  if (!preview.ok()) return ToGrpcStatus(preview.status());
  if (absl::Status s = consents_->FilterChanges(request->patient_id(), request->source_request_id(),
                                                preview->mutable_changes());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response->mutable_preview() = std::move(*preview);
  return grpc::Status::OK;
}

grpc::Status RecordServiceImpl::WriteBack(grpc::ServerContext* context,
                                          const v1::WriteBackRequest* request,
                                          v1::WriteBackResponse* response) {
  absl::StatusOr<std::string> user = CallerUserId(*context);
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::StatusOr<v1::WriteBackResponse> outcome = write_backs_->WriteBack(*request, *user);
  if (!outcome.ok()) return ToGrpcStatus(outcome.status());
  if (absl::Status s = consents_->FilterChanges(request->patient_id(), request->source_request_id(),
                                                outcome->mutable_write()->mutable_changes());
      !s.ok()) {
    return ToGrpcStatus(s);
  }
  *response = std::move(*outcome);
  return grpc::Status::OK;
}

}  // namespace onshi::service
