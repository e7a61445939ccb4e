// 薬剤情報 (YZK) and 特定健診 (TKK) end to end: the simulator and onshid as processes, consents
// given at the simulator's card reader (its control folder), and the host asking through the C
// API only (and through sample_host). onshi's consent ledger judges first (docs/consent.md;
// every refusal path is tried in consent_test.cc), then the terminal; these tests check what
// onshi makes of both.

#include <sys/stat.h>
#include <sys/wait.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "onshi/v1/checkin_service.pb.h"
#include "onshi/v1/medical_info_service.pb.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using Consents = std::vector<sim::v1::ConsentCategory>;

constexpr sim::v1::ConsentCategory kPharmacists = sim::v1::CONSENT_CATEGORY_PHARMACISTS;
constexpr sim::v1::ConsentCategory kCheckups = sim::v1::CONSENT_CATEGORY_CHECKUPS;
constexpr sim::v1::ConsentCategory kDiagnosis = sim::v1::CONSENT_CATEGORY_DIAGNOSIS;
constexpr sim::v1::ConsentCategory kLimit = sim::v1::CONSENT_CATEGORY_LIMIT;

struct MedicationRequestFreer {
  void operator()(onshi_medication_request* r) const { onshi_medication_request_free(r); }
};
struct CheckupRequestFreer {
  void operator()(onshi_checkup_request* r) const { onshi_checkup_request_free(r); }
};
struct MedicationFreer {
  void operator()(onshi_medication* m) const { onshi_medication_free(m); }
};
struct CheckupsFreer {
  void operator()(onshi_checkups* c) const { onshi_checkups_free(c); }
};
using MedicationRequestPtr = std::unique_ptr<onshi_medication_request, MedicationRequestFreer>;
using CheckupRequestPtr = std::unique_ptr<onshi_checkup_request, CheckupRequestFreer>;
using MedicationPtr = std::unique_ptr<onshi_medication, MedicationFreer>;
using CheckupsPtr = std::unique_ptr<onshi_checkups, CheckupsFreer>;

// The outcome of one call, either kind.
template <typename Ptr>
struct Outcome {
  onshi_status status = ONSHI_UNKNOWN;
  Ptr result;
  ErrorPtr error;

  std::string reason() const { return onshi_error_reason(error.get()); }
  std::string staff() const { return onshi_error_staff_message(error.get()); }
  std::string it() const { return onshi_error_it_message(error.get()); }
  std::string Describe() const {
    return std::string(onshi_status_name(status)) + " " + reason() + ": " + it();
  }
};
using MedicationOutcome = Outcome<MedicationPtr>;
using CheckupsOutcome = Outcome<CheckupsPtr>;

MedicationOutcome GetMedication(onshi_client* client, const onshi_medication_request* request) {
  onshi_medication* m = nullptr;
  onshi_error* err = nullptr;
  MedicationOutcome outcome;
  outcome.status = onshi_get_medication_history(client, request, &m, &err);
  outcome.result.reset(m);
  outcome.error.reset(err);
  return outcome;
}

CheckupsOutcome GetCheckups(onshi_client* client, const onshi_checkup_request* request) {
  onshi_checkups* c = nullptr;
  onshi_error* err = nullptr;
  CheckupsOutcome outcome;
  outcome.status = onshi_get_checkups(client, request, &c, &err);
  outcome.result.reset(c);
  outcome.error.reset(err);
  return outcome;
}

v1::GetMedicationHistoryResponse ResponseOf(const onshi_medication* m) {
  char* json = nullptr;
  size_t length = 0;
  EXPECT_EQ(onshi_medication_to_json(m, &json, &length, nullptr), ONSHI_OK);
  StringPtr owned(json);
  v1::GetMedicationHistoryResponse response;
  if (json != nullptr) {
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(json, length), &response).ok());
  }
  return response;
}

// Bytes that are a whole PDF: the header, a cross-reference table and the end-of-file marker.
void ExpectWholePdf(const uint8_t* bytes, size_t length) {
  ASSERT_NE(bytes, nullptr);
  std::string pdf(reinterpret_cast<const char*>(bytes), length);
  EXPECT_EQ(pdf.rfind("%PDF-", 0), 0u);
  EXPECT_THAT(pdf, HasSubstr("\nxref"));
  EXPECT_THAT(pdf, HasSubstr("startxref"));
  while (!pdf.empty() && (pdf.back() == '\n' || pdf.back() == '\r')) pdf.pop_back();
  EXPECT_TRUE(pdf.size() >= 5 && pdf.compare(pdf.size() - 5, 5, "%%EOF") == 0)
      << "the PDF does not end with %%EOF";
}

// A refusal for want of consent, as the contract says, with nothing handed out as data.
template <typename Ptr>
void ExpectNoConsent(const Outcome<Ptr>& outcome) {
  EXPECT_EQ(outcome.status, ONSHI_FAILED_PRECONDITION) << outcome.Describe();
  EXPECT_EQ(outcome.reason(), "ONSHI_NO_CONSENT");
  EXPECT_EQ(outcome.result, nullptr);
  EXPECT_THAT(outcome.staff(), HasSubstr("同意"));
  EXPECT_THAT(outcome.it(), HasSubstr("ResultCode 2"));
  // The terminal's MessageContents is free text: not repeated.
  EXPECT_THAT(outcome.it(), Not(HasSubstr("同意")));
  EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 0);
}

// How many 薬剤・特定健診 requests the simulator took from req/ so far (its log names each).
int64_t TerminalRequests(const std::string& sim_log) {
  const std::string log = ReadFile(sim_log);
  int64_t count = 0;
  for (const std::string kind : {"medication-request ", "checkup-request "}) {
    for (size_t at = log.find(kind); at != std::string::npos; at = log.find(kind, at + 1)) {
      const size_t end = log.find('\n', at);
      if (log.substr(at, end - at).find(" scenario=") != std::string::npos) ++count;
    }
  }
  return count;
}

// A refusal by onshi's consent ledger: `reason`, FAILED_PRECONDITION, no data, and (checked by
// the caller through TerminalRequests) nothing sent to the terminal.
template <typename Ptr>
void ExpectOnshiRefusal(const Outcome<Ptr>& outcome, const std::string& reason) {
  EXPECT_EQ(outcome.status, ONSHI_FAILED_PRECONDITION) << outcome.Describe();
  EXPECT_EQ(outcome.reason(), reason) << outcome.Describe();
  EXPECT_EQ(outcome.result, nullptr);
  EXPECT_THAT(outcome.it(), HasSubstr("consent ledger"));
  EXPECT_THAT(outcome.it(), Not(HasSubstr("ResultCode")));
  EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 0);
}

class MedicalTest : public SharedStackTest<MedicalTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "medical";
    // Generous: the same suite runs under ASan on a loaded machine; answers come at once.
    options.answer_timeout_ms = 10000;
    return options;
  }

 protected:
  // A check naming `patient_id` records the patient's coverage (what a medical request sends).
  void Register(const std::string& scenario, const std::string& patient_id) {
    RequestSpec spec;
    spec.patient_id = patient_id;
    spec.timeout_ms = stack().check_timeout_ms();
    CheckOutcome outcome = Check(client(), NewRequestFor(PatientByScenario(scenario), spec).get());
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    ASSERT_EQ(outcome.outcome(), ONSHI_OUTCOME_ANSWERED);
    stack().NoteAnswered(outcome.result.get());
  }

  // The patient at the simulator's card reader, choosing `consents`, at `at`; returns once the
  // host received the check-in (see CheckInAtTheReader). Returns the check-in time (JST).
  std::string CheckIn(const std::string& scenario, const Consents& consents,
                      absl::Time at = absl::Now()) {
    CheckInAtTheReader(stack(), client(), scenario, consents, at);
    return JstStamp(at);
  }

  MedicationRequestPtr NewMedication(const std::string& patient_id, const std::string& start = "",
                                     const std::string& end = "") {
    MedicationRequestPtr request(onshi_medication_request_new());
    EXPECT_NE(request, nullptr);
    EXPECT_EQ(onshi_medication_request_set_patient_id(request.get(), patient_id.c_str(), nullptr),
              ONSHI_OK);
    EXPECT_EQ(
        onshi_medication_request_set_months(request.get(), start.c_str(), end.c_str(), nullptr),
        ONSHI_OK);
    EXPECT_EQ(
        onshi_medication_request_set_timeout_ms(request.get(), stack().check_timeout_ms(), nullptr),
        ONSHI_OK);
    return request;
  }

  CheckupRequestPtr NewCheckups(const std::string& patient_id) {
    CheckupRequestPtr request(onshi_checkup_request_new());
    EXPECT_NE(request, nullptr);
    EXPECT_EQ(onshi_checkup_request_set_patient_id(request.get(), patient_id.c_str(), nullptr),
              ONSHI_OK);
    EXPECT_EQ(
        onshi_checkup_request_set_timeout_ms(request.get(), stack().check_timeout_ms(), nullptr),
        ONSHI_OK);
    return request;
  }

  // The dataset's months of `scenario` within [start, end], in order.
  static std::vector<v1::MedicationMonth> DatasetMonths(const std::string& scenario,
                                                        const std::string& start,
                                                        const std::string& end) {
    std::vector<v1::MedicationMonth> months;
    for (const v1::MedicationMonth& m : PatientByScenario(scenario).medication_months()) {
      if (m.month() >= start && m.month() <= end) months.push_back(m);
    }
    return months;
  }

  // The result's months, dates and drugs through the typed getters equal `expected`; each
  // month's treatments equal the dataset's when `treatments`, else there are none.
  static void ExpectMonths(const onshi_medication* m,
                           const std::vector<v1::MedicationMonth>& expected, bool treatments) {
    ASSERT_EQ(onshi_medication_month_count(m), static_cast<int32_t>(expected.size()));
    for (int32_t i = 0; i < static_cast<int32_t>(expected.size()); ++i) {
      const v1::MedicationMonth& month = expected[i];
      SCOPED_TRACE("month " + month.month());
      EXPECT_EQ(onshi_medication_month(m, i), month.month());
      EXPECT_EQ(onshi_medication_institution_name(m, i), month.institution_name());
      EXPECT_EQ(onshi_medication_pharmacy_name(m, i), month.pharmacy_name());
      ASSERT_EQ(onshi_medication_date_count(m, i), month.dates_size());
      for (int32_t d = 0; d < month.dates_size(); ++d) {
        const v1::DispensingDate& date = month.dates(d);
        EXPECT_EQ(onshi_medication_dispensing_date(m, i, d), date.dispensing_date());
        ASSERT_EQ(onshi_medication_drug_count(m, i, d), date.drugs_size());
        for (int32_t k = 0; k < date.drugs_size(); ++k) {
          const v1::Drug& drug = date.drugs(k);
          EXPECT_EQ(onshi_medication_drug_code(m, i, d, k), drug.code());
          EXPECT_EQ(onshi_medication_drug_name(m, i, d, k), drug.name());
          EXPECT_EQ(onshi_medication_drug_quantity(m, i, d, k), drug.quantity());
          EXPECT_EQ(onshi_medication_drug_unit(m, i, d, k), drug.unit());
          EXPECT_EQ(onshi_medication_drug_usage(m, i, d, k), drug.usage());
        }
      }
      if (!treatments) {
        EXPECT_EQ(onshi_medication_treatment_count(m, i), 0);
        continue;
      }
      ASSERT_EQ(onshi_medication_treatment_count(m, i), month.treatments_size());
      for (int32_t k = 0; k < month.treatments_size(); ++k) {
        EXPECT_EQ(onshi_medication_treatment_code(m, i, k), month.treatments(k).code());
        EXPECT_EQ(onshi_medication_treatment_name(m, i, k), month.treatments(k).name());
      }
    }
  }

  // Runs sample_host against onshid with `args` after the socket.
  struct HostRun {
    int exit_code = -1;
    std::string out;
    std::string err;
  };
  HostRun RunSampleHost(const std::string& name, const std::vector<std::string>& args) {
    SpawnOptions spawn;
    spawn.argv = {ONSHI_IT_SAMPLE_HOST_BINARY, "--socket", stack().socket_path(), "--timeout",
                  std::to_string(stack().check_timeout_ms())};
    spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
    spawn.stdout_path = stack().root() + "/sample_host." + name + ".out";
    spawn.stderr_path = stack().root() + "/sample_host." + name + ".err";
    spawn.wait_for_ready = false;
    std::string error;
    std::unique_ptr<Process> host = Process::Spawn(spawn, &error);
    HostRun run;
    EXPECT_NE(host, nullptr) << error;
    if (host == nullptr) return run;
    int status = 0;
    if (!host->WaitForExit(kSettleTimeout * 3, &status)) {
      ADD_FAILURE() << "sample_host did not finish";
      status = host->Kill();
    }
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.out = ReadFile(spawn.stdout_path);
    run.err = ReadFile(spawn.stderr_path);
    return run;
  }
};

// --- 薬剤情報 ----------------------------------------------------------------------------------

TEST_F(MedicalTest, MedicationWithAFreshConsentIsStructuredByMonthDateAndDrug) {
  Register("valid-kyokai-honnin", "it-med-kyokai");
  const absl::Time at = absl::Now();
  CheckIn("valid-kyokai-honnin", {kPharmacists, kCheckups}, at);

  MedicationRequestPtr request = NewMedication("it-med-kyokai", "202609", "202610");
  MedicationOutcome outcome = GetMedication(client(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  const onshi_medication* m = outcome.result.get();
  // Only the months asked for (202609 from two institutions, 202610), not 202607/08/11.
  const std::vector<v1::MedicationMonth> expected =
      DatasetMonths("valid-kyokai-honnin", "202609", "202610");
  ASSERT_EQ(expected.size(), 3u) << "the dataset changed";
  ExpectMonths(m, expected, /*treatments=*/false);
  EXPECT_EQ(onshi_medication_month(m, 3), std::string());
  // The consent's viewing deadline, as the card reader reported it: ConsTime + 24 h.
  EXPECT_EQ(onshi_medication_consent_available_time(m), JstStamp(at + absl::Hours(24)));
  EXPECT_STREQ(onshi_medication_request_id(m), onshi_medication_request_request_id(request.get()));
  size_t pdf_length = 1;
  EXPECT_EQ(onshi_medication_pdf(m, &pdf_length), nullptr);
  EXPECT_EQ(pdf_length, 0u);

  const v1::GetMedicationHistoryResponse response = ResponseOf(m);
  EXPECT_EQ(response.provenance().source(), v1::SOURCE_TERMINAL_ANSWER);
  EXPECT_FALSE(response.provenance().file_id().empty());
  EXPECT_EQ(response.medication().result_code(), "1");
  EXPECT_EQ(response.medication().subject().name(),
            PatientByScenario("valid-kyokai-honnin").records(0).name());
}

TEST_F(MedicalTest, TreatmentsComeOnlyUnderTheDiagnosisConsent) {
  Register("valid-kyokai-honnin", "it-med-kyokai");
  CheckIn("valid-kyokai-honnin", {kPharmacists});
  const std::vector<v1::MedicationMonth> expected =
      DatasetMonths("valid-kyokai-honnin", "202607", "202611");
  ASSERT_GT(expected.size(), 0u);

  // FileCategory 4 with the 薬剤 consent only: the drugs, without treatments.
  MedicationRequestPtr without = NewMedication("it-med-kyokai", "202607", "202611");
  ASSERT_EQ(onshi_medication_request_set_include_treatments(without.get(), 1, nullptr), ONSHI_OK);
  MedicationOutcome drugs_only = GetMedication(client(), without.get());
  ASSERT_EQ(drugs_only.status, ONSHI_OK) << drugs_only.Describe();
  ExpectMonths(drugs_only.result.get(), expected, /*treatments=*/false);

  // With the 診療 consent too: the treatments as well.
  CheckIn("valid-kyokai-honnin", {kPharmacists, kDiagnosis});
  MedicationRequestPtr with = NewMedication("it-med-kyokai", "202607", "202611");
  ASSERT_EQ(onshi_medication_request_set_include_treatments(with.get(), 1, nullptr), ONSHI_OK);
  MedicationOutcome full = GetMedication(client(), with.get());
  ASSERT_EQ(full.status, ONSHI_OK) << full.Describe();
  ExpectMonths(full.result.get(), expected, /*treatments=*/true);

  // Not asked for: none, whatever the consent.
  MedicationRequestPtr plain = NewMedication("it-med-kyokai", "202607", "202611");
  MedicationOutcome not_asked = GetMedication(client(), plain.get());
  ASSERT_EQ(not_asked.status, ONSHI_OK) << not_asked.Describe();
  ExpectMonths(not_asked.result.get(), expected, /*treatments=*/false);
}

TEST_F(MedicalTest, PdfFormatReturnsTheTerminalsPdfBytes) {
  Register("valid-kyokai-honnin", "it-med-kyokai");
  const absl::Time at = absl::Now();
  CheckIn("valid-kyokai-honnin", {kPharmacists}, at);
  MedicationRequestPtr request = NewMedication("it-med-kyokai");
  ASSERT_EQ(onshi_medication_request_set_format(request.get(), ONSHI_MEDICAL_FORMAT_PDF, nullptr),
            ONSHI_OK);
  MedicationOutcome outcome = GetMedication(client(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  size_t length = 0;
  const uint8_t* pdf = onshi_medication_pdf(outcome.result.get(), &length);
  ExpectWholePdf(pdf, length);
  EXPECT_THAT(std::string(reinterpret_cast<const char*>(pdf), length),
              HasSubstr("Medication information"));
  EXPECT_EQ(onshi_medication_month_count(outcome.result.get()), 0);
  EXPECT_EQ(onshi_medication_consent_available_time(outcome.result.get()),
            JstStamp(at + absl::Hours(24)));
}

TEST_F(MedicalTest, WithoutConsentTheAnswerIsRefusedAndNothingIsData) {
  // (A patient of its own: its refusal at the reader would withdraw the backdated consents of
  // the next test.)
  Register("kouki-3wari", "it-med-kouki3");
  CheckIn("kouki-3wari", {kLimit});
  const int64_t sent = TerminalRequests(stack().sim_log());
  // onshi's ledger refuses: the check-in answered 同意なし for 薬剤 and 特定健診.
  MedicationRequestPtr request = NewMedication("it-med-kouki3");
  ExpectOnshiRefusal(GetMedication(client(), request.get()), "ONSHI_NO_CONSENT");
  CheckupsOutcome checkups = GetCheckups(client(), NewCheckups("it-med-kouki3").get());
  ExpectOnshiRefusal(checkups, "ONSHI_NO_CONSENT");
  // A PDF request is refused the same way.
  MedicationRequestPtr pdf = NewMedication("it-med-kouki3");
  ASSERT_EQ(onshi_medication_request_set_format(pdf.get(), ONSHI_MEDICAL_FORMAT_PDF, nullptr),
            ONSHI_OK);
  ExpectOnshiRefusal(GetMedication(client(), pdf.get()), "ONSHI_NO_CONSENT");
  EXPECT_EQ(TerminalRequests(stack().sim_log()), sent) << "a refused request reached req/";
}

TEST_F(MedicalTest, OutpatientConsentLastsUntilItsAvailableTime) {
  Register("kouki-1wari", "it-med-kouki");
  // Given 25 hours ago: its 24 hours are over; onshi refuses without asking the terminal.
  CheckIn("kouki-1wari", {kPharmacists}, absl::Now() - absl::Hours(25));
  const int64_t sent = TerminalRequests(stack().sim_log());
  ExpectOnshiRefusal(GetMedication(client(), NewMedication("it-med-kouki").get()),
                     "ONSHI_CONSENT_EXPIRED");
  EXPECT_EQ(TerminalRequests(stack().sim_log()), sent);
  // Given 23 hours ago: still open, until ConsTime + 24 h.
  const absl::Time at = absl::Now() - absl::Hours(23);
  CheckIn("kouki-1wari", {kPharmacists}, at);
  MedicationOutcome outcome = GetMedication(client(), NewMedication("it-med-kouki").get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  EXPECT_EQ(onshi_medication_consent_available_time(outcome.result.get()),
            JstStamp(at + absl::Hours(24)));
  ExpectMonths(outcome.result.get(), DatasetMonths("kouki-1wari", "000000", "999999"),
               /*treatments=*/false);
}

TEST_F(MedicalTest, CareSettingsFollowTheTerminalsRules) {
  // 救急時 needs no consent.
  Register("kouki-1wari", "it-med-kouki");
  CheckIn("kouki-1wari", {});
  MedicationRequestPtr emergency = NewMedication("it-med-kouki");
  ASSERT_EQ(onshi_medication_request_set_care_setting(emergency.get(), ONSHI_CARE_SETTING_EMERGENCY,
                                                      nullptr),
            ONSHI_OK);
  MedicationOutcome released = GetMedication(client(), emergency.get());
  ASSERT_EQ(released.status, ONSHI_OK) << released.Describe();
  EXPECT_GT(onshi_medication_month_count(released.result.get()), 0);
  // No consent on record: no viewing deadline to show.
  EXPECT_STREQ(onshi_medication_consent_available_time(released.result.get()), "");

  // A standing 居宅同意取得型 consent is on the terminal's side only (the §5.4 lists are not
  // read by onshi): without a consent in onshi's ledger, nothing is sent, in any setting.
  Register("home-care-consent", "it-med-home");
  const int64_t sent = TerminalRequests(stack().sim_log());
  MedicationRequestPtr visit = NewMedication("it-med-home");
  ASSERT_EQ(onshi_medication_request_set_care_setting(visit.get(), ONSHI_CARE_SETTING_HOME_VISIT,
                                                      nullptr),
            ONSHI_OK);
  ExpectOnshiRefusal(GetMedication(client(), visit.get()), "ONSHI_NO_CONSENT");
  ExpectOnshiRefusal(GetMedication(client(), NewMedication("it-med-home").get()),
                     "ONSHI_NO_CONSENT");
  // A card-reader (on-site) consent does not cover a home visit either.
  CheckIn("home-care-consent", {kPharmacists});
  ExpectOnshiRefusal(GetMedication(client(), visit.get()), "ONSHI_CONSENT_WRONG_SETTING");
  EXPECT_EQ(TerminalRequests(stack().sim_log()), sent);
  MedicationOutcome desk = GetMedication(client(), NewMedication("it-med-home").get());
  ASSERT_EQ(desk.status, ONSHI_OK) << desk.Describe();
  ExpectMonths(desk.result.get(), DatasetMonths("home-care-consent", "000000", "999999"),
               /*treatments=*/false);
}

TEST_F(MedicalTest, SelfDefenseForcesAndCertificateGraceHoldersAreNeverAnswered) {
  // 自衛官 (被保険者証区分 07 on the recorded coverage): onshi knows, and sends nothing, not
  // even in an emergency and with every consent given.
  {
    Register("jieikan", "it-med-jieikan");
    CheckIn("jieikan", sim::AllConsentCategories());
    const int64_t sent = TerminalRequests(stack().sim_log());
    ExpectOnshiRefusal(GetMedication(client(), NewMedication("it-med-jieikan").get()),
                       "ONSHI_CONSENT_NEVER_AVAILABLE");
    ExpectOnshiRefusal(GetCheckups(client(), NewCheckups("it-med-jieikan").get()),
                       "ONSHI_CONSENT_NEVER_AVAILABLE");
    MedicationRequestPtr emergency = NewMedication("it-med-jieikan");
    ASSERT_EQ(onshi_medication_request_set_care_setting(emergency.get(),
                                                        ONSHI_CARE_SETTING_EMERGENCY, nullptr),
              ONSHI_OK);
    ExpectOnshiRefusal(GetMedication(client(), emergency.get()), "ONSHI_CONSENT_NEVER_AVAILABLE");
    EXPECT_EQ(TerminalRequests(stack().sim_log()), sent);
  }
  // The certificate's grace period: no answer field tells onshi (docs/consent.md), so the
  // request goes out under the valid consent and the terminal refuses it.
  {
    Register("cert-grace", "it-med-cert-grace");
    CheckIn("cert-grace", sim::AllConsentCategories());
    ExpectNoConsent(GetMedication(client(), NewMedication("it-med-cert-grace").get()));
    ExpectNoConsent(GetCheckups(client(), NewCheckups("it-med-cert-grace").get()));
    MedicationRequestPtr emergency = NewMedication("it-med-cert-grace");
    ASSERT_EQ(onshi_medication_request_set_care_setting(emergency.get(),
                                                        ONSHI_CARE_SETTING_EMERGENCY, nullptr),
              ONSHI_OK);
    ExpectNoConsent(GetMedication(client(), emergency.get()));
  }
}

TEST_F(MedicalTest, RetryWithTheSameRequestIdReturnsTheRecordedOutcome) {
  Register("valid-kyokai-honnin", "it-med-kyokai");
  CheckIn("valid-kyokai-honnin", {kPharmacists});
  MedicationRequestPtr first = NewMedication("it-med-kyokai", "202610", "202611");
  ASSERT_EQ(onshi_medication_request_set_request_id(first.get(), "it-med-retry-0001", nullptr),
            ONSHI_OK);
  MedicationOutcome answered = GetMedication(client(), first.get());
  ASSERT_EQ(answered.status, ONSHI_OK) << answered.Describe();
  const v1::GetMedicationHistoryResponse original = ResponseOf(answered.result.get());

  // The consent is withdrawn at the reader: the terminal would refuse now, but the retry is not
  // asked again; it returns the recorded answer (same file, same data).
  CheckIn("valid-kyokai-honnin", {});
  MedicationOutcome again = GetMedication(client(), first.get());
  ASSERT_EQ(again.status, ONSHI_OK) << again.Describe();
  const v1::GetMedicationHistoryResponse repeated = ResponseOf(again.result.get());
  EXPECT_EQ(repeated.provenance().file_id(), original.provenance().file_id());
  EXPECT_EQ(repeated.medication().SerializeAsString(), original.medication().SerializeAsString());
  ExpectMonths(again.result.get(), DatasetMonths("valid-kyokai-honnin", "202610", "202611"), false);

  // A new request is refused by onshi's ledger (nothing sent, nothing recorded); its retry is
  // judged again, and answered once the consent is given again.
  MedicationRequestPtr refused = NewMedication("it-med-kyokai", "202610", "202611");
  ExpectOnshiRefusal(GetMedication(client(), refused.get()), "ONSHI_NO_CONSENT");
  CheckIn("valid-kyokai-honnin", {kPharmacists});
  MedicationOutcome later = GetMedication(client(), refused.get());
  ASSERT_EQ(later.status, ONSHI_OK) << later.Describe();
  EXPECT_NE(ResponseOf(later.result.get()).provenance().file_id(), original.provenance().file_id());

  // The same request_id for another request is a conflict.
  MedicationRequestPtr other = NewMedication("it-med-kyokai", "202609", "202611");
  ASSERT_EQ(onshi_medication_request_set_request_id(other.get(), "it-med-retry-0001", nullptr),
            ONSHI_OK);
  MedicationOutcome conflict = GetMedication(client(), other.get());
  EXPECT_EQ(conflict.status, ONSHI_ALREADY_EXISTS) << conflict.Describe();
  EXPECT_EQ(conflict.reason(), "ONSHI_REQUEST_ID_CONFLICT");
  EXPECT_EQ(conflict.result, nullptr);
}

TEST_F(MedicalTest, RequestsOutsideTheRulesAreRefusedBeforeTheTerminal) {
  MedicationOutcome unknown = GetMedication(client(), NewMedication("it-med-nobody").get());
  EXPECT_EQ(unknown.status, ONSHI_NOT_FOUND) << unknown.Describe();
  EXPECT_EQ(unknown.reason(), "ONSHI_PATIENT_NOT_FOUND");

  Register("valid-kyokai-honnin", "it-med-kyokai");
  const std::string next_year =
      absl::FormatTime("%Y%m", absl::Now() + absl::Hours(24 * 400), absl::FixedTimeZone(9 * 3600));
  for (const auto& [start, end] : std::vector<std::pair<std::string, std::string>>{
           {"", next_year}, {"202001", ""}, {"202611", "202609"}, {"2026-1", ""}}) {
    MedicationOutcome outcome =
        GetMedication(client(), NewMedication("it-med-kyokai", start, end).get());
    EXPECT_EQ(outcome.status, ONSHI_INVALID_ARGUMENT) << start << "–" << end;
    EXPECT_EQ(outcome.reason(), "ONSHI_INVALID_MONTH_RANGE") << start << "–" << end;
  }
}

// --- 特定健診 ----------------------------------------------------------------------------------

TEST_F(MedicalTest, CheckupsHaveItemsWithValuesAndUnits) {
  Register("valid-kyokai-honnin", "it-med-kyokai");
  const absl::Time at = absl::Now();
  CheckIn("valid-kyokai-honnin", {kCheckups}, at);
  CheckupsOutcome outcome = GetCheckups(client(), NewCheckups("it-med-kyokai").get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  const onshi_checkups* c = outcome.result.get();
  const sim::v1::Patient& patient = PatientByScenario("valid-kyokai-honnin");
  ASSERT_EQ(onshi_checkups_count(c), patient.checkups_size());
  ASSERT_GT(patient.checkups_size(), 0);
  int with_unit = 0;
  for (int32_t i = 0; i < patient.checkups_size(); ++i) {
    const v1::Checkup& checkup = patient.checkups(i);
    EXPECT_EQ(onshi_checkups_date(c, i), checkup.effective_time());
    ASSERT_EQ(onshi_checkups_item_count(c, i), checkup.items_size());
    for (int32_t k = 0; k < checkup.items_size(); ++k) {
      const v1::CheckupItem& item = checkup.items(k);
      EXPECT_EQ(onshi_checkups_item_code(c, i, k), item.item_code());
      EXPECT_EQ(onshi_checkups_item_name(c, i, k), item.item_name());
      EXPECT_EQ(onshi_checkups_item_value(c, i, k), item.value());
      EXPECT_EQ(onshi_checkups_item_value_name(c, i, k), item.value_name());
      EXPECT_EQ(onshi_checkups_item_unit(c, i, k), item.unit());
      with_unit += !item.unit().empty();
    }
  }
  EXPECT_GT(with_unit, 0);
  EXPECT_EQ(onshi_checkups_consent_available_time(c), JstStamp(at + absl::Hours(24)));
  EXPECT_EQ(onshi_checkups_pdf(c, nullptr), nullptr);
}

TEST_F(MedicalTest, CheckupsPdfIsTheTerminalsPdf) {
  Register("valid-kyokai-honnin", "it-med-kyokai");
  CheckIn("valid-kyokai-honnin", {kCheckups});
  CheckupRequestPtr request = NewCheckups("it-med-kyokai");
  ASSERT_EQ(onshi_checkup_request_set_format(request.get(), ONSHI_MEDICAL_FORMAT_PDF, nullptr),
            ONSHI_OK);
  CheckupsOutcome outcome = GetCheckups(client(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  size_t length = 0;
  const uint8_t* pdf = onshi_checkups_pdf(outcome.result.get(), &length);
  ExpectWholePdf(pdf, length);
  EXPECT_THAT(std::string(reinterpret_cast<const char*>(pdf), length),
              HasSubstr("Specific health checkups"));
  EXPECT_EQ(onshi_checkups_count(outcome.result.get()), 0);
}

TEST_F(MedicalTest, CheckupsNeedTheirOwnConsent) {
  Register("valid-kyokai-honnin", "it-med-kyokai");
  CheckIn("valid-kyokai-honnin", {kPharmacists});
  MedicationOutcome medication = GetMedication(client(), NewMedication("it-med-kyokai").get());
  EXPECT_EQ(medication.status, ONSHI_OK) << medication.Describe();
  ExpectOnshiRefusal(GetCheckups(client(), NewCheckups("it-med-kyokai").get()), "ONSHI_NO_CONSENT");
}

// --- sample_host -------------------------------------------------------------------------------

TEST_F(MedicalTest, SampleHostMedicationPrintsThePanelAndWritesThePdf) {
  Register("valid-kyokai-honnin", "it-med-kyokai");
  const absl::Time at = absl::Now();
  CheckIn("valid-kyokai-honnin", {kPharmacists, kDiagnosis}, at);
  const sim::v1::Patient& patient = PatientByScenario("valid-kyokai-honnin");

  HostRun run = RunSampleHost(
      "medication", {"medication", "--patient", "it-med-kyokai", "--months", "36", "--treatments"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("=== 薬剤情報 ==="));
  EXPECT_THAT(run.out, HasSubstr("患者ID: it-med-kyokai"));
  const std::string available = JstStamp(at + absl::Hours(24));
  EXPECT_THAT(run.out, HasSubstr("閲覧期限 (薬剤情報の同意): " + available.substr(0, 4) + "年" +
                                 available.substr(4, 2) + "月" + available.substr(6, 2) + "日 " +
                                 available.substr(8, 2) + ":" + available.substr(10, 2)));
  const v1::MedicationMonth& month = patient.medication_months(0);
  const v1::Drug& drug = month.dates(0).drugs(0);
  EXPECT_THAT(run.out, HasSubstr("── " + month.month().substr(0, 4) + "年" +
                                 month.month().substr(4, 2) + "月 " + month.institution_name()));
  const std::string date = month.dates(0).dispensing_date();
  EXPECT_THAT(run.out, HasSubstr("調剤日 " + date.substr(0, 4) + "年" + date.substr(4, 2) + "月" +
                                 date.substr(6, 2) + "日"));
  EXPECT_THAT(run.out, HasSubstr("・" + drug.name() + "  " + drug.quantity() + drug.unit() + "  " +
                                 drug.usage()));
  EXPECT_THAT(run.out, HasSubstr("診療・手術:"));
  for (const v1::MedicationMonth& any : patient.medication_months()) {
    for (const v1::Treatment& treatment : any.treatments()) {
      EXPECT_THAT(run.out, HasSubstr("・" + treatment.name() + "  (コード " + treatment.code()));
    }
  }

  const std::string out = stack().root() + "/medication.pdf";
  HostRun pdf =
      RunSampleHost("medication-pdf", {"medication", "--patient", "it-med-kyokai", "--format",
                                       "pdf", "--out", out, "--setting", "outpatient"});
  ASSERT_EQ(pdf.exit_code, 0) << pdf.err;
  EXPECT_THAT(pdf.out, HasSubstr("PDF を " + out + " に保存しました"));
  struct stat st;
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string bytes = ReadFile(out);
  ExpectWholePdf(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());

  // Usage errors: --out without pdf, --months with checkups, an unknown setting.
  EXPECT_EQ(RunSampleHost("usage1", {"medication", "--patient", "x", "--out", out}).exit_code, 64);
  EXPECT_EQ(RunSampleHost("usage2", {"checkups", "--patient", "x", "--months", "3"}).exit_code, 64);
  EXPECT_EQ(
      RunSampleHost("usage3", {"medication", "--patient", "x", "--setting", "ward"}).exit_code, 64);
  EXPECT_EQ(RunSampleHost("usage4", {"medication"}).exit_code, 64);
}

TEST_F(MedicalTest, SampleHostCheckupsPrintsItemsAndRefusalsExitOne) {
  Register("valid-kyokai-honnin", "it-med-kyokai");
  CheckIn("valid-kyokai-honnin", {kCheckups});
  HostRun run = RunSampleHost("checkups", {"checkups", "--patient", "it-med-kyokai"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("=== 特定健診情報 ==="));
  const v1::Checkup& checkup = PatientByScenario("valid-kyokai-honnin").checkups(0);
  const std::string date = checkup.effective_time();
  EXPECT_THAT(run.out, HasSubstr("── 実施日 " + date.substr(0, 4) + "年" + date.substr(4, 2) +
                                 "月" + date.substr(6, 2) + "日 ──"));
  for (const v1::CheckupItem& item : checkup.items()) {
    if (item.unit().empty()) continue;
    EXPECT_THAT(run.out, HasSubstr(item.item_name() + ": " + item.value() + " " + item.unit()));
  }
  const std::string out = stack().root() + "/checkups.pdf";
  HostRun pdf = RunSampleHost(
      "checkups-pdf", {"checkups", "--patient", "it-med-kyokai", "--format", "pdf", "--out", out});
  ASSERT_EQ(pdf.exit_code, 0) << pdf.err;
  const std::string bytes = ReadFile(out);
  ExpectWholePdf(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());

  // Without the consent: exit 1, the staff text and the reason on stderr, nothing on stdout.
  CheckIn("valid-kyokai-honnin", {kPharmacists});
  HostRun refused = RunSampleHost("checkups-refused", {"checkups", "--patient", "it-med-kyokai"});
  EXPECT_EQ(refused.exit_code, 1) << refused.out;
  EXPECT_THAT(refused.err, HasSubstr("エラー: "));
  EXPECT_THAT(refused.err, HasSubstr("ONSHI_NO_CONSENT"));
  EXPECT_EQ(refused.out, "");
}

// Last: nothing the terminal said about the patient's medicine or checkups, nor its refusal
// texts, reached onshid's log (the suite's hygiene check covers the dataset's values too).
TEST_F(MedicalTest, OnshidLogHoldsNoMedicalInformation) {
  const std::string log = ReadFile(stack().onshid_log());
  ASSERT_FALSE(log.empty());
  EXPECT_THAT(log, HasSubstr("medication request"));
  for (const std::string& text :
       {std::string("同意"), std::string("有効期限"), std::string("自衛官"), std::string("%PDF")}) {
    EXPECT_THAT(log, Not(HasSubstr(text)));
  }
  for (const std::string scenario : {"valid-kyokai-honnin", "kouki-1wari", "home-care-consent"}) {
    for (const v1::MedicationMonth& m : PatientByScenario(scenario).medication_months()) {
      for (const v1::DispensingDate& d : m.dates()) {
        for (const v1::Drug& drug : d.drugs()) {
          EXPECT_THAT(log, Not(HasSubstr(drug.name())));
          EXPECT_THAT(log, Not(HasSubstr(drug.code()))) << scenario;
        }
      }
    }
  }
}

// --- the terminal failing ----------------------------------------------------------------------

class MedicalFaultTest : public SharedStackTest<MedicalFaultTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "medical-fault";
    options.answer_timeout_ms = 10000;
    options.sim_flags = {"--fault=medication:error", "--fault=checkup:reject"};
    return options;
  }
};

TEST_F(MedicalFaultTest, TerminalFailuresAreTypedErrorsNotMissingConsents) {
  RequestSpec spec;
  spec.patient_id = "it-med-fault";
  spec.timeout_ms = stack().check_timeout_ms();
  CheckOutcome check =
      Check(client(), NewRequestFor(PatientByScenario("valid-kyokai-honnin"), spec).get());
  ASSERT_EQ(check.status, ONSHI_OK) << check.Describe();
  stack().NoteAnswered(check.result.get());
  stack().SimCheckIn("valid-kyokai-honnin", sim::AllConsentCategories());

  // ResultCode 9 (異常終了): the terminal failed; staff are not told to ask for consent.
  MedicationRequestPtr medication(onshi_medication_request_new());
  ASSERT_EQ(onshi_medication_request_set_patient_id(medication.get(), "it-med-fault", nullptr),
            ONSHI_OK);
  ASSERT_EQ(onshi_medication_request_set_timeout_ms(medication.get(), stack().check_timeout_ms(),
                                                    nullptr),
            ONSHI_OK);
  MedicationOutcome failed = GetMedication(client(), medication.get());
  EXPECT_EQ(failed.status, ONSHI_UNAVAILABLE) << failed.Describe();
  EXPECT_EQ(failed.reason(), "ONSHI_TERMINAL_FAILED");
  EXPECT_THAT(failed.it(), HasSubstr("ResultCode 9"));
  EXPECT_THAT(failed.staff(), Not(HasSubstr("同意")));
  EXPECT_EQ(failed.result, nullptr);
  // Recorded: the retry with the same request_id gets the same error.
  MedicationOutcome again = GetMedication(client(), medication.get());
  EXPECT_EQ(again.reason(), "ONSHI_TERMINAL_FAILED");

  // The request refused with an .err file.
  CheckupRequestPtr checkups(onshi_checkup_request_new());
  ASSERT_EQ(onshi_checkup_request_set_patient_id(checkups.get(), "it-med-fault", nullptr),
            ONSHI_OK);
  ASSERT_EQ(
      onshi_checkup_request_set_timeout_ms(checkups.get(), stack().check_timeout_ms(), nullptr),
      ONSHI_OK);
  CheckupsOutcome rejected = GetCheckups(client(), checkups.get());
  EXPECT_EQ(rejected.status, ONSHI_FAILED_PRECONDITION) << rejected.Describe();
  EXPECT_EQ(rejected.reason(), "ONSHI_TERMINAL_REJECTED_REQUEST");
  EXPECT_THAT(rejected.it(), HasSubstr("SIM-E0008"));
  EXPECT_EQ(rejected.result, nullptr);
}

}  // namespace
}  // namespace onshi::integration
