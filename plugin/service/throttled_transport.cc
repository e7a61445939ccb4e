#include "plugin/service/throttled_transport.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "throttle";

// The terminal serves at most 20 sessions (reliability.md §1.2); config.cc enforces the same.
constexpr int kMaxInFlightLimit = 20;

// A waiting Submit looks at the clock at least this often: the clock given to Create may be a
// test clock that moves without waking anyone, and places held by others run out by it.
constexpr absl::Duration kPollInterval = absl::Milliseconds(200);

}  // namespace

absl::StatusOr<std::unique_ptr<ThrottledTransport>> ThrottledTransport::Create(
    ThrottleOptions options, TerminalTransport* inner, const Clock* clock) {
  if (inner == nullptr || clock == nullptr) {
    return MakeError(errors::kInvalidArgument, "throttle needs a transport and a clock");
  }
  if (options.max_in_flight < 1 || options.max_in_flight > kMaxInFlightLimit) {
    return MakeError(errors::kConfigInvalid, "terminal.max_in_flight must be 1 - 20");
  }
  if (options.max_hold <= absl::ZeroDuration()) {
    return MakeError(errors::kConfigInvalid, "throttle max_hold must be positive");
  }
  return std::unique_ptr<ThrottledTransport>(new ThrottledTransport(options, inner, clock));
}

ThrottledTransport::ThrottledTransport(ThrottleOptions options, TerminalTransport* inner,
                                       const Clock* clock)
    : options_(options), inner_(inner), clock_(clock) {}

ThrottledTransport::~ThrottledTransport() { Stop(); }

std::optional<DocumentKind> ThrottledTransport::RequestKindOf(DocumentKind answer_kind) {
  for (DocumentKind kind : AllDocumentKinds()) {
    if (IsRequestKind(kind) && AnswerKindOf(kind) == answer_kind) return kind;
  }
  return std::nullopt;
}

absl::Status ThrottledTransport::Start(AnswerSink* sink) {
  if (sink == nullptr) return MakeError(errors::kInvalidArgument, "sink is null");
  {
    absl::MutexLock lock(&mu_);
    sink_ = sink;
    stopped_ = false;
  }
  return inner_->Start(this);
}

void ThrottledTransport::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    for (Waiter* waiter : queue_) waiter->wake.Signal();
  }
  inner_->Stop();
}

absl::Status ThrottledTransport::Submit(DocumentKind kind,
                                        const google::protobuf::Message& document) {
  return Submit(kind, document, absl::InfiniteFuture());
}

absl::Status ThrottledTransport::Submit(DocumentKind kind,
                                        const google::protobuf::Message& document,
                                        absl::Time deadline) {
  absl::StatusOr<std::string> file_id = FileIdOf(kind, document);
  if (!file_id.ok()) return file_id.status();
  Key key(kind, *file_id);
  const absl::Time now = clock_->Now();
  bool took_place = false;
  {
    absl::MutexLock lock(&mu_);
    Waiter waiter;
    waiter.key = key;
    waiter.hold_until = std::min(deadline, now + options_.max_hold);
    auto held = held_.find(key);
    if (held != held_.end()) {
      // The same request again (placed anew after a restart, or retried): it is at the terminal
      // once, so it counts once.
      held->second = std::max(held->second, waiter.hold_until);
    } else {
      if (stopped_) return MakeError(errors::kCancelled, "the terminal transport is stopped");
      queue_.push_back(&waiter);
      GrantLocked(now);
      if (!waiter.granted) {
        Log(LogLevel::kDebug, kLog, DocumentKindName(kind), " ", key.second, " waits for a place (",
            held_.size(), " at the terminal, ", queue_.size(), " waiting)");
      }
      while (!waiter.granted) {
        const absl::Time t = clock_->Now();
        absl::Status gave_up;
        if (stopped_) {
          gave_up = MakeError(errors::kCancelled, "the terminal transport stopped");
        } else if (t >= deadline) {
          gave_up =
              MakeError(errors::kTerminalBusy,
                        absl::StrCat("no place at the terminal came free before the deadline (",
                                     options_.max_in_flight, " requests at the terminal, ",
                                     queue_.size(), " waiting)"));
        }
        if (!gave_up.ok()) {
          queue_.remove(&waiter);
          Log(LogLevel::kWarning, kLog, DocumentKindName(kind), " ", key.second,
              " not placed: ", ReasonOf(gave_up));
          return gave_up;
        }
        GrantLocked(t);  // Places held by others may have run out.
        if (waiter.granted) break;
        absl::Duration wait = std::min(deadline - t, kPollInterval);
        if (queue_.front() == &waiter) {
          // Only the oldest waiter can be let through next: it watches the places' times.
          for (const auto& [unused, until] : held_) wait = std::min(wait, until - t);
        }
        waiter.wake.WaitWithTimeout(&mu_, std::max(wait, absl::Milliseconds(1)));
      }
      took_place = waiter.took_place;
    }
  }
  absl::Status placed = inner_->Submit(kind, document, deadline);
  if (!placed.ok() && took_place) ReleaseKey(key, "placing it failed");
  return placed;
}

void ThrottledTransport::GrantLocked(absl::Time now) {
  if (queue_.empty()) return;
  if (static_cast<int>(held_.size()) >= options_.max_in_flight) {
    for (auto it = held_.begin(); it != held_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      Log(LogLevel::kWarning, kLog, DocumentKindName(it->first.first), " ", it->first.second,
          " gave its place back: its time ran out without an answer or a release");
      ++reclaimed_;
      it = held_.erase(it);
    }
  }
  while (!queue_.empty() && static_cast<int>(held_.size()) < options_.max_in_flight) {
    Waiter* waiter = queue_.front();
    queue_.pop_front();
    auto [it, inserted] = held_.emplace(waiter->key, waiter->hold_until);
    if (!inserted) it->second = std::max(it->second, waiter->hold_until);
    waiter->granted = true;
    waiter->took_place = inserted;
    waiter->wake.Signal();
  }
  peak_ = std::max(peak_, static_cast<int>(held_.size()));
}

void ThrottledTransport::ReleaseKey(const Key& key, absl::string_view why) {
  absl::MutexLock lock(&mu_);
  if (held_.erase(key) == 0) return;
  Log(LogLevel::kDebug, kLog, DocumentKindName(key.first), " ", key.second,
      " gave its place back: ", why);
  GrantLocked(clock_->Now());
}

void ThrottledTransport::Release(DocumentKind kind, const std::string& file_id) {
  ReleaseKey(Key(kind, file_id), "its owner released it");
}

absl::Status ThrottledTransport::CheckHealth() { return inner_->CheckHealth(); }

absl::StatusOr<AnswerDisposition> ThrottledTransport::OnAnswer(const IncomingAnswer& answer) {
  // The terminal is done with the request once its answer is there, whatever becomes of it.
  if (std::optional<DocumentKind> request = RequestKindOf(answer.kind)) {
    ReleaseKey(Key(*request, answer.file_id), "answered");
  }
  return sink_->OnAnswer(answer);
}

absl::Status ThrottledTransport::OnRequestRejected(const RejectedRequest& rejected) {
  ReleaseKey(Key(rejected.kind, rejected.file_id), "rejected");
  return sink_->OnRequestRejected(rejected);
}

absl::Status ThrottledTransport::OnUnreadableAnswer(const UnreadableAnswer& unreadable) {
  if (std::optional<DocumentKind> request = RequestKindOf(unreadable.kind)) {
    ReleaseKey(Key(*request, unreadable.file_id), "its answer is unreadable");
  }
  return sink_->OnUnreadableAnswer(unreadable);
}

int ThrottledTransport::in_flight() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(held_.size());
}

int ThrottledTransport::waiting() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(queue_.size());
}

int ThrottledTransport::peak_in_flight() const {
  absl::MutexLock lock(&mu_);
  return peak_;
}

int64_t ThrottledTransport::reclaimed() const {
  absl::MutexLock lock(&mu_);
  return reclaimed_;
}

}  // namespace onshi::service
