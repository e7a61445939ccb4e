#include "plugin/service/grpc_status.h"

#include <chrono>
#include <string>

#include "onshi/v1/error.pb.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

// Replies must leave before the caller's deadline to be read; handlers stop waiting this much
// earlier.
constexpr absl::Duration kReplyMargin = absl::Milliseconds(50);

}  // namespace

absl::Time ReplyDeadline(const grpc::ServerContext& context) {
  const auto deadline = context.deadline();
  if (deadline == std::chrono::system_clock::time_point::max()) return absl::InfiniteFuture();
  return absl::FromChrono(deadline) - kReplyMargin;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  v1::ErrorDetail detail = ToErrorDetail(status);
  v1::ErrorStatus wire;
  wire.set_code(static_cast<int>(status.code()));
  wire.set_message(detail.it_message());
  wire.add_details()->PackFrom(detail);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), detail.it_message(),
                      wire.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  v1::ErrorStatus wire;
  v1::ErrorDetail detail;
  if (!status.error_details().empty() && wire.ParseFromString(status.error_details()) &&
      wire.details_size() > 0 && wire.details(0).UnpackTo(&detail) && !detail.reason().empty()) {
    return FromErrorDetail(code, detail);
  }
  switch (code) {
    case absl::StatusCode::kUnavailable:
      return MakeError(errors::kSidecarUnavailable, status.error_message());
    case absl::StatusCode::kDeadlineExceeded:
      return MakeError(errors::kDeadlineExceeded, status.error_message());
    case absl::StatusCode::kCancelled:
      return MakeError(errors::kCancelled, status.error_message());
    default:
      return absl::Status(code, status.error_message());
  }
}

}  // namespace onshi
