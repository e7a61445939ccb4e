// The simulator's global fault modes (--fault), each on its own stack: a terminal that never
// answers, answers with an error, writes broken answers, writes answers slowly in place, or
// writes every answer twice. Found and unknown cards alike.

#include <future>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/expectations.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

StackOptions FaultStackOptions(const std::string& fault, int64_t answer_timeout_ms) {
  StackOptions options;
  options.name = "fault-" + fault;
  options.sim_flags = {"--fault=" + fault};
  options.answer_timeout_ms = answer_timeout_ms;
  return options;
}

RequestPtr RequestFor(Stack& stack, const sim::v1::Patient& patient,
                      const std::string& patient_id) {
  RequestSpec spec;
  spec.limit_consent = true;
  spec.patient_id = patient_id;
  spec.timeout_ms = stack.check_timeout_ms();
  return NewRequestFor(patient, spec);
}

RequestPtr UnknownCardRequest(Stack& stack, const std::string& patient_id) {
  v1::InsuranceIdentifiers card;
  card.set_insurer_number("01139013");
  card.set_insured_card_symbol("9999");
  card.set_insured_identification_number("999");
  card.set_insured_branch_number("00");
  RequestSpec spec;
  spec.patient_id = patient_id;
  spec.timeout_ms = stack.check_timeout_ms();
  return NewRequestForCard(card, "19800115", spec);
}

// Runs the checks concurrently (the client is shared by threads) and returns their outcomes in
// order. Expectations are left to the caller's thread.
std::vector<CheckOutcome> CheckAll(onshi_client* client,
                                   const std::vector<const onshi_check_request*>& requests) {
  std::vector<std::future<CheckOutcome>> running;
  for (const onshi_check_request* request : requests) {
    running.push_back(
        std::async(std::launch::async, [client, request] { return Check(client, request); }));
  }
  std::vector<CheckOutcome> outcomes;
  for (std::future<CheckOutcome>& f : running) outcomes.push_back(f.get());
  return outcomes;
}

std::vector<std::string> EntriesStartingWith(const std::string& dir, const std::string& prefix) {
  std::vector<std::string> found;
  for (const std::string& name : ListDir(dir)) {
    if (name.rfind(prefix, 0) == 0) found.push_back(name);
  }
  return found;
}

// --fault=silent ------------------------------------------------------------------------------

class SimulatorFaultSilentTest : public SharedStackTest<SimulatorFaultSilentTest> {
 public:
  static StackOptions SuiteStackOptions() { return FaultStackOptions("silent", 1500); }
};

TEST_F(SimulatorFaultSilentTest, FoundAndUnknownCardsAreUnconfirmedAndNothingIsRecorded) {
  RequestPtr found = RequestFor(stack(), PatientByScenario("valid-kyokai-honnin"), "silent-found");
  RequestPtr unknown = UnknownCardRequest(stack(), "silent-unknown");
  std::vector<CheckOutcome> outcomes = CheckAll(client(), {found.get(), unknown.get()});
  for (CheckOutcome& outcome : outcomes) {
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    ExpectUnconfirmed(outcome.result.get());
  }
  ExpectNothingConfirmed(client(), "silent-found");
  ExpectNothingConfirmed(client(), "silent-unknown");
}

// --fault=error -------------------------------------------------------------------------------

class SimulatorFaultErrorTest : public SharedStackTest<SimulatorFaultErrorTest> {
 public:
  static StackOptions SuiteStackOptions() { return FaultStackOptions("error", 15000); }
};

TEST_F(SimulatorFaultErrorTest, FoundAndUnknownCardsFailWithTheTerminalsErrorCode) {
  RequestPtr found = RequestFor(stack(), PatientByScenario("limit-b05"), "error-found");
  RequestPtr unknown = UnknownCardRequest(stack(), "error-unknown");
  std::vector<CheckOutcome> outcomes = CheckAll(client(), {found.get(), unknown.get()});
  for (CheckOutcome& outcome : outcomes) {
    ASSERT_EQ(outcome.status, ONSHI_UNAVAILABLE) << outcome.Describe();
    EXPECT_EQ(outcome.reason(), "ONSHI_TERMINAL_FAILED");
    EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 1);
    EXPECT_NE(std::string(onshi_error_it_message(outcome.error.get())).find("SIM-E9002"),
              std::string::npos)
        << onshi_error_it_message(outcome.error.get());
  }
  ExpectNothingConfirmed(client(), "error-found");
  ExpectNothingConfirmed(client(), "error-unknown");
}

// --fault=malformed-answer --------------------------------------------------------------------

class SimulatorFaultMalformedAnswerTest
    : public SharedStackTest<SimulatorFaultMalformedAnswerTest> {
 public:
  static StackOptions SuiteStackOptions() { return FaultStackOptions("malformed-answer", 15000); }
};

TEST_F(SimulatorFaultMalformedAnswerTest, BrokenAnswersAreQuarantinedAndTheCheckFails) {
  RequestPtr found = RequestFor(stack(), PatientByScenario("gaiji-name"), "malformed-found");
  RequestPtr unknown = UnknownCardRequest(stack(), "malformed-unknown");
  std::vector<CheckOutcome> outcomes = CheckAll(client(), {found.get(), unknown.get()});
  for (CheckOutcome& outcome : outcomes) {
    ASSERT_EQ(outcome.status, ONSHI_INTERNAL) << outcome.Describe();
    EXPECT_EQ(outcome.reason(), "ONSHI_TERMINAL_MALFORMED_ANSWER");
    EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 1);
  }
  ExpectNothingConfirmed(client(), "malformed-found");
  ExpectNothingConfirmed(client(), "malformed-unknown");
  // Both broken answers left the shared folder for the private quarantine.
  EXPECT_TRUE(WaitUntil([&] {
    return EntriesStartingWith(stack().quarantine_dir(), "OQSsiquc01res_").size() == 2;
  })) << EntriesStartingWith(stack().quarantine_dir(), "OQSsiquc01res_").size();
  EXPECT_TRUE(EntriesStartingWith(stack().processed_dir(), "OQSsiquc01res_").empty());
}

// --fault=slow-write --------------------------------------------------------------------------

class SimulatorFaultSlowWriteTest : public SharedStackTest<SimulatorFaultSlowWriteTest> {
 public:
  // An answer of a few KiB takes seconds to write in 256-byte pieces.
  static StackOptions SuiteStackOptions() { return FaultStackOptions("slow-write", 30000); }
};

TEST_F(SimulatorFaultSlowWriteTest, AnswersWrittenInPiecesArriveCompleteAndAreRecordedOnce) {
  const std::vector<std::string> scenarios = {"valid-kyokai-honnin", "gaiji-name",
                                              "multiple-twins"};
  std::vector<RequestPtr> requests;
  std::vector<const onshi_check_request*> sent;
  for (const std::string& scenario : scenarios) {
    requests.push_back(RequestFor(stack(), PatientByScenario(scenario), "slow-" + scenario));
    sent.push_back(requests.back().get());
  }
  std::vector<CheckOutcome> outcomes = CheckAll(client(), sent);
  for (size_t i = 0; i < scenarios.size(); ++i) {
    SCOPED_TRACE(scenarios[i]);
    ASSERT_EQ(outcomes[i].status, ONSHI_OK) << outcomes[i].Describe();
    ExpectAnswerFor(outcomes[i].result.get(), PatientByScenario(scenarios[i]),
                    /*limit_consent=*/true);
    stack().NoteAnswered(outcomes[i].result.get());
    std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "slow-" + scenarios[i]);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->confirmations_size(), 1);
  }
  // No piece was taken for a whole answer and thrown away as broken.
  EXPECT_TRUE(ListDir(stack().quarantine_dir()).empty());
}

// --fault=duplicate ---------------------------------------------------------------------------

class SimulatorFaultDuplicateTest : public SharedStackTest<SimulatorFaultDuplicateTest> {
 public:
  static StackOptions SuiteStackOptions() { return FaultStackOptions("duplicate", 15000); }
};

TEST_F(SimulatorFaultDuplicateTest, AnAnswerDeliveredTwiceIsRecordedOnce) {
  const sim::v1::Patient& patient = PatientByScenario("elderly-70-74-2wari");
  RequestPtr request = RequestFor(stack(), patient, "duplicate");
  CheckOutcome outcome = Check(client(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  ExpectAnswerFor(outcome.result.get(), patient, /*limit_consent=*/true);
  stack().NoteAnswered(outcome.result.get());
  EXPECT_EQ(onshi_qualification_coverage_version(outcome.result.get()), 1);

  // The second copy appears under the same name once the first is taken, and is archived too.
  const std::string file_id = ResponseOf(outcome.result.get()).provenance().file_id();
  const std::string name = "OQSsiquc01res_" + file_id + ".xml";
  EXPECT_TRUE(WaitUntil([&] {
    return EntriesStartingWith(stack().processed_dir(), name).size() == 2 &&
           ListDir(stack().res_dir()).empty();
  })) << "the duplicate was not delivered and archived";
  EXPECT_TRUE(ListDir(stack().quarantine_dir()).empty());

  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "duplicate");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->confirmations_size(), 1);
  EXPECT_EQ(record->current_coverage().version(), 1);
  EXPECT_EQ(record->coverage_history_size(), 0);

  // The request's outcome is still the first answer.
  CheckOutcome retry = Check(client(), request.get());
  ASSERT_EQ(retry.status, ONSHI_OK) << retry.Describe();
  EXPECT_EQ(ResponseOf(retry.result.get()).provenance().file_id(), file_id);
  EXPECT_EQ(onshi_qualification_coverage_version(retry.result.get()), 1);
}

}  // namespace
}  // namespace onshi::integration
