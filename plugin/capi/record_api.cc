// Write-back (docs/record.md): the write-back request builder, onshi_write_back,
// onshi_preview_write_back, the result's getters, and the preview_only option of a check.

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onshi/onshi.h"
#include "onshi/v1/record_service.pb.h"
#include "plugin/capi/capi_internal.h"

struct onshi_write_back_request {
  onshi::v1::WriteBackRequest message;
  // Zero: the client's default.
  absl::Duration timeout = absl::ZeroDuration();
};

struct onshi_write_back_result {
  onshi::v1::RecordWrite write;
  // The coverage version the diff was computed against.
  int64_t base_version = 0;
  bool patient_exists = false;
  bool patient_created = false;
  bool dry_run = false;
  // For onshi_write_back_result_to_json: the message the result came from.
  onshi::v1::WriteBackResponse response;
  onshi::v1::RecordPreview preview;
  bool is_preview = false;
};

namespace {

using onshi::capi::BuilderRequestId;
using onshi::capi::CheckText;
using onshi::capi::CopyOut;
using onshi::capi::Guarded;
using onshi::capi::GuardedValue;
using onshi::capi::GuardedVoid;
using onshi::capi::InvalidArgument;
using onshi::capi::NewBuilder;
using onshi::capi::SetBuilderText;
using onshi::capi::Text;
using onshi::capi::ToJson;
using onshi::capi::ToTimeout;

using WriteBackRequest = onshi::v1::WriteBackRequest;

template <typename Setter>
onshi_status SetFlag(const char* function, onshi_write_back_request* request, int32_t value,
                     onshi_error** err, Setter&& setter) noexcept {
  return Guarded(function, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(function, "request is NULL");
    if (value != 0 && value != 1) return InvalidArgument(function, "value must be 0 or 1");
    setter(&request->message, value == 1);
    return absl::OkStatus();
  });
}

std::unique_ptr<onshi_write_back_result> FromPreview(const onshi::v1::RecordPreview& preview) {
  auto result = std::make_unique<onshi_write_back_result>();
  result->write.set_patient_id(preview.patient_id());
  result->write.set_coverage_version(preview.current_version() + (preview.changed() ? 1 : 0));
  result->write.set_changed(preview.changed());
  *result->write.mutable_changes() = preview.changes();
  result->base_version = preview.current_version();
  result->patient_exists = preview.patient_exists();
  result->dry_run = true;
  result->preview = preview;
  result->is_preview = true;
  return result;
}

template <typename T, typename Getter>
T ResultNumber(const onshi_write_back_result* r, Getter&& getter) noexcept {
  return GuardedValue<T>(0, [&]() -> T {
    if (r == nullptr) return 0;
    return static_cast<T>(getter(*r));
  });
}

template <typename Field>
const char* ChangeText(const onshi_write_back_result* r, int32_t i, Field&& field) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    if (r == nullptr || i < 0 || i >= r->write.changes_size()) return "";
    return Text(field(r->write.changes(i)));
  });
}

}  // namespace

extern "C" {

onshi_status onshi_check_request_set_preview_only(onshi_check_request* request,
                                                  int32_t preview_only,
                                                  onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_check_request_set_preview_only";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (preview_only != 0 && preview_only != 1) {
      return InvalidArgument(kFunction, "preview_only must be 0 or 1");
    }
    request->message.set_preview_only(preview_only == 1);
    return absl::OkStatus();
  });
}

onshi_status onshi_qualification_write_back_preview(const onshi_qualification* q,
                                                    onshi_write_back_result** out,
                                                    onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_qualification_write_back_preview";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (q == nullptr) return InvalidArgument(kFunction, "q is NULL");
    if (!q->response.has_preview()) return absl::OkStatus();
    *out = FromPreview(q->response.preview()).release();
    return absl::OkStatus();
  });
}

onshi_write_back_request* onshi_write_back_request_new(void) noexcept {
  return NewBuilder<onshi_write_back_request>();
}

void onshi_write_back_request_free(onshi_write_back_request* request) noexcept {
  GuardedVoid([&] { delete request; });
}

onshi_status onshi_write_back_request_set_request_id(onshi_write_back_request* request,
                                                     const char* request_id,
                                                     onshi_error** err) noexcept {
  return SetBuilderText(
      "onshi_write_back_request_set_request_id", request, request_id, err,
      [](WriteBackRequest* m, std::string v) { m->set_request_id(std::move(v)); });
}

const char* onshi_write_back_request_request_id(const onshi_write_back_request* request) noexcept {
  return BuilderRequestId(request);
}

onshi_status onshi_write_back_request_set_patient_id(onshi_write_back_request* request,
                                                     const char* patient_id,
                                                     onshi_error** err) noexcept {
  return SetBuilderText(
      "onshi_write_back_request_set_patient_id", request, patient_id, err,
      [](WriteBackRequest* m, std::string v) { m->set_patient_id(std::move(v)); });
}

onshi_status onshi_write_back_request_set_source_request_id(onshi_write_back_request* request,
                                                            const char* source_request_id,
                                                            onshi_error** err) noexcept {
  return SetBuilderText(
      "onshi_write_back_request_set_source_request_id", request, source_request_id, err,
      [](WriteBackRequest* m, std::string v) { m->set_source_request_id(std::move(v)); });
}

onshi_status onshi_write_back_request_set_expected_version(onshi_write_back_request* request,
                                                           int64_t expected_version,
                                                           onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_write_back_request_set_expected_version";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (expected_version < 0) return InvalidArgument(kFunction, "expected_version is negative");
    request->message.set_expected_version(expected_version);
    return absl::OkStatus();
  });
}

onshi_status onshi_write_back_request_set_reason(onshi_write_back_request* request,
                                                 const char* reason, onshi_error** err) noexcept {
  return SetBuilderText("onshi_write_back_request_set_reason", request, reason, err,
                        [](WriteBackRequest* m, std::string v) { m->set_reason(std::move(v)); });
}

onshi_status onshi_write_back_request_set_create_patient(onshi_write_back_request* request,
                                                         int32_t create_patient,
                                                         onshi_error** err) noexcept {
  return SetFlag("onshi_write_back_request_set_create_patient", request, create_patient, err,
                 [](WriteBackRequest* m, bool v) { m->set_create_patient(v); });
}

onshi_status onshi_write_back_request_set_dry_run(onshi_write_back_request* request,
                                                  int32_t dry_run, onshi_error** err) noexcept {
  return SetFlag("onshi_write_back_request_set_dry_run", request, dry_run, err,
                 [](WriteBackRequest* m, bool v) { m->set_dry_run(v); });
}

onshi_status onshi_write_back_request_set_timeout_ms(onshi_write_back_request* request,
                                                     int64_t timeout_ms,
                                                     onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_write_back_request_set_timeout_ms";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    return ToTimeout(timeout_ms, kFunction, &request->timeout);
  });
}

onshi_status onshi_write_back(onshi_client* client, const onshi_write_back_request* request,
                              onshi_write_back_result** out, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_write_back";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    absl::StatusOr<onshi::v1::WriteBackResponse> response =
        client->client->WriteBack(request->message, request->timeout);
    if (!response.ok()) return response.status();
    auto result = std::make_unique<onshi_write_back_result>();
    result->write = response->write();
    result->base_version =
        response->write().coverage_version() - (response->write().changed() ? 1 : 0);
    result->patient_exists = true;
    result->patient_created = response->patient_created();
    result->dry_run = response->dry_run();
    if (result->dry_run) result->patient_exists = !response->patient_created();
    result->response = *std::move(response);
    *out = result.release();
    return absl::OkStatus();
  });
}

onshi_status onshi_preview_write_back(onshi_client* client, const char* patient_id,
                                      const char* source_request_id, int64_t timeout_ms,
                                      onshi_write_back_result** out, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_preview_write_back";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (absl::Status s = CheckText(patient_id, kFunction, "patient_id"); !s.ok()) return s;
    if (absl::Status s = CheckText(source_request_id, kFunction, "source_request_id"); !s.ok()) {
      return s;
    }
    absl::Duration timeout;
    if (absl::Status s = ToTimeout(timeout_ms, kFunction, &timeout); !s.ok()) return s;
    absl::StatusOr<onshi::v1::RecordPreview> preview =
        client->client->PreviewWriteBack(patient_id, source_request_id, timeout);
    if (!preview.ok()) return preview.status();
    *out = FromPreview(*preview).release();
    return absl::OkStatus();
  });
}

void onshi_write_back_result_free(onshi_write_back_result* result) noexcept {
  GuardedVoid([&] { delete result; });
}

const char* onshi_write_back_result_patient_id(const onshi_write_back_result* result) noexcept {
  return GuardedValue<const char*>(
      "", [&] { return result == nullptr ? "" : Text(result->write.patient_id()); });
}

int64_t onshi_write_back_result_version(const onshi_write_back_result* result) noexcept {
  return ResultNumber<int64_t>(
      result, [](const onshi_write_back_result& r) { return r.write.coverage_version(); });
}

int64_t onshi_write_back_result_base_version(const onshi_write_back_result* result) noexcept {
  return ResultNumber<int64_t>(result,
                               [](const onshi_write_back_result& r) { return r.base_version; });
}

int32_t onshi_write_back_result_changed(const onshi_write_back_result* result) noexcept {
  return ResultNumber<int32_t>(result,
                               [](const onshi_write_back_result& r) { return r.write.changed(); });
}

int32_t onshi_write_back_result_dry_run(const onshi_write_back_result* result) noexcept {
  return ResultNumber<int32_t>(result, [](const onshi_write_back_result& r) { return r.dry_run; });
}

int32_t onshi_write_back_result_patient_exists(const onshi_write_back_result* result) noexcept {
  return ResultNumber<int32_t>(result,
                               [](const onshi_write_back_result& r) { return r.patient_exists; });
}

int32_t onshi_write_back_result_patient_created(const onshi_write_back_result* result) noexcept {
  return ResultNumber<int32_t>(result,
                               [](const onshi_write_back_result& r) { return r.patient_created; });
}

int32_t onshi_write_back_result_change_count(const onshi_write_back_result* result) noexcept {
  return ResultNumber<int32_t>(
      result, [](const onshi_write_back_result& r) { return r.write.changes_size(); });
}

const char* onshi_write_back_result_change_field(const onshi_write_back_result* result,
                                                 int32_t i) noexcept {
  return ChangeText(
      result, i, [](const onshi::v1::FieldChange& c) -> const std::string& { return c.field(); });
}

const char* onshi_write_back_result_change_old_value(const onshi_write_back_result* result,
                                                     int32_t i) noexcept {
  return ChangeText(result, i, [](const onshi::v1::FieldChange& c) -> const std::string& {
    return c.old_value();
  });
}

const char* onshi_write_back_result_change_new_value(const onshi_write_back_result* result,
                                                     int32_t i) noexcept {
  return ChangeText(result, i, [](const onshi::v1::FieldChange& c) -> const std::string& {
    return c.new_value();
  });
}

const char* onshi_write_back_result_change_staff_message(const onshi_write_back_result* result,
                                                         int32_t i) noexcept {
  return ChangeText(result, i, [](const onshi::v1::FieldChange& c) -> const std::string& {
    return c.staff_message();
  });
}

onshi_status onshi_write_back_result_to_json(const onshi_write_back_result* result, char** out,
                                             size_t* out_len, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_write_back_result_to_json";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (result == nullptr) return InvalidArgument(kFunction, "result is NULL");
    std::string json;
    absl::Status status =
        result->is_preview ? ToJson(result->preview, &json) : ToJson(result->response, &json);
    if (!status.ok()) return status;
    return CopyOut(json, out, out_len);
  });
}

}  // extern "C"
