#include "plugin/service/coordinator.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/core/billing_view.h"
#include "plugin/core/coverage_diff.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"
#include "plugin/core/validation.h"
#include "plugin/core/write_back.h"  // write-back

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "coordinator";

// A waiting call re-checks cancellation this often.
constexpr absl::Duration kCancelPollInterval = absl::Milliseconds(100);

// How often a transition that lost a race (an answer and an expiry at once, or two writers of
// one patient's coverage) is re-read and tried again before giving up.
constexpr int kTransitionAttempts = 5;

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

bool IsConflict(const absl::Status& status) { return status.code() == absl::StatusCode::kAborted; }

// --- write-back (docs/record.md) ---
// A preview_only check's answer with the diff against the patient's coverage as it is now
// (the check named the patient, so it exists). An answer that cannot be written (複数該当)
// gets no preview.
absl::StatusOr<v1::CheckQualificationResponse> WithWriteBackPreview(RecordStore* store,
                                                                    const LedgerEntry& entry) {
  v1::CheckQualificationResponse response = entry.response;
  absl::StatusOr<std::optional<v1::CoverageVersion>> current =
      store->GetCurrentCoverage(entry.patient_id);
  if (!current.ok()) return current.status();
  absl::StatusOr<v1::RecordPreview> preview =
      PreviewCheck(entry, entry.patient_id, /*patient_exists=*/true,
                   current->has_value() ? &**current : nullptr);
  if (preview.ok()) *response.mutable_preview() = *std::move(preview);
  return response;
}
// --- end of write-back ---

}  // namespace

Coordinator::Coordinator(CoordinatorOptions options, RecordStore* store,
                         TerminalTransport* transport, const Clock* clock)
    : options_(std::move(options)), store_(store), transport_(transport), clock_(clock) {}

v1::Provenance Coordinator::ProvenanceFor(const LedgerEntry& entry) const {
  v1::Provenance provenance;
  provenance.set_source(v1::SOURCE_TERMINAL_ANSWER);
  provenance.set_request_id(entry.request_id);
  provenance.set_file_id(entry.file_id);
  *provenance.mutable_requested_time() = ToProtoTime(entry.created_time);
  provenance.set_confirmation_date(entry.request.confirmation_date());
  return provenance;
}

absl::StatusOr<v1::CheckQualificationResponse> Coordinator::CheckQualification(
    const v1::CheckQualificationRequest& request, absl::Time call_deadline,
    const std::function<bool()>& cancelled) {
  const absl::Time now = clock_->Now();
  absl::StatusOr<v1::CheckQualificationRequest> normalized =
      NormalizeCheckRequest(request, JapanDate(now));
  if (!normalized.ok()) return normalized.status();

  LedgerEntry fresh;
  fresh.request_id = normalized->request_id();
  fresh.file_id = NewFileId();
  fresh.state = LedgerState::kPending;
  fresh.patient_id = normalized->patient_id();
  fresh.created_time = now;
  fresh.deadline = now + options_.answer_timeout;
  fresh.updated_time = now;
  fresh.request = *normalized;

  bool created = false;
  absl::StatusOr<LedgerEntry> stored = store_->CreateRequest(fresh, &created);
  if (!stored.ok()) return stored.status();

  if (!created) {
    // A retry. It must be the same request; then it gets the same outcome.
    if (!google::protobuf::util::MessageDifferencer::Equals(stored->request, *normalized)) {
      return MakeError(errors::kRequestIdConflict);
    }
    if (stored->state != LedgerState::kPending) return OutcomeOf(*stored);
    Log(LogLevel::kInfo, kLog, "request ", stored->request_id, " retried while pending");
  } else {
    const v1::QualificationRequestDocument document =
        BuildQualificationRequest(*normalized, options_.medical_institution_code, stored->file_id);
    // The transport may make it wait for a place at the terminal (B12), at most until the
    // check's deadline: placing a check is the check's business, whether or not this caller
    // still waits for it.
    absl::Status submitted =
        transport_->Submit(DocumentKind::kQualificationRequest, document, stored->deadline);
    if (ReasonOf(submitted) == errors::kCancelled.reason) {
      // onshi is stopping: the check stays pending and is placed again at the next start.
      return submitted;
    }
    if (ReasonOf(submitted) == errors::kTerminalBusy.reason) {
      // Its deadline passed while it waited for a place: unconfirmed, as if unanswered.
      absl::Status expired = ExpireEntry(*stored, submitted);
      if (!expired.ok() && !IsConflict(expired)) return expired;
    } else if (!submitted.ok()) {
      // The terminal never saw it: the check failed, visibly, and stays on record as such.
      Log(LogLevel::kWarning, kLog, "request ", stored->request_id, " file ", stored->file_id,
          " could not be placed: ", ReasonOf(submitted));
      absl::Status failed = FailEntry(*stored, submitted);
      if (!failed.ok() && !IsConflict(failed)) return failed;
      absl::StatusOr<std::optional<LedgerEntry>> now_stored =
          store_->FindRequest(stored->request_id);
      if (!now_stored.ok()) return now_stored.status();
      if (!now_stored->has_value()) return MakeError(errors::kInternal, "ledger entry vanished");
      return OutcomeOf(**now_stored);
    } else {
      Log(LogLevel::kInfo, kLog, "request ", stored->request_id, " placed as file ",
          stored->file_id);
    }
  }

  absl::StatusOr<LedgerEntry> done =
      AwaitCompletion(stored->request_id, stored->deadline, call_deadline, cancelled);
  if (!done.ok()) return done.status();
  return OutcomeOf(*done);
}

absl::StatusOr<LedgerEntry> Coordinator::AwaitCompletion(const std::string& request_id,
                                                         absl::Time check_deadline,
                                                         absl::Time call_deadline,
                                                         const std::function<bool()>& cancelled) {
  while (true) {
    int64_t seen;
    {
      // Taken before reading the ledger, so a completion between the read and the wait below
      // is not missed.
      absl::MutexLock lock(&mu_);
      if (shutdown_) return MakeError(errors::kCancelled, "onshi is shutting down");
      seen = completions_;
    }
    // Read the ledger, not a flag: the answer may have been recorded before this call started
    // waiting, or by the run of a previous process.
    absl::StatusOr<std::optional<LedgerEntry>> entry = store_->FindRequest(request_id);
    if (!entry.ok()) return entry.status();
    if (!entry->has_value()) return MakeError(errors::kInternal, "ledger entry vanished");
    if ((*entry)->state != LedgerState::kPending) return **entry;

    const absl::Time now = clock_->Now();
    if (now >= check_deadline) {
      absl::Status expired = ExpireEntry(**entry, MakeError(errors::kTerminalTimeout));
      if (!expired.ok() && !IsConflict(expired)) return expired;
      continue;  // Re-read: expired now, or an answer won the race.
    }
    if (now >= call_deadline) {
      return MakeError(errors::kDeadlineExceeded,
                       "the call's deadline is shorter than the terminal's answer timeout; the "
                       "check goes on and a retry with the same request_id returns its outcome");
    }
    if (cancelled && cancelled()) return MakeError(errors::kCancelled);

    // Relative, so that a test clock works too.
    const absl::Duration wait =
        std::min({check_deadline - now, call_deadline - now, kCancelPollInterval});
    absl::MutexLock lock(&mu_);
    // Unrelated completions wake this too; the loop re-reads the ledger.
    if (completions_ == seen && !shutdown_) completed_.WaitWithTimeout(&mu_, wait);
  }
}

void Coordinator::NotifyCompleted() {
  absl::MutexLock lock(&mu_);
  ++completions_;
  completed_.SignalAll();
}

absl::Status Coordinator::ExpireEntry(const LedgerEntry& entry, const absl::Status& reason) {
  LedgerTransition transition;
  transition.request_id = entry.request_id;
  transition.from = LedgerState::kPending;
  transition.to = LedgerState::kUnconfirmed;
  v1::CheckQualificationResponse& response = transition.response;
  response.set_outcome(v1::CHECK_OUTCOME_UNCONFIRMED);
  *response.mutable_billing() = UnconfirmedBillingView();
  *response.mutable_provenance() = ProvenanceFor(entry);
  *response.mutable_unconfirmed_reason() = ToErrorDetail(reason);
  if (!entry.patient_id.empty()) {
    v1::Confirmation confirmation;
    confirmation.set_request_id(entry.request_id);
    confirmation.set_outcome(v1::CHECK_OUTCOME_UNCONFIRMED);
    *confirmation.mutable_provenance() = response.provenance();
    transition.confirmation = std::move(confirmation);
  }
  absl::Status applied = store_->ApplyTransition(transition);
  if (applied.ok()) {
    Log(LogLevel::kWarning, kLog, "request ", entry.request_id, " file ", entry.file_id,
        " unconfirmed: ", ReasonOf(reason));
    // Nobody waits for its answer any more: it must not hold a place at the terminal.
    transport_->Release(DocumentKind::kQualificationRequest, entry.file_id);
    NotifyCompleted();
  }
  return applied;
}

absl::Status Coordinator::FailEntry(const LedgerEntry& entry, const absl::Status& error) {
  LedgerTransition transition;
  transition.request_id = entry.request_id;
  transition.from = LedgerState::kPending;
  transition.to = LedgerState::kFailed;
  transition.error_code = error.code();
  transition.error = ToErrorDetail(error);
  absl::Status applied = store_->ApplyTransition(transition);
  if (applied.ok()) {
    Log(LogLevel::kWarning, kLog, "request ", entry.request_id, " file ", entry.file_id,
        " failed: ", transition.error.reason());
    transport_->Release(DocumentKind::kQualificationRequest, entry.file_id);
    NotifyCompleted();
  }
  return applied;
}

absl::StatusOr<v1::CheckQualificationResponse> Coordinator::OutcomeOf(
    const LedgerEntry& entry) const {
  switch (entry.state) {
    case LedgerState::kAnswered:
    case LedgerState::kUnconfirmed:
    case LedgerState::kLate:
      // --- write-back: a preview_only check carries the diff instead of a record write ---
      if (entry.request.preview_only() && !entry.patient_id.empty() &&
          entry.state != LedgerState::kUnconfirmed) {
        return WithWriteBackPreview(store_, entry);
      }
      // --- end of write-back ---
      return entry.response;
    case LedgerState::kFailed:
      return FromErrorDetail(entry.error_code, entry.error);
    case LedgerState::kPending:
      break;
  }
  return MakeError(errors::kInternal, "outcome asked of a pending request");
}

absl::Status Coordinator::RecordAnswer(const LedgerEntry& entry, const IncomingAnswer& answer,
                                       const v1::QualificationResult& result) {
  const bool late = entry.state == LedgerState::kUnconfirmed;

  v1::CheckQualificationResponse response;
  response.set_outcome(late ? v1::CHECK_OUTCOME_LATE_ANSWER : v1::CHECK_OUTCOME_ANSWERED);
  *response.mutable_result() = result;
  std::optional<Date> confirmation_date = ParseDate(entry.request.confirmation_date());
  if (!confirmation_date.has_value()) {
    return MakeError(errors::kInternal, "ledger entry without a confirmation date");
  }
  *response.mutable_billing() = DeriveBillingView(result, *confirmation_date);
  v1::Provenance& provenance = *response.mutable_provenance();
  provenance = ProvenanceFor(entry);
  *provenance.mutable_answered_time() = ToProtoTime(answer.received_time);
  provenance.set_process_execution_time(result.process_execution_time());

  LedgerTransition transition;
  transition.request_id = entry.request_id;
  transition.from = entry.state;
  transition.to = late ? LedgerState::kLate : LedgerState::kAnswered;

  // The patient's coverage follows only an on-time answer naming exactly one qualification:
  // a late answer waits for a re-check; 複数該当 and 該当資格なし give nothing to record.
  // preview_only (write-back): the host records it with RecordService.WriteBack instead.
  const bool record = !entry.patient_id.empty() && !late && !entry.request.preview_only();
  if (record && result.records_size() == 1) {
    absl::StatusOr<std::optional<v1::CoverageVersion>> current =
        store_->GetCurrentCoverage(entry.patient_id);
    if (!current.ok()) return current.status();
    const v1::CoverageVersion* current_ptr = current->has_value() ? &**current : nullptr;
    const v1::QualificationRecord coverage = CoverageOf(result.records(0));
    std::vector<v1::FieldChange> changes =
        DiffCoverage(current_ptr, coverage, result.qualification_validity());
    v1::RecordWrite& write = *response.mutable_record_write();
    write.set_patient_id(entry.patient_id);
    write.set_coverage_version(current_ptr != nullptr ? current_ptr->version() : 0);
    if (!changes.empty()) {
      CoverageUpdate update;
      update.expected_version = current_ptr != nullptr ? current_ptr->version() : 0;
      v1::CoverageVersion& next = update.version;
      next.set_version(update.expected_version + 1);
      *next.mutable_coverage() = coverage;
      next.set_validity(result.qualification_validity());
      *next.mutable_provenance() = provenance;
      *next.mutable_recorded_time() = ToProtoTime(clock_->Now());
      CarryFieldProvenance(current_ptr, changes, &next);
      write.set_coverage_version(next.version());
      write.set_changed(true);
      for (v1::FieldChange& change : changes) *write.add_changes() = std::move(change);
      transition.coverage = std::move(update);
    }
  } else if (record) {
    response.mutable_record_write()->set_patient_id(entry.patient_id);
  }

  if (!entry.patient_id.empty()) {
    v1::Confirmation confirmation;
    confirmation.set_request_id(entry.request_id);
    confirmation.set_outcome(response.outcome());
    confirmation.set_validity(result.qualification_validity());
    *confirmation.mutable_provenance() = provenance;
    confirmation.set_late(late);
    transition.confirmation = std::move(confirmation);
  }
  transition.response = std::move(response);
  return store_->ApplyTransition(transition);
}

absl::StatusOr<AnswerDisposition> Coordinator::OnAnswer(const IncomingAnswer& answer) {
  const v1::QualificationResult* result_ptr = AnswerAs<v1::QualificationResult>(answer);
  if (result_ptr == nullptr) {
    Log(LogLevel::kWarning, kLog, "answer file ", answer.file_id,
        " carries no qualification result; quarantined");
    return AnswerDisposition::kQuarantine;
  }
  const v1::QualificationResult& result = *result_ptr;
  if (result.medical_institution_code() != options_.medical_institution_code) {
    Log(LogLevel::kWarning, kLog, "answer file ", answer.file_id,
        " is for another medical institution; quarantined");
    return AnswerDisposition::kQuarantine;
  }
  for (int attempt = 0; attempt < kTransitionAttempts; ++attempt) {
    absl::StatusOr<std::optional<LedgerEntry>> found = store_->FindRequestByFileId(answer.file_id);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      Log(LogLevel::kWarning, kLog, "answer file ", answer.file_id,
          " matches no request of ours; quarantined");
      return AnswerDisposition::kQuarantine;
    }
    const LedgerEntry& entry = **found;
    if (entry.state == LedgerState::kPending && answer.received_time > entry.deadline) {
      // Arrived after the deadline, before anyone noticed it had passed.
      absl::Status expired = ExpireEntry(entry, MakeError(errors::kTerminalTimeout));
      if (!expired.ok() && !IsConflict(expired)) return expired;
      continue;
    }
    if (entry.state != LedgerState::kPending && entry.state != LedgerState::kUnconfirmed) {
      Log(LogLevel::kInfo, kLog, "answer file ", answer.file_id, " for request ", entry.request_id,
          " already recorded; duplicate ignored");
      return AnswerDisposition::kProcessed;
    }

    absl::Status recorded;
    if (absl::Status valid = ValidateQualificationResult(result); !valid.ok()) {
      if (entry.state != LedgerState::kPending) {
        Log(LogLevel::kWarning, kLog, "late answer file ", answer.file_id,
            " is invalid; quarantined: ", ReasonOf(valid));
        return AnswerDisposition::kQuarantine;
      }
      recorded = FailEntry(entry, MakeError(errors::kTerminalMalformedAnswer,
                                            absl::StrCat("answer failed validation: ",
                                                         ToErrorDetail(valid).it_message())));
      if (recorded.ok()) return AnswerDisposition::kQuarantine;
    } else if (result.segment_of_result() != v1::SEGMENT_OF_RESULT_COMPLETED) {
      if (entry.state != LedgerState::kPending) {
        Log(LogLevel::kInfo, kLog, "late failure answer file ", answer.file_id, " for request ",
            entry.request_id, " noted; request stays unconfirmed");
        return AnswerDisposition::kProcessed;
      }
      // ErrorCode values come from the terminal's code table: codes, not patient data.
      recorded = FailEntry(
          entry, MakeError(errors::kTerminalFailed,
                           absl::StrCat("SegmentOfResult ",
                                        v1::SegmentOfResult_Name(result.segment_of_result()),
                                        ", ErrorCode ", result.error_code())));
    } else {
      recorded = RecordAnswer(entry, answer, result);
      if (recorded.ok()) {
        Log(LogLevel::kInfo, kLog, "request ", entry.request_id, " file ", answer.file_id,
            entry.state == LedgerState::kPending ? " answered" : " answered late");
        NotifyCompleted();
      }
    }
    if (recorded.ok()) return AnswerDisposition::kProcessed;
    if (!IsConflict(recorded)) return recorded;
    // Lost a race (expiry, or a concurrent coverage write): read again and retry.
  }
  return MakeError(errors::kStoreConflict, "answer could not be recorded after retries");
}

absl::Status Coordinator::OnRequestRejected(const RejectedRequest& rejected) {
  absl::StatusOr<std::optional<LedgerEntry>> found = store_->FindRequestByFileId(rejected.file_id);
  if (!found.ok()) return found.status();
  if (!found->has_value() || (*found)->state != LedgerState::kPending) {
    Log(LogLevel::kWarning, kLog, "rejection of file ", rejected.file_id,
        " matches no pending request; ignored");
    return absl::OkStatus();
  }
  absl::Status failed = FailEntry(
      **found, MakeError(errors::kTerminalRejectedRequest,
                         rejected.error_code.empty()
                             ? std::string("the .err file gave no code")
                             : absl::StrCat("terminal error code ", rejected.error_code)));
  return IsConflict(failed) ? absl::OkStatus() : failed;
}

absl::Status Coordinator::OnUnreadableAnswer(const UnreadableAnswer& unreadable) {
  absl::StatusOr<std::optional<LedgerEntry>> found =
      store_->FindRequestByFileId(unreadable.file_id);
  if (!found.ok()) return found.status();
  if (!found->has_value() || (*found)->state != LedgerState::kPending) {
    Log(LogLevel::kWarning, kLog, "unreadable file ", unreadable.file_id,
        " matches no pending request; quarantined: ", ReasonOf(unreadable.error));
    return absl::OkStatus();
  }
  absl::Status failed = FailEntry(
      **found, MakeError(errors::kTerminalMalformedAnswer,
                         absl::StrCat("decoder: ", ToErrorDetail(unreadable.error).it_message())));
  return IsConflict(failed) ? absl::OkStatus() : failed;
}

absl::Status Coordinator::Recover() {
  absl::StatusOr<std::vector<LedgerEntry>> pending = store_->ListPendingRequests();
  if (!pending.ok()) return pending.status();
  const absl::Time now = clock_->Now();
  int expired = 0;
  for (const LedgerEntry& entry : *pending) {
    if (entry.deadline > now) {
      absl::MutexLock lock(&mu_);
      recovered_.insert(entry.request_id);
      continue;
    }
    absl::Status status = ExpireEntry(entry, MakeError(errors::kTerminalTimeout));
    if (!status.ok() && !IsConflict(status)) return status;
    ++expired;
  }
  Log(LogLevel::kInfo, kLog, "recovery: ", pending->size(), " pending, ", expired,
      " now unconfirmed");
  return absl::OkStatus();
}

void Coordinator::PlacePending() {
  absl::StatusOr<std::vector<LedgerEntry>> pending = store_->ListPendingRequests();
  if (!pending.ok()) {
    Log(LogLevel::kWarning, kLog,
        "pending checks could not be read to place them again: ", ReasonOf(pending.status()));
    return;
  }
  int placed = 0;
  for (const LedgerEntry& listed : *pending) {
    {
      absl::MutexLock lock(&mu_);
      if (shutdown_) break;
      // A check made since Recover was placed by its own call (the terminal may have taken the
      // file already: placing it again would ask the terminal twice).
      if (recovered_.erase(listed.request_id) == 0) continue;
    }
    // Read again: while earlier ones waited for a place, this one may have been answered (its
    // answer was in res/ already) or expired.
    absl::StatusOr<std::optional<LedgerEntry>> current = store_->FindRequest(listed.request_id);
    if (!current.ok() || !current->has_value() || (*current)->state != LedgerState::kPending) {
      continue;
    }
    const LedgerEntry& entry = **current;
    // The previous run may have died before the file reached req/. Placing it again is safe:
    // the name is the same, a file already there is kept (FileTransport counts an identical one
    // as placed), and a second answer is a duplicate the ledger ignores.
    const v1::QualificationRequestDocument document =
        BuildQualificationRequest(entry.request, options_.medical_institution_code, entry.file_id);
    absl::Status submitted =
        transport_->Submit(DocumentKind::kQualificationRequest, document, entry.deadline);
    if (submitted.ok()) {
      ++placed;
    } else if (ReasonOf(submitted) == errors::kCancelled.reason) {
      break;
    } else if (ReasonOf(submitted) == errors::kTerminalBusy.reason) {
      absl::Status expired = ExpireEntry(entry, submitted);
      if (!expired.ok() && !IsConflict(expired)) {
        Log(LogLevel::kWarning, kLog, "expiry of request ", entry.request_id,
            " failed: ", ReasonOf(expired));
      }
    } else {
      // It stays pending and becomes unconfirmed at its deadline, like a check the terminal did
      // not answer.
      Log(LogLevel::kWarning, kLog, "request ", entry.request_id, " file ", entry.file_id,
          " could not be placed again: ", ReasonOf(submitted));
    }
  }
  Log(LogLevel::kInfo, kLog, "recovery: ", placed, " of ", pending->size(),
      " pending check(s) placed again");
}

void Coordinator::ExpireOverdue() {
  absl::StatusOr<std::vector<LedgerEntry>> pending = store_->ListPendingRequests();
  if (!pending.ok()) {
    Log(LogLevel::kWarning, kLog,
        "expiry sweep could not read the ledger: ", ReasonOf(pending.status()));
    return;
  }
  const absl::Time now = clock_->Now();
  for (const LedgerEntry& entry : *pending) {
    if (entry.deadline > now) continue;
    absl::Status status = ExpireEntry(entry, MakeError(errors::kTerminalTimeout));
    if (!status.ok() && !IsConflict(status)) {
      Log(LogLevel::kWarning, kLog, "expiry of request ", entry.request_id,
          " failed: ", ReasonOf(status));
    }
  }
}

absl::StatusOr<v1::PatientRecord> Coordinator::GetPatientRecord(const std::string& patient_id) {
  if (absl::Status valid = ValidatePatientId(patient_id); !valid.ok()) return valid;
  return store_->GetPatientRecord(patient_id);
}

void Coordinator::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
  completed_.SignalAll();
}

}  // namespace onshi::service
