// The onshi-terminal-sim program as integration tests drive it: serve with the new options, the
// checkin subcommand against a running simulator, scoped faults, and a restart that keeps what
// the terminal remembers.

#include <signal.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/oqs_files/file_names.h"
#include "gtest/gtest.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using ::onshi::sim::testing::BatchUpload;
using ::onshi::sim::testing::CardOf;
using ::onshi::sim::testing::Exercises;
using ::onshi::sim::testing::FileExists;
using ::onshi::sim::testing::kInstitution;
using ::onshi::sim::testing::MakeRequest;
using ::onshi::sim::testing::MedicationRequest;
using ::onshi::sim::testing::ReadFile;
using ::onshi::sim::testing::ReadLine;
using ::onshi::sim::testing::Registration;
using ::onshi::sim::testing::ResultRequest;
using ::onshi::sim::testing::Spawn;
using ::onshi::sim::testing::TempDir;
using ::onshi::sim::testing::WaitExit;
using ::onshi::sim::testing::WaitFor;
using ::onshi::sim::testing::WriteFileAtomically;

// A running onshi-terminal-sim on <tmp>/OQS; stopped (SIGTERM) by the destructor.
class Program {
 public:
  explicit Program(const std::string& root, std::vector<std::string> extra = {}) : root_(root) {
    std::vector<std::string> args = {
        ONSHI_TERMINAL_SIM_BINARY, "--root",        root,         "--dataset",
        ONSHI_SIM_DATASET,         "--institution", kInstitution, "--rescan-ms=50"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = Spawn(args, &out_);
    ready_ = pid_ > 0 && ReadLine(out_) == "ready";
  }
  ~Program() { Stop(); }

  bool ready() const { return ready_; }

  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const int code = WaitExit(pid_);
    ::close(out_);
    pid_ = -1;
    return code;
  }

  void Submit(DocumentKind kind, const google::protobuf::Message& request, const std::string& id) {
    absl::StatusOr<std::string> bytes = oqs::EncodeByKind(kind, request, {});
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    WriteFileAtomically(root_ + "/req", oqs::FileNameFor(kind, id), *bytes);
  }

  template <typename T>
  T Await(DocumentKind kind, const std::string& id) {
    const std::string path = root_ + "/res/" + oqs::FileNameFor(kind, id);
    EXPECT_TRUE(WaitFor([&] { return FileExists(path); })) << path;
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> decoded =
        oqs::DecodeByKind(kind, ReadFile(path));
    EXPECT_TRUE(decoded.ok()) << decoded.status();
    T out;
    if (decoded.ok()) out.CopyFrom(**decoded);
    return out;
  }

 private:
  std::string root_;
  pid_t pid_ = -1;
  int out_ = -1;
  bool ready_ = false;
};

// Runs `onshi-terminal-sim checkin ...`; returns its exit code and first stdout line.
int RunCheckin(const std::vector<std::string>& args, std::string* line) {
  std::vector<std::string> full = {ONSHI_TERMINAL_SIM_BINARY, "checkin"};
  full.insert(full.end(), args.begin(), args.end());
  int out = -1;
  const pid_t pid = Spawn(full, &out);
  if (pid <= 0) return -1;
  *line = ReadLine(out);
  const int code = WaitExit(pid);
  ::close(out);
  return code;
}

TEST(ProgramKindsTest, CheckinSubcommandDropsAFaceFileAndOpensMedication) {
  Exercises("face-checkin-program");
  TempDir dir;
  const std::string root = dir.path() + "/OQS";
  Program sim(root);
  ASSERT_TRUE(sim.ready());
  std::string face;
  ASSERT_EQ(RunCheckin({"--root", root, "--scenario", "valid-kyokai-honnin", "--consent",
                        "pharmacists,limit"},
                       &face),
            0);
  std::optional<oqs::FileName> name = oqs::ParseFileName(face);
  ASSERT_TRUE(name.has_value()) << face;
  EXPECT_EQ(name->kind, DocumentKind::kFaceCheckin);
  EXPECT_TRUE(absl::StartsWith(name->file_id, kInstitution));
  absl::StatusOr<ov1::QualificationResult> decoded =
      oqs::DecodeQualificationResult(ReadFile(root + "/face/" + face));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  const ov1::QualificationRecord& record = decoded->records(0);
  EXPECT_EQ(record.pharmacists_info_consent().flag(), ov1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(record.specific_health_checkups_consent().flag(), ov1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_TRUE(record.has_limit_certificate());

  // The program runs on the system clock: the consent was given just now.
  sim.Submit(DocumentKind::kMedicationRequest,
             MedicationRequest(CardOf("valid-kyokai-honnin"), "PYZK01", "202601", "202612"),
             "PYZK01");
  EXPECT_EQ(sim.Await<ov1::MedicationResultDocument>(DocumentKind::kMedicationResult, "PYZK01")
                .result_code(),
            "1");
  // No 特定健診 consent in that check-in.
  sim.Submit(DocumentKind::kCheckupRequest,
             testing::CheckupRequest(CardOf("valid-kyokai-honnin"), "PTKK01"), "PTKK01");
  EXPECT_EQ(
      sim.Await<ov1::CheckupResultDocument>(DocumentKind::kCheckupResult, "PTKK01").result_code(),
      "2");
  EXPECT_EQ(sim.Stop(), 0);
}

TEST(ProgramKindsTest, CheckinSubcommandForTestsAndItsErrors) {
  TempDir dir;
  const std::string root = dir.path() + "/OQS";
  std::string line;
  // Nobody runs on the root yet.
  EXPECT_EQ(RunCheckin({"--root", root, "--scenario", "limit-a01", "--timeout-ms", "100"}, &line),
            1);
  Program sim(root);
  ASSERT_TRUE(sim.ready());
  EXPECT_EQ(RunCheckin({"--root", root, "--scenario", "no-such-patient"}, &line), 1);
  EXPECT_EQ(RunCheckin({"--root", root}, &line), 2);
  EXPECT_EQ(RunCheckin({"--root", root, "--scenario", "x", "--consent", "x-ray"}, &line), 2);
  EXPECT_EQ(RunCheckin({"--root", root, "--scenario", "x", "--at", "2026"}, &line), 2);
  ASSERT_EQ(RunCheckin({"--root", root, "--unknown-person", "--at", "20261124101010"}, &line), 0);
  EXPECT_TRUE(absl::EndsWith(line, "_20261124101010.xml")) << line;
  EXPECT_TRUE(oqs::DecodeQualificationResult(ReadFile(root + "/face/" + line)).ok());
  ASSERT_EQ(
      RunCheckin({"--root", root, "--scenario", "limit-a01", "--malformed", "--consent", "none"},
                 &line),
      0);
  EXPECT_FALSE(oqs::DecodeQualificationResult(ReadFile(root + "/face/" + line)).ok());
}

TEST(ProgramKindsTest, BatchAndScopedFaultsFromTheCommandLine) {
  TempDir dir;
  const std::string root = dir.path() + "/OQS";
  Program sim(root, {"--batch-processing-ms", "0", "--fault", "bulk-reference:receipt-error",
                     "--fault=face:silent", "--late-ms", "10"});
  ASSERT_TRUE(sim.ready());
  sim.Submit(DocumentKind::kBatchUpload, BatchUpload({CardOf("limit-b02")}, "PB01"), "PB01");
  const std::string reception =
      sim.Await<ov1::BulkReceiptDocument>(DocumentKind::kBatchReceipt, "PB01").reception_number();
  ASSERT_FALSE(reception.empty());
  sim.Submit(DocumentKind::kBatchResultRequest, ResultRequest(reception, "PB02"), "PB02");
  const auto result =
      sim.Await<ov1::BatchQualificationResultDocument>(DocumentKind::kBatchResult, "PB02");
  EXPECT_EQ(result.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(result.units_size(), 1);

  ov1::BulkReferenceNumberRequestDocument bulk;
  bulk.set_medical_institution_code(kInstitution);
  *bulk.add_registrations() = Registration(CardOf("limit-b02"), "PT-1");
  sim.Submit(DocumentKind::kBulkReferenceNumberUpload, bulk, "PB03");
  EXPECT_EQ(sim.Await<ov1::BulkReceiptDocument>(DocumentKind::kBulkReferenceNumberReceipt, "PB03")
                .segment_of_result(),
            ov1::SEGMENT_OF_RESULT_FAILED);

  std::string line = "unset";
  ASSERT_EQ(RunCheckin({"--root", root, "--scenario", "limit-b02"}, &line), 0);
  EXPECT_EQ(line, "") << "face:silent writes no file";
  EXPECT_TRUE(TempDir::ListDir(root + "/face").empty());
}

TEST(ProgramKindsTest, BadFaultSpecsAreUsageErrors) {
  for (const char* spec : {"face:late", "batch:sometimes", "printer:silent"}) {
    int out = -1;
    const pid_t pid = Spawn({ONSHI_TERMINAL_SIM_BINARY, "--root", "/nonexistent", "--dataset",
                             ONSHI_SIM_DATASET, "--institution", kInstitution, "--fault", spec},
                            &out);
    ASSERT_GT(pid, 0);
    EXPECT_EQ(WaitExit(pid), 2) << spec;
    ::close(out);
  }
}

TEST(ProgramKindsTest, RestartedProgramKnowsRegisteredReferenceNumbers) {
  Exercises("reference-persisted");
  TempDir dir;
  const std::string root = dir.path() + "/OQS";
  {
    Program sim(root);
    ASSERT_TRUE(sim.ready());
    ov1::ReferenceNumberRequestDocument single;
    single.set_medical_institution_code(kInstitution);
    *single.mutable_registration() = Registration(CardOf("preschool-child"), "PT-CHILD");
    sim.Submit(DocumentKind::kReferenceNumberRequest, single, "PR01");
    EXPECT_EQ(
        sim.Await<ov1::ReferenceNumberResultDocument>(DocumentKind::kReferenceNumberResult, "PR01")
            .processing_result_status(),
        ov1::PROCESSING_RESULT_STATUS_NORMAL);
    EXPECT_EQ(sim.Stop(), 0);
  }
  Program again(root);
  ASSERT_TRUE(again.ready());
  std::string face;
  ASSERT_EQ(RunCheckin({"--root", root, "--scenario", "preschool-child"}, &face), 0);
  absl::StatusOr<ov1::QualificationResult> decoded =
      oqs::DecodeQualificationResult(ReadFile(root + "/face/" + face));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->records(0).reference_number(), "PT-CHILD");
  again.Submit(DocumentKind::kQualificationRequest,
               MakeRequest(CardOf("preschool-child"), false, "PR02"), "PR02");
  EXPECT_EQ(again.Await<ov1::QualificationResult>(DocumentKind::kQualificationAnswer, "PR02")
                .records(0)
                .reference_number(),
            "PT-CHILD");
}

}  // namespace
}  // namespace onshi::sim
