// The simulator on real folders (in-process) for every kind besides 個別照会: what appears in
// res/ and face/ for batches, 照会番号, 薬剤・特定健診 and check-ins, the control folder, what
// survives a restart, and each family's faults. Waits have generous timeouts and only bound
// correctness; nothing here measures speed.

#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/oqs_files/file_names.h"
#include "adapters/terminal_sim/control.h"
#include "adapters/terminal_sim/simulator.h"
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
using ::onshi::sim::testing::CheckupRequest;
using ::onshi::sim::testing::EveryConsent;
using ::onshi::sim::testing::Exercises;
using ::onshi::sim::testing::FileExists;
using ::onshi::sim::testing::FixedClock;
using ::onshi::sim::testing::kInstitution;
using ::onshi::sim::testing::MakeRequest;
using ::onshi::sim::testing::MedicationRequest;
using ::onshi::sim::testing::ReadFile;
using ::onshi::sim::testing::Registration;
using ::onshi::sim::testing::ResultRequest;
using ::onshi::sim::testing::TempDir;
using ::onshi::sim::testing::TestDataset;
using ::onshi::sim::testing::TestNow;
using ::onshi::sim::testing::WaitFor;
using ::onshi::sim::testing::WriteFileAtomically;

class SimulatorKindsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.root = dir_.path() + "/OQS";
    options_.dataset = TestDataset();
    options_.institution_code = kInstitution;
    options_.rescan_interval = absl::Milliseconds(50);
    options_.control_rescan_interval = absl::Milliseconds(20);
    options_.clock = &clock_;
    options_.batch_processing_time = absl::ZeroDuration();
    options_.late_delay = absl::Milliseconds(50);
    options_.slow_write_chunk_bytes = 512;
    options_.slow_write_pause = absl::Milliseconds(1);
    options_.duplicate_poll = absl::Milliseconds(5);
    options_.settle_time = absl::ZeroDuration();
  }

  void StartSimulator() {
    absl::StatusOr<std::unique_ptr<Simulator>> started = Simulator::Start(options_);
    ASSERT_TRUE(started.ok()) << started.status();
    sim_ = *std::move(started);
  }

  std::string Req() const { return options_.root + "/req"; }
  std::string Res() const { return options_.root + "/res"; }
  std::string Face() const { return options_.root + "/face"; }

  // Writes `request` (of `kind`) into req/ under `id`, as onshi's transport would.
  void Submit(DocumentKind kind, const google::protobuf::Message& request, const std::string& id) {
    absl::StatusOr<std::string> bytes = oqs::EncodeByKind(kind, request, {});
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    WriteFileAtomically(Req(), oqs::FileNameFor(kind, id), *bytes);
  }

  // Waits for res/<answer of kind>_<id>.<form> and returns its bytes.
  std::string AwaitFile(DocumentKind kind, const std::string& id,
                        oqs::FileForm form = oqs::FileForm::kXml) {
    const std::string path = Res() + "/" + oqs::FileNameFor(kind, id, form);
    EXPECT_TRUE(WaitFor([&] { return FileExists(path); })) << "no " << path;
    return ReadFile(path);
  }

  template <typename T>
  T Await(DocumentKind kind, const std::string& id) {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> decoded =
        oqs::DecodeByKind(kind, AwaitFile(kind, id));
    EXPECT_TRUE(decoded.ok()) << decoded.status();
    T out;
    if (decoded.ok()) out.CopyFrom(**decoded);
    return out;
  }

  std::string Upload(const std::vector<Card>& cards, const std::string& id) {
    Submit(DocumentKind::kBatchUpload, BatchUpload(cards, id), id);
    return Await<ov1::BulkReceiptDocument>(DocumentKind::kBatchReceipt, id).reception_number();
  }

  void AwaitIdle() {
    EXPECT_TRUE(WaitFor([&] { return sim_->stats().pending_jobs == 0; }));
  }

  TempDir dir_;
  FixedClock clock_;
  SimulatorOptions options_;
  std::unique_ptr<Simulator> sim_;
};

TEST_F(SimulatorKindsTest, BatchGoesThroughReceiptAndResultFiles) {
  Exercises("batch-complete");
  StartSimulator();
  const std::string reception =
      Upload({CardOf("valid-kyokai-honnin"), CardOf("kokuho-six-digit")}, "BATCH01");
  ASSERT_FALSE(reception.empty());
  Submit(DocumentKind::kBatchResultRequest, ResultRequest(reception, "BATCH02"), "BATCH02");
  const auto result =
      Await<ov1::BatchQualificationResultDocument>(DocumentKind::kBatchResult, "BATCH02");
  EXPECT_EQ(result.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(result.character_code(), ov1::CHARACTER_CODE_UTF8);
  ASSERT_EQ(result.units_size(), 2);
  EXPECT_EQ(result.units(1).records(0).identifiers().insurer_number(), "  139014");
  AwaitIdle();
  EXPECT_TRUE(TempDir::ListDir(Req()).empty());
}

TEST_F(SimulatorKindsTest, BatchSaysProcessingWhileTheProcessingTimeRuns) {
  Exercises("batch-processing");
  options_.batch_processing_time = absl::Hours(1);
  StartSimulator();
  const std::string reception = Upload({CardOf("limit-a01")}, "BATCH03");
  Submit(DocumentKind::kBatchResultRequest, ResultRequest(reception, "BATCH04"), "BATCH04");
  EXPECT_EQ(Await<ov1::BatchQualificationResultDocument>(DocumentKind::kBatchResult, "BATCH04")
                .segment_of_result(),
            ov1::SEGMENT_OF_RESULT_PROCESSING);
}

TEST_F(SimulatorKindsTest, ReferenceNumbersSurviveARestart) {
  Exercises("reference-persisted");
  StartSimulator();
  ov1::ReferenceNumberRequestDocument single;
  single.set_medical_institution_code(kInstitution);
  single.set_arbitrary_file_identifier("REG01");
  *single.mutable_registration() = Registration(CardOf("limit-b06"), "PT-000123");
  Submit(DocumentKind::kReferenceNumberRequest, single, "REG01");
  EXPECT_EQ(Await<ov1::ReferenceNumberResultDocument>(DocumentKind::kReferenceNumberResult, "REG01")
                .processing_result_status(),
            ov1::PROCESSING_RESULT_STATUS_NORMAL);
  sim_->Stop();
  sim_.reset();

  StartSimulator();
  Submit(DocumentKind::kQualificationRequest, MakeRequest(CardOf("limit-b06"), true, "QUAL01"),
         "QUAL01");
  const auto answer = Await<ov1::QualificationResult>(DocumentKind::kQualificationAnswer, "QUAL01");
  ASSERT_EQ(answer.records_size(), 1);
  EXPECT_EQ(answer.records(0).reference_number(), "PT-000123");
  // The state file is private and names scenarios, not insurance numbers.
  const std::string state_path = options_.root + "/.sim/state.textproto";
  struct stat st;
  ASSERT_EQ(::stat(state_path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_TRUE(absl::StrContains(ReadFile(state_path), "limit-b06"));
  EXPECT_FALSE(absl::StrContains(ReadFile(state_path), "39139019"));
}

TEST_F(SimulatorKindsTest, MemoryStateForgetsOnRestart) {
  options_.durable_state = false;
  StartSimulator();
  ov1::ReferenceNumberRequestDocument single;
  single.set_medical_institution_code(kInstitution);
  *single.mutable_registration() = Registration(CardOf("limit-b07"), "PT-7");
  Submit(DocumentKind::kReferenceNumberRequest, single, "REG02");
  Await<ov1::ReferenceNumberResultDocument>(DocumentKind::kReferenceNumberResult, "REG02");
  sim_.reset();
  StartSimulator();
  EXPECT_TRUE(sim_->StateSnapshot().institutions().empty());
  EXPECT_FALSE(FileExists(options_.root + "/.sim/state.textproto"));
}

TEST_F(SimulatorKindsTest, BulkReferenceRegistrationThroughTheFolders) {
  Exercises("reference-bulk");
  StartSimulator();
  ov1::BulkReferenceNumberRequestDocument bulk;
  bulk.set_medical_institution_code(kInstitution);
  bulk.set_arbitrary_file_identifier("BREG01");
  *bulk.add_registrations() = Registration(CardOf("limit-a05"), "PT-5", "A");
  *bulk.add_registrations() = Registration(Card{"01139013", "9999", "999", "00", ""}, "PT-6", "B");
  Submit(DocumentKind::kBulkReferenceNumberUpload, bulk, "BREG01");
  const std::string reception =
      Await<ov1::BulkReceiptDocument>(DocumentKind::kBulkReferenceNumberReceipt, "BREG01")
          .reception_number();
  Submit(DocumentKind::kBulkReferenceNumberResultRequest, ResultRequest(reception, "BREG02"),
         "BREG02");
  const auto result = Await<ov1::BulkReferenceNumberResultDocument>(
      DocumentKind::kBulkReferenceNumberResult, "BREG02");
  ASSERT_EQ(result.units_size(), 2);
  EXPECT_EQ(result.units(0).processing_result_status(), ov1::PROCESSING_RESULT_STATUS_NORMAL);
  EXPECT_EQ(result.units(1).processing_result_code(), "SIM-NOTFOUND");
}

TEST_F(SimulatorKindsTest, CheckinWritesAFaceFileAndItsConsentsOpenMedication) {
  Exercises("face-checkin-all-consents");
  StartSimulator();
  absl::StatusOr<CheckinResult> checkin =
      sim_->CheckIn(CheckinOf("gaiji-name", EveryConsent(), "20261201091500"));
  ASSERT_TRUE(checkin.ok()) << checkin.status();
  EXPECT_TRUE(checkin->written);
  const std::string path = Face() + "/" + checkin->face_file;
  ASSERT_TRUE(WaitFor([&] { return FileExists(path); }));
  std::optional<oqs::FileName> name = oqs::ParseFileName(checkin->face_file);
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->kind, DocumentKind::kFaceCheckin);
  absl::StatusOr<ov1::QualificationResult> face = oqs::DecodeQualificationResult(ReadFile(path));
  ASSERT_TRUE(face.ok()) << face.status();
  EXPECT_EQ(face->records(0).pharmacists_info_consent().available_time(), "20261202091500");
  EXPECT_EQ(sim_->stats().checkins, 1);

  Exercises("medication-xml");
  Submit(DocumentKind::kMedicationRequest, MedicationRequest(CardOf("gaiji-name"), "YZK01"),
         "YZK01");
  const auto medication =
      Await<ov1::MedicationResultDocument>(DocumentKind::kMedicationResult, "YZK01");
  EXPECT_EQ(medication.result_code(), "1");
  EXPECT_EQ(medication.months_size(), 1);
  Exercises("checkup-xml");
  Submit(DocumentKind::kCheckupRequest, CheckupRequest(CardOf("gaiji-name"), "TKK01"), "TKK01");
  EXPECT_EQ(
      Await<ov1::CheckupResultDocument>(DocumentKind::kCheckupResult, "TKK01").checkups_size(), 1);
}

TEST_F(SimulatorKindsTest, PdfAnswersAreWrittenAsPdfFiles) {
  Exercises("medication-pdf");
  StartSimulator();
  ASSERT_TRUE(sim_->CheckIn(CheckinOf("valid-kyokai-honnin", EveryConsent())).ok());
  Submit(DocumentKind::kMedicationRequest,
         MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK02", "202606", "202611", "1"),
         "YZK02");
  const std::string pdf = AwaitFile(DocumentKind::kMedicationResult, "YZK02", oqs::FileForm::kPdf);
  EXPECT_TRUE(absl::StartsWith(pdf, "%PDF-"));
  EXPECT_TRUE(absl::StrContains(pdf.substr(pdf.size() - 16), "%%EOF"));
  Exercises("checkup-pdf");
  Submit(DocumentKind::kCheckupRequest, CheckupRequest(CardOf("valid-kyokai-honnin"), "TKK02", "1"),
         "TKK02");
  EXPECT_TRUE(absl::StartsWith(
      AwaitFile(DocumentKind::kCheckupResult, "TKK02", oqs::FileForm::kPdf), "%PDF-"));
  AwaitIdle();
  EXPECT_FALSE(
      FileExists(Res() + "/" + oqs::FileNameFor(DocumentKind::kMedicationResult, "YZK02")));
}

TEST_F(SimulatorKindsTest, ControlFolderCommandsAreCarriedOutWhileRunning) {
  Exercises("face-checkin-control");
  StartSimulator();
  absl::StatusOr<CheckinResult> result =
      RequestCheckin(options_.root, CheckinOf("kouki-1wari", {v1::CONSENT_CATEGORY_PHARMACISTS}),
                     absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  // The answer comes once the face file is complete.
  EXPECT_TRUE(FileExists(Face() + "/" + result->face_file));
  EXPECT_EQ(sim_->StateSnapshot()
                .institutions()
                .at(kInstitution)
                .consents()
                .at("kouki-1wari")
                .pharmacists_info()
                .flag(),
            ov1::CONSENT_FLAG_GIVEN);
  absl::StatusOr<CheckinResult> refused =
      RequestCheckin(options_.root, CheckinOf("nobody", {}), absl::Seconds(30));
  EXPECT_EQ(ReasonOf(refused.status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(sim_->stats().control_errors, 1);
  // A command that does not parse is answered too.
  WriteFileAtomically(ControlDirOf(options_.root), "checkin-BAD1.cmd", "scenario: ");
  ASSERT_TRUE(
      WaitFor([&] { return FileExists(ControlDirOf(options_.root) + "/checkin-BAD1.done"); }));
  EXPECT_TRUE(absl::StartsWith(ReadFile(ControlDirOf(options_.root) + "/checkin-BAD1.done"),
                               "error ONSHI_INVALID_ARGUMENT"));
}

TEST_F(SimulatorKindsTest, UnknownPersonAndMalformedCheckinsForTests) {
  StartSimulator();
  Exercises("face-checkin-unknown-person");
  v1::CheckinCommand unknown;
  unknown.set_unknown_person(true);
  absl::StatusOr<CheckinResult> result = RequestCheckin(options_.root, unknown, absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(oqs::DecodeQualificationResult(ReadFile(Face() + "/" + result->face_file)).ok());
  Exercises("face-checkin-malformed");
  v1::CheckinCommand malformed = CheckinOf("limit-a01", EveryConsent());
  malformed.set_malformed(true);
  result = RequestCheckin(options_.root, malformed, absl::Seconds(30));
  ASSERT_TRUE(result.ok()) << result.status();
  const std::string bytes = ReadFile(Face() + "/" + result->face_file);
  EXPECT_FALSE(bytes.empty());
  EXPECT_FALSE(oqs::DecodeQualificationResult(bytes).ok());
}

TEST_F(SimulatorKindsTest, RequestsOfEveryKindAreRefusedWithTheirOwnErrFile) {
  StartSimulator();
  WriteFileAtomically(Req(), oqs::FileNameFor(DocumentKind::kMedicationRequest, "BAD01"),
                      "<XmlMsg><MessageHeader>");
  const std::string err =
      Res() + "/" +
      oqs::FileNameFor(DocumentKind::kMedicationRequest, "BAD01", oqs::FileForm::kErr);
  ASSERT_TRUE(WaitFor([&] { return FileExists(err); }));
  EXPECT_EQ(ReadFile(err), "SIM-E0001\n");
  ov1::BulkResultRequestDocument other = ResultRequest("R1", "BAD02");
  other.set_medical_institution_code("1310000024");
  Submit(DocumentKind::kBatchResultRequest, other, "BAD02");
  const std::string err2 =
      Res() + "/" +
      oqs::FileNameFor(DocumentKind::kBatchResultRequest, "BAD02", oqs::FileForm::kErr);
  ASSERT_TRUE(WaitFor([&] { return FileExists(err2); }));
  EXPECT_EQ(ReadFile(err2), "SIM-E0003\n");
}

TEST_F(SimulatorKindsTest, OneSimulatorPerRoot) {
  StartSimulator();
  absl::StatusOr<std::unique_ptr<Simulator>> second = Simulator::Start(options_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(ReasonOf(second.status()), "ONSHI_TERMINAL_UNAVAILABLE");
}

TEST_F(SimulatorKindsTest, APrivateFolderOthersCanReadIsRefused) {
  ASSERT_EQ(::mkdir(options_.root.c_str(), 0700), 0);
  ASSERT_EQ(::mkdir((options_.root + "/.sim").c_str(), 0755), 0);
  ASSERT_EQ(::chmod((options_.root + "/.sim").c_str(), 0755), 0);
  absl::StatusOr<std::unique_ptr<Simulator>> started = Simulator::Start(options_);
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(ReasonOf(started.status()), "ONSHI_TERMINAL_UNAVAILABLE");
}

// ---- faults through the folders ---------------------------------------------------------------

TEST_F(SimulatorKindsTest, OrphanFaultWritesAnAnswerNobodyAskedFor) {
  Exercises("fault-orphan");
  options_.fault.Set(FaultScope::kQualification, Fault::kOrphan);
  StartSimulator();
  Submit(DocumentKind::kQualificationRequest, MakeRequest(CardOf("limit-a01"), true, "ORPH01"),
         "ORPH01");
  Await<ov1::QualificationResult>(DocumentKind::kQualificationAnswer, "ORPH01");
  ASSERT_TRUE(WaitFor([&] { return sim_->stats().extra_files_written == 1; }));
  const std::vector<std::string> names = TempDir::ListDir(Res());
  ASSERT_EQ(names.size(), 2u);
  for (const std::string& name : names) {
    std::optional<oqs::FileName> parsed = oqs::ParseFileName(name);
    ASSERT_TRUE(parsed.has_value()) << name;
    absl::StatusOr<ov1::QualificationResult> doc =
        oqs::DecodeQualificationResult(ReadFile(Res() + "/" + name));
    ASSERT_TRUE(doc.ok());
    // Each is consistent in itself (name id = content id); one of them nobody asked for.
    EXPECT_EQ(doc->arbitrary_file_identifier(), parsed->file_id);
  }
}

TEST_F(SimulatorKindsTest, BatchOrphanFaultWritesAnotherReceipt) {
  Exercises("batch-fault-orphan");
  options_.fault.Set(FaultScope::kBatch, Fault::kOrphan);
  StartSimulator();
  Upload({CardOf("limit-a01")}, "BORPH1");
  ASSERT_TRUE(WaitFor([&] { return sim_->stats().extra_files_written == 1; }));
  EXPECT_EQ(TempDir::ListDir(Res()).size(), 2u);
}

TEST_F(SimulatorKindsTest, OtherInstitutionFaultChangesTheCodeInTheAnswer) {
  Exercises("fault-other-institution");
  options_.fault.Set(FaultScope::kQualification, Fault::kOtherInstitution);
  StartSimulator();
  Submit(DocumentKind::kQualificationRequest, MakeRequest(CardOf("limit-a01"), true, "OTH01"),
         "OTH01");
  const auto answer = Await<ov1::QualificationResult>(DocumentKind::kQualificationAnswer, "OTH01");
  EXPECT_NE(answer.medical_institution_code(), kInstitution);
  EXPECT_EQ(answer.arbitrary_file_identifier(), "OTH01");
}

TEST_F(SimulatorKindsTest, DuplicateRenamedFaultWritesTheSameBytesUnderASecondName) {
  Exercises("fault-duplicate-renamed");
  options_.fault.Set(FaultScope::kQualification, Fault::kDuplicateRenamed);
  StartSimulator();
  Submit(DocumentKind::kQualificationRequest, MakeRequest(CardOf("limit-a01"), true, "DUPR01"),
         "DUPR01");
  const std::string first = AwaitFile(DocumentKind::kQualificationAnswer, "DUPR01");
  EXPECT_EQ(AwaitFile(DocumentKind::kQualificationAnswer, "DUPR01_dup"), first);
}

TEST_F(SimulatorKindsTest, LateFaultDelaysTheAnswerByTheLateDelay) {
  Exercises("fault-late");
  options_.fault.Set(FaultScope::kCheckup, Fault::kLate);
  options_.late_delay = absl::Milliseconds(100);
  StartSimulator();
  ASSERT_TRUE(sim_->CheckIn(CheckinOf("valid-kyokai-honnin", EveryConsent())).ok());
  Submit(DocumentKind::kCheckupRequest, CheckupRequest(CardOf("valid-kyokai-honnin"), "LATE01"),
         "LATE01");
  EXPECT_EQ(Await<ov1::CheckupResultDocument>(DocumentKind::kCheckupResult, "LATE01").result_code(),
            "1");
  // The decision itself (no timing measured here).
  ResponderOptions late;
  late.institution_code = kInstitution;
  late.fault = Fault::kLate;
  late.late_delay = absl::Seconds(7);
  Responder responder(TestDataset(), late);
  EXPECT_EQ(responder
                .HandleDocument(DocumentKind::kQualificationRequest,
                                MakeRequest(CardOf("limit-a01"), true), TestNow())
                .latency,
            absl::Seconds(7));
}

TEST_F(SimulatorKindsTest, RejectFaultRefusesEveryRequestOfItsFamily) {
  Exercises("fault-reject");
  options_.fault.Set(FaultScope::kMedication, Fault::kReject);
  StartSimulator();
  Submit(DocumentKind::kMedicationRequest, MedicationRequest(CardOf("limit-a01"), "REJ01"),
         "REJ01");
  const std::string err =
      Res() + "/" +
      oqs::FileNameFor(DocumentKind::kMedicationRequest, "REJ01", oqs::FileForm::kErr);
  ASSERT_TRUE(WaitFor([&] { return FileExists(err); }));
  EXPECT_EQ(ReadFile(err), "SIM-E0008\n");
  EXPECT_TRUE(
      FileExists(Res() + "/" + oqs::FileNameFor(DocumentKind::kMedicationRequest, "REJ01")));
}

TEST_F(SimulatorKindsTest, SlowWriteFaultOnPdfEndsWithTheCompletePdf) {
  Exercises("medication-fault-slow-write");
  options_.fault.Set(FaultScope::kMedication, Fault::kSlowWrite);
  StartSimulator();
  ASSERT_TRUE(sim_->CheckIn(CheckinOf("valid-kyokai-honnin", EveryConsent())).ok());
  Submit(DocumentKind::kMedicationRequest,
         MedicationRequest(CardOf("valid-kyokai-honnin"), "SLOW01", "202606", "202611", "3"),
         "SLOW01");
  ASSERT_TRUE(WaitFor([&] { return sim_->stats().answers_written == 2; }));  // face + PDF
  const std::string pdf =
      ReadFile(Res() + "/" +
               oqs::FileNameFor(DocumentKind::kMedicationResult, "SLOW01", oqs::FileForm::kPdf));
  EXPECT_TRUE(absl::StartsWith(pdf, "%PDF-"));
  EXPECT_TRUE(absl::EndsWith(pdf, "%%EOF\n"));
}

TEST_F(SimulatorKindsTest, MalformedFaultOnCheckups) {
  Exercises("checkup-fault-malformed");
  options_.fault.Set(FaultScope::kCheckup, Fault::kMalformedAnswer);
  StartSimulator();
  Submit(DocumentKind::kCheckupRequest, CheckupRequest(CardOf("limit-a01"), "MAL01"), "MAL01");
  const std::string bytes = AwaitFile(DocumentKind::kCheckupResult, "MAL01");
  EXPECT_FALSE(oqs::DecodeByKind(DocumentKind::kCheckupResult, bytes).ok());
}

TEST_F(SimulatorKindsTest, FaceDuplicateFaultWritesTheCheckinAgainOnceTaken) {
  Exercises("face-fault-duplicate");
  options_.fault.Set(FaultScope::kFace, Fault::kDuplicate);
  StartSimulator();
  absl::StatusOr<CheckinResult> checkin = sim_->CheckIn(CheckinOf("limit-a01", {}));
  ASSERT_TRUE(checkin.ok());
  const std::string path = Face() + "/" + checkin->face_file;
  ASSERT_TRUE(WaitFor([&] { return FileExists(path); }));
  const std::string first = ReadFile(path);
  ASSERT_EQ(::unlink(path.c_str()), 0);  // the reader takes it
  ASSERT_TRUE(WaitFor([&] { return sim_->stats().answers_written == 2; }));
  EXPECT_EQ(ReadFile(path), first);
}

TEST_F(SimulatorKindsTest, FaceDuplicateRenamedFaultWritesASecondFaceFile) {
  Exercises("face-fault-duplicate-renamed");
  options_.fault.Set(FaultScope::kFace, Fault::kDuplicateRenamed);
  StartSimulator();
  absl::StatusOr<CheckinResult> checkin = sim_->CheckIn(CheckinOf("limit-a02", {}));
  ASSERT_TRUE(checkin.ok());
  // The second copy is written under a temporary name first: wait for two final names, and
  // for nothing else to be left in face/.
  const auto face_files = [&] {
    std::vector<std::string> names;
    for (const std::string& name : TempDir::ListDir(Face())) {
      std::optional<oqs::FileName> parsed = oqs::ParseFileName(name);
      if (parsed.has_value() && parsed->kind == DocumentKind::kFaceCheckin) names.push_back(name);
    }
    return names;
  };
  ASSERT_TRUE(
      WaitFor([&] { return face_files().size() == 2 && TempDir::ListDir(Face()).size() == 2; }));
  const std::vector<std::string> names = face_files();
  EXPECT_EQ(ReadFile(Face() + "/" + names[0]), ReadFile(Face() + "/" + names[1]));
}

TEST_F(SimulatorKindsTest, FaceSlowWriteFaultEndsWithACompleteFile) {
  Exercises("face-fault-slow-write");
  options_.fault.Set(FaultScope::kFace, Fault::kSlowWrite);
  options_.slow_write_chunk_bytes = 64;
  StartSimulator();
  absl::StatusOr<CheckinResult> checkin =
      RequestCheckin(options_.root, CheckinOf("limit-a04", EveryConsent()), absl::Seconds(30));
  ASSERT_TRUE(checkin.ok()) << checkin.status();
  // The control answer waits for the last chunk.
  EXPECT_TRUE(oqs::DecodeQualificationResult(ReadFile(Face() + "/" + checkin->face_file)).ok());
}

TEST_F(SimulatorKindsTest, FaceSilentFaultRecordsButWritesNothing) {
  Exercises("face-fault-silent");
  options_.fault.Set(FaultScope::kFace, Fault::kSilent);
  StartSimulator();
  absl::StatusOr<CheckinResult> checkin =
      RequestCheckin(options_.root, CheckinOf("limit-a05", EveryConsent()), absl::Seconds(30));
  ASSERT_TRUE(checkin.ok()) << checkin.status();
  EXPECT_FALSE(checkin->written);
  AwaitIdle();
  EXPECT_TRUE(TempDir::ListDir(Face()).empty());
  EXPECT_EQ(sim_->StateSnapshot().institutions().at(kInstitution).consents().count("limit-a05"),
            1u);
}

}  // namespace
}  // namespace onshi::sim
