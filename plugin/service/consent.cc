#include "plugin/service/consent.h"

#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/time_util.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"
#include "plugin/core/validation.h"
#include "plugin/service/caller.h"
#include "plugin/service/grpc_status.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "consent";

using google::protobuf::util::TimeUtil;

bool Finite(absl::Time t) { return t != absl::InfiniteFuture() && t != absl::InfinitePast(); }

void SetTime(absl::Time t, google::protobuf::Timestamp* out) {
  *out = TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

absl::StatusOr<ConsentSetting> SettingOf(v1::ConsentSettingKind kind) {
  if (kind == v1::CONSENT_SETTING_UNSPECIFIED) return ConsentSetting::kOutpatient;
  if (kind < v1::CONSENT_SETTING_OUTPATIENT || kind > v1::CONSENT_SETTING_EMERGENCY) {
    return MakeError(errors::kInvalidArgument, "setting is not a ConsentSettingKind value");
  }
  return static_cast<ConsentSetting>(kind);
}

v1::ConsentEntry EntryOf(const StoredConsent& row) {
  v1::ConsentEntry entry;
  entry.set_scope(static_cast<v1::ConsentScopeKind>(row.record.scope));
  entry.set_source(static_cast<v1::ConsentSourceKind>(row.record.source));
  entry.set_given(row.record.flag == v1::CONSENT_FLAG_GIVEN);
  if (Finite(row.record.captured_at))
    SetTime(row.record.captured_at, entry.mutable_captured_time());
  if (entry.given() && Finite(row.record.available_until)) {
    SetTime(row.record.available_until, entry.mutable_available_until());
  }
  entry.set_setting(static_cast<v1::ConsentSettingKind>(row.record.setting));
  entry.set_origin(row.origin);
  entry.set_user_id(row.user_id);
  if (Finite(row.recorded_time)) SetTime(row.recorded_time, entry.mutable_recorded_time());
  return entry;
}

// A request's optional time: unset → `now`.
absl::StatusOr<absl::Time> TimeOr(bool has, const google::protobuf::Timestamp& time,
                                  absl::string_view field, absl::Time now) {
  if (!has) return now;
  if (time.seconds() < TimeUtil::kTimestampMinSeconds ||
      time.seconds() > TimeUtil::kTimestampMaxSeconds || time.nanos() < 0 ||
      time.nanos() > 999999999) {
    return MakeError(errors::kInvalidArgument, absl::StrCat(field, " is not a valid timestamp"));
  }
  return absl::FromUnixNanos(TimeUtil::TimestampToNanoseconds(time));
}

v1::InpatientStayEntry StayEntryOf(const InpatientStay& stay) {
  v1::InpatientStayEntry entry;
  entry.set_patient_id(stay.patient_id);
  if (Finite(stay.admitted_at)) SetTime(stay.admitted_at, entry.mutable_admitted_time());
  if (stay.discharged_at.has_value()) SetTime(*stay.discharged_at, entry.mutable_discharged_time());
  entry.set_admission_request_id(stay.admission_request_id);
  entry.set_discharge_request_id(stay.discharge_request_id);
  entry.set_admitted_by(stay.admitted_by);
  entry.set_discharged_by(stay.discharged_by);
  return entry;
}

absl::Status CheckStayCall(const std::string& request_id, const std::string& patient_id,
                           const std::string& user_id) {
  if (user_id.empty()) {
    return MakeError(errors::kInvalidUserId,
                     "metadata onshi-user-id is required: a clerk records admissions and "
                     "discharges");
  }
  if (absl::Status s = ValidateRequestId(request_id); !s.ok()) return s;
  return ValidatePatientId(patient_id);
}

bool IsLimitField(const std::string& field) { return absl::StartsWith(field, "limit_certificate"); }

void RemoveLimitChanges(google::protobuf::RepeatedPtrField<v1::FieldChange>* changes) {
  for (int i = changes->size() - 1; i >= 0; --i) {
    if (IsLimitField(changes->Get(i).field())) changes->DeleteSubrange(i, 1);
  }
}

// Strips 限度額 data from `record` unless it was recorded under a 限度額 consent and `allowed`.
bool Filter(bool allowed, v1::QualificationRecord* record) {
  if (allowed && record->limit_certificate_consent().flag() == v1::CONSENT_FLAG_GIVEN) return false;
  return StripLimitCertificate(record);
}

}  // namespace

absl::StatusOr<ConsentVerdict> ConsentLedger::Evaluate(const std::string& patient_id,
                                                       ConsentScope scope, ConsentSetting setting,
                                                       absl::Time at) {
  absl::StatusOr<std::optional<v1::CoverageVersion>> coverage =
      records_->GetCurrentCoverage(patient_id);
  if (!coverage.ok()) return coverage.status();
  ConsentHolderFacts holder;
  if (coverage->has_value()) holder = HolderFactsFromCoverage((*coverage)->coverage());
  absl::StatusOr<std::vector<StoredConsent>> rows = store_->ListConsents(patient_id);
  if (!rows.ok()) return rows.status();
  absl::StatusOr<std::vector<InpatientStay>> stays = store_->ListStays(patient_id);
  if (!stays.ok()) return stays.status();
  const std::vector<ConsentRecord> ledger = LedgerAt(*rows, *stays, at, &holder);
  return EvaluateConsent(ledger, scope, setting, holder, at);
}

absl::StatusOr<v1::ListConsentsResponse> ConsentLedger::List(
    const v1::ListConsentsRequest& request) {
  if (absl::Status s = ValidatePatientId(request.patient_id()); !s.ok()) return s;
  absl::StatusOr<ConsentSetting> setting = SettingOf(request.setting());
  if (!setting.ok()) return setting.status();
  absl::StatusOr<absl::Time> at_time =
      TimeOr(request.has_at_time(), request.at_time(), "at_time", clock_->Now());
  if (!at_time.ok()) return at_time.status();
  const absl::Time at = *at_time;
  // Unknown patient: NOT_FOUND, not an empty ledger.
  absl::StatusOr<v1::PatientRecord> record = records_->GetPatientRecord(request.patient_id());
  if (!record.ok()) return record.status();

  absl::StatusOr<std::optional<v1::CoverageVersion>> coverage =
      records_->GetCurrentCoverage(request.patient_id());
  if (!coverage.ok()) return coverage.status();
  ConsentHolderFacts holder;
  if (coverage->has_value()) holder = HolderFactsFromCoverage((*coverage)->coverage());
  absl::StatusOr<std::vector<StoredConsent>> rows = store_->ListConsents(request.patient_id());
  if (!rows.ok()) return rows.status();
  absl::StatusOr<std::vector<InpatientStay>> stays = store_->ListStays(request.patient_id());
  if (!stays.ok()) return stays.status();
  const std::vector<ConsentRecord> ledger = LedgerAt(*rows, *stays, at, &holder);

  v1::ListConsentsResponse response;
  for (ConsentScope scope : AllConsentScopes()) {
    const ConsentVerdict verdict = EvaluateConsent(ledger, scope, *setting, holder, at);
    v1::ScopeVerdict* out = response.add_verdicts();
    out->set_scope(static_cast<v1::ConsentScopeKind>(scope));
    out->set_allowed(verdict.allowed());
    out->set_refusal(std::string(ConsentRefusalName(verdict.refusal)));
    if (!verdict.allowed()) {
      out->set_reason(std::string(ReasonOf(ConsentRefusalError(verdict, scope))));
    }
    if (verdict.allowed() && Finite(verdict.valid_until)) {
      SetTime(verdict.valid_until, out->mutable_valid_until());
    }
    if (verdict.refusal == ConsentRefusal::kExpired && Finite(verdict.expired_at)) {
      SetTime(verdict.expired_at, out->mutable_expired_time());
    }
    out->set_setting(static_cast<v1::ConsentSettingKind>(*setting));
    out->set_while_admitted(verdict.basis == ConsentBasis::kInpatientStay);
    for (const StoredConsent& row : *rows) {
      if (row.record.scope == scope && row.record.flag == v1::CONSENT_FLAG_GIVEN &&
          row.record.captured_at <= at) {
        out->set_source(static_cast<v1::ConsentSourceKind>(row.record.source));
      }
    }
  }
  for (const StoredConsent& row : *rows) *response.add_entries() = EntryOf(row);
  for (const InpatientStay& stay : *stays) {
    if (stay.Covers(at)) *response.mutable_stay() = StayEntryOf(stay);
  }
  return response;
}

absl::StatusOr<v1::RecordStaffConsentResponse> ConsentLedger::RecordStaff(
    const v1::RecordStaffConsentRequest& request, const std::string& user_id) {
  if (absl::Status s = ValidateRequestId(request.request_id()); !s.ok()) return s;
  if (absl::Status s = ValidatePatientId(request.patient_id()); !s.ok()) return s;
  if (request.scope() != v1::CONSENT_SCOPE_LIMIT_CERTIFICATE) {
    return MakeError(errors::kInvalidArgument,
                     "scope: staff may record only the 限度額 consent (CONSENT_SCOPE_LIMIT_"
                     "CERTIFICATE); the others need the patient at the card reader");
  }
  absl::StatusOr<ConsentSetting> setting = SettingOf(request.setting());
  if (!setting.ok()) return setting.status();
  absl::StatusOr<ConsentRecord> record =
      StaffRecordedConsent(ConsentScope::kLimitCertificate, clock_->Now(), *setting);
  if (!record.ok()) return record.status();
  absl::StatusOr<std::vector<StoredConsent>> rows =
      store_->AppendConsents(request.patient_id(), request.request_id(), user_id, {*record});
  if (!rows.ok()) return rows.status();
  v1::RecordStaffConsentResponse response;
  for (const StoredConsent& row : *rows) {
    if (row.record.scope == ConsentScope::kLimitCertificate)
      *response.mutable_entry() = EntryOf(row);
  }
  Log(LogLevel::kInfo, kLog, "staff 限度額 consent recorded under request ", request.request_id());
  return response;
}

absl::StatusOr<v1::RecordAdmissionResponse> ConsentLedger::RecordAdmission(
    const v1::RecordAdmissionRequest& request, const std::string& user_id) {
  if (absl::Status s = CheckStayCall(request.request_id(), request.patient_id(), user_id);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<absl::Time> at =
      TimeOr(request.has_admitted_time(), request.admitted_time(), "admitted_time", clock_->Now());
  if (!at.ok()) return at.status();
  // Unknown patient: NOT_FOUND (the record store is the authority on patients).
  absl::StatusOr<v1::PatientRecord> record = records_->GetPatientRecord(request.patient_id());
  if (!record.ok()) return record.status();
  absl::StatusOr<InpatientStay> stay =
      store_->RecordAdmission(request.patient_id(), request.request_id(), *at, user_id);
  if (!stay.ok()) return stay.status();
  Log(LogLevel::kInfo, kLog, "admission recorded under request ", request.request_id());
  v1::RecordAdmissionResponse response;
  *response.mutable_stay() = StayEntryOf(*stay);
  return response;
}

absl::StatusOr<v1::RecordDischargeResponse> ConsentLedger::RecordDischarge(
    const v1::RecordDischargeRequest& request, const std::string& user_id) {
  if (absl::Status s = CheckStayCall(request.request_id(), request.patient_id(), user_id);
      !s.ok()) {
    return s;
  }
  absl::StatusOr<absl::Time> at = TimeOr(request.has_discharged_time(), request.discharged_time(),
                                         "discharged_time", clock_->Now());
  if (!at.ok()) return at.status();
  // Unknown patient: NOT_FOUND rather than "not admitted".
  absl::StatusOr<v1::PatientRecord> record = records_->GetPatientRecord(request.patient_id());
  if (!record.ok()) return record.status();
  absl::StatusOr<InpatientStay> stay =
      store_->RecordDischarge(request.patient_id(), request.request_id(), *at, user_id);
  if (!stay.ok()) return stay.status();
  Log(LogLevel::kInfo, kLog, "discharge recorded under request ", request.request_id());
  v1::RecordDischargeResponse response;
  *response.mutable_stay() = StayEntryOf(*stay);
  return response;
}

absl::Status ConsentLedger::AfterCheck(const v1::CheckQualificationRequest& request,
                                       const std::string& user_id,
                                       v1::CheckQualificationResponse* response) {
  const absl::Time now = clock_->Now();
  bool allowed = request.limit_certificate_consent();
  if (!request.patient_id().empty()) {
    if (request.limit_certificate_consent()) {
      absl::StatusOr<ConsentRecord> record =
          StaffRecordedConsent(ConsentScope::kLimitCertificate, now, ConsentSetting::kOutpatient);
      if (!record.ok()) return record.status();
      absl::StatusOr<std::vector<StoredConsent>> rows =
          store_->AppendConsents(request.patient_id(), request.request_id(), user_id, {*record});
      // An unconfirmed check may not have created the patient: nothing to record it for.
      if (!rows.ok() && rows.status().code() != absl::StatusCode::kNotFound) return rows.status();
    } else {
      absl::StatusOr<ConsentVerdict> verdict = Evaluate(
          request.patient_id(), ConsentScope::kLimitCertificate, ConsentSetting::kOutpatient, now);
      if (!verdict.ok() && verdict.status().code() != absl::StatusCode::kNotFound) {
        return verdict.status();
      }
      allowed = verdict.ok() && verdict->allowed();
    }
  }
  bool stripped = !allowed;
  for (v1::QualificationRecord& record : *response->mutable_result()->mutable_records()) {
    stripped |= Filter(allowed, &record);
  }
  if (stripped) {
    StripLimitCertificate(response->mutable_billing());
    RemoveLimitChanges(response->mutable_record_write()->mutable_changes());
    if (response->has_preview()) RemoveLimitChanges(response->mutable_preview()->mutable_changes());
  }
  return absl::OkStatus();
}

absl::Status ConsentLedger::FilterChanges(
    const std::string& patient_id, const std::string& source_request_id,
    google::protobuf::RepeatedPtrField<v1::FieldChange>* changes) {
  absl::StatusOr<std::vector<StoredConsent>> rows = store_->ListConsents(patient_id);
  if (!rows.ok() && rows.status().code() != absl::StatusCode::kNotFound) return rows.status();
  if (rows.ok()) {
    for (const StoredConsent& row : *rows) {
      if (row.record.scope == ConsentScope::kLimitCertificate &&
          row.record.flag == v1::CONSENT_FLAG_GIVEN && row.origin == source_request_id) {
        return absl::OkStatus();
      }
    }
  }
  RemoveLimitChanges(changes);
  return absl::OkStatus();
}

absl::Status ConsentLedger::FilterRecord(v1::PatientRecord* record) {
  absl::StatusOr<std::vector<StoredConsent>> rows = store_->ListConsents(record->patient_id());
  if (!rows.ok()) return rows.status();
  std::set<std::string> consented;
  for (const StoredConsent& row : *rows) {
    if (row.record.scope == ConsentScope::kLimitCertificate &&
        row.record.flag == v1::CONSENT_FLAG_GIVEN) {
      consented.insert(row.origin);
    }
  }
  auto filter = [&consented](v1::CoverageVersion* version) {
    const v1::Provenance& provenance = version->provenance();
    const std::string origin = provenance.source() == v1::SOURCE_CARD_READER
                                   ? CheckinConsentOrigin(provenance.file_id())
                                   : provenance.request_id();
    if (consented.count(origin) > 0) return;
    StripLimitCertificate(version->mutable_coverage());
  };
  if (record->has_current_coverage()) filter(record->mutable_current_coverage());
  for (v1::CoverageVersion& version : *record->mutable_coverage_history()) filter(&version);
  return absl::OkStatus();
}

void ConsentLedger::FilterBatchResult(const v1::RunBatchCheckRequest& request,
                                      v1::BatchPatientResult* result) {
  const bool consented = result->index() >= 0 && result->index() < request.patients_size() &&
                         request.patients(result->index()).limit_certificate_consent();
  bool stripped = !consented;
  for (v1::QualificationRecord& record : *result->mutable_records()) {
    stripped |= Filter(consented, &record);
  }
  if (stripped) {
    StripLimitCertificate(result->mutable_billing());
    result->clear_limit_certificate_changed();
  }
}

grpc::Status ConsentServiceImpl::ListConsents(grpc::ServerContext* context,
                                              const v1::ListConsentsRequest* request,
                                              v1::ListConsentsResponse* response) {
  absl::StatusOr<std::string> user = CallerUserId(*context);
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::StatusOr<v1::ListConsentsResponse> listed = ledger_->List(*request);
  if (!listed.ok()) return ToGrpcStatus(listed.status());
  *response = *std::move(listed);
  return grpc::Status::OK;
}

grpc::Status ConsentServiceImpl::RecordStaffConsent(grpc::ServerContext* context,
                                                    const v1::RecordStaffConsentRequest* request,
                                                    v1::RecordStaffConsentResponse* response) {
  absl::StatusOr<std::string> user = CallerUserId(*context);
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::StatusOr<v1::RecordStaffConsentResponse> recorded = ledger_->RecordStaff(*request, *user);
  if (!recorded.ok()) return ToGrpcStatus(recorded.status());
  *response = *std::move(recorded);
  return grpc::Status::OK;
}

grpc::Status ConsentServiceImpl::RecordAdmission(grpc::ServerContext* context,
                                                 const v1::RecordAdmissionRequest* request,
                                                 v1::RecordAdmissionResponse* response) {
  absl::StatusOr<std::string> user = CallerUserId(*context);
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::StatusOr<v1::RecordAdmissionResponse> recorded = ledger_->RecordAdmission(*request, *user);
  if (!recorded.ok()) return ToGrpcStatus(recorded.status());
  *response = *std::move(recorded);
  return grpc::Status::OK;
}

grpc::Status ConsentServiceImpl::RecordDischarge(grpc::ServerContext* context,
                                                 const v1::RecordDischargeRequest* request,
                                                 v1::RecordDischargeResponse* response) {
  absl::StatusOr<std::string> user = CallerUserId(*context);
  if (!user.ok()) return ToGrpcStatus(user.status());
  absl::StatusOr<v1::RecordDischargeResponse> recorded = ledger_->RecordDischarge(*request, *user);
  if (!recorded.ok()) return ToGrpcStatus(recorded.status());
  *response = *std::move(recorded);
  return grpc::Status::OK;
}

}  // namespace onshi::service
