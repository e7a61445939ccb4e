// Where onshid listens: a Unix socket in a private directory (the default and the only plaintext
// listener), and optionally TCP with mutual TLS. Nothing else is ever bound.

#ifndef ONSHI_PLUGIN_SIDECAR_LISTENERS_H_
#define ONSHI_PLUGIN_SIDECAR_LISTENERS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/server_credentials.h"
#include "onshi/v1/config.pb.h"

namespace onshi::sidecar {

// Makes the socket's directory private (0700, ours; created when missing) and clears a stale
// socket left by a previous run. Refused with ONSHI_CONFIG_INVALID: a directory others can
// enter, a path that is not a socket (a file, a symlink), or a live socket (another onshid
// answers on it).
absl::Status PrepareUnixSocket(const std::string& socket_path);

// After the server bound the socket: restricts it to 0600.
absl::Status RestrictUnixSocket(const std::string& socket_path);

// Mutual-TLS credentials for the TCP listener: clients must present a certificate signed by the
// configured CA. The key file must not be readable by group or others (refused otherwise).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MutualTlsCredentials(
    const v1::TcpListenerConfig& tcp);

}  // namespace onshi::sidecar

#endif  // ONSHI_PLUGIN_SIDECAR_LISTENERS_H_
