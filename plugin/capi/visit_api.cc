// The outage workflow and the claims view (onshi.v1.VisitService): the self-declaration
// builder, visit lists with getters (claims view, re-check queue, one visit) and billing-review
// items.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onshi/onshi.h"
#include "onshi/v1/visit_service.pb.h"
#include "plugin/capi/capi_internal.h"
#include "plugin/core/visits.h"

// The public constants mirror the contract's enums by value.
static_assert(ONSHI_VISIT_STATE_CONFIRMED == onshi::v1::VISIT_STATE_CONFIRMED);
static_assert(ONSHI_VISIT_STATE_INVALID == onshi::v1::VISIT_STATE_INVALID);
static_assert(ONSHI_VISIT_STATE_NOT_FOUND == onshi::v1::VISIT_STATE_NOT_FOUND);
static_assert(ONSHI_VISIT_STATE_UNCONFIRMED == onshi::v1::VISIT_STATE_UNCONFIRMED);
static_assert(ONSHI_VISIT_STATE_SELF_DECLARED == onshi::v1::VISIT_STATE_SELF_DECLARED);
static_assert(ONSHI_VISIT_STATE_RECHECK_PENDING == onshi::v1::VISIT_STATE_RECHECK_PENDING);
static_assert(ONSHI_VISIT_STATE_RECHECKED_CONFIRMED == onshi::v1::VISIT_STATE_RECHECKED_CONFIRMED);
static_assert(ONSHI_VISIT_STATE_RECHECKED_INVALID == onshi::v1::VISIT_STATE_RECHECKED_INVALID);
static_assert(ONSHI_VISIT_STATE_RECHECKED_NOT_FOUND == onshi::v1::VISIT_STATE_RECHECKED_NOT_FOUND);
static_assert(ONSHI_SELF_DECLARATION_APPLICATION ==
              onshi::v1::SELF_DECLARATION_DOCUMENT_APPLICATION);
static_assert(ONSHI_SELF_DECLARATION_QUALIFICATION_CERTIFICATE ==
              onshi::v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_CERTIFICATE);
static_assert(ONSHI_SELF_DECLARATION_MYNA_PORTAL_SCREEN ==
              onshi::v1::SELF_DECLARATION_DOCUMENT_MYNA_PORTAL_SCREEN);
static_assert(ONSHI_SELF_DECLARATION_QUALIFICATION_NOTICE ==
              onshi::v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_NOTICE);

struct onshi_self_declaration {
  onshi::v1::RecordSelfDeclarationRequest request;
};

struct onshi_visits {
  onshi::v1::ListClaimsResponse response;
};

struct onshi_review_items {
  onshi::v1::ListBillingReviewItemsResponse response;
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

// `text` when not NULL (checked UTF-8), else "".
absl::Status OptionalText(const char* text, const char* function, const char* parameter,
                          std::string* out) {
  if (text == nullptr) {
    out->clear();
    return absl::OkStatus();
  }
  if (absl::Status s = CheckText(text, function, parameter); !s.ok()) return s;
  *out = text;
  return absl::OkStatus();
}

const onshi::v1::ClaimsVisit* VisitAt(const onshi_visits* v, int32_t i) {
  if (v == nullptr || i < 0 || i >= v->response.visits_size()) return nullptr;
  return &v->response.visits(i);
}

template <typename T, typename Value>
T VisitValue(const onshi_visits* v, int32_t i, T fallback, Value&& value) noexcept {
  return GuardedValue<T>(fallback, [&]() -> T {
    const onshi::v1::ClaimsVisit* line = VisitAt(v, i);
    return line == nullptr ? fallback : value(*line);
  });
}

const onshi::v1::BillingReviewItem* ItemAt(const onshi_review_items* r, int32_t i) {
  if (r == nullptr || i < 0 || i >= r->response.items_size()) return nullptr;
  return &r->response.items(i);
}

template <typename T, typename Value>
T ItemValue(const onshi_review_items* r, int32_t i, T fallback, Value&& value) noexcept {
  return GuardedValue<T>(fallback, [&]() -> T {
    const onshi::v1::BillingReviewItem* item = ItemAt(r, i);
    return item == nullptr ? fallback : value(*item);
  });
}

// A list of visits rendered for claims on this side (the queue and GetVisit carry no
// rendering).
std::unique_ptr<onshi_visits> Rendered(
    const google::protobuf::RepeatedPtrField<onshi::v1::Visit>& visits) {
  auto out = std::make_unique<onshi_visits>();
  for (const onshi::v1::Visit& visit : visits) {
    onshi::v1::ClaimsVisit* line = out->response.add_visits();
    *line->mutable_rendering() = onshi::RenderForClaims(visit);
    *line->mutable_visit() = visit;
  }
  return out;
}

onshi_status ListClaims(const char* function, onshi_client* client, const char* month, bool changed,
                        onshi_visits** out, onshi_error** err) noexcept {
  return Guarded(function, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(function, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(function, "client is NULL");
    if (absl::Status s = CheckText(month, function, "month"); !s.ok()) return s;
    absl::StatusOr<onshi::v1::ListClaimsResponse> response =
        client->client->ListClaims(month, changed, absl::ZeroDuration());
    return HandOut(std::move(response), out);
  });
}

}  // namespace

onshi_status onshi_self_declaration_new(const char* request_id, const char* visit_id,
                                        int32_t document, onshi_self_declaration** out,
                                        onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_self_declaration_new";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (absl::Status s = CheckText(request_id, kFunction, "request_id"); !s.ok()) return s;
    if (absl::Status s = CheckText(visit_id, kFunction, "visit_id"); !s.ok()) return s;
    if (document < ONSHI_SELF_DECLARATION_APPLICATION ||
        document > ONSHI_SELF_DECLARATION_QUALIFICATION_NOTICE) {
      return InvalidArgument(kFunction, "document is not an ONSHI_SELF_DECLARATION_* value");
    }
    auto d = std::make_unique<onshi_self_declaration>();
    d->request.set_request_id(request_id);
    d->request.set_visit_id(visit_id);
    d->request.set_document(static_cast<onshi::v1::SelfDeclarationDocument>(document));
    *out = d.release();
    return absl::OkStatus();
  });
}

void onshi_self_declaration_free(onshi_self_declaration* d) noexcept {
  GuardedVoid([&] { delete d; });
}

onshi_status onshi_self_declaration_set_numbers(onshi_self_declaration* d,
                                                const char* insurer_number, const char* symbol,
                                                const char* number, const char* branch,
                                                onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_self_declaration_set_numbers";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (d == nullptr) return InvalidArgument(kFunction, "d is NULL");
    onshi::v1::InsuranceIdentifiers ids;
    if (absl::Status s =
            OptionalText(insurer_number, kFunction, "insurer_number", ids.mutable_insurer_number());
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            OptionalText(symbol, kFunction, "symbol", ids.mutable_insured_card_symbol());
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            OptionalText(number, kFunction, "number", ids.mutable_insured_identification_number());
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            OptionalText(branch, kFunction, "branch", ids.mutable_insured_branch_number());
        !s.ok()) {
      return s;
    }
    *d->request.mutable_card_face()->mutable_identifiers() = std::move(ids);
    return absl::OkStatus();
  });
}

onshi_status onshi_self_declaration_set_person(onshi_self_declaration* d, const char* name,
                                               const char* birth_date, const char* sex,
                                               onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_self_declaration_set_person";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (d == nullptr) return InvalidArgument(kFunction, "d is NULL");
    std::string n, b, x;
    if (absl::Status s = OptionalText(name, kFunction, "name", &n); !s.ok()) return s;
    if (absl::Status s = OptionalText(birth_date, kFunction, "birth_date", &b); !s.ok()) return s;
    if (absl::Status s = OptionalText(sex, kFunction, "sex", &x); !s.ok()) return s;
    onshi::v1::CardFace& face = *d->request.mutable_card_face();
    face.set_name(n);
    face.set_birth_date(b);
    face.set_sex(x);
    return absl::OkStatus();
  });
}

onshi_status onshi_self_declaration_set_contact(onshi_self_declaration* d, const char* address,
                                                const char* contact, const char* employer,
                                                onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_self_declaration_set_contact";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (d == nullptr) return InvalidArgument(kFunction, "d is NULL");
    std::string a, c, e;
    if (absl::Status s = OptionalText(address, kFunction, "address", &a); !s.ok()) return s;
    if (absl::Status s = OptionalText(contact, kFunction, "contact", &c); !s.ok()) return s;
    if (absl::Status s = OptionalText(employer, kFunction, "employer", &e); !s.ok()) return s;
    onshi::v1::CardFace& face = *d->request.mutable_card_face();
    face.set_address(a);
    face.set_contact(c);
    face.set_employer(e);
    return absl::OkStatus();
  });
}

onshi_status onshi_self_declaration_set_copay_ratio(onshi_self_declaration* d, int32_t percent,
                                                    onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_self_declaration_set_copay_ratio";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (d == nullptr) return InvalidArgument(kFunction, "d is NULL");
    d->request.mutable_card_face()->set_copay_ratio_percent(percent);
    return absl::OkStatus();
  });
}

onshi_status onshi_record_self_declaration(onshi_client* client, const onshi_self_declaration* d,
                                           int32_t* out_state, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_record_self_declaration";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out_state != nullptr) *out_state = 0;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (d == nullptr) return InvalidArgument(kFunction, "d is NULL");
    absl::StatusOr<onshi::v1::Visit> visit =
        client->client->RecordSelfDeclaration(d->request, absl::ZeroDuration());
    if (!visit.ok()) return visit.status();
    if (out_state != nullptr) *out_state = visit->state();
    return absl::OkStatus();
  });
}

onshi_status onshi_list_unconfirmed_visits(onshi_client* client, const char* month,
                                           onshi_visits** out, onshi_error** err) noexcept {
  return ListClaims("onshi_list_unconfirmed_visits", client, month, false, out, err);
}

onshi_status onshi_list_changed_after_billing(onshi_client* client, const char* month,
                                              onshi_visits** out, onshi_error** err) noexcept {
  return ListClaims("onshi_list_changed_after_billing", client, month, true, out, err);
}

onshi_status onshi_list_recheck_queue(onshi_client* client, int32_t limit, onshi_visits** out,
                                      onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_list_recheck_queue";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (limit < 0) return InvalidArgument(kFunction, "limit is negative");
    absl::StatusOr<onshi::v1::ListVisitsResponse> response =
        client->client->ListRecheckQueue(limit, absl::ZeroDuration());
    if (!response.ok()) return response.status();
    *out = Rendered(response->visits()).release();
    return absl::OkStatus();
  });
}

onshi_status onshi_get_visit(onshi_client* client, const char* visit_id, onshi_visits** out,
                             onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_get_visit";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (absl::Status s = CheckText(visit_id, kFunction, "visit_id"); !s.ok()) return s;
    absl::StatusOr<onshi::v1::Visit> visit =
        client->client->GetVisit(visit_id, absl::ZeroDuration());
    if (!visit.ok()) return visit.status();
    google::protobuf::RepeatedPtrField<onshi::v1::Visit> one;
    *one.Add() = *std::move(visit);
    *out = Rendered(one).release();
    return absl::OkStatus();
  });
}

onshi_status onshi_mark_billed(onshi_client* client, const char* request_id, const char* month,
                               int32_t* out_marked, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_mark_billed";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out_marked != nullptr) *out_marked = 0;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (absl::Status s = CheckText(request_id, kFunction, "request_id"); !s.ok()) return s;
    if (absl::Status s = CheckText(month, kFunction, "month"); !s.ok()) return s;
    onshi::v1::MarkBilledRequest request;
    request.set_request_id(request_id);
    request.set_month(month);
    absl::StatusOr<onshi::v1::MarkBilledResponse> response =
        client->client->MarkBilled(request, absl::ZeroDuration());
    if (!response.ok()) return response.status();
    if (out_marked != nullptr) *out_marked = response->marked();
    return absl::OkStatus();
  });
}

void onshi_visits_free(onshi_visits* v) noexcept {
  GuardedVoid([&] { delete v; });
}

int32_t onshi_visits_count(const onshi_visits* v) noexcept {
  return GuardedValue<int32_t>(
      0, [&]() -> int32_t { return v == nullptr ? 0 : v->response.visits_size(); });
}

const char* onshi_visits_visit_id(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<const char*>(v, i, "",
                                 [](const auto& l) { return Text(l.visit().visit_id()); });
}

const char* onshi_visits_patient_id(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<const char*>(v, i, "",
                                 [](const auto& l) { return Text(l.visit().patient_id()); });
}

const char* onshi_visits_visit_date(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<const char*>(v, i, "",
                                 [](const auto& l) { return Text(l.visit().visit_date()); });
}

int32_t onshi_visits_state(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<int32_t>(v, i, 0, [](const auto& l) { return l.visit().state(); });
}

const char* onshi_visits_state_label(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<const char*>(v, i, "", [](const auto& l) {
    // The labels are string literals of the core: valid for the life of the library.
    return onshi::VisitStateLabel(l.visit().state()).data();
  });
}

int32_t onshi_visits_document(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<int32_t>(v, i, 0,
                             [](const auto& l) { return l.visit().self_declaration().document(); });
}

const char* onshi_visits_declared_by(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<const char*>(
      v, i, "", [](const auto& l) { return Text(l.visit().self_declaration().recorded_by()); });
}

int onshi_visits_queued(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<int>(v, i, 0, [](const auto& l) { return l.visit().queued() ? 1 : 0; });
}

int onshi_visits_changed_after_billing(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<int>(v, i, 0,
                         [](const auto& l) { return l.visit().changed_after_billing() ? 1 : 0; });
}

int onshi_visits_claim_unknown(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<int>(v, i, 0, [](const auto& l) { return l.rendering().unknown() ? 1 : 0; });
}

const char* onshi_visits_claim_insurer_number(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<const char*>(
      v, i, "", [](const auto& l) { return Text(l.rendering().insurer_number()); });
}

const char* onshi_visits_claim_symbol(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<const char*>(
      v, i, "", [](const auto& l) { return Text(l.rendering().insured_card_symbol()); });
}

const char* onshi_visits_claim_number(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<const char*>(
      v, i, "", [](const auto& l) { return Text(l.rendering().insured_identification_number()); });
}

const char* onshi_visits_claim_summary(const onshi_visits* v, int32_t i) noexcept {
  return VisitValue<const char*>(v, i, "",
                                 [](const auto& l) { return Text(l.rendering().summary_text()); });
}

onshi_status onshi_visits_to_json(const onshi_visits* v, char** out, size_t* out_len,
                                  onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_visits_to_json";
  return Guarded(kFunction, err, [&] {
    return JsonOut(kFunction, "v", v == nullptr ? nullptr : &v->response, out, out_len);
  });
}

onshi_status onshi_list_review_items(onshi_client* client, const char* month, int include_resolved,
                                     onshi_review_items** out, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_list_review_items";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    onshi::v1::ListBillingReviewItemsRequest request;
    if (absl::Status s = OptionalText(month, kFunction, "month", request.mutable_month());
        !s.ok()) {
      return s;
    }
    request.set_include_resolved(include_resolved != 0);
    absl::StatusOr<onshi::v1::ListBillingReviewItemsResponse> response =
        client->client->ListBillingReviewItems(request, absl::ZeroDuration());
    return HandOut(std::move(response), out);
  });
}

void onshi_review_items_free(onshi_review_items* r) noexcept {
  GuardedVoid([&] { delete r; });
}

int32_t onshi_review_items_count(const onshi_review_items* r) noexcept {
  return GuardedValue<int32_t>(
      0, [&]() -> int32_t { return r == nullptr ? 0 : r->response.items_size(); });
}

const char* onshi_review_items_item_id(const onshi_review_items* r, int32_t i) noexcept {
  return ItemValue<const char*>(r, i, "", [](const auto& it) { return Text(it.item_id()); });
}

const char* onshi_review_items_visit_id(const onshi_review_items* r, int32_t i) noexcept {
  return ItemValue<const char*>(r, i, "", [](const auto& it) { return Text(it.visit_id()); });
}

const char* onshi_review_items_reason_code(const onshi_review_items* r, int32_t i) noexcept {
  return ItemValue<const char*>(r, i, "", [](const auto& it) { return Text(it.reason_code()); });
}

const char* onshi_review_items_staff_message(const onshi_review_items* r, int32_t i) noexcept {
  return ItemValue<const char*>(r, i, "", [](const auto& it) { return Text(it.staff_message()); });
}

int onshi_review_items_resolved(const onshi_review_items* r, int32_t i) noexcept {
  return ItemValue<int>(r, i, 0, [](const auto& it) { return it.resolved() ? 1 : 0; });
}

onshi_status onshi_resolve_review_item(onshi_client* client, const char* item_id, const char* note,
                                       onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_resolve_review_item";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (absl::Status s = CheckText(item_id, kFunction, "item_id"); !s.ok()) return s;
    onshi::v1::ResolveBillingReviewItemRequest request;
    request.set_item_id(item_id);
    if (absl::Status s = OptionalText(note, kFunction, "note", request.mutable_note()); !s.ok()) {
      return s;
    }
    absl::StatusOr<onshi::v1::BillingReviewItem> item =
        client->client->ResolveBillingReviewItem(request, absl::ZeroDuration());
    return item.status();
  });
}
