// Names of the files in the terminal's shared folders (req/, res/, face/).
//
// Only exact patterns are recognised, so temp files, stray files and hostile names are never
// taken for documents. File ids are onshi's random ArbitraryFileIdentifier (or, for card-reader
// check-ins, the terminal's own id): never anything derived from a patient.

#ifndef ONSHI_ADAPTERS_OQS_FILES_FILE_NAMES_H_
#define ONSHI_ADAPTERS_OQS_FILES_FILE_NAMES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace onshi::oqs {

enum class FileKind {
  // req/OQSsiquc01req_<id>.xml (and the same name moved into res/ when the terminal refuses it).
  kQualificationRequest,
  // res/OQSsiquc01res_<id>.xml
  kQualificationAnswer,
  // face/OQSsiquc01res_face_<id>.xml
  kFaceCheckin,
  // res/OQSsiquc01req_<id>.err: the terminal refused the request of the same id.
  kRejectedRequest,
};

struct FileName {
  FileKind kind;
  std::string file_id;
};

// True if `file_id` satisfies the <id> rule: 1-64 characters of [A-Za-z0-9_-]. Thread-safe.
bool IsValidFileId(absl::string_view file_id);

// Parses a bare file name (no directory part). <id> is 1-64 characters of [A-Za-z0-9_-]; the
// prefix and extension must match exactly, in case. A name starting "OQSsiquc01res_face_" is a
// face check-in or nothing (never an answer whose id starts "face_"). Anything else (temp names,
// paths, other kinds, ".XML", "x.xml.tmp", an empty id) returns nullopt. Thread-safe.
std::optional<FileName> ParseFileName(absl::string_view name);

// The bare file name for `kind` and `file_id`. Returns an empty string when `file_id` breaks the
// <id> rule, or when kind is kQualificationAnswer and file_id starts "face_" (the name would read
// back as a face check-in), so a caller's bug can never produce a path. Thread-safe.
std::string FileNameFor(FileKind kind, absl::string_view file_id);

// Prefix of the names writers give files while writing them: never matches a document pattern,
// so a half-written file is never taken for a document. Followed by a random suffix.
inline constexpr absl::string_view kTempFilePrefix = ".onshi-tmp-";

}  // namespace onshi::oqs

#endif  // ONSHI_ADAPTERS_OQS_FILES_FILE_NAMES_H_
