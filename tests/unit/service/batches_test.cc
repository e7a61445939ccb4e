// Batches (一括照会) and 照会番号 registrations on the bulk-exchange engine, with an in-memory
// store, a transport that records what is placed, a scripted terminal answering through the
// engine's sink, and a clock the test moves: splitting, the backoff schedule, idempotency and
// conflicts, failures, timeouts, and resuming after a restart from every file state.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "plugin/service/batches.h"
#include "plugin/service/bulk_exchange.h"
#include "plugin/service/reference_numbers.h"
#include "tests/unit/service/bulk_fakes.h"

namespace onshi::service {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;
using testing::FakeBatchStore;
using testing::FakeClock;
using testing::FakeTransport;

constexpr char kInstitution[] = "1310000016";
// 2025-06-02 09:00 JST.
const absl::Time kStart = absl::FromUnixSeconds(1748822400);

v1::BatchPatient Patient(int i) {
  v1::BatchPatient patient;
  patient.set_patient_id("P" + std::to_string(i));
  patient.mutable_identifiers()->set_insurer_number("06139992");
  patient.mutable_identifiers()->set_insured_card_symbol("1001");
  patient.mutable_identifiers()->set_insured_identification_number(std::to_string(100 + i));
  patient.set_birth_date("19850412");
  return patient;
}

v1::RunBatchCheckRequest Batch(int patients, const std::string& request_id = "batch-0001") {
  v1::RunBatchCheckRequest request;
  request.set_request_id(request_id);
  for (int i = 0; i < patients; ++i) *request.add_patients() = Patient(i);
  return request;
}

IncomingAnswer Answer(DocumentKind kind, const std::string& file_id,
                      std::shared_ptr<const google::protobuf::Message> document, absl::Time when) {
  IncomingAnswer answer;
  answer.kind = kind;
  answer.file_id = file_id;
  answer.document = std::move(document);
  answer.received_time = when;
  return answer;
}

// The terminal's side: answers what was placed. Uploads get a receipt; result requests get
// `processing_answers` times 処理中, then the complete result (one valid record per row, or
// SegmentOfResult 9 when `fail_results`).
struct ScriptedTerminal {
  int processing_answers = 0;
  bool fail_results = false;
  std::map<std::string, std::shared_ptr<v1::BatchQualificationRequestDocument>> uploads;
  std::map<std::string, int> asks;
  int next_reception = 1;

  void AnswerUpload(const FakeTransport::Placed& placed, BulkExchangeEngine& engine,
                    absl::Time now) {
    auto upload = std::static_pointer_cast<v1::BatchQualificationRequestDocument>(placed.document);
    auto receipt = std::make_shared<v1::BulkReceiptDocument>();
    receipt->set_medical_institution_code(kInstitution);
    receipt->set_arbitrary_file_identifier(placed.file_id);
    receipt->set_reception_number("R" + std::to_string(next_reception++));
    uploads[receipt->reception_number()] = upload;
    absl::StatusOr<AnswerDisposition> d =
        engine.OnAnswer(Answer(DocumentKind::kBatchReceipt, placed.file_id, receipt, now));
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(*d, AnswerDisposition::kProcessed);
  }

  std::shared_ptr<v1::BatchQualificationResultDocument> ResultFor(
      const FakeTransport::Placed& placed) {
    const auto& ask = static_cast<const v1::BulkResultRequestDocument&>(*placed.document);
    auto result = std::make_shared<v1::BatchQualificationResultDocument>();
    result->set_medical_institution_code(kInstitution);
    result->set_arbitrary_file_identifier(placed.file_id);
    result->set_reception_number(ask.reception_number());
    result->set_process_execution_time("20250602090000");
    if (asks[ask.reception_number()]++ < processing_answers) {
      result->set_segment_of_result(v1::SEGMENT_OF_RESULT_PROCESSING);
      return result;
    }
    if (fail_results) {
      result->set_segment_of_result(v1::SEGMENT_OF_RESULT_FAILED);
      result->set_error_code("SIM-E9001");
      return result;
    }
    result->set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
    for (const v1::QualificationSearchInfo& search : uploads.at(ask.reception_number())->search_infos()) {
      v1::BatchConfirmUnit* unit = result->add_units();
      *unit->mutable_search_info() = search;
      unit->set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
      unit->set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
      v1::QualificationRecord* record = unit->add_records();
      *record->mutable_identifiers() = search.identifiers();
      record->set_insured_card_classification("01");
      record->set_birth_date(search.birth_date());
      record->set_insured_partial_contribution_ratio("030");
      record->set_limit_certificate_changed(search.arbitrary_identifier() == "1" ? "1" : "0");
    }
    return result;
  }

  // Answers everything placed so far; returns how many answers it gave.
  int Serve(FakeTransport& transport, BulkExchangeEngine& engine, absl::Time now) {
    int answered = 0;
    for (const FakeTransport::Placed& placed : transport.Take()) {
      ++answered;
      if (placed.kind == DocumentKind::kBatchUpload) {
        AnswerUpload(placed, engine, now);
      } else if (placed.kind == DocumentKind::kBatchResultRequest) {
        absl::StatusOr<AnswerDisposition> d = engine.OnAnswer(
            Answer(DocumentKind::kBatchResult, placed.file_id, ResultFor(placed), now));
        EXPECT_TRUE(d.ok()) << d.status();
      }
    }
    return answered;
  }
};

struct RunOutcome {
  absl::Status status;
  std::vector<v1::BatchPatientResult> results;
  std::vector<v1::BatchProgress> progress;
};

class BatchesTest : public ::testing::Test {
 protected:
  BatchesTest() : clock_(kStart), store_(&clock_) { Start(); }

  BulkExchangeOptions EngineOptions() const {
    BulkExchangeOptions options;
    options.medical_institution_code = kInstitution;
    options.answer_timeout = absl::Seconds(30);
    options.poll_initial = absl::Seconds(1);
    options.poll_max = absl::Seconds(3);
    options.bulk_timeout = absl::Hours(1);
    options.max_in_flight = max_in_flight_;
    return options;
  }

  // A new service over the same store: what a restart of onshid does.
  void Start() {
    references_.reset();
    batches_.reset();
    engine_.reset();
    transport_ = std::make_unique<FakeTransport>();
    engine_ = std::make_unique<BulkExchangeEngine>(EngineOptions(), &store_, transport_.get(),
                                                   &clock_);
    batches_ = std::make_unique<Batches>(BatchOptions{kInstitution, file_size_, 100}, &store_,
                                         engine_.get(), &clock_);
    references_ = std::make_unique<ReferenceNumbers>(
        ReferenceNumberOptions{kInstitution, file_size_, 100}, &store_, engine_.get(), &clock_);
    engine_->Register(BulkExchange::kBatch, batches_.get());
    engine_->Register(BulkExchange::kReferenceNumber, references_.get());
    engine_->Register(BulkExchange::kBulkReferenceNumber, references_.get());
  }

  // One RunBatchCheck call that streams what is recorded now and returns (its deadline is now
  // on the test's clock, so it never waits).
  RunOutcome RunNow(const v1::RunBatchCheckRequest& request) {
    RunOutcome outcome;
    outcome.status = batches_->RunBatchCheck(request, clock_.Now(), nullptr,
                                             [&](const v1::BatchCheckEvent& event) {
                                               if (event.has_result()) {
                                                 outcome.results.push_back(event.result());
                                               } else {
                                                 outcome.progress.push_back(event.progress());
                                               }
                                               return true;
                                             });
    return outcome;
  }

  // Drives the engine and the terminal until nothing more happens at the current time.
  void Settle() {
    for (int round = 0; round < 100; ++round) {
      engine_->Advance();
      if (terminal_.Serve(*transport_, *engine_, clock_.Now()) == 0) return;
    }
    FAIL() << "the exchange does not settle";
  }

  // Settles, moves the clock on, and again, until the batch is done or `limit` passes.
  void RunToCompletion(absl::Duration step = absl::Seconds(1), int steps = 100) {
    for (int i = 0; i < steps; ++i) {
      Settle();
      bool unfinished = false;
      for (const BulkFile& file : store_.AllFiles()) unfinished |= !IsFinished(file.state);
      if (!unfinished) return;
      clock_.Advance(step);
    }
  }

  std::vector<BulkFile> Files() {
    absl::StatusOr<std::vector<BulkFile>> files =
        store_.ListBulkFiles(BulkExchange::kBatch, "batch-0001");
    EXPECT_TRUE(files.ok());
    return files.ok() ? *files : std::vector<BulkFile>();
  }

  // Every patient exactly once, by index.
  static void ExpectEachPatientOnce(const RunOutcome& outcome, int patients) {
    std::set<int32_t> indices;
    for (const v1::BatchPatientResult& result : outcome.results) {
      EXPECT_TRUE(indices.insert(result.index()).second) << "index " << result.index() << " twice";
      EXPECT_EQ(result.patient_id(), "P" + std::to_string(result.index()));
    }
    EXPECT_EQ(static_cast<int>(indices.size()), patients);
  }

  int file_size_ = 2;
  int max_in_flight_ = 10;
  FakeClock clock_;
  FakeBatchStore store_;
  ScriptedTerminal terminal_;
  std::unique_ptr<FakeTransport> transport_;
  std::unique_ptr<BulkExchangeEngine> engine_;
  std::unique_ptr<Batches> batches_;
  std::unique_ptr<ReferenceNumbers> references_;
};

TEST_F(BatchesTest, SplitsIntoFilesOfTheConfiguredSizeKeyedByRowIndex) {
  RunOutcome first = RunNow(Batch(5));
  EXPECT_EQ(first.status.code(), absl::StatusCode::kDeadlineExceeded) << first.status;
  ASSERT_THAT(first.progress, SizeIs(1));
  EXPECT_EQ(first.progress[0].total_patients(), 5);
  EXPECT_EQ(first.progress[0].total_files(), 3);
  EXPECT_FALSE(first.progress[0].done());

  engine_->Advance();
  std::vector<FakeTransport::Placed> uploads = transport_->PlacedOf(DocumentKind::kBatchUpload);
  ASSERT_THAT(uploads, SizeIs(3));
  std::vector<std::vector<std::string>> keys;
  for (const FakeTransport::Placed& placed : uploads) {
    const auto& upload = static_cast<const v1::BatchQualificationRequestDocument&>(*placed.document);
    EXPECT_EQ(upload.medical_institution_code(), kInstitution);
    EXPECT_EQ(upload.arbitrary_file_identifier(), placed.file_id);
    EXPECT_EQ(upload.qualification_confirmation_date(), "20250602");
    std::vector<std::string> file_keys;
    for (const auto& search : upload.search_infos()) file_keys.push_back(search.arbitrary_identifier());
    keys.push_back(file_keys);
  }
  EXPECT_THAT(keys, ElementsAre(ElementsAre("0", "1"), ElementsAre("2", "3"), ElementsAre("4")));
  for (const BulkFile& file : Files()) EXPECT_EQ(file.state, BulkFileState::kUploaded);
}

TEST_F(BatchesTest, RunsThroughReceiptAndAskAndStreamsEveryPatientOnceWithProgress) {
  ASSERT_EQ(RunNow(Batch(5)).status.code(), absl::StatusCode::kDeadlineExceeded);
  Settle();
  RunOutcome done = RunNow(Batch(5));
  ASSERT_TRUE(done.status.ok()) << done.status;
  ExpectEachPatientOnce(done, 5);
  ASSERT_FALSE(done.progress.empty());
  EXPECT_TRUE(done.progress.back().done());
  EXPECT_EQ(done.progress.back().finished_patients(), 5);
  EXPECT_EQ(done.progress.back().finished_files(), 3);
  for (const v1::BatchPatientResult& result : done.results) {
    EXPECT_FALSE(result.has_error());
    EXPECT_EQ(result.validity(), v1::QUALIFICATION_VALIDITY_VALID);
    EXPECT_TRUE(result.billing().eligible());
    EXPECT_EQ(result.record_write().coverage_version(), 1);
    EXPECT_EQ(result.provenance().source(), v1::SOURCE_BATCH);
    EXPECT_EQ(result.limit_certificate_changed(), result.index() == 1);
  }
  // Each answered row: one confirmation under its check id and the patient's first coverage.
  auto confirmations = store_.confirmations();
  EXPECT_THAT(confirmations, SizeIs(5));
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(confirmations.count("batch-0001/" + std::to_string(i)), 1u);
    EXPECT_EQ(confirmations["batch-0001/" + std::to_string(i)].first, "P" + std::to_string(i));
    ASSERT_TRUE(store_.Coverage("P" + std::to_string(i)).has_value());
  }
  // Asked once per file, at once after the receipt.
  EXPECT_THAT(transport_->PlacedOf(DocumentKind::kBatchResultRequest), SizeIs(0));  // taken
  for (const BulkFile& file : Files()) {
    EXPECT_EQ(file.state, BulkFileState::kDone);
    EXPECT_EQ(file.ask_count, 1);
  }
}

TEST_F(BatchesTest, ProcessingAnswersBackOffFromTheInitialPauseDoublingToTheMaximum) {
  file_size_ = 10;
  Start();
  terminal_.processing_answers = 4;
  ASSERT_EQ(RunNow(Batch(1)).status.code(), absl::StatusCode::kDeadlineExceeded);
  Settle();  // upload, receipt, first ask, first 処理中
  std::vector<absl::Duration> pauses;
  absl::Time last_answer = clock_.Now();
  for (int answer = 1; answer <= 4; ++answer) {
    // Not asked again before the pause is over.
    absl::Duration waited = absl::ZeroDuration();
    while (true) {
      engine_->Advance();
      if (!transport_->PlacedOf(DocumentKind::kBatchResultRequest).empty()) break;
      clock_.Advance(absl::Milliseconds(250));
      waited += absl::Milliseconds(250);
      ASSERT_LT(waited, absl::Seconds(10));
    }
    pauses.push_back(clock_.Now() - last_answer);
    last_answer = clock_.Now();
    terminal_.Serve(*transport_, *engine_, clock_.Now());
  }
  // 1 s, 2 s, then capped at 3 s; the fifth ask got the result.
  EXPECT_THAT(pauses, ElementsAre(absl::Seconds(1), absl::Seconds(2), absl::Seconds(3),
                                  absl::Seconds(3)));
  ASSERT_THAT(Files(), SizeIs(1));
  EXPECT_EQ(Files()[0].state, BulkFileState::kDone);
  EXPECT_EQ(Files()[0].ask_count, 5);
  EXPECT_EQ(Files()[0].processing_count, 4);
}

TEST_F(BatchesTest, SegmentOfResultNineGivesThatFilesRowsTheError) {
  terminal_.fail_results = true;
  ASSERT_EQ(RunNow(Batch(3)).status.code(), absl::StatusCode::kDeadlineExceeded);
  Settle();
  RunOutcome done = RunNow(Batch(3));
  ASSERT_TRUE(done.status.ok()) << done.status;
  ExpectEachPatientOnce(done, 3);
  for (const v1::BatchPatientResult& result : done.results) {
    EXPECT_EQ(result.error().reason(), "ONSHI_TERMINAL_FAILED");
    EXPECT_EQ(result.error_code(), static_cast<int32_t>(absl::StatusCode::kUnavailable));
  }
  EXPECT_TRUE(store_.confirmations().empty());
  for (const BulkFile& file : Files()) EXPECT_EQ(file.state, BulkFileState::kFailed);
}

TEST_F(BatchesTest, InvalidPatientsGetTheirErrorAtOnceAndAreNeverSent) {
  v1::RunBatchCheckRequest request = Batch(4);
  request.mutable_patients(1)->set_birth_date("19851345");
  request.mutable_patients(2)->mutable_identifiers()->set_insurer_number("123");
  RunOutcome first = RunNow(request);
  // Known at once: streamed by the first call.
  ASSERT_THAT(first.results, SizeIs(2));
  EXPECT_EQ(first.results[0].error().reason(), "ONSHI_INVALID_BIRTH_DATE");
  EXPECT_EQ(first.results[1].error().reason(), "ONSHI_INVALID_INSURER_NUMBER");
  engine_->Advance();
  // Rows 0 and 3 fill one file of 2.
  std::vector<FakeTransport::Placed> uploads = transport_->PlacedOf(DocumentKind::kBatchUpload);
  ASSERT_THAT(uploads, SizeIs(1));
  const auto& upload = static_cast<const v1::BatchQualificationRequestDocument&>(*uploads[0].document);
  ASSERT_EQ(upload.search_infos_size(), 2);
  EXPECT_EQ(upload.search_infos(0).arbitrary_identifier(), "0");
  EXPECT_EQ(upload.search_infos(1).arbitrary_identifier(), "3");
  Settle();
  RunOutcome done = RunNow(request);
  ASSERT_TRUE(done.status.ok()) << done.status;
  ExpectEachPatientOnce(done, 4);
}

TEST_F(BatchesTest, AllPatientsInvalidIsDoneAtOnce) {
  v1::RunBatchCheckRequest request = Batch(2);
  for (auto& patient : *request.mutable_patients()) patient.clear_birth_date();
  RunOutcome done = RunNow(request);
  ASSERT_TRUE(done.status.ok()) << done.status;
  EXPECT_THAT(done.results, SizeIs(2));
  ASSERT_FALSE(done.progress.empty());
  EXPECT_TRUE(done.progress.back().done());
  EXPECT_EQ(done.progress.back().total_files(), 0);
}

TEST_F(BatchesTest, TooLargeBatchIsRefusedBeforeAnythingIsRecorded) {
  RunOutcome outcome = RunNow(Batch(101));
  EXPECT_EQ(ReasonOf(outcome.status), "ONSHI_BATCH_TOO_LARGE");
  EXPECT_TRUE(outcome.results.empty());
  EXPECT_TRUE(store_.AllFiles().empty());
}

TEST_F(BatchesTest, TheSameRequestResumesTheSameBatchAndReplaysItsResults) {
  ASSERT_EQ(RunNow(Batch(4)).status.code(), absl::StatusCode::kDeadlineExceeded);
  Settle();
  RunOutcome first = RunNow(Batch(4));
  RunOutcome second = RunNow(Batch(4));
  ASSERT_TRUE(first.status.ok());
  ASSERT_TRUE(second.status.ok());
  ExpectEachPatientOnce(second, 4);
  // Nothing was placed again, no second batch.
  EXPECT_THAT(store_.AllFiles(), SizeIs(2));
  EXPECT_EQ(store_.ResultCount("batch-0001"), 4);
  engine_->Advance();
  EXPECT_TRUE(transport_->Take().empty());
}

TEST_F(BatchesTest, TheSameRequestIdWithOtherPatientsIsAConflict) {
  ASSERT_EQ(RunNow(Batch(2)).status.code(), absl::StatusCode::kDeadlineExceeded);
  v1::RunBatchCheckRequest other = Batch(2);
  other.mutable_patients(1)->set_limit_certificate_consent(true);
  RunOutcome conflict = RunNow(other);
  EXPECT_EQ(conflict.status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReasonOf(conflict.status), "ONSHI_REQUEST_ID_CONFLICT");
  EXPECT_EQ(ReasonOf(RunNow(Batch(3)).status), "ONSHI_REQUEST_ID_CONFLICT");
}

TEST_F(BatchesTest, AtMostMaxInFlightFilesAreAtTheTerminalAtOnce) {
  max_in_flight_ = 1;
  Start();
  ASSERT_EQ(RunNow(Batch(6)).status.code(), absl::StatusCode::kDeadlineExceeded);
  engine_->Advance();
  EXPECT_THAT(transport_->PlacedOf(DocumentKind::kBatchUpload), SizeIs(1));
  int waiting = 0;
  for (const BulkFile& file : Files()) waiting += file.state == BulkFileState::kWaitingForSlot;
  EXPECT_EQ(waiting, 2);
  RunToCompletion();
  RunOutcome done = RunNow(Batch(6));
  ASSERT_TRUE(done.status.ok()) << done.status;
  ExpectEachPatientOnce(done, 6);
}

TEST_F(BatchesTest, AnUploadWithoutReceiptIsPlacedAgainWithTheSameFileId) {
  ASSERT_EQ(RunNow(Batch(1)).status.code(), absl::StatusCode::kDeadlineExceeded);
  engine_->Advance();
  std::vector<FakeTransport::Placed> first = transport_->Take();
  ASSERT_THAT(first, SizeIs(1));
  clock_.Advance(absl::Seconds(29));
  engine_->Advance();
  EXPECT_TRUE(transport_->Take().empty());
  clock_.Advance(absl::Seconds(1));
  engine_->Advance();
  std::vector<FakeTransport::Placed> again = transport_->Take();
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0].kind, DocumentKind::kBatchUpload);
  EXPECT_EQ(again[0].file_id, first[0].file_id);
}

TEST_F(BatchesTest, AnAskWithoutAnswerIsRepeatedUnderANewFileIdAndTheOldAnswerIsIgnored) {
  ASSERT_EQ(RunNow(Batch(1)).status.code(), absl::StatusCode::kDeadlineExceeded);
  engine_->Advance();
  terminal_.Serve(*transport_, *engine_, clock_.Now());  // receipt
  engine_->Advance();
  std::vector<FakeTransport::Placed> ask = transport_->Take();
  ASSERT_THAT(ask, SizeIs(1));
  clock_.Advance(absl::Seconds(30));
  engine_->Advance();
  std::vector<FakeTransport::Placed> again = transport_->Take();
  ASSERT_THAT(again, SizeIs(1));
  EXPECT_EQ(again[0].kind, DocumentKind::kBatchResultRequest);
  EXPECT_NE(again[0].file_id, ask[0].file_id);
  // The first ask's answer arrives late: not what the file waits for any more.
  absl::StatusOr<AnswerDisposition> late = engine_->OnAnswer(Answer(
      DocumentKind::kBatchResult, ask[0].file_id, terminal_.ResultFor(ask[0]), clock_.Now()));
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(*late, AnswerDisposition::kQuarantine);
  EXPECT_EQ(store_.ResultCount("batch-0001"), 0);
  // The second ask's answer completes the file.
  ASSERT_TRUE(engine_->OnAnswer(Answer(DocumentKind::kBatchResult, again[0].file_id,
                                       terminal_.ResultFor(again[0]), clock_.Now()))
                  .ok());
  EXPECT_EQ(store_.ResultCount("batch-0001"), 1);
}

TEST_F(BatchesTest, ADuplicateResultIsRecordedOnce) {
  ASSERT_EQ(RunNow(Batch(1)).status.code(), absl::StatusCode::kDeadlineExceeded);
  engine_->Advance();
  terminal_.Serve(*transport_, *engine_, clock_.Now());
  engine_->Advance();
  std::vector<FakeTransport::Placed> ask = transport_->Take();
  ASSERT_THAT(ask, SizeIs(1));
  auto result = terminal_.ResultFor(ask[0]);
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<AnswerDisposition> d = engine_->OnAnswer(
        Answer(DocumentKind::kBatchResult, ask[0].file_id, result, clock_.Now()));
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(*d, AnswerDisposition::kProcessed);
  }
  EXPECT_EQ(store_.ResultCount("batch-0001"), 1);
  EXPECT_THAT(store_.confirmations(), SizeIs(1));
}

TEST_F(BatchesTest, AnswersForAnotherInstitutionOrNoFileAreQuarantined) {
  ASSERT_EQ(RunNow(Batch(1)).status.code(), absl::StatusCode::kDeadlineExceeded);
  engine_->Advance();
  std::vector<FakeTransport::Placed> upload = transport_->Take();
  ASSERT_THAT(upload, SizeIs(1));
  auto receipt = std::make_shared<v1::BulkReceiptDocument>();
  receipt->set_medical_institution_code("1310000024");
  receipt->set_reception_number("R1");
  EXPECT_EQ(*engine_->OnAnswer(
                Answer(DocumentKind::kBatchReceipt, upload[0].file_id, receipt, clock_.Now())),
            AnswerDisposition::kQuarantine);
  receipt->set_medical_institution_code(kInstitution);
  EXPECT_EQ(*engine_->OnAnswer(Answer(DocumentKind::kBatchReceipt, "UNKNOWN1", receipt,
                                      clock_.Now())),
            AnswerDisposition::kQuarantine);
  EXPECT_EQ(Files()[0].state, BulkFileState::kUploaded);
}

TEST_F(BatchesTest, ARejectedUploadFailsItsFile) {
  ASSERT_EQ(RunNow(Batch(2)).status.code(), absl::StatusCode::kDeadlineExceeded);
  engine_->Advance();
  std::vector<FakeTransport::Placed> upload = transport_->Take();
  ASSERT_THAT(upload, SizeIs(1));
  RejectedRequest rejected;
  rejected.kind = DocumentKind::kBatchUpload;
  rejected.file_id = upload[0].file_id;
  rejected.error_code = "SIM-E0002";
  ASSERT_TRUE(engine_->OnRequestRejected(rejected).ok());
  RunOutcome done = RunNow(Batch(2));
  ASSERT_TRUE(done.status.ok()) << done.status;
  ASSERT_THAT(done.results, SizeIs(2));
  EXPECT_EQ(done.results[0].error().reason(), "ONSHI_TERMINAL_REJECTED_REQUEST");
}

TEST_F(BatchesTest, AFileNotFinishedWithinTheBulkTimeoutFailsWithTerminalTimeout) {
  ASSERT_EQ(RunNow(Batch(3)).status.code(), absl::StatusCode::kDeadlineExceeded);
  engine_->Advance();
  terminal_.Serve(*transport_, *engine_, clock_.Now());  // receipts only; asks never answered
  clock_.Advance(absl::Hours(1));
  engine_->Advance();
  RunOutcome done = RunNow(Batch(3));
  ASSERT_TRUE(done.status.ok()) << done.status;
  ExpectEachPatientOnce(done, 3);
  for (const v1::BatchPatientResult& result : done.results) {
    EXPECT_EQ(result.error().reason(), "ONSHI_TERMINAL_TIMEOUT");
  }
  for (const BulkFile& file : Files()) EXPECT_EQ(file.state, BulkFileState::kFailed);
  // The throttle is told that nobody waits for those requests any more.
  EXPECT_FALSE(transport_->released().empty());
}

TEST_F(BatchesTest, APlacementThatFailsTransientlyIsRetriedAfterThePause) {
  transport_->fail_with = MakeError(errors::kTerminalUnavailable, "test");
  ASSERT_EQ(RunNow(Batch(1)).status.code(), absl::StatusCode::kDeadlineExceeded);
  engine_->Advance();
  EXPECT_EQ(Files()[0].state, BulkFileState::kWaitingForSlot);
  transport_->fail_with = absl::OkStatus();
  engine_->Advance();
  EXPECT_TRUE(transport_->Take().empty());
  clock_.Advance(absl::Seconds(1));
  engine_->Advance();
  EXPECT_THAT(transport_->PlacedOf(DocumentKind::kBatchUpload), SizeIs(1));
}

// --- Resuming after a restart from every file state --------------------------------------------

enum class StopAt { kWaitingForSlot, kUploaded, kReceipt, kAsking, kProcessing, kPartlyDone };

class BatchResumeTest : public BatchesTest, public ::testing::WithParamInterface<StopAt> {};

TEST_P(BatchResumeTest, ARestartedServiceCompletesTheBatchWithEachPatientOnce) {
  terminal_.processing_answers = GetParam() == StopAt::kProcessing ? 1 : 0;
  ASSERT_EQ(RunNow(Batch(5)).status.code(), absl::StatusCode::kDeadlineExceeded);
  std::vector<FakeTransport::Placed> placed_before;
  switch (GetParam()) {
    case StopAt::kWaitingForSlot:
      break;  // killed before the driver placed anything
    case StopAt::kUploaded:
      engine_->Advance();
      placed_before = transport_->Take();  // placed, the receipts never read
      break;
    case StopAt::kReceipt:
      engine_->Advance();
      for (const auto& p : transport_->Take()) terminal_.AnswerUpload(p, *engine_, clock_.Now());
      break;
    case StopAt::kAsking:
      engine_->Advance();
      for (const auto& p : transport_->Take()) terminal_.AnswerUpload(p, *engine_, clock_.Now());
      engine_->Advance();
      placed_before = transport_->Take();  // asks placed, never answered
      break;
    case StopAt::kProcessing:
      Settle();  // each file answered 処理中 once, waiting for the next ask
      break;
    case StopAt::kPartlyDone: {
      engine_->Advance();
      std::vector<FakeTransport::Placed> uploads = transport_->Take();
      terminal_.AnswerUpload(uploads[0], *engine_, clock_.Now());
      engine_->Advance();
      terminal_.Serve(*transport_, *engine_, clock_.Now());  // file 0 done
      placed_before = {uploads[1], uploads[2]};
      break;
    }
  }
  Start();  // kill -9 and start again: the store is all that remains
  ASSERT_TRUE(engine_->Recover().ok());
  std::vector<FakeTransport::Placed> replaced = transport_->Take();
  // What was placed without an answer is placed again under the same file ids.
  std::set<std::string> before_ids, again_ids;
  for (const auto& p : placed_before) before_ids.insert(p.file_id);
  for (const auto& p : replaced) again_ids.insert(p.file_id);
  EXPECT_EQ(again_ids, before_ids);
  // The terminal answers the re-placed requests (and, for uploads, a second receipt would be a
  // duplicate: the same ids).
  for (const auto& p : replaced) {
    if (p.kind == DocumentKind::kBatchUpload) {
      terminal_.AnswerUpload(p, *engine_, clock_.Now());
    } else {
      ASSERT_TRUE(engine_->OnAnswer(Answer(DocumentKind::kBatchResult, p.file_id,
                                           terminal_.ResultFor(p), clock_.Now()))
                      .ok());
    }
  }
  RunToCompletion();
  RunOutcome done = RunNow(Batch(5));
  ASSERT_TRUE(done.status.ok()) << done.status;
  ExpectEachPatientOnce(done, 5);
  for (const v1::BatchPatientResult& result : done.results) {
    EXPECT_FALSE(result.has_error()) << result.index();
  }
  EXPECT_EQ(store_.ResultCount("batch-0001"), 5);
  EXPECT_THAT(store_.confirmations(), SizeIs(5));
}

INSTANTIATE_TEST_SUITE_P(EveryFileState, BatchResumeTest,
                         ::testing::Values(StopAt::kWaitingForSlot, StopAt::kUploaded,
                                           StopAt::kReceipt, StopAt::kAsking,
                                           StopAt::kProcessing, StopAt::kPartlyDone),
                         [](const ::testing::TestParamInfo<StopAt>& info) {
                           switch (info.param) {
                             case StopAt::kWaitingForSlot:
                               return "WaitingForSlot";
                             case StopAt::kUploaded:
                               return "Uploaded";
                             case StopAt::kReceipt:
                               return "Receipt";
                             case StopAt::kAsking:
                               return "Asking";
                             case StopAt::kProcessing:
                               return "Processing";
                             case StopAt::kPartlyDone:
                               return "PartlyDone";
                           }
                           return "Unknown";
                         });

// --- 照会番号 -----------------------------------------------------------------------------------

class ReferenceNumbersTest : public BatchesTest {
 protected:
  void GiveCoverage(const std::string& patient_id) {
    v1::CoverageVersion coverage;
    coverage.set_version(1);
    coverage.mutable_coverage()->mutable_identifiers()->set_insurer_number("06139992");
    coverage.mutable_coverage()->mutable_identifiers()->set_insured_identification_number("42");
    store_.SetCoverage(patient_id, coverage);
  }

  v1::RegisterReferenceNumbersRequest Request(std::vector<std::string> ids) {
    v1::RegisterReferenceNumbersRequest request;
    request.set_request_id("reg-000001");
    for (const std::string& id : ids) request.add_patient_ids(id);
    return request;
  }

  absl::StatusOr<v1::RegisterReferenceNumbersResponse> RegisterNow(
      const v1::RegisterReferenceNumbersRequest& request) {
    return references_->Register(request, clock_.Now(), nullptr);
  }
};

TEST_F(ReferenceNumbersTest, OnePatientGoesAsASingleRegistration) {
  GiveCoverage("P1");
  EXPECT_EQ(RegisterNow(Request({"P1"})).status().code(), absl::StatusCode::kDeadlineExceeded);
  engine_->Advance();
  std::vector<FakeTransport::Placed> placed = transport_->Take();
  ASSERT_THAT(placed, SizeIs(1));
  ASSERT_EQ(placed[0].kind, DocumentKind::kReferenceNumberRequest);
  const auto& request = static_cast<const v1::ReferenceNumberRequestDocument&>(*placed[0].document);
  EXPECT_EQ(request.registration().reference_number(), "P1");
  EXPECT_EQ(request.registration().identifiers().insured_identification_number(), "42");
  auto result = std::make_shared<v1::ReferenceNumberResultDocument>();
  result->set_medical_institution_code(kInstitution);
  result->set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  result->set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  ASSERT_EQ(*engine_->OnAnswer(Answer(DocumentKind::kReferenceNumberResult, placed[0].file_id,
                                      result, clock_.Now())),
            AnswerDisposition::kProcessed);
  absl::StatusOr<v1::RegisterReferenceNumbersResponse> done = RegisterNow(Request({"P1"}));
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->outcomes_size(), 1);
  EXPECT_TRUE(done->outcomes(0).registered());
  EXPECT_EQ(done->outcomes(0).patient_id(), "P1");
}

TEST_F(ReferenceNumbersTest, SeveralGoAsABulkRegistrationWithPerPatientOutcomes) {
  GiveCoverage("P1");
  GiveCoverage("P3");
  EXPECT_EQ(RegisterNow(Request({"P1", "P2", "P3"})).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  engine_->Advance();
  std::vector<FakeTransport::Placed> upload = transport_->Take();
  ASSERT_THAT(upload, SizeIs(1));
  ASSERT_EQ(upload[0].kind, DocumentKind::kBulkReferenceNumberUpload);
  const auto& document =
      static_cast<const v1::BulkReferenceNumberRequestDocument&>(*upload[0].document);
  ASSERT_EQ(document.registrations_size(), 2);  // P2 has no coverage
  auto receipt = std::make_shared<v1::BulkReceiptDocument>();
  receipt->set_medical_institution_code(kInstitution);
  receipt->set_reception_number("R9");
  ASSERT_EQ(*engine_->OnAnswer(Answer(DocumentKind::kBulkReferenceNumberReceipt,
                                      upload[0].file_id, receipt, clock_.Now())),
            AnswerDisposition::kProcessed);
  engine_->Advance();
  std::vector<FakeTransport::Placed> ask = transport_->Take();
  ASSERT_THAT(ask, SizeIs(1));
  ASSERT_EQ(ask[0].kind, DocumentKind::kBulkReferenceNumberResultRequest);
  auto result = std::make_shared<v1::BulkReferenceNumberResultDocument>();
  result->set_medical_institution_code(kInstitution);
  result->set_reception_number("R9");
  result->set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  for (int i = 0; i < 2; ++i) {
    v1::ReferenceNumberUnit* unit = result->add_units();
    *unit->mutable_registration() = document.registrations(i);
    unit->set_processing_result_status(i == 0 ? v1::PROCESSING_RESULT_STATUS_NORMAL
                                              : v1::PROCESSING_RESULT_STATUS_ERROR);
    if (i == 1) unit->set_processing_result_code("SIM-R01");
  }
  ASSERT_EQ(*engine_->OnAnswer(Answer(DocumentKind::kBulkReferenceNumberResult, ask[0].file_id,
                                      result, clock_.Now())),
            AnswerDisposition::kProcessed);
  absl::StatusOr<v1::RegisterReferenceNumbersResponse> done =
      RegisterNow(Request({"P1", "P2", "P3"}));
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->outcomes_size(), 3);
  EXPECT_TRUE(done->outcomes(0).registered());
  EXPECT_EQ(done->outcomes(1).error().reason(), "ONSHI_NO_COVERAGE");
  EXPECT_EQ(done->outcomes(2).error().reason(), "ONSHI_REFERENCE_NUMBER_REFUSED");
  EXPECT_EQ(done->outcomes(2).processing_result_code(), "SIM-R01");
  // Idempotent: the same request returns the same outcomes; other patients conflict.
  absl::StatusOr<v1::RegisterReferenceNumbersResponse> again =
      RegisterNow(Request({"P1", "P2", "P3"}));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->SerializeAsString(), done->SerializeAsString());
  EXPECT_EQ(ReasonOf(RegisterNow(Request({"P1"})).status()), "ONSHI_REQUEST_ID_CONFLICT");
  engine_->Advance();
  EXPECT_TRUE(transport_->Take().empty());
}

TEST_F(ReferenceNumbersTest, NobodyWithCoverageIsDoneAtOnceWithoutTheTerminal) {
  absl::StatusOr<v1::RegisterReferenceNumbersResponse> done = RegisterNow(Request({"P1", "P2"}));
  ASSERT_TRUE(done.ok()) << done.status();
  ASSERT_EQ(done->outcomes_size(), 2);
  EXPECT_EQ(done->outcomes(0).error().reason(), "ONSHI_NO_COVERAGE");
  engine_->Advance();
  EXPECT_TRUE(transport_->Take().empty());
}

}  // namespace
}  // namespace onshi::service
