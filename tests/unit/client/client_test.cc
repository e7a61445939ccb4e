// libonshi.so's client side against a fake onshid on a temporary Unix socket: what the service
// sends reaches the host exactly (fields, errors), deadlines bound every call, and a sidecar
// that stops, restarts or hangs is handled. Everything goes through the public C API.

#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/unit/client/fake_onshid.h"

extern char** environ;

namespace onshi {
namespace {

using ::onshi::testing::CannedAnswer;
using ::onshi::testing::FakeOnshid;
using ::onshi::testing::ServiceError;
using ::onshi::testing::WaitUntilCancelled;
using ::testing::HasSubstr;

struct ClientCloser {
  void operator()(onshi_client* c) const { onshi_client_close(c); }
};
struct RequestFreer {
  void operator()(onshi_check_request* r) const { onshi_check_request_free(r); }
};
struct ResultFreer {
  void operator()(onshi_qualification* q) const { onshi_qualification_free(q); }
};
struct ErrorFreer {
  void operator()(onshi_error* e) const { onshi_error_free(e); }
};
struct StringFreer {
  void operator()(char* s) const { onshi_string_free(s); }
};
using ClientPtr = std::unique_ptr<onshi_client, ClientCloser>;
using RequestPtr = std::unique_ptr<onshi_check_request, RequestFreer>;
using ResultPtr = std::unique_ptr<onshi_qualification, ResultFreer>;
using ErrorPtr = std::unique_ptr<onshi_error, ErrorFreer>;
using StringPtr = std::unique_ptr<char, StringFreer>;

std::string MakeTempDir() {
  std::string pattern = ::testing::TempDir() + "onshi_client_test.XXXXXX";
  char* dir = mkdtemp(pattern.data());
  EXPECT_NE(dir, nullptr);
  return pattern;
}

struct ClientSettings {
  int64_t timeout_ms = 0;
  int64_t connect_timeout_ms = 0;
};

ClientPtr OpenClient(const std::string& socket_path, ClientSettings settings = {}) {
  onshi_client_options* options = onshi_client_options_new();
  EXPECT_NE(options, nullptr);
  EXPECT_EQ(onshi_client_options_set_socket_path(options, socket_path.c_str(), nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_client_options_set_timeout_ms(options, settings.timeout_ms, nullptr), ONSHI_OK);
  EXPECT_EQ(
      onshi_client_options_set_connect_timeout_ms(options, settings.connect_timeout_ms, nullptr),
      ONSHI_OK);
  onshi_client* client = nullptr;
  EXPECT_EQ(onshi_client_open(options, &client, nullptr), ONSHI_OK);
  onshi_client_options_free(options);
  return ClientPtr(client);
}

RequestPtr NewRequest() {
  RequestPtr request(onshi_check_request_new());
  EXPECT_EQ(onshi_check_request_set_insurer_number(request.get(), "06138093", nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_check_request_set_card_symbol(request.get(), "記号１２", nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_check_request_set_card_number(request.get(), "3456", nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_check_request_set_branch_number(request.get(), "01", nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_check_request_set_birth_date(request.get(), "19520412", nullptr), ONSHI_OK);
  return request;
}

// The outcome of one check: status, result (on OK), error (on failure).
struct CheckOutcome {
  onshi_status status;
  ResultPtr result;
  ErrorPtr error;
};

CheckOutcome Check(onshi_client* client, const onshi_check_request* request) {
  onshi_qualification* q = nullptr;
  onshi_error* err = nullptr;
  onshi_status status = onshi_check_qualification(client, request, &q, &err);
  return {status, ResultPtr(q), ErrorPtr(err)};
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = MakeTempDir();
    socket_path_ = dir_ + "/onshid.sock";
    server_ = std::make_unique<FakeOnshid>(socket_path_);
    ASSERT_TRUE(server_->Start());
  }

  void TearDown() override {
    server_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::string dir_;
  std::string socket_path_;
  std::unique_ptr<FakeOnshid> server_;
};

TEST_F(ClientTest, CheckSendsEveryFieldOfTheRequest) {
  ClientPtr client = OpenClient(socket_path_);
  RequestPtr request = NewRequest();
  ASSERT_EQ(onshi_check_request_set_confirmation_date(request.get(), "20250602", nullptr),
            ONSHI_OK);
  ASSERT_EQ(onshi_check_request_set_limit_consent(request.get(), 1, nullptr), ONSHI_OK);
  ASSERT_EQ(onshi_check_request_set_patient_id(request.get(), "P-0001", nullptr), ONSHI_OK);

  CheckOutcome outcome = Check(client.get(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << onshi_error_it_message(outcome.error.get());

  v1::CheckQualificationRequest sent = server_->eligibility().last_request();
  EXPECT_EQ(sent.request_id(), onshi_check_request_request_id(request.get()));
  EXPECT_EQ(sent.identifiers().insurer_number(), "06138093");
  EXPECT_EQ(sent.identifiers().insured_card_symbol(), "記号１２");
  EXPECT_EQ(sent.identifiers().insured_identification_number(), "3456");
  EXPECT_EQ(sent.identifiers().insured_branch_number(), "01");
  EXPECT_EQ(sent.birth_date(), "19520412");
  EXPECT_EQ(sent.confirmation_date(), "20250602");
  EXPECT_TRUE(sent.limit_certificate_consent());
  EXPECT_EQ(sent.patient_id(), "P-0001");
}

TEST_F(ClientTest, SendingTheSameRequestAgainReusesItsRequestId) {
  ClientPtr client = OpenClient(socket_path_);
  RequestPtr request = NewRequest();
  ASSERT_EQ(Check(client.get(), request.get()).status, ONSHI_OK);
  const std::string first = server_->eligibility().last_request().request_id();
  ASSERT_EQ(Check(client.get(), request.get()).status, ONSHI_OK);
  EXPECT_EQ(server_->eligibility().last_request().request_id(), first);
  RequestPtr other = NewRequest();
  ASSERT_EQ(Check(client.get(), other.get()).status, ONSHI_OK);
  EXPECT_NE(server_->eligibility().last_request().request_id(), first);
}

TEST_F(ClientTest, TypedGettersReadTheAnswer) {
  ClientPtr client = OpenClient(socket_path_);
  RequestPtr request = NewRequest();
  CheckOutcome outcome = Check(client.get(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK);
  EXPECT_EQ(outcome.error, nullptr);
  const onshi_qualification* q = outcome.result.get();

  EXPECT_EQ(onshi_qualification_outcome(q), ONSHI_OUTCOME_ANSWERED);
  EXPECT_EQ(onshi_qualification_validity(q), ONSHI_VALIDITY_VALID);
  EXPECT_EQ(onshi_qualification_is_eligible(q), 1);
  EXPECT_STREQ(onshi_qualification_status_label(q), "有効");
  EXPECT_STREQ(onshi_qualification_status_explanation(q), "保険診療で受付できます。");
  EXPECT_STREQ(onshi_qualification_request_id(q), onshi_check_request_request_id(request.get()));
  EXPECT_STREQ(onshi_qualification_confirmation_date(q), "20250602");

  ASSERT_EQ(onshi_qualification_record_count(q), 1);
  EXPECT_STREQ(onshi_qualification_insurer_number(q, 0), "06138093");
  EXPECT_STREQ(onshi_qualification_insurer_name(q, 0), "試験健康保険組合");
  EXPECT_STREQ(onshi_qualification_card_symbol(q, 0), "記号１２");
  EXPECT_STREQ(onshi_qualification_card_number(q, 0), "3456");
  EXPECT_STREQ(onshi_qualification_branch_number(q, 0), "01");
  EXPECT_STREQ(onshi_qualification_name(q, 0), "試験　花子");
  EXPECT_STREQ(onshi_qualification_name_kana(q, 0), "ｼｹﾝ ﾊﾅｺ");
  EXPECT_STREQ(onshi_qualification_birth_date(q, 0), "19520412");
  EXPECT_STREQ(onshi_qualification_sex(q, 0), "2");
  EXPECT_STREQ(onshi_qualification_personal_family(q, 0), "1");
  EXPECT_STREQ(onshi_qualification_insured_card_valid_date(q, 0), "20240401");
  EXPECT_STREQ(onshi_qualification_insured_card_expiration_date(q, 0), "20270331");
  EXPECT_STREQ(onshi_qualification_qualification_date(q, 0), "20170401");
  EXPECT_STREQ(onshi_qualification_elderly_contribution_ratio(q, 0), "020");
  EXPECT_STREQ(onshi_qualification_elderly_valid_start_date(q, 0), "20240801");
  EXPECT_STREQ(onshi_qualification_elderly_valid_end_date(q, 0), "20250731");
  // Out of range, either side.
  EXPECT_STREQ(onshi_qualification_insurer_number(q, 1), "");
  EXPECT_STREQ(onshi_qualification_name(q, -1), "");

  EXPECT_EQ(onshi_qualification_copay_ratio_percent(q), 20);
  EXPECT_STREQ(onshi_qualification_copay_ratio_label(q), "2割");
  EXPECT_STREQ(onshi_qualification_limit_category_code(q), "B04");
  EXPECT_STREQ(onshi_qualification_limit_category_name(q), "一般");
  EXPECT_EQ(onshi_qualification_limit_certificate_in_force(q), 1);
  EXPECT_EQ(onshi_qualification_preschool(q), 0);

  ASSERT_EQ(onshi_qualification_notice_count(q), 1);
  EXPECT_STREQ(onshi_qualification_notice_code(q, 0), "ONSHI_NOTICE_TERMINAL_MESSAGE");
  EXPECT_STREQ(onshi_qualification_notice_staff_message(q, 0),
               "電子証明書の有効期限が近づいています。");
  EXPECT_STREQ(onshi_qualification_notice_it_message(q, 0),
               "terminal ProcessingResultCode on a normal result");
  EXPECT_STREQ(onshi_qualification_notice_code(q, 1), "");

  EXPECT_STREQ(onshi_qualification_unconfirmed_reason(q), "");
  EXPECT_STREQ(onshi_qualification_unconfirmed_staff_message(q), "");
  EXPECT_STREQ(onshi_qualification_unconfirmed_it_message(q), "");

  EXPECT_STREQ(onshi_qualification_recorded_patient_id(q), "P-0001");
  EXPECT_EQ(onshi_qualification_coverage_version(q), 3);
  ASSERT_EQ(onshi_qualification_change_count(q), 1);
  EXPECT_STREQ(onshi_qualification_change_field(q, 0), "identifiers.insurer_number");
  EXPECT_STREQ(onshi_qualification_change_old_value(q, 0), "06138085");
  EXPECT_STREQ(onshi_qualification_change_new_value(q, 0), "06138093");
  EXPECT_STREQ(onshi_qualification_change_staff_message(q, 0), "保険者番号が変わりました");
  EXPECT_STREQ(onshi_qualification_change_field(q, 1), "");
}

TEST_F(ClientTest, JsonIsTheWholeAnswerWithProtoFieldNames) {
  ClientPtr client = OpenClient(socket_path_);
  RequestPtr request = NewRequest();
  CheckOutcome outcome = Check(client.get(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK);

  char* raw = nullptr;
  size_t length = 0;
  onshi_error* err = nullptr;
  ASSERT_EQ(onshi_qualification_to_json(outcome.result.get(), &raw, &length, &err), ONSHI_OK);
  EXPECT_EQ(err, nullptr);
  StringPtr json(raw);
  ASSERT_NE(json, nullptr);
  EXPECT_EQ(std::string(json.get()).size(), length);
  EXPECT_THAT(json.get(), HasSubstr("\"status_label\":\"有効\""));
  EXPECT_THAT(json.get(), HasSubstr("\"insurer_number\":\"06138093\""));
  EXPECT_THAT(json.get(), HasSubstr("\"outcome\":\"CHECK_OUTCOME_ANSWERED\""));

  v1::CheckQualificationResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.get(), &parsed).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
      parsed, CannedAnswer(onshi_check_request_request_id(request.get()))));
}

TEST_F(ClientTest, ServiceErrorReachesTheHostUnchanged) {
  v1::ErrorDetail detail;
  detail.set_reason("ONSHI_TERMINAL_REJECTED_REQUEST");
  detail.set_staff_message("資格確認端末が照会を受け付けませんでした。");
  detail.set_it_message("the terminal returned the request file with an .err file: E-42");
  detail.set_retryable(false);
  server_->eligibility().set_check_handler([detail](grpc::ServerContext*,
                                                    const v1::CheckQualificationRequest&,
                                                    v1::CheckQualificationResponse*) {
    return ServiceError(grpc::StatusCode::FAILED_PRECONDITION, detail);
  });
  ClientPtr client = OpenClient(socket_path_);
  RequestPtr request = NewRequest();
  CheckOutcome outcome = Check(client.get(), request.get());
  EXPECT_EQ(outcome.status, ONSHI_FAILED_PRECONDITION);
  EXPECT_EQ(outcome.result, nullptr);
  ASSERT_NE(outcome.error, nullptr);
  EXPECT_EQ(onshi_error_code(outcome.error.get()), ONSHI_FAILED_PRECONDITION);
  EXPECT_STREQ(onshi_error_reason(outcome.error.get()), "ONSHI_TERMINAL_REJECTED_REQUEST");
  EXPECT_STREQ(onshi_error_staff_message(outcome.error.get()),
               "資格確認端末が照会を受け付けませんでした。");
  EXPECT_STREQ(onshi_error_it_message(outcome.error.get()),
               "the terminal returned the request file with an .err file: E-42");
  EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 0);
}

TEST_F(ClientTest, ReasonFromANewerServiceIsPassedThrough) {
  v1::ErrorDetail detail;
  detail.set_reason("ONSHI_SOMETHING_NEW");
  detail.set_staff_message("新しいエラーです。");
  detail.set_it_message("a reason this library does not know yet");
  detail.set_retryable(true);
  server_->eligibility().set_check_handler([detail](grpc::ServerContext*,
                                                    const v1::CheckQualificationRequest&,
                                                    v1::CheckQualificationResponse*) {
    return ServiceError(grpc::StatusCode::RESOURCE_EXHAUSTED, detail);
  });
  ClientPtr client = OpenClient(socket_path_);
  CheckOutcome outcome = Check(client.get(), NewRequest().get());
  EXPECT_EQ(outcome.status, ONSHI_RESOURCE_EXHAUSTED);
  EXPECT_STREQ(onshi_error_reason(outcome.error.get()), "ONSHI_SOMETHING_NEW");
  EXPECT_STREQ(onshi_error_staff_message(outcome.error.get()), "新しいエラーです。");
  EXPECT_STREQ(onshi_error_it_message(outcome.error.get()),
               "a reason this library does not know yet");
  EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 1);
}

TEST_F(ClientTest, ErrorWithoutDetailGetsTheCatalogueTexts) {
  server_->eligibility().set_check_handler([](grpc::ServerContext*,
                                              const v1::CheckQualificationRequest&,
                                              v1::CheckQualificationResponse*) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "handler failed");
  });
  ClientPtr client = OpenClient(socket_path_);
  CheckOutcome outcome = Check(client.get(), NewRequest().get());
  EXPECT_EQ(outcome.status, ONSHI_INTERNAL);
  EXPECT_STREQ(onshi_error_reason(outcome.error.get()), "ONSHI_INTERNAL");
  EXPECT_STREQ(onshi_error_staff_message(outcome.error.get()),
               "システム内部でエラーが発生しました。担当者に連絡してください。");
  EXPECT_THAT(onshi_error_it_message(outcome.error.get()), HasSubstr("handler failed"));
}

TEST_F(ClientTest, UnreadableErrorDetailsFallBackToTheCode) {
  server_->eligibility().set_check_handler([](grpc::ServerContext*,
                                              const v1::CheckQualificationRequest&,
                                              v1::CheckQualificationResponse*) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bad",
                        std::string("\xff\x01garbage", 9));
  });
  ClientPtr client = OpenClient(socket_path_);
  CheckOutcome outcome = Check(client.get(), NewRequest().get());
  EXPECT_EQ(outcome.status, ONSHI_INVALID_ARGUMENT);
  EXPECT_STREQ(onshi_error_reason(outcome.error.get()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_STRNE(onshi_error_staff_message(outcome.error.get()), "");
}

TEST_F(ClientTest, HandlerPastTheDeadlineGivesDeadlineExceeded) {
  server_->eligibility().set_check_handler([](grpc::ServerContext* context,
                                              const v1::CheckQualificationRequest&,
                                              v1::CheckQualificationResponse*) {
    return WaitUntilCancelled(context, std::chrono::seconds(30));
  });
  ClientPtr client = OpenClient(socket_path_);
  RequestPtr request = NewRequest();
  ASSERT_EQ(onshi_check_request_set_timeout_ms(request.get(), 300, nullptr), ONSHI_OK);
  const auto start = std::chrono::steady_clock::now();
  CheckOutcome outcome = Check(client.get(), request.get());
  // A bound, not a speed measurement: the call must not wait for the handler's 30 s.
  EXPECT_LT(SecondsSince(start), 10.0);
  EXPECT_EQ(outcome.status, ONSHI_DEADLINE_EXCEEDED);
  EXPECT_EQ(outcome.result, nullptr);
  EXPECT_STREQ(onshi_error_reason(outcome.error.get()), "ONSHI_DEADLINE_EXCEEDED");
  EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 1);
}

// The deadline the service sees, relative to when the call was made.
double ServerSideDeadlineSeconds(FakeOnshid* server, onshi_client* client,
                                 const onshi_check_request* request) {
  const auto sent = std::chrono::system_clock::now();
  EXPECT_EQ(Check(client, request).status, ONSHI_OK);
  return std::chrono::duration<double>(server->eligibility().last_deadline() - sent).count();
}

TEST_F(ClientTest, ChecksDefaultToA35SecondDeadline) {
  ClientPtr client = OpenClient(socket_path_);
  const double seconds = ServerSideDeadlineSeconds(server_.get(), client.get(), NewRequest().get());
  EXPECT_GT(seconds, 30.0);
  EXPECT_LE(seconds, 35.5);
}

TEST_F(ClientTest, ClientTimeoutAndRequestTimeoutSetTheDeadline) {
  ClientPtr client = OpenClient(socket_path_, ClientSettings{8000, 0});
  RequestPtr request = NewRequest();
  double seconds = ServerSideDeadlineSeconds(server_.get(), client.get(), request.get());
  EXPECT_GT(seconds, 3.0);
  EXPECT_LE(seconds, 8.5);
  ASSERT_EQ(onshi_check_request_set_timeout_ms(request.get(), 20000, nullptr), ONSHI_OK);
  seconds = ServerSideDeadlineSeconds(server_.get(), client.get(), request.get());
  EXPECT_GT(seconds, 15.0);
  EXPECT_LE(seconds, 20.5);
}

TEST_F(ClientTest, PatientRecordComesBackAsJson) {
  ClientPtr client = OpenClient(socket_path_);
  char* raw = nullptr;
  size_t length = 0;
  onshi_error* err = nullptr;
  ASSERT_EQ(onshi_get_patient_record(client.get(), "P-0001", 0, &raw, &length, &err), ONSHI_OK);
  StringPtr json(raw);
  EXPECT_EQ(err, nullptr);
  EXPECT_EQ(std::string(json.get()).size(), length);
  v1::PatientRecord record;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.get(), &record).ok());
  EXPECT_EQ(record.patient_id(), "P-0001");
  EXPECT_EQ(record.current_coverage().version(), 3);
  EXPECT_EQ(record.current_coverage().coverage().name(), "試験　花子");
  EXPECT_THAT(json.get(), HasSubstr("\"current_coverage\""));
}

TEST_F(ClientTest, UnknownPatientIsNotFound) {
  ClientPtr client = OpenClient(socket_path_);
  char* raw = reinterpret_cast<char*>(this);
  onshi_error* err = nullptr;
  EXPECT_EQ(onshi_get_patient_record(client.get(), "P-9999", 0, &raw, nullptr, &err),
            ONSHI_NOT_FOUND);
  ErrorPtr error(err);
  EXPECT_EQ(raw, nullptr);
  EXPECT_STREQ(onshi_error_reason(error.get()), "ONSHI_PATIENT_NOT_FOUND");
  EXPECT_STREQ(onshi_error_staff_message(error.get()), "この患者の記録はまだありません。");
}

TEST_F(ClientTest, HealthReportsServingAndNotServing) {
  ClientPtr client = OpenClient(socket_path_);
  int32_t serving = -1;
  ASSERT_EQ(onshi_client_health(client.get(), &serving, nullptr), ONSHI_OK);
  EXPECT_EQ(serving, 1);
  server_->health().set_serving(false);
  ASSERT_EQ(onshi_client_health(client.get(), &serving, nullptr), ONSHI_OK);
  EXPECT_EQ(serving, 0);
}

TEST_F(ClientTest, StoppedSidecarGivesSidecarUnavailable) {
  ClientPtr client = OpenClient(socket_path_, ClientSettings{500, 0});
  int32_t serving = -1;
  ASSERT_EQ(onshi_client_health(client.get(), &serving, nullptr), ONSHI_OK);
  server_->Stop();
  const auto start = std::chrono::steady_clock::now();
  CheckOutcome outcome = Check(client.get(), NewRequest().get());
  EXPECT_LT(SecondsSince(start), 10.0);
  EXPECT_EQ(outcome.status, ONSHI_UNAVAILABLE);
  EXPECT_STREQ(onshi_error_reason(outcome.error.get()), "ONSHI_SIDECAR_UNAVAILABLE");
  EXPECT_STREQ(onshi_error_staff_message(outcome.error.get()),
               "資格確認サービス（onshid）に接続できません。担当者に連絡してください。");
  EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 1);
}

TEST_F(ClientTest, ReconnectsAfterTheSidecarRestartsOnTheSameSocket) {
  ClientPtr client = OpenClient(socket_path_);
  ASSERT_EQ(Check(client.get(), NewRequest().get()).status, ONSHI_OK);
  server_->Stop();
  server_ = std::make_unique<FakeOnshid>(socket_path_);
  ASSERT_TRUE(server_->Start());
  CheckOutcome outcome = Check(client.get(), NewRequest().get());
  EXPECT_EQ(outcome.status, ONSHI_OK) << onshi_error_reason(outcome.error.get());
  EXPECT_EQ(server_->eligibility().check_calls(), 1);
}

TEST_F(ClientTest, CallWaitsForASidecarThatComesBackWithinTheConnectTimeout) {
  ClientPtr client = OpenClient(socket_path_, ClientSettings{0, 20000});
  ASSERT_EQ(Check(client.get(), NewRequest().get()).status, ONSHI_OK);
  server_->Stop();
  server_ = std::make_unique<FakeOnshid>(socket_path_);
  std::atomic<bool> started{false};
  std::thread restarter([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    started = server_->Start();
  });
  CheckOutcome outcome = Check(client.get(), NewRequest().get());
  restarter.join();
  ASSERT_TRUE(started);
  EXPECT_EQ(outcome.status, ONSHI_OK) << onshi_error_reason(outcome.error.get());
}

TEST_F(ClientTest, ManyThreadsShareOneClient) {
  ClientPtr client = OpenClient(socket_path_);
  constexpr int kThreads = 8;
  constexpr int kCallsPerThread = 20;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kCallsPerThread; ++i) {
        RequestPtr request = NewRequest();
        CheckOutcome outcome = Check(client.get(), request.get());
        if (outcome.status == ONSHI_OK &&
            std::string(onshi_qualification_request_id(outcome.result.get())) ==
                onshi_check_request_request_id(request.get())) {
          ++ok;
        }
        int32_t serving = 0;
        if (onshi_client_health(client.get(), &serving, nullptr) == ONSHI_OK && serving == 1) ++ok;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 2 * kThreads * kCallsPerThread);
}

TEST(SocketPathTest, PathWithUriCharactersIsUsedVerbatim) {
  // gRPC reads the client's target as a URI; the library escapes what would change its meaning.
  const std::string dir = MakeTempDir();
  const std::string socket_path = dir + "/a #%25?b.sock";
  {
    FakeOnshid server(socket_path);
    EXPECT_TRUE(server.Start());
    EXPECT_TRUE(std::filesystem::exists(socket_path));
    ClientPtr client = OpenClient(socket_path);
    int32_t serving = -1;
    onshi_error* err = nullptr;
    EXPECT_EQ(onshi_client_health(client.get(), &serving, &err), ONSHI_OK)
        << onshi_error_it_message(err);
    onshi_error_free(err);
    EXPECT_EQ(serving, 1);
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

// The fake as a separate process, stopped with SIGSTOP like a hung onshid.
class FakeOnshidProcess {
 public:
  explicit FakeOnshidProcess(const std::string& socket_path) {
    std::string program = ONSHI_FAKE_ONSHID_PATH;
    std::vector<char*> argv = {program.data(), const_cast<char*>(socket_path.c_str()), nullptr};
    if (posix_spawn(&pid_, program.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
    }
  }
  ~FakeOnshidProcess() {
    if (pid_ <= 0) return;
    kill(pid_, SIGCONT);
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

TEST(HungSidecarTest, StoppedProcessDoesNotBlockACallPastItsDeadline) {
  const std::string dir = MakeTempDir();
  const std::string socket_path = dir + "/onshid.sock";
  FakeOnshidProcess process(socket_path);
  ASSERT_GT(process.pid(), 0);
  ClientPtr client = OpenClient(socket_path, ClientSettings{20000, 20000});
  int32_t serving = -1;
  ASSERT_EQ(onshi_client_health(client.get(), &serving, nullptr), ONSHI_OK);
  ASSERT_EQ(serving, 1);

  ASSERT_EQ(kill(process.pid(), SIGSTOP), 0);
  // kill() returns before every thread of the process has stopped; until they have, a call
  // can still be answered. The parent learns of the stop itself from waitpid(WUNTRACED).
  int wait_status = 0;
  ASSERT_EQ(waitpid(process.pid(), &wait_status, WUNTRACED), process.pid());
  ASSERT_TRUE(WIFSTOPPED(wait_status));
  RequestPtr request = NewRequest();
  ASSERT_EQ(onshi_check_request_set_timeout_ms(request.get(), 500, nullptr), ONSHI_OK);
  for (int i = 0; i < 3; ++i) {
    const auto start = std::chrono::steady_clock::now();
    CheckOutcome outcome = Check(client.get(), request.get());
    EXPECT_LT(SecondsSince(start), 10.0);
    EXPECT_EQ(outcome.status, ONSHI_DEADLINE_EXCEEDED);
    EXPECT_STREQ(onshi_error_reason(outcome.error.get()), "ONSHI_DEADLINE_EXCEEDED");
  }

  // Once it runs again, the same client is served again.
  ASSERT_EQ(kill(process.pid(), SIGCONT), 0);
  ASSERT_EQ(onshi_client_health(client.get(), &serving, nullptr), ONSHI_OK);
  EXPECT_EQ(serving, 1);
  EXPECT_EQ(Check(client.get(), request.get()).status, ONSHI_OK);

  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

}  // namespace
}  // namespace onshi
