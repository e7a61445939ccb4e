// The self-pay cap (高額療養費 自己負担限度額): the request builder, the call, and the answer's
// getters.

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onshi/onshi.h"
#include "onshi/v1/billing_service.pb.h"
#include "plugin/capi/capi_internal.h"

// The public constants mirror the contract's enums by value.
static_assert(ONSHI_CAP_SETTING_OUTPATIENT == onshi::v1::CAP_CARE_SETTING_OUTPATIENT);
static_assert(ONSHI_CAP_SETTING_INPATIENT == onshi::v1::CAP_CARE_SETTING_INPATIENT);
static_assert(ONSHI_SPECIFIC_DISEASE_NONE == onshi::v1::SPECIFIC_DISEASE_KIND_UNSPECIFIED);
static_assert(ONSHI_SPECIFIC_DISEASE_DIALYSIS == onshi::v1::SPECIFIC_DISEASE_KIND_DIALYSIS);
static_assert(ONSHI_SPECIFIC_DISEASE_HEMOPHILIA == onshi::v1::SPECIFIC_DISEASE_KIND_HEMOPHILIA);
static_assert(ONSHI_SPECIFIC_DISEASE_HIV == onshi::v1::SPECIFIC_DISEASE_KIND_HIV);
static_assert(ONSHI_CAP_AGE_BAND_UNDER_70 == onshi::v1::CAP_AGE_BAND_UNDER_70);
static_assert(ONSHI_CAP_AGE_BAND_70_TO_74 == onshi::v1::CAP_AGE_BAND_70_TO_74);
static_assert(ONSHI_CAP_AGE_BAND_LATE_ELDERLY == onshi::v1::CAP_AGE_BAND_LATE_ELDERLY);
static_assert(ONSHI_CAP_SOURCE_CERTIFICATE == onshi::v1::CAP_CATEGORY_SOURCE_CERTIFICATE);
static_assert(ONSHI_CAP_SOURCE_AGE_AND_RATIO == onshi::v1::CAP_CATEGORY_SOURCE_AGE_AND_RATIO);

struct onshi_cap_request {
  onshi::v1::GetSelfPayCapRequest message;
  // Zero: the client's default call timeout.
  absl::Duration timeout = absl::ZeroDuration();
};

struct onshi_self_pay_cap {
  onshi::v1::GetSelfPayCapResponse response;
};

namespace {

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
using onshi::capi::ToTimeout;

using CapResponse = onshi::v1::GetSelfPayCapResponse;

// The same bound as the service's (self_pay_cap.h kMaxMonthlyMedicalCostYen), checked here so
// that a host learns of a typo before the call.
constexpr int64_t kMaxCostYen = 10'000'000'000;

// A request field set after the NULL check.
template <typename Body>
onshi_status SetField(const char* function, onshi_cap_request* request, onshi_error** err,
                      Body&& body) noexcept {
  return Guarded(function, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(function, "request is NULL");
    return body(&request->message);
  });
}

template <typename Path>
const char* CapText(const onshi_self_pay_cap* cap, Path&& path) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    if (cap == nullptr) return "";
    const std::string* text = path(cap->response);
    return text == nullptr ? "" : Text(*text);
  });
}

template <typename T, typename Value>
T CapValue(const onshi_self_pay_cap* cap, Value&& value) noexcept {
  return GuardedValue<T>(T{0}, [&]() -> T {
    if (cap == nullptr) return T{0};
    return static_cast<T>(value(cap->response));
  });
}

const onshi::v1::Notice* NoticeAt(const CapResponse& r, int32_t i) {
  if (i < 0 || i >= r.notices_size()) return nullptr;
  return &r.notices(i);
}

}  // namespace

extern "C" {

onshi_cap_request* onshi_cap_request_new(void) noexcept {
  return GuardedValue<onshi_cap_request*>(nullptr,
                                          [] { return new (std::nothrow) onshi_cap_request(); });
}

void onshi_cap_request_free(onshi_cap_request* request) noexcept {
  GuardedVoid([&] { delete request; });
}

onshi_status onshi_cap_request_set_patient_id(onshi_cap_request* request, const char* patient_id,
                                              onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_cap_request_set_patient_id";
  return SetField(kFunction, request, err, [&](onshi::v1::GetSelfPayCapRequest* m) {
    if (absl::Status s = CheckText(patient_id, kFunction, "patient_id"); !s.ok()) return s;
    m->set_patient_id(patient_id);
    return absl::OkStatus();
  });
}

onshi_status onshi_cap_request_set_month(onshi_cap_request* request, const char* month,
                                         onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_cap_request_set_month";
  return SetField(kFunction, request, err, [&](onshi::v1::GetSelfPayCapRequest* m) {
    if (absl::Status s = CheckText(month, kFunction, "month"); !s.ok()) return s;
    m->set_month(month);
    return absl::OkStatus();
  });
}

onshi_status onshi_cap_request_set_total_cost(onshi_cap_request* request, int64_t cost_yen,
                                              onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_cap_request_set_total_cost";
  return SetField(kFunction, request, err, [&](onshi::v1::GetSelfPayCapRequest* m) {
    if (cost_yen < 0 || cost_yen > kMaxCostYen) {
      return InvalidArgument(kFunction, "cost_yen must be 0 to 10,000,000,000");
    }
    m->set_total_medical_cost_yen(cost_yen);
    return absl::OkStatus();
  });
}

onshi_status onshi_cap_request_set_many_times(onshi_cap_request* request, int32_t many_times,
                                              onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_cap_request_set_many_times";
  return SetField(kFunction, request, err, [&](onshi::v1::GetSelfPayCapRequest* m) {
    if (many_times != 0 && many_times != 1) {
      return InvalidArgument(kFunction, "many_times must be 0 or 1");
    }
    m->set_many_times(many_times == 1);
    return absl::OkStatus();
  });
}

onshi_status onshi_cap_request_set_care_setting(onshi_cap_request* request, int32_t setting,
                                                onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_cap_request_set_care_setting";
  return SetField(kFunction, request, err, [&](onshi::v1::GetSelfPayCapRequest* m) {
    if (setting != ONSHI_CAP_SETTING_OUTPATIENT && setting != ONSHI_CAP_SETTING_INPATIENT) {
      return InvalidArgument(kFunction, "setting is not ONSHI_CAP_SETTING_*");
    }
    m->set_care_setting(static_cast<onshi::v1::CapCareSetting>(setting));
    return absl::OkStatus();
  });
}

onshi_status onshi_cap_request_set_specific_disease(onshi_cap_request* request, int32_t disease,
                                                    onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_cap_request_set_specific_disease";
  return SetField(kFunction, request, err, [&](onshi::v1::GetSelfPayCapRequest* m) {
    if (disease < ONSHI_SPECIFIC_DISEASE_NONE || disease > ONSHI_SPECIFIC_DISEASE_HIV) {
      return InvalidArgument(kFunction, "disease is not ONSHI_SPECIFIC_DISEASE_*");
    }
    m->set_specific_disease(static_cast<onshi::v1::SpecificDiseaseKind>(disease));
    return absl::OkStatus();
  });
}

onshi_status onshi_cap_request_set_timeout_ms(onshi_cap_request* request, int64_t timeout_ms,
                                              onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_cap_request_set_timeout_ms";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    return ToTimeout(timeout_ms, kFunction, &request->timeout);
  });
}

onshi_status onshi_get_self_pay_cap(onshi_client* client, const onshi_cap_request* request,
                                    onshi_self_pay_cap** out, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_get_self_pay_cap";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    absl::StatusOr<CapResponse> response =
        client->client->GetSelfPayCap(request->message, request->timeout);
    return HandOut(std::move(response), out);
  });
}

void onshi_self_pay_cap_free(onshi_self_pay_cap* cap) noexcept {
  GuardedVoid([&] { delete cap; });
}

int64_t onshi_self_pay_cap_yen(const onshi_self_pay_cap* cap) noexcept {
  return CapValue<int64_t>(cap, [](const CapResponse& r) { return r.cap_yen(); });
}

const char* onshi_self_pay_cap_formula(const onshi_self_pay_cap* cap) noexcept {
  return CapText(cap, [](const CapResponse& r) { return &r.formula(); });
}

const char* onshi_self_pay_cap_category_code(const onshi_self_pay_cap* cap) noexcept {
  return CapText(cap, [](const CapResponse& r) { return &r.limit_category_code(); });
}

const char* onshi_self_pay_cap_category_name(const onshi_self_pay_cap* cap) noexcept {
  return CapText(cap, [](const CapResponse& r) { return &r.limit_category_name(); });
}

int32_t onshi_self_pay_cap_category_source(const onshi_self_pay_cap* cap) noexcept {
  return CapValue<int32_t>(cap, [](const CapResponse& r) { return r.category_source(); });
}

int32_t onshi_self_pay_cap_age_band(const onshi_self_pay_cap* cap) noexcept {
  return CapValue<int32_t>(cap, [](const CapResponse& r) { return r.age_band(); });
}

const char* onshi_self_pay_cap_age_band_label(const onshi_self_pay_cap* cap) noexcept {
  return CapText(cap, [](const CapResponse& r) { return &r.age_band_label(); });
}

const char* onshi_self_pay_cap_month(const onshi_self_pay_cap* cap) noexcept {
  return CapText(cap, [](const CapResponse& r) { return &r.month(); });
}

const char* onshi_self_pay_cap_rule_date(const onshi_self_pay_cap* cap) noexcept {
  return CapText(cap, [](const CapResponse& r) { return &r.rule_date(); });
}

int32_t onshi_self_pay_cap_many_times_applied(const onshi_self_pay_cap* cap) noexcept {
  return CapValue<int32_t>(cap, [](const CapResponse& r) { return r.many_times_applied(); });
}

int32_t onshi_self_pay_cap_turning_75_halved(const onshi_self_pay_cap* cap) noexcept {
  return CapValue<int32_t>(cap, [](const CapResponse& r) { return r.turning_75_halved(); });
}

int32_t onshi_self_pay_cap_depends_on_total_cost(const onshi_self_pay_cap* cap) noexcept {
  return CapValue<int32_t>(cap, [](const CapResponse& r) { return r.depends_on_total_cost(); });
}

int32_t onshi_self_pay_cap_specific_disease_applied(const onshi_self_pay_cap* cap) noexcept {
  return CapValue<int32_t>(cap, [](const CapResponse& r) { return r.specific_disease_applied(); });
}

int32_t onshi_self_pay_cap_notice_count(const onshi_self_pay_cap* cap) noexcept {
  return CapValue<int32_t>(cap, [](const CapResponse& r) { return r.notices_size(); });
}

const char* onshi_self_pay_cap_notice_code(const onshi_self_pay_cap* cap, int32_t i) noexcept {
  return CapText(cap, [i](const CapResponse& r) -> const std::string* {
    const onshi::v1::Notice* n = NoticeAt(r, i);
    return n == nullptr ? nullptr : &n->code();
  });
}

const char* onshi_self_pay_cap_notice_staff_message(const onshi_self_pay_cap* cap,
                                                    int32_t i) noexcept {
  return CapText(cap, [i](const CapResponse& r) -> const std::string* {
    const onshi::v1::Notice* n = NoticeAt(r, i);
    return n == nullptr ? nullptr : &n->staff_message();
  });
}

const char* onshi_self_pay_cap_notice_it_message(const onshi_self_pay_cap* cap,
                                                 int32_t i) noexcept {
  return CapText(cap, [i](const CapResponse& r) -> const std::string* {
    const onshi::v1::Notice* n = NoticeAt(r, i);
    return n == nullptr ? nullptr : &n->it_message();
  });
}

onshi_status onshi_self_pay_cap_to_json(const onshi_self_pay_cap* cap, char** out, size_t* out_len,
                                        onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_self_pay_cap_to_json";
  return Guarded(kFunction, err, [&] {
    return JsonOut(kFunction, "cap", cap == nullptr ? nullptr : &cap->response, out, out_len);
  });
}

}  // extern "C"
