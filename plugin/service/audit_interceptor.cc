#include "plugin/service/audit_interceptor.h"

#include <memory>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "onshi/v1/error.pb.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"
#include "plugin/service/caller.h"
#include "plugin/service/grpc_status.h"

namespace onshi::service {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using grpc::experimental::InterceptionHookPoints;

constexpr absl::string_view kLog = "audit";

// The value of the top-level singular string field `name`; "" when there is none.
std::string TopLevelString(const Message& message, const std::string& name) {
  const FieldDescriptor* field = message.GetDescriptor()->FindFieldByName(name);
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    return std::string();
  }
  return message.GetReflection()->GetString(message, field);
}

// Ids longer than a row holds are cut (they are caller bugs the handler refuses anyway; the
// call must not fail with ONSHI_AUDIT_UNAVAILABLE because of them).
std::string Bounded(std::string value) {
  if (value.size() > kMaxAuditFieldBytes) value.resize(kMaxAuditFieldBytes);
  return value;
}

// The reason carried by a status sent to the caller ("" when it carries none).
std::string ReasonOf(const grpc::Status& status) {
  if (status.ok() || status.error_details().empty()) return std::string();
  v1::ErrorStatus wire;
  v1::ErrorDetail detail;
  if (wire.ParseFromString(status.error_details()) && wire.details_size() > 0 &&
      wire.details(0).UnpackTo(&detail)) {
    return Bounded(detail.reason());
  }
  return std::string();
}

class AuditInterceptor final : public grpc::experimental::Interceptor {
 public:
  AuditInterceptor(grpc::experimental::ServerRpcInfo* info, AuditLog* log, const Clock* clock,
                   std::string operation, bool streaming)
      : info_(info),
        log_(log),
        clock_(clock),
        operation_(std::move(operation)),
        streaming_(streaming) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      ReadUserId(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      auto* request = static_cast<Message*>(methods->GetRecvMessage());
      if (request != nullptr) {
        if (patient_id_.empty()) patient_id_ = Bounded(TopLevelString(*request, "patient_id"));
        if (request_id_.empty()) request_id_ = Bounded(TopLevelString(*request, "request_id"));
        if (!user_ok_) {
          // The handler refuses an empty request before doing anything.
          request->Clear();
          if (streaming_) info_->server_context()->TryCancel();
        }
      }
    }
    const bool sends_message =
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE);
    const Message* response =
        sends_message ? static_cast<const Message*>(methods->GetSendMessage()) : nullptr;
    if (response != nullptr) {
      if (streaming_) {
        OnStreamedMessage(methods, *response);
      } else {
        if (patient_id_.empty()) patient_id_ = Bounded(AuditedPatientId(*response));
        if (request_id_.empty()) request_id_ = Bounded(AuditedRequestId(*response));
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      OnStatus(methods, streaming_ ? nullptr : response);
    }
    methods->Proceed();
  }

 private:
  void ReadUserId(std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    if (metadata == nullptr) return;
    const auto range = metadata->equal_range(
        grpc::string_ref(kUserIdMetadataKey.data(), kUserIdMetadataKey.size()));
    if (range.first == range.second) return;
    auto next = range.first;
    const absl::string_view value(range.first->second.data(), range.first->second.size());
    if (++next != range.second || !IsValidUserId(value)) {
      user_ok_ = false;
      return;
    }
    user_id_ = std::string(value);
  }

  // One row per streamed message that names a patient; a message whose row cannot be written
  // does not leave, and the call ends.
  void OnStreamedMessage(grpc::experimental::InterceptorBatchMethods* methods,
                         const Message& message) {
    if (!user_ok_ || failed_) {
      Withhold(methods, message);
      return;
    }
    // A stream made under a request_id (RunBatchCheck) is one operation: its patients are the
    // ones its own ledger lists under that id, and its final row names the id. Only a stream
    // without one (WatchCheckins) shows data that per-message rows alone tie to the caller.
    if (!request_id_.empty()) return;
    const std::string patient_id = Bounded(AuditedPatientId(message));
    if (patient_id.empty()) return;
    std::string request_id = Bounded(AuditedRequestId(message));
    if (request_id.empty()) request_id = request_id_;
    if (Append(absl::StrCat(operation_, ".message"), patient_id, request_id, grpc::Status::OK)) {
      return;
    }
    failed_ = true;
    Withhold(methods, message);
    info_->server_context()->TryCancel();
  }

  // The call's row; the status the caller gets.
  void OnStatus(grpc::experimental::InterceptorBatchMethods* methods, const Message* response) {
    grpc::Status status = methods->GetSendStatus();
    bool replace = false;
    if (!user_ok_) {
      status = ToGrpcStatus(MakeError(errors::kInvalidUserId, "onshi-user-id"));
      replace = true;
    }
    if (!Append(operation_, patient_id_, request_id_, status) || failed_) {
      status =
          ToGrpcStatus(MakeError(errors::kAuditUnavailable, absl::StrCat("call ", operation_)));
      replace = true;
    }
    if (!replace) return;
    methods->ModifySendStatus(status);
    if (response != nullptr) Withhold(methods, *response);
  }

  // Sends an empty message of the same type instead of `message`.
  void Withhold(grpc::experimental::InterceptorBatchMethods* methods, const Message& message) {
    if (empty_ == nullptr) empty_.reset(message.New());
    methods->ModifySendMessage(empty_.get());
  }

  bool Append(std::string operation, const std::string& patient_id, const std::string& request_id,
              const grpc::Status& status) {
    AuditEntry entry;
    entry.time = clock_->Now();
    entry.user_id = user_ok_ ? user_id_ : std::string();
    entry.operation = std::move(operation);
    entry.patient_id = patient_id;
    entry.request_id = request_id;
    entry.outcome_code =
        absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()));
    entry.outcome_reason = ReasonOf(status);
    const absl::Status appended = log_->Append(entry);
    if (!appended.ok()) {
      Log(LogLevel::kError, kLog, "no audit row for a call of ", entry.operation, ": ",
          ToErrorDetail(appended).reason());
    }
    return appended.ok();
  }

  grpc::experimental::ServerRpcInfo* const info_;
  AuditLog* const log_;
  const Clock* const clock_;
  const std::string operation_;
  const bool streaming_;
  // Hooks of one call run one batch at a time: no lock needed.
  bool user_ok_ = true;
  std::string user_id_;
  std::string patient_id_;
  std::string request_id_;
  // A streamed message's row could not be written.
  bool failed_ = false;
  // What is sent instead of a withheld message; lives as long as the call.
  std::unique_ptr<Message> empty_;
};

}  // namespace

std::string AuditedPatientId(const Message& message) {
  std::string id = TopLevelString(message, "patient_id");
  if (!id.empty()) return id;
  std::vector<const FieldDescriptor*> fields;
  message.GetReflection()->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field->is_repeated() || field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    id = TopLevelString(message.GetReflection()->GetMessage(message, field), "patient_id");
    if (!id.empty()) return id;
  }
  return std::string();
}

std::string AuditedRequestId(const Message& message) {
  return TopLevelString(message, "request_id");
}

grpc::experimental::Interceptor* AuditInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  const absl::string_view method = info->method() != nullptr ? info->method() : "";
  // "/grpc.health.v1.Health/Check" and any other grpc.* service: not onshi's operations.
  if (absl::StartsWith(method, "/grpc.")) return nullptr;
  const size_t slash = method.rfind('/');
  std::string operation(slash == absl::string_view::npos ? method : method.substr(slash + 1));
  if (operation.empty()) operation = "unknown";
  const bool streaming =
      info->type() == grpc::experimental::ServerRpcInfo::Type::SERVER_STREAMING ||
      info->type() == grpc::experimental::ServerRpcInfo::Type::BIDI_STREAMING;
  return new AuditInterceptor(info, log_, clock_, std::move(operation), streaming);
}

}  // namespace onshi::service
