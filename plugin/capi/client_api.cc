// Client options, the client, health and the patient record.

#include <new>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onshi/onshi.h"
#include "plugin/capi/capi_internal.h"
#include "plugin/client/client.h"

using onshi::capi::CheckText;
using onshi::capi::CopyOut;
using onshi::capi::Guarded;
using onshi::capi::GuardedValue;
using onshi::capi::GuardedVoid;
using onshi::capi::InvalidArgument;
using onshi::capi::ToJson;
using onshi::capi::ToTimeout;

extern "C" {

onshi_client_options* onshi_client_options_new(void) noexcept {
  return GuardedValue<onshi_client_options*>(
      nullptr, [] { return new (std::nothrow) onshi_client_options(); });
}

void onshi_client_options_free(onshi_client_options* options) noexcept {
  GuardedVoid([&] { delete options; });
}

onshi_status onshi_client_options_set_socket_path(onshi_client_options* options, const char* path,
                                                  onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_client_options_set_socket_path";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (options == nullptr) return InvalidArgument(kFunction, "options is NULL");
    if (absl::Status s = CheckText(path, kFunction, "path"); !s.ok()) return s;
    options->options.socket_path = path;
    return absl::OkStatus();
  });
}

onshi_status onshi_client_options_set_embedded_config(onshi_client_options* options,
                                                      const char* config_path,
                                                      onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_client_options_set_embedded_config";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (options == nullptr) return InvalidArgument(kFunction, "options is NULL");
    if (absl::Status s = CheckText(config_path, kFunction, "config_path"); !s.ok()) return s;
    options->options.embedded_config_path = config_path;
    return absl::OkStatus();
  });
}

onshi_status onshi_client_options_set_timeout_ms(onshi_client_options* options, int64_t timeout_ms,
                                                 onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_client_options_set_timeout_ms";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (options == nullptr) return InvalidArgument(kFunction, "options is NULL");
    return ToTimeout(timeout_ms, kFunction, &options->options.timeout);
  });
}

onshi_status onshi_client_options_set_connect_timeout_ms(onshi_client_options* options,
                                                         int64_t timeout_ms,
                                                         onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_client_options_set_connect_timeout_ms";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (options == nullptr) return InvalidArgument(kFunction, "options is NULL");
    return ToTimeout(timeout_ms, kFunction, &options->options.connect_timeout);
  });
}

onshi_status onshi_client_open(const onshi_client_options* options, onshi_client** out,
                               onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_client_open";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (options == nullptr) return InvalidArgument(kFunction, "options is NULL");
    absl::StatusOr<std::unique_ptr<onshi::client::Client>> client =
        onshi::client::Client::Open(options->options);
    if (!client.ok()) return client.status();
    auto handle = std::make_unique<onshi_client>();
    handle->client = *std::move(client);
    *out = handle.release();
    return absl::OkStatus();
  });
}

void onshi_client_close(onshi_client* client) noexcept {
  GuardedVoid([&] { delete client; });
}

onshi_status onshi_client_health(onshi_client* client, int32_t* serving,
                                 onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_client_health";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (serving == nullptr) return InvalidArgument(kFunction, "serving is NULL");
    absl::StatusOr<bool> result = client->client->Health(absl::ZeroDuration());
    if (!result.ok()) return result.status();
    *serving = *result ? 1 : 0;
    return absl::OkStatus();
  });
}

onshi_status onshi_get_patient_record(onshi_client* client, const char* patient_id,
                                      int64_t timeout_ms, char** out_json, size_t* out_len,
                                      onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_get_patient_record";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out_json == nullptr) return InvalidArgument(kFunction, "out_json is NULL");
    *out_json = nullptr;
    if (out_len != nullptr) *out_len = 0;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (absl::Status s = CheckText(patient_id, kFunction, "patient_id"); !s.ok()) return s;
    absl::Duration timeout;
    if (absl::Status s = ToTimeout(timeout_ms, kFunction, &timeout); !s.ok()) return s;
    absl::StatusOr<onshi::v1::PatientRecord> record =
        client->client->GetPatientRecord(patient_id, timeout);
    if (!record.ok()) return record.status();
    std::string json;
    if (absl::Status s = ToJson(*record, &json); !s.ok()) return s;
    return CopyOut(json, out_json, out_len);
  });
}

}  // extern "C"
