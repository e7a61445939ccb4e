// Internal to plugin/client: the host's user id (onshi_client_set_user_id) and the channel
// interceptor that sends it as the metadata entry onshi-user-id (plugin/service/caller.h) with
// every call of the client, unary and streaming alike.

#ifndef ONSHI_PLUGIN_CLIENT_USER_ID_H_
#define ONSHI_PLUGIN_CLIENT_USER_ID_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "grpcpp/support/client_interceptor.h"

namespace onshi::client {

// The current user id of one client. Thread-safe.
class UserIdHolder {
 public:
  // "" clears it. Errors: INVALID_ARGUMENT (ONSHI_INVALID_USER_ID) for a non-empty id that
  // IsValidUserId refuses; the held id is unchanged then.
  absl::Status Set(const std::string& user_id);
  std::string Get() const;

 private:
  mutable std::mutex mu_;
  std::string user_id_ ABSL_GUARDED_BY(mu_);
};

// Interceptor factories for a channel: every call started on it carries `holder`'s id as it is
// when the call starts (none while it is "").
std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>>
UserIdInterceptors(std::shared_ptr<UserIdHolder> holder);

}  // namespace onshi::client

#endif  // ONSHI_PLUGIN_CLIENT_USER_ID_H_
