// The simulator's in-process twin: a TerminalTransport that answers each submitted request from
// the dataset with the simulator's own decisions (Responder), without folders, files or XML. The
// answer reaches the sink from the twin's worker thread, as the file transport's answers do.
//
// For unit tests and benchmarks only (ARCHITECTURE.md: the simulator proper is a separate
// program speaking through the folders). It shows what onshi costs without the terminal's file
// round trip; it does not exercise the codec or the file transport. Differences from the
// simulator behind real folders:
// - answers are delivered as the Responder builds them, with no encode/decode round trip (a
//   Shift_JIS patient's characters outside CP932 are not substituted);
// - a request the Responder refuses reaches the sink as OnRequestRejected with the refusal code
//   (the simulator writes it into the .err file);
// - a malformed answer (fault or dataset behaviour) reaches the sink as OnUnreadableAnswer with
//   ONSHI_DOCUMENT_MALFORMED, as the file transport reports an answer it quarantined;
// - a sink that returns an error sees the same answer again after `redelivery_interval`, as the
//   file transport's next scan would show it the file again;
// - it answers 個別照会 requests only (kQualificationRequest, answered as kQualificationAnswer);
//   Submit refuses every other kind.

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
  Fault fault = Fault::kNone;
  // ProcessExecutionTime, 限度額 consent times and IncomingAnswer::received_time come from this
  // clock (nullptr = the system clock). Latencies are measured on the monotonic clock regardless.
  // Must outlive the terminal.
  const Clock* clock = nullptr;
  // When the sink fails to record an answer (or a rejection), the same delivery is retried after
  // this long, until it succeeds or the terminal stops. Must be positive.
  absl::Duration redelivery_interval = absl::Milliseconds(100);
};

// Thread-safe: Submit and CheckHealth may be called from any thread, also
// from inside a sink call. Start and Stop must not race with each other or with destruction.
class InProcessTerminal final : public TerminalTransport {
 public:
  // Errors: ONSHI_CONFIG_INVALID naming the option (an institution code that is not 10 digits, a
  // non-positive redelivery interval, a dataset that fails validation).
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

  // Queues `document` for the worker. Errors: ONSHI_INVALID_ARGUMENT for a kind other than
  // kQualificationRequest (the twin does not answer the others) or a document that is not a
  // v1::QualificationRequestDocument; ONSHI_TERMINAL_UNAVAILABLE once stopped.
  absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document) override;

  // OK while not stopped; ONSHI_TERMINAL_UNAVAILABLE after Stop.
  absl::Status CheckHealth() override;

  class Impl;

 private:
  explicit InProcessTerminal(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_IN_PROCESS_TERMINAL_H_
