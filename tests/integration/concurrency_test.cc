// One client shared by many host threads (docs/c-api.md: "open one and share it"): every check
// gets its own patient's answer, one request sent from several threads reaches the terminal
// once, and concurrent answers for one patient leave a consistent record.

#include <future>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/expectations.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

class ConcurrentChecksTest : public SharedStackTest<ConcurrentChecksTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "concurrent";
    options.answer_timeout_ms = 30000;
    return options;
  }

 protected:
  static std::vector<CheckOutcome> CheckAll(const std::vector<const onshi_check_request*>& all) {
    std::vector<std::future<CheckOutcome>> running;
    for (const onshi_check_request* request : all) {
      running.push_back(
          std::async(std::launch::async, [request] { return Check(client(), request); }));
    }
    std::vector<CheckOutcome> outcomes;
    for (std::future<CheckOutcome>& f : running) outcomes.push_back(f.get());
    return outcomes;
  }
};

TEST_F(ConcurrentChecksTest, EveryAnsweredPatientAtOnceGetsItsOwnAnswer) {
  std::vector<const sim::v1::Patient*> patients;
  for (const sim::v1::Patient& patient : Dataset().patients()) {
    if (patient.behavior() == sim::v1::BEHAVIOR_UNSPECIFIED ||
        patient.behavior() == sim::v1::BEHAVIOR_NORMAL) {
      patients.push_back(&patient);
    }
  }
  ASSERT_GT(patients.size(), 20u);
  std::vector<RequestPtr> requests;
  std::vector<const onshi_check_request*> sent;
  for (const sim::v1::Patient* patient : patients) {
    RequestSpec spec;
    spec.limit_consent = true;
    spec.patient_id = "all-" + TestNameOf(patient->scenario());
    spec.timeout_ms = stack().check_timeout_ms();
    requests.push_back(NewRequestFor(*patient, spec));
    sent.push_back(requests.back().get());
  }
  std::vector<CheckOutcome> outcomes = CheckAll(sent);
  for (size_t i = 0; i < patients.size(); ++i) {
    ASSERT_EQ(outcomes[i].status, ONSHI_OK)
        << patients[i]->scenario() << ": " << outcomes[i].Describe();
    EXPECT_STREQ(onshi_qualification_request_id(outcomes[i].result.get()),
                 onshi_check_request_request_id(sent[i]));
    ExpectAnswerFor(outcomes[i].result.get(), *patients[i], /*limit_consent=*/true,
                    EncodingFor(*patients[i], AnswerEncoding::kUtf8));
    stack().NoteAnswered(outcomes[i].result.get());
  }
}

TEST_F(ConcurrentChecksTest, OneRequestSentFromSeveralThreadsReachesTheTerminalOnce) {
  RequestSpec spec;
  spec.patient_id = "same-request";
  spec.timeout_ms = stack().check_timeout_ms();
  RequestPtr request = NewRequestFor(PatientByScenario("kouki-3wari"), spec);
  std::vector<CheckOutcome> outcomes =
      CheckAll(std::vector<const onshi_check_request*>(6, request.get()));
  std::set<std::string> file_ids;
  for (CheckOutcome& outcome : outcomes) {
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    EXPECT_EQ(outcome.outcome(), ONSHI_OUTCOME_ANSWERED);
    EXPECT_EQ(onshi_qualification_coverage_version(outcome.result.get()), 1);
    file_ids.insert(ResponseOf(outcome.result.get()).provenance().file_id());
  }
  EXPECT_EQ(file_ids.size(), 1u) << "the terminal was asked more than once for one request";
  stack().NoteAnswered(outcomes[0].result.get());
  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "same-request");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->confirmations_size(), 1);
}

TEST_F(ConcurrentChecksTest, ConcurrentAnswersForOnePatientKeepAConsistentRecord) {
  // Two people's cards alternately recorded into one patient id, all at once: every answer is
  // recorded (store conflicts are retried inside onshi), versions form one history.
  const std::vector<std::string> scenarios = {"valid-kyokai-honnin", "preschool-child",
                                              "valid-kyokai-honnin", "preschool-child",
                                              "valid-kyokai-honnin", "preschool-child"};
  std::vector<RequestPtr> requests;
  std::vector<const onshi_check_request*> sent;
  for (const std::string& scenario : scenarios) {
    RequestSpec spec;
    spec.patient_id = "contended";
    spec.timeout_ms = stack().check_timeout_ms();
    requests.push_back(NewRequestFor(PatientByScenario(scenario), spec));
    sent.push_back(requests.back().get());
  }
  std::vector<CheckOutcome> outcomes = CheckAll(sent);
  int64_t highest = 0;
  for (CheckOutcome& outcome : outcomes) {
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    EXPECT_STREQ(onshi_qualification_recorded_patient_id(outcome.result.get()), "contended");
    highest = std::max(highest, onshi_qualification_coverage_version(outcome.result.get()));
    stack().NoteAnswered(outcome.result.get());
  }
  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "contended");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->confirmations_size(), static_cast<int>(scenarios.size()));
  ASSERT_TRUE(record->has_current_coverage());
  EXPECT_EQ(record->current_coverage().version(), highest);
  // Versions 1 … current, each once, newest first.
  ASSERT_EQ(record->coverage_history_size() + 1, highest);
  for (int i = 0; i < record->coverage_history_size(); ++i) {
    EXPECT_EQ(record->coverage_history(i).version(), highest - 1 - i);
  }
  // Consecutive versions are different people (an unchanged answer makes no version).
  std::vector<std::string> names = {record->current_coverage().coverage().name()};
  for (const v1::CoverageVersion& version : record->coverage_history()) {
    names.push_back(version.coverage().name());
  }
  for (size_t i = 1; i < names.size(); ++i) EXPECT_NE(names[i], names[i - 1]) << i;
}

}  // namespace
}  // namespace onshi::integration
