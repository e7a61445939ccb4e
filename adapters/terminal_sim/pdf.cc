#include "adapters/terminal_sim/pdf.h"

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace onshi::sim {
namespace {

// Decodes one UTF-8 code point at `*pos`; -1 (and one byte consumed) for an invalid sequence.
int32_t NextCodePoint(absl::string_view s, size_t* pos) {
  const auto b0 = static_cast<unsigned char>(s[*pos]);
  int len = 0;
  int32_t cp = 0;
  if (b0 < 0x80) {
    ++*pos;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    ++*pos;
    return -1;
  }
  if (*pos + len > s.size()) {
    ++*pos;
    return -1;
  }
  for (int i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[*pos + i]);
    if ((b & 0xC0) != 0x80) {
      ++*pos;
      return -1;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  *pos += len;
  return cp;
}

// Half-width katakana U+FF66–U+FF9D as full-width katakana.
constexpr char16_t kHalfWidthKana[] = {
    u'ヲ', u'ァ', u'ィ', u'ゥ', u'ェ', u'ォ', u'ャ', u'ュ', u'ョ', u'ッ', u'ー', u'ア',
    u'イ', u'ウ', u'エ', u'オ', u'カ', u'キ', u'ク', u'ケ', u'コ', u'サ', u'シ', u'ス',
    u'セ', u'ソ', u'タ', u'チ', u'ツ', u'テ', u'ト', u'ナ', u'ニ', u'ヌ', u'ネ', u'ノ',
    u'ハ', u'ヒ', u'フ', u'ヘ', u'ホ', u'マ', u'ミ', u'ム', u'メ', u'モ', u'ヤ', u'ユ',
    u'ヨ', u'ラ', u'リ', u'ル', u'レ', u'ロ', u'ワ', u'ン'};

// Hiragana U+3041–U+3094 in (modified) Hepburn; "" for the small kana handled separately.
constexpr const char* kRomaji[] = {
    "a",  "a",  "i",  "i",  "u",   "u",  "e",  "e",   "o",   "o",  "ka", "ga", "ki", "gi",
    "ku", "gu", "ke", "ge", "ko",  "go", "sa", "za",  "shi", "ji", "su", "zu", "se", "ze",
    "so", "zo", "ta", "da", "chi", "ji", "",   "tsu", "zu",  "te", "de", "to", "do", "na",
    "ni", "nu", "ne", "no", "ha",  "ba", "pa", "hi",  "bi",  "pi", "fu", "bu", "pu", "he",
    "be", "pe", "ho", "bo", "po",  "ma", "mi", "mu",  "me",  "mo", "",   "ya", "",   "yu",
    "",   "yo", "ra", "ri", "ru",  "re", "ro", "wa",  "wa",  "i",  "e",  "o",  "n",  "vu"};

static_assert(sizeof(kRomaji) / sizeof(kRomaji[0]) == 0x3094 - 0x3041 + 1);

// A few kanji that carry the meaning of a prescription line.
const std::pair<char32_t, const char*> kKanjiWords[] = {
    {U'錠', "tab"},    {U'回', "x"},     {U'日', "day"},      {U'枚', "sheet"},  {U'包', "pack"},
    {U'本', "pc"},     {U'個', "pc"},    {U'朝', "morning"},  {U'昼', "noon"},   {U'夕', "evening"},
    {U'夜', "night"},  {U'食', "meal"},  {U'後', "after"},    {U'前', "before"}, {U'毎', "every"},
    {U'時', "time"},   {U'薬', "drug"},  {U'身', "body"},     {U'長', "length"}, {U'体', "body"},
    {U'重', "weight"}, {U'血', "blood"}, {U'圧', "pressure"}, {U'糖', "sugar"},  {U'腹', "abdomen"},
    {U'囲', "girth"},
};

class Romanizer {
 public:
  void Add(int32_t cp) {
    if (cp < 0) return Put("?");
    if (cp < 0x80) {
      const char c = static_cast<char>(cp);
      return Put(absl::ascii_isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : "?");
    }
    if (cp >= 0xFF01 && cp <= 0xFF5E) return Put(std::string(1, static_cast<char>(cp - 0xFEE0)));
    if (cp == 0x3000) return Put(" ");
    if (cp == 0x3001 || cp == 0xFF64) return Put(",");
    if (cp == 0x3002 || cp == 0xFF61 || cp == 0x30FB || cp == 0xFF65) return Put(".");
    if (cp == 0x300C || cp == 0x300D || cp == 0xFF62 || cp == 0xFF63) return Put("\"");
    if (cp == 0x00D7) return Put("x");
    if (cp == 0x30FC || cp == 0xFF70) return LongVowel();
    if (cp >= 0xFF66 && cp <= 0xFF9D) return Katakana(kHalfWidthKana[cp - 0xFF66]);
    if (cp == 0xFF9E || cp == 0x309B || cp == 0x3099) return Voice(1);
    if (cp == 0xFF9F || cp == 0x309C || cp == 0x309A) return Voice(2);
    if (cp >= 0x30A1 && cp <= 0x30F6) return Katakana(static_cast<char32_t>(cp));
    if (cp >= 0x3041 && cp <= 0x3094) return Kana(static_cast<char32_t>(cp));
    for (const auto& [kanji, word] : kKanjiWords) {
      if (static_cast<char32_t>(cp) == kanji) return Word(word);
    }
    Put("?");
  }

  std::string Finish() {
    Flush();
    return out_;
  }

 private:
  // Holds back the last kana so a following dakuten, small ya/yu/yo or ー can change it.
  void Katakana(char32_t cp) {
    if (cp == U'ヴ') return Kana(U'ゔ');
    if (cp == U'ヵ') return Kana(U'か');
    if (cp == U'ヶ') return Kana(U'け');
    if (cp > U'ヴ') return Put("?");
    Kana(cp - 0x60);
  }

  void Kana(char32_t hiragana) {
    switch (hiragana) {
      case U'っ':
        Flush();
        double_next_ = true;
        return;
      case U'ゃ':
      case U'ゅ':
      case U'ょ':
        return SmallY(hiragana == U'ゃ' ? "a" : hiragana == U'ゅ' ? "u" : "o");
      case U'ぁ':
      case U'ぃ':
      case U'ぅ':
      case U'ぇ':
      case U'ぉ':
        return SmallVowel(kRomaji[hiragana - 0x3041][0]);
      default:
        break;
    }
    Flush();
    pending_kana_ = hiragana;
    std::string syllable = kRomaji[hiragana - 0x3041];
    if (double_next_ && !syllable.empty() && !IsVowel(syllable[0]) && syllable[0] != 'n') {
      syllable.insert(0, syllable.compare(0, 2, "ch") == 0 ? "t" : syllable.substr(0, 1));
    }
    double_next_ = false;
    pending_ = syllable;
  }

  void Voice(int step) {
    static constexpr char32_t kVoiceable[] = U"かきくけこさしすせそたちつてと";
    if (pending_kana_ == 0) return;
    char32_t voiced = 0;
    if (pending_kana_ == U'う' && step == 1) {
      voiced = U'ゔ';
    } else if (step == 1 && std::char_traits<char32_t>::find(
                                kVoiceable, std::char_traits<char32_t>::length(kVoiceable),
                                pending_kana_) != nullptr) {
      voiced = pending_kana_ + 1;
    } else if (pending_kana_ >= U'は' && pending_kana_ <= U'ほ' &&
               (pending_kana_ - U'は') % 3 == 0) {
      voiced = pending_kana_ + step;
    }
    if (voiced == 0) return;
    const bool doubled = pending_.size() > 1 && pending_[0] == pending_[1];
    pending_kana_ = voiced;
    pending_ = kRomaji[voiced - 0x3041];
    if (doubled) pending_.insert(0, pending_.substr(0, 1));
  }

  void SmallY(const char* vowel) {
    if (pending_.size() >= 2 && pending_.back() == 'i') {
      pending_.pop_back();
      const bool sh =
          pending_.size() >= 2 && (pending_.compare(pending_.size() - 2, 2, "sh") == 0 ||
                                   pending_.compare(pending_.size() - 2, 2, "ch") == 0);
      const bool j = !pending_.empty() && pending_.back() == 'j';
      pending_ += (sh || j) ? vowel : absl::StrCat("y", vowel);
      pending_kana_ = 0;
      return;
    }
    Flush();
    pending_ = absl::StrCat("y", vowel);
  }

  // ファ, ヴァ, ティ: the small vowel replaces the one before it.
  void SmallVowel(char vowel) {
    if (pending_.size() >= 2 &&
        (pending_.back() == 'u' || (pending_.back() == 'e' && vowel == 'i'))) {
      pending_.back() = vowel;
      pending_kana_ = 0;
      return;
    }
    Flush();
    pending_ = std::string(1, vowel);
  }

  void LongVowel() {
    if (!pending_.empty() && IsVowel(pending_.back())) {
      pending_ += pending_.back();
      return;
    }
    Put("-");
  }

  void Word(const char* word) {
    Flush();
    if (!out_.empty() && out_.back() != ' ') out_ += ' ';
    out_ += word;
    out_ += ' ';
  }

  void Put(const std::string& text) {
    Flush();
    double_next_ = false;
    out_ += text;
  }

  void Flush() {
    if (pending_.empty()) return;
    out_ += absl::AsciiStrToUpper(pending_);
    pending_.clear();
    pending_kana_ = 0;
  }

  static bool IsVowel(char c) { return c == 'a' || c == 'i' || c == 'u' || c == 'e' || c == 'o'; }

  std::string out_;
  std::string pending_;
  char32_t pending_kana_ = 0;
  bool double_next_ = false;
};

// A PDF literal string: printable ASCII with (, ) and \ escaped; anything else as '?'.
std::string PdfString(absl::string_view text) {
  std::string out = "(";
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '(' || c == ')' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u >= 0x20 && u < 0x7F) {
      out += c;
    } else {
      out += '?';
    }
  }
  out += ")";
  return out;
}

}  // namespace

std::string Transliterate(absl::string_view utf8) {
  Romanizer romanizer;
  for (size_t pos = 0; pos < utf8.size();) romanizer.Add(NextCodePoint(utf8, &pos));
  std::string out = romanizer.Finish();
  // Words may leave doubled or trailing spaces.
  std::string collapsed;
  for (char c : out) {
    if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
    collapsed += c;
  }
  while (!collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
  return collapsed;
}

std::string MakeTextPdf(absl::string_view title, const std::vector<std::string>& lines) {
  const size_t pages = lines.empty() ? 1 : (lines.size() + kPdfLinesPerPage - 1) / kPdfLinesPerPage;
  // Objects: 1 catalog, 2 page tree, 3 font, 4 info, then per page its page and its content.
  const size_t object_count = 4 + 2 * pages;
  std::vector<size_t> offsets(object_count + 1, 0);
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  auto object = [&](size_t number, const std::string& body) {
    offsets[number] = pdf.size();
    absl::StrAppend(&pdf, number, " 0 obj\n", body, "\nendobj\n");
  };
  object(1, "<< /Type /Catalog /Pages 2 0 R >>");
  std::string kids;
  for (size_t p = 0; p < pages; ++p) absl::StrAppend(&kids, p == 0 ? "" : " ", 5 + 2 * p, " 0 R");
  object(2, absl::StrCat("<< /Type /Pages /Kids [", kids, "] /Count ", pages, " >>"));
  object(3, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  object(4, absl::StrCat("<< /Title ", PdfString(title), " /Producer (onshi-terminal-sim) >>"));
  for (size_t p = 0; p < pages; ++p) {
    std::string content = "BT\n/F1 10 Tf\n12 TL\n50 800 Td\n";
    const size_t first = p * kPdfLinesPerPage;
    for (size_t i = first; i < lines.size() && i < first + kPdfLinesPerPage; ++i) {
      absl::StrAppend(&content, i == first ? "" : "T*\n", PdfString(lines[i]), " Tj\n");
    }
    content += "ET";
    object(5 + 2 * p, absl::StrCat("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                                   "/Resources << /Font << /F1 3 0 R >> >> /Contents ",
                                   6 + 2 * p, " 0 R >>"));
    object(6 + 2 * p,
           absl::StrCat("<< /Length ", content.size(), " >>\nstream\n", content, "\nendstream"));
  }
  const size_t xref = pdf.size();
  absl::StrAppend(&pdf, "xref\n0 ", object_count + 1, "\n0000000000 65535 f \n");
  for (size_t n = 1; n <= object_count; ++n) {
    char entry[32];
    std::snprintf(entry, sizeof(entry), "%010zu 00000 n \n", offsets[n]);
    pdf += entry;
  }
  absl::StrAppend(&pdf, "trailer\n<< /Size ", object_count + 1,
                  " /Root 1 0 R /Info 4 0 R >>\nstartxref\n", xref, "\n%%EOF\n");
  return pdf;
}

}  // namespace onshi::sim
