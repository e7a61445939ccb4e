#include "adapters/oqs_files/encoding.h"

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace onshi::oqs {
namespace {

const iconv_t kNoConverter = reinterpret_cast<iconv_t>(-1);  // iconv_open's failure value

// 8 bytes at once: true when all are ASCII and none is a control character other than TAB, LF,
// CR (so indentation and line ends stay on the fast path).
inline bool AllPlainAscii(const unsigned char* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kSpaces = 0x2020202020202020ULL;
  if ((w & kHigh) != 0) return false;
  // A byte below 0x20 borrows into its top bit after subtracting 0x20 (classic "has less than").
  if (((w - kSpaces) & ~w & kHigh) == 0) return true;
  for (int k = 0; k < 8; ++k) {
    if (p[k] < 0x20 && p[k] != '\t' && p[k] != '\n' && p[k] != '\r') return false;
  }
  return true;
}

inline bool IsCont(unsigned char c) { return (c & 0xC0) == 0x80; }

// The shared strict UTF-8 walk. With `xml_rules` the XML 1.0 character rules apply too.
TextCheck Walk(absl::string_view text, bool xml_rules, bool* saw_non_ascii) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  TextCheck result;
  auto fail = [&](TextCheck::Kind kind, size_t at) {
    result.kind = kind;
    result.offset = at;
    return result;
  };
  while (i < n) {
    if (n - i >= 8 && AllPlainAscii(p + i)) {
      i += 8;
      continue;
    }
    const unsigned char c = p[i];
    if (c < 0x80) {
      if (c < 0x20) {
        if (c == 0) return fail(TextCheck::kNul, i);
        if (xml_rules && c != '\t' && c != '\n' && c != '\r') {
          return fail(TextCheck::kNotXmlChar, i);
        }
      }
      ++i;
      continue;
    }
    if (saw_non_ascii != nullptr) *saw_non_ascii = true;
    if (c < 0xC2) return fail(TextCheck::kInvalidUtf8, i);  // continuation, or overlong C0/C1
    if (c < 0xE0) {
      if (n - i < 2 || !IsCont(p[i + 1])) return fail(TextCheck::kInvalidUtf8, i);
      i += 2;
      continue;
    }
    if (c < 0xF0) {
      if (n - i < 3 || !IsCont(p[i + 1]) || !IsCont(p[i + 2])) {
        return fail(TextCheck::kInvalidUtf8, i);
      }
      if (c == 0xE0 && p[i + 1] < 0xA0) return fail(TextCheck::kInvalidUtf8, i);  // overlong
      if (c == 0xED && p[i + 1] > 0x9F) return fail(TextCheck::kInvalidUtf8, i);  // surrogate
      if (xml_rules && c == 0xEF && p[i + 1] == 0xBF && p[i + 2] >= 0xBE) {
        return fail(TextCheck::kNotXmlChar, i);  // U+FFFE, U+FFFF
      }
      i += 3;
      continue;
    }
    if (c < 0xF5) {
      if (n - i < 4 || !IsCont(p[i + 1]) || !IsCont(p[i + 2]) || !IsCont(p[i + 3])) {
        return fail(TextCheck::kInvalidUtf8, i);
      }
      if (c == 0xF0 && p[i + 1] < 0x90) return fail(TextCheck::kInvalidUtf8, i);  // overlong
      if (c == 0xF4 && p[i + 1] > 0x8F) return fail(TextCheck::kInvalidUtf8, i);  // > U+10FFFF
      i += 4;
      continue;
    }
    return fail(TextCheck::kInvalidUtf8, i);
  }
  return result;
}

// Length of the UTF-8 sequence its lead byte announces (1 for anything unexpected).
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Runs iconv over [in, in+len) appending to *out, growing it as needed. Returns 0 on success,
// else errno (EILSEQ/EINVAL) with *consumed = bytes of `in` converted before the failure.
int Convert(iconv_t cd, const char* in, size_t len, size_t out_bound, std::string* out,
            size_t* consumed) {
  char* inp = const_cast<char*>(in);  // POSIX iconv takes char** but does not write the input.
  size_t in_left = len;
  size_t base = out->size();
  out->resize(base + out_bound + 4);
  while (true) {
    char* outp = &(*out)[base];
    size_t out_left = out->size() - base;
    size_t rc = iconv(cd, &inp, &in_left, &outp, &out_left);
    base = static_cast<size_t>(outp - out->data());
    if (rc != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out->resize(out->size() + len + 16);
      continue;
    }
    int error = errno;
    out->resize(base);
    *consumed = len - in_left;
    iconv(cd, nullptr, nullptr, nullptr, nullptr);  // back to the initial state
    return error;
  }
  out->resize(base);
  *consumed = len;
  return 0;
}

}  // namespace

TextCheck CheckUtf8Text(absl::string_view text) { return Walk(text, true, nullptr); }

TextCheck CheckAsciiControls(absl::string_view bytes) {
  TextCheck result;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes.size() - i >= 8) {
      uint64_t w;
      std::memcpy(&w, p + i, sizeof(w));
      constexpr uint64_t kHigh = 0x8080808080808080ULL;
      // No byte below 0x20 ("hasless": exact for existence, whatever the high bits are).
      if (((w - 0x2020202020202020ULL) & ~w & kHigh) == 0) {
        i += 7;
        continue;
      }
    }
    const auto c = p[i];
    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') continue;
    result.kind = c == 0 ? TextCheck::kNul : TextCheck::kNotXmlChar;
    result.offset = i;
    return result;
  }
  return result;
}

bool LooksLikeUtf8(absl::string_view bytes) {
  bool non_ascii = false;
  return Walk(bytes, false, &non_ascii).kind == TextCheck::kOk && non_ascii;
}

Cp932Converter::~Cp932Converter() {
  if (to_utf8_ != kNoConverter) iconv_close(to_utf8_);
  if (from_utf8_ != kNoConverter) iconv_close(from_utf8_);
}

Cp932Converter::Result Cp932Converter::ToUtf8(absl::string_view in, std::string* out,
                                              size_t* error_offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    size_t start = i;
    while (i < n && p[i] < 0x80) ++i;
    out->append(in.data() + start, i - start);
    if (i == n) break;
    // A run of non-ASCII characters. A lead byte always takes the next byte with it, even one
    // below 0x80 (CP932 trail bytes start at 0x40), so the run ends on a character boundary.
    start = i;
    while (i < n && p[i] >= 0x80) {
      const unsigned char c = p[i];
      const bool lead = (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC);
      i += lead ? 2 : 1;
    }
    if (i > n) i = n;
    if (to_utf8_ == kNoConverter) {
      to_utf8_ = iconv_open("UTF-8", "CP932");
      if (to_utf8_ == kNoConverter) return Result::kUnavailable;
    }
    size_t consumed = 0;
    // Every CP932 character (1 or 2 bytes) is at most 3 bytes of UTF-8.
    if (Convert(to_utf8_, in.data() + start, i - start, 3 * (i - start), out, &consumed) != 0) {
      *error_offset = start + consumed;
      return Result::kInvalid;
    }
  }
  return Result::kOk;
}

Cp932Converter::Result Cp932Converter::FromUtf8(absl::string_view in, bool substitute,
                                                std::string* out, size_t* error_offset) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const size_t n = in.size();
  size_t i = 0;
  while (i < n) {
    size_t start = i;
    while (i < n && p[i] < 0x80) ++i;
    out->append(in.data() + start, i - start);
    if (i == n) break;
    // UTF-8 multi-byte sequences consist of bytes >= 0x80 only.
    start = i;
    while (i < n && p[i] >= 0x80) ++i;
    if (from_utf8_ == kNoConverter) {
      from_utf8_ = iconv_open("CP932", "UTF-8");
      if (from_utf8_ == kNoConverter) return Result::kUnavailable;
    }
    size_t at = start;
    while (at < i) {
      size_t consumed = 0;
      // A CP932 character (1-2 bytes) is never longer than its UTF-8 form (2-4 bytes).
      int error = Convert(from_utf8_, in.data() + at, i - at, i - at, out, &consumed);
      if (error == 0) break;
      at += consumed;
      if (error != EILSEQ || !substitute) {
        *error_offset = at;
        return Result::kInvalid;
      }
      out->append("\x81\xAC");  // 〓 GETA MARK, as the terminal writes 外字
      at += Utf8Length(p[at]);
    }
  }
  return Result::kOk;
}

}  // namespace onshi::oqs
