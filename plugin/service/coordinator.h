// The coordinator drives qualification checks through the request ledger and the terminal:
// it is where "nothing is confirmed that no terminal answer confirmed" is kept.
//
// A check is recorded in the ledger (durably) before its file is written; the terminal's answer
// is recorded when it arrives, whether or not a caller is still waiting for it; a check whose
// deadline passes without an answer becomes UNCONFIRMED, and an answer arriving after that is
// kept as LATE, linked to its request, without touching the patient's coverage.

#ifndef ONSHI_PLUGIN_SERVICE_COORDINATOR_H_
#define ONSHI_PLUGIN_SERVICE_COORDINATOR_H_

#include <functional>
#include <memory>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "plugin/core/ports.h"

namespace onshi::service {

struct CoordinatorOptions {
  // This institution's 医療機関コード; answers for another code are quarantined.
  std::string medical_institution_code;
  // How long a check waits for the terminal before it is UNCONFIRMED.
  absl::Duration answer_timeout = absl::Seconds(30);
};

// Thread-safe. Must outlive the transport it is the sink of (stop the transport first).
class Coordinator final : public AnswerSink {
 public:
  // `store`, `transport` and `clock` are not owned and must outlive the coordinator.
  Coordinator(CoordinatorOptions options, RecordStore* store, TerminalTransport* transport,
              const Clock* clock);

  // After a restart, before the transport starts: checks whose deadline passed become
  // UNCONFIRMED. The others stay pending for PlacePending, which places only these. Errors: the
  // store's.
  absl::Status Recover();

  // After Recover, once the transport has started: places every check Recover left pending
  // again for the terminal under its file id, oldest first (a duplicate answer is recorded once).
  // Checks made since Recover are not placed again by it: their own call placed them, and the
  // terminal may already have taken the file, so a second placement would be a second request
  // at the terminal. The transport may make each wait for a place at the terminal (B12), so this
  // blocks; run it on a thread of its own. A check whose deadline passes while it waits becomes
  // UNCONFIRMED (ONSHI_TERMINAL_BUSY); one that cannot be placed stays pending until its deadline.
  // Returns early after Shutdown() or once the transport stops.
  void PlacePending();

  // Turns every pending check whose deadline has passed into UNCONFIRMED. Called periodically,
  // so a check nobody waits for any more still reaches its final state on time.
  void ExpireOverdue();

  // Runs one 個別照会. Blocks until the terminal answers, the check's deadline passes
  // (UNCONFIRMED outcome; its reason is ONSHI_TERMINAL_BUSY when the check never got a place at
  // the terminal), `call_deadline` passes (DEADLINE_EXCEEDED: the check goes on and a retry with
  // the same request_id returns its outcome), `cancelled()` returns true (CANCELLED), or
  // Shutdown() is called (CANCELLED). While the transport makes a new check wait for a place at
  // the terminal, only the check's own deadline and the transport's Stop end the wait: the check
  // is placed whether or not this caller still waits.
  absl::StatusOr<v1::CheckQualificationResponse> CheckQualification(
      const v1::CheckQualificationRequest& request, absl::Time call_deadline,
      const std::function<bool()>& cancelled);

  absl::StatusOr<v1::PatientRecord> GetPatientRecord(const std::string& patient_id);

  // Wakes every waiting call with CANCELLED; later calls fail the same way.
  void Shutdown();

  // AnswerSink for kQualificationAnswer (routed by AnswerRouter; called on the transport's
  // thread). Only the 個別照会 kinds are handled so far:
  // answers of every other kind (check-ins included) are quarantined with a warning, so nothing
  // is dropped; rejections and unreadable answers of other kinds are logged and left in
  // quarantine by the transport.
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override;
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override;
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override;

 private:
  // Waits until the entry leaves kPending or one of the limits passes. Returns the entry as
  // stored at that point.
  absl::StatusOr<LedgerEntry> AwaitCompletion(const std::string& request_id,
                                              absl::Time check_deadline, absl::Time call_deadline,
                                              const std::function<bool()>& cancelled);
  // pending → unconfirmed, if still pending, with `reason` as the unconfirmed reason; the request
  // gives back its place at the terminal. A lost race with an answer is ABORTED.
  absl::Status ExpireEntry(const LedgerEntry& entry, const absl::Status& reason);
  // pending → failed with `error`; the request gives back its place at the terminal.
  absl::Status FailEntry(const LedgerEntry& entry, const absl::Status& error);
  // Records an on-time answer (with the coverage write) or a late one. `result` is the answer's
  // document.
  absl::Status RecordAnswer(const LedgerEntry& entry, const IncomingAnswer& answer,
                            const v1::QualificationResult& result);
  // The outcome callers get for an entry that is no longer pending.
  absl::StatusOr<v1::CheckQualificationResponse> OutcomeOf(const LedgerEntry& entry) const;
  v1::Provenance ProvenanceFor(const LedgerEntry& entry) const;
  void NotifyCompleted();

  const CoordinatorOptions options_;
  RecordStore* const store_;
  TerminalTransport* const transport_;
  const Clock* const clock_;

  absl::Mutex mu_;
  // Bumped (and waiters woken) whenever a ledger entry leaves kPending.
  int64_t completions_ ABSL_GUARDED_BY(mu_) = 0;
  absl::CondVar completed_;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  // The checks Recover left pending: what the previous run may not have placed.
  std::set<std::string> recovered_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_COORDINATOR_H_
