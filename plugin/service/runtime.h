// The onshi service, wired: record store, terminal transport, the coordinator that drives
// requests through them, and the gRPC services. onshid serves a Runtime on its sockets; the
// embedded mode of libonshi.so serves one on an in-process channel. Both build it from the same
// configuration (docs/config.md).

#ifndef ONSHI_PLUGIN_SERVICE_RUNTIME_H_
#define ONSHI_PLUGIN_SERVICE_RUNTIME_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/support/server_interceptor.h"
#include "onshi/v1/config.pb.h"
#include "plugin/core/audit.h"
#include "plugin/core/ports.h"

namespace grpc {
class Service;
}  // namespace grpc

namespace onshi::service {

// Reads a SidecarConfig in protobuf text format, applies defaults and validates it.
// Errors: ONSHI_CONFIG_INVALID naming the file or the setting (never echoing values).
absl::StatusOr<v1::SidecarConfig> LoadConfigFile(const std::string& path);

// Applies defaults and validates a config given in memory (LoadConfigFile does this too).
absl::StatusOr<v1::SidecarConfig> CompleteConfig(v1::SidecarConfig config);

// Parts to use instead of the ones the configuration names. Empty members mean "as configured".
// onshid and libonshi.so never set them; the benchmarks use them to put an in-process terminal
// behind the real service.
struct RuntimeOverrides {
  std::unique_ptr<TerminalTransport> transport;
};

class Runtime {
 public:
  // Opens the store, recovers requests left pending by a previous run, starts watching the
  // terminal's folders. `config` must have passed CompleteConfig.
  static absl::StatusOr<std::unique_ptr<Runtime>> Start(const v1::SidecarConfig& config,
                                                        RuntimeOverrides overrides = {});

  virtual ~Runtime() = default;

  // The gRPC services to register on a server (EligibilityService and grpc.health.v1.Health).
  // Owned by the Runtime; valid until it is destroyed.
  virtual std::vector<grpc::Service*> services() = 0;

  // --- audit log (docs/audit.md) ---
  // The audit log every call is recorded in, for work that records its own rows (background
  // re-checks write with user id kAuditSystemUserId). Owned by the Runtime; valid until it is
  // destroyed. Thread-safe.
  virtual AuditLog* audit_log() = 0;

  // New interceptor factories to register (ServerBuilder::experimental().
  // SetInterceptorCreators) on every server that serves services(): they write one audit row
  // per call and fail calls whose row cannot be written (plugin/service/audit_interceptor.h).
  // They use the Runtime, which must outlive the server.
  virtual std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
  interceptors() = 0;
  // --- end of audit log ---

  // Stops watching the folders and fails waiting calls with CANCELLED; health turns
  // NOT_SERVING. Idempotent; the destructor calls it.
  virtual void Shutdown() = 0;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_RUNTIME_H_
