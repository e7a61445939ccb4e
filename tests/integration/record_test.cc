// The patient record and the request ledger through the C API against onshid: versions, diffs,
// field provenance, confirmations, idempotent retries; and the local validation that stops a
// bad request before anything reaches the terminal's folder.

#include <sys/stat.h>

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/expectations.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

using google::protobuf::util::MessageDifferencer;

class PatientRecordTest : public SharedStackTest<PatientRecordTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "record";
    options.answer_timeout_ms = 15000;
    return options;
  }

 protected:
  // Checks `scenario`'s card for `patient_id` and expects an answer.
  CheckOutcome CheckFor(const std::string& scenario, const std::string& patient_id,
                        const onshi_check_request** sent = nullptr) {
    RequestSpec spec;
    spec.patient_id = patient_id;
    spec.limit_consent = true;
    spec.timeout_ms = stack().check_timeout_ms();
    requests_.push_back(NewRequestFor(PatientByScenario(scenario), spec));
    if (sent != nullptr) *sent = requests_.back().get();
    CheckOutcome outcome = Check(client(), requests_.back().get());
    EXPECT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    if (outcome.status == ONSHI_OK) stack().NoteAnswered(outcome.result.get());
    return outcome;
  }

  std::vector<RequestPtr> requests_;
};

TEST_F(PatientRecordTest, FirstAnswerCreatesVersionOneListingEveryFieldAsChanged) {
  CheckOutcome outcome = CheckFor("valid-kyokai-honnin", "rec-first");
  ASSERT_EQ(outcome.status, ONSHI_OK);
  const onshi_qualification* q = outcome.result.get();
  EXPECT_STREQ(onshi_qualification_recorded_patient_id(q), "rec-first");
  EXPECT_EQ(onshi_qualification_coverage_version(q), 1);
  const int32_t changes = onshi_qualification_change_count(q);
  ASSERT_GT(changes, 0);
  std::vector<std::string> fields;
  for (int32_t i = 0; i < changes; ++i) {
    fields.push_back(onshi_qualification_change_field(q, i));
    EXPECT_STREQ(onshi_qualification_change_old_value(q, i), "") << fields.back();
    EXPECT_STRNE(onshi_qualification_change_new_value(q, i), "") << fields.back();
    EXPECT_STRNE(onshi_qualification_change_staff_message(q, i), "") << fields.back();
  }
  EXPECT_THAT(fields, ::testing::Contains("identifiers.insurer_number"));
  EXPECT_THAT(fields, ::testing::Contains("name"));
  EXPECT_THAT(fields, ::testing::Contains("validity"));
  // Out of range: empty, never a crash.
  EXPECT_STREQ(onshi_qualification_change_field(q, changes), "");
  EXPECT_STREQ(onshi_qualification_change_field(q, -1), "");
}

TEST_F(PatientRecordTest, SameCardAgainAddsAConfirmationButNoVersion) {
  const onshi_check_request* first_request = nullptr;
  CheckOutcome first = CheckFor("valid-kyokai-honnin", "rec-again", &first_request);
  ASSERT_EQ(first.status, ONSHI_OK);
  ASSERT_EQ(onshi_qualification_coverage_version(first.result.get()), 1);
  const std::string first_id = onshi_check_request_request_id(first_request);

  const onshi_check_request* second_request = nullptr;
  CheckOutcome second = CheckFor("valid-kyokai-honnin", "rec-again", &second_request);
  ASSERT_EQ(second.status, ONSHI_OK);
  const std::string second_id = onshi_check_request_request_id(second_request);
  ASSERT_NE(first_id, second_id);
  EXPECT_STREQ(onshi_qualification_recorded_patient_id(second.result.get()), "rec-again");
  EXPECT_EQ(onshi_qualification_coverage_version(second.result.get()), 1);
  EXPECT_EQ(onshi_qualification_change_count(second.result.get()), 0);
  EXPECT_FALSE(ResponseOf(second.result.get()).record_write().changed());

  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "rec-again");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->patient_id(), "rec-again");
  ASSERT_TRUE(record->has_current_coverage());
  const v1::CoverageVersion& coverage = record->current_coverage();
  EXPECT_EQ(coverage.version(), 1);
  EXPECT_EQ(coverage.validity(), v1::QUALIFICATION_VALIDITY_VALID);
  EXPECT_EQ(coverage.coverage().name(), PatientByScenario("valid-kyokai-honnin").records(0).name());
  EXPECT_EQ(coverage.provenance().source(), v1::SOURCE_TERMINAL_ANSWER);
  EXPECT_EQ(coverage.provenance().request_id(), first_id);
  EXPECT_EQ(coverage.provenance().confirmation_date(), kConfirmationDate);
  EXPECT_FALSE(coverage.provenance().file_id().empty());
  EXPECT_FALSE(coverage.provenance().process_execution_time().empty());
  // Every field of the coverage says where it came from: the first answer.
  ASSERT_FALSE(coverage.field_provenance().empty());
  EXPECT_TRUE(coverage.field_provenance().count("identifiers.insurer_number") > 0);
  EXPECT_TRUE(coverage.field_provenance().count("name") > 0);
  for (const auto& [field, provenance] : coverage.field_provenance()) {
    EXPECT_EQ(provenance.version(), 1) << field;
    EXPECT_EQ(provenance.provenance().request_id(), first_id) << field;
    EXPECT_EQ(provenance.provenance().source(), v1::SOURCE_TERMINAL_ANSWER) << field;
  }
  EXPECT_EQ(record->coverage_history_size(), 0);

  // Two confirmations, one per check, newest first.
  ASSERT_EQ(record->confirmations_size(), 2);
  EXPECT_EQ(record->confirmations(0).request_id(), second_id);
  EXPECT_EQ(record->confirmations(1).request_id(), first_id);
  for (const v1::Confirmation& confirmation : record->confirmations()) {
    EXPECT_EQ(confirmation.outcome(), v1::CHECK_OUTCOME_ANSWERED);
    EXPECT_EQ(confirmation.validity(), v1::QUALIFICATION_VALIDITY_VALID);
    EXPECT_FALSE(confirmation.late());
  }
}

TEST_F(PatientRecordTest, ChangedCoverageBecomesVersionTwoWithItsChangesAndHistory) {
  CheckOutcome first = CheckFor("valid-kyokai-honnin", "rec-change");
  ASSERT_EQ(first.status, ONSHI_OK);
  // The same 記号・番号 with another 枝番 (the family's child): a different qualification.
  const onshi_check_request* second_request = nullptr;
  CheckOutcome second = CheckFor("preschool-child", "rec-change", &second_request);
  ASSERT_EQ(second.status, ONSHI_OK);
  const onshi_qualification* q = second.result.get();
  EXPECT_EQ(onshi_qualification_coverage_version(q), 2);
  std::vector<std::string> fields;
  for (int32_t i = 0; i < onshi_qualification_change_count(q); ++i) {
    fields.push_back(onshi_qualification_change_field(q, i));
    if (fields.back() == "identifiers.insured_branch_number") {
      EXPECT_STREQ(onshi_qualification_change_old_value(q, i), "00");
      EXPECT_STREQ(onshi_qualification_change_new_value(q, i), "03");
    }
  }
  EXPECT_THAT(fields, ::testing::Contains("identifiers.insured_branch_number"));
  EXPECT_THAT(fields, ::testing::Contains("name"));
  EXPECT_THAT(fields, ::testing::Not(::testing::Contains("identifiers.insurer_number")));

  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "rec-change");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->current_coverage().version(), 2);
  EXPECT_EQ(record->current_coverage().coverage().name(),
            PatientByScenario("preschool-child").records(0).name());
  ASSERT_EQ(record->coverage_history_size(), 1);
  EXPECT_EQ(record->coverage_history(0).version(), 1);
  // An unchanged field keeps the provenance of the version that set it.
  const auto& provenance = record->current_coverage().field_provenance();
  ASSERT_TRUE(provenance.count("identifiers.insurer_number") > 0);
  EXPECT_EQ(provenance.at("identifiers.insurer_number").version(), 1);
  ASSERT_TRUE(provenance.count("name") > 0);
  EXPECT_EQ(provenance.at("name").version(), 2);
  EXPECT_EQ(provenance.at("name").provenance().request_id(),
            onshi_check_request_request_id(second_request));
  EXPECT_EQ(record->confirmations_size(), 2);
}

TEST_F(PatientRecordTest, RetryWithTheSameRequestIdReturnsTheSameOutcomeWithoutAnotherCheck) {
  const onshi_check_request* request = nullptr;
  CheckOutcome first = CheckFor("kouki-2wari", "rec-retry", &request);
  ASSERT_EQ(first.status, ONSHI_OK);
  CheckOutcome retry = Check(client(), request);
  ASSERT_EQ(retry.status, ONSHI_OK) << retry.Describe();
  // The very same outcome: same answer file, same record write.
  EXPECT_TRUE(
      MessageDifferencer::Equals(ResponseOf(first.result.get()), ResponseOf(retry.result.get())))
      << ResponseOf(retry.result.get()).DebugString();
  ExpectAnswerFor(retry.result.get(), PatientByScenario("kouki-2wari"), /*limit_consent=*/true);
  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "rec-retry");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->confirmations_size(), 1);
  EXPECT_EQ(record->current_coverage().version(), 1);
}

TEST_F(PatientRecordTest, SameRequestIdWithAnotherPayloadIsRefusedAsAConflict) {
  const onshi_check_request* request = nullptr;
  CheckOutcome first = CheckFor("limit-a01", "rec-conflict", &request);
  ASSERT_EQ(first.status, ONSHI_OK);

  RequestSpec spec;
  spec.patient_id = "rec-conflict";
  spec.limit_consent = false;  // differs from the first
  spec.request_id = onshi_check_request_request_id(request);
  spec.timeout_ms = stack().check_timeout_ms();
  RequestPtr other = NewRequestFor(PatientByScenario("limit-a01"), spec);
  FolderWatch req(stack().req_dir());
  ASSERT_TRUE(req.ok());
  CheckOutcome conflict = Check(client(), other.get());
  ASSERT_EQ(conflict.status, ONSHI_ALREADY_EXISTS) << conflict.Describe();
  EXPECT_EQ(conflict.reason(), "ONSHI_REQUEST_ID_CONFLICT");
  EXPECT_EQ(onshi_error_retryable(conflict.error.get()), 0);

  // Another patient's card under the same request_id: refused too.
  RequestSpec spec2 = spec;
  spec2.limit_consent = true;
  RequestPtr another_card = NewRequestFor(PatientByScenario("limit-a02"), spec2);
  CheckOutcome conflict2 = Check(client(), another_card.get());
  ASSERT_EQ(conflict2.status, ONSHI_ALREADY_EXISTS) << conflict2.Describe();
  EXPECT_EQ(conflict2.reason(), "ONSHI_REQUEST_ID_CONFLICT");
  EXPECT_TRUE(req.TakeEvents().empty()) << "a refused request reached the terminal's folder";

  std::optional<v1::PatientRecord> record = GetPatientRecord(client(), "rec-conflict");
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->confirmations_size(), 1);
  EXPECT_EQ(record->current_coverage().version(), 1);
}

// reliability.md G5: what onshid keeps (database, archived answers) and its socket are private.
TEST_F(PatientRecordTest, StateArchiveAndSocketArePrivate) {
  CheckOutcome outcome = CheckFor("limit-b07", "rec-private");
  ASSERT_EQ(outcome.status, ONSHI_OK);
  auto mode_of = [](const std::string& path) {
    struct stat st;
    return ::lstat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
  };
  EXPECT_EQ(mode_of(stack().state_dir()), 0700);
  EXPECT_EQ(mode_of(stack().processed_dir()), 0700);
  EXPECT_EQ(mode_of(stack().quarantine_dir()), 0700);
  EXPECT_EQ(mode_of(stack().state_dir() + "/onshi.db"), 0600);
  EXPECT_EQ(mode_of(stack().socket_path()), 0600);
  const std::string archived =
      stack().processed_dir() + "/OQSsiquc01res_" +
      ResponseOf(outcome.result.get()).provenance().file_id() + ".xml";
  // The answer is recorded (and the caller answered) before the transport moves its file out of
  // res/, so the archived copy may appear a moment after the call returns.
  EXPECT_TRUE(WaitUntil([&] { return mode_of(archived) != -1; }));
  EXPECT_EQ(mode_of(archived), 0600);
  for (const std::string& name : ListDir(stack().state_dir())) {
    // SQLite's companions (-wal, -shm, -journal) included.
    if (name.rfind("onshi.db", 0) == 0) {
      EXPECT_EQ(mode_of(stack().state_dir() + "/" + name) & 0077, 0) << name;
    }
  }
}

TEST_F(PatientRecordTest, UnknownPatientIsNotFound) {
  onshi_status status = ONSHI_OK;
  std::string reason;
  EXPECT_FALSE(GetPatientRecord(client(), "nobody-here", &status, &reason).has_value());
  EXPECT_EQ(status, ONSHI_NOT_FOUND);
  EXPECT_EQ(reason, "ONSHI_PATIENT_NOT_FOUND");
  EXPECT_FALSE(GetPatientRecord(client(), "not a valid id", &status, &reason).has_value());
  EXPECT_EQ(status, ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(reason, "ONSHI_INVALID_PATIENT_ID");
}

// ---------------------------------------------------------------------------------------------
// Local validation.

struct InvalidCase {
  std::string name;
  // A valid request for valid-kyokai-honnin, with one value replaced.
  std::string insurer_number = "01139013";
  std::string card_symbol = "1001";
  std::string card_number = "25";
  std::string branch_number = "00";
  std::string birth_date = "19800115";
  std::string confirmation_date = kConfirmationDate;
  std::string patient_id = "valid-patient";
  std::string request_id;
  std::string reason;
};

void PrintTo(const InvalidCase& c, std::ostream* os) { *os << c.name; }

std::vector<InvalidCase> InvalidCases() {
  std::vector<InvalidCase> cases;
  auto add = [&](std::string name, std::string reason, auto mutate) {
    InvalidCase c;
    c.name = std::move(name);
    c.reason = std::move(reason);
    mutate(c);
    cases.push_back(c);
  };
  add("WrongCheckDigit", "ONSHI_INSURER_CHECK_DIGIT",
      [](InvalidCase& c) { c.insurer_number = "01139012"; });
  add("WrongCheckDigitSixDigits", "ONSHI_INSURER_CHECK_DIGIT",
      [](InvalidCase& c) { c.insurer_number = "139015"; });
  add("SevenDigitInsurer", "ONSHI_INVALID_INSURER_NUMBER",
      [](InvalidCase& c) { c.insurer_number = "0113901"; });
  add("LetterInInsurer", "ONSHI_INVALID_INSURER_NUMBER",
      [](InvalidCase& c) { c.insurer_number = "0113901X"; });
  add("MissingCardNumber", "ONSHI_INVALID_CARD_NUMBER", [](InvalidCase& c) { c.card_number = ""; });
  add("OneDigitBranch", "ONSHI_INVALID_BRANCH_NUMBER",
      [](InvalidCase& c) { c.branch_number = "7"; });
  add("ImpossibleBirthDate", "ONSHI_INVALID_BIRTH_DATE",
      [](InvalidCase& c) { c.birth_date = "19800230"; });
  add("BirthDateWithDashes", "ONSHI_INVALID_BIRTH_DATE",
      [](InvalidCase& c) { c.birth_date = "1980-01-15"; });
  add("BirthAfterConfirmationDate", "ONSHI_INVALID_BIRTH_DATE",
      [](InvalidCase& c) { c.birth_date = "20261124"; });
  add("ImpossibleConfirmationDate", "ONSHI_INVALID_CONFIRMATION_DATE",
      [](InvalidCase& c) { c.confirmation_date = "20261131"; });
  add("ConfirmationDateYearsAhead", "ONSHI_INVALID_CONFIRMATION_DATE",
      [](InvalidCase& c) { c.confirmation_date = "20991231"; });
  add("PatientIdWithSpaces", "ONSHI_INVALID_PATIENT_ID",
      [](InvalidCase& c) { c.patient_id = "patient one/2"; });
  add("ShortRequestId", "ONSHI_INVALID_REQUEST_ID", [](InvalidCase& c) { c.request_id = "abc"; });
  return cases;
}

class ValidationTest
    : public SharedStackTest<ValidationTest, ::testing::TestWithParam<InvalidCase>> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "validation";
    options.answer_timeout_ms = 15000;
    return options;
  }
};

TEST_P(ValidationTest, IsRefusedWithItsReasonAndNothingReachesTheTerminal) {
  const InvalidCase& c = GetParam();
  v1::InsuranceIdentifiers card;
  card.set_insurer_number(c.insurer_number);
  card.set_insured_card_symbol(c.card_symbol);
  card.set_insured_identification_number(c.card_number);
  card.set_insured_branch_number(c.branch_number);
  RequestSpec spec;
  spec.limit_consent = true;
  spec.patient_id = c.patient_id;
  spec.confirmation_date = c.confirmation_date;
  spec.request_id = c.request_id;
  spec.timeout_ms = stack().check_timeout_ms();

  FolderWatch req(stack().req_dir());
  ASSERT_TRUE(req.ok());
  RequestPtr request = NewRequestForCard(card, c.birth_date, spec);
  CheckOutcome outcome = Check(client(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_INVALID_ARGUMENT) << outcome.Describe();
  EXPECT_EQ(outcome.reason(), c.reason);
  EXPECT_EQ(onshi_error_retryable(outcome.error.get()), 0);

  // The texts name the field, never the value.
  const std::string staff = onshi_error_staff_message(outcome.error.get());
  const std::string it = onshi_error_it_message(outcome.error.get());
  EXPECT_FALSE(staff.empty());
  EXPECT_FALSE(it.empty());
  for (const std::string& value :
       {c.insurer_number, c.card_symbol, c.card_number, c.birth_date, c.confirmation_date,
        c.patient_id, c.request_id, std::string(onshi_check_request_request_id(request.get()))}) {
    if (value.size() < 3) continue;
    EXPECT_EQ(staff.find(value), std::string::npos) << "staff text quotes " << value;
    EXPECT_EQ(it.find(value), std::string::npos) << "IT text quotes " << value;
  }

  // Nothing was written into req/, not even a temp file.
  const std::vector<std::string> written = req.TakeEvents();
  EXPECT_TRUE(written.empty()) << "written into req/: " << written.front();
  EXPECT_TRUE(ListDir(stack().req_dir()).empty());

  // Nor recorded.
  if (c.reason != "ONSHI_INVALID_PATIENT_ID") {
    onshi_status status = ONSHI_OK;
    EXPECT_FALSE(GetPatientRecord(client(), c.patient_id, &status).has_value());
    EXPECT_EQ(status, ONSHI_NOT_FOUND);
  }
}

INSTANTIATE_TEST_SUITE_P(Invalid, ValidationTest, ::testing::ValuesIn(InvalidCases()),
                         [](const ::testing::TestParamInfo<InvalidCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace onshi::integration
