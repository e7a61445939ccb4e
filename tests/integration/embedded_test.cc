// Embedded mode: the service inside the test's process (onshi_client_options_set_embedded_config),
// against a running simulator, no onshid.

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/expectations.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

// Sends this process's stderr (where the embedded service logs) to a file while it lives.
class StderrToFile {
 public:
  explicit StderrToFile(const std::string& path) {
    std::fflush(stderr);
    saved_ = dup(2);
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (saved_ >= 0 && fd >= 0) dup2(fd, 2);
    if (fd >= 0) close(fd);
  }
  ~StderrToFile() {
    std::fflush(stderr);
    if (saved_ >= 0) {
      dup2(saved_, 2);
      close(saved_);
    }
  }
  StderrToFile(const StderrToFile&) = delete;
  StderrToFile& operator=(const StderrToFile&) = delete;

 private:
  int saved_ = -1;
};

class EmbeddedModeTest : public SharedStackTest<EmbeddedModeTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "embedded";
    options.start_onshid = false;
    options.answer_timeout_ms = 15000;
    return options;
  }
};

TEST_F(EmbeddedModeTest, CheckIsAnsweredAndRecordedWithoutOnshid) {
  const std::string log = stack().root() + "/embedded.stderr.log";
  const sim::v1::Patient& patient = PatientByScenario("valid-kyokai-honnin");
  {
    StderrToFile capture(log);
    onshi_status status = ONSHI_UNKNOWN;
    std::string reason;
    ClientPtr client = OpenEmbeddedClient(stack().config_path(), &status, &reason);
    ASSERT_EQ(status, ONSHI_OK) << reason;
    ASSERT_NE(client, nullptr);
    int32_t serving = 0;
    EXPECT_EQ(onshi_client_health(client.get(), &serving, nullptr), ONSHI_OK);
    EXPECT_EQ(serving, 1);

    RequestSpec spec;
    spec.limit_consent = true;
    spec.patient_id = "embedded";
    RequestPtr request = NewRequestFor(patient, spec);
    CheckOutcome outcome = Check(client.get(), request.get());
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    ExpectAnswerFor(outcome.result.get(), patient, /*limit_consent=*/true);
    EXPECT_STREQ(onshi_qualification_recorded_patient_id(outcome.result.get()), "embedded");
    EXPECT_EQ(onshi_qualification_coverage_version(outcome.result.get()), 1);
    stack().NoteAnswered(outcome.result.get());

    std::optional<v1::PatientRecord> record = GetPatientRecord(client.get(), "embedded");
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->current_coverage().version(), 1);
    EXPECT_EQ(record->confirmations_size(), 1);

    // One embedded service per state directory and process.
    onshi_status second_status = ONSHI_OK;
    std::string second_reason;
    ClientPtr second = OpenEmbeddedClient(stack().config_path(), &second_status, &second_reason);
    EXPECT_EQ(second, nullptr);
    EXPECT_EQ(second_status, ONSHI_FAILED_PRECONDITION);
    EXPECT_EQ(second_reason, "ONSHI_CONFIG_INVALID");
  }
  // The embedded service's log went to our stderr: no patient data in it either.
  const std::string text = ReadFile(log);
  EXPECT_FALSE(text.empty()) << "the embedded service logged nothing at log_level debug";
  const std::vector<std::string> hits = FindCanaries(text, PhiCanaries());
  EXPECT_TRUE(hits.empty()) << "the embedded service's log holds a value of the dataset: "
                            << hits.front();
}

TEST_F(EmbeddedModeTest, MissingConfigurationIsRefused) {
  onshi_status status = ONSHI_OK;
  std::string reason;
  ClientPtr client = OpenEmbeddedClient(stack().root() + "/no-such.conf", &status, &reason);
  EXPECT_EQ(client, nullptr);
  EXPECT_EQ(status, ONSHI_FAILED_PRECONDITION);
  EXPECT_EQ(reason, "ONSHI_CONFIG_INVALID");
}

}  // namespace
}  // namespace onshi::integration
