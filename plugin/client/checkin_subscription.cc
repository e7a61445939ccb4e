#include "plugin/client/checkin_subscription.h"

#include <algorithm>
#include <system_error>

#include "grpcpp/client_context.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"

namespace onshi::client {
namespace {

constexpr absl::string_view kLog = "client";

// Backoff between attempts to reopen a broken stream (the channel has its own, as fast).
constexpr std::chrono::milliseconds kInitialBackoff{50};
constexpr std::chrono::milliseconds kMaxBackoff{1000};

}  // namespace

absl::StatusOr<std::shared_ptr<SubscriptionCore>> SubscriptionCore::Start(
    v1::CheckinService::Stub* stub, int64_t after_sequence,
    std::function<void(const v1::CheckinEvent&)> on_event) {
  if (after_sequence < 0) {
    return MakeError(errors::kInvalidArgument, "after_sequence must not be negative");
  }
  if (!on_event) return MakeError(errors::kInvalidArgument, "no callback given");
  std::shared_ptr<SubscriptionCore> core(
      new SubscriptionCore(stub, after_sequence, std::move(on_event)));
  try {
    // The thread holds the core: it outlives every handle until the thread ends.
    std::thread([core] { core->Run(); }).detach();
  } catch (const std::system_error&) {
    return MakeError(errors::kInternal, "the subscription's thread could not be started");
  }
  return core;
}

void SubscriptionCore::Run() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    thread_id_ = std::this_thread::get_id();
  }
  std::chrono::milliseconds backoff = kInitialBackoff;
  while (true) {
    grpc::ClientContext context;
    // Waits through onshid restarts instead of failing at once; Stop cancels.
    context.set_wait_for_ready(true);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) break;
      context_ = &context;
    }
    v1::WatchCheckinsRequest request;
    request.set_after_sequence(cursor_);
    std::unique_ptr<grpc::ClientReader<v1::CheckinEvent>> reader =
        stub_->WatchCheckins(&context, request);
    v1::CheckinEvent event;
    while (reader->Read(&event)) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopped_) break;  // Stop cancelled the stream; Finish returns at once.
      }
      cursor_ = event.sequence();
      backoff = kInitialBackoff;
      on_event_(event);
    }
    const grpc::Status status = reader->Finish();
    {
      std::lock_guard<std::mutex> lock(mu_);
      context_ = nullptr;
      if (stopped_) break;
    }
    Log(LogLevel::kDebug, kLog, "check-in stream ended (gRPC code ",
        static_cast<int>(status.error_code()), "); reopening after ", backoff.count(), " ms");
    if (!Sleep(backoff)) break;
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
  }
  changed_.notify_all();
}

bool SubscriptionCore::Sleep(std::chrono::milliseconds delay) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, delay, [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return stopped_; });
  return !stopped_;
}

void SubscriptionCore::Stop() {
  std::unique_lock<std::mutex> lock(mu_);
  if (!stopped_) {
    stopped_ = true;
    if (context_ != nullptr) context_->TryCancel();
    changed_.notify_all();
  }
  // From inside the callback: the thread ends once the callback returns.
  if (thread_id_ == std::this_thread::get_id()) return;
  changed_.wait(lock, [this]() ABSL_NO_THREAD_SAFETY_ANALYSIS { return done_; });
}

}  // namespace onshi::client
