// The transport has one sink; onshi has a handler per kind of exchange (individual checks,
// check-ins, batches, 照会番号, medical information). The router passes each answer, rejection
// and unreadable file to the handler registered for its kind. A kind nobody handles is
// quarantined (and logged), never dropped.

#ifndef ONSHI_PLUGIN_SERVICE_ANSWER_ROUTER_H_
#define ONSHI_PLUGIN_SERVICE_ANSWER_ROUTER_H_

#include <map>

#include "plugin/core/ports.h"

namespace onshi::service {

class AnswerRouter final : public AnswerSink {
 public:
  // Routes answers of `answer_kind` (and rejections of the request kind that asks for it, and
  // unreadable files of that kind) to `handler`, which must outlive the router. Register every
  // handler before the transport starts; registration is not synchronised with routing.
  void Register(DocumentKind answer_kind, AnswerSink* handler);

  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override;
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override;
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override;

 private:
  AnswerSink* HandlerFor(DocumentKind answer_kind) const;

  std::map<DocumentKind, AnswerSink*> handlers_;
};

}  // namespace onshi::service

#endif  // ONSHI_PLUGIN_SERVICE_ANSWER_ROUTER_H_
