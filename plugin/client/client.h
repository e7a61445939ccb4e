// The client side of libonshi.so: one long-lived gRPC channel to the onshi service, either to
// onshid over its Unix socket or to a service running in this process (embedded mode). The C
// ABI (plugin/capi) is a thin layer over this class; nothing here is exported.
//
// Every call has a deadline and returns by it, whatever state onshid is in: a call first waits
// (at most the connect timeout, at most its deadline) for a connection, then runs with
// wait_for_ready so that a sidecar restart in between is ridden over. Failures come back as
// absl::Status built from the one error catalogue (plugin/core/errors.h): errors the service
// sends carry its ErrorDetail; failures of the channel itself become ONSHI_SIDECAR_UNAVAILABLE
// or ONSHI_DEADLINE_EXCEEDED.

#ifndef ONSHI_PLUGIN_CLIENT_CLIENT_H_
#define ONSHI_PLUGIN_CLIENT_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "onshi/v1/batch_service.pb.h"
#include "onshi/v1/billing_service.pb.h"  // self-pay cap
#include "onshi/v1/checkin_service.pb.h"
#include "onshi/v1/consent_service.pb.h"  // consent ledger
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/medical_info_service.pb.h"
#include "onshi/v1/record_service.pb.h"  // write-back
#include "onshi/v1/reference_number_service.pb.h"
#include "onshi/v1/visit_service.pb.h"  // outage workflow

namespace onshi::service {
struct RuntimeOverrides;
}  // namespace onshi::service

namespace onshi::client {

// A running check-in subscription (Client::SubscribeCheckins). Destroying it stops it.
class CheckinSubscription {
 public:
  virtual ~CheckinSubscription() = default;
  // Ends the subscription: no callback starts after it returns, and it waits for a running one
  // to finish, except when called from inside the callback (then it returns at once and the
  // callback's thread ends when the callback returns). Idempotent; thread-safe.
  virtual void Stop() = 0;
};

// Limits on every timeout the client accepts (the C ABI checks them too).
inline constexpr absl::Duration kMaxTimeout = absl::Hours(24);

struct ClientOptions {
  // Exactly one of these is non-empty.
  // Path of onshid's Unix socket.
  std::string socket_path;
  // Path of a SidecarConfig text file: run the service in this process.
  std::string embedded_config_path;

  // Deadline of every call; zero means the per-call defaults (kDefaultCheckTimeout for checks,
  // kDefaultBulkTimeout for batches and 照会番号 registrations, kDefaultCallTimeout for
  // everything else).
  absl::Duration timeout = absl::ZeroDuration();
  // Longest wait for a connection to onshid within a call; zero means kDefaultConnectTimeout.
  absl::Duration connect_timeout = absl::ZeroDuration();

  // The host's user id sent with every call (metadata onshi-user-id, recorded in the audit
  // log); "" sends none. Open refuses one IsValidUserId refuses (ONSHI_INVALID_USER_ID).
  std::string user_id;
};

inline constexpr absl::Duration kDefaultCheckTimeout = absl::Seconds(35);
inline constexpr absl::Duration kDefaultCallTimeout = absl::Seconds(5);
inline constexpr absl::Duration kDefaultConnectTimeout = absl::Seconds(5);
// In embedded mode the default check deadline is at least the terminal's answer timeout plus
// this margin, so an unanswered check returns UNCONFIRMED rather than DEADLINE_EXCEEDED.
inline constexpr absl::Duration kCheckTimeoutMargin = absl::Seconds(5);
// A batch or a registration lasts as long as the terminal takes: by default as long as the
// service lets one run (terminal.bulk_timeout_ms, 1 h by default) and a little more.
inline constexpr absl::Duration kDefaultBulkTimeout = absl::Minutes(65);

// Thread-safe: any number of threads may call concurrently. Destruction must not race with
// calls.
class Client {
 public:
  // Sidecar mode connects lazily (this succeeds whether or not onshid runs). Embedded mode
  // loads the configuration and starts the service.
  // Errors: ONSHI_INVALID_ARGUMENT (not exactly one mode, timeouts out of range),
  // ONSHI_CONFIG_INVALID (configuration unreadable or invalid; state directory already served
  // by another embedded client in this process), whatever Runtime::Start reports.
  static absl::StatusOr<std::unique_ptr<Client>> Open(const ClientOptions& options);

  // Embedded mode with parts of the service replaced (plugin/service/runtime.h, which callers
  // include): for benchmarks and tests that link the client statically. libonshi.so never calls
  // it, so no host can reach it. `options.embedded_config_path` must be set and `socket_path`
  // empty. Errors: as Open.
  static absl::StatusOr<std::unique_ptr<Client>> OpenEmbedded(const ClientOptions& options,
                                                              service::RuntimeOverrides overrides);

  virtual ~Client() = default;

  // --- audit log ---
  // Replaces the user id sent with every call (ClientOptions::user_id); "" stops sending one.
  // Calls started after it returns carry the new id; calls under way keep theirs.
  // Errors: INVALID_ARGUMENT (ONSHI_INVALID_USER_ID) for an id IsValidUserId refuses (the id
  // in use is unchanged). Thread-safe.
  virtual absl::Status SetUserId(const std::string& user_id) = 0;
  // --- end of audit log ---

  // `timeout` zero means the client's default. Errors: the service's (with its reason and
  // texts), ONSHI_SIDECAR_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED, ONSHI_CANCELLED.
  virtual absl::StatusOr<v1::CheckQualificationResponse> CheckQualification(
      const v1::CheckQualificationRequest& request, absl::Duration timeout) = 0;

  virtual absl::StatusOr<v1::PatientRecord> GetPatientRecord(const std::string& patient_id,
                                                             absl::Duration timeout) = 0;

  // grpc.health.v1.Health/Check for the whole server: true when SERVING.
  virtual absl::StatusOr<bool> Health(absl::Duration timeout) = 0;

  // --- Card-reader check-ins (onshi.v1.CheckinService, docs/checkins.md) ---

  // The next unacknowledged check-in after this client's cursor (0 when opened), waiting up to
  // `wait` for one to arrive; zero `wait` takes only one already waiting (within the client's
  // default call timeout). A returned event moves the cursor to its sequence, so the next call
  // gives the one after it, acknowledged or not; a new client starts again from the oldest
  // unacknowledged. nullopt when none arrived in time. Concurrent calls are serialised: a call
  // that cannot start before its own deadline returns nullopt.
  // Errors: ONSHI_SIDECAR_UNAVAILABLE (no connection to onshid by the deadline), the service's.
  virtual absl::StatusOr<std::optional<v1::CheckinEvent>> NextCheckin(absl::Duration wait) = 0;

  // AcknowledgeCheckin. `timeout` zero means the client's default. Errors: the service's
  // (ONSHI_CHECKIN_NOT_FOUND, ONSHI_INVALID_ARGUMENT), ONSHI_SIDECAR_UNAVAILABLE,
  // ONSHI_DEADLINE_EXCEEDED.
  virtual absl::Status AcknowledgeCheckin(const std::string& event_id, absl::Duration timeout) = 0;

  // Calls `on_event` on a thread of its own for every unacknowledged check-in after
  // `after_sequence`, then for each new one, until the subscription is stopped (or destroyed,
  // or this client destroyed: that stops it first). A broken stream (onshid restarting) is
  // reopened with backoff (50 ms doubling to 1 s) and resumes after the last sequence passed to
  // `on_event`. Errors: ONSHI_INVALID_ARGUMENT for a negative after_sequence or an empty
  // callback; ONSHI_INTERNAL when the thread cannot start.
  virtual absl::StatusOr<std::unique_ptr<CheckinSubscription>> SubscribeCheckins(
      int64_t after_sequence, std::function<void(const v1::CheckinEvent&)> on_event) = 0;
  // --- end of check-ins ---

  // --- 一括照会 and 照会番号 registration (onshi.v1.BatchService, ReferenceNumberService) ---

  // Runs or resumes the batch (RunBatchCheck) and passes each event of its stream to `on_event`
  // on the calling thread (which may take the event's contents: it is not used afterwards),
  // every patient's result once per call: when the stream breaks (onshid
  // restarted) it is opened again while the deadline allows, and results already passed on are
  // not passed on again. Returns OK after the final progress event (done). `on_event` returning
  // false ends the call with CANCELLED (the batch goes on). `timeout` zero means the client's
  // default (kDefaultBulkTimeout unless the client has a timeout). After any error the batch
  // goes on in the service: the same request resumes it (every recorded result again).
  // Errors: the service's (ONSHI_BATCH_TOO_LARGE, ONSHI_REQUEST_ID_CONFLICT, the request's
  // validation reasons, ...), ONSHI_SIDECAR_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED,
  // ONSHI_CANCELLED.
  virtual absl::Status RunBatchCheck(const v1::RunBatchCheckRequest& request,
                                     absl::Duration timeout,
                                     const std::function<bool(v1::BatchCheckEvent&)>& on_event) = 0;

  // RegisterReferenceNumbers. `timeout` zero means the client's default (as for
  // RunBatchCheck). Errors: the service's, ONSHI_SIDECAR_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED
  // (the registration goes on: the same request returns its outcomes).
  virtual absl::StatusOr<v1::RegisterReferenceNumbersResponse> RegisterReferenceNumbers(
      const v1::RegisterReferenceNumbersRequest& request, absl::Duration timeout) = 0;
  // --- end of batches and 照会番号 ---

  // --- 薬剤情報 / 特定健診 (onshi.v1.MedicalInfoService, docs/medical-info.md) ---

  // GetMedicationHistory / GetCheckups. `timeout` zero means the client's check timeout (as for
  // CheckQualification: in embedded mode at least the terminal's answer timeout plus a margin,
  // so an unanswered request returns ONSHI_MEDICAL_INFO_TIMEOUT rather than the call's own
  // deadline). Safe to retry: the service is idempotent by request_id. Errors: the service's
  // (ONSHI_NO_CONSENT, ONSHI_NO_COVERAGE, ONSHI_PATIENT_NOT_FOUND, ONSHI_INVALID_MONTH_RANGE,
  // ONSHI_MEDICAL_INFO_TIMEOUT, ...), ONSHI_SIDECAR_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED,
  // ONSHI_CANCELLED.
  virtual absl::StatusOr<v1::GetMedicationHistoryResponse> GetMedicationHistory(
      const v1::GetMedicationHistoryRequest& request, absl::Duration timeout) = 0;
  virtual absl::StatusOr<v1::GetCheckupsResponse> GetCheckups(const v1::GetCheckupsRequest& request,
                                                              absl::Duration timeout) = 0;
  // --- end of medical information ---

  // --- write-back (onshi.v1.RecordService, docs/record.md) ---

  // PreviewWriteBack / WriteBack. `timeout` zero means the client's default call timeout. Safe
  // to retry (the service is idempotent by request_id). Errors: the service's
  // (ONSHI_NOT_CONFIRMED, ONSHI_VERSION_CONFLICT, ONSHI_PATIENT_NOT_FOUND,
  // ONSHI_REQUEST_ID_CONFLICT, validation reasons), ONSHI_SIDECAR_UNAVAILABLE,
  // ONSHI_DEADLINE_EXCEEDED.
  virtual absl::StatusOr<v1::RecordPreview> PreviewWriteBack(const std::string& patient_id,
                                                             const std::string& source_request_id,
                                                             absl::Duration timeout) = 0;
  virtual absl::StatusOr<v1::WriteBackResponse> WriteBack(const v1::WriteBackRequest& request,
                                                          absl::Duration timeout) = 0;
  // --- end of write-back ---

  // --- self-pay cap (onshi.v1.BillingService, docs/billing.md) ---

  // GetSelfPayCap. `timeout` zero means the client's default call timeout. Reads only: safe to
  // retry. Errors: the service's (ONSHI_LIMIT_CATEGORY_UNKNOWN, ONSHI_NO_COVERAGE,
  // ONSHI_PATIENT_NOT_FOUND, ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_ARGUMENT),
  // ONSHI_SIDECAR_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED.
  virtual absl::StatusOr<v1::GetSelfPayCapResponse> GetSelfPayCap(
      const v1::GetSelfPayCapRequest& request, absl::Duration timeout) = 0;
  // --- end of self-pay cap ---

  // --- consent ledger (onshi.v1.ConsentService, docs/consent.md) ---

  // ListConsents / RecordStaffConsent. `timeout` zero means the client's default call timeout.
  // Safe to retry (reads; RecordStaffConsent is idempotent by request_id). Errors: the
  // service's (ONSHI_PATIENT_NOT_FOUND, ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_REQUEST_ID,
  // ONSHI_REQUEST_ID_CONFLICT, ONSHI_INVALID_ARGUMENT), ONSHI_SIDECAR_UNAVAILABLE,
  // ONSHI_DEADLINE_EXCEEDED.
  virtual absl::StatusOr<v1::ListConsentsResponse> ListConsents(
      const v1::ListConsentsRequest& request, absl::Duration timeout) = 0;
  virtual absl::StatusOr<v1::RecordStaffConsentResponse> RecordStaffConsent(
      const v1::RecordStaffConsentRequest& request, absl::Duration timeout) = 0;
  // RecordAdmission / RecordDischarge: idempotent by request_id (safe to retry). Errors as above,
  // plus ONSHI_INVALID_USER_ID (no user id set), ONSHI_ALREADY_ADMITTED, ONSHI_NOT_ADMITTED.
  virtual absl::StatusOr<v1::RecordAdmissionResponse> RecordAdmission(
      const v1::RecordAdmissionRequest& request, absl::Duration timeout) = 0;
  virtual absl::StatusOr<v1::RecordDischargeResponse> RecordDischarge(
      const v1::RecordDischargeRequest& request, absl::Duration timeout) = 0;
  // --- end of consent ledger ---

  // --- outage workflow (onshi.v1.VisitService, docs/outage.md) ---
  // `timeout` zero means the client's default call timeout. Safe to retry (reads;
  // RecordSelfDeclaration is idempotent by request_id, MarkBilled marks a visit once). Errors:
  // the service's (ONSHI_VISIT_NOT_FOUND, ONSHI_VISIT_STATE, ONSHI_INVALID_SELF_DECLARATION,
  // ONSHI_INVALID_REQUEST_ID, ONSHI_REQUEST_ID_CONFLICT, ONSHI_INVALID_USER_ID,
  // ONSHI_INVALID_ARGUMENT), ONSHI_SIDECAR_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED.
  virtual absl::StatusOr<v1::Visit> RecordSelfDeclaration(
      const v1::RecordSelfDeclarationRequest& request, absl::Duration timeout) = 0;
  virtual absl::StatusOr<v1::Visit> GetVisit(const std::string& visit_id,
                                             absl::Duration timeout) = 0;
  virtual absl::StatusOr<v1::ListVisitsResponse> ListRecheckQueue(int32_t limit,
                                                                  absl::Duration timeout) = 0;
  virtual absl::StatusOr<v1::ListBillingReviewItemsResponse> ListBillingReviewItems(
      const v1::ListBillingReviewItemsRequest& request, absl::Duration timeout) = 0;
  // `changed_after_billing` false: ListUnconfirmedVisits; true: ListChangedAfterBilling.
  virtual absl::StatusOr<v1::ListClaimsResponse> ListClaims(const std::string& month,
                                                            bool changed_after_billing,
                                                            absl::Duration timeout) = 0;
  virtual absl::StatusOr<v1::MarkBilledResponse> MarkBilled(const v1::MarkBilledRequest& request,
                                                            absl::Duration timeout) = 0;
  virtual absl::StatusOr<v1::BillingReviewItem> ResolveBillingReviewItem(
      const v1::ResolveBillingReviewItemRequest& request, absl::Duration timeout) = 0;
  // --- end of outage workflow ---
};

}  // namespace onshi::client

#endif  // ONSHI_PLUGIN_CLIENT_CLIENT_H_
