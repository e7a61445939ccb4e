#include "adapters/terminal_sim/in_process_terminal.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <variant>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/oqs_files/file_names.h"
#include "adapters/terminal_sim/dataset.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/common/system_clock.h"
#include "plugin/core/errors.h"

namespace onshi::sim {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

constexpr absl::string_view kLog = "terminal_twin";

// A request the worker has not decided about yet.
struct Take {
  DocumentKind kind;
  std::string file_id;
  std::shared_ptr<const google::protobuf::Message> request;
};
// An answer (or the news that it was unreadable) due for the sink.
struct Deliver {
  DocumentKind kind;
  std::string file_id;
  // Shared by every delivery of the answer (a duplicate, a redelivery). Null for a PDF.
  std::shared_ptr<const google::protobuf::Message> answer;
  std::shared_ptr<const std::string> pdf;
  bool malformed = false;
  // Fault::kDuplicate: deliver once more after the first delivery was accepted.
  bool duplicate = false;
};
// A refusal due for the sink.
struct Refuse {
  DocumentKind kind;
  std::string file_id;
  std::string code;
};
using Job = std::variant<Take, Deliver, Refuse>;

std::string RenamedId(const std::string& id) {
  return absl::StrCat(id.size() > 60 ? id.substr(0, 60) : id, "_dup");
}

ResponderOptions ResponderOptionsOf(InProcessTerminalOptions& options) {
  ResponderOptions r;
  r.institution_code = std::move(options.institution_code);
  r.encoding = oqs::Encoding::kUtf8;
  r.latency = options.latency;
  r.fault = options.fault;
  r.batch_processing_time = options.batch_processing_time;
  r.late_delay = options.late_delay;
  return r;
}

}  // namespace

class InProcessTerminal::Impl {
 public:
  explicit Impl(InProcessTerminalOptions options)
      : clock_(options.clock != nullptr ? options.clock : &system_clock_),
        redelivery_interval_(absl::ToChronoNanoseconds(options.redelivery_interval)),
        responder_(std::move(options.dataset), ResponderOptionsOf(options)) {}

  ~Impl() { Stop(); }

  absl::Status Start(AnswerSink* sink) {
    if (sink == nullptr) return MakeError(errors::kInternal, "terminal twin: sink is NULL");
    std::lock_guard<std::mutex> lock(mu_);
    if (started_ || stopped_) {
      return MakeError(errors::kInternal, "terminal twin: started twice or after Stop");
    }
    started_ = true;
    sink_ = sink;
    worker_ = std::thread([this] { WorkLoop(); });
    return absl::OkStatus();
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      jobs_.clear();
    }
    cv_.notify_all();
    if (worker_.joinable()) worker_.join();
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.clear();
  }

  absl::Status Submit(DocumentKind kind, std::string file_id,
                      std::shared_ptr<const google::protobuf::Message> request) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return MakeError(errors::kTerminalUnavailable, "terminal twin stopped");
    ScheduleLocked(std::chrono::steady_clock::now(),
                   Take{kind, std::move(file_id), std::move(request)});
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> CheckIn(const v1::CheckinCommand& command) {
    if (absl::Status health = CheckHealth(); !health.ok()) return health;
    absl::StatusOr<CheckinReply> reply = responder_.CheckIn(command, clock_->Now());
    if (!reply.ok()) return reply.status();
    if (reply->document != nullptr) {
      Deliver deliver{DocumentKind::kFaceCheckin,
                      reply->file_id,
                      reply->document,
                      nullptr,
                      reply->malformed,
                      reply->write_fault == Fault::kDuplicate};
      const SteadyTime now = std::chrono::steady_clock::now();
      if (reply->write_fault == Fault::kDuplicateRenamed) {
        Deliver renamed = deliver;
        renamed.file_id = RenamedId(reply->file_id);
        Schedule(now, std::move(renamed));
      }
      Schedule(now, std::move(deliver));
    }
    return reply->file_id;
  }

  absl::Status CheckHealth() {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return MakeError(errors::kTerminalUnavailable, "terminal twin stopped");
    return absl::OkStatus();
  }

 private:
  void ScheduleLocked(SteadyTime due, Job job) {
    // Equal due times keep their order (multimap inserts after equal keys).
    jobs_.emplace(due, std::move(job));
    cv_.notify_all();
  }

  void Schedule(SteadyTime due, Job job) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    ScheduleLocked(due, std::move(job));
  }

  void WorkLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopped_) {
      if (jobs_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = jobs_.begin();
      if (first->first > std::chrono::steady_clock::now()) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      Job job = std::move(first->second);
      jobs_.erase(first);
      // The sink may call back into Submit: never hold the lock across it.
      lock.unlock();
      Run(std::move(job));
      lock.lock();
    }
  }

  void Run(Job job) {
    if (auto* take = std::get_if<Take>(&job)) {
      RunTake(*take);
    } else if (auto* deliver = std::get_if<Deliver>(&job)) {
      RunDeliver(std::move(*deliver));
    } else {
      RunRefuse(std::move(std::get<Refuse>(job)));
    }
  }

  void RunTake(const Take& take) {
    Reply reply = responder_.HandleDocument(take.kind, *take.request, clock_->Now());
    const SteadyTime now = std::chrono::steady_clock::now();
    switch (reply.action) {
      case Reply::Action::kSilent:
        Log(LogLevel::kDebug, kLog, "request ", take.file_id, " taken, never answered");
        return;
      case Reply::Action::kReject:
        Schedule(now, Refuse{take.kind, take.file_id, std::move(reply.reject_code)});
        return;
      case Reply::Action::kAnswer:
        break;
    }
    auto pdf = reply.is_pdf() ? std::make_shared<const std::string>(std::move(reply.pdf)) : nullptr;
    const SteadyTime due = now + absl::ToChronoNanoseconds(reply.latency);
    if (reply.write_fault == Fault::kDuplicateRenamed) {
      Schedule(due, Deliver{reply.kind, RenamedId(take.file_id), reply.document, pdf,
                            reply.malformed, false});
    } else if (reply.write_fault == Fault::kOrphan) {
      const std::string orphan_id = NewFileId();
      Schedule(due,
               Deliver{reply.kind, orphan_id,
                       reply.document != nullptr ? WithFileId(*reply.document, orphan_id) : nullptr,
                       pdf, reply.malformed, false});
    }
    Schedule(due, Deliver{reply.kind, take.file_id, std::move(reply.document), std::move(pdf),
                          reply.malformed, reply.write_fault == Fault::kDuplicate});
  }

  void RunDeliver(Deliver deliver) {
    if (deliver.malformed) {
      // As the file transport reports an answer it had to quarantine; it tells the sink once.
      absl::Status told = sink_->OnUnreadableAnswer(UnreadableAnswer{
          deliver.kind, deliver.file_id,
          MakeError(errors::kDocumentMalformed, "terminal twin: the answer was cut off")});
      if (!told.ok()) {
        Log(LogLevel::kWarning, kLog, "sink failed to record unreadable answer ", deliver.file_id,
            ": ", ReasonOf(told));
      }
      return;
    }
    IncomingAnswer answer;
    answer.kind = deliver.kind;
    answer.file_id = deliver.file_id;
    answer.document = deliver.answer;
    if (deliver.pdf != nullptr) answer.pdf = *deliver.pdf;
    answer.received_time = clock_->Now();
    absl::StatusOr<AnswerDisposition> disposition = sink_->OnAnswer(answer);
    if (!disposition.ok()) {
      Log(LogLevel::kWarning, kLog, "sink did not record answer ", deliver.file_id, ": ",
          ReasonOf(disposition.status()), "; redelivering");
      Schedule(std::chrono::steady_clock::now() + redelivery_interval_, std::move(deliver));
      return;
    }
    if (deliver.duplicate) {
      deliver.duplicate = false;
      Schedule(std::chrono::steady_clock::now(), std::move(deliver));
    }
  }

  void RunRefuse(Refuse refuse) {
    absl::Status told =
        sink_->OnRequestRejected(RejectedRequest{refuse.kind, refuse.file_id, refuse.code});
    if (!told.ok()) {
      Log(LogLevel::kWarning, kLog, "sink did not record the rejection of request ", refuse.file_id,
          ": ", ReasonOf(told), "; redelivering");
      Schedule(std::chrono::steady_clock::now() + redelivery_interval_, std::move(refuse));
    }
  }

  SystemClock system_clock_;
  const Clock* const clock_;
  const std::chrono::nanoseconds redelivery_interval_;
  const Responder responder_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<SteadyTime, Job> jobs_;
  bool started_ = false;
  bool stopped_ = false;
  // Set once by Start, before the worker exists; read by the worker only.
  AnswerSink* sink_ = nullptr;
  std::thread worker_;
};

absl::StatusOr<std::unique_ptr<InProcessTerminal>> InProcessTerminal::Create(
    InProcessTerminalOptions options) {
  if (options.institution_code.size() != 10 ||
      !std::all_of(options.institution_code.begin(), options.institution_code.end(),
                   [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })) {
    return MakeError(errors::kConfigInvalid, "terminal twin: institution code must be 10 digits");
  }
  if (options.redelivery_interval <= absl::ZeroDuration()) {
    return MakeError(errors::kConfigInvalid, "terminal twin: redelivery interval must be positive");
  }
  if (options.latency < absl::ZeroDuration() ||
      options.batch_processing_time < absl::ZeroDuration() ||
      options.late_delay < absl::ZeroDuration()) {
    return MakeError(errors::kConfigInvalid, "terminal twin: durations must not be negative");
  }
  for (size_t scope = 0; scope < kFaultScopeCount; ++scope) {
    if (options.fault.For(static_cast<FaultScope>(scope)) == Fault::kSlowWrite) {
      return MakeError(errors::kConfigInvalid,
                       "terminal twin: fault slow-write needs files; use the simulator");
    }
  }
  if (absl::Status valid = ValidateDataset(options.dataset); !valid.ok()) return valid;
  return std::unique_ptr<InProcessTerminal>(
      new InProcessTerminal(std::make_unique<Impl>(std::move(options))));
}

InProcessTerminal::InProcessTerminal(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

InProcessTerminal::~InProcessTerminal() { Stop(); }

absl::Status InProcessTerminal::Start(AnswerSink* sink) { return impl_->Start(sink); }

void InProcessTerminal::Stop() { impl_->Stop(); }

absl::Status InProcessTerminal::Submit(DocumentKind kind,
                                       const google::protobuf::Message& document) {
  if (!IsRequestKind(kind)) {
    return MakeError(
        errors::kInvalidArgument,
        absl::StrCat("the terminal twin takes requests only, not ", DocumentKindName(kind)));
  }
  absl::StatusOr<std::string> file_id = FileIdOf(kind, document);
  if (!file_id.ok()) return file_id.status();
  if (!oqs::IsValidFileId(*file_id)) {
    return MakeError(errors::kInvalidArgument,
                     "the request's ArbitraryFileIdentifier cannot be a file id");
  }
  std::unique_ptr<google::protobuf::Message> copy(document.New());
  copy->CopyFrom(document);
  return impl_->Submit(kind, *std::move(file_id),
                       std::shared_ptr<const google::protobuf::Message>(std::move(copy)));
}

absl::StatusOr<std::string> InProcessTerminal::CheckIn(const v1::CheckinCommand& command) {
  return impl_->CheckIn(command);
}

absl::Status InProcessTerminal::CheckHealth() { return impl_->CheckHealth(); }

}  // namespace onshi::sim
