// The audit interceptor on a real in-process gRPC server with stand-in handlers: one row per
// call (user, operation, patient, request, outcome), one per streamed message naming a patient,
// none for grpc.health; a call whose row cannot be written fails with ONSHI_AUDIT_UNAVAILABLE
// and returns nothing; an invalid user id fails the call before the handler sees the request.

#include "plugin/service/audit_interceptor.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "onshi/v1/batch_service.grpc.pb.h"
#include "onshi/v1/checkin_service.grpc.pb.h"
#include "onshi/v1/eligibility_service.grpc.pb.h"
#include "plugin/core/errors.h"
#include "plugin/service/grpc_status.h"

namespace onshi::service {
namespace {

class FakeClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(1775001600); }
};

class FakeAuditLog final : public AuditLog {
 public:
  absl::Status Append(const AuditEntry& entry) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_) return MakeError(errors::kAuditUnavailable, "test");
    entries_.push_back(entry);
    return absl::OkStatus();
  }
  void set_fail(bool fail) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_ = fail;
  }
  std::vector<AuditEntry> entries() {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_;
  }

 private:
  std::mutex mu_;
  bool fail_ = false;
  std::vector<AuditEntry> entries_;
};

class FakeEligibility final : public v1::EligibilityService::Service {
 public:
  grpc::Status GetPatientRecord(grpc::ServerContext*, const v1::GetPatientRecordRequest* request,
                                v1::GetPatientRecordResponse* response) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      seen_patient_ids_.push_back(request->patient_id());
    }
    if (request->patient_id().empty()) {
      return ToGrpcStatus(MakeError(errors::kInvalidArgument, "patient_id"));
    }
    if (request->patient_id() == "missing") {
      return ToGrpcStatus(MakeError(errors::kPatientNotFound, "patient_id"));
    }
    response->mutable_record()->set_patient_id(request->patient_id());
    return grpc::Status::OK;
  }
  std::vector<std::string> seen_patient_ids() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_patient_ids_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> seen_patient_ids_;
};

// Streams three events: two matched to patients, one not.
class FakeCheckins final : public v1::CheckinService::Service {
 public:
  grpc::Status WatchCheckins(grpc::ServerContext* context, const v1::WatchCheckinsRequest*,
                             grpc::ServerWriter<v1::CheckinEvent>* writer) override {
    for (const char* patient : {"P-1", "", "P-2"}) {
      v1::CheckinEvent event;
      event.set_event_id(std::string("E-") + patient);
      if (*patient != '\0') event.mutable_match()->set_patient_id(patient);
      if (context->IsCancelled() || !writer->Write(event)) break;
    }
    return grpc::Status::OK;
  }
};

// A batch that streams one result per patient of the request.
class FakeBatches final : public v1::BatchService::Service {
 public:
  grpc::Status RunBatchCheck(grpc::ServerContext* context, const v1::RunBatchCheckRequest* request,
                             grpc::ServerWriter<v1::BatchCheckEvent>* writer) override {
    for (int i = 0; i < request->patients_size(); ++i) {
      v1::BatchCheckEvent event;
      event.mutable_result()->set_index(i);
      event.mutable_result()->set_patient_id(request->patients(i).patient_id());
      if (context->IsCancelled() || !writer->Write(event)) break;
    }
    return grpc::Status::OK;
  }
};

class HealthService final : public grpc::health::v1::Health::Service {
 public:
  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest*,
                     grpc::health::v1::HealthCheckResponse* response) override {
    response->set_status(grpc::health::v1::HealthCheckResponse::SERVING);
    return grpc::Status::OK;
  }
};

class AuditInterceptorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.RegisterService(&eligibility_);
    builder.RegisterService(&checkins_);
    builder.RegisterService(&batches_);
    builder.RegisterService(&health_);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<AuditInterceptorFactory>(&log_, &clock_));
    builder.experimental().SetInterceptorCreators(std::move(creators));
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
  }
  void TearDown() override {
    channel_.reset();
    server_->Shutdown();
    server_->Wait();
  }

  grpc::Status GetRecord(const std::string& patient_id, const std::vector<std::string>& users,
                         v1::GetPatientRecordResponse* response) {
    grpc::ClientContext context;
    for (const std::string& user : users) context.AddMetadata("onshi-user-id", user);
    v1::GetPatientRecordRequest request;
    request.set_patient_id(patient_id);
    return v1::EligibilityService::NewStub(channel_)->GetPatientRecord(&context, request, response);
  }

  FakeClock clock_;
  FakeAuditLog log_;
  FakeEligibility eligibility_;
  FakeCheckins checkins_;
  FakeBatches batches_;
  HealthService health_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(AuditInterceptorTest, UnaryCallLeavesOneRowWithUserOperationPatientAndOutcome) {
  v1::GetPatientRecordResponse response;
  ASSERT_TRUE(GetRecord("P-7", {"clerk07"}, &response).ok());
  EXPECT_EQ(response.record().patient_id(), "P-7");
  const std::vector<AuditEntry> entries = log_.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].user_id, "clerk07");
  EXPECT_EQ(entries[0].operation, "GetPatientRecord");
  EXPECT_EQ(entries[0].patient_id, "P-7");
  EXPECT_EQ(entries[0].outcome_code, "OK");
  EXPECT_EQ(entries[0].outcome_reason, "");
  EXPECT_EQ(entries[0].time, clock_.Now());
}

TEST_F(AuditInterceptorTest, FailedCallIsRecordedWithItsCodeAndReason) {
  v1::GetPatientRecordResponse response;
  const grpc::Status status = GetRecord("missing", {}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  const std::vector<AuditEntry> entries = log_.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].user_id, "");
  EXPECT_EQ(entries[0].patient_id, "missing");
  EXPECT_EQ(entries[0].outcome_code, "NOT_FOUND");
  EXPECT_EQ(entries[0].outcome_reason, "ONSHI_PATIENT_NOT_FOUND");
}

TEST_F(AuditInterceptorTest, CallFailsAndReturnsNothingWhenItsRowCannotBeWritten) {
  log_.set_fail(true);
  v1::GetPatientRecordResponse response;
  const grpc::Status status = GetRecord("P-7", {"clerk07"}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ToErrorDetail(FromGrpcStatus(status)).reason(), "ONSHI_AUDIT_UNAVAILABLE");
  EXPECT_FALSE(response.has_record());
}

TEST_F(AuditInterceptorTest, InvalidUserIdFailsTheCallBeforeTheHandlerSeesTheRequest) {
  for (const std::vector<std::string>& users :
       {std::vector<std::string>{"two words"}, std::vector<std::string>{"a", "b"}}) {
    v1::GetPatientRecordResponse response;
    const grpc::Status status = GetRecord("P-7", users, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(ToErrorDetail(FromGrpcStatus(status)).reason(), "ONSHI_INVALID_USER_ID");
    EXPECT_FALSE(response.has_record());
  }
  // The handler got cleared requests only.
  for (const std::string& seen : eligibility_.seen_patient_ids()) EXPECT_EQ(seen, "");
  const std::vector<AuditEntry> entries = log_.entries();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].user_id, "");
  EXPECT_EQ(entries[0].outcome_reason, "ONSHI_INVALID_USER_ID");
}

TEST_F(AuditInterceptorTest, StreamLeavesOneRowPerMessageNamingAPatientAndOneForTheCall) {
  grpc::ClientContext context;
  context.AddMetadata("onshi-user-id", "dr.tanaka");
  auto reader =
      v1::CheckinService::NewStub(channel_)->WatchCheckins(&context, v1::WatchCheckinsRequest());
  v1::CheckinEvent event;
  int received = 0;
  while (reader->Read(&event)) ++received;
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(received, 3);
  const std::vector<AuditEntry> entries = log_.entries();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].operation, "WatchCheckins.message");
  EXPECT_EQ(entries[0].patient_id, "P-1");
  EXPECT_EQ(entries[1].patient_id, "P-2");
  EXPECT_EQ(entries[2].operation, "WatchCheckins");
  for (const AuditEntry& entry : entries) EXPECT_EQ(entry.user_id, "dr.tanaka");
}

// A batch is one operation: its patients are in the batch ledger under its request_id, so 1,000
// results leave one row, not 1,000 durable transactions.
TEST_F(AuditInterceptorTest, StreamUnderARequestIdLeavesOneRowForTheCall) {
  grpc::ClientContext context;
  context.AddMetadata("onshi-user-id", "clerk01");
  v1::RunBatchCheckRequest request;
  request.set_request_id("batch-0001");
  for (int i = 0; i < 1000; ++i) request.add_patients()->set_patient_id("P-" + std::to_string(i));
  auto reader = v1::BatchService::NewStub(channel_)->RunBatchCheck(&context, request);
  v1::BatchCheckEvent event;
  int received = 0;
  while (reader->Read(&event)) ++received;
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_EQ(received, 1000);
  const std::vector<AuditEntry> entries = log_.entries();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].operation, "RunBatchCheck");
  EXPECT_EQ(entries[0].request_id, "batch-0001");
  EXPECT_EQ(entries[0].user_id, "clerk01");
  EXPECT_EQ(entries[0].outcome_code, "OK");
}

TEST_F(AuditInterceptorTest, StreamedMessageWhoseRowFailsIsWithheldAndTheCallEnds) {
  log_.set_fail(true);
  grpc::ClientContext context;
  auto reader =
      v1::CheckinService::NewStub(channel_)->WatchCheckins(&context, v1::WatchCheckinsRequest());
  v1::CheckinEvent event;
  while (reader->Read(&event)) EXPECT_FALSE(event.has_match()) << "a patient's event left";
  EXPECT_FALSE(reader->Finish().ok());
}

TEST_F(AuditInterceptorTest, HealthChecksAreNotRecorded) {
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(grpc::health::v1::Health::NewStub(channel_)
                  ->Check(&context, grpc::health::v1::HealthCheckRequest(), &response)
                  .ok());
  EXPECT_TRUE(log_.entries().empty());
}

TEST(AuditedIdsTest, PatientIdIsTakenFromTheTopLevelOrOneMessageFieldDown) {
  v1::GetPatientRecordResponse response;
  EXPECT_EQ(AuditedPatientId(response), "");
  response.mutable_record()->set_patient_id("P-9");
  EXPECT_EQ(AuditedPatientId(response), "P-9");
  v1::GetPatientRecordRequest request;
  request.set_patient_id("P-1");
  EXPECT_EQ(AuditedPatientId(request), "P-1");
  EXPECT_EQ(AuditedRequestId(request), "");
  v1::CheckQualificationRequest check;
  check.set_request_id("R-1");
  EXPECT_EQ(AuditedRequestId(check), "R-1");
}

}  // namespace
}  // namespace onshi::service
