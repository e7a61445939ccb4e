#include "plugin/core/text.h"

#include <cstdint>

namespace onshi {
namespace {

// Decodes the strict UTF-8 sequence starting at text[pos]. On success stores the code point
// and the sequence length and returns true; on an invalid or truncated sequence returns false.
bool DecodeOne(absl::string_view text, size_t pos, char32_t* code_point, size_t* length) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[pos + i]); };
  const size_t remaining = text.size() - pos;
  const uint8_t b0 = byte(0);
  if (b0 < 0x80) {
    *code_point = b0;
    *length = 1;
    return true;
  }
  size_t n;
  char32_t cp;
  // Bounds of the second byte exclude overlong forms, surrogates and values above U+10FFFF
  // (RFC 3629 §4).
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    n = 2;
    cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    n = 3;
    cp = b0 & 0x0F;
    if (b0 == 0xE0) second_min = 0xA0;
    if (b0 == 0xED) second_max = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    n = 4;
    cp = b0 & 0x07;
    if (b0 == 0xF0) second_min = 0x90;
    if (b0 == 0xF4) second_max = 0x8F;
  } else {
    return false;
  }
  if (remaining < n) return false;
  for (size_t i = 1; i < n; ++i) {
    const uint8_t b = byte(i);
    const uint8_t lo = i == 1 ? second_min : 0x80;
    const uint8_t hi = i == 1 ? second_max : 0xBF;
    if (b < lo || b > hi) return false;
    cp = (cp << 6) | (b & 0x3F);
  }
  *code_point = cp;
  *length = n;
  return true;
}

bool IsHyphenLike(char32_t cp) {
  return (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63;
}

constexpr absl::string_view kIdeographicSpace = "\xE3\x80\x80";  // U+3000

}  // namespace

bool IsValidUtf8(absl::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp;
    size_t length;
    if (!DecodeOne(text, pos, &cp, &length)) return false;
    pos += length;
  }
  return true;
}

std::string FoldWidth(absl::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  size_t pos = 0;
  while (pos < utf8.size()) {
    char32_t cp;
    size_t length;
    if (!DecodeOne(utf8, pos, &cp, &length)) {
      out.push_back(utf8[pos]);
      ++pos;
      continue;
    }
    if (cp >= 0xFF01 && cp <= 0xFF5E) {
      out.push_back(static_cast<char>(cp - 0xFEE0));
    } else if (cp == 0x3000) {
      out.push_back(' ');
    } else if (IsHyphenLike(cp)) {
      out.push_back('-');
    } else {
      out.append(utf8.data() + pos, length);
    }
    pos += length;
  }
  return out;
}

bool HasControlChars(absl::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    char32_t cp;
    size_t length;
    if (!DecodeOne(text, pos, &cp, &length)) {
      ++pos;
      continue;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) return true;
    pos += length;
  }
  return false;
}

absl::string_view TrimSpaces(absl::string_view text) {
  while (true) {
    if (!text.empty() && text.front() == ' ') {
      text.remove_prefix(1);
    } else if (text.substr(0, kIdeographicSpace.size()) == kIdeographicSpace) {
      text.remove_prefix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  while (true) {
    if (!text.empty() && text.back() == ' ') {
      text.remove_suffix(1);
    } else if (text.size() >= kIdeographicSpace.size() &&
               text.substr(text.size() - kIdeographicSpace.size()) == kIdeographicSpace) {
      text.remove_suffix(kIdeographicSpace.size());
    } else {
      break;
    }
  }
  return text;
}

size_t Utf8Length(absl::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if ((static_cast<uint8_t>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool IsAsciiDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

std::string NormalizeIdentifierForComparison(absl::string_view text) {
  const std::string folded = FoldWidth(text);
  absl::string_view key = TrimSpaces(folded);
  if (IsAsciiDigits(key)) {
    while (key.size() > 1 && key.front() == '0') key.remove_prefix(1);
  }
  return std::string(key);
}

bool SameIdentifier(absl::string_view a, absl::string_view b) {
  return NormalizeIdentifierForComparison(a) == NormalizeIdentifierForComparison(b);
}

}  // namespace onshi
