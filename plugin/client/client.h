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

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "onshi/v1/eligibility_service.pb.h"

namespace onshi::service {
struct RuntimeOverrides;
}  // namespace onshi::service

namespace onshi::client {

// Limits on every timeout the client accepts (the C ABI checks them too).
inline constexpr absl::Duration kMaxTimeout = absl::Hours(24);

struct ClientOptions {
  // Exactly one of these is non-empty.
  // Path of onshid's Unix socket.
  std::string socket_path;
  // Path of a SidecarConfig text file: run the service in this process.
  std::string embedded_config_path;

  // Deadline of every call; zero means the per-call defaults (kDefaultCheckTimeout for checks,
  // kDefaultCallTimeout for everything else).
  absl::Duration timeout = absl::ZeroDuration();
  // Longest wait for a connection to onshid within a call; zero means kDefaultConnectTimeout.
  absl::Duration connect_timeout = absl::ZeroDuration();
};

inline constexpr absl::Duration kDefaultCheckTimeout = absl::Seconds(35);
inline constexpr absl::Duration kDefaultCallTimeout = absl::Seconds(5);
inline constexpr absl::Duration kDefaultConnectTimeout = absl::Seconds(5);
// In embedded mode the default check deadline is at least the terminal's answer timeout plus
// this margin, so an unanswered check returns UNCONFIRMED rather than DEADLINE_EXCEEDED.
inline constexpr absl::Duration kCheckTimeoutMargin = absl::Seconds(5);

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

  // `timeout` zero means the client's default. Errors: the service's (with its reason and
  // texts), ONSHI_SIDECAR_UNAVAILABLE, ONSHI_DEADLINE_EXCEEDED, ONSHI_CANCELLED.
  virtual absl::StatusOr<v1::CheckQualificationResponse> CheckQualification(
      const v1::CheckQualificationRequest& request, absl::Duration timeout) = 0;

  virtual absl::StatusOr<v1::PatientRecord> GetPatientRecord(const std::string& patient_id,
                                                             absl::Duration timeout) = 0;

  // grpc.health.v1.Health/Check for the whole server: true when SERVING.
  virtual absl::StatusOr<bool> Health(absl::Duration timeout) = 0;
};

}  // namespace onshi::client

#endif  // ONSHI_PLUGIN_CLIENT_CLIENT_H_
