// Character-level helpers of the OQS codec: strict UTF-8 checking, XML character rules and the
// CP932 (Windows Shift_JIS) conversions the terminal's documents need.
//
// CP932 goes through glibc's iconv "CP932" converter, never "SHIFT_JIS": glibc's SHIFT_JIS maps
// 0x5C to U+00A5 and 0x8160 to U+301C, while Windows (and so the terminal) writes 0x5C for a
// backslash and 0x8160 for U+FF5E. ASCII runs are copied without iconv (both encodings agree on
// them), which keeps mostly-ASCII documents fast.

#ifndef ONSHI_ADAPTERS_OQS_FILES_ENCODING_H_
#define ONSHI_ADAPTERS_OQS_FILES_ENCODING_H_

#include <iconv.h>

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace onshi::oqs {

struct TextCheck {
  enum Kind {
    kOk,
    // Not strict UTF-8: a stray or missing continuation byte, an overlong form, a surrogate
    // (U+D800-U+DFFF) or a code point above U+10FFFF.
    kInvalidUtf8,
    // U+0000.
    kNul,
    // A character XML 1.0 does not allow: a C0 control other than TAB, LF, CR, or U+FFFE/U+FFFF.
    kNotXmlChar,
  };
  Kind kind = kOk;
  // Byte offset of the first offending byte in the checked text (0 when kOk).
  size_t offset = 0;
};

// Checks `text` as strict UTF-8 holding only XML 1.0 characters. Reports the first problem.
// Thread-safe (pure function).
TextCheck CheckUtf8Text(absl::string_view text);

// Checks only what is the same in every ASCII-compatible encoding: bytes below 0x20 (never part
// of a CP932 double-byte character). Reports kNul or kNotXmlChar for the first such byte other
// than TAB, LF, CR. Thread-safe.
TextCheck CheckAsciiControls(absl::string_view bytes);

// True if `bytes` is strict UTF-8 (in the sense of CheckUtf8Text, ignoring XML character rules)
// and holds at least one non-ASCII character. A document that says it is Shift_JIS but passes
// this is almost certainly UTF-8 mislabelled: real Shift_JIS Japanese text is not valid UTF-8.
bool LooksLikeUtf8(absl::string_view bytes);

// Converts between CP932 and UTF-8 with glibc iconv. Each direction's iconv descriptor is opened
// on first use and closed by the destructor, so one converter serves a whole document. Not
// thread-safe: use one per thread (or per call; opening costs about 0.1 µs).
class Cp932Converter {
 public:
  enum class Result {
    kOk,
    // The input holds a byte sequence that is not CP932 (ToUtf8), or a character CP932 cannot
    // represent while substitution is off (FromUtf8); *error_offset says where.
    kInvalid,
    // iconv has no CP932 converter on this system (gconv modules missing).
    kUnavailable,
  };

  Cp932Converter() = default;
  Cp932Converter(const Cp932Converter&) = delete;
  Cp932Converter& operator=(const Cp932Converter&) = delete;
  ~Cp932Converter();

  // Appends the UTF-8 form of the CP932 bytes `in` to *out. On kInvalid, *error_offset is the
  // offset in `in` of the first byte that does not start a valid CP932 character; *out then holds
  // a partial conversion.
  Result ToUtf8(absl::string_view in, std::string* out, size_t* error_offset);

  // Appends the CP932 form of `in` (which must be valid UTF-8) to *out. A character CP932 cannot
  // represent becomes 〓 (0x81 0xAC) when `substitute`, else the call fails with kInvalid and
  // *error_offset is the offset of that character in `in`.
  Result FromUtf8(absl::string_view in, bool substitute, std::string* out, size_t* error_offset);

 private:
  iconv_t to_utf8_ = reinterpret_cast<iconv_t>(-1);
  iconv_t from_utf8_ = reinterpret_cast<iconv_t>(-1);
};

}  // namespace onshi::oqs

#endif  // ONSHI_ADAPTERS_OQS_FILES_ENCODING_H_
