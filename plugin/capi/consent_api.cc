// The consent ledger: ListConsents with per-scope getters, RecordStaffConsent, and the
// inpatient stay (RecordAdmission / RecordDischarge).

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/util/time_util.h"
#include "onshi/onshi.h"
#include "onshi/v1/consent_service.pb.h"
#include "plugin/capi/capi_internal.h"

// The public constants mirror the contract's enums by value.
static_assert(ONSHI_CONSENT_SCOPE_LIMIT_CERTIFICATE == onshi::v1::CONSENT_SCOPE_LIMIT_CERTIFICATE);
static_assert(ONSHI_CONSENT_SCOPE_SPECIFIC_DISEASES == onshi::v1::CONSENT_SCOPE_SPECIFIC_DISEASES);
static_assert(ONSHI_CONSENT_SCOPE_MEDICATION == onshi::v1::CONSENT_SCOPE_MEDICATION);
static_assert(ONSHI_CONSENT_SCOPE_DIAGNOSIS == onshi::v1::CONSENT_SCOPE_DIAGNOSIS);
static_assert(ONSHI_CONSENT_SCOPE_OPERATION == onshi::v1::CONSENT_SCOPE_OPERATION);
static_assert(ONSHI_CONSENT_SCOPE_CHECKUPS == onshi::v1::CONSENT_SCOPE_CHECKUPS);
static_assert(ONSHI_CONSENT_SETTING_OUTPATIENT == onshi::v1::CONSENT_SETTING_OUTPATIENT);
static_assert(ONSHI_CONSENT_SETTING_INPATIENT == onshi::v1::CONSENT_SETTING_INPATIENT);
static_assert(ONSHI_CONSENT_SETTING_HOME_VISIT == onshi::v1::CONSENT_SETTING_HOME_VISIT);
static_assert(ONSHI_CONSENT_SETTING_ONLINE == onshi::v1::CONSENT_SETTING_ONLINE);
static_assert(ONSHI_CONSENT_SETTING_EMERGENCY == onshi::v1::CONSENT_SETTING_EMERGENCY);
static_assert(ONSHI_CONSENT_SOURCE_NONE == onshi::v1::CONSENT_SOURCE_UNSPECIFIED);
static_assert(ONSHI_CONSENT_SOURCE_CARD_READER == onshi::v1::CONSENT_SOURCE_CARD_READER);
static_assert(ONSHI_CONSENT_SOURCE_STAFF == onshi::v1::CONSENT_SOURCE_STAFF);

struct onshi_consents {
  onshi::v1::ListConsentsResponse response;
};

namespace {

using google::protobuf::util::TimeUtil;
using onshi::capi::CheckText;
using onshi::capi::CopyOut;
using onshi::capi::Guarded;
using onshi::capi::GuardedValue;
using onshi::capi::GuardedVoid;
using onshi::capi::HandOut;
using onshi::capi::InvalidArgument;
using onshi::capi::JsonOut;
using onshi::capi::Text;
using onshi::capi::ToJson;

const onshi::v1::ScopeVerdict* VerdictAt(const onshi_consents* c, int32_t i) {
  if (c == nullptr || i < 0 || i >= c->response.verdicts_size()) return nullptr;
  return &c->response.verdicts(i);
}

template <typename T, typename Value>
T VerdictValue(const onshi_consents* c, int32_t i, Value&& value) noexcept {
  return GuardedValue<T>(T{0}, [&]() -> T {
    const onshi::v1::ScopeVerdict* v = VerdictAt(c, i);
    if (v == nullptr) return T{0};
    return static_cast<T>(value(*v));
  });
}

// Admission and discharge share their checks: 0 is now.
template <typename Request>
absl::Status StayRequest(const char* function, onshi_client* client, const char* request_id,
                         const char* patient_id, int64_t at_epoch_ms, Request* request) {
  if (client == nullptr) return InvalidArgument(function, "client is NULL");
  if (absl::Status s = CheckText(request_id, function, "request_id"); !s.ok()) return s;
  if (absl::Status s = CheckText(patient_id, function, "patient_id"); !s.ok()) return s;
  if (at_epoch_ms < 0) return InvalidArgument(function, "at_epoch_ms is negative");
  request->set_request_id(request_id);
  request->set_patient_id(patient_id);
  return absl::OkStatus();
}

int64_t Millis(const google::protobuf::Timestamp& t) {
  return TimeUtil::TimestampToMilliseconds(t);
}

}  // namespace

onshi_status onshi_list_consents(onshi_client* client, const char* patient_id, int64_t at_epoch_ms,
                                 int32_t setting, onshi_consents** out,
                                 onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_list_consents";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (absl::Status s = CheckText(patient_id, kFunction, "patient_id"); !s.ok()) return s;
    if (at_epoch_ms < 0) return InvalidArgument(kFunction, "at_epoch_ms is negative");
    if (setting < 0 || setting > ONSHI_CONSENT_SETTING_EMERGENCY) {
      return InvalidArgument(kFunction, "setting is not an ONSHI_CONSENT_SETTING_* value");
    }
    onshi::v1::ListConsentsRequest request;
    request.set_patient_id(patient_id);
    if (at_epoch_ms > 0)
      *request.mutable_at_time() = TimeUtil::MillisecondsToTimestamp(at_epoch_ms);
    request.set_setting(static_cast<onshi::v1::ConsentSettingKind>(setting));
    absl::StatusOr<onshi::v1::ListConsentsResponse> response =
        client->client->ListConsents(request, absl::ZeroDuration());
    return HandOut(std::move(response), out);
  });
}

void onshi_consents_free(onshi_consents* c) noexcept {
  GuardedVoid([&] { delete c; });
}

int32_t onshi_consents_count(const onshi_consents* c) noexcept {
  return GuardedValue<int32_t>(
      0, [&]() -> int32_t { return c == nullptr ? 0 : c->response.verdicts_size(); });
}

int32_t onshi_consents_scope(const onshi_consents* c, int32_t i) noexcept {
  return VerdictValue<int32_t>(c, i, [](const onshi::v1::ScopeVerdict& v) { return v.scope(); });
}

int onshi_consents_allowed(const onshi_consents* c, int32_t i) noexcept {
  return VerdictValue<int>(c, i, [](const onshi::v1::ScopeVerdict& v) { return v.allowed(); });
}

const char* onshi_consents_reason(const onshi_consents* c, int32_t i) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    const onshi::v1::ScopeVerdict* v = VerdictAt(c, i);
    return v == nullptr ? "" : Text(v->reason());
  });
}

int64_t onshi_consents_valid_until_ms(const onshi_consents* c, int32_t i) noexcept {
  return VerdictValue<int64_t>(c, i, [](const onshi::v1::ScopeVerdict& v) -> int64_t {
    if (v.allowed()) {
      return v.has_valid_until() ? Millis(v.valid_until()) : std::numeric_limits<int64_t>::max();
    }
    return v.has_expired_time() ? Millis(v.expired_time()) : 0;
  });
}

int onshi_consents_while_admitted(const onshi_consents* c, int32_t i) noexcept {
  return VerdictValue<int>(c, i,
                           [](const onshi::v1::ScopeVerdict& v) { return v.while_admitted(); });
}

int32_t onshi_consents_setting(const onshi_consents* c, int32_t i) noexcept {
  return VerdictValue<int32_t>(c, i, [](const onshi::v1::ScopeVerdict& v) { return v.setting(); });
}

int32_t onshi_consents_source(const onshi_consents* c, int32_t i) noexcept {
  return VerdictValue<int32_t>(c, i, [](const onshi::v1::ScopeVerdict& v) { return v.source(); });
}

onshi_status onshi_consents_to_json(const onshi_consents* c, char** out, size_t* out_len,
                                    onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_consents_to_json";
  return Guarded(kFunction, err, [&] {
    return JsonOut(kFunction, "c", c == nullptr ? nullptr : &c->response, out, out_len);
  });
}

onshi_status onshi_record_staff_consent(onshi_client* client, const char* request_id,
                                        const char* patient_id, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_record_staff_consent";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (absl::Status s = CheckText(request_id, kFunction, "request_id"); !s.ok()) return s;
    if (absl::Status s = CheckText(patient_id, kFunction, "patient_id"); !s.ok()) return s;
    onshi::v1::RecordStaffConsentRequest request;
    request.set_request_id(request_id);
    request.set_patient_id(patient_id);
    request.set_scope(onshi::v1::CONSENT_SCOPE_LIMIT_CERTIFICATE);
    absl::StatusOr<onshi::v1::RecordStaffConsentResponse> response =
        client->client->RecordStaffConsent(request, absl::ZeroDuration());
    return response.status();
  });
}

onshi_status onshi_record_admission(onshi_client* client, const char* request_id,
                                    const char* patient_id, int64_t at_epoch_ms,
                                    onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_record_admission";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    onshi::v1::RecordAdmissionRequest request;
    if (absl::Status s =
            StayRequest(kFunction, client, request_id, patient_id, at_epoch_ms, &request);
        !s.ok()) {
      return s;
    }
    if (at_epoch_ms > 0) {
      *request.mutable_admitted_time() = TimeUtil::MillisecondsToTimestamp(at_epoch_ms);
    }
    return client->client->RecordAdmission(request, absl::ZeroDuration()).status();
  });
}

onshi_status onshi_record_discharge(onshi_client* client, const char* request_id,
                                    const char* patient_id, int64_t at_epoch_ms,
                                    onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_record_discharge";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    onshi::v1::RecordDischargeRequest request;
    if (absl::Status s =
            StayRequest(kFunction, client, request_id, patient_id, at_epoch_ms, &request);
        !s.ok()) {
      return s;
    }
    if (at_epoch_ms > 0) {
      *request.mutable_discharged_time() = TimeUtil::MillisecondsToTimestamp(at_epoch_ms);
    }
    return client->client->RecordDischarge(request, absl::ZeroDuration()).status();
  });
}
