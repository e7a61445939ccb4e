// onshid: the onshi sidecar. Serves onshi.v1.EligibilityService and grpc.health.v1.Health on a
// Unix socket (and, when configured, TCP with mutual TLS) until SIGTERM or SIGINT.
//
//   onshid --config /etc/onshi/onshid.conf
//   onshid --check-config /etc/onshi/onshid.conf
//
// Prints "ready" on stdout once it accepts calls. Exit status: 0 after a clean shutdown,
// 2 for a bad command line or configuration, 1 for any other failure to start.

#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "plugin/common/log.h"
#include "plugin/common/uds.h"
#include "plugin/core/errors.h"
#include "plugin/service/runtime.h"
#include "plugin/sidecar/listeners.h"

namespace onshi::sidecar {
namespace {

constexpr absl::string_view kLog = "onshid";
constexpr std::chrono::seconds kShutdownGrace(5);

void Usage() {
  std::fprintf(stderr,
               "usage: onshid --config FILE\n"
               "       onshid --check-config FILE\n");
}

// A crash must not leave patient data in a core file.
void ForbidCoreDumps() {
  struct rlimit none = {0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

void LogFailure(absl::string_view what, const absl::Status& status) {
  v1::ErrorDetail detail = ToErrorDetail(status);
  Log(LogLevel::kError, kLog, what, ": ", detail.reason(), ": ", detail.it_message());
}

int Run(int argc, char** argv) {
  if (argc != 3 || (std::strcmp(argv[1], "--config") != 0 &&
                    std::strcmp(argv[1], "--check-config") != 0)) {
    Usage();
    return 2;
  }
  absl::StatusOr<v1::SidecarConfig> config = service::LoadConfigFile(argv[2]);
  if (!config.ok()) {
    LogFailure("configuration", config.status());
    return 2;
  }
  LogLevel level = LogLevel::kInfo;
  ParseLogLevel(config->log_level(), &level);
  SetLogLevel(level);
  if (std::strcmp(argv[1], "--check-config") == 0) {
    std::printf("configuration ok\n");
    return 0;
  }
  if (config->unix_socket_path().empty() && config->tcp().address().empty()) {
    LogFailure("configuration",
               MakeError(errors::kConfigInvalid, "unix_socket_path or tcp.address is required"));
    return 2;
  }
  ForbidCoreDumps();

  // Signals are taken by sigwait() below only: block them before any thread starts, so that
  // every thread gRPC and the runtime create inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  grpc::ServerBuilder builder;
  if (!config->unix_socket_path().empty()) {
    if (absl::Status s = PrepareUnixSocket(config->unix_socket_path()); !s.ok()) {
      LogFailure("unix socket", s);
      return 2;
    }
    builder.AddListeningPort(UnixSocketTarget(config->unix_socket_path()),
                             grpc::InsecureServerCredentials());
  }
  if (!config->tcp().address().empty()) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> tls =
        MutualTlsCredentials(config->tcp());
    if (!tls.ok()) {
      LogFailure("tcp listener", tls.status());
      return 2;
    }
    builder.AddListeningPort(config->tcp().address(), *tls);
  }

  absl::StatusOr<std::unique_ptr<service::Runtime>> runtime = service::Runtime::Start(*config);
  if (!runtime.ok()) {
    LogFailure("start", runtime.status());
    return 1;
  }
  for (grpc::Service* service : (*runtime)->services()) builder.RegisterService(service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    Log(LogLevel::kError, kLog, "could not bind the configured listeners");
    (*runtime)->Shutdown();
    return 1;
  }
  if (!config->unix_socket_path().empty()) {
    if (absl::Status s = RestrictUnixSocket(config->unix_socket_path()); !s.ok()) {
      LogFailure("unix socket", s);
      server->Shutdown();
      (*runtime)->Shutdown();
      return 1;
    }
  }
  Log(LogLevel::kInfo, kLog, "serving");
  std::printf("ready\n");
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  Log(LogLevel::kInfo, kLog, "signal ", received, ": shutting down");
  // Wake waiting checks first so in-flight calls end with CANCELLED instead of hanging the
  // server's shutdown; they remain on record and a retry gets their outcome.
  (*runtime)->Shutdown();
  server->Shutdown(std::chrono::system_clock::now() + kShutdownGrace);
  server->Wait();
  Log(LogLevel::kInfo, kLog, "stopped");
  return 0;
}

}  // namespace
}  // namespace onshi::sidecar

int main(int argc, char** argv) { return onshi::sidecar::Run(argc, argv); }
