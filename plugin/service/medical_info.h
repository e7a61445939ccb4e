// 薬剤情報 (YZK) and 特定健診情報 (TKK) end to end: the MedicalInfoCoordinator drives the requests
// through their ledger (plugin/core/medical_store.h) and the terminal, and MedicalInfoServiceImpl
// serves onshi.v1.MedicalInfoService on top of it. docs/medical-info.md describes the flow.
//
// As for qualification checks: a request is recorded (durably) before its file is written; the
// terminal's answer is recorded when it arrives, whether or not a caller still waits; a request
// whose deadline passes without an answer is TIMED OUT (ONSHI_MEDICAL_INFO_TIMEOUT, an error:
// there is no "unconfirmed" medication history), and an answer arriving after that is kept as
// LATE and returned to a retry with the same request_id. Answers are PHI: they are kept for
// MedicalInfoOptions::result_retention and then purged.
//
// Consent (docs/consent.md): a new request is first judged by onshi's consent ledger
// (EvaluateConsent for 薬剤 / 特定健診 in the request's care setting, at the clock's now, with
// the holder facts of the patient's current coverage); a refusal is FAILED_PRECONDITION
// (ONSHI_NO_CONSENT, ONSHI_CONSENT_EXPIRED, ONSHI_CONSENT_WRONG_SETTING,
// ONSHI_CONSENT_NEVER_AVAILABLE, ONSHI_ELIGIBILITY_ONLY), nothing is written for the terminal
// and nothing is recorded (a retry with the same request_id is judged again). The terminal still
// judges what it is sent: its refusal (ResultCode 2) is ONSHI_NO_CONSENT as before.

#ifndef ONSHI_PLUGIN_SERVICE_MEDICAL_INFO_H_
#define ONSHI_PLUGIN_SERVICE_MEDICAL_INFO_H_

#include <cstdint>
#include <functional>
#include <set>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "onshi/v1/medical_info_service.grpc.pb.h"
#include "onshi/v1/medical_info_service.pb.h"
#include "plugin/core/consent_store.h"
#include "plugin/core/medical_store.h"
#include "plugin/core/ports.h"

namespace onshi::service {

struct MedicalInfoOptions {
  // This institution's 医療機関コード (validated by the configuration): sent in every request;
  // an answer stating another one is quarantined.
  std::string medical_institution_code;
  // How long a request waits for the terminal before it is timed out.
  absl::Duration answer_timeout = absl::Seconds(30);
  // How long an answered request keeps its document and response (PHI) for retries with the
  // same request_id; then they are purged and such a retry gets ONSHI_NO_CONSENT. 24 h: an
  // outpatient's consent lasts 24 h (oqs-interface.md §7).
  absl::Duration result_retention = absl::Hours(24);
};

// Thread-safe. Must outlive the transport it is a sink of (stop the transport first).
class MedicalInfoCoordinator final : public AnswerSink {
 public:
  // `records` (coverage and patients), `store` (the medical ledger), `consents` (the consent
  // ledger), `transport` and `clock` are not owned and must outlive the coordinator.
  MedicalInfoCoordinator(MedicalInfoOptions options, RecordStore* records,
                         MedicalRequestStore* store, ConsentStore* consents,
                         TerminalTransport* transport, const Clock* clock);

  // After a restart: requests whose deadline passed are timed out; the others stay pending for
  // PlacePending. Errors: the store's.
  absl::Status Recover();

  // After Recover, once the transport has started: places every request Recover left pending
  // again under its file id, oldest first (a second answer is a duplicate the ledger ignores).
  // Requests made since Recover are not placed again by it (their own call placed them, and the
  // terminal may have taken the file already). The transport may make each wait for a place at
  // the terminal, so this blocks: run it on a thread of its own. A request that gets no place
  // before its deadline fails with ONSHI_TERMINAL_BUSY; one that cannot be placed otherwise stays
  // pending until its deadline. Returns early after Shutdown() or once the transport stops.
  void PlacePending();

  // Times out every pending request whose deadline has passed, and at most once a minute purges
  // results older than the retention. Called periodically; errors are logged.
  void ExpireOverdue();

  // Asks the terminal for the patient's medication history (GetMedicationHistory RPC) and
  // blocks until it answers, the request's deadline passes (ONSHI_MEDICAL_INFO_TIMEOUT),
  // `call_deadline` passes (ONSHI_DEADLINE_EXCEEDED: the request goes on; a retry with the same
  // request_id returns its outcome), `cancelled()` returns true or Shutdown() is called
  // (ONSHI_CANCELLED). Errors: those of the contract (proto/onshi/v1/medical_info_service.proto).
  absl::StatusOr<v1::GetMedicationHistoryResponse> GetMedicationHistory(
      const v1::GetMedicationHistoryRequest& request, absl::Time call_deadline,
      const std::function<bool()>& cancelled);

  // The same for 特定健診 (GetCheckups RPC).
  absl::StatusOr<v1::GetCheckupsResponse> GetCheckups(const v1::GetCheckupsRequest& request,
                                                      absl::Time call_deadline,
                                                      const std::function<bool()>& cancelled);

  // Wakes every waiting call with CANCELLED; later calls fail the same way.
  void Shutdown();

  // AnswerSink for kMedicationResult and kCheckupResult (routed by AnswerRouter; called on the
  // transport's thread). An answer that matches no request of its kind, states another
  // institution, or carries no document is quarantined without touching the ledger.
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override;
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override;
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override;

 private:
  // The common path of both RPCs: `fresh` holds kind, request_id, patient_id and the
  // normalized request of its kind. Returns the entry once it left kPending.
  absl::StatusOr<MedicalRequestEntry> Run(MedicalRequestEntry fresh, absl::Time call_deadline,
                                          const std::function<bool()>& cancelled);
  // The document for a new entry (the patient's current coverage, the resolved months).
  absl::Status BuildDocument(MedicalRequestEntry* entry, absl::Time now);
  // onshi's consent gate for a new entry at `now` (after BuildDocument found the coverage).
  absl::Status CheckConsent(const MedicalRequestEntry& entry, absl::Time now);
  // A request_id seen before: the same request (kind and normalized request) or a conflict.
  absl::Status CheckSameRequest(const MedicalRequestEntry& stored,
                                const MedicalRequestEntry& fresh) const;
  // Places the entry's document, waiting at most until its deadline for a place at the terminal.
  absl::Status Submit(const MedicalRequestEntry& entry);
  // Tells the transport nobody waits for the entry's answer any more.
  void Release(const MedicalRequestEntry& entry);
  absl::StatusOr<MedicalRequestEntry> AwaitCompletion(const std::string& request_id,
                                                      absl::Time entry_deadline,
                                                      absl::Time call_deadline,
                                                      const std::function<bool()>& cancelled);
  // pending → timed out, if still pending. A lost race with an answer is not an error.
  absl::Status ExpireEntry(const MedicalRequestEntry& entry);
  // `from` → failed with `error`.
  absl::Status FailEntry(const MedicalRequestEntry& entry, const absl::Status& error);
  // Records `answer` for `entry` (pending or timed out).
  absl::Status RecordAnswer(const MedicalRequestEntry& entry, const IncomingAnswer& answer);
  // OK when callers may be given the stored response; the stored error otherwise.
  absl::Status OutcomeOf(const MedicalRequestEntry& entry) const;
  void PurgeIfDue(absl::Time now);
  void NotifyCompleted();

  const MedicalInfoOptions options_;
  RecordStore* const records_;
  MedicalRequestStore* const store_;
  ConsentStore* const consents_;
  TerminalTransport* const transport_;
  const Clock* const clock_;

  absl::Mutex mu_;
  // Bumped (and waiters woken) whenever an entry leaves kPending.
  int64_t completions_ ABSL_GUARDED_BY(mu_) = 0;
  absl::CondVar completed_;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_purge_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  // The requests Recover left pending: what the previous run may not have placed.
  std::set<std::string> recovered_ ABSL_GUARDED_BY(mu_);
};

// gRPC handlers of onshi.v1.MedicalInfoService: thin, every decision is the coordinator's.
class MedicalInfoServiceImpl final : public v1::MedicalInfoService::Service {
 public:
  // `coordinator` is not owned and must outlive the service.
  explicit MedicalInfoServiceImpl(MedicalInfoCoordinator* coordinator)
      : coordinator_(coordinator) {}

  grpc::Status GetMedicationHistory(grpc::ServerContext* context,
                                    const v1::GetMedicationHistoryRequest* request,
                                    v1::GetMedicationHistoryResponse* response) override;
  grpc::Status GetCheckups(grpc::ServerContext* context, const v1::GetCheckupsRequest* request,
                           v1::GetCheckupsResponse* response) override;

 private:
  MedicalInfoCoordinator* const coordinator_;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_MEDICAL_INFO_H_
