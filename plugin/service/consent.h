// The consent ledger's service side (docs/consent.md): judging a patient's consents with the
// holder facts of the record, recording staff consents, keeping 限度額 data from leaving onshi
// without a consent, and the gRPC handlers of onshi.v1.ConsentService.

#ifndef ONSHI_PLUGIN_SERVICE_CONSENT_H_
#define ONSHI_PLUGIN_SERVICE_CONSENT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "onshi/v1/batch_service.pb.h"
#include "onshi/v1/consent_service.grpc.pb.h"
#include "onshi/v1/consent_service.pb.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "plugin/core/consent.h"
#include "plugin/core/consent_store.h"
#include "plugin/core/ports.h"

namespace onshi::service {

// Thread-safe (the stores are).
class ConsentLedger {
 public:
  // None of the pointers is owned; all must outlive this object.
  ConsentLedger(ConsentStore* store, RecordStore* records, const Clock* clock)
      : store_(store), records_(records), clock_(clock) {}

  // The verdict for `scope` in `setting` at `at`, from the patient's ledger rows, the holder
  // facts of its current coverage (none: the defaults) and the inpatient stay covering `at`
  // (LedgerAt). Errors: the stores'.
  absl::StatusOr<ConsentVerdict> Evaluate(const std::string& patient_id, ConsentScope scope,
                                          ConsentSetting setting, absl::Time at);

  // ListConsents RPC. Errors: INVALID_ARGUMENT (ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_ARGUMENT
  // for an enum value); NOT_FOUND (ONSHI_PATIENT_NOT_FOUND); the stores'.
  absl::StatusOr<v1::ListConsentsResponse> List(const v1::ListConsentsRequest& request);

  // RecordStaffConsent RPC, `user_id` from the call's metadata (may be empty). Errors:
  // INVALID_ARGUMENT (ONSHI_INVALID_REQUEST_ID, ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_ARGUMENT
  // for a scope other than 限度額 or an enum value); NOT_FOUND (ONSHI_PATIENT_NOT_FOUND);
  // ALREADY_EXISTS (ONSHI_REQUEST_ID_CONFLICT); the store's.
  absl::StatusOr<v1::RecordStaffConsentResponse> RecordStaff(
      const v1::RecordStaffConsentRequest& request, const std::string& user_id);

  // RecordAdmission / RecordDischarge RPCs, `user_id` from the call's metadata (required: a
  // clerk records these). The time defaults to the clock's now. Errors: INVALID_ARGUMENT
  // (ONSHI_INVALID_USER_ID for an empty user id, ONSHI_INVALID_REQUEST_ID,
  // ONSHI_INVALID_PATIENT_ID, ONSHI_INVALID_ARGUMENT for a bad time or one before the previous
  // discharge / the admission); NOT_FOUND (ONSHI_PATIENT_NOT_FOUND); ALREADY_EXISTS
  // (ONSHI_REQUEST_ID_CONFLICT); FAILED_PRECONDITION (ONSHI_ALREADY_ADMITTED /
  // ONSHI_NOT_ADMITTED); the store's.
  absl::StatusOr<v1::RecordAdmissionResponse> RecordAdmission(
      const v1::RecordAdmissionRequest& request, const std::string& user_id);
  absl::StatusOr<v1::RecordDischargeResponse> RecordDischarge(
      const v1::RecordDischargeRequest& request, const std::string& user_id);

  // After a CheckQualification answered OK: when the request consented to 限度額 and names a
  // patient of the record, stores that staff-recorded consent (origin = request_id, `user_id`);
  // then removes 限度額 data from `response` unless it may leave (LimitMayLeave). Errors: the
  // stores' (the caller fails the call: nothing leaves that should not).
  absl::Status AfterCheck(const v1::CheckQualificationRequest& request, const std::string& user_id,
                          v1::CheckQualificationResponse* response);

  // GetPatientRecord: a coverage version keeps its 限度額 data only when it was recorded under a
  // 限度額 consent: the check that wrote it (a check-in: CheckinConsentOrigin of its face file;
  // a check: its request_id) has a 限度額 consent 同意 row in the ledger. Errors: the store's.
  absl::Status FilterRecord(v1::PatientRecord* record);

  // Write-back (RecordService) and a check's preview: the changes of 限度額 fields leave only
  // when the source check `source_request_id` of `patient_id` recorded a 限度額 consent 同意
  // (origin = its request_id), the rule FilterRecord applies to the version such a write
  // creates. Other changes are kept. Errors: the store's (the caller fails the call).
  absl::Status FilterChanges(const std::string& patient_id, const std::string& source_request_id,
                             google::protobuf::RepeatedPtrField<v1::FieldChange>* changes);

  // A batch (一括照会) row: its records keep 限度額 data only when the row of `request` consented
  // (BatchPatient.limit_certificate_consent) and the record states 同意; otherwise the records'
  // data, the billing view's limit fields and limit_certificate_changed are removed. Infallible.
  static void FilterBatchResult(const v1::RunBatchCheckRequest& request,
                                v1::BatchPatientResult* result);

 private:
  ConsentStore* const store_;
  RecordStore* const records_;
  const Clock* const clock_;
};

// gRPC handlers of onshi.v1.ConsentService: thin.
class ConsentServiceImpl final : public v1::ConsentService::Service {
 public:
  // `ledger` is not owned and must outlive the service.
  explicit ConsentServiceImpl(ConsentLedger* ledger) : ledger_(ledger) {}

  grpc::Status ListConsents(grpc::ServerContext* context, const v1::ListConsentsRequest* request,
                            v1::ListConsentsResponse* response) override;
  grpc::Status RecordStaffConsent(grpc::ServerContext* context,
                                  const v1::RecordStaffConsentRequest* request,
                                  v1::RecordStaffConsentResponse* response) override;
  grpc::Status RecordAdmission(grpc::ServerContext* context,
                               const v1::RecordAdmissionRequest* request,
                               v1::RecordAdmissionResponse* response) override;
  grpc::Status RecordDischarge(grpc::ServerContext* context,
                               const v1::RecordDischargeRequest* request,
                               v1::RecordDischargeResponse* response) override;

 private:
  ConsentLedger* const ledger_;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_CONSENT_H_
