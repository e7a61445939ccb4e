#include "adapters/oqs_files/transport.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/oqs_files/file_names.h"
#include "gmock/gmock.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "plugin/common/log.h"
#include "plugin/common/system_clock.h"
#include "plugin/core/errors.h"

namespace onshi::oqs {
namespace {

namespace fs = std::filesystem;
using ::google::protobuf::util::MessageDifferencer;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr auto kDeadline = std::chrono::seconds(15);

// ---------------------------------------------------------------------------------------------
// Fakes and helpers.

class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  absl::Time now_;
};

// Records every sink call. OnAnswer replies from a queue of scripted replies, then kProcessed.
class RecordingSink final : public AnswerSink {
 public:
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override {
    Enter();
    std::function<void()> during;
    absl::StatusOr<AnswerDisposition> reply = AnswerDisposition::kProcessed;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!replies_.empty()) {
        reply = replies_.front();
        replies_.pop_front();
      }
      during = during_answer_;
    }
    if (during) during();
    {
      std::lock_guard<std::mutex> lock(mu_);
      answers_.push_back(answer);
    }
    Leave();
    return reply;
  }
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override {
    Enter();
    absl::Status reply;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!rejection_replies_.empty()) {
        reply = rejection_replies_.front();
        rejection_replies_.pop_front();
      }
      rejections_.push_back(rejected);
    }
    Leave();
    return reply;
  }
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override {
    Enter();
    {
      std::lock_guard<std::mutex> lock(mu_);
      unreadables_.push_back(unreadable);
    }
    Leave();
    return absl::OkStatus();
  }

  void AddReply(absl::StatusOr<AnswerDisposition> reply) {
    std::lock_guard<std::mutex> lock(mu_);
    replies_.push_back(std::move(reply));
  }
  void AddRejectionReply(absl::Status reply) {
    std::lock_guard<std::mutex> lock(mu_);
    rejection_replies_.push_back(std::move(reply));
  }
  void SetDuringAnswer(std::function<void()> f) {
    std::lock_guard<std::mutex> lock(mu_);
    during_answer_ = std::move(f);
  }

  std::vector<IncomingAnswer> answers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_;
  }
  std::vector<RejectedRequest> rejections() const {
    std::lock_guard<std::mutex> lock(mu_);
    return rejections_;
  }
  std::vector<UnreadableAnswer> unreadables() const {
    std::lock_guard<std::mutex> lock(mu_);
    return unreadables_;
  }
  size_t answer_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_.size();
  }
  std::vector<std::string> answer_ids() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const IncomingAnswer& a : answers_) ids.push_back(a.file_id);
    return ids;
  }
  std::vector<std::string> unreadable_ids() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const UnreadableAnswer& u : unreadables_) ids.push_back(u.file_id);
    return ids;
  }
  int max_concurrent() const { return max_in_flight_.load(); }

 private:
  void Enter() {
    int now = ++in_flight_;
    int seen = max_in_flight_.load();
    while (now > seen && !max_in_flight_.compare_exchange_weak(seen, now)) {
    }
  }
  void Leave() { --in_flight_; }

  mutable std::mutex mu_;
  std::deque<absl::StatusOr<AnswerDisposition>> replies_;
  std::deque<absl::Status> rejection_replies_;
  std::function<void()> during_answer_;
  std::vector<IncomingAnswer> answers_;
  std::vector<RejectedRequest> rejections_;
  std::vector<UnreadableAnswer> unreadables_;
  std::atomic<int> in_flight_{0};
  std::atomic<int> max_in_flight_{0};
};

bool WaitFor(const std::function<bool()>& done,
             std::chrono::steady_clock::duration limit = kDeadline) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return done();
}

// Lets the watcher run for a while (used before asserting that something did NOT happen; the
// assertion holds however many scans fit in).
void LetItRun(std::chrono::milliseconds ms = std::chrono::milliseconds(300)) {
  std::this_thread::sleep_for(ms);
}

std::string MakeTempDir(const std::string& base) {
  std::string pattern = base + "/onshi_transport_XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) return "";
  return buf.data();
}

std::vector<std::string> List(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

bool Exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Writes `bytes` under a temp name in the same folder, then renames it: how a careful writer
// (the terminal, the simulator) drops a file.
void DropFile(const std::string& dir, const std::string& name, const std::string& bytes) {
  std::string temp = absl::StrCat(dir, "/", kTempFilePrefix, "test-", name);
  WriteFile(temp, bytes);
  ASSERT_EQ(rename(temp.c_str(), (dir + "/" + name).c_str()), 0);
}

v1::QualificationRequestDocument MakeRequest(const std::string& id) {
  v1::QualificationRequestDocument request;
  request.set_qualification_confirmation_date("20250602");
  request.set_medical_institution_code("1310000016");
  request.set_arbitrary_file_identifier(id);
  v1::QualificationSearchInfo* info = request.mutable_search_info();
  info->mutable_identifiers()->set_insurer_number("06139992");
  info->mutable_identifiers()->set_insured_card_symbol("ＴＥＳＴ記号");
  info->mutable_identifiers()->set_insured_identification_number("9900001");
  info->mutable_identifiers()->set_insured_branch_number("01");
  info->set_birth_date("19850412");
  info->set_limit_certificate_consent(v1::CONSENT_FLAG_GIVEN);
  return request;
}

// A realistic answer; `records` makes it bigger (the slow-writer test wants many chunks).
v1::QualificationResult MakeResult(const std::string& id, int records = 1) {
  v1::QualificationResult result;
  result.set_process_execution_time("20250602091030");
  result.set_qualification_confirmation_date("20250602");
  result.set_medical_institution_code("1310000016");
  result.set_arbitrary_file_identifier(id);
  result.set_reference_classification(v1::REFERENCE_CLASSIFICATION_INSURANCE_CARD);
  result.set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  result.set_character_code(v1::CHARACTER_CODE_UTF8);
  result.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
  for (int i = 0; i < records; ++i) {
    v1::QualificationRecord* r = result.add_records();
    r->set_insured_card_classification("01");
    r->mutable_identifiers()->set_insurer_number("06139992");
    r->mutable_identifiers()->set_insured_card_symbol("ＴＥＳＴ記号");
    r->mutable_identifiers()->set_insured_identification_number(absl::StrCat("99000", i));
    r->set_personal_family_classification("1");
    r->set_name("試験　太郎");
    r->set_name_kana("ｼｹﾝ ﾀﾛｳ");
    r->set_sex1("1");
    r->set_birth_date("19850412");
    r->set_address("東京都千代田区試験町一丁目一番一号　テストマンション１０１号室");
    r->set_post_number("100-0001");
    r->set_qualification_date("20200401");
    r->set_insured_card_valid_date("20200401");
    r->set_insured_partial_contribution_ratio("030");
    r->set_insurer_name("試験健康保険組合");
  }
  return result;
}

std::string EncodeResult(const v1::QualificationResult& result) {
  absl::StatusOr<std::string> bytes = EncodeQualificationResult(result, EncodeOptions{});
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

std::string AnswerName(const std::string& id) {
  return FileNameFor(DocumentKind::kQualificationAnswer, id);
}
std::string RequestName(const std::string& id) {
  return FileNameFor(DocumentKind::kQualificationRequest, id);
}
std::string ErrName(const std::string& id) {
  return FileNameFor(DocumentKind::kQualificationRequest, id, FileForm::kErr);
}

// The qualification result an answer carries (an empty one when it carries none, which fails the
// comparisons it is used in).
const v1::QualificationResult& ResultOf(const IncomingAnswer& answer) {
  const v1::QualificationResult* result = AnswerAs<v1::QualificationResult>(answer);
  EXPECT_NE(result, nullptr) << "answer " << answer.file_id << " carries no QualificationResult";
  return result != nullptr ? *result : v1::QualificationResult::default_instance();
}

class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = MakeTempDir(::testing::TempDir());
    ASSERT_FALSE(base_.empty());
    root_ = base_ + "/oqs";
    req_ = root_ + "/req";
    res_ = root_ + "/res";
    face_ = root_ + "/face";
    processed_ = base_ + "/state/processed";
    quarantine_ = base_ + "/state/quarantine";
    outside_ = base_ + "/outside";
    for (const std::string& d : {root_, req_, res_, outside_}) {
      ASSERT_EQ(mkdir(d.c_str(), 0755), 0) << d;
    }
    ASSERT_EQ(mkdir((base_ + "/state").c_str(), 0700), 0);
    options_.root = root_;
    options_.rescan_interval = absl::Milliseconds(20);
    options_.processed_dir = processed_;
    options_.quarantine_dir = quarantine_;
  }

  void TearDown() override {
    transport_.reset();
    std::error_code ec;
    fs::remove_all(base_, ec);
  }

  // Creates (and, unless told otherwise, starts) the transport with options_.
  void StartTransport(const Clock* clock = nullptr, bool start = true) {
    absl::StatusOr<std::unique_ptr<FileTransport>> t =
        FileTransport::Create(options_, clock != nullptr ? clock : &fake_clock_);
    ASSERT_TRUE(t.ok()) << t.status();
    transport_ = std::move(*t);
    if (start) {
      ASSERT_TRUE(transport_->Start(&sink_).ok());
    }
  }

  void DropAnswer(const std::string& id, const v1::QualificationResult& result) {
    DropFile(res_, AnswerName(id), EncodeResult(result));
  }

  std::string base_, root_, req_, res_, face_, processed_, quarantine_, outside_;
  FileTransportOptions options_;
  FakeClock fake_clock_{absl::FromUnixSeconds(1748822400)};  // 2025-06-02T00:00:00Z
  RecordingSink sink_;
  std::unique_ptr<FileTransport> transport_;
};

// ---------------------------------------------------------------------------------------------
// Create, CheckHealth.

TEST_F(TransportTest, CreateFailsWhenResIsMissing) {
  ASSERT_EQ(rmdir(res_.c_str()), 0);
  absl::StatusOr<std::unique_ptr<FileTransport>> t = FileTransport::Create(options_, &fake_clock_);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(ReasonOf(t.status()), "ONSHI_TERMINAL_UNAVAILABLE");
  EXPECT_EQ(t.status().code(), absl::StatusCode::kUnavailable);
}

TEST_F(TransportTest, CreateFailsWhenReqIsASymlink) {
  ASSERT_EQ(rmdir(req_.c_str()), 0);
  ASSERT_EQ(symlink(outside_.c_str(), req_.c_str()), 0);
  absl::StatusOr<std::unique_ptr<FileTransport>> t = FileTransport::Create(options_, &fake_clock_);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(ReasonOf(t.status()), "ONSHI_TERMINAL_UNAVAILABLE");
}

TEST_F(TransportTest, CreateMakesMissingPrivateFoldersWithMode0700) {
  StartTransport(nullptr, /*start=*/false);
  for (const std::string& d : {processed_, quarantine_}) {
    struct stat st;
    ASSERT_EQ(stat(d.c_str(), &st), 0) << d;
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0700u) << d;
  }
}

TEST_F(TransportTest, CreateRefusesGroupAccessibleQuarantineFolder) {
  ASSERT_EQ(mkdir(quarantine_.c_str(), 0700), 0);
  ASSERT_EQ(chmod(quarantine_.c_str(), 0750), 0);
  absl::StatusOr<std::unique_ptr<FileTransport>> t = FileTransport::Create(options_, &fake_clock_);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(ReasonOf(t.status()), "ONSHI_CONFIG_INVALID");
}

TEST_F(TransportTest, CreateRefusesResAsProcessedFolder) {
  ASSERT_EQ(chmod(res_.c_str(), 0700), 0);
  options_.processed_dir = res_;
  absl::StatusOr<std::unique_ptr<FileTransport>> t = FileTransport::Create(options_, &fake_clock_);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(ReasonOf(t.status()), "ONSHI_CONFIG_INVALID");
}

TEST_F(TransportTest, CreateRefusesNonPositiveRescanInterval) {
  options_.rescan_interval = absl::ZeroDuration();
  absl::StatusOr<std::unique_ptr<FileTransport>> t = FileTransport::Create(options_, &fake_clock_);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(ReasonOf(t.status()), "ONSHI_CONFIG_INVALID");
}

TEST_F(TransportTest, HealthIsOkWithBothFoldersAndUnavailableWithoutRes) {
  StartTransport(nullptr, /*start=*/false);
  EXPECT_TRUE(transport_->CheckHealth().ok());
  ASSERT_EQ(rmdir(res_.c_str()), 0);
  absl::Status health = transport_->CheckHealth();
  EXPECT_EQ(ReasonOf(health), "ONSHI_TERMINAL_UNAVAILABLE");
  WriteFile(res_, "not a directory");
  EXPECT_EQ(ReasonOf(transport_->CheckHealth()), "ONSHI_TERMINAL_UNAVAILABLE");
}

// ---------------------------------------------------------------------------------------------
// Submitting requests.

TEST_F(TransportTest, SubmitPlacesCompleteRequestUnderFinalNameAndNoTemp) {
  StartTransport(nullptr, /*start=*/false);
  v1::QualificationRequestDocument request = MakeRequest("REQ0001");
  ASSERT_TRUE(transport_->Submit(DocumentKind::kQualificationRequest, request).ok());

  EXPECT_THAT(List(req_), ElementsAre(RequestName("REQ0001")));
  std::string bytes = ReadFile(req_ + "/" + RequestName("REQ0001"));
  absl::StatusOr<v1::QualificationRequestDocument> decoded = DecodeQualificationRequest(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*decoded, request));
  struct stat st;
  ASSERT_EQ(stat((req_ + "/" + RequestName("REQ0001")).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07, 0u) << "request files are not world-readable";
}

TEST_F(TransportTest, SubmitInShiftJisDecodesToTheSameRequest) {
  options_.request_encoding = Encoding::kShiftJis;
  StartTransport(nullptr, /*start=*/false);
  v1::QualificationRequestDocument request = MakeRequest("SJIS01");
  ASSERT_TRUE(transport_->Submit(DocumentKind::kQualificationRequest, request).ok());
  std::string bytes = ReadFile(req_ + "/" + RequestName("SJIS01"));
  EXPECT_NE(bytes.find("Shift_JIS"), std::string::npos);
  absl::StatusOr<v1::QualificationRequestDocument> decoded = DecodeQualificationRequest(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*decoded, request));
}

TEST_F(TransportTest, SubmitNeverReplacesAnExistingFile) {
  StartTransport(nullptr, /*start=*/false);
  const std::string path = req_ + "/" + RequestName("DUP0001");
  WriteFile(path, "already here");
  absl::Status s = transport_->Submit(DocumentKind::kQualificationRequest, MakeRequest("DUP0001"));
  EXPECT_EQ(ReasonOf(s), "ONSHI_TERMINAL_UNAVAILABLE");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReadFile(path), "already here");
  EXPECT_THAT(List(req_), ElementsAre(RequestName("DUP0001"))) << "no temp file left";
}

// B2: a restarted service places its pending requests again, not knowing whether the file got
// there before the crash. The same bytes under the same name are that request: placed (and req/
// fsynced again), nothing replaced, no temp file left. A different request under the name is
// still refused.
TEST_F(TransportTest, SubmittingTheSameRequestAgainFindsItPlaced) {
  StartTransport(nullptr, /*start=*/false);
  const v1::QualificationRequestDocument request = MakeRequest("AGAIN01");
  ASSERT_TRUE(transport_->Submit(DocumentKind::kQualificationRequest, request).ok());
  const std::string path = req_ + "/" + RequestName("AGAIN01");
  const std::string bytes = ReadFile(path);
  EXPECT_TRUE(transport_->Submit(DocumentKind::kQualificationRequest, request).ok());
  EXPECT_THAT(List(req_), ElementsAre(RequestName("AGAIN01")));
  EXPECT_EQ(ReadFile(path), bytes);

  v1::QualificationRequestDocument other = request;
  other.set_qualification_confirmation_date("20250603");
  EXPECT_EQ(ReasonOf(transport_->Submit(DocumentKind::kQualificationRequest, other)),
            "ONSHI_TERMINAL_UNAVAILABLE");
  EXPECT_EQ(ReadFile(path), bytes);
  EXPECT_THAT(List(req_), ElementsAre(RequestName("AGAIN01")));
}

TEST_F(TransportTest, SubmitRefusesIdsThatBreakTheFileNameRule) {
  StartTransport(nullptr, /*start=*/false);
  for (const std::string& id :
       {std::string(""), std::string("../x"), std::string("a/b"), std::string("a b"),
        std::string("ｉｄ"), std::string(65, 'A'), std::string("face_0001")}) {
    absl::Status s = transport_->Submit(DocumentKind::kQualificationRequest, MakeRequest(id));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << "id " << id;
  }
  EXPECT_THAT(List(req_), IsEmpty());
  EXPECT_THAT(List(root_), ElementsAre("req", "res"));
}

TEST_F(TransportTest, SubmitFailsCleanlyWhenReqIsGone) {
  StartTransport(nullptr, /*start=*/false);
  ASSERT_EQ(rmdir(req_.c_str()), 0);
  absl::Status s = transport_->Submit(DocumentKind::kQualificationRequest, MakeRequest("GONE01"));
  EXPECT_EQ(ReasonOf(s), "ONSHI_TERMINAL_UNAVAILABLE");
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
}

TEST_F(TransportTest, ConcurrentSubmitsAllLandCompleteWithoutTemps) {
  StartTransport(nullptr, /*start=*/false);
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (!transport_
                 ->Submit(DocumentKind::kQualificationRequest,
                          MakeRequest(absl::StrCat("C", t, "_", i)))
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::vector<std::string> names = List(req_);
  ASSERT_EQ(names.size(), 100u);
  for (const std::string& name : names) {
    std::optional<FileName> parsed = ParseFileName(name);
    ASSERT_TRUE(parsed.has_value()) << "unexpected entry in req/";
    absl::StatusOr<v1::QualificationRequestDocument> decoded =
        DecodeQualificationRequest(ReadFile(req_ + "/" + name));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->arbitrary_file_identifier(), parsed->file_id);
  }
}

// ---------------------------------------------------------------------------------------------
// Temp files left by a crash (B2).

TEST_F(TransportTest, OwnTempFilesAndStaleForeignOnesAreRemovedAtCreate) {
  StartTransport(nullptr, /*start=*/false);
  const std::string tag = transport_->temp_file_tag();
  transport_.reset();

  const std::string own = absl::StrCat(req_, "/", kTempFilePrefix, tag, "-CRASHED");
  const std::string foreign_old = absl::StrCat(req_, "/", kTempFilePrefix, "otherhost-OLD");
  const std::string foreign_new = absl::StrCat(req_, "/", kTempFilePrefix, "otherhost-NEW");
  const std::string document = req_ + "/" + RequestName("KEEP01");
  for (const std::string& p : {own, foreign_old, foreign_new, document}) WriteFile(p, "<XmlMsg");
  struct timespec old_times[2] = {{time(nullptr) - 3600, 0}, {time(nullptr) - 3600, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, foreign_old.c_str(), old_times, 0), 0);

  StartTransport(nullptr, /*start=*/false);
  EXPECT_FALSE(Exists(own));
  EXPECT_FALSE(Exists(foreign_old));
  EXPECT_TRUE(Exists(foreign_new)) << "another writer may still be writing it";
  EXPECT_TRUE(Exists(document));
}

TEST_F(TransportTest, StaleForeignTempFilesAreSweptWhileRunning) {
  options_.stale_temp_age = absl::Seconds(1);
  StartTransport();
  const std::string foreign_old = absl::StrCat(req_, "/", kTempFilePrefix, "otherhost-OLD");
  WriteFile(foreign_old, "<XmlMsg");
  struct timespec old_times[2] = {{time(nullptr) - 3600, 0}, {time(nullptr) - 3600, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, foreign_old.c_str(), old_times, 0), 0);
  EXPECT_TRUE(WaitFor([&] { return !Exists(foreign_old); }));
}

// ---------------------------------------------------------------------------------------------
// Delivering answers.

TEST_F(TransportTest, AnswerIsDeliveredOnceAndArchivedPrivately) {
  StartTransport();
  v1::QualificationResult result = MakeResult("ANS0001");
  const std::string bytes = EncodeResult(result);
  DropFile(res_, AnswerName("ANS0001"), bytes);

  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  LetItRun();
  std::vector<IncomingAnswer> answers = sink_.answers();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].file_id, "ANS0001");
  EXPECT_EQ(answers[0].kind, DocumentKind::kQualificationAnswer);
  EXPECT_TRUE(MessageDifferencer::Equals(ResultOf(answers[0]), result));
  EXPECT_TRUE(answers[0].pdf.empty());
  EXPECT_EQ(answers[0].received_time, fake_clock_.Now());
  EXPECT_THAT(sink_.unreadables(), IsEmpty());

  ASSERT_THAT(List(processed_), ElementsAre(AnswerName("ANS0001")));
  const std::string archived = processed_ + "/" + AnswerName("ANS0001");
  EXPECT_EQ(ReadFile(archived), bytes);
  struct stat st;
  ASSERT_EQ(stat(archived.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TransportTest, AnswerIsDeletedWhenArchivingIsOff) {
  options_.archive_processed = false;
  options_.processed_dir.clear();
  StartTransport();
  DropAnswer("DEL0001", MakeResult("DEL0001"));
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  EXPECT_EQ(sink_.answer_count(), 1u);
  EXPECT_FALSE(Exists(processed_));
}

TEST_F(TransportTest, QuarantineDispositionMovesTheAnswerIntoQuarantine) {
  sink_.AddReply(AnswerDisposition::kQuarantine);
  StartTransport();
  DropAnswer("ORPHAN1", MakeResult("ORPHAN1"));
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  EXPECT_THAT(List(quarantine_), ElementsAre(AnswerName("ORPHAN1")));
  EXPECT_THAT(List(processed_), IsEmpty());
  struct stat st;
  ASSERT_EQ(stat((quarantine_ + "/" + AnswerName("ORPHAN1")).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(TransportTest, AnswerAlreadyWaitingIsDeliveredAtStart) {
  StartTransport(nullptr, /*start=*/false);
  DropAnswer("EARLY01", MakeResult("EARLY01"));
  ASSERT_TRUE(transport_->Start(&sink_).ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
  EXPECT_THAT(sink_.answer_ids(), ElementsAre("EARLY01"));
}

TEST_F(TransportTest, RescansFindAnswersWithNotificationsOff) {
  options_.notifications = false;
  StartTransport();
  DropAnswer("SMB0001", MakeResult("SMB0001"));
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  EXPECT_THAT(sink_.answer_ids(), ElementsAre("SMB0001"));
}

TEST_F(TransportTest, NotificationsAloneDeliverWithoutWaitingForARescan) {
  options_.rescan_interval = absl::Hours(1);
  StartTransport();
  LetItRun(std::chrono::milliseconds(100));  // the initial scan is done
  DropAnswer("FAST001", MakeResult("FAST001"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
  EXPECT_THAT(sink_.answer_ids(), ElementsAre("FAST001"));
}

TEST_F(TransportTest, ResFolderThatVanishesAndReturnsIsWatchedAgain) {
  StartTransport();
  DropAnswer("VANISH1", MakeResult("VANISH1"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1 && List(res_).empty(); }));
  ASSERT_EQ(rmdir(res_.c_str()), 0);  // the share went away
  LetItRun(std::chrono::milliseconds(100));
  EXPECT_EQ(ReasonOf(transport_->CheckHealth()), "ONSHI_TERMINAL_UNAVAILABLE");
  ASSERT_EQ(mkdir(res_.c_str(), 0755), 0);  // and came back
  EXPECT_TRUE(transport_->CheckHealth().ok());
  DropAnswer("VANISH2", MakeResult("VANISH2"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 2; }));
  EXPECT_THAT(sink_.answer_ids(), ElementsAre("VANISH1", "VANISH2"));
}

TEST_F(TransportTest, SameAnswerDroppedTwiceIsDeliveredTwiceAndEachFileOnce) {
  StartTransport();
  v1::QualificationResult result = MakeResult("TWICE01");
  DropAnswer("TWICE01", result);
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1 && List(res_).empty(); }));
  DropAnswer("TWICE01", result);
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 2 && List(res_).empty(); }));
  LetItRun();
  EXPECT_EQ(sink_.answer_count(), 2u);
  EXPECT_EQ(List(processed_).size(), 2u) << "the second archive gets its own name";
}

TEST_F(TransportTest, SinkErrorLeavesTheFileAndItIsRetried) {
  sink_.AddReply(MakeError(errors::kStoreUnavailable, "test"));
  sink_.AddReply(MakeError(errors::kStoreUnavailable, "test"));
  StartTransport();
  DropAnswer("RETRY01", MakeResult("RETRY01"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() >= 1; }));
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  LetItRun();
  EXPECT_EQ(sink_.answer_count(), 3u);
  EXPECT_THAT(List(processed_), ElementsAre(AnswerName("RETRY01")));
}

TEST_F(TransportTest, BurstOfAnswersIsDeliveredOneAtATimeEachOnce) {
  StartTransport();
  constexpr int kCount = 200;
  for (int i = 0; i < kCount; ++i) {
    std::string id = absl::StrCat("BURST", i);
    DropAnswer(id, MakeResult(id));
  }
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  LetItRun();
  std::vector<std::string> ids = sink_.answer_ids();
  EXPECT_EQ(ids.size(), static_cast<size_t>(kCount));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), static_cast<size_t>(kCount));
  EXPECT_EQ(sink_.max_concurrent(), 1);
  EXPECT_EQ(List(processed_).size(), static_cast<size_t>(kCount));
}

// Figures scale up to reliability.md's full ones with EXTENDED=1.
bool Extended() {
  const char* v = std::getenv("EXTENDED");
  return v != nullptr && std::string(v) == "1";
}

// B10: how many answers a burst has: reliability.md's 10,000, and more if this machine's inotify
// queue is larger, so that the stalled watcher's queue surely overflows (two events per file).
int BurstSize() {
  int max_queued = 16384;
  std::ifstream in("/proc/sys/fs/inotify/max_queued_events");
  in >> max_queued;
  return std::max(10000, max_queued / 2 + 1000);
}

// Drops `count` answers named <prefix><i>, each written under a temp name in res/ and renamed.
void DropBurst(const std::string& res, const std::string& prefix, int count) {
  const std::string bytes_template = EncodeResult(MakeResult("@@ID@@"));
  const size_t at = bytes_template.find("@@ID@@");
  ASSERT_NE(at, std::string::npos);
  for (int i = 0; i < count; ++i) {
    const std::string id = absl::StrCat(prefix, i);
    std::string bytes = bytes_template;
    bytes.replace(at, 6, id);
    DropFile(res, AnswerName(id), bytes);
  }
}

// Every one of the burst delivered exactly once.
void ExpectBurstDeliveredOnce(const RecordingSink& sink, const std::string& prefix, int count) {
  std::set<std::string> ids;
  int of_burst = 0;
  for (const std::string& id : sink.answer_ids()) {
    if (id.rfind(prefix, 0) != 0) continue;
    ++of_burst;
    ids.insert(id);
  }
  EXPECT_EQ(of_burst, count) << "delivered more than once";
  EXPECT_EQ(ids.size(), static_cast<size_t>(count)) << "lost";
}

// B10: a burst lands while the watcher is stalled (its sink is slow), so the inotify queue
// overflows. Rescans are an hour apart: only the overflow's full scan can find what the lost
// events announced, and it finds all of it.
TEST_F(TransportTest, BurstThatOverflowsTheEventQueueIsFoundByTheRescanItTriggers) {
  SetLogLevel(LogLevel::kWarning);  // one info line per delivered file otherwise
  const int count = BurstSize();
  options_.rescan_interval = absl::Hours(1);
  options_.archive_processed = false;
  // Shared with the sink's hook, which may outlive this scope until TearDown stops the watcher.
  auto stalled = std::make_shared<std::atomic<bool>>(false);
  auto release = std::make_shared<std::atomic<bool>>(false);
  struct Unstall {
    std::shared_ptr<std::atomic<bool>> release;
    ~Unstall() { *release = true; }
  } unstall{release};
  sink_.SetDuringAnswer([stalled, release] {
    if (stalled->exchange(true)) return;
    while (!release->load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  });
  StartTransport();
  LetItRun(std::chrono::milliseconds(100));  // the initial scan is done
  DropAnswer("STALL01", MakeResult("STALL01"));
  ASSERT_TRUE(WaitFor([&] { return stalled->load(); }));
  DropBurst(res_, "OVF", count);
  *release = true;
  const auto released = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == static_cast<size_t>(count + 1); },
                      std::chrono::seconds(120)))
      << sink_.answer_count() << " of " << count + 1;
  ::testing::Test::RecordProperty(
      "burst_ms", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::steady_clock::now() - released)
                                       .count()));
  ::testing::Test::RecordProperty("burst_files", count);
  ExpectBurstDeliveredOnce(sink_, "OVF", count);
  EXPECT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  SetLogLevel(LogLevel::kInfo);
}

// B10 on a share without notifications (SMB/CIFS): what is there is found by one scan. With
// rescans an hour apart, the scan at start is the only one the test leaves time for.
TEST_F(TransportTest, BurstWithoutNotificationsIsFoundByASingleScan) {
  SetLogLevel(LogLevel::kWarning);
  const int count = BurstSize();
  options_.notifications = false;
  options_.rescan_interval = absl::Hours(1);
  options_.archive_processed = false;
  DropBurst(res_, "SMB", count);
  const auto started = std::chrono::steady_clock::now();
  StartTransport();
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == static_cast<size_t>(count); },
                      std::chrono::seconds(120)))
      << sink_.answer_count() << " of " << count;
  ::testing::Test::RecordProperty(
      "scan_ms", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::steady_clock::now() - started)
                                      .count()));
  ExpectBurstDeliveredOnce(sink_, "SMB", count);
  EXPECT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  SetLogLevel(LogLevel::kInfo);
}

// B1: writers that put the answer straight under its final name, slowly: chunks of 1 B to 4 KiB
// (mostly small), pauses between them, now and then a long one, several writers at once. Every
// trial must be delivered exactly once, complete, and never reported unreadable. The fake clock
// never moves, so the malformed grace never runs out however long a writer pauses.
void SlowWriterTrials(const std::string& res, RecordingSink* sink, const std::string& prefix,
                      int trials) {
  constexpr int kWriters = 4;
  std::atomic<int> partial{0};
  std::atomic<int> lost{0};
  std::atomic<int> twice{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(20250602 + w);
      std::discrete_distribution<int> chunk_class({50, 35, 15});
      std::uniform_int_distribution<size_t> small(1, 64), medium(65, 512), large(513, 4096);
      std::uniform_int_distribution<int> pause_us(0, 2000);
      std::uniform_int_distribution<int> long_pause_ms(50, 300);
      for (int trial = w; trial < trials; trial += kWriters) {
        const std::string id = absl::StrCat(prefix, trial);
        v1::QualificationResult result = MakeResult(id, 1 + trial % 6);
        const std::string bytes = EncodeResult(result);
        int fd = open((res + "/" + AnswerName(id)).c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
        ASSERT_GE(fd, 0);
        const bool long_pause = trial % 25 == 0;
        size_t done = 0;
        while (done < bytes.size()) {
          const int cls = chunk_class(rng);
          size_t n = cls == 0 ? small(rng) : cls == 1 ? medium(rng) : large(rng);
          n = std::min(n, bytes.size() - done);
          ASSERT_EQ(write(fd, bytes.data() + done, n), static_cast<ssize_t>(n));
          done += n;
          if (long_pause && done > bytes.size() / 2 && done - n <= bytes.size() / 2) {
            std::this_thread::sleep_for(std::chrono::milliseconds(long_pause_ms(rng)));
          } else {
            std::this_thread::sleep_for(std::chrono::microseconds(pause_us(rng)));
          }
        }
        close(fd);
        if (!WaitFor([&] {
              std::vector<std::string> ids = sink->answer_ids();
              return std::count(ids.begin(), ids.end(), id) >= 1 &&
                     !Exists(res + "/" + AnswerName(id));
            })) {
          ++lost;
          ADD_FAILURE() << "trial " << trial << " never delivered";
          continue;
        }
        int delivered = 0;
        for (const IncomingAnswer& a : sink->answers()) {
          if (a.file_id != id) continue;
          ++delivered;
          if (!MessageDifferencer::Equals(ResultOf(a), result)) {
            ++partial;
            ADD_FAILURE() << "partial import, trial " << trial;
          }
        }
        if (delivered != 1) {
          ++twice;
          ADD_FAILURE() << "trial " << trial << " delivered " << delivered << " times";
        }
      }
    });
  }
  for (std::thread& t : writers) t.join();
  EXPECT_EQ(partial.load(), 0);
  EXPECT_EQ(lost.load(), 0);
  EXPECT_EQ(twice.load(), 0);
  EXPECT_THAT(sink->unreadables(), IsEmpty());
  ::testing::Test::RecordProperty("trials", trials);
}

// 500 trials each in CI (reliability.md B1: 500), 5,000 each (10,000) with EXTENDED=1.
TEST_F(TransportTest, SlowWriterIsNeverImportedPartiallyWithNotifications) {
  options_.rescan_interval = absl::Milliseconds(3);
  StartTransport();
  SlowWriterTrials(res_, &sink_, "SLOWN", Extended() ? 5000 : 500);
}

TEST_F(TransportTest, SlowWriterIsNeverImportedPartiallyWithRescansOnly) {
  options_.rescan_interval = absl::Milliseconds(2);
  options_.notifications = false;
  StartTransport();
  SlowWriterTrials(res_, &sink_, "SLOWR", Extended() ? 5000 : 500);
}

// ---------------------------------------------------------------------------------------------
// Unreadable answers.

TEST_F(TransportTest, MalformedAnswerIsQuarantinedOnlyAfterTheGracePeriod) {
  options_.malformed_grace = absl::Seconds(10);
  StartTransport();
  DropFile(res_, AnswerName("BAD0001"),
           "<?xml version=\"1.0\" encoding=\"UTF-8\"?><XmlMsg><MessageHeader>");
  LetItRun();
  EXPECT_TRUE(Exists(res_ + "/" + AnswerName("BAD0001")));
  EXPECT_THAT(sink_.unreadables(), IsEmpty());

  fake_clock_.Advance(absl::Seconds(9));
  LetItRun();
  EXPECT_TRUE(Exists(res_ + "/" + AnswerName("BAD0001")));
  EXPECT_THAT(sink_.unreadables(), IsEmpty());

  fake_clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 1; }));
  UnreadableAnswer u = sink_.unreadables()[0];
  EXPECT_EQ(u.kind, DocumentKind::kQualificationAnswer);
  EXPECT_EQ(u.file_id, "BAD0001");
  EXPECT_EQ(ReasonOf(u.error), "ONSHI_TERMINAL_MALFORMED_ANSWER");
  EXPECT_FALSE(Exists(res_ + "/" + AnswerName("BAD0001")));
  EXPECT_THAT(List(quarantine_), ElementsAre(AnswerName("BAD0001")));
  EXPECT_THAT(sink_.answers(), IsEmpty());
}

TEST_F(TransportTest, AnswerThatChangesRestartsTheGracePeriodAndIsThenDelivered) {
  options_.malformed_grace = absl::Seconds(10);
  StartTransport();
  const std::string path = res_ + "/" + AnswerName("GROW001");
  const std::string bytes = EncodeResult(MakeResult("GROW001"));
  WriteFile(path, bytes.substr(0, bytes.size() / 2));
  LetItRun();
  fake_clock_.Advance(absl::Seconds(8));
  LetItRun();
  // The writer resumes after a long pause: the half written so far was never given up on.
  WriteFile(path, bytes);
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
  EXPECT_THAT(sink_.unreadables(), IsEmpty());
}

// B6: the id in the name and the ArbitraryFileIdentifier inside must be equal, byte for byte.
// 20 near misses (substrings both ways, case, leading zeros, separators, width, length) are
// quarantined; the exact match among them is delivered.
TEST_F(TransportTest, IdMismatchBetweenNameAndContentIsQuarantined) {
  const std::vector<std::pair<std::string, std::string>> kNearMisses = {
      {"123", "1234"},
      {"5678", "567"},
      {"ABC", "abc"},
      {"abc", "ABC"},
      {"AbC", "aBc"},
      {"0123", "123"},
      {"321", "0321"},
      {"00001", "1"},
      {"ID_1", "ID-1"},
      {"a-b", "a_b"},
      {"X", "XX"},
      {"XX", "X"},
      {"REQ0001", "REQ0002"},
      {"ab12", "ab12_"},
      {"cd34", "_cd34"},
      {"Q1", "Q1Q1"},
      {"Q1Q1", "Q1"},
      {"12345678901234567890", "1234567890123456789"},
      {std::string(64, 'L'), std::string(63, 'L')},
      {"Z9", "Ｚ９"},
  };
  ASSERT_EQ(kNearMisses.size(), 20u);
  StartTransport();
  std::vector<std::string> expected_quarantine;
  for (const auto& [name_id, content_id] : kNearMisses) {
    DropAnswer(name_id, MakeResult(content_id));
    expected_quarantine.push_back(AnswerName(name_id));
  }
  DropAnswer("EXACT01", MakeResult("EXACT01"));
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == kNearMisses.size(); }))
      << sink_.unreadables().size();
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
  for (const UnreadableAnswer& u : sink_.unreadables()) {
    EXPECT_EQ(ReasonOf(u.error), "ONSHI_TERMINAL_MALFORMED_ANSWER");
  }
  EXPECT_THAT(sink_.answer_ids(), ElementsAre("EXACT01"));
  EXPECT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  std::sort(expected_quarantine.begin(), expected_quarantine.end());
  EXPECT_EQ(List(quarantine_), expected_quarantine);
}

// ---------------------------------------------------------------------------------------------
// Hostile folder content (B8).

TEST_F(TransportTest, SymlinkNamedLikeAnAnswerIsNeverFollowed) {
  const std::string target = outside_ + "/secret.xml";
  const std::string bytes = EncodeResult(MakeResult("LINK001"));
  WriteFile(target, bytes);
  ASSERT_EQ(symlink(target.c_str(), (res_ + "/" + AnswerName("LINK001")).c_str()), 0);
  StartTransport();
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 1; }));
  EXPECT_EQ(sink_.unreadables()[0].file_id, "LINK001");
  EXPECT_THAT(sink_.answers(), IsEmpty()) << "the link's target was read";
  EXPECT_EQ(ReadFile(target), bytes);
  EXPECT_THAT(List(res_), IsEmpty());
  // Same file system: the link itself was moved, still pointing where it pointed.
  struct stat st;
  ASSERT_EQ(lstat((quarantine_ + "/" + AnswerName("LINK001")).c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
}

TEST_F(TransportTest, FifoNamedLikeAnAnswerNeitherBlocksNorIsRead) {
  ASSERT_EQ(mkfifo((res_ + "/" + AnswerName("FIFO001")).c_str(), 0600), 0);
  StartTransport();
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 1; }));
  EXPECT_EQ(sink_.unreadables()[0].file_id, "FIFO001");
  // The watcher is still alive.
  DropAnswer("AFTER01", MakeResult("AFTER01"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
  transport_->Stop();
}

TEST_F(TransportTest, DirectoryNamedLikeAnAnswerIsLeftAlone) {
  ASSERT_EQ(mkdir((res_ + "/" + AnswerName("DIR0001")).c_str(), 0755), 0);
  WriteFile(res_ + "/" + AnswerName("DIR0001") + "/inner", "x");
  StartTransport();
  DropAnswer("AFTER02", MakeResult("AFTER02"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
  LetItRun();
  EXPECT_THAT(sink_.answer_ids(), ElementsAre("AFTER02"));
  EXPECT_THAT(sink_.unreadables(), IsEmpty());
  EXPECT_TRUE(Exists(res_ + "/" + AnswerName("DIR0001") + "/inner"));
}

TEST_F(TransportTest, HardLinkedAnswerIsNeverReadAndQuarantinedAfterGrace) {
  const std::string target = outside_ + "/db.xml";
  const std::string bytes = EncodeResult(MakeResult("HARD001"));
  WriteFile(target, bytes);
  ASSERT_EQ(link(target.c_str(), (res_ + "/" + AnswerName("HARD001")).c_str()), 0);
  StartTransport();
  LetItRun();
  EXPECT_THAT(sink_.answers(), IsEmpty());
  EXPECT_THAT(sink_.unreadables(), IsEmpty());
  fake_clock_.Advance(options_.malformed_grace + absl::Seconds(1));
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 1; }));
  EXPECT_EQ(sink_.unreadables()[0].file_id, "HARD001");
  EXPECT_THAT(sink_.answers(), IsEmpty());
  EXPECT_EQ(ReadFile(target), bytes) << "the other name is untouched";
  EXPECT_THAT(List(res_), IsEmpty());
}

TEST_F(TransportTest, OversizedSparseAnswerIsQuarantinedWithoutReadingIt) {
  const std::string path = res_ + "/" + AnswerName("HUGE001");
  int fd = open(path.c_str(), O_CREAT | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, off_t{1} << 30), 0);  // 1 GiB, sparse
  close(fd);
  StartTransport();
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 1; }));
  EXPECT_EQ(sink_.unreadables()[0].file_id, "HUGE001");
  EXPECT_EQ(ReasonOf(sink_.unreadables()[0].error), "ONSHI_TERMINAL_MALFORMED_ANSWER");
  EXPECT_THAT(List(res_), IsEmpty());
  EXPECT_THAT(List(quarantine_), ElementsAre(AnswerName("HUGE001")));
}

TEST_F(TransportTest, NamesThatAreNotExactlyDocumentNamesAreIgnored) {
  const std::string bytes = EncodeResult(MakeResult("x"));
  const std::vector<std::string> odd = {
      "OQSsiquc01res_a b.xml",      "OQSsiquc01res_a\\b.xml",
      "OQSsiquc01res_\xC3\xA9.xml", "OQSsiquc01res_a\nb.xml",
      "OQSsiquc01res_.xml",         "OQSsiquc01res_x.xml.tmp",
      "OQSsiquc01res_x.XML",        "oqssiquc01res_x.xml",
      "..OQSsiquc01res_x.xml",      ".onshi-tmp-OQSsiquc01res_x.xml",
      "OQSsiquc01res_x.xml~",       absl::StrCat("OQSsiquc01res_", std::string(65, 'a'), ".xml"),
      std::string(250, 'n'),        "OQSsiquc01res_face_x.xml",
  };
  for (const std::string& name : odd) WriteFile(res_ + "/" + name, bytes);
  StartTransport();
  DropAnswer("AFTER03", MakeResult("AFTER03"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
  LetItRun();
  EXPECT_THAT(sink_.answer_ids(), ElementsAre("AFTER03"));
  EXPECT_THAT(sink_.unreadables(), IsEmpty());
  EXPECT_THAT(sink_.rejections(), IsEmpty());
  EXPECT_EQ(List(res_).size(), odd.size()) << "strays are left where they are";
}

// B8, all at once: 15 hostile entries in res/ and face/. None is followed or read, and inotify on
// everything they point at (and on the FIFO and the device themselves) shows that nothing outside
// the folders was opened, let alone read: 0 escapes.
TEST_F(TransportTest, HostileEntriesAreNeverFollowedAndNothingOutsideIsOpened) {
  ASSERT_EQ(mkdir(face_.c_str(), 0755), 0);
  const std::string bytes = EncodeResult(MakeResult("TARGET"));
  const std::string secret = outside_ + "/shadow";
  const std::string secret2 = outside_ + "/shadow2";
  const std::string db = base_ + "/state/onshi.db";
  const std::string outdir = outside_ + "/dir";
  for (const std::string& f : {secret, secret2, db}) WriteFile(f, bytes);
  ASSERT_EQ(mkdir(outdir.c_str(), 0755), 0);
  WriteFile(outdir + "/inner.xml", bytes);

  auto answer = [&](const std::string& id) { return res_ + "/" + AnswerName(id); };
  int unreadable = 0;
  // 1-4: symlinks named like answers, to a file outside, to the database, to a directory, and a
  // relative one climbing out.
  ASSERT_EQ(symlink(secret.c_str(), answer("L1").c_str()), 0);
  ASSERT_EQ(symlink(db.c_str(), answer("L2").c_str()), 0);
  ASSERT_EQ(symlink(outdir.c_str(), answer("L3").c_str()), 0);
  ASSERT_EQ(symlink("../../outside/shadow", answer("L4").c_str()), 0);
  unreadable += 4;
  // 5: a symlink named like a check-in in face/.
  ASSERT_EQ(symlink(secret.c_str(),
                    (face_ + "/" + FileNameFor(DocumentKind::kFaceCheckin, "L5")).c_str()),
            0);
  ++unreadable;
  // 6-7: hard links to a file outside and to the database.
  ASSERT_EQ(link(secret2.c_str(), answer("H1").c_str()), 0);
  ASSERT_EQ(link(db.c_str(), answer("H2").c_str()), 0);
  unreadable += 2;
  // 8: a FIFO (opening it for reading would block the watcher).
  ASSERT_EQ(mkfifo(answer("F1").c_str(), 0644), 0);
  ++unreadable;
  // 9: a socket.
  int sock = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  const std::string sock_path = answer("S1");
  ASSERT_LT(sock_path.size(), sizeof(addr.sun_path));
  std::memcpy(addr.sun_path, sock_path.c_str(), sock_path.size() + 1);
  ASSERT_EQ(bind(sock, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr)), 0);
  close(sock);
  ++unreadable;
  // 10: a character device (what /dev/zero is); root may make one here.
  bool device = mknod(answer("D1").c_str(), S_IFCHR | 0644, makedev(1, 5)) == 0;
  if (device) ++unreadable;
  // 11-12: an .err and a returned request that are symlinks: the rejection stands, nothing read.
  ASSERT_EQ(symlink(secret.c_str(), (res_ + "/" + ErrName("E1")).c_str()), 0);
  ASSERT_EQ(symlink(secret.c_str(), (res_ + "/" + RequestName("R1")).c_str()), 0);
  // 13: a directory named like an answer.
  ASSERT_EQ(mkdir(answer("DIR1").c_str(), 0755), 0);
  WriteFile(answer("DIR1") + "/inner.xml", bytes);
  // 14-15: names that are not document names: a backslash path, the longest name there is.
  WriteFile(res_ + "/OQSsiquc01res_..\\..\\outside.xml", bytes);
  WriteFile(res_ + "/" + std::string(255, 'n'), bytes);

  // Watch every inode an escape would touch, after the test itself wrote them.
  int watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  ASSERT_GE(watch, 0);
  std::vector<std::string> watched = {secret,      secret2, db, outdir, outdir + "/inner.xml",
                                      answer("F1")};
  if (device) watched.push_back(answer("D1"));
  for (const std::string& path : watched) {
    ASSERT_GE(inotify_add_watch(watch, path.c_str(), IN_OPEN | IN_ACCESS | IN_DONT_FOLLOW), 0)
        << path;
  }

  StartTransport();
  LetItRun();
  fake_clock_.Advance(options_.malformed_grace + absl::Seconds(1));  // hard links, returned req
  ASSERT_TRUE(WaitFor([&] {
    return sink_.unreadables().size() == static_cast<size_t>(unreadable) &&
           sink_.rejections().size() == 2;
  })) << sink_.unreadables().size()
      << " unreadable, " << sink_.rejections().size() << " rejected";
  LetItRun();
  EXPECT_THAT(sink_.answers(), IsEmpty()) << "something was read as an answer";

  alignas(struct inotify_event) char events[4096];
  ssize_t got = read(watch, events, sizeof(events));
  close(watch);
  EXPECT_LT(got, 0) << "an inode outside the folders (or a FIFO/device) was opened or read";
  EXPECT_EQ(errno, EAGAIN);
  for (const std::string& f : {secret, secret2, db}) EXPECT_EQ(ReadFile(f), bytes);
  // What was moved into quarantine is the entry itself (a link stays a link), never a copy of
  // what it pointed at.
  struct stat st;
  ASSERT_EQ(lstat((quarantine_ + "/" + AnswerName("L1")).c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  // Left: the directory and the two strays; face/ is empty.
  EXPECT_EQ(List(res_).size(), 3u) << ::testing::PrintToString(List(res_));
  EXPECT_TRUE(Exists(answer("DIR1") + "/inner.xml"));
  EXPECT_THAT(List(face_), IsEmpty());
  ::testing::Test::RecordProperty("hostile_entries", device ? 15 : 14);
}

// ---------------------------------------------------------------------------------------------
// Rejected requests (.err).

TEST(ExtractSafeErrorCodeTest, KeepsOnlyShortPlainCodes) {
  EXPECT_EQ(ExtractSafeErrorCode("E1234"), "E1234");
  EXPECT_EQ(ExtractSafeErrorCode("  E1234\r\n"), "E1234");
  EXPECT_EQ(ExtractSafeErrorCode("\xEF\xBB\xBFXML-ERR_01\n"), "XML-ERR_01");
  EXPECT_EQ(ExtractSafeErrorCode("E0001 スキーマエラー 山田太郎"), "E0001");
  EXPECT_EQ(ExtractSafeErrorCode("E0001\nline two"), "E0001");
  EXPECT_EQ(ExtractSafeErrorCode(std::string(32, 'A')), std::string(32, 'A'));
  EXPECT_EQ(ExtractSafeErrorCode(std::string(33, 'A')), "");
  EXPECT_EQ(ExtractSafeErrorCode("E0001: bad"), "");
  EXPECT_EQ(ExtractSafeErrorCode("<?xml version=\"1.0\"?><XmlMsg>"), "");
  EXPECT_EQ(ExtractSafeErrorCode("スキーマエラー"), "");
  EXPECT_EQ(ExtractSafeErrorCode(""), "");
  EXPECT_EQ(ExtractSafeErrorCode("   \n"), "");
  EXPECT_EQ(ExtractSafeErrorCode(std::string("E1\0x", 4)), "");
}

TEST_F(TransportTest, ErrFileMapsToRejectionAndBothFilesAreQuarantined) {
  StartTransport();
  DropFile(res_, RequestName("REJ0001"), "<?xml version=\"1.0\"?><XmlMsg/>");
  DropFile(res_, ErrName("REJ0001"), "E1234\r\n");
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  std::vector<RejectedRequest> rejections = sink_.rejections();
  ASSERT_EQ(rejections.size(), 1u);
  EXPECT_EQ(rejections[0].kind, DocumentKind::kQualificationRequest);
  EXPECT_EQ(rejections[0].file_id, "REJ0001");
  EXPECT_EQ(rejections[0].error_code, "E1234");
  EXPECT_THAT(List(quarantine_), ElementsAre(ErrName("REJ0001"), RequestName("REJ0001")));
}

TEST_F(TransportTest, ErrFileWithTextGivesAnEmptyCode) {
  StartTransport();
  DropFile(res_, ErrName("REJ0002"), "要求ファイルの形式が不正です: 山田太郎");
  ASSERT_TRUE(WaitFor([&] { return sink_.rejections().size() == 1; }));
  EXPECT_EQ(sink_.rejections()[0].file_id, "REJ0002");
  EXPECT_EQ(sink_.rejections()[0].error_code, "");
  EXPECT_TRUE(WaitFor([&] { return List(res_).empty(); }));
}

TEST_F(TransportTest, RejectionIsRetriedWhenTheSinkFails) {
  sink_.AddRejectionReply(MakeError(errors::kStoreUnavailable, "test"));
  StartTransport();
  DropFile(res_, ErrName("REJ0003"), "E9");
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  ASSERT_EQ(sink_.rejections().size(), 2u);
  EXPECT_EQ(sink_.rejections()[1].error_code, "E9");
}

TEST_F(TransportTest, ReturnedRequestWithoutErrIsRejectedAfterTheGracePeriod) {
  StartTransport();
  DropFile(res_, RequestName("LONE001"), "<?xml version=\"1.0\"?><XmlMsg/>");
  LetItRun();
  EXPECT_THAT(sink_.rejections(), IsEmpty());
  EXPECT_TRUE(Exists(res_ + "/" + RequestName("LONE001")));
  fake_clock_.Advance(options_.malformed_grace + absl::Seconds(1));
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  ASSERT_EQ(sink_.rejections().size(), 1u);
  EXPECT_EQ(sink_.rejections()[0].kind, DocumentKind::kQualificationRequest);
  EXPECT_EQ(sink_.rejections()[0].file_id, "LONE001");
  EXPECT_EQ(sink_.rejections()[0].error_code, "");
  EXPECT_THAT(List(quarantine_), ElementsAre(RequestName("LONE001")));
}

// ---------------------------------------------------------------------------------------------
// Moving across file systems (archive on a local disk, res/ on another mount).

TEST_F(TransportTest, ArchiveOnAnotherFileSystemIsACopyThenUnlink) {
  std::string other = MakeTempDir("/dev/shm");
  if (other.empty()) GTEST_SKIP() << "no /dev/shm";
  struct stat a, b;
  ASSERT_EQ(stat(base_.c_str(), &a), 0);
  ASSERT_EQ(stat(other.c_str(), &b), 0);
  if (a.st_dev == b.st_dev) {
    fs::remove_all(other);
    GTEST_SKIP() << "/dev/shm is on the same file system";
  }
  options_.processed_dir = other + "/processed";
  options_.quarantine_dir = other + "/quarantine";
  StartTransport();
  const std::string bytes = EncodeResult(MakeResult("XDEV001"));
  DropFile(res_, AnswerName("XDEV001"), bytes);
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  EXPECT_THAT(List(options_.processed_dir), ElementsAre(AnswerName("XDEV001")));
  const std::string archived = options_.processed_dir + "/" + AnswerName("XDEV001");
  EXPECT_EQ(ReadFile(archived), bytes);
  struct stat st;
  ASSERT_EQ(stat(archived.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A symlink cannot be moved across: it is unlinked, its target untouched.
  const std::string target = outside_ + "/target.xml";
  WriteFile(target, bytes);
  ASSERT_EQ(symlink(target.c_str(), (res_ + "/" + AnswerName("XDEV002")).c_str()), 0);
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 1; }));
  EXPECT_THAT(List(res_), IsEmpty());
  EXPECT_EQ(ReadFile(target), bytes);
  transport_.reset();
  fs::remove_all(other);
}

// ---------------------------------------------------------------------------------------------
// Start and Stop.

TEST_F(TransportTest, StopIsIdempotentAndWorksWithoutStart) {
  StartTransport(nullptr, /*start=*/false);
  transport_->Stop();
  transport_->Stop();
  ASSERT_TRUE(transport_->Start(&sink_).ok());
  transport_->Stop();
  transport_->Stop();
}

TEST_F(TransportTest, StopReturnsWhileTheWatcherIsIdle) {
  options_.rescan_interval = absl::Hours(1);
  options_.notifications = false;
  StartTransport();
  LetItRun(std::chrono::milliseconds(50));
  transport_->Stop();  // a watcher that ignored its wake-up would hang here for an hour
  DropAnswer("LATE001", MakeResult("LATE001"));
  LetItRun();
  EXPECT_THAT(sink_.answers(), IsEmpty()) << "no sink call after Stop";
}

TEST_F(TransportTest, StartTwiceIsRefusedAndRestartAfterStopWorks) {
  StartTransport();
  EXPECT_FALSE(transport_->Start(&sink_).ok());
  EXPECT_FALSE(transport_->Start(nullptr).ok());
  transport_->Stop();
  ASSERT_TRUE(transport_->Start(&sink_).ok());
  DropAnswer("AGAIN01", MakeResult("AGAIN01"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
}

TEST_F(TransportTest, StopFromInsideTheSinkDoesNotDeadlock) {
  StartTransport();
  sink_.SetDuringAnswer([this] { transport_->Stop(); });
  DropAnswer("STOP001", MakeResult("STOP001"));
  DropAnswer("STOP002", MakeResult("STOP002"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() >= 1; }));
  LetItRun();
  EXPECT_EQ(sink_.answer_count(), 1u) << "the watcher ends after the call that stopped it";
  sink_.SetDuringAnswer(nullptr);
  transport_->Stop();
}

TEST_F(TransportTest, StopWaitsForTheSinkCallInProgress) {
  std::atomic<bool> in_call{false};
  std::atomic<bool> call_done{false};
  sink_.SetDuringAnswer([&] {
    in_call = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    call_done = true;
  });
  StartTransport();
  DropAnswer("SLOWSNK", MakeResult("SLOWSNK"));
  ASSERT_TRUE(WaitFor([&] { return in_call.load(); }));
  transport_->Stop();
  EXPECT_TRUE(call_done.load());
}

TEST_F(TransportTest, DestroyingARunningTransportStopsIt) {
  StartTransport(&fake_clock_);
  transport_.reset();
  DropAnswer("NOBODY1", MakeResult("NOBODY1"));
  LetItRun();
  EXPECT_THAT(sink_.answers(), IsEmpty());
}

TEST_F(TransportTest, WorksWithTheSystemClock) {
  SystemClock clock;
  options_.malformed_grace = absl::Milliseconds(200);
  StartTransport(&clock);
  DropFile(res_, AnswerName("SYS0001"), "not xml at all");
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 1; }));
  DropAnswer("SYS0002", MakeResult("SYS0002"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
}

// ---------------------------------------------------------------------------------------------
// Every document kind: requests of each kind placed, answers of each kind delivered with their
// kind and type, check-ins from face/, PDF answers, .err files of each request kind.

// The golden file of each kind (tests/data/oqs), decoded.
std::unique_ptr<google::protobuf::Message> GoldenDocument(DocumentKind kind) {
  static const std::map<DocumentKind, const char*> kFiles = {
      {DocumentKind::kQualificationRequest, "siquc01req_basic"},
      {DocumentKind::kQualificationAnswer, "siquc01res_basic"},
      {DocumentKind::kFaceCheckin, "siquc01res_face"},
      {DocumentKind::kBatchUpload, "muquc01req_basic"},
      {DocumentKind::kBatchReceipt, "muquc01res_basic"},
      {DocumentKind::kBatchResultRequest, "muquc02req_basic"},
      {DocumentKind::kBatchResult, "muquc02res_basic"},
      {DocumentKind::kReferenceNumberRequest, "siimm01req_basic"},
      {DocumentKind::kReferenceNumberResult, "siimm01res_basic"},
      {DocumentKind::kBulkReferenceNumberUpload, "muimm01req_basic"},
      {DocumentKind::kBulkReferenceNumberReceipt, "muimm01res_basic"},
      {DocumentKind::kBulkReferenceNumberResultRequest, "muimm02req_basic"},
      {DocumentKind::kBulkReferenceNumberResult, "muimm02res_basic"},
      {DocumentKind::kMedicationRequest, "yzksiquc01req_basic"},
      {DocumentKind::kMedicationResult, "yzksiquc01res_basic"},
      {DocumentKind::kCheckupRequest, "tkksiquc01req_basic"},
      {DocumentKind::kCheckupResult, "tkksiquc01res_basic"},
  };
  const std::string path =
      absl::StrCat(ONSHI_SOURCE_DIR, "/tests/data/oqs/", kFiles.at(kind), ".utf8.xml");
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> decoded =
      DecodeByKind(kind, ReadFile(path));
  EXPECT_TRUE(decoded.ok()) << path << ": " << decoded.status();
  return decoded.ok() ? *std::move(decoded) : nullptr;
}

// Sets the document's ArbitraryFileIdentifier (top level, or in the medical requests' header).
void SetFileId(google::protobuf::Message* message, const std::string& id) {
  const google::protobuf::Descriptor* type = message->GetDescriptor();
  if (const google::protobuf::FieldDescriptor* field =
          type->FindFieldByName("arbitrary_file_identifier")) {
    message->GetReflection()->SetString(message, field, id);
    return;
  }
  const google::protobuf::FieldDescriptor* header = type->FindFieldByName("header");
  ASSERT_NE(header, nullptr) << type->name();
  google::protobuf::Message* inner = message->GetReflection()->MutableMessage(message, header);
  inner->GetReflection()->SetString(
      inner, inner->GetDescriptor()->FindFieldByName("arbitrary_file_identifier"), id);
}

std::string EncodeKind(DocumentKind kind, const google::protobuf::Message& message) {
  absl::StatusOr<std::string> bytes = EncodeByKind(kind, message, EncodeOptions{});
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *bytes : "";
}

// A PDF as the terminal would write it: header, a body, and the trailer at the end.
std::string MakePdf(size_t body_bytes) {
  std::string pdf = "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
  pdf.append(body_bytes, 'x');
  pdf += "\ntrailer\n<< /Root 1 0 R >>\nstartxref\n9\n%%EOF\n";
  return pdf;
}

TEST(IsCompletePdfTest, NeedsTheHeaderAndTheTrailerWithinTheLastKiB) {
  EXPECT_TRUE(IsCompletePdf(MakePdf(10)));
  EXPECT_TRUE(IsCompletePdf(MakePdf(100000)));
  EXPECT_TRUE(IsCompletePdf("%PDF-1.4\n%%EOF"));
  EXPECT_TRUE(IsCompletePdf(MakePdf(10) + std::string(1000, '\n'))) << "trailing white space";
  EXPECT_FALSE(IsCompletePdf(MakePdf(10) + std::string(1024, '\n')));
  const std::string whole = MakePdf(5000);
  EXPECT_FALSE(IsCompletePdf(whole.substr(0, whole.size() - 3)));
  EXPECT_FALSE(IsCompletePdf(whole.substr(0, whole.size() / 2)));
  EXPECT_FALSE(IsCompletePdf(""));
  EXPECT_FALSE(IsCompletePdf("%PDF"));
  EXPECT_FALSE(IsCompletePdf("%pdf-1.7\n%%EOF"));
  EXPECT_FALSE(IsCompletePdf(" %PDF-1.7\n%%EOF"));
  EXPECT_FALSE(IsCompletePdf("<html>%%EOF"));
  EXPECT_FALSE(IsCompletePdf("%PDF-1.7\n%%EO"));
}

TEST_F(TransportTest, SubmitPlacesEveryRequestKindUnderItsNameAndTheSameDocument) {
  options_.request_encoding = Encoding::kShiftJis;
  StartTransport(nullptr, /*start=*/false);
  int placed = 0;
  for (DocumentKind kind : AllDocumentKinds()) {
    if (!IsRequestKind(kind)) continue;
    std::unique_ptr<google::protobuf::Message> request = GoldenDocument(kind);
    ASSERT_NE(request, nullptr);
    const std::string id = absl::StrCat("KIND", static_cast<int>(kind));
    SetFileId(request.get(), id);
    absl::Status s = transport_->Submit(kind, *request);
    ASSERT_TRUE(s.ok()) << DocumentKindName(kind) << ": " << s;
    ++placed;
    const std::string path = req_ + "/" + FileNameFor(kind, id);
    ASSERT_TRUE(Exists(path)) << path;
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> back =
        DecodeByKind(kind, ReadFile(path));
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_TRUE(MessageDifferencer::Equals(**back, *request)) << DocumentKindName(kind);
  }
  EXPECT_EQ(placed, 8);
  EXPECT_EQ(List(req_).size(), 8u) << "no temp file left";
}

TEST_F(TransportTest, SubmitRefusesAnswerKindsAndDocumentsOfAnotherType) {
  StartTransport(nullptr, /*start=*/false);
  v1::QualificationRequestDocument request = MakeRequest("WRONG01");
  // A request of the right shape under the wrong kind, and a kind that is not a request.
  EXPECT_EQ(ReasonOf(transport_->Submit(DocumentKind::kBatchUpload, request)),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(ReasonOf(transport_->Submit(DocumentKind::kQualificationAnswer, MakeResult("W2"))),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(ReasonOf(transport_->Submit(DocumentKind::kFaceCheckin, MakeResult("W3"))),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(ReasonOf(transport_->Submit(static_cast<DocumentKind>(0), request)),
            "ONSHI_INVALID_ARGUMENT");
  // The medication request's id lives in its header; a bad one is refused like any other.
  v1::MedicationRequestDocument medication;
  medication.mutable_header()->set_arbitrary_file_identifier("../x");
  EXPECT_EQ(ReasonOf(transport_->Submit(DocumentKind::kMedicationRequest, medication)),
            "ONSHI_INVALID_ARGUMENT");
  medication.mutable_header()->set_arbitrary_file_identifier("");
  EXPECT_EQ(ReasonOf(transport_->Submit(DocumentKind::kMedicationRequest, medication)),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_THAT(List(req_), IsEmpty());
}

TEST_F(TransportTest, EachAnswerKindReachesTheSinkWithItsKindAndMessageType) {
  StartTransport();
  std::map<std::string, DocumentKind> dropped;  // id -> kind
  for (DocumentKind kind : AllDocumentKinds()) {
    if (IsRequestKind(kind) || kind == DocumentKind::kFaceCheckin) continue;
    std::unique_ptr<google::protobuf::Message> answer = GoldenDocument(kind);
    ASSERT_NE(answer, nullptr);
    const std::string id = absl::StrCat("ANSKIND", static_cast<int>(kind));
    SetFileId(answer.get(), id);
    DropFile(res_, FileNameFor(kind, id), EncodeKind(kind, *answer));
    dropped[id] = kind;
  }
  ASSERT_EQ(dropped.size(), 8u);
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  LetItRun();
  std::vector<IncomingAnswer> answers = sink_.answers();
  ASSERT_EQ(answers.size(), dropped.size());
  for (const IncomingAnswer& a : answers) {
    ASSERT_EQ(dropped.count(a.file_id), 1u) << a.file_id;
    const DocumentKind kind = dropped[a.file_id];
    EXPECT_EQ(a.kind, kind) << a.file_id;
    ASSERT_NE(a.document, nullptr) << a.file_id;
    EXPECT_EQ(a.document->GetDescriptor(), DocumentTypeOf(kind)) << a.file_id;
    EXPECT_TRUE(a.pdf.empty());
    absl::StatusOr<std::string> carried = FileIdOf(kind, *a.document);
    ASSERT_TRUE(carried.ok());
    EXPECT_EQ(*carried, a.file_id);
  }
  EXPECT_THAT(sink_.unreadables(), IsEmpty());
  EXPECT_EQ(List(processed_).size(), dropped.size());
  // The typed accessor finds what is there and nothing else.
  for (const IncomingAnswer& a : answers) {
    if (a.kind == DocumentKind::kBatchResult) {
      const auto* batch = AnswerAs<v1::BatchQualificationResultDocument>(a);
      ASSERT_NE(batch, nullptr);
      EXPECT_EQ(batch->units_size(), 2);
      EXPECT_EQ(AnswerAs<v1::QualificationResult>(a), nullptr);
    }
    if (a.kind == DocumentKind::kMedicationResult) {
      const auto* medication = AnswerAs<v1::MedicationResultDocument>(a);
      ASSERT_NE(medication, nullptr);
      EXPECT_EQ(medication->months_size(), 2);
      EXPECT_EQ(AnswerAs<v1::CheckupResultDocument>(a), nullptr);
    }
  }
}

TEST_F(TransportTest, IdMismatchIsQuarantinedForEveryAnswerKindButCheckins) {
  StartTransport();
  int dropped = 0;
  for (DocumentKind kind : AllDocumentKinds()) {
    if (IsRequestKind(kind) || kind == DocumentKind::kFaceCheckin) continue;
    std::unique_ptr<google::protobuf::Message> answer = GoldenDocument(kind);
    ASSERT_NE(answer, nullptr);
    const std::string id = absl::StrCat("MIS", static_cast<int>(kind));
    SetFileId(answer.get(), id + "0");  // B6: a longer id must not match
    DropFile(res_, FileNameFor(kind, id), EncodeKind(kind, *answer));
    ++dropped;
  }
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == static_cast<size_t>(dropped); }));
  for (const UnreadableAnswer& u : sink_.unreadables()) {
    EXPECT_EQ(ReasonOf(u.error), "ONSHI_TERMINAL_MALFORMED_ANSWER");
    EXPECT_FALSE(IsRequestKind(u.kind));
    EXPECT_EQ(u.file_id, absl::StrCat("MIS", static_cast<int>(u.kind)));
  }
  EXPECT_THAT(sink_.answers(), IsEmpty());
  EXPECT_THAT(List(res_), IsEmpty());
  EXPECT_EQ(List(quarantine_).size(), static_cast<size_t>(dropped));
}

TEST_F(TransportTest, FaceCheckinIsDeliveredFromFaceWithoutComparingIds) {
  ASSERT_EQ(mkdir(face_.c_str(), 0755), 0);
  StartTransport();
  std::unique_ptr<google::protobuf::Message> checkin = GoldenDocument(DocumentKind::kFaceCheckin);
  ASSERT_NE(checkin, nullptr);
  // The face app's own random id, unrelated to the file name's.
  SetFileId(checkin.get(), "ArnHCeDfNjMCFzg=");
  const std::string id = "1310000016a3f09c2e5d_20250602091030";
  const std::string bytes = EncodeKind(DocumentKind::kFaceCheckin, *checkin);
  DropFile(face_, FileNameFor(DocumentKind::kFaceCheckin, id), bytes);
  ASSERT_TRUE(WaitFor([&] { return List(face_).empty(); }));
  LetItRun();
  std::vector<IncomingAnswer> answers = sink_.answers();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].kind, DocumentKind::kFaceCheckin);
  EXPECT_EQ(answers[0].file_id, id);
  EXPECT_TRUE(MessageDifferencer::Equals(ResultOf(answers[0]), *checkin));
  EXPECT_EQ(ResultOf(answers[0]).reference_classification(),
            v1::REFERENCE_CLASSIFICATION_MY_NUMBER_CARD);
  EXPECT_THAT(sink_.unreadables(), IsEmpty());
  EXPECT_THAT(List(processed_), ElementsAre(FileNameFor(DocumentKind::kFaceCheckin, id)));
  EXPECT_EQ(ReadFile(processed_ + "/" + FileNameFor(DocumentKind::kFaceCheckin, id)), bytes);
}

TEST_F(TransportTest, FaceFolderMissingAtStartIsWatchedOnceTheTerminalCreatesIt) {
  options_.rescan_interval = absl::Milliseconds(10);
  StartTransport();
  LetItRun(std::chrono::milliseconds(100));
  EXPECT_THAT(List(root_), ElementsAre("req", "res")) << "onshi never creates face/";
  EXPECT_TRUE(transport_->CheckHealth().ok()) << "face/ is optional";
  // res/ is served meanwhile.
  DropAnswer("NOFACE1", MakeResult("NOFACE1"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));

  ASSERT_EQ(mkdir(face_.c_str(), 0755), 0);
  std::unique_ptr<google::protobuf::Message> checkin = GoldenDocument(DocumentKind::kFaceCheckin);
  ASSERT_NE(checkin, nullptr);
  DropFile(face_, FileNameFor(DocumentKind::kFaceCheckin, "LATEFACE1"),
           EncodeKind(DocumentKind::kFaceCheckin, *checkin));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 2; }));
  EXPECT_EQ(sink_.answers()[1].kind, DocumentKind::kFaceCheckin);
  EXPECT_EQ(sink_.answers()[1].file_id, "LATEFACE1");
}

TEST_F(TransportTest, FaceReadsOnlyCheckinsAndResNeverReadsThem) {
  ASSERT_EQ(mkdir(face_.c_str(), 0755), 0);
  std::unique_ptr<google::protobuf::Message> checkin = GoldenDocument(DocumentKind::kFaceCheckin);
  ASSERT_NE(checkin, nullptr);
  const std::string checkin_bytes = EncodeKind(DocumentKind::kFaceCheckin, *checkin);
  // A check-in name in res/ and an answer, a PDF, an .err and a request name in face/.
  WriteFile(res_ + "/" + FileNameFor(DocumentKind::kFaceCheckin, "INRES1"), checkin_bytes);
  WriteFile(face_ + "/" + AnswerName("INFACE1"), EncodeResult(MakeResult("INFACE1")));
  WriteFile(face_ + "/" + FileNameFor(DocumentKind::kMedicationResult, "INFACE2", FileForm::kPdf),
            MakePdf(10));
  WriteFile(face_ + "/" + ErrName("INFACE3"), "E1");
  WriteFile(face_ + "/" + RequestName("INFACE4"), "<XmlMsg/>");
  WriteFile(face_ + "/" + "OQSsiquc01res_face_a b.xml", checkin_bytes);
  StartTransport();
  DropFile(face_, FileNameFor(DocumentKind::kFaceCheckin, "REAL1"), checkin_bytes);
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
  fake_clock_.Advance(options_.malformed_grace + absl::Seconds(1));
  LetItRun();
  EXPECT_THAT(sink_.answer_ids(), ElementsAre("REAL1"));
  EXPECT_THAT(sink_.unreadables(), IsEmpty());
  EXPECT_THAT(sink_.rejections(), IsEmpty());
  EXPECT_EQ(List(face_).size(), 5u) << "strays are left where they are";
  EXPECT_EQ(List(res_).size(), 1u);
}

TEST_F(TransportTest, CheckinThatIsUnreadableIsQuarantinedWithItsKind) {
  ASSERT_EQ(mkdir(face_.c_str(), 0755), 0);
  StartTransport();
  DropFile(face_, FileNameFor(DocumentKind::kFaceCheckin, "BADFACE1"), "<XmlMsg><MessageHeader>");
  LetItRun();
  EXPECT_THAT(sink_.unreadables(), IsEmpty()) << "may still be being written";
  fake_clock_.Advance(options_.malformed_grace + absl::Seconds(1));
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 1; }));
  EXPECT_EQ(sink_.unreadables()[0].kind, DocumentKind::kFaceCheckin);
  EXPECT_EQ(sink_.unreadables()[0].file_id, "BADFACE1");
  EXPECT_THAT(List(face_), IsEmpty());
  EXPECT_THAT(List(quarantine_), ElementsAre(FileNameFor(DocumentKind::kFaceCheckin, "BADFACE1")));
}

TEST_F(TransportTest, SymlinkInFaceIsNeverFollowed) {
  ASSERT_EQ(mkdir(face_.c_str(), 0755), 0);
  std::unique_ptr<google::protobuf::Message> checkin = GoldenDocument(DocumentKind::kFaceCheckin);
  ASSERT_NE(checkin, nullptr);
  const std::string target = outside_ + "/face.xml";
  WriteFile(target, EncodeKind(DocumentKind::kFaceCheckin, *checkin));
  const std::string name = FileNameFor(DocumentKind::kFaceCheckin, "LINKFACE");
  ASSERT_EQ(symlink(target.c_str(), (face_ + "/" + name).c_str()), 0);
  StartTransport();
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 1; }));
  EXPECT_EQ(sink_.unreadables()[0].kind, DocumentKind::kFaceCheckin);
  EXPECT_THAT(sink_.answers(), IsEmpty());
  EXPECT_THAT(List(face_), IsEmpty());
}

TEST_F(TransportTest, CompletePdfAnswersArePassedOnAsBytes) {
  StartTransport();
  const std::string medication = MakePdf(20000);
  const std::string checkup = MakePdf(300);
  DropFile(res_, FileNameFor(DocumentKind::kMedicationResult, "PDF0001", FileForm::kPdf),
           medication);
  DropFile(res_, FileNameFor(DocumentKind::kCheckupResult, "PDF0002", FileForm::kPdf), checkup);
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  LetItRun();
  std::vector<IncomingAnswer> answers = sink_.answers();
  ASSERT_EQ(answers.size(), 2u);
  for (const IncomingAnswer& a : answers) {
    EXPECT_EQ(a.document, nullptr);
    EXPECT_EQ(AnswerAs<v1::MedicationResultDocument>(a), nullptr);
    if (a.file_id == "PDF0001") {
      EXPECT_EQ(a.kind, DocumentKind::kMedicationResult);
      EXPECT_EQ(a.pdf, medication);
    } else {
      EXPECT_EQ(a.file_id, "PDF0002");
      EXPECT_EQ(a.kind, DocumentKind::kCheckupResult);
      EXPECT_EQ(a.pdf, checkup);
    }
  }
  EXPECT_THAT(sink_.unreadables(), IsEmpty());
  EXPECT_EQ(List(processed_).size(), 2u);
}

TEST_F(TransportTest, TruncatedPdfIsQuarantinedOnlyAfterTheGracePeriod) {
  options_.malformed_grace = absl::Seconds(10);
  StartTransport();
  const std::string whole = MakePdf(4000);
  const std::string name = FileNameFor(DocumentKind::kMedicationResult, "CUT0001", FileForm::kPdf);
  DropFile(res_, name, whole.substr(0, whole.size() - 40));
  const std::string not_pdf_name =
      FileNameFor(DocumentKind::kCheckupResult, "HTML001", FileForm::kPdf);
  DropFile(res_, not_pdf_name, "<html><body>Service unavailable</body></html>\n%%EOF\n");
  LetItRun();
  fake_clock_.Advance(absl::Seconds(9));
  LetItRun();
  EXPECT_THAT(sink_.unreadables(), IsEmpty());
  EXPECT_TRUE(Exists(res_ + "/" + name));

  fake_clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 2; }));
  for (const UnreadableAnswer& u : sink_.unreadables()) {
    EXPECT_EQ(ReasonOf(u.error), "ONSHI_TERMINAL_MALFORMED_ANSWER");
    if (u.file_id == "CUT0001") {
      EXPECT_EQ(u.kind, DocumentKind::kMedicationResult);
    } else {
      EXPECT_EQ(u.file_id, "HTML001");
      EXPECT_EQ(u.kind, DocumentKind::kCheckupResult);
    }
  }
  EXPECT_THAT(sink_.answers(), IsEmpty());
  EXPECT_THAT(List(res_), IsEmpty());
  EXPECT_THAT(List(quarantine_), ElementsAre(not_pdf_name, name));
}

TEST_F(TransportTest, GrowingPdfIsDeliveredOnceCompleteAndNeverPartially) {
  options_.malformed_grace = absl::Seconds(10);
  StartTransport();
  const std::string whole = MakePdf(64 * 1024);
  const std::string path =
      res_ + "/" + FileNameFor(DocumentKind::kMedicationResult, "GROWPDF", FileForm::kPdf);
  // Written in place, in three steps with long pauses (longer than the grace in total, but each
  // step changes the file).
  WriteFile(path, whole.substr(0, whole.size() / 3));
  LetItRun();
  fake_clock_.Advance(absl::Seconds(8));
  LetItRun();
  WriteFile(path, whole.substr(0, 2 * whole.size() / 3));
  LetItRun();
  fake_clock_.Advance(absl::Seconds(8));
  LetItRun();
  EXPECT_THAT(sink_.answers(), IsEmpty());
  WriteFile(path, whole);
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1 && List(res_).empty(); }));
  LetItRun();
  std::vector<IncomingAnswer> answers = sink_.answers();
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].pdf, whole);
  EXPECT_THAT(sink_.unreadables(), IsEmpty());
}

TEST_F(TransportTest, PdfLargerThanTheLimitIsQuarantinedUnread) {
  options_.limits.max_bytes = 4096;
  StartTransport();
  const std::string name = FileNameFor(DocumentKind::kCheckupResult, "BIGPDF1", FileForm::kPdf);
  DropFile(res_, name, MakePdf(8192));
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadables().size() == 1; }));
  EXPECT_EQ(sink_.unreadables()[0].kind, DocumentKind::kCheckupResult);
  EXPECT_EQ(sink_.unreadables()[0].file_id, "BIGPDF1");
  EXPECT_THAT(sink_.answers(), IsEmpty());
  EXPECT_THAT(List(res_), IsEmpty());
}

TEST_F(TransportTest, ErrFileOfEveryRequestKindMapsToARejectionOfThatKind) {
  StartTransport();
  std::map<std::string, DocumentKind> dropped;
  for (DocumentKind kind : AllDocumentKinds()) {
    if (!IsRequestKind(kind)) continue;
    const std::string id = absl::StrCat("ERRKIND", static_cast<int>(kind));
    DropFile(res_, FileNameFor(kind, id), "<?xml version=\"1.0\"?><XmlMsg/>");
    DropFile(res_, FileNameFor(kind, id, FileForm::kErr),
             absl::StrCat("E", static_cast<int>(kind)));
    dropped[id] = kind;
  }
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  std::vector<RejectedRequest> rejections = sink_.rejections();
  ASSERT_EQ(rejections.size(), dropped.size());
  for (const RejectedRequest& r : rejections) {
    ASSERT_EQ(dropped.count(r.file_id), 1u) << r.file_id;
    EXPECT_EQ(r.kind, dropped[r.file_id]);
    EXPECT_EQ(r.error_code, absl::StrCat("E", static_cast<int>(r.kind)));
  }
  EXPECT_EQ(List(quarantine_).size(), 2 * dropped.size()) << "each .err with its request";
}

TEST_F(TransportTest, ReturnedRequestOfAnotherKindIsRejectedAfterTheGracePeriod) {
  StartTransport();
  const std::string name = FileNameFor(DocumentKind::kCheckupRequest, "LONETKK");
  DropFile(res_, name, "<?xml version=\"1.0\"?><XmlMsg/>");
  LetItRun();
  EXPECT_THAT(sink_.rejections(), IsEmpty());
  fake_clock_.Advance(options_.malformed_grace + absl::Seconds(1));
  ASSERT_TRUE(WaitFor([&] { return List(res_).empty(); }));
  ASSERT_EQ(sink_.rejections().size(), 1u);
  EXPECT_EQ(sink_.rejections()[0].kind, DocumentKind::kCheckupRequest);
  EXPECT_EQ(sink_.rejections()[0].file_id, "LONETKK");
  EXPECT_THAT(List(quarantine_), ElementsAre(name));
}

// B11: after a run with every outcome (answers, a check-in, an orphan, an unreadable answer, a
// rejected request with its .err, a request returned without one, a crashed writer's temp file),
// the shared folders hold no document any more: each is archived or quarantined in a 0700
// folder as a 0600 file, or (archiving off) deleted.
class RetentionTest : public TransportTest, public ::testing::WithParamInterface<bool> {};

TEST_P(RetentionTest, SharedFoldersHoldNoDocumentAfterEveryKindOfOutcome) {
  const bool archive = GetParam();
  options_.archive_processed = archive;
  if (!archive) options_.processed_dir.clear();
  options_.stale_temp_age = absl::Seconds(1);
  ASSERT_EQ(mkdir(face_.c_str(), 0755), 0);
  const std::string stale_temp = absl::StrCat(req_, "/", kTempFilePrefix, "otherhost-DIED");
  WriteFile(stale_temp, "<XmlMsg");
  struct timespec old_times[2] = {{time(nullptr) - 3600, 0}, {time(nullptr) - 3600, 0}};
  ASSERT_EQ(utimensat(AT_FDCWD, stale_temp.c_str(), old_times, 0), 0);
  sink_.AddReply(AnswerDisposition::kProcessed);
  sink_.AddReply(AnswerDisposition::kQuarantine);  // the second answer is an orphan
  StartTransport();

  DropAnswer("KEEP0001", MakeResult("KEEP0001"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 1; }));
  DropAnswer("ORPHAN01", MakeResult("ORPHAN01"));
  ASSERT_TRUE(WaitFor([&] { return sink_.answer_count() == 2; }));
  std::unique_ptr<google::protobuf::Message> checkin = GoldenDocument(DocumentKind::kFaceCheckin);
  ASSERT_NE(checkin, nullptr);
  DropFile(face_, FileNameFor(DocumentKind::kFaceCheckin, "FACE0001"),
           EncodeKind(DocumentKind::kFaceCheckin, *checkin));
  DropFile(res_, AnswerName("BROKEN01"), "<?xml version=\"1.0\"?><XmlMsg><MessageHeader>");
  DropFile(res_, RequestName("REJ00001"), "<?xml version=\"1.0\"?><XmlMsg/>");
  DropFile(res_, ErrName("REJ00001"), "E1234");
  DropFile(res_, RequestName("LONE0001"), "<?xml version=\"1.0\"?><XmlMsg/>");
  LetItRun();
  fake_clock_.Advance(options_.malformed_grace + absl::Seconds(1));
  // The sink hears of a quarantined file once it has left res/: wait for both.
  ASSERT_TRUE(WaitFor([&] {
    return List(res_).empty() && List(face_).empty() && !Exists(stale_temp) &&
           sink_.unreadables().size() == 1 && sink_.rejections().size() == 2;
  })) << ::testing::PrintToString(List(res_))
      << ::testing::PrintToString(List(face_));
  EXPECT_THAT(List(req_), IsEmpty());
  EXPECT_EQ(sink_.answer_count(), 3u);
  EXPECT_EQ(sink_.unreadables().size(), 1u);
  EXPECT_EQ(sink_.rejections().size(), 2u);

  std::vector<std::string> kept = List(quarantine_);
  if (archive) {
    EXPECT_EQ(List(processed_).size(), 2u) << "the answer and the check-in";
  } else {
    EXPECT_FALSE(Exists(processed_));
  }
  EXPECT_EQ(kept.size(), 5u) << "orphan, unreadable, .err with its request, lone request";
  for (const std::string& dir : {processed_, quarantine_}) {
    if (!Exists(dir)) continue;
    struct stat st;
    ASSERT_EQ(stat(dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u) << dir;
    for (const std::string& name : List(dir)) {
      ASSERT_EQ(stat((dir + "/" + name).c_str(), &st), 0);
      EXPECT_EQ(st.st_mode & 0777, 0600u) << dir << "/" << name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(ArchiveOrDelete, RetentionTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Archive" : "Delete";
                         });

}  // namespace
}  // namespace onshi::oqs
