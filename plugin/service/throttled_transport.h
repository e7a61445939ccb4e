// At most N requests at the terminal at once (reliability.md B12). The 資格確認端末 serves a
// limited number of sessions (20 at most), and a clinic that pre-checks a day's appointments or
// restarts with a backlog must not flood it: ThrottledTransport wraps the transport that places
// files and lets a request through only while fewer than max_in_flight of onshi's requests are
// at the terminal. The others wait, first come first served, in the caller's Submit; they are
// durable already, because every request is in its owner's ledger before it is submitted, and
// a restart places the pending ones again through the same throttle.
//
// A request holds its place from the moment it is let through until the terminal's answer, a
// rejection (.err) or an unreadable answer file arrives for it (the throttle sees them first, as
// the wrapped transport's sink, and passes them on), its owner releases it (Release: the owner
// stopped waiting), its deadline passes, or placing it fails. A request whose deadline passed
// never holds a place: the terminal may still answer it late, but nobody waits for that.

#ifndef ONSHI_PLUGIN_SERVICE_THROTTLED_TRANSPORT_H_
#define ONSHI_PLUGIN_SERVICE_THROTTLED_TRANSPORT_H_

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "plugin/core/ports.h"

namespace onshi::service {

struct ThrottleOptions {
  // Requests at the terminal at once: 1 – 20 (terminal.max_in_flight).
  int max_in_flight = 10;
  // A place is given back at the latest this long after the request was let through, even when
  // it was submitted without a deadline: an answer the terminal never writes must not hold a
  // place forever. Must be positive.
  absl::Duration max_hold = absl::Hours(1);
};

// Thread-safe. The wrapped transport and the clock must outlive the throttle.
class ThrottledTransport final : public TerminalTransport, public AnswerSink {
 public:
  // Errors: ONSHI_CONFIG_INVALID when max_in_flight is outside 1 – 20 or max_hold is not
  // positive; ONSHI_INVALID_ARGUMENT for a null `inner` or `clock`.
  static absl::StatusOr<std::unique_ptr<ThrottledTransport>> Create(ThrottleOptions options,
                                                                    TerminalTransport* inner,
                                                                    const Clock* clock);

  // Calls Stop().
  ~ThrottledTransport() override;

  ThrottledTransport(const ThrottledTransport&) = delete;
  ThrottledTransport& operator=(const ThrottledTransport&) = delete;

  // Starts the wrapped transport with this throttle as its sink; what arrives is passed on to
  // `sink` (which must outlive Stop()). Submit calls may wait again after a Stop. Errors: those
  // of the wrapped transport's Start; ONSHI_INVALID_ARGUMENT for a null sink.
  absl::Status Start(AnswerSink* sink) override;

  // Wakes every Submit waiting for a place with CANCELLED, refuses new ones that would have to
  // wait, then stops the wrapped transport. Places held stay counted (those requests are still
  // at the terminal). Idempotent.
  void Stop() override;

  // Takes a place (waiting in FIFO order until one is free or `deadline` passes), then places
  // `document` through the wrapped transport. A request whose file id already holds a place (the
  // same request placed again, e.g. after a restart) does not take a second one. The clock given
  // to Create decides when `deadline` has passed. Errors: UNAVAILABLE (ONSHI_TERMINAL_BUSY) when
  // no place came free before `deadline` (nothing was placed); CANCELLED (ONSHI_CANCELLED) when
  // Stop() ran while waiting, or before a call that would have to wait; ONSHI_INVALID_ARGUMENT
  // when the document carries no file id; otherwise the wrapped transport's errors (the place is
  // given back).
  absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document,
                      absl::Time deadline) override;
  // Submit without a deadline: the place is held until the answer, a release, or max_hold.
  absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document) override;

  // Gives back the place of the request `file_id` of `kind`, if it holds one, and lets the next
  // waiting request through. Idempotent.
  void Release(DocumentKind kind, const std::string& file_id) override;

  // The wrapped transport's health.
  absl::Status CheckHealth() override;

  // AnswerSink for the wrapped transport (on its thread): each gives back the place of the
  // request it concerns, then passes the call on unchanged to the sink given to Start.
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override;
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override;
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override;

  // For tests and diagnostics: places held now, Submit calls waiting now, the most places ever
  // held at once, and how many places were taken back because their time ran out.
  int in_flight() const;
  int waiting() const;
  int peak_in_flight() const;
  int64_t reclaimed() const;

 private:
  using Key = std::pair<DocumentKind, std::string>;
  struct Waiter {
    Key key;
    absl::Time hold_until;
    // Signalled when the waiter is let through or the throttle stops.
    absl::CondVar wake;
    bool granted = false;
    // False when the key already held a place when it was granted (nothing to give back).
    bool took_place = false;
  };

  ThrottledTransport(ThrottleOptions options, TerminalTransport* inner, const Clock* clock);

  // The request kind an answer of `answer_kind` answers; nullopt for check-ins.
  static std::optional<DocumentKind> RequestKindOf(DocumentKind answer_kind);

  void ReleaseKey(const Key& key, absl::string_view why);
  // Takes back places whose time ran out, then lets waiting requests through, oldest first,
  // while places are free.
  void GrantLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const ThrottleOptions options_;
  TerminalTransport* const inner_;
  const Clock* const clock_;
  // Set by Start before the wrapped transport delivers anything.
  AnswerSink* sink_ = nullptr;

  mutable absl::Mutex mu_;
  // Requests let through → until when they hold their place at the latest.
  std::map<Key, absl::Time> held_ ABSL_GUARDED_BY(mu_);
  // Submit calls waiting for a place, oldest first. The waiters live on their callers' stacks.
  std::list<Waiter*> queue_ ABSL_GUARDED_BY(mu_);
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  int peak_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t reclaimed_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_THROTTLED_TRANSPORT_H_
