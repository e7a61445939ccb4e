// 一括照会 (batch pre-check) end to end through the C API: onshid and the simulator as processes,
// batches of dataset patients uploaded in files (OQSmuquc01), asked for with backoff while the
// simulator says 処理中 (OQSmuquc02), streamed per patient; replays by request_id; and a
// 10,000-patient batch that survives a kill -9 of onshid mid-way.
//
// The restart test reads onshid's SQLite file read-only (URI mode=ro) to see how many results
// were recorded at the kill and that the store holds one confirmation per patient: the C API
// exposes a patient's record one patient at a time, which is checked too, on a sample.

#include <sqlite3.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

using ::testing::HasSubstr;

struct BatchRequestFreer {
  void operator()(onshi_batch_request* r) const { onshi_batch_request_free(r); }
};
using BatchRequestPtr = std::unique_ptr<onshi_batch_request, BatchRequestFreer>;

// One line of a batch: a dataset patient's card as printed, or something else for invalid lines.
struct Line {
  std::string patient_id;
  std::string insurer;
  std::string symbol;
  std::string number;
  std::string branch;
  std::string birth;
  bool limit_consent = false;
};

Line LineFor(const sim::v1::Patient& patient, const std::string& patient_id,
             bool limit_consent = false) {
  Line line;
  line.patient_id = patient_id;
  line.insurer = patient.card().insurer_number();
  line.symbol = patient.card().insured_card_symbol();
  line.number = patient.card().insured_identification_number();
  line.branch = patient.card().insured_branch_number();
  line.birth = patient.birth_date();
  line.limit_consent = limit_consent;
  return line;
}

BatchRequestPtr NewBatch(const std::vector<Line>& lines, const std::string& request_id,
                         int64_t timeout_ms) {
  BatchRequestPtr request(onshi_batch_request_new());
  EXPECT_NE(request, nullptr);
  if (request == nullptr) return request;
  onshi_batch_request* r = request.get();
  EXPECT_EQ(onshi_batch_request_set_request_id(r, request_id.c_str(), nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_batch_request_set_confirmation_date(r, kConfirmationDate, nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_batch_request_set_timeout_ms(r, timeout_ms, nullptr), ONSHI_OK);
  for (const Line& l : lines) {
    EXPECT_EQ(onshi_batch_request_add_patient(r, l.patient_id.c_str(), l.insurer.c_str(),
                                              l.symbol.c_str(), l.number.c_str(), l.branch.c_str(),
                                              l.birth.c_str(), l.limit_consent ? 1 : 0, nullptr),
              ONSHI_OK);
  }
  EXPECT_EQ(onshi_batch_request_patient_count(r), static_cast<int32_t>(lines.size()));
  return request;
}

// What the callback saw of one result.
struct Delivered {
  int32_t index = -1;
  int32_t total = 0;
  std::string patient_id;
  onshi_status error = ONSHI_OK;
  std::string reason;
  std::string staff_message;
  bool answered = false;
  std::string status_label;
  std::string copay_label;
  int32_t limit_changed = 0;
  // The answer as JSON (only when the run keeps it).
  v1::CheckQualificationResponse response;
};

struct RunOutcome {
  onshi_status status = ONSHI_UNKNOWN;
  std::string reason;
  std::vector<Delivered> results;

  // How often each index was delivered.
  std::map<int32_t, int> Counts() const {
    std::map<int32_t, int> counts;
    for (const Delivered& d : results) ++counts[d.index];
    return counts;
  }
  const Delivered* ByIndex(int32_t index) const {
    for (const Delivered& d : results) {
      if (d.index == index) return &d;
    }
    return nullptr;
  }
};

struct RunSpec {
  bool keep_json = true;
  // Called after each result is taken; returning true stops the run (the callback returns 1).
  std::function<bool(const RunOutcome&)> stop_when;
};

RunOutcome RunBatch(onshi_client* client, const onshi_batch_request* request,
                    const RunSpec& spec = {}) {
  struct Context {
    const RunSpec* spec;
    RunOutcome outcome;
  } context{&spec, {}};
  onshi_error* err = nullptr;
  context.outcome.status = onshi_batch_run(
      client, request,
      [](void* user_data, const onshi_batch_result* r) -> int32_t {
        auto* c = static_cast<Context*>(user_data);
        Delivered d;
        d.index = onshi_batch_result_index(r);
        d.total = onshi_batch_result_total(r);
        d.patient_id = onshi_batch_result_patient_id(r);
        d.error = onshi_batch_result_error_code(r);
        d.reason = onshi_batch_result_error_reason(r);
        d.staff_message = onshi_batch_result_error_staff_message(r);
        d.limit_changed = onshi_batch_result_limit_certificate_changed(r);
        const onshi_qualification* q = onshi_batch_result_qualification(r);
        d.answered = q != nullptr;
        if (q != nullptr) {
          d.status_label = onshi_qualification_status_label(q);
          d.copay_label = onshi_qualification_copay_ratio_label(q);
          if (c->spec->keep_json) d.response = ResponseOf(q);
        }
        c->outcome.results.push_back(std::move(d));
        return c->spec->stop_when && c->spec->stop_when(c->outcome) ? 1 : 0;
      },
      &context, &err);
  ErrorPtr error(err);
  context.outcome.reason = onshi_error_reason(err);
  return context.outcome;
}

// The names of the request files onshid placed, from a watch on req/.
int CountNamesStartingWith(const std::vector<std::string>& names, const std::string& prefix) {
  return static_cast<int>(std::count_if(
      names.begin(), names.end(), [&](const std::string& n) { return n.rfind(prefix, 0) == 0; }));
}

// ---------------------------------------------------------------------------------------------
// Small batches: files of 3 patients, the simulator 処理中 for 1.5 s after each upload.

class BatchTest : public SharedStackTest<BatchTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "batch";
    options.sim_flags = {"--batch-processing-ms", "1500"};
    options.extra_terminal_config =
        "batch_file_size: 3 batch_poll_initial_ms: 100 batch_poll_max_ms: 800";
    return options;
  }

 protected:
  static int64_t Timeout() { return 120000; }
};

TEST_F(BatchTest, DatasetPatientsStreamOnceWithTheirQualificationAndLimitChange) {
  const std::vector<Line> lines = {
      LineFor(PatientByScenario("valid-kyokai-honnin"), "it-batch-valid", true),
      LineFor(PatientByScenario("limit-a04"), "it-batch-limit-a04", true),
      LineFor(PatientByScenario("invalid-lost"), "it-batch-invalid"),
      LineFor(PatientByScenario("kouki-1wari"), "it-batch-kouki"),
      LineFor(PatientByScenario("limit-a01"), "it-batch-limit-a01", true),
      LineFor(PatientByScenario("limit-a04"), "it-batch-a04-noconsent", false),
      LineFor(PatientByScenario("kokuho-six-digit"), "it-batch-kokuho"),
  };
  const std::string request_id = "it-batch-stream-0001";
  BatchRequestPtr request = NewBatch(lines, request_id, Timeout());
  FolderWatch watch(stack().req_dir());
  ASSERT_TRUE(watch.ok());

  RunOutcome run = RunBatch(client(), request.get());
  ASSERT_EQ(run.status, ONSHI_OK) << run.reason;
  ASSERT_EQ(run.results.size(), lines.size());
  for (const auto& [index, count] : run.Counts()) {
    EXPECT_EQ(count, 1) << "index " << index;
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const Delivered* d = run.ByIndex(static_cast<int32_t>(i));
    ASSERT_NE(d, nullptr) << "no result for index " << i;
    SCOPED_TRACE(lines[i].patient_id);
    EXPECT_EQ(d->patient_id, lines[i].patient_id);
    EXPECT_EQ(d->total, static_cast<int32_t>(lines.size()));
    EXPECT_EQ(d->error, ONSHI_OK) << d->reason;
    ASSERT_TRUE(d->answered);
    EXPECT_EQ(d->response.outcome(), v1::CHECK_OUTCOME_ANSWERED);
    EXPECT_EQ(d->response.provenance().source(), v1::SOURCE_BATCH);
    EXPECT_EQ(d->response.provenance().request_id(), request_id);
    EXPECT_EQ(d->response.record_write().patient_id(), lines[i].patient_id);
  }
  EXPECT_EQ(run.ByIndex(0)->status_label, "有効");
  EXPECT_EQ(run.ByIndex(0)->copay_label, "3割");
  EXPECT_EQ(run.ByIndex(0)->limit_changed, 0);
  // limit-a04: LimitApplicationCertificateChanged = 1, given with the 限度額 consent only.
  EXPECT_EQ(run.ByIndex(1)->status_label, "有効");
  EXPECT_EQ(run.ByIndex(1)->limit_changed, 1);
  EXPECT_EQ(run.ByIndex(5)->limit_changed, 0);
  EXPECT_EQ(run.ByIndex(2)->status_label, "無効");
  EXPECT_EQ(run.ByIndex(3)->copay_label, "1割");
  EXPECT_EQ(run.ByIndex(4)->limit_changed, 0);

  // Each answer is in its patient's record as one confirmation of this batch.
  for (const Line& line : lines) {
    std::optional<v1::PatientRecord> record = GetPatientRecord(client(), line.patient_id);
    ASSERT_TRUE(record.has_value()) << line.patient_id;
    int from_batch = 0;
    for (const v1::Confirmation& c : record->confirmations()) {
      if (c.provenance().source() == v1::SOURCE_BATCH &&
          c.provenance().request_id() == request_id) {
        ++from_batch;
      }
    }
    EXPECT_EQ(from_batch, 1) << line.patient_id;
    EXPECT_TRUE(record->has_current_coverage()) << line.patient_id;
  }

  // Three files (3 + 3 + 1 patients), each uploaded once and asked for more than once: the
  // simulator said 処理中 first (the first ask follows the receipt at once).
  const std::vector<std::string> placed = watch.TakeEvents();
  std::vector<std::string> uploads;
  for (const std::string& name : placed) {
    if (name.rfind("OQSmuquc01req_", 0) == 0) uploads.push_back(name);
  }
  std::sort(uploads.begin(), uploads.end());
  uploads.erase(std::unique(uploads.begin(), uploads.end()), uploads.end());
  EXPECT_EQ(uploads.size(), 3u);
  EXPECT_GT(CountNamesStartingWith(placed, "OQSmuquc02req_"), 3);
  // The backoff: each further 処理中 doubles the pause (100 ms, 200 ms, …, at most 800 ms).
  const std::string log = ReadFile(stack().onshid_log());
  EXPECT_THAT(log, HasSubstr("still processing (1); asking again in 100ms"));
  EXPECT_THAT(log, HasSubstr("still processing (2); asking again in 200ms"));
}

TEST_F(BatchTest, InvalidLinesBecomeTheirPatientsErrorsAndTheOthersGoOn) {
  const sim::v1::Patient& valid = PatientByScenario("kouki-2wari");
  std::vector<Line> lines = {LineFor(valid, "it-batch-ok-1")};
  Line bad_birth = LineFor(valid, "it-batch-bad-birth");
  bad_birth.birth = "19801345";
  lines.push_back(bad_birth);
  Line bad_insurer = LineFor(valid, "it-batch-bad-insurer");
  bad_insurer.insurer = "1234";
  lines.push_back(bad_insurer);
  Line no_patient = LineFor(valid, "");
  lines.push_back(no_patient);
  lines.push_back(LineFor(PatientByScenario("elderly-70-74-2wari"), "it-batch-ok-2"));
  BatchRequestPtr request = NewBatch(lines, "it-batch-invalid-lines-01", Timeout());

  RunOutcome run = RunBatch(client(), request.get());
  ASSERT_EQ(run.status, ONSHI_OK) << run.reason;
  ASSERT_EQ(run.results.size(), lines.size());
  for (const auto& [index, count] : run.Counts()) EXPECT_EQ(count, 1) << "index " << index;
  EXPECT_TRUE(run.ByIndex(0)->answered);
  EXPECT_TRUE(run.ByIndex(4)->answered);
  for (int32_t i : {1, 2, 3}) {
    const Delivered* d = run.ByIndex(i);
    ASSERT_NE(d, nullptr);
    EXPECT_FALSE(d->answered) << i;
    EXPECT_EQ(d->error, ONSHI_INVALID_ARGUMENT) << i;
    EXPECT_FALSE(d->staff_message.empty()) << i;
    EXPECT_EQ(d->patient_id, lines[static_cast<size_t>(i)].patient_id);
  }
  EXPECT_EQ(run.ByIndex(1)->reason, "ONSHI_INVALID_BIRTH_DATE");
  EXPECT_EQ(run.ByIndex(2)->reason, "ONSHI_INVALID_INSURER_NUMBER");
  EXPECT_EQ(run.ByIndex(3)->reason, "ONSHI_INVALID_PATIENT_ID");
  // An invalid line is never recorded anywhere.
  onshi_status status = ONSHI_OK;
  EXPECT_FALSE(GetPatientRecord(client(), "it-batch-bad-birth", &status).has_value());
  EXPECT_EQ(status, ONSHI_NOT_FOUND);
}

TEST_F(BatchTest, SameRequestIdAgainReplaysTheResultsAndSendsNothingNew) {
  const std::vector<Line> lines = {
      LineFor(PatientByScenario("limit-a02"), "it-batch-replay-1", true),
      LineFor(PatientByScenario("kouki-3wari"), "it-batch-replay-2"),
      LineFor(PatientByScenario("specific-disease-10000"), "it-batch-replay-3"),
      LineFor(PatientByScenario("limit-a04"), "it-batch-replay-4", true),
  };
  const std::string request_id = "it-batch-replay-0001";
  BatchRequestPtr request = NewBatch(lines, request_id, Timeout());
  RunOutcome first = RunBatch(client(), request.get());
  ASSERT_EQ(first.status, ONSHI_OK) << first.reason;
  ASSERT_EQ(first.results.size(), lines.size());

  // Another request object with the same request_id and patients, as a host resuming after a
  // crash would build it.
  BatchRequestPtr again = NewBatch(lines, request_id, Timeout());
  FolderWatch watch(stack().req_dir());
  ASSERT_TRUE(watch.ok());
  RunOutcome second = RunBatch(client(), again.get());
  ASSERT_EQ(second.status, ONSHI_OK) << second.reason;
  ASSERT_EQ(second.results.size(), lines.size());
  for (const Delivered& d : second.results) {
    const Delivered* before = first.ByIndex(d.index);
    ASSERT_NE(before, nullptr);
    EXPECT_EQ(d.patient_id, before->patient_id);
    EXPECT_EQ(d.status_label, before->status_label);
    EXPECT_EQ(d.limit_changed, before->limit_changed);
    EXPECT_EQ(d.response.provenance().file_id(), before->response.provenance().file_id());
    EXPECT_EQ(d.response.record_write().coverage_version(),
              before->response.record_write().coverage_version());
  }
  EXPECT_THAT(watch.TakeEvents(), ::testing::IsEmpty()) << "the replay placed requests";
  // Still one confirmation per patient.
  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "it-batch-replay-4");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->confirmations_size(), 1);
}

TEST_F(BatchTest, SameRequestIdWithOtherPatientsIsRefused) {
  const std::string request_id = "it-batch-conflict-01";
  BatchRequestPtr request = NewBatch(
      {LineFor(PatientByScenario("limit-b02"), "it-batch-conflict-a")}, request_id, Timeout());
  RunOutcome first = RunBatch(client(), request.get());
  ASSERT_EQ(first.status, ONSHI_OK) << first.reason;

  BatchRequestPtr other = NewBatch({LineFor(PatientByScenario("limit-b05"), "it-batch-conflict-b")},
                                   request_id, Timeout());
  RunOutcome refused = RunBatch(client(), other.get());
  EXPECT_EQ(refused.status, ONSHI_ALREADY_EXISTS);
  EXPECT_EQ(refused.reason, "ONSHI_REQUEST_ID_CONFLICT");
  EXPECT_TRUE(refused.results.empty());
  onshi_status status = ONSHI_OK;
  EXPECT_FALSE(GetPatientRecord(client(), "it-batch-conflict-b", &status).has_value());
}

TEST_F(BatchTest, WholeRequestProblemsAreErrorsOfTheCall) {
  BatchRequestPtr empty = NewBatch({}, "it-batch-empty-0001", Timeout());
  RunOutcome run = RunBatch(client(), empty.get());
  EXPECT_EQ(run.status, ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(run.reason, "ONSHI_INVALID_ARGUMENT");

  BatchRequestPtr bad_id =
      NewBatch({LineFor(PatientByScenario("limit-b06"), "it-batch-x")}, "short", Timeout());
  run = RunBatch(client(), bad_id.get());
  EXPECT_EQ(run.status, ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(run.reason, "ONSHI_INVALID_REQUEST_ID");

  BatchRequestPtr far = NewBatch({LineFor(PatientByScenario("limit-b06"), "it-batch-x")},
                                 "it-batch-far-date-01", Timeout());
  ASSERT_EQ(onshi_batch_request_set_confirmation_date(far.get(), "20991231", nullptr), ONSHI_OK);
  run = RunBatch(client(), far.get());
  EXPECT_EQ(run.status, ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(run.reason, "ONSHI_INVALID_CONFIRMATION_DATE");

  // NULL arguments and getters of NULL.
  EXPECT_EQ(onshi_batch_run(client(), nullptr, nullptr, nullptr, nullptr), ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(
      onshi_batch_request_add_patient(far.get(), "p", "1", "", "1", "", "20000101", 2, nullptr),
      ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_batch_result_index(nullptr), -1);
  EXPECT_STREQ(onshi_batch_result_patient_id(nullptr), "");
  EXPECT_EQ(onshi_batch_result_error_code(nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_batch_result_qualification(nullptr), nullptr);
  EXPECT_EQ(onshi_batch_result_limit_certificate_changed(nullptr), 0);
  EXPECT_EQ(onshi_batch_request_patient_count(nullptr), 0);
  EXPECT_STREQ(onshi_batch_request_request_id(nullptr), "");
}

TEST_F(BatchTest, StoppedCallbackThenResumeDeliversEveryPatientOnce) {
  std::vector<Line> lines;
  for (const char* scenario : {"limit-b07", "limit-b08", "limit-a05", "limit-a06", "kouki-2wari",
                               "cert-expiring", "fullwidth-symbol"}) {
    lines.push_back(LineFor(PatientByScenario(scenario), std::string("it-batch-stop-") + scenario));
  }
  const std::string request_id = "it-batch-stop-00001";
  BatchRequestPtr request = NewBatch(lines, request_id, Timeout());
  RunSpec stop_at_first;
  stop_at_first.stop_when = [](const RunOutcome& o) { return o.results.size() == 1; };
  RunOutcome stopped = RunBatch(client(), request.get(), stop_at_first);
  EXPECT_EQ(stopped.status, ONSHI_CANCELLED);
  EXPECT_EQ(stopped.results.size(), 1u);

  RunOutcome resumed = RunBatch(client(), request.get());
  ASSERT_EQ(resumed.status, ONSHI_OK) << resumed.reason;
  ASSERT_EQ(resumed.results.size(), lines.size());
  for (const auto& [index, count] : resumed.Counts()) EXPECT_EQ(count, 1) << "index " << index;
}

// sample_host (the C billing host) as a process: `batch --file` prints each patient's line as
// it comes and a summary, skips the malformed line with its number, and prints no insurance
// number; `register-reference` prints each patient's outcome.
struct HostRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

HostRun RunSampleHost(Stack& stack, const std::string& name, std::vector<std::string> args) {
  SpawnOptions spawn;
  spawn.argv = {ONSHI_IT_SAMPLE_HOST_BINARY, "--socket", stack.socket_path()};
  spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
  spawn.stdout_path = stack.root() + "/" + name + ".out";
  spawn.stderr_path = stack.root() + "/" + name + ".err";
  spawn.wait_for_ready = false;
  std::string error;
  std::unique_ptr<Process> host = Process::Spawn(spawn, &error);
  HostRun run;
  EXPECT_NE(host, nullptr) << error;
  if (host == nullptr) return run;
  int status = 0;
  if (!host->WaitForExit(kSettleTimeout * 6, &status)) {
    ADD_FAILURE() << "sample_host did not finish";
    status = host->Kill();
  }
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = ReadFile(spawn.stdout_path);
  run.err = ReadFile(spawn.stderr_path);
  return run;
}

TEST_F(BatchTest, SampleHostBatchPrintsEachPatientAndASummary) {
  std::string csv = ONSHI_IT_DATASET;
  csv = csv.substr(0, csv.rfind("/sim/")) + "/batch/appointments.csv";
  HostRun run = RunSampleHost(
      stack(), "sample_host_batch",
      {"batch", "--file", csv, "--date", kConfirmationDate, "--request-id", "it-sh-batch-0001"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("一括照会: 5 人 (要求番号 it-sh-batch-0001)"));
  EXPECT_THAT(run.out, HasSubstr("行 2 患者ID sh-batch-valid: 有効 / 負担割合 3割"));
  EXPECT_THAT(run.out, HasSubstr("行 3 患者ID sh-batch-limit-a04: 有効"));
  EXPECT_THAT(run.out, HasSubstr("※限度額情報に変更あり"));
  EXPECT_THAT(run.out, HasSubstr("行 4 患者ID sh-batch-invalid: 無効"));
  EXPECT_THAT(run.out, HasSubstr("行 5 患者ID sh-batch-kouki: 有効 / 負担割合 1割"));
  EXPECT_THAT(run.out, HasSubstr("行 7 患者ID sh-batch-bad-birth: 確認できませんでした"));
  EXPECT_THAT(run.out, HasSubstr("ONSHI_INVALID_BIRTH_DATE"));
  EXPECT_THAT(run.out, HasSubstr("結果: 5 人中 回答 4 人 (有効 3 人) / 確認できず 1 人 / "
                                 "限度額情報の変更 1 人 / 読み飛ばした行 1"));
  EXPECT_THAT(run.err, HasSubstr("行 6: 列の数が違うため読み飛ばしました"));
  // The staff text of ONSHI_INVALID_BIRTH_DATE gives an example date that happens to be a birth
  // date of the dataset: not a leak.
  std::string printed = run.out + run.err;
  for (size_t at; (at = printed.find("例：19850412")) != std::string::npos;) {
    printed.erase(at, std::string("例：19850412").size());
  }
  const std::vector<std::string> leaks = FindCanaries(printed, PhiCanaries());
  EXPECT_THAT(leaks, ::testing::IsEmpty()) << "sample_host batch printed patient data";

  // The same request id again: the recorded results, printed again.
  HostRun again = RunSampleHost(
      stack(), "sample_host_batch_again",
      {"batch", "--file", csv, "--date", kConfirmationDate, "--request-id", "it-sh-batch-0001"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_THAT(again.out, HasSubstr("結果: 5 人中 回答 4 人"));

  // A file without the header line is refused.
  const std::string headless = stack().root() + "/headless.csv";
  ASSERT_TRUE(WriteFile(headless, "sh-x,01139013,1001,25,00,19800115\n"));
  HostRun refused = RunSampleHost(stack(), "sample_host_headless", {"batch", "--file", headless});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("見出し行"));

  // 照会番号 for a patient the batch recorded, and for one nobody checked.
  HostRun registered = RunSampleHost(
      stack(), "sample_host_register",
      {"register-reference", "--patient", "sh-batch-valid", "--patient", "sh-nobody"});
  EXPECT_EQ(registered.exit_code, 0) << registered.err;
  EXPECT_THAT(registered.out, HasSubstr("患者ID sh-batch-valid: 照会番号を登録しました"));
  EXPECT_THAT(registered.out, HasSubstr("患者ID sh-nobody: 登録できませんでした"));
  EXPECT_THAT(registered.out, HasSubstr("ONSHI_NO_COVERAGE"));
}

// ---------------------------------------------------------------------------------------------
// 10,000 patients and a kill -9 of onshid mid-way.
//
// The simulator answers after 20 ms (uploads, receipts and asks alike) and says 処理中 for 200 ms
// after each upload; onshid keeps at most 2 requests at the terminal. So the 20 files of 500
// move through the terminal a few at a time, and when the first results reach the host most
// files are not finished: onshid is killed then.

class BatchRestartTest : public SharedStackTest<BatchRestartTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "batch-restart";
    options.sim_flags = {"--batch-processing-ms", "200", "--latency-ms", "20"};
    options.extra_terminal_config =
        "batch_file_size: 500 max_in_flight: 2 batch_poll_initial_ms: 100 "
        "batch_poll_max_ms: 400";
    options.answers_may_be_replaced = true;
    return options;
  }
};

// Opens onshid's store read-only; nullptr (with a test failure) when it cannot.
sqlite3* OpenStoreReadOnly(const std::string& state_dir) {
  sqlite3* db = nullptr;
  const std::string uri = "file:" + state_dir + "/onshi.db?mode=ro";
  const int rc = sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
  if (rc != SQLITE_OK) {
    ADD_FAILURE() << "cannot open the store read-only: " << sqlite3_errstr(rc);
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 10000);
  return db;
}

// The single integer a query with one text parameter gives; -1 (with a test failure) on error.
int64_t QueryInt(sqlite3* db, const char* sql, const std::string& parameter) {
  sqlite3_stmt* statement = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &statement, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "prepare: " << sqlite3_errmsg(db) << " in " << sql;
    return -1;
  }
  sqlite3_bind_blob(statement, 1, parameter.data(), static_cast<int>(parameter.size()),
                    SQLITE_TRANSIENT);
  int64_t value = -1;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    value = sqlite3_column_int64(statement, 0);
  } else {
    ADD_FAILURE() << "step: " << sqlite3_errmsg(db) << " in " << sql;
  }
  sqlite3_finalize(statement);
  return value;
}

TEST_F(BatchRestartTest, TenThousandPatientsSurviveAKillOfOnshidAndEachComesOnce) {
  constexpr int kPatients = 10000;
  // Answered scenarios only (no 個別照会 behaviours, one record each, so every patient gets a
  // coverage version as well as a confirmation).
  const std::vector<std::string> scenarios = {
      "valid-kyokai-honnin", "kouki-1wari",  "kouki-2wari",         "limit-a01",
      "limit-a04",           "invalid-lost", "elderly-70-74-2wari", "kokuho-six-digit"};
  std::vector<Line> lines;
  lines.reserve(kPatients);
  char patient_id[32];
  for (int i = 0; i < kPatients; ++i) {
    std::snprintf(patient_id, sizeof(patient_id), "it-10k-%05d", i);
    lines.push_back(
        LineFor(PatientByScenario(scenarios[i % scenarios.size()]), patient_id, i % 2 == 0));
  }
  const std::string request_id = "it-batch-10k-restart-0001";
  BatchRequestPtr request = NewBatch(lines, request_id, 300000);

  // First run: kill -9 onshid (from the callback, i.e. at once) when the first results arrive.
  RunSpec kill_at_first;
  kill_at_first.keep_json = false;
  kill_at_first.stop_when = [&](const RunOutcome& o) {
    if (o.results.empty()) return false;
    stack().KillOnshid();
    return true;
  };
  RunOutcome interrupted = RunBatch(client(), request.get(), kill_at_first);
  ASSERT_EQ(interrupted.status, ONSHI_CANCELLED) << interrupted.reason;
  ASSERT_FALSE(interrupted.results.empty());
  ASSERT_NE(stack().onshid(), nullptr);
  ASSERT_TRUE(stack().onshid()->exited());

  // Mid-way: some results recorded, not all.
  const char* const kResultsOfBatch = "SELECT COUNT(*) FROM batch_results WHERE request_id = ?";
  {
    sqlite3* db = OpenStoreReadOnly(stack().state_dir());
    ASSERT_NE(db, nullptr);
    const int64_t recorded = QueryInt(db, kResultsOfBatch, request_id);
    sqlite3_close(db);
    EXPECT_GT(recorded, 0);
    EXPECT_LT(recorded, kPatients) << "onshid was not killed mid-way";
  }

  std::string error;
  ASSERT_TRUE(stack().StartOnshid(&error)) << error;

  // The same request again: every patient exactly once, all answered.
  RunSpec plain;
  plain.keep_json = false;
  RunOutcome final_run = RunBatch(client(), request.get(), plain);
  ASSERT_EQ(final_run.status, ONSHI_OK) << final_run.reason;
  EXPECT_EQ(final_run.results.size(), static_cast<size_t>(kPatients));
  std::vector<int> seen(kPatients, 0);
  int answered = 0;
  int limit_changed = 0;
  for (const Delivered& d : final_run.results) {
    ASSERT_GE(d.index, 0);
    ASSERT_LT(d.index, kPatients);
    ++seen[static_cast<size_t>(d.index)];
    EXPECT_EQ(d.patient_id, lines[static_cast<size_t>(d.index)].patient_id);
    EXPECT_EQ(d.total, kPatients);
    answered += d.answered ? 1 : 0;
    limit_changed += d.limit_changed;
  }
  for (int i = 0; i < kPatients; ++i) {
    if (seen[static_cast<size_t>(i)] != 1) {
      ADD_FAILURE() << "index " << i << " delivered " << seen[static_cast<size_t>(i)] << " times";
    }
  }
  EXPECT_EQ(answered, kPatients);
  // limit-a04 (every 8th patient from 4, all of them even: with the 限度額 consent).
  EXPECT_EQ(limit_changed, kPatients / 8);

  // The store: one result and one confirmation per patient of this batch.
  {
    sqlite3* db = OpenStoreReadOnly(stack().state_dir());
    ASSERT_NE(db, nullptr);
    EXPECT_EQ(QueryInt(db, kResultsOfBatch, request_id), kPatients);
    EXPECT_EQ(
        QueryInt(db, "SELECT COUNT(DISTINCT row_index) FROM batch_results WHERE request_id = ?",
                 request_id),
        kPatients);
    const std::string prefix = request_id + "/";
    const char* const kConfirmations =
        "SELECT COUNT(*) FROM confirmations WHERE substr(check_id, 1, length(?1)) = ?1";
    const char* const kPatientsConfirmed =
        "SELECT COUNT(DISTINCT patient_id) FROM confirmations "
        "WHERE substr(check_id, 1, length(?1)) = ?1";
    EXPECT_EQ(QueryInt(db, kConfirmations, prefix), kPatients);
    EXPECT_EQ(QueryInt(db, kPatientsConfirmed, prefix), kPatients);
    sqlite3_close(db);
  }
  // The same through the C API, on a sample of patients.
  for (int i = 0; i < kPatients; i += 997) {
    std::optional<v1::PatientRecord> record =
        GetPatientRecord(client(), lines[static_cast<size_t>(i)].patient_id);
    ASSERT_TRUE(record.has_value()) << i;
    ASSERT_EQ(record->confirmations_size(), 1) << i;
    EXPECT_EQ(record->confirmations(0).provenance().request_id(), request_id);
    EXPECT_EQ(record->confirmations(0).provenance().source(), v1::SOURCE_BATCH);
    EXPECT_EQ(record->current_coverage().version(), 1) << i;
  }
}

}  // namespace
}  // namespace onshi::integration
