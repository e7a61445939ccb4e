// onshid killed, stopped or absent while a billing host uses it: a check is never lost or
// recorded twice, no call blocks the host past its deadline, and a restarted onshid is picked up
// by the same client. Each test has its own stack (they kill and restart its programs).

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/expectations.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

// How much longer than its deadline a call may take to come back when onshid is hung or gone.
// Generous for ASan on a loaded machine; what matters is that it comes back at all.
constexpr Millis kReturnMargin{9000};

class SidecarRobustnessTest : public ::testing::Test {
 protected:
  void TearDown() override {
    if (stack_ != nullptr && started_) stack_->StopAndCheckHygiene();
    stack_.reset();
  }

  Stack& StartStack(StackOptions options) {
    stack_ = std::make_unique<Stack>(std::move(options));
    std::string error;
    started_ = stack_->Start(&error);
    EXPECT_TRUE(started_) << error;
    return *stack_;
  }

  std::unique_ptr<Stack> stack_;
  bool started_ = false;
};

TEST_F(SidecarRobustnessTest, KilledWhileACheckWaitsTheRetryAfterRestartGetsTheAnswerOnce) {
  StackOptions options;
  options.name = "kill9";
  options.sim_flags = {"--latency-ms", "2000"};
  options.answer_timeout_ms = 30000;
  Stack& stack = StartStack(options);
  ASSERT_TRUE(started_);

  const sim::v1::Patient& patient = PatientByScenario("limit-a04");
  RequestSpec spec;
  spec.limit_consent = true;
  spec.patient_id = "killed";
  spec.timeout_ms = 45000;
  RequestPtr request = NewRequestFor(patient, spec);

  FolderWatch req(stack.req_dir());
  ASSERT_TRUE(req.ok());
  std::future<CheckOutcome> waiting = std::async(
      std::launch::async, [&stack, &request] { return Check(stack.client(), request.get()); });

  // The terminal has taken the request; its answer is 2 s away. Now kill -9 onshid.
  bool placed = false;
  ASSERT_TRUE(WaitUntil([&] {
    for (const std::string& name : req.TakeEvents()) {
      if (name.rfind("OQSsiquc01req_", 0) == 0) placed = true;
    }
    return placed && ListDir(stack.req_dir()).empty();
  })) << "the request never reached the terminal";
  stack.KillOnshid();
  std::string error;
  ASSERT_TRUE(stack.StartOnshid(&error)) << error;

  // The call in flight rides over the restart (docs/c-api.md: a broken connection is made
  // again within the call's deadline, and the check was kept in onshid's ledger).
  CheckOutcome first = waiting.get();
  ASSERT_EQ(first.status, ONSHI_OK) << first.Describe();
  ExpectAnswerFor(first.result.get(), patient, /*limit_consent=*/true);

  // Asking again with the same request_id gets the terminal's answer.
  CheckOutcome retry = Check(stack.client(), request.get());
  ASSERT_EQ(retry.status, ONSHI_OK) << retry.Describe();
  EXPECT_STREQ(onshi_qualification_request_id(retry.result.get()),
               onshi_check_request_request_id(request.get()));
  ExpectAnswerFor(retry.result.get(), patient, /*limit_consent=*/true);
  EXPECT_EQ(onshi_qualification_coverage_version(retry.result.get()), 1);
  stack.NoteAnswered(retry.result.get());

  // The restarted onshid placed the pending request again (it cannot know whether the file got
  // there before the crash), so the terminal answers twice; the second answer is a duplicate.
  const std::string file_id = ResponseOf(retry.result.get()).provenance().file_id();
  EXPECT_TRUE(WaitUntil([&] {
    int copies = 0;
    for (const std::string& name : ListDir(stack.processed_dir())) {
      if (name.rfind("OQSsiquc01res_" + file_id, 0) == 0) ++copies;
    }
    return copies == 2;
  })) << "expected the answer to the re-placed request to be archived as a duplicate";

  std::optional<v1::PatientRecord> record = GetPatientRecord(stack.client(), "killed");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->confirmations_size(), 1);
  EXPECT_EQ(record->current_coverage().version(), 1);
  EXPECT_EQ(record->coverage_history_size(), 0);
}

TEST_F(SidecarRobustnessTest, StoppedSidecarDoesNotHoldTheHostPastTheDeadline) {
  StackOptions options;
  options.name = "sigstop";
  options.answer_timeout_ms = 15000;
  Stack& stack = StartStack(options);
  ASSERT_TRUE(started_);
  int32_t serving = 0;
  ASSERT_EQ(onshi_client_health(stack.client(), &serving, nullptr), ONSHI_OK);
  EXPECT_EQ(serving, 1);

  const sim::v1::Patient& patient = PatientByScenario("kouki-1wari");
  RequestSpec spec;
  spec.patient_id = "stopped";
  spec.timeout_ms = 1000;
  RequestPtr request = NewRequestFor(patient, spec);

  stack.onshid()->Pause();
  std::future<CheckOutcome> call = std::async(
      std::launch::async, [&stack, &request] { return Check(stack.client(), request.get()); });
  const bool returned =
      call.wait_for(Millis(spec.timeout_ms) + kReturnMargin) == std::future_status::ready;
  stack.onshid()->Resume();
  EXPECT_TRUE(returned) << "the host's thread was still blocked " << kReturnMargin.count()
                        << " ms after the call's deadline";
  CheckOutcome stopped = call.get();
  // Reached but not answering: the call's deadline, not "unavailable".
  ASSERT_EQ(stopped.status, ONSHI_DEADLINE_EXCEEDED) << stopped.Describe();
  EXPECT_EQ(stopped.reason(), "ONSHI_DEADLINE_EXCEEDED");
  EXPECT_EQ(onshi_error_retryable(stopped.error.get()), 1);

  // Running again: the same client works, and the stopped request gets its outcome.
  RequestSpec fresh_spec;
  fresh_spec.patient_id = "stopped";
  fresh_spec.timeout_ms = stack.check_timeout_ms();
  RequestPtr fresh = NewRequestFor(patient, fresh_spec);
  CheckOutcome after = Check(stack.client(), fresh.get());
  ASSERT_EQ(after.status, ONSHI_OK) << after.Describe();
  ExpectAnswerFor(after.result.get(), patient, /*limit_consent=*/false);
  stack.NoteAnswered(after.result.get());

  ASSERT_EQ(onshi_check_request_set_timeout_ms(request.get(), stack.check_timeout_ms(), nullptr),
            ONSHI_OK);
  CheckOutcome retried = Check(stack.client(), request.get());
  ASSERT_EQ(retried.status, ONSHI_OK) << retried.Describe();
  ExpectAnswerFor(retried.result.get(), patient, /*limit_consent=*/false);
  stack.NoteAnswered(retried.result.get());
}

TEST_F(SidecarRobustnessTest, AbsentSidecarIsUnavailableAndItsRestartIsPickedUp) {
  StackOptions options;
  options.name = "absent";
  options.answer_timeout_ms = 15000;
  Stack& stack = StartStack(options);
  ASSERT_TRUE(started_);
  const sim::v1::Patient& patient = PatientByScenario("valid-kyokai-honnin");
  constexpr int64_t kConnectTimeoutMs = 500;

  // A socket nobody ever served.
  {
    ClientPtr nowhere = OpenSidecarClient(stack.root() + "/run/nobody.sock", kConnectTimeoutMs);
    ASSERT_NE(nowhere, nullptr);
    RequestPtr request = NewRequestFor(patient);
    std::future<CheckOutcome> call = std::async(
        std::launch::async, [&nowhere, &request] { return Check(nowhere.get(), request.get()); });
    ASSERT_EQ(call.wait_for(Millis(kConnectTimeoutMs) + kReturnMargin), std::future_status::ready);
    CheckOutcome outcome = call.get();
    ASSERT_EQ(outcome.status, ONSHI_UNAVAILABLE) << outcome.Describe();
    EXPECT_EQ(outcome.reason(), "ONSHI_SIDECAR_UNAVAILABLE");
    EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 1);
    EXPECT_STRNE(onshi_error_staff_message(outcome.error.get()), "");
    int32_t serving = 7;
    onshi_error* err = nullptr;
    EXPECT_EQ(onshi_client_health(nowhere.get(), &serving, &err), ONSHI_UNAVAILABLE);
    EXPECT_STREQ(onshi_error_reason(err), "ONSHI_SIDECAR_UNAVAILABLE");
    EXPECT_EQ(serving, 7);
    onshi_error_free(err);
  }

  // onshid stopped (cleanly): the same answer; started again: the same client carries on.
  ClientPtr client = OpenSidecarClient(stack.socket_path(), kConnectTimeoutMs);
  ASSERT_NE(client, nullptr);
  stack.StopOnshid();
  RequestSpec spec;
  spec.patient_id = "absent";
  spec.timeout_ms = stack.check_timeout_ms();
  RequestPtr request = NewRequestFor(patient, spec);
  CheckOutcome down = Check(client.get(), request.get());
  ASSERT_EQ(down.status, ONSHI_UNAVAILABLE) << down.Describe();
  EXPECT_EQ(down.reason(), "ONSHI_SIDECAR_UNAVAILABLE");

  std::string error;
  ASSERT_TRUE(stack.StartOnshid(&error)) << error;
  CheckOutcome up = Check(client.get(), request.get());
  ASSERT_EQ(up.status, ONSHI_OK) << up.Describe();
  ExpectAnswerFor(up.result.get(), patient, /*limit_consent=*/false);
  EXPECT_EQ(onshi_qualification_coverage_version(up.result.get()), 1);
  stack.NoteAnswered(up.result.get());
  // The stack's own client, opened before the restart, carries on too.
  CheckOutcome again = Check(stack.client(), request.get());
  ASSERT_EQ(again.status, ONSHI_OK) << again.Describe();
  EXPECT_EQ(again.outcome(), ONSHI_OUTCOME_ANSWERED);
}

}  // namespace
}  // namespace onshi::integration
