#include "plugin/service/runtime.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "adapters/oqs_files/transport.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "plugin/common/fs.h"
#include "plugin/common/log.h"
#include "plugin/common/system_clock.h"
#include "plugin/core/errors.h"
#include "plugin/service/answer_router.h"
#include "plugin/service/coordinator.h"
#include "plugin/service/eligibility_service.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "runtime";

// Pending checks are expired at least this often, even with a long rescan interval.
constexpr absl::Duration kMaxSweepInterval = absl::Milliseconds(500);

oqs::FileTransportOptions TransportOptions(const v1::TerminalConfig& terminal) {
  oqs::FileTransportOptions options;
  options.root = terminal.root();
  options.request_encoding = terminal.request_encoding() == v1::DOCUMENT_ENCODING_SHIFT_JIS
                                 ? oqs::Encoding::kShiftJis
                                 : oqs::Encoding::kUtf8;
  options.rescan_interval = absl::Milliseconds(terminal.rescan_interval_ms());
  options.notifications = !terminal.disable_notifications();
  options.limits.max_bytes = static_cast<size_t>(terminal.max_document_bytes());
  options.malformed_grace = absl::Milliseconds(terminal.malformed_grace_ms());
  options.archive_processed = terminal.processed_policy() != v1::PROCESSED_FILE_POLICY_DELETE;
  options.processed_dir = terminal.processed_dir();
  options.quarantine_dir = terminal.quarantine_dir();
  return options;
}

// Holds an exclusive lock on <state_dir>/onshi.lock for the life of a runtime: two services on
// one store and one terminal folder would take each other's answers. flock() locks are per open
// file, so this also refuses a second runtime in the same process, and the kernel drops the lock
// when a process dies, so a crash never leaves the directory locked.
class StateDirLock {
 public:
  StateDirLock() = default;
  StateDirLock(const StateDirLock&) = delete;
  StateDirLock& operator=(const StateDirLock&) = delete;
  ~StateDirLock() {
    if (fd_ >= 0) ::close(fd_);
  }

  absl::Status Acquire(const std::string& state_dir) {
    const std::string path = absl::StrCat(state_dir, "/onshi.lock");
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd_ < 0) {
      return MakeError(errors::kConfigInvalid,
                       absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      return MakeError(errors::kConfigInvalid,
                       absl::StrCat("state_dir ", state_dir,
                                    " is already served by another onshid or embedded client; "
                                    "share that one instead of starting a second"));
    }
    return absl::OkStatus();
  }

 private:
  int fd_ = -1;
};

class RuntimeImpl final : public Runtime {
 public:
  ~RuntimeImpl() override { Shutdown(); }

  static absl::StatusOr<std::unique_ptr<RuntimeImpl>> Create(const v1::SidecarConfig& config,
                                                             RuntimeOverrides overrides) {
    auto runtime = std::unique_ptr<RuntimeImpl>(new RuntimeImpl());
    if (absl::Status s = EnsurePrivateDirectory(config.state_dir()); !s.ok()) return s;
    if (absl::Status s = runtime->lock_.Acquire(config.state_dir()); !s.ok()) return s;

    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(config.store().sqlite_path(), &runtime->clock_);
    if (!store.ok()) return store.status();
    runtime->store_ = std::move(*store);

    if (overrides.transport != nullptr) {
      runtime->transport_ = std::move(overrides.transport);
    } else {
      absl::StatusOr<std::unique_ptr<oqs::FileTransport>> transport =
          oqs::FileTransport::Create(TransportOptions(config.terminal()), &runtime->clock_);
      if (!transport.ok()) return transport.status();
      runtime->transport_ = std::move(*transport);
    }

    CoordinatorOptions options;
    options.medical_institution_code = config.terminal().medical_institution_code();
    options.answer_timeout = absl::Milliseconds(config.terminal().answer_timeout_ms());
    runtime->coordinator_ = std::make_unique<Coordinator>(
        std::move(options), runtime->store_.get(), runtime->transport_.get(), &runtime->clock_);

    if (absl::Status s = runtime->coordinator_->Recover(); !s.ok()) return s;
    runtime->router_.Register(DocumentKind::kQualificationAnswer, runtime->coordinator_.get());
    if (absl::Status s = runtime->transport_->Start(&runtime->router_); !s.ok()) {
      return s;
    }

    runtime->eligibility_ = std::make_unique<EligibilityServiceImpl>(runtime->coordinator_.get());
    RecordStore* const store_ptr = runtime->store_.get();
    TerminalTransport* const transport_ptr = runtime->transport_.get();
    runtime->health_ = std::make_unique<HealthServiceImpl>([store_ptr, transport_ptr] {
      if (absl::Status s = store_ptr->CheckHealth(); !s.ok()) return s;
      return transport_ptr->CheckHealth();
    });

    const absl::Duration sweep = std::min(
        kMaxSweepInterval, absl::Milliseconds(config.terminal().rescan_interval_ms()));
    runtime->sweeper_ = std::thread([r = runtime.get(), sweep] { r->SweepLoop(sweep); });
    Log(LogLevel::kInfo, kLog, "started");
    return runtime;
  }

  std::vector<grpc::Service*> services() override { return {eligibility_.get(), health_.get()}; }

  void Shutdown() override {
    {
      absl::MutexLock lock(&mu_);
      if (shut_down_) return;
      shut_down_ = true;
    }
    if (health_) health_->Shutdown();
    if (coordinator_) coordinator_->Shutdown();
    if (transport_) transport_->Stop();
    stop_sweeper_.Notify();
    if (sweeper_.joinable()) sweeper_.join();
    Log(LogLevel::kInfo, kLog, "stopped");
  }

 private:
  RuntimeImpl() = default;

  void SweepLoop(absl::Duration interval) {
    while (!stop_sweeper_.WaitForNotificationWithTimeout(interval)) {
      coordinator_->ExpireOverdue();
    }
  }

  StateDirLock lock_;
  SystemClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<TerminalTransport> transport_;
  std::unique_ptr<Coordinator> coordinator_;
  // The transport's sink: passes each kind of answer to its handler.
  AnswerRouter router_;
  std::unique_ptr<EligibilityServiceImpl> eligibility_;
  std::unique_ptr<HealthServiceImpl> health_;
  absl::Notification stop_sweeper_;
  std::thread sweeper_;
  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Runtime>> Runtime::Start(const v1::SidecarConfig& config,
                                                        RuntimeOverrides overrides) {
  absl::StatusOr<std::unique_ptr<RuntimeImpl>> runtime =
      RuntimeImpl::Create(config, std::move(overrides));
  if (!runtime.ok()) {
    Log(LogLevel::kError, kLog, "could not start: ", ToErrorDetail(runtime.status()).it_message());
    return runtime.status();
  }
  return std::unique_ptr<Runtime>(std::move(*runtime));
}

}  // namespace onshi::service
