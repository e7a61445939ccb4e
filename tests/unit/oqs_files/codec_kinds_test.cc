// The codec by document kind: every kind's message type makes a plan, the by-kind entry points
// check the type and keep CharacterCodeIdentifier true to the encoding, and the golden files of
// the 一括照会, 照会番号, 薬剤情報 and 特定健診 documents decode field by field.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "adapters/oqs_files/codec.h"
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

constexpr EncodeOptions kUtf8{Encoding::kUtf8, false};
constexpr EncodeOptions kShiftJis{Encoding::kShiftJis, false};

std::unique_ptr<google::protobuf::Message> NewOf(DocumentKind kind) {
  return std::unique_ptr<google::protobuf::Message>(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(DocumentTypeOf(kind))
          ->New());
}

TEST(CodecKindTest, EveryKindsMessageTypeMakesAPlanAndAnEmptyDocumentRoundTrips) {
  for (DocumentKind kind : AllDocumentKinds()) {
    std::unique_ptr<google::protobuf::Message> empty = NewOf(kind);
    absl::StatusOr<std::string> bytes = EncodeByKind(kind, *empty, kUtf8);
    ASSERT_TRUE(bytes.ok()) << DocumentKindName(kind) << ": " << bytes.status();
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> back = DecodeByKind(kind, *bytes);
    ASSERT_TRUE(back.ok()) << DocumentKindName(kind) << ": " << back.status();
    EXPECT_EQ((*back)->GetDescriptor(), DocumentTypeOf(kind));
  }
}

TEST(CodecKindTest, EncodeByKindRefusesAMessageOfAnotherType) {
  v1::QualificationRequestDocument request;
  request.set_arbitrary_file_identifier("X1");
  absl::StatusOr<std::string> bytes = EncodeByKind(DocumentKind::kBatchUpload, request, kUtf8);
  EXPECT_EQ(ReasonOf(bytes.status()), "ONSHI_INVALID_ARGUMENT");
  v1::BulkReceiptDocument receipt;
  EXPECT_TRUE(EncodeByKind(DocumentKind::kBatchReceipt, receipt, kUtf8).ok());
  EXPECT_TRUE(EncodeByKind(DocumentKind::kBulkReferenceNumberReceipt, receipt, kUtf8).ok())
      << "two kinds share the receipt's type";
  EXPECT_EQ(ReasonOf(EncodeByKind(DocumentKind::kBatchResult, receipt, kUtf8).status()),
            "ONSHI_INVALID_ARGUMENT");
}

TEST(CodecKindTest, DecodeByKindRefusesAValueOutsideTheEnum) {
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> decoded =
      DecodeByKind(static_cast<DocumentKind>(0), Golden("siquc01req_basic.utf8.xml"));
  EXPECT_EQ(ReasonOf(decoded.status()), "ONSHI_INVALID_ARGUMENT");
}

// Every answer kind carries MessageHeader/CharacterCodeIdentifier; EncodeByKind writes the one
// that matches the bytes, and the decoder holds documents to it.
TEST(CodecKindTest, CharacterCodeFollowsTheEncodingForEveryAnswerKind) {
  for (DocumentKind kind : AllDocumentKinds()) {
    if (IsRequestKind(kind)) continue;
    std::unique_ptr<google::protobuf::Message> message = NewOf(kind);
    const google::protobuf::FieldDescriptor* field =
        message->GetDescriptor()->FindFieldByName("character_code");
    ASSERT_NE(field, nullptr) << DocumentKindName(kind);
    const google::protobuf::Reflection* reflection = message->GetReflection();
    reflection->SetEnumValue(message.get(), field, v1::CHARACTER_CODE_SHIFT_JIS);
    absl::StatusOr<std::string> utf8 = EncodeByKind(kind, *message, kUtf8);
    ASSERT_TRUE(utf8.ok()) << utf8.status();
    EXPECT_EQ(reflection->GetEnumValue(*message, field), v1::CHARACTER_CODE_SHIFT_JIS)
        << "the caller's message is left alone";
    EXPECT_NE(utf8->find("<CharacterCodeIdentifier>0</CharacterCodeIdentifier>"), std::string::npos)
        << *utf8;
    reflection->SetEnumValue(message.get(), field, v1::CHARACTER_CODE_UTF8);
    absl::StatusOr<std::string> sjis = EncodeByKind(kind, *message, kShiftJis);
    ASSERT_TRUE(sjis.ok()) << sjis.status();
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> back = DecodeByKind(kind, *sjis);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ((*back)->GetReflection()->GetEnumValue(**back, field), v1::CHARACTER_CODE_SHIFT_JIS);

    // A document that says UTF-8 while its bytes are Shift_JIS is refused, whatever its kind.
    const std::string contradicting =
        ReplaceOnce(*sjis, "<CharacterCodeIdentifier>1<", "<CharacterCodeIdentifier>0<");
    EXPECT_EQ(ReasonOf(DecodeByKind(kind, contradicting).status()), "ONSHI_DOCUMENT_ENCODING")
        << DocumentKindName(kind);
  }
}

TEST(CodecKindTest, RequestKindsWriteNoCharacterCode) {
  for (DocumentKind kind : AllDocumentKinds()) {
    if (!IsRequestKind(kind)) continue;
    absl::StatusOr<std::string> bytes = EncodeByKind(kind, *NewOf(kind), kShiftJis);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(bytes->find("CharacterCodeIdentifier"), std::string::npos) << DocumentKindName(kind);
  }
}

TEST(CodecKindTest, TypedShorthandsMatchTheByKindFunctions) {
  absl::StatusOr<v1::QualificationResult> typed =
      DecodeQualificationResult(Golden("siquc01res_rich.sjis.xml"));
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> by_kind =
      DecodeByKind(DocumentKind::kQualificationAnswer, Golden("siquc01res_rich.sjis.xml"));
  ASSERT_TRUE(typed.ok() && by_kind.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*typed, **by_kind));
  absl::StatusOr<std::string> a = EncodeQualificationResult(*typed, kUtf8);
  absl::StatusOr<std::string> b = EncodeByKind(DocumentKind::kQualificationAnswer, *typed, kUtf8);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
}

// ---------------------------------------------------------------------------------------------
// The new kinds' golden files, field by field.

template <typename T>
T DecodeGolden(DocumentKind kind, const std::string& file) {
  absl::StatusOr<std::unique_ptr<google::protobuf::Message>> decoded =
      DecodeByKind(kind, Golden(file));
  EXPECT_TRUE(decoded.ok()) << file << ": " << decoded.status();
  if (!decoded.ok()) return T();
  const T* typed = google::protobuf::DynamicCastToGenerated<T>(decoded->get());
  EXPECT_NE(typed, nullptr) << file;
  return typed != nullptr ? *typed : T();
}

TEST(CodecKindGoldenTest, BatchUploadCarriesOneSearchInfoPerPatient) {
  auto upload = DecodeGolden<v1::BatchQualificationRequestDocument>(DocumentKind::kBatchUpload,
                                                                    "muquc01req_basic.sjis.xml");
  EXPECT_EQ(upload.qualification_confirmation_date(), "20250603");
  EXPECT_EQ(upload.arbitrary_file_identifier(), "B7Q2M9X4T6K1P3W8");
  ASSERT_EQ(upload.search_infos_size(), 2);
  EXPECT_EQ(upload.search_infos(0).arbitrary_identifier(), "R0001");
  EXPECT_EQ(upload.search_infos(0).limit_certificate_consent(), v1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(upload.search_infos(1).identifiers().insurer_number(), "  138156");
  EXPECT_EQ(upload.search_infos(1).identifiers().insured_card_symbol(), "千代田");
  EXPECT_EQ(upload.search_infos(1).arbitrary_identifier(), "R0002");
}

TEST(CodecKindGoldenTest, ReceiptCarriesTheReceptionNumber) {
  auto receipt = DecodeGolden<v1::BulkReceiptDocument>(DocumentKind::kBatchReceipt,
                                                       "muquc01res_basic.utf8.xml");
  EXPECT_EQ(receipt.reception_number(), "R2025060200000123");
  EXPECT_EQ(receipt.reception_date_time(), "20250602180512");
  EXPECT_EQ(receipt.segment_of_result(), v1::SEGMENT_OF_RESULT_UNSPECIFIED)
      << "§5.1 shows no SegmentOfResult in the receipt";
  auto request = DecodeGolden<v1::BulkResultRequestDocument>(DocumentKind::kBatchResultRequest,
                                                             "muquc02req_basic.utf8.xml");
  EXPECT_EQ(request.reception_number(), receipt.reception_number());
}

TEST(CodecKindGoldenTest, BatchResultStillProcessingHasNoUnits) {
  auto result = DecodeGolden<v1::BatchQualificationResultDocument>(
      DocumentKind::kBatchResult, "muquc02res_processing.sjis.xml");
  EXPECT_EQ(result.segment_of_result(), v1::SEGMENT_OF_RESULT_PROCESSING);
  EXPECT_EQ(result.reception_number(), "R2025060200000123");
  EXPECT_EQ(result.units_size(), 0);
}

TEST(CodecKindGoldenTest, BatchResultDecodesCountsAndEachUnit) {
  auto result = DecodeGolden<v1::BatchQualificationResultDocument>(DocumentKind::kBatchResult,
                                                                   "muquc02res_basic.sjis.xml");
  EXPECT_EQ(result.segment_of_result(), v1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(result.number_of_processing_result(), 2);
  EXPECT_EQ(result.number_of_normal_processing(), 1);
  EXPECT_EQ(result.number_of_error(), 1);
  EXPECT_EQ(result.character_code(), v1::CHARACTER_CODE_SHIFT_JIS);
  ASSERT_EQ(result.units_size(), 2);
  const v1::BatchConfirmUnit& found = result.units(0);
  EXPECT_EQ(found.search_info().arbitrary_identifier(), "R0001");
  EXPECT_EQ(found.processing_result_status(), v1::PROCESSING_RESULT_STATUS_NORMAL);
  EXPECT_EQ(found.qualification_validity(), v1::QUALIFICATION_VALIDITY_VALID);
  ASSERT_EQ(found.records_size(), 1);
  EXPECT_EQ(found.records(0).name(), "試験　花子");
  EXPECT_EQ(found.records(0).limit_certificate().category(), "A03");
  EXPECT_EQ(found.records(0).limit_certificate_changed(), "1");
  EXPECT_EQ(found.records(0).arbitrary_identifier(), "R0001");
  EXPECT_EQ(found.reference_number(), "PT000123");
  const v1::BatchConfirmUnit& missing = result.units(1);
  EXPECT_EQ(missing.search_info().arbitrary_identifier(), "R0002");
  EXPECT_EQ(missing.processing_result_status(), v1::PROCESSING_RESULT_STATUS_ERROR);
  EXPECT_EQ(missing.processing_result_code(), "SIM-NOTFOUND");
  EXPECT_EQ(missing.qualification_validity(), v1::QUALIFICATION_VALIDITY_NOT_FOUND);
  EXPECT_EQ(missing.records_size(), 0);
}

TEST(CodecKindGoldenTest, ReferenceNumberRegistrationSingleAndBulk) {
  auto single = DecodeGolden<v1::ReferenceNumberRequestDocument>(
      DocumentKind::kReferenceNumberRequest, "siimm01req_basic.sjis.xml");
  EXPECT_EQ(single.registration().reference_number(), "PT000123");
  EXPECT_EQ(single.registration().identifiers().insured_card_symbol(), "１２３");
  EXPECT_EQ(single.registration().identifiers().insured_branch_number(), "01");
  auto answer = DecodeGolden<v1::ReferenceNumberResultDocument>(
      DocumentKind::kReferenceNumberResult, "siimm01res_basic.utf8.xml");
  EXPECT_EQ(answer.arbitrary_file_identifier(), single.arbitrary_file_identifier());
  EXPECT_EQ(answer.processing_result_status(), v1::PROCESSING_RESULT_STATUS_NORMAL);

  auto bulk = DecodeGolden<v1::BulkReferenceNumberRequestDocument>(
      DocumentKind::kBulkReferenceNumberUpload, "muimm01req_basic.utf8.xml");
  ASSERT_EQ(bulk.registrations_size(), 2);
  EXPECT_EQ(bulk.registrations(1).reference_number(), "PT000456");
  EXPECT_EQ(bulk.registrations(1).arbitrary_identifier(), "R0002");
  auto result = DecodeGolden<v1::BulkReferenceNumberResultDocument>(
      DocumentKind::kBulkReferenceNumberResult, "muimm02res_basic.sjis.xml");
  EXPECT_EQ(result.reception_number(), "R2025060200000456");
  ASSERT_EQ(result.units_size(), 2);
  EXPECT_EQ(result.units(0).registration().arbitrary_identifier(), "R0001");
  EXPECT_EQ(result.units(0).processing_result_status(), v1::PROCESSING_RESULT_STATUS_NORMAL);
  EXPECT_EQ(result.units(1).processing_result_status(), v1::PROCESSING_RESULT_STATUS_ERROR);
  EXPECT_EQ(result.units(1).processing_result_message(), "該当する資格情報が存在しません。");
}

TEST(CodecKindGoldenTest, MedicationRequestOfSection95KeepsItsOwnElementNames) {
  const std::string bytes = Golden("yzksiquc01req_basic.sjis.xml");
  auto request = DecodeGolden<v1::MedicationRequestDocument>(DocumentKind::kMedicationRequest,
                                                             "yzksiquc01req_basic.sjis.xml");
  EXPECT_EQ(request.header().medical_institution_code(), "1310000016");
  EXPECT_EQ(request.header().insurer_number(), "06139992");
  EXPECT_EQ(request.header().insurance_card_symbol(), "１２３");
  EXPECT_EQ(request.header().insured_person_identification_number(), "4567");
  EXPECT_EQ(request.header().branch_number(), "01");
  EXPECT_EQ(request.start_month(), "202412");
  EXPECT_EQ(request.end_month(), "202506");
  EXPECT_EQ(request.file_category(), "2");
  EXPECT_EQ(request.pr_di_inf_classification(), "1");
  EXPECT_EQ(request.care_setting(), v1::CARE_SETTING_OUTPATIENT);
  absl::StatusOr<std::string> id = FileIdOf(DocumentKind::kMedicationRequest, request);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "000123") << "the medication request keeps its id in the header";
  EXPECT_NE(bytes.find("<InsuranceCardSymbol>"), std::string::npos);
  EXPECT_EQ(bytes.find("<InsuredCardSymbol>"), std::string::npos);
}

TEST(CodecKindGoldenTest, MedicationResultDecodesMonthsDatesAndDrugs) {
  auto result = DecodeGolden<v1::MedicationResultDocument>(DocumentKind::kMedicationResult,
                                                           "yzksiquc01res_basic.sjis.xml");
  EXPECT_EQ(result.result_code(), "1");
  EXPECT_EQ(result.character_code(), v1::CHARACTER_CODE_SHIFT_JIS);
  EXPECT_EQ(result.subject().kana_name(), "ｼｹﾝ ﾊﾅｺ");
  EXPECT_EQ(result.subject().birth_date(), "19850412");
  ASSERT_EQ(result.months_size(), 2);
  const v1::MedicationMonth& march = result.months(0);
  EXPECT_EQ(march.month(), "202503");
  EXPECT_EQ(march.pharmacy_name(), "試験薬局　本店");
  ASSERT_EQ(march.dates_size(), 1);
  ASSERT_EQ(march.dates(0).drugs_size(), 2);
  EXPECT_EQ(march.dates(0).dispensing_date(), "20250310");
  EXPECT_EQ(march.dates(0).drugs(1).name(), "ファモチジン錠２０ｍｇ");
  EXPECT_EQ(march.dates(0).drugs(1).special_instruction(), "胃部不快感のある時");
  EXPECT_EQ(march.dates(0).drugs(1).times(), "14");
  ASSERT_EQ(march.treatments_size(), 1);
  EXPECT_EQ(march.treatments(0).name(), "再診料");
  EXPECT_EQ(result.months(1).treatments_size(), 0);
}

TEST(CodecKindGoldenTest, MedicationRefusalCarriesItsMessage) {
  auto result = DecodeGolden<v1::MedicationResultDocument>(DocumentKind::kMedicationResult,
                                                           "yzksiquc01res_no_consent.utf8.xml");
  EXPECT_NE(result.result_code(), "1");
  EXPECT_EQ(result.message_contents(), "薬剤情報の閲覧について患者の同意が確認できません。");
  EXPECT_EQ(result.months_size(), 0);
}

TEST(CodecKindGoldenTest, CheckupResultDecodesEachCheckupAndItem) {
  auto request = DecodeGolden<v1::CheckupRequestDocument>(DocumentKind::kCheckupRequest,
                                                          "tkksiquc01req_basic.utf8.xml");
  EXPECT_EQ(request.file_category(), "2");
  EXPECT_EQ(request.header().arbitrary_file_identifier(), "000125");
  auto result = DecodeGolden<v1::CheckupResultDocument>(DocumentKind::kCheckupResult,
                                                        "tkksiquc01res_basic.sjis.xml");
  EXPECT_EQ(result.result_code(), "1");
  EXPECT_EQ(result.subject().kana_name(), "ｼｹﾝ ﾊﾅｺ");
  EXPECT_EQ(result.subject().sex(), "2");
  ASSERT_EQ(result.checkups_size(), 2);
  EXPECT_EQ(result.checkups(0).effective_time(), "20240915");
  ASSERT_EQ(result.checkups(0).items_size(), 4);
  EXPECT_EQ(result.checkups(0).items(1).item_name(), "体重");
  EXPECT_EQ(result.checkups(0).items(1).value(), "52.4");
  EXPECT_EQ(result.checkups(0).items(1).unit(), "kg");
  EXPECT_EQ(result.checkups(0).items(3).data_type(), "CO");
  EXPECT_EQ(result.checkups(0).items(3).value_name(), "はい");
  EXPECT_EQ(result.checkups(1).items_size(), 1);
}

TEST(CodecKindGoldenTest, CheckupRefusalCarriesItsMessage) {
  auto result = DecodeGolden<v1::CheckupResultDocument>(DocumentKind::kCheckupResult,
                                                        "tkksiquc01res_no_consent.sjis.xml");
  EXPECT_EQ(result.result_code(), "2");
  EXPECT_EQ(result.message_contents(), "特定健診情報の閲覧について患者の同意が確認できません。");
  EXPECT_EQ(result.arbitrary_file_identifier(), "000126");
  EXPECT_EQ(result.checkups_size(), 0);
}

}  // namespace
}  // namespace onshi::oqs
