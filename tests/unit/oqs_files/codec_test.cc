// The codec on real-shaped documents: the golden files in tests/data/oqs (UTF-8 and Shift_JIS),
// round trips, the encoder's exact output, and the text rules (white space, escapes, CDATA).

#include "adapters/oqs_files/codec.h"

#include <filesystem>
#include <memory>
#include <regex>
#include <set>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/oqs_files/test_util.h"

namespace onshi::oqs {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::onshi::oqs::testing_util::Golden;
using ::onshi::oqs::testing_util::ReplaceOnce;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr EncodeOptions kUtf8{Encoding::kUtf8, false};
constexpr EncodeOptions kShiftJis{Encoding::kShiftJis, false};

// ---------------------------------------------------------------------------------------------
// Each golden file, field by field.

TEST(CodecGoldenTest, RequestOfSection91DecodesEveryField) {
  absl::StatusOr<v1::QualificationRequestDocument> request =
      DecodeQualificationRequest(Golden("siquc01req_basic.utf8.xml"));
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->qualification_confirmation_date(), "20250602");
  EXPECT_EQ(request->medical_institution_code(), "1310000016");
  EXPECT_EQ(request->arbitrary_file_identifier(), "PT000123-20250602-0001");
  const v1::QualificationSearchInfo& info = request->search_info();
  EXPECT_EQ(info.identifiers().insurer_number(), "06139992");
  EXPECT_EQ(info.identifiers().insured_card_symbol(), "１２３");
  EXPECT_EQ(info.identifiers().insured_identification_number(), "4567");
  EXPECT_EQ(info.identifiers().insured_branch_number(), "01");
  EXPECT_EQ(info.birth_date(), "19850412");
  EXPECT_EQ(info.limit_certificate_consent(), v1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(info.arbitrary_identifier(), "");
}

TEST(CodecGoldenTest, KokuhoRequestKeepsTheSpacePaddedInsurerNumber) {
  absl::StatusOr<v1::QualificationRequestDocument> request =
      DecodeQualificationRequest(Golden("siquc01req_kokuho.utf8.xml"));
  ASSERT_TRUE(request.ok()) << request.status();
  const v1::InsuranceIdentifiers& ids = request->search_info().identifiers();
  EXPECT_EQ(ids.insurer_number(), "  138156");
  EXPECT_EQ(ids.insured_card_symbol(), "千代田");
  EXPECT_EQ(ids.insured_identification_number(), "0012345");
  EXPECT_EQ(ids.insured_branch_number(), "");
  EXPECT_EQ(request->search_info().limit_certificate_consent(), v1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_EQ(request->search_info().arbitrary_identifier(), "PT000456");
}

TEST(CodecGoldenTest, ResultOfSection92DecodesEveryField) {
  absl::StatusOr<v1::QualificationResult> result =
      DecodeQualificationResult(Golden("siquc01res_basic.utf8.xml"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->process_execution_time(), "20250602091512");
  EXPECT_EQ(result->qualification_confirmation_date(), "20250602");
  EXPECT_EQ(result->medical_institution_code(), "1310000016");
  EXPECT_EQ(result->arbitrary_file_identifier(), "PT000123-20250602-0001");
  EXPECT_EQ(result->reference_classification(), v1::REFERENCE_CLASSIFICATION_INSURANCE_CARD);
  EXPECT_EQ(result->segment_of_result(), v1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(result->character_code(), v1::CHARACTER_CODE_UTF8);
  EXPECT_EQ(result->search_info().identifiers().insurer_number(), "06139992");
  EXPECT_EQ(result->search_info().limit_certificate_consent(), v1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(result->processing_result_status(), v1::PROCESSING_RESULT_STATUS_NORMAL);
  EXPECT_EQ(result->qualification_validity(), v1::QUALIFICATION_VALIDITY_VALID);
  ASSERT_EQ(result->records_size(), 1);
  const v1::QualificationRecord& r = result->records(0);
  EXPECT_EQ(r.insured_card_classification(), "01");
  EXPECT_EQ(r.identifiers().insurer_number(), "06139992");
  EXPECT_EQ(r.identifiers().insured_card_symbol(), "１２３");
  EXPECT_EQ(r.identifiers().insured_identification_number(), "4567");
  EXPECT_EQ(r.identifiers().insured_branch_number(), "01");
  EXPECT_EQ(r.personal_family_classification(), "1");
  EXPECT_EQ(r.insured_name(), "試験　花子");
  EXPECT_EQ(r.name(), "試験　花子");
  EXPECT_EQ(r.name_kana(), "ｼｹﾝ ﾊﾅｺ");
  EXPECT_EQ(r.sex1(), "2");
  EXPECT_EQ(r.birth_date(), "19850412");
  EXPECT_EQ(r.address(), "東京都千代田区○○一丁目");
  EXPECT_EQ(r.post_number(), "100-0000");
  EXPECT_EQ(r.insured_certificate_issuance_date(), "20240401");
  EXPECT_EQ(r.insured_card_valid_date(), "20240401");
  EXPECT_EQ(r.insurer_name(), "○○健康保険組合");
  EXPECT_EQ(r.limit_certificate_consent().flag(), v1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(r.limit_certificate_consent().consent_time(), "20250602091512");
  EXPECT_EQ(r.limit_certificate().classification(), "01");
  EXPECT_EQ(r.limit_certificate().category(), "A03");
  EXPECT_EQ(r.limit_certificate().valid_start_date(), "20250401");
  EXPECT_EQ(r.limit_certificate().valid_end_date(), "20260331");
  EXPECT_FALSE(r.has_elderly_recipient_certificate());
  EXPECT_FALSE(r.has_pharmacists_info_consent());
  EXPECT_EQ(r.specific_diseases_size(), 0);
}

TEST(CodecGoldenTest, RichResultDecodesElderlyLimitDiseasesAndEveryConsent) {
  absl::StatusOr<v1::QualificationResult> result =
      DecodeQualificationResult(Golden("siquc01res_rich.utf8.xml"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->processing_result_code(), "SIM-CERTEXP");
  EXPECT_EQ(result->processing_result_message(), "電子証明書の有効期限が３か月以内に切れます。");
  EXPECT_EQ(result->prescription_issue_select(), "2");
  ASSERT_EQ(result->records_size(), 1);
  const v1::QualificationRecord& r = result->records(0);
  EXPECT_EQ(r.identifiers().insurer_number(), "  138156");
  EXPECT_EQ(r.name(), "髙橋　〓一");
  EXPECT_EQ(r.name_kana(), "ﾀｶﾊｼ ｹﾝｲﾁ");
  EXPECT_EQ(r.address(), "東京都千代田区霞が関１－２－２　合同庁舎①号館～別館");
  EXPECT_EQ(r.qualification_date(), "20180401");
  EXPECT_EQ(r.insured_card_expiration_date(), "20260731");
  EXPECT_EQ(r.insured_partial_contribution_ratio(), "020");
  EXPECT_EQ(r.elderly_recipient_certificate().certificate_date(), "20240801");
  EXPECT_EQ(r.elderly_recipient_certificate().valid_start_date(), "20240801");
  EXPECT_EQ(r.elderly_recipient_certificate().valid_end_date(), "20250731");
  EXPECT_EQ(r.elderly_recipient_certificate().contribution_ratio(), "020");
  EXPECT_EQ(r.limit_certificate().classification(), "02");
  EXPECT_EQ(r.limit_certificate().category(), "B05");
  EXPECT_EQ(r.limit_certificate().certificate_date(), "20240801");
  EXPECT_EQ(r.limit_certificate().long_term_date(), "20250201");
  EXPECT_EQ(r.specific_diseases_consent().flag(), v1::CONSENT_FLAG_GIVEN);
  ASSERT_EQ(r.specific_diseases_size(), 2);
  EXPECT_EQ(r.specific_diseases(0).disease_category(), "1");
  EXPECT_EQ(r.specific_diseases(0).valid_end_date(), "20260331");
  EXPECT_EQ(r.specific_diseases(0).self_pay_yen(), 10000);
  EXPECT_EQ(r.specific_diseases(1).disease_category(), "2");
  EXPECT_EQ(r.specific_diseases(1).valid_end_date(), "");
  EXPECT_EQ(r.specific_diseases(1).self_pay_yen(), 20000);
  EXPECT_EQ(r.specific_health_checkups_consent().flag(), v1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(r.specific_health_checkups_consent().available_time(), "20250604093001");
  EXPECT_EQ(r.pharmacists_info_consent().flag(), v1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(r.pharmacists_info_consent().consent_time(), "20250603093001");
  EXPECT_EQ(r.pharmacists_info_consent().available_time(), "20250604093001");
  EXPECT_EQ(r.diagnosis_info_consent().flag(), v1::CONSENT_FLAG_EXPIRED);
  EXPECT_EQ(r.diagnosis_info_consent().available_time(), "20250502101500");
  EXPECT_EQ(r.operation_info_consent().flag(), v1::CONSENT_FLAG_DIFFICULT);
  EXPECT_EQ(r.operation_info_consent().consent_time(), "");
  EXPECT_EQ(r.reference_number(), "R-000456");
  EXPECT_EQ(r.arbitrary_identifier(), "PT000456");
  EXPECT_EQ(r.prescription_issue_select(), "1");
}

TEST(CodecGoldenTest, NotFoundAnswerHasErrorStatusAndNoRecords) {
  absl::StatusOr<v1::QualificationResult> result =
      DecodeQualificationResult(Golden("siquc01res_not_found.utf8.xml"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->segment_of_result(), v1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(result->processing_result_status(), v1::PROCESSING_RESULT_STATUS_ERROR);
  EXPECT_EQ(result->processing_result_code(), "SIM-NOTFOUND");
  EXPECT_EQ(result->processing_result_message(), "該当する資格情報が存在しません。");
  EXPECT_EQ(result->qualification_validity(), v1::QUALIFICATION_VALIDITY_NOT_FOUND);
  EXPECT_EQ(result->records_size(), 0);
}

TEST(CodecGoldenTest, FailedAnswerHasSegmentNineAndErrorTexts) {
  absl::StatusOr<v1::QualificationResult> result =
      DecodeQualificationResult(Golden("siquc01res_failed.utf8.xml"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->segment_of_result(), v1::SEGMENT_OF_RESULT_FAILED);
  EXPECT_EQ(result->error_code(), "SIM-E9001");
  EXPECT_THAT(result->error_message(), HasSubstr("障害が発生しています"));
  EXPECT_FALSE(result->has_search_info());
  EXPECT_EQ(result->processing_result_status(), v1::PROCESSING_RESULT_STATUS_UNSPECIFIED);
  EXPECT_EQ(result->qualification_validity(), v1::QUALIFICATION_VALIDITY_UNSPECIFIED);
}

TEST(CodecGoldenTest, FaceCheckinHasCardClassificationConsentsAndNoSearchInfo) {
  absl::StatusOr<v1::QualificationResult> result =
      DecodeQualificationResult(Golden("siquc01res_face.utf8.xml"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->reference_classification(), v1::REFERENCE_CLASSIFICATION_MY_NUMBER_CARD);
  EXPECT_EQ(result->arbitrary_file_identifier(), "ArnHCeDfNjMCFzg=");
  EXPECT_FALSE(result->has_search_info());
  EXPECT_EQ(result->prescription_issue_select(), "1");
  ASSERT_EQ(result->records_size(), 1);
  const v1::QualificationRecord& r = result->records(0);
  EXPECT_EQ(r.specific_health_checkups_consent().flag(), v1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_EQ(r.pharmacists_info_consent().flag(), v1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(r.pharmacists_info_consent().consent_time(), "20250602091030");
  EXPECT_EQ(r.pharmacists_info_consent().available_time(), "20250603091030");
  EXPECT_EQ(r.diagnosis_info_consent().flag(), v1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(r.operation_info_consent().flag(), v1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_EQ(r.reference_number(), "123");
  EXPECT_EQ(r.prescription_issue_select(), "");
}

TEST(CodecGoldenTest, MedicalAidResultDecodesTicketsAndPublicExpenseNumbers) {
  absl::StatusOr<v1::QualificationResult> result =
      DecodeQualificationResult(Golden("siquc01res_medical_aid.utf8.xml"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->qualification_validity(), v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED);
  ASSERT_EQ(result->records_size(), 1);
  const v1::QualificationRecord& r = result->records(0);
  EXPECT_EQ(r.insured_card_classification(), "A1");
  EXPECT_FALSE(r.has_identifiers());
  EXPECT_EQ(r.public_expense_number(), "12131504");
  EXPECT_EQ(r.beneficiary_number(), "1234566");
  EXPECT_EQ(r.welfare_office_name(), "千代田区福祉事務所");
  ASSERT_EQ(r.medical_tickets_size(), 2);
  const v1::MedicalTicket& medical = r.medical_tickets(0);
  EXPECT_EQ(medical.ticket_type(), "01");
  EXPECT_EQ(medical.designated_institution_name(), "しみゅれーた診療所");
  EXPECT_EQ(medical.injury_name2(), "２型糖尿病");
  EXPECT_EQ(medical.self_pay_amount(), "0");
  EXPECT_EQ(medical.status_of_infection(), "02");
  EXPECT_EQ(medical.remarks1(), "<備考> A&B \"引用\" 'x'");
  const v1::MedicalTicket& pharmacy = r.medical_tickets(1);
  EXPECT_EQ(pharmacy.ticket_type(), "02");
  EXPECT_EQ(pharmacy.prescription_issuer_code(), "1310000016");
  EXPECT_EQ(pharmacy.consistency_flag(), "1");
  EXPECT_EQ(pharmacy.remarks3(), "C:\\資料\\～");
}

// ---------------------------------------------------------------------------------------------
// Every golden file in both encodings: same message, byte-exact re-encoding, round trips.

struct GoldenCase {
  const char* stem;
  DocumentKind kind;
};

class GoldenFileTest : public ::testing::TestWithParam<GoldenCase> {
 protected:
  std::unique_ptr<google::protobuf::Message> NewMessage() const {
    const google::protobuf::Descriptor* type = DocumentTypeOf(GetParam().kind);
    return std::unique_ptr<google::protobuf::Message>(
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
  }
  std::string Utf8() const { return Golden(absl::StrCat(GetParam().stem, ".utf8.xml")); }
  std::string ShiftJis() const { return Golden(absl::StrCat(GetParam().stem, ".sjis.xml")); }

  absl::StatusOr<std::string> Encode(const google::protobuf::Message& message,
                                     const EncodeOptions& options) const {
    return EncodeByKind(GetParam().kind, message, options);
  }

  // The answer kinds' CharacterCodeIdentifier field (requests have none).
  static const google::protobuf::FieldDescriptor* CharacterCodeField(
      const google::protobuf::Message& message) {
    return message.GetDescriptor()->FindFieldByName("character_code");
  }

  // Answers differ only in CharacterCodeIdentifier between the two encodings.
  static void ForgetCharacterCode(google::protobuf::Message* message) {
    if (const google::protobuf::FieldDescriptor* field = CharacterCodeField(*message)) {
      message->GetReflection()->ClearField(message, field);
    }
  }
};

TEST_P(GoldenFileTest, ShiftJisFileDecodesToTheSameMessageAsUtf8File) {
  auto from_utf8 = NewMessage();
  auto from_sjis = NewMessage();
  ASSERT_TRUE(DecodeDocument(Utf8(), {}, from_utf8.get()).ok());
  absl::Status status = DecodeDocument(ShiftJis(), {}, from_sjis.get());
  ASSERT_TRUE(status.ok()) << status;
  const bool answer = !IsRequestKind(GetParam().kind);
  ASSERT_EQ(CharacterCodeField(*from_utf8) != nullptr, answer)
      << "every answer kind, and only those, has CharacterCodeIdentifier";
  if (answer) {
    const google::protobuf::FieldDescriptor* field = CharacterCodeField(*from_utf8);
    EXPECT_EQ(from_utf8->GetReflection()->GetEnumValue(*from_utf8, field), v1::CHARACTER_CODE_UTF8);
    EXPECT_EQ(from_sjis->GetReflection()->GetEnumValue(*from_sjis, field),
              v1::CHARACTER_CODE_SHIFT_JIS);
  }
  ForgetCharacterCode(from_utf8.get());
  ForgetCharacterCode(from_sjis.get());
  EXPECT_TRUE(MessageDifferencer::Equals(*from_utf8, *from_sjis))
      << from_utf8->DebugString() << "\nvs\n"
      << from_sjis->DebugString();
}

TEST_P(GoldenFileTest, DecodeByKindGivesTheKindsMessageType) {
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> decoded =
      DecodeByKind(GetParam().kind, Utf8());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ((*decoded)->GetDescriptor(), DocumentTypeOf(GetParam().kind));
  auto direct = NewMessage();
  ASSERT_TRUE(DecodeDocument(Utf8(), {}, direct.get()).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(**decoded, *direct));
  // The id the transport matches on is there, in every kind.
  absl::StatusOr<std::string> id = FileIdOf(GetParam().kind, **decoded);
  ASSERT_TRUE(id.ok()) << id.status();
  EXPECT_FALSE(id->empty());
}

TEST_P(GoldenFileTest, EncodingTheDecodedMessageReproducesBothFilesByteForByte) {
  auto message = NewMessage();
  ASSERT_TRUE(DecodeDocument(Utf8(), {}, message.get()).ok());
  absl::StatusOr<std::string> utf8 = Encode(*message, kUtf8);
  ASSERT_TRUE(utf8.ok()) << utf8.status();
  EXPECT_EQ(*utf8, Utf8());
  absl::StatusOr<std::string> sjis = Encode(*message, kShiftJis);
  ASSERT_TRUE(sjis.ok()) << sjis.status();
  EXPECT_EQ(*sjis, ShiftJis());
}

TEST_P(GoldenFileTest, RoundTripThroughEitherEncodingKeepsTheMessage) {
  auto original = NewMessage();
  ASSERT_TRUE(DecodeDocument(ShiftJis(), {}, original.get()).ok());
  ForgetCharacterCode(original.get());
  for (const EncodeOptions& options : {kUtf8, kShiftJis}) {
    absl::StatusOr<std::string> bytes = EncodeDocument(*original, options);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    auto again = NewMessage();
    absl::Status status = DecodeDocument(*bytes, {}, again.get());
    ASSERT_TRUE(status.ok()) << status;
    EXPECT_TRUE(MessageDifferencer::Equals(*original, *again)) << *bytes;
  }
}

// Every golden file in tests/data/oqs, with the kind it is a document of.
constexpr GoldenCase kGoldenFiles[] = {
    GoldenCase{"siquc01req_basic", DocumentKind::kQualificationRequest},
    GoldenCase{"siquc01req_kokuho", DocumentKind::kQualificationRequest},
    GoldenCase{"siquc01res_basic", DocumentKind::kQualificationAnswer},
    GoldenCase{"siquc01res_rich", DocumentKind::kQualificationAnswer},
    GoldenCase{"siquc01res_not_found", DocumentKind::kQualificationAnswer},
    GoldenCase{"siquc01res_failed", DocumentKind::kQualificationAnswer},
    GoldenCase{"siquc01res_face", DocumentKind::kFaceCheckin},
    GoldenCase{"siquc01res_medical_aid", DocumentKind::kQualificationAnswer},
    GoldenCase{"muquc01req_basic", DocumentKind::kBatchUpload},
    GoldenCase{"muquc01res_basic", DocumentKind::kBatchReceipt},
    GoldenCase{"muquc02req_basic", DocumentKind::kBatchResultRequest},
    GoldenCase{"muquc02res_processing", DocumentKind::kBatchResult},
    GoldenCase{"muquc02res_basic", DocumentKind::kBatchResult},
    GoldenCase{"siimm01req_basic", DocumentKind::kReferenceNumberRequest},
    GoldenCase{"siimm01res_basic", DocumentKind::kReferenceNumberResult},
    GoldenCase{"muimm01req_basic", DocumentKind::kBulkReferenceNumberUpload},
    GoldenCase{"muimm01res_basic", DocumentKind::kBulkReferenceNumberReceipt},
    GoldenCase{"muimm02req_basic", DocumentKind::kBulkReferenceNumberResultRequest},
    GoldenCase{"muimm02res_basic", DocumentKind::kBulkReferenceNumberResult},
    GoldenCase{"yzksiquc01req_basic", DocumentKind::kMedicationRequest},
    GoldenCase{"yzksiquc01res_basic", DocumentKind::kMedicationResult},
    GoldenCase{"yzksiquc01res_no_consent", DocumentKind::kMedicationResult},
    GoldenCase{"tkksiquc01req_basic", DocumentKind::kCheckupRequest},
    GoldenCase{"tkksiquc01res_basic", DocumentKind::kCheckupResult},
    GoldenCase{"tkksiquc01res_no_consent", DocumentKind::kCheckupResult}};

INSTANTIATE_TEST_SUITE_P(AllGoldenFiles, GoldenFileTest, ::testing::ValuesIn(kGoldenFiles),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return std::string(info.param.stem);
                         });

TEST(GoldenFileCoverageTest, EveryDocumentKindHasAGoldenFile) {
  std::set<DocumentKind> covered;
  for (const GoldenCase& c : kGoldenFiles) covered.insert(c.kind);
  for (DocumentKind kind : AllDocumentKinds()) {
    EXPECT_EQ(covered.count(kind), 1u) << DocumentKindName(kind);
  }
}

// Every file in tests/data/oqs is a case above, in both encodings: none is left untested.
TEST(GoldenFileCoverageTest, EveryGoldenFileInTheDirectoryIsACaseInBothEncodings) {
  std::set<std::string> listed;
  for (const GoldenCase& c : kGoldenFiles) {
    listed.insert(absl::StrCat(c.stem, ".utf8.xml"));
    listed.insert(absl::StrCat(c.stem, ".sjis.xml"));
  }
  std::set<std::string> present;
  for (const auto& entry :
       std::filesystem::directory_iterator(ONSHI_SOURCE_DIR "/tests/data/oqs")) {
    const std::string name = entry.path().filename().string();
    if (absl::EndsWith(name, ".xml")) present.insert(name);
  }
  EXPECT_EQ(present, listed);
}

// ---------------------------------------------------------------------------------------------
// Layout does not matter to the decoder.

TEST(CodecLayoutTest, IndentationLineEndingsAndMinifyingDoNotChangeTheResult) {
  const std::string canonical = Golden("siquc01res_rich.utf8.xml");
  absl::StatusOr<v1::QualificationResult> expected = DecodeQualificationResult(canonical);
  ASSERT_TRUE(expected.ok());
  const std::string minified = std::regex_replace(canonical, std::regex(">\\s+<"), "><");
  const std::string flat = std::regex_replace(canonical, std::regex("\n +<"), "\n<");
  const std::string tabs = std::regex_replace(canonical, std::regex("\n +<"), "\n\t\t<");
  const std::string crlf = absl::StrReplaceAll(canonical, {{"\n", "\r\n"}});
  for (const std::string& variant : {minified, flat, tabs, crlf}) {
    ASSERT_NE(variant, canonical);
    absl::StatusOr<v1::QualificationResult> decoded = DecodeQualificationResult(variant);
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_TRUE(MessageDifferencer::Equals(*expected, *decoded)) << variant;
  }
}

TEST(CodecLayoutTest, ElementOrderDoesNotMatter) {
  std::string doc = Golden("siquc01res_basic.utf8.xml");
  // Move the header's CharacterCodeIdentifier to the front and the body's list before the echo.
  doc = ReplaceOnce(doc, "    <CharacterCodeIdentifier>0</CharacterCodeIdentifier>\n", "");
  doc = ReplaceOnce(doc, "<MessageHeader>\n",
                    "<MessageHeader>\n<CharacterCodeIdentifier>0</CharacterCodeIdentifier>\n");
  doc = ReplaceOnce(doc, "<QualificationValidity>1</QualificationValidity>", "");
  doc = ReplaceOnce(doc, "<MessageBody>",
                    "<MessageBody><QualificationValidity>1</QualificationValidity>");
  absl::StatusOr<v1::QualificationResult> moved = DecodeQualificationResult(doc);
  absl::StatusOr<v1::QualificationResult> canonical =
      DecodeQualificationResult(Golden("siquc01res_basic.utf8.xml"));
  ASSERT_TRUE(moved.ok()) << moved.status();
  ASSERT_TRUE(canonical.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*moved, *canonical));
}

// ---------------------------------------------------------------------------------------------
// Text rules.

v1::QualificationRequestDocument RequestWithSymbol(absl::string_view symbol) {
  v1::QualificationRequestDocument request;
  request.set_qualification_confirmation_date("20250602");
  request.mutable_search_info()->mutable_identifiers()->set_insured_card_symbol(
      std::string(symbol));
  return request;
}

TEST(CodecTextTest, StringValuesKeepEveryWhiteSpaceCharacter) {
  for (absl::string_view value : {"  123456", " a  b ", "\t", "  ", "\n", "x\ny", " "}) {
    v1::QualificationRequestDocument request = RequestWithSymbol(value);
    absl::StatusOr<std::string> bytes = EncodeQualificationRequest(request, kUtf8);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    absl::StatusOr<v1::QualificationRequestDocument> back = DecodeQualificationRequest(*bytes);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(back->search_info().identifiers().insured_card_symbol(), value) << *bytes;
  }
}

TEST(CodecTextTest, WhiteSpaceOnlyElementIsReadAsItsText) {
  std::string doc = ReplaceOnce(Golden("siquc01req_basic.utf8.xml"),
                                "<InsuredCardSymbol>１２３</InsuredCardSymbol>",
                                "<InsuredCardSymbol>   </InsuredCardSymbol>");
  absl::StatusOr<v1::QualificationRequestDocument> request = DecodeQualificationRequest(doc);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->search_info().identifiers().insured_card_symbol(), "   ");
}

TEST(CodecTextTest, CarriageReturnSurvivesAsCharacterReference) {
  v1::QualificationRequestDocument request = RequestWithSymbol("a\r\nb\rc");
  absl::StatusOr<std::string> bytes = EncodeQualificationRequest(request, kUtf8);
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(*bytes, HasSubstr("a&#13;\nb&#13;c"));
  absl::StatusOr<v1::QualificationRequestDocument> back = DecodeQualificationRequest(*bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->search_info().identifiers().insured_card_symbol(), "a\r\nb\rc");
}

TEST(CodecTextTest, LiteralLineEndingsInTextAreNormalisedToLineFeed) {
  std::string doc = ReplaceOnce(Golden("siquc01req_basic.utf8.xml"), "１２３", "a\r\nb\rc");
  absl::StatusOr<v1::QualificationRequestDocument> request = DecodeQualificationRequest(doc);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->search_info().identifiers().insured_card_symbol(), "a\nb\nc");
}

TEST(CodecTextTest, MarkupCharactersAreEscapedAndComeBack) {
  v1::QualificationRequestDocument request = RequestWithSymbol("<a href=\"x\">&amp;'</a>]]>");
  absl::StatusOr<std::string> bytes = EncodeQualificationRequest(request, kUtf8);
  ASSERT_TRUE(bytes.ok());
  EXPECT_THAT(*bytes, HasSubstr("&lt;a href=\"x\"&gt;&amp;amp;'&lt;/a&gt;]]&gt;"));
  absl::StatusOr<v1::QualificationRequestDocument> back = DecodeQualificationRequest(*bytes);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->search_info().identifiers().insured_card_symbol(), "<a href=\"x\">&amp;'</a>]]>");
}

TEST(CodecTextTest, PredefinedAndCharacterReferencesAreResolved) {
  std::string doc = ReplaceOnce(Golden("siquc01req_basic.utf8.xml"), "１２３",
                                "&lt;&gt;&amp;&apos;&quot;&#x9AD9;&#39641;&#x1F600;&#9;");
  absl::StatusOr<v1::QualificationRequestDocument> request = DecodeQualificationRequest(doc);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->search_info().identifiers().insured_card_symbol(),
            "<>&'\"髙髙\xF0\x9F\x98\x80\t");
}

TEST(CodecTextTest, CdataSectionIsTakenAsLiteralText) {
  std::string doc =
      ReplaceOnce(Golden("siquc01req_basic.utf8.xml"), "１２３", "<![CDATA[A&B <c> &foo;]]>");
  absl::StatusOr<v1::QualificationRequestDocument> request = DecodeQualificationRequest(doc);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->search_info().identifiers().insured_card_symbol(), "A&B <c> &foo;");
}

TEST(CodecTextTest, TextSplitByCommentsAndCdataIsJoined) {
  std::string doc = ReplaceOnce(Golden("siquc01req_basic.utf8.xml"), "１２３",
                                "１<!-- c -->２<![CDATA[３]]>&amp;<?pi x?>!");
  absl::StatusOr<v1::QualificationRequestDocument> request = DecodeQualificationRequest(doc);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->search_info().identifiers().insured_card_symbol(), "１２３&!");
}

TEST(CodecTextTest, CommentsAndProcessingInstructionsAnywhereAreIgnored) {
  std::string doc = Golden("siquc01res_basic.utf8.xml");
  doc = ReplaceOnce(doc, "<XmlMsg>", "<!-- before --><?app x?>\n<XmlMsg><!-- in -->");
  doc = ReplaceOnce(doc, "<ResultList>", "<ResultList><?app y?><!-- -->");
  doc += "<!-- after -->\n<?app z?>\n";
  absl::StatusOr<v1::QualificationResult> with = DecodeQualificationResult(doc);
  absl::StatusOr<v1::QualificationResult> without =
      DecodeQualificationResult(Golden("siquc01res_basic.utf8.xml"));
  ASSERT_TRUE(with.ok()) << with.status();
  ASSERT_TRUE(without.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*with, *without));
}

TEST(CodecTextTest, EmptyElementIsTheSameAsAnAbsentOne) {
  std::string doc = Golden("siquc01res_basic.utf8.xml");
  doc = ReplaceOnce(doc, "<InsuredBranchNumber>01</InsuredBranchNumber>", "<InsuredBranchNumber/>");
  doc = ReplaceOnce(doc, "<QualificationValidity>1</QualificationValidity>",
                    "<QualificationValidity></QualificationValidity>");
  absl::StatusOr<v1::QualificationResult> result = DecodeQualificationResult(doc);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->search_info().identifiers().insured_branch_number(), "");
  EXPECT_EQ(result->qualification_validity(), v1::QUALIFICATION_VALIDITY_UNSPECIFIED);
}

// ---------------------------------------------------------------------------------------------
// The encoder's exact form.

TEST(CodecEncodeTest, WritesDeclarationIndentedElementsInFieldNumberOrder) {
  v1::QualificationRequestDocument request;
  // Set in reverse order: the output follows field numbers, not the order of setting.
  request.mutable_search_info()->set_limit_certificate_consent(v1::CONSENT_FLAG_NOT_GIVEN);
  request.mutable_search_info()->set_birth_date("19600101");
  request.mutable_search_info()->mutable_identifiers()->set_insured_identification_number("9");
  request.mutable_search_info()->mutable_identifiers()->set_insurer_number("  138156");
  request.set_arbitrary_file_identifier("ABC");
  request.set_qualification_confirmation_date("20250602");
  absl::StatusOr<std::string> bytes = EncodeQualificationRequest(request, kUtf8);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(*bytes,
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
            "<XmlMsg>\n"
            "  <MessageHeader>\n"
            "    <QualificationConfirmationDate>20250602</QualificationConfirmationDate>\n"
            "    <ArbitraryFileIdentifier>ABC</ArbitraryFileIdentifier>\n"
            "  </MessageHeader>\n"
            "  <MessageBody>\n"
            "    <QualificationConfirmSearchInfo>\n"
            "      <InsurerNumber>  138156</InsurerNumber>\n"
            "      <InsuredIdentificationNumber>9</InsuredIdentificationNumber>\n"
            "      <Birthdate>19600101</Birthdate>\n"
            "      <LimitApplicationCertificateRelatedConsFlg>0"
            "</LimitApplicationCertificateRelatedConsFlg>\n"
            "    </QualificationConfirmSearchInfo>\n"
            "  </MessageBody>\n"
            "</XmlMsg>\n");
}

TEST(CodecEncodeTest, EmptyMessageWritesOnlyTheSkeleton) {
  absl::StatusOr<std::string> bytes = EncodeDocument(v1::QualificationResult(), kShiftJis);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(*bytes,
            "<?xml version=\"1.0\" encoding=\"Shift_JIS\" standalone=\"no\"?>\n"
            "<XmlMsg>\n"
            "  <MessageHeader/>\n"
            "  <MessageBody/>\n"
            "</XmlMsg>\n");
}

TEST(CodecEncodeTest, ListElementIsWrittenOnlyWithEntriesAndEmptyEntriesAreKept) {
  v1::QualificationResult result;
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
  absl::StatusOr<std::string> without = EncodeDocument(result, kUtf8);
  ASSERT_TRUE(without.ok());
  EXPECT_THAT(*without, Not(HasSubstr("ResultList")));
  result.add_records();
  result.add_records()->mutable_specific_diseases_consent();  // present but empty: writes nothing
  result.mutable_records(1)->add_specific_diseases();
  absl::StatusOr<std::string> with = EncodeDocument(result, kUtf8);
  ASSERT_TRUE(with.ok());
  EXPECT_THAT(*with, HasSubstr("    <ResultList>\n"
                               "      <ResultOfQualificationConfirmation/>\n"
                               "      <ResultOfQualificationConfirmation>\n"
                               "        <SpecificDiseasesCertificateList>\n"
                               "          <SpecificDiseasesCertificateInfo/>\n"
                               "        </SpecificDiseasesCertificateList>\n"
                               "      </ResultOfQualificationConfirmation>\n"
                               "    </ResultList>\n"));
  absl::StatusOr<v1::QualificationResult> back = DecodeQualificationResult(*with);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->records_size(), 2);
  EXPECT_EQ(back->records(1).specific_diseases_size(), 1);
}

TEST(CodecEncodeTest, QualificationResultCharacterCodeFollowsTheEncoding) {
  v1::QualificationResult result;
  result.set_character_code(v1::CHARACTER_CODE_SHIFT_JIS);
  absl::StatusOr<std::string> utf8 = EncodeQualificationResult(result, kUtf8);
  ASSERT_TRUE(utf8.ok());
  EXPECT_THAT(*utf8, HasSubstr("<CharacterCodeIdentifier>0</CharacterCodeIdentifier>"));
  result.set_character_code(v1::CHARACTER_CODE_UTF8);
  absl::StatusOr<std::string> sjis = EncodeQualificationResult(result, kShiftJis);
  ASSERT_TRUE(sjis.ok());
  EXPECT_THAT(*sjis, HasSubstr("<CharacterCodeIdentifier>1</CharacterCodeIdentifier>"));
  // The generic encoder writes what the message says, so it can produce a contradiction; the
  // decoder refuses it.
  absl::StatusOr<std::string> contradicting = EncodeDocument(result, kShiftJis);
  ASSERT_TRUE(contradicting.ok());
  EXPECT_EQ(ReasonOf(DecodeQualificationResult(*contradicting).status()),
            "ONSHI_DOCUMENT_ENCODING");
}

TEST(CodecEncodeTest, ShiftJisRefusesCharacterOutsideCp932UnlessSubstituting) {
  v1::QualificationResult result;
  result.add_records()->set_name("𠮷田　太郎");
  absl::StatusOr<std::string> refused = EncodeQualificationResult(result, kShiftJis);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(ReasonOf(refused.status()), "ONSHI_DOCUMENT_ENCODING");
  EXPECT_THAT(refused.status().message(),
              HasSubstr("XmlMsg/MessageBody/ResultList/ResultOfQualificationConfirmation[1]/Name"));
  EXPECT_THAT(refused.status().message(), Not(HasSubstr("田")));

  absl::StatusOr<std::string> substituted =
      EncodeQualificationResult(result, {Encoding::kShiftJis, true});
  ASSERT_TRUE(substituted.ok()) << substituted.status();
  EXPECT_THAT(*substituted, HasSubstr("<Name>\x81\xAC\x93\x63\x81\x40\x91\xBE\x98\x59</Name>"));
  absl::StatusOr<v1::QualificationResult> back = DecodeQualificationResult(*substituted);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->records(0).name(), "〓田　太郎");

  absl::StatusOr<std::string> utf8 = EncodeQualificationResult(result, kUtf8);
  ASSERT_TRUE(utf8.ok());
  absl::StatusOr<v1::QualificationResult> kept = DecodeQualificationResult(*utf8);
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->records(0).name(), "𠮷田　太郎");
}

TEST(CodecEncodeTest, CharactersWindowsMapsLikeCp932RoundTripThroughShiftJis) {
  // 0x5C is a backslash in CP932 (not a yen sign), 0x8160 is U+FF5E, IBM extensions decode.
  v1::QualificationResult result;
  result.add_records()->set_address("C:\\～－髙①￢");
  absl::StatusOr<std::string> sjis = EncodeQualificationResult(result, kShiftJis);
  ASSERT_TRUE(sjis.ok()) << sjis.status();
  EXPECT_THAT(*sjis, HasSubstr("C:\\\x81\x60\x81\x7C\xFB\xFC\x87\x40\x81\xCA"));
  absl::StatusOr<v1::QualificationResult> back = DecodeQualificationResult(*sjis);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->records(0).address(), "C:\\～－髙①￢");
}

TEST(CodecEncodeTest, InvalidUtf8OrControlCharacterInAValueIsRefusedWithoutEchoingIt) {
  for (absl::string_view bad :
       {absl::string_view("ab\xC0\xAF"
                          "cd"),
        absl::string_view("ab\xED\xA0\x80"), absl::string_view("ab\x01z"),
        absl::string_view("ab\0z", 4), absl::string_view("ab\xEF\xBF\xBF")}) {
    absl::StatusOr<std::string> bytes = EncodeQualificationRequest(RequestWithSymbol(bad), kUtf8);
    ASSERT_FALSE(bytes.ok());
    EXPECT_EQ(ReasonOf(bytes.status()), "ONSHI_DOCUMENT_ENCODING");
    EXPECT_THAT(bytes.status().message(), HasSubstr("InsuredCardSymbol"));
    EXPECT_THAT(bytes.status().message(), Not(HasSubstr("ab")));
  }
}

TEST(CodecEncodeTest, NegativeIntegerIsRefused) {
  v1::QualificationResult result;
  result.add_records()->add_specific_diseases()->set_self_pay_yen(-1);
  absl::StatusOr<std::string> bytes = EncodeDocument(result, kUtf8);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(ReasonOf(bytes.status()), "ONSHI_DOCUMENT_INVALID_VALUE");
  EXPECT_THAT(bytes.status().message(), HasSubstr("SpecificDiseasesSelfPay"));
}

TEST(CodecEncodeTest, EnumValueWithoutOqsCodeIsRefused) {
  v1::QualificationResult result;
  const google::protobuf::FieldDescriptor* field =
      result.GetDescriptor()->FindFieldByName("qualification_validity");
  result.GetReflection()->SetEnumValue(&result, field, 77);  // open enum: unknown value
  absl::StatusOr<std::string> bytes = EncodeDocument(result, kUtf8);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(ReasonOf(bytes.status()), "ONSHI_DOCUMENT_INVALID_VALUE");
  EXPECT_THAT(bytes.status().message(), HasSubstr("QualificationValidity"));
}

// ---------------------------------------------------------------------------------------------
// Decoder entry behaviour.

TEST(CodecDecodeTest, DecodeDocumentClearsTheMessageFirstAndOnError) {
  v1::QualificationResult result;
  result.set_error_code("stale");
  ASSERT_TRUE(DecodeDocument(Golden("siquc01res_basic.utf8.xml"), {}, &result).ok());
  EXPECT_EQ(result.error_code(), "");
  std::string bad = ReplaceOnce(Golden("siquc01res_basic.utf8.xml"), "<QualificationValidity>1<",
                                "<QualificationValidity>8<");
  EXPECT_FALSE(DecodeDocument(bad, {}, &result).ok());
  EXPECT_TRUE(MessageDifferencer::Equals(result, v1::QualificationResult()));
}

TEST(CodecDecodeTest, RequestDecodedAsResultKeepsOnlyTheSharedHeaderFields) {
  absl::StatusOr<v1::QualificationResult> result =
      DecodeQualificationResult(Golden("siquc01req_basic.utf8.xml"));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->arbitrary_file_identifier(), "PT000123-20250602-0001");
  EXPECT_EQ(result->records_size(), 0);
}

}  // namespace
}  // namespace onshi::oqs
