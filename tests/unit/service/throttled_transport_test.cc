// The throttle in front of the terminal (reliability.md B12): at most max_in_flight requests at
// the terminal at once, the others waiting in order; places come back with the answer, a
// rejection, an unreadable answer, a release, a failed placement or the request's deadline.

#include "plugin/service/throttled_transport.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi::service {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr auto kWaitLimit = std::chrono::seconds(20);

class FakeClock final : public Clock {
 public:
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
  absl::Time now_ = absl::FromUnixSeconds(1748822400);
};

bool WaitFor(const std::function<bool()>& done) {
  const auto until = std::chrono::steady_clock::now() + kWaitLimit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return done();
}

v1::QualificationRequestDocument Request(const std::string& file_id) {
  v1::QualificationRequestDocument document;
  document.set_arbitrary_file_identifier(file_id);
  return document;
}

// The terminal behind the throttle: records what is placed, counts what is at the terminal
// (placed, not yet answered) and answers on the test's command through the sink it was started
// with, as the file transport delivers what it finds in res/.
class FakeTerminal final : public TerminalTransport {
 public:
  absl::Status Start(AnswerSink* sink) override {
    std::lock_guard<std::mutex> lock(mu_);
    sink_ = sink;
    return absl::OkStatus();
  }
  void Stop() override {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
  }
  absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document) override {
    absl::StatusOr<std::string> id = FileIdOf(kind, document);
    if (!id.ok()) return id.status();
    std::lock_guard<std::mutex> lock(mu_);
    if (failing_.count(*id)) return MakeError(errors::kTerminalUnavailable, "test");
    placed_.push_back(*id);
    if (at_terminal_.insert(*id).second) {
      peak_ = std::max(peak_, static_cast<int>(at_terminal_.size()));
    }
    return absl::OkStatus();
  }
  absl::Status CheckHealth() override { return absl::OkStatus(); }

  // The terminal writes the answer to `id` (it leaves the terminal), then the transport delivers
  // it.
  absl::StatusOr<AnswerDisposition> Answer(const std::string& id) {
    AnswerSink* sink;
    {
      std::lock_guard<std::mutex> lock(mu_);
      at_terminal_.erase(id);
      sink = sink_;
    }
    IncomingAnswer answer;
    answer.kind = DocumentKind::kQualificationAnswer;
    answer.file_id = id;
    return sink->OnAnswer(answer);
  }
  void Reject(const std::string& id) {
    AnswerSink* sink;
    {
      std::lock_guard<std::mutex> lock(mu_);
      at_terminal_.erase(id);
      sink = sink_;
    }
    EXPECT_TRUE(
        sink->OnRequestRejected(RejectedRequest{DocumentKind::kQualificationRequest, id, "E1"})
            .ok());
  }
  void Unreadable(const std::string& id) {
    AnswerSink* sink;
    {
      std::lock_guard<std::mutex> lock(mu_);
      at_terminal_.erase(id);
      sink = sink_;
    }
    EXPECT_TRUE(sink->OnUnreadableAnswer(UnreadableAnswer{DocumentKind::kQualificationAnswer, id,
                                                          MakeError(errors::kDocumentMalformed)})
                    .ok());
  }

  void FailPlacing(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    failing_.insert(id);
  }
  std::vector<std::string> placed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return placed_;
  }
  std::vector<std::string> at_terminal() const {
    std::lock_guard<std::mutex> lock(mu_);
    return std::vector<std::string>(at_terminal_.begin(), at_terminal_.end());
  }
  int peak() const {
    std::lock_guard<std::mutex> lock(mu_);
    return peak_;
  }
  bool stopped() const {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }

 private:
  mutable std::mutex mu_;
  AnswerSink* sink_ = nullptr;
  bool stopped_ = false;
  std::vector<std::string> placed_;
  std::set<std::string> at_terminal_;
  std::set<std::string> failing_;
  int peak_ = 0;
};

// The sink behind the throttle: records what is passed on.
class RecordingSink final : public AnswerSink {
 public:
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back("answer " + answer.file_id);
    return disposition_;
  }
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back("rejected " + rejected.file_id + " " + rejected.error_code);
    return absl::OkStatus();
  }
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back("unreadable " + unreadable.file_id);
    return absl::OkStatus();
  }
  void set_disposition(AnswerDisposition d) {
    std::lock_guard<std::mutex> lock(mu_);
    disposition_ = d;
  }
  std::vector<std::string> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  mutable std::mutex mu_;
  AnswerDisposition disposition_ = AnswerDisposition::kProcessed;
  std::vector<std::string> events_;
};

// Peak resident set size of this process since start or the last ResetPeakRss (VmHWM, what
// getrusage's ru_maxrss reports without the reset), in KiB; -1 when unknown.
int64_t PeakRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

// Starts the peak over from the current RSS, so that the other tests of this binary do not
// count (Linux: "5" to clear_refs resets VmHWM).
void ResetPeakRss() { std::ofstream("/proc/self/clear_refs") << "5"; }

// reliability.md B12: RSS < 256 MB. Under AddressSanitizer the same run needs more (shadow
// memory, and freed blocks held in its quarantine), so the bound there is 1 GiB.
#if defined(__SANITIZE_ADDRESS__)
constexpr int64_t kPeakRssBoundKib = 1024 * 1024;
#else
constexpr int64_t kPeakRssBoundKib = 256 * 1024;
#endif

class ThrottledTransportTest : public ::testing::Test {
 protected:
  void StartThrottle(int max_in_flight, absl::Duration max_hold = absl::Hours(1)) {
    ThrottleOptions options;
    options.max_in_flight = max_in_flight;
    options.max_hold = max_hold;
    absl::StatusOr<std::unique_ptr<ThrottledTransport>> created =
        ThrottledTransport::Create(options, &terminal_, &clock_);
    ASSERT_TRUE(created.ok()) << created.status();
    throttle_ = std::move(*created);
    ASSERT_TRUE(throttle_->Start(&sink_).ok());
  }

  // Submits `id` on a thread of its own; the outcome lands in results_[id].
  void SubmitInBackground(const std::string& id, absl::Time deadline = absl::InfiniteFuture()) {
    threads_.emplace_back([this, id, deadline] {
      absl::Status s =
          throttle_->Submit(DocumentKind::kQualificationRequest, Request(id), deadline);
      std::lock_guard<std::mutex> lock(results_mu_);
      results_[id] = s;
    });
  }
  bool Finished(const std::string& id) {
    std::lock_guard<std::mutex> lock(results_mu_);
    return results_.count(id) > 0;
  }
  absl::Status ResultOf(const std::string& id) {
    std::lock_guard<std::mutex> lock(results_mu_);
    return results_.at(id);
  }

  void TearDown() override {
    if (throttle_ != nullptr) throttle_->Stop();
    for (std::thread& t : threads_) t.join();
  }

  FakeClock clock_;
  FakeTerminal terminal_;
  RecordingSink sink_;
  std::unique_ptr<ThrottledTransport> throttle_;
  std::vector<std::thread> threads_;
  std::mutex results_mu_;
  std::map<std::string, absl::Status> results_;
};

TEST(ThrottledTransportCreateTest, RefusesLimitsOutsideOneToTwentyAndMissingParts) {
  FakeTerminal terminal;
  FakeClock clock;
  for (int bad : {0, -1, 21}) {
    ThrottleOptions options;
    options.max_in_flight = bad;
    EXPECT_EQ(ReasonOf(ThrottledTransport::Create(options, &terminal, &clock).status()),
              "ONSHI_CONFIG_INVALID")
        << bad;
  }
  ThrottleOptions no_hold;
  no_hold.max_hold = absl::ZeroDuration();
  EXPECT_EQ(ReasonOf(ThrottledTransport::Create(no_hold, &terminal, &clock).status()),
            "ONSHI_CONFIG_INVALID");
  EXPECT_EQ(ReasonOf(ThrottledTransport::Create({}, nullptr, &clock).status()),
            "ONSHI_INVALID_ARGUMENT");
  for (int good : {1, 10, 20}) {
    ThrottleOptions options;
    options.max_in_flight = good;
    EXPECT_TRUE(ThrottledTransport::Create(options, &terminal, &clock).ok()) << good;
  }
}

// B12: 1,000 requests submitted at once. The terminal only starts answering once requests are
// queued, so the cap is reached; whatever the interleaving, never more than the cap are at the
// terminal, and every request is placed exactly once.
TEST_F(ThrottledTransportTest, ThousandRequestsAtOnceNeverPutMoreThanTheCapAtTheTerminal) {
  constexpr int kCap = 10;
  constexpr int kRequests = 1000;
  ResetPeakRss();
  StartThrottle(kCap);
  std::atomic<bool> answering{true};
  std::thread terminal([&] {
    // Answers what is at the terminal, one at a time, oldest placement last (any order must do).
    size_t answered = 0;
    while (answering.load() && answered < kRequests) {
      if (throttle_->waiting() == 0 && terminal_.placed().size() < kRequests) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      std::vector<std::string> at = terminal_.at_terminal();
      if (at.empty()) {
        std::this_thread::sleep_for(std::chrono::microseconds(200));
        continue;
      }
      ASSERT_TRUE(terminal_.Answer(at.back()).ok());
      ++answered;
    }
  });
  for (int i = 0; i < kRequests; ++i) SubmitInBackground(absl::StrCat("B12-", i));
  const bool all_placed = WaitFor([&] {
    std::lock_guard<std::mutex> lock(results_mu_);
    return results_.size() == static_cast<size_t>(kRequests);
  });
  EXPECT_TRUE(WaitFor([&] { return terminal_.at_terminal().empty(); }));
  answering = false;
  terminal.join();
  ASSERT_TRUE(all_placed) << terminal_.placed().size() << " placed";

  for (const auto& [id, status] : results_) EXPECT_TRUE(status.ok()) << id << ": " << status;
  std::vector<std::string> placed = terminal_.placed();
  EXPECT_EQ(placed.size(), static_cast<size_t>(kRequests));
  EXPECT_EQ(std::set<std::string>(placed.begin(), placed.end()).size(),
            static_cast<size_t>(kRequests))
      << "a request was placed twice";
  EXPECT_EQ(terminal_.peak(), kCap) << "peak at the terminal";
  EXPECT_EQ(throttle_->peak_in_flight(), kCap);
  EXPECT_EQ(throttle_->in_flight(), 0);
  EXPECT_EQ(throttle_->waiting(), 0);
  EXPECT_EQ(throttle_->reclaimed(), 0);
  EXPECT_EQ(sink_.events().size(), static_cast<size_t>(kRequests)) << "every answer passed on";
  // Memory stays bounded with 1,000 callers waiting (reliability.md B12: RSS < 256 MB).
  const int64_t peak_rss = PeakRssKib();
  ASSERT_GT(peak_rss, 0);
  EXPECT_LT(peak_rss, kPeakRssBoundKib) << "peak RSS " << peak_rss << " KiB";
  RecordProperty("peak_rss_kib", static_cast<int>(peak_rss));
}

TEST_F(ThrottledTransportTest, WaitingRequestsArePlacedFirstComeFirstServed) {
  StartThrottle(1);
  ASSERT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("FIRST")).ok());
  const std::vector<std::string> order = {"W1", "W2", "W3", "W4", "W5"};
  for (size_t i = 0; i < order.size(); ++i) {
    SubmitInBackground(order[i]);
    // Each one queues before the next arrives.
    ASSERT_TRUE(WaitFor([&] { return throttle_->waiting() == static_cast<int>(i + 1); }));
  }
  std::string at = "FIRST";
  for (const std::string& next : order) {
    ASSERT_TRUE(terminal_.Answer(at).ok());
    ASSERT_TRUE(WaitFor([&] { return Finished(next); })) << next;
    EXPECT_THAT(terminal_.at_terminal(), ElementsAre(next));
    at = next;
  }
  EXPECT_THAT(terminal_.placed(), ElementsAre("FIRST", "W1", "W2", "W3", "W4", "W5"));
}

TEST_F(ThrottledTransportTest, RequestWhoseDeadlinePassesWhileWaitingIsBusyAndNeverPlaced) {
  StartThrottle(1);
  ASSERT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("HOLDER")).ok());
  SubmitInBackground("LATECOMER", clock_.Now() + absl::Seconds(30));
  ASSERT_TRUE(WaitFor([&] { return throttle_->waiting() == 1; }));
  clock_.Advance(absl::Seconds(29));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(Finished("LATECOMER"));
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(WaitFor([&] { return Finished("LATECOMER"); }));
  absl::Status busy = ResultOf("LATECOMER");
  EXPECT_EQ(busy.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(busy), "ONSHI_TERMINAL_BUSY");
  EXPECT_THAT(terminal_.placed(), ElementsAre("HOLDER"));
  EXPECT_EQ(throttle_->waiting(), 0);
  EXPECT_EQ(throttle_->in_flight(), 1);
}

TEST_F(ThrottledTransportTest, PlaceWhoseDeadlinePassedIsTakenBackForTheNextRequest) {
  StartThrottle(1);
  ASSERT_TRUE(throttle_
                  ->Submit(DocumentKind::kQualificationRequest, Request("FORGOTTEN"),
                           clock_.Now() + absl::Seconds(5))
                  .ok());
  SubmitInBackground("NEXT", clock_.Now() + absl::Seconds(60));
  ASSERT_TRUE(WaitFor([&] { return throttle_->waiting() == 1; }));
  clock_.Advance(absl::Seconds(6));
  ASSERT_TRUE(WaitFor([&] { return Finished("NEXT"); }));
  EXPECT_TRUE(ResultOf("NEXT").ok());
  EXPECT_EQ(throttle_->reclaimed(), 1);
  EXPECT_EQ(throttle_->in_flight(), 1);
}

TEST_F(ThrottledTransportTest, PlaceOfARequestWithoutDeadlineIsTakenBackAfterTheLongestHold) {
  StartThrottle(1, /*max_hold=*/absl::Minutes(10));
  ASSERT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("NODEADLINE")).ok());
  SubmitInBackground("NEXT");
  ASSERT_TRUE(WaitFor([&] { return throttle_->waiting() == 1; }));
  clock_.Advance(absl::Minutes(9));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(Finished("NEXT"));
  clock_.Advance(absl::Minutes(2));
  ASSERT_TRUE(WaitFor([&] { return Finished("NEXT"); }));
  EXPECT_TRUE(ResultOf("NEXT").ok());
  EXPECT_EQ(throttle_->reclaimed(), 1);
}

TEST_F(ThrottledTransportTest, ReleaseRejectionAndUnreadableAnswerEachFreeAPlace) {
  StartThrottle(1);
  ASSERT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("R1")).ok());
  SubmitInBackground("R2");
  ASSERT_TRUE(WaitFor([&] { return throttle_->waiting() == 1; }));
  throttle_->Release(DocumentKind::kQualificationRequest, "R1");
  ASSERT_TRUE(WaitFor([&] { return Finished("R2"); }));

  SubmitInBackground("R3");
  ASSERT_TRUE(WaitFor([&] { return throttle_->waiting() == 1; }));
  terminal_.Reject("R2");
  ASSERT_TRUE(WaitFor([&] { return Finished("R3"); }));

  SubmitInBackground("R4");
  ASSERT_TRUE(WaitFor([&] { return throttle_->waiting() == 1; }));
  terminal_.Unreadable("R3");
  ASSERT_TRUE(WaitFor([&] { return Finished("R4"); }));

  EXPECT_THAT(terminal_.placed(), ElementsAre("R1", "R2", "R3", "R4"));
  // Passed on unchanged.
  EXPECT_THAT(sink_.events(), ElementsAre("rejected R2 E1", "unreadable R3"));
  // Releasing twice, or what holds no place, changes nothing.
  throttle_->Release(DocumentKind::kQualificationRequest, "R1");
  throttle_->Release(DocumentKind::kQualificationRequest, "UNKNOWN");
  EXPECT_EQ(throttle_->in_flight(), 1);
}

TEST_F(ThrottledTransportTest, AnswersArePassedOnWithTheSinksDisposition) {
  StartThrottle(2);
  ASSERT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("Q1")).ok());
  sink_.set_disposition(AnswerDisposition::kQuarantine);
  absl::StatusOr<AnswerDisposition> d = terminal_.Answer("Q1");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, AnswerDisposition::kQuarantine);
  EXPECT_EQ(throttle_->in_flight(), 0);
  // An answer nobody asked for (an orphan, or a duplicate) frees nothing and is passed on.
  ASSERT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("Q2")).ok());
  ASSERT_TRUE(terminal_.Answer("ORPHAN").ok());
  EXPECT_EQ(throttle_->in_flight(), 1);
  EXPECT_THAT(sink_.events(), ElementsAre("answer Q1", "answer ORPHAN"));
}

TEST_F(ThrottledTransportTest, SameRequestPlacedAgainHoldsOnePlace) {
  StartThrottle(1);
  ASSERT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("AGAIN")).ok());
  // A restart places pending requests again: it must not wait for its own place.
  ASSERT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("AGAIN")).ok());
  EXPECT_EQ(throttle_->in_flight(), 1);
  EXPECT_THAT(terminal_.placed(), ElementsAre("AGAIN", "AGAIN"));
  ASSERT_TRUE(terminal_.Answer("AGAIN").ok());
  EXPECT_EQ(throttle_->in_flight(), 0);
}

TEST_F(ThrottledTransportTest, FailedPlacementGivesThePlaceToTheNextRequest) {
  StartThrottle(1);
  terminal_.FailPlacing("BROKEN");
  absl::Status failed = throttle_->Submit(DocumentKind::kQualificationRequest, Request("BROKEN"));
  EXPECT_EQ(ReasonOf(failed), "ONSHI_TERMINAL_UNAVAILABLE");
  EXPECT_EQ(throttle_->in_flight(), 0);
  EXPECT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("FINE")).ok());
  EXPECT_THAT(terminal_.placed(), ElementsAre("FINE"));
}

TEST_F(ThrottledTransportTest, StopWakesWaitingRequestsWithCancelledAndStopsTheTerminal) {
  StartThrottle(1);
  ASSERT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("HELD")).ok());
  SubmitInBackground("WAITING1");
  SubmitInBackground("WAITING2");
  ASSERT_TRUE(WaitFor([&] { return throttle_->waiting() == 2; }));
  throttle_->Stop();
  ASSERT_TRUE(WaitFor([&] { return Finished("WAITING1") && Finished("WAITING2"); }));
  EXPECT_EQ(ReasonOf(ResultOf("WAITING1")), "ONSHI_CANCELLED");
  EXPECT_EQ(ReasonOf(ResultOf("WAITING2")), "ONSHI_CANCELLED");
  EXPECT_TRUE(terminal_.stopped());
  EXPECT_EQ(ReasonOf(throttle_->Submit(DocumentKind::kQualificationRequest, Request("AFTER"))),
            "ONSHI_CANCELLED");
  EXPECT_THAT(terminal_.placed(), ElementsAre("HELD"));
  // Started again, it lets requests through as before.
  ASSERT_TRUE(throttle_->Start(&sink_).ok());
  ASSERT_TRUE(terminal_.Answer("HELD").ok());
  EXPECT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("AGAIN")).ok());
}

TEST_F(ThrottledTransportTest, CheckinsAndDocumentsWithoutAnIdPassThroughUntouched) {
  StartThrottle(1);
  EXPECT_EQ(ReasonOf(throttle_->Submit(DocumentKind::kQualificationRequest,
                                       v1::BatchQualificationRequestDocument())),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(throttle_->in_flight(), 0);
  ASSERT_TRUE(throttle_->Submit(DocumentKind::kQualificationRequest, Request("HELD")).ok());
  IncomingAnswer checkin;
  checkin.kind = DocumentKind::kFaceCheckin;
  checkin.file_id = "HELD";  // the terminal's own id space: never one of onshi's requests
  ASSERT_TRUE(throttle_->OnAnswer(checkin).ok());
  EXPECT_EQ(throttle_->in_flight(), 1);
  EXPECT_THAT(sink_.events(), ElementsAre("answer HELD"));
}

}  // namespace
}  // namespace onshi::service
