// Who is calling: the host's user id (the clerk or doctor logged in to the billing software),
// carried with every call as the gRPC metadata entry `onshi-user-id`. libonshi.so sets it from
// onshi_client_set_user_id / the per-request setters; any gRPC client may set it itself.
//
// The id names a login of the host ("clerk07", "dr.tanaka@clinic"), never a person's name or a
// patient datum; onshi stores it in the audit log and in what staff record (versions,
// self-declarations, consents) and never interprets it.

#ifndef ONSHI_PLUGIN_SERVICE_CALLER_H_
#define ONSHI_PLUGIN_SERVICE_CALLER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"

namespace onshi {

// The metadata key (lower case, as gRPC requires).
inline constexpr absl::string_view kUserIdMetadataKey = "onshi-user-id";

// True for 1-64 characters of [A-Za-z0-9._@-]. Thread-safe.
bool IsValidUserId(absl::string_view user_id);

// The caller's user id from `context`'s client metadata: "" when the call carries none.
// Errors: INVALID_ARGUMENT (ONSHI_INVALID_USER_ID) when it carries one that IsValidUserId
// refuses, or more than one. Thread-safe for distinct contexts.
absl::StatusOr<std::string> CallerUserId(const grpc::ServerContext& context);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_SERVICE_CALLER_H_
