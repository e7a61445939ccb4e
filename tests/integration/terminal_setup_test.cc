// How the terminal is set up around onshi: a shared folder without change notifications (both
// sides rely on their rescans, as on an SMB share), and a terminal serving another 医療機関コード
// than onshid asks for (it refuses every request).

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/expectations.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

class RescanOnlyTest : public SharedStackTest<RescanOnlyTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "rescan";
    options.notifications = false;
    options.answer_timeout_ms = 15000;
    return options;
  }
};

TEST_F(RescanOnlyTest, ChecksAreAnsweredWithoutChangeNotifications) {
  for (const std::string scenario :
       {"valid-kyokai-honnin", "invalid-newer-exists", "multiple-twins", "kokuho-six-digit"}) {
    SCOPED_TRACE(scenario);
    const sim::v1::Patient& patient = PatientByScenario(scenario);
    RequestSpec spec;
    spec.limit_consent = true;
    spec.patient_id = "rescan-" + scenario;
    spec.timeout_ms = stack().check_timeout_ms();
    RequestPtr request = NewRequestFor(patient, spec);
    CheckOutcome outcome = Check(client(), request.get());
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    ExpectAnswerFor(outcome.result.get(), patient, /*limit_consent=*/true);
    stack().NoteAnswered(outcome.result.get());
  }
}

class InstitutionMismatchTest : public SharedStackTest<InstitutionMismatchTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "institution";
    options.onshid_institution_code = "1310000024";  // the simulator serves 1310000016
    options.answer_timeout_ms = 15000;
    return options;
  }
};

TEST_F(InstitutionMismatchTest, TerminalOfAnotherInstitutionRefusesTheRequest) {
  RequestSpec spec;
  spec.patient_id = "other-institution";
  spec.timeout_ms = stack().check_timeout_ms();
  RequestPtr request = NewRequestFor(PatientByScenario("valid-kyokai-honnin"), spec);
  CheckOutcome outcome = Check(client(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_FAILED_PRECONDITION) << outcome.Describe();
  EXPECT_EQ(outcome.reason(), "ONSHI_TERMINAL_REJECTED_REQUEST");
  EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 0);
  // The terminal's code (SIM-E0003: not this terminal's institution) is passed on to IT.
  EXPECT_NE(std::string(onshi_error_it_message(outcome.error.get())).find("SIM-E0003"),
            std::string::npos)
      << onshi_error_it_message(outcome.error.get());
  ExpectNothingConfirmed(client(), "other-institution");
  // The returned request and its .err left the shared folder for the private quarantine.
  EXPECT_TRUE(WaitUntil([&] {
    int request_files = 0;
    int err_files = 0;
    for (const std::string& name : ListDir(stack().quarantine_dir())) {
      if (name.rfind("OQSsiquc01req_", 0) != 0) continue;
      ++(name.find(".err") != std::string::npos ? err_files : request_files);
    }
    return request_files == 1 && err_files == 1;
  })) << "quarantine holds: "
      << ListDir(stack().quarantine_dir()).size() << " entries";
}

}  // namespace
}  // namespace onshi::integration
