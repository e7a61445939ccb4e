#include "plugin/service/answer_router.h"

#include <optional>

#include "plugin/common/log.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "router";

}  // namespace

void AnswerRouter::Register(DocumentKind answer_kind, AnswerSink* handler) {
  handlers_[answer_kind] = handler;
}

AnswerSink* AnswerRouter::HandlerFor(DocumentKind answer_kind) const {
  auto it = handlers_.find(answer_kind);
  return it == handlers_.end() ? nullptr : it->second;
}

absl::StatusOr<AnswerDisposition> AnswerRouter::OnAnswer(const IncomingAnswer& answer) {
  if (AnswerSink* handler = HandlerFor(answer.kind)) return handler->OnAnswer(answer);
  Log(LogLevel::kWarning, kLog, "no handler for ", DocumentKindName(answer.kind), ": file ",
      answer.file_id, " quarantined");
  return AnswerDisposition::kQuarantine;
}

absl::Status AnswerRouter::OnRequestRejected(const RejectedRequest& rejected) {
  const std::optional<DocumentKind> answer_kind = AnswerKindOf(rejected.kind);
  if (answer_kind.has_value()) {
    if (AnswerSink* handler = HandlerFor(*answer_kind)) return handler->OnRequestRejected(rejected);
  }
  Log(LogLevel::kWarning, kLog, "no handler for rejected ", DocumentKindName(rejected.kind),
      ": file ", rejected.file_id, " quarantined");
  return absl::OkStatus();
}

absl::Status AnswerRouter::OnUnreadableAnswer(const UnreadableAnswer& unreadable) {
  if (AnswerSink* handler = HandlerFor(unreadable.kind)) {
    return handler->OnUnreadableAnswer(unreadable);
  }
  Log(LogLevel::kWarning, kLog, "no handler for unreadable ", DocumentKindName(unreadable.kind),
      ": file ", unreadable.file_id, " quarantined");
  return absl::OkStatus();
}

}  // namespace onshi::service
