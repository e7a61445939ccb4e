// A test-only stand-in for onshid: an EligibilityService and a Health service whose answers
// the test chooses, served on a Unix socket. It checks the client side of libonshi.so (error
// mapping, deadlines, reconnects) without the real service behind it.

#ifndef ONSHI_TESTS_UNIT_CLIENT_FAKE_ONSHID_H_
#define ONSHI_TESTS_UNIT_CLIENT_FAKE_ONSHID_H_

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/server_context.h"
#include "onshi/v1/eligibility_service.grpc.pb.h"
#include "onshi/v1/error.pb.h"

namespace onshi::testing {

// A canned answer of the terminal for a valid patient, as the service would return it.
inline v1::CheckQualificationResponse CannedAnswer(const std::string& request_id) {
  v1::CheckQualificationResponse response;
  response.set_outcome(v1::CHECK_OUTCOME_ANSWERED);
  v1::QualificationResult* result = response.mutable_result();
  result->set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
  result->set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  v1::QualificationRecord* record = result->add_records();
  record->mutable_identifiers()->set_insurer_number("06138093");
  record->mutable_identifiers()->set_insured_card_symbol("記号１２");
  record->mutable_identifiers()->set_insured_identification_number("3456");
  record->mutable_identifiers()->set_insured_branch_number("01");
  record->set_insurer_name("試験健康保険組合");
  record->set_name("試験　花子");
  record->set_name_kana("ｼｹﾝ ﾊﾅｺ");
  record->set_birth_date("19520412");
  record->set_sex1("2");
  record->set_personal_family_classification("1");
  record->set_insured_card_valid_date("20240401");
  record->set_insured_card_expiration_date("20270331");
  record->set_qualification_date("20170401");
  record->mutable_elderly_recipient_certificate()->set_contribution_ratio("020");
  record->mutable_elderly_recipient_certificate()->set_valid_start_date("20240801");
  record->mutable_elderly_recipient_certificate()->set_valid_end_date("20250731");
  v1::BillingView* billing = response.mutable_billing();
  billing->set_eligible(true);
  billing->set_status_label("有効");
  billing->set_status_explanation("保険診療で受付できます。");
  billing->set_copay_ratio_percent(20);
  billing->set_copay_ratio_label("2割");
  billing->set_limit_category_code("B04");
  billing->set_limit_category_name("一般");
  billing->set_limit_certificate_in_force(true);
  v1::Notice* notice = billing->add_notices();
  notice->set_code("ONSHI_NOTICE_TERMINAL_MESSAGE");
  notice->set_staff_message("電子証明書の有効期限が近づいています。");
  notice->set_it_message("terminal ProcessingResultCode on a normal result");
  response.mutable_provenance()->set_request_id(request_id);
  response.mutable_provenance()->set_confirmation_date("20250602");
  v1::RecordWrite* write = response.mutable_record_write();
  write->set_patient_id("P-0001");
  write->set_coverage_version(3);
  write->set_changed(true);
  v1::FieldChange* change = write->add_changes();
  change->set_field("identifiers.insurer_number");
  change->set_old_value("06138085");
  change->set_new_value("06138093");
  change->set_staff_message("保険者番号が変わりました");
  return response;
}

// A failed call as the real service sends it: code, IT text, ErrorStatus with the detail.
inline grpc::Status ServiceError(grpc::StatusCode code, const v1::ErrorDetail& detail) {
  v1::ErrorStatus wire;
  wire.set_code(static_cast<int>(code));
  wire.set_message(detail.it_message());
  wire.add_details()->PackFrom(detail);
  return grpc::Status(code, detail.it_message(), wire.SerializeAsString());
}

class FakeEligibilityService final : public v1::EligibilityService::Service {
 public:
  using CheckHandler = std::function<grpc::Status(
      grpc::ServerContext*, const v1::CheckQualificationRequest&, v1::CheckQualificationResponse*)>;

  // Default: the canned answer for every check.
  FakeEligibilityService()
      : check_handler_([](grpc::ServerContext*, const v1::CheckQualificationRequest& request,
                          v1::CheckQualificationResponse* response) {
          *response = CannedAnswer(request.request_id());
          return grpc::Status::OK;
        }) {}

  void set_check_handler(CheckHandler handler) {
    std::lock_guard<std::mutex> lock(mu_);
    check_handler_ = std::move(handler);
  }

  // The last request received and the deadline it came with.
  v1::CheckQualificationRequest last_request() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_request_;
  }
  std::chrono::system_clock::time_point last_deadline() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_deadline_;
  }
  int check_calls() const { return check_calls_.load(); }

  grpc::Status CheckQualification(grpc::ServerContext* context,
                                  const v1::CheckQualificationRequest* request,
                                  v1::CheckQualificationResponse* response) override {
    CheckHandler handler;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_request_ = *request;
      last_deadline_ = context->deadline();
      handler = check_handler_;
    }
    ++check_calls_;
    return handler(context, *request, response);
  }

  grpc::Status GetPatientRecord(grpc::ServerContext* context,
                                const v1::GetPatientRecordRequest* request,
                                v1::GetPatientRecordResponse* response) override {
    if (request->patient_id() != "P-0001") {
      v1::ErrorDetail detail;
      detail.set_reason("ONSHI_PATIENT_NOT_FOUND");
      detail.set_staff_message("この患者の記録はまだありません。");
      detail.set_it_message("no patient with this patient_id in the record");
      return ServiceError(grpc::StatusCode::NOT_FOUND, detail);
    }
    v1::PatientRecord* record = response->mutable_record();
    record->set_patient_id("P-0001");
    record->mutable_current_coverage()->set_version(3);
    record->mutable_current_coverage()->set_validity(v1::QUALIFICATION_VALIDITY_VALID);
    record->mutable_current_coverage()->mutable_coverage()->set_name("試験　花子");
    return grpc::Status::OK;
  }

 private:
  std::mutex mu_;
  CheckHandler check_handler_;
  v1::CheckQualificationRequest last_request_;
  std::chrono::system_clock::time_point last_deadline_;
  std::atomic<int> check_calls_{0};
};

class FakeHealthService final : public grpc::health::v1::Health::Service {
 public:
  void set_serving(bool serving) { serving_ = serving; }

  grpc::Status Check(grpc::ServerContext* context,
                     const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override {
    if (!request->service().empty()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "");
    response->set_status(serving_ ? grpc::health::v1::HealthCheckResponse::SERVING
                                  : grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    return grpc::Status::OK;
  }

 private:
  std::atomic<bool> serving_{true};
};

// Blocks until the call's deadline or cancellation (or `limit`), as a hung service would.
inline grpc::Status WaitUntilCancelled(grpc::ServerContext* context,
                                       std::chrono::milliseconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!context->IsCancelled() && std::chrono::steady_clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return grpc::Status(grpc::StatusCode::CANCELLED, "the handler gave up waiting");
}

// gRPC reads "unix:<path>" as a URI and percent-decodes it (both the server and the client);
// '#' and '?' would start a fragment or a query on the client. Escaping them keeps any path.
inline std::string UnixTarget(const std::string& path) {
  std::string target = "unix:";
  for (char c : path) {
    if (c == '%') {
      target += "%25";
    } else if (c == '#') {
      target += "%23";
    } else if (c == '?') {
      target += "%3F";
    } else {
      target += c;
    }
  }
  return target;
}

// The fake services served on the Unix socket `socket_path`.
class FakeOnshid {
 public:
  explicit FakeOnshid(std::string socket_path) : socket_path_(std::move(socket_path)) {}
  ~FakeOnshid() { Stop(); }

  FakeEligibilityService& eligibility() { return eligibility_; }
  FakeHealthService& health() { return health_; }

  bool Start() {
    grpc::ServerBuilder builder;
    builder.AddListeningPort(UnixTarget(socket_path_), grpc::InsecureServerCredentials());
    builder.RegisterService(&eligibility_);
    builder.RegisterService(&health_);
    server_ = builder.BuildAndStart();
    return server_ != nullptr;
  }

  // Ends calls in flight at once and removes the socket, as a crashed onshid would leave it.
  void Stop() {
    if (server_ == nullptr) return;
    server_->Shutdown(std::chrono::system_clock::now());
    server_->Wait();
    server_.reset();
    ::unlink(socket_path_.c_str());
  }

 private:
  const std::string socket_path_;
  FakeEligibilityService eligibility_;
  FakeHealthService health_;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace onshi::testing

#endif  // ONSHI_TESTS_UNIT_CLIENT_FAKE_ONSHID_H_
