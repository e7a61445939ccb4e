// The qualification check: the request builder, the call, and the result's getters.

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onshi/onshi.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/capi/capi_internal.h"

// The public constants mirror the contract's enums by value.
static_assert(ONSHI_OUTCOME_UNSPECIFIED == onshi::v1::CHECK_OUTCOME_UNSPECIFIED);
static_assert(ONSHI_OUTCOME_ANSWERED == onshi::v1::CHECK_OUTCOME_ANSWERED);
static_assert(ONSHI_OUTCOME_UNCONFIRMED == onshi::v1::CHECK_OUTCOME_UNCONFIRMED);
static_assert(ONSHI_OUTCOME_LATE_ANSWER == onshi::v1::CHECK_OUTCOME_LATE_ANSWER);
static_assert(ONSHI_VALIDITY_UNSPECIFIED == onshi::v1::QUALIFICATION_VALIDITY_UNSPECIFIED);
static_assert(ONSHI_VALIDITY_VALID == onshi::v1::QUALIFICATION_VALIDITY_VALID);
static_assert(ONSHI_VALIDITY_INVALID == onshi::v1::QUALIFICATION_VALIDITY_INVALID);
static_assert(ONSHI_VALIDITY_INVALID_NEWER_EXISTS ==
              onshi::v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS);
static_assert(ONSHI_VALIDITY_NOT_FOUND == onshi::v1::QUALIFICATION_VALIDITY_NOT_FOUND);
static_assert(ONSHI_VALIDITY_MULTIPLE == onshi::v1::QUALIFICATION_VALIDITY_MULTIPLE);
static_assert(ONSHI_VALIDITY_VALID_UNREGISTERED ==
              onshi::v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED);

namespace {

using onshi::capi::BuilderRequestId;
using onshi::capi::Guarded;
using onshi::capi::GuardedValue;
using onshi::capi::GuardedVoid;
using onshi::capi::HandOut;
using onshi::capi::InvalidArgument;
using onshi::capi::JsonOut;
using onshi::capi::NewBuilder;
using onshi::capi::SetBuilderText;
using onshi::capi::Text;
using onshi::capi::ToTimeout;

using Request = onshi::v1::CheckQualificationRequest;
using Response = onshi::v1::CheckQualificationResponse;
using Record = onshi::v1::QualificationRecord;

// A string of the response, "" for a NULL result.
template <typename Getter>
const char* ResponseText(const onshi_qualification* q, Getter&& getter) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    if (q == nullptr) return "";
    return Text(getter(q->response));
  });
}

// A number of the response, 0 for a NULL result.
template <typename T, typename Getter>
T ResponseNumber(const onshi_qualification* q, Getter&& getter) noexcept {
  return GuardedValue<T>(0, [&]() -> T {
    if (q == nullptr) return 0;
    return static_cast<T>(getter(q->response));
  });
}

// A string of element `i` of a repeated field of the response ("" when out of range).
// `list` maps the response to the repeated field, `field` the element to the string.
template <typename List, typename Field>
const char* ElementText(const onshi_qualification* q, int32_t i, List&& list,
                        Field&& field) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    if (q == nullptr || i < 0) return "";
    const auto& elements = list(q->response);
    if (i >= elements.size()) return "";
    return Text(field(elements.Get(i)));
  });
}

const auto& Records(const Response& r) { return r.result().records(); }
const auto& Notices(const Response& r) { return r.billing().notices(); }
const auto& Changes(const Response& r) { return r.record_write().changes(); }

}  // namespace

extern "C" {

onshi_check_request* onshi_check_request_new(void) noexcept {
  return NewBuilder<onshi_check_request>();
}

void onshi_check_request_free(onshi_check_request* request) noexcept {
  GuardedVoid([&] { delete request; });
}

onshi_status onshi_check_request_set_request_id(onshi_check_request* request,
                                                const char* request_id,
                                                onshi_error** err) noexcept {
  return SetBuilderText("onshi_check_request_set_request_id", request, request_id, err,
                        [](Request* m, std::string v) { m->set_request_id(std::move(v)); });
}

const char* onshi_check_request_request_id(const onshi_check_request* request) noexcept {
  return BuilderRequestId(request);
}

onshi_status onshi_check_request_set_insurer_number(onshi_check_request* request, const char* value,
                                                    onshi_error** err) noexcept {
  return SetBuilderText("onshi_check_request_set_insurer_number", request, value, err,
                        [](Request* m, std::string v) {
                          m->mutable_identifiers()->set_insurer_number(std::move(v));
                        });
}

onshi_status onshi_check_request_set_card_symbol(onshi_check_request* request, const char* value,
                                                 onshi_error** err) noexcept {
  return SetBuilderText("onshi_check_request_set_card_symbol", request, value, err,
                        [](Request* m, std::string v) {
                          m->mutable_identifiers()->set_insured_card_symbol(std::move(v));
                        });
}

onshi_status onshi_check_request_set_card_number(onshi_check_request* request, const char* value,
                                                 onshi_error** err) noexcept {
  return SetBuilderText("onshi_check_request_set_card_number", request, value, err,
                        [](Request* m, std::string v) {
                          m->mutable_identifiers()->set_insured_identification_number(std::move(v));
                        });
}

onshi_status onshi_check_request_set_branch_number(onshi_check_request* request, const char* value,
                                                   onshi_error** err) noexcept {
  return SetBuilderText("onshi_check_request_set_branch_number", request, value, err,
                        [](Request* m, std::string v) {
                          m->mutable_identifiers()->set_insured_branch_number(std::move(v));
                        });
}

onshi_status onshi_check_request_set_birth_date(onshi_check_request* request, const char* value,
                                                onshi_error** err) noexcept {
  return SetBuilderText("onshi_check_request_set_birth_date", request, value, err,
                        [](Request* m, std::string v) { m->set_birth_date(std::move(v)); });
}

onshi_status onshi_check_request_set_confirmation_date(onshi_check_request* request,
                                                       const char* value,
                                                       onshi_error** err) noexcept {
  return SetBuilderText("onshi_check_request_set_confirmation_date", request, value, err,
                        [](Request* m, std::string v) { m->set_confirmation_date(std::move(v)); });
}

onshi_status onshi_check_request_set_patient_id(onshi_check_request* request, const char* value,
                                                onshi_error** err) noexcept {
  return SetBuilderText("onshi_check_request_set_patient_id", request, value, err,
                        [](Request* m, std::string v) { m->set_patient_id(std::move(v)); });
}

onshi_status onshi_check_request_set_limit_consent(onshi_check_request* request, int32_t consent,
                                                   onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_check_request_set_limit_consent";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (consent != 0 && consent != 1) return InvalidArgument(kFunction, "consent must be 0 or 1");
    request->message.set_limit_certificate_consent(consent == 1);
    return absl::OkStatus();
  });
}

onshi_status onshi_check_request_set_timeout_ms(onshi_check_request* request, int64_t timeout_ms,
                                                onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_check_request_set_timeout_ms";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    return ToTimeout(timeout_ms, kFunction, &request->timeout);
  });
}

onshi_status onshi_check_qualification(onshi_client* client, const onshi_check_request* request,
                                       onshi_qualification** out, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_check_qualification";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    absl::StatusOr<Response> response =
        client->client->CheckQualification(request->message, request->timeout);
    return HandOut(std::move(response), out);
  });
}

void onshi_qualification_free(onshi_qualification* q) noexcept {
  GuardedVoid([&] { delete q; });
}

int32_t onshi_qualification_outcome(const onshi_qualification* q) noexcept {
  return ResponseNumber<int32_t>(q, [](const Response& r) { return r.outcome(); });
}

int32_t onshi_qualification_validity(const onshi_qualification* q) noexcept {
  return ResponseNumber<int32_t>(
      q, [](const Response& r) { return r.result().qualification_validity(); });
}

int32_t onshi_qualification_is_eligible(const onshi_qualification* q) noexcept {
  return ResponseNumber<int32_t>(q, [](const Response& r) { return r.billing().eligible(); });
}

const char* onshi_qualification_status_label(const onshi_qualification* q) noexcept {
  return ResponseText(
      q, [](const Response& r) -> const std::string& { return r.billing().status_label(); });
}

const char* onshi_qualification_status_explanation(const onshi_qualification* q) noexcept {
  return ResponseText(
      q, [](const Response& r) -> const std::string& { return r.billing().status_explanation(); });
}

const char* onshi_qualification_request_id(const onshi_qualification* q) noexcept {
  return ResponseText(
      q, [](const Response& r) -> const std::string& { return r.provenance().request_id(); });
}

const char* onshi_qualification_confirmation_date(const onshi_qualification* q) noexcept {
  return ResponseText(q, [](const Response& r) -> const std::string& {
    return r.provenance().confirmation_date();
  });
}

int32_t onshi_qualification_record_count(const onshi_qualification* q) noexcept {
  return ResponseNumber<int32_t>(q, [](const Response& r) { return Records(r).size(); });
}

#define ONSHI_RECORD_TEXT_GETTER(name, expr)                                                 \
  const char* onshi_qualification_##name(const onshi_qualification* q, int32_t i) noexcept { \
    return ElementText(q, i, Records,                                                        \
                       [](const Record& rec) -> const std::string& { return rec.expr; });    \
  }

ONSHI_RECORD_TEXT_GETTER(insurer_number, identifiers().insurer_number())
ONSHI_RECORD_TEXT_GETTER(insurer_name, insurer_name())
ONSHI_RECORD_TEXT_GETTER(card_symbol, identifiers().insured_card_symbol())
ONSHI_RECORD_TEXT_GETTER(card_number, identifiers().insured_identification_number())
ONSHI_RECORD_TEXT_GETTER(branch_number, identifiers().insured_branch_number())
ONSHI_RECORD_TEXT_GETTER(name, name())
ONSHI_RECORD_TEXT_GETTER(name_kana, name_kana())
ONSHI_RECORD_TEXT_GETTER(birth_date, birth_date())
ONSHI_RECORD_TEXT_GETTER(sex, sex1())
ONSHI_RECORD_TEXT_GETTER(personal_family, personal_family_classification())
ONSHI_RECORD_TEXT_GETTER(insured_card_valid_date, insured_card_valid_date())
ONSHI_RECORD_TEXT_GETTER(insured_card_expiration_date, insured_card_expiration_date())
ONSHI_RECORD_TEXT_GETTER(qualification_date, qualification_date())
ONSHI_RECORD_TEXT_GETTER(elderly_contribution_ratio,
                         elderly_recipient_certificate().contribution_ratio())
ONSHI_RECORD_TEXT_GETTER(elderly_valid_start_date,
                         elderly_recipient_certificate().valid_start_date())
ONSHI_RECORD_TEXT_GETTER(elderly_valid_end_date, elderly_recipient_certificate().valid_end_date())

#undef ONSHI_RECORD_TEXT_GETTER

int32_t onshi_qualification_copay_ratio_percent(const onshi_qualification* q) noexcept {
  return ResponseNumber<int32_t>(
      q, [](const Response& r) { return r.billing().copay_ratio_percent(); });
}

const char* onshi_qualification_copay_ratio_label(const onshi_qualification* q) noexcept {
  return ResponseText(
      q, [](const Response& r) -> const std::string& { return r.billing().copay_ratio_label(); });
}

const char* onshi_qualification_limit_category_code(const onshi_qualification* q) noexcept {
  return ResponseText(
      q, [](const Response& r) -> const std::string& { return r.billing().limit_category_code(); });
}

const char* onshi_qualification_limit_category_name(const onshi_qualification* q) noexcept {
  return ResponseText(
      q, [](const Response& r) -> const std::string& { return r.billing().limit_category_name(); });
}

int32_t onshi_qualification_limit_certificate_in_force(const onshi_qualification* q) noexcept {
  return ResponseNumber<int32_t>(
      q, [](const Response& r) { return r.billing().limit_certificate_in_force(); });
}

int32_t onshi_qualification_preschool(const onshi_qualification* q) noexcept {
  return ResponseNumber<int32_t>(q, [](const Response& r) { return r.billing().preschool(); });
}

int32_t onshi_qualification_notice_count(const onshi_qualification* q) noexcept {
  return ResponseNumber<int32_t>(q, [](const Response& r) { return Notices(r).size(); });
}

const char* onshi_qualification_notice_code(const onshi_qualification* q, int32_t i) noexcept {
  return ElementText(q, i, Notices,
                     [](const onshi::v1::Notice& n) -> const std::string& { return n.code(); });
}

const char* onshi_qualification_notice_staff_message(const onshi_qualification* q,
                                                     int32_t i) noexcept {
  return ElementText(q, i, Notices, [](const onshi::v1::Notice& n) -> const std::string& {
    return n.staff_message();
  });
}

const char* onshi_qualification_notice_it_message(const onshi_qualification* q,
                                                  int32_t i) noexcept {
  return ElementText(q, i, Notices, [](const onshi::v1::Notice& n) -> const std::string& {
    return n.it_message();
  });
}

const char* onshi_qualification_unconfirmed_reason(const onshi_qualification* q) noexcept {
  return ResponseText(
      q, [](const Response& r) -> const std::string& { return r.unconfirmed_reason().reason(); });
}

const char* onshi_qualification_unconfirmed_staff_message(const onshi_qualification* q) noexcept {
  return ResponseText(q, [](const Response& r) -> const std::string& {
    return r.unconfirmed_reason().staff_message();
  });
}

const char* onshi_qualification_unconfirmed_it_message(const onshi_qualification* q) noexcept {
  return ResponseText(q, [](const Response& r) -> const std::string& {
    return r.unconfirmed_reason().it_message();
  });
}

const char* onshi_qualification_recorded_patient_id(const onshi_qualification* q) noexcept {
  return ResponseText(
      q, [](const Response& r) -> const std::string& { return r.record_write().patient_id(); });
}

int64_t onshi_qualification_coverage_version(const onshi_qualification* q) noexcept {
  return ResponseNumber<int64_t>(
      q, [](const Response& r) { return r.record_write().coverage_version(); });
}

int32_t onshi_qualification_change_count(const onshi_qualification* q) noexcept {
  return ResponseNumber<int32_t>(q, [](const Response& r) { return Changes(r).size(); });
}

const char* onshi_qualification_change_field(const onshi_qualification* q, int32_t i) noexcept {
  return ElementText(q, i, Changes, [](const onshi::v1::FieldChange& c) -> const std::string& {
    return c.field();
  });
}

const char* onshi_qualification_change_old_value(const onshi_qualification* q, int32_t i) noexcept {
  return ElementText(q, i, Changes, [](const onshi::v1::FieldChange& c) -> const std::string& {
    return c.old_value();
  });
}

const char* onshi_qualification_change_new_value(const onshi_qualification* q, int32_t i) noexcept {
  return ElementText(q, i, Changes, [](const onshi::v1::FieldChange& c) -> const std::string& {
    return c.new_value();
  });
}

const char* onshi_qualification_change_staff_message(const onshi_qualification* q,
                                                     int32_t i) noexcept {
  return ElementText(q, i, Changes, [](const onshi::v1::FieldChange& c) -> const std::string& {
    return c.staff_message();
  });
}

onshi_status onshi_qualification_to_json(const onshi_qualification* q, char** out, size_t* out_len,
                                         onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_qualification_to_json";
  return Guarded(kFunction, err, [&] {
    return JsonOut(kFunction, "q", q == nullptr ? nullptr : &q->response, out, out_len);
  });
}

}  // extern "C"
