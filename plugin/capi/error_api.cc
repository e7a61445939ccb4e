// Versions, status names, error objects and library-allocated strings.

#include <cstdlib>

#include "absl/status/status.h"
#include "onshi/onshi.h"
#include "plugin/capi/capi_internal.h"

// The public codes are the canonical codes, by value.
static_assert(ONSHI_OK == static_cast<int>(absl::StatusCode::kOk));
static_assert(ONSHI_CANCELLED == static_cast<int>(absl::StatusCode::kCancelled));
static_assert(ONSHI_UNKNOWN == static_cast<int>(absl::StatusCode::kUnknown));
static_assert(ONSHI_INVALID_ARGUMENT == static_cast<int>(absl::StatusCode::kInvalidArgument));
static_assert(ONSHI_DEADLINE_EXCEEDED == static_cast<int>(absl::StatusCode::kDeadlineExceeded));
static_assert(ONSHI_NOT_FOUND == static_cast<int>(absl::StatusCode::kNotFound));
static_assert(ONSHI_ALREADY_EXISTS == static_cast<int>(absl::StatusCode::kAlreadyExists));
static_assert(ONSHI_PERMISSION_DENIED == static_cast<int>(absl::StatusCode::kPermissionDenied));
static_assert(ONSHI_RESOURCE_EXHAUSTED == static_cast<int>(absl::StatusCode::kResourceExhausted));
static_assert(ONSHI_FAILED_PRECONDITION == static_cast<int>(absl::StatusCode::kFailedPrecondition));
static_assert(ONSHI_ABORTED == static_cast<int>(absl::StatusCode::kAborted));
static_assert(ONSHI_OUT_OF_RANGE == static_cast<int>(absl::StatusCode::kOutOfRange));
static_assert(ONSHI_UNIMPLEMENTED == static_cast<int>(absl::StatusCode::kUnimplemented));
static_assert(ONSHI_INTERNAL == static_cast<int>(absl::StatusCode::kInternal));
static_assert(ONSHI_UNAVAILABLE == static_cast<int>(absl::StatusCode::kUnavailable));
static_assert(ONSHI_DATA_LOSS == static_cast<int>(absl::StatusCode::kDataLoss));
static_assert(ONSHI_UNAUTHENTICATED == static_cast<int>(absl::StatusCode::kUnauthenticated));

// The build passes the project version (CMakeLists.txt) so the header cannot drift from it.
static_assert(ONSHI_VERSION_MAJOR == ONSHI_BUILD_VERSION_MAJOR &&
                  ONSHI_VERSION_MINOR == ONSHI_BUILD_VERSION_MINOR &&
                  ONSHI_VERSION_PATCH == ONSHI_BUILD_VERSION_PATCH,
              "onshi.h ONSHI_VERSION_* differ from project(onshi VERSION ...)");
static_assert(ONSHI_ABI_VERSION == ONSHI_BUILD_SOVERSION,
              "onshi.h ONSHI_ABI_VERSION differs from the SOVERSION of libonshi.so");

using onshi::capi::GuardedValue;
using onshi::capi::GuardedVoid;

extern "C" {

const char* onshi_status_name(onshi_status status) noexcept {
  return GuardedValue<const char*>("UNRECOGNIZED", [&]() -> const char* {
    switch (status) {
      case ONSHI_OK:
        return "OK";
      case ONSHI_CANCELLED:
        return "CANCELLED";
      case ONSHI_UNKNOWN:
        return "UNKNOWN";
      case ONSHI_INVALID_ARGUMENT:
        return "INVALID_ARGUMENT";
      case ONSHI_DEADLINE_EXCEEDED:
        return "DEADLINE_EXCEEDED";
      case ONSHI_NOT_FOUND:
        return "NOT_FOUND";
      case ONSHI_ALREADY_EXISTS:
        return "ALREADY_EXISTS";
      case ONSHI_PERMISSION_DENIED:
        return "PERMISSION_DENIED";
      case ONSHI_RESOURCE_EXHAUSTED:
        return "RESOURCE_EXHAUSTED";
      case ONSHI_FAILED_PRECONDITION:
        return "FAILED_PRECONDITION";
      case ONSHI_ABORTED:
        return "ABORTED";
      case ONSHI_OUT_OF_RANGE:
        return "OUT_OF_RANGE";
      case ONSHI_UNIMPLEMENTED:
        return "UNIMPLEMENTED";
      case ONSHI_INTERNAL:
        return "INTERNAL";
      case ONSHI_UNAVAILABLE:
        return "UNAVAILABLE";
      case ONSHI_DATA_LOSS:
        return "DATA_LOSS";
      case ONSHI_UNAUTHENTICATED:
        return "UNAUTHENTICATED";
      default:
        return "UNRECOGNIZED";
    }
  });
}

void onshi_version(int32_t* major, int32_t* minor, int32_t* patch) noexcept {
  GuardedVoid([&] {
    if (major != nullptr) *major = ONSHI_BUILD_VERSION_MAJOR;
    if (minor != nullptr) *minor = ONSHI_BUILD_VERSION_MINOR;
    if (patch != nullptr) *patch = ONSHI_BUILD_VERSION_PATCH;
  });
}

const char* onshi_version_string(void) noexcept {
  return GuardedValue<const char*>("", [] { return ONSHI_BUILD_VERSION_STRING; });
}

int32_t onshi_abi_version(void) noexcept {
  return GuardedValue<int32_t>(-1, [] { return ONSHI_BUILD_SOVERSION; });
}

onshi_status onshi_error_code(const onshi_error* error) noexcept {
  return GuardedValue<onshi_status>(ONSHI_INTERNAL,
                                    [&] { return error == nullptr ? ONSHI_OK : error->code; });
}

const char* onshi_error_reason(const onshi_error* error) noexcept {
  return GuardedValue<const char*>("",
                                   [&] { return error == nullptr ? "" : error->reason.c_str(); });
}

const char* onshi_error_staff_message(const onshi_error* error) noexcept {
  return GuardedValue<const char*>(
      "", [&] { return error == nullptr ? "" : error->staff_message.c_str(); });
}

const char* onshi_error_it_message(const onshi_error* error) noexcept {
  return GuardedValue<const char*>(
      "", [&] { return error == nullptr ? "" : error->it_message.c_str(); });
}

int32_t onshi_error_retryable(const onshi_error* error) noexcept {
  return GuardedValue<int32_t>(0, [&] { return error != nullptr && error->retryable ? 1 : 0; });
}

void onshi_error_free(onshi_error* error) noexcept {
  GuardedVoid([&] {
    if (error != nullptr && !error->is_static) delete error;
  });
}

void onshi_string_free(char* s) noexcept {
  GuardedVoid([&] { std::free(s); });
}

}  // extern "C"
