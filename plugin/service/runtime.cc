#include "plugin/service/runtime.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "adapters/oqs_files/transport.h"
#include "adapters/store_sqlite/sqlite_audit_log.h"  // audit log
#include "adapters/store_sqlite/sqlite_batch_store.h"
#include "adapters/store_sqlite/sqlite_checkin_store.h"
#include "adapters/store_sqlite/sqlite_consent_store.h"  // consent ledger
#include "adapters/store_sqlite/sqlite_medical_store.h"  // medical information
#include "adapters/store_sqlite/sqlite_store.h"
#include "adapters/store_sqlite/sqlite_visit_store.h"       // outage workflow
#include "adapters/store_sqlite/sqlite_write_back_store.h"  // write-back
#include "plugin/common/fs.h"
#include "plugin/common/log.h"
#include "plugin/common/system_clock.h"
#include "plugin/core/errors.h"
#include "plugin/service/answer_router.h"
#include "plugin/service/audit_interceptor.h"  // audit log
#include "plugin/service/batch_services.h"
#include "plugin/service/batches.h"
#include "plugin/service/billing_service.h"  // self-pay cap
#include "plugin/service/bulk_exchange.h"
#include "plugin/service/checkin_service.h"
#include "plugin/service/checkins.h"
#include "plugin/service/consent.h"  // consent ledger
#include "plugin/service/coordinator.h"
#include "plugin/service/eligibility_service.h"
#include "plugin/service/medical_info.h"    // medical information
#include "plugin/service/record_service.h"  // write-back
#include "plugin/service/reference_numbers.h"
#include "plugin/service/throttled_transport.h"
#include "plugin/service/visit_service.h"  // outage workflow

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

    // --- audit log (docs/audit.md): before anything that may serve or record work ---
    absl::StatusOr<std::unique_ptr<SqliteAuditLog>> audit_log =
        SqliteAuditLog::Open(runtime->store_.get(), config.state_dir());
    if (!audit_log.ok()) return audit_log.status();
    runtime->audit_log_ = std::move(*audit_log);
    // --- end of audit log ---

    if (overrides.transport != nullptr) {
      runtime->terminal_ = std::move(overrides.transport);
    } else {
      absl::StatusOr<std::unique_ptr<oqs::FileTransport>> transport =
          oqs::FileTransport::Create(TransportOptions(config.terminal()), &runtime->clock_);
      if (!transport.ok()) return transport.status();
      runtime->terminal_ = std::move(*transport);
    }
    // Every request reaches the terminal through the throttle: at most terminal.max_in_flight at
    // once, the others wait in order (reliability.md B12). No exchange holds a place longer than
    // the longest timeout any exchange has.
    ThrottleOptions throttle;
    throttle.max_in_flight = config.terminal().max_in_flight();
    throttle.max_hold = absl::Milliseconds(
        std::max(config.terminal().answer_timeout_ms(), config.terminal().bulk_timeout_ms()));
    absl::StatusOr<std::unique_ptr<ThrottledTransport>> throttled =
        ThrottledTransport::Create(throttle, runtime->terminal_.get(), &runtime->clock_);
    if (!throttled.ok()) return throttled.status();
    runtime->transport_ = std::move(*throttled);

    CoordinatorOptions options;
    options.medical_institution_code = config.terminal().medical_institution_code();
    options.answer_timeout = absl::Milliseconds(config.terminal().answer_timeout_ms());
    runtime->coordinator_ = std::make_unique<Coordinator>(
        std::move(options), runtime->store_.get(), runtime->transport_.get(), &runtime->clock_);

    if (absl::Status s = runtime->coordinator_->Recover(); !s.ok()) return s;
    runtime->router_.Register(DocumentKind::kQualificationAnswer, runtime->coordinator_.get());

    // --- consent ledger (docs/consent.md): before check-ins and medical info, which use it ---
    runtime->consent_store_ = std::make_unique<SqliteConsentStore>(runtime->store_.get());
    runtime->consent_ledger_ = std::make_unique<ConsentLedger>(
        runtime->consent_store_.get(), runtime->store_.get(), &runtime->clock_);
    runtime->consent_service_ =
        std::make_unique<ConsentServiceImpl>(runtime->consent_ledger_.get());
    // --- end of consent ledger ---

    // --- self-pay cap (docs/billing.md): 限度額 data only as the consent ledger lets it leave ---
    runtime->self_pay_caps_ = std::make_unique<SelfPayCaps>(
        runtime->store_.get(),
        [ledger = runtime->consent_ledger_.get()](v1::PatientRecord* record) {
          return ledger->FilterRecord(record);
        },
        &runtime->clock_);
    runtime->billing_service_ = std::make_unique<BillingServiceImpl>(runtime->self_pay_caps_.get());
    // --- end of self-pay cap ---

    // --- write-back (docs/record.md) ---
    runtime->write_back_store_ = std::make_unique<SqliteWriteBackStore>(runtime->store_.get());
    runtime->write_backs_ = std::make_unique<WriteBacks>(
        runtime->store_.get(), runtime->write_back_store_.get(), &runtime->clock_);
    runtime->record_service_ = std::make_unique<RecordServiceImpl>(runtime->write_backs_.get(),
                                                                   runtime->consent_ledger_.get());
    // --- end of write-back ---

    // --- Card-reader check-ins: face/ files become events hosts watch (docs/checkins.md) ---
    runtime->checkin_store_ = std::make_unique<SqliteCheckinStore>(runtime->store_.get());
    runtime->checkins_ = std::make_unique<Checkins>(
        CheckinOptions{config.terminal().medical_institution_code()}, runtime->checkin_store_.get(),
        runtime->store_.get(), runtime->store_.get(), runtime->consent_store_.get(),
        &runtime->clock_);
    runtime->router_.Register(DocumentKind::kFaceCheckin, runtime->checkins_.get());
    runtime->checkin_service_ = std::make_unique<CheckinServiceImpl>(runtime->checkins_.get());
    // --- end of check-ins ---

    // --- 一括照会 and 照会番号 registration: the bulk-exchange engine (docs/batches.md) ---
    runtime->InitBulk(config.terminal());
    // --- end of batches and 照会番号 ---

    // --- 薬剤情報 / 特定健診 (docs/medical-info.md) ---
    if (absl::Status s = runtime->InitMedical(config.terminal()); !s.ok()) return s;
    // --- end of medical information ---

    if (absl::Status s = runtime->transport_->Start(&runtime->router_); !s.ok()) {
      return s;
    }
    // Batches and registrations left unfinished by the previous run resume from their stored
    // file states (the driver thread re-places what may not have reached the terminal).
    runtime->bulk_engine_->Start();
    // Checks left pending by the previous run go to the terminal again, through the throttle and
    // behind nothing: they may have to wait for places, so not on this thread.
    runtime->placer_ = std::thread([c = runtime->coordinator_.get()] { c->PlacePending(); });
    // Medical requests left pending likewise (medical information).
    runtime->medical_placer_ = std::thread([m = runtime->medical_.get()] { m->PlacePending(); });

    runtime->eligibility_ = std::make_unique<EligibilityServiceImpl>(
        runtime->coordinator_.get(), runtime->consent_ledger_.get());
    RecordStore* const store_ptr = runtime->store_.get();
    TerminalTransport* const transport_ptr = runtime->transport_.get();
    runtime->health_ = std::make_unique<HealthServiceImpl>([store_ptr, transport_ptr] {
      if (absl::Status s = store_ptr->CheckHealth(); !s.ok()) return s;
      return transport_ptr->CheckHealth();
    });

    const absl::Duration sweep =
        std::min(kMaxSweepInterval, absl::Milliseconds(config.terminal().rescan_interval_ms()));
    runtime->sweeper_ = std::thread([r = runtime.get(), sweep] { r->SweepLoop(sweep); });
    // --- outage workflow (docs/outage.md): visits, re-check queue drain, claims view ---
    runtime->InitOutage(config);
    // --- end of outage workflow ---
    Log(LogLevel::kInfo, kLog, "started");
    return runtime;
  }

  std::vector<grpc::Service*> services() override {
    std::vector<grpc::Service*> all = {eligibility_.get(), health_.get()};
    all.push_back(checkin_service_.get());           // card-reader check-ins
    all.push_back(record_service_.get());            // write-back
    all.push_back(consent_service_.get());           // consent ledger
    all.push_back(billing_service_.get());           // self-pay cap
    all.push_back(batch_service_.get());             // 一括照会
    all.push_back(reference_number_service_.get());  // 照会番号 registration
    all.push_back(medical_service_.get());           // 薬剤情報 / 特定健診
    all.push_back(visit_service_.get());             // outage workflow
    return all;
  }

  // --- audit log ---
  AuditLog* audit_log() override { return audit_log_.get(); }

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors()
      override {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> all;
    all.push_back(std::make_unique<AuditInterceptorFactory>(audit_log_.get(), &clock_));
    return all;
  }
  // --- end of audit log ---

  void Shutdown() override {
    {
      absl::MutexLock lock(&mu_);
      if (shut_down_) return;
      shut_down_ = true;
    }
    if (health_) health_->Shutdown();
    if (coordinator_) coordinator_->Shutdown();
    if (visits_) visits_->Shutdown();    // outage workflow: after the coordinator (ends a re-check)
    if (medical_) medical_->Shutdown();  // medical information: ends every waiting call
    if (checkins_) checkins_->Shutdown();  // card-reader check-ins: ends every WatchCheckins
    if (transport_) transport_->Stop();
    // After the transport: a driver waiting in the throttle for a place returns when it stops.
    if (bulk_engine_) bulk_engine_->Shutdown();  // 一括照会 and 照会番号: ends every stream
    if (placer_.joinable()) placer_.join();
    if (medical_placer_.joinable()) medical_placer_.join();  // medical information
    stop_sweeper_.Notify();
    if (sweeper_.joinable()) sweeper_.join();
    Log(LogLevel::kInfo, kLog, "stopped");
  }

 private:
  RuntimeImpl() = default;

  // --- 一括照会 and 照会番号 registration ---
  void InitBulk(const v1::TerminalConfig& terminal) {
    batch_store_ = std::make_unique<SqliteBatchStore>(store_.get());
    BulkExchangeOptions options;
    options.medical_institution_code = terminal.medical_institution_code();
    options.answer_timeout = absl::Milliseconds(terminal.answer_timeout_ms());
    options.poll_initial = absl::Milliseconds(terminal.batch_poll_initial_ms());
    options.poll_max = absl::Milliseconds(terminal.batch_poll_max_ms());
    options.bulk_timeout = absl::Milliseconds(terminal.bulk_timeout_ms());
    options.max_in_flight = terminal.max_in_flight();
    bulk_engine_ = std::make_unique<BulkExchangeEngine>(std::move(options), batch_store_.get(),
                                                        transport_.get(), &clock_);
    batches_ = std::make_unique<Batches>(
        BatchOptions{terminal.medical_institution_code(), terminal.batch_file_size(),
                     terminal.batch_max_patients()},
        batch_store_.get(), bulk_engine_.get(), &clock_);
    reference_numbers_ = std::make_unique<ReferenceNumbers>(
        ReferenceNumberOptions{terminal.medical_institution_code(), terminal.batch_file_size(),
                               terminal.batch_max_patients()},
        batch_store_.get(), bulk_engine_.get(), &clock_);
    bulk_engine_->Register(BulkExchange::kBatch, batches_.get());
    bulk_engine_->Register(BulkExchange::kReferenceNumber, reference_numbers_.get());
    bulk_engine_->Register(BulkExchange::kBulkReferenceNumber, reference_numbers_.get());
    for (DocumentKind kind : bulk_engine_->AnswerKinds())
      router_.Register(kind, bulk_engine_.get());
    batch_service_ = std::make_unique<BatchServiceImpl>(batches_.get());
    reference_number_service_ =
        std::make_unique<ReferenceNumberServiceImpl>(reference_numbers_.get());
  }
  // --- end of batches and 照会番号 ---

  // --- outage workflow ---
  void InitOutage(const v1::SidecarConfig& config) {
    visit_store_ = std::make_unique<SqliteVisitStore>(store_.get());
    VisitOptions options;
    const v1::OutageConfig& outage = config.outage();
    options.tick = absl::Milliseconds(outage.recheck_tick_ms());
    options.probe_initial = absl::Milliseconds(outage.recheck_probe_initial_ms());
    options.probe_max = absl::Milliseconds(outage.recheck_probe_max_ms());
    options.recheck_max_age_days = outage.recheck_max_age_days();
    options.recheck_call_timeout =
        absl::Milliseconds(config.terminal().answer_timeout_ms()) + absl::Seconds(5);
    Coordinator* const coordinator = coordinator_.get();
    visits_ = std::make_unique<Visits>(
        std::move(options), visit_store_.get(), store_.get(),
        [coordinator](const v1::CheckQualificationRequest& request, absl::Time call_deadline) {
          return coordinator->CheckQualification(request, call_deadline, nullptr);
        },
        audit_log_.get(), &clock_);
    visit_service_ = std::make_unique<VisitServiceImpl>(visits_.get());
    visits_->Start();
  }
  // --- end of outage workflow ---

  // --- 薬剤情報 / 特定健診 ---
  absl::Status InitMedical(const v1::TerminalConfig& terminal) {
    medical_store_ = std::make_unique<SqliteMedicalStore>(store_.get());
    MedicalInfoOptions options;
    options.medical_institution_code = terminal.medical_institution_code();
    options.answer_timeout = absl::Milliseconds(terminal.answer_timeout_ms());
    medical_ = std::make_unique<MedicalInfoCoordinator>(std::move(options), store_.get(),
                                                        medical_store_.get(), consent_store_.get(),
                                                        transport_.get(), &clock_);
    if (absl::Status s = medical_->Recover(); !s.ok()) return s;
    router_.Register(DocumentKind::kMedicationResult, medical_.get());
    router_.Register(DocumentKind::kCheckupResult, medical_.get());
    medical_service_ = std::make_unique<MedicalInfoServiceImpl>(medical_.get());
    return absl::OkStatus();
  }
  // --- end of medical information ---

  void SweepLoop(absl::Duration interval) {
    while (!stop_sweeper_.WaitForNotificationWithTimeout(interval)) {
      coordinator_->ExpireOverdue();
      medical_->ExpireOverdue();  // medical information: timeouts and the results' retention
    }
  }

  StateDirLock lock_;
  SystemClock clock_;
  std::unique_ptr<SqliteStore> store_;
  // --- audit log (destroyed before the store) ---
  std::unique_ptr<SqliteAuditLog> audit_log_;
  // --- end of audit log ---
  // The transport that places files (or the override); used only through transport_.
  std::unique_ptr<TerminalTransport> terminal_;
  // terminal_ behind the throttle: what every handler submits to.
  std::unique_ptr<TerminalTransport> transport_;
  std::unique_ptr<Coordinator> coordinator_;
  // --- consent ledger ---
  std::unique_ptr<SqliteConsentStore> consent_store_;
  std::unique_ptr<ConsentLedger> consent_ledger_;
  std::unique_ptr<ConsentServiceImpl> consent_service_;
  // --- end of consent ledger ---
  // --- self-pay cap ---
  std::unique_ptr<SelfPayCaps> self_pay_caps_;
  std::unique_ptr<BillingServiceImpl> billing_service_;
  // --- end of self-pay cap ---
  // --- write-back ---
  std::unique_ptr<SqliteWriteBackStore> write_back_store_;
  std::unique_ptr<WriteBacks> write_backs_;
  std::unique_ptr<RecordServiceImpl> record_service_;
  // --- end of write-back ---
  // --- card-reader check-ins ---
  std::unique_ptr<SqliteCheckinStore> checkin_store_;
  std::unique_ptr<Checkins> checkins_;
  std::unique_ptr<CheckinServiceImpl> checkin_service_;
  // --- end of check-ins ---
  // --- 一括照会 and 照会番号 registration (destroyed before the store and the transport) ---
  std::unique_ptr<SqliteBatchStore> batch_store_;
  std::unique_ptr<BulkExchangeEngine> bulk_engine_;
  std::unique_ptr<Batches> batches_;
  std::unique_ptr<ReferenceNumbers> reference_numbers_;
  std::unique_ptr<BatchServiceImpl> batch_service_;
  std::unique_ptr<ReferenceNumberServiceImpl> reference_number_service_;
  // --- end of batches and 照会番号 ---
  // --- outage workflow (stopped in Shutdown, before the coordinator goes) ---
  std::unique_ptr<SqliteVisitStore> visit_store_;
  std::unique_ptr<Visits> visits_;
  std::unique_ptr<VisitServiceImpl> visit_service_;
  // --- end of outage workflow ---
  // --- 薬剤情報 / 特定健診 ---
  std::unique_ptr<SqliteMedicalStore> medical_store_;
  std::unique_ptr<MedicalInfoCoordinator> medical_;
  std::unique_ptr<MedicalInfoServiceImpl> medical_service_;
  // Runs MedicalInfoCoordinator::PlacePending once after start.
  std::thread medical_placer_;
  // --- end of medical information ---
  // The transport's sink: passes each kind of answer to its handler.
  AnswerRouter router_;
  std::unique_ptr<EligibilityServiceImpl> eligibility_;
  std::unique_ptr<HealthServiceImpl> health_;
  absl::Notification stop_sweeper_;
  std::thread sweeper_;
  // Runs Coordinator::PlacePending once after start.
  std::thread placer_;
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
