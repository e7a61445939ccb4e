#include "plugin/service/checkins.h"

#include <chrono>
#include <optional>
#include <utility>
#include <vector>

#include "google/protobuf/util/time_util.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/core/billing_view.h"
#include "plugin/core/checkins.h"
#include "plugin/core/coverage_diff.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"
#include "plugin/core/validation.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "checkins";

// A waiting Watch re-checks cancellation this often (new events wake it at once).
constexpr std::chrono::milliseconds kCancelPollInterval{100};

// Events read from the store per query while a watcher catches up.
constexpr int kPageSize = 64;

// How often recording is tried again after losing a race for the patient's coverage.
constexpr int kRecordAttempts = 5;

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

bool IsMatched(const v1::PatientMatch& match) {
  return match.kind() == v1::PATIENT_MATCH_KIND_REFERENCE_NUMBER ||
         match.kind() == v1::PATIENT_MATCH_KIND_IDENTIFIERS;
}

absl::string_view MatchName(v1::PatientMatchKind kind) {
  switch (kind) {
    case v1::PATIENT_MATCH_KIND_REFERENCE_NUMBER:
      return "reference number";
    case v1::PATIENT_MATCH_KIND_IDENTIFIERS:
      return "identifiers";
    case v1::PATIENT_MATCH_KIND_NONE:
      return "none";
    case v1::PATIENT_MATCH_KIND_AMBIGUOUS:
      return "ambiguous";
    default:
      return "unspecified";
  }
}

}  // namespace

Checkins::Checkins(CheckinOptions options, CheckinStore* store, RecordStore* records,
                   PatientDirectory* directory, ConsentStore* consents, const Clock* clock)
    : options_(std::move(options)),
      store_(store),
      records_(records),
      directory_(directory),
      consents_(consents),
      clock_(clock) {}

absl::StatusOr<AnswerDisposition> Checkins::OnAnswer(const IncomingAnswer& answer) {
  const v1::QualificationResult* result = AnswerAs<v1::QualificationResult>(answer);
  if (answer.kind != DocumentKind::kFaceCheckin || result == nullptr) {
    Log(LogLevel::kWarning, kLog, "file ", answer.file_id,
        " is not a card-reader check-in; quarantined");
    return AnswerDisposition::kQuarantine;
  }
  if (absl::Status valid = ValidateQualificationResult(*result); !valid.ok()) {
    Log(LogLevel::kWarning, kLog, "check-in file ", answer.file_id,
        " is invalid; quarantined: ", ReasonOf(valid), " ", ToErrorDetail(valid).it_message());
    return AnswerDisposition::kQuarantine;
  }
  if (result->medical_institution_code() != options_.medical_institution_code) {
    Log(LogLevel::kWarning, kLog, "check-in file ", answer.file_id,
        " is for another medical institution; quarantined");
    return AnswerDisposition::kQuarantine;
  }
  for (int attempt = 0; attempt < kRecordAttempts; ++attempt) {
    absl::Status recorded = Record(answer, *result);
    if (recorded.ok()) return AnswerDisposition::kProcessed;
    if (recorded.code() != absl::StatusCode::kAborted) return recorded;
    // Lost the race for the patient's coverage to a check: read again and retry.
  }
  return MakeError(errors::kStoreConflict, "check-in could not be recorded after retries");
}

absl::Status Checkins::Record(const IncomingAnswer& answer, const v1::QualificationResult& result) {
  // The transport redelivers a file whose recording it did not see succeed; the store is what
  // knows whether it was recorded.
  absl::StatusOr<std::optional<v1::CheckinEvent>> existing =
      store_->FindCheckinByFileId(answer.file_id);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) {
    Log(LogLevel::kInfo, kLog, "check-in file ", answer.file_id, " already recorded as event ",
        (*existing)->event_id(), "; duplicate ignored");
    // The ledger rows may be what failed last time: appending again adds only what is missing.
    return AppendConsents(**existing);
  }

  absl::StatusOr<v1::PatientMatch> match = MatchCheckinPatient(result, *directory_);
  if (!match.ok()) return match.status();
  const Date confirmation_date = CheckinConfirmationDate(result, answer.received_time);
  // --- consent: 限度額 data leaves onshi only under the patient's 限度額 consent ---
  v1::QualificationResult cleaned = result;
  bool limit_allowed = true;
  for (v1::QualificationRecord& record : *cleaned.mutable_records()) {
    if (record.limit_certificate_consent().flag() == v1::CONSENT_FLAG_GIVEN) continue;
    limit_allowed = false;
    if (StripLimitCertificate(&record)) {
      Log(LogLevel::kWarning, kLog, "check-in file ", answer.file_id,
          " carried 限度額 data without the patient's consent; removed");
    }
  }
  // --- end of consent ---

  CheckinWrite write;
  v1::CheckinEvent& event = write.event;
  event.set_event_id(NewRequestId());
  *event.mutable_received_time() = ToProtoTime(answer.received_time);
  *event.mutable_result() = cleaned;
  *event.mutable_billing() = DeriveBillingView(cleaned, confirmation_date);
  if (!limit_allowed) StripLimitCertificate(event.mutable_billing());
  *event.mutable_match() = *match;
  v1::Provenance& provenance = *event.mutable_provenance();
  provenance.set_source(v1::SOURCE_CARD_READER);
  // A check-in is a check without a request: its event id stands for the request id wherever
  // the record refers to "the check" (confirmations, coverage provenance).
  provenance.set_request_id(event.event_id());
  provenance.set_file_id(answer.file_id);
  *provenance.mutable_answered_time() = event.received_time();
  provenance.set_process_execution_time(result.process_execution_time());
  provenance.set_confirmation_date(FormatDate(confirmation_date));

  if (IsMatched(*match)) {
    const std::string& patient_id = match->patient_id();
    // Matching needs exactly one qualification in the file, so records(0) is the patient's.
    absl::StatusOr<std::optional<v1::CoverageVersion>> current =
        records_->GetCurrentCoverage(patient_id);
    if (!current.ok()) return current.status();
    PlannedCoverageWrite plan = PlanCoverageWrite(
        patient_id, current->has_value() ? &**current : nullptr, cleaned.records(0),
        cleaned.qualification_validity(), provenance, ToProtoTime(clock_->Now()));
    *event.mutable_record_write() = std::move(plan.write);
    write.coverage = std::move(plan.update);
    v1::Confirmation& confirmation = write.confirmation.emplace();
    confirmation.set_request_id(event.event_id());
    confirmation.set_outcome(v1::CHECK_OUTCOME_ANSWERED);
    confirmation.set_validity(result.qualification_validity());
    *confirmation.mutable_provenance() = provenance;
  }

  // The consents first: once the event is visible to hosts, what it consented to is on record
  // (a host may ask for medication the moment it sees the check-in).
  if (absl::Status appended = AppendConsents(event); !appended.ok()) return appended;
  bool created = false;
  absl::StatusOr<v1::CheckinEvent> stored = store_->RecordCheckin(write, &created);
  if (!stored.ok()) return stored.status();
  if (!created) {
    Log(LogLevel::kInfo, kLog, "check-in file ", answer.file_id, " already recorded as event ",
        stored->event_id(), "; duplicate ignored");
    return absl::OkStatus();
  }
  Log(LogLevel::kInfo, kLog, "check-in file ", answer.file_id, " recorded as event ",
      stored->event_id(), " (sequence ", stored->sequence(), ", match ",
      MatchName(stored->match().kind()), ")");
  NotifyRecorded();
  return absl::OkStatus();
}

absl::Status Checkins::AppendConsents(const v1::CheckinEvent& event) {
  if (!IsMatched(event.match()) || event.result().records_size() != 1) return absl::OkStatus();
  // A refusal carries no ConsTime: it happened when the reader answered (ProcessExecutionTime,
  // the clock ConsTime comes from), else when onshi received the file.
  absl::StatusOr<absl::Time> executed = ParseJstTimestamp(event.result().process_execution_time());
  const absl::Time observed_at =
      executed.ok() ? *executed
                    : absl::FromUnixNanos(google::protobuf::util::TimeUtil::TimestampToNanoseconds(
                          event.received_time()));
  // The card reader is at the institution: its consents are on-site ones (docs/consent.md).
  std::vector<ConsentRecord> records;
  const v1::QualificationRecord& record = event.result().records(0);
  for (ConsentScope scope : AllConsentScopes()) {
    const v1::Consent& consent = ConsentOf(record, scope);
    if (consent.flag() == v1::CONSENT_FLAG_UNSPECIFIED) continue;
    absl::StatusOr<ConsentRecord> converted =
        ConsentFromCardReader(scope, consent, ConsentSetting::kOutpatient, observed_at);
    if (!converted.ok()) {
      // A malformed consent grants nothing; the check-in itself stays recorded.
      Log(LogLevel::kWarning, kLog, "event ", event.event_id(), " consent scope ",
          ConsentScopeName(scope), " is not usable: ", ReasonOf(converted.status()));
      continue;
    }
    records.push_back(*std::move(converted));
  }
  if (records.empty()) return absl::OkStatus();
  absl::StatusOr<std::vector<StoredConsent>> stored = consents_->AppendConsents(
      event.match().patient_id(), CheckinConsentOrigin(event.provenance().file_id()), "", records);
  if (!stored.ok()) {
    Log(LogLevel::kWarning, kLog, "event ", event.event_id(),
        " consents could not be recorded: ", ReasonOf(stored.status()));
    return stored.status();
  }
  return absl::OkStatus();
}

absl::Status Checkins::OnRequestRejected(const RejectedRequest& rejected) {
  Log(LogLevel::kWarning, kLog, "rejection of ", DocumentKindName(rejected.kind), " file ",
      rejected.file_id, " routed to check-ins; ignored");
  return absl::OkStatus();
}

absl::Status Checkins::OnUnreadableAnswer(const UnreadableAnswer& unreadable) {
  Log(LogLevel::kWarning, kLog, "check-in file ", unreadable.file_id,
      " could not be read and was quarantined: ", ReasonOf(unreadable.error));
  return absl::OkStatus();
}

void Checkins::NotifyRecorded() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++recordings_;
  }
  recorded_.notify_all();
}

absl::Status Checkins::Watch(const v1::WatchCheckinsRequest& request,
                             const std::function<bool(const v1::CheckinEvent&)>& emit,
                             const std::function<bool()>& cancelled) {
  if (request.after_sequence() < 0) {
    return MakeError(errors::kInvalidArgument, "after_sequence must not be negative");
  }
  if (request.max_events() < 0) {
    return MakeError(errors::kInvalidArgument, "max_events must not be negative");
  }
  int64_t cursor = request.after_sequence();
  int64_t sent = 0;
  while (true) {
    int64_t seen;
    {
      // Read before the store: an event recorded between the query and the wait below bumps
      // the counter, so the wait returns at once instead of missing it.
      std::lock_guard<std::mutex> lock(mu_);
      if (shutdown_) return MakeError(errors::kCancelled, "onshi is shutting down");
      seen = recordings_;
    }
    absl::StatusOr<std::vector<v1::CheckinEvent>> page =
        store_->ListUnacknowledgedCheckins(cursor, kPageSize);
    if (!page.ok()) return page.status();
    for (const v1::CheckinEvent& event : *page) {
      if (cancelled && cancelled()) return MakeError(errors::kCancelled);
      if (!emit(event)) return absl::OkStatus();
      cursor = event.sequence();
      if (request.max_events() > 0 && ++sent >= request.max_events()) return absl::OkStatus();
    }
    if (static_cast<int>(page->size()) == kPageSize) continue;  // More may be waiting.
    if (request.backlog_only()) return absl::OkStatus();

    std::unique_lock<std::mutex> lock(mu_);
    while (recordings_ == seen && !shutdown_) {
      if (cancelled && cancelled()) return MakeError(errors::kCancelled);
      recorded_.wait_for(lock, kCancelPollInterval);
    }
  }
}

absl::StatusOr<v1::CheckinEvent> Checkins::Acknowledge(const std::string& event_id) {
  if (event_id.empty() || event_id.size() > 64 ||
      event_id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789._-") != std::string::npos) {
    return MakeError(
        errors::kInvalidArgument,
        "event_id must be 1-64 characters of [A-Za-z0-9._-], as WatchCheckins gave it");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shutdown_) return MakeError(errors::kCancelled, "onshi is shutting down");
  }
  absl::StatusOr<v1::CheckinEvent> acknowledged =
      store_->AcknowledgeCheckin(event_id, clock_->Now());
  if (acknowledged.ok()) Log(LogLevel::kInfo, kLog, "event ", event_id, " acknowledged");
  return acknowledged;
}

void Checkins::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutdown_ = true;
  }
  recorded_.notify_all();
}

}  // namespace onshi::service
