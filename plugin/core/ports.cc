#include "plugin/core/ports.h"

#include "absl/strings/str_cat.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;

// One row per kind, in enum order: the table every helper below reads.
struct KindInfo {
  DocumentKind kind;
  absl::string_view name;
  const Descriptor* (*type)();
  // For request kinds: the answer's kind; for answer kinds: the kind itself.
  DocumentKind answer;
  bool request;
  bool may_be_pdf;
};

const std::vector<KindInfo>& Kinds() {
  static const auto* const kinds = new std::vector<KindInfo>{
      {DocumentKind::kQualificationRequest, "qualification-request",
       &v1::QualificationRequestDocument::descriptor, DocumentKind::kQualificationAnswer, true,
       false},
      {DocumentKind::kQualificationAnswer, "qualification-answer",
       &v1::QualificationResult::descriptor, DocumentKind::kQualificationAnswer, false, false},
      {DocumentKind::kFaceCheckin, "face-checkin", &v1::QualificationResult::descriptor,
       DocumentKind::kFaceCheckin, false, false},
      {DocumentKind::kBatchUpload, "batch-upload",
       &v1::BatchQualificationRequestDocument::descriptor, DocumentKind::kBatchReceipt, true,
       false},
      {DocumentKind::kBatchReceipt, "batch-receipt", &v1::BulkReceiptDocument::descriptor,
       DocumentKind::kBatchReceipt, false, false},
      {DocumentKind::kBatchResultRequest, "batch-result-request",
       &v1::BulkResultRequestDocument::descriptor, DocumentKind::kBatchResult, true, false},
      {DocumentKind::kBatchResult, "batch-result",
       &v1::BatchQualificationResultDocument::descriptor, DocumentKind::kBatchResult, false, false},
      {DocumentKind::kReferenceNumberRequest, "reference-number-request",
       &v1::ReferenceNumberRequestDocument::descriptor, DocumentKind::kReferenceNumberResult, true,
       false},
      {DocumentKind::kReferenceNumberResult, "reference-number-result",
       &v1::ReferenceNumberResultDocument::descriptor, DocumentKind::kReferenceNumberResult, false,
       false},
      {DocumentKind::kBulkReferenceNumberUpload, "bulk-reference-number-upload",
       &v1::BulkReferenceNumberRequestDocument::descriptor,
       DocumentKind::kBulkReferenceNumberReceipt, true, false},
      {DocumentKind::kBulkReferenceNumberReceipt, "bulk-reference-number-receipt",
       &v1::BulkReceiptDocument::descriptor, DocumentKind::kBulkReferenceNumberReceipt, false,
       false},
      {DocumentKind::kBulkReferenceNumberResultRequest, "bulk-reference-number-result-request",
       &v1::BulkResultRequestDocument::descriptor, DocumentKind::kBulkReferenceNumberResult, true,
       false},
      {DocumentKind::kBulkReferenceNumberResult, "bulk-reference-number-result",
       &v1::BulkReferenceNumberResultDocument::descriptor, DocumentKind::kBulkReferenceNumberResult,
       false, false},
      {DocumentKind::kMedicationRequest, "medication-request",
       &v1::MedicationRequestDocument::descriptor, DocumentKind::kMedicationResult, true, false},
      {DocumentKind::kMedicationResult, "medication-result",
       &v1::MedicationResultDocument::descriptor, DocumentKind::kMedicationResult, false, true},
      {DocumentKind::kCheckupRequest, "checkup-request", &v1::CheckupRequestDocument::descriptor,
       DocumentKind::kCheckupResult, true, false},
      {DocumentKind::kCheckupResult, "checkup-result", &v1::CheckupResultDocument::descriptor,
       DocumentKind::kCheckupResult, false, true},
  };
  return *kinds;
}

const KindInfo* InfoOf(DocumentKind kind) {
  const std::vector<KindInfo>& kinds = Kinds();
  const int index = static_cast<int>(kind) - 1;
  if (index < 0 || index >= static_cast<int>(kinds.size())) return nullptr;
  return &kinds[static_cast<size_t>(index)];
}

// The string field `name` of `message`, if it has one.
const FieldDescriptor* StringField(const Descriptor* type, absl::string_view name) {
  const FieldDescriptor* field = type->FindFieldByName(std::string(name));
  if (field == nullptr || field->is_repeated() ||
      field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
    return nullptr;
  }
  return field;
}

}  // namespace

const std::vector<DocumentKind>& AllDocumentKinds() {
  static const auto* const all = [] {
    auto* v = new std::vector<DocumentKind>;
    for (const KindInfo& info : Kinds()) v->push_back(info.kind);
    return v;
  }();
  return *all;
}

absl::string_view DocumentKindName(DocumentKind kind) {
  const KindInfo* info = InfoOf(kind);
  return info == nullptr ? "unknown" : info->name;
}

bool IsRequestKind(DocumentKind kind) {
  const KindInfo* info = InfoOf(kind);
  return info != nullptr && info->request;
}

std::optional<DocumentKind> AnswerKindOf(DocumentKind kind) {
  const KindInfo* info = InfoOf(kind);
  if (info == nullptr || !info->request) return std::nullopt;
  return info->answer;
}

bool MayBePdf(DocumentKind kind) {
  const KindInfo* info = InfoOf(kind);
  return info != nullptr && info->may_be_pdf;
}

const google::protobuf::Descriptor* DocumentTypeOf(DocumentKind kind) {
  const KindInfo* info = InfoOf(kind);
  return info == nullptr ? nullptr : info->type();
}

absl::StatusOr<std::string> FileIdOf(DocumentKind kind, const google::protobuf::Message& document) {
  const Descriptor* expected = DocumentTypeOf(kind);
  const Descriptor* type = document.GetDescriptor();
  if (expected == nullptr || type != expected) {
    return MakeError(
        errors::kInvalidArgument,
        absl::StrCat("a ", type->name(), " is not a document of kind ", DocumentKindName(kind)));
  }
  const google::protobuf::Reflection* reflection = document.GetReflection();
  if (const FieldDescriptor* id = StringField(type, "arbitrary_file_identifier")) {
    return reflection->GetString(document, id);
  }
  // The medication and checkup requests keep it in their header.
  const FieldDescriptor* header = type->FindFieldByName("header");
  if (header != nullptr && !header->is_repeated() &&
      header->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    const google::protobuf::Message& inner = reflection->GetMessage(document, header);
    if (const FieldDescriptor* id =
            StringField(inner.GetDescriptor(), "arbitrary_file_identifier")) {
      return inner.GetReflection()->GetString(inner, id);
    }
  }
  return MakeError(errors::kInternal,
                   absl::StrCat(type->name(), " has no arbitrary_file_identifier field"));
}

}  // namespace onshi
