// Card-reader check-ins at the C ABI: polling, the callback subscription, acknowledgement, the
// check-in's getters, and the consent getters of every qualification result.

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/util/time_util.h"
#include "onshi/onshi.h"
#include "onshi/v1/checkin_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/capi/capi_internal.h"

// The public constants mirror the contract's enums by value.
static_assert(ONSHI_MATCH_UNSPECIFIED == onshi::v1::PATIENT_MATCH_KIND_UNSPECIFIED);
static_assert(ONSHI_MATCH_REFERENCE_NUMBER == onshi::v1::PATIENT_MATCH_KIND_REFERENCE_NUMBER);
static_assert(ONSHI_MATCH_IDENTIFIERS == onshi::v1::PATIENT_MATCH_KIND_IDENTIFIERS);
static_assert(ONSHI_MATCH_NONE == onshi::v1::PATIENT_MATCH_KIND_NONE);
static_assert(ONSHI_MATCH_AMBIGUOUS == onshi::v1::PATIENT_MATCH_KIND_AMBIGUOUS);
static_assert(ONSHI_CONSENT_FLAG_UNSPECIFIED == onshi::v1::CONSENT_FLAG_UNSPECIFIED);
static_assert(ONSHI_CONSENT_FLAG_NOT_GIVEN == onshi::v1::CONSENT_FLAG_NOT_GIVEN);
static_assert(ONSHI_CONSENT_FLAG_GIVEN == onshi::v1::CONSENT_FLAG_GIVEN);
static_assert(ONSHI_CONSENT_FLAG_EXPIRED == onshi::v1::CONSENT_FLAG_EXPIRED);
static_assert(ONSHI_CONSENT_FLAG_DIFFICULT == onshi::v1::CONSENT_FLAG_DIFFICULT);

// A check-in: the event, and the same data as a qualification result (the borrowed view).
struct onshi_checkin {
  onshi::v1::CheckinEvent event;
  onshi_qualification view;
};

struct onshi_subscription {
  std::unique_ptr<onshi::client::CheckinSubscription> subscription;
};

namespace {

using onshi::capi::CheckText;
using onshi::capi::CopyOut;
using onshi::capi::Guarded;
using onshi::capi::GuardedValue;
using onshi::capi::GuardedVoid;
using onshi::capi::InvalidArgument;
using onshi::capi::JsonOut;
using onshi::capi::Text;
using onshi::capi::ToJson;
using onshi::capi::ToTimeout;

using Event = onshi::v1::CheckinEvent;

// The check-in of `event`, with its qualification view filled in.
std::unique_ptr<onshi_checkin> NewCheckin(Event event) {
  auto checkin = std::make_unique<onshi_checkin>();
  checkin->event = std::move(event);
  onshi::v1::CheckQualificationResponse& view = checkin->view.response;
  view.set_outcome(onshi::v1::CHECK_OUTCOME_ANSWERED);
  *view.mutable_result() = checkin->event.result();
  *view.mutable_billing() = checkin->event.billing();
  *view.mutable_provenance() = checkin->event.provenance();
  *view.mutable_record_write() = checkin->event.record_write();
  return checkin;
}

// The consent of `category` in `record`, or nullptr for an unknown category.
const onshi::v1::Consent* ConsentOf(const onshi::v1::QualificationRecord& record,
                                    int32_t category) {
  switch (category) {
    case ONSHI_CONSENT_LIMIT_CERTIFICATE:
      return &record.limit_certificate_consent();
    case ONSHI_CONSENT_SPECIFIC_DISEASES:
      return &record.specific_diseases_consent();
    case ONSHI_CONSENT_HEALTH_CHECKUPS:
      return &record.specific_health_checkups_consent();
    case ONSHI_CONSENT_MEDICATION:
      return &record.pharmacists_info_consent();
    case ONSHI_CONSENT_DIAGNOSIS:
      return &record.diagnosis_info_consent();
    case ONSHI_CONSENT_OPERATION:
      return &record.operation_info_consent();
    default:
      return nullptr;
  }
}

// The consent of `category` in record `i` of `q`, or nullptr.
const onshi::v1::Consent* ConsentAt(const onshi_qualification* q, int32_t i, int32_t category) {
  if (q == nullptr || i < 0) return nullptr;
  const auto& records = q->response.result().records();
  if (i >= records.size()) return nullptr;
  return ConsentOf(records.Get(i), category);
}

}  // namespace

extern "C" {

// --- Consents of a qualification result ---

int32_t onshi_qualification_consent_flag(const onshi_qualification* q, int32_t i,
                                         int32_t category) noexcept {
  return GuardedValue<int32_t>(ONSHI_CONSENT_FLAG_UNSPECIFIED, [&]() -> int32_t {
    const onshi::v1::Consent* consent = ConsentAt(q, i, category);
    return consent == nullptr ? ONSHI_CONSENT_FLAG_UNSPECIFIED
                              : static_cast<int32_t>(consent->flag());
  });
}

const char* onshi_qualification_consent_time(const onshi_qualification* q, int32_t i,
                                             int32_t category) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    const onshi::v1::Consent* consent = ConsentAt(q, i, category);
    return consent == nullptr ? "" : Text(consent->consent_time());
  });
}

const char* onshi_qualification_consent_available_time(const onshi_qualification* q, int32_t i,
                                                       int32_t category) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    const onshi::v1::Consent* consent = ConsentAt(q, i, category);
    return consent == nullptr ? "" : Text(consent->available_time());
  });
}

// --- Check-ins ---

onshi_status onshi_checkin_next(onshi_client* client, int64_t timeout_ms, onshi_checkin** out,
                                onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_checkin_next";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    absl::Duration wait;
    if (absl::Status s = ToTimeout(timeout_ms, kFunction, &wait); !s.ok()) return s;
    absl::StatusOr<std::optional<Event>> event = client->client->NextCheckin(wait);
    if (!event.ok()) return event.status();
    if (event->has_value()) *out = NewCheckin(**std::move(event)).release();
    return absl::OkStatus();
  });
}

void onshi_checkin_free(onshi_checkin* checkin) noexcept {
  GuardedVoid([&] { delete checkin; });
}

int64_t onshi_checkin_sequence(const onshi_checkin* checkin) noexcept {
  return GuardedValue<int64_t>(
      0, [&]() -> int64_t { return checkin == nullptr ? 0 : checkin->event.sequence(); });
}

const char* onshi_checkin_event_id(const onshi_checkin* checkin) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    return checkin == nullptr ? "" : Text(checkin->event.event_id());
  });
}

int64_t onshi_checkin_received_time_ms(const onshi_checkin* checkin) noexcept {
  return GuardedValue<int64_t>(0, [&]() -> int64_t {
    if (checkin == nullptr) return 0;
    return google::protobuf::util::TimeUtil::TimestampToMilliseconds(
        checkin->event.received_time());
  });
}

int32_t onshi_checkin_match_kind(const onshi_checkin* checkin) noexcept {
  return GuardedValue<int32_t>(ONSHI_MATCH_UNSPECIFIED, [&]() -> int32_t {
    return checkin == nullptr ? ONSHI_MATCH_UNSPECIFIED
                              : static_cast<int32_t>(checkin->event.match().kind());
  });
}

const char* onshi_checkin_patient_id(const onshi_checkin* checkin) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    return checkin == nullptr ? "" : Text(checkin->event.match().patient_id());
  });
}

int32_t onshi_checkin_candidate_count(const onshi_checkin* checkin) noexcept {
  return GuardedValue<int32_t>(0, [&]() -> int32_t {
    return checkin == nullptr ? 0 : checkin->event.match().candidate_patient_ids_size();
  });
}

const char* onshi_checkin_candidate_patient_id(const onshi_checkin* checkin, int32_t i) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    if (checkin == nullptr || i < 0) return "";
    const auto& candidates = checkin->event.match().candidate_patient_ids();
    return i < candidates.size() ? Text(candidates.Get(i)) : "";
  });
}

const onshi_qualification* onshi_checkin_qualification(const onshi_checkin* checkin) noexcept {
  return checkin == nullptr ? nullptr : &checkin->view;
}

onshi_status onshi_checkin_to_json(const onshi_checkin* checkin, char** out, size_t* out_len,
                                   onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_checkin_to_json";
  return Guarded(kFunction, err, [&] {
    return JsonOut(kFunction, "checkin", checkin == nullptr ? nullptr : &checkin->event, out,
                   out_len);
  });
}

onshi_status onshi_checkin_ack(onshi_client* client, const char* event_id,
                               onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_checkin_ack";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (absl::Status s = CheckText(event_id, kFunction, "event_id"); !s.ok()) return s;
    return client->client->AcknowledgeCheckin(event_id, absl::ZeroDuration());
  });
}

onshi_status onshi_checkin_subscribe(onshi_client* client, int64_t after_sequence,
                                     onshi_checkin_callback callback, void* user_data,
                                     onshi_subscription** out, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_checkin_subscribe";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (callback == nullptr) return InvalidArgument(kFunction, "callback is NULL");
    if (after_sequence < 0) return InvalidArgument(kFunction, "after_sequence is negative");
    auto handle = std::make_unique<onshi_subscription>();
    absl::StatusOr<std::unique_ptr<onshi::client::CheckinSubscription>> subscription =
        client->client->SubscribeCheckins(
            after_sequence, [callback, user_data](const Event& event) {
              // The host's callback is C and cannot throw; building the view can (memory).
              GuardedVoid([&] {
                std::unique_ptr<onshi_checkin> checkin = NewCheckin(event);
                callback(user_data, checkin.get());
              });
            });
    if (!subscription.ok()) return subscription.status();
    handle->subscription = *std::move(subscription);
    *out = handle.release();
    return absl::OkStatus();
  });
}

void onshi_subscription_stop(onshi_subscription* subscription) noexcept {
  GuardedVoid([&] {
    if (subscription == nullptr) return;
    subscription->subscription->Stop();
    delete subscription;
  });
}

}  // extern "C"
