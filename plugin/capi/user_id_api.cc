// The host's user id (audit log, docs/audit.md): sent with every call as onshi-user-id.

#include <string>

#include "absl/status/status.h"
#include "onshi/onshi.h"
#include "plugin/capi/capi_internal.h"
#include "plugin/client/client.h"
#include "plugin/core/errors.h"
#include "plugin/service/caller.h"

using onshi::capi::CheckText;
using onshi::capi::Guarded;
using onshi::capi::InvalidArgument;

namespace {

// OK for "" (clears) and for ids IsValidUserId accepts; otherwise ONSHI_INVALID_USER_ID naming
// the function, never the value.
absl::Status CheckUserId(const char* user_id, const char* function) {
  if (absl::Status s = CheckText(user_id, function, "user_id"); !s.ok()) return s;
  const std::string id(user_id);
  if (!id.empty() && !onshi::IsValidUserId(id)) {
    return onshi::MakeError(onshi::errors::kInvalidUserId,
                            std::string(function) +
                                ": user_id must be 1-64 characters of "
                                "A-Z a-z 0-9 . _ @ -");
  }
  return absl::OkStatus();
}

}  // namespace

extern "C" {

onshi_status onshi_client_options_set_user_id(onshi_client_options* options, const char* user_id,
                                              onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_client_options_set_user_id";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (options == nullptr) return InvalidArgument(kFunction, "options is NULL");
    if (absl::Status s = CheckUserId(user_id, kFunction); !s.ok()) return s;
    options->options.user_id = user_id;
    return absl::OkStatus();
  });
}

onshi_status onshi_client_set_user_id(onshi_client* client, const char* user_id,
                                      onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_client_set_user_id";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (absl::Status s = CheckUserId(user_id, kFunction); !s.ok()) return s;
    return client->client->SetUserId(user_id);
  });
}

}  // extern "C"
