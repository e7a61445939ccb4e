// A terminal that answers in Shift_JIS (CP932) and an onshid that writes its requests in
// Shift_JIS: every answered patient reads back as registered (kanji, full-width, half-width
// kana), and a name with a character outside Shift_JIS shows 〓 with the 外字 notice.

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/expectations.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

std::vector<sim::v1::Patient> AnsweredPatients() {
  std::vector<sim::v1::Patient> patients;
  for (const sim::v1::Patient& patient : Dataset().patients()) {
    if (patient.behavior() == sim::v1::BEHAVIOR_UNSPECIFIED ||
        patient.behavior() == sim::v1::BEHAVIOR_NORMAL) {
      patients.push_back(patient);
    }
  }
  return patients;
}

class ShiftJisScenarioTest
    : public SharedStackTest<ShiftJisScenarioTest, ::testing::TestWithParam<sim::v1::Patient>> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "sjis";
    options.sim_flags = {"--encoding", "sjis"};
    options.shift_jis_requests = true;
    options.answer_timeout_ms = 15000;
    return options;
  }
};

TEST_P(ShiftJisScenarioTest, ShiftJisAnswerReadsBackAsRegistered) {
  const sim::v1::Patient& patient = GetParam();
  RequestSpec spec;
  spec.limit_consent = true;
  spec.timeout_ms = stack().check_timeout_ms();
  RequestPtr request = NewRequestFor(patient, spec);
  CheckOutcome outcome = Check(client(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  const onshi_qualification* q = outcome.result.get();
  ExpectAnswerFor(q, patient, /*limit_consent=*/true, AnswerEncoding::kShiftJis);
  stack().NoteAnswered(q);

  if (patient.scenario() == "gaiji-name") {
    // Spelled out: 𠮷 is not in CP932 and arrives as 〓; staff are told, for the name and the
    // address. The kana are plain half-width katakana.
    EXPECT_STREQ(onshi_qualification_name(q, 0), "〓田　試子");
    EXPECT_STREQ(onshi_qualification_name_kana(q, 0), "ﾖｼﾀﾞ ﾀﾒｺ");
    EXPECT_EQ(CountNotices(q, "ONSHI_NOTICE_UNREPRESENTABLE_CHARACTER"), 2);
    const v1::CheckQualificationResponse response = ResponseOf(q);
    EXPECT_EQ(response.result().records(0).address(), "東京都千代田区〓田町一丁目１番１号");
  }
}

INSTANTIATE_TEST_SUITE_P(Dataset, ShiftJisScenarioTest, ::testing::ValuesIn(AnsweredPatients()),
                         [](const ::testing::TestParamInfo<sim::v1::Patient>& info) {
                           return TestNameOf(info.param.scenario());
                         });

}  // namespace
}  // namespace onshi::integration
