// The PDF answers of the simulated terminal (薬剤情報 / 特定健診 with FileCategory "PDF"): a
// real, minimal PDF 1.4 document (header, objects, cross-reference table with exact offsets,
// trailer, %%EOF) holding lines of ASCII text in the standard Helvetica font, so that no font is
// embedded or needed. Japanese text is transliterated to ASCII first.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_PDF_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_PDF_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace onshi::sim {

// The PDF bytes: `lines` on A4 pages (kPdfLinesPerPage per page, at least one page), each
// line printable ASCII (any other byte is written as '?'; '(', ')' and '\' are escaped), `title`
// in the document information dictionary. Deterministic: equal inputs give equal bytes. Pure
// and thread-safe.
std::string MakeTextPdf(absl::string_view title, const std::vector<std::string>& lines);
inline constexpr int kPdfLinesPerPage = 60;

// Japanese text as ASCII for the PDF: full-width ASCII and the ideographic space folded, kana
// (hiragana, katakana, half-width katakana, with dakuten) romanised (ｼｹﾝ ﾀﾛｳ → SHIKEN TAROU),
// a few kanji common in prescriptions given English words (錠 → " tab"), and every other
// character written as '?'. Invalid UTF-8 bytes become '?'. Pure and thread-safe.
std::string Transliterate(absl::string_view utf8);

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_PDF_H_
