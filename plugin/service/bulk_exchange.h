// The engine of the terminal's bulk exchanges (plugin/core/bulk_exchange.h, docs/batches.md):
// one machinery that uploads files, waits for receipts, asks for results with backoff while the
// terminal says 処理中, places again what went unanswered, fails what never finishes, and
// resumes all of it after a restart from the file states in the BatchStore. Batches (一括照会)
// and 照会番号 registrations plug in as handlers: they say what a file uploads and record what
// its result means.
//
// Every step is stored before the file that follows from it is placed, and every answer is
// recorded before the transport may remove its file, so a kill -9 at any point loses nothing:
// the next start re-places what may not have reached the terminal (under the same file ids) and
// the transport delivers again what was not recorded. File states change by compare-and-set on
// the file's revision, so the driver thread and the transport's thread never overwrite each
// other.

#ifndef ONSHI_PLUGIN_SERVICE_BULK_EXCHANGE_H_
#define ONSHI_PLUGIN_SERVICE_BULK_EXCHANGE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "plugin/core/batch_store.h"
#include "plugin/core/bulk_exchange.h"
#include "plugin/core/ports.h"

namespace onshi::service {

struct BulkExchangeOptions {
  // This institution's 医療機関コード: written into every request; answers for another are
  // quarantined.
  std::string medical_institution_code;
  // An upload without its receipt (or, one-phase, its result), or a result request without its
  // answer, for this long is placed again (terminal.answer_timeout_ms).
  absl::Duration answer_timeout = absl::Seconds(30);
  // Backoff while the terminal says 処理中 (terminal.batch_poll_initial_ms / _max_ms); the
  // initial pause is also the pause before placing again a file whose placement failed.
  absl::Duration poll_initial = absl::Seconds(1);
  absl::Duration poll_max = absl::Seconds(30);
  // A file not finished this long after it was recorded fails with ONSHI_TERMINAL_TIMEOUT
  // (terminal.bulk_timeout_ms).
  absl::Duration bulk_timeout = absl::Hours(1);
  // Files at the terminal at once (uploaded and awaiting the receipt, or asking); the others
  // wait (kWaitingForSlot / kReceipt) for a free place (terminal.max_in_flight).
  int max_in_flight = 10;
};

// What differs between the exchanges. Implemented by Batches and ReferenceNumbers; called from
// the engine's driver thread and the transport's thread, possibly at once (for different
// files): implementations must be thread-safe.
class BulkExchangeHandler {
 public:
  virtual ~BulkExchangeHandler() = default;

  // The upload document of `file` (of KindsOf(file.exchange).upload's type), with
  // file.upload_file_id as its ArbitraryFileIdentifier. An error fails the file with it.
  virtual absl::StatusOr<std::unique_ptr<google::protobuf::Message>> BuildUpload(
      const BulkFile& file) = 0;

  // Records the complete result `answer` of `finished`, which the engine has set to kDone
  // (revision: the one it read): one BatchStore Finish* call with the file and its rows.
  // ABORTED (ONSHI_STORE_CONFLICT): the engine reads the file again and retries.
  virtual absl::Status RecordResult(const BulkFile& finished, const IncomingAnswer& answer) = 0;

  // Records that `finished` (set to kFailed with error_code and error) failed: its rows get
  // that error. ABORTED as for RecordResult.
  virtual absl::Status RecordFailure(const BulkFile& finished) = 0;
};

// Thread-safe. Must outlive the transport it is a sink of (stop the transport first) and the
// handlers' callers; Shutdown() before destroying it.
class BulkExchangeEngine final : public AnswerSink {
 public:
  // `store`, `transport` and `clock` are not owned and must outlive the engine.
  BulkExchangeEngine(BulkExchangeOptions options, BatchStore* store,
                     TerminalTransport* transport, const Clock* clock);
  ~BulkExchangeEngine() override;

  // Registers the handler of `exchange` (not owned; must outlive the engine). Before Recover,
  // Start and the transport's start; not synchronised with anything else.
  void Register(BulkExchange exchange, BulkExchangeHandler* handler);

  // The answer kinds of the registered exchanges (receipts and results), for the AnswerRouter.
  std::vector<DocumentKind> AnswerKinds() const;

  // After a restart (the driver thread runs it first, once the transport has started): places
  // again, under the same file ids, every upload still without its receipt and every result
  // request still without its answer, and awaits their answers for answer_timeout from now (a
  // file that is still in req/ stays as it is; an answer that came meanwhile is recorded once, a
  // second answer is a duplicate). Errors: the store's.
  absl::Status Recover();

  // Acts on every file that is due: places uploads while there is room at the terminal, asks
  // for results, places again what went unanswered for answer_timeout, fails what is older
  // than bulk_timeout. Returns when the next file falls due (InfiniteFuture when none).
  // Called by the driver thread; callable directly (tests drive it with a fake clock).
  absl::Time Advance();

  // Starts the driver thread, which runs Recover, then calls Advance whenever a file falls due
  // or Wake is called. Call after the transport started.
  void Start();
  // Has the driver act at once (new files were recorded).
  void Wake();
  // Stops the driver (joins it) and wakes every AwaitChange with false. A driver waiting in the
  // transport's Submit for a place returns when the transport stops: stop the transport first.
  // Idempotent.
  void Shutdown();

  // Bumped whenever a file finishes (its rows recorded).
  int64_t changes();
  // Waits until changes() differs from `seen` (true), `deadline` passes (true) or Shutdown
  // (false). Deadlines are read on the engine's clock.
  bool AwaitChange(int64_t seen, absl::Time deadline);

  // AnswerSink for the receipt and result kinds of the registered exchanges (routed by the
  // AnswerRouter; called on the transport's thread).
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override;
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override;
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override;

 private:
  BulkExchangeHandler* HandlerFor(BulkExchange exchange) const;
  // Places `file`'s upload; stores kUploaded, or a later retry.
  void PlaceUpload(const BulkFile& file, absl::Time now);
  // Stores a new ask (kAsking with a fresh ask file id), then places it.
  void Ask(const BulkFile& file, absl::Time now);
  // The result request document of `file`'s current ask.
  google::protobuf::Message* ResultRequest(const BulkFile& file,
                                           v1::BulkResultRequestDocument* document) const;
  // Fails `file` with `error` through its handler, reading it again after a lost race. OK when
  // recorded or when the file finished meanwhile.
  absl::Status Fail(const BulkFile& file, const absl::Status& error);
  // Stores `file` (compare-and-set); a lost race is logged and ignored.
  void Update(const BulkFile& file, absl::string_view what);
  // One attempt at an answer for `file`. ABORTED: read again and retry.
  absl::StatusOr<AnswerDisposition> Dispatch(const BulkFile& file, const IncomingAnswer& answer);
  absl::StatusOr<AnswerDisposition> OnReceipt(const BulkFile& file, const IncomingAnswer& answer);
  absl::StatusOr<AnswerDisposition> OnResult(const BulkFile& file, const IncomingAnswer& answer);
  void NotifyChanged();
  // True once Shutdown was called.
  bool stopping();
  void DriverLoop();

  const BulkExchangeOptions options_;
  BatchStore* const store_;
  TerminalTransport* const transport_;
  const Clock* const clock_;
  std::map<BulkExchange, BulkExchangeHandler*> handlers_;

  absl::Mutex mu_;
  absl::CondVar cond_;
  int64_t changes_ ABSL_GUARDED_BY(mu_) = 0;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  std::thread driver_;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_BULK_EXCHANGE_H_
