#include "plugin/service/visits.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"
#include "plugin/core/visits.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "visits";

// Checks materialised per store read while syncing.
constexpr int kSyncBatch = 500;

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

bool IsSet(const google::protobuf::Timestamp& t) { return t.seconds() != 0 || t.nanos() != 0; }

// The visit of a check the terminal answered in time: read from the ledger, no row.
v1::Visit DerivedVisit(const LedgerEntry& entry, v1::VisitState state) {
  v1::Visit visit;
  visit.set_visit_id(entry.request_id);
  visit.set_patient_id(entry.patient_id);
  visit.set_visit_date(entry.request.confirmation_date());
  visit.set_state(state);
  *visit.mutable_created_time() = ToProtoTime(entry.created_time);
  *visit.mutable_updated_time() = ToProtoTime(entry.updated_time);
  *visit.mutable_answer() = entry.response;
  return visit;
}

bool SameDeclaration(const v1::SelfDeclaration& stored,
                     const v1::RecordSelfDeclarationRequest& request) {
  return stored.document() == request.document() &&
         google::protobuf::util::MessageDifferencer::Equals(stored.card_face(),
                                                            request.card_face());
}

}  // namespace

Visits::Visits(VisitOptions options, VisitStore* store, RecordStore* records,
               RecheckFunction recheck, AuditLog* audit, const Clock* clock)
    : options_(std::move(options)),
      store_(store),
      records_(records),
      recheck_(std::move(recheck)),
      audit_(audit),
      clock_(clock) {
  absl::MutexLock lock(&drain_mu_);
  probe_backoff_ = options_.probe_initial;
}

Visits::~Visits() { Shutdown(); }

void Visits::WriteAudit(const std::string& operation, const std::string& patient_id,
                        const std::string& request_id, const absl::Status& outcome,
                        const std::string& user_id) {
  if (audit_ == nullptr) return;
  AuditEntry entry;
  entry.time = clock_->Now();
  entry.user_id = user_id;
  entry.operation = operation;
  entry.patient_id = patient_id;
  entry.request_id = request_id;
  entry.outcome_code = absl::StatusCodeToString(outcome.code());
  if (!outcome.ok()) entry.outcome_reason = std::string(ReasonOf(outcome));
  if (absl::Status s = audit_->Append(entry); !s.ok()) {
    Log(LogLevel::kError, kLog, "audit row for ", operation, " of ", request_id,
        " could not be written: ", ReasonOf(s));
  }
}

absl::Status Visits::Sync() {
  while (true) {
    absl::StatusOr<std::vector<std::string>> ids = store_->ListChecksWithoutVisit(kSyncBatch);
    if (!ids.ok()) return ids.status();
    if (ids->empty()) return absl::OkStatus();
    for (const std::string& id : *ids) {
      absl::StatusOr<std::optional<LedgerEntry>> entry = records_->FindRequest(id);
      if (!entry.ok()) return entry.status();
      if (!entry->has_value() || (*entry)->patient_id.empty()) {
        return MakeError(errors::kInternal, "a listed check vanished from the ledger");
      }
      const LedgerEntry& check = **entry;
      v1::Visit visit;
      visit.set_visit_id(check.request_id);
      visit.set_patient_id(check.patient_id);
      visit.set_visit_date(check.request.confirmation_date());
      visit.set_state(v1::VISIT_STATE_UNCONFIRMED);
      *visit.mutable_created_time() = ToProtoTime(check.created_time);
      *visit.mutable_updated_time() = ToProtoTime(clock_->Now());
      if (check.state == LedgerState::kFailed) {
        *visit.mutable_unconfirmed_reason() = check.error;
      } else {
        *visit.mutable_unconfirmed_reason() = check.response.unconfirmed_reason();
      }
      visit.set_queued(true);
      absl::StatusOr<bool> created = store_->CreateVisit(visit);
      if (!created.ok()) return created.status();
      if (*created) {
        Log(LogLevel::kInfo, kLog, "visit ", visit.visit_id(), " queued for a re-check");
        WriteAudit("recheck.queue", visit.patient_id(), visit.visit_id(), absl::OkStatus(),
                   std::string(kAuditSystemUserId));
      }
    }
    if (ids->size() < static_cast<size_t>(kSyncBatch)) return absl::OkStatus();
  }
}

absl::StatusOr<v1::Visit> Visits::GetVisit(const std::string& visit_id) {
  absl::StatusOr<std::optional<v1::Visit>> stored = store_->FindVisit(visit_id);
  if (!stored.ok()) return stored.status();
  if (stored->has_value()) return **stored;
  absl::StatusOr<std::optional<LedgerEntry>> entry = records_->FindRequest(visit_id);
  if (!entry.ok()) return entry.status();
  if (!entry->has_value() || (*entry)->patient_id.empty()) {
    return MakeError(errors::kVisitNotFound);
  }
  std::optional<v1::VisitState> state = InitialVisitState((*entry)->state, (*entry)->response);
  if (!state.has_value()) {
    return MakeError(errors::kVisitState, "the visit's check still waits for the terminal");
  }
  if (*state != v1::VISIT_STATE_UNCONFIRMED) return DerivedVisit(**entry, *state);
  if (absl::Status s = Sync(); !s.ok()) return s;
  stored = store_->FindVisit(visit_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return MakeError(errors::kInternal, "visit not materialised");
  return **stored;
}

absl::StatusOr<v1::Visit> Visits::RecordSelfDeclaration(
    const v1::RecordSelfDeclarationRequest& request, const std::string& user_id) {
  absl::StatusOr<v1::RecordSelfDeclarationRequest> normalized = NormalizeSelfDeclaration(request);
  if (!normalized.ok()) return normalized.status();
  if (user_id.empty()) {
    return MakeError(errors::kInvalidUserId, "a self-declaration needs the clerk's user id");
  }
  absl::StatusOr<v1::Visit> result = [&]() -> absl::StatusOr<v1::Visit> {
    absl::StatusOr<v1::Visit> current = GetVisit(normalized->visit_id());
    if (!current.ok()) return current.status();
    absl::MutexLock lock(&mu_);
    absl::StatusOr<std::optional<std::pair<std::string, v1::SelfDeclaration>>> earlier =
        store_->FindSelfDeclaration(normalized->request_id());
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      if ((*earlier)->first != normalized->visit_id() ||
          !SameDeclaration((*earlier)->second, *normalized)) {
        return MakeError(errors::kRequestIdConflict);
      }
      return GetVisit(normalized->visit_id());
    }
    // Read again under the lock: the drain may have changed it.
    absl::StatusOr<std::optional<v1::Visit>> stored = store_->FindVisit(normalized->visit_id());
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      return MakeError(errors::kVisitState, "the visit's check was answered by the terminal");
    }
    v1::Visit visit = **stored;
    absl::StatusOr<v1::VisitState> next =
        NextVisitState(visit.state(), VisitEvent{VisitEvent::Type::kSelfDeclared});
    if (!next.ok()) return next.status();
    const absl::Time now = clock_->Now();
    v1::SelfDeclaration declaration;
    declaration.set_document(normalized->document());
    *declaration.mutable_card_face() = normalized->card_face();
    declaration.set_recorded_by(user_id);
    *declaration.mutable_recorded_time() = ToProtoTime(now);
    declaration.set_request_id(normalized->request_id());
    visit.set_state(*next);
    *visit.mutable_self_declaration() = declaration;
    *visit.mutable_updated_time() = ToProtoTime(now);
    VisitUpdate update;
    update.visit = visit;
    update.declaration = std::move(declaration);
    if (absl::Status s = store_->UpdateVisit(update); !s.ok()) return s;
    Log(LogLevel::kInfo, kLog, "visit ", visit.visit_id(), " self-declared (request ",
        normalized->request_id(), ")");
    return visit;
  }();
  // The call's audit row (naming the clerk) is the interceptor's (audit_interceptor.h).
  return result;
}

absl::StatusOr<std::vector<v1::Visit>> Visits::ListRecheckQueue(int limit) {
  if (absl::Status s = Sync(); !s.ok()) return s;
  return store_->ListQueuedVisits(std::max(limit, 0));
}

absl::StatusOr<std::vector<v1::BillingReviewItem>> Visits::ListReviewItems(
    bool include_resolved, const std::string& month) {
  std::optional<std::pair<Date, Date>> range;
  if (!month.empty()) {
    absl::StatusOr<std::pair<Date, Date>> parsed = ParseMonth(month);
    if (!parsed.ok()) return parsed.status();
    range = *parsed;
  }
  return store_->ListReviewItems(include_resolved, range);
}

absl::StatusOr<v1::BillingReviewItem> Visits::ResolveReviewItem(const std::string& item_id,
                                                                const std::string& note,
                                                                const std::string& user_id) {
  if (user_id.empty()) {
    return MakeError(errors::kInvalidUserId, "resolving a review item needs the user id");
  }
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::optional<v1::BillingReviewItem>> found = store_->FindReviewItem(item_id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return MakeError(errors::kVisitNotFound, "billing-review item");
  v1::BillingReviewItem item = **found;
  if (item.resolved()) return item;
  item.set_resolved(true);
  item.set_resolved_by(user_id);
  *item.mutable_resolved_time() = ToProtoTime(clock_->Now());
  item.set_resolution_note(note);
  if (absl::Status s = store_->UpdateReviewItem(item); !s.ok()) return s;
  return item;
}

absl::StatusOr<std::vector<v1::ClaimsVisit>> Visits::ListClaims(
    const std::string& month, const std::function<bool(const v1::Visit&)>& keep) {
  absl::StatusOr<std::pair<Date, Date>> range = ParseMonth(month);
  if (!range.ok()) return range.status();
  if (absl::Status s = Sync(); !s.ok()) return s;
  absl::StatusOr<std::vector<v1::Visit>> visits =
      store_->ListVisitsByDate(range->first, range->second);
  if (!visits.ok()) return visits.status();
  std::vector<v1::ClaimsVisit> out;
  for (v1::Visit& visit : *visits) {
    if (!keep(visit)) continue;
    v1::ClaimsVisit& line = out.emplace_back();
    *line.mutable_rendering() = RenderForClaims(visit);
    *line.mutable_visit() = std::move(visit);
  }
  return out;
}

absl::StatusOr<std::vector<v1::ClaimsVisit>> Visits::ListUnconfirmedVisits(
    const std::string& month) {
  return ListClaims(month, [](const v1::Visit& v) { return IsAwaitingRecheck(v.state()); });
}

absl::StatusOr<std::vector<v1::ClaimsVisit>> Visits::ListChangedAfterBilling(
    const std::string& month) {
  return ListClaims(month, [](const v1::Visit& v) { return v.changed_after_billing(); });
}

absl::StatusOr<int> Visits::MarkBilled(const std::string& month,
                                       const std::vector<std::string>& visit_ids) {
  if (month.empty() == visit_ids.empty()) {
    return MakeError(errors::kInvalidArgument, "give either month or visit_ids");
  }
  if (absl::Status s = Sync(); !s.ok()) return s;
  std::vector<std::string> ids = visit_ids;
  if (!month.empty()) {
    absl::StatusOr<std::pair<Date, Date>> range = ParseMonth(month);
    if (!range.ok()) return range.status();
    absl::StatusOr<std::vector<v1::Visit>> visits =
        store_->ListVisitsByDate(range->first, range->second);
    if (!visits.ok()) return visits.status();
    for (const v1::Visit& visit : *visits) ids.push_back(visit.visit_id());
  }
  int marked = 0;
  absl::MutexLock lock(&mu_);
  const absl::Time now = clock_->Now();
  for (const std::string& id : ids) {
    absl::StatusOr<std::optional<v1::Visit>> stored = store_->FindVisit(id);
    if (!stored.ok()) return stored.status();
    if (!stored->has_value()) {
      absl::StatusOr<std::optional<LedgerEntry>> entry = records_->FindRequest(id);
      if (!entry.ok()) return entry.status();
      if (!entry->has_value() || (*entry)->patient_id.empty()) {
        return MakeError(errors::kVisitNotFound, "field visit_ids");
      }
      continue;  // Answered in time: its confirmation cannot change.
    }
    v1::Visit visit = **stored;
    if (IsSet(visit.billed_time())) continue;
    *visit.mutable_billed_time() = ToProtoTime(now);
    *visit.mutable_updated_time() = ToProtoTime(now);
    VisitUpdate update;
    update.visit = std::move(visit);
    if (absl::Status s = store_->UpdateVisit(update); !s.ok()) return s;
    ++marked;
  }
  return marked;
}

absl::Status Visits::ApplyAnswer(const std::string& visit_id, const std::string& request_id,
                                 bool late, const v1::CheckQualificationResponse& response) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::optional<v1::Visit>> stored = store_->FindVisit(visit_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return MakeError(errors::kVisitNotFound);
  v1::Visit visit = **stored;
  if (!IsAwaitingRecheck(visit.state())) return absl::OkStatus();
  const AnswerClass answer = ClassifyAnswer(response.result());
  absl::StatusOr<v1::VisitState> next =
      NextVisitState(visit.state(), VisitEvent{VisitEvent::Type::kRecheckAnswered, answer});
  if (!next.ok()) return next.status();
  const absl::Time now = clock_->Now();
  VisitUpdate update;
  for (ReviewFinding& finding : CompareRecheck(visit, response)) {
    v1::BillingReviewItem& item = update.new_items.emplace_back();
    item.set_item_id(NewRequestId());
    item.set_visit_id(visit.visit_id());
    item.set_patient_id(visit.patient_id());
    item.set_visit_date(visit.visit_date());
    item.set_reason_code(std::move(finding.reason_code));
    item.set_staff_message(std::move(finding.staff_message));
    *item.mutable_created_time() = ToProtoTime(now);
  }
  visit.set_state(*next);
  visit.set_queued(false);
  v1::Recheck& recheck = *visit.mutable_recheck();
  recheck.set_request_id(request_id);
  recheck.set_late_answer(late);
  *recheck.mutable_response() = response;
  *recheck.mutable_checked_time() = ToProtoTime(now);
  if (IsSet(visit.billed_time())) visit.set_changed_after_billing(true);
  *visit.mutable_updated_time() = ToProtoTime(now);
  update.visit = visit;
  absl::Status status = store_->UpdateVisit(update);
  if (status.ok()) {
    Log(LogLevel::kInfo, kLog, "visit ", visit_id, " re-checked",
        late ? " (late answer of its own check)" : "", ": ", v1::VisitState_Name(*next), ", ",
        update.new_items.size(), " review item(s)");
  }
  WriteAudit("recheck", visit.patient_id(), request_id, status, std::string(kAuditSystemUserId));
  return status;
}

absl::Status Visits::Abandon(const std::string& visit_id, const std::string& reason_code,
                             const std::string& staff_message) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::optional<v1::Visit>> stored = store_->FindVisit(visit_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return MakeError(errors::kVisitNotFound);
  v1::Visit visit = **stored;
  if (!visit.queued()) return absl::OkStatus();
  const absl::Time now = clock_->Now();
  visit.set_queued(false);
  visit.set_recheck_abandoned(true);
  *visit.mutable_updated_time() = ToProtoTime(now);
  VisitUpdate update;
  v1::BillingReviewItem& item = update.new_items.emplace_back();
  item.set_item_id(NewRequestId());
  item.set_visit_id(visit.visit_id());
  item.set_patient_id(visit.patient_id());
  item.set_visit_date(visit.visit_date());
  item.set_reason_code(reason_code);
  item.set_staff_message(staff_message);
  *item.mutable_created_time() = ToProtoTime(now);
  update.visit = visit;
  absl::Status status = store_->UpdateVisit(update);
  if (status.ok()) {
    Log(LogLevel::kWarning, kLog, "visit ", visit_id, " leaves the queue unchecked: ", reason_code);
  }
  WriteAudit("recheck.abandon", visit.patient_id(), visit_id, status,
             std::string(kAuditSystemUserId));
  return status;
}

absl::StatusOr<v1::CheckQualificationRequest> Visits::BeginRecheck(const std::string& visit_id) {
  absl::StatusOr<std::optional<LedgerEntry>> original = records_->FindRequest(visit_id);
  if (!original.ok()) return original.status();
  if (!original->has_value()) return MakeError(errors::kInternal, "visit without its check");
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::optional<v1::Visit>> stored = store_->FindVisit(visit_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return MakeError(errors::kVisitNotFound);
  v1::Visit visit = **stored;
  absl::StatusOr<v1::VisitState> next =
      NextVisitState(visit.state(), VisitEvent{VisitEvent::Type::kRecheckStarted});
  if (!next.ok()) return next.status();
  // The re-check keeps its request id across restarts and tries while its ledger entry may
  // still be answered (pending); a new one once the previous went unanswered.
  bool reuse = false;
  if (!visit.recheck_request_id().empty()) {
    absl::StatusOr<std::optional<LedgerEntry>> previous =
        records_->FindRequest(visit.recheck_request_id());
    if (!previous.ok()) return previous.status();
    reuse = !previous->has_value() || (*previous)->state == LedgerState::kPending;
  }
  if (!reuse) visit.set_recheck_request_id(NewRequestId());
  visit.set_state(*next);
  *visit.mutable_updated_time() = ToProtoTime(clock_->Now());
  VisitUpdate update;
  update.visit = visit;
  if (absl::Status s = store_->UpdateVisit(update); !s.ok()) return s;

  v1::CheckQualificationRequest request;
  request.set_request_id(visit.recheck_request_id());
  *request.mutable_identifiers() = (*original)->request.identifiers();
  request.set_birth_date((*original)->request.birth_date());
  request.set_confirmation_date(visit.visit_date());
  request.set_limit_certificate_consent((*original)->request.limit_certificate_consent());
  // No patient_id: the coordinator records nothing into the patient for a re-check.
  return request;
}

void Visits::NoteUnanswered(const std::string& visit_id, bool per_visit_backoff) {
  absl::MutexLock lock(&mu_);
  absl::StatusOr<std::optional<v1::Visit>> stored = store_->FindVisit(visit_id);
  if (!stored.ok() || !stored->has_value()) return;
  v1::Visit visit = **stored;
  visit.set_recheck_attempts(visit.recheck_attempts() + 1);
  const absl::Time now = clock_->Now();
  if (per_visit_backoff) {
    absl::Duration wait = options_.probe_initial;
    for (int i = 1; i < visit.recheck_attempts() && wait < options_.probe_max; ++i) wait *= 2;
    *visit.mutable_next_recheck_time() = ToProtoTime(now + std::min(wait, options_.probe_max));
  }
  *visit.mutable_updated_time() = ToProtoTime(now);
  VisitUpdate update;
  update.visit = std::move(visit);
  if (absl::Status s = store_->UpdateVisit(update); !s.ok()) {
    Log(LogLevel::kWarning, kLog, "visit ", visit_id, " attempt not counted: ", ReasonOf(s));
  }
}

absl::StatusOr<int> Visits::DrainOnce() {
  absl::StatusOr<std::vector<v1::Visit>> queue = store_->ListQueuedVisits(0);
  if (!queue.ok()) return queue.status();
  int done = 0;
  for (const v1::Visit& visit : *queue) {
    if (stop_.HasBeenNotified()) break;
    // The visit's own check answered late: that answer is its re-check (trap: a late answer
    // after a self-declaration).
    absl::StatusOr<std::optional<LedgerEntry>> own = records_->FindRequest(visit.visit_id());
    if (!own.ok()) return own.status();
    if (own->has_value() && (*own)->state == LedgerState::kLate) {
      if (absl::Status s =
              ApplyAnswer(visit.visit_id(), visit.visit_id(), /*late=*/true, (*own)->response);
          !s.ok()) {
        return s;
      }
      ++done;
      continue;
    }
    // A re-check answered (even late) since the last pass, e.g. before a restart.
    if (!visit.recheck_request_id().empty()) {
      absl::StatusOr<std::optional<LedgerEntry>> previous =
          records_->FindRequest(visit.recheck_request_id());
      if (!previous.ok()) return previous.status();
      if (previous->has_value() && ((*previous)->state == LedgerState::kAnswered ||
                                    (*previous)->state == LedgerState::kLate)) {
        if (absl::Status s =
                ApplyAnswer(visit.visit_id(), visit.recheck_request_id(),
                            (*previous)->state == LedgerState::kLate, (*previous)->response);
            !s.ok()) {
          return s;
        }
        ++done;
        continue;
      }
    }
    const absl::Time now = clock_->Now();
    if (IsSet(visit.next_recheck_time()) &&
        now < absl::FromUnixNanos(google::protobuf::util::TimeUtil::TimestampToNanoseconds(
                  visit.next_recheck_time()))) {
      continue;  // This visit failed at the terminal lately; it waits its own backoff.
    }
    {
      absl::MutexLock lock(&drain_mu_);
      // Not due: only late answers (above) are taken while the terminal is silent.
      if (terminal_silent_ && now < next_probe_) continue;
    }
    std::optional<Date> visit_date = ParseDate(visit.visit_date());
    if (!visit_date.has_value() ||
        !RecheckDateInRange(*visit_date, JapanDate(now), options_.recheck_max_age_days)) {
      ReviewFinding finding = TooOldFinding(options_.recheck_max_age_days);
      if (absl::Status s = Abandon(visit.visit_id(), finding.reason_code, finding.staff_message);
          !s.ok()) {
        return s;
      }
      ++done;
      continue;
    }
    absl::StatusOr<v1::CheckQualificationRequest> request = BeginRecheck(visit.visit_id());
    if (!request.ok()) return request.status();
    absl::StatusOr<v1::CheckQualificationResponse> response =
        recheck_(*request, now + options_.recheck_call_timeout);
    const bool answered = response.ok() && (response->outcome() == v1::CHECK_OUTCOME_ANSWERED ||
                                            response->outcome() == v1::CHECK_OUTCOME_LATE_ANSWER);
    if (answered) {
      {
        absl::MutexLock lock(&drain_mu_);
        if (terminal_silent_) Log(LogLevel::kInfo, kLog, "terminal answers again: draining");
        terminal_silent_ = false;
        probe_backoff_ = options_.probe_initial;
      }
      if (absl::Status s =
              ApplyAnswer(visit.visit_id(), request->request_id(), /*late=*/false, *response);
          !s.ok()) {
        return s;
      }
      ++done;
      continue;
    }
    if (!response.ok() && (ReasonOf(response.status()) == errors::kCancelled.reason)) break;
    if (!response.ok() && (ReasonOf(response.status()) == errors::kTerminalRejectedRequest.reason ||
                           response.status().code() == absl::StatusCode::kInvalidArgument)) {
      ReviewFinding finding = RefusedFinding();
      if (absl::Status s = Abandon(visit.visit_id(), finding.reason_code, finding.staff_message);
          !s.ok()) {
        return s;
      }
      ++done;
      continue;
    }
    if (!response.ok() &&
        (ReasonOf(response.status()) == errors::kTerminalFailed.reason ||
         ReasonOf(response.status()) == errors::kTerminalMalformedAnswer.reason)) {
      // The terminal answers, with a failure for this visit: it is not silent, and this visit
      // must not hold up the others. It waits (doubling, up to probe_max) and the pass goes on.
      NoteUnanswered(visit.visit_id(), /*per_visit_backoff=*/true);
      continue;
    }
    // Unanswered (UNCONFIRMED, busy): the terminal is silent. Try the oldest again later.
    NoteUnanswered(visit.visit_id(), /*per_visit_backoff=*/false);
    absl::MutexLock lock(&drain_mu_);
    if (terminal_silent_) probe_backoff_ = std::min(probe_backoff_ * 2, options_.probe_max);
    terminal_silent_ = true;
    next_probe_ = clock_->Now() + probe_backoff_;
    Log(LogLevel::kInfo, kLog, "re-check of visit ", visit.visit_id(), " unanswered; next try in ",
        absl::FormatDuration(probe_backoff_));
    break;
  }
  return done;
}

void Visits::Loop() {
  while (!stop_.HasBeenNotified()) {
    if (absl::Status s = Sync(); !s.ok()) {
      Log(LogLevel::kWarning, kLog, "queue sync failed: ", ReasonOf(s));
    }
    absl::StatusOr<int> drained = DrainOnce();
    if (!drained.ok()) {
      Log(LogLevel::kWarning, kLog, "drain pass failed: ", ReasonOf(drained.status()));
    }
    stop_.WaitForNotificationWithTimeout(options_.tick);
  }
}

void Visits::Start() {
  if (started_) return;
  started_ = true;
  loop_ = std::thread([this] { Loop(); });
}

void Visits::Shutdown() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (loop_.joinable()) loop_.join();
}

}  // namespace onshi::service
