// The one conversion between onshi's absl::Status (with its ErrorDetail payload, see
// plugin/core/errors.h) and grpc::Status, used by the service handlers and by the client.
//
// On the wire a failed call carries the canonical code, the IT text as message, and an
// onshi.v1.ErrorStatus (wire-compatible with google.rpc.Status) whose details[0] is the
// ErrorDetail, so any gRPC client that reads rich errors gets reason and both texts.

#ifndef ONSHI_PLUGIN_SERVICE_GRPC_STATUS_H_
#define ONSHI_PLUGIN_SERVICE_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace onshi {

grpc::Status ToGrpcStatus(const absl::Status& status);

// A status from a call to onshi. Failures of the channel itself (no sidecar, deadline) carry
// no ErrorDetail; they get the catalogue's ONSHI_SIDECAR_UNAVAILABLE / ONSHI_DEADLINE_EXCEEDED /
// generic texts, with gRPC's message kept in the IT text.
absl::Status FromGrpcStatus(const grpc::Status& status);

// When a handler must stop waiting so that its reply still reaches the caller: the call's
// deadline less a margin for the way back; InfiniteFuture for a call without a deadline.
absl::Time ReplyDeadline(const grpc::ServerContext& context);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_SERVICE_GRPC_STATUS_H_
