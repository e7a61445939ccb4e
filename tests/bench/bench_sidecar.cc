// bench_sidecar: onshid with the terminal replaced by the simulator's in-process twin
// (adapters/terminal_sim/in_process_terminal.h), for benchmark (b). Everything else is onshid's:
// the configuration file, service::Runtime (coordinator, handlers, the SQLite store with its
// durable ledger writes), and the Unix socket prepared and restricted by onshid's listener
// helpers. Serves until SIGTERM or SIGINT; prints "ready" on stdout once it accepts calls.
//
//   bench_sidecar --config FILE --dataset FILE
//
// The twin serves the institution of the configuration's terminal.medical_institution_code and
// answers from the dataset with zero latency. Exit status: 0 after a clean shutdown, 2 for a bad
// command line or configuration, 1 for any other failure to start.

#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "adapters/terminal_sim/dataset.h"
#include "adapters/terminal_sim/in_process_terminal.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "plugin/common/log.h"
#include "plugin/common/uds.h"
#include "plugin/core/errors.h"
#include "plugin/service/runtime.h"
#include "plugin/sidecar/listeners.h"

namespace onshi::bench {
namespace {

constexpr absl::string_view kLog = "bench_sidecar";

void LogFailure(absl::string_view what, const absl::Status& status) {
  v1::ErrorDetail detail = ToErrorDetail(status);
  Log(LogLevel::kError, kLog, what, ": ", detail.reason(), ": ", detail.it_message());
}

int Run(int argc, char** argv) {
  if (argc != 5 || std::strcmp(argv[1], "--config") != 0 ||
      std::strcmp(argv[3], "--dataset") != 0) {
    std::fprintf(stderr, "usage: bench_sidecar --config FILE --dataset FILE\n");
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
  if (config->unix_socket_path().empty()) {
    LogFailure("configuration", MakeError(errors::kConfigInvalid, "unix_socket_path is required"));
    return 2;
  }
  absl::StatusOr<sim::v1::Dataset> dataset = sim::LoadDataset(argv[4]);
  if (!dataset.ok()) {
    LogFailure("dataset", dataset.status());
    return 2;
  }

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  sim::InProcessTerminalOptions twin_options;
  twin_options.dataset = *std::move(dataset);
  twin_options.institution_code = config->terminal().medical_institution_code();
  absl::StatusOr<std::unique_ptr<sim::InProcessTerminal>> twin =
      sim::InProcessTerminal::Create(std::move(twin_options));
  if (!twin.ok()) {
    LogFailure("terminal twin", twin.status());
    return 2;
  }

  grpc::ServerBuilder builder;
  if (absl::Status s = sidecar::PrepareUnixSocket(config->unix_socket_path()); !s.ok()) {
    LogFailure("unix socket", s);
    return 2;
  }
  builder.AddListeningPort(UnixSocketTarget(config->unix_socket_path()),
                           grpc::InsecureServerCredentials());

  service::RuntimeOverrides overrides;
  overrides.transport = *std::move(twin);
  absl::StatusOr<std::unique_ptr<service::Runtime>> runtime =
      service::Runtime::Start(*config, std::move(overrides));
  if (!runtime.ok()) {
    LogFailure("start", runtime.status());
    return 1;
  }
  for (grpc::Service* service : (*runtime)->services()) builder.RegisterService(service);
  builder.experimental().SetInterceptorCreators((*runtime)->interceptors());  // audit log
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    Log(LogLevel::kError, kLog, "could not bind the socket");
    (*runtime)->Shutdown();
    return 1;
  }
  if (absl::Status s = sidecar::RestrictUnixSocket(config->unix_socket_path()); !s.ok()) {
    LogFailure("unix socket", s);
    server->Shutdown();
    (*runtime)->Shutdown();
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  (*runtime)->Shutdown();
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  server->Wait();
  return 0;
}

}  // namespace
}  // namespace onshi::bench

int main(int argc, char** argv) { return onshi::bench::Run(argc, argv); }
