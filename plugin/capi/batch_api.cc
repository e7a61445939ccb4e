// 一括照会 and 照会番号 registration at the C ABI: the batch builder, onshi_batch_run with its
// callback, the batch result's getters (with a borrowed qualification view), and
// onshi_register_reference_numbers with its outcomes.

#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onshi/onshi.h"
#include "onshi/v1/batch_service.pb.h"
#include "onshi/v1/reference_number_service.pb.h"
#include "plugin/capi/capi_internal.h"

struct onshi_batch_request {
  onshi::v1::RunBatchCheckRequest message;
  // Zero: the client's default.
  absl::Duration timeout = absl::ZeroDuration();
};

// One result as lent to the callback: the batch-level fields, and the answer moved into the
// qualification view (so that the onshi_qualification_* getters read it without a copy).
struct onshi_batch_result {
  onshi::v1::BatchPatientResult result;
  int32_t total = 0;
  bool answered = false;
  onshi_qualification view;
};

struct onshi_reference_numbers {
  onshi::v1::RegisterReferenceNumbersResponse response;
};

namespace {

using onshi::capi::BuilderRequestId;
using onshi::capi::CheckText;
using onshi::capi::Guarded;
using onshi::capi::GuardedValue;
using onshi::capi::GuardedVoid;
using onshi::capi::HandOut;
using onshi::capi::InvalidArgument;
using onshi::capi::NewBuilder;
using onshi::capi::Text;
using onshi::capi::ToTimeout;

using Outcome = onshi::v1::ReferenceNumberOutcome;

// Fills `out` from `result`, moving the answer into the view.
void TakeResult(onshi::v1::BatchPatientResult* result, int32_t total, onshi_batch_result* out) {
  out->total = total;
  out->answered = !result->has_error();
  if (out->answered) {
    onshi::v1::CheckQualificationResponse& view = out->view.response;
    view.set_outcome(onshi::v1::CHECK_OUTCOME_ANSWERED);
    onshi::v1::QualificationResult& answer = *view.mutable_result();
    answer.set_segment_of_result(onshi::v1::SEGMENT_OF_RESULT_COMPLETED);
    answer.set_processing_result_status(result->processing_result_status());
    answer.set_processing_result_code(std::move(*result->mutable_processing_result_code()));
    answer.set_processing_result_message(std::move(*result->mutable_processing_result_message()));
    answer.set_qualification_validity(result->validity());
    answer.set_process_execution_time(result->provenance().process_execution_time());
    answer.mutable_records()->Swap(result->mutable_records());
    view.mutable_billing()->Swap(result->mutable_billing());
    view.mutable_record_write()->Swap(result->mutable_record_write());
    view.mutable_provenance()->Swap(result->mutable_provenance());
  }
  out->result = std::move(*result);
}

// A string of the result, "" for NULL.
template <typename Getter>
const char* ResultText(const onshi_batch_result* r, Getter&& getter) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    if (r == nullptr) return "";
    return Text(getter(r->result));
  });
}

// A string of outcome `i`, "" when out of range.
template <typename Getter>
const char* OutcomeText(const onshi_reference_numbers* o, int32_t i, Getter&& getter) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    if (o == nullptr || i < 0 || i >= o->response.outcomes_size()) return "";
    return Text(getter(o->response.outcomes(i)));
  });
}

}  // namespace

extern "C" {

onshi_batch_request* onshi_batch_request_new(void) noexcept {
  return NewBuilder<onshi_batch_request>();
}

void onshi_batch_request_free(onshi_batch_request* request) noexcept {
  GuardedVoid([&] { delete request; });
}

onshi_status onshi_batch_request_set_request_id(onshi_batch_request* request,
                                                const char* request_id,
                                                onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_batch_request_set_request_id";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (absl::Status s = CheckText(request_id, kFunction, "request_id"); !s.ok()) return s;
    request->message.set_request_id(request_id);
    return absl::OkStatus();
  });
}

const char* onshi_batch_request_request_id(const onshi_batch_request* request) noexcept {
  return BuilderRequestId(request);
}

onshi_status onshi_batch_request_set_confirmation_date(onshi_batch_request* request,
                                                       const char* date,
                                                       onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_batch_request_set_confirmation_date";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (absl::Status s = CheckText(date, kFunction, "date"); !s.ok()) return s;
    request->message.set_confirmation_date(date);
    return absl::OkStatus();
  });
}

onshi_status onshi_batch_request_set_timeout_ms(onshi_batch_request* request, int64_t timeout_ms,
                                                onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_batch_request_set_timeout_ms";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    return ToTimeout(timeout_ms, kFunction, &request->timeout);
  });
}

onshi_status onshi_batch_request_add_patient(onshi_batch_request* request, const char* patient_id,
                                             const char* insurer_number, const char* card_symbol,
                                             const char* card_number, const char* branch_number,
                                             const char* birth_date, int32_t limit_consent,
                                             onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_batch_request_add_patient";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    for (const auto& [value, name] :
         {std::pair<const char*, const char*>{patient_id, "patient_id"},
          {insurer_number, "insurer_number"},
          {card_symbol, "card_symbol"},
          {card_number, "card_number"},
          {branch_number, "branch_number"},
          {birth_date, "birth_date"}}) {
      if (absl::Status s = CheckText(value, kFunction, name); !s.ok()) return s;
    }
    if (limit_consent != 0 && limit_consent != 1) {
      return InvalidArgument(kFunction, "limit_consent must be 0 or 1");
    }
    onshi::v1::BatchPatient* patient = request->message.add_patients();
    patient->set_patient_id(patient_id);
    onshi::v1::InsuranceIdentifiers* ids = patient->mutable_identifiers();
    ids->set_insurer_number(insurer_number);
    ids->set_insured_card_symbol(card_symbol);
    ids->set_insured_identification_number(card_number);
    ids->set_insured_branch_number(branch_number);
    patient->set_birth_date(birth_date);
    patient->set_limit_certificate_consent(limit_consent == 1);
    return absl::OkStatus();
  });
}

int32_t onshi_batch_request_patient_count(const onshi_batch_request* request) noexcept {
  return GuardedValue<int32_t>(
      0, [&] { return request == nullptr ? 0 : request->message.patients_size(); });
}

onshi_status onshi_batch_run(onshi_client* client, const onshi_batch_request* request,
                             onshi_batch_callback callback, void* user_data,
                             onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_batch_run";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (callback == nullptr) return InvalidArgument(kFunction, "callback is NULL");
    int32_t total = request->message.patients_size();
    return client->client->RunBatchCheck(
        request->message, request->timeout, [&](onshi::v1::BatchCheckEvent& event) {
          if (event.has_progress()) {
            total = event.progress().total_patients();
            return true;
          }
          onshi_batch_result result;
          TakeResult(event.mutable_result(), total, &result);
          return callback(user_data, &result) == 0;
        });
  });
}

int32_t onshi_batch_result_index(const onshi_batch_result* r) noexcept {
  return GuardedValue<int32_t>(-1, [&] { return r == nullptr ? -1 : r->result.index(); });
}

const char* onshi_batch_result_patient_id(const onshi_batch_result* r) noexcept {
  return ResultText(
      r, [](const onshi::v1::BatchPatientResult& p) -> const std::string& { return p.patient_id(); });
}

int32_t onshi_batch_result_total(const onshi_batch_result* r) noexcept {
  return GuardedValue<int32_t>(0, [&] { return r == nullptr ? 0 : r->total; });
}

onshi_status onshi_batch_result_error_code(const onshi_batch_result* r) noexcept {
  return GuardedValue<onshi_status>(ONSHI_OK, [&]() -> onshi_status {
    if (r == nullptr || r->answered) return ONSHI_OK;
    return r->result.error_code();
  });
}

const char* onshi_batch_result_error_reason(const onshi_batch_result* r) noexcept {
  return ResultText(r, [](const onshi::v1::BatchPatientResult& p) -> const std::string& {
    return p.error().reason();
  });
}

const char* onshi_batch_result_error_staff_message(const onshi_batch_result* r) noexcept {
  return ResultText(r, [](const onshi::v1::BatchPatientResult& p) -> const std::string& {
    return p.error().staff_message();
  });
}

const char* onshi_batch_result_error_it_message(const onshi_batch_result* r) noexcept {
  return ResultText(r, [](const onshi::v1::BatchPatientResult& p) -> const std::string& {
    return p.error().it_message();
  });
}

const onshi_qualification* onshi_batch_result_qualification(const onshi_batch_result* r) noexcept {
  return GuardedValue<const onshi_qualification*>(
      nullptr, [&] { return r == nullptr || !r->answered ? nullptr : &r->view; });
}

int32_t onshi_batch_result_limit_certificate_changed(const onshi_batch_result* r) noexcept {
  return GuardedValue<int32_t>(
      0, [&] { return r != nullptr && r->result.limit_certificate_changed() ? 1 : 0; });
}

onshi_status onshi_register_reference_numbers(onshi_client* client, const char* request_id,
                                              const char* const* patient_ids, size_t count,
                                              int64_t timeout_ms, onshi_reference_numbers** out,
                                              onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_register_reference_numbers";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(kFunction, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(kFunction, "client is NULL");
    if (absl::Status s = CheckText(request_id, kFunction, "request_id"); !s.ok()) return s;
    if (patient_ids == nullptr) return InvalidArgument(kFunction, "patient_ids is NULL");
    if (count == 0) return InvalidArgument(kFunction, "count is 0");
    absl::Duration timeout;
    if (absl::Status s = ToTimeout(timeout_ms, kFunction, &timeout); !s.ok()) return s;
    onshi::v1::RegisterReferenceNumbersRequest request;
    request.set_request_id(request_id);
    for (size_t i = 0; i < count; ++i) {
      if (absl::Status s = CheckText(patient_ids[i], kFunction, "patient_ids[i]"); !s.ok()) {
        return s;
      }
      request.add_patient_ids(patient_ids[i]);
    }
    absl::StatusOr<onshi::v1::RegisterReferenceNumbersResponse> response =
        client->client->RegisterReferenceNumbers(request, timeout);
    return HandOut(std::move(response), out);
  });
}

void onshi_reference_numbers_free(onshi_reference_numbers* outcomes) noexcept {
  GuardedVoid([&] { delete outcomes; });
}

int32_t onshi_reference_numbers_count(const onshi_reference_numbers* o) noexcept {
  return GuardedValue<int32_t>(0, [&] { return o == nullptr ? 0 : o->response.outcomes_size(); });
}

const char* onshi_reference_numbers_patient_id(const onshi_reference_numbers* o,
                                               int32_t i) noexcept {
  return OutcomeText(o, i, [](const Outcome& x) -> const std::string& { return x.patient_id(); });
}

int32_t onshi_reference_numbers_registered(const onshi_reference_numbers* o, int32_t i) noexcept {
  return GuardedValue<int32_t>(0, [&] {
    return o != nullptr && i >= 0 && i < o->response.outcomes_size() &&
                   o->response.outcomes(i).registered()
               ? 1
               : 0;
  });
}

onshi_status onshi_reference_numbers_error_code(const onshi_reference_numbers* o,
                                                int32_t i) noexcept {
  return GuardedValue<onshi_status>(ONSHI_OK, [&]() -> onshi_status {
    if (o == nullptr || i < 0 || i >= o->response.outcomes_size()) return ONSHI_OK;
    return o->response.outcomes(i).error_code();
  });
}

const char* onshi_reference_numbers_error_reason(const onshi_reference_numbers* o,
                                                 int32_t i) noexcept {
  return OutcomeText(o, i,
                     [](const Outcome& x) -> const std::string& { return x.error().reason(); });
}

const char* onshi_reference_numbers_error_staff_message(const onshi_reference_numbers* o,
                                                        int32_t i) noexcept {
  return OutcomeText(
      o, i, [](const Outcome& x) -> const std::string& { return x.error().staff_message(); });
}

const char* onshi_reference_numbers_error_it_message(const onshi_reference_numbers* o,
                                                     int32_t i) noexcept {
  return OutcomeText(o, i,
                     [](const Outcome& x) -> const std::string& { return x.error().it_message(); });
}

const char* onshi_reference_numbers_result_code(const onshi_reference_numbers* o,
                                                int32_t i) noexcept {
  return OutcomeText(
      o, i, [](const Outcome& x) -> const std::string& { return x.processing_result_code(); });
}

const char* onshi_reference_numbers_result_message(const onshi_reference_numbers* o,
                                                   int32_t i) noexcept {
  return OutcomeText(
      o, i, [](const Outcome& x) -> const std::string& { return x.processing_result_message(); });
}

}  // extern "C"
