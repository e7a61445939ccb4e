// The simulator's in-process twin: a TerminalTransport that answers each submitted request from
// the dataset with the simulator's own decisions (Responder), without folders, files or XML. The
// answer reaches the sink from the twin's worker thread, as the file transport's answers do.
//
// For unit tests and benchmarks only (ARCHITECTURE.md: the simulator proper is a separate
// program speaking through the folders). It shows what onshi costs without the terminal's file
// round trip; it does not exercise the codec or the file transport. It answers every request
// kind the simulator answers (個別照会, 一括照会 01/02, 照会番号 single and bulk 01/02, 薬剤情報,
// 特定健診) through the same Responder, and delivers card-reader check-ins (CheckIn) as
// kFaceCheckin answers. Differences from the simulator behind real folders:
// - answers are delivered as the Responder builds them, with no encode/decode round trip (a
//   Shift_JIS patient's characters outside CP932 are not substituted; the CharacterCode field
//   is left as the Responder set it, i.e. unset);
// - what it remembers (照会番号, consents, results of uploads) is in memory only;
// - batch processing time defaults to zero (results are complete at the first download);
// - a request the Responder refuses reaches the sink as OnRequestRejected with the refusal code
//   (the simulator writes it into the .err file);
// - a malformed answer (fault or dataset behaviour) reaches the sink as OnUnreadableAnswer with
//   ONSHI_DOCUMENT_MALFORMED, as the file transport reports an answer it quarantined;
// - --fault=slow-write has no meaning without files (Create refuses it); duplicate-renamed and
//   orphan deliver the extra answer under its other file id, duplicate delivers the same answer
//   again once the first delivery was accepted;
// - a sink that returns an error sees the same answer again after `redelivery_interval`, as the
//   file transport's next scan would show it the file again.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_IN_PROCESS_TERMINAL_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_IN_PROCESS_TERMINAL_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/terminal_sim/responder.h"
#include "onshi/sim/v1/dataset.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/core/ports.h"

namespace onshi::sim {

struct InProcessTerminalOptions {
  // Must pass ValidateDataset (LoadDataset does that); checked again by Create.
  v1::Dataset dataset;
  // 10-digit 医療機関コード this terminal serves; other institutions' requests are refused.
  std::string institution_code;
  // Default latency between a request and its answer (a patient's latency_ms overrides it).
  // Zero: answered as soon as the worker takes the request.
  absl::Duration latency = absl::ZeroDuration();
  // Faults per family, as the simulator's (slow-write is refused).
  FaultSet fault;
  // 一括照会 / 照会番号一括: downloads say 処理中 until this long after the upload.
  absl::Duration batch_processing_time = absl::ZeroDuration();
  // --fault=late's delay.
  absl::Duration late_delay = absl::Seconds(3);
  // ProcessExecutionTime, 限度額 consent times and IncomingAnswer::received_time come from this
  // clock (nullptr = the system clock). Latencies are measured on the monotonic clock regardless.
  // Must outlive the terminal.
  const Clock* clock = nullptr;
  // When the sink fails to record an answer (or a rejection), the same delivery is retried after
  // this long, until it succeeds or the terminal stops. Must be positive.
  absl::Duration redelivery_interval = absl::Milliseconds(100);
};

// Thread-safe: Submit, CheckIn and CheckHealth may be called from any thread, also
// from inside a sink call. Start and Stop must not race with each other or with destruction.
class InProcessTerminal final : public TerminalTransport {
 public:
  // Errors: ONSHI_CONFIG_INVALID naming the option (an institution code that is not 10 digits, a
  // non-positive redelivery interval, a negative duration, a slow-write fault, a dataset that
  // fails validation).
  static absl::StatusOr<std::unique_ptr<InProcessTerminal>> Create(
      InProcessTerminalOptions options);

  // Calls Stop().
  ~InProcessTerminal() override;

  InProcessTerminal(const InProcessTerminal&) = delete;
  InProcessTerminal& operator=(const InProcessTerminal&) = delete;

  // Starts the worker that answers requests and delivers to `sink`. Requests submitted before
  // Start wait for it. Errors: ONSHI_INTERNAL when already started or stopped, or when `sink` is
  // NULL.
  absl::Status Start(AnswerSink* sink) override;

  // Stops the worker; answers not yet delivered are dropped (as a terminal that goes away loses
  // them). No sink call runs once it returns. Idempotent.
  void Stop() override;

  // Queues a copy of `document`, a request of `kind`, for the worker; its answer is delivered
  // under the request's file id (FileIdOf). Errors: ONSHI_INVALID_ARGUMENT when `kind` is not a
  // request kind, `document` is not of its message type, or its ArbitraryFileIdentifier cannot
  // be a file id; ONSHI_TERMINAL_UNAVAILABLE once stopped.
  absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document) override;

  // A card-reader check-in (docs/simulator.md "Check-ins"): the consents are recorded at once
  // and the face document reaches the sink as a kFaceCheckin answer from the worker. Returns
  // the check-in's file id. Errors: the Responder's CheckIn errors;
  // ONSHI_TERMINAL_UNAVAILABLE once stopped. Thread-safe.
  absl::StatusOr<std::string> CheckIn(const v1::CheckinCommand& command);

  // OK while not stopped; ONSHI_TERMINAL_UNAVAILABLE after Stop.
  absl::Status CheckHealth() override;

  class Impl;

 private:
  explicit InProcessTerminal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_IN_PROCESS_TERMINAL_H_
