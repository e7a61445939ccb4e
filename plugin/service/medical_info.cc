#include "plugin/service/medical_info.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"
#include "plugin/core/medical_info.h"
#include "plugin/service/grpc_status.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "medical";

// A waiting call re-checks cancellation this often.
constexpr absl::Duration kCancelPollInterval = absl::Milliseconds(100);

// How often an answer whose transition lost a race is re-read and tried again.
constexpr int kTransitionAttempts = 5;

// Results older than the retention are purged at most this often.
constexpr absl::Duration kPurgeInterval = absl::Minutes(1);

// Replies must leave before the caller's deadline to be read; stop waiting this much earlier.
constexpr absl::Duration kReplyMargin = absl::Milliseconds(50);

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

bool IsConflict(const absl::Status& status) { return status.code() == absl::StatusCode::kAborted; }

std::optional<MedicalInfoKind> KindOfAnswer(DocumentKind kind) {
  if (kind == DocumentKind::kMedicationResult) return MedicalInfoKind::kMedication;
  if (kind == DocumentKind::kCheckupResult) return MedicalInfoKind::kCheckups;
  return std::nullopt;
}

std::optional<MedicalInfoKind> KindOfRequest(DocumentKind kind) {
  if (kind == DocumentKind::kMedicationRequest) return MedicalInfoKind::kMedication;
  if (kind == DocumentKind::kCheckupRequest) return MedicalInfoKind::kCheckups;
  return std::nullopt;
}

v1::Provenance ProvenanceFor(const MedicalRequestEntry& entry) {
  v1::Provenance provenance;
  provenance.set_source(v1::SOURCE_TERMINAL_ANSWER);
  provenance.set_request_id(entry.request_id);
  provenance.set_file_id(entry.file_id);
  *provenance.mutable_requested_time() = ToProtoTime(entry.created_time);
  return provenance;
}

absl::Time CallDeadline(const grpc::ServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline) - kReplyMargin;
}

}  // namespace

MedicalInfoCoordinator::MedicalInfoCoordinator(MedicalInfoOptions options, RecordStore* records,
                                               MedicalRequestStore* store, ConsentStore* consents,
                                               TerminalTransport* transport, const Clock* clock)
    : options_(std::move(options)),
      records_(records),
      store_(store),
      consents_(consents),
      transport_(transport),
      clock_(clock) {}

// ---------------------------------------------------------------------------------------------
// The RPCs.

absl::StatusOr<v1::GetMedicationHistoryResponse> MedicalInfoCoordinator::GetMedicationHistory(
    const v1::GetMedicationHistoryRequest& request, absl::Time call_deadline,
    const std::function<bool()>& cancelled) {
  absl::StatusOr<v1::GetMedicationHistoryRequest> normalized = NormalizeMedicationRequest(request);
  if (!normalized.ok()) return normalized.status();
  MedicalRequestEntry fresh;
  fresh.kind = MedicalInfoKind::kMedication;
  fresh.request_id = normalized->request_id();
  fresh.patient_id = normalized->patient_id();
  fresh.medication_request = *std::move(normalized);
  absl::StatusOr<MedicalRequestEntry> done = Run(std::move(fresh), call_deadline, cancelled);
  if (!done.ok()) return done.status();
  if (absl::Status outcome = OutcomeOf(*done); !outcome.ok()) return outcome;
  return std::move(done->medication_response);
}

absl::StatusOr<v1::GetCheckupsResponse> MedicalInfoCoordinator::GetCheckups(
    const v1::GetCheckupsRequest& request, absl::Time call_deadline,
    const std::function<bool()>& cancelled) {
  absl::StatusOr<v1::GetCheckupsRequest> normalized = NormalizeCheckupsRequest(request);
  if (!normalized.ok()) return normalized.status();
  MedicalRequestEntry fresh;
  fresh.kind = MedicalInfoKind::kCheckups;
  fresh.request_id = normalized->request_id();
  fresh.patient_id = normalized->patient_id();
  fresh.checkups_request = *std::move(normalized);
  absl::StatusOr<MedicalRequestEntry> done = Run(std::move(fresh), call_deadline, cancelled);
  if (!done.ok()) return done.status();
  if (absl::Status outcome = OutcomeOf(*done); !outcome.ok()) return outcome;
  return std::move(done->checkups_response);
}

absl::Status MedicalInfoCoordinator::CheckSameRequest(const MedicalRequestEntry& stored,
                                                      const MedicalRequestEntry& fresh) const {
  using google::protobuf::util::MessageDifferencer;
  const bool same =
      stored.kind == fresh.kind &&
      (fresh.kind == MedicalInfoKind::kMedication
           ? MessageDifferencer::Equals(stored.medication_request, fresh.medication_request)
           : MessageDifferencer::Equals(stored.checkups_request, fresh.checkups_request));
  return same ? absl::OkStatus() : MakeError(errors::kRequestIdConflict);
}

absl::Status MedicalInfoCoordinator::BuildDocument(MedicalRequestEntry* entry, absl::Time now) {
  // The request's own fields first: an input error is reported before the record is read.
  std::optional<MonthRange> months;
  if (entry->kind == MedicalInfoKind::kMedication) {
    absl::StatusOr<MonthRange> resolved =
        ResolveMedicationMonths(entry->medication_request, JapanDate(now));
    if (!resolved.ok()) return resolved.status();
    months = *resolved;
  }
  absl::StatusOr<std::optional<v1::CoverageVersion>> coverage =
      records_->GetCurrentCoverage(entry->patient_id);
  if (!coverage.ok()) return coverage.status();
  if (!coverage->has_value()) {
    // Unknown patient (NOT_FOUND) or a patient without coverage yet.
    absl::StatusOr<v1::PatientRecord> record = records_->GetPatientRecord(entry->patient_id);
    if (!record.ok()) return record.status();
    return MakeError(errors::kNoCoverage);
  }
  absl::StatusOr<v1::MedicalInfoRequestHeader> header = MedicalInfoHeaderFor(
      (*coverage)->coverage().identifiers(), options_.medical_institution_code, entry->file_id);
  if (!header.ok()) return header.status();
  if (entry->kind == MedicalInfoKind::kMedication) {
    entry->medication_document =
        BuildMedicationRequest(*header, entry->medication_request, *months);
  } else {
    entry->checkup_document = BuildCheckupRequest(*header, entry->checkups_request);
  }
  return absl::OkStatus();
}

absl::Status MedicalInfoCoordinator::CheckConsent(const MedicalRequestEntry& entry,
                                                  absl::Time now) {
  const bool medication = entry.kind == MedicalInfoKind::kMedication;
  const ConsentScope scope = medication ? ConsentScope::kMedication : ConsentScope::kCheckups;
  const v1::CareSetting asked =
      medication ? entry.medication_request.care_setting() : entry.checkups_request.care_setting();
  const bool inpatient =
      medication ? entry.medication_request.inpatient() : entry.checkups_request.inpatient();
  // Unspecified is 外来, as in the request sent (NormalizeMedicationRequest); 入院 is sent as
  // 訪問診療等 but judged as 入院.
  const ConsentSetting setting =
      inpatient ? ConsentSetting::kInpatient
                : ConsentSettingFromTerminal(asked).value_or(ConsentSetting::kOutpatient);
  absl::StatusOr<std::optional<v1::CoverageVersion>> coverage =
      records_->GetCurrentCoverage(entry.patient_id);
  if (!coverage.ok()) return coverage.status();
  if (!coverage->has_value()) return MakeError(errors::kNoCoverage);
  absl::StatusOr<std::vector<StoredConsent>> stored = consents_->ListConsents(entry.patient_id);
  if (!stored.ok()) return stored.status();
  absl::StatusOr<std::vector<InpatientStay>> stays = consents_->ListStays(entry.patient_id);
  if (!stays.ok()) return stays.status();
  ConsentHolderFacts holder = HolderFactsFromCoverage((*coverage)->coverage());
  const std::vector<ConsentRecord> ledger = LedgerAt(*stored, *stays, now, &holder);
  const ConsentVerdict verdict = EvaluateConsent(ledger, scope, setting, holder, now);
  if (verdict.allowed()) return absl::OkStatus();
  Log(LogLevel::kInfo, kLog, MedicalInfoKindName(entry.kind), " request ", entry.request_id,
      " refused by the consent ledger (", ConsentRefusalName(verdict.refusal), "); nothing sent");
  return ConsentRefusalError(verdict, scope);
}

absl::Status MedicalInfoCoordinator::Submit(const MedicalRequestEntry& entry) {
  // A throttled transport waits for a place at the terminal at most until the entry's deadline.
  if (entry.kind == MedicalInfoKind::kMedication) {
    return transport_->Submit(DocumentKind::kMedicationRequest, entry.medication_document,
                              entry.deadline);
  }
  return transport_->Submit(DocumentKind::kCheckupRequest, entry.checkup_document, entry.deadline);
}

void MedicalInfoCoordinator::Release(const MedicalRequestEntry& entry) {
  transport_->Release(entry.kind == MedicalInfoKind::kMedication ? DocumentKind::kMedicationRequest
                                                                 : DocumentKind::kCheckupRequest,
                      entry.file_id);
}

absl::StatusOr<MedicalRequestEntry> MedicalInfoCoordinator::Run(
    MedicalRequestEntry fresh, absl::Time call_deadline, const std::function<bool()>& cancelled) {
  absl::StatusOr<std::optional<MedicalRequestEntry>> existing =
      store_->FindMedicalRequest(fresh.request_id);
  if (!existing.ok()) return existing.status();

  MedicalRequestEntry stored;
  if (existing->has_value()) {
    // A retry: the same request gets the same outcome, without asking the terminal again.
    stored = **std::move(existing);
    if (absl::Status same = CheckSameRequest(stored, fresh); !same.ok()) return same;
    if (stored.state != MedicalRequestState::kPending) return stored;
    Log(LogLevel::kInfo, kLog, "request ", stored.request_id, " retried while pending");
  } else {
    const absl::Time now = clock_->Now();
    fresh.file_id = NewFileId();
    fresh.state = MedicalRequestState::kPending;
    fresh.created_time = now;
    fresh.updated_time = now;
    fresh.deadline = now + options_.answer_timeout;
    if (absl::Status built = BuildDocument(&fresh, now); !built.ok()) return built;
    if (absl::Status consented = CheckConsent(fresh, now); !consented.ok()) return consented;

    bool created = false;
    absl::StatusOr<MedicalRequestEntry> inserted = store_->CreateMedicalRequest(fresh, &created);
    if (!inserted.ok()) return inserted.status();
    stored = *std::move(inserted);
    if (!created) {
      // A concurrent call with the same request_id placed it first.
      if (absl::Status same = CheckSameRequest(stored, fresh); !same.ok()) return same;
      if (stored.state != MedicalRequestState::kPending) return stored;
    } else if (absl::Status submitted = Submit(stored); !submitted.ok()) {
      // The terminal never saw it: the request failed, visibly, and stays on record as such.
      Log(LogLevel::kWarning, kLog, MedicalInfoKindName(stored.kind), " request ",
          stored.request_id, " file ", stored.file_id,
          " could not be placed: ", ReasonOf(submitted));
      absl::Status failed = FailEntry(stored, submitted);
      if (!failed.ok() && !IsConflict(failed)) return failed;
      absl::StatusOr<std::optional<MedicalRequestEntry>> now_stored =
          store_->FindMedicalRequest(stored.request_id);
      if (!now_stored.ok()) return now_stored.status();
      if (!now_stored->has_value()) return MakeError(errors::kInternal, "ledger entry vanished");
      return **std::move(now_stored);
    } else {
      Log(LogLevel::kInfo, kLog, MedicalInfoKindName(stored.kind), " request ", stored.request_id,
          " placed as file ", stored.file_id);
    }
  }
  return AwaitCompletion(stored.request_id, stored.deadline, call_deadline, cancelled);
}

absl::StatusOr<MedicalRequestEntry> MedicalInfoCoordinator::AwaitCompletion(
    const std::string& request_id, absl::Time entry_deadline, absl::Time call_deadline,
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
    absl::StatusOr<std::optional<MedicalRequestEntry>> entry =
        store_->FindMedicalRequest(request_id);
    if (!entry.ok()) return entry.status();
    if (!entry->has_value()) return MakeError(errors::kInternal, "ledger entry vanished");
    if ((*entry)->state != MedicalRequestState::kPending) return **std::move(entry);

    const absl::Time now = clock_->Now();
    if (now >= entry_deadline) {
      absl::Status expired = ExpireEntry(**entry);
      if (!expired.ok() && !IsConflict(expired)) return expired;
      continue;  // Re-read: timed out now, or an answer won the race.
    }
    if (now >= call_deadline) {
      return MakeError(errors::kDeadlineExceeded,
                       "the call's deadline is shorter than the terminal's answer timeout; the "
                       "request goes on and a retry with the same request_id returns its outcome");
    }
    if (cancelled && cancelled()) return MakeError(errors::kCancelled);

    const absl::Duration wait =
        std::min({entry_deadline - now, call_deadline - now, kCancelPollInterval});
    absl::MutexLock lock(&mu_);
    if (completions_ == seen && !shutdown_) completed_.WaitWithTimeout(&mu_, wait);
  }
}

absl::Status MedicalInfoCoordinator::OutcomeOf(const MedicalRequestEntry& entry) const {
  switch (entry.state) {
    case MedicalRequestState::kAnswered:
    case MedicalRequestState::kLate:
      if (entry.purged_time.has_value()) {
        // PHI is not kept past the retention; an outpatient's consent has lapsed by then too.
        return MakeError(errors::kNoConsent,
                         absl::StrCat("the result of this request_id was purged after the "
                                      "retention period (",
                                      absl::FormatDuration(options_.result_retention),
                                      "); ask again with a new request_id"));
      }
      return absl::OkStatus();
    case MedicalRequestState::kFailed:
      return FromErrorDetail(entry.error_code, entry.error);
    case MedicalRequestState::kTimedOut:
      return MakeError(errors::kMedicalInfoTimeout, absl::StrCat("file id ", entry.file_id));
    case MedicalRequestState::kPending:
      break;
  }
  return MakeError(errors::kInternal, "outcome asked of a pending request");
}

// ---------------------------------------------------------------------------------------------
// Ledger transitions.

void MedicalInfoCoordinator::NotifyCompleted() {
  absl::MutexLock lock(&mu_);
  ++completions_;
  completed_.SignalAll();
}

absl::Status MedicalInfoCoordinator::ExpireEntry(const MedicalRequestEntry& entry) {
  MedicalTransition transition;
  transition.request_id = entry.request_id;
  transition.from = MedicalRequestState::kPending;
  transition.to = MedicalRequestState::kTimedOut;
  absl::Status applied = store_->ApplyMedicalTransition(transition);
  if (applied.ok()) {
    Log(LogLevel::kWarning, kLog, MedicalInfoKindName(entry.kind), " request ", entry.request_id,
        " file ", entry.file_id, " timed out: no answer by the deadline");
    // Nobody waits for it any more: it must not hold a place at the terminal.
    Release(entry);
    NotifyCompleted();
  }
  return applied;
}

absl::Status MedicalInfoCoordinator::FailEntry(const MedicalRequestEntry& entry,
                                               const absl::Status& error) {
  MedicalTransition transition;
  transition.request_id = entry.request_id;
  transition.from = entry.state;
  transition.to = MedicalRequestState::kFailed;
  transition.error_code = error.code();
  transition.error = ToErrorDetail(error);
  absl::Status applied = store_->ApplyMedicalTransition(transition);
  if (applied.ok()) {
    Log(LogLevel::kWarning, kLog, MedicalInfoKindName(entry.kind), " request ", entry.request_id,
        " file ", entry.file_id, " failed: ", transition.error.reason());
    Release(entry);
    NotifyCompleted();
  }
  return applied;
}

absl::Status MedicalInfoCoordinator::RecordAnswer(const MedicalRequestEntry& entry,
                                                  const IncomingAnswer& answer) {
  const bool late = entry.state == MedicalRequestState::kTimedOut;
  absl::Status verdict;
  const google::protobuf::Message* document = nullptr;
  if (!answer.pdf.empty()) {
    // The transport hands over only complete PDFs; the bytes are passed on, never parsed.
    if (!LooksLikePdf(answer.pdf)) {
      verdict = MakeError(errors::kTerminalMalformedAnswer, "the PDF answer lacks %PDF-");
    }
  } else if (entry.kind == MedicalInfoKind::kMedication) {
    const auto* result = AnswerAs<v1::MedicationResultDocument>(answer);
    verdict = MedicalResultStatus(result->result_code(), result->message_contents());
    document = result;
  } else {
    const auto* result = AnswerAs<v1::CheckupResultDocument>(answer);
    verdict = MedicalResultStatus(result->result_code(), result->message_contents());
    document = result;
  }

  MedicalTransition transition;
  transition.request_id = entry.request_id;
  transition.from = entry.state;
  if (!verdict.ok()) {
    transition.to = MedicalRequestState::kFailed;
    transition.error_code = verdict.code();
    transition.error = ToErrorDetail(verdict);
    return store_->ApplyMedicalTransition(transition);
  }

  transition.to = late ? MedicalRequestState::kLate : MedicalRequestState::kAnswered;
  v1::Provenance provenance = ProvenanceFor(entry);
  *provenance.mutable_answered_time() = ToProtoTime(answer.received_time);
  std::string available_time;
  absl::StatusOr<std::optional<RecordedConsent>> consent =
      store_->LatestConsent(entry.patient_id, entry.kind);
  if (!consent.ok()) return consent.status();
  if (consent->has_value() && (*consent)->consent.flag() == v1::CONSENT_FLAG_GIVEN) {
    available_time = (*consent)->consent.available_time();
  }
  if (entry.kind == MedicalInfoKind::kMedication) {
    v1::GetMedicationHistoryResponse& response = transition.medication_response;
    if (document != nullptr) {
      response.mutable_medication()->CopyFrom(*document);
    } else {
      response.set_pdf(answer.pdf);
    }
    *response.mutable_provenance() = std::move(provenance);
    response.set_consent_available_time(available_time);
  } else {
    v1::GetCheckupsResponse& response = transition.checkups_response;
    if (document != nullptr) {
      response.mutable_checkups()->CopyFrom(*document);
    } else {
      response.set_pdf(answer.pdf);
    }
    *response.mutable_provenance() = std::move(provenance);
    response.set_consent_available_time(available_time);
  }
  return store_->ApplyMedicalTransition(transition);
}

// ---------------------------------------------------------------------------------------------
// The sink.

absl::StatusOr<AnswerDisposition> MedicalInfoCoordinator::OnAnswer(const IncomingAnswer& answer) {
  const std::optional<MedicalInfoKind> kind = KindOfAnswer(answer.kind);
  if (!kind.has_value()) {
    Log(LogLevel::kWarning, kLog, "answer file ", answer.file_id, " of kind ",
        DocumentKindName(answer.kind), " is not medical information; quarantined");
    return AnswerDisposition::kQuarantine;
  }
  std::string institution;
  if (answer.pdf.empty()) {
    if (const auto* m = AnswerAs<v1::MedicationResultDocument>(answer);
        m != nullptr && *kind == MedicalInfoKind::kMedication) {
      institution = m->medical_institution_code();
    } else if (const auto* c = AnswerAs<v1::CheckupResultDocument>(answer);
               c != nullptr && *kind == MedicalInfoKind::kCheckups) {
      institution = c->medical_institution_code();
    } else {
      Log(LogLevel::kWarning, kLog, "answer file ", answer.file_id,
          " carries neither a document of its kind nor a PDF; quarantined");
      return AnswerDisposition::kQuarantine;
    }
  }
  // The element's place in YZK/TKK answers is assumed (oqs_medical_documents.proto): an answer
  // without it is accepted, one naming another institution is not ours.
  if (!institution.empty() && institution != options_.medical_institution_code) {
    Log(LogLevel::kWarning, kLog, "answer file ", answer.file_id,
        " is for another medical institution; quarantined");
    return AnswerDisposition::kQuarantine;
  }

  for (int attempt = 0; attempt < kTransitionAttempts; ++attempt) {
    absl::StatusOr<std::optional<MedicalRequestEntry>> found =
        store_->FindMedicalRequestByFileId(answer.file_id);
    if (!found.ok()) return found.status();
    if (!found->has_value() || (*found)->kind != *kind) {
      Log(LogLevel::kWarning, kLog, "answer file ", answer.file_id, " matches no ",
          MedicalInfoKindName(*kind), " request of ours; quarantined");
      return AnswerDisposition::kQuarantine;
    }
    const MedicalRequestEntry& entry = **found;
    if (entry.purged_time.has_value()) {
      // Recording it now would keep PHI past the retention the entry already reached.
      Log(LogLevel::kWarning, kLog, "answer file ", answer.file_id, " for request ",
          entry.request_id, " arrived after its entry was purged; not recorded");
      return AnswerDisposition::kProcessed;
    }
    if (entry.state == MedicalRequestState::kPending && answer.received_time > entry.deadline) {
      // Arrived after the deadline, before anyone noticed it had passed.
      absl::Status expired = ExpireEntry(entry);
      if (!expired.ok() && !IsConflict(expired)) return expired;
      continue;
    }
    if (entry.state != MedicalRequestState::kPending &&
        entry.state != MedicalRequestState::kTimedOut) {
      Log(LogLevel::kInfo, kLog, "answer file ", answer.file_id, " for request ", entry.request_id,
          " already recorded; duplicate ignored");
      return AnswerDisposition::kProcessed;
    }
    absl::Status recorded = RecordAnswer(entry, answer);
    if (recorded.ok()) {
      Log(LogLevel::kInfo, kLog, MedicalInfoKindName(entry.kind), " request ", entry.request_id,
          " file ", answer.file_id,
          entry.state == MedicalRequestState::kPending ? " answered" : " answered late",
          answer.pdf.empty() ? "" : " (PDF)");
      NotifyCompleted();
      return AnswerDisposition::kProcessed;
    }
    if (!IsConflict(recorded)) return recorded;
    // Lost a race with the expiry: read again and retry.
  }
  return MakeError(errors::kStoreConflict, "answer could not be recorded after retries");
}

absl::Status MedicalInfoCoordinator::OnRequestRejected(const RejectedRequest& rejected) {
  const std::optional<MedicalInfoKind> kind = KindOfRequest(rejected.kind);
  absl::StatusOr<std::optional<MedicalRequestEntry>> found =
      store_->FindMedicalRequestByFileId(rejected.file_id);
  if (!found.ok()) return found.status();
  if (!kind.has_value() || !found->has_value() || (*found)->kind != *kind ||
      ((*found)->state != MedicalRequestState::kPending &&
       (*found)->state != MedicalRequestState::kTimedOut)) {
    Log(LogLevel::kWarning, kLog, "rejection of file ", rejected.file_id,
        " matches no open medical request; ignored");
    return absl::OkStatus();
  }
  absl::Status failed = FailEntry(
      **found, MakeError(errors::kTerminalRejectedRequest,
                         rejected.error_code.empty()
                             ? std::string("the .err file gave no code")
                             : absl::StrCat("terminal error code ", rejected.error_code)));
  return IsConflict(failed) ? absl::OkStatus() : failed;
}

absl::Status MedicalInfoCoordinator::OnUnreadableAnswer(const UnreadableAnswer& unreadable) {
  const std::optional<MedicalInfoKind> kind = KindOfAnswer(unreadable.kind);
  absl::StatusOr<std::optional<MedicalRequestEntry>> found =
      store_->FindMedicalRequestByFileId(unreadable.file_id);
  if (!found.ok()) return found.status();
  if (!kind.has_value() || !found->has_value() || (*found)->kind != *kind ||
      (*found)->state != MedicalRequestState::kPending) {
    Log(LogLevel::kWarning, kLog, "unreadable file ", unreadable.file_id,
        " matches no pending medical request; quarantined: ", ReasonOf(unreadable.error));
    return absl::OkStatus();
  }
  absl::Status failed = FailEntry(
      **found, MakeError(errors::kTerminalMalformedAnswer,
                         absl::StrCat("decoder: ", ToErrorDetail(unreadable.error).it_message())));
  return IsConflict(failed) ? absl::OkStatus() : failed;
}

// ---------------------------------------------------------------------------------------------
// Housekeeping.

absl::Status MedicalInfoCoordinator::Recover() {
  absl::StatusOr<std::vector<MedicalRequestEntry>> pending = store_->ListPendingMedicalRequests();
  if (!pending.ok()) return pending.status();
  const absl::Time now = clock_->Now();
  int expired = 0;
  for (const MedicalRequestEntry& entry : *pending) {
    if (entry.deadline > now) {
      absl::MutexLock lock(&mu_);
      recovered_.insert(entry.request_id);
      continue;
    }
    absl::Status status = ExpireEntry(entry);
    if (!status.ok() && !IsConflict(status)) return status;
    ++expired;
  }
  Log(LogLevel::kInfo, kLog, "recovery: ", pending->size(), " pending, ", expired, " timed out");
  return absl::OkStatus();
}

void MedicalInfoCoordinator::PlacePending() {
  absl::StatusOr<std::vector<MedicalRequestEntry>> pending = store_->ListPendingMedicalRequests();
  if (!pending.ok()) {
    Log(LogLevel::kWarning, kLog,
        "pending medical requests could not be read to place them "
        "again: ",
        ReasonOf(pending.status()));
    return;
  }
  int placed = 0;
  for (const MedicalRequestEntry& listed : *pending) {
    {
      absl::MutexLock lock(&mu_);
      if (shutdown_) break;
      // A request made since Recover was placed by its own call (the terminal may have taken the
      // file already: placing it again would ask the terminal twice).
      if (recovered_.erase(listed.request_id) == 0) continue;
    }
    // Read again: while earlier ones waited for a place, this one may have been answered or
    // timed out.
    absl::StatusOr<std::optional<MedicalRequestEntry>> current =
        store_->FindMedicalRequest(listed.request_id);
    if (!current.ok() || !current->has_value() ||
        (*current)->state != MedicalRequestState::kPending) {
      continue;
    }
    const MedicalRequestEntry& entry = **current;
    // The previous run may have died before the file reached req/. Placing it again is safe:
    // the name is the same and a file already there is kept.
    absl::Status submitted = Submit(entry);
    if (submitted.ok()) {
      ++placed;
    } else if (ReasonOf(submitted) == errors::kCancelled.reason) {
      break;
    } else if (ReasonOf(submitted) == errors::kTerminalBusy.reason) {
      absl::Status failed = FailEntry(entry, submitted);
      if (!failed.ok() && !IsConflict(failed)) {
        Log(LogLevel::kWarning, kLog, "failing request ", entry.request_id,
            " failed: ", ReasonOf(failed));
      }
    } else {
      // It stays pending and times out at its deadline, like a request nobody answered.
      Log(LogLevel::kWarning, kLog, MedicalInfoKindName(entry.kind), " request ", entry.request_id,
          " file ", entry.file_id, " could not be placed again: ", ReasonOf(submitted));
    }
  }
  Log(LogLevel::kInfo, kLog, "placed ", placed, " pending medical requests again");
}

void MedicalInfoCoordinator::ExpireOverdue() {
  const absl::Time now = clock_->Now();
  absl::StatusOr<std::vector<MedicalRequestEntry>> pending = store_->ListPendingMedicalRequests();
  if (!pending.ok()) {
    Log(LogLevel::kWarning, kLog,
        "expiry sweep could not read the ledger: ", ReasonOf(pending.status()));
  } else {
    for (const MedicalRequestEntry& entry : *pending) {
      if (entry.deadline > now) continue;
      absl::Status status = ExpireEntry(entry);
      if (!status.ok() && !IsConflict(status)) {
        Log(LogLevel::kWarning, kLog, "expiry of request ", entry.request_id,
            " failed: ", ReasonOf(status));
      }
    }
  }
  PurgeIfDue(now);
}

void MedicalInfoCoordinator::PurgeIfDue(absl::Time now) {
  {
    absl::MutexLock lock(&mu_);
    if (now - last_purge_ < kPurgeInterval) return;
    last_purge_ = now;
  }
  absl::StatusOr<int64_t> purged = store_->PurgeMedicalResults(now - options_.result_retention);
  if (!purged.ok()) {
    Log(LogLevel::kWarning, kLog, "purge of old results failed: ", ReasonOf(purged.status()));
  } else if (*purged > 0) {
    Log(LogLevel::kInfo, kLog, "purged the results of ", *purged, " medical requests");
  }
}

void MedicalInfoCoordinator::Shutdown() {
  absl::MutexLock lock(&mu_);
  shutdown_ = true;
  completed_.SignalAll();
}

// ---------------------------------------------------------------------------------------------
// gRPC.

grpc::Status MedicalInfoServiceImpl::GetMedicationHistory(
    grpc::ServerContext* context, const v1::GetMedicationHistoryRequest* request,
    v1::GetMedicationHistoryResponse* response) {
  absl::StatusOr<v1::GetMedicationHistoryResponse> result = coordinator_->GetMedicationHistory(
      *request, CallDeadline(*context), [context] { return context->IsCancelled(); });
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

grpc::Status MedicalInfoServiceImpl::GetCheckups(grpc::ServerContext* context,
                                                 const v1::GetCheckupsRequest* request,
                                                 v1::GetCheckupsResponse* response) {
  absl::StatusOr<v1::GetCheckupsResponse> result = coordinator_->GetCheckups(
      *request, CallDeadline(*context), [context] { return context->IsCancelled(); });
  if (!result.ok()) return ToGrpcStatus(result.status());
  *response = *std::move(result);
  return grpc::Status::OK;
}

}  // namespace onshi::service
