#include "plugin/client/client.h"

#include <sys/un.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/channel_arguments.h"
#include "onshi/v1/batch_service.grpc.pb.h"
#include "onshi/v1/billing_service.grpc.pb.h"  // self-pay cap
#include "onshi/v1/checkin_service.grpc.pb.h"
#include "onshi/v1/config.pb.h"
#include "onshi/v1/consent_service.grpc.pb.h"  // consent ledger
#include "onshi/v1/eligibility_service.grpc.pb.h"
#include "onshi/v1/medical_info_service.grpc.pb.h"
#include "onshi/v1/record_service.grpc.pb.h"  // write-back
#include "onshi/v1/reference_number_service.grpc.pb.h"
#include "onshi/v1/visit_service.grpc.pb.h"  // outage workflow
#include "plugin/client/checkin_subscription.h"
#include "plugin/client/user_id.h"  // audit log
#include "plugin/common/log.h"
#include "plugin/common/uds.h"
#include "plugin/core/errors.h"
#include "plugin/service/grpc_status.h"
#include "plugin/service/runtime.h"

namespace onshi::client {
namespace {

constexpr absl::string_view kLogComponent = "client";

// Answers are small, but a patient record with a long history is not; gRPC's default of 4 MiB
// would turn a large record into an error.
constexpr int kMaxMessageBytes = 64 * 1024 * 1024;

// How long closing an embedded client waits for calls still running in the service.
constexpr absl::Duration kEmbeddedShutdownGrace = absl::Seconds(5);

std::chrono::system_clock::time_point ToDeadline(std::chrono::system_clock::time_point now,
                                                 absl::Duration timeout) {
  return now + absl::ToChronoMilliseconds(timeout);
}

grpc::ChannelArguments BaseChannelArguments() {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(kMaxMessageBytes);
  args.SetMaxSendMessageSize(kMaxMessageBytes);
  return args;
}

// The service running in this process, served on an in-process channel.
struct EmbeddedService {
  std::unique_ptr<service::Runtime> runtime;
  std::unique_ptr<grpc::Server> server;

  ~EmbeddedService() {
    // Waiting calls end with CANCELLED first, so the server's shutdown does not wait for a
    // terminal answer that may never come.
    if (runtime != nullptr) runtime->Shutdown();
    if (server != nullptr) {
      server->Shutdown(ToDeadline(std::chrono::system_clock::now(), kEmbeddedShutdownGrace));
      server->Wait();
    }
    server.reset();
    runtime.reset();
  }
};

class ChannelClient final : public Client {
 public:
  ChannelClient(std::shared_ptr<grpc::Channel> channel, std::unique_ptr<EmbeddedService> embedded,
                absl::Duration check_timeout, absl::Duration call_timeout,
                absl::Duration connect_timeout, absl::Duration bulk_timeout)
      : embedded_(std::move(embedded)),
        channel_(std::move(channel)),
        stub_(v1::EligibilityService::NewStub(channel_)),
        health_stub_(grpc::health::v1::Health::NewStub(channel_)),
        checkin_stub_(v1::CheckinService::NewStub(channel_)),
        batch_stub_(v1::BatchService::NewStub(channel_)),
        reference_number_stub_(v1::ReferenceNumberService::NewStub(channel_)),
        bulk_timeout_(bulk_timeout),
        medical_stub_(v1::MedicalInfoService::NewStub(channel_)),
        record_stub_(v1::RecordService::NewStub(channel_)),    // write-back
        billing_stub_(v1::BillingService::NewStub(channel_)),  // self-pay cap
        consent_stub_(v1::ConsentService::NewStub(channel_)),  // consent ledger
        visit_stub_(v1::VisitService::NewStub(channel_)),      // outage workflow
        check_timeout_(check_timeout),
        call_timeout_(call_timeout),
        connect_timeout_(connect_timeout) {}

  ~ChannelClient() override {
    // Subscriptions use checkin_stub_ from their own threads: stopped (and waited for) first.
    StopCheckinSubscriptions();
    // The stubs and the channel go before the embedded server they may point into.
    checkin_stub_.reset();
    batch_stub_.reset();
    reference_number_stub_.reset();
    medical_stub_.reset();
    record_stub_.reset();   // write-back
    billing_stub_.reset();  // self-pay cap
    consent_stub_.reset();  // consent ledger
    visit_stub_.reset();    // outage workflow
    health_stub_.reset();
    stub_.reset();
    channel_.reset();
    embedded_.reset();
  }

  // --- audit log ---
  absl::Status SetUserId(const std::string& user_id) override { return user_id_->Set(user_id); }

  // The holder the channel's interceptor reads (set once, right after construction).
  void set_user_id_holder(std::shared_ptr<UserIdHolder> holder) { user_id_ = std::move(holder); }
  // --- end of audit log ---

  absl::StatusOr<v1::CheckQualificationResponse> CheckQualification(
      const v1::CheckQualificationRequest& request, absl::Duration timeout) override {
    v1::CheckQualificationResponse response;
    absl::Status status = Invoke(timeout == absl::ZeroDuration() ? check_timeout_ : timeout,
                                 [&](grpc::ClientContext* context) {
                                   return stub_->CheckQualification(context, request, &response);
                                 });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::PatientRecord> GetPatientRecord(const std::string& patient_id,
                                                     absl::Duration timeout) override {
    v1::GetPatientRecordRequest request;
    request.set_patient_id(patient_id);
    v1::GetPatientRecordResponse response;
    absl::Status status = Invoke(timeout == absl::ZeroDuration() ? call_timeout_ : timeout,
                                 [&](grpc::ClientContext* context) {
                                   return stub_->GetPatientRecord(context, request, &response);
                                 });
    if (!status.ok()) return status;
    return std::move(*response.mutable_record());
  }

  absl::StatusOr<bool> Health(absl::Duration timeout) override {
    grpc::health::v1::HealthCheckRequest request;  // "": the server as a whole.
    grpc::health::v1::HealthCheckResponse response;
    absl::Status status = Invoke(timeout == absl::ZeroDuration() ? call_timeout_ : timeout,
                                 [&](grpc::ClientContext* context) {
                                   return health_stub_->Check(context, request, &response);
                                 });
    if (!status.ok()) return status;
    return response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
  }

  // --- Card-reader check-ins ---

  absl::StatusOr<std::optional<v1::CheckinEvent>> NextCheckin(absl::Duration wait) override {
    const auto deadline =
        ToDeadline(std::chrono::system_clock::now(),
                   wait == absl::ZeroDuration() ? call_timeout_ : std::min(wait, kMaxTimeout));
    // One poll at a time, so that two never return the same event; a call that cannot start
    // before its deadline saw nothing arrive in time.
    std::unique_lock<std::timed_mutex> lock(next_mu_, std::defer_lock);
    if (!lock.try_lock_until(deadline)) return std::nullopt;
    v1::WatchCheckinsRequest request;
    request.set_after_sequence(checkin_cursor_);
    request.set_max_events(1);
    request.set_backlog_only(wait == absl::ZeroDuration());
    for (int attempt = 1;; ++attempt) {
      if (absl::Status s = AwaitConnection(deadline); !s.ok()) return s;
      grpc::ClientContext context;
      context.set_deadline(deadline);
      context.set_wait_for_ready(true);
      std::unique_ptr<grpc::ClientReader<v1::CheckinEvent>> reader =
          checkin_stub_->WatchCheckins(&context, request);
      v1::CheckinEvent event;
      const bool got = reader->Read(&event);
      if (got) context.TryCancel();  // The server ends the stream itself after max_events.
      const grpc::Status status = reader->Finish();
      if (got) {
        checkin_cursor_ = event.sequence();
        return event;
      }
      if (status.ok()) return std::nullopt;  // backlog_only: nothing waiting.
      const bool no_detail = status.error_details().empty();
      if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED && no_detail) {
        // Nothing arrived in time, unless the time went waiting for a lost connection.
        if (embedded_ != nullptr ||
            channel_->GetState(/*try_to_connect=*/false) == GRPC_CHANNEL_READY) {
          return std::nullopt;
        }
        return MakeError(errors::kSidecarUnavailable,
                         "the connection to onshid was lost and not re-established before the "
                         "deadline");
      }
      // The stream broke (onshid restarted): open it again while the deadline allows.
      if (embedded_ == nullptr && attempt < kMaxAttempts &&
          status.error_code() == grpc::StatusCode::UNAVAILABLE && no_detail &&
          std::chrono::system_clock::now() < deadline) {
        continue;
      }
      return FromGrpcStatus(status);
    }
  }

  absl::Status AcknowledgeCheckin(const std::string& event_id, absl::Duration timeout) override {
    v1::AcknowledgeCheckinRequest request;
    request.set_event_id(event_id);
    v1::AcknowledgeCheckinResponse response;
    return Invoke(timeout == absl::ZeroDuration() ? call_timeout_ : timeout,
                  [&](grpc::ClientContext* context) {
                    return checkin_stub_->AcknowledgeCheckin(context, request, &response);
                  });
  }

  absl::StatusOr<std::unique_ptr<CheckinSubscription>> SubscribeCheckins(
      int64_t after_sequence, std::function<void(const v1::CheckinEvent&)> on_event) override {
    absl::StatusOr<std::shared_ptr<SubscriptionCore>> core =
        SubscriptionCore::Start(checkin_stub_.get(), after_sequence, std::move(on_event));
    if (!core.ok()) return core.status();
    {
      std::lock_guard<std::mutex> lock(subscriptions_mu_);
      subscriptions_.erase(
          std::remove_if(subscriptions_.begin(), subscriptions_.end(),
                         [](const std::weak_ptr<SubscriptionCore>& s) { return s.expired(); }),
          subscriptions_.end());
      subscriptions_.push_back(*core);
    }
    return std::make_unique<CheckinSubscriptionImpl>(*std::move(core));
  }
  // --- end of check-ins ---

  // --- 一括照会 and 照会番号 registration ---

  absl::Status RunBatchCheck(const v1::RunBatchCheckRequest& request, absl::Duration timeout,
                             const std::function<bool(v1::BatchCheckEvent&)>& on_event) override {
    const auto deadline = ToDeadline(std::chrono::system_clock::now(),
                                     timeout == absl::ZeroDuration() ? bulk_timeout_ : timeout);
    // Rows passed on in this call, by index: a reopened stream replays them.
    std::vector<bool> passed;
    int attempt = 0;
    while (true) {
      ++attempt;
      if (absl::Status s = AwaitConnection(deadline); !s.ok()) return s;
      grpc::ClientContext context;
      context.set_deadline(deadline);
      context.set_wait_for_ready(true);
      std::unique_ptr<grpc::ClientReader<v1::BatchCheckEvent>> reader =
          batch_stub_->RunBatchCheck(&context, request);
      v1::BatchCheckEvent event;
      bool stopped = false;
      while (reader->Read(&event)) {
        if (event.has_result()) {
          const int32_t index = event.result().index();
          if (index < 0) continue;
          if (static_cast<size_t>(index) >= passed.size()) passed.resize(index + 1, false);
          if (passed[index]) continue;
          passed[index] = true;
          // A stream that delivers something is progress: breaks after it get fresh attempts.
          attempt = 0;
        }
        if (!on_event(event)) {
          stopped = true;
          context.TryCancel();
          break;
        }
      }
      const grpc::Status status = reader->Finish();
      if (stopped) {
        return MakeError(errors::kCancelled, "the host stopped the batch call; the batch goes on");
      }
      if (status.ok()) return absl::OkStatus();
      // The stream broke (onshid restarted): open it again while the deadline allows.
      if (embedded_ == nullptr && attempt < kMaxAttempts &&
          status.error_code() == grpc::StatusCode::UNAVAILABLE && status.error_details().empty() &&
          std::chrono::system_clock::now() < deadline) {
        Log(LogLevel::kDebug, kLogComponent, "batch stream broke; reopening");
        continue;
      }
      if (embedded_ == nullptr && status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
          status.error_details().empty() &&
          channel_->GetState(/*try_to_connect=*/false) != GRPC_CHANNEL_READY) {
        return MakeError(errors::kSidecarUnavailable,
                         "the connection to onshid was lost and not re-established before the "
                         "deadline");
      }
      return FromGrpcStatus(status);
    }
  }

  absl::StatusOr<v1::RegisterReferenceNumbersResponse> RegisterReferenceNumbers(
      const v1::RegisterReferenceNumbersRequest& request, absl::Duration timeout) override {
    v1::RegisterReferenceNumbersResponse response;
    absl::Status status = Invoke(timeout == absl::ZeroDuration() ? bulk_timeout_ : timeout,
                                 [&](grpc::ClientContext* context) {
                                   return reference_number_stub_->RegisterReferenceNumbers(
                                       context, request, &response);
                                 });
    if (!status.ok()) return status;
    return response;
  }
  // --- end of batches and 照会番号 ---

  // --- 薬剤情報 / 特定健診 ---

  absl::StatusOr<v1::GetMedicationHistoryResponse> GetMedicationHistory(
      const v1::GetMedicationHistoryRequest& request, absl::Duration timeout) override {
    v1::GetMedicationHistoryResponse response;
    absl::Status status =
        Invoke(timeout == absl::ZeroDuration() ? check_timeout_ : timeout,
               [&](grpc::ClientContext* context) {
                 return medical_stub_->GetMedicationHistory(context, request, &response);
               });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::GetCheckupsResponse> GetCheckups(const v1::GetCheckupsRequest& request,
                                                      absl::Duration timeout) override {
    v1::GetCheckupsResponse response;
    absl::Status status = Invoke(timeout == absl::ZeroDuration() ? check_timeout_ : timeout,
                                 [&](grpc::ClientContext* context) {
                                   return medical_stub_->GetCheckups(context, request, &response);
                                 });
    if (!status.ok()) return status;
    return response;
  }
  // --- end of medical information ---

  // --- write-back ---

  absl::StatusOr<v1::RecordPreview> PreviewWriteBack(const std::string& patient_id,
                                                     const std::string& source_request_id,
                                                     absl::Duration timeout) override {
    v1::PreviewWriteBackRequest request;
    request.set_patient_id(patient_id);
    request.set_source_request_id(source_request_id);
    v1::PreviewWriteBackResponse response;
    absl::Status status =
        Invoke(timeout == absl::ZeroDuration() ? call_timeout_ : timeout,
               [&](grpc::ClientContext* context) {
                 return record_stub_->PreviewWriteBack(context, request, &response);
               });
    if (!status.ok()) return status;
    return std::move(*response.mutable_preview());
  }

  absl::StatusOr<v1::WriteBackResponse> WriteBack(const v1::WriteBackRequest& request,
                                                  absl::Duration timeout) override {
    v1::WriteBackResponse response;
    absl::Status status = Invoke(timeout == absl::ZeroDuration() ? call_timeout_ : timeout,
                                 [&](grpc::ClientContext* context) {
                                   return record_stub_->WriteBack(context, request, &response);
                                 });
    if (!status.ok()) return status;
    return response;
  }
  // --- end of write-back ---

  // --- self-pay cap ---
  absl::StatusOr<v1::GetSelfPayCapResponse> GetSelfPayCap(const v1::GetSelfPayCapRequest& request,
                                                          absl::Duration timeout) override {
    v1::GetSelfPayCapResponse response;
    absl::Status status = Invoke(timeout == absl::ZeroDuration() ? call_timeout_ : timeout,
                                 [&](grpc::ClientContext* context) {
                                   return billing_stub_->GetSelfPayCap(context, request, &response);
                                 });
    if (!status.ok()) return status;
    return response;
  }
  // --- end of self-pay cap ---

  // --- consent ledger ---
  absl::StatusOr<v1::ListConsentsResponse> ListConsents(const v1::ListConsentsRequest& request,
                                                        absl::Duration timeout) override {
    v1::ListConsentsResponse response;
    absl::Status status = Invoke(timeout == absl::ZeroDuration() ? call_timeout_ : timeout,
                                 [&](grpc::ClientContext* context) {
                                   return consent_stub_->ListConsents(context, request, &response);
                                 });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::RecordStaffConsentResponse> RecordStaffConsent(
      const v1::RecordStaffConsentRequest& request, absl::Duration timeout) override {
    v1::RecordStaffConsentResponse response;
    absl::Status status =
        Invoke(timeout == absl::ZeroDuration() ? call_timeout_ : timeout,
               [&](grpc::ClientContext* context) {
                 return consent_stub_->RecordStaffConsent(context, request, &response);
               });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::RecordAdmissionResponse> RecordAdmission(
      const v1::RecordAdmissionRequest& request, absl::Duration timeout) override {
    v1::RecordAdmissionResponse response;
    absl::Status status =
        Invoke(timeout == absl::ZeroDuration() ? call_timeout_ : timeout,
               [&](grpc::ClientContext* context) {
                 return consent_stub_->RecordAdmission(context, request, &response);
               });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::RecordDischargeResponse> RecordDischarge(
      const v1::RecordDischargeRequest& request, absl::Duration timeout) override {
    v1::RecordDischargeResponse response;
    absl::Status status =
        Invoke(timeout == absl::ZeroDuration() ? call_timeout_ : timeout,
               [&](grpc::ClientContext* context) {
                 return consent_stub_->RecordDischarge(context, request, &response);
               });
    if (!status.ok()) return status;
    return response;
  }
  // --- end of consent ledger ---

  // --- outage workflow ---
  absl::StatusOr<v1::Visit> RecordSelfDeclaration(const v1::RecordSelfDeclarationRequest& request,
                                                  absl::Duration timeout) override {
    v1::Visit response;
    absl::Status status = Invoke(CallTimeout(timeout), [&](grpc::ClientContext* context) {
      return visit_stub_->RecordSelfDeclaration(context, request, &response);
    });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::Visit> GetVisit(const std::string& visit_id, absl::Duration timeout) override {
    v1::GetVisitRequest request;
    request.set_visit_id(visit_id);
    v1::Visit response;
    absl::Status status = Invoke(CallTimeout(timeout), [&](grpc::ClientContext* context) {
      return visit_stub_->GetVisit(context, request, &response);
    });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::ListVisitsResponse> ListRecheckQueue(int32_t limit,
                                                          absl::Duration timeout) override {
    v1::ListRecheckQueueRequest request;
    request.set_limit(limit);
    v1::ListVisitsResponse response;
    absl::Status status = Invoke(CallTimeout(timeout), [&](grpc::ClientContext* context) {
      return visit_stub_->ListRecheckQueue(context, request, &response);
    });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::ListBillingReviewItemsResponse> ListBillingReviewItems(
      const v1::ListBillingReviewItemsRequest& request, absl::Duration timeout) override {
    v1::ListBillingReviewItemsResponse response;
    absl::Status status = Invoke(CallTimeout(timeout), [&](grpc::ClientContext* context) {
      return visit_stub_->ListBillingReviewItems(context, request, &response);
    });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::ListClaimsResponse> ListClaims(const std::string& month,
                                                    bool changed_after_billing,
                                                    absl::Duration timeout) override {
    v1::ListClaimsRequest request;
    request.set_month(month);
    v1::ListClaimsResponse response;
    absl::Status status = Invoke(CallTimeout(timeout), [&](grpc::ClientContext* context) {
      return changed_after_billing
                 ? visit_stub_->ListChangedAfterBilling(context, request, &response)
                 : visit_stub_->ListUnconfirmedVisits(context, request, &response);
    });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::MarkBilledResponse> MarkBilled(const v1::MarkBilledRequest& request,
                                                    absl::Duration timeout) override {
    v1::MarkBilledResponse response;
    absl::Status status = Invoke(CallTimeout(timeout), [&](grpc::ClientContext* context) {
      return visit_stub_->MarkBilled(context, request, &response);
    });
    if (!status.ok()) return status;
    return response;
  }

  absl::StatusOr<v1::BillingReviewItem> ResolveBillingReviewItem(
      const v1::ResolveBillingReviewItemRequest& request, absl::Duration timeout) override {
    v1::BillingReviewItem response;
    absl::Status status = Invoke(CallTimeout(timeout), [&](grpc::ClientContext* context) {
      return visit_stub_->ResolveBillingReviewItem(context, request, &response);
    });
    if (!status.ok()) return status;
    return response;
  }
  // --- end of outage workflow ---

 private:
  absl::Duration CallTimeout(absl::Duration timeout) const {  // outage workflow
    return timeout == absl::ZeroDuration() ? call_timeout_ : timeout;
  }
  // Stops every subscription still running (their handles may outlive this client).
  void StopCheckinSubscriptions() {
    std::vector<std::weak_ptr<SubscriptionCore>> subscriptions;
    {
      std::lock_guard<std::mutex> lock(subscriptions_mu_);
      subscriptions.swap(subscriptions_);
    }
    for (const std::weak_ptr<SubscriptionCore>& weak : subscriptions) {
      if (std::shared_ptr<SubscriptionCore> core = weak.lock()) core->Stop();
    }
  }

  // Runs one unary call with a deadline `timeout` from now. In sidecar mode the call first
  // waits for a connection, at most connect_timeout_ and at most the deadline, so that "onshid
  // is not there" is reported as such and early; wait_for_ready then keeps a call that meets a
  // restarting onshid waiting (within its deadline) instead of failing at once.
  //
  // A call that fails at the transport (UNAVAILABLE without an ErrorDetail: the connection
  // broke, e.g. onshid restarted just before or during the call) is made again while the
  // deadline allows. That is safe because every RPC of the service is idempotent: reads, and
  // CheckQualification keyed by its request_id.
  template <typename Call>
  absl::Status Invoke(absl::Duration timeout, Call&& call) {
    const auto deadline = ToDeadline(std::chrono::system_clock::now(), timeout);
    grpc::Status status;
    for (int attempt = 1;; ++attempt) {
      if (absl::Status s = AwaitConnection(deadline); !s.ok()) return s;
      grpc::ClientContext context;
      context.set_deadline(deadline);
      context.set_wait_for_ready(true);
      status = call(&context);
      if (embedded_ != nullptr || attempt == kMaxAttempts ||
          status.error_code() != grpc::StatusCode::UNAVAILABLE || !status.error_details().empty() ||
          std::chrono::system_clock::now() >= deadline) {
        break;
      }
      Log(LogLevel::kDebug, kLogComponent, "connection to onshid failed during a call; retrying");
    }
    if (status.ok()) return absl::OkStatus();
    // A call that spent its deadline waiting for a connection that came back too late never
    // reached onshid: that is "onshid unavailable", not "onshid too slow".
    if (embedded_ == nullptr && status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
        status.error_details().empty() &&
        channel_->GetState(/*try_to_connect=*/false) != GRPC_CHANNEL_READY) {
      return MakeError(errors::kSidecarUnavailable,
                       "the connection to onshid was lost and not re-established before the "
                       "deadline");
    }
    return FromGrpcStatus(status);
  }

  // In sidecar mode: OK once the channel is connected; ONSHI_SIDECAR_UNAVAILABLE when it is not
  // within connect_timeout_ (from now) or by `deadline`, whichever comes first.
  absl::Status AwaitConnection(std::chrono::system_clock::time_point deadline) {
    if (embedded_ != nullptr) return absl::OkStatus();
    if (channel_->GetState(/*try_to_connect=*/true) == GRPC_CHANNEL_READY) {
      return absl::OkStatus();
    }
    const auto now = std::chrono::system_clock::now();
    const auto connect_deadline = std::min(deadline, ToDeadline(now, connect_timeout_));
    if (channel_->WaitForConnected(connect_deadline)) return absl::OkStatus();
    return MakeError(
        errors::kSidecarUnavailable,
        absl::StrCat("no connection within ",
                     std::max<int64_t>(0, std::chrono::duration_cast<std::chrono::milliseconds>(
                                              connect_deadline - now)
                                              .count()),
                     " ms"));
  }

  // Attempts per call when the transport fails (each waits for a connection first).
  static constexpr int kMaxAttempts = 3;

  std::unique_ptr<EmbeddedService> embedded_;
  // --- audit log: the user id every call of channel_ sends ---
  std::shared_ptr<UserIdHolder> user_id_ = std::make_shared<UserIdHolder>();
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EligibilityService::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_stub_;
  // --- card-reader check-ins ---
  std::unique_ptr<v1::CheckinService::Stub> checkin_stub_;
  // NextCheckin: one at a time; the cursor is the sequence of the last event it returned.
  std::timed_mutex next_mu_;
  int64_t checkin_cursor_ = 0;
  std::mutex subscriptions_mu_;
  std::vector<std::weak_ptr<SubscriptionCore>> subscriptions_;
  // --- end of check-ins ---
  // --- 一括照会 and 照会番号 registration ---
  std::unique_ptr<v1::BatchService::Stub> batch_stub_;
  std::unique_ptr<v1::ReferenceNumberService::Stub> reference_number_stub_;
  const absl::Duration bulk_timeout_;
  // --- end of batches and 照会番号 ---
  // --- 薬剤情報 / 特定健診 ---
  std::unique_ptr<v1::MedicalInfoService::Stub> medical_stub_;
  // --- end of medical information ---
  // --- write-back ---
  std::unique_ptr<v1::RecordService::Stub> record_stub_;
  // --- end of write-back ---
  std::unique_ptr<v1::BillingService::Stub> billing_stub_;  // self-pay cap
  std::unique_ptr<v1::ConsentService::Stub> consent_stub_;  // consent ledger
  std::unique_ptr<v1::VisitService::Stub> visit_stub_;      // outage workflow
  const absl::Duration check_timeout_;
  const absl::Duration call_timeout_;
  const absl::Duration connect_timeout_;
};

absl::Status CheckTimeout(absl::Duration timeout, absl::string_view name) {
  if (timeout < absl::ZeroDuration() || timeout > kMaxTimeout) {
    return MakeError(errors::kInvalidArgument,
                     absl::StrCat(name, " must be between 0 and 86400000 ms"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenSocketChannel(
    const std::string& path, std::shared_ptr<UserIdHolder> user_id) {
  if (path.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return MakeError(errors::kInvalidArgument,
                     absl::StrCat("socket_path is longer than ", sizeof(sockaddr_un{}.sun_path) - 1,
                                  " bytes, the limit of a Unix socket address"));
  }
  grpc::ChannelArguments args = BaseChannelArguments();
  // Reconnect within ~1 s of onshid coming back instead of gRPC's default backoff (1 s growing
  // to 120 s), see ../shared/reference/toolchain.md pitfall 7.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 50);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Each client owns its connection: closing one never disturbs another.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // The socket's directory and mode (0700 / 0600) are the access control; the bytes never
  // leave the machine.
  std::shared_ptr<grpc::Channel> channel = grpc::experimental::CreateCustomChannelWithInterceptors(
      UnixSocketTarget(path), grpc::InsecureChannelCredentials(), args,
      UserIdInterceptors(std::move(user_id)));
  if (channel == nullptr) {
    return MakeError(errors::kInternal, "gRPC did not create a channel for the socket");
  }
  return channel;
}

absl::StatusOr<std::unique_ptr<EmbeddedService>> StartEmbedded(const std::string& config_path,
                                                               service::RuntimeOverrides overrides,
                                                               v1::SidecarConfig* config_out) {
  absl::StatusOr<v1::SidecarConfig> config = service::LoadConfigFile(config_path);
  if (!config.ok()) return config.status();
  // As in onshid, the configuration sets the level of onshi's log (stderr of the host).
  LogLevel level;
  if (ParseLogLevel(config->log_level(), &level)) SetLogLevel(level);
  auto embedded = std::make_unique<EmbeddedService>();
  // Runtime::Start refuses a state_dir another runtime (here or in onshid) already serves.
  absl::StatusOr<std::unique_ptr<service::Runtime>> runtime =
      service::Runtime::Start(*config, std::move(overrides));
  if (!runtime.ok()) return runtime.status();
  embedded->runtime = std::move(*runtime);

  grpc::ServerBuilder builder;
  builder.SetMaxReceiveMessageSize(kMaxMessageBytes);
  builder.SetMaxSendMessageSize(kMaxMessageBytes);
  for (grpc::Service* service : embedded->runtime->services()) builder.RegisterService(service);
  builder.experimental().SetInterceptorCreators(embedded->runtime->interceptors());  // audit log
  embedded->server = builder.BuildAndStart();
  if (embedded->server == nullptr) {
    return MakeError(errors::kInternal, "the in-process gRPC server did not start");
  }
  *config_out = *std::move(config);
  return embedded;
}

// Both ways of opening: `overrides` apply in embedded mode only (OpenEmbedded refuses sidecar
// mode, Open passes none).
absl::StatusOr<std::unique_ptr<Client>> OpenClient(const ClientOptions& options,
                                                   service::RuntimeOverrides overrides) {
  if (options.socket_path.empty() == options.embedded_config_path.empty()) {
    return MakeError(errors::kInvalidArgument,
                     "set exactly one of socket_path (sidecar) and embedded_config (in-process)");
  }
  if (absl::Status s = CheckTimeout(options.timeout, "timeout_ms"); !s.ok()) return s;
  if (absl::Status s = CheckTimeout(options.connect_timeout, "connect_timeout_ms"); !s.ok()) {
    return s;
  }
  const bool timeout_set = options.timeout != absl::ZeroDuration();
  absl::Duration check_timeout = timeout_set ? options.timeout : kDefaultCheckTimeout;
  const absl::Duration call_timeout = timeout_set ? options.timeout : kDefaultCallTimeout;
  const absl::Duration bulk_timeout = timeout_set ? options.timeout : kDefaultBulkTimeout;
  const absl::Duration connect_timeout = options.connect_timeout == absl::ZeroDuration()
                                             ? kDefaultConnectTimeout
                                             : options.connect_timeout;
  // --- audit log ---
  auto user_id = std::make_shared<UserIdHolder>();
  if (absl::Status s = user_id->Set(options.user_id); !s.ok()) return s;
  // --- end of audit log ---

  if (!options.socket_path.empty()) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        OpenSocketChannel(options.socket_path, user_id);
    if (!channel.ok()) return channel.status();
    Log(LogLevel::kDebug, kLogComponent, "client opened in sidecar mode");
    auto client = std::make_unique<ChannelClient>(*std::move(channel), nullptr, check_timeout,
                                                  call_timeout, connect_timeout, bulk_timeout);
    client->set_user_id_holder(std::move(user_id));  // audit log
    return client;
  }

  v1::SidecarConfig config;
  absl::StatusOr<std::unique_ptr<EmbeddedService>> embedded =
      StartEmbedded(options.embedded_config_path, std::move(overrides), &config);
  if (!embedded.ok()) return embedded.status();
  if (!timeout_set) {
    check_timeout =
        std::max(check_timeout,
                 absl::Milliseconds(config.terminal().answer_timeout_ms()) + kCheckTimeoutMargin);
  }
  std::shared_ptr<grpc::Channel> channel =
      (*embedded)->server->experimental().InProcessChannelWithInterceptors(
          BaseChannelArguments(), UserIdInterceptors(user_id));  // audit log: user id
  if (channel == nullptr) {
    return MakeError(errors::kInternal, "the in-process gRPC channel could not be created");
  }
  Log(LogLevel::kInfo, kLogComponent, "client opened in embedded mode");
  auto client =
      std::make_unique<ChannelClient>(std::move(channel), *std::move(embedded), check_timeout,
                                      call_timeout, connect_timeout, bulk_timeout);
  client->set_user_id_holder(std::move(user_id));  // audit log
  return client;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Client>> Client::Open(const ClientOptions& options) {
  return OpenClient(options, service::RuntimeOverrides{});
}

absl::StatusOr<std::unique_ptr<Client>> Client::OpenEmbedded(const ClientOptions& options,
                                                             service::RuntimeOverrides overrides) {
  if (options.embedded_config_path.empty() || !options.socket_path.empty()) {
    return MakeError(errors::kInvalidArgument,
                     "OpenEmbedded needs embedded_config and no socket_path");
  }
  return OpenClient(options, std::move(overrides));
}

}  // namespace onshi::client
