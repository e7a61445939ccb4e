// 薬剤情報 and 特定健診: the request builders, the calls, and the results' getters.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onshi/onshi.h"
#include "onshi/v1/medical_info_service.pb.h"
#include "onshi/v1/oqs_medical_documents.pb.h"
#include "plugin/capi/capi_internal.h"

// The public constants mirror the contract's enums by value.
static_assert(ONSHI_MEDICAL_FORMAT_XML == onshi::v1::MEDICAL_INFO_FORMAT_XML);
static_assert(ONSHI_MEDICAL_FORMAT_PDF == onshi::v1::MEDICAL_INFO_FORMAT_PDF);
static_assert(ONSHI_CARE_SETTING_OUTPATIENT == onshi::v1::CARE_SETTING_OUTPATIENT);
static_assert(ONSHI_CARE_SETTING_HOME_VISIT == onshi::v1::CARE_SETTING_HOME_VISIT);
static_assert(ONSHI_CARE_SETTING_ONLINE == onshi::v1::CARE_SETTING_ONLINE);
static_assert(ONSHI_CARE_SETTING_EMERGENCY == onshi::v1::CARE_SETTING_EMERGENCY);

struct onshi_medication_request {
  onshi::v1::GetMedicationHistoryRequest message;
  // Zero: the client's default.
  absl::Duration timeout = absl::ZeroDuration();
};

struct onshi_checkup_request {
  onshi::v1::GetCheckupsRequest message;
  absl::Duration timeout = absl::ZeroDuration();
};

struct onshi_medication {
  onshi::v1::GetMedicationHistoryResponse response;
};

struct onshi_checkups {
  onshi::v1::GetCheckupsResponse response;
};

namespace {

using onshi::capi::BuilderRequestId;
using onshi::capi::CheckText;
using onshi::capi::Guarded;
using onshi::capi::GuardedValue;
using onshi::capi::GuardedVoid;
using onshi::capi::InvalidArgument;
using onshi::capi::JsonOut;
using onshi::capi::NewBuilder;
using onshi::capi::SetBuilderText;
using onshi::capi::Text;
using onshi::capi::ToTimeout;

using MedicationResponse = onshi::v1::GetMedicationHistoryResponse;
using CheckupsResponse = onshi::v1::GetCheckupsResponse;

bool IsFormat(int32_t format) {
  return format == ONSHI_MEDICAL_FORMAT_XML || format == ONSHI_MEDICAL_FORMAT_PDF;
}

bool IsCareSetting(int32_t setting) {
  return setting >= ONSHI_CARE_SETTING_OUTPATIENT && setting <= ONSHI_CARE_SETTING_INPATIENT;
}

// 入院 travels as the request's inpatient flag with 訪問診療等 (the terminal has no 入院); every
// other value clears the flag.
template <typename Message>
void SetCareSetting(int32_t setting, Message* message) {
  const bool inpatient = setting == ONSHI_CARE_SETTING_INPATIENT;
  message->set_inpatient(inpatient);
  message->set_care_setting(inpatient ? onshi::v1::CARE_SETTING_HOME_VISIT
                                      : static_cast<onshi::v1::CareSetting>(setting));
}

// A string reached through `path` from a result (either kind); "" for NULL or when `path`
// returns nullptr (an index out of range).
template <typename Result, typename Path>
const char* ResultText(const Result* r, Path&& path) noexcept {
  return GuardedValue<const char*>("", [&]() -> const char* {
    if (r == nullptr) return "";
    const std::string* text = path(r->response);
    return text == nullptr ? "" : Text(*text);
  });
}

// A count reached through `path`; 0 for NULL or an index out of range (path returns -1).
template <typename Result, typename Path>
int32_t ResultCount(const Result* r, Path&& path) noexcept {
  return GuardedValue<int32_t>(0, [&]() -> int32_t {
    if (r == nullptr) return 0;
    const int count = path(r->response);
    return count < 0 ? 0 : static_cast<int32_t>(count);
  });
}

// Element `i` of a repeated field, or nullptr when out of range.
template <typename Repeated>
auto At(const Repeated& elements, int32_t i) -> decltype(&elements.Get(0)) {
  if (i < 0 || i >= elements.size()) return nullptr;
  return &elements.Get(i);
}

template <typename Result>
const uint8_t* ResultPdf(const Result* r, size_t* out_len) noexcept {
  return GuardedValue<const uint8_t*>(nullptr, [&]() -> const uint8_t* {
    if (out_len != nullptr) *out_len = 0;
    if (r == nullptr || r->response.pdf().empty()) return nullptr;
    if (out_len != nullptr) *out_len = r->response.pdf().size();
    return reinterpret_cast<const uint8_t*>(r->response.pdf().data());
  });
}

template <typename Result>
onshi_status ResultJson(const char* function, const Result* r, char** out, size_t* out_len,
                        onshi_error** err) noexcept {
  return Guarded(function, err, [&] {
    return JsonOut(function, "result", r == nullptr ? nullptr : &r->response, out, out_len);
  });
}

const onshi::v1::MedicationMonth* Month(const MedicationResponse& r, int32_t month) {
  return At(r.medication().months(), month);
}

const onshi::v1::DispensingDate* DateOf(const MedicationResponse& r, int32_t month, int32_t date) {
  const onshi::v1::MedicationMonth* m = Month(r, month);
  return m == nullptr ? nullptr : At(m->dates(), date);
}

const onshi::v1::Drug* DrugOf(const MedicationResponse& r, int32_t month, int32_t date,
                              int32_t drug) {
  const onshi::v1::DispensingDate* d = DateOf(r, month, date);
  return d == nullptr ? nullptr : At(d->drugs(), drug);
}

const onshi::v1::Treatment* TreatmentOf(const MedicationResponse& r, int32_t month,
                                        int32_t treatment) {
  const onshi::v1::MedicationMonth* m = Month(r, month);
  return m == nullptr ? nullptr : At(m->treatments(), treatment);
}

const onshi::v1::Checkup* CheckupOf(const CheckupsResponse& r, int32_t checkup) {
  return At(r.checkups().checkups(), checkup);
}

const onshi::v1::CheckupItem* ItemOf(const CheckupsResponse& r, int32_t checkup, int32_t item) {
  const onshi::v1::Checkup* c = CheckupOf(r, checkup);
  return c == nullptr ? nullptr : At(c->items(), item);
}

// The body of onshi_get_medication_history and onshi_get_checkups: the argument checks, the call
// (`call` returns the service's response), and the result handle given to the caller. `*out` is
// NULL on every failure.
template <typename Handle, typename Request, typename Call>
onshi_status Fetch(const char* function, onshi_client* client, const Request* request, Handle** out,
                   onshi_error** err, Call call) {
  return Guarded(function, err, [&]() -> absl::Status {
    if (out == nullptr) return InvalidArgument(function, "out is NULL");
    *out = nullptr;
    if (client == nullptr) return InvalidArgument(function, "client is NULL");
    if (request == nullptr) return InvalidArgument(function, "request is NULL");
    auto response = call();
    if (!response.ok()) return response.status();
    auto result = std::make_unique<Handle>();
    result->response = *std::move(response);
    *out = result.release();
    return absl::OkStatus();
  });
}

}  // namespace

extern "C" {

// --- Medication request ---------------------------------------------------------------------

onshi_medication_request* onshi_medication_request_new(void) noexcept {
  return NewBuilder<onshi_medication_request>();
}

void onshi_medication_request_free(onshi_medication_request* request) noexcept {
  GuardedVoid([&] { delete request; });
}

onshi_status onshi_medication_request_set_request_id(onshi_medication_request* request,
                                                     const char* request_id,
                                                     onshi_error** err) noexcept {
  return SetBuilderText("onshi_medication_request_set_request_id", request, request_id, err,
                        [](onshi::v1::GetMedicationHistoryRequest* m, std::string v) {
                          m->set_request_id(std::move(v));
                        });
}

const char* onshi_medication_request_request_id(const onshi_medication_request* request) noexcept {
  return BuilderRequestId(request);
}

onshi_status onshi_medication_request_set_patient_id(onshi_medication_request* request,
                                                     const char* patient_id,
                                                     onshi_error** err) noexcept {
  return SetBuilderText("onshi_medication_request_set_patient_id", request, patient_id, err,
                        [](onshi::v1::GetMedicationHistoryRequest* m, std::string v) {
                          m->set_patient_id(std::move(v));
                        });
}

onshi_status onshi_medication_request_set_months(onshi_medication_request* request,
                                                 const char* start_month, const char* end_month,
                                                 onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_medication_request_set_months";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (absl::Status s = CheckText(start_month, kFunction, "start_month"); !s.ok()) return s;
    if (absl::Status s = CheckText(end_month, kFunction, "end_month"); !s.ok()) return s;
    request->message.set_start_month(start_month);
    request->message.set_end_month(end_month);
    return absl::OkStatus();
  });
}

onshi_status onshi_medication_request_set_format(onshi_medication_request* request, int32_t format,
                                                 onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_medication_request_set_format";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (!IsFormat(format))
      return InvalidArgument(kFunction, "format is not ONSHI_MEDICAL_FORMAT_*");
    request->message.set_format(static_cast<onshi::v1::MedicalInfoFormat>(format));
    return absl::OkStatus();
  });
}

onshi_status onshi_medication_request_set_include_treatments(onshi_medication_request* request,
                                                             int32_t include,
                                                             onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_medication_request_set_include_treatments";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (include != 0 && include != 1) return InvalidArgument(kFunction, "include must be 0 or 1");
    request->message.set_include_treatments(include == 1);
    return absl::OkStatus();
  });
}

onshi_status onshi_medication_request_set_care_setting(onshi_medication_request* request,
                                                       int32_t care_setting,
                                                       onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_medication_request_set_care_setting";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (!IsCareSetting(care_setting)) {
      return InvalidArgument(kFunction, "care_setting is not ONSHI_CARE_SETTING_*");
    }
    SetCareSetting(care_setting, &request->message);
    return absl::OkStatus();
  });
}

onshi_status onshi_medication_request_set_timeout_ms(onshi_medication_request* request,
                                                     int64_t timeout_ms,
                                                     onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_medication_request_set_timeout_ms";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    return ToTimeout(timeout_ms, kFunction, &request->timeout);
  });
}

// --- Checkup request ------------------------------------------------------------------------

onshi_checkup_request* onshi_checkup_request_new(void) noexcept {
  return NewBuilder<onshi_checkup_request>();
}

void onshi_checkup_request_free(onshi_checkup_request* request) noexcept {
  GuardedVoid([&] { delete request; });
}

onshi_status onshi_checkup_request_set_request_id(onshi_checkup_request* request,
                                                  const char* request_id,
                                                  onshi_error** err) noexcept {
  return SetBuilderText(
      "onshi_checkup_request_set_request_id", request, request_id, err,
      [](onshi::v1::GetCheckupsRequest* m, std::string v) { m->set_request_id(std::move(v)); });
}

const char* onshi_checkup_request_request_id(const onshi_checkup_request* request) noexcept {
  return BuilderRequestId(request);
}

onshi_status onshi_checkup_request_set_patient_id(onshi_checkup_request* request,
                                                  const char* patient_id,
                                                  onshi_error** err) noexcept {
  return SetBuilderText(
      "onshi_checkup_request_set_patient_id", request, patient_id, err,
      [](onshi::v1::GetCheckupsRequest* m, std::string v) { m->set_patient_id(std::move(v)); });
}

onshi_status onshi_checkup_request_set_format(onshi_checkup_request* request, int32_t format,
                                              onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_checkup_request_set_format";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (!IsFormat(format))
      return InvalidArgument(kFunction, "format is not ONSHI_MEDICAL_FORMAT_*");
    request->message.set_format(static_cast<onshi::v1::MedicalInfoFormat>(format));
    return absl::OkStatus();
  });
}

onshi_status onshi_checkup_request_set_care_setting(onshi_checkup_request* request,
                                                    int32_t care_setting,
                                                    onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_checkup_request_set_care_setting";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    if (!IsCareSetting(care_setting)) {
      return InvalidArgument(kFunction, "care_setting is not ONSHI_CARE_SETTING_*");
    }
    SetCareSetting(care_setting, &request->message);
    return absl::OkStatus();
  });
}

onshi_status onshi_checkup_request_set_timeout_ms(onshi_checkup_request* request,
                                                  int64_t timeout_ms, onshi_error** err) noexcept {
  static constexpr char kFunction[] = "onshi_checkup_request_set_timeout_ms";
  return Guarded(kFunction, err, [&]() -> absl::Status {
    if (request == nullptr) return InvalidArgument(kFunction, "request is NULL");
    return ToTimeout(timeout_ms, kFunction, &request->timeout);
  });
}

// --- Medication result ----------------------------------------------------------------------

onshi_status onshi_get_medication_history(onshi_client* client,
                                          const onshi_medication_request* request,
                                          onshi_medication** out, onshi_error** err) noexcept {
  return Fetch("onshi_get_medication_history", client, request, out, err, [&] {
    return client->client->GetMedicationHistory(request->message, request->timeout);
  });
}

void onshi_medication_free(onshi_medication* m) noexcept {
  GuardedVoid([&] { delete m; });
}

const char* onshi_medication_request_id(const onshi_medication* m) noexcept {
  return ResultText(m, [](const MedicationResponse& r) { return &r.provenance().request_id(); });
}

const char* onshi_medication_consent_available_time(const onshi_medication* m) noexcept {
  return ResultText(m, [](const MedicationResponse& r) { return &r.consent_available_time(); });
}

const uint8_t* onshi_medication_pdf(const onshi_medication* m, size_t* out_len) noexcept {
  return ResultPdf(m, out_len);
}

int32_t onshi_medication_month_count(const onshi_medication* m) noexcept {
  return ResultCount(m, [](const MedicationResponse& r) { return r.medication().months_size(); });
}

const char* onshi_medication_month(const onshi_medication* m, int32_t month) noexcept {
  return ResultText(m, [&](const MedicationResponse& r) -> const std::string* {
    const onshi::v1::MedicationMonth* e = Month(r, month);
    return e == nullptr ? nullptr : &e->month();
  });
}

const char* onshi_medication_institution_name(const onshi_medication* m, int32_t month) noexcept {
  return ResultText(m, [&](const MedicationResponse& r) -> const std::string* {
    const onshi::v1::MedicationMonth* e = Month(r, month);
    return e == nullptr ? nullptr : &e->institution_name();
  });
}

const char* onshi_medication_pharmacy_name(const onshi_medication* m, int32_t month) noexcept {
  return ResultText(m, [&](const MedicationResponse& r) -> const std::string* {
    const onshi::v1::MedicationMonth* e = Month(r, month);
    return e == nullptr ? nullptr : &e->pharmacy_name();
  });
}

int32_t onshi_medication_date_count(const onshi_medication* m, int32_t month) noexcept {
  return ResultCount(m, [&](const MedicationResponse& r) {
    const onshi::v1::MedicationMonth* e = Month(r, month);
    return e == nullptr ? -1 : e->dates_size();
  });
}

const char* onshi_medication_dispensing_date(const onshi_medication* m, int32_t month,
                                             int32_t date) noexcept {
  return ResultText(m, [&](const MedicationResponse& r) -> const std::string* {
    const onshi::v1::DispensingDate* d = DateOf(r, month, date);
    return d == nullptr ? nullptr : &d->dispensing_date();
  });
}

int32_t onshi_medication_drug_count(const onshi_medication* m, int32_t month,
                                    int32_t date) noexcept {
  return ResultCount(m, [&](const MedicationResponse& r) {
    const onshi::v1::DispensingDate* d = DateOf(r, month, date);
    return d == nullptr ? -1 : d->drugs_size();
  });
}

#define ONSHI_DRUG_TEXT_GETTER(name, field)                                                        \
  const char* onshi_medication_drug_##name(const onshi_medication* m, int32_t month, int32_t date, \
                                           int32_t drug) noexcept {                                \
    return ResultText(m, [&](const MedicationResponse& r) -> const std::string* {                  \
      const onshi::v1::Drug* d = DrugOf(r, month, date, drug);                                     \
      return d == nullptr ? nullptr : &d->field();                                                 \
    });                                                                                            \
  }

ONSHI_DRUG_TEXT_GETTER(code, code)
ONSHI_DRUG_TEXT_GETTER(name, name)
ONSHI_DRUG_TEXT_GETTER(quantity, quantity)
ONSHI_DRUG_TEXT_GETTER(unit, unit)
ONSHI_DRUG_TEXT_GETTER(usage, usage)

#undef ONSHI_DRUG_TEXT_GETTER

int32_t onshi_medication_treatment_count(const onshi_medication* m, int32_t month) noexcept {
  return ResultCount(m, [&](const MedicationResponse& r) {
    const onshi::v1::MedicationMonth* e = Month(r, month);
    return e == nullptr ? -1 : e->treatments_size();
  });
}

const char* onshi_medication_treatment_code(const onshi_medication* m, int32_t month,
                                            int32_t treatment) noexcept {
  return ResultText(m, [&](const MedicationResponse& r) -> const std::string* {
    const onshi::v1::Treatment* t = TreatmentOf(r, month, treatment);
    return t == nullptr ? nullptr : &t->code();
  });
}

const char* onshi_medication_treatment_name(const onshi_medication* m, int32_t month,
                                            int32_t treatment) noexcept {
  return ResultText(m, [&](const MedicationResponse& r) -> const std::string* {
    const onshi::v1::Treatment* t = TreatmentOf(r, month, treatment);
    return t == nullptr ? nullptr : &t->name();
  });
}

onshi_status onshi_medication_to_json(const onshi_medication* m, char** out, size_t* out_len,
                                      onshi_error** err) noexcept {
  return ResultJson("onshi_medication_to_json", m, out, out_len, err);
}

// --- Checkups result ------------------------------------------------------------------------

onshi_status onshi_get_checkups(onshi_client* client, const onshi_checkup_request* request,
                                onshi_checkups** out, onshi_error** err) noexcept {
  return Fetch("onshi_get_checkups", client, request, out, err,
               [&] { return client->client->GetCheckups(request->message, request->timeout); });
}

void onshi_checkups_free(onshi_checkups* c) noexcept {
  GuardedVoid([&] { delete c; });
}

const char* onshi_checkups_request_id(const onshi_checkups* c) noexcept {
  return ResultText(c, [](const CheckupsResponse& r) { return &r.provenance().request_id(); });
}

const char* onshi_checkups_consent_available_time(const onshi_checkups* c) noexcept {
  return ResultText(c, [](const CheckupsResponse& r) { return &r.consent_available_time(); });
}

const uint8_t* onshi_checkups_pdf(const onshi_checkups* c, size_t* out_len) noexcept {
  return ResultPdf(c, out_len);
}

int32_t onshi_checkups_count(const onshi_checkups* c) noexcept {
  return ResultCount(c, [](const CheckupsResponse& r) { return r.checkups().checkups_size(); });
}

const char* onshi_checkups_date(const onshi_checkups* c, int32_t checkup) noexcept {
  return ResultText(c, [&](const CheckupsResponse& r) -> const std::string* {
    const onshi::v1::Checkup* e = CheckupOf(r, checkup);
    return e == nullptr ? nullptr : &e->effective_time();
  });
}

int32_t onshi_checkups_item_count(const onshi_checkups* c, int32_t checkup) noexcept {
  return ResultCount(c, [&](const CheckupsResponse& r) {
    const onshi::v1::Checkup* e = CheckupOf(r, checkup);
    return e == nullptr ? -1 : e->items_size();
  });
}

#define ONSHI_ITEM_TEXT_GETTER(name, field)                                        \
  const char* onshi_checkups_item_##name(const onshi_checkups* c, int32_t checkup, \
                                         int32_t item) noexcept {                  \
    return ResultText(c, [&](const CheckupsResponse& r) -> const std::string* {    \
      const onshi::v1::CheckupItem* i = ItemOf(r, checkup, item);                  \
      return i == nullptr ? nullptr : &i->field();                                 \
    });                                                                            \
  }

ONSHI_ITEM_TEXT_GETTER(code, item_code)
ONSHI_ITEM_TEXT_GETTER(name, item_name)
ONSHI_ITEM_TEXT_GETTER(value, value)
ONSHI_ITEM_TEXT_GETTER(value_name, value_name)
ONSHI_ITEM_TEXT_GETTER(unit, unit)

#undef ONSHI_ITEM_TEXT_GETTER

onshi_status onshi_checkups_to_json(const onshi_checkups* c, char** out, size_t* out_len,
                                    onshi_error** err) noexcept {
  return ResultJson("onshi_checkups_to_json", c, out, out_len, err);
}

}  // extern "C"
