// Internal to plugin/client: the thread behind Client::SubscribeCheckins. It holds one
// WatchCheckins stream open (wait_for_ready, no deadline), passes every event to the callback,
// and reopens a broken stream with backoff, resuming after the last sequence delivered.

#ifndef ONSHI_PLUGIN_CLIENT_CHECKIN_SUBSCRIPTION_H_
#define ONSHI_PLUGIN_CLIENT_CHECKIN_SUBSCRIPTION_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "onshi/v1/checkin_service.grpc.pb.h"
#include "plugin/client/client.h"

namespace grpc {
class ClientContext;
}  // namespace grpc

namespace onshi::client {

// The state one subscription's thread and its owners share. Thread-safe.
class SubscriptionCore {
 public:
  // `stub` must stay valid until Stop() returned (or, from inside the callback, until the thread
  // ended: Client's destructor calls Stop on every core before dropping its stub).
  static absl::StatusOr<std::shared_ptr<SubscriptionCore>> Start(
      v1::CheckinService::Stub* stub, int64_t after_sequence,
      std::function<void(const v1::CheckinEvent&)> on_event);

  // See CheckinSubscription::Stop.
  void Stop();

 private:
  SubscriptionCore(v1::CheckinService::Stub* stub, int64_t after_sequence,
                   std::function<void(const v1::CheckinEvent&)> on_event)
      : stub_(stub), cursor_(after_sequence), on_event_(std::move(on_event)) {}
  void Run();
  // Waits `delay` or until stopped; false when stopped.
  bool Sleep(std::chrono::milliseconds delay);

  v1::CheckinService::Stub* const stub_;
  // Touched by the subscription's thread only.
  int64_t cursor_;
  const std::function<void(const v1::CheckinEvent&)> on_event_;

  std::mutex mu_;
  std::condition_variable changed_;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  // The open stream's context, to cancel it from Stop.
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  // Set by the thread itself when it starts, so a Stop from inside the callback knows itself.
  std::thread::id thread_id_ ABSL_GUARDED_BY(mu_);
};

// The handle handed to the caller: stops the core when destroyed.
class CheckinSubscriptionImpl final : public CheckinSubscription {
 public:
  explicit CheckinSubscriptionImpl(std::shared_ptr<SubscriptionCore> core)
      : core_(std::move(core)) {}
  ~CheckinSubscriptionImpl() override { core_->Stop(); }
  void Stop() override { core_->Stop(); }

 private:
  std::shared_ptr<SubscriptionCore> core_;
};

}  // namespace onshi::client

#endif  // ONSHI_PLUGIN_CLIENT_CHECKIN_SUBSCRIPTION_H_
