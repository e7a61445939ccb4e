// Names of the files in the terminal's shared folders (req/, res/, face/), for every document
// kind (plugin/core/ports.h: DocumentKind). docs/oqs-mapping.md lists them.
//
// Only exact patterns are recognised, so temp files, stray files and hostile names are never
// taken for documents. File ids are onshi's random ArbitraryFileIdentifier (or, for card-reader
// check-ins, the terminal's own id): never anything derived from a patient.

#ifndef ONSHI_ADAPTERS_OQS_FILES_FILE_NAMES_H_
#define ONSHI_ADAPTERS_OQS_FILES_FILE_NAMES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "plugin/core/ports.h"

namespace onshi::oqs {

// What a file of a kind holds.
enum class FileForm {
  // <prefix><id>.xml: the XML document (for a request kind found in res/: the request the
  // terminal returned).
  kXml,
  // <prefix><id>.pdf: a PDF answer (medication and checkup results only).
  kPdf,
  // <request prefix><id>.err, in res/: the terminal refused the request of that kind and id.
  kErr,
};

struct FileName {
  DocumentKind kind;
  std::string file_id;
  FileForm form = FileForm::kXml;
};

// True if `file_id` satisfies the <id> rule: 1-64 characters of [A-Za-z0-9_-]. Thread-safe.
bool IsValidFileId(absl::string_view file_id);

// Parses a bare file name (no directory part). The names, <id> being 1-64 characters of
// [A-Za-z0-9_-]:
//   OQSsiquc01req_<id>.xml  OQSsiquc01res_<id>.xml  OQSsiquc01res_face_<id>.xml (face/)
//   OQSmuquc01req_ / res_   OQSmuquc02req_ / res_   (一括照会)
//   OQSsiimm01req_ / res_   OQSmuimm01req_ / res_   OQSmuimm02req_ / res_   (照会番号)
//   YZKsiquc01req_ / res_   TKKsiquc01req_ / res_   (results also <prefix><id>.pdf)
//   <any request prefix><id>.err
// The prefix and extension must match exactly, in case. A name starting "OQSsiquc01res_face_" is
// a face check-in or nothing (never an answer whose id starts "face_"). Anything else (temp
// names, paths, unsupported kinds, ".XML", "x.xml.tmp", an empty id, ".pdf" for a kind that is
// never a PDF, ".err" for an answer kind) returns nullopt. Thread-safe.
std::optional<FileName> ParseFileName(absl::string_view name);

// The bare file name for `kind`, `file_id` and `form`. Returns an empty string when `file_id`
// breaks the <id> rule, when `kind` has no file of that form (kPdf outside medication/checkup
// results, kErr for a kind that is not a request, kFaceCheckin other than kXml), or when kind is
// kQualificationAnswer and file_id starts "face_" (the name would read back as a face check-in),
// so a caller's bug can never produce a path. Thread-safe.
std::string FileNameFor(DocumentKind kind, absl::string_view file_id,
                        FileForm form = FileForm::kXml);

// The shared folder documents of `kind` are written to: "req" for request kinds, "face" for
// check-ins, "res" for every other answer (and for .err files and returned requests). Empty for a
// value outside the enum. Thread-safe.
absl::string_view FolderOf(DocumentKind kind);

// Prefix of the names writers give files while writing them: never matches a document pattern,
// so a half-written file is never taken for a document. Followed by a random suffix.
inline constexpr absl::string_view kTempFilePrefix = ".onshi-tmp-";

}  // namespace onshi::oqs

#endif  // ONSHI_ADAPTERS_OQS_FILES_FILE_NAMES_H_
