#include "plugin/core/text.h"

#include <string>

#include "gtest/gtest.h"

namespace onshi {
namespace {

struct FoldCase {
  std::string input;
  std::string expected;
};

class FoldWidthTest : public ::testing::TestWithParam<FoldCase> {};

TEST_P(FoldWidthTest, FoldsOnlyFullWidthAsciiSpacesAndHyphens) {
  EXPECT_EQ(FoldWidth(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FoldWidthTest,
    ::testing::Values(FoldCase{"", ""}, FoldCase{"abc123", "abc123"},
                      FoldCase{"１２３４５６７８９０", "1234567890"},  // full-width digits
                      FoldCase{"ＡＢＣｘｙｚ", "ABCxyz"},              // letters, case kept
                      FoldCase{"！～＼", "!~\\"},                      // ends of the range
                      FoldCase{"　", " "},                             // U+3000
                      FoldCase{"ア－１", "ア-1"},                      // U+FF0D
                      FoldCase{"ア‐１", "ア-1"},                       // U+2010
                      FoldCase{"ア−１", "ア-1"},                       // U+2212
                      FoldCase{"ア―１", "ア-1"},                       // U+2015
                      FoldCase{"ア–１", "ア-1"},                       // U+2013
                      FoldCase{"アー１", "アー1"},                     // U+30FC is a letter
                      FoldCase{"ｱｰ", "ｱｰ"},                            // U+FF70 likewise
                      FoldCase{"漢字ひらがなカタカナ", "漢字ひらがなカタカナ"},
                      FoldCase{"ｼﾝﾘｮｳ ﾀﾛｳ", "ｼﾝﾘｮｳ ﾀﾛｳ"},  // half-width kana
                      FoldCase{"｟￥", "｟￥"},            // just outside the range
                      FoldCase{"𠀋１", "𠀋1"}));           // 4-byte sequence

TEST(FoldWidthTest, CopiesInvalidBytesThrough) {
  EXPECT_EQ(FoldWidth("\xFF１\x80"),
            "\xFF"
            "1\x80");
}

struct Utf8Case {
  std::string bytes;
  bool valid;
};

class IsValidUtf8Test : public ::testing::TestWithParam<Utf8Case> {};

TEST_P(IsValidUtf8Test, AcceptsOnlyStrictUtf8) {
  EXPECT_EQ(IsValidUtf8(GetParam().bytes), GetParam().valid);
}

INSTANTIATE_TEST_SUITE_P(Cases, IsValidUtf8Test,
                         ::testing::Values(Utf8Case{"", true}, Utf8Case{"abc", true},
                                           Utf8Case{"日本語", true},
                                           Utf8Case{"\xF0\xA0\x80\x8B", true},      // U+2000B
                                           Utf8Case{"\xF4\x8F\xBF\xBF", true},      // U+10FFFF
                                           Utf8Case{"\xED\x9F\xBF", true},          // U+D7FF
                                           Utf8Case{"\xEE\x80\x80", true},          // U+E000
                                           Utf8Case{std::string("a\0b", 3), true},  // NUL is UTF-8
                                           Utf8Case{"\xC0\xAF", false},             // overlong '/'
                                           Utf8Case{"\xC1\xBF", false},             // overlong
                                           Utf8Case{"\xE0\x80\xAF", false},         // overlong
                                           Utf8Case{"\xE0\x9F\xBF", false},         // overlong
                                           Utf8Case{"\xF0\x80\x80\xAF", false},     // overlong
                                           Utf8Case{"\xF0\x8F\xBF\xBF", false},     // overlong
                                           Utf8Case{"\xED\xA0\x80", false},      // U+D800 surrogate
                                           Utf8Case{"\xED\xBF\xBF", false},      // U+DFFF surrogate
                                           Utf8Case{"\xF4\x90\x80\x80", false},  // U+110000
                                           Utf8Case{"\xF5\x80\x80\x80", false},  // beyond
                                           Utf8Case{"\x80", false},       // stray continuation
                                           Utf8Case{"a\xE3\x80", false},  // truncated
                                           Utf8Case{"\xE3\x80"
                                                    "a",
                                                    false},  // broken continuation
                                           Utf8Case{"\xFF", false},
                                           Utf8Case{"\x82\xA0", false}));  // あ in Shift_JIS

TEST(HasControlCharsTest, FindsC0DelAndC1) {
  EXPECT_FALSE(HasControlChars(""));
  EXPECT_FALSE(HasControlChars("ａｂｃ 漢字"));
  EXPECT_FALSE(HasControlChars("\xC2\xA0"));  // U+00A0 is not a control
  EXPECT_TRUE(HasControlChars(std::string("a\0b", 3)));
  EXPECT_TRUE(HasControlChars("a\tb"));
  EXPECT_TRUE(HasControlChars("a\nb"));
  EXPECT_TRUE(HasControlChars("a\x1F"));
  EXPECT_TRUE(HasControlChars("\x7F"));
  EXPECT_TRUE(HasControlChars("\xC2\x80"));  // U+0080
  EXPECT_TRUE(HasControlChars("\xC2\x85"));  // U+0085 NEL
  EXPECT_TRUE(HasControlChars("\xC2\x9F"));  // U+009F
}

TEST(TrimSpacesTest, TrimsAsciiAndIdeographicSpacesOnly) {
  EXPECT_EQ(TrimSpaces("  a b  "), "a b");
  EXPECT_EQ(TrimSpaces("　 Ａ　Ｂ 　"), "Ａ　Ｂ");
  EXPECT_EQ(TrimSpaces("　　"), "");
  EXPECT_EQ(TrimSpaces("\ta"), "\ta");
  EXPECT_EQ(TrimSpaces(""), "");
}

TEST(Utf8LengthTest, CountsCodePoints) {
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length("日本語"), 3u);
  EXPECT_EQ(Utf8Length("\xF0\xA0\x80\x8B"
                       "a"),
            2u);
  EXPECT_EQ(Utf8Length("ｼﾝﾘｮｳ"), 5u);
}

TEST(IsAsciiDigitsTest, RequiresNonEmptyHalfWidthDigits) {
  EXPECT_TRUE(IsAsciiDigits("0123456789"));
  EXPECT_FALSE(IsAsciiDigits(""));
  EXPECT_FALSE(IsAsciiDigits("１２３"));
  EXPECT_FALSE(IsAsciiDigits("12a"));
  EXPECT_FALSE(IsAsciiDigits(" 12"));
}

TEST(NormalizeIdentifierTest, FoldsTrimsAndStripsLeadingZerosOfNumbers) {
  EXPECT_EQ(NormalizeIdentifierForComparison("０１２３"), "123");
  EXPECT_EQ(NormalizeIdentifierForComparison(" 00123　"), "123");
  EXPECT_EQ(NormalizeIdentifierForComparison("  123456"), "123456");
  EXPECT_EQ(NormalizeIdentifierForComparison("000"), "0");
  EXPECT_EQ(NormalizeIdentifierForComparison(""), "");
  // Not all digits: zeros are part of the text.
  EXPECT_EQ(NormalizeIdentifierForComparison("ア０１"), "ア01");
  EXPECT_EQ(NormalizeIdentifierForComparison("01-2"), "01-2");
}

TEST(SameIdentifierTest, IgnoresWidthSpacesAndLeadingZeros) {
  EXPECT_TRUE(SameIdentifier("１２３", "0123"));
  EXPECT_TRUE(SameIdentifier("  138156", "138156"));
  EXPECT_TRUE(SameIdentifier("ア－１", "ア-1"));
  EXPECT_TRUE(SameIdentifier("ＡＢ", "AB"));
  EXPECT_FALSE(SameIdentifier("123", "124"));
  EXPECT_FALSE(SameIdentifier("アー1", "ア-1"));
  EXPECT_FALSE(SameIdentifier("ab", "AB"));
  EXPECT_FALSE(SameIdentifier("1 23", "123"));
}

}  // namespace
}  // namespace onshi
