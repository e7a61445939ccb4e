// The simulator's in-process twin: a TerminalTransport that answers from the dataset through the
// Responder, delivering to the sink from its own thread. Waits are bounded by generous timeouts
// (correctness bounds, not speed checks).

#include "adapters/terminal_sim/in_process_terminal.h"

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "adapters/terminal_sim/dataset.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using ::onshi::sim::testing::BatchUpload;
using ::onshi::sim::testing::Card;
using ::onshi::sim::testing::CardOf;
using ::onshi::sim::testing::CheckinOf;
using ::onshi::sim::testing::EveryConsent;
using ::onshi::sim::testing::Exercises;
using ::onshi::sim::testing::FixedClock;
using ::onshi::sim::testing::kInstitution;
using ::onshi::sim::testing::MakeRequest;
using ::onshi::sim::testing::MedicationRequest;
using ::onshi::sim::testing::ResultRequest;
using ::onshi::sim::testing::TestNow;
using ::onshi::sim::testing::WaitFor;

const Card kValidKyokai{"01139013", "1001", "25", "00", "19800115"};
const Card kSilent{"01139013", "8001", "1", "00", "19790101"};
const Card kReject{"01139013", "8003", "3", "00", "19790303"};
const Card kMalformed{"01139013", "8004", "4", "00", "19790404"};
const Card kUnknown{"01139013", "9999", "999", "00", "19800115"};

// Records what the twin delivers; can be told to fail the next deliveries.
class RecordingSink final : public AnswerSink {
 public:
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++answer_calls_;
    if (failures_left_ > 0) {
      --failures_left_;
      return MakeError(errors::kStoreUnavailable, "test sink refuses");
    }
    answers_.push_back(answer);
    return AnswerDisposition::kProcessed;
  }
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override {
    std::lock_guard<std::mutex> lock(mu_);
    rejected_.push_back(rejected);
    return absl::OkStatus();
  }
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override {
    std::lock_guard<std::mutex> lock(mu_);
    unreadable_.push_back(unreadable);
    return absl::OkStatus();
  }

  void FailNext(int n) {
    std::lock_guard<std::mutex> lock(mu_);
    failures_left_ = n;
  }
  std::vector<IncomingAnswer> answers() {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_;
  }
  std::vector<RejectedRequest> rejected() {
    std::lock_guard<std::mutex> lock(mu_);
    return rejected_;
  }
  std::vector<UnreadableAnswer> unreadable() {
    std::lock_guard<std::mutex> lock(mu_);
    return unreadable_;
  }
  int answer_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return answer_calls_;
  }

 private:
  std::mutex mu_;
  int failures_left_ = 0;
  int answer_calls_ = 0;
  std::vector<IncomingAnswer> answers_;
  std::vector<RejectedRequest> rejected_;
  std::vector<UnreadableAnswer> unreadable_;
};

const ov1::QualificationResult& ResultOf(const IncomingAnswer& answer) {
  const ov1::QualificationResult* result = AnswerAs<ov1::QualificationResult>(answer);
  EXPECT_NE(result, nullptr);
  return result != nullptr ? *result : ov1::QualificationResult::default_instance();
}

class InProcessTerminalTest : public ::testing::Test {
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

  InProcessTerminalOptions Options(Fault fault = Fault::kNone) {
    InProcessTerminalOptions options;
    options.dataset = *dataset_;
    options.institution_code = kInstitution;
    options.fault = fault;
    options.clock = &clock_;
    options.redelivery_interval = absl::Milliseconds(1);
    return options;
  }

  std::unique_ptr<InProcessTerminal> Started(Fault fault = Fault::kNone) {
    absl::StatusOr<std::unique_ptr<InProcessTerminal>> twin =
        InProcessTerminal::Create(Options(fault));
    EXPECT_TRUE(twin.ok()) << twin.status();
    if (!twin.ok()) return nullptr;
    EXPECT_TRUE((*twin)->Start(&sink_).ok());
    return *std::move(twin);
  }

  static v1::Dataset* dataset_;
  FixedClock clock_;
  RecordingSink sink_;
};

v1::Dataset* InProcessTerminalTest::dataset_ = nullptr;

TEST_F(InProcessTerminalTest, AnswersAValidPatientFromTheDataset) {
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kValidKyokai, true, "TWIN0001"))
          .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 1; }));

  const IncomingAnswer answer = sink_.answers()[0];
  EXPECT_EQ(answer.file_id, "TWIN0001");
  EXPECT_EQ(answer.received_time, TestNow());
  EXPECT_EQ(answer.kind, DocumentKind::kQualificationAnswer);
  ASSERT_NE(AnswerAs<ov1::QualificationResult>(answer), nullptr);
  const ov1::QualificationResult& result = *AnswerAs<ov1::QualificationResult>(answer);
  EXPECT_EQ(result.arbitrary_file_identifier(), "TWIN0001");
  EXPECT_EQ(result.medical_institution_code(), kInstitution);
  EXPECT_EQ(result.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(result.qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);
  ASSERT_EQ(result.records_size(), 1);
  // Consent given on the request: the 限度額 certificate is part of the answer.
  EXPECT_TRUE(result.records(0).has_limit_certificate());
  EXPECT_EQ(result.records(0).limit_certificate_consent().flag(), ov1::CONSENT_FLAG_GIVEN);
}

TEST_F(InProcessTerminalTest, UnknownPersonIsAnsweredNotFound) {
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kUnknown, false, "TWIN0002"))
          .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 1; }));
  EXPECT_EQ(ResultOf(sink_.answers()[0]).qualification_validity(),
            ov1::QUALIFICATION_VALIDITY_NOT_FOUND);
  EXPECT_EQ(ResultOf(sink_.answers()[0]).processing_result_code(), kNotFoundCode);
}

TEST_F(InProcessTerminalTest, RequestForAnotherInstitutionIsRejectedWithItsCode) {
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  ov1::QualificationRequestDocument request = MakeRequest(kValidKyokai, true, "TWIN0003");
  request.set_medical_institution_code("1310000024");
  ASSERT_TRUE(twin->Submit(DocumentKind::kQualificationRequest, request).ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.rejected().size() == 1; }));
  EXPECT_EQ(sink_.rejected()[0].kind, DocumentKind::kQualificationRequest);
  EXPECT_EQ(sink_.rejected()[0].file_id, "TWIN0003");
  EXPECT_EQ(sink_.rejected()[0].error_code, kRejectOtherInstitution);
  EXPECT_TRUE(sink_.answers().empty());
}

TEST_F(InProcessTerminalTest, RejectScenarioIsDeliveredAsARejection) {
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kReject, true, "TWIN0004"))
          .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.rejected().size() == 1; }));
  EXPECT_EQ(sink_.rejected()[0].error_code, kRejectByScenario);
}

TEST_F(InProcessTerminalTest, SilentScenarioIsNeverAnsweredWhileLaterRequestsAre) {
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kSilent, true, "TWIN0005"))
          .ok());
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kValidKyokai, true, "TWIN0006"))
          .ok());
  // Requests are taken in order: once the second is answered the first was decided about.
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 1; }));
  twin->Stop();
  ASSERT_EQ(sink_.answers().size(), 1u);
  EXPECT_EQ(sink_.answers()[0].file_id, "TWIN0006");
  EXPECT_TRUE(sink_.rejected().empty());
  EXPECT_TRUE(sink_.unreadable().empty());
}

TEST_F(InProcessTerminalTest, MalformedScenarioReachesTheSinkAsUnreadable) {
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kMalformed, true, "TWIN0007"))
          .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.unreadable().size() == 1; }));
  EXPECT_EQ(sink_.unreadable()[0].kind, DocumentKind::kQualificationAnswer);
  EXPECT_EQ(sink_.unreadable()[0].file_id, "TWIN0007");
  EXPECT_EQ(ReasonOf(sink_.unreadable()[0].error), "ONSHI_DOCUMENT_MALFORMED");
  EXPECT_TRUE(sink_.answers().empty());
}

TEST_F(InProcessTerminalTest, ErrorFaultAnswersWithSegmentOfResultFailed) {
  std::unique_ptr<InProcessTerminal> twin = Started(Fault::kError);
  ASSERT_NE(twin, nullptr);
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kValidKyokai, true, "TWIN0008"))
          .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 1; }));
  EXPECT_EQ(ResultOf(sink_.answers()[0]).segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
  EXPECT_EQ(ResultOf(sink_.answers()[0]).error_code(), kFaultErrorCode);
}

TEST_F(InProcessTerminalTest, AnswerTheSinkFailedToRecordIsDeliveredAgain) {
  sink_.FailNext(2);
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kValidKyokai, true, "TWIN0009"))
          .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 1; }));
  EXPECT_EQ(sink_.answer_calls(), 3);
  EXPECT_EQ(sink_.answers()[0].file_id, "TWIN0009");
}

TEST_F(InProcessTerminalTest, DuplicateFaultDeliversTheSameAnswerTwice) {
  std::unique_ptr<InProcessTerminal> twin = Started(Fault::kDuplicate);
  ASSERT_NE(twin, nullptr);
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kValidKyokai, true, "TWIN0010"))
          .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 2; }));
  EXPECT_EQ(sink_.answers()[0].file_id, "TWIN0010");
  EXPECT_EQ(sink_.answers()[1].file_id, "TWIN0010");
}

TEST_F(InProcessTerminalTest, RequestSubmittedBeforeStartIsAnsweredAfterStart) {
  absl::StatusOr<std::unique_ptr<InProcessTerminal>> twin = InProcessTerminal::Create(Options());
  ASSERT_TRUE(twin.ok()) << twin.status();
  ASSERT_TRUE(
      (*twin)
          ->Submit(DocumentKind::kQualificationRequest, MakeRequest(kValidKyokai, true, "TWIN0011"))
          .ok());
  ASSERT_TRUE((*twin)->Start(&sink_).ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 1; }));
  EXPECT_EQ(sink_.answers()[0].file_id, "TWIN0011");
}

TEST_F(InProcessTerminalTest, StoppedTwinRefusesRequestsAsUnavailable) {
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  EXPECT_TRUE(twin->CheckHealth().ok());
  twin->Stop();
  twin->Stop();  // idempotent
  absl::Status submitted =
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kValidKyokai, true));
  EXPECT_EQ(ReasonOf(submitted), "ONSHI_TERMINAL_UNAVAILABLE");
  EXPECT_EQ(ReasonOf(twin->CheckHealth()), "ONSHI_TERMINAL_UNAVAILABLE");
  EXPECT_FALSE(twin->Start(&sink_).ok());
}

TEST_F(InProcessTerminalTest, SubmitRefusesAnswerKindsAndDocumentsOfAnotherType) {
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  ov1::BatchQualificationRequestDocument batch;
  batch.set_arbitrary_file_identifier("TWINB001");
  EXPECT_EQ(ReasonOf(twin->Submit(DocumentKind::kBatchReceipt, batch)), "ONSHI_INVALID_ARGUMENT");
  // A qualification request must be one.
  EXPECT_EQ(ReasonOf(twin->Submit(DocumentKind::kQualificationRequest, batch)),
            "ONSHI_INVALID_ARGUMENT");
  // An ArbitraryFileIdentifier that cannot be a file id.
  EXPECT_EQ(ReasonOf(twin->Submit(DocumentKind::kQualificationRequest,
                                  MakeRequest(kValidKyokai, true, "../x"))),
            "ONSHI_INVALID_ARGUMENT");
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kValidKyokai, true, "TWIN0012"))
          .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 1; }));
  EXPECT_EQ(sink_.answers()[0].file_id, "TWIN0012");
}

TEST_F(InProcessTerminalTest, SecondStartIsRefused) {
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  EXPECT_EQ(ReasonOf(twin->Start(&sink_)), "ONSHI_INTERNAL");
}

TEST_F(InProcessTerminalTest, CreateRefusesAnInstitutionCodeThatIsNotTenDigits) {
  InProcessTerminalOptions options = Options();
  options.institution_code = "131000001";
  EXPECT_EQ(ReasonOf(InProcessTerminal::Create(std::move(options)).status()),
            "ONSHI_CONFIG_INVALID");
}

TEST_F(InProcessTerminalTest, CreateRefusesSlowWriteWhichNeedsFiles) {
  EXPECT_EQ(ReasonOf(InProcessTerminal::Create(Options(Fault::kSlowWrite)).status()),
            "ONSHI_CONFIG_INVALID");
}

TEST_F(InProcessTerminalTest, CreateRefusesADatasetThatFailsValidation) {
  InProcessTerminalOptions options = Options();
  options.dataset.mutable_patients(0)->set_scenario("");
  EXPECT_EQ(ReasonOf(InProcessTerminal::Create(std::move(options)).status()),
            "ONSHI_CONFIG_INVALID");
}

// ---- every other kind -------------------------------------------------------------------------

TEST_F(InProcessTerminalTest, TenThousandPatientBatchGoesThroughBothPhases) {
  Exercises("batch-10000");
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  std::vector<Card> cards;
  for (int i = 0; i < 10000; ++i) {
    cards.push_back(CardOf(dataset_->patients(i % dataset_->patients_size()).scenario()));
  }
  ASSERT_TRUE(twin->Submit(DocumentKind::kBatchUpload, BatchUpload(cards, "TWINUP1")).ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 1; }));
  const IncomingAnswer receipt = sink_.answers()[0];
  EXPECT_EQ(receipt.kind, DocumentKind::kBatchReceipt);
  EXPECT_EQ(receipt.file_id, "TWINUP1");
  ASSERT_NE(AnswerAs<ov1::BulkReceiptDocument>(receipt), nullptr);
  const std::string reception = AnswerAs<ov1::BulkReceiptDocument>(receipt)->reception_number();
  ASSERT_FALSE(reception.empty());

  ASSERT_TRUE(
      twin->Submit(DocumentKind::kBatchResultRequest, ResultRequest(reception, "TWINDL1")).ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 2; }));
  const IncomingAnswer download = sink_.answers()[1];
  EXPECT_EQ(download.kind, DocumentKind::kBatchResult);
  const auto* result = AnswerAs<ov1::BatchQualificationResultDocument>(download);
  ASSERT_NE(result, nullptr);
  EXPECT_EQ(result->segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  ASSERT_EQ(result->units_size(), 10000);
  EXPECT_EQ(result->units(9999).search_info().arbitrary_identifier(), "R9999");
}

TEST_F(InProcessTerminalTest, CheckinReachesTheSinkAsAFaceAnswer) {
  Exercises("face-checkin-all-consents");
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  absl::StatusOr<std::string> file_id =
      twin->CheckIn(CheckinOf("valid-kyokai-honnin", EveryConsent()));
  ASSERT_TRUE(file_id.ok()) << file_id.status();
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 1; }));
  const IncomingAnswer face = sink_.answers()[0];
  EXPECT_EQ(face.kind, DocumentKind::kFaceCheckin);
  EXPECT_EQ(face.file_id, *file_id);
  EXPECT_EQ(ResultOf(face).reference_classification(),
            ov1::REFERENCE_CLASSIFICATION_MY_NUMBER_CARD);

  // Its consents now open the medication history; a PDF arrives as bytes.
  ASSERT_TRUE(twin->Submit(DocumentKind::kMedicationRequest,
                           MedicationRequest(CardOf("valid-kyokai-honnin"), "TWINYZK1", "202601",
                                             "202612", "1"))
                  .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 2; }));
  const IncomingAnswer pdf = sink_.answers()[1];
  EXPECT_EQ(pdf.kind, DocumentKind::kMedicationResult);
  EXPECT_EQ(pdf.document, nullptr);
  EXPECT_EQ(pdf.pdf.compare(0, 5, "%PDF-"), 0);
}

TEST_F(InProcessTerminalTest, OrphanAndRenamedDuplicatesArriveUnderOtherIds) {
  FaultSet faults;
  faults.Set(FaultScope::kQualification, Fault::kOrphan);
  faults.Set(FaultScope::kFace, Fault::kDuplicateRenamed);
  InProcessTerminalOptions options = Options();
  options.fault = faults;
  absl::StatusOr<std::unique_ptr<InProcessTerminal>> twin =
      InProcessTerminal::Create(std::move(options));
  ASSERT_TRUE(twin.ok());
  ASSERT_TRUE((*twin)->Start(&sink_).ok());
  ASSERT_TRUE(
      (*twin)
          ->Submit(DocumentKind::kQualificationRequest, MakeRequest(kValidKyokai, true, "TWINORPH"))
          .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 2; }));
  int ours = 0;
  for (const IncomingAnswer& a : sink_.answers()) {
    if (a.file_id == "TWINORPH") ++ours;
    EXPECT_EQ(ResultOf(a).arbitrary_file_identifier(), a.file_id);
  }
  EXPECT_EQ(ours, 1);
  absl::StatusOr<std::string> face = (*twin)->CheckIn(CheckinOf("limit-a01", {}));
  ASSERT_TRUE(face.ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 4; }));
  EXPECT_EQ(sink_.answers()[2].file_id, *face + "_dup");
  EXPECT_EQ(sink_.answers()[3].file_id, *face);
}

TEST_F(InProcessTerminalTest, RegistrationsAreRememberedForLaterAnswers) {
  std::unique_ptr<InProcessTerminal> twin = Started();
  ASSERT_NE(twin, nullptr);
  ov1::ReferenceNumberRequestDocument single;
  single.set_medical_institution_code(kInstitution);
  single.set_arbitrary_file_identifier("TWINREF1");
  *single.mutable_registration() = testing::Registration(kValidKyokai, "PT-TWIN");
  ASSERT_TRUE(twin->Submit(DocumentKind::kReferenceNumberRequest, single).ok());
  ASSERT_TRUE(
      twin->Submit(DocumentKind::kQualificationRequest, MakeRequest(kValidKyokai, true, "TWINQ1"))
          .ok());
  ASSERT_TRUE(WaitFor([&] { return sink_.answers().size() == 2; }));
  EXPECT_EQ(sink_.answers()[0].kind, DocumentKind::kReferenceNumberResult);
  EXPECT_EQ(ResultOf(sink_.answers()[1]).records(0).reference_number(), "PT-TWIN");
}

}  // namespace
}  // namespace onshi::sim
