// The control folder's protocol: file names, answers, consent lists, and a requester with no
// simulator behind it.

#include "adapters/terminal_sim/control.h"

#include <sys/stat.h>

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

using ::onshi::sim::testing::TempDir;

TEST(ControlTest, CommandNamesAreExact) {
  EXPECT_EQ(CommandFileName("AB12"), "checkin-AB12.cmd");
  EXPECT_EQ(AckFileName("AB12"), "checkin-AB12.done");
  EXPECT_EQ(CommandFileName("../x"), "");
  EXPECT_EQ(ParseCommandFileName("checkin-AB12.cmd"), "AB12");
  EXPECT_FALSE(ParseCommandFileName("checkin-AB12.done").has_value());
  EXPECT_FALSE(ParseCommandFileName(".tmp-checkin-AB12.cmd").has_value());
  EXPECT_FALSE(ParseCommandFileName("checkin-.cmd").has_value());
  EXPECT_FALSE(ParseCommandFileName("checkin-a/b.cmd").has_value());
}

TEST(ControlTest, AnswersRoundTrip) {
  CheckinResult written{"OQSsiquc01res_face_1310000016ab_20261201093000.xml", true};
  EXPECT_EQ(FormatAck(written), "ok OQSsiquc01res_face_1310000016ab_20261201093000.xml\n");
  absl::StatusOr<CheckinResult> back = ParseAck(FormatAck(written));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->face_file, written.face_file);
  EXPECT_TRUE(back->written);

  CheckinResult silent{"OQSsiquc01res_face_x_20261201093000.xml", false};
  back = ParseAck(FormatAck(silent));
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->written);

  back = ParseAck(FormatAck(MakeError(errors::kInvalidArgument, "no such scenario")));
  EXPECT_EQ(ReasonOf(back.status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(ReasonOf(ParseAck("gibberish").status()), "ONSHI_TERMINAL_UNAVAILABLE");
}

TEST(ControlTest, ConsentListsParse) {
  std::vector<v1::ConsentCategory> consents;
  std::string problem;
  ASSERT_TRUE(ParseConsentList("pharmacists,checkups,pharmacists", &consents, &problem));
  EXPECT_EQ(consents, (std::vector<v1::ConsentCategory>{v1::CONSENT_CATEGORY_PHARMACISTS,
                                                        v1::CONSENT_CATEGORY_CHECKUPS}));
  ASSERT_TRUE(ParseConsentList("all", &consents, &problem));
  EXPECT_EQ(consents.size(), 6u);
  ASSERT_TRUE(ParseConsentList("none", &consents, &problem));
  EXPECT_TRUE(consents.empty());
  EXPECT_FALSE(ParseConsentList("pharmacists,x-ray", &consents, &problem));
  EXPECT_FALSE(problem.empty());
}

TEST(ControlTest, RequestWithoutAControlFolderIsUnavailable) {
  TempDir dir;
  absl::StatusOr<CheckinResult> r =
      RequestCheckin(dir.path(), v1::CheckinCommand(), absl::Milliseconds(10));
  EXPECT_EQ(ReasonOf(r.status()), "ONSHI_TERMINAL_UNAVAILABLE");
}

TEST(ControlTest, RequestNobodyAnswersTimesOutAndIsWithdrawn) {
  TempDir dir;
  ASSERT_EQ(::mkdir((dir.path() + "/.sim").c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(ControlDirOf(dir.path()).c_str(), 0700), 0);
  v1::CheckinCommand command;
  command.set_scenario("valid-kyokai-honnin");
  absl::StatusOr<CheckinResult> r = RequestCheckin(dir.path(), command, absl::Milliseconds(50));
  EXPECT_EQ(ReasonOf(r.status()), "ONSHI_TERMINAL_TIMEOUT");
  EXPECT_TRUE(TempDir::ListDir(ControlDirOf(dir.path())).empty());
}

}  // namespace
}  // namespace onshi::sim
