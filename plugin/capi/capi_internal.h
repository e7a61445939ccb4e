// What the extern "C" shims of libonshi.so share: the opaque structs behind the public handles
// and the exception barrier every entry point runs in. Internal to plugin/capi.
//
// The barrier: an entry point's body runs inside Guarded() (status-returning functions) or
// GuardedValue() (getters). Nothing thrown inside leaves it: std::exception and anything else
// become ONSHI_INTERNAL with reason ONSHI_INTERNAL. Bodies return absl::Status built from the
// error catalogue (plugin/core/errors.h), so the four things a host sees (code, reason, staff
// text, IT text) always come from that one table.

#ifndef ONSHI_PLUGIN_CAPI_CAPI_INTERNAL_H_
#define ONSHI_PLUGIN_CAPI_CAPI_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <new>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "onshi/onshi.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "plugin/client/client.h"
#include "plugin/common/ids.h"

struct onshi_error {
  onshi_status code = ONSHI_OK;
  std::string reason;
  std::string staff_message;
  std::string it_message;
  bool retryable = false;
  // The preallocated error handed out when memory runs out; onshi_error_free ignores it.
  bool is_static = false;
};

struct onshi_client_options {
  onshi::client::ClientOptions options;
};

struct onshi_client {
  std::unique_ptr<onshi::client::Client> client;
};

struct onshi_check_request {
  onshi::v1::CheckQualificationRequest message;
  // Zero: the client's default.
  absl::Duration timeout = absl::ZeroDuration();
};

struct onshi_qualification {
  onshi::v1::CheckQualificationResponse response;
};

namespace onshi::capi {

// Stores the error for `status` (not OK) in *err when err is not NULL and returns its code.
// Never throws; when memory runs out *err receives a preallocated ONSHI_INTERNAL error.
onshi_status Fail(onshi_error** err, const absl::Status& status) noexcept;

// ONSHI_INVALID_ARGUMENT naming what is wrong (`function`: `detail`), e.g. a NULL handle.
absl::Status InvalidArgument(absl::string_view function, absl::string_view detail);

// ONSHI_INTERNAL for an exception that reached the barrier of `function`. The exception's text
// is not used: it may quote data.
onshi_status FailInternal(onshi_error** err, const char* function) noexcept;

// OK when `text` is non-NULL, valid UTF-8 (no overlong forms, no surrogates, at most U+10FFFF);
// otherwise ONSHI_INVALID_ARGUMENT naming `function` and `parameter`, never the value.
absl::Status CheckText(const char* text, absl::string_view function, absl::string_view parameter);

// A timeout in milliseconds as accepted at the C ABI: 0 (default) or 1 … 86400000.
absl::Status ToTimeout(int64_t timeout_ms, absl::string_view function, absl::Duration* out);

// A malloc'ed NUL-terminated copy of `text` for the caller (released by onshi_string_free).
// ONSHI_INTERNAL when memory runs out.
absl::Status CopyOut(const std::string& text, char** out, size_t* out_len);

// The canonical JSON of a message: proto field names, defaults omitted.
absl::Status ToJson(const google::protobuf::Message& message, std::string* json);

// The body of every onshi_*_to_json: clears *out (and *out_len), refuses a NULL `out` or a NULL
// `message` (the object the caller passed as `parameter`) with ONSHI_INVALID_ARGUMENT, and hands
// out the message's JSON (ToJson, CopyOut).
absl::Status JsonOut(absl::string_view function, absl::string_view parameter,
                     const google::protobuf::Message* message, char** out, size_t* out_len);

// Hands `response` out as a new result object: on success *out becomes a new Result whose
// `response` member holds it (the caller of the C function releases it with its _free);
// otherwise *out is left as it is and the failure returned.
template <typename Result, typename Response>
absl::Status HandOut(absl::StatusOr<Response> response, Result** out) {
  if (!response.ok()) return response.status();
  auto result = std::make_unique<Result>();
  result->response = *std::move(response);
  *out = result.release();
  return absl::OkStatus();
}

// The body of an entry point that returns onshi_status. *err is cleared first; a failed body
// fills it. Exceptions stop here.
template <typename Body>
onshi_status Guarded(const char* function, onshi_error** err, Body&& body) noexcept {
  if (err != nullptr) *err = nullptr;
  try {
    absl::Status status = body();
    if (status.ok()) return ONSHI_OK;
    return Fail(err, status);
  } catch (...) {
    return FailInternal(err, function);
  }
}

// The body of an entry point that returns a value (getters, constructors): `fallback` when it
// throws.
template <typename T, typename Body>
T GuardedValue(T fallback, Body&& body) noexcept {
  try {
    return body();
  } catch (...) {
    return fallback;
  }
}

// The body of an entry point that returns nothing (free functions).
template <typename Body>
void GuardedVoid(Body&& body) noexcept {
  try {
    body();
  } catch (...) {
  }
}

// Borrowed C string for a getter: never NULL.
inline const char* Text(const std::string& s) { return s.c_str(); }

// Request builders (onshi_check_request, onshi_batch_request, …): opaque structs whose `message`
// is a request proto with a request_id. The bodies their _new, set_<text> and request_id
// functions share.

// A new builder with a fresh request_id; nullptr when memory runs out.
template <typename Builder>
Builder* NewBuilder() noexcept {
  return GuardedValue<Builder*>(nullptr, [] {
    auto* builder = new (std::nothrow) Builder();
    if (builder != nullptr) builder->message.set_request_id(NewRequestId());
    return builder;
  });
}

// Copies `value` into the field `setter` selects, after the NULL/UTF-8 check.
template <typename Builder, typename Setter>
onshi_status SetBuilderText(const char* function, Builder* builder, const char* value,
                            onshi_error** err, Setter&& setter) noexcept {
  return Guarded(function, err, [&]() -> absl::Status {
    if (builder == nullptr) return InvalidArgument(function, "request is NULL");
    if (absl::Status s = CheckText(value, function, "value"); !s.ok()) return s;
    setter(&builder->message, std::string(value));
    return absl::OkStatus();
  });
}

// The builder's request_id; "" for NULL.
template <typename Builder>
const char* BuilderRequestId(const Builder* builder) noexcept {
  return GuardedValue<const char*>(
      "", [&] { return builder == nullptr ? "" : Text(builder->message.request_id()); });
}

}  // namespace onshi::capi

#endif  // ONSHI_PLUGIN_CAPI_CAPI_INTERNAL_H_
