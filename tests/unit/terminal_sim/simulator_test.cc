// The simulator on real folders (in-process): what appears in req/ and res/ for each behaviour
// and fault mode, read back with the codec. Waits have generous timeouts and only bound
// correctness; nothing here measures speed.

#include "adapters/terminal_sim/simulator.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/oqs_files/file_names.h"
#include "adapters/terminal_sim/dataset.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using ::onshi::sim::testing::Card;
using ::onshi::sim::testing::Exercises;
using ::onshi::sim::testing::FileExists;
using ::onshi::sim::testing::FixedClock;
using ::onshi::sim::testing::kInstitution;
using ::onshi::sim::testing::MakeRequest;
using ::onshi::sim::testing::ReadFile;
using ::onshi::sim::testing::ReadLine;
using ::onshi::sim::testing::Spawn;
using ::onshi::sim::testing::TempDir;
using ::onshi::sim::testing::WaitExit;
using ::onshi::sim::testing::WaitFor;
using ::onshi::sim::testing::WriteFileAtomically;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const Card kValidKyokai{"01139013", "1001", "25", "00", "19800115"};
const Card kGaiji{"01139013", "6006", "61", "00", "19830303"};
const Card kSjisOverride{"01139013", "6007", "62", "00", "19840404"};
const Card kSilent{"01139013", "8001", "1", "00", "19790101"};
const Card kTerminalError{"01139013", "8002", "2", "00", "19790202"};
const Card kReject{"01139013", "8003", "3", "00", "19790303"};
const Card kMalformed{"01139013", "8004", "4", "00", "19790404"};
const Card kLate{"01139013", "8005", "5", "00", "19790505"};
const Card kUnknown{"01139013", "9999", "999", "00", "19800115"};

class SimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<v1::Dataset> loaded = LoadDataset(ONSHI_SIM_DATASET);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    dataset_ = *std::move(loaded);
    options_.root = dir_.path() + "/OQS";
    options_.dataset = dataset_;
    options_.institution_code = kInstitution;
    options_.rescan_interval = absl::Milliseconds(50);
    options_.clock = &clock_;
    options_.slow_write_chunk_bytes = 64;
    options_.slow_write_pause = absl::Milliseconds(2);
    options_.duplicate_poll = absl::Milliseconds(5);
  }

  void StartSimulator() {
    absl::StatusOr<std::unique_ptr<Simulator>> started = Simulator::Start(options_);
    ASSERT_TRUE(started.ok()) << started.status();
    sim_ = *std::move(started);
  }

  std::string Req() const { return options_.root + "/req"; }
  std::string Res() const { return options_.root + "/res"; }
  static std::string RequestName(const std::string& id) {
    return oqs::FileNameFor(DocumentKind::kQualificationRequest, id);
  }
  std::string AnswerPath(const std::string& id) const {
    return Res() + "/" + oqs::FileNameFor(DocumentKind::kQualificationAnswer, id);
  }
  std::string ErrPath(const std::string& id) const {
    return Res() + "/" +
           oqs::FileNameFor(DocumentKind::kQualificationRequest, id, oqs::FileForm::kErr);
  }

  void Submit(const Card& card, const std::string& id, bool consent = true,
              oqs::Encoding encoding = oqs::Encoding::kUtf8) {
    absl::StatusOr<std::string> bytes =
        oqs::EncodeQualificationRequest(MakeRequest(card, consent, id), {encoding, false});
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    WriteFileAtomically(Req(), RequestName(id), *bytes);
  }

  // Waits for the answer file of `id` and decodes it.
  ov1::QualificationResult AwaitAnswer(const std::string& id, std::string* raw = nullptr) {
    const std::string path = AnswerPath(id);
    EXPECT_TRUE(WaitFor([&] { return FileExists(path); })) << "no answer for " << id;
    const std::string bytes = ReadFile(path);
    if (raw != nullptr) *raw = bytes;
    absl::StatusOr<ov1::QualificationResult> decoded = oqs::DecodeQualificationResult(bytes);
    EXPECT_TRUE(decoded.ok()) << decoded.status();
    return decoded.ok() ? *decoded : ov1::QualificationResult();
  }

  // Waits until the simulator has taken `n` requests and has nothing left to write.
  void AwaitIdle(int64_t taken) {
    EXPECT_TRUE(WaitFor([&] {
      const SimulatorStats s = sim_->stats();
      return s.requests_taken >= taken && s.pending_jobs == 0;
    }));
  }

  TempDir dir_;
  FixedClock clock_;
  v1::Dataset dataset_;
  SimulatorOptions options_;
  std::unique_ptr<Simulator> sim_;
};

TEST_F(SimulatorTest, CreatesTheThreeFolders) {
  StartSimulator();
  EXPECT_THAT(TempDir::ListDir(options_.root), ElementsAre(".sim", "face", "req", "res"));
  struct stat st;
  ASSERT_EQ(::stat((options_.root + "/.sim").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((options_.root + "/.sim/control").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(SimulatorTest, AnswersAndConsumesTheRequest) {
  StartSimulator();
  Submit(kValidKyokai, "REQ-0001");
  const ov1::QualificationResult answer = AwaitAnswer("REQ-0001");
  EXPECT_EQ(answer.arbitrary_file_identifier(), "REQ-0001");
  EXPECT_EQ(answer.process_execution_time(), "20261201093000");
  EXPECT_EQ(answer.character_code(), ov1::CHARACTER_CODE_UTF8);
  EXPECT_EQ(answer.reference_classification(), ov1::REFERENCE_CLASSIFICATION_INSURANCE_CARD);
  EXPECT_EQ(answer.qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);
  ASSERT_EQ(answer.records_size(), 1);
  EXPECT_EQ(answer.records(0).name(), "試験　太郎");
  AwaitIdle(1);
  EXPECT_THAT(TempDir::ListDir(Req()), IsEmpty());
  // Only the answer: no temp file is left behind.
  EXPECT_THAT(TempDir::ListDir(Res()),
              ElementsAre(oqs::FileNameFor(DocumentKind::kQualificationAnswer, "REQ-0001")));
  EXPECT_EQ(sim_->stats().answers_written, 1);
}

TEST_F(SimulatorTest, ShiftJisRequestIsUnderstood) {
  StartSimulator();
  Submit(kValidKyokai, "REQ-SJIS", true, oqs::Encoding::kShiftJis);
  EXPECT_EQ(AwaitAnswer("REQ-SJIS").records_size(), 1);
}

TEST_F(SimulatorTest, UnknownPersonIsNotFound) {
  StartSimulator();
  Submit(kUnknown, "REQ-NF");
  const ov1::QualificationResult answer = AwaitAnswer("REQ-NF");
  EXPECT_EQ(answer.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(answer.processing_result_status(), ov1::PROCESSING_RESULT_STATUS_ERROR);
  EXPECT_EQ(answer.qualification_validity(), ov1::QUALIFICATION_VALIDITY_NOT_FOUND);
  EXPECT_EQ(answer.processing_result_code(), "SIM-NOTFOUND");
  EXPECT_EQ(answer.records_size(), 0);
}

TEST_F(SimulatorTest, LimitDataOnlyWithConsent) {
  StartSimulator();
  Submit(kValidKyokai, "REQ-YES", /*consent=*/true);
  Submit(kValidKyokai, "REQ-NO", /*consent=*/false);
  const ov1::QualificationResult yes = AwaitAnswer("REQ-YES");
  const ov1::QualificationResult no = AwaitAnswer("REQ-NO");
  ASSERT_EQ(yes.records_size(), 1);
  ASSERT_EQ(no.records_size(), 1);
  EXPECT_EQ(yes.records(0).limit_certificate().category(), "A03");
  EXPECT_EQ(yes.records(0).limit_certificate_consent().flag(), ov1::CONSENT_FLAG_GIVEN);
  EXPECT_FALSE(no.records(0).has_limit_certificate());
  EXPECT_EQ(no.records(0).limit_certificate_consent().flag(), ov1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_EQ(no.search_info().limit_certificate_consent(), ov1::CONSENT_FLAG_NOT_GIVEN);
}

TEST_F(SimulatorTest, ShiftJisAnswerSubstitutesCharactersOutsideJis) {
  options_.encoding = oqs::Encoding::kShiftJis;
  StartSimulator();
  Submit(kGaiji, "REQ-GAIJI");
  std::string raw;
  const ov1::QualificationResult answer = AwaitAnswer("REQ-GAIJI", &raw);
  EXPECT_TRUE(absl::StrContains(raw, "encoding=\"Shift_JIS\""));
  EXPECT_EQ(answer.character_code(), ov1::CHARACTER_CODE_SHIFT_JIS);
  ASSERT_EQ(answer.records_size(), 1);
  EXPECT_EQ(answer.records(0).name(), "〓田　試子");
  EXPECT_EQ(answer.records(0).name_kana(), "ﾖｼﾀﾞ ﾀﾒｺ");
  EXPECT_EQ(answer.records(0).address(), "東京都千代田区〓田町一丁目１番１号");
}

TEST_F(SimulatorTest, Utf8AnswerKeepsCharactersOutsideJis) {
  StartSimulator();
  Submit(kGaiji, "REQ-GAIJI8");
  const ov1::QualificationResult answer = AwaitAnswer("REQ-GAIJI8");
  ASSERT_EQ(answer.records_size(), 1);
  EXPECT_EQ(answer.records(0).name(), "𠮷田　試子");
}

TEST_F(SimulatorTest, PatientEncodingOverridesTheDefault) {
  StartSimulator();
  Submit(kSjisOverride, "REQ-OVR");
  std::string raw;
  const ov1::QualificationResult answer = AwaitAnswer("REQ-OVR", &raw);
  EXPECT_TRUE(absl::StrContains(raw, "encoding=\"Shift_JIS\""));
  EXPECT_EQ(answer.character_code(), ov1::CHARACTER_CODE_SHIFT_JIS);
  EXPECT_EQ(answer.records(0).name(), "試験　符号");
}

TEST_F(SimulatorTest, UndecodableRequestIsMovedToResWithAnErrFile) {
  options_.settle_time = absl::ZeroDuration();
  StartSimulator();
  const std::string garbage = "<?xml version=\"1.0\"?><XmlMsg><MessageHeader>";
  WriteFileAtomically(Req(), RequestName("REQ-BAD"), garbage);
  EXPECT_TRUE(WaitFor([&] { return FileExists(ErrPath("REQ-BAD")); }));
  EXPECT_EQ(ReadFile(ErrPath("REQ-BAD")), "SIM-E0001\n");
  EXPECT_EQ(ReadFile(Res() + "/" + RequestName("REQ-BAD")), garbage);
  EXPECT_THAT(TempDir::ListDir(Req()), IsEmpty());
  EXPECT_FALSE(FileExists(AnswerPath("REQ-BAD")));
  EXPECT_EQ(sim_->stats().requests_rejected, 1);
}

TEST_F(SimulatorTest, UndecodableRequestIsRefusedOnlyAfterItSettles) {
  options_.settle_time = absl::Milliseconds(200);
  StartSimulator();
  WriteFileAtomically(Req(), RequestName("REQ-BAD2"), "<XmlMsg>");
  EXPECT_TRUE(WaitFor([&] { return FileExists(ErrPath("REQ-BAD2")); }));
  EXPECT_GE(sim_->stats().requests_deferred, 1);
  EXPECT_EQ(ReadFile(ErrPath("REQ-BAD2")), "SIM-E0001\n");
}

TEST_F(SimulatorTest, RequestStillBeingWrittenInPlaceIsAnsweredOnceComplete) {
  options_.settle_time = absl::Hours(1);
  StartSimulator();
  absl::StatusOr<std::string> bytes = oqs::EncodeQualificationRequest(
      MakeRequest(kValidKyokai, true, "REQ-INPLACE"), {oqs::Encoding::kUtf8, false});
  ASSERT_TRUE(bytes.ok());
  const std::string path = Req() + "/" + RequestName("REQ-INPLACE");
  // A writer that does not rename into place: first half, then (once the simulator has looked
  // at the half) the rest.
  {
    std::ofstream out(path, std::ios::binary);
    out << bytes->substr(0, bytes->size() / 2);
  }
  ASSERT_TRUE(WaitFor([&] { return sim_->stats().requests_deferred >= 1; }));
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << bytes->substr(bytes->size() / 2);
  }
  EXPECT_EQ(AwaitAnswer("REQ-INPLACE").arbitrary_file_identifier(), "REQ-INPLACE");
  EXPECT_FALSE(FileExists(ErrPath("REQ-INPLACE")));
}

TEST_F(SimulatorTest, RequestMissingAnElementIsRefused) {
  StartSimulator();
  ov1::QualificationRequestDocument request = MakeRequest(kValidKyokai, true, "REQ-MISS");
  request.mutable_search_info()->clear_birth_date();
  absl::StatusOr<std::string> bytes = oqs::EncodeQualificationRequest(request, {});
  ASSERT_TRUE(bytes.ok());
  WriteFileAtomically(Req(), RequestName("REQ-MISS"), *bytes);
  EXPECT_TRUE(WaitFor([&] { return FileExists(ErrPath("REQ-MISS")); }));
  EXPECT_EQ(ReadFile(ErrPath("REQ-MISS")), "SIM-E0002\n");
  EXPECT_EQ(ReadFile(Res() + "/" + RequestName("REQ-MISS")), *bytes);
}

TEST_F(SimulatorTest, RequestForAnotherInstitutionIsRefused) {
  StartSimulator();
  ov1::QualificationRequestDocument request = MakeRequest(kValidKyokai, true, "REQ-OTHER");
  request.set_medical_institution_code("1310000024");
  absl::StatusOr<std::string> bytes = oqs::EncodeQualificationRequest(request, {});
  ASSERT_TRUE(bytes.ok());
  WriteFileAtomically(Req(), RequestName("REQ-OTHER"), *bytes);
  EXPECT_TRUE(WaitFor([&] { return FileExists(ErrPath("REQ-OTHER")); }));
  EXPECT_EQ(ReadFile(ErrPath("REQ-OTHER")), "SIM-E0003\n");
}

TEST_F(SimulatorTest, RequestWhoseIdCannotNameAnAnswerIsRefused) {
  StartSimulator();
  Submit(kValidKyokai, "face_1");
  EXPECT_TRUE(WaitFor([&] { return FileExists(ErrPath("face_1")); }));
  EXPECT_EQ(ReadFile(ErrPath("face_1")), "SIM-E0004\n");
  EXPECT_TRUE(FileExists(Res() + "/" + RequestName("face_1")));
}

TEST_F(SimulatorTest, RejectScenarioMovesTheRequestWithAnErrFile) {
  StartSimulator();
  Submit(kReject, "REQ-REJ");
  EXPECT_TRUE(WaitFor([&] { return FileExists(ErrPath("REQ-REJ")); }));
  EXPECT_EQ(ReadFile(ErrPath("REQ-REJ")), "SIM-E0005\n");
  EXPECT_TRUE(FileExists(Res() + "/" + RequestName("REQ-REJ")));
  EXPECT_THAT(TempDir::ListDir(Req()), IsEmpty());
}

TEST_F(SimulatorTest, SilentScenarioTakesTheRequestAndNeverAnswers) {
  StartSimulator();
  Submit(kSilent, "REQ-SIL");
  AwaitIdle(1);
  const SimulatorStats stats = sim_->stats();
  EXPECT_EQ(stats.requests_silenced, 1);
  EXPECT_EQ(stats.answers_written, 0);
  EXPECT_THAT(TempDir::ListDir(Req()), IsEmpty());
  EXPECT_THAT(TempDir::ListDir(Res()), IsEmpty());
}

TEST_F(SimulatorTest, TerminalErrorScenarioAnswersSegmentNine) {
  StartSimulator();
  Submit(kTerminalError, "REQ-ERR");
  const ov1::QualificationResult answer = AwaitAnswer("REQ-ERR");
  EXPECT_EQ(answer.segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
  EXPECT_EQ(answer.error_code(), "SIM-E9101");
  EXPECT_FALSE(answer.error_message().empty());
  EXPECT_EQ(answer.arbitrary_file_identifier(), "REQ-ERR");
  EXPECT_EQ(answer.records_size(), 0);
}

TEST_F(SimulatorTest, MalformedAnswerScenarioWritesAnUndecodableAnswer) {
  StartSimulator();
  Submit(kMalformed, "REQ-MAL");
  ASSERT_TRUE(WaitFor([&] { return FileExists(AnswerPath("REQ-MAL")); }));
  const std::string bytes = ReadFile(AnswerPath("REQ-MAL"));
  EXPECT_FALSE(bytes.empty());
  EXPECT_FALSE(oqs::DecodeQualificationResult(bytes).ok());
}

TEST_F(SimulatorTest, LateScenarioStillAnswers) {
  StartSimulator();
  Submit(kLate, "REQ-LATE");
  const ov1::QualificationResult answer = AwaitAnswer("REQ-LATE");
  EXPECT_EQ(answer.qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);
}

TEST_F(SimulatorTest, ASlowPatientDoesNotHoldBackTheNext) {
  // One patient answered after an hour: if answers were written one after another by a
  // sleeping worker, the second request would never be answered within the test's timeout.
  for (v1::Patient& p : *options_.dataset.mutable_patients()) {
    if (p.scenario() == "behavior-late") p.set_latency_ms(3600 * 1000);
  }
  StartSimulator();
  Submit(kLate, "REQ-HOUR");
  ASSERT_TRUE(WaitFor([&] { return sim_->stats().requests_taken == 1; }));
  Submit(kValidKyokai, "REQ-NEXT");
  EXPECT_EQ(AwaitAnswer("REQ-NEXT").qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);
  // The hour-long answer is still scheduled (once the other job has finished running).
  EXPECT_TRUE(WaitFor([&] { return sim_->stats().pending_jobs == 1; }));
  sim_->Stop();  // drops the pending answer
  EXPECT_FALSE(FileExists(AnswerPath("REQ-HOUR")));
}

TEST_F(SimulatorTest, ManyRequestsAreEachAnsweredUnderTheirOwnId) {
  StartSimulator();
  for (int i = 0; i < 20; ++i) {
    Submit(i % 2 == 0 ? kValidKyokai : kUnknown, "REQ-MANY-" + std::to_string(i));
  }
  for (int i = 0; i < 20; ++i) {
    const std::string id = "REQ-MANY-" + std::to_string(i);
    const ov1::QualificationResult answer = AwaitAnswer(id);
    EXPECT_EQ(answer.arbitrary_file_identifier(), id);
    EXPECT_EQ(answer.qualification_validity(), i % 2 == 0 ? ov1::QUALIFICATION_VALIDITY_VALID
                                                          : ov1::QUALIFICATION_VALIDITY_NOT_FOUND);
  }
}

TEST_F(SimulatorTest, RescanAloneFindsRequestsWithoutNotifications) {
  options_.notifications = false;
  StartSimulator();
  Submit(kValidKyokai, "REQ-SCAN");
  EXPECT_EQ(AwaitAnswer("REQ-SCAN").records_size(), 1);
}

TEST_F(SimulatorTest, RequestPresentBeforeStartIsAnswered) {
  ASSERT_EQ(::mkdir(options_.root.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir(Req().c_str(), 0700), 0);
  Submit(kValidKyokai, "REQ-EARLY");
  StartSimulator();
  EXPECT_EQ(AwaitAnswer("REQ-EARLY").records_size(), 1);
}

TEST_F(SimulatorTest, StrayAndTempFilesInReqAreLeftAlone) {
  StartSimulator();
  WriteFileAtomically(Req(), "notes.txt", "hello");
  WriteFileAtomically(Req(), "OQSsiquc01res_X.xml", "x");
  WriteFileAtomically(Req(), "OQSmuhvq01req_X.xml", "x");  // a kind the terminal does not speak
  {
    std::FILE* f = std::fopen((Req() + "/.onshi-tmp-writing").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fclose(f);
  }
  Submit(kValidKyokai, "REQ-AFTER");
  AwaitAnswer("REQ-AFTER");
  EXPECT_THAT(TempDir::ListDir(Req()), ElementsAre(".onshi-tmp-writing", "OQSmuhvq01req_X.xml",
                                                   "OQSsiquc01res_X.xml", "notes.txt"));
}

TEST_F(SimulatorTest, FaultSilentAnswersNothing) {
  Exercises("fault-silent");
  options_.fault = Fault::kSilent;
  StartSimulator();
  Submit(kValidKyokai, "REQ-FS");
  AwaitIdle(1);
  EXPECT_EQ(sim_->stats().requests_silenced, 1);
  EXPECT_THAT(TempDir::ListDir(Res()), IsEmpty());
}

TEST_F(SimulatorTest, FaultErrorAnswersSegmentNineForEveryone) {
  Exercises("fault-error");
  options_.fault = Fault::kError;
  StartSimulator();
  Submit(kValidKyokai, "REQ-FE");
  const ov1::QualificationResult answer = AwaitAnswer("REQ-FE");
  EXPECT_EQ(answer.segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
  EXPECT_EQ(answer.error_code(), "SIM-E9002");
}

TEST_F(SimulatorTest, FaultMalformedAnswerCutsEveryAnswer) {
  Exercises("fault-malformed-answer");
  options_.fault = Fault::kMalformedAnswer;
  StartSimulator();
  Submit(kValidKyokai, "REQ-FM");
  ASSERT_TRUE(WaitFor([&] { return FileExists(AnswerPath("REQ-FM")); }));
  EXPECT_FALSE(oqs::DecodeQualificationResult(ReadFile(AnswerPath("REQ-FM"))).ok());
}

TEST_F(SimulatorTest, FaultSlowWriteEndsWithACompleteAnswerUnderItsFinalName) {
  Exercises("fault-slow-write");
  options_.fault = Fault::kSlowWrite;
  StartSimulator();
  Submit(kValidKyokai, "REQ-SLOW");
  ASSERT_TRUE(WaitFor([&] { return sim_->stats().answers_written == 1; }));
  absl::StatusOr<ov1::QualificationResult> answer =
      oqs::DecodeQualificationResult(ReadFile(AnswerPath("REQ-SLOW")));
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->arbitrary_file_identifier(), "REQ-SLOW");
  EXPECT_THAT(TempDir::ListDir(Res()),
              ElementsAre(oqs::FileNameFor(DocumentKind::kQualificationAnswer, "REQ-SLOW")));
}

TEST_F(SimulatorTest, FaultDuplicateWritesTheAnswerAgainOnceTaken) {
  Exercises("fault-duplicate");
  options_.fault = Fault::kDuplicate;
  StartSimulator();
  Submit(kValidKyokai, "REQ-DUP");
  std::string first;
  AwaitAnswer("REQ-DUP", &first);
  ASSERT_EQ(::unlink(AnswerPath("REQ-DUP").c_str()), 0);  // the reader takes it
  ASSERT_TRUE(WaitFor([&] { return sim_->stats().answers_written == 2; }));
  EXPECT_EQ(ReadFile(AnswerPath("REQ-DUP")), first);
  AwaitIdle(1);
}

TEST_F(SimulatorTest, StopIsIdempotentAndLeavesFilesAlone) {
  StartSimulator();
  sim_->Stop();
  sim_->Stop();
  Submit(kValidKyokai, "REQ-STOPPED");
  EXPECT_TRUE(FileExists(Req() + "/" + RequestName("REQ-STOPPED")));
  EXPECT_EQ(sim_->stats().requests_taken, 0);
}

TEST_F(SimulatorTest, BadOptionsAreRefused) {
  SimulatorOptions bad = options_;
  bad.institution_code = "13100000";
  absl::StatusOr<std::unique_ptr<Simulator>> started = Simulator::Start(bad);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(ReasonOf(started.status()), "ONSHI_CONFIG_INVALID");

  bad = options_;
  bad.root.clear();
  EXPECT_EQ(ReasonOf(Simulator::Start(bad).status()), "ONSHI_CONFIG_INVALID");

  bad = options_;
  bad.rescan_interval = absl::ZeroDuration();
  EXPECT_EQ(ReasonOf(Simulator::Start(bad).status()), "ONSHI_CONFIG_INVALID");

  bad = options_;
  bad.dataset.mutable_patients(0)->mutable_card()->set_insurer_number("06139995");
  EXPECT_EQ(ReasonOf(Simulator::Start(bad).status()), "ONSHI_CONFIG_INVALID");
}

// ---- the program -----------------------------------------------------------------------------

TEST(ProgramTest, ServesTheFolderAndStopsCleanlyOnSigterm) {
  TempDir dir;
  const std::string root = dir.path() + "/OQS";
  int out = -1;
  const pid_t pid = Spawn(
      {ONSHI_TERMINAL_SIM_BINARY, "--root", root, "--dataset", ONSHI_SIM_DATASET, "--institution",
       kInstitution, "--rescan-ms=50", "--encoding", "sjis", "--latency-ms", "0"},
      &out);
  ASSERT_GT(pid, 0);
  ASSERT_EQ(ReadLine(out), "ready");

  absl::StatusOr<std::string> bytes = oqs::EncodeQualificationRequest(
      MakeRequest(kValidKyokai, true, "PROG-1"), {oqs::Encoding::kUtf8, false});
  ASSERT_TRUE(bytes.ok());
  WriteFileAtomically(root + "/req",
                      oqs::FileNameFor(DocumentKind::kQualificationRequest, "PROG-1"), *bytes);
  const std::string answer_path =
      root + "/res/" + oqs::FileNameFor(DocumentKind::kQualificationAnswer, "PROG-1");
  ASSERT_TRUE(WaitFor([&] { return FileExists(answer_path); }));
  absl::StatusOr<ov1::QualificationResult> answer =
      oqs::DecodeQualificationResult(ReadFile(answer_path));
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_EQ(answer->character_code(), ov1::CHARACTER_CODE_SHIFT_JIS);
  EXPECT_EQ(answer->arbitrary_file_identifier(), "PROG-1");

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  EXPECT_EQ(WaitExit(pid), 0);
  ::close(out);
}

TEST(ProgramTest, BadUsageExitsWithTwo) {
  int out = -1;
  const pid_t pid =
      Spawn({ONSHI_TERMINAL_SIM_BINARY, "--root", "/tmp/x", "--fault", "sometimes"}, &out);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(WaitExit(pid), 2);
  ::close(out);
}

TEST(ProgramTest, InvalidDatasetExitsWithOneBeforeReady) {
  TempDir dir;
  const std::string dataset = dir.path() + "/bad.textproto";
  WriteFileAtomically(dir.path(), "bad.textproto", "patients { scenario: \"a\" }\n");
  int out = -1;
  const pid_t pid = Spawn({ONSHI_TERMINAL_SIM_BINARY, "--root", dir.path() + "/OQS", "--dataset",
                           dataset, "--institution", kInstitution},
                          &out);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(ReadLine(out), "");
  EXPECT_EQ(WaitExit(pid), 1);
  ::close(out);
}

}  // namespace
}  // namespace onshi::sim
