// Write-back through the C API against onshid and the simulator (docs/record.md): a check with
// preview_only records nothing by itself and carries the diff; the host writes it with the
// version the diff was computed against; the record keeps every version with why it was
// written; a stale write is refused; a patient is created from a result only when asked; the
// same write retried five times at once writes one version and gives one outcome; the same key
// with another payload is refused; two writes on one version: exactly one wins.

#include <sys/wait.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

struct WriteRequestFreer {
  void operator()(onshi_write_back_request* r) const { onshi_write_back_request_free(r); }
};
struct WriteResultFreer {
  void operator()(onshi_write_back_result* r) const { onshi_write_back_result_free(r); }
};
using WriteRequestPtr = std::unique_ptr<onshi_write_back_request, WriteRequestFreer>;
using WriteResultPtr = std::unique_ptr<onshi_write_back_result, WriteResultFreer>;

struct WriteOutcome {
  onshi_status status = ONSHI_UNKNOWN;
  WriteResultPtr result;
  ErrorPtr error;
  std::string reason() const { return onshi_error_reason(error.get()); }
};

WriteRequestPtr NewWrite(const std::string& patient_id, const std::string& source,
                         int64_t expected_version, const std::string& reason = "窓口で確認") {
  WriteRequestPtr request(onshi_write_back_request_new());
  EXPECT_NE(request, nullptr);
  EXPECT_EQ(onshi_write_back_request_set_patient_id(request.get(), patient_id.c_str(), nullptr),
            ONSHI_OK);
  EXPECT_EQ(onshi_write_back_request_set_source_request_id(request.get(), source.c_str(), nullptr),
            ONSHI_OK);
  EXPECT_EQ(onshi_write_back_request_set_expected_version(request.get(), expected_version, nullptr),
            ONSHI_OK);
  EXPECT_EQ(onshi_write_back_request_set_reason(request.get(), reason.c_str(), nullptr), ONSHI_OK);
  return request;
}

WriteOutcome Write(onshi_client* client, const onshi_write_back_request* request) {
  onshi_write_back_result* result = nullptr;
  onshi_error* err = nullptr;
  WriteOutcome outcome;
  outcome.status = onshi_write_back(client, request, &result, &err);
  outcome.result.reset(result);
  outcome.error.reset(err);
  return outcome;
}

std::vector<std::string> Messages(const onshi_write_back_result* result) {
  std::vector<std::string> out;
  for (int32_t i = 0; i < onshi_write_back_result_change_count(result); ++i) {
    out.push_back(onshi_write_back_result_change_staff_message(result, i));
  }
  return out;
}

class WriteBackTest : public SharedStackTest<WriteBackTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "writeback";
    options.answer_timeout_ms = 15000;
    return options;
  }

 protected:
  // Checks `scenario`'s card (for `patient_id`, "" for none), preview_only as asked; expects an
  // answer and returns the check's request_id.
  std::string CheckFor(const std::string& scenario, const std::string& patient_id,
                       bool preview_only, ResultPtr* result = nullptr) {
    RequestSpec spec;
    spec.patient_id = patient_id;
    spec.timeout_ms = stack().check_timeout_ms();
    RequestPtr request = NewRequestFor(PatientByScenario(scenario), spec);
    EXPECT_EQ(onshi_check_request_set_preview_only(request.get(), preview_only ? 1 : 0, nullptr),
              ONSHI_OK);
    CheckOutcome outcome = Check(client(), request.get());
    EXPECT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    if (outcome.status != ONSHI_OK) return "";
    EXPECT_EQ(outcome.outcome(), ONSHI_OUTCOME_ANSWERED);
    stack().NoteAnswered(outcome.result.get());
    if (result != nullptr) *result = std::move(outcome.result);
    return onshi_check_request_request_id(request.get());
  }

  int VersionCount(const std::string& patient_id) {
    std::optional<v1::PatientRecord> record = GetPatientRecord(client(), patient_id);
    if (!record.has_value()) return -1;
    return (record->has_current_coverage() ? 1 : 0) + record->coverage_history_size();
  }
};

TEST_F(WriteBackTest, PreviewOnlyCheckThenWriteRecordsVersionsWithWhy) {
  ResultPtr checked;
  const std::string first = CheckFor("valid-kyokai-honnin", "wb-flow", true, &checked);
  ASSERT_FALSE(first.empty());
  // Nothing recorded by the check itself; its result carries the diff.
  EXPECT_EQ(onshi_qualification_coverage_version(checked.get()), 0);
  EXPECT_EQ(VersionCount("wb-flow"), 0);
  onshi_write_back_result* raw_preview = nullptr;
  ASSERT_EQ(onshi_qualification_write_back_preview(checked.get(), &raw_preview, nullptr), ONSHI_OK);
  WriteResultPtr preview(raw_preview);
  ASSERT_NE(preview, nullptr);
  EXPECT_EQ(onshi_write_back_result_base_version(preview.get()), 0);
  EXPECT_EQ(onshi_write_back_result_dry_run(preview.get()), 1);
  EXPECT_EQ(onshi_write_back_result_changed(preview.get()), 1);
  EXPECT_GT(onshi_write_back_result_change_count(preview.get()), 0);

  WriteRequestPtr write = NewWrite("wb-flow", first, 0);
  WriteOutcome written = Write(client(), write.get());
  ASSERT_EQ(written.status, ONSHI_OK) << written.reason();
  EXPECT_EQ(onshi_write_back_result_version(written.result.get()), 1);
  EXPECT_EQ(onshi_write_back_result_changed(written.result.get()), 1);
  EXPECT_EQ(onshi_write_back_result_dry_run(written.result.get()), 0);

  // Another card for the same patient: the preview shows what changes against version 1.
  const std::string second = CheckFor("kouki-1wari", "wb-flow", true);
  ASSERT_FALSE(second.empty());
  onshi_write_back_result* raw_second = nullptr;
  ASSERT_EQ(onshi_preview_write_back(client(), "wb-flow", second.c_str(), 0, &raw_second, nullptr),
            ONSHI_OK);
  WriteResultPtr second_preview(raw_second);
  EXPECT_EQ(onshi_write_back_result_base_version(second_preview.get()), 1);
  EXPECT_EQ(onshi_write_back_result_patient_exists(second_preview.get()), 1);
  EXPECT_THAT(Messages(second_preview.get()), ::testing::Contains("保険者番号が変わりました"));
  EXPECT_THAT(Messages(second_preview.get()), ::testing::Contains("負担割合が変わりました"));
  EXPECT_EQ(VersionCount("wb-flow"), 1);

  WriteRequestPtr second_write = NewWrite("wb-flow", second, 1, "保険証の変更を確認");
  WriteOutcome second_written = Write(client(), second_write.get());
  ASSERT_EQ(second_written.status, ONSHI_OK) << second_written.reason();
  EXPECT_EQ(onshi_write_back_result_version(second_written.result.get()), 2);

  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "wb-flow");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->current_coverage().version(), 2);
  EXPECT_EQ(record->current_coverage().reason(), "保険証の変更を確認");
  EXPECT_EQ(record->current_coverage().write_request_id(),
            onshi_write_back_request_request_id(second_write.get()));
  EXPECT_EQ(record->current_coverage().provenance().request_id(), second);
  ASSERT_EQ(record->coverage_history_size(), 1);
  EXPECT_EQ(record->coverage_history(0).reason(), "窓口で確認");
  // Both checks are confirmations of the patient.
  EXPECT_EQ(record->confirmations_size(), 2);

  // A write based on version 1, now stale, is refused and writes nothing.
  const std::string third = CheckFor("valid-kyokai-honnin", "wb-flow", true);
  WriteRequestPtr stale = NewWrite("wb-flow", third, 1);
  WriteOutcome refused = Write(client(), stale.get());
  EXPECT_EQ(refused.status, ONSHI_ABORTED);
  EXPECT_EQ(refused.reason(), "ONSHI_VERSION_CONFLICT");
  EXPECT_EQ(refused.result, nullptr);
  EXPECT_EQ(VersionCount("wb-flow"), 2);
}

TEST_F(WriteBackTest, PatientIsCreatedFromAResultOnlyWhenAsked) {
  const std::string check = CheckFor("limit-a04", "", false);
  ASSERT_FALSE(check.empty());
  WriteRequestPtr refused_request = NewWrite("wb-created", check, 0);
  WriteOutcome refused = Write(client(), refused_request.get());
  EXPECT_EQ(refused.status, ONSHI_NOT_FOUND);
  EXPECT_EQ(refused.reason(), "ONSHI_PATIENT_NOT_FOUND");

  WriteRequestPtr create = NewWrite("wb-created", check, 0);
  ASSERT_EQ(onshi_write_back_request_set_create_patient(create.get(), 1, nullptr), ONSHI_OK);
  WriteOutcome created = Write(client(), create.get());
  ASSERT_EQ(created.status, ONSHI_OK) << created.reason();
  EXPECT_EQ(onshi_write_back_result_patient_created(created.result.get()), 1);
  EXPECT_EQ(onshi_write_back_result_version(created.result.get()), 1);
  EXPECT_STREQ(onshi_write_back_result_patient_id(created.result.get()), "wb-created");
  EXPECT_EQ(VersionCount("wb-created"), 1);
}

TEST_F(WriteBackTest, SameWriteRetriedFiveTimesAtOnceWritesOneVersion) {
  const std::string check = CheckFor("kouki-2wari", "wb-five", true);
  ASSERT_FALSE(check.empty());
  WriteRequestPtr write = NewWrite("wb-five", check, 0);
  constexpr int kRetries = 5;
  std::vector<WriteOutcome> outcomes(kRetries);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRetries; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      outcomes[i] = Write(client(), write.get());
    });
  }
  go.store(true);
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kRetries; ++i) {
    ASSERT_EQ(outcomes[i].status, ONSHI_OK) << i << ": " << outcomes[i].reason();
    EXPECT_EQ(onshi_write_back_result_version(outcomes[i].result.get()), 1) << i;
    EXPECT_EQ(onshi_write_back_result_changed(outcomes[i].result.get()), 1) << i;
    EXPECT_EQ(Messages(outcomes[i].result.get()), Messages(outcomes[0].result.get())) << i;
  }
  EXPECT_EQ(VersionCount("wb-five"), 1);

  // The same key with another payload: refused, the record untouched.
  WriteRequestPtr other = NewWrite("wb-five", check, 0, "別の理由");
  ASSERT_EQ(onshi_write_back_request_set_request_id(
                other.get(), onshi_write_back_request_request_id(write.get()), nullptr),
            ONSHI_OK);
  WriteOutcome conflict = Write(client(), other.get());
  EXPECT_EQ(conflict.status, ONSHI_ALREADY_EXISTS);
  EXPECT_EQ(conflict.reason(), "ONSHI_REQUEST_ID_CONFLICT");
  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "wb-five");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->current_coverage().reason(), "窓口で確認");
  EXPECT_EQ(VersionCount("wb-five"), 1);
}

TEST_F(WriteBackTest, TwoWritesOnOneVersionLetExactlyOneWin) {
  const std::string a = CheckFor("kouki-3wari", "wb-race", true);
  const std::string b = CheckFor("limit-a05", "wb-race", true);
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  WriteRequestPtr write_a = NewWrite("wb-race", a, 0);
  WriteRequestPtr write_b = NewWrite("wb-race", b, 0);
  WriteOutcome outcome_a;
  WriteOutcome outcome_b;
  std::atomic<bool> go{false};
  std::thread ta([&] {
    while (!go.load()) std::this_thread::yield();
    outcome_a = Write(client(), write_a.get());
  });
  std::thread tb([&] {
    while (!go.load()) std::this_thread::yield();
    outcome_b = Write(client(), write_b.get());
  });
  go.store(true);
  ta.join();
  tb.join();
  EXPECT_NE(outcome_a.status == ONSHI_OK, outcome_b.status == ONSHI_OK);
  const WriteOutcome& lost = outcome_a.status == ONSHI_OK ? outcome_b : outcome_a;
  EXPECT_EQ(lost.status, ONSHI_ABORTED);
  EXPECT_EQ(lost.reason(), "ONSHI_VERSION_CONFLICT");
  EXPECT_EQ(VersionCount("wb-race"), 1);
}

// The C entry points refuse NULLs and out-of-range values without crashing, and the getters
// answer "" or 0 for a NULL result.
TEST_F(WriteBackTest, CEntryPointsRefuseBadArgumentsAndGettersTolerateNull) {
  onshi_error* err = nullptr;
  EXPECT_EQ(onshi_write_back_request_set_patient_id(nullptr, "P1", &err), ONSHI_INVALID_ARGUMENT);
  ErrorPtr owned(err);
  EXPECT_STREQ(onshi_error_reason(owned.get()), "ONSHI_INVALID_ARGUMENT");
  WriteRequestPtr request(onshi_write_back_request_new());
  ASSERT_NE(request, nullptr);
  EXPECT_STRNE(onshi_write_back_request_request_id(request.get()), "");
  EXPECT_EQ(onshi_write_back_request_set_reason(request.get(), nullptr, nullptr),
            ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_write_back_request_set_reason(request.get(), "\xE7\xAA", nullptr),
            ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_write_back_request_set_create_patient(request.get(), 2, nullptr),
            ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_write_back_request_set_dry_run(request.get(), -1, nullptr),
            ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_write_back_request_set_expected_version(request.get(), -1, nullptr),
            ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_write_back_request_set_timeout_ms(request.get(), -5, nullptr),
            ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_check_request_set_preview_only(nullptr, 1, nullptr), ONSHI_INVALID_ARGUMENT);
  onshi_write_back_result* out = reinterpret_cast<onshi_write_back_result*>(0x1);
  EXPECT_EQ(onshi_write_back(client(), nullptr, &out, nullptr), ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  EXPECT_EQ(onshi_write_back(nullptr, request.get(), nullptr, nullptr), ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_preview_write_back(client(), nullptr, "x", 0, &out, nullptr),
            ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_qualification_write_back_preview(nullptr, &out, nullptr), ONSHI_INVALID_ARGUMENT);
  EXPECT_STREQ(onshi_write_back_result_patient_id(nullptr), "");
  EXPECT_EQ(onshi_write_back_result_version(nullptr), 0);
  EXPECT_EQ(onshi_write_back_result_change_count(nullptr), 0);
  EXPECT_STREQ(onshi_write_back_result_change_staff_message(nullptr, 0), "");
  onshi_write_back_result_free(nullptr);
  onshi_write_back_request_free(nullptr);
  // A write whose request the service refuses: its validation reason comes through.
  WriteRequestPtr invalid = NewWrite("bad patient id!", "check-00000001", 0);
  WriteOutcome refused = Write(client(), invalid.get());
  EXPECT_EQ(refused.status, ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(refused.reason(), "ONSHI_INVALID_PATIENT_ID");
}

// sample_host shows the diff before recording and records only with staff's confirmation
// (--yes stands in for the answer).
TEST_F(WriteBackTest, SampleHostShowsTheDiffThenRecordsWithTheShownVersion) {
  auto run_host = [&](const std::string& name, std::vector<std::string> args, std::string* out) {
    std::vector<std::string> argv = {ONSHI_IT_SAMPLE_HOST_BINARY, "--socket",
                                     stack().socket_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    SpawnOptions spawn;
    spawn.argv = argv;
    spawn.stdout_path = stack().root() + "/sample_host." + name + ".out";
    spawn.stderr_path = stack().root() + "/sample_host." + name + ".err";
    spawn.wait_for_ready = false;
    std::string error;
    std::unique_ptr<Process> host = Process::Spawn(spawn, &error);
    EXPECT_NE(host, nullptr) << error;
    if (host == nullptr) return -1;
    int status = 0;
    if (!host->WaitForExit(kSettleTimeout * 3, &status)) {
      ADD_FAILURE() << "sample_host did not finish";
      status = host->Kill();
    }
    *out = ReadFile(spawn.stdout_path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  };

  const sim::v1::Patient& patient = PatientByScenario("limit-a02");
  std::vector<std::string> check = {"check",
                                    "--insurer",
                                    patient.card().insurer_number(),
                                    "--number",
                                    patient.card().insured_identification_number(),
                                    "--birth",
                                    patient.birth_date(),
                                    "--date",
                                    kConfirmationDate,
                                    "--patient",
                                    "wb-host",
                                    "--preview-only"};
  if (!patient.card().insured_card_symbol().empty()) {
    check.insert(check.end(), {"--symbol", patient.card().insured_card_symbol()});
  }
  if (!patient.card().insured_branch_number().empty()) {
    check.insert(check.end(), {"--branch", patient.card().insured_branch_number()});
  }
  std::string out;
  ASSERT_EQ(run_host("check", check, &out), 0) << out;
  EXPECT_THAT(out, ::testing::HasSubstr("記録前の確認（まだ記録していません）"));
  EXPECT_THAT(out, ::testing::HasSubstr("現在の版 0"));
  EXPECT_EQ(VersionCount("wb-host"), 0);
  const std::string marker = "要求番号: ";
  const size_t at = out.find(marker);
  ASSERT_NE(at, std::string::npos) << out;
  const std::string source =
      out.substr(at + marker.size(), out.find('\n', at) - at - marker.size());

  ASSERT_EQ(run_host("writeback",
                     {"writeback", "--patient", "wb-host", "--source", source, "--reason",
                      "窓口で確認", "--yes"},
                     &out),
            0)
      << out;
  EXPECT_THAT(out, ::testing::HasSubstr("記録の比較: 患者 wb-host / 現在の版 0"));
  EXPECT_THAT(out, ::testing::HasSubstr("記録しました: 患者 wb-host / 版 1"));
  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "wb-host");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->current_coverage().reason(), "窓口で確認");
  EXPECT_EQ(record->current_coverage().provenance().request_id(), source);
}

}  // namespace
}  // namespace onshi::integration
