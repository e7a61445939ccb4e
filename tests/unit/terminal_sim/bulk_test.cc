// The two-phase kinds, decided without files: 一括照会 (upload → ReceptionNumber → results) and
// 照会番号 registration, single and bulk, including what a registration changes in later answers.

#include <memory>
#include <string>
#include <vector>

#include "adapters/oqs_files/codec.h"
#include "adapters/terminal_sim/responder.h"
#include "gtest/gtest.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using ::onshi::sim::testing::BatchUpload;
using ::onshi::sim::testing::Card;
using ::onshi::sim::testing::CardOf;
using ::onshi::sim::testing::Exercises;
using ::onshi::sim::testing::kInstitution;
using ::onshi::sim::testing::MakeRequest;
using ::onshi::sim::testing::Registration;
using ::onshi::sim::testing::ResultRequest;
using ::onshi::sim::testing::SearchInfo;
using ::onshi::sim::testing::TestDataset;
using ::onshi::sim::testing::TestNow;

const Card kUnknown{"01139013", "9999", "999", "00", "19800115"};

// A copy of the reply's document (the reply may be a temporary).
template <typename T>
T As(const Reply& reply) {
  EXPECT_EQ(reply.action, Reply::Action::kAnswer);
  const T* doc = reply.document != nullptr
                     ? google::protobuf::DynamicCastToGenerated<T>(reply.document.get())
                     : nullptr;
  EXPECT_NE(doc, nullptr);
  return doc != nullptr ? *doc : T();
}

class BulkTest : public ::testing::Test {
 protected:
  std::unique_ptr<Responder> Make(FaultSet fault = Fault::kNone,
                                  absl::Duration processing = absl::ZeroDuration()) {
    ResponderOptions options;
    options.institution_code = kInstitution;
    options.fault = fault;
    options.batch_processing_time = processing;
    return std::make_unique<Responder>(TestDataset(), options, &state_);
  }

  // Uploads `cards` and returns the receipt's ReceptionNumber.
  static std::string Upload(const Responder& r, const std::vector<Card>& cards) {
    const Reply reply =
        r.HandleDocument(DocumentKind::kBatchUpload, BatchUpload(cards, "UP01"), TestNow());
    EXPECT_EQ(reply.kind, DocumentKind::kBatchReceipt);
    return As<ov1::BulkReceiptDocument>(reply).reception_number();
  }

  static ov1::BatchQualificationResultDocument Download(const Responder& r,
                                                        const std::string& reception) {
    const Reply reply = r.HandleDocument(DocumentKind::kBatchResultRequest,
                                         ResultRequest(reception, "DL01"), TestNow());
    EXPECT_EQ(reply.kind, DocumentKind::kBatchResult);
    return As<ov1::BatchQualificationResultDocument>(reply);
  }

  SimState state_;
};

TEST_F(BulkTest, BatchUploadIsReceivedAndItsResultsComeInOrder) {
  Exercises("batch-complete");
  auto r = Make();
  const Reply receipt_reply = r->HandleDocument(
      DocumentKind::kBatchUpload,
      BatchUpload({CardOf("valid-kyokai-honnin"), kUnknown, CardOf("multiple-twins")}, "UP01"),
      TestNow());
  const auto& receipt = As<ov1::BulkReceiptDocument>(receipt_reply);
  EXPECT_EQ(receipt.reception_number(), "R2026120100000001");
  EXPECT_EQ(receipt.reception_date_time(), "20261201093000");
  EXPECT_EQ(receipt.arbitrary_file_identifier(), "UP01");
  EXPECT_EQ(receipt.medical_institution_code(), kInstitution);
  EXPECT_EQ(receipt.segment_of_result(), ov1::SEGMENT_OF_RESULT_UNSPECIFIED);

  const ov1::BatchQualificationResultDocument result = Download(*r, receipt.reception_number());
  EXPECT_EQ(result.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(result.reception_number(), receipt.reception_number());
  EXPECT_EQ(result.arbitrary_file_identifier(), "DL01");
  EXPECT_EQ(result.number_of_processing_result(), 3);
  EXPECT_EQ(result.number_of_normal_processing(), 2);
  EXPECT_EQ(result.number_of_error(), 1);
  ASSERT_EQ(result.units_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(result.units(i).search_info().arbitrary_identifier(), "R" + std::to_string(i));
  }
  // Each unit is answered as an individual check would be.
  const Plan individual = r->RespondTo(MakeRequest(CardOf("valid-kyokai-honnin"), true), TestNow());
  ASSERT_EQ(result.units(0).records_size(), 1);
  EXPECT_EQ(result.units(0).qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);
  EXPECT_EQ(result.units(0).records(0).name(), individual.answer.records(0).name());
  EXPECT_EQ(result.units(0).records(0).limit_certificate().category(), "A03");
  EXPECT_EQ(result.units(0).records(0).arbitrary_identifier(), "R0");
  EXPECT_EQ(result.units(1).processing_result_status(), ov1::PROCESSING_RESULT_STATUS_ERROR);
  EXPECT_EQ(result.units(1).processing_result_code(), "SIM-NOTFOUND");
  EXPECT_EQ(result.units(1).qualification_validity(), ov1::QUALIFICATION_VALIDITY_NOT_FOUND);
  EXPECT_EQ(result.units(2).qualification_validity(), ov1::QUALIFICATION_VALIDITY_MULTIPLE);
  EXPECT_EQ(result.units(2).records_size(), 2);
  // The result can be downloaded again; a second upload gets the next number.
  EXPECT_EQ(Download(*r, receipt.reception_number()).units_size(), 3);
  EXPECT_EQ(Upload(*r, {kUnknown}), "R2026120100000002");
}

TEST_F(BulkTest, ResultSaysProcessingUntilTheProcessingTimeHasPassed) {
  Exercises("batch-processing");
  auto r = Make(Fault::kNone, absl::Hours(1));
  const std::string reception = Upload(*r, {CardOf("valid-kyokai-honnin")});
  const ov1::BatchQualificationResultDocument result = Download(*r, reception);
  EXPECT_EQ(result.segment_of_result(), ov1::SEGMENT_OF_RESULT_PROCESSING);
  EXPECT_EQ(result.reception_number(), reception);
  EXPECT_EQ(result.units_size(), 0);
  EXPECT_EQ(result.number_of_processing_result(), 0);
}

TEST_F(BulkTest, UnknownReceptionNumberFailsWithSegmentNine) {
  Exercises("batch-unknown-reception");
  auto r = Make();
  const ov1::BatchQualificationResultDocument result = Download(*r, "R2026120199999999");
  EXPECT_EQ(result.segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
  EXPECT_EQ(result.error_code(), "SIM-E9003");
  EXPECT_FALSE(result.error_message().empty());
  EXPECT_EQ(result.reception_number(), "R2026120199999999");
  // A 照会番号 upload's number is not a 一括照会's.
  ov1::BulkReferenceNumberRequestDocument bulk;
  bulk.set_medical_institution_code(kInstitution);
  *bulk.add_registrations() = Registration(CardOf("limit-a01"), "PT-9");
  const std::string reference_reception =
      As<ov1::BulkReceiptDocument>(
          r->HandleDocument(DocumentKind::kBulkReferenceNumberUpload, bulk, TestNow()))
          .reception_number();
  EXPECT_EQ(Download(*r, reference_reception).error_code(), "SIM-E9003");
}

TEST_F(BulkTest, RecordProblemsBecomeUnitErrorsWithoutFailingTheFile) {
  Exercises("batch-record-errors");
  auto r = Make();
  ov1::BatchQualificationRequestDocument upload =
      BatchUpload({CardOf("limit-a01"), CardOf("limit-a02"), CardOf("limit-a04")}, "UP02");
  upload.mutable_search_infos(0)->clear_birth_date();
  upload.mutable_search_infos(1)->mutable_identifiers()->set_insurer_number("0113901");
  const Reply reply = r->HandleDocument(DocumentKind::kBatchUpload, upload, TestNow());
  const ov1::BatchQualificationResultDocument result =
      Download(*r, As<ov1::BulkReceiptDocument>(reply).reception_number());
  ASSERT_EQ(result.units_size(), 3);
  EXPECT_EQ(result.units(0).processing_result_code(), "SIM-E0002");
  EXPECT_EQ(result.units(1).processing_result_code(), "SIM-E0004");
  EXPECT_EQ(result.units(0).search_info().arbitrary_identifier(), "R0");
  EXPECT_EQ(result.units(2).processing_result_status(), ov1::PROCESSING_RESULT_STATUS_NORMAL);
  EXPECT_EQ(result.number_of_error(), 2);
}

TEST_F(BulkTest, FileLevelProblemsRefuseTheUpload) {
  auto r = Make();
  ov1::BatchQualificationRequestDocument empty = BatchUpload({}, "UP03");
  EXPECT_EQ(r->HandleDocument(DocumentKind::kBatchUpload, empty, TestNow()).reject_code,
            "SIM-E0002");
  ov1::BatchQualificationRequestDocument other = BatchUpload({kUnknown}, "UP04");
  other.set_medical_institution_code("1310000024");
  EXPECT_EQ(r->HandleDocument(DocumentKind::kBatchUpload, other, TestNow()).reject_code,
            "SIM-E0003");
  ov1::BulkResultRequestDocument no_number = ResultRequest("", "DL02");
  EXPECT_EQ(r->HandleDocument(DocumentKind::kBatchResultRequest, no_number, TestNow()).reject_code,
            "SIM-E0002");
}

TEST_F(BulkTest, LimitCertificateChangedFollowsTheDatasetAndTheConsent) {
  Exercises("batch-limit-changed");
  auto r = Make();
  ov1::BatchQualificationRequestDocument upload =
      BatchUpload({CardOf("limit-a04"), CardOf("limit-a01"), CardOf("limit-a04")}, "UP05");
  upload.mutable_search_infos(2)->set_limit_certificate_consent(ov1::CONSENT_FLAG_NOT_GIVEN);
  const ov1::BatchQualificationResultDocument result = Download(
      *r,
      As<ov1::BulkReceiptDocument>(r->HandleDocument(DocumentKind::kBatchUpload, upload, TestNow()))
          .reception_number());
  EXPECT_EQ(result.units(0).records(0).limit_certificate_changed(), "1");
  EXPECT_EQ(result.units(1).records(0).limit_certificate_changed(), "0");
  // Without the 限度額 consent neither the information nor whether it changed.
  EXPECT_EQ(result.units(2).records(0).limit_certificate_changed(), "");
  EXPECT_FALSE(result.units(2).records(0).has_limit_certificate());
}

TEST_F(BulkTest, TerminalErrorPatientBecomesAUnitError) {
  Exercises("batch-terminal-error-unit");
  auto r = Make();
  const ov1::BatchQualificationResultDocument result =
      Download(*r, Upload(*r, {CardOf("behavior-terminal-error"), CardOf("behavior-silent")}));
  EXPECT_EQ(result.units(0).processing_result_status(), ov1::PROCESSING_RESULT_STATUS_ERROR);
  EXPECT_EQ(result.units(0).processing_result_code(), "SIM-E9101");
  EXPECT_EQ(result.units(0).records_size(), 0);
  // Other behaviours are about answer files, which a batch unit is not: answered normally.
  EXPECT_EQ(result.units(1).processing_result_status(), ov1::PROCESSING_RESULT_STATUS_NORMAL);
}

TEST_F(BulkTest, TenThousandRecordsAreAnsweredEachOnceInOrder) {
  Exercises("batch-10000");
  auto r = Make();
  std::vector<Card> cards;
  for (int i = 0; i < 10000; ++i) {
    const v1::Patient& p = TestDataset().patients(i % TestDataset().patients_size());
    cards.push_back(CardOf(p.scenario()));
  }
  const ov1::BatchQualificationResultDocument result = Download(*r, Upload(*r, cards));
  ASSERT_EQ(result.units_size(), 10000);
  EXPECT_EQ(result.number_of_processing_result(), 10000);
  for (int i = 0; i < 10000; ++i) {
    ASSERT_EQ(result.units(i).search_info().arbitrary_identifier(), "R" + std::to_string(i));
  }
}

TEST_F(BulkTest, BatchFaults) {
  {
    Exercises("batch-fault-receipt-error");
    FaultSet faults;
    faults.Set(FaultScope::kBatch, Fault::kReceiptError);
    auto r = Make(faults);
    const Reply reply =
        r->HandleDocument(DocumentKind::kBatchUpload, BatchUpload({kUnknown}, "UP06"), TestNow());
    const auto& receipt = As<ov1::BulkReceiptDocument>(reply);
    EXPECT_EQ(receipt.segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
    EXPECT_EQ(receipt.error_code(), "SIM-E9002");
    EXPECT_TRUE(receipt.reception_number().empty());
  }
  {
    Exercises("batch-fault-processing-forever");
    FaultSet faults;
    faults.Set(FaultScope::kBatch, Fault::kProcessingForever);
    auto r = Make(faults);
    const std::string reception = Upload(*r, {kUnknown});
    EXPECT_EQ(Download(*r, reception).segment_of_result(), ov1::SEGMENT_OF_RESULT_PROCESSING);
    EXPECT_EQ(Download(*r, reception).segment_of_result(), ov1::SEGMENT_OF_RESULT_PROCESSING);
  }
  {
    Exercises("batch-fault-error");
    FaultSet faults;
    faults.Set(FaultScope::kBatch, Fault::kError);
    auto r = Make(faults);
    const std::string reception = Upload(*r, {kUnknown});
    ASSERT_FALSE(reception.empty());
    const ov1::BatchQualificationResultDocument result = Download(*r, reception);
    EXPECT_EQ(result.segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
    EXPECT_EQ(result.error_code(), "SIM-E9002");
  }
  {
    Exercises("batch-fault-reject");
    FaultSet faults;
    faults.Set(FaultScope::kBatch, Fault::kReject);
    auto r = Make(faults);
    EXPECT_EQ(
        r->HandleDocument(DocumentKind::kBatchUpload, BatchUpload({kUnknown}, "UP07"), TestNow())
            .reject_code,
        "SIM-E0008");
    // Other families are not touched.
    EXPECT_EQ(r->RespondTo(MakeRequest(kUnknown, true), TestNow()).action, Plan::Action::kAnswer);
  }
  {
    FaultSet faults;
    faults.Set(FaultScope::kBatch, Fault::kSilent);
    auto r = Make(faults);
    EXPECT_EQ(
        r->HandleDocument(DocumentKind::kBatchUpload, BatchUpload({kUnknown}, "UP08"), TestNow())
            .action,
        Reply::Action::kSilent);
  }
}

// ---- 照会番号 -------------------------------------------------------------------------------

ov1::ReferenceNumberRequestDocument Single(const ov1::ReferenceNumberRegistration& r) {
  ov1::ReferenceNumberRequestDocument request;
  request.set_medical_institution_code(kInstitution);
  request.set_arbitrary_file_identifier("REF01");
  *request.mutable_registration() = r;
  return request;
}

TEST_F(BulkTest, RegisteredReferenceNumberComesBackInEveryLaterAnswer) {
  Exercises("reference-register");
  auto r = Make();
  Card card = CardOf("valid-kyokai-honnin");
  card.symbol = "１００１";  // as typed, full width
  const Reply reply = r->HandleDocument(DocumentKind::kReferenceNumberRequest,
                                        Single(Registration(card, "PT-123")), TestNow());
  EXPECT_EQ(reply.kind, DocumentKind::kReferenceNumberResult);
  const auto& result = As<ov1::ReferenceNumberResultDocument>(reply);
  EXPECT_EQ(result.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(result.processing_result_status(), ov1::PROCESSING_RESULT_STATUS_NORMAL);
  EXPECT_EQ(result.arbitrary_file_identifier(), "REF01");
  EXPECT_EQ(reply.scenario, "valid-kyokai-honnin");
  EXPECT_EQ(state_.ReferenceNumber(kInstitution, "valid-kyokai-honnin"), "PT-123");

  // 個別照会: on the record.
  const Plan individual = r->RespondTo(MakeRequest(CardOf("valid-kyokai-honnin"), true), TestNow());
  EXPECT_EQ(individual.answer.records(0).reference_number(), "PT-123");
  // 一括照会: on the unit.
  const ov1::BatchQualificationResultDocument batch =
      Download(*r, Upload(*r, {CardOf("valid-kyokai-honnin"), CardOf("limit-a01")}));
  EXPECT_EQ(batch.units(0).reference_number(), "PT-123");
  EXPECT_EQ(batch.units(1).reference_number(), "");
  // A check-in: on the record.
  absl::StatusOr<CheckinReply> checkin =
      r->CheckIn(testing::CheckinOf("valid-kyokai-honnin", {}), TestNow());
  ASSERT_TRUE(checkin.ok());
  EXPECT_EQ(checkin->document->records(0).reference_number(), "PT-123");

  // A new number replaces the old one.
  r->HandleDocument(DocumentKind::kReferenceNumberRequest, Single(Registration(card, "PT-124")),
                    TestNow());
  EXPECT_EQ(state_.ReferenceNumber(kInstitution, "valid-kyokai-honnin"), "PT-124");
}

TEST_F(BulkTest, RegistrationProblemsAreThatRecordsError) {
  auto r = Make();
  auto code = [&](const ov1::ReferenceNumberRegistration& reg) {
    const Reply reply =
        r->HandleDocument(DocumentKind::kReferenceNumberRequest, Single(reg), TestNow());
    return As<ov1::ReferenceNumberResultDocument>(reply).processing_result_code();
  };
  Exercises("reference-unknown-person");
  EXPECT_EQ(code(Registration(kUnknown, "PT-1")), "SIM-NOTFOUND");
  Exercises("reference-too-long");
  EXPECT_EQ(code(Registration(CardOf("limit-a01"), std::string(51, 'A'))), "SIM-E0006");
  // 50 characters (not bytes) are fine.
  std::string fifty;
  for (int i = 0; i < 50; ++i) fifty += "番";
  EXPECT_EQ(code(Registration(CardOf("limit-a01"), fifty)), "");
  Exercises("reference-ambiguous");
  Card family = CardOf("valid-kyokai-honnin");
  family.branch.clear();  // 00 and the child's 03 both match without 枝番
  EXPECT_EQ(code(Registration(family, "PT-2")), "SIM-AMBIGUOUS");
  Exercises("reference-taken");
  EXPECT_EQ(code(Registration(CardOf("limit-a02"), fifty)), "SIM-E0007");
  EXPECT_EQ(code(Registration(CardOf("limit-a02"), "")), "SIM-E0002");
  EXPECT_EQ(code(Registration(CardOf("limit-a02"), "PT\n3")), "SIM-E0004");
  ov1::ReferenceNumberRequestDocument none;
  none.set_medical_institution_code(kInstitution);
  EXPECT_EQ(r->HandleDocument(DocumentKind::kReferenceNumberRequest, none, TestNow()).reject_code,
            "SIM-E0002");
}

TEST_F(BulkTest, BulkRegistrationIsTwoPhaseWithOneUnitPerRecord) {
  Exercises("reference-bulk");
  auto r = Make(Fault::kNone, absl::Hours(1));
  ov1::BulkReferenceNumberRequestDocument bulk;
  bulk.set_medical_institution_code(kInstitution);
  bulk.set_arbitrary_file_identifier("BREF1");
  *bulk.add_registrations() = Registration(CardOf("kouki-1wari"), "PT-10", "A1");
  *bulk.add_registrations() = Registration(kUnknown, "PT-11", "A2");
  *bulk.add_registrations() = Registration(CardOf("limit-b05"), "PT-10", "A3");  // taken above
  const Reply receipt_reply =
      r->HandleDocument(DocumentKind::kBulkReferenceNumberUpload, bulk, TestNow());
  EXPECT_EQ(receipt_reply.kind, DocumentKind::kBulkReferenceNumberReceipt);
  const std::string reception = As<ov1::BulkReceiptDocument>(receipt_reply).reception_number();
  ASSERT_FALSE(reception.empty());
  // Registered at once, reported once processed.
  EXPECT_EQ(state_.ReferenceNumber(kInstitution, "kouki-1wari"), "PT-10");
  const Reply processing = r->HandleDocument(DocumentKind::kBulkReferenceNumberResultRequest,
                                             ResultRequest(reception, "BDL1"), TestNow());
  EXPECT_EQ(processing.kind, DocumentKind::kBulkReferenceNumberResult);
  EXPECT_EQ(As<ov1::BulkReferenceNumberResultDocument>(processing).segment_of_result(),
            ov1::SEGMENT_OF_RESULT_PROCESSING);

  auto done = Make();  // same state, no processing time: a fresh terminal knows no reception
  EXPECT_EQ(As<ov1::BulkReferenceNumberResultDocument>(
                done->HandleDocument(DocumentKind::kBulkReferenceNumberResultRequest,
                                     ResultRequest(reception, "BDL2"), TestNow()))
                .error_code(),
            "SIM-E9003");
  auto quick = Make();
  const std::string reception2 =
      As<ov1::BulkReceiptDocument>(
          quick->HandleDocument(DocumentKind::kBulkReferenceNumberUpload, bulk, TestNow()))
          .reception_number();
  const auto& result = As<ov1::BulkReferenceNumberResultDocument>(
      quick->HandleDocument(DocumentKind::kBulkReferenceNumberResultRequest,
                            ResultRequest(reception2, "BDL3"), TestNow()));
  EXPECT_EQ(result.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  ASSERT_EQ(result.units_size(), 3);
  EXPECT_EQ(result.units(0).registration().arbitrary_identifier(), "A1");
  EXPECT_EQ(result.units(0).processing_result_status(), ov1::PROCESSING_RESULT_STATUS_NORMAL);
  EXPECT_EQ(result.units(1).processing_result_code(), "SIM-NOTFOUND");
  EXPECT_EQ(result.units(2).processing_result_code(), "SIM-E0007");
  // The sequence never repeats, across responders sharing the state.
  EXPECT_NE(reception, reception2);
}

TEST_F(BulkTest, ReferenceFaults) {
  {
    Exercises("reference-fault-error");
    FaultSet faults;
    faults.Set(FaultScope::kReference, Fault::kError);
    auto r = Make(faults);
    const auto& result = As<ov1::ReferenceNumberResultDocument>(
        r->HandleDocument(DocumentKind::kReferenceNumberRequest,
                          Single(Registration(CardOf("limit-a01"), "PT-1")), TestNow()));
    EXPECT_EQ(result.segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
    EXPECT_EQ(result.error_code(), "SIM-E9002");
    EXPECT_FALSE(state_.ReferenceNumber(kInstitution, "limit-a01").has_value());
  }
  {
    Exercises("bulk-reference-fault-processing-forever");
    FaultSet faults;
    faults.Set(FaultScope::kBulkReference, Fault::kProcessingForever);
    auto r = Make(faults);
    ov1::BulkReferenceNumberRequestDocument bulk;
    bulk.set_medical_institution_code(kInstitution);
    *bulk.add_registrations() = Registration(CardOf("limit-a02"), "PT-2");
    const std::string reception =
        As<ov1::BulkReceiptDocument>(
            r->HandleDocument(DocumentKind::kBulkReferenceNumberUpload, bulk, TestNow()))
            .reception_number();
    EXPECT_EQ(As<ov1::BulkReferenceNumberResultDocument>(
                  r->HandleDocument(DocumentKind::kBulkReferenceNumberResultRequest,
                                    ResultRequest(reception, "X"), TestNow()))
                  .segment_of_result(),
              ov1::SEGMENT_OF_RESULT_PROCESSING);
  }
}

TEST_F(BulkTest, AnswersEncodeWithTheCodec) {
  auto r = Make();
  const std::string reception = Upload(*r, {CardOf("gaiji-name"), kUnknown});
  const Reply reply = r->HandleDocument(DocumentKind::kBatchResultRequest,
                                        ResultRequest(reception, "DL09"), TestNow());
  for (oqs::Encoding encoding : {oqs::Encoding::kUtf8, oqs::Encoding::kShiftJis}) {
    absl::StatusOr<std::string> bytes =
        oqs::EncodeByKind(reply.kind, *reply.document, {encoding, true});
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_TRUE(oqs::DecodeByKind(reply.kind, *bytes).ok());
  }
}

}  // namespace
}  // namespace onshi::sim
