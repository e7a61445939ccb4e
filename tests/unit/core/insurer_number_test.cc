#include "plugin/core/insurer_number.h"

#include <string>

#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

// oqs-interface.md §8.1 (the 7-digit vectors as the 8-digit numbers they were) and §9.1.
const char* const kValidNumbers[] = {
    "138156",   "06138093", "06110852", "63132286", "31130685", "39131156", "39131131",
    "39131040", "80137151", "41139155", "81137150", "33120015", "06139992",
};

TEST(CheckDigitTest, AcceptsEveryPublishedValidVector) {
  for (const char* number : kValidNumbers) {
    EXPECT_TRUE(HasValidCheckDigit(number)) << number;
  }
}

TEST(CheckDigitTest, RefusesPublishedInvalidVectors) {
  EXPECT_FALSE(HasValidCheckDigit("138157"));
  EXPECT_FALSE(HasValidCheckDigit("06139995"));
}

TEST(CheckDigitTest, RefusesEveryOtherCheckDigit) {
  for (const char* number : kValidNumbers) {
    std::string wrong = number;
    for (char digit = '0'; digit <= '9'; ++digit) {
      if (digit == std::string(number).back()) continue;
      wrong.back() = digit;
      EXPECT_FALSE(HasValidCheckDigit(wrong)) << wrong;
    }
  }
}

TEST(CheckDigitTest, WorkedExampleOfTheRule) {
  // 3312001 → 6+3+2+2+0+0+2 = 15 → 10 − 5 = 5.
  EXPECT_TRUE(HasValidCheckDigit("33120015"));
  // 1000000: from the right weights 2,1,2,1,2,1,2 → the leading 1 counts 2 → check 8.
  EXPECT_TRUE(HasValidCheckDigit("10000008"));
  // A sum ending in 0 gives check digit 0.
  EXPECT_TRUE(HasValidCheckDigit("00000000"));
}

TEST(CheckDigitTest, RequiresSixOrEightAsciiDigits) {
  EXPECT_FALSE(HasValidCheckDigit("6138093"));  // 7 digits: the leading zero is lost
  EXPECT_FALSE(HasValidCheckDigit("3312001"));
  EXPECT_FALSE(HasValidCheckDigit(""));
  EXPECT_FALSE(HasValidCheckDigit("13815"));
  EXPECT_FALSE(HasValidCheckDigit("061399920"));
  EXPECT_FALSE(HasValidCheckDigit("１３８１５６"));
  EXPECT_FALSE(HasValidCheckDigit("13815a"));
  EXPECT_FALSE(HasValidCheckDigit("  138156"));
}

struct NormalizeCase {
  std::string input;
  std::string expected;
};

class NormalizeInsurerNumberTest : public ::testing::TestWithParam<NormalizeCase> {};

TEST_P(NormalizeInsurerNumberTest, FoldsAndTrims) {
  absl::StatusOr<std::string> normalized = NormalizeInsurerNumber(GetParam().input);
  ASSERT_TRUE(normalized.ok()) << normalized.status();
  EXPECT_EQ(*normalized, GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(Cases, NormalizeInsurerNumberTest,
                         ::testing::Values(NormalizeCase{"06139992", "06139992"},
                                           NormalizeCase{"138156", "138156"},
                                           NormalizeCase{"１３８１５６", "138156"},
                                           NormalizeCase{"０６１３９９９２", "06139992"},
                                           NormalizeCase{" 06139992 ", "06139992"},
                                           NormalizeCase{"　１３８１５６　", "138156"},
                                           NormalizeCase{"  138156", "138156"}));

struct RefusedCase {
  std::string input;
  std::string reason;
};

class NormalizeInsurerNumberErrorTest : public ::testing::TestWithParam<RefusedCase> {};

TEST_P(NormalizeInsurerNumberErrorTest, RefusesWithReasonAndWithoutTheValue) {
  absl::StatusOr<std::string> normalized = NormalizeInsurerNumber(GetParam().input);
  ASSERT_FALSE(normalized.ok());
  EXPECT_EQ(normalized.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(normalized.status()), GetParam().reason);
  const v1::ErrorDetail detail = ToErrorDetail(normalized.status());
  if (!GetParam().input.empty()) {
    EXPECT_EQ(detail.it_message().find(GetParam().input), std::string::npos);
    EXPECT_EQ(detail.staff_message().find(GetParam().input), std::string::npos);
  }
  EXPECT_NE(detail.it_message().find("insurer_number"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NormalizeInsurerNumberErrorTest,
    ::testing::Values(RefusedCase{"", "ONSHI_INVALID_INSURER_NUMBER"},
                      RefusedCase{"6138093", "ONSHI_INVALID_INSURER_NUMBER"},
                      RefusedCase{"061399921", "ONSHI_INVALID_INSURER_NUMBER"},
                      RefusedCase{"06-139992", "ONSHI_INVALID_INSURER_NUMBER"},
                      RefusedCase{"0613 9992", "ONSHI_INVALID_INSURER_NUMBER"},
                      RefusedCase{"abcdefgh", "ONSHI_INVALID_INSURER_NUMBER"},
                      RefusedCase{"\xFF\x31\x33\x38\x31\x35\x36", "ONSHI_INVALID_INSURER_NUMBER"},
                      RefusedCase{"06139995", "ONSHI_INSURER_CHECK_DIGIT"},
                      RefusedCase{"138157", "ONSHI_INSURER_CHECK_DIGIT"},
                      RefusedCase{"０６１３９９９５", "ONSHI_INSURER_CHECK_DIGIT"}));

TEST(InsurerNumberForOqsTest, SixDigitKokuhoIsPaddedWithSpaces) {
  EXPECT_EQ(InsurerNumberForOqs("138156"), "  138156");
  EXPECT_EQ(InsurerNumberForOqs("138156").size(), 8u);
}

TEST(InsurerNumberForOqsTest, EightDigitsAreSentAsTheyAre) {
  EXPECT_EQ(InsurerNumberForOqs("06139992"), "06139992");
}

TEST(IsLateElderlyInsurerTest, RecognisesHoubetsu39) {
  EXPECT_TRUE(IsLateElderlyInsurer("39131156"));
  EXPECT_TRUE(IsLateElderlyInsurer("39131040"));
  EXPECT_FALSE(IsLateElderlyInsurer("06139992"));
  EXPECT_FALSE(IsLateElderlyInsurer("391311"));  // a 6-digit 国保 number of prefecture 39
  EXPECT_FALSE(IsLateElderlyInsurer(""));
}

}  // namespace
}  // namespace onshi
