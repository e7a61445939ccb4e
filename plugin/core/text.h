// Text rules for the fields printed on Japanese insurance cards.
//
// Reception staff type card values with whatever the IME gives them: full-width digits
// (１２３), ideographic spaces, a dozen kinds of hyphen. The insurer registered its own
// spelling, and the terminal returns that spelling, which can differ from what was asked in
// width and in leading zeros (oqs-interface.md §3.2, §8.3). These functions let onshi compare
// such values without ever changing what is recorded: comparison folds, storage keeps.
//
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_TEXT_H_
#define ONSHI_PLUGIN_CORE_TEXT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace onshi {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates (U+D800–U+DFFF), nothing above
// U+10FFFF, no truncated or stray continuation bytes. NUL is valid UTF-8 (HasControlChars
// catches it).
bool IsValidUtf8(absl::string_view text);

// Folds width for comparison:
//   U+FF01–U+FF5E (full-width ASCII: ！…～, incl. ０–９, Ａ–Ｚ, ａ–ｚ, －) → U+0021–U+007E;
//   U+3000 (ideographic space) → ' ';
//   hyphen-like characters → '-': U+2010 ‐, U+2011 ‑, U+2012 ‒, U+2013 –, U+2014 —,
//   U+2015 ―, U+2212 −, U+FE63 ﹣ (U+FF0D － is already in the full-width range).
// Everything else is left untouched: kanji, hiragana, katakana, half-width katakana, and in
// particular the prolonged sound marks ー (U+30FC) and ｰ (U+FF70), which are letters, not
// hyphens. Case is not folded.
//
// `utf8` should be valid UTF-8 (check with IsValidUtf8 first); bytes that are not part of a
// valid sequence are copied through unchanged.
std::string FoldWidth(absl::string_view utf8);

// True when `text` contains a C0 control (U+0000–U+001F, including tab and newline), DEL
// (U+007F) or a C1 control (U+0080–U+009F). Bytes of invalid sequences are not controls;
// validate UTF-8 separately.
bool HasControlChars(absl::string_view text);

// `text` without leading and trailing ASCII spaces and ideographic spaces (U+3000). Other
// whitespace (tab, newline) is a control character and is not trimmed.
absl::string_view TrimSpaces(absl::string_view text);

// Number of code points of valid UTF-8 `text` (for invalid input: the number of bytes that are
// not continuation bytes).
size_t Utf8Length(absl::string_view text);

// True when `text` is non-empty and consists of ASCII digits only.
bool IsAsciiDigits(absl::string_view text);

// The comparison key of an identifier (保険者番号, 記号, 番号, 枝番): FoldWidth, then TrimSpaces,
// then, when what remains is all digits, leading zeros stripped ("000123" → "123",
// "000" → "0"). The result is for comparison only; never record or send it.
std::string NormalizeIdentifierForComparison(absl::string_view text);

// True when `a` and `b` have the same comparison key: "１２３" and "0123" and " 123" are the
// same identifier.
bool SameIdentifier(absl::string_view a, absl::string_view b);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_TEXT_H_
