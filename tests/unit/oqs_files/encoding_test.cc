// The character helpers: strict UTF-8, XML characters, CP932 both ways.

#include "adapters/oqs_files/encoding.h"

#include <string>

#include "gtest/gtest.h"

namespace onshi::oqs {
namespace {

TEST(CheckUtf8TextTest, AcceptsEveryValidLengthAndTheBoundaries) {
  for (absl::string_view ok :
       {absl::string_view(""), absl::string_view("abc\t\n\r"), absl::string_view("\xC2\x80"),
        absl::string_view("\xDF\xBF"), absl::string_view("\xE0\xA0\x80"),
        absl::string_view("\xED\x9F\xBF"), absl::string_view("\xEE\x80\x80"),
        absl::string_view("\xEF\xBF\xBD"), absl::string_view("\xF0\x90\x80\x80"),
        absl::string_view("\xF4\x8F\xBF\xBF"), absl::string_view("試験　ｼｹﾝ〓𠮷")}) {
    EXPECT_EQ(CheckUtf8Text(ok).kind, TextCheck::kOk) << ok;
  }
}

TEST(CheckUtf8TextTest, ReportsTheFirstProblemAndItsOffset) {
  struct {
    absl::string_view text;
    TextCheck::Kind kind;
    size_t offset;
  } cases[] = {
      {absl::string_view("ab\xC0\xAF"), TextCheck::kInvalidUtf8, 2},
      {absl::string_view("\xE0\x9F\xBF"), TextCheck::kInvalidUtf8, 0},
      {absl::string_view("a\xED\xA0\x80"), TextCheck::kInvalidUtf8, 1},
      {absl::string_view("\xF0\x8F\xBF\xBF"), TextCheck::kInvalidUtf8, 0},
      {absl::string_view("\xF4\x90\x80\x80"), TextCheck::kInvalidUtf8, 0},
      {absl::string_view("abcdefghij\x80"), TextCheck::kInvalidUtf8, 10},
      {absl::string_view("\xE3\x81"), TextCheck::kInvalidUtf8, 0},
      {absl::string_view("\xE3\x81"
                         "a"),
       TextCheck::kInvalidUtf8, 0},
      {absl::string_view("0123456789\0", 11), TextCheck::kNul, 10},
      {absl::string_view("x\x1F"), TextCheck::kNotXmlChar, 1},
      {absl::string_view("\xEF\xBF\xBE"), TextCheck::kNotXmlChar, 0},
      {absl::string_view("\xEF\xBF\xBF"), TextCheck::kNotXmlChar, 0},
  };
  for (const auto& c : cases) {
    TextCheck check = CheckUtf8Text(c.text);
    EXPECT_EQ(check.kind, c.kind) << c.offset;
    EXPECT_EQ(check.offset, c.offset);
  }
}

TEST(CheckAsciiControlsTest, FindsControlBytesAmongHighBytesAtEveryPosition) {
  EXPECT_EQ(CheckAsciiControls("\x81\x40\x81\x40\xFF\xFE\xA0\x80\t\r\n<a>").kind, TextCheck::kOk);
  for (size_t at = 0; at < 20; ++at) {
    std::string bytes(20, '\x81');
    bytes[at] = '\x01';
    TextCheck check = CheckAsciiControls(bytes);
    EXPECT_EQ(check.kind, TextCheck::kNotXmlChar) << at;
    EXPECT_EQ(check.offset, at);
    bytes[at] = '\0';
    check = CheckAsciiControls(bytes);
    EXPECT_EQ(check.kind, TextCheck::kNul) << at;
    EXPECT_EQ(check.offset, at);
  }
}

TEST(LooksLikeUtf8Test, NeedsValidUtf8WithSomethingBeyondAscii) {
  EXPECT_TRUE(LooksLikeUtf8("<a>試験</a>"));
  EXPECT_FALSE(LooksLikeUtf8("<a>ascii only</a>"));
  EXPECT_FALSE(LooksLikeUtf8("<a>\x8E\x8E\x8C\xB1</a>"));  // 試験 in CP932
}

TEST(Cp932ConverterTest, DecodesAsciiKanaKanjiAndWindowsMappings) {
  Cp932Converter converter;
  std::string out;
  size_t offset = 0;
  // "A\" ｼ 試 ～ － ＼ ① 髙 (IBM) 纊 (NEC-selected IBM) and a user-defined character.
  ASSERT_EQ(
      converter.ToUtf8("A\\\xBC\x8E\x8E\x81\x60\x81\x7C\x81\x5F\x87\x40\xFB\xFC\xED\x40\xF0\x40",
                       &out, &offset),
      Cp932Converter::Result::kOk);
  EXPECT_EQ(out, "A\\ｼ試～－＼①髙纊\xEE\x80\x80");
}

TEST(Cp932ConverterTest, ReportsTheOffsetOfTheFirstInvalidByte) {
  for (auto [bytes, offset] : {std::pair<absl::string_view, size_t>{"ab\x80", 2},
                               {"\x8E\x8E\xA0", 2},
                               {"a\x85\x40", 1},
                               {"ab\x81", 2},
                               {"\x81\x20xyz", 0},
                               {"\xFF", 0}}) {
    Cp932Converter converter;
    std::string out;
    size_t at = 99;
    EXPECT_EQ(converter.ToUtf8(bytes, &out, &at), Cp932Converter::Result::kInvalid);
    EXPECT_EQ(at, offset);
  }
}

TEST(Cp932ConverterTest, EncodesAndSubstitutesUnrepresentableCharacters) {
  Cp932Converter converter;
  std::string out;
  size_t offset = 0;
  ASSERT_EQ(converter.FromUtf8("A試ｼ", false, &out, &offset), Cp932Converter::Result::kOk);
  EXPECT_EQ(out, "A\x8E\x8E\xBC");
  out.clear();
  EXPECT_EQ(converter.FromUtf8("ab𠮷c", false, &out, &offset), Cp932Converter::Result::kInvalid);
  EXPECT_EQ(offset, 2u);
  out.clear();
  ASSERT_EQ(converter.FromUtf8("𠮷田😀x", true, &out, &offset), Cp932Converter::Result::kOk);
  EXPECT_EQ(out,
            "\x81\xAC\x93\x63\x81\xAC"
            "x");
}

}  // namespace
}  // namespace onshi::oqs
