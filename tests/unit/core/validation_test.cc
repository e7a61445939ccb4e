#include "plugin/core/validation.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/core/test_names.h"

namespace onshi {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const Date kToday{2025, 6, 2};

// Distinctive values, so a leak into an error text cannot hide among the texts' own words.
constexpr char kInsurer[] = "06139992";
constexpr char kSymbol[] = "記号ＸＹ９";
constexpr char kNumber[] = "98765";
constexpr char kBirth[] = "19850412";

v1::CheckQualificationRequest GoodRequest() {
  v1::CheckQualificationRequest request;
  request.set_request_id("req-0001.abcd_EF");
  request.set_patient_id("P000123");
  request.mutable_identifiers()->set_insurer_number(kInsurer);
  request.mutable_identifiers()->set_insured_card_symbol(kSymbol);
  request.mutable_identifiers()->set_insured_identification_number(kNumber);
  request.mutable_identifiers()->set_insured_branch_number("01");
  request.set_birth_date(kBirth);
  request.set_confirmation_date("20250602");
  request.set_limit_certificate_consent(true);
  return request;
}

// Asserts that neither text of `status` quotes any identifying value of `request`.
void ExpectNoPatientValues(const absl::Status& status,
                           const v1::CheckQualificationRequest& request) {
  const v1::ErrorDetail detail = ToErrorDetail(status);
  std::vector<std::string> values = {
      request.identifiers().insurer_number(), request.identifiers().insured_card_symbol(),
      request.identifiers().insured_identification_number(), request.birth_date()};
  for (const std::string& value : values) {
    // Values shorter than 3 characters are ordinary words of any text ("01").
    if (value.size() < 3) continue;
    EXPECT_THAT(detail.it_message(), Not(HasSubstr(value)));
    EXPECT_THAT(detail.staff_message(), Not(HasSubstr(value)));
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr(value)));
  }
}

TEST(ValidateRequestIdTest, AcceptsEightToSixtyFourIdCharacters) {
  EXPECT_TRUE(ValidateRequestId("abcdefgh").ok());
  EXPECT_TRUE(ValidateRequestId(std::string(64, 'a')).ok());
  EXPECT_TRUE(ValidateRequestId("0f8fad5b-d9cb-469f-a165-70867728950e").ok());
  for (const std::string& bad :
       {std::string(), std::string("abcdefg"), std::string(65, 'a'), std::string("abcd efgh"),
        std::string("abcd/efgh"), std::string("ａｂｃｄｅｆｇｈ")}) {
    absl::Status status = ValidateRequestId(bad);
    EXPECT_EQ(ReasonOf(status), "ONSHI_INVALID_REQUEST_ID") << bad;
  }
}

TEST(ValidatePatientIdTest, AcceptsOneToSixtyFourIdCharacters) {
  EXPECT_TRUE(ValidatePatientId("1").ok());
  EXPECT_TRUE(ValidatePatientId(std::string(64, 'Z')).ok());
  for (const std::string& bad :
       {std::string(), std::string(65, 'a'), std::string("p 1"), std::string("患者1")}) {
    EXPECT_EQ(ReasonOf(ValidatePatientId(bad)), "ONSHI_INVALID_PATIENT_ID") << bad;
  }
}

TEST(ValidateMedicalInstitutionCodeTest, RequiresTenDigits) {
  EXPECT_TRUE(ValidateMedicalInstitutionCode("1310000016").ok());
  EXPECT_TRUE(IsMedicalInstitutionCode("1310000016"));
  for (const char* bad : {"", "131000001", "13100000160", "131000001a", "１３１００００１６"}) {
    EXPECT_FALSE(IsMedicalInstitutionCode(bad)) << bad;
    EXPECT_EQ(ReasonOf(ValidateMedicalInstitutionCode(bad)), "ONSHI_CONFIG_INVALID") << bad;
  }
}

TEST(NormalizeCheckRequestTest, ReturnsTheCanonicalForm) {
  absl::StatusOr<v1::CheckQualificationRequest> out = NormalizeCheckRequest(GoodRequest(), kToday);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->request_id(), "req-0001.abcd_EF");
  EXPECT_EQ(out->patient_id(), "P000123");
  EXPECT_EQ(out->identifiers().insurer_number(), kInsurer);
  EXPECT_EQ(out->identifiers().insured_card_symbol(), kSymbol);  // width as typed
  EXPECT_EQ(out->identifiers().insured_identification_number(), kNumber);
  EXPECT_EQ(out->identifiers().insured_branch_number(), "01");
  EXPECT_EQ(out->birth_date(), kBirth);
  EXPECT_EQ(out->confirmation_date(), "20250602");
  EXPECT_TRUE(out->limit_certificate_consent());
}

TEST(NormalizeCheckRequestTest, FoldsNumbersButKeepsSymbolAndNumberAsTyped) {
  v1::CheckQualificationRequest in = GoodRequest();
  in.mutable_identifiers()->set_insurer_number("　１３８１５６ ");
  in.mutable_identifiers()->set_insured_card_symbol(" 　１２３ア－１　");
  in.mutable_identifiers()->set_insured_identification_number(" ４５６７ ");
  in.mutable_identifiers()->set_insured_branch_number("０２");
  absl::StatusOr<v1::CheckQualificationRequest> out = NormalizeCheckRequest(in, kToday);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->identifiers().insurer_number(), "138156");
  EXPECT_EQ(out->identifiers().insured_card_symbol(), "１２３ア－１");
  EXPECT_EQ(out->identifiers().insured_identification_number(), "４５６７");
  EXPECT_EQ(out->identifiers().insured_branch_number(), "02");
}

TEST(NormalizeCheckRequestTest, EmptyConfirmationDateIsTodayInJapan) {
  v1::CheckQualificationRequest in = GoodRequest();
  in.clear_confirmation_date();
  absl::StatusOr<v1::CheckQualificationRequest> out = NormalizeCheckRequest(in, kToday);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->confirmation_date(), "20250602");
}

TEST(NormalizeCheckRequestTest, AcceptsBoundaries) {
  struct Case {
    const char* name;
    std::function<void(v1::CheckQualificationRequest*)> edit;
  };
  const std::vector<Case> cases = {
      {"no patient", [](auto* r) { r->clear_patient_id(); }},
      {"no symbol", [](auto* r) { r->mutable_identifiers()->clear_insured_card_symbol(); }},
      {"no branch", [](auto* r) { r->mutable_identifiers()->clear_insured_branch_number(); }},
      {"20-character symbol",
       [](auto* r) {
         std::string s;
         for (int i = 0; i < 20; ++i) s += "記";
         r->mutable_identifiers()->set_insured_card_symbol(s);
       }},
      {"20-character number",
       [](auto* r) {
         r->mutable_identifiers()->set_insured_identification_number(std::string(20, '9'));
       }},
      {"tomorrow", [](auto* r) { r->set_confirmation_date("20250603"); }},
      {"past visit", [](auto* r) { r->set_confirmation_date("20240401"); }},
      {"born on the confirmation date", [](auto* r) { r->set_birth_date("20250602"); }},
      {"late-elderly insurer without symbol",
       [](auto* r) {
         r->mutable_identifiers()->set_insurer_number("39131156");
         r->mutable_identifiers()->clear_insured_card_symbol();
       }},
      {"late-elderly insurer with a blank symbol",
       [](auto* r) {
         r->mutable_identifiers()->set_insurer_number("39131156");
         r->mutable_identifiers()->set_insured_card_symbol("　");
       }},
      {"12-digit number (not refused: could be a real 番号)",
       [](auto* r) {
         r->mutable_identifiers()->set_insured_identification_number("123456789012");
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    v1::CheckQualificationRequest in = GoodRequest();
    c.edit(&in);
    absl::StatusOr<v1::CheckQualificationRequest> out = NormalizeCheckRequest(in, kToday);
    EXPECT_TRUE(out.ok()) << out.status();
  }
}

TEST(NormalizeCheckRequestTest, LateElderlyBlankSymbolIsCleared) {
  v1::CheckQualificationRequest in = GoodRequest();
  in.mutable_identifiers()->set_insurer_number("39131156");
  in.mutable_identifiers()->set_insured_card_symbol(" 　");
  absl::StatusOr<v1::CheckQualificationRequest> out = NormalizeCheckRequest(in, kToday);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->identifiers().insured_card_symbol(), "");
}

struct ErrorCase {
  const char* name;
  std::function<void(v1::CheckQualificationRequest*)> edit;
  const char* reason;
  // The field the IT text must name.
  const char* field;
};

class NormalizeCheckRequestErrorTest : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(NormalizeCheckRequestErrorTest, RefusesWithReasonNamingFieldNotValue) {
  SCOPED_TRACE(GetParam().name);
  v1::CheckQualificationRequest in = GoodRequest();
  GetParam().edit(&in);
  absl::StatusOr<v1::CheckQualificationRequest> out = NormalizeCheckRequest(in, kToday);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(out.status()), GetParam().reason);
  EXPECT_THAT(ToErrorDetail(out.status()).it_message(), HasSubstr(GetParam().field));
  ExpectNoPatientValues(out.status(), in);
}

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, NormalizeCheckRequestErrorTest,
    ::testing::Values(
        ErrorCase{"no request id", [](auto* r) { r->clear_request_id(); },
                  "ONSHI_INVALID_REQUEST_ID", "request_id"},
        ErrorCase{"short request id", [](auto* r) { r->set_request_id("abc"); },
                  "ONSHI_INVALID_REQUEST_ID", "request_id"},
        ErrorCase{"request id with space", [](auto* r) { r->set_request_id("abcd efgh"); },
                  "ONSHI_INVALID_REQUEST_ID", "request_id"},
        ErrorCase{"bad patient id", [](auto* r) { r->set_patient_id("P 1"); },
                  "ONSHI_INVALID_PATIENT_ID", "patient_id"},
        ErrorCase{"long patient id", [](auto* r) { r->set_patient_id(std::string(65, 'p')); },
                  "ONSHI_INVALID_PATIENT_ID", "patient_id"},
        ErrorCase{"no insurer", [](auto* r) { r->mutable_identifiers()->clear_insurer_number(); },
                  "ONSHI_INVALID_INSURER_NUMBER", "insurer_number"},
        ErrorCase{"7-digit insurer",
                  [](auto* r) { r->mutable_identifiers()->set_insurer_number("6139992"); },
                  "ONSHI_INVALID_INSURER_NUMBER", "insurer_number"},
        ErrorCase{"insurer check digit",
                  [](auto* r) { r->mutable_identifiers()->set_insurer_number("06139995"); },
                  "ONSHI_INSURER_CHECK_DIGIT", "insurer_number"},
        ErrorCase{
            "21-character symbol",
            [](auto* r) { r->mutable_identifiers()->set_insured_card_symbol(Repeat("記", 21)); },
            "ONSHI_INVALID_CARD_SYMBOL", "insured_card_symbol"},
        ErrorCase{"symbol with control",
                  [](auto* r) { r->mutable_identifiers()->set_insured_card_symbol("記号\t1"); },
                  "ONSHI_INVALID_CARD_SYMBOL", "insured_card_symbol"},
        ErrorCase{
            "symbol not UTF-8",
            [](auto* r) { r->mutable_identifiers()->set_insured_card_symbol("\x8B\x4C\x8D\x86"); },
            "ONSHI_INVALID_CARD_SYMBOL", "insured_card_symbol"},
        ErrorCase{"late-elderly insurer with symbol",
                  [](auto* r) { r->mutable_identifiers()->set_insurer_number("39131156"); },
                  "ONSHI_INVALID_CARD_SYMBOL", "insured_card_symbol"},
        ErrorCase{"no number",
                  [](auto* r) { r->mutable_identifiers()->clear_insured_identification_number(); },
                  "ONSHI_INVALID_CARD_NUMBER", "insured_identification_number"},
        ErrorCase{
            "blank number",
            [](auto* r) { r->mutable_identifiers()->set_insured_identification_number(" 　 "); },
            "ONSHI_INVALID_CARD_NUMBER", "insured_identification_number"},
        ErrorCase{"21-character number",
                  [](auto* r) {
                    r->mutable_identifiers()->set_insured_identification_number(
                        std::string(21, '1'));
                  },
                  "ONSHI_INVALID_CARD_NUMBER", "insured_identification_number"},
        ErrorCase{
            "number with newline",
            [](auto* r) { r->mutable_identifiers()->set_insured_identification_number("98765\n"); },
            "ONSHI_INVALID_CARD_NUMBER", "insured_identification_number"},
        ErrorCase{"number with C1 control",
                  [](auto* r) {
                    r->mutable_identifiers()->set_insured_identification_number(
                        "98\xC2\x85"
                        "765");
                  },
                  "ONSHI_INVALID_CARD_NUMBER", "insured_identification_number"},
        ErrorCase{
            "number not UTF-8",
            [](auto* r) { r->mutable_identifiers()->set_insured_identification_number("987\xFF"); },
            "ONSHI_INVALID_CARD_NUMBER", "insured_identification_number"},
        ErrorCase{"1-digit branch",
                  [](auto* r) { r->mutable_identifiers()->set_insured_branch_number("1"); },
                  "ONSHI_INVALID_BRANCH_NUMBER", "insured_branch_number"},
        ErrorCase{"3-digit branch",
                  [](auto* r) { r->mutable_identifiers()->set_insured_branch_number("001"); },
                  "ONSHI_INVALID_BRANCH_NUMBER", "insured_branch_number"},
        ErrorCase{"letters in branch",
                  [](auto* r) { r->mutable_identifiers()->set_insured_branch_number("ab"); },
                  "ONSHI_INVALID_BRANCH_NUMBER", "insured_branch_number"},
        ErrorCase{"branch not UTF-8",
                  [](auto* r) { r->mutable_identifiers()->set_insured_branch_number("\xFF"); },
                  "ONSHI_INVALID_BRANCH_NUMBER", "insured_branch_number"},
        ErrorCase{"impossible confirmation date",
                  [](auto* r) { r->set_confirmation_date("20250230"); },
                  "ONSHI_INVALID_CONFIRMATION_DATE", "confirmation_date"},
        ErrorCase{"confirmation two days ahead",
                  [](auto* r) { r->set_confirmation_date("20250604"); },
                  "ONSHI_INVALID_CONFIRMATION_DATE", "confirmation_date"},
        ErrorCase{"confirmation with separators",
                  [](auto* r) { r->set_confirmation_date("2025-06-02"); },
                  "ONSHI_INVALID_CONFIRMATION_DATE", "confirmation_date"},
        ErrorCase{"no birth date", [](auto* r) { r->clear_birth_date(); },
                  "ONSHI_INVALID_BIRTH_DATE", "birth_date"},
        ErrorCase{"impossible birth date", [](auto* r) { r->set_birth_date("19850230"); },
                  "ONSHI_INVALID_BIRTH_DATE", "birth_date"},
        ErrorCase{"birth before 1900", [](auto* r) { r->set_birth_date("18991231"); },
                  "ONSHI_INVALID_BIRTH_DATE", "birth_date"},
        ErrorCase{"born after the confirmation date",
                  [](auto* r) {
                    r->set_confirmation_date("20250101");
                    r->set_birth_date("20250102");
                  },
                  "ONSHI_INVALID_BIRTH_DATE", "birth_date"},
        ErrorCase{"born tomorrow", [](auto* r) { r->set_birth_date("20250603"); },
                  "ONSHI_INVALID_BIRTH_DATE", "birth_date"}),
    DescriptionName());

// NormalizeCheckRequest's output for a request that must be accepted.
v1::CheckQualificationRequest MustNormalize(const v1::CheckQualificationRequest& in) {
  absl::StatusOr<v1::CheckQualificationRequest> out = NormalizeCheckRequest(in, kToday);
  EXPECT_TRUE(out.ok()) << out.status();
  return out.ok() ? *out : v1::CheckQualificationRequest();
}

TEST(BuildQualificationRequestTest, CarriesTheNormalizedRequest) {
  v1::CheckQualificationRequest normalized = MustNormalize(GoodRequest());
  v1::QualificationRequestDocument document =
      BuildQualificationRequest(normalized, "1310000016", "f0e1d2c3b4a5");
  EXPECT_EQ(document.qualification_confirmation_date(), "20250602");
  EXPECT_EQ(document.medical_institution_code(), "1310000016");
  EXPECT_EQ(document.arbitrary_file_identifier(), "f0e1d2c3b4a5");
  const v1::QualificationSearchInfo& search = document.search_info();
  EXPECT_EQ(search.identifiers().insurer_number(), kInsurer);
  EXPECT_EQ(search.identifiers().insured_card_symbol(), kSymbol);
  EXPECT_EQ(search.identifiers().insured_identification_number(), kNumber);
  EXPECT_EQ(search.identifiers().insured_branch_number(), "01");
  EXPECT_EQ(search.birth_date(), kBirth);
  EXPECT_EQ(search.limit_certificate_consent(), v1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(search.arbitrary_identifier(), "");
}

TEST(BuildQualificationRequestTest, SixDigitInsurerIsPaddedWithSpaces) {
  v1::CheckQualificationRequest in = GoodRequest();
  in.mutable_identifiers()->set_insurer_number("１３８１５６");
  v1::CheckQualificationRequest normalized = MustNormalize(in);
  v1::QualificationRequestDocument document =
      BuildQualificationRequest(normalized, "1310000016", "id");
  EXPECT_EQ(document.search_info().identifiers().insurer_number(), "  138156");
}

TEST(BuildQualificationRequestTest, ConsentFlagIsAlwaysSet) {
  v1::CheckQualificationRequest in = GoodRequest();
  in.set_limit_certificate_consent(false);
  v1::QualificationRequestDocument document =
      BuildQualificationRequest(MustNormalize(in), "1310000016", "id");
  EXPECT_EQ(document.search_info().limit_certificate_consent(), v1::CONSENT_FLAG_NOT_GIVEN);
}

// ---------------------------------------------------------------------------------------------
// ValidateQualificationResult

v1::QualificationResult GoodResult() {
  v1::QualificationResult result;
  result.set_process_execution_time("20250602091512");
  result.set_qualification_confirmation_date("20250602");
  result.set_medical_institution_code("1310000016");
  result.set_arbitrary_file_identifier("f0e1d2c3b4a5");
  result.set_reference_classification(v1::REFERENCE_CLASSIFICATION_INSURANCE_CARD);
  result.set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  result.set_character_code(v1::CHARACTER_CODE_UTF8);
  result.mutable_search_info()->set_birth_date("19850412");
  result.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
  v1::QualificationRecord* record = result.add_records();
  record->set_insured_card_classification("01");
  record->mutable_identifiers()->set_insurer_number("06139992");
  record->set_name("試験　花子");
  record->set_birth_date("19850412");
  record->set_insured_card_valid_date("20240401");
  record->set_insured_partial_contribution_ratio("030");
  record->mutable_limit_certificate_consent()->set_flag(v1::CONSENT_FLAG_GIVEN);
  record->mutable_limit_certificate_consent()->set_consent_time("20250602091512");
  record->mutable_limit_certificate()->set_category("A03");
  record->mutable_limit_certificate()->set_valid_start_date("20250401");
  record->mutable_limit_certificate()->set_valid_end_date("20260331");
  v1::SpecificDiseaseCertificate* disease = record->add_specific_diseases();
  disease->set_disease_category("1");
  disease->set_valid_start_date("20250401");
  disease->set_self_pay_yen(10000);
  return result;
}

void ExpectInvalidElement(const v1::QualificationResult& result, const std::string& element) {
  absl::Status status = ValidateQualificationResult(result);
  EXPECT_EQ(ReasonOf(status), "ONSHI_DOCUMENT_INVALID_VALUE") << element;
  EXPECT_THAT(std::string(status.message()), HasSubstr(element));
}

TEST(ValidateQualificationResultTest, AcceptsAWellFormedAnswer) {
  EXPECT_TRUE(ValidateQualificationResult(GoodResult()).ok());
}

TEST(ValidateQualificationResultTest, RequiresSegmentOfResult) {
  v1::QualificationResult result = GoodResult();
  result.clear_segment_of_result();
  ExpectInvalidElement(result, "MessageHeader/SegmentOfResult");
}

TEST(ValidateQualificationResultTest, CompletedRequiresStatusAndValidity) {
  v1::QualificationResult result = GoodResult();
  result.clear_processing_result_status();
  ExpectInvalidElement(result, "MessageBody/ProcessingResultStatus");

  result = GoodResult();
  result.clear_qualification_validity();
  ExpectInvalidElement(result, "MessageBody/QualificationValidity");

  // An error result may lack the validity.
  result.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_ERROR);
  result.clear_records();
  EXPECT_TRUE(ValidateQualificationResult(result).ok());
}

TEST(ValidateQualificationResultTest, FailedResultNeedsOnlyItsSegment) {
  v1::QualificationResult result;
  result.set_segment_of_result(v1::SEGMENT_OF_RESULT_FAILED);
  result.set_error_code("E0001");
  EXPECT_TRUE(ValidateQualificationResult(result).ok());
}

TEST(ValidateQualificationResultTest, MedicalInstitutionCodeIsTenDigits) {
  v1::QualificationResult result = GoodResult();
  result.set_medical_institution_code("131000001");
  ExpectInvalidElement(result, "MessageHeader/MedicalInstitutionCode");
  result.clear_medical_institution_code();
  ExpectInvalidElement(result, "MessageHeader/MedicalInstitutionCode");
  result.set_segment_of_result(v1::SEGMENT_OF_RESULT_FAILED);
  EXPECT_TRUE(ValidateQualificationResult(result).ok());
  result.set_medical_institution_code("x");
  ExpectInvalidElement(result, "MessageHeader/MedicalInstitutionCode");
}

// Sets the string field at dotted `path` ("limit_certificate.valid_end_date",
// "specific_diseases.valid_end_date" = the first entry) of `message` to `value`.
void SetByPath(google::protobuf::Message* message, const std::string& path,
               const std::string& value) {
  std::vector<std::string> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const google::protobuf::FieldDescriptor* field =
        message->GetDescriptor()->FindFieldByName(parts[i]);
    ASSERT_NE(field, nullptr) << parts[i];
    const google::protobuf::Reflection* reflection = message->GetReflection();
    if (field->is_repeated()) {
      message = reflection->FieldSize(*message, field) > 0
                    ? reflection->MutableRepeatedMessage(message, field, 0)
                    : reflection->AddMessage(message, field);
    } else {
      message = reflection->MutableMessage(message, field);
    }
  }
  const google::protobuf::FieldDescriptor* field =
      message->GetDescriptor()->FindFieldByName(parts.back());
  ASSERT_NE(field, nullptr) << parts.back();
  message->GetReflection()->SetString(message, field, value);
}

struct FormatCase {
  // Field path from the QualificationResult.
  std::string path;
  std::string bad_value;
  // Element path the error must name.
  std::string element;
};

class ResultFormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(ResultFormatTest, RefusesMalformedValueNamingTheElement) {
  v1::QualificationResult result = GoodResult();
  SetByPath(&result, GetParam().path, GetParam().bad_value);
  absl::Status status = ValidateQualificationResult(result);
  EXPECT_EQ(ReasonOf(status), "ONSHI_DOCUMENT_INVALID_VALUE");
  EXPECT_THAT(std::string(status.message()), ::testing::EndsWith(GetParam().element));
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr(GetParam().bad_value)));
}

constexpr char kRecord[] = "MessageBody/ResultList/ResultOfQualificationConfirmation/";

std::vector<FormatCase> FormatCases() {
  std::vector<FormatCase> cases = {
      {"process_execution_time", "20250602250000", "MessageHeader/ProcessExecutionTime"},
      {"qualification_confirmation_date", "20250230",
       "MessageHeader/QualificationConfirmationDate"},
      {"search_info.birth_date", "19850230",
       "MessageBody/QualificationConfirmSearchInfo/Birthdate"},
  };
  // Every date element of a record (the list is written out here on purpose: a field whose
  // element stops being recognised as a date fails this test).
  const std::vector<std::pair<std::string, std::string>> record_dates = {
      {"birth_date", "Birthdate"},
      {"qualification_date", "QualificationDate"},
      {"disqualification_date", "DisqualificationDate"},
      {"insured_certificate_issuance_date", "InsuredCertificateIssuanceDate"},
      {"insured_card_valid_date", "InsuredCardValidDate"},
      {"insured_card_expiration_date", "InsuredCardExpirationDate"},
      {"elderly_recipient_certificate.certificate_date",
       "ElderlyRecipientCertificateInfo/ElderlyRecipientCertificateDate"},
      {"elderly_recipient_certificate.valid_start_date",
       "ElderlyRecipientCertificateInfo/ElderlyRecipientValidStartDate"},
      {"elderly_recipient_certificate.valid_end_date",
       "ElderlyRecipientCertificateInfo/ElderlyRecipientValidEndDate"},
      {"limit_certificate.certificate_date",
       "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateDate"},
      {"limit_certificate.valid_start_date",
       "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateValidStartDate"},
      {"limit_certificate.valid_end_date",
       "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateValidEndDate"},
      {"limit_certificate.long_term_date",
       "LimitApplicationCertificateRelatedInfo/LimitApplicationCertificateLongTermDate"},
      {"specific_diseases.certificate_date",
       "SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo/"
       "SpecificDiseasesCertificateDate"},
      {"specific_diseases.valid_start_date",
       "SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo/"
       "SpecificDiseasesValidStartDate"},
      {"specific_diseases.valid_end_date",
       "SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo/"
       "SpecificDiseasesValidEndDate"},
      {"medical_tickets.valid_date",
       "PublicExpenseResultList/MedicalTicketInfo/MedicalTicketValidDate"},
      {"medical_tickets.expiration_date",
       "PublicExpenseResultList/MedicalTicketInfo/MedicalTicketExpirationDate"},
  };
  for (const auto& [field, element] : record_dates) {
    cases.push_back({"records." + field, "20250230", kRecord + element});
  }
  // Every timestamp of a record: the consent times, with their prefixed element names.
  const std::vector<std::pair<std::string, std::string>> consents = {
      {"limit_certificate_consent", "LimitApplicationCertificateRelated"},
      {"specific_diseases_consent", "SpecificDiseasesCertificateRelated"},
      {"specific_health_checkups_consent", "SpecificHealthCheckupsInfo"},
      {"pharmacists_info_consent", "PharmacistsInfo"},
      {"diagnosis_info_consent", "DiagnosisInfo"},
      {"operation_info_consent", "OperationInfo"},
  };
  for (const auto& [field, prefix] : consents) {
    cases.push_back(
        {"records." + field + ".consent_time", "2025060209151", kRecord + prefix + "ConsTime"});
    cases.push_back({"records." + field + ".available_time", "20250602091560",
                     kRecord + prefix + "AvailableTime"});
  }
  cases.push_back({"records.insured_partial_contribution_ratio", "30",
                   std::string(kRecord) + "InsuredPartialContributionRatio"});
  cases.push_back({"records.insured_partial_contribution_ratio", "3割",
                   std::string(kRecord) + "InsuredPartialContributionRatio"});
  cases.push_back({"records.insured_partial_contribution_ratio", "101",
                   std::string(kRecord) + "InsuredPartialContributionRatio"});
  cases.push_back(
      {"records.elderly_recipient_certificate.contribution_ratio", "0200",
       std::string(kRecord) + "ElderlyRecipientCertificateInfo/ElderlyRecipientContributionRatio"});
  cases.push_back(
      {"records.medical_tickets.treatment_month", "202513",
       std::string(kRecord) + "PublicExpenseResultList/MedicalTicketInfo/MedicalTreatmentMonth"});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Cases, ResultFormatTest, ::testing::ValuesIn(FormatCases()));

TEST(ValidateQualificationResultTest, TextElementsAreNotFormatChecked) {
  v1::QualificationResult result = GoodResult();
  result.mutable_records(0)->set_insurer_name("20250230");
  result.mutable_records(0)->set_name("Date");
  result.mutable_records(0)->mutable_identifiers()->set_insured_card_symbol("ｱ-1");
  EXPECT_TRUE(ValidateQualificationResult(result).ok());
}

TEST(ValidateQualificationResultTest, AcceptsValidRatiosAndMonths) {
  v1::QualificationResult result = GoodResult();
  for (const char* ratio : {"000", "010", "020", "030", "100"}) {
    result.mutable_records(0)->set_insured_partial_contribution_ratio(ratio);
    EXPECT_TRUE(ValidateQualificationResult(result).ok()) << ratio;
  }
  result.mutable_records(0)->add_medical_tickets()->set_treatment_month("202506");
  EXPECT_TRUE(ValidateQualificationResult(result).ok());
}

TEST(ValidateQualificationResultTest, RefusesNegativeSelfPay) {
  v1::QualificationResult result = GoodResult();
  result.mutable_records(0)->mutable_specific_diseases(0)->set_self_pay_yen(-1);
  ExpectInvalidElement(result, std::string(kRecord) +
                                   "SpecificDiseasesCertificateList/"
                                   "SpecificDiseasesCertificateInfo/SpecificDiseasesSelfPay");
}

TEST(ValidateQualificationResultTest, ChecksEveryRecord) {
  v1::QualificationResult result = GoodResult();
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_MULTIPLE);
  *result.add_records() = result.records(0);
  result.mutable_records(1)->set_insured_card_expiration_date("2025");
  ExpectInvalidElement(result, std::string(kRecord) + "InsuredCardExpirationDate");
}

}  // namespace
}  // namespace onshi
