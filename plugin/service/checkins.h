// Card-reader check-ins (docs/checkins.md): the face/ files the terminal writes unasked become
// durable events, matched to a patient of the record, that hosts watch and acknowledge.
//
// A check-in is recorded (durably, once per face file) before its file leaves face/; the
// transport redelivers a file whose recording failed, and a file delivered twice is recorded
// once. Watchers are woken the moment an event is recorded: no polling interval between the
// file's arrival and the host.

#ifndef ONSHI_PLUGIN_SERVICE_CHECKINS_H_
#define ONSHI_PLUGIN_SERVICE_CHECKINS_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onshi/v1/checkin_service.pb.h"
#include "plugin/core/checkin_store.h"
#include "plugin/core/consent_store.h"
#include "plugin/core/ports.h"

namespace onshi::service {

struct CheckinOptions {
  // This institution's 医療機関コード; check-ins for another code are quarantined.
  std::string medical_institution_code;
};

// Thread-safe. Must outlive the transport it is a sink of (stop the transport first) and every
// Watch call (Shutdown ends them).
class Checkins final : public AnswerSink {
 public:
  // None of the pointers is owned; all must outlive this object. `records` gives the matched
  // patient's current coverage, `directory` the matching (plugin/core/checkins.h), `consents`
  // the consent ledger every matched check-in's card-reader consents are appended to
  // (docs/consent.md).
  Checkins(CheckinOptions options, CheckinStore* store, RecordStore* records,
           PatientDirectory* directory, ConsentStore* consents, const Clock* clock);

  // AnswerSink for kFaceCheckin (routed by AnswerRouter; called on the transport's thread).
  // A check-in that fails ValidateQualificationResult, carries no QualificationResult, or names
  // another 医療機関コード is quarantined. A face file already recorded returns kProcessed and
  // writes nothing. Otherwise the patient is matched, the billing view derived for
  // CheckinConfirmationDate, and the event recorded with, for a matched patient, its
  // confirmation and (when the insurance changed) a new coverage version; then watchers wake.
  // Consent (docs/consent.md): a record whose LimitApplicationCertificateRelatedConsFlg is not
  // 同意 is stored and passed on without its 限度額 data (the terminal should not send it; onshi
  // does not pass it on), and a matched check-in's consents of every scope are appended to the
  // ledger under the event id, also when the file was recorded before (idempotent).
  // Errors (the file stays in face/ and is delivered again): the store's and the directory's.
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override;
  // Check-ins have no request: nothing is ever rejected. Logged.
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override;
  // A face file that could not be decoded (already quarantined by the transport). Logged.
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override;

  // Passes to `emit` every unacknowledged event after request.after_sequence, oldest first, then
  // each new one as it is recorded, until `emit` returns false (the caller is gone: OK),
  // request.max_events were passed (OK), request.backlog_only and the waiting events were
  // passed (OK), `cancelled()` returns true (checked at least every 100 ms: CANCELLED), or
  // Shutdown() (CANCELLED). Blocks the calling thread throughout.
  // Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for a negative after_sequence or
  // max_events; CANCELLED (ONSHI_CANCELLED); the store's (ONSHI_STORE_UNAVAILABLE).
  absl::Status Watch(const v1::WatchCheckinsRequest& request,
                     const std::function<bool(const v1::CheckinEvent&)>& emit,
                     const std::function<bool()>& cancelled);

  // Marks an event handled (idempotent). Returns it as stored, with its acknowledged_time.
  // Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an empty or malformed event id
  // (more than 64 characters, or not [A-Za-z0-9._-]); NOT_FOUND (ONSHI_CHECKIN_NOT_FOUND);
  // the store's.
  absl::StatusOr<v1::CheckinEvent> Acknowledge(const std::string& event_id);

  // Ends every Watch with CANCELLED; later calls fail the same way. Idempotent.
  void Shutdown();

 private:
  // Records the check-in of `answer` (after the checks of OnAnswer). ABORTED when a concurrent
  // coverage write won; the caller retries.
  absl::Status Record(const IncomingAnswer& answer, const v1::QualificationResult& result);
  // Appends the card-reader consents of a matched `event` to the ledger (idempotent by event).
  absl::Status AppendConsents(const v1::CheckinEvent& event);
  void NotifyRecorded();

  const CheckinOptions options_;
  CheckinStore* const store_;
  RecordStore* const records_;
  PatientDirectory* const directory_;
  ConsentStore* const consents_;
  const Clock* const clock_;

  // std::mutex rather than absl::Mutex: ThreadSanitizer cannot see Debian's absl::Mutex.
  std::mutex mu_;
  std::condition_variable recorded_;
  // Bumped (and watchers woken) whenever an event is recorded.
  int64_t recordings_ ABSL_GUARDED_BY(mu_) = 0;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_CHECKINS_H_
