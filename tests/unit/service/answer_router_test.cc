// The router gives each kind of answer to its handler and quarantines what nobody handles.

#include "plugin/service/answer_router.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi::service {
namespace {

class RecordingSink final : public AnswerSink {
 public:
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override {
    answers.push_back(answer.kind);
    return AnswerDisposition::kProcessed;
  }
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override {
    rejections.push_back(rejected.kind);
    return absl::OkStatus();
  }
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override {
    unreadables.push_back(unreadable.kind);
    return absl::OkStatus();
  }

  std::vector<DocumentKind> answers;
  std::vector<DocumentKind> rejections;
  std::vector<DocumentKind> unreadables;
};

IncomingAnswer AnswerOf(DocumentKind kind) {
  IncomingAnswer answer;
  answer.kind = kind;
  answer.file_id = "F1";
  return answer;
}

TEST(AnswerRouterTest, KindsWithoutAHandlerAreQuarantinedNotDropped) {
  AnswerRouter router;
  for (DocumentKind kind : AllDocumentKinds()) {
    if (IsRequestKind(kind)) {
      EXPECT_TRUE(router.OnRequestRejected(RejectedRequest{kind, "F1", "E1"}).ok());
      continue;
    }
    absl::StatusOr<AnswerDisposition> disposition = router.OnAnswer(AnswerOf(kind));
    ASSERT_TRUE(disposition.ok()) << DocumentKindName(kind);
    EXPECT_EQ(*disposition, AnswerDisposition::kQuarantine) << DocumentKindName(kind);
    EXPECT_TRUE(router
                    .OnUnreadableAnswer(UnreadableAnswer{
                        kind, "F1", MakeError(errors::kTerminalMalformedAnswer, "test")})
                    .ok());
  }
}

TEST(AnswerRouterTest, EachKindReachesOnlyItsHandler) {
  RecordingSink batches;
  RecordingSink checkins;
  AnswerRouter router;
  router.Register(DocumentKind::kBatchReceipt, &batches);
  router.Register(DocumentKind::kBatchResult, &batches);
  router.Register(DocumentKind::kFaceCheckin, &checkins);

  EXPECT_EQ(*router.OnAnswer(AnswerOf(DocumentKind::kBatchResult)),
            AnswerDisposition::kProcessed);
  EXPECT_EQ(*router.OnAnswer(AnswerOf(DocumentKind::kFaceCheckin)),
            AnswerDisposition::kProcessed);
  EXPECT_EQ(*router.OnAnswer(AnswerOf(DocumentKind::kMedicationResult)),
            AnswerDisposition::kQuarantine);
  // A rejected upload goes to the handler of the upload's answer.
  ASSERT_TRUE(router.OnRequestRejected(RejectedRequest{DocumentKind::kBatchUpload, "F2", ""}).ok());
  ASSERT_TRUE(router
                  .OnUnreadableAnswer(UnreadableAnswer{
                      DocumentKind::kFaceCheckin, "F3",
                      MakeError(errors::kTerminalMalformedAnswer, "test")})
                  .ok());

  EXPECT_EQ(batches.answers, std::vector<DocumentKind>{DocumentKind::kBatchResult});
  EXPECT_EQ(batches.rejections, std::vector<DocumentKind>{DocumentKind::kBatchUpload});
  EXPECT_EQ(checkins.answers, std::vector<DocumentKind>{DocumentKind::kFaceCheckin});
  EXPECT_EQ(checkins.unreadables, std::vector<DocumentKind>{DocumentKind::kFaceCheckin});
}

}  // namespace
}  // namespace onshi::service
