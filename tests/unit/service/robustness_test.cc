// The transport's robustness seen from the request ledger (reliability.md B3, B4, B5, B9, B12):
// the coordinator, the throttle, the file transport and the SQLite store wired as onshid wires
// them, on temporary folders, with the test playing the terminal through req/ and res/.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/oqs_files/file_names.h"
#include "adapters/oqs_files/transport.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "gtest/gtest.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/common/system_clock.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"
#include "plugin/core/validation.h"
#include "plugin/service/answer_router.h"
#include "plugin/service/coordinator.h"
#include "plugin/service/throttled_transport.h"

namespace onshi::service {
namespace {

namespace fs = std::filesystem;

constexpr char kInstitution[] = "1310000016";
constexpr char kOtherInstitution[] = "1310000024";
constexpr auto kWaitLimit = std::chrono::seconds(60);

// Figures scale up to reliability.md's full ones with EXTENDED=1.
bool Extended() {
  const char* v = std::getenv("EXTENDED");
  return v != nullptr && std::string(v) == "1";
}

bool WaitFor(const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + kWaitLimit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done();
}

std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Writes under a temp name, then renames into place: how the terminal drops a file.
void DropFile(const std::string& dir, const std::string& name, const std::string& bytes) {
  const std::string temp = absl::StrCat(dir, "/", oqs::kTempFilePrefix, "terminal-", name);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  ASSERT_EQ(std::rename(temp.c_str(), (dir + "/" + name).c_str()), 0);
}

// A person as the terminal knows them; `number` tells two answers for one card apart.
struct Person {
  std::string name = "試験　太郎";
  std::string number = "9900001";
};

v1::CheckQualificationRequest MakeCheck(const std::string& request_id,
                                        const std::string& patient_id) {
  v1::CheckQualificationRequest check;
  check.set_request_id(request_id);
  check.set_patient_id(patient_id);
  check.mutable_identifiers()->set_insurer_number("06139992");
  check.mutable_identifiers()->set_insured_card_symbol("ＴＥＳＴ記号");
  check.mutable_identifiers()->set_insured_identification_number("9900001");
  check.mutable_identifiers()->set_insured_branch_number("01");
  check.set_birth_date("19850412");
  return check;
}

// The terminal's answer to `request` for `person`, from `institution`.
v1::QualificationResult AnswerTo(const v1::QualificationRequestDocument& request,
                                 const Person& person = {},
                                 const std::string& institution = kInstitution) {
  v1::QualificationResult result;
  result.set_process_execution_time("20250602091030");
  result.set_qualification_confirmation_date(request.qualification_confirmation_date());
  result.set_medical_institution_code(institution);
  result.set_arbitrary_file_identifier(request.arbitrary_file_identifier());
  result.set_reference_classification(v1::REFERENCE_CLASSIFICATION_INSURANCE_CARD);
  result.set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  result.set_character_code(v1::CHARACTER_CODE_UTF8);
  result.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
  v1::QualificationRecord* r = result.add_records();
  r->set_insured_card_classification("01");
  *r->mutable_identifiers() = request.search_info().identifiers();
  r->mutable_identifiers()->set_insured_identification_number(person.number);
  r->set_personal_family_classification("1");
  r->set_name(person.name);
  r->set_sex1("1");
  r->set_birth_date(request.search_info().birth_date());
  r->set_qualification_date("20200401");
  r->set_insured_card_valid_date("20200401");
  r->set_insured_partial_contribution_ratio("030");
  r->set_insurer_name("試験健康保険組合");
  return result;
}

std::string Encode(const v1::QualificationResult& result) {
  absl::StatusOr<std::string> bytes = oqs::EncodeQualificationResult(result, oqs::EncodeOptions{});
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

// Peak resident set size of this process since start or the last ResetPeakRss (VmHWM, what
// getrusage's ru_maxrss reports without the reset), in KiB.
int64_t PeakRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// Starts the peak over from the current RSS, so that earlier tests in this process do not count
// (Linux: "5" to clear_refs resets VmHWM).
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// reliability.md B12: RSS < 256 MB. Under AddressSanitizer the same run needs more (shadow
// memory, and freed blocks held in its quarantine, 256 MB by default), so the bound there is
// 1 GiB: still far below what an unbounded queue of copies would take.
#if defined(__SANITIZE_ADDRESS__)
constexpr int64_t kPeakRssBoundKib = 1024 * 1024;
#else
constexpr int64_t kPeakRssBoundKib = 256 * 1024;
#endif

// The test's side of the shared folder: takes requests out of req/ and drops answers into res/.
class FolderTerminal {
 public:
  FolderTerminal(std::string req, std::string res) : req_(std::move(req)), res_(std::move(res)) {}
  ~FolderTerminal() { StopAnswering(); }

  // The requests in req/, decoded and taken out (the terminal took them).
  std::vector<v1::QualificationRequestDocument> Take() {
    std::vector<v1::QualificationRequestDocument> taken;
    for (const std::string& name : List(req_)) {
      std::optional<oqs::FileName> parsed = oqs::ParseFileName(name);
      if (!parsed.has_value() || parsed->kind != DocumentKind::kQualificationRequest) continue;
      const std::string path = req_ + "/" + name;
      absl::StatusOr<v1::QualificationRequestDocument> decoded =
          oqs::DecodeQualificationRequest(ReadFile(path));
      EXPECT_TRUE(decoded.ok()) << "a request in req/ is not complete: " << decoded.status();
      if (!decoded.ok()) continue;
      std::remove(path.c_str());
      taken.push_back(*decoded);
    }
    return taken;
  }

  // Takes requests until `count` were taken.
  std::vector<v1::QualificationRequestDocument> TakeAtLeast(size_t count) {
    std::vector<v1::QualificationRequestDocument> all;
    WaitFor([&] {
      for (v1::QualificationRequestDocument& r : Take()) all.push_back(std::move(r));
      return all.size() >= count;
    });
    return all;
  }

  void Answer(const std::string& name_id, const v1::QualificationResult& result) {
    DropFile(res_, oqs::FileNameFor(DocumentKind::kQualificationAnswer, name_id), Encode(result));
  }

  // Answers every request that appears with `answer(request)` (nullopt: silent) until stopped.
  void AnswerContinuously(
      std::function<std::optional<v1::QualificationResult>(const v1::QualificationRequestDocument&)>
          answer) {
    StopAnswering();
    stop_ = false;
    thread_ = std::thread([this, answer = std::move(answer)] {
      while (!stop_.load()) {
        for (const v1::QualificationRequestDocument& request : Take()) {
          std::optional<v1::QualificationResult> result = answer(request);
          if (result.has_value()) Answer(request.arbitrary_file_identifier(), *result);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    });
  }
  void StopAnswering() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  const std::string req_;
  const std::string res_;
  std::atomic<bool> stop_{true};
  std::thread thread_;
};

// Between the throttle and the file transport: counts the requests at the terminal (placed, not
// yet answered, rejected or unreadable), as the terminal would count its sessions.
class CountingTransport final : public TerminalTransport, public AnswerSink {
 public:
  explicit CountingTransport(TerminalTransport* inner) : inner_(inner) {}
  absl::Status Start(AnswerSink* sink) override {
    sink_ = sink;
    return inner_->Start(this);
  }
  void Stop() override { inner_->Stop(); }
  absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document) override {
    absl::StatusOr<std::string> id = FileIdOf(kind, document);
    if (!id.ok()) return id.status();
    // Counted before it is placed: the answer may be delivered before Submit returns.
    bool fresh;
    {
      std::lock_guard<std::mutex> lock(mu_);
      fresh = at_terminal_.insert(*id).second;
      if (fresh) peak_ = std::max(peak_, static_cast<int>(at_terminal_.size()));
    }
    absl::Status placed = inner_->Submit(kind, document);
    std::lock_guard<std::mutex> lock(mu_);
    if (placed.ok()) {
      ++placements_[*id];
    } else if (fresh) {
      at_terminal_.erase(*id);
    }
    return placed;
  }
  absl::Status CheckHealth() override { return inner_->CheckHealth(); }
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override {
    Left(answer.file_id);
    return sink_->OnAnswer(answer);
  }
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override {
    Left(rejected.file_id);
    return sink_->OnRequestRejected(rejected);
  }
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override {
    Left(unreadable.file_id);
    return sink_->OnUnreadableAnswer(unreadable);
  }
  int peak() const {
    std::lock_guard<std::mutex> lock(mu_);
    return peak_;
  }
  std::map<std::string, int> placements() const {
    std::lock_guard<std::mutex> lock(mu_);
    return placements_;
  }

 private:
  void Left(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    at_terminal_.erase(id);
  }
  TerminalTransport* const inner_;
  AnswerSink* sink_ = nullptr;
  mutable std::mutex mu_;
  std::set<std::string> at_terminal_;
  std::map<std::string, int> placements_;
  int peak_ = 0;
};

struct StackOptions {
  int max_in_flight = 10;
  absl::Duration answer_timeout = absl::Seconds(30);
  // The runtime's periodic expiry of overdue checks.
  bool sweep = true;
  // The transport's wait before it gives up on an undecodable answer or a lone returned request.
  absl::Duration malformed_grace = absl::Seconds(10);
  // Run Coordinator::PlacePending on its own thread at start, as the runtime does.
  bool place_pending = true;
};

// onshid's wiring without gRPC: store, file transport (behind a counter), throttle, router,
// coordinator. The folders and the database outlive a Stop(), so a new Start() is a restart.
class ServiceStack {
 public:
  explicit ServiceStack(const std::string& base) : base_(base) {
    for (const std::string& d : {base_ + "/oqs", req(), res()}) {
      EXPECT_EQ(mkdir(d.c_str(), 0755), 0) << d;
    }
    EXPECT_EQ(mkdir((base_ + "/state").c_str(), 0700), 0);
  }
  ~ServiceStack() { Stop(); }

  std::string req() const { return base_ + "/oqs/req"; }
  std::string res() const { return base_ + "/oqs/res"; }
  std::string processed() const { return base_ + "/state/processed"; }
  std::string quarantine() const { return base_ + "/state/quarantine"; }

  // Opens everything, recovers the ledger and starts watching; PlacePending runs on its own
  // thread, as in the runtime.
  void Start(StackOptions options = {}) {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(base_ + "/state/onshi.db", &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    oqs::FileTransportOptions transport;
    transport.root = base_ + "/oqs";
    transport.rescan_interval = absl::Milliseconds(50);
    transport.malformed_grace = options.malformed_grace;
    transport.processed_dir = processed();
    transport.quarantine_dir = quarantine();
    absl::StatusOr<std::unique_ptr<oqs::FileTransport>> files =
        oqs::FileTransport::Create(transport, &clock_);
    ASSERT_TRUE(files.ok()) << files.status();
    files_ = std::move(*files);
    counter_ = std::make_unique<CountingTransport>(files_.get());
    ThrottleOptions throttle;
    throttle.max_in_flight = options.max_in_flight;
    absl::StatusOr<std::unique_ptr<ThrottledTransport>> throttled =
        ThrottledTransport::Create(throttle, counter_.get(), &clock_);
    ASSERT_TRUE(throttled.ok()) << throttled.status();
    throttle_ = std::move(*throttled);
    coordinator_ =
        std::make_unique<Coordinator>(CoordinatorOptions{kInstitution, options.answer_timeout},
                                      store_.get(), throttle_.get(), &clock_);
    ASSERT_TRUE(coordinator_->Recover().ok());
    router_ = std::make_unique<AnswerRouter>();
    router_->Register(DocumentKind::kQualificationAnswer, coordinator_.get());
    ASSERT_TRUE(throttle_->Start(router_.get()).ok());
    if (options.place_pending) {
      placer_ = std::thread([c = coordinator_.get()] { c->PlacePending(); });
    }
    sweeper_stop_ = false;
    if (!options.sweep) return;
    sweeper_ = std::thread([this] {
      while (!sweeper_stop_.load()) {
        coordinator_->ExpireOverdue();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }

  // What Runtime::Shutdown does; the ledger and folders stay.
  void Stop() {
    if (coordinator_ == nullptr) return;
    coordinator_->Shutdown();
    throttle_->Stop();
    if (placer_.joinable()) placer_.join();
    sweeper_stop_ = true;
    if (sweeper_.joinable()) sweeper_.join();
    coordinator_.reset();
    router_.reset();
    throttle_.reset();
    counter_.reset();
    files_.reset();
    store_.reset();
  }

  absl::StatusOr<v1::CheckQualificationResponse> Check(
      const v1::CheckQualificationRequest& check,
      absl::Time call_deadline = absl::Now() + absl::Seconds(60)) {
    return coordinator_->CheckQualification(check, call_deadline, nullptr);
  }

  LedgerEntry Entry(const std::string& request_id) {
    absl::StatusOr<std::optional<LedgerEntry>> entry = store_->FindRequest(request_id);
    EXPECT_TRUE(entry.ok() && entry->has_value()) << request_id;
    return entry.ok() && entry->has_value() ? **entry : LedgerEntry{};
  }
  LedgerState StateOf(const std::string& request_id) {
    absl::StatusOr<std::optional<LedgerEntry>> entry = store_->FindRequest(request_id);
    return entry.ok() && entry->has_value() ? (*entry)->state : LedgerState::kPending;
  }
  v1::PatientRecord Record(const std::string& patient_id) {
    absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord(patient_id);
    EXPECT_TRUE(record.ok()) << patient_id << ": " << record.status();
    return record.ok() ? *record : v1::PatientRecord{};
  }

  // The runtime's recovery pass, on the caller's thread.
  void PlacePending() { coordinator_->PlacePending(); }

  SqliteStore* store() { return store_.get(); }
  ThrottledTransport* throttle() { return throttle_.get(); }
  CountingTransport* counter() { return counter_.get(); }
  const Clock* clock() const { return &clock_; }

 private:
  const std::string base_;
  SystemClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<oqs::FileTransport> files_;
  std::unique_ptr<CountingTransport> counter_;
  std::unique_ptr<ThrottledTransport> throttle_;
  std::unique_ptr<AnswerRouter> router_;
  std::unique_ptr<Coordinator> coordinator_;
  std::thread placer_;
  std::atomic<bool> sweeper_stop_{true};
  std::thread sweeper_;
};

class ServiceRobustnessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Thousands of files go through each test: keep the log to what goes wrong.
    SetLogLevel(LogLevel::kWarning);
  }
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "/onshi_service_XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    ASSERT_NE(mkdtemp(buf.data()), nullptr);
    base_ = buf.data();
    stack_ = std::make_unique<ServiceStack>(base_);
    terminal_ = std::make_unique<FolderTerminal>(stack_->req(), stack_->res());
  }
  void TearDown() override {
    terminal_.reset();
    stack_.reset();
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  // Runs the checks on threads of their own and returns their outcomes in order.
  std::vector<absl::StatusOr<v1::CheckQualificationResponse>> CheckAll(
      const std::vector<v1::CheckQualificationRequest>& checks) {
    std::vector<std::future<absl::StatusOr<v1::CheckQualificationResponse>>> running;
    for (const v1::CheckQualificationRequest& check : checks) {
      running.push_back(
          std::async(std::launch::async, [this, check] { return stack_->Check(check); }));
    }
    std::vector<absl::StatusOr<v1::CheckQualificationResponse>> outcomes;
    for (auto& f : running) outcomes.push_back(f.get());
    return outcomes;
  }

  std::string base_;
  std::unique_ptr<ServiceStack> stack_;
  std::unique_ptr<FolderTerminal> terminal_;
};

// B3: the same answer delivered again (while onshid runs, and after a restart) is recorded once:
// one confirmation, one coverage version per request, every copy archived. CI: 500 duplicates.
TEST_F(ServiceRobustnessTest, DuplicateAnswersAddNoRowsBeforeOrAfterARestart) {
  const int kChecks = Extended() ? 500 : 100;
  const int kCopiesBefore = 4;  // per check, while running; one more after the restart
  stack_->Start();
  terminal_->AnswerContinuously(
      [](const v1::QualificationRequestDocument& r) { return AnswerTo(r); });
  std::vector<v1::CheckQualificationRequest> checks;
  for (int i = 0; i < kChecks; ++i) {
    checks.push_back(MakeCheck(absl::StrCat("dup-request-", i), absl::StrCat("dup-patient-", i)));
  }
  std::vector<absl::StatusOr<v1::CheckQualificationResponse>> outcomes = CheckAll(checks);
  terminal_->StopAnswering();
  std::vector<std::string> file_ids;
  for (const auto& outcome : outcomes) {
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    ASSERT_EQ(outcome->outcome(), v1::CHECK_OUTCOME_ANSWERED);
    file_ids.push_back(outcome->provenance().file_id());
  }

  int duplicates = 0;
  auto redeliver = [&](int copies) {
    for (int copy = 0; copy < copies; ++copy) {
      for (int i = 0; i < kChecks; ++i) {
        // Each copy under the answer's own name once the previous one has left res/.
        v1::QualificationRequestDocument request;
        request.set_arbitrary_file_identifier(file_ids[i]);
        request.set_qualification_confirmation_date(
            outcomes[i]->result().qualification_confirmation_date());
        *request.mutable_search_info()->mutable_identifiers() = checks[i].identifiers();
        request.mutable_search_info()->set_birth_date(checks[i].birth_date());
        ASSERT_TRUE(WaitFor([&] {
          return !fs::exists(stack_->res() + "/" +
                             oqs::FileNameFor(DocumentKind::kQualificationAnswer, file_ids[i]));
        }));
        terminal_->Answer(file_ids[i], AnswerTo(request, Person{"別人　次郎", "9900002"}));
        ++duplicates;
      }
    }
    ASSERT_TRUE(WaitFor([&] { return List(stack_->res()).empty(); }));
  };
  redeliver(kCopiesBefore);
  stack_->Stop();
  stack_->Start();
  redeliver(1);
  EXPECT_EQ(duplicates, kChecks * (kCopiesBefore + 1));
  RecordProperty("duplicates", duplicates);

  for (int i = 0; i < kChecks; ++i) {
    SCOPED_TRACE(i);
    LedgerEntry entry = stack_->Entry(checks[i].request_id());
    EXPECT_EQ(entry.state, LedgerState::kAnswered);
    EXPECT_EQ(entry.response.result().records(0).name(), "試験　太郎") << "a duplicate overwrote";
    v1::PatientRecord record = stack_->Record(checks[i].patient_id());
    EXPECT_EQ(record.confirmations_size(), 1);
    EXPECT_EQ(record.current_coverage().version(), 1);
    EXPECT_EQ(record.coverage_history_size(), 0);
    EXPECT_EQ(record.current_coverage().coverage().name(), "試験　太郎");
  }
  // Every copy left the shared folder for the private archive; nothing was quarantined.
  EXPECT_EQ(List(stack_->processed()).size(), static_cast<size_t>(kChecks + duplicates));
  EXPECT_TRUE(List(stack_->quarantine()).empty());
}

// B4: an answer arriving after the check became UNCONFIRMED, and after a newer check of the same
// patient was answered, is kept as LATE and linked to its request, and never overwrites the newer
// state. CI: 50 cases, 0 overwrites.
TEST_F(ServiceRobustnessTest, LateAnswersAreKeptLinkedAndNeverOverwriteANewerState) {
  const int kCases = Extended() ? 200 : 50;
  stack_->Start(StackOptions{/*max_in_flight=*/20, /*answer_timeout=*/absl::Milliseconds(500)});
  // 1. The terminal takes the requests and says nothing: every check is UNCONFIRMED.
  std::vector<v1::CheckQualificationRequest> old_checks;
  for (int i = 0; i < kCases; ++i) {
    old_checks.push_back(MakeCheck(absl::StrCat("late-old-", i), absl::StrCat("late-patient-", i)));
  }
  terminal_->AnswerContinuously([](const v1::QualificationRequestDocument&) {
    return std::optional<v1::QualificationResult>();
  });
  // In rounds no larger than the cap, so that every one of them reaches the terminal.
  std::vector<absl::StatusOr<v1::CheckQualificationResponse>> unconfirmed;
  for (size_t from = 0; from < old_checks.size(); from += 20) {
    std::vector<v1::CheckQualificationRequest> round(
        old_checks.begin() + from, old_checks.begin() + std::min(from + 20, old_checks.size()));
    for (auto& outcome : CheckAll(round)) unconfirmed.push_back(std::move(outcome));
  }
  terminal_->StopAnswering();
  std::map<std::string, std::string> file_of;
  for (int i = 0; i < kCases; ++i) {
    ASSERT_TRUE(unconfirmed[i].ok()) << unconfirmed[i].status();
    ASSERT_EQ(unconfirmed[i]->outcome(), v1::CHECK_OUTCOME_UNCONFIRMED);
    EXPECT_EQ(unconfirmed[i]->unconfirmed_reason().reason(), "ONSHI_TERMINAL_TIMEOUT");
    file_of[old_checks[i].request_id()] = unconfirmed[i]->provenance().file_id();
  }

  // 2. Newer checks of the same patients are answered in time: coverage version 1, person A.
  stack_->Stop();
  stack_->Start(StackOptions{/*max_in_flight=*/20, /*answer_timeout=*/absl::Seconds(30)});
  terminal_->AnswerContinuously(
      [](const v1::QualificationRequestDocument& r) { return AnswerTo(r); });
  std::vector<v1::CheckQualificationRequest> new_checks;
  for (int i = 0; i < kCases; ++i) {
    new_checks.push_back(MakeCheck(absl::StrCat("late-new-", i), absl::StrCat("late-patient-", i)));
  }
  for (const auto& outcome : CheckAll(new_checks)) {
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    ASSERT_EQ(outcome->outcome(), v1::CHECK_OUTCOME_ANSWERED);
  }
  terminal_->StopAnswering();

  // 3. The old answers arrive now, saying something else (person B).
  for (int i = 0; i < kCases; ++i) {
    v1::QualificationRequestDocument request;
    request.set_arbitrary_file_identifier(file_of[old_checks[i].request_id()]);
    request.set_qualification_confirmation_date(unconfirmed[i]->provenance().confirmation_date());
    *request.mutable_search_info()->mutable_identifiers() = old_checks[i].identifiers();
    request.mutable_search_info()->set_birth_date(old_checks[i].birth_date());
    terminal_->Answer(request.arbitrary_file_identifier(),
                      AnswerTo(request, Person{"旧姓　花子", "9900099"}));
  }
  ASSERT_TRUE(WaitFor([&] {
    for (const v1::CheckQualificationRequest& check : old_checks) {
      if (stack_->StateOf(check.request_id()) != LedgerState::kLate) return false;
    }
    return true;
  })) << "not every late answer was recorded as LATE";

  int overwrites = 0;
  for (int i = 0; i < kCases; ++i) {
    SCOPED_TRACE(i);
    v1::PatientRecord record = stack_->Record(old_checks[i].patient_id());
    if (record.current_coverage().version() != 1 ||
        record.current_coverage().coverage().name() != "試験　太郎" ||
        record.coverage_history_size() != 0) {
      ++overwrites;
    }
    // Linked: the late answer is on record for its own request, marked late.
    ASSERT_EQ(record.confirmations_size(), 2);
    int late = 0;
    for (const v1::Confirmation& c : record.confirmations()) {
      if (c.request_id() == old_checks[i].request_id()) {
        EXPECT_TRUE(c.late());
        EXPECT_EQ(c.outcome(), v1::CHECK_OUTCOME_LATE_ANSWER);
        ++late;
      } else {
        EXPECT_EQ(c.request_id(), new_checks[i].request_id());
        EXPECT_FALSE(c.late());
      }
    }
    EXPECT_EQ(late, 1);
    // Asking again with the old request_id tells the host what came late.
    absl::StatusOr<v1::CheckQualificationResponse> retry = stack_->Check(old_checks[i]);
    ASSERT_TRUE(retry.ok()) << retry.status();
    EXPECT_EQ(retry->outcome(), v1::CHECK_OUTCOME_LATE_ANSWER);
    EXPECT_EQ(retry->result().records(0).name(), "旧姓　花子");
    EXPECT_FALSE(retry->has_record_write()) << "a late answer wrote the record";
  }
  EXPECT_EQ(overwrites, 0);
  RecordProperty("late_cases", kCases);
}

// B5: answers that belong to no request of ours (an unknown id; our id but another institution's
// 医療機関コード) are quarantined privately and attached to nobody.
TEST_F(ServiceRobustnessTest, OrphanAnswersAreQuarantinedAndAttachedToNobody) {
  stack_->Start(StackOptions{/*max_in_flight=*/10, /*answer_timeout=*/absl::Seconds(2)});
  const v1::CheckQualificationRequest check = MakeCheck("orphan-request", "orphan-patient");
  std::future<absl::StatusOr<v1::CheckQualificationResponse>> waiting =
      std::async(std::launch::async, [&] { return stack_->Check(check); });
  std::vector<v1::QualificationRequestDocument> requests = terminal_->TakeAtLeast(1);
  ASSERT_EQ(requests.size(), 1u);
  const v1::QualificationRequestDocument& ours = requests[0];

  // Unknown ids: nobody asked.
  constexpr int kUnknown = 10;
  std::vector<std::string> strangers;
  for (int i = 0; i < kUnknown; ++i) {
    v1::QualificationRequestDocument stranger = ours;
    stranger.set_arbitrary_file_identifier(NewFileId());
    strangers.push_back(stranger.arbitrary_file_identifier());
    terminal_->Answer(stranger.arbitrary_file_identifier(), AnswerTo(stranger));
  }
  // Our request's id, another institution's answer.
  terminal_->Answer(ours.arbitrary_file_identifier(), AnswerTo(ours, Person{}, kOtherInstitution));
  ASSERT_TRUE(WaitFor([&] { return List(stack_->quarantine()).size() == kUnknown + 1; }))
      << List(stack_->quarantine()).size();
  for (const std::string& name : List(stack_->quarantine())) {
    struct stat st;
    ASSERT_EQ(stat((stack_->quarantine() + "/" + name).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  EXPECT_TRUE(List(stack_->res()).empty());
  EXPECT_TRUE(List(stack_->processed()).empty());

  // The check was not answered by them: it ends UNCONFIRMED, and nothing was attached.
  absl::StatusOr<v1::CheckQualificationResponse> outcome = waiting.get();
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->outcome(), v1::CHECK_OUTCOME_UNCONFIRMED);
  v1::PatientRecord record = stack_->Record("orphan-patient");
  EXPECT_FALSE(record.has_current_coverage());
  int attachments = 0;
  for (const v1::Confirmation& c : record.confirmations()) {
    if (c.outcome() != v1::CHECK_OUTCOME_UNCONFIRMED) ++attachments;
  }
  EXPECT_EQ(attachments, 0);
  for (const std::string& id : strangers) {
    // No ledger entry was made up for a stranger.
    absl::StatusOr<std::optional<LedgerEntry>> found = stack_->store()->FindRequestByFileId(id);
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_FALSE(found->has_value());
  }
}

// B9 (service side): the terminal's folder gone or not a folder. The caller gets a typed error
// at once (well within its deadline), the check stays on record with that error, a retry gets
// the same outcome, and once the folder is back checks work again.
TEST_F(ServiceRobustnessTest, UnavailableFolderFailsChecksTypedAndOnRecord) {
  stack_->Start(StackOptions{/*max_in_flight=*/10, /*answer_timeout=*/absl::Seconds(30)});
  const std::string moved = stack_->req() + ".away";
  struct Fault {
    std::string name;
    std::function<void()> make;
    std::function<void()> undo;
  };
  std::vector<Fault> faults = {
      {"req-missing", [&] { ASSERT_EQ(std::rename(stack_->req().c_str(), moved.c_str()), 0); },
       [&] { ASSERT_EQ(std::rename(moved.c_str(), stack_->req().c_str()), 0); }},
      {"req-not-a-directory",
       [&] {
         ASSERT_EQ(std::rename(stack_->req().c_str(), moved.c_str()), 0);
         std::ofstream(stack_->req()) << "not a folder";
       },
       [&] {
         ASSERT_EQ(std::remove(stack_->req().c_str()), 0);
         ASSERT_EQ(std::rename(moved.c_str(), stack_->req().c_str()), 0);
       }},
      {"root-missing",
       [&] { ASSERT_EQ(std::rename((base_ + "/oqs").c_str(), (base_ + "/oqs.away").c_str()), 0); },
       [&] { ASSERT_EQ(std::rename((base_ + "/oqs.away").c_str(), (base_ + "/oqs").c_str()), 0); }},
  };
  for (const Fault& fault : faults) {
    SCOPED_TRACE(fault.name);
    fault.make();
    const v1::CheckQualificationRequest check =
        MakeCheck("unavailable-" + fault.name, "unavailable-patient");
    const absl::Time call_deadline = absl::Now() + absl::Seconds(10);
    absl::StatusOr<v1::CheckQualificationResponse> failed = stack_->Check(check, call_deadline);
    EXPECT_LT(absl::Now(), call_deadline) << "the caller was held to its deadline";
    EXPECT_EQ(failed.status().code(), absl::StatusCode::kUnavailable);
    EXPECT_EQ(ReasonOf(failed.status()), "ONSHI_TERMINAL_UNAVAILABLE");
    LedgerEntry entry = stack_->Entry(check.request_id());
    EXPECT_EQ(entry.state, LedgerState::kFailed);
    EXPECT_EQ(entry.error.reason(), "ONSHI_TERMINAL_UNAVAILABLE");
    absl::StatusOr<v1::CheckQualificationResponse> retry = stack_->Check(check);
    EXPECT_EQ(ReasonOf(retry.status()), "ONSHI_TERMINAL_UNAVAILABLE") << "retry, same outcome";
    EXPECT_EQ(stack_->throttle()->in_flight(), 0) << "a failed placement holds no place";
    fault.undo();
  }
  // Back: a new check goes through.
  terminal_->AnswerContinuously(
      [](const v1::QualificationRequestDocument& r) { return AnswerTo(r); });
  absl::StatusOr<v1::CheckQualificationResponse> fine =
      stack_->Check(MakeCheck("unavailable-after", "unavailable-patient"));
  ASSERT_TRUE(fine.ok()) << fine.status();
  EXPECT_EQ(fine->outcome(), v1::CHECK_OUTCOME_ANSWERED);
}

// B7: the terminal's ways of saying no, each through the folders: the request returned with an
// .err carrying a code, an .err with prose only, the request returned without an .err, an answer
// with SegmentOfResult 9 and an ErrorCode, and an answer that does not decode. Each gives the
// waiting caller its typed error as soon as the transport has seen it (the last two after the
// transport's grace period), is on record FAILED with that error, and asking again with the same
// request_id returns the same error without writing the request again (no retry storm).
TEST_F(ServiceRobustnessTest, TerminalRefusalsAndFailuresAreTypedOnRecordAndNeverRetried) {
  StackOptions options;
  options.answer_timeout = absl::Seconds(30);
  options.malformed_grace = absl::Milliseconds(300);
  stack_->Start(options);
  struct Case {
    std::string name;
    // What the terminal leaves in res/ for the request (the arbitrary file identifier).
    std::function<void(const v1::QualificationRequestDocument&)> respond;
    std::string reason;
    // In the error's IT message (codes only: never the .err text or patient data).
    std::string detail;
  };
  const std::string res = stack_->res();
  auto returned = [&](const std::string& id) {
    DropFile(res, oqs::FileNameFor(DocumentKind::kQualificationRequest, id),
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg/>");
  };
  auto err = [&](const std::string& id, const std::string& content) {
    DropFile(res, oqs::FileNameFor(DocumentKind::kQualificationRequest, id, oqs::FileForm::kErr),
             content);
  };
  const std::vector<Case> cases = {
      {"err-with-code",
       [&](const v1::QualificationRequestDocument& r) {
         returned(r.arbitrary_file_identifier());
         err(r.arbitrary_file_identifier(), "E1234\r\n");
       },
       "ONSHI_TERMINAL_REJECTED_REQUEST", "terminal error code E1234"},
      {"err-with-prose",
       [&](const v1::QualificationRequestDocument& r) {
         err(r.arbitrary_file_identifier(), "要求ファイルの形式が不正です: 試験　太郎");
       },
       "ONSHI_TERMINAL_REJECTED_REQUEST", "the .err file gave no code"},
      {"returned-without-err",
       [&](const v1::QualificationRequestDocument& r) { returned(r.arbitrary_file_identifier()); },
       "ONSHI_TERMINAL_REJECTED_REQUEST", "the .err file gave no code"},
      {"segment-of-result-9",
       [&](const v1::QualificationRequestDocument& r) {
         v1::QualificationResult failed = AnswerTo(r);
         failed.clear_records();
         failed.clear_processing_result_status();
         failed.clear_qualification_validity();
         failed.set_segment_of_result(v1::SEGMENT_OF_RESULT_FAILED);
         failed.set_error_code("SIM-E9001");
         failed.set_error_message("オンライン資格確認等システムで障害が発生しています。");
         terminal_->Answer(r.arbitrary_file_identifier(), failed);
       },
       "ONSHI_TERMINAL_FAILED", "ErrorCode SIM-E9001"},
      {"answer-that-does-not-decode",
       [&](const v1::QualificationRequestDocument& r) {
         DropFile(
             res,
             oqs::FileNameFor(DocumentKind::kQualificationAnswer, r.arbitrary_file_identifier()),
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader>");
       },
       "ONSHI_TERMINAL_MALFORMED_ANSWER", "decoder"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const v1::CheckQualificationRequest check = MakeCheck("refused-" + c.name, "refused-patient");
    std::future<absl::StatusOr<v1::CheckQualificationResponse>> waiting =
        std::async(std::launch::async, [&] { return stack_->Check(check); });
    std::vector<v1::QualificationRequestDocument> taken = terminal_->TakeAtLeast(1);
    ASSERT_EQ(taken.size(), 1u);
    c.respond(taken[0]);
    absl::StatusOr<v1::CheckQualificationResponse> outcome = waiting.get();
    ASSERT_FALSE(outcome.ok()) << "the check was not failed";
    EXPECT_EQ(ReasonOf(outcome.status()), c.reason) << outcome.status();
    EXPECT_NE(ToErrorDetail(outcome.status()).it_message().find(c.detail), std::string::npos)
        << ToErrorDetail(outcome.status()).it_message();
    EXPECT_EQ(ToErrorDetail(outcome.status()).it_message().find("試験"), std::string::npos)
        << "patient data in the error";
    LedgerEntry entry = stack_->Entry(check.request_id());
    EXPECT_EQ(entry.state, LedgerState::kFailed);
    EXPECT_EQ(entry.error.reason(), c.reason);
    // Asking again: the same error from the ledger, nothing written for the terminal.
    absl::StatusOr<v1::CheckQualificationResponse> again = stack_->Check(check);
    EXPECT_EQ(ReasonOf(again.status()), c.reason);
    EXPECT_EQ(stack_->counter()->placements()[entry.file_id], 1) << "placed again";
    EXPECT_TRUE(List(stack_->req()).empty()) << "the request was written again";
    // What the terminal left is out of res/.
    EXPECT_TRUE(WaitFor([&] { return List(res).empty(); }));
    EXPECT_EQ(stack_->throttle()->in_flight(), 0) << "a refused request still holds its place";
  }
  // Only the SegmentOfResult 9 answer, a well-formed document, is archived; the rest (which may
  // echo the request) is quarantined.
  EXPECT_EQ(List(stack_->processed()).size(), 1u);
  EXPECT_EQ(List(stack_->quarantine()).size(), 5u) << "2 + 1 .err files and returned requests, "
                                                      "1 returned request, 1 broken answer";
  RecordProperty("refusal_cases", static_cast<int>(cases.size()));
}

// The recovery pass after a restart places only what the previous run left pending. A check
// made after recovery was placed by its own call; the terminal may have taken its file already,
// and placing it again would put a second request at the terminal. (It used to: PlacePending
// listed the ledger when its thread got to it, so a check arriving first was placed twice.)
TEST_F(ServiceRobustnessTest, RecoveryPassNeverPlacesAgainACheckMadeAfterRecovery) {
  StackOptions options;
  options.place_pending = false;
  stack_->Start(options);
  const v1::CheckQualificationRequest check = MakeCheck("after-recovery", "after-patient");
  std::future<absl::StatusOr<v1::CheckQualificationResponse>> waiting =
      std::async(std::launch::async, [&] { return stack_->Check(check); });
  std::vector<v1::QualificationRequestDocument> taken = terminal_->TakeAtLeast(1);
  ASSERT_EQ(taken.size(), 1u);
  const std::string file_id = taken[0].arbitrary_file_identifier();
  // Counted once Submit returned (the terminal may take the file before that).
  ASSERT_TRUE(WaitFor([&] { return stack_->counter()->placements()[file_id] == 1; }));
  ASSERT_EQ(stack_->StateOf(check.request_id()), LedgerState::kPending);
  stack_->PlacePending();  // the runtime's pass, late
  EXPECT_TRUE(List(stack_->req()).empty()) << "the request was written again";
  EXPECT_EQ(stack_->counter()->placements()[file_id], 1);
  terminal_->Answer(file_id, AnswerTo(taken[0]));
  absl::StatusOr<v1::CheckQualificationResponse> outcome = waiting.get();
  ASSERT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome->outcome(), v1::CHECK_OUTCOME_ANSWERED);
}

// B12 with the ledger: checks waiting for a place are already durable; a restart places every
// pending check again through the throttle, oldest first, never more than the cap at the
// terminal, and a request file the previous run had already placed counts as placed (same id,
// same bytes). Then a burst of new checks at once, while the recovered ones are still going.
TEST_F(ServiceRobustnessTest, RestartPlacesPendingChecksAgainThroughTheThrottle) {
  const int kPending = Extended() ? 1000 : 200;
  const int kCap = 5;
  ResetPeakRss();
  // What a run that died left: pending entries in the ledger, the first few already in req/.
  {
    SystemClock clock;
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(base_ + "/state/onshi.db", &clock);
    ASSERT_TRUE(store.ok()) << store.status();
    oqs::FileTransportOptions options;
    options.root = base_ + "/oqs";
    options.processed_dir = stack_->processed();
    options.quarantine_dir = stack_->quarantine();
    absl::StatusOr<std::unique_ptr<oqs::FileTransport>> files =
        oqs::FileTransport::Create(options, &clock);
    ASSERT_TRUE(files.ok()) << files.status();
    const absl::Time now = clock.Now();
    for (int i = 0; i < kPending; ++i) {
      absl::StatusOr<v1::CheckQualificationRequest> normalized = NormalizeCheckRequest(
          MakeCheck(absl::StrCat("pending-", 10000 + i), absl::StrCat("pending-patient-", i)),
          JapanDate(now));
      ASSERT_TRUE(normalized.ok()) << normalized.status();
      LedgerEntry entry;
      entry.request_id = normalized->request_id();
      entry.file_id = NewFileId();
      entry.patient_id = normalized->patient_id();
      entry.created_time = now + absl::Milliseconds(i);
      entry.deadline = now + absl::Seconds(120);
      entry.updated_time = entry.created_time;
      entry.request = *normalized;
      bool created = false;
      ASSERT_TRUE((*store)->CreateRequest(entry, &created).ok());
      ASSERT_TRUE(created);
      if (i < kCap) {
        ASSERT_TRUE(
            (*files)
                ->Submit(DocumentKind::kQualificationRequest,
                         BuildQualificationRequest(*normalized, kInstitution, entry.file_id))
                .ok());
      }
    }
  }
  ASSERT_EQ(List(stack_->req()).size(), static_cast<size_t>(kCap));

  stack_->Start(StackOptions{kCap, absl::Seconds(120)});
  // Oldest first: the ones the previous run had placed take the places, found already in req/.
  ASSERT_TRUE(WaitFor([&] { return stack_->throttle()->waiting() == 1; }));
  EXPECT_EQ(stack_->throttle()->in_flight(), kCap);
  EXPECT_EQ(List(stack_->req()).size(), static_cast<size_t>(kCap)) << "placed twice";
  terminal_->AnswerContinuously(
      [](const v1::QualificationRequestDocument& r) { return AnswerTo(r); });
  // New checks arrive at once while the recovered ones go through.
  std::vector<v1::CheckQualificationRequest> fresh;
  for (int i = 0; i < 50; ++i) {
    fresh.push_back(
        MakeCheck(absl::StrCat("fresh-request-", i), absl::StrCat("fresh-patient-", i)));
  }
  for (const auto& outcome : CheckAll(fresh)) {
    ASSERT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome->outcome(), v1::CHECK_OUTCOME_ANSWERED);
  }
  ASSERT_TRUE(WaitFor([&] {
    for (int i = 0; i < kPending; ++i) {
      if (stack_->StateOf(absl::StrCat("pending-", 10000 + i)) != LedgerState::kAnswered) {
        return false;
      }
    }
    return true;
  })) << "not every recovered check was answered";
  terminal_->StopAnswering();

  EXPECT_LE(stack_->counter()->peak(), kCap);
  EXPECT_EQ(stack_->counter()->peak(), kCap) << "the cap was never reached: nothing was tested";
  // Each recovered request reached the terminal once more under its own id; the ones already in
  // req/ were found there (placed, not duplicated).
  std::map<std::string, int> placements = stack_->counter()->placements();
  EXPECT_EQ(placements.size(), static_cast<size_t>(kPending + fresh.size()));
  for (const auto& [id, times] : placements) EXPECT_EQ(times, 1) << id;
  for (int i = 0; i < kPending; ++i) {
    v1::PatientRecord record = stack_->Record(absl::StrCat("pending-patient-", i));
    EXPECT_EQ(record.confirmations_size(), 1);
  }
  const int64_t peak_rss = PeakRssKib();
  ASSERT_GT(peak_rss, 0);
  EXPECT_LT(peak_rss, kPeakRssBoundKib) << peak_rss << " KiB";
  RecordProperty("peak_rss_kib", static_cast<int>(peak_rss));
}

// B12: a check that waits for a place past its own deadline is UNCONFIRMED with the reason
// ONSHI_TERMINAL_BUSY, was never placed, and holds no place.
TEST_F(ServiceRobustnessTest, CheckThatNeverGetsAPlaceIsUnconfirmedBusy) {
  // No sweep: the only one to notice the deadline is the waiting check itself.
  StackOptions options;
  options.max_in_flight = 1;
  options.answer_timeout = absl::Milliseconds(800);
  options.sweep = false;
  stack_->Start(options);
  // Another exchange holds the only place for the whole test.
  v1::QualificationRequestDocument holder;
  holder.set_arbitrary_file_identifier("HOLDER0001");
  holder.set_qualification_confirmation_date("20250602");
  holder.set_medical_institution_code(kInstitution);
  ASSERT_TRUE(stack_->throttle()->Submit(DocumentKind::kQualificationRequest, holder).ok());

  absl::StatusOr<v1::CheckQualificationResponse> waited =
      stack_->Check(MakeCheck("busy-request", "busy-patient"));
  ASSERT_TRUE(waited.ok()) << waited.status();
  EXPECT_EQ(waited->outcome(), v1::CHECK_OUTCOME_UNCONFIRMED);
  EXPECT_EQ(waited->unconfirmed_reason().reason(), "ONSHI_TERMINAL_BUSY");
  LedgerEntry entry = stack_->Entry("busy-request");
  EXPECT_EQ(entry.state, LedgerState::kUnconfirmed);
  EXPECT_EQ(stack_->counter()->placements().count(entry.file_id), 0u) << "it was placed";
  EXPECT_EQ(stack_->throttle()->in_flight(), 1);
  EXPECT_EQ(stack_->throttle()->waiting(), 0);
  // A retry returns the same outcome without going to the terminal.
  absl::StatusOr<v1::CheckQualificationResponse> retry =
      stack_->Check(MakeCheck("busy-request", "busy-patient"));
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->unconfirmed_reason().reason(), "ONSHI_TERMINAL_BUSY");
}

}  // namespace
}  // namespace onshi::service
