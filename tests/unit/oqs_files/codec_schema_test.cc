// Schema and value cases (reliability.md A8), table-driven over the rich result: missing,
// duplicated and unknown elements, codes outside each enum's table, integers that are not
// integers, structure errors, and values the codec must carry unjudged for core to check.

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "adapters/oqs_files/codec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/oqs_files/descriptor_paths.h"
#include "tests/unit/oqs_files/test_util.h"

namespace onshi::oqs {
namespace {

using ::onshi::oqs::testing_util::Golden;
using ::testing::HasSubstr;

using Check = std::function<void(const v1::QualificationResult&)>;

struct SchemaCase {
  std::string name;
  // Replaced once (its first occurrence) in the rich result; empty = the document unchanged.
  std::string from;
  std::string to;
  // Empty: the document decodes and `check` looks at it.
  std::string reason;
  // For errors: text the message must contain (the element path, with its position).
  std::string detail;
  Check check;
};

constexpr absl::string_view kRecord =
    "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[1]/";

SchemaCase Invalid(std::string name, std::string from, std::string to, std::string path) {
  return {std::move(name),
          std::move(from),
          std::move(to),
          "ONSHI_DOCUMENT_INVALID_VALUE",
          absl::StrCat("element ", path, " (line "),
          nullptr};
}

SchemaCase Refused(std::string name, std::string from, std::string to, std::string reason) {
  return {std::move(name), std::move(from), std::move(to), std::move(reason), "", nullptr};
}

SchemaCase Decodes(std::string name, std::string from, std::string to, Check check) {
  return {std::move(name), std::move(from), std::move(to), "", "", std::move(check)};
}

// An element and one of its values in the rich result, unique in the document.
struct EnumElement {
  std::string open;  // "<SegmentOfResult>"
  std::string value;
  std::string path;  // as the error names it
};

std::vector<EnumElement> EnumElements() {
  const std::string record(kRecord);
  return {
      {"<ReferenceClassification>", "2", "XmlMsg/MessageHeader/ReferenceClassification"},
      {"<SegmentOfResult>", "1", "XmlMsg/MessageHeader/SegmentOfResult"},
      {"<CharacterCodeIdentifier>", "0", "XmlMsg/MessageHeader/CharacterCodeIdentifier"},
      {"<ProcessingResultStatus>", "1", "XmlMsg/MessageBody/ProcessingResultStatus"},
      {"<QualificationValidity>", "1", "XmlMsg/MessageBody/QualificationValidity"},
      {"<LimitApplicationCertificateRelatedConsFlg>", "1",
       "XmlMsg/MessageBody/QualificationConfirmSearchInfo/"
       "LimitApplicationCertificateRelatedConsFlg"},
      {"        <LimitApplicationCertificateRelatedConsFlg>", "1",
       record + "LimitApplicationCertificateRelatedConsFlg"},
      {"<SpecificDiseasesCertificateRelatedConsFlg>", "1",
       record + "SpecificDiseasesCertificateRelatedConsFlg"},
      {"<SpecificHealthCheckupsInfoConsFlg>", "1", record + "SpecificHealthCheckupsInfoConsFlg"},
      {"<PharmacistsInfoConsFlg>", "1", record + "PharmacistsInfoConsFlg"},
      {"<DiagnosisInfoConsFlg>", "2", record + "DiagnosisInfoConsFlg"},
      {"<OperationInfoConsFlg>", "3", record + "OperationInfoConsFlg"},
  };
}

std::vector<SchemaCase> Cases() {
  const std::string record(kRecord);
  const std::string rich = Golden("siquc01res_rich.utf8.xml");
  // The text of the rich result from `open` through `close`.
  auto Between = [&rich](absl::string_view open, absl::string_view close) {
    size_t from = rich.find(std::string(open));
    size_t to = rich.find(std::string(close), from);
    return rich.substr(from, to + close.size() - from);
  };
  std::vector<SchemaCase> cases;

  // Codes outside each enum's (oqs_code) table. Values that look close to valid ones too.
  for (const EnumElement& e : EnumElements()) {
    for (const char* bad : {"7", "10", "a", " 1", "１", "-1", "01x"}) {
      cases.push_back(Invalid(absl::StrCat("OutOfRange", e.path, "=", bad), e.open + e.value + "<",
                              e.open + bad + "<", e.path));
    }
  }
  cases.push_back(Invalid("SegmentOfResultZero", "<SegmentOfResult>1<", "<SegmentOfResult>0<",
                          "XmlMsg/MessageHeader/SegmentOfResult"));
  cases.push_back(Invalid("SegmentOfResultThree", "<SegmentOfResult>1<", "<SegmentOfResult>3<",
                          "XmlMsg/MessageHeader/SegmentOfResult"));
  cases.push_back(Invalid("QualificationValidityZero", "<QualificationValidity>1<",
                          "<QualificationValidity>0<", "XmlMsg/MessageBody/QualificationValidity"));
  cases.push_back(Invalid("ProcessingResultStatusThree", "<ProcessingResultStatus>1<",
                          "<ProcessingResultStatus>3<",
                          "XmlMsg/MessageBody/ProcessingResultStatus"));
  cases.push_back(Invalid("CharacterCodeTwo", "<CharacterCodeIdentifier>0<",
                          "<CharacterCodeIdentifier>2<",
                          "XmlMsg/MessageHeader/CharacterCodeIdentifier"));
  cases.push_back(Invalid("ConsentFlagFour", "<PharmacistsInfoConsFlg>1<",
                          "<PharmacistsInfoConsFlg>4<", record + "PharmacistsInfoConsFlg"));

  // Every code of each enum reads as its value.
  cases.push_back(Decodes("ReferenceClassificationCard", "<ReferenceClassification>2<",
                          "<ReferenceClassification>1<", [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.reference_classification(),
                                      v1::REFERENCE_CLASSIFICATION_MY_NUMBER_CARD);
                          }));
  cases.push_back(Decodes("SegmentProcessing", "<SegmentOfResult>1<", "<SegmentOfResult>2<",
                          [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.segment_of_result(), v1::SEGMENT_OF_RESULT_PROCESSING);
                          }));
  cases.push_back(Decodes("SegmentFailed", "<SegmentOfResult>1<", "<SegmentOfResult>9<",
                          [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.segment_of_result(), v1::SEGMENT_OF_RESULT_FAILED);
                          }));
  cases.push_back(Decodes("ProcessingError", "<ProcessingResultStatus>1<",
                          "<ProcessingResultStatus>2<", [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.processing_result_status(),
                                      v1::PROCESSING_RESULT_STATUS_ERROR);
                          }));
  const std::pair<const char*, v1::QualificationValidity> validities[] = {
      {"2", v1::QUALIFICATION_VALIDITY_INVALID},
      {"3", v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS},
      {"4", v1::QUALIFICATION_VALIDITY_NOT_FOUND},
      {"5", v1::QUALIFICATION_VALIDITY_MULTIPLE},
      {"6", v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED}};
  for (const auto& [code, value] : validities) {
    v1::QualificationValidity expected = value;
    cases.push_back(Decodes(absl::StrCat("Validity", code), "<QualificationValidity>1<",
                            absl::StrCat("<QualificationValidity>", code, "<"),
                            [expected](const v1::QualificationResult& r) {
                              EXPECT_EQ(r.qualification_validity(), expected);
                            }));
  }
  // The codec accepts every ConsentFlag code in every consent element; whether 2/3 make sense
  // for 限度額 (OQSCD001 has only 0/1) is for core to judge.
  cases.push_back(Decodes(
      "LimitConsentExpiredCodeIsCarried", "<LimitApplicationCertificateRelatedConsFlg>1<",
      "<LimitApplicationCertificateRelatedConsFlg>2<", [](const v1::QualificationResult& r) {
        EXPECT_EQ(r.search_info().limit_certificate_consent(), v1::CONSENT_FLAG_EXPIRED);
      }));

  // Integers.
  const std::string self_pay = "<SpecificDiseasesSelfPay>10000<";
  const std::string self_pay_path =
      record +
      "SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo[1]/SpecificDiseasesSelfPay";
  for (const char* bad : {"1万", "10,000", "-10000", "+10000", "1e4", "10000.0", "０", "abc", "  ",
                          "9223372036854775808", "99999999999999999999", "0x10", "10 000"}) {
    cases.push_back(Invalid(absl::StrCat("SelfPay=", bad), self_pay,
                            absl::StrCat("<SpecificDiseasesSelfPay>", bad, "<"), self_pay_path));
  }
  const std::pair<const char*, int64_t> self_pays[] = {{" 10000 ", 10000},
                                                       {"\n10000\n", 10000},
                                                       {"0010000", 10000},
                                                       {"0", 0},
                                                       {"9223372036854775807", INT64_MAX}};
  for (const auto& [text, value] : self_pays) {
    int64_t expected = value;
    cases.push_back(Decodes(absl::StrCat("SelfPayReads", expected), self_pay,
                            absl::StrCat("<SpecificDiseasesSelfPay>", text, "<"),
                            [expected](const v1::QualificationResult& r) {
                              EXPECT_EQ(r.records(0).specific_diseases(0).self_pay_yen(), expected);
                            }));
  }

  // Duplicated singular elements (containers, messages, scalars, flattened consents).
  cases.push_back(Invalid("DuplicateMessageHeader", "</MessageHeader>",
                          "</MessageHeader><MessageHeader/>", "XmlMsg/MessageHeader"));
  cases.push_back(Invalid("DuplicateMessageBody", "</MessageBody>", "</MessageBody><MessageBody/>",
                          "XmlMsg/MessageBody"));
  cases.push_back(Invalid("DuplicateHeaderValue", "</MessageHeader>",
                          "<ProcessExecutionTime>20250603093005</ProcessExecutionTime>"
                          "</MessageHeader>",
                          "XmlMsg/MessageHeader/ProcessExecutionTime"));
  cases.push_back(Invalid("DuplicateSearchInfo", "<ProcessingResultStatus>",
                          "<QualificationConfirmSearchInfo/><ProcessingResultStatus>",
                          "XmlMsg/MessageBody/QualificationConfirmSearchInfo"));
  cases.push_back(Invalid("DuplicateResultList", "    </ResultList>",
                          "    </ResultList><ResultList/>", "XmlMsg/MessageBody/ResultList"));
  cases.push_back(
      Invalid("DuplicateName", "<NameKana>", "<Name>x</Name><NameKana>", record + "Name"));
  cases.push_back(Invalid("DuplicateEmptyElement", "<Birthdate>19530315</Birthdate>\n        <Add",
                          "<Sex2/><Sex2/><Add", record + "Sex2"));
  cases.push_back(Invalid("DuplicateElderlyCertificate", "</ElderlyRecipientCertificateInfo>",
                          "</ElderlyRecipientCertificateInfo><ElderlyRecipientCertificateInfo/>",
                          record + "ElderlyRecipientCertificateInfo"));
  cases.push_back(Invalid("DuplicateFlattenedConsent", "<PharmacistsInfoConsTime>",
                          "<PharmacistsInfoConsFlg>1</PharmacistsInfoConsFlg>"
                          "<PharmacistsInfoConsTime>",
                          record + "PharmacistsInfoConsFlg"));
  cases.push_back(Invalid("DuplicateListContainer", "</SpecificDiseasesCertificateList>",
                          "</SpecificDiseasesCertificateList><SpecificDiseasesCertificateList/>",
                          record + "SpecificDiseasesCertificateList"));
  cases.push_back(Invalid("DuplicateValueInListItem", "<SpecificDiseasesSelfPay>20000<",
                          "<SpecificDiseasesSelfPay>1</SpecificDiseasesSelfPay>"
                          "<SpecificDiseasesSelfPay>20000<",
                          record +
                              "SpecificDiseasesCertificateList/SpecificDiseasesCertificateInfo[2]/"
                              "SpecificDiseasesSelfPay"));
  cases.push_back(Invalid("DuplicateBodyPrescriptionIssueSelect", "  </MessageBody>",
                          "<PrescriptionIssueSelect>1</PrescriptionIssueSelect></MessageBody>",
                          "XmlMsg/MessageBody/PrescriptionIssueSelect"));
  cases.push_back(Decodes("RepeatedItemsAreEntriesNotDuplicates", "    </ResultList>",
                          "<ResultOfQualificationConfirmation><Name>B</Name>"
                          "</ResultOfQualificationConfirmation><ResultOfQualificationConfirmation>"
                          "<Name>C</Name></ResultOfQualificationConfirmation></ResultList>",
                          [](const v1::QualificationResult& r) {
                            ASSERT_EQ(r.records_size(), 3);
                            EXPECT_EQ(r.records(1).name(), "B");
                            EXPECT_EQ(r.records(2).name(), "C");
                          }));
  cases.push_back(
      Invalid("DuplicateInSecondRecordNamesItsPosition", "    </ResultList>",
              "<ResultOfQualificationConfirmation><Sex1>1</Sex1><Sex1>2</Sex1>"
              "</ResultOfQualificationConfirmation></ResultList>",
              "XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[2]/Sex1"));

  // Missing elements: the codec does not decide what is mandatory (core validates the message).
  cases.push_back(
      Decodes("MissingQualificationValidity", "<QualificationValidity>1</QualificationValidity>",
              "", [](const v1::QualificationResult& r) {
                EXPECT_EQ(r.qualification_validity(), v1::QUALIFICATION_VALIDITY_UNSPECIFIED);
              }));
  cases.push_back(Decodes("MissingSegmentOfResult", "<SegmentOfResult>1</SegmentOfResult>", "",
                          [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.segment_of_result(), v1::SEGMENT_OF_RESULT_UNSPECIFIED);
                          }));
  cases.push_back(Decodes("MissingProcessExecutionTime",
                          "<ProcessExecutionTime>20250603093005</ProcessExecutionTime>", "",
                          [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.process_execution_time(), "");
                            EXPECT_EQ(r.medical_institution_code(), "1310000016");
                          }));
  cases.push_back(
      Decodes("MissingName", "<Name>髙橋　〓一</Name>", "", [](const v1::QualificationResult& r) {
        EXPECT_EQ(r.records(0).name(), "");
        EXPECT_EQ(r.records(0).insured_name(), "髙橋　〓一");
      }));
  cases.push_back(Decodes("MissingRecordInsurerNumber",
                          "<InsurerNumber>  138156</InsurerNumber>\n        <Insured", "<Insured",
                          [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.search_info().identifiers().insurer_number(), "  138156");
                            EXPECT_EQ(r.records(0).identifiers().insurer_number(), "");
                          }));
  cases.push_back(Decodes("MissingMessageHeader", Between("<MessageHeader>", "</MessageHeader>"),
                          "", [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.process_execution_time(), "");
                            EXPECT_EQ(r.segment_of_result(), v1::SEGMENT_OF_RESULT_UNSPECIFIED);
                            EXPECT_EQ(r.records_size(), 1);
                          }));
  cases.push_back(Decodes("MissingResultList", Between("<ResultList>", "</ResultList>"), "",
                          [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.records_size(), 0);
                            EXPECT_EQ(r.prescription_issue_select(), "2");
                          }));

  // Unknown elements are ignored wherever they are, with whatever they hold.
  cases.push_back(Decodes("UnknownInHeader", "</MessageHeader>",
                          "<FutureHeaderField>1</FutureHeaderField></MessageHeader>",
                          [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.segment_of_result(), v1::SEGMENT_OF_RESULT_COMPLETED);
                          }));
  cases.push_back(
      Decodes("UnknownAtRootLevel", "<MessageBody>",
              "<MessageTrailer><X>1</X></MessageTrailer><MessageBody>",
              [](const v1::QualificationResult& r) { EXPECT_EQ(r.records_size(), 1); }));
  cases.push_back(Decodes(
      "UnknownSubtreeInRecord", "<NameKana>",
      "<FutureInfo><Name>ignored</Name><Deep><Deeper/></Deep></FutureInfo>"
      "<NameKana>",
      [](const v1::QualificationResult& r) { EXPECT_EQ(r.records(0).name(), "髙橋　〓一"); }));
  cases.push_back(
      Decodes("UnknownInsideListContainer", "<ResultOfQualificationConfirmation>",
              "<Summary>1</Summary><ResultOfQualificationConfirmation>",
              [](const v1::QualificationResult& r) { EXPECT_EQ(r.records_size(), 1); }));
  cases.push_back(Decodes(
      "KnownNameAtTheWrongLevelIsUnknown", "<ProcessingResultStatus>",
      "<Name>wrong level</Name><ProcessingResultStatus>",
      [](const v1::QualificationResult& r) { EXPECT_EQ(r.records(0).name(), "髙橋　〓一"); }));
  cases.push_back(Decodes("EmulatorSpellingOfPharmacyConsentIsUnknown", "<PharmacistsInfoConsFlg>",
                          "<PharmaceuticalInfoConsFlg>0</PharmaceuticalInfoConsFlg>"
                          "<PharmacistsInfoConsFlg>",
                          [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.records(0).pharmacists_info_consent().flag(),
                                      v1::CONSENT_FLAG_GIVEN);
                          }));
  cases.push_back(Decodes(
      "PrefixedNameIsUnknown", "<NameKana>", "<x:Name xmlns:x=\"urn:x\">ignored</x:Name><NameKana>",
      [](const v1::QualificationResult& r) { EXPECT_EQ(r.records(0).name(), "髙橋　〓一"); }));
  cases.push_back(Decodes("UnknownElementWithBadCodeInside", "</MessageHeader>",
                          "<Unknown><SegmentOfResult>7</SegmentOfResult></Unknown>"
                          "</MessageHeader>",
                          [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.segment_of_result(), v1::SEGMENT_OF_RESULT_COMPLETED);
                          }));
  cases.push_back(Decodes(
      "AttributesAreIgnored", "<Name>", "<Name lang=\"ja\" x='1'>",
      [](const v1::QualificationResult& r) { EXPECT_EQ(r.records(0).name(), "髙橋　〓一"); }));
  cases.push_back(Decodes("StrayTextInContainerIsIgnored", "<MessageHeader>",
                          "<MessageHeader>stray text", [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.process_execution_time(), "20250603093005");
                          }));

  // Structure.
  cases.push_back(Invalid("ElementInsideAValue", "<Name>髙橋　〓一</Name>",
                          "<Name><Family>髙橋</Family></Name>", record + "Name"));
  cases.push_back(Invalid("MixedContentInAValue", "<Name>髙橋　〓一</Name>",
                          "<Name>髙橋<b/>〓一</Name>", record + "Name"));
  cases.push_back(Invalid("ElementInsideAnEnum", "<SegmentOfResult>1<",
                          "<SegmentOfResult><Code>1</Code><",
                          "XmlMsg/MessageHeader/SegmentOfResult"));
  cases.push_back(Refused("RootIsNotXmlMsg", "<XmlMsg>", "<XmlMsgs>", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(Refused("RootInANamespace", "<XmlMsg>", "<o:XmlMsg xmlns:o=\"urn:o\">",
                          "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(
      Refused("TwoRootElements", "<XmlMsg>", "<XmlMsg/><XmlMsg>", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(
      Refused("TextBeforeRoot", "<XmlMsg>", "text<XmlMsg>", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(
      Refused("CdataBeforeRoot", "<XmlMsg>", "<![CDATA[x]]><XmlMsg>", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(
      Refused("DeclarationNotFirst", "<?xml", "<!-- c --><?xml", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(Refused("SecondDeclarationInside", "<MessageBody>",
                          "<?xml version=\"1.0\"?><MessageBody>", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(Refused("UpperCaseDeclaration", "<?xml", "<?XML", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(
      Refused("XmlVersion11", "version=\"1.0\"", "version=\"1.1\"", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(
      Refused("DeclarationWithoutVersion", "version=\"1.0\" ", "", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(Refused("DeclarationStandaloneMaybe", "standalone=\"no\"", "standalone=\"maybe\"",
                          "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(Refused("DeclarationOutOfOrder", "version=\"1.0\" encoding=\"UTF-8\"",
                          "encoding=\"UTF-8\" version=\"1.0\"", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(Refused("UnclosedElement", "</Name>", "", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(Refused("MismatchedEndTag", "</Name>", "</Nam>", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(Refused("UnquotedAttribute", "<Name>", "<Name a=1>", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(
      Refused("LessThanInText", "髙橋　〓一</Name>", "a < b</Name>", "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(Refused("BareAmpersandInText", "髙橋　〓一</Name>", "A & B</Name>",
                          "ONSHI_DOCUMENT_MALFORMED"));
  cases.push_back(Refused("MissingEndTag", "      </ResultOfQualificationConfirmation>", "",
                          "ONSHI_DOCUMENT_MALFORMED"));

  // Values are carried as the terminal wrote them; core judges dates, widths and codes.
  cases.push_back(Decodes(
      "ImpossibleDateIsCarried", "<Birthdate>19530315</Birthdate>\n        <Add",
      "<Birthdate>20250230</Birthdate><Add",
      [](const v1::QualificationResult& r) { EXPECT_EQ(r.records(0).birth_date(), "20250230"); }));
  cases.push_back(Decodes(
      "SevenDigitInsurerIsCarried", "<InsurerNumber>  138156</InsurerNumber>\n        <Insured",
      "<InsurerNumber>1234567</InsurerNumber><Insured", [](const v1::QualificationResult& r) {
        EXPECT_EQ(r.records(0).identifiers().insurer_number(), "1234567");
      }));
  cases.push_back(Decodes(
      "NineDigitInsurerIsCarried", "<InsurerNumber>  138156</InsurerNumber>\n        <Insured",
      "<InsurerNumber>123456789</InsurerNumber><Insured", [](const v1::QualificationResult& r) {
        EXPECT_EQ(r.records(0).identifiers().insurer_number(), "123456789");
      }));
  cases.push_back(
      Decodes("DescriptiveCodeOutsideItsTableIsCarried", "<Sex1>1</Sex1>", "<Sex1>9</Sex1>",
              [](const v1::QualificationResult& r) { EXPECT_EQ(r.records(0).sex1(), "9"); }));
  cases.push_back(Decodes("RatioAsTextIsCarried", "<InsuredPartialContributionRatio>020<",
                          "<InsuredPartialContributionRatio>２割<",
                          [](const v1::QualificationResult& r) {
                            EXPECT_EQ(r.records(0).insured_partial_contribution_ratio(), "２割");
                          }));
  cases.push_back(
      Decodes("FullWidthNumberIsCarried", "<InsuredIdentificationNumber>12345<",
              "<InsuredIdentificationNumber>１２３４５<", [](const v1::QualificationResult& r) {
                EXPECT_EQ(r.records(0).identifiers().insured_identification_number(), "１２３４５");
              }));
  cases.push_back(Decodes(
      "SpacesAroundIdentifierAreKept", "<ArbitraryFileIdentifier>0K7N2Q9V4X1Z6C3M8P5R<",
      "<ArbitraryFileIdentifier> 0K7N2Q9V4X1Z6C3M8P5R <", [](const v1::QualificationResult& r) {
        EXPECT_EQ(r.arbitrary_file_identifier(), " 0K7N2Q9V4X1Z6C3M8P5R ");
      }));
  cases.push_back(
      Decodes("PrescriptionIssueSelectAtBothLevels", "", "", [](const v1::QualificationResult& r) {
        EXPECT_EQ(r.prescription_issue_select(), "2");
        EXPECT_EQ(r.records(0).prescription_issue_select(), "1");
      }));
  return cases;
}

class SchemaTest : public ::testing::TestWithParam<SchemaCase> {};

TEST_P(SchemaTest, DecodesToTheExpectedOutcome) {
  const SchemaCase& c = GetParam();
  std::string doc = Golden("siquc01res_rich.utf8.xml");
  if (!c.from.empty()) {
    size_t at = doc.find(c.from);
    ASSERT_NE(at, std::string::npos) << c.from;
    doc.replace(at, c.from.size(), c.to);
  }
  absl::StatusOr<v1::QualificationResult> result = DecodeQualificationResult(doc);
  if (c.reason.empty()) {
    ASSERT_TRUE(result.ok()) << result.status();
    c.check(*result);
    return;
  }
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(ReasonOf(result.status()), c.reason) << result.status();
  if (!c.detail.empty()) {
    EXPECT_THAT(result.status().message(), HasSubstr(c.detail));
  }
}

INSTANTIATE_TEST_SUITE_P(RichResult, SchemaTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<SchemaCase>& info) {
                           std::string name = absl::StrCat(info.index, "_", info.param.name);
                           for (char& c : name) {
                             if (!isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

TEST(SchemaCoverageTest, TheTableHasAtLeastEightyCases) { EXPECT_GE(Cases().size(), 80u); }

// Every enum-typed element of QualificationResult has its out-of-range cases above.
TEST(SchemaCoverageTest, EveryEnumElementHasOutOfRangeCases) {
  std::set<std::string> mapped;
  for (const testing_util::MappedElement& e :
       testing_util::MappedElements(v1::QualificationResult::descriptor())) {
    if (e.field->enum_type() != nullptr) mapped.insert(e.path);
  }
  std::set<std::string> tested;
  for (const EnumElement& e : EnumElements()) {
    tested.insert(absl::StrReplaceAll(e.path, {{"XmlMsg/", ""}, {"[1]", ""}}));
  }
  EXPECT_EQ(mapped, tested);
}

TEST(SchemaRequestTest, RequestConsentFlagOutsideItsTableIsInvalid) {
  std::string doc = Golden("siquc01req_basic.utf8.xml");
  doc = testing_util::ReplaceOnce(doc, "<LimitApplicationCertificateRelatedConsFlg>1<",
                                  "<LimitApplicationCertificateRelatedConsFlg>Y<");
  absl::Status status = DecodeQualificationRequest(doc).status();
  EXPECT_EQ(ReasonOf(status), "ONSHI_DOCUMENT_INVALID_VALUE");
  EXPECT_THAT(status.message(), HasSubstr("XmlMsg/MessageBody/QualificationConfirmSearchInfo/"
                                          "LimitApplicationCertificateRelatedConsFlg (line 15)"));
}

}  // namespace
}  // namespace onshi::oqs
