#include "plugin/core/card_numbers.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Known-valid 公費負担者番号, each with its hand computation (from the digit left of the check
// digit leftwards, × 2, 1, 2, …; two-digit products replaced by their digit sum; check digit =
// (10 − sum % 10) % 10).
constexpr const char* kValidPublicExpenseNumbers[] = {
    // 5401602: 2×2=4, 0, 6×2=12→3, 1, 0×2=0, 4, 5×2=10→1 → 13 → 7 (oqs-interface.md §8.2).
    "54016027",
    // 8813445: 5×2=10→1, 4, 4×2=8, 3, 1×2=2, 8, 8×2=16→7 → 33 → 7 (東京都 マル子, 2024).
    "88134457",
    // 2113601: 1×2=2, 0, 6×2=12→3, 3, 1×2=2, 1, 2×2=4 → 15 → 5.
    "21136015",
    // 1213005: 5×2=10→1, 0, 0×2=0, 3, 1×2=2, 2, 1×2=2 → 10 → 0.
    "12130050",
};

// Known-valid national 受給者番号 (6 digits + check digit, same rule over the 6 digits).
constexpr const char* kValidRecipientNumbers[] = {
    // 123456: 6×2=12→3, 5, 4×2=8, 3, 2×2=4, 1 → 24 → 6.
    "1234566",
    // 987654: 4×2=8, 5, 6×2=12→3, 7, 8×2=16→7, 9 → 39 → 1.
    "9876541",
    // 500123: 3×2=6, 2, 1×2=2, 0, 0×2=0, 5 → 15 → 5.
    "5001235",
    // 000000: 0 → 0.
    "0000000",
};

// Calls `check` with every single-digit corruption of `valid` (each position, each other
// digit) and expects it refused: the rule detects every single-digit error because doubling
// with digit sum maps 0–9 one-to-one.
template <typename Check>
void ExpectEverySingleDigitCorruptionRefused(const std::string& valid, Check check) {
  for (size_t i = 0; i < valid.size(); ++i) {
    for (char digit = '0'; digit <= '9'; ++digit) {
      if (digit == valid[i]) continue;
      std::string corrupted = valid;
      corrupted[i] = digit;
      EXPECT_FALSE(check(corrupted)) << "position " << i << " digit " << digit;
    }
  }
}

TEST(PublicExpenseNumberTest, KnownValidNumbersAreAccepted) {
  for (const char* number : kValidPublicExpenseNumbers) {
    absl::StatusOr<std::string> normalized = NormalizePublicExpenseNumber(number);
    ASSERT_TRUE(normalized.ok()) << number << " " << normalized.status();
    EXPECT_EQ(*normalized, number);
  }
}

TEST(PublicExpenseNumberTest, EverySingleDigitCorruptionIsDetected) {
  for (const char* number : kValidPublicExpenseNumbers) {
    SCOPED_TRACE(number);
    ExpectEverySingleDigitCorruptionRefused(number, [](const std::string& candidate) {
      return NormalizePublicExpenseNumber(candidate).ok();
    });
  }
}

TEST(PublicExpenseNumberTest, WidthIsFoldedAndSpacesTrimmed) {
  absl::StatusOr<std::string> normalized = NormalizePublicExpenseNumber("　５４０１６０２７ ");
  ASSERT_TRUE(normalized.ok());
  EXPECT_EQ(*normalized, "54016027");
}

TEST(PublicExpenseNumberTest, WrongFormsAreRefusedNamingTheFieldOnly) {
  for (const char* input : {"", "5401602", "540160270", "5401602X", "54-16027", "5401 6027",
                            "\xFF\xFE\x35\x34\x30\x31\x36\x30"}) {
    absl::StatusOr<std::string> normalized = NormalizePublicExpenseNumber(input);
    ASSERT_FALSE(normalized.ok()) << input;
    EXPECT_EQ(ReasonOf(normalized.status()), "ONSHI_INVALID_PUBLIC_EXPENSE_NUMBER");
    EXPECT_THAT(std::string(normalized.status().message()), HasSubstr("public_expense_number"));
  }
  absl::StatusOr<std::string> wrong_check = NormalizePublicExpenseNumber("54016028");
  ASSERT_FALSE(wrong_check.ok());
  EXPECT_EQ(ReasonOf(wrong_check.status()), "ONSHI_INVALID_PUBLIC_EXPENSE_NUMBER");
  EXPECT_THAT(std::string(wrong_check.status().message()), HasSubstr("check digit"));
  EXPECT_THAT(std::string(wrong_check.status().message()), Not(HasSubstr("5401602")));
  const v1::ErrorDetail detail = ToErrorDetail(wrong_check.status());
  EXPECT_THAT(detail.staff_message(), HasSubstr("公費負担者番号"));
  EXPECT_THAT(detail.staff_message(), Not(HasSubstr("5401602")));
}

TEST(PublicExpenseLawTest, EightyToNinetyNineAreLocal) {
  EXPECT_FALSE(IsLocalPublicExpenseLaw(12));
  EXPECT_FALSE(IsLocalPublicExpenseLaw(54));
  EXPECT_FALSE(IsLocalPublicExpenseLaw(79));
  EXPECT_TRUE(IsLocalPublicExpenseLaw(80));
  EXPECT_TRUE(IsLocalPublicExpenseLaw(88));
  EXPECT_TRUE(IsLocalPublicExpenseLaw(99));
}

constexpr char kNationalScheme[] = "54016027";  // 法別 54 指定難病
constexpr char kLocalScheme[] = "88134457";     // 法別 88 (東京都 マル子)

TEST(RecipientNumberTest, KnownValidNationalNumbersAreAccepted) {
  for (const char* number : kValidRecipientNumbers) {
    absl::StatusOr<std::string> normalized = NormalizeRecipientNumber(number, kNationalScheme);
    ASSERT_TRUE(normalized.ok()) << number << " " << normalized.status();
    EXPECT_EQ(*normalized, number);
  }
  absl::StatusOr<std::string> full_width = NormalizeRecipientNumber("１２３４５６６", "21136015");
  ASSERT_TRUE(full_width.ok());
  EXPECT_EQ(*full_width, "1234566");
}

TEST(RecipientNumberTest, EverySingleDigitCorruptionIsDetected) {
  for (const char* number : kValidRecipientNumbers) {
    SCOPED_TRACE(number);
    ExpectEverySingleDigitCorruptionRefused(number, [](const std::string& candidate) {
      return NormalizeRecipientNumber(candidate, kNationalScheme).ok();
    });
  }
}

TEST(RecipientNumberTest, NationalSchemeNeedsSevenDigits) {
  for (const char* input : {"", "123456", "12345660", "123456X", "12 3456"}) {
    absl::StatusOr<std::string> normalized = NormalizeRecipientNumber(input, kNationalScheme);
    ASSERT_FALSE(normalized.ok()) << input;
    EXPECT_EQ(ReasonOf(normalized.status()), "ONSHI_INVALID_RECIPIENT_NUMBER");
    EXPECT_THAT(std::string(normalized.status().message()), HasSubstr("recipient_number"));
  }
  absl::StatusOr<std::string> wrong_check = NormalizeRecipientNumber("1234567", kNationalScheme);
  ASSERT_FALSE(wrong_check.ok());
  EXPECT_THAT(std::string(wrong_check.status().message()), HasSubstr("check digit"));
  EXPECT_THAT(std::string(wrong_check.status().message()), Not(HasSubstr("123456")));
}

TEST(RecipientNumberTest, LocalSchemeKeepsItsOwnNumbering) {
  // No check digit assumed: 1234567 (not a valid national one) is accepted.
  absl::StatusOr<std::string> normalized = NormalizeRecipientNumber("1234567", kLocalScheme);
  ASSERT_TRUE(normalized.ok());
  EXPECT_EQ(*normalized, "1234567");
  normalized = NormalizeRecipientNumber(" ＡＢ－０１２ ", kLocalScheme);
  ASSERT_TRUE(normalized.ok());
  EXPECT_EQ(*normalized, "AB-012");
  const std::string thirty(30, '7');
  EXPECT_TRUE(NormalizeRecipientNumber(thirty, kLocalScheme).ok());
  for (const std::string& input :
       {std::string(31, '7'), std::string(""), std::string("　"), std::string("12\t34")}) {
    absl::StatusOr<std::string> refused = NormalizeRecipientNumber(input, kLocalScheme);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(ReasonOf(refused.status()), "ONSHI_INVALID_RECIPIENT_NUMBER");
  }
}

TEST(RecipientNumberTest, PublicExpenseNumberMustBeCanonical) {
  for (const char* scheme : {"", "54016028", "５４０１６０２７", "5401602"}) {
    absl::StatusOr<std::string> normalized = NormalizeRecipientNumber("1234566", scheme);
    ASSERT_FALSE(normalized.ok()) << scheme;
    EXPECT_EQ(ReasonOf(normalized.status()), "ONSHI_INVALID_PUBLIC_EXPENSE_NUMBER");
  }
}

constexpr char kLateElderlyInsurer[] = "39131156";  // oqs-interface.md §8.1 vector

TEST(LateElderlyCardTest, EightDigitNumberWithoutSymbolIsAccepted) {
  absl::StatusOr<std::string> number =
      NormalizeLateElderlyCard(kLateElderlyInsurer, "", "12345674");
  ASSERT_TRUE(number.ok()) << number.status();
  EXPECT_EQ(*number, "12345674");
  number = NormalizeLateElderlyCard(kLateElderlyInsurer, "　", "１２３４５６７８");
  ASSERT_TRUE(number.ok()) << number.status();
  EXPECT_EQ(*number, "12345678");  // the check digit is not this function's business
}

TEST(LateElderlyCardTest, EachRuleNamesItsField) {
  struct Case {
    const char* insurer;
    const char* symbol;
    const char* number;
    const char* reason;
    const char* field;
  };
  for (const Case& c : {
           Case{"06139992", "", "12345674", "ONSHI_INVALID_INSURER_NUMBER", "insurer_number"},
           Case{"39131157", "", "12345674", "ONSHI_INVALID_INSURER_NUMBER", "insurer_number"},
           Case{"131156", "", "12345674", "ONSHI_INVALID_INSURER_NUMBER", "insurer_number"},
           Case{kLateElderlyInsurer, "1", "12345674", "ONSHI_INVALID_CARD_SYMBOL",
                "insured_card_symbol"},
           Case{kLateElderlyInsurer, "", "1234567", "ONSHI_INVALID_CARD_NUMBER",
                "insured_identification_number"},
           Case{kLateElderlyInsurer, "", "123456789", "ONSHI_INVALID_CARD_NUMBER",
                "insured_identification_number"},
           Case{kLateElderlyInsurer, "", "1234567A", "ONSHI_INVALID_CARD_NUMBER",
                "insured_identification_number"},
           Case{kLateElderlyInsurer, "", "", "ONSHI_INVALID_CARD_NUMBER",
                "insured_identification_number"},
       }) {
    absl::StatusOr<std::string> number = NormalizeLateElderlyCard(c.insurer, c.symbol, c.number);
    ASSERT_FALSE(number.ok()) << c.insurer << "/" << c.symbol << "/" << c.number;
    EXPECT_EQ(ReasonOf(number.status()), c.reason);
    EXPECT_THAT(std::string(number.status().message()), HasSubstr(c.field));
    if (std::string(c.number).size() >= 7) {
      EXPECT_THAT(std::string(number.status().message()), Not(HasSubstr(c.number)));
    }
  }
}

TEST(LateElderlyCardTest, CheckDigitOfTheInsuredNumber) {
  // 1234567: 7×2=14→5, 6, 5×2=10→1, 4, 3×2=6, 2, 1×2=2 → 26 → 4.
  EXPECT_TRUE(LateElderlyInsuredNumberCheckDigitMatches("12345674"));
  // 9876543: 3×2=6, 4, 5×2=10→1, 6, 7×2=14→5, 8, 9×2=18→9 → 39 → 1.
  EXPECT_TRUE(LateElderlyInsuredNumberCheckDigitMatches("98765431"));
  ExpectEverySingleDigitCorruptionRefused("12345674", [](const std::string& candidate) {
    return LateElderlyInsuredNumberCheckDigitMatches(candidate);
  });
  EXPECT_FALSE(LateElderlyInsuredNumberCheckDigitMatches("1234567"));
  EXPECT_FALSE(LateElderlyInsuredNumberCheckDigitMatches("１２３４５６７４"));
}

}  // namespace
}  // namespace onshi
