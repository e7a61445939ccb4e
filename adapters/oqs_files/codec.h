// The OQS XML codec: the one place where the terminal's documents become onshi.v1 messages and
// back. The transport (reading answers, writing requests) and the terminal simulator (reading
// requests, writing answers) both use it, so they can never disagree about a document.
//
// The mapping is not written here: every mapped field carries an (oqs_element) option in
// proto/onshi/v1/oqs_*documents.proto and every mapped enum value an (oqs_code). The codec walks
// the descriptors (the derived plan is cached per message type). Unknown elements are ignored.
// Inputs are untrusted: a DOCTYPE is refused, size and depth are capped, bytes must match the
// declared encoding, and no error text ever contains input bytes (errors name the element path
// and give a line or byte offset, never a value). docs/oqs-mapping.md lists the mapping and the
// rules in full.
//
// Thread rules: every function here is thread-safe and may run concurrently on any thread; the
// functions keep no state between calls except the immutable, internally synchronised plan cache.
// Nothing is logged or printed.

#ifndef ONSHI_ADAPTERS_OQS_FILES_CODEC_H_
#define ONSHI_ADAPTERS_OQS_FILES_CODEC_H_

#include <cstddef>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/core/ports.h"

namespace onshi::oqs {

enum class Encoding {
  kUtf8,
  // Shift_JIS as Windows writes it (CP932).
  kShiftJis,
};

struct EncodeOptions {
  Encoding encoding = Encoding::kUtf8;
  // Characters Shift_JIS cannot represent are written as 〓 (U+3013), the way the terminal
  // writes 外字, instead of failing. The simulator uses this; onshi's own requests never do.
  bool substitute_unrepresentable = false;
};

struct DecodeLimits {
  // Larger documents are refused before any byte is read (ONSHI_DOCUMENT_TOO_LARGE).
  size_t max_bytes = size_t{8} << 20;
  // Deeper element nesting is refused (ONSHI_DOCUMENT_TOO_DEEP). XmlMsg is level 1; the deepest
  // real documents reach level 7.
  int max_depth = 32;
};

// Decodes an XmlMsg document into `message` (cleared first, and left cleared on error),
// following the (oqs_element) options of its descriptor. `bytes` is only read within its bounds
// and is not retained.
//
// Values: strings are kept exactly as written (white space included; references resolved, CDATA
// as text); an empty element is the same as an absent one; integers are ASCII decimal digits;
// enums must hold one of their (oqs_code) values. The codec does not decide which elements are
// mandatory: a missing element leaves its field empty for core to judge.
//
// Encoding: the XML declaration's encoding decides (UTF-8, or Shift_JIS/CP932/Windows-31J read
// as CP932); without a declaration, MessageHeader/CharacterCodeIdentifier decides, else UTF-8.
// A CharacterCodeIdentifier that contradicts the encoding actually used, a document read as
// Shift_JIS whose bytes are valid UTF-8 beyond ASCII (mislabelled UTF-8, which would otherwise
// become mojibake), invalid byte sequences (including overlong UTF-8) and NUL bytes are refused
// (ONSHI_DOCUMENT_ENCODING). A UTF-8 BOM is accepted.
//
// Errors (absl::Status from plugin/core/errors.h): ONSHI_DOCUMENT_TOO_LARGE, _DOCTYPE (in any
// letter case, anywhere), _MALFORMED (not well-formed, an undefined entity, a character XML does
// not allow, or the root is not XmlMsg), _ENCODING, _TOO_DEEP, _INVALID_VALUE (a code outside
// its enum's (oqs_code) values, a non-integer in an integer field, a value element holding
// elements, or a singular element given twice), and ONSHI_INTERNAL if the message's options
// are inconsistent or iconv lacks CP932.
absl::Status DecodeDocument(absl::string_view bytes, const DecodeLimits& limits,
                            google::protobuf::Message* message);

// Encodes `message` as an XmlMsg document: `<?xml version="1.0" encoding="..."
// standalone="no"?>`, one element per line indented two spaces per level, elements in
// field-number order, empty strings, zero integers and UNSPECIFIED enums omitted, text escaped.
// Fails with ONSHI_DOCUMENT_ENCODING when a value cannot be represented (a character outside
// CP932 when writing Shift_JIS, unless substitute_unrepresentable; a character XML 1.0 cannot
// carry) or is not valid UTF-8, with ONSHI_DOCUMENT_INVALID_VALUE for a negative integer or an
// enum value without an (oqs_code), and ONSHI_INTERNAL as for decoding.
absl::StatusOr<std::string> EncodeDocument(const google::protobuf::Message& message,
                                           const EncodeOptions& options);

// The entry points by document kind (plugin/core/ports.h), for every kind, requests and answers
// alike: the transport decodes answers and encodes requests with them, the simulator the other way
// round.
//
// DecodeByKind: a new message of DocumentTypeOf(kind), decoded as DecodeDocument does (same
// rules, same errors); ONSHI_INVALID_ARGUMENT for a value outside the DocumentKind enum.
absl::StatusOr<std::unique_ptr<google::protobuf::Message>> DecodeByKind(
    DocumentKind kind, absl::string_view bytes, const DecodeLimits& limits = {});

// EncodeByKind: EncodeDocument of `message`, which must be of DocumentTypeOf(kind)
// (ONSHI_INVALID_ARGUMENT otherwise). When the type maps MessageHeader/CharacterCodeIdentifier
// (every answer kind), the element written is the one matching options.encoding, whatever
// `message` says (`message` itself is not changed).
absl::StatusOr<std::string> EncodeByKind(DocumentKind kind,
                                         const google::protobuf::Message& message,
                                         const EncodeOptions& options);

// Typed shorthands for the 資格確認 個別照会 pair (OQSsiquc01req / OQSsiquc01res, and the
// card-reader's OQSsiquc01res_face, which has the result's shape): the same as the by-kind
// functions with kQualificationRequest / kQualificationAnswer.
absl::StatusOr<v1::QualificationRequestDocument> DecodeQualificationRequest(
    absl::string_view bytes, const DecodeLimits& limits = {});
absl::StatusOr<std::string> EncodeQualificationRequest(
    const v1::QualificationRequestDocument& request, const EncodeOptions& options);
absl::StatusOr<v1::QualificationResult> DecodeQualificationResult(absl::string_view bytes,
                                                                  const DecodeLimits& limits = {});
// Sets MessageHeader/CharacterCodeIdentifier to match the encoding, whatever `result` says.
absl::StatusOr<std::string> EncodeQualificationResult(const v1::QualificationResult& result,
                                                      const EncodeOptions& options);

}  // namespace onshi::oqs

#endif  // ONSHI_ADAPTERS_OQS_FILES_CODEC_H_
