// The outage workflow, driven (docs/outage.md): visits materialised from the request ledger,
// self-declarations recorded by the clerk, the re-check queue drained in the background when
// the terminal answers again, billing-review items, and the claims view.
//
// Where "nothing is confirmed without a terminal answer" and "a re-check never silently changes
// what was collected" are kept on the service side: re-checks are 個別照会 that name no patient
// (the coordinator records nothing into the patient for them), and what they contradict becomes
// a BillingReviewItem for staff.

#ifndef ONSHI_PLUGIN_SERVICE_VISITS_H_
#define ONSHI_PLUGIN_SERVICE_VISITS_H_

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "onshi/v1/visit_service.pb.h"
#include "plugin/core/audit.h"
#include "plugin/core/ports.h"
#include "plugin/core/visit_store.h"

namespace onshi::service {

struct VisitOptions {
  // How often the drain loop looks at the queue while the terminal answers (new visits are
  // materialised and due re-checks placed at least this often).
  absl::Duration tick = absl::Seconds(1);
  // While the terminal is silent, only the oldest queued visit is tried, first after
  // probe_initial, then after twice as long each time it stays silent, at most probe_max.
  // Once one re-check is answered the rest of the queue is drained at once.
  absl::Duration probe_initial = absl::Seconds(5);
  absl::Duration probe_max = absl::Minutes(5);
  // A visit older than this many days (before today, Japan) is not re-checked: 再照会不可
  // becomes a billing-review item and the visit leaves the queue (it stays unconfirmed: 不詳).
  int recheck_max_age_days = 180;
  // A re-check call waits at most this long (the coordinator's answer timeout plus slack).
  absl::Duration recheck_call_timeout = absl::Seconds(35);
};

// Runs one 個別照会 without recording it into a patient (the request names none) and returns its
// outcome, as Coordinator::CheckQualification does, waiting at most until the deadline given.
using RecheckFunction = std::function<absl::StatusOr<v1::CheckQualificationResponse>(
    const v1::CheckQualificationRequest& request, absl::Time call_deadline)>;

// Thread-safe. Changes of a visit are serialised by one mutex (never held while a re-check
// waits for the terminal), so self-declarations, billing marks and the drain never overwrite
// each other. One Visits per store (the state directory lock makes sure of it).
class Visits {
 public:
  // `store`, `records` and `clock` are not owned and must outlive this object; `audit` may be
  // null (no audit rows are then written for background work).
  Visits(VisitOptions options, VisitStore* store, RecordStore* records, RecheckFunction recheck,
         AuditLog* audit, const Clock* clock);
  ~Visits();

  // Materialises a visit row for every check naming a patient that became unconfirmed, failed
  // or late and has none yet (queued at once: E1's re-check task). The drain loop and every
  // read below call it, so a visit is queued as soon as anybody looks. Errors: the store's.
  absl::Status Sync();

  // The visit `visit_id` (a check's request_id). Errors: NOT_FOUND (ONSHI_VISIT_NOT_FOUND) when
  // no check naming a patient has that id; FAILED_PRECONDITION (ONSHI_VISIT_STATE) while the
  // check still waits for its answer; the store's.
  absl::StatusOr<v1::Visit> GetVisit(const std::string& visit_id);

  // Records a self-declaration by `user_id` (required). Idempotent by request.request_id.
  // Errors: see visit_service.proto RecordSelfDeclaration; the store's.
  absl::StatusOr<v1::Visit> RecordSelfDeclaration(const v1::RecordSelfDeclarationRequest& request,
                                                  const std::string& user_id);

  // The queue, oldest first; `limit` 0 = all.
  absl::StatusOr<std::vector<v1::Visit>> ListRecheckQueue(int limit);

  absl::StatusOr<std::vector<v1::BillingReviewItem>> ListReviewItems(bool include_resolved,
                                                                     const std::string& month);
  // Errors: ONSHI_INVALID_USER_ID for an empty user; ONSHI_VISIT_NOT_FOUND for an unknown item.
  absl::StatusOr<v1::BillingReviewItem> ResolveReviewItem(const std::string& item_id,
                                                          const std::string& note,
                                                          const std::string& user_id);

  // Claims view (month "YYYYMM"; ONSHI_INVALID_ARGUMENT otherwise).
  absl::StatusOr<std::vector<v1::ClaimsVisit>> ListUnconfirmedVisits(const std::string& month);
  absl::StatusOr<std::vector<v1::ClaimsVisit>> ListChangedAfterBilling(const std::string& month);
  // Marks the visits of `month`, or `visit_ids`, billed now; returns how many were newly
  // marked. Visits answered in time have no row and are not counted (their confirmation
  // cannot change). Errors: ONSHI_VISIT_NOT_FOUND for an id naming no visit.
  absl::StatusOr<int> MarkBilled(const std::string& month,
                                 const std::vector<std::string>& visit_ids);

  // One pass over the queue (see docs/outage.md, "Drain"): late answers of the visits' own
  // checks and answered in-flight re-checks are applied; then due visits are re-checked, oldest
  // first, stopping at the first that stays unanswered (the terminal is silent: the next pass
  // after the probe backoff tries only the oldest again). Returns how many visits left the
  // queue. Blocks while re-checks wait for the terminal.
  absl::StatusOr<int> DrainOnce();

  // Starts the background loop (Sync + DrainOnce every tick). Call once.
  void Start();
  // Stops the loop and waits for it; a re-check in flight ends when the coordinator shuts down
  // (call its Shutdown first) or at its deadline. Idempotent.
  void Shutdown();

 private:
  // Applies a terminal answer for the visit (a re-check's or the visit's own late one): the
  // state, the findings as review items, the changed-after-billing flag. No-op when the visit
  // is no longer waiting for one.
  absl::Status ApplyAnswer(const std::string& visit_id, const std::string& request_id, bool late,
                           const v1::CheckQualificationResponse& response);
  // Takes the visit off the queue with `finding` (再照会不可).
  absl::Status Abandon(const std::string& visit_id, const std::string& reason_code,
                       const std::string& staff_message);
  // Marks the visit RECHECK_PENDING with the request id the re-check uses (kept across
  // restarts) and returns the request.
  absl::StatusOr<v1::CheckQualificationRequest> BeginRecheck(const std::string& visit_id);
  // Counts an unanswered re-check; with `per_visit_backoff` (the terminal answered with a
  // failure for this visit) the visit also waits before its next try.
  void NoteUnanswered(const std::string& visit_id, bool per_visit_backoff);
  absl::StatusOr<std::vector<v1::ClaimsVisit>> ListClaims(
      const std::string& month, const std::function<bool(const v1::Visit&)>& keep);
  void WriteAudit(const std::string& operation, const std::string& patient_id,
                  const std::string& request_id, const absl::Status& outcome,
                  const std::string& user_id);
  void Loop();

  const VisitOptions options_;
  VisitStore* const store_;
  RecordStore* const records_;
  const RecheckFunction recheck_;
  AuditLog* const audit_;
  const Clock* const clock_;

  // Serialises read-modify-write of visits and items.
  absl::Mutex mu_;
  // Drain state: the terminal stayed silent at the last try; the next probe is due then.
  absl::Mutex drain_mu_;
  bool terminal_silent_ ABSL_GUARDED_BY(drain_mu_) = false;
  absl::Duration probe_backoff_ ABSL_GUARDED_BY(drain_mu_);
  absl::Time next_probe_ ABSL_GUARDED_BY(drain_mu_) = absl::InfinitePast();

  absl::Notification stop_;
  std::thread loop_;
  bool started_ = false;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_VISITS_H_
