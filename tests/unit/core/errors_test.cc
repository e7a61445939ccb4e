#include "plugin/core/errors.h"

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onshi {
namespace {

TEST(ErrorsTest, ReasonsAreUniqueAndWellFormed) {
  std::set<std::string> seen;
  for (const ErrorSpec* spec : AllErrorSpecs()) {
    EXPECT_TRUE(seen.insert(std::string(spec->reason)).second) << spec->reason;
    EXPECT_THAT(std::string(spec->reason), ::testing::MatchesRegex("ONSHI_[A-Z_]+"));
    EXPECT_NE(spec->code, absl::StatusCode::kOk) << spec->reason;
    EXPECT_FALSE(spec->staff_message.empty()) << spec->reason;
    EXPECT_FALSE(spec->it_message.empty()) << spec->reason;
  }
}

TEST(ErrorsTest, MakeErrorCarriesReasonAndBothTexts) {
  absl::Status status = MakeError(errors::kInsurerCheckDigit, "field insurer_number");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(status), "ONSHI_INSURER_CHECK_DIGIT");
  v1::ErrorDetail detail = ToErrorDetail(status);
  EXPECT_EQ(detail.reason(), "ONSHI_INSURER_CHECK_DIGIT");
  EXPECT_EQ(detail.staff_message(), errors::kInsurerCheckDigit.staff_message);
  EXPECT_THAT(detail.it_message(), ::testing::EndsWith(": field insurer_number"));
  EXPECT_FALSE(detail.retryable());
}

TEST(ErrorsTest, ForeignStatusGetsGenericReasonAndKeepsMessage) {
  absl::Status status = absl::DeadlineExceededError("rpc deadline");
  EXPECT_EQ(ReasonOf(status), "ONSHI_DEADLINE_EXCEEDED");
  v1::ErrorDetail detail = ToErrorDetail(status);
  EXPECT_EQ(detail.it_message(), "rpc deadline");
  EXPECT_TRUE(detail.retryable());
  EXPECT_EQ(ReasonOf(absl::UnknownError("x")), "ONSHI_INTERNAL");
}

TEST(ErrorsTest, DetailSurvivesTheWire) {
  v1::ErrorDetail sent = ToErrorDetail(MakeError(errors::kTerminalFailed, "ErrorCode E123"));
  absl::Status back = FromErrorDetail(absl::StatusCode::kUnavailable, sent);
  EXPECT_EQ(back.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf(back), "ONSHI_TERMINAL_FAILED");
  EXPECT_EQ(ToErrorDetail(back).SerializeAsString(), sent.SerializeAsString());
  EXPECT_TRUE(FromErrorDetail(absl::StatusCode::kOk, sent).ok());
}

// docs/errors.md promises, for every reason: Japanese for the desk, English for IT (ASCII only:
// it lands in logs and tickets and never quotes Japanese record text).
bool HasNonAscii(absl::string_view text) {
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0x80) != 0) return true;
  }
  return false;
}

TEST(ErrorsTest, EveryStaffTextIsJapaneseAndEveryItTextIsAsciiEnglish) {
  for (const ErrorSpec* spec : AllErrorSpecs()) {
    EXPECT_TRUE(HasNonAscii(spec->staff_message)) << spec->reason << ": staff text not Japanese";
    EXPECT_FALSE(HasNonAscii(spec->it_message)) << spec->reason << ": IT text not ASCII";
    // English: at least one word of Latin letters.
    EXPECT_THAT(std::string(spec->it_message), ::testing::ContainsRegex("[A-Za-z]{3,}"))
        << spec->reason;
  }
}

}  // namespace
}  // namespace onshi
