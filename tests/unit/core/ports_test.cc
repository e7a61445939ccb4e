// The document kinds of the terminal port: each kind's message type, which kinds are requests and
// what answers them, the file id every document carries, and the typed access to an answer.

#include "plugin/core/ports.h"

#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

std::unique_ptr<google::protobuf::Message> NewOf(DocumentKind kind) {
  return std::unique_ptr<google::protobuf::Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(DocumentTypeOf(kind))
          ->New());
}

TEST(DocumentKindTest, SeventeenKindsWithDistinctNames) {
  const std::vector<DocumentKind>& kinds = AllDocumentKinds();
  ASSERT_EQ(kinds.size(), 17u);
  std::set<std::string> names;
  for (DocumentKind kind : kinds) {
    EXPECT_TRUE(names.insert(std::string(DocumentKindName(kind))).second) << DocumentKindName(kind);
    EXPECT_NE(DocumentTypeOf(kind), nullptr) << DocumentKindName(kind);
  }
  EXPECT_EQ(DocumentKindName(DocumentKind::kFaceCheckin), "face-checkin");
  EXPECT_EQ(DocumentKindName(static_cast<DocumentKind>(0)), "unknown");
  EXPECT_EQ(DocumentKindName(static_cast<DocumentKind>(18)), "unknown");
  EXPECT_EQ(DocumentTypeOf(static_cast<DocumentKind>(0)), nullptr);
}

TEST(DocumentKindTest, EachKindHasTheMessageTypeItsCommentNames) {
  struct {
    DocumentKind kind;
    const google::protobuf::Descriptor* type;
  } cases[] = {
      {DocumentKind::kQualificationRequest, v1::QualificationRequestDocument::descriptor()},
      {DocumentKind::kQualificationAnswer, v1::QualificationResult::descriptor()},
      {DocumentKind::kFaceCheckin, v1::QualificationResult::descriptor()},
      {DocumentKind::kBatchUpload, v1::BatchQualificationRequestDocument::descriptor()},
      {DocumentKind::kBatchReceipt, v1::BulkReceiptDocument::descriptor()},
      {DocumentKind::kBatchResultRequest, v1::BulkResultRequestDocument::descriptor()},
      {DocumentKind::kBatchResult, v1::BatchQualificationResultDocument::descriptor()},
      {DocumentKind::kReferenceNumberRequest, v1::ReferenceNumberRequestDocument::descriptor()},
      {DocumentKind::kReferenceNumberResult, v1::ReferenceNumberResultDocument::descriptor()},
      {DocumentKind::kBulkReferenceNumberUpload,
       v1::BulkReferenceNumberRequestDocument::descriptor()},
      {DocumentKind::kBulkReferenceNumberReceipt, v1::BulkReceiptDocument::descriptor()},
      {DocumentKind::kBulkReferenceNumberResultRequest,
       v1::BulkResultRequestDocument::descriptor()},
      {DocumentKind::kBulkReferenceNumberResult,
       v1::BulkReferenceNumberResultDocument::descriptor()},
      {DocumentKind::kMedicationRequest, v1::MedicationRequestDocument::descriptor()},
      {DocumentKind::kMedicationResult, v1::MedicationResultDocument::descriptor()},
      {DocumentKind::kCheckupRequest, v1::CheckupRequestDocument::descriptor()},
      {DocumentKind::kCheckupResult, v1::CheckupResultDocument::descriptor()},
  };
  ASSERT_EQ(std::size(cases), AllDocumentKinds().size());
  for (const auto& c : cases) {
    EXPECT_EQ(DocumentTypeOf(c.kind), c.type) << DocumentKindName(c.kind);
  }
}

TEST(DocumentKindTest, EveryRequestKindHasAnAnswerKindAndNoAnswerKindHasOne) {
  std::set<DocumentKind> answered;
  int requests = 0;
  for (DocumentKind kind : AllDocumentKinds()) {
    std::optional<DocumentKind> answer = AnswerKindOf(kind);
    if (!IsRequestKind(kind)) {
      EXPECT_FALSE(answer.has_value()) << DocumentKindName(kind);
      continue;
    }
    ++requests;
    ASSERT_TRUE(answer.has_value()) << DocumentKindName(kind);
    EXPECT_FALSE(IsRequestKind(*answer));
    EXPECT_NE(*answer, DocumentKind::kFaceCheckin);
    EXPECT_TRUE(answered.insert(*answer).second) << "two requests share an answer kind";
  }
  EXPECT_EQ(requests, 8);
  EXPECT_EQ(AnswerKindOf(DocumentKind::kBatchUpload), DocumentKind::kBatchReceipt);
  EXPECT_EQ(AnswerKindOf(DocumentKind::kBatchResultRequest), DocumentKind::kBatchResult);
  EXPECT_EQ(AnswerKindOf(DocumentKind::kMedicationRequest), DocumentKind::kMedicationResult);
  EXPECT_FALSE(IsRequestKind(DocumentKind::kFaceCheckin));
  EXPECT_FALSE(IsRequestKind(static_cast<DocumentKind>(0)));
}

TEST(DocumentKindTest, OnlyMedicationAndCheckupResultsMayBePdf) {
  for (DocumentKind kind : AllDocumentKinds()) {
    EXPECT_EQ(MayBePdf(kind),
              kind == DocumentKind::kMedicationResult || kind == DocumentKind::kCheckupResult)
        << DocumentKindName(kind);
  }
}

TEST(FileIdOfTest, ReadsTheIdOfEveryKindIncludingTheMedicalRequestsHeader) {
  for (DocumentKind kind : AllDocumentKinds()) {
    std::unique_ptr<google::protobuf::Message> document = NewOf(kind);
    absl::StatusOr<std::string> empty = FileIdOf(kind, *document);
    ASSERT_TRUE(empty.ok()) << DocumentKindName(kind) << ": " << empty.status();
    EXPECT_EQ(*empty, "");
  }
  v1::MedicationRequestDocument medication;
  medication.mutable_header()->set_arbitrary_file_identifier("Y123");
  EXPECT_EQ(*FileIdOf(DocumentKind::kMedicationRequest, medication), "Y123");
  v1::CheckupRequestDocument checkup;
  checkup.mutable_header()->set_arbitrary_file_identifier("T123");
  EXPECT_EQ(*FileIdOf(DocumentKind::kCheckupRequest, checkup), "T123");
  v1::BulkResultRequestDocument download;
  download.set_arbitrary_file_identifier("B123");
  EXPECT_EQ(*FileIdOf(DocumentKind::kBatchResultRequest, download), "B123");
  EXPECT_EQ(*FileIdOf(DocumentKind::kBulkReferenceNumberResultRequest, download), "B123");
}

TEST(FileIdOfTest, RefusesADocumentOfAnotherKindsType) {
  v1::QualificationRequestDocument request;
  request.set_arbitrary_file_identifier("Q1");
  absl::StatusOr<std::string> id = FileIdOf(DocumentKind::kBatchUpload, request);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(ReasonOf(id.status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(id.status().message().find("Q1"), absl::string_view::npos) << "no value in errors";
  EXPECT_FALSE(FileIdOf(static_cast<DocumentKind>(0), request).ok());
}

TEST(AnswerAsTest, GivesTheDocumentOnlyAsItsOwnType) {
  auto result = std::make_shared<v1::QualificationResult>();
  result->set_arbitrary_file_identifier("A1");
  IncomingAnswer answer;
  answer.kind = DocumentKind::kQualificationAnswer;
  answer.file_id = "A1";
  answer.document = result;
  const v1::QualificationResult* typed = AnswerAs<v1::QualificationResult>(answer);
  ASSERT_NE(typed, nullptr);
  EXPECT_EQ(typed->arbitrary_file_identifier(), "A1");
  EXPECT_EQ(AnswerAs<v1::BatchQualificationResultDocument>(answer), nullptr);
  EXPECT_EQ(AnswerAs<v1::QualificationRequestDocument>(answer), nullptr);

  IncomingAnswer pdf;
  pdf.kind = DocumentKind::kMedicationResult;
  pdf.pdf = "%PDF-1.7\n%%EOF";
  EXPECT_EQ(AnswerAs<v1::MedicationResultDocument>(pdf), nullptr);
}

}  // namespace
}  // namespace onshi
