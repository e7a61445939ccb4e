#include "plugin/client/client.h"

#include <sys/un.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
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
#include "onshi/v1/config.pb.h"
#include "onshi/v1/eligibility_service.grpc.pb.h"
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
                absl::Duration connect_timeout)
      : embedded_(std::move(embedded)),
        channel_(std::move(channel)),
        stub_(v1::EligibilityService::NewStub(channel_)),
        health_stub_(grpc::health::v1::Health::NewStub(channel_)),
        check_timeout_(check_timeout),
        call_timeout_(call_timeout),
        connect_timeout_(connect_timeout) {}

  ~ChannelClient() override {
    // The stubs and the channel go before the embedded server they may point into.
    health_stub_.reset();
    stub_.reset();
    channel_.reset();
    embedded_.reset();
  }

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

 private:
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
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::EligibilityService::Stub> stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_stub_;
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

absl::StatusOr<std::shared_ptr<grpc::Channel>> OpenSocketChannel(const std::string& path) {
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
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(UnixSocketTarget(path), grpc::InsecureChannelCredentials(), args);
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
  const absl::Duration connect_timeout = options.connect_timeout == absl::ZeroDuration()
                                             ? kDefaultConnectTimeout
                                             : options.connect_timeout;

  if (!options.socket_path.empty()) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenSocketChannel(options.socket_path);
    if (!channel.ok()) return channel.status();
    Log(LogLevel::kDebug, kLogComponent, "client opened in sidecar mode");
    return std::make_unique<ChannelClient>(*std::move(channel), nullptr, check_timeout,
                                           call_timeout, connect_timeout);
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
      (*embedded)->server->InProcessChannel(BaseChannelArguments());
  if (channel == nullptr) {
    return MakeError(errors::kInternal, "the in-process gRPC channel could not be created");
  }
  Log(LogLevel::kInfo, kLogComponent, "client opened in embedded mode");
  return std::make_unique<ChannelClient>(std::move(channel), *std::move(embedded), check_timeout,
                                         call_timeout, connect_timeout);
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
