#include "plugin/service/bulk_exchange.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "bulk";

// How often an answer or failure that lost a race (the driver and the transport's thread on
// one file, or a coverage write) is read again and tried again.
constexpr int kAttempts = 5;

// The driver wakes at least this often, so that a clock jump or a lost wake-up costs at most
// this much.
constexpr absl::Duration kMaxDriverSleep = absl::Seconds(1);
// After the store failed, the driver tries again this much later.
constexpr absl::Duration kStoreRetry = absl::Seconds(1);
// AwaitChange wakes this often to look at its deadline on the engine's clock.
constexpr absl::Duration kAwaitSlice = absl::Milliseconds(100);

bool IsConflict(const absl::Status& status) { return status.code() == absl::StatusCode::kAborted; }

// A placement that failed for a reason that may pass (the folder, a full terminal, a transport
// stopping for shutdown): try later. Anything else (a document that cannot be encoded) would
// fail the same way every time.
bool IsTransient(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kAborted:
      return true;
    default:
      return false;
  }
}

// What the engine reads of every receipt and result kind.
struct AnswerHeader {
  std::string medical_institution_code;
  v1::SegmentOfResult segment = v1::SEGMENT_OF_RESULT_UNSPECIFIED;
  // The terminal's ErrorCode (a code of its table, safe to log when short; see LoggableCode).
  std::string error_code;
  // Receipts (body) and two-phase results (header); empty for a one-phase result.
  std::string reception_number;
};

std::optional<AnswerHeader> HeaderOf(const IncomingAnswer& answer) {
  if (const auto* d = AnswerAs<v1::BulkReceiptDocument>(answer)) {
    return AnswerHeader{d->medical_institution_code(), d->segment_of_result(), d->error_code(),
                        d->reception_number()};
  }
  if (const auto* d = AnswerAs<v1::BatchQualificationResultDocument>(answer)) {
    return AnswerHeader{d->medical_institution_code(), d->segment_of_result(), d->error_code(),
                        d->reception_number()};
  }
  if (const auto* d = AnswerAs<v1::BulkReferenceNumberResultDocument>(answer)) {
    return AnswerHeader{d->medical_institution_code(), d->segment_of_result(), d->error_code(),
                        d->reception_number()};
  }
  if (const auto* d = AnswerAs<v1::ReferenceNumberResultDocument>(answer)) {
    return AnswerHeader{d->medical_institution_code(), d->segment_of_result(), d->error_code(),
                        ""};
  }
  return std::nullopt;
}

std::string FileName(const BulkFile& file) {
  return absl::StrCat(BulkExchangeName(file.exchange), " ", file.request_id, " file ", file.index);
}

// What a file at its current state waits for from the terminal, by the kind and file id an
// answer (or a rejection of the request) carries: the receipt of its upload, or the result of
// its upload (one phase) or of its current ask. Anything else is stale or not ours.
enum class Awaited { kNothing, kReceipt, kResult };

Awaited AwaitedBy(const BulkFile& file, DocumentKind answer_kind, absl::string_view file_id) {
  const BulkKinds kinds = KindsOf(file.exchange);
  const bool one_phase = !kinds.receipt.has_value();
  const bool uploading =
      file.state == BulkFileState::kWaitingForSlot || file.state == BulkFileState::kUploaded;
  if (!one_phase && answer_kind == *kinds.receipt && file_id == file.upload_file_id) {
    return uploading ? Awaited::kReceipt : Awaited::kNothing;
  }
  if (answer_kind != kinds.result) return Awaited::kNothing;
  if (one_phase) return uploading && file_id == file.upload_file_id ? Awaited::kResult
                                                                     : Awaited::kNothing;
  return file.state == BulkFileState::kAsking && file_id == file.ask_file_id ? Awaited::kResult
                                                                              : Awaited::kNothing;
}

// The answer kind a rejected request of `request_kind` would have had.
DocumentKind AnswerKindFor(DocumentKind request_kind) {
  return AnswerKindOf(request_kind).value_or(request_kind);
}

}  // namespace

BulkExchangeEngine::BulkExchangeEngine(BulkExchangeOptions options, BatchStore* store,
                                       TerminalTransport* transport, const Clock* clock)
    : options_(std::move(options)), store_(store), transport_(transport), clock_(clock) {}

BulkExchangeEngine::~BulkExchangeEngine() { Shutdown(); }

void BulkExchangeEngine::Register(BulkExchange exchange, BulkExchangeHandler* handler) {
  handlers_[exchange] = handler;
}

BulkExchangeHandler* BulkExchangeEngine::HandlerFor(BulkExchange exchange) const {
  auto it = handlers_.find(exchange);
  return it == handlers_.end() ? nullptr : it->second;
}

std::vector<DocumentKind> BulkExchangeEngine::AnswerKinds() const {
  std::vector<DocumentKind> kinds;
  for (const auto& [exchange, handler] : handlers_) {
    const BulkKinds k = KindsOf(exchange);
    if (k.receipt.has_value()) kinds.push_back(*k.receipt);
    kinds.push_back(k.result);
  }
  return kinds;
}

// --- Driver ----------------------------------------------------------------------------------

void BulkExchangeEngine::Update(const BulkFile& file, absl::string_view what) {
  absl::StatusOr<BulkFile> stored = store_->UpdateBulkFile(file);
  if (stored.ok()) return;
  if (IsConflict(stored.status())) {
    // The transport's thread moved the file on first (e.g. the receipt came before the upload
    // was marked placed): its state is the newer one.
    Log(LogLevel::kDebug, kLog, FileName(file), ": ", what, " superseded");
    return;
  }
  Log(LogLevel::kWarning, kLog, FileName(file), ": ", what,
      " not stored: ", ReasonOf(stored.status()));
}

void BulkExchangeEngine::PlaceUpload(const BulkFile& file, absl::Time now) {
  BulkExchangeHandler* handler = HandlerFor(file.exchange);
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> document = handler->BuildUpload(file);
  // The deadline: when the driver stops waiting for the receipt and places the file again. A
  // throttled transport may hold the call until then for a free place at the terminal.
  absl::Status placed =
      document.ok()
          ? transport_->Submit(KindsOf(file.exchange).upload, **document,
                               now + options_.answer_timeout)
          : document.status();
  BulkFile next = file;
  if (placed.ok()) {
    Log(LogLevel::kInfo, kLog, FileName(file), " uploaded as ", file.upload_file_id);
    next.state = BulkFileState::kUploaded;
    next.next_time = now + options_.answer_timeout;
  } else if (IsTransient(placed)) {
    Log(LogLevel::kWarning, kLog, FileName(file), " not placed, will try again: ",
        ReasonOf(placed));
    next.next_time = now + options_.poll_initial;
  } else {
    Log(LogLevel::kWarning, kLog, FileName(file), " cannot be placed: ", ReasonOf(placed));
    if (absl::Status s = Fail(file, placed); !s.ok()) {
      Log(LogLevel::kWarning, kLog, FileName(file), " failure not recorded: ", ReasonOf(s));
    }
    return;
  }
  Update(next, "upload");
}

google::protobuf::Message* BulkExchangeEngine::ResultRequest(
    const BulkFile& file, v1::BulkResultRequestDocument* document) const {
  document->set_medical_institution_code(options_.medical_institution_code);
  document->set_arbitrary_file_identifier(file.ask_file_id);
  document->set_reception_number(file.reception_number);
  return document;
}

void BulkExchangeEngine::Ask(const BulkFile& file, absl::Time now) {
  const BulkKinds kinds = KindsOf(file.exchange);
  if (!kinds.result_request.has_value()) return;
  BulkFile asking = file;
  asking.state = BulkFileState::kAsking;
  asking.ask_file_id = NewFileId();
  asking.ask_count = file.ask_count + 1;
  asking.next_time = now + options_.answer_timeout;
  // Stored first: an answer to this ask must find the file asking under this id.
  absl::StatusOr<BulkFile> stored = store_->UpdateBulkFile(asking);
  if (!stored.ok()) {
    if (!IsConflict(stored.status())) {
      Log(LogLevel::kWarning, kLog, FileName(file), ": ask not stored: ", ReasonOf(stored.status()));
    }
    return;
  }
  v1::BulkResultRequestDocument document;
  absl::Status placed = transport_->Submit(*kinds.result_request, *ResultRequest(*stored, &document),
                                           asking.next_time);
  if (placed.ok()) {
    Log(LogLevel::kInfo, kLog, FileName(file), " asked for results (ask ", asking.ask_count,
        ") as ", asking.ask_file_id);
    return;
  }
  if (!IsTransient(placed)) {
    Log(LogLevel::kWarning, kLog, FileName(file), " ask cannot be placed: ", ReasonOf(placed));
    if (absl::Status s = Fail(*stored, placed); !s.ok()) {
      Log(LogLevel::kWarning, kLog, FileName(file), " failure not recorded: ", ReasonOf(s));
    }
    return;
  }
  Log(LogLevel::kWarning, kLog, FileName(file), " ask not placed, will try again: ",
      ReasonOf(placed));
  BulkFile back = *stored;
  back.state = BulkFileState::kReceipt;
  back.next_time = now + options_.poll_initial;
  Update(back, "ask retry");
}

absl::Status BulkExchangeEngine::Fail(const BulkFile& file, const absl::Status& error) {
  BulkFile current = file;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (IsFinished(current.state)) return absl::OkStatus();
    BulkFile failed = current;
    failed.state = BulkFileState::kFailed;
    failed.error_code = error.code();
    failed.error = ToErrorDetail(error);
    absl::Status recorded = HandlerFor(file.exchange)->RecordFailure(failed);
    if (recorded.ok()) {
      Log(LogLevel::kWarning, kLog, FileName(file), " failed: ", failed.error.reason());
      // Nobody waits for the file's requests any more: a throttled transport stops counting
      // them.
      const BulkKinds kinds = KindsOf(file.exchange);
      transport_->Release(kinds.upload, current.upload_file_id);
      if (kinds.result_request.has_value() && !current.ask_file_id.empty()) {
        transport_->Release(*kinds.result_request, current.ask_file_id);
      }
      NotifyChanged();
      return absl::OkStatus();
    }
    if (!IsConflict(recorded)) return recorded;
    absl::StatusOr<std::optional<BulkFile>> again = store_->FindBulkFileByFileId(file.upload_file_id);
    if (!again.ok()) return again.status();
    if (!again->has_value()) return MakeError(errors::kInternal, "bulk file vanished");
    current = **again;
  }
  return MakeError(errors::kStoreConflict, "bulk file failure could not be recorded after retries");
}

absl::Status BulkExchangeEngine::Recover() {
  absl::StatusOr<std::vector<BulkFile>> files = store_->ListUnfinishedBulkFiles();
  if (!files.ok()) return files.status();
  const absl::Time now = clock_->Now();
  int placed = 0;
  for (const BulkFile& file : *files) {
    if (HandlerFor(file.exchange) == nullptr) continue;
    const BulkKinds kinds = KindsOf(file.exchange);
    // The answer is awaited afresh from now: a request that stayed in req/ while onshid was down
    // is not "unanswered" yet.
    BulkFile again = file;
    again.next_time = now + options_.answer_timeout;
    absl::Status status;
    if (file.state == BulkFileState::kUploaded) {
      absl::StatusOr<std::unique_ptr<google::protobuf::Message>> document =
          HandlerFor(file.exchange)->BuildUpload(file);
      status = document.ok() ? transport_->Submit(kinds.upload, **document, again.next_time)
                             : document.status();
    } else if (file.state == BulkFileState::kAsking) {
      v1::BulkResultRequestDocument document;
      status = transport_->Submit(*kinds.result_request, *ResultRequest(file, &document),
                                  again.next_time);
    } else {
      continue;
    }
    // A file still in req/ is not replaced (placing it fails and the file stays): fine.
    if (status.ok()) ++placed;
    Update(again, "recovery");
  }
  Log(LogLevel::kInfo, kLog, "recovery: ", files->size(), " unfinished file(s), ", placed,
      " placed again");
  return absl::OkStatus();
}

absl::Time BulkExchangeEngine::Advance() {
  const absl::Time now = clock_->Now();
  absl::StatusOr<std::vector<BulkFile>> files = store_->ListUnfinishedBulkFiles();
  if (!files.ok()) {
    Log(LogLevel::kWarning, kLog, "cannot read the bulk files: ", ReasonOf(files.status()));
    return now + kStoreRetry;
  }
  int in_flight = 0;
  for (const BulkFile& file : *files) {
    if (file.state == BulkFileState::kUploaded || file.state == BulkFileState::kAsking) {
      ++in_flight;
    }
  }
  absl::Time next = absl::InfiniteFuture();
  for (const BulkFile& file : *files) {
    if (stopping()) break;
    if (HandlerFor(file.exchange) == nullptr) continue;
    const absl::Time expiry = file.created_time + options_.bulk_timeout;
    if (now >= expiry) {
      absl::Status failed =
          Fail(file, MakeError(errors::kTerminalTimeout,
                               "the bulk exchange did not finish within terminal.bulk_timeout_ms"));
      if (!failed.ok()) {
        Log(LogLevel::kWarning, kLog, FileName(file), " timeout not recorded: ", ReasonOf(failed));
        next = std::min(next, now + kStoreRetry);
      }
      continue;
    }
    next = std::min(next, expiry);
    if (file.next_time > now) {
      next = std::min(next, file.next_time);
      continue;
    }
    switch (file.state) {
      case BulkFileState::kWaitingForSlot:
        // No due time while waiting for room: a finished file wakes the driver.
        if (in_flight >= options_.max_in_flight) continue;
        ++in_flight;
        PlaceUpload(file, now);
        break;
      case BulkFileState::kUploaded:
        // No receipt in time. The same file id: a file the terminal has not taken stays in req/
        // (placing fails), one it lost is placed again, and a late receipt still matches.
        Log(LogLevel::kWarning, kLog, FileName(file), " has no receipt after ",
            absl::FormatDuration(options_.answer_timeout), "; placing it again");
        PlaceUpload(file, now);
        break;
      case BulkFileState::kReceipt:
        if (in_flight >= options_.max_in_flight) continue;
        ++in_flight;
        Ask(file, now);
        break;
      case BulkFileState::kAsking:
        Log(LogLevel::kWarning, kLog, FileName(file), " has no answer to ask ", file.ask_count,
            " after ", absl::FormatDuration(options_.answer_timeout), "; asking again");
        Ask(file, now);
        break;
      case BulkFileState::kDone:
      case BulkFileState::kFailed:
        break;
    }
    // Whatever was stored, the file has a new due time; look again soon.
    next = std::min(next, now + options_.poll_initial);
  }
  return next;
}

void BulkExchangeEngine::Start() {
  absl::MutexLock lock(&mu_);
  if (driver_.joinable() || shutdown_) return;
  driver_ = std::thread([this] { DriverLoop(); });
}

void BulkExchangeEngine::DriverLoop() {
  // Here rather than before the transport starts: a throttled transport may make a placement
  // wait for a place that only an answer frees.
  while (true) {
    absl::Status recovered = Recover();
    if (recovered.ok()) break;
    Log(LogLevel::kWarning, kLog, "recovery failed, will try again: ", ReasonOf(recovered));
    absl::MutexLock lock(&mu_);
    if (shutdown_) return;
    cond_.WaitWithTimeout(&mu_, kStoreRetry);
  }
  while (true) {
    const absl::Time next = Advance();
    absl::MutexLock lock(&mu_);
    if (shutdown_) return;
    if (!wake_) {
      const absl::Duration wait =
          std::clamp(next - clock_->Now(), absl::ZeroDuration(), kMaxDriverSleep);
      cond_.WaitWithTimeout(&mu_, wait);
    }
    wake_ = false;
    if (shutdown_) return;
  }
}

void BulkExchangeEngine::Wake() {
  absl::MutexLock lock(&mu_);
  wake_ = true;
  cond_.SignalAll();
}

void BulkExchangeEngine::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    shutdown_ = true;
    cond_.SignalAll();
  }
  if (driver_.joinable() && driver_.get_id() != std::this_thread::get_id()) driver_.join();
}

void BulkExchangeEngine::NotifyChanged() {
  absl::MutexLock lock(&mu_);
  ++changes_;
  // A finished file frees a place at the terminal: the driver may place the next one.
  wake_ = true;
  cond_.SignalAll();
}

bool BulkExchangeEngine::stopping() {
  absl::MutexLock lock(&mu_);
  return shutdown_;
}

int64_t BulkExchangeEngine::changes() {
  absl::MutexLock lock(&mu_);
  return changes_;
}

bool BulkExchangeEngine::AwaitChange(int64_t seen, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  while (!shutdown_ && changes_ == seen) {
    const absl::Duration left = deadline - clock_->Now();
    if (left <= absl::ZeroDuration()) return true;
    cond_.WaitWithTimeout(&mu_, std::min(left, kAwaitSlice));
  }
  return !shutdown_;
}

// --- Answers ---------------------------------------------------------------------------------

absl::StatusOr<AnswerDisposition> BulkExchangeEngine::OnAnswer(const IncomingAnswer& answer) {
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    absl::StatusOr<std::optional<BulkFile>> found = store_->FindBulkFileByFileId(answer.file_id);
    if (!found.ok()) return found.status();
    if (!found->has_value() || HandlerFor((*found)->exchange) == nullptr) {
      Log(LogLevel::kWarning, kLog, DocumentKindName(answer.kind), " file ", answer.file_id,
          " matches no bulk file of ours; quarantined");
      return AnswerDisposition::kQuarantine;
    }
    absl::StatusOr<AnswerDisposition> disposition = Dispatch(**found, answer);
    if (disposition.ok() || !IsConflict(disposition.status())) return disposition;
    // Lost a race with the driver or a coverage write: read again.
  }
  return MakeError(errors::kStoreConflict, "bulk answer could not be recorded after retries");
}

absl::StatusOr<AnswerDisposition> BulkExchangeEngine::Dispatch(const BulkFile& file,
                                                                const IncomingAnswer& answer) {
  std::optional<AnswerHeader> header = HeaderOf(answer);
  if (!header.has_value()) {
    Log(LogLevel::kWarning, kLog, "answer file ", answer.file_id,
        " carries no bulk document; quarantined");
    return AnswerDisposition::kQuarantine;
  }
  if (header->medical_institution_code != options_.medical_institution_code) {
    Log(LogLevel::kWarning, kLog, "answer file ", answer.file_id,
        " is for another medical institution; quarantined");
    return AnswerDisposition::kQuarantine;
  }
  const BulkKinds kinds = KindsOf(file.exchange);
  const bool ours = (kinds.receipt.has_value() && answer.kind == *kinds.receipt &&
                     answer.file_id == file.upload_file_id) ||
                    (answer.kind == kinds.result &&
                     (answer.file_id == file.ask_file_id ||
                      (!kinds.receipt.has_value() && answer.file_id == file.upload_file_id)));
  if (!ours) {
    Log(LogLevel::kWarning, kLog, DocumentKindName(answer.kind), " file ", answer.file_id,
        " does not answer what ", FileName(file), " asked; quarantined");
    return AnswerDisposition::kQuarantine;
  }
  switch (AwaitedBy(file, answer.kind, answer.file_id)) {
    case Awaited::kReceipt:
      return OnReceipt(file, answer);
    case Awaited::kResult:
      return OnResult(file, answer);
    case Awaited::kNothing:
      break;
  }
  // A second answer to something already recorded (a duplicate, or the answer to an ask that
  // was placed again after a restart).
  Log(LogLevel::kInfo, kLog, DocumentKindName(answer.kind), " file ", answer.file_id, " for ",
      FileName(file), " (", BulkFileStateName(file.state), ") already recorded; ignored");
  return AnswerDisposition::kProcessed;
}

absl::StatusOr<AnswerDisposition> BulkExchangeEngine::OnReceipt(const BulkFile& file,
                                                                 const IncomingAnswer& answer) {
  const AnswerHeader header = *HeaderOf(answer);
  if (header.segment == v1::SEGMENT_OF_RESULT_FAILED) {
    absl::Status failed =
        Fail(file, MakeError(errors::kTerminalFailed,
                             absl::StrCat("receipt SegmentOfResult 9, ErrorCode ",
                                          LoggableCode(header.error_code))));
    if (!failed.ok()) return failed;
    return AnswerDisposition::kProcessed;
  }
  if (header.reception_number.empty()) {
    absl::Status failed = Fail(
        file, MakeError(errors::kTerminalMalformedAnswer, "the receipt has no ReceptionNumber"));
    if (!failed.ok()) return failed;
    return AnswerDisposition::kQuarantine;
  }
  BulkFile next = file;
  next.state = BulkFileState::kReceipt;
  next.reception_number = header.reception_number;
  // The first ask follows the receipt at once; the backoff starts with the first 処理中.
  next.next_time = answer.received_time;
  absl::StatusOr<BulkFile> stored = store_->UpdateBulkFile(next);
  if (!stored.ok()) return stored.status();
  Log(LogLevel::kInfo, kLog, FileName(file), " received by the terminal");
  Wake();
  return AnswerDisposition::kProcessed;
}

absl::StatusOr<AnswerDisposition> BulkExchangeEngine::OnResult(const BulkFile& file,
                                                                const IncomingAnswer& answer) {
  const bool one_phase = !KindsOf(file.exchange).receipt.has_value();
  const AnswerHeader header = *HeaderOf(answer);
  if (!one_phase && !header.reception_number.empty() &&
      header.reception_number != file.reception_number) {
    Log(LogLevel::kWarning, kLog, "answer ", answer.file_id, " names another ReceptionNumber than ",
        FileName(file), "; quarantined");
    return AnswerDisposition::kQuarantine;
  }
  switch (header.segment) {
    case v1::SEGMENT_OF_RESULT_PROCESSING: {
      if (one_phase) break;
      BulkFile next = file;
      next.state = BulkFileState::kReceipt;
      next.processing_count = file.processing_count + 1;
      next.next_time =
          answer.received_time +
          PollDelay(next.processing_count, options_.poll_initial, options_.poll_max);
      absl::StatusOr<BulkFile> stored = store_->UpdateBulkFile(next);
      if (!stored.ok()) return stored.status();
      Log(LogLevel::kInfo, kLog, FileName(file), " still processing (", next.processing_count,
          "); asking again in ",
          absl::FormatDuration(next.next_time - answer.received_time));
      Wake();
      return AnswerDisposition::kProcessed;
    }
    case v1::SEGMENT_OF_RESULT_FAILED: {
      absl::Status failed = Fail(
          file, MakeError(errors::kTerminalFailed, absl::StrCat("SegmentOfResult 9, ErrorCode ",
                                                                LoggableCode(header.error_code))));
      if (!failed.ok()) return failed;
      return AnswerDisposition::kProcessed;
    }
    case v1::SEGMENT_OF_RESULT_COMPLETED: {
      BulkFile done = file;
      done.state = BulkFileState::kDone;
      absl::Status recorded = HandlerFor(file.exchange)->RecordResult(done, answer);
      if (!recorded.ok()) return recorded;
      Log(LogLevel::kInfo, kLog, FileName(file), " done");
      NotifyChanged();
      return AnswerDisposition::kProcessed;
    }
    default:
      break;
  }
  absl::Status failed =
      Fail(file, MakeError(errors::kTerminalMalformedAnswer,
                           absl::StrCat("unexpected SegmentOfResult ",
                                        v1::SegmentOfResult_Name(header.segment))));
  if (!failed.ok()) return failed;
  return AnswerDisposition::kQuarantine;
}

absl::Status BulkExchangeEngine::OnRequestRejected(const RejectedRequest& rejected) {
  absl::StatusOr<std::optional<BulkFile>> found = store_->FindBulkFileByFileId(rejected.file_id);
  if (!found.ok()) return found.status();
  if (!found->has_value() || HandlerFor((*found)->exchange) == nullptr ||
      AwaitedBy(**found, AnswerKindFor(rejected.kind), rejected.file_id) == Awaited::kNothing) {
    Log(LogLevel::kWarning, kLog, "rejection of file ", rejected.file_id,
        " is awaited by no bulk file; ignored");
    return absl::OkStatus();
  }
  return Fail(**found, MakeError(errors::kTerminalRejectedRequest,
                              rejected.error_code.empty()
                                  ? std::string("the .err file gave no code")
                                  : absl::StrCat("terminal error code ", rejected.error_code)));
}

absl::Status BulkExchangeEngine::OnUnreadableAnswer(const UnreadableAnswer& unreadable) {
  absl::StatusOr<std::optional<BulkFile>> found =
      store_->FindBulkFileByFileId(unreadable.file_id);
  if (!found.ok()) return found.status();
  if (!found->has_value() || HandlerFor((*found)->exchange) == nullptr ||
      AwaitedBy(**found, unreadable.kind, unreadable.file_id) == Awaited::kNothing) {
    Log(LogLevel::kWarning, kLog, "unreadable file ", unreadable.file_id,
        " is awaited by no bulk file; quarantined: ", ReasonOf(unreadable.error));
    return absl::OkStatus();
  }
  return Fail(**found, MakeError(errors::kTerminalMalformedAnswer,
                                 absl::StrCat("decoder: ",
                                              ToErrorDetail(unreadable.error).it_message())));
}

}  // namespace onshi::service
