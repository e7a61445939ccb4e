// Every patient of the simulator's dataset, checked through libonshi.so → onshid → the file
// transport → onshi-terminal-sim, each as its behaviour says: answered as the insurer registered
// it, unconfirmed when the terminal stays silent or answers late (and the late answer kept
// without touching the record), or failed with the terminal's error.

#include <chrono>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/expectations.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

using sim::v1::Behavior;

Behavior BehaviorOf(const sim::v1::Patient& patient) {
  return patient.behavior() == sim::v1::BEHAVIOR_UNSPECIFIED ? sim::v1::BEHAVIOR_NORMAL
                                                             : patient.behavior();
}

std::vector<sim::v1::Patient> PatientsWith(std::set<Behavior> behaviors) {
  std::vector<sim::v1::Patient> patients;
  for (const sim::v1::Patient& patient : Dataset().patients()) {
    if (behaviors.count(BehaviorOf(patient)) > 0) patients.push_back(patient);
  }
  return patients;
}

std::string ScenarioName(const ::testing::TestParamInfo<sim::v1::Patient>& info) {
  return TestNameOf(info.param.scenario());
}

// The patient ids the checks record into: one per scenario and variant.
std::string PatientIdFor(const sim::v1::Patient& patient, const std::string& variant) {
  return TestNameOf(patient.scenario()) + "." + variant;
}

TEST(DatasetTest, LoadsAndHasAPatientForEveryBehavior) {
  ASSERT_GE(Dataset().patients_size(), 30) << "the dataset did not load (see stderr)";
  std::set<Behavior> seen;
  for (const sim::v1::Patient& patient : Dataset().patients()) {
    const Behavior behavior = BehaviorOf(patient);
    // A new behaviour needs a test here before it enters the dataset.
    EXPECT_TRUE(behavior == sim::v1::BEHAVIOR_NORMAL || behavior == sim::v1::BEHAVIOR_SILENT ||
                behavior == sim::v1::BEHAVIOR_TERMINAL_ERROR ||
                behavior == sim::v1::BEHAVIOR_REJECT_REQUEST ||
                behavior == sim::v1::BEHAVIOR_MALFORMED_ANSWER ||
                behavior == sim::v1::BEHAVIOR_LATE)
        << patient.scenario() << " has a behaviour no integration test covers";
    seen.insert(behavior);
  }
  EXPECT_EQ(seen.size(), 6u) << "every behaviour should have a patient";
}

// The privacy check of the hygiene step finds the dataset's values in a log, but not digits
// that are part of onshi's random ids.
TEST(DatasetTest, PrivacyCheckFindsDatasetValuesButNotIds) {
  const std::vector<Canary> canaries = PhiCanaries();
  const sim::v1::Patient& patient = PatientByScenario("valid-kyokai-honnin");
  const std::string name = patient.records(0).name();
  const std::string kana = patient.records(0).name_kana();
  EXPECT_EQ(FindCanaries("2026-11-23T10:00:00.000Z info x: name " + name + "\n", canaries).size(),
            1u);
  EXPECT_EQ(FindCanaries("kana=" + kana, canaries).size(), 1u);
  EXPECT_EQ(FindCanaries("born " + patient.birth_date() + ".", canaries).size(), 1u);
  EXPECT_EQ(
      FindCanaries("symbol " + patient.card().insured_card_symbol() + " number", canaries).size(),
      1u);
  EXPECT_EQ(FindCanaries("insurer:" + patient.card().insurer_number(), canaries).size(), 1u);
  // 記号 1001 inside a file id or a UUID is not a leak.
  EXPECT_TRUE(FindCanaries("file OQSsiquc01res_7QX1001ABCDEFGHJKMNP.xml request "
                           "0f3e1001-1001-4abc-8def-0123456789ab",
                           canaries)
                  .empty());
}

// ---------------------------------------------------------------------------------------------
// Patients the terminal answers.

class AnsweredScenarioTest
    : public SharedStackTest<AnsweredScenarioTest, ::testing::TestWithParam<sim::v1::Patient>> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "answered";
    // Nothing here waits for the answer timeout: keep it long so a loaded machine cannot turn
    // an answer into UNCONFIRMED.
    options.answer_timeout_ms = 15000;
    return options;
  }

 protected:
  void CheckAndExpectTheInsurersRecord(bool limit_consent) {
    const sim::v1::Patient& patient = GetParam();
    RequestSpec spec;
    spec.limit_consent = limit_consent;
    spec.patient_id = PatientIdFor(patient, limit_consent ? "consent" : "no-consent");
    spec.timeout_ms = stack().check_timeout_ms();
    RequestPtr request = NewRequestFor(patient, spec);
    CheckOutcome outcome = Check(client(), request.get());
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    const onshi_qualification* q = outcome.result.get();
    EXPECT_STREQ(onshi_qualification_request_id(q), onshi_check_request_request_id(request.get()));
    ExpectAnswerFor(q, patient, limit_consent, EncodingFor(patient, AnswerEncoding::kUtf8));
    stack().NoteAnswered(q);

    // The patient record follows an answer naming exactly one qualification.
    std::optional<v1::PatientRecord> record = GetPatientRecord(client(), spec.patient_id);
    ASSERT_TRUE(record.has_value());
    ASSERT_EQ(record->confirmations_size(), 1);
    EXPECT_EQ(record->confirmations(0).request_id(), onshi_check_request_request_id(request.get()));
    EXPECT_EQ(record->confirmations(0).outcome(), v1::CHECK_OUTCOME_ANSWERED);
    EXPECT_EQ(record->confirmations(0).validity(), patient.validity());
    EXPECT_FALSE(record->confirmations(0).late());
    if (patient.records_size() == 1) {
      EXPECT_STREQ(onshi_qualification_recorded_patient_id(q), spec.patient_id.c_str());
      EXPECT_EQ(onshi_qualification_coverage_version(q), 1);
      EXPECT_GT(onshi_qualification_change_count(q), 0);
      ASSERT_TRUE(record->has_current_coverage());
      const v1::CoverageVersion& coverage = record->current_coverage();
      EXPECT_EQ(coverage.version(), 1);
      EXPECT_EQ(coverage.validity(), patient.validity());
      const v1::QualificationRecord& registered = patient.records(0);
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(
          coverage.coverage().identifiers(), registered.identifiers()))
          << coverage.coverage().identifiers().DebugString();
      EXPECT_EQ(coverage.coverage().name(), registered.name());
      EXPECT_EQ(coverage.coverage().insurer_name(), registered.insurer_name());
      EXPECT_EQ(coverage.coverage().birth_date(), registered.birth_date());
      EXPECT_EQ(coverage.coverage().has_limit_certificate(),
                limit_consent && registered.has_limit_certificate());
      EXPECT_EQ(coverage.provenance().request_id(), onshi_check_request_request_id(request.get()));
    } else {
      // 複数該当 (or nothing found): nothing to record as the patient's coverage.
      EXPECT_EQ(onshi_qualification_coverage_version(q), 0);
      EXPECT_EQ(onshi_qualification_change_count(q), 0);
      EXPECT_FALSE(record->has_current_coverage());
    }
  }
};

TEST_P(AnsweredScenarioTest, WithLimitConsentShowsTheInsurersRecordAndItsLimitCategory) {
  CheckAndExpectTheInsurersRecord(/*limit_consent=*/true);
}

TEST_P(AnsweredScenarioTest, WithoutLimitConsentShowsTheInsurersRecordWithoutLimitData) {
  CheckAndExpectTheInsurersRecord(/*limit_consent=*/false);
}

INSTANTIATE_TEST_SUITE_P(Dataset, AnsweredScenarioTest,
                         ::testing::ValuesIn(PatientsWith({sim::v1::BEHAVIOR_NORMAL})),
                         ScenarioName);

// A card the insurer never registered: an answer (該当資格なし), not an error.
class UnknownCardTest : public SharedStackTest<UnknownCardTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "unknown";
    options.answer_timeout_ms = 15000;
    return options;
  }
};

TEST_F(UnknownCardTest, IsAnsweredNotFoundAndRecordsNoCoverage) {
  v1::InsuranceIdentifiers card;
  card.set_insurer_number("01139013");
  card.set_insured_card_symbol("9999");
  card.set_insured_identification_number("999");
  card.set_insured_branch_number("00");
  RequestSpec spec;
  spec.patient_id = "unknown-card";
  spec.timeout_ms = stack().check_timeout_ms();
  RequestPtr request = NewRequestForCard(card, "19800115", spec);
  CheckOutcome outcome = Check(client(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  const onshi_qualification* q = outcome.result.get();
  EXPECT_EQ(onshi_qualification_outcome(q), ONSHI_OUTCOME_ANSWERED);
  EXPECT_EQ(onshi_qualification_validity(q), ONSHI_VALIDITY_NOT_FOUND);
  EXPECT_STREQ(onshi_qualification_status_label(q), "該当資格なし");
  EXPECT_STRNE(onshi_qualification_status_explanation(q), "");
  EXPECT_EQ(onshi_qualification_is_eligible(q), 0);
  EXPECT_EQ(onshi_qualification_record_count(q), 0);
  EXPECT_EQ(onshi_qualification_copay_ratio_percent(q), 0);
  EXPECT_EQ(onshi_qualification_coverage_version(q), 0);
  // The terminal's message for 該当資格なし is passed on to the desk.
  EXPECT_EQ(CountNotices(q, "ONSHI_NOTICE_TERMINAL_MESSAGE"), 1);
  stack().NoteAnswered(q);

  // The check is on record; the patient has no coverage.
  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), spec.patient_id);
  ASSERT_TRUE(record.has_value());
  EXPECT_FALSE(record->has_current_coverage());
  EXPECT_EQ(record->coverage_history_size(), 0);
  ASSERT_EQ(record->confirmations_size(), 1);
  EXPECT_EQ(record->confirmations(0).outcome(), v1::CHECK_OUTCOME_ANSWERED);
  EXPECT_EQ(record->confirmations(0).validity(), v1::QUALIFICATION_VALIDITY_NOT_FOUND);
}

// ---------------------------------------------------------------------------------------------
// Patients the terminal fails on: the check fails with the catalogue's reason, nothing is
// recorded, and asking again with the same request_id returns the same recorded failure.

class FailingScenarioTest
    : public SharedStackTest<FailingScenarioTest, ::testing::TestWithParam<sim::v1::Patient>> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "failing";
    options.answer_timeout_ms = 15000;
    return options;
  }
};

TEST_P(FailingScenarioTest, FailsWithTheTerminalsErrorAndRecordsNothing) {
  const sim::v1::Patient& patient = GetParam();
  onshi_status want_status = ONSHI_UNKNOWN;
  std::string want_reason;
  std::string want_code;  // in the IT text
  int32_t want_retryable = 0;
  switch (BehaviorOf(patient)) {
    case sim::v1::BEHAVIOR_TERMINAL_ERROR:
      want_status = ONSHI_UNAVAILABLE;
      want_reason = "ONSHI_TERMINAL_FAILED";
      want_code = patient.error_code().empty() ? "SIM-E9001" : patient.error_code();
      want_retryable = 1;
      break;
    case sim::v1::BEHAVIOR_REJECT_REQUEST:
      want_status = ONSHI_FAILED_PRECONDITION;
      want_reason = "ONSHI_TERMINAL_REJECTED_REQUEST";
      want_code = "SIM-E0005";
      break;
    case sim::v1::BEHAVIOR_MALFORMED_ANSWER:
      want_status = ONSHI_INTERNAL;
      want_reason = "ONSHI_TERMINAL_MALFORMED_ANSWER";
      want_retryable = 1;
      break;
    default:
      FAIL() << "not a failing behaviour";
  }
  RequestSpec spec;
  spec.limit_consent = true;
  spec.patient_id = PatientIdFor(patient, "failed");
  spec.timeout_ms = stack().check_timeout_ms();
  RequestPtr request = NewRequestFor(patient, spec);
  CheckOutcome outcome = Check(client(), request.get());
  ASSERT_EQ(outcome.status, want_status) << outcome.Describe();
  EXPECT_EQ(outcome.reason(), want_reason);
  EXPECT_EQ(onshi_error_retryable(outcome.error.get()), want_retryable);
  EXPECT_STRNE(onshi_error_staff_message(outcome.error.get()), "");
  const std::string it = onshi_error_it_message(outcome.error.get());
  if (!want_code.empty()) {
    EXPECT_NE(it.find(want_code), std::string::npos) << it;
  }
  ExpectNothingConfirmed(client(), spec.patient_id);

  // The failure is the request's recorded outcome.
  CheckOutcome again = Check(client(), request.get());
  EXPECT_EQ(again.status, want_status) << again.Describe();
  EXPECT_EQ(again.reason(), want_reason);
  ExpectNothingConfirmed(client(), spec.patient_id);
}

INSTANTIATE_TEST_SUITE_P(Dataset, FailingScenarioTest,
                         ::testing::ValuesIn(PatientsWith({sim::v1::BEHAVIOR_TERMINAL_ERROR,
                                                           sim::v1::BEHAVIOR_REJECT_REQUEST,
                                                           sim::v1::BEHAVIOR_MALFORMED_ANSWER})),
                         ScenarioName);

// ---------------------------------------------------------------------------------------------
// Patients the terminal does not answer in time. The answer timeout is short here; the late
// patient answers 3000 ms after the terminal took the request, so always after a 2500 ms
// deadline (which starts before the request is even placed).

StackOptions UnansweredStackOptions(const std::string& name, int64_t answer_timeout_ms) {
  StackOptions options;
  options.name = name;
  options.answer_timeout_ms = answer_timeout_ms;
  return options;
}

class SilentScenarioTest
    : public SharedStackTest<SilentScenarioTest, ::testing::TestWithParam<sim::v1::Patient>> {
 public:
  static StackOptions SuiteStackOptions() { return UnansweredStackOptions("silent", 1500); }
};

TEST_P(SilentScenarioTest, IsUnconfirmedAndNothingIsRecordedAsConfirmed) {
  const sim::v1::Patient& patient = GetParam();
  RequestSpec spec;
  spec.limit_consent = true;
  spec.patient_id = PatientIdFor(patient, "silent");
  spec.timeout_ms = stack().check_timeout_ms();
  RequestPtr request = NewRequestFor(patient, spec);
  CheckOutcome outcome = Check(client(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  ExpectUnconfirmed(outcome.result.get());
  ExpectNothingConfirmed(client(), spec.patient_id);

  // Asking again with the same request_id gives the recorded outcome, still unconfirmed.
  CheckOutcome again = Check(client(), request.get());
  ASSERT_EQ(again.status, ONSHI_OK) << again.Describe();
  ExpectUnconfirmed(again.result.get());
  ExpectNothingConfirmed(client(), spec.patient_id);
}

INSTANTIATE_TEST_SUITE_P(Dataset, SilentScenarioTest,
                         ::testing::ValuesIn(PatientsWith({sim::v1::BEHAVIOR_SILENT})),
                         ScenarioName);

class LateScenarioTest
    : public SharedStackTest<LateScenarioTest, ::testing::TestWithParam<sim::v1::Patient>> {
 public:
  static StackOptions SuiteStackOptions() { return UnansweredStackOptions("late", 2500); }
};

TEST_P(LateScenarioTest, IsUnconfirmedThenTheLateAnswerIsKeptWithoutChangingTheRecord) {
  const sim::v1::Patient& patient = GetParam();
  ASSERT_GT(patient.latency_ms(), stack().options().answer_timeout_ms)
      << "this scenario must answer after the stack's answer timeout";
  const std::string patient_id = PatientIdFor(patient, "late");

  // The patient already has a coverage on record.
  RequestSpec first;
  first.patient_id = patient_id;
  first.timeout_ms = stack().check_timeout_ms();
  RequestPtr recorded = NewRequestFor(PatientByScenario("valid-kyokai-honnin"), first);
  CheckOutcome answered = Check(client(), recorded.get());
  ASSERT_EQ(answered.status, ONSHI_OK) << answered.Describe();
  ASSERT_EQ(onshi_qualification_coverage_version(answered.result.get()), 1);
  stack().NoteAnswered(answered.result.get());
  std::optional<v1::PatientRecord> before = GetPatientRecord(client(), patient_id);
  ASSERT_TRUE(before.has_value());
  ASSERT_TRUE(before->has_current_coverage());

  RequestSpec spec;
  spec.limit_consent = true;
  spec.patient_id = patient_id;
  spec.timeout_ms = stack().check_timeout_ms();
  RequestPtr request = NewRequestFor(patient, spec);
  CheckOutcome outcome = Check(client(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  ExpectUnconfirmed(outcome.result.get());

  // Retries with the same request_id return UNCONFIRMED until the answer has arrived, then it.
  CheckOutcome retry;
  const bool arrived = WaitUntil([&] {
    retry = Check(client(), request.get());
    return retry.status != ONSHI_OK || retry.outcome() != ONSHI_OUTCOME_UNCONFIRMED;
  });
  ASSERT_TRUE(arrived) << "the late answer never showed up";
  ASSERT_EQ(retry.status, ONSHI_OK) << retry.Describe();
  const onshi_qualification* q = retry.result.get();
  ExpectAnswerFor(q, patient, /*limit_consent=*/true, EncodingFor(patient, AnswerEncoding::kUtf8),
                  ONSHI_OUTCOME_LATE_ANSWER);
  EXPECT_STREQ(onshi_qualification_request_id(q), onshi_check_request_request_id(request.get()));
  EXPECT_STREQ(onshi_qualification_recorded_patient_id(q), "");
  EXPECT_EQ(onshi_qualification_coverage_version(q), 0);
  EXPECT_EQ(onshi_qualification_change_count(q), 0);
  stack().NoteAnswered(q);

  // The record: the coverage is untouched, the late answer is noted against its request.
  std::optional<v1::PatientRecord> after = GetPatientRecord(client(), patient_id);
  ASSERT_TRUE(after.has_value());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(before->current_coverage(),
                                                                 after->current_coverage()))
      << after->current_coverage().DebugString();
  EXPECT_EQ(after->coverage_history_size(), 0);
  ASSERT_EQ(after->confirmations_size(), 2);
  int late = 0;
  for (const v1::Confirmation& confirmation : after->confirmations()) {
    if (confirmation.request_id() != onshi_check_request_request_id(request.get())) continue;
    ++late;
    EXPECT_TRUE(confirmation.late());
    EXPECT_EQ(confirmation.outcome(), v1::CHECK_OUTCOME_LATE_ANSWER);
  }
  EXPECT_EQ(late, 1);

  // And it stays so: a further retry gives the same late answer.
  CheckOutcome once_more = Check(client(), request.get());
  ASSERT_EQ(once_more.status, ONSHI_OK) << once_more.Describe();
  EXPECT_EQ(once_more.outcome(), ONSHI_OUTCOME_LATE_ANSWER);
}

INSTANTIATE_TEST_SUITE_P(Dataset, LateScenarioTest,
                         ::testing::ValuesIn(PatientsWith({sim::v1::BEHAVIOR_LATE})), ScenarioName);

}  // namespace
}  // namespace onshi::integration
