// sample_host (the C billing host) as a process against onshid: its panel and exit codes.

#include <sys/wait.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

using ::testing::HasSubstr;

struct HostRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class SampleHostTest : public SharedStackTest<SampleHostTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "sample-host";
    // The silent patient comes back unconfirmed after this.
    options.answer_timeout_ms = 2500;
    return options;
  }

 protected:
  // Runs `sample_host --socket … check …` for the patient's card on kConfirmationDate.
  HostRun RunCheck(const std::string& scenario, bool limit_consent = false) {
    const sim::v1::Patient& patient = PatientByScenario(scenario);
    std::vector<std::string> argv = {ONSHI_IT_SAMPLE_HOST_BINARY,
                                     "--socket",
                                     stack().socket_path(),
                                     "check",
                                     "--insurer",
                                     patient.card().insurer_number(),
                                     "--number",
                                     patient.card().insured_identification_number(),
                                     "--birth",
                                     patient.birth_date(),
                                     "--date",
                                     kConfirmationDate};
    if (!patient.card().insured_card_symbol().empty()) {
      argv.insert(argv.end(), {"--symbol", patient.card().insured_card_symbol()});
    }
    if (!patient.card().insured_branch_number().empty()) {
      argv.insert(argv.end(), {"--branch", patient.card().insured_branch_number()});
    }
    if (limit_consent) argv.push_back("--limit-consent");

    const std::string base = stack().root() + "/sample_host." + scenario;
    SpawnOptions spawn;
    spawn.argv = argv;
    spawn.stdout_path = base + ".out";
    spawn.stderr_path = base + ".err";
    spawn.wait_for_ready = false;
    std::string error;
    std::unique_ptr<Process> host = Process::Spawn(spawn, &error);
    HostRun run;
    EXPECT_NE(host, nullptr) << error;
    if (host == nullptr) return run;
    int status = 0;
    if (!host->WaitForExit(kSettleTimeout * 3, &status)) {
      ADD_FAILURE() << "sample_host did not finish";
      status = host->Kill();
    }
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.out = ReadFile(spawn.stdout_path);
    run.err = ReadFile(spawn.stderr_path);
    return run;
  }
};

TEST_F(SampleHostTest, ValidPatientShowsTheValidPanelAndExitsZero) {
  HostRun run = RunCheck("valid-kyokai-honnin", /*limit_consent=*/true);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("資格"));
  EXPECT_THAT(run.out, HasSubstr("有効"));
  EXPECT_THAT(run.out, HasSubstr("3割"));
  EXPECT_THAT(run.out, HasSubstr("区分ウ"));
}

TEST_F(SampleHostTest, InvalidPatientShowsInvalidAndExitsZero) {
  HostRun run = RunCheck("invalid-lost");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("資格"));
  EXPECT_THAT(run.out, HasSubstr("無効"));
}

TEST_F(SampleHostTest, SilentTerminalExitsTwoAsUnconfirmed) {
  HostRun run = RunCheck("behavior-silent");
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_THAT(run.out + run.err, HasSubstr("未確認"));
}

TEST_F(SampleHostTest, TerminalErrorExitsOneWithTheStaffAndItTexts) {
  HostRun run = RunCheck("behavior-terminal-error");
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_THAT(run.err, HasSubstr("エラー:"));
  EXPECT_THAT(run.err, HasSubstr("ONSHI_TERMINAL_FAILED"));
}

}  // namespace
}  // namespace onshi::integration
