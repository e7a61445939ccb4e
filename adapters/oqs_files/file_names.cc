#include "adapters/oqs_files/file_names.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace onshi::oqs {
namespace {

struct Pattern {
  DocumentKind kind;
  absl::string_view prefix;
};

// Every kind's name prefix. The face prefix extends the 個別照会 answer's, which ParseFileName
// settles first.
constexpr Pattern kPatterns[] = {
    {DocumentKind::kQualificationRequest, "OQSsiquc01req_"},
    {DocumentKind::kQualificationAnswer, "OQSsiquc01res_"},
    {DocumentKind::kFaceCheckin, "OQSsiquc01res_face_"},
    {DocumentKind::kBatchUpload, "OQSmuquc01req_"},
    {DocumentKind::kBatchReceipt, "OQSmuquc01res_"},
    {DocumentKind::kBatchResultRequest, "OQSmuquc02req_"},
    {DocumentKind::kBatchResult, "OQSmuquc02res_"},
    {DocumentKind::kReferenceNumberRequest, "OQSsiimm01req_"},
    {DocumentKind::kReferenceNumberResult, "OQSsiimm01res_"},
    {DocumentKind::kBulkReferenceNumberUpload, "OQSmuimm01req_"},
    {DocumentKind::kBulkReferenceNumberReceipt, "OQSmuimm01res_"},
    {DocumentKind::kBulkReferenceNumberResultRequest, "OQSmuimm02req_"},
    {DocumentKind::kBulkReferenceNumberResult, "OQSmuimm02res_"},
    {DocumentKind::kMedicationRequest, "YZKsiquc01req_"},
    {DocumentKind::kMedicationResult, "YZKsiquc01res_"},
    {DocumentKind::kCheckupRequest, "TKKsiquc01req_"},
    {DocumentKind::kCheckupResult, "TKKsiquc01res_"},
};

constexpr absl::string_view kFacePrefix = "OQSsiquc01res_face_";
constexpr absl::string_view kXml = ".xml";
constexpr absl::string_view kPdf = ".pdf";
constexpr absl::string_view kErr = ".err";
constexpr size_t kMaxIdLength = 64;

bool IsIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

// The id between `prefix` and `extension` if `name` is exactly prefix + <id> + extension.
std::optional<std::string> IdBetween(absl::string_view name, absl::string_view prefix,
                                     absl::string_view extension) {
  if (!absl::StartsWith(name, prefix) || !absl::EndsWith(name, extension)) return std::nullopt;
  if (name.size() < prefix.size() + extension.size()) return std::nullopt;
  absl::string_view id = name.substr(prefix.size(), name.size() - prefix.size() - extension.size());
  if (!IsValidFileId(id)) return std::nullopt;
  return std::string(id);
}

absl::string_view PrefixOf(DocumentKind kind) {
  for (const Pattern& p : kPatterns) {
    if (p.kind == kind) return p.prefix;
  }
  return {};
}

// Whether `kind` has files of `form` at all.
bool HasForm(DocumentKind kind, FileForm form) {
  switch (form) {
    case FileForm::kXml:
      return true;
    case FileForm::kPdf:
      return MayBePdf(kind);
    case FileForm::kErr:
      return IsRequestKind(kind);
  }
  return false;
}

absl::string_view ExtensionOf(FileForm form) {
  switch (form) {
    case FileForm::kXml:
      return kXml;
    case FileForm::kPdf:
      return kPdf;
    case FileForm::kErr:
      return kErr;
  }
  return {};
}

}  // namespace

bool IsValidFileId(absl::string_view file_id) {
  if (file_id.empty() || file_id.size() > kMaxIdLength) return false;
  for (char c : file_id) {
    if (!IsIdChar(c)) return false;
  }
  return true;
}

std::optional<FileName> ParseFileName(absl::string_view name) {
  if (absl::StartsWith(name, kFacePrefix)) {
    std::optional<std::string> id = IdBetween(name, kFacePrefix, kXml);
    if (!id.has_value()) return std::nullopt;
    return FileName{DocumentKind::kFaceCheckin, *std::move(id), FileForm::kXml};
  }
  for (const Pattern& p : kPatterns) {
    if (p.kind == DocumentKind::kFaceCheckin || !absl::StartsWith(name, p.prefix)) continue;
    for (FileForm form : {FileForm::kXml, FileForm::kPdf, FileForm::kErr}) {
      if (!HasForm(p.kind, form)) continue;
      if (std::optional<std::string> id = IdBetween(name, p.prefix, ExtensionOf(form))) {
        return FileName{p.kind, *std::move(id), form};
      }
    }
    return std::nullopt;  // prefixes other than the face one never overlap
  }
  return std::nullopt;
}

std::string FileNameFor(DocumentKind kind, absl::string_view file_id, FileForm form) {
  if (!IsValidFileId(file_id) || !HasForm(kind, form)) return {};
  const absl::string_view prefix = PrefixOf(kind);
  if (prefix.empty()) return {};
  if (kind == DocumentKind::kQualificationAnswer && absl::StartsWith(file_id, "face_")) return {};
  return absl::StrCat(prefix, file_id, ExtensionOf(form));
}

absl::string_view FolderOf(DocumentKind kind) {
  if (PrefixOf(kind).empty()) return {};
  if (IsRequestKind(kind)) return "req";
  if (kind == DocumentKind::kFaceCheckin) return "face";
  return "res";
}

}  // namespace onshi::oqs
