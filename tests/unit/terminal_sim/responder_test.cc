// The simulated terminal's decisions (no files): matching, answer contents, consent gating,
// refusals and fault modes, against the real dataset file.

#include "adapters/terminal_sim/responder.h"

#include <iterator>
#include <string>

#include "adapters/oqs_files/codec.h"
#include "adapters/terminal_sim/dataset.h"
#include "gtest/gtest.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using ::onshi::sim::testing::Card;
using ::onshi::sim::testing::CardOf;
using ::onshi::sim::testing::Exercises;
using ::onshi::sim::testing::kInstitution;
using ::onshi::sim::testing::MakeRequest;
using ::onshi::sim::testing::TestNow;

// Cards of dataset scenarios (docs/simulator.md lists them all).
const Card kValidKyokai{"01139013", "1001", "25", "00", "19800115"};
const Card kKokuhoSixDigit{"139014", "試験", "1234567", "", "19700303"};
const Card kFullWidthSymbol{"06139992", "１２３", "4567", "01", "19850412"};
const Card kLeadingZero{"01139013", "5005", "0012345", "00", "19900101"};
const Card kTwins{"06139992", "200", "88", "", "20100707"};
const Card kKouki1{"39139019", "", "10000016", "", "19450510"};
const Card kCertExpiring{"01139013", "7007", "71", "00", "19810707"};
const Card kSilent{"01139013", "8001", "1", "00", "19790101"};
const Card kTerminalError{"01139013", "8002", "2", "00", "19790202"};
const Card kReject{"01139013", "8003", "3", "00", "19790303"};
const Card kMalformed{"01139013", "8004", "4", "00", "19790404"};
const Card kLate{"01139013", "8005", "5", "00", "19790505"};
const Card kSjisOverride{"01139013", "6007", "62", "00", "19840404"};
const Card kUnknown{"01139013", "9999", "999", "00", "19800115"};

class ResponderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<v1::Dataset> loaded = LoadDataset(ONSHI_SIM_DATASET);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    dataset_ = new v1::Dataset(*std::move(loaded));
  }
  static void TearDownTestSuite() {
    delete dataset_;
    dataset_ = nullptr;
  }

  static Responder Make(Fault fault = Fault::kNone,
                        absl::Duration latency = absl::Milliseconds(250)) {
    return Responder(*dataset_,
                     ResponderOptions{kInstitution, oqs::Encoding::kUtf8, latency, fault});
  }

  static Plan Ask(const Card& card, bool consent = true, Fault fault = Fault::kNone) {
    return Make(fault).RespondTo(MakeRequest(card, consent), TestNow());
  }

  static v1::Dataset* dataset_;
};

v1::Dataset* ResponderTest::dataset_ = nullptr;

TEST_F(ResponderTest, ValidPatientIsAnsweredWithHeaderEchoAndRecord) {
  ov1::QualificationRequestDocument request = MakeRequest(kValidKyokai, true, "FILE-ID_42");
  request.mutable_search_info()->set_arbitrary_identifier("PT-7");
  const Plan plan = Make().RespondTo(request, TestNow());
  ASSERT_EQ(plan.action, Plan::Action::kAnswer);
  EXPECT_EQ(plan.scenario, "valid-kyokai-honnin");
  EXPECT_FALSE(plan.malformed);
  EXPECT_EQ(plan.latency, absl::Milliseconds(250));
  EXPECT_EQ(plan.encoding, oqs::Encoding::kUtf8);

  const ov1::QualificationResult& a = plan.answer;
  EXPECT_EQ(a.process_execution_time(), "20261201093000");  // JST
  EXPECT_EQ(a.qualification_confirmation_date(), "20261201");
  EXPECT_EQ(a.medical_institution_code(), kInstitution);
  EXPECT_EQ(a.arbitrary_file_identifier(), "FILE-ID_42");
  EXPECT_EQ(a.reference_classification(), ov1::REFERENCE_CLASSIFICATION_INSURANCE_CARD);
  EXPECT_EQ(a.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_TRUE(a.error_code().empty());
  EXPECT_EQ(a.search_info().SerializeAsString(), request.search_info().SerializeAsString());
  EXPECT_EQ(a.processing_result_status(), ov1::PROCESSING_RESULT_STATUS_NORMAL);
  EXPECT_TRUE(a.processing_result_code().empty());
  EXPECT_EQ(a.qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);
  ASSERT_EQ(a.records_size(), 1);
  EXPECT_EQ(a.records(0).name(), "試験　太郎");
  EXPECT_EQ(a.records(0).identifiers().insurer_number(), "01139013");
  EXPECT_EQ(a.records(0).arbitrary_identifier(), "PT-7");
  EXPECT_EQ(a.records(0).pharmacists_info_consent().flag(), ov1::CONSENT_FLAG_GIVEN);
}

TEST_F(ResponderTest, LimitDataIsReturnedOnlyWithConsent) {
  const Plan with = Ask(kValidKyokai, /*consent=*/true);
  ASSERT_EQ(with.answer.records_size(), 1);
  const ov1::QualificationRecord& r = with.answer.records(0);
  ASSERT_TRUE(r.has_limit_certificate());
  EXPECT_EQ(r.limit_certificate().category(), "A03");
  EXPECT_EQ(r.limit_certificate_consent().flag(), ov1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(r.limit_certificate_consent().consent_time(), "20261201093000");

  const Plan without = Ask(kValidKyokai, /*consent=*/false);
  ASSERT_EQ(without.answer.records_size(), 1);
  const ov1::QualificationRecord& n = without.answer.records(0);
  EXPECT_FALSE(n.has_limit_certificate());
  EXPECT_EQ(n.limit_certificate_consent().flag(), ov1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_TRUE(n.limit_certificate_consent().consent_time().empty());
  // Everything else is the same.
  EXPECT_EQ(n.name(), r.name());
  EXPECT_EQ(without.answer.qualification_validity(), with.answer.qualification_validity());
}

TEST_F(ResponderTest, EveryLimitPatientLosesItsLimitDataWithoutConsent) {
  int limit_patients = 0;
  for (const v1::Patient& p : dataset_->patients()) {
    if (!p.records(0).has_limit_certificate() || p.behavior() != v1::BEHAVIOR_UNSPECIFIED) {
      continue;
    }
    ++limit_patients;
    const Card card{p.card().insurer_number(), p.card().insured_card_symbol(),
                    p.card().insured_identification_number(), p.card().insured_branch_number(),
                    p.birth_date()};
    const Plan with = Ask(card, true);
    const Plan without = Ask(card, false);
    ASSERT_EQ(with.scenario, p.scenario());
    ASSERT_EQ(without.scenario, p.scenario());
    EXPECT_EQ(with.answer.records(0).limit_certificate().category(),
              p.records(0).limit_certificate().category());
    EXPECT_FALSE(without.answer.records(0).has_limit_certificate()) << p.scenario();
  }
  EXPECT_EQ(limit_patients, 17);
}

TEST_F(ResponderTest, UnknownPersonGetsTheNotFoundAnswer) {
  const Plan plan = Ask(kUnknown);
  ASSERT_EQ(plan.action, Plan::Action::kAnswer);
  EXPECT_TRUE(plan.scenario.empty());
  EXPECT_EQ(plan.answer.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(plan.answer.processing_result_status(), ov1::PROCESSING_RESULT_STATUS_ERROR);
  EXPECT_EQ(plan.answer.qualification_validity(), ov1::QUALIFICATION_VALIDITY_NOT_FOUND);
  EXPECT_EQ(plan.answer.processing_result_code(), kNotFoundCode);
  EXPECT_FALSE(plan.answer.processing_result_message().empty());
  EXPECT_EQ(plan.answer.records_size(), 0);
  EXPECT_EQ(plan.answer.search_info().identifiers().insured_card_symbol(), "9999");
}

TEST_F(ResponderTest, WrongBirthDateIsNotFound) {
  Card card = kValidKyokai;
  card.birth = "19800116";
  EXPECT_EQ(Ask(card).answer.qualification_validity(), ov1::QUALIFICATION_VALIDITY_NOT_FOUND);
}

TEST_F(ResponderTest, SixDigitKokuhoMatchesPaddedWithSpacesOrZerosAndAnswersPadded) {
  for (const char* asked : {"  139014", "00139014", "139014"}) {
    Card card = kKokuhoSixDigit;
    card.insurer = asked;
    const Plan plan = Ask(card);
    EXPECT_EQ(plan.scenario, "kokuho-six-digit") << asked;
    ASSERT_EQ(plan.answer.records_size(), 1);
    EXPECT_EQ(plan.answer.records(0).identifiers().insurer_number(), "  139014");
    // The echo keeps what was asked.
    EXPECT_EQ(plan.answer.search_info().identifiers().insurer_number(), asked);
  }
}

TEST_F(ResponderTest, FullWidthAndHalfWidthSymbolsMatchTheSamePatient) {
  for (const char* symbol : {"１２３", "123"}) {
    Card card = kFullWidthSymbol;
    card.symbol = symbol;
    const Plan plan = Ask(card);
    EXPECT_EQ(plan.scenario, "fullwidth-symbol") << symbol;
    ASSERT_EQ(plan.answer.records_size(), 1);
    EXPECT_EQ(plan.answer.records(0).identifiers().insured_card_symbol(), "123");
  }
  Card fullwidth_insurer = kFullWidthSymbol;
  fullwidth_insurer.insurer = "０６１３９９９２";
  // The insurer number is width-folded too.
  EXPECT_EQ(Ask(fullwidth_insurer).scenario, "fullwidth-symbol");
}

TEST_F(ResponderTest, LeadingZerosOfTheNumberDoNotMatter) {
  for (const char* number : {"0012345", "12345", "０１２３４５"}) {
    Card card = kLeadingZero;
    card.number = number;
    EXPECT_EQ(Ask(card).scenario, "leading-zero-number") << number;
  }
}

TEST_F(ResponderTest, BranchNumberOmittedStillMatches) {
  Card card = kValidKyokai;
  card.branch = "";
  EXPECT_EQ(Ask(card).scenario, "valid-kyokai-honnin");
  card.branch = "03";  // someone else's 枝番 on the same card: the preschool child, other birth
  EXPECT_TRUE(Ask(card).scenario.empty());
}

TEST_F(ResponderTest, KoukiWithoutSymbolMatches) {
  const Plan plan = Ask(kKouki1);
  EXPECT_EQ(plan.scenario, "kouki-1wari");
  EXPECT_EQ(plan.answer.records(0).insured_partial_contribution_ratio(), "010");
  EXPECT_EQ(plan.answer.records(0).limit_certificate().category(), "B10");
}

TEST_F(ResponderTest, MultipleMatchReturnsEveryRecord) {
  const Plan plan = Ask(kTwins);
  EXPECT_EQ(plan.answer.qualification_validity(), ov1::QUALIFICATION_VALIDITY_MULTIPLE);
  EXPECT_EQ(plan.answer.records_size(), 2);
}

TEST_F(ResponderTest, CertificateExpiryIsASupplementaryMessageOnANormalAnswer) {
  const Plan plan = Ask(kCertExpiring);
  EXPECT_EQ(plan.answer.processing_result_status(), ov1::PROCESSING_RESULT_STATUS_NORMAL);
  EXPECT_EQ(plan.answer.qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);
  EXPECT_EQ(plan.answer.processing_result_code(), "SIM-CERTEXP");
  EXPECT_FALSE(plan.answer.processing_result_message().empty());
  EXPECT_EQ(plan.answer.records_size(), 1);
}

TEST_F(ResponderTest, ScenarioBehaviors) {
  EXPECT_EQ(Ask(kSilent).action, Plan::Action::kSilent);

  const Plan error = Ask(kTerminalError);
  ASSERT_EQ(error.action, Plan::Action::kAnswer);
  EXPECT_EQ(error.answer.segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
  EXPECT_EQ(error.answer.error_code(), "SIM-E9101");
  EXPECT_FALSE(error.answer.error_message().empty());
  EXPECT_EQ(error.answer.arbitrary_file_identifier(), "ID0001");
  EXPECT_FALSE(error.answer.has_search_info());
  EXPECT_EQ(error.answer.records_size(), 0);
  EXPECT_EQ(error.answer.processing_result_status(), ov1::PROCESSING_RESULT_STATUS_UNSPECIFIED);

  const Plan reject = Ask(kReject);
  EXPECT_EQ(reject.action, Plan::Action::kReject);
  EXPECT_EQ(reject.reject_code, kRejectByScenario);
  EXPECT_EQ(reject.scenario, "behavior-reject-request");

  const Plan malformed = Ask(kMalformed);
  EXPECT_EQ(malformed.action, Plan::Action::kAnswer);
  EXPECT_TRUE(malformed.malformed);

  const Plan late = Ask(kLate);
  EXPECT_EQ(late.action, Plan::Action::kAnswer);
  EXPECT_EQ(late.latency, absl::Milliseconds(3000));
  EXPECT_EQ(late.answer.qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);

  EXPECT_EQ(Ask(kSjisOverride).encoding, oqs::Encoding::kShiftJis);
}

TEST_F(ResponderTest, GlobalFaultsOverrideTheDataset) {
  EXPECT_EQ(Ask(kValidKyokai, true, Fault::kSilent).action, Plan::Action::kSilent);
  EXPECT_EQ(Ask(kUnknown, true, Fault::kSilent).action, Plan::Action::kSilent);

  const Plan error = Ask(kValidKyokai, true, Fault::kError);
  EXPECT_EQ(error.answer.segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
  EXPECT_EQ(error.answer.error_code(), kFaultErrorCode);

  EXPECT_TRUE(Ask(kValidKyokai, true, Fault::kMalformedAnswer).malformed);
  EXPECT_TRUE(Ask(kUnknown, true, Fault::kMalformedAnswer).malformed);

  for (Fault f : {Fault::kSlowWrite, Fault::kDuplicate}) {
    const Plan plan = Ask(kValidKyokai, true, f);
    EXPECT_EQ(plan.action, Plan::Action::kAnswer);
    EXPECT_FALSE(plan.malformed);
    EXPECT_EQ(plan.answer.qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);
  }
}

TEST_F(ResponderTest, MissingRequiredElementsAreRefused) {
  const ov1::QualificationRequestDocument base = MakeRequest(kValidKyokai, true);
  auto refused = [&](auto mutate) {
    ov1::QualificationRequestDocument request = base;
    mutate(request);
    const Plan plan = Make().RespondTo(request, TestNow());
    return plan.action == Plan::Action::kReject && plan.reject_code == kRejectMissingElement;
  };
  EXPECT_TRUE(refused([](auto& r) { r.clear_qualification_confirmation_date(); }));
  EXPECT_TRUE(refused([](auto& r) { r.clear_medical_institution_code(); }));
  EXPECT_TRUE(refused(
      [](auto& r) { r.mutable_search_info()->mutable_identifiers()->clear_insurer_number(); }));
  EXPECT_TRUE(refused([](auto& r) {
    r.mutable_search_info()->mutable_identifiers()->clear_insured_identification_number();
  }));
  EXPECT_TRUE(refused([](auto& r) { r.mutable_search_info()->clear_birth_date(); }));
  EXPECT_TRUE(refused([](auto& r) { r.mutable_search_info()->clear_limit_certificate_consent(); }));
  EXPECT_TRUE(refused([](auto& r) { r.clear_search_info(); }));
  // ArbitraryFileIdentifier, 記号 and 枝番 are optional.
  ov1::QualificationRequestDocument optional = base;
  optional.clear_arbitrary_file_identifier();
  EXPECT_EQ(Make().RespondTo(optional, TestNow()).action, Plan::Action::kAnswer);
}

TEST_F(ResponderTest, MalformedValuesAreRefused) {
  auto code = [&](auto mutate) {
    ov1::QualificationRequestDocument request = MakeRequest(kValidKyokai, true);
    mutate(request);
    return Make().RespondTo(request, TestNow()).reject_code;
  };
  EXPECT_EQ(code([](auto& r) { r.set_qualification_confirmation_date("20261301"); }),
            kRejectBadValue);
  EXPECT_EQ(code([](auto& r) { r.mutable_search_info()->set_birth_date("1980-01-15"); }),
            kRejectBadValue);
  EXPECT_EQ(code([](auto& r) {
              r.mutable_search_info()->mutable_identifiers()->set_insurer_number("0113901");
            }),
            kRejectBadValue);
  EXPECT_EQ(code([](auto& r) { r.set_medical_institution_code("131000001"); }), kRejectBadValue);
  EXPECT_EQ(code([](auto& r) {
              r.mutable_search_info()->set_limit_certificate_consent(ov1::CONSENT_FLAG_EXPIRED);
            }),
            kRejectBadValue);
}

TEST_F(ResponderTest, AnotherInstitutionsRequestIsRefused) {
  ov1::QualificationRequestDocument request = MakeRequest(kValidKyokai, true);
  request.set_medical_institution_code("1310000024");
  const Plan plan = Make().RespondTo(request, TestNow());
  EXPECT_EQ(plan.action, Plan::Action::kReject);
  EXPECT_EQ(plan.reject_code, kRejectOtherInstitution);
}

TEST_F(ResponderTest, RefusalsHappenEvenUnderGlobalFaults) {
  ov1::QualificationRequestDocument request = MakeRequest(kValidKyokai, true);
  request.mutable_search_info()->clear_birth_date();
  EXPECT_EQ(Make(Fault::kSilent).RespondTo(request, TestNow()).action, Plan::Action::kReject);
}

TEST_F(ResponderTest, UndecodableBytesAreRefusedAsSuch) {
  for (const char* bytes : {"", "not xml", "<XmlMsg><MessageHeader>",
                            "<?xml version=\"1.0\"?><!DOCTYPE x []><XmlMsg/>", "<Other/>"}) {
    const Plan plan = Make().Respond(bytes, TestNow());
    EXPECT_EQ(plan.action, Plan::Action::kReject) << bytes;
    EXPECT_EQ(plan.reject_code, kRejectUndecodable) << bytes;
    EXPECT_TRUE(plan.undecodable) << bytes;
  }
}

TEST_F(ResponderTest, EncodedRequestIsDecodedAndAnswered) {
  for (oqs::Encoding encoding : {oqs::Encoding::kUtf8, oqs::Encoding::kShiftJis}) {
    absl::StatusOr<std::string> bytes =
        oqs::EncodeQualificationRequest(MakeRequest(kKokuhoSixDigit, true), {encoding, false});
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    const Plan plan = Make().Respond(*bytes, TestNow());
    EXPECT_EQ(plan.action, Plan::Action::kAnswer);
    EXPECT_EQ(plan.scenario, "kokuho-six-digit");
  }
}

TEST(FormatJstTest, IsNineHoursAheadOfUtc) {
  EXPECT_EQ(
      FormatJst(absl::FromCivil(absl::CivilSecond(2026, 12, 31, 15, 0, 1), absl::UTCTimeZone())),
      "20270101000001");
}

TEST(TruncateDocumentTest, CutsAfterATagSoTheDocumentIsNotWellFormed) {
  ov1::QualificationResult result;
  result.set_process_execution_time("20261201093000");
  result.set_arbitrary_file_identifier("ID0001");
  result.set_segment_of_result(ov1::SEGMENT_OF_RESULT_COMPLETED);
  result.set_qualification_validity(ov1::QUALIFICATION_VALIDITY_VALID);
  result.add_records()->set_name("試験　太郎");
  absl::StatusOr<std::string> whole = oqs::EncodeQualificationResult(result, {});
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_TRUE(oqs::DecodeQualificationResult(*whole).ok());
  const std::string cut = TruncateDocument(*whole);
  EXPECT_LT(cut.size(), whole->size());
  EXPECT_EQ(whole->substr(0, cut.size()), cut);
  EXPECT_EQ(cut.back(), '>');
  EXPECT_FALSE(oqs::DecodeQualificationResult(cut).ok());
}

TEST(FaultTest, NamesRoundTrip) {
  for (Fault f : {Fault::kNone, Fault::kSilent, Fault::kError, Fault::kMalformedAnswer,
                  Fault::kSlowWrite, Fault::kDuplicate}) {
    Fault parsed = Fault::kNone;
    ASSERT_TRUE(ParseFault(FaultName(f), &parsed));
    EXPECT_EQ(parsed, f);
  }
  Fault ignored;
  EXPECT_FALSE(ParseFault("sometimes", &ignored));
}

// ---- the catalogue's patients, one row each ---------------------------------------------------

struct PatientRow {
  const char* scenario;
  Plan::Action action;
  ov1::QualificationValidity validity;
  int records;
  // 限度額区分 given with consent ("" = none).
  const char* limit_category;
};

constexpr auto kAnswer = Plan::Action::kAnswer;
constexpr auto kValid = ov1::QUALIFICATION_VALIDITY_VALID;

const PatientRow kPatientRows[] = {
    {"valid-kyokai-honnin", kAnswer, kValid, 1, "A03"},
    {"invalid-lost", kAnswer, ov1::QUALIFICATION_VALIDITY_INVALID, 1, ""},
    {"invalid-newer-exists", kAnswer, ov1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS, 1, ""},
    {"multiple-twins", kAnswer, ov1::QUALIFICATION_VALIDITY_MULTIPLE, 2, ""},
    {"kouki-1wari", kAnswer, kValid, 1, "B10"},
    {"kouki-2wari", kAnswer, kValid, 1, "B09"},
    {"kouki-3wari", kAnswer, kValid, 1, "B01"},
    {"elderly-70-74-2wari", kAnswer, kValid, 1, "B04"},
    {"elderly-70-74-3wari", kAnswer, kValid, 1, "B03"},
    {"limit-a01", kAnswer, kValid, 1, "A01"},
    {"limit-a02", kAnswer, kValid, 1, "A02"},
    {"limit-a04", kAnswer, kValid, 1, "A04"},
    {"limit-a05", kAnswer, kValid, 1, "A05"},
    {"limit-a06", kAnswer, kValid, 1, "A06"},
    {"limit-b02", kAnswer, kValid, 1, "B02"},
    {"limit-b05", kAnswer, kValid, 1, "B05"},
    {"limit-b06", kAnswer, kValid, 1, "B06"},
    {"limit-b07", kAnswer, kValid, 1, "B07"},
    {"limit-b08", kAnswer, kValid, 1, "B08"},
    {"age-70-mid-month", kAnswer, kValid, 1, ""},
    {"turning-75-this-month", kAnswer, kValid, 1, "B10"},
    {"specific-disease-10000", kAnswer, kValid, 1, ""},
    {"specific-disease-20000", kAnswer, kValid, 1, ""},
    {"fullwidth-symbol", kAnswer, kValid, 1, ""},
    {"leading-zero-number", kAnswer, kValid, 1, ""},
    {"kokuho-six-digit", kAnswer, kValid, 1, ""},
    {"gaiji-name", kAnswer, kValid, 1, ""},
    {"sjis-override", kAnswer, kValid, 1, ""},
    {"preschool-child", kAnswer, kValid, 1, ""},
    {"cert-expiring", kAnswer, kValid, 1, ""},
    {"jieikan", kAnswer, kValid, 1, ""},
    {"cert-grace", kAnswer, kValid, 1, ""},
    {"home-care-consent", kAnswer, kValid, 1, ""},
    {"behavior-silent", Plan::Action::kSilent, kValid, 0, ""},
    {"behavior-terminal-error", kAnswer, ov1::QUALIFICATION_VALIDITY_UNSPECIFIED, 0, ""},
    {"behavior-reject-request", Plan::Action::kReject, kValid, 0, ""},
    {"behavior-malformed-answer", kAnswer, kValid, 1, ""},
    {"behavior-late", kAnswer, kValid, 1, ""},
};

TEST_F(ResponderTest, EveryPatientScenarioIsAnsweredAsCatalogued) {
  ASSERT_EQ(static_cast<int>(std::size(kPatientRows)), dataset_->patients_size())
      << "a dataset patient without a row here (or a row without a patient)";
  for (const PatientRow& row : kPatientRows) {
    SCOPED_TRACE(row.scenario);
    Exercises(row.scenario);
    const v1::Patient& patient = testing::PatientOf(row.scenario);
    const Plan plan = Ask(CardOf(row.scenario));
    ASSERT_EQ(plan.action, row.action);
    EXPECT_EQ(plan.scenario, row.scenario);
    if (plan.action != Plan::Action::kAnswer) continue;
    EXPECT_EQ(plan.answer.qualification_validity(), row.validity);
    ASSERT_EQ(plan.answer.records_size(), row.records);
    if (row.records == 0) {
      EXPECT_EQ(plan.answer.segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
      continue;
    }
    EXPECT_EQ(plan.malformed, patient.behavior() == v1::BEHAVIOR_MALFORMED_ANSWER);
    EXPECT_EQ(plan.latency, patient.has_latency_ms() ? absl::Milliseconds(patient.latency_ms())
                                                     : absl::Milliseconds(250));
    EXPECT_EQ(plan.answer.records(0).limit_certificate().category(), row.limit_category);
    EXPECT_EQ(plan.answer.processing_result_code(), patient.processing_result_code());
    // The record is the insurer's, with the 限度額 consent of this request.
    for (int i = 0; i < row.records; ++i) {
      ov1::QualificationRecord want = patient.records(i);
      want.mutable_limit_certificate_consent()->set_flag(ov1::CONSENT_FLAG_GIVEN);
      want.mutable_limit_certificate_consent()->set_consent_time("20261201093000");
      EXPECT_EQ(plan.answer.records(i).SerializeAsString(), want.SerializeAsString());
    }
  }
}

}  // namespace
}  // namespace onshi::sim
