#include "adapters/oqs_files/file_names.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace onshi::oqs {
namespace {

constexpr absl::string_view kRequestPrefix = "OQSsiquc01req_";
constexpr absl::string_view kAnswerPrefix = "OQSsiquc01res_";
constexpr absl::string_view kFacePrefix = "OQSsiquc01res_face_";
constexpr absl::string_view kXml = ".xml";
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
    return FileName{FileKind::kFaceCheckin, *std::move(id)};
  }
  if (std::optional<std::string> id = IdBetween(name, kAnswerPrefix, kXml)) {
    return FileName{FileKind::kQualificationAnswer, *std::move(id)};
  }
  if (std::optional<std::string> id = IdBetween(name, kRequestPrefix, kXml)) {
    return FileName{FileKind::kQualificationRequest, *std::move(id)};
  }
  if (std::optional<std::string> id = IdBetween(name, kRequestPrefix, kErr)) {
    return FileName{FileKind::kRejectedRequest, *std::move(id)};
  }
  return std::nullopt;
}

std::string FileNameFor(FileKind kind, absl::string_view file_id) {
  if (!IsValidFileId(file_id)) return {};
  switch (kind) {
    case FileKind::kQualificationRequest:
      return absl::StrCat(kRequestPrefix, file_id, kXml);
    case FileKind::kQualificationAnswer:
      if (absl::StartsWith(file_id, "face_")) return {};
      return absl::StrCat(kAnswerPrefix, file_id, kXml);
    case FileKind::kFaceCheckin:
      return absl::StrCat(kFacePrefix, file_id, kXml);
    case FileKind::kRejectedRequest:
      return absl::StrCat(kRequestPrefix, file_id, kErr);
  }
  return {};
}

}  // namespace onshi::oqs
