// The consent ledger end to end (docs/consent.md): the simulator and onshid as processes, the
// host through the C API only. Every path to medication, checkup and 限度額 data is tried
// without a valid consent; a refused request must not reach req/ (the simulator's log names
// every request it takes from there).

#include <sys/wait.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "onshi/v1/checkin_service.pb.h"
#include "onshi/v1/consent_service.pb.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

using ::testing::HasSubstr;
using Consents = std::vector<sim::v1::ConsentCategory>;

constexpr sim::v1::ConsentCategory kPharmacists = sim::v1::CONSENT_CATEGORY_PHARMACISTS;
constexpr sim::v1::ConsentCategory kCheckups = sim::v1::CONSENT_CATEGORY_CHECKUPS;
constexpr sim::v1::ConsentCategory kLimit = sim::v1::CONSENT_CATEGORY_LIMIT;

struct MedicationRequestFreer {
  void operator()(onshi_medication_request* r) const { onshi_medication_request_free(r); }
};
struct MedicationFreer {
  void operator()(onshi_medication* m) const { onshi_medication_free(m); }
};
struct CheckupRequestFreer {
  void operator()(onshi_checkup_request* r) const { onshi_checkup_request_free(r); }
};
struct CheckupsFreer {
  void operator()(onshi_checkups* c) const { onshi_checkups_free(c); }
};
struct ConsentsFreer {
  void operator()(onshi_consents* c) const { onshi_consents_free(c); }
};
using MedicationRequestPtr = std::unique_ptr<onshi_medication_request, MedicationRequestFreer>;
using MedicationPtr = std::unique_ptr<onshi_medication, MedicationFreer>;
using CheckupRequestPtr = std::unique_ptr<onshi_checkup_request, CheckupRequestFreer>;
using CheckupsPtr = std::unique_ptr<onshi_checkups, CheckupsFreer>;
using ConsentsPtr = std::unique_ptr<onshi_consents, ConsentsFreer>;

// The requests of `kind` ("medication-request", "checkup-request") the simulator took so far.
int64_t Taken(const Stack& stack, const std::string& kind) {
  const std::string log = ReadFile(stack.sim_log());
  const std::string needle = kind + " ";
  int64_t count = 0;
  for (size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) {
    const size_t end = log.find('\n', at);
    if (log.substr(at, end - at).find(" scenario=") != std::string::npos) ++count;
  }
  return count;
}

int64_t TakenMedical(const Stack& stack) {
  return Taken(stack, "medication-request") + Taken(stack, "checkup-request");
}

template <typename Message>
Message Parse(const char* json, size_t length) {
  Message message;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (json != nullptr) {
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(json, length), &message, options)
            .ok());
  }
  return message;
}

struct MedicationOutcome {
  onshi_status status = ONSHI_UNKNOWN;
  MedicationPtr result;
  ErrorPtr error;
  std::string reason() const { return onshi_error_reason(error.get()); }
  std::string Describe() const {
    return std::string(onshi_status_name(status)) + " " + reason() + ": " +
           onshi_error_it_message(error.get());
  }
};

// Each test registers its own dataset patient: a check-in matches a patient by identity, and two
// patient ids with one identity would be ambiguous (no consent recorded for either).
class ConsentTest : public SharedStackTest<ConsentTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "consent";
    options.answer_timeout_ms = 10000;
    return options;
  }

 protected:
  void Register(const std::string& scenario, const std::string& patient_id,
                bool limit_consent = false) {
    RequestSpec spec;
    spec.patient_id = patient_id;
    spec.limit_consent = limit_consent;
    spec.timeout_ms = stack().check_timeout_ms();
    CheckOutcome outcome = Check(client(), NewRequestFor(PatientByScenario(scenario), spec).get());
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    stack().NoteAnswered(outcome.result.get());
    last_check_ = ResponseOf(outcome.result.get());
  }

  static v1::CheckQualificationResponse ResponseOf(const onshi_qualification* q) {
    char* json = nullptr;
    size_t length = 0;
    EXPECT_EQ(onshi_qualification_to_json(q, &json, &length, nullptr), ONSHI_OK);
    StringPtr owned(json);
    return Parse<v1::CheckQualificationResponse>(json, length);
  }

  // The patient at the card reader; returns the event onshid recorded (and the host saw).
  v1::CheckinEvent CheckIn(const std::string& scenario, const Consents& consents,
                           absl::Time at = absl::Now()) {
    return CheckInAtTheReader(stack(), client(), scenario, consents, at);
  }

  MedicationRequestPtr NewMedication(const std::string& patient_id,
                                     const std::string& request_id = "",
                                     int32_t setting = ONSHI_CARE_SETTING_OUTPATIENT) {
    MedicationRequestPtr request(onshi_medication_request_new());
    EXPECT_EQ(onshi_medication_request_set_patient_id(request.get(), patient_id.c_str(), nullptr),
              ONSHI_OK);
    if (!request_id.empty()) {
      EXPECT_EQ(onshi_medication_request_set_request_id(request.get(), request_id.c_str(), nullptr),
                ONSHI_OK);
    }
    EXPECT_EQ(onshi_medication_request_set_care_setting(request.get(), setting, nullptr), ONSHI_OK);
    EXPECT_EQ(
        onshi_medication_request_set_timeout_ms(request.get(), stack().check_timeout_ms(), nullptr),
        ONSHI_OK);
    return request;
  }

  MedicationOutcome GetMedication(const onshi_medication_request* request) {
    onshi_medication* m = nullptr;
    onshi_error* err = nullptr;
    MedicationOutcome outcome;
    outcome.status = onshi_get_medication_history(client(), request, &m, &err);
    outcome.result.reset(m);
    outcome.error.reset(err);
    return outcome;
  }

  // GetCheckups for the patient in `setting`: the status and reason.
  std::pair<onshi_status, std::string> GetCheckups(
      const std::string& patient_id, int32_t setting = ONSHI_CARE_SETTING_OUTPATIENT) {
    CheckupRequestPtr request(onshi_checkup_request_new());
    EXPECT_EQ(onshi_checkup_request_set_patient_id(request.get(), patient_id.c_str(), nullptr),
              ONSHI_OK);
    EXPECT_EQ(onshi_checkup_request_set_care_setting(request.get(), setting, nullptr), ONSHI_OK);
    EXPECT_EQ(
        onshi_checkup_request_set_timeout_ms(request.get(), stack().check_timeout_ms(), nullptr),
        ONSHI_OK);
    onshi_checkups* c = nullptr;
    onshi_error* err = nullptr;
    const onshi_status status = onshi_get_checkups(client(), request.get(), &c, &err);
    CheckupsPtr result(c);
    ErrorPtr error(err);
    if (status != ONSHI_OK) {
      EXPECT_EQ(result, nullptr);
    }
    return {status, onshi_error_reason(error.get())};
  }

  ConsentsPtr List(const std::string& patient_id, int64_t at_ms = 0,
                   int32_t setting = ONSHI_CONSENT_SETTING_OUTPATIENT) {
    onshi_consents* c = nullptr;
    onshi_error* err = nullptr;
    const onshi_status status =
        onshi_list_consents(client(), patient_id.c_str(), at_ms, setting, &c, &err);
    ErrorPtr error(err);
    EXPECT_EQ(status, ONSHI_OK) << onshi_error_reason(error.get());
    return ConsentsPtr(c);
  }

  // Index of `scope` in a ListConsents answer.
  static int32_t IndexOf(const onshi_consents* c, int32_t scope) {
    for (int32_t i = 0; i < onshi_consents_count(c); ++i) {
      if (onshi_consents_scope(c, i) == scope) return i;
    }
    ADD_FAILURE() << "no verdict for scope " << scope;
    return -1;
  }

  v1::PatientRecord Record(const std::string& patient_id) {
    char* json = nullptr;
    size_t length = 0;
    onshi_error* err = nullptr;
    const onshi_status status =
        onshi_get_patient_record(client(), patient_id.c_str(), 0, &json, &length, &err);
    ErrorPtr error(err);
    StringPtr owned(json);
    EXPECT_EQ(status, ONSHI_OK) << onshi_error_reason(error.get());
    return Parse<v1::PatientRecord>(json, length);
  }

  static void ExpectRefused(const MedicationOutcome& outcome, const std::string& reason) {
    EXPECT_EQ(outcome.status, ONSHI_FAILED_PRECONDITION) << outcome.Describe();
    EXPECT_EQ(outcome.reason(), reason) << outcome.Describe();
    EXPECT_EQ(outcome.result, nullptr);
  }

  v1::CheckQualificationResponse last_check_;
};

// --- the windows, through ListConsents -----------------------------------------------------

TEST_F(ConsentTest, ListConsentsShowsEachScopesWindowFromTheCheckin) {
  Register("limit-a04", "it-con-list");
  // Nothing yet: every scope refused.
  ConsentsPtr none = List("it-con-list");
  ASSERT_NE(none, nullptr);
  ASSERT_EQ(onshi_consents_count(none.get()), 6);
  for (int32_t i = 0; i < 6; ++i) {
    EXPECT_EQ(onshi_consents_allowed(none.get(), i), 0);
    EXPECT_STREQ(onshi_consents_reason(none.get(), i), "ONSHI_NO_CONSENT");
  }
  const absl::Time at = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  CheckIn("limit-a04", {kPharmacists}, at);
  ConsentsPtr listed = List("it-con-list");
  ASSERT_NE(listed, nullptr);
  const int32_t medication = IndexOf(listed.get(), ONSHI_CONSENT_SCOPE_MEDICATION);
  ASSERT_GE(medication, 0);
  EXPECT_EQ(onshi_consents_allowed(listed.get(), medication), 1);
  EXPECT_STREQ(onshi_consents_reason(listed.get(), medication), "");
  EXPECT_EQ(onshi_consents_valid_until_ms(listed.get(), medication),
            absl::ToUnixMillis(at + absl::Hours(24)));
  EXPECT_EQ(onshi_consents_source(listed.get(), medication), ONSHI_CONSENT_SOURCE_CARD_READER);
  EXPECT_EQ(onshi_consents_setting(listed.get(), medication), ONSHI_CONSENT_SETTING_OUTPATIENT);
  const int32_t checkups = IndexOf(listed.get(), ONSHI_CONSENT_SCOPE_CHECKUPS);
  EXPECT_EQ(onshi_consents_allowed(listed.get(), checkups), 0);
  EXPECT_STREQ(onshi_consents_reason(listed.get(), checkups), "ONSHI_NO_CONSENT");
  // 25 hours later the window has ended.
  ConsentsPtr later = List("it-con-list", absl::ToUnixMillis(at + absl::Hours(25)));
  EXPECT_EQ(onshi_consents_allowed(later.get(), medication), 0);
  EXPECT_STREQ(onshi_consents_reason(later.get(), medication), "ONSHI_CONSENT_EXPIRED");
  EXPECT_EQ(onshi_consents_valid_until_ms(later.get(), medication),
            absl::ToUnixMillis(at + absl::Hours(24)));
  // For a home visit the on-site consent does not count.
  ConsentsPtr visit = List("it-con-list", 0, ONSHI_CONSENT_SETTING_HOME_VISIT);
  EXPECT_STREQ(onshi_consents_reason(visit.get(), medication), "ONSHI_CONSENT_WRONG_SETTING");
  // The sample host's panel: the window with its end, in Japanese.
  {
    SpawnOptions spawn;
    spawn.argv = {ONSHI_IT_SAMPLE_HOST_BINARY,
                  "--socket",
                  stack().socket_path(),
                  "consents",
                  "--patient",
                  "it-con-list"};
    spawn.stdout_path = stack().root() + "/sample_host.consents.out";
    spawn.stderr_path = stack().root() + "/sample_host.consents.err";
    spawn.wait_for_ready = false;
    std::string error;
    std::unique_ptr<Process> host = Process::Spawn(spawn, &error);
    ASSERT_NE(host, nullptr) << error;
    int status = 0;
    ASSERT_TRUE(host->WaitForExit(kSettleTimeout, &status));
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    const std::string out = ReadFile(spawn.stdout_path);
    const std::string until = JstStamp(at + absl::Hours(24));
    EXPECT_THAT(
        out, HasSubstr("薬剤情報: 閲覧可 " + until.substr(0, 4) + "年" + until.substr(4, 2) + "月" +
                       until.substr(6, 2) + "日 " + until.substr(8, 2) + ":" + until.substr(10, 2) +
                       " まで（カードリーダー）"));
    EXPECT_THAT(out, HasSubstr("特定健診情報: 不可 — 同意なし"));
  }
  // The clerk records an admission and a discharge from the sample host; a second admission of
  // an admitted patient is refused with the staff text; without --user nothing is recorded.
  {
    auto run_host = [&](const std::string& name, std::vector<std::string> args, int* exit_code) {
      SpawnOptions spawn;
      spawn.argv = {ONSHI_IT_SAMPLE_HOST_BINARY, "--socket", stack().socket_path()};
      spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
      spawn.stdout_path = stack().root() + "/sample_host." + name + ".out";
      spawn.stderr_path = stack().root() + "/sample_host." + name + ".err";
      spawn.wait_for_ready = false;
      std::string error;
      std::unique_ptr<Process> host = Process::Spawn(spawn, &error);
      ASSERT_NE(host, nullptr) << error;
      int status = 0;
      ASSERT_TRUE(host->WaitForExit(kSettleTimeout, &status));
      ASSERT_TRUE(WIFEXITED(status));
      *exit_code = WEXITSTATUS(status);
    };
    int code = -1;
    run_host("admit-anonymous", {"admit", "--patient", "it-con-list"}, &code);
    EXPECT_EQ(code, 1);
    EXPECT_THAT(ReadFile(stack().root() + "/sample_host.admit-anonymous.err"),
                HasSubstr("ONSHI_INVALID_USER_ID"));
    run_host("admit", {"--user", "clerk01", "admit", "--patient", "it-con-list"}, &code);
    EXPECT_EQ(code, 0);
    EXPECT_THAT(ReadFile(stack().root() + "/sample_host.admit.out"),
                HasSubstr("入院を記録しました"));
    run_host("admit-again", {"--user", "clerk01", "admit", "--patient", "it-con-list"}, &code);
    EXPECT_EQ(code, 1);
    EXPECT_THAT(ReadFile(stack().root() + "/sample_host.admit-again.err"),
                HasSubstr("ONSHI_ALREADY_ADMITTED"));
    run_host("discharge", {"--user", "clerk01", "discharge", "--patient", "it-con-list"}, &code);
    EXPECT_EQ(code, 0);
    EXPECT_THAT(ReadFile(stack().root() + "/sample_host.discharge.out"),
                HasSubstr("退院を記録しました"));
  }
  // The raw rows: all six scopes the face file answered.
  char* json = nullptr;
  size_t length = 0;
  ASSERT_EQ(onshi_consents_to_json(listed.get(), &json, &length, nullptr), ONSHI_OK);
  StringPtr owned(json);
  const v1::ListConsentsResponse response = Parse<v1::ListConsentsResponse>(json, length);
  EXPECT_EQ(response.entries_size(), 6);

  onshi_consents* unknown = nullptr;
  onshi_error* err = nullptr;
  EXPECT_EQ(onshi_list_consents(client(), "it-con-nobody", 0, 0, &unknown, &err), ONSHI_NOT_FOUND);
  ErrorPtr error(err);
  EXPECT_STREQ(onshi_error_reason(error.get()), "ONSHI_PATIENT_NOT_FOUND");
  EXPECT_EQ(unknown, nullptr);
}

// --- every refusal path: nothing reaches req/ ------------------------------------------------

TEST_F(ConsentTest, NoConsentAtAllSendsNothing) {
  Register("kouki-2wari", "it-con-none");
  const int64_t before = TakenMedical(stack());
  ExpectRefused(GetMedication(NewMedication("it-con-none").get()), "ONSHI_NO_CONSENT");
  EXPECT_EQ(GetCheckups("it-con-none").second, "ONSHI_NO_CONSENT");
  EXPECT_EQ(TakenMedical(stack()), before);
}

TEST_F(ConsentTest, ExpiredConsentSendsNothing) {
  Register("kouki-3wari", "it-con-expired");
  CheckIn("kouki-3wari", {kPharmacists, kCheckups},
          absl::Now() - absl::Hours(24) - absl::Minutes(1));
  const int64_t before = TakenMedical(stack());
  ExpectRefused(GetMedication(NewMedication("it-con-expired").get()), "ONSHI_CONSENT_EXPIRED");
  EXPECT_EQ(GetCheckups("it-con-expired").second, "ONSHI_CONSENT_EXPIRED");
  EXPECT_EQ(TakenMedical(stack()), before);
}

TEST_F(ConsentTest, WrongSettingSendsNothing) {
  Register("elderly-70-74-2wari", "it-con-setting");
  CheckIn("elderly-70-74-2wari", {kPharmacists, kCheckups});
  const int64_t before = TakenMedical(stack());
  ExpectRefused(
      GetMedication(NewMedication("it-con-setting", "", ONSHI_CARE_SETTING_HOME_VISIT).get()),
      "ONSHI_CONSENT_WRONG_SETTING");
  EXPECT_EQ(GetCheckups("it-con-setting", ONSHI_CARE_SETTING_ONLINE).second,
            "ONSHI_CONSENT_WRONG_SETTING");
  EXPECT_EQ(TakenMedical(stack()), before);
  // At the desk the same consent works.
  MedicationOutcome desk = GetMedication(NewMedication("it-con-setting").get());
  EXPECT_EQ(desk.status, ONSHI_OK) << desk.Describe();
  EXPECT_EQ(TakenMedical(stack()), before + 1);
}

TEST_F(ConsentTest, NeverRetrievableHolderSendsNothingEvenInAnEmergency) {
  Register("jieikan", "it-con-jieikan");
  CheckIn("jieikan", sim::AllConsentCategories());
  const int64_t before = TakenMedical(stack());
  ExpectRefused(GetMedication(NewMedication("it-con-jieikan").get()),
                "ONSHI_CONSENT_NEVER_AVAILABLE");
  ExpectRefused(
      GetMedication(NewMedication("it-con-jieikan", "", ONSHI_CARE_SETTING_EMERGENCY).get()),
      "ONSHI_CONSENT_NEVER_AVAILABLE");
  EXPECT_EQ(GetCheckups("it-con-jieikan").second, "ONSHI_CONSENT_NEVER_AVAILABLE");
  EXPECT_EQ(TakenMedical(stack()), before);
}

TEST_F(ConsentTest, GracePeriodHolderIsRefusedByTheTerminalUnderAValidConsent) {
  // No field of the answer says "grace period" (docs/consent.md): onshi's ledger allows, the
  // terminal refuses, and no data comes back.
  Register("cert-grace", "it-con-grace");
  CheckIn("cert-grace", sim::AllConsentCategories());
  const int64_t before = TakenMedical(stack());
  MedicationOutcome refused = GetMedication(NewMedication("it-con-grace").get());
  ExpectRefused(refused, "ONSHI_NO_CONSENT");
  EXPECT_THAT(std::string(onshi_error_it_message(refused.error.get())), HasSubstr("ResultCode 2"));
  EXPECT_EQ(GetCheckups("it-con-grace").second, "ONSHI_NO_CONSENT");
  EXPECT_EQ(TakenMedical(stack()), before + 2);
}

TEST_F(ConsentTest, ValidConsentReturnsTheData) {
  Register("valid-kyokai-honnin", "it-con-valid");
  CheckIn("valid-kyokai-honnin", {kPharmacists, kCheckups});
  const int64_t before = TakenMedical(stack());
  MedicationOutcome medication = GetMedication(NewMedication("it-con-valid").get());
  ASSERT_EQ(medication.status, ONSHI_OK) << medication.Describe();
  EXPECT_GT(onshi_medication_month_count(medication.result.get()), 0);
  EXPECT_EQ(GetCheckups("it-con-valid").first, ONSHI_OK);
  EXPECT_EQ(TakenMedical(stack()), before + 2);
}

// --- the traps ---------------------------------------------------------------------------------

TEST_F(ConsentTest, ConsentExpiringBetweenTwoCallsAllowsTheFirstAndSendsNothingForTheSecond) {
  Register("kouki-1wari", "it-con-between");
  // A consent whose 24 hours end a few seconds from now.
  const absl::Time at =
      absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now())) - absl::Hours(24) + absl::Seconds(6);
  CheckIn("kouki-1wari", {kPharmacists}, at);
  const int64_t before = TakenMedical(stack());
  MedicationOutcome first = GetMedication(NewMedication("it-con-between").get());
  ASSERT_EQ(first.status, ONSHI_OK) << first.Describe();
  EXPECT_EQ(TakenMedical(stack()), before + 1);
  const absl::Time end = at + absl::Hours(24);
  while (absl::Now() <= end) absl::SleepFor(absl::Milliseconds(200));
  ExpectRefused(GetMedication(NewMedication("it-con-between").get()), "ONSHI_CONSENT_EXPIRED");
  EXPECT_EQ(TakenMedical(stack()), before + 1);
}

TEST_F(ConsentTest, TheSameRequestFiveTimesAtOnceIsOneTerminalRequestWithFiveEqualOutcomes) {
  Register("limit-a05", "it-con-five");
  CheckIn("limit-a05", {kPharmacists});
  const int64_t before = TakenMedical(stack());
  MedicationRequestPtr request = NewMedication("it-con-five", "it-con-five-000001");
  std::vector<MedicationOutcome> outcomes(5);
  std::vector<std::thread> threads;
  std::atomic<int> ready{0};
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < 5) std::this_thread::yield();
      outcomes[i] = GetMedication(request.get());
    });
  }
  for (std::thread& t : threads) t.join();
  std::string first_json;
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(outcomes[i].status, ONSHI_OK) << outcomes[i].Describe();
    char* json = nullptr;
    size_t length = 0;
    ASSERT_EQ(onshi_medication_to_json(outcomes[i].result.get(), &json, &length, nullptr),
              ONSHI_OK);
    StringPtr owned(json);
    if (i == 0) first_json.assign(json, length);
    EXPECT_EQ(std::string(json, length), first_json) << "outcome " << i;
  }
  EXPECT_EQ(TakenMedical(stack()), before + 1);

  // Refused five times at once: five equal refusals, nothing sent.
  Register("limit-b02", "it-con-five-refused");
  MedicationRequestPtr refused = NewMedication("it-con-five-refused", "it-con-five-000002");
  std::vector<MedicationOutcome> refusals(5);
  threads.clear();
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&, i] { refusals[i] = GetMedication(refused.get()); });
  }
  for (std::thread& t : threads) t.join();
  for (const MedicationOutcome& outcome : refusals) ExpectRefused(outcome, "ONSHI_NO_CONSENT");
  EXPECT_EQ(TakenMedical(stack()), before + 1);
}

// --- 限度額 data ------------------------------------------------------------------------------

TEST_F(ConsentTest, LimitDataIsAbsentWithoutConsentAndPresentUnderIt) {
  // A check without the 限度額 consent: no 限度額 data in the answer, the record or the bill.
  Register("limit-a01", "it-con-limit");
  ASSERT_GT(last_check_.result().records_size(), 0);
  EXPECT_FALSE(last_check_.result().records(0).has_limit_certificate());
  EXPECT_TRUE(last_check_.billing().limit_category_code().empty());
  v1::PatientRecord record = Record("it-con-limit");
  EXPECT_FALSE(record.current_coverage().coverage().has_limit_certificate());
  // A check-in without it: the event carries none either.
  v1::CheckinEvent event = CheckIn("limit-a01", {kPharmacists});
  ASSERT_GT(event.result().records_size(), 0);
  EXPECT_FALSE(event.result().records(0).has_limit_certificate());
  EXPECT_TRUE(event.billing().limit_category_code().empty());
  ConsentsPtr listed = List("it-con-limit");
  const int32_t limit = IndexOf(listed.get(), ONSHI_CONSENT_SCOPE_LIMIT_CERTIFICATE);
  EXPECT_EQ(onshi_consents_allowed(listed.get(), limit), 0);

  // Staff asked the patient (the check's consent): the answer and the record carry it, and the
  // ledger holds a staff-recorded 限度額 consent.
  Register("limit-a01", "it-con-limit", /*limit_consent=*/true);
  EXPECT_TRUE(last_check_.result().records(0).has_limit_certificate());
  EXPECT_EQ(last_check_.billing().limit_category_code(), "A01");
  record = Record("it-con-limit");
  EXPECT_TRUE(record.current_coverage().coverage().has_limit_certificate());
  listed = List("it-con-limit");
  EXPECT_EQ(onshi_consents_allowed(listed.get(), limit), 1);
  EXPECT_EQ(onshi_consents_source(listed.get(), limit), ONSHI_CONSENT_SOURCE_STAFF);

  // At the card reader with 限度額 consent: the event carries it too.
  event = CheckIn("limit-a01", {kLimit});
  EXPECT_TRUE(event.result().records(0).has_limit_certificate());
}

TEST_F(ConsentTest, StaffConsentIsIdempotentAndOnlyForKnownPatients) {
  Register("limit-a06", "it-con-staff");
  onshi_error* err = nullptr;
  ASSERT_EQ(onshi_record_staff_consent(client(), "it-con-staff-0001", "it-con-staff", &err),
            ONSHI_OK);
  ASSERT_EQ(onshi_record_staff_consent(client(), "it-con-staff-0001", "it-con-staff", &err),
            ONSHI_OK);
  ConsentsPtr listed = List("it-con-staff");
  char* json = nullptr;
  size_t length = 0;
  ASSERT_EQ(onshi_consents_to_json(listed.get(), &json, &length, nullptr), ONSHI_OK);
  StringPtr owned(json);
  const v1::ListConsentsResponse response = Parse<v1::ListConsentsResponse>(json, length);
  int staff_rows = 0;
  for (const v1::ConsentEntry& entry : response.entries()) {
    staff_rows += entry.source() == v1::CONSENT_SOURCE_STAFF;
  }
  EXPECT_EQ(staff_rows, 1);
  // Staff consent opens 限度額 only, never medication.
  const int64_t before = TakenMedical(stack());
  ExpectRefused(GetMedication(NewMedication("it-con-staff").get()), "ONSHI_NO_CONSENT");
  EXPECT_EQ(TakenMedical(stack()), before);

  EXPECT_EQ(onshi_record_staff_consent(client(), "it-con-staff-0002", "it-con-nobody", &err),
            ONSHI_NOT_FOUND);
  ErrorPtr error(err);
  EXPECT_STREQ(onshi_error_reason(error.get()), "ONSHI_PATIENT_NOT_FOUND");
}

// --- the inpatient stay (入院) --------------------------------------------------------------

TEST_F(ConsentTest, ABedsideConsentLastsWhileAdmittedAndTheDischargeEndsIt) {
  // The simulator releases this patient's 訪問診療等 requests past 24 hours (its standing
  // 居宅同意): a terminal that honours the stay, since 入院 reaches it as 訪問診療等. onshi never
  // learns that standing consent (docs/consent.md), so on onshi's side only the stay allows.
  Register("home-care-consent", "it-con-inpatient");
  onshi_error* err = nullptr;
  // A clerk records admissions: without a user id the call is refused.
  ASSERT_EQ(onshi_client_set_user_id(client(), "", nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_record_admission(client(), "it-con-adm-0001", "it-con-inpatient", 0, &err),
            ONSHI_INVALID_ARGUMENT);
  {
    ErrorPtr error(err);
    EXPECT_STREQ(onshi_error_reason(error.get()), "ONSHI_INVALID_USER_ID");
  }
  ASSERT_EQ(onshi_client_set_user_id(client(), "clerk-ward3", nullptr), ONSHI_OK);
  struct NoUserIdAfter {
    onshi_client* client;
    ~NoUserIdAfter() { onshi_client_set_user_id(client, "", nullptr); }
  } reset{client()};

  // Admitted 50 hours ago, at the bedside reader an hour later: two days on, that consent's own
  // 24 hours are long over.
  const absl::Time now = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  const absl::Time admitted = now - absl::Hours(50);
  err = nullptr;
  ASSERT_EQ(onshi_record_admission(client(), "it-con-adm-0001", "it-con-inpatient",
                                   absl::ToUnixMillis(admitted), &err),
            ONSHI_OK)
      << onshi_error_reason(err);
  // Retried: the same stay. A second admission while admitted: refused.
  ASSERT_EQ(onshi_record_admission(client(), "it-con-adm-0001", "it-con-inpatient",
                                   absl::ToUnixMillis(admitted), nullptr),
            ONSHI_OK);
  EXPECT_EQ(onshi_record_admission(client(), "it-con-adm-0002", "it-con-inpatient", 0, &err),
            ONSHI_FAILED_PRECONDITION);
  {
    ErrorPtr error(err);
    EXPECT_STREQ(onshi_error_reason(error.get()), "ONSHI_ALREADY_ADMITTED");
  }
  CheckIn("home-care-consent", {kPharmacists}, admitted + absl::Hours(1));

  // The ledger says so.
  ConsentsPtr listed = List("it-con-inpatient", 0, ONSHI_CONSENT_SETTING_INPATIENT);
  ASSERT_NE(listed, nullptr);
  const int32_t medication = IndexOf(listed.get(), ONSHI_CONSENT_SCOPE_MEDICATION);
  ASSERT_GE(medication, 0);
  EXPECT_EQ(onshi_consents_allowed(listed.get(), medication), 1);
  EXPECT_EQ(onshi_consents_while_admitted(listed.get(), medication), 1);
  EXPECT_EQ(onshi_consents_valid_until_ms(listed.get(), medication), INT64_MAX);

  // 外来 the same consent has expired; 入院 it is valid and the terminal is asked.
  const int64_t before = TakenMedical(stack());
  ExpectRefused(GetMedication(NewMedication("it-con-inpatient").get()), "ONSHI_CONSENT_EXPIRED");
  EXPECT_EQ(TakenMedical(stack()), before);
  MedicationOutcome bedside = GetMedication(
      NewMedication("it-con-inpatient", "it-con-inp-med-0001", ONSHI_CARE_SETTING_INPATIENT).get());
  ASSERT_EQ(bedside.status, ONSHI_OK) << bedside.Describe();
  EXPECT_EQ(TakenMedical(stack()), before + 1);

  // Discharged: the 入院 window is over, nothing reaches req/.
  err = nullptr;
  ASSERT_EQ(onshi_record_discharge(client(), "it-con-dis-0001", "it-con-inpatient", 0, &err),
            ONSHI_OK)
      << onshi_error_reason(err);
  EXPECT_EQ(onshi_record_discharge(client(), "it-con-dis-0002", "it-con-inpatient", 0, &err),
            ONSHI_FAILED_PRECONDITION);
  {
    ErrorPtr error(err);
    EXPECT_STREQ(onshi_error_reason(error.get()), "ONSHI_NOT_ADMITTED");
  }
  ExpectRefused(
      GetMedication(NewMedication("it-con-inpatient", "", ONSHI_CARE_SETTING_INPATIENT).get()),
      "ONSHI_CONSENT_EXPIRED");
  EXPECT_EQ(GetCheckups("it-con-inpatient", ONSHI_CARE_SETTING_INPATIENT).second,
            "ONSHI_NO_CONSENT");
  EXPECT_EQ(TakenMedical(stack()), before + 1);
  ConsentsPtr after = List("it-con-inpatient", 0, ONSHI_CONSENT_SETTING_INPATIENT);
  EXPECT_EQ(onshi_consents_allowed(after.get(), medication), 0);
  EXPECT_EQ(onshi_consents_while_admitted(after.get(), medication), 0);
}

}  // namespace
}  // namespace onshi::integration
