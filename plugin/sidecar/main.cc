// onshid: the onshi sidecar. Serves onshi.v1.EligibilityService and grpc.health.v1.Health on a
// Unix socket (and, when configured, TCP with mutual TLS) until SIGTERM or SIGINT.
//
//   onshid --config /etc/onshi/onshid.conf
//   onshid --check-config /etc/onshi/onshid.conf
//   onshid audit-verify --config /etc/onshi/onshid.conf
//   onshid audit-verify --state-dir DIR [--db FILE]   (a copy; FILE defaults to DIR/onshi.db)
//
// Prints "ready" on stdout once it accepts calls. Exit status: 0 after a clean shutdown,
// 2 for a bad command line or configuration, 1 for any other failure to start.
// audit-verify (docs/audit.md) checks the audit log's chain and anchor, also while onshid runs:
// exit 0 and "audit log intact: N rows", 1 and the first bad seq and the kind of damage, 2 when
// the configuration, the key or the database cannot be read.

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
#include "adapters/store_sqlite/audit_verify.h"  // audit log
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
               "       onshid --check-config FILE\n"
               "       onshid audit-verify --config FILE\n"
               "       onshid audit-verify --state-dir DIR [--db FILE]\n");
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

// --- audit log ---
// `args`: "--config FILE", or "--state-dir DIR" with an optional "--db FILE".
int AuditVerify(int argc, char** argv) {
  std::string config_path;
  std::string state_dir;
  std::string db_path;
  for (int i = 0; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--config") == 0) {
      config_path = argv[i + 1];
    } else if (std::strcmp(argv[i], "--state-dir") == 0) {
      state_dir = argv[i + 1];
    } else if (std::strcmp(argv[i], "--db") == 0) {
      db_path = argv[i + 1];
    } else {
      Usage();
      return 2;
    }
  }
  if (argc % 2 != 0 || config_path.empty() == state_dir.empty() ||
      (!config_path.empty() && !db_path.empty())) {
    Usage();
    return 2;
  }
  if (!config_path.empty()) {
    absl::StatusOr<v1::SidecarConfig> config = service::LoadConfigFile(config_path);
    if (!config.ok()) {
      LogFailure("configuration", config.status());
      return 2;
    }
    state_dir = config->state_dir();
    db_path = config->store().sqlite_path();
  } else if (db_path.empty()) {
    db_path = absl::StrCat(state_dir, "/onshi.db");
  }
  absl::StatusOr<AuditVerdict> verdict = VerifyAuditFiles(db_path, state_dir);
  if (!verdict.ok()) {
    LogFailure("audit-verify", verdict.status());
    return 2;
  }
  if (verdict->damage == AuditDamage::kNone) {
    std::printf("audit log intact: %lld rows\n", static_cast<long long>(verdict->rows));
    return 0;
  }
  std::printf("audit log damaged: %s at seq %lld (%lld rows)\n",
              std::string(AuditDamageName(verdict->damage)).c_str(),
              static_cast<long long>(verdict->first_bad_seq),
              static_cast<long long>(verdict->rows));
  return 1;
}
// --- end of audit log ---

int Run(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "audit-verify") == 0) {
    return AuditVerify(argc - 2, argv + 2);  // audit log
  }
  if (argc != 3 ||
      (std::strcmp(argv[1], "--config") != 0 && std::strcmp(argv[1], "--check-config") != 0)) {
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
  builder.experimental().SetInterceptorCreators((*runtime)->interceptors());  // audit log
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
