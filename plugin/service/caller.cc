#include "plugin/service/caller.h"

#include "absl/strings/ascii.h"
#include "plugin/core/errors.h"

namespace onshi {

bool IsValidUserId(absl::string_view user_id) {
  if (user_id.empty() || user_id.size() > 64) return false;
  for (char c : user_id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
        c != '@' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::StatusOr<std::string> CallerUserId(const grpc::ServerContext& context) {
  const auto& metadata = context.client_metadata();
  const auto range = metadata.equal_range(
      grpc::string_ref(kUserIdMetadataKey.data(), kUserIdMetadataKey.size()));
  if (range.first == range.second) return std::string();
  auto next = range.first;
  if (++next != range.second) {
    return MakeError(errors::kInvalidUserId, "onshi-user-id given more than once");
  }
  const absl::string_view value(range.first->second.data(), range.first->second.size());
  if (!IsValidUserId(value)) return MakeError(errors::kInvalidUserId, "onshi-user-id");
  return std::string(value);
}

}  // namespace onshi
