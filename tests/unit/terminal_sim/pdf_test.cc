// The simulator's PDF answers: a valid minimal PDF (every cross-reference offset points at its
// object) and the ASCII transliteration of Japanese text.

#include "adapters/terminal_sim/pdf.h"

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace onshi::sim {
namespace {

// Checks the structure a PDF reader relies on; returns the number of objects.
int CheckPdfStructure(const std::string& pdf) {
  EXPECT_TRUE(absl::StartsWith(pdf, "%PDF-1.4\n"));
  EXPECT_TRUE(absl::EndsWith(pdf, "%%EOF\n"));
  const size_t startxref = pdf.rfind("startxref\n");
  EXPECT_NE(startxref, std::string::npos);
  if (startxref == std::string::npos) return 0;
  size_t xref = 0;
  const size_t line_end = pdf.find('\n', startxref + 10);
  EXPECT_TRUE(absl::SimpleAtoi(pdf.substr(startxref + 10, line_end - startxref - 10), &xref));
  EXPECT_EQ(pdf.compare(xref, 5, "xref\n"), 0);
  int first = -1;
  int count = 0;
  EXPECT_EQ(std::sscanf(pdf.c_str() + xref + 5, "%d %d", &first, &count), 2);
  EXPECT_EQ(first, 0);
  const size_t entries = pdf.find('\n', xref + 5) + 1;
  EXPECT_EQ(pdf.compare(entries, 20, "0000000000 65535 f \n"), 0);
  for (int n = 1; n < count; ++n) {
    const std::string entry = pdf.substr(entries + 20 * n, 20);
    EXPECT_EQ(entry.size(), 20u);
    EXPECT_EQ(entry.substr(10), " 00000 n \n");
    size_t offset = 0;
    EXPECT_TRUE(absl::SimpleAtoi(entry.substr(0, 10), &offset));
    EXPECT_EQ(pdf.compare(offset, absl::StrCat(n, " 0 obj\n").size(), absl::StrCat(n, " 0 obj\n")),
              0)
        << "object " << n;
  }
  EXPECT_NE(pdf.find(absl::StrCat("/Size ", count)), std::string::npos);
  // Every stream's /Length is its exact byte count.
  for (size_t at = pdf.find("/Length "); at != std::string::npos;
       at = pdf.find("/Length ", at + 1)) {
    size_t length = 0;
    const size_t end = pdf.find(' ', at + 8);
    EXPECT_TRUE(absl::SimpleAtoi(pdf.substr(at + 8, end - at - 8), &length));
    const size_t data = pdf.find("stream\n", at) + 7;
    EXPECT_EQ(pdf.compare(data + length, 10, "\nendstream"), 0);
  }
  return count - 1;
}

TEST(PdfTest, OnePageDocumentIsStructurallyValid) {
  const std::string pdf = MakeTextPdf("Title (x)", {"Line one", "Line (two) \\ three"});
  EXPECT_EQ(CheckPdfStructure(pdf), 6);  // catalog, pages, font, info, page, content
  EXPECT_NE(pdf.find("(Line \\(two\\) \\\\ three) Tj"), std::string::npos);
  EXPECT_NE(pdf.find("/Title (Title \\(x\\))"), std::string::npos);
}

TEST(PdfTest, LongTextIsSplitIntoPages) {
  std::vector<std::string> lines;
  for (int i = 0; i < kPdfLinesPerPage * 2 + 1; ++i) lines.push_back(absl::StrCat("line ", i));
  const std::string pdf = MakeTextPdf("t", lines);
  EXPECT_EQ(CheckPdfStructure(pdf), 4 + 2 * 3);
  EXPECT_NE(pdf.find("/Count 3"), std::string::npos);
  EXPECT_NE(pdf.find(absl::StrCat("(line ", kPdfLinesPerPage * 2, ") Tj")), std::string::npos);
}

TEST(PdfTest, EmptyTextStillMakesOnePageAndIsDeterministic) {
  EXPECT_EQ(CheckPdfStructure(MakeTextPdf("t", {})), 6);
  EXPECT_EQ(MakeTextPdf("t", {"a"}), MakeTextPdf("t", {"a"}));
}

TEST(PdfTest, NonAsciiBytesAreNeverWritten) {
  const std::string pdf = MakeTextPdf("t", {"試験"});
  for (size_t i = 15; i < pdf.size(); ++i) {  // after the binary comment of the header
    EXPECT_LT(static_cast<unsigned char>(pdf[i]), 0x80) << "at " << i;
  }
}

TEST(TransliterateTest, KanaAreRomanised) {
  EXPECT_EQ(Transliterate("ｼｹﾝ ﾀﾛｳ"), "SHIKEN TAROU");
  EXPECT_EQ(Transliterate("ﾖｼﾀﾞ ﾀﾒｺ"), "YOSHIDA TAMEKO");
  EXPECT_EQ(Transliterate("アムロジピン"), "AMUROJIPIN");
  EXPECT_EQ(Transliterate("ロキソプロフェン"), "ROKISOPUROFEN");
  EXPECT_EQ(Transliterate("ｼﾞｬﾑ"), "JAMU");
  EXPECT_EQ(Transliterate("きって"), "KITTE");
  EXPECT_EQ(Transliterate("チョコレート"), "CHOKOREETO");
  EXPECT_EQ(Transliterate("ｷｬﾝﾌﾟ"), "KYANPU");
}

TEST(TransliterateTest, FullWidthAsciiFoldsAndKanjiBecomeWordsOrQuestionMarks) {
  EXPECT_EQ(Transliterate("アムロジピン錠５ｍｇ"), "AMUROJIPIN tab 5mg");
  EXPECT_EQ(Transliterate("ＢＭＩ"), "BMI");
  EXPECT_EQ(Transliterate("試験　太郎"), "?? ??");
  EXPECT_EQ(Transliterate("ティー"), "TII");
  EXPECT_EQ(Transliterate("𠮷"), "?");
  EXPECT_EQ(Transliterate(std::string("\xff\xfe")), "??");
}

}  // namespace
}  // namespace onshi::sim
