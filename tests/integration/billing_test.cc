// The self-pay cap through the C API against the simulator and onshid (docs/billing.md): a
// check with 限度額 consent records the patient's 区分, GetSelfPayCap turns it into the cap of
// the hand-computed tables; without consent, or before the 70–74 rules, there is no 区分.

#include <sys/wait.h>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

using ::testing::HasSubstr;

struct CapRequestFreer {
  void operator()(onshi_cap_request* r) const { onshi_cap_request_free(r); }
};
struct CapFreer {
  void operator()(onshi_self_pay_cap* c) const { onshi_self_pay_cap_free(c); }
};
using CapRequestPtr = std::unique_ptr<onshi_cap_request, CapRequestFreer>;
using CapPtr = std::unique_ptr<onshi_self_pay_cap, CapFreer>;

struct CapOutcome {
  onshi_status status = ONSHI_UNKNOWN;
  CapPtr cap;
  ErrorPtr error;
  std::string reason() const { return onshi_error_reason(error.get()); }
};

struct CapSpec {
  std::string month = "202611";
  int64_t cost = 0;
  bool many_times = false;
  bool inpatient = false;
  int32_t disease = ONSHI_SPECIFIC_DISEASE_NONE;
};

// The hand-computed tables of oqs-interface.md §8.5 (self_pay_cap.h), at a cost below every
// threshold: 外来 and 入院 amounts per 区分, for a month that is no 75th-birthday month.
struct BaseAmounts {
  int64_t outpatient;
  int64_t inpatient;
};
const std::map<std::string, BaseAmounts>& BaseTable() {
  static const auto* table = new std::map<std::string, BaseAmounts>{
      {"A01", {252'600, 252'600}}, {"A02", {167'400, 167'400}}, {"A03", {80'100, 80'100}},
      {"A04", {57'600, 57'600}},   {"A05", {35'400, 35'400}},   {"A06", {35'400, 35'400}},
      {"B01", {252'600, 252'600}}, {"B02", {167'400, 167'400}}, {"B03", {80'100, 80'100}},
      {"B04", {18'000, 57'600}},   {"B05", {8'000, 24'600}},    {"B06", {8'000, 15'000}},
      {"B07", {8'000, 15'000}},    {"B08", {8'000, 15'000}},    {"B09", {18'000, 57'600}},
      {"B10", {18'000, 57'600}},
  };
  return *table;
}

class BillingTest : public SharedStackTest<BillingTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "billing";
    options.answer_timeout_ms = 15000;
    return options;
  }

 protected:
  // Checks `scenario`'s card into `patient_id` on kConfirmationDate and expects an answer.
  bool CheckInto(const std::string& scenario, const std::string& patient_id, bool limit_consent) {
    RequestSpec spec;
    spec.patient_id = patient_id;
    spec.limit_consent = limit_consent;
    spec.timeout_ms = stack().check_timeout_ms();
    RequestPtr request = NewRequestFor(PatientByScenario(scenario), spec);
    CheckOutcome outcome = Check(client(), request.get());
    EXPECT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    if (outcome.status != ONSHI_OK) return false;
    stack().NoteAnswered(outcome.result.get());
    EXPECT_TRUE(onshi_qualification_is_eligible(outcome.result.get())) << scenario;
    return true;
  }

  CapOutcome GetCap(const std::string& patient_id, const CapSpec& spec = {}) {
    CapRequestPtr request(onshi_cap_request_new());
    CapOutcome outcome;
    EXPECT_NE(request, nullptr);
    if (request == nullptr) return outcome;
    EXPECT_EQ(onshi_cap_request_set_patient_id(request.get(), patient_id.c_str(), nullptr),
              ONSHI_OK);
    EXPECT_EQ(onshi_cap_request_set_month(request.get(), spec.month.c_str(), nullptr), ONSHI_OK);
    EXPECT_EQ(onshi_cap_request_set_total_cost(request.get(), spec.cost, nullptr), ONSHI_OK);
    EXPECT_EQ(onshi_cap_request_set_many_times(request.get(), spec.many_times ? 1 : 0, nullptr),
              ONSHI_OK);
    EXPECT_EQ(
        onshi_cap_request_set_care_setting(
            request.get(),
            spec.inpatient ? ONSHI_CAP_SETTING_INPATIENT : ONSHI_CAP_SETTING_OUTPATIENT, nullptr),
        ONSHI_OK);
    EXPECT_EQ(onshi_cap_request_set_specific_disease(request.get(), spec.disease, nullptr),
              ONSHI_OK);
    onshi_self_pay_cap* cap = nullptr;
    onshi_error* error = nullptr;
    outcome.status = onshi_get_self_pay_cap(client(), request.get(), &cap, &error);
    outcome.cap.reset(cap);
    outcome.error.reset(error);
    return outcome;
  }

  // Runs sample_host with `args` after the socket options.
  std::string RunHost(const std::vector<std::string>& args, const std::string& name,
                      int* exit_code) {
    std::vector<std::string> argv = {ONSHI_IT_SAMPLE_HOST_BINARY, "--socket",
                                     stack().socket_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    const std::string base = stack().root() + "/sample_host." + name;
    SpawnOptions spawn;
    spawn.argv = argv;
    spawn.stdout_path = base + ".out";
    spawn.stderr_path = base + ".err";
    spawn.wait_for_ready = false;
    std::string error;
    std::unique_ptr<Process> host = Process::Spawn(spawn, &error);
    EXPECT_NE(host, nullptr) << error;
    *exit_code = -1;
    if (host == nullptr) return "";
    int status = 0;
    if (!host->WaitForExit(kSettleTimeout * 3, &status)) {
      ADD_FAILURE() << "sample_host did not finish";
      status = host->Kill();
    }
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return ReadFile(spawn.stdout_path) + ReadFile(spawn.stderr_path);
  }
};

// Every dataset patient with a 限度額 certificate in force: checked with consent, the cap
// through the C API is the table's amount for that 区分, 外来 and 入院.
TEST_F(BillingTest, EveryConsentedCategoryGivesTheTableAmount) {
  int checked = 0;
  for (const sim::v1::Patient& patient : Dataset().patients()) {
    if (patient.behavior() != sim::v1::BEHAVIOR_UNSPECIFIED &&
        patient.behavior() != sim::v1::BEHAVIOR_NORMAL) {
      continue;
    }
    if (patient.validity() != v1::QUALIFICATION_VALIDITY_VALID || patient.records_size() != 1) {
      continue;
    }
    const v1::LimitCertificate& limit = patient.records(0).limit_certificate();
    if (limit.category().empty() || limit.valid_start_date() > kConfirmationDate ||
        (!limit.valid_end_date().empty() && limit.valid_end_date() < kConfirmationDate)) {
      continue;
    }
    SCOPED_TRACE(patient.scenario());
    const auto expected = BaseTable().find(limit.category());
    ASSERT_NE(expected, BaseTable().end()) << limit.category();
    // 75歳到達月の特例: a 75th birthday in 2026-11 (not on the 1st) halves every amount.
    const std::string& birth = patient.birth_date();
    const int64_t divisor = birth.substr(0, 6) == "195111" && birth.substr(6) != "01" ? 2 : 1;
    const std::string id = "cap-" + patient.scenario();
    ASSERT_TRUE(CheckInto(patient.scenario(), id, /*limit_consent=*/true));

    CapOutcome out = GetCap(id);
    ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
    EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), expected->second.outpatient / divisor);
    EXPECT_STREQ(onshi_self_pay_cap_category_code(out.cap.get()), limit.category().c_str());
    EXPECT_EQ(onshi_self_pay_cap_category_source(out.cap.get()), ONSHI_CAP_SOURCE_CERTIFICATE);
    EXPECT_STRNE(onshi_self_pay_cap_formula(out.cap.get()), "");
    EXPECT_STREQ(onshi_self_pay_cap_rule_date(out.cap.get()), kConfirmationDate);

    CapSpec inpatient;
    inpatient.inpatient = true;
    out = GetCap(id, inpatient);
    ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
    EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), expected->second.inpatient / divisor);
    ++checked;
  }
  // The dataset holds every 区分 of OQSCD012 (A01–A06, B01–B10).
  EXPECT_GE(checked, 16);
}

TEST_F(BillingTest, KuUGrowsWithTheMonthsCostAndManyTimesReplacesIt) {
  ASSERT_TRUE(CheckInto("valid-kyokai-honnin", "cap-a03-cost", true));
  CapSpec spec;
  spec.cost = 500'000;
  CapOutcome out = GetCap("cap-a03-cost", spec);
  ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
  // 80,100 + (500,000 − 267,000) × 1% = 82,430.
  EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), 82'430);
  EXPECT_EQ(onshi_self_pay_cap_age_band(out.cap.get()), ONSHI_CAP_AGE_BAND_UNDER_70);
  EXPECT_STREQ(onshi_self_pay_cap_age_band_label(out.cap.get()), "70歳未満");
  EXPECT_STREQ(onshi_self_pay_cap_category_name(out.cap.get()), "区分ウ");
  EXPECT_THAT(onshi_self_pay_cap_formula(out.cap.get()),
              HasSubstr("80,100円＋（総医療費−267,000円）×1%"));
  EXPECT_EQ(onshi_self_pay_cap_depends_on_total_cost(out.cap.get()), 1);
  EXPECT_EQ(onshi_self_pay_cap_notice_count(out.cap.get()), 0);

  spec.many_times = true;
  out = GetCap("cap-a03-cost", spec);
  ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
  EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), 44'400);
  EXPECT_EQ(onshi_self_pay_cap_many_times_applied(out.cap.get()), 1);

  spec = CapSpec{};
  spec.disease = ONSHI_SPECIFIC_DISEASE_DIALYSIS;
  out = GetCap("cap-a03-cost", spec);
  ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
  EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), 10'000);
  EXPECT_EQ(onshi_self_pay_cap_specific_disease_applied(out.cap.get()), 1);

  // Base amount at unknown cost, with the notice that says so.
  out = GetCap("cap-a03-cost");
  ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
  EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), 80'100);
  ASSERT_EQ(onshi_self_pay_cap_notice_count(out.cap.get()), 1);
  EXPECT_STREQ(onshi_self_pay_cap_notice_code(out.cap.get(), 0), "ONSHI_NOTICE_CAP_COST_UNKNOWN");
  EXPECT_STRNE(onshi_self_pay_cap_notice_staff_message(out.cap.get(), 0), "");
  EXPECT_STRNE(onshi_self_pay_cap_notice_it_message(out.cap.get(), 0), "");
  EXPECT_STREQ(onshi_self_pay_cap_notice_code(out.cap.get(), 1), "");
  EXPECT_STREQ(onshi_self_pay_cap_notice_code(out.cap.get(), -1), "");

  char* json = nullptr;
  size_t length = 0;
  ASSERT_EQ(onshi_self_pay_cap_to_json(out.cap.get(), &json, &length, nullptr), ONSHI_OK);
  StringPtr owned(json);
  EXPECT_THAT(std::string(json, length), HasSubstr("\"cap_yen\":\"80100\""));
}

// Without 限度額 consent the answer carries no 区分: under 70 nothing decides the cap.
TEST_F(BillingTest, NoConsentMeansLimitCategoryUnknown) {
  ASSERT_TRUE(CheckInto("valid-kyokai-honnin", "cap-no-consent", false));
  CapOutcome out = GetCap("cap-no-consent");
  EXPECT_EQ(out.status, ONSHI_FAILED_PRECONDITION);
  EXPECT_EQ(out.reason(), "ONSHI_LIMIT_CATEGORY_UNKNOWN");
  EXPECT_STRNE(onshi_error_staff_message(out.error.get()), "");
  EXPECT_EQ(out.cap, nullptr);
}

// 70–74 without consent: the 高齢受給者証 2割 says 一般 at the window.
TEST_F(BillingTest, SeventyPlusWithoutConsentUsesTheRatio) {
  ASSERT_TRUE(CheckInto("elderly-70-74-2wari", "cap-elderly-no-consent", false));
  CapOutcome out = GetCap("cap-elderly-no-consent");
  ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
  EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), 18'000);
  EXPECT_STREQ(onshi_self_pay_cap_category_code(out.cap.get()), "B04");
  EXPECT_EQ(onshi_self_pay_cap_category_source(out.cap.get()), ONSHI_CAP_SOURCE_AGE_AND_RATIO);
  EXPECT_EQ(onshi_self_pay_cap_age_band(out.cap.get()), ONSHI_CAP_AGE_BAND_70_TO_74);
  bool explained = false;
  for (int32_t i = 0; i < onshi_self_pay_cap_notice_count(out.cap.get()); ++i) {
    explained |= std::string(onshi_self_pay_cap_notice_code(out.cap.get(), i)) ==
                 "ONSHI_NOTICE_CAP_CATEGORY_FROM_RATIO";
  }
  EXPECT_TRUE(explained);
}

// Born 1956-03-01: a birthday on the 1st puts the 70–74 rules in March 2026 itself (not
// April); February 2026 is still under 70, where B04 does not exist.
TEST_F(BillingTest, BirthdayOnTheFirstMovesTheSeventyBoundaryIntoTheBirthdayMonth) {
  ASSERT_TRUE(CheckInto("elderly-70-74-2wari", "cap-born-on-first", true));
  CapSpec march;
  march.month = "202603";
  CapOutcome out = GetCap("cap-born-on-first", march);
  ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
  EXPECT_EQ(onshi_self_pay_cap_age_band(out.cap.get()), ONSHI_CAP_AGE_BAND_70_TO_74);
  EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), 18'000);
  EXPECT_STREQ(onshi_self_pay_cap_rule_date(out.cap.get()), "20260301");

  CapSpec february;
  february.month = "202602";
  out = GetCap("cap-born-on-first", february);
  EXPECT_EQ(out.status, ONSHI_FAILED_PRECONDITION);
  EXPECT_EQ(out.reason(), "ONSHI_LIMIT_CATEGORY_UNKNOWN");
}

// The same boundary for the copay ratio (copay_ratio.h), end to end: on 2026-02-28 the patient
// born 1956-03-01 is under the 70–74 rules (3割 by age; the 高齢受給者証 is not in force yet,
// and nothing is missing); on 2026-03-01 the 高齢受給者証 2割 applies without any warning.
TEST_F(BillingTest, BirthdayOnTheFirstMovesTheCopayBoundaryIntoTheBirthdayMonth) {
  const auto codes_of = [](const onshi_qualification* q) {
    std::vector<std::string> codes;
    for (int32_t i = 0; i < onshi_qualification_notice_count(q); ++i) {
      codes.push_back(onshi_qualification_notice_code(q, i));
    }
    return codes;
  };
  const sim::v1::Patient& patient = PatientByScenario("elderly-70-74-2wari");
  RequestSpec spec;
  spec.timeout_ms = stack().check_timeout_ms();

  spec.confirmation_date = "20260301";
  RequestPtr request = NewRequestFor(patient, spec);
  CheckOutcome on_first = Check(client(), request.get());
  ASSERT_EQ(on_first.status, ONSHI_OK) << on_first.Describe();
  stack().NoteAnswered(on_first.result.get());
  EXPECT_EQ(onshi_qualification_copay_ratio_percent(on_first.result.get()), 20);
  for (const char* warning :
       {"ONSHI_NOTICE_ELDERLY_CERTIFICATE_UNEXPECTED", "ONSHI_NOTICE_ELDERLY_RATIO_MISSING",
        "ONSHI_NOTICE_COPAY_RATIO_UNEXPECTED_FOR_AGE",
        "ONSHI_NOTICE_ELDERLY_CERTIFICATE_NOT_IN_FORCE"}) {
    EXPECT_THAT(codes_of(on_first.result.get()), ::testing::Not(::testing::Contains(warning)));
  }

  spec.confirmation_date = "20260228";
  request = NewRequestFor(patient, spec);
  CheckOutcome day_before = Check(client(), request.get());
  ASSERT_EQ(day_before.status, ONSHI_OK) << day_before.Describe();
  stack().NoteAnswered(day_before.result.get());
  EXPECT_EQ(onshi_qualification_copay_ratio_percent(day_before.result.get()), 30);
  const std::vector<std::string> codes = codes_of(day_before.result.get());
  EXPECT_THAT(codes, ::testing::Contains("ONSHI_NOTICE_ELDERLY_CERTIFICATE_NOT_IN_FORCE"));
  EXPECT_THAT(codes, ::testing::Not(::testing::Contains("ONSHI_NOTICE_ELDERLY_RATIO_MISSING")));
  EXPECT_THAT(codes,
              ::testing::Not(::testing::Contains("ONSHI_NOTICE_COPAY_RATIO_UNEXPECTED_FOR_AGE")));
}

bool HasNotice(const onshi_self_pay_cap* cap, const std::string& code) {
  for (int32_t i = 0; i < onshi_self_pay_cap_notice_count(cap); ++i) {
    if (code == onshi_self_pay_cap_notice_code(cap, i)) return true;
  }
  return false;
}

// Born 1956-11-10: 70 in the middle of 2026-11, no 限度額 certificate, 3割. The whole of
// November is still under 70 (income decides the 区分: unknown without a certificate); the 70–74
// rules start on 2026-12-01, where the 3割 ratio puts the patient at 現役並みⅢ at the window.
TEST_F(BillingTest, SeventiethBirthdayMidMonthChangesTheTableFromTheNextMonth) {
  ASSERT_TRUE(CheckInto("age-70-mid-month", "cap-70-mid-month", true));
  CapSpec november;
  november.cost = 1'000'000;
  CapOutcome out = GetCap("cap-70-mid-month", november);
  EXPECT_EQ(out.status, ONSHI_FAILED_PRECONDITION);
  EXPECT_EQ(out.reason(), "ONSHI_LIMIT_CATEGORY_UNKNOWN");

  CapSpec december = november;
  december.month = "202612";
  out = GetCap("cap-70-mid-month", december);
  ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
  EXPECT_EQ(onshi_self_pay_cap_age_band(out.cap.get()), ONSHI_CAP_AGE_BAND_70_TO_74);
  EXPECT_STREQ(onshi_self_pay_cap_rule_date(out.cap.get()), "20261201");
  EXPECT_STREQ(onshi_self_pay_cap_category_code(out.cap.get()), "B01");
  EXPECT_EQ(onshi_self_pay_cap_category_source(out.cap.get()), ONSHI_CAP_SOURCE_AGE_AND_RATIO);
  // 252,600 + (1,000,000 − 842,000) × 1% = 252,600 + 1,580 = 254,180.
  EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), 254'180);
  EXPECT_TRUE(HasNotice(out.cap.get(), "ONSHI_NOTICE_CAP_CATEGORY_FROM_RATIO"));
}

// Born 1951-11-10: 後期高齢者 from 2026-11-10; November 2026 is the 75th-birthday month, so
// every amount is halved; December is not.
TEST_F(BillingTest, SeventyFifthBirthdayMonthHalvesTheCap) {
  ASSERT_TRUE(CheckInto("turning-75-this-month", "cap-turning-75", true));
  CapOutcome out = GetCap("cap-turning-75");
  ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
  EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), 9'000);  // 18,000 / 2
  EXPECT_EQ(onshi_self_pay_cap_turning_75_halved(out.cap.get()), 1);
  EXPECT_EQ(onshi_self_pay_cap_age_band(out.cap.get()), ONSHI_CAP_AGE_BAND_LATE_ELDERLY);
  EXPECT_TRUE(HasNotice(out.cap.get(), "ONSHI_NOTICE_CAP_TURNING_75_HALVED"));
  EXPECT_THAT(onshi_self_pay_cap_formula(out.cap.get()), HasSubstr("75歳到達月"));

  CapSpec inpatient;
  inpatient.inpatient = true;
  out = GetCap("cap-turning-75", inpatient);
  ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
  EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), 28'800);  // 57,600 / 2

  CapSpec december;
  december.month = "202612";
  out = GetCap("cap-turning-75", december);
  ASSERT_EQ(out.status, ONSHI_OK) << out.reason();
  EXPECT_EQ(onshi_self_pay_cap_yen(out.cap.get()), 18'000);
  EXPECT_EQ(onshi_self_pay_cap_turning_75_halved(out.cap.get()), 0);
}

TEST_F(BillingTest, UnknownPatientAndBadInputAreRefused) {
  CapOutcome out = GetCap("cap-nobody");
  EXPECT_EQ(out.status, ONSHI_NOT_FOUND);
  EXPECT_EQ(out.reason(), "ONSHI_PATIENT_NOT_FOUND");

  ASSERT_TRUE(CheckInto("valid-kyokai-honnin", "cap-bad-input", true));
  CapSpec spec;
  spec.month = "2026-11";
  out = GetCap("cap-bad-input", spec);
  EXPECT_EQ(out.status, ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(out.reason(), "ONSHI_INVALID_ARGUMENT");

  // The builder refuses what it can see itself.
  CapRequestPtr request(onshi_cap_request_new());
  onshi_error* error = nullptr;
  EXPECT_EQ(onshi_cap_request_set_total_cost(request.get(), -1, &error), ONSHI_INVALID_ARGUMENT);
  onshi_error_free(error);
  EXPECT_EQ(onshi_cap_request_set_many_times(request.get(), 2, nullptr), ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_cap_request_set_care_setting(request.get(), 3, nullptr), ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_cap_request_set_specific_disease(request.get(), 4, nullptr),
            ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_cap_request_set_patient_id(nullptr, "x", nullptr), ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_cap_request_set_month(request.get(), nullptr, nullptr), ONSHI_INVALID_ARGUMENT);
  onshi_self_pay_cap* cap = nullptr;
  EXPECT_EQ(onshi_get_self_pay_cap(client(), nullptr, &cap, nullptr), ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(cap, nullptr);
  // Getters on NULL: empty, never a crash.
  EXPECT_EQ(onshi_self_pay_cap_yen(nullptr), 0);
  EXPECT_STREQ(onshi_self_pay_cap_formula(nullptr), "");
  EXPECT_EQ(onshi_self_pay_cap_notice_count(nullptr), 0);
}

// sample_host: the check panel shows this month's cap; the cap command prints it with the
// formula; no 区分 exits 1 with the staff text.
TEST_F(BillingTest, SampleHostShowsTheCapOnThePanelAndWithTheCapCommand) {
  const sim::v1::Patient& patient = PatientByScenario("valid-kyokai-honnin");
  int exit_code = -1;
  std::string out =
      RunHost({"check", "--insurer", patient.card().insurer_number(), "--symbol",
               patient.card().insured_card_symbol(), "--number",
               patient.card().insured_identification_number(), "--branch",
               patient.card().insured_branch_number(), "--birth", patient.birth_date(), "--date",
               kConfirmationDate, "--limit-consent", "--patient", "cap-host"},
              "check", &exit_code);
  EXPECT_EQ(exit_code, 0) << out;
  EXPECT_THAT(out, HasSubstr("今月の自己負担限度額 (外来): 80,100円 (基本額)"));
  EXPECT_THAT(out, HasSubstr("総医療費−267,000円"));

  out = RunHost({"cap", "--patient", "cap-host", "--month", "202611", "--total-cost", "500000",
                 "--inpatient"},
                "cap", &exit_code);
  EXPECT_EQ(exit_code, 0) << out;
  EXPECT_THAT(out, HasSubstr("自己負担限度額: 82,430円"));
  EXPECT_THAT(out, HasSubstr("限度額区分: 区分ウ (A03)"));
  EXPECT_THAT(out, HasSubstr("入院"));

  ASSERT_TRUE(CheckInto("valid-kyokai-honnin", "cap-host-none", false));
  out = RunHost({"cap", "--patient", "cap-host-none"}, "cap-none", &exit_code);
  EXPECT_EQ(exit_code, 1) << out;
  EXPECT_THAT(out, HasSubstr("ONSHI_LIMIT_CATEGORY_UNKNOWN"));
  EXPECT_THAT(out, HasSubstr("限度額適用区分が分からない"));
}

}  // namespace
}  // namespace onshi::integration
