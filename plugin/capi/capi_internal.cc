#include "plugin/capi/capi_internal.h"

#include <cstdlib>
#include <cstring>
#include <new>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "onshi/v1/error.pb.h"
#include "plugin/core/errors.h"
#include "plugin/core/text.h"

namespace onshi::capi {
namespace {

// Handed out when even the error object cannot be allocated. Built while the library loads,
// never freed.
onshi_error* NewOutOfMemoryError() {
  auto* error = new onshi_error();
  error->code = ONSHI_INTERNAL;
  error->reason = std::string(errors::kInternal.reason);
  error->staff_message = std::string(errors::kInternal.staff_message);
  error->it_message = "memory exhausted while reporting an error";
  error->retryable = false;
  error->is_static = true;
  return error;
}

onshi_error* const kOutOfMemoryError = NewOutOfMemoryError();

onshi_status Store(onshi_error** err, onshi_status code, onshi_error* error) noexcept {
  if (err != nullptr) {
    *err = error != nullptr ? error : kOutOfMemoryError;
  } else {
    delete error;
  }
  return code;
}

}  // namespace

onshi_status Fail(onshi_error** err, const absl::Status& status) noexcept {
  const auto code = static_cast<onshi_status>(status.code());
  if (err == nullptr) return code;
  onshi_error* error = nullptr;
  try {
    v1::ErrorDetail detail = ToErrorDetail(status);
    error = new onshi_error();
    error->code = code;
    error->reason = detail.reason();
    error->staff_message = detail.staff_message();
    error->it_message = detail.it_message();
    error->retryable = detail.retryable();
  } catch (...) {
    delete error;
    error = nullptr;
  }
  return Store(err, code, error);
}

onshi_status FailInternal(onshi_error** err, const char* function) noexcept {
  try {
    return Fail(
        err, MakeError(errors::kInternal, absl::StrCat("unexpected C++ exception in ", function)));
  } catch (...) {
    return Store(err, ONSHI_INTERNAL, nullptr);
  }
}

absl::Status InvalidArgument(absl::string_view function, absl::string_view detail) {
  return MakeError(errors::kInvalidArgument, absl::StrCat(function, ": ", detail));
}

absl::Status CheckText(const char* text, absl::string_view function, absl::string_view parameter) {
  if (text == nullptr) return InvalidArgument(function, absl::StrCat(parameter, " is NULL"));
  if (!IsValidUtf8(text)) {
    return InvalidArgument(function, absl::StrCat(parameter, " is not valid UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status ToTimeout(int64_t timeout_ms, absl::string_view function, absl::Duration* out) {
  if (timeout_ms < 0 || absl::Milliseconds(timeout_ms) > client::kMaxTimeout) {
    return InvalidArgument(function, "timeout_ms must be 0 (default) or 1 to 86400000");
  }
  *out = absl::Milliseconds(timeout_ms);
  return absl::OkStatus();
}

absl::Status CopyOut(const std::string& text, char** out, size_t* out_len) {
  auto* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (copy == nullptr) return MakeError(errors::kInternal, "memory exhausted copying a result");
  std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  *out = copy;
  if (out_len != nullptr) *out_len = text.size();
  return absl::OkStatus();
}

absl::Status JsonOut(absl::string_view function, absl::string_view parameter,
                     const google::protobuf::Message* message, char** out, size_t* out_len) {
  if (out == nullptr) return InvalidArgument(function, "out is NULL");
  *out = nullptr;
  if (out_len != nullptr) *out_len = 0;
  if (message == nullptr) return InvalidArgument(function, absl::StrCat(parameter, " is NULL"));
  std::string json;
  if (absl::Status s = ToJson(*message, &json); !s.ok()) return s;
  return CopyOut(json, out, out_len);
}

absl::Status ToJson(const google::protobuf::Message& message, std::string* json) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  google::protobuf::util::Status status =
      google::protobuf::util::MessageToJsonString(message, json, options);
  if (!status.ok()) {
    // The converter's message may quote field content; only its code is kept.
    return MakeError(errors::kInternal, absl::StrCat("JSON conversion failed with code ",
                                                     static_cast<int>(status.code())));
  }
  return absl::OkStatus();
}

}  // namespace onshi::capi
