// Every document kind through the whole file path, in both encodings: onshi's FileTransport
// writes each request kind into req/ (in the encoding under test), the in-process simulator
// answers it into res/ or face/ (in the same encoding), and the transport reads the answer back
// and hands it to its sink decoded. The answers are compared with the dataset, not with
// constants, and each XML answer must say the encoding it came in (CharacterCodeIdentifier: the
// decoder refuses a document whose bytes contradict it). PDF answers come back as their bytes.
// Every request kind is also refused once with an .err file, which reaches the sink as a
// rejection of that kind with the simulator's code.

#include <sys/stat.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/oqs_files/file_names.h"
#include "adapters/oqs_files/transport.h"
#include "adapters/terminal_sim/simulator.h"
#include "gtest/gtest.h"
#include "plugin/common/system_clock.h"
#include "plugin/core/errors.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using ::onshi::sim::testing::BatchUpload;
using ::onshi::sim::testing::CardOf;
using ::onshi::sim::testing::CheckinOf;
using ::onshi::sim::testing::CheckupRequest;
using ::onshi::sim::testing::EveryConsent;
using ::onshi::sim::testing::FixedClock;
using ::onshi::sim::testing::kInstitution;
using ::onshi::sim::testing::MakeRequest;
using ::onshi::sim::testing::MedicationRequest;
using ::onshi::sim::testing::PatientOf;
using ::onshi::sim::testing::Registration;
using ::onshi::sim::testing::ResultRequest;
using ::onshi::sim::testing::TempDir;
using ::onshi::sim::testing::WaitFor;

constexpr char kOtherInstitution[] = "1310000024";
// A dataset patient answered in the default encoding, with medication months and checkups.
constexpr char kPatient[] = "valid-kyokai-honnin";
// One who never checks in here: no consent for medication or checkups.
constexpr char kWithoutConsent[] = "limit-a01";

// Keeps whatever the transport delivers.
class CollectingSink final : public AnswerSink {
 public:
  absl::StatusOr<AnswerDisposition> OnAnswer(const IncomingAnswer& answer) override {
    std::lock_guard<std::mutex> lock(mu_);
    answers_.push_back(answer);
    return AnswerDisposition::kProcessed;
  }
  absl::Status OnRequestRejected(const RejectedRequest& rejected) override {
    std::lock_guard<std::mutex> lock(mu_);
    rejections_.push_back(rejected);
    return absl::OkStatus();
  }
  absl::Status OnUnreadableAnswer(const UnreadableAnswer& unreadable) override {
    std::lock_guard<std::mutex> lock(mu_);
    unreadables_.push_back(unreadable);
    return absl::OkStatus();
  }

  std::optional<IncomingAnswer> Find(DocumentKind kind, const std::string& file_id) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const IncomingAnswer& a : answers_) {
      if (a.kind == kind && a.file_id == file_id) return a;
    }
    return std::nullopt;
  }
  std::optional<IncomingAnswer> FindCheckin() const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const IncomingAnswer& a : answers_) {
      if (a.kind == DocumentKind::kFaceCheckin) return a;
    }
    return std::nullopt;
  }
  std::optional<RejectedRequest> FindRejection(DocumentKind kind, const std::string& id) const {
    std::lock_guard<std::mutex> lock(mu_);
    for (const RejectedRequest& r : rejections_) {
      if (r.kind == kind && r.file_id == id) return r;
    }
    return std::nullopt;
  }
  std::vector<IncomingAnswer> answers() const {
    std::lock_guard<std::mutex> lock(mu_);
    return answers_;
  }
  size_t unreadable_count() const {
    std::lock_guard<std::mutex> lock(mu_);
    return unreadables_.size();
  }

 private:
  mutable std::mutex mu_;
  std::vector<IncomingAnswer> answers_;
  std::vector<RejectedRequest> rejections_;
  std::vector<UnreadableAnswer> unreadables_;
};

class SimulatorTransportRoundTripTest : public ::testing::TestWithParam<oqs::Encoding> {
 protected:
  void SetUp() override {
    SimulatorOptions sim;
    sim.root = dir_.path() + "/OQS";
    sim.dataset = testing::TestDataset();
    sim.institution_code = kInstitution;
    sim.encoding = GetParam();
    sim.rescan_interval = absl::Milliseconds(50);
    sim.control_rescan_interval = absl::Milliseconds(20);
    sim.clock = &clock_;
    sim.batch_processing_time = absl::ZeroDuration();
    sim.settle_time = absl::ZeroDuration();
    absl::StatusOr<std::unique_ptr<Simulator>> started = Simulator::Start(sim);
    ASSERT_TRUE(started.ok()) << started.status();
    sim_ = *std::move(started);

    ASSERT_EQ(::mkdir((dir_.path() + "/state").c_str(), 0700), 0);
    oqs::FileTransportOptions options;
    options.root = sim.root;
    options.request_encoding = GetParam();
    options.rescan_interval = absl::Milliseconds(50);
    options.processed_dir = dir_.path() + "/state/processed";
    options.quarantine_dir = dir_.path() + "/state/quarantine";
    absl::StatusOr<std::unique_ptr<oqs::FileTransport>> transport =
        oqs::FileTransport::Create(options, &system_clock_);
    ASSERT_TRUE(transport.ok()) << transport.status();
    transport_ = *std::move(transport);
    ASSERT_TRUE(transport_->Start(&sink_).ok());
  }
  void TearDown() override {
    if (transport_ != nullptr) transport_->Stop();
    if (sim_ != nullptr) sim_->Stop();
  }

  ov1::CharacterCode ExpectedCharacterCode() const {
    return GetParam() == oqs::Encoding::kShiftJis ? ov1::CHARACTER_CODE_SHIFT_JIS
                                                  : ov1::CHARACTER_CODE_UTF8;
  }

  // Submits `request` through the transport and waits for the answer of its kind under the same
  // file id; checks the kind, the message type and the encoding the answer says it came in.
  template <typename T>
  T Exchange(DocumentKind kind, const google::protobuf::Message& request, const std::string& id) {
    Submit(kind, request);
    const DocumentKind answer_kind = *AnswerKindOf(kind);
    std::optional<IncomingAnswer> answer;
    EXPECT_TRUE(WaitFor([&] { return (answer = sink_.Find(answer_kind, id)).has_value(); }))
        << "no " << DocumentKindName(answer_kind) << " for " << id;
    if (!answer.has_value()) return T();
    const T* document = AnswerAs<T>(*answer);
    EXPECT_NE(document, nullptr) << DocumentKindName(answer_kind) << " is not a "
                                 << T::descriptor()->full_name();
    if (document == nullptr) return T();
    EXPECT_EQ(document->character_code(), ExpectedCharacterCode()) << DocumentKindName(answer_kind);
    seen_.insert(answer_kind);
    return *document;
  }

  // As Exchange, for an answer that comes as a PDF: its bytes.
  std::string ExchangePdf(DocumentKind kind, const google::protobuf::Message& request,
                          const std::string& id) {
    Submit(kind, request);
    std::optional<IncomingAnswer> answer;
    EXPECT_TRUE(WaitFor([&] { return (answer = sink_.Find(*AnswerKindOf(kind), id)).has_value(); }))
        << "no PDF answer for " << id;
    if (!answer.has_value()) return "";
    EXPECT_EQ(answer->document, nullptr) << "a PDF answer was parsed";
    return answer->pdf;
  }

  void Submit(DocumentKind kind, const google::protobuf::Message& request) {
    absl::Status submitted = transport_->Submit(kind, request);
    ASSERT_TRUE(submitted.ok()) << DocumentKindName(kind) << ": " << submitted;
    seen_.insert(kind);
  }

  TempDir dir_;
  FixedClock clock_;
  SystemClock system_clock_;
  CollectingSink sink_;
  std::unique_ptr<Simulator> sim_;
  std::unique_ptr<oqs::FileTransport> transport_;
  // The kinds that went through: the requests written, the answers read back.
  std::set<DocumentKind> seen_;
};

// The dataset's medication months within [start, end].
std::vector<std::string> MonthsOnFile(const std::string& scenario, const std::string& start,
                                      const std::string& end) {
  std::vector<std::string> months;
  for (const ov1::MedicationMonth& m : PatientOf(scenario).medication_months()) {
    if (m.month() >= start && m.month() <= end) months.push_back(m.month());
  }
  std::sort(months.begin(), months.end());
  return months;
}

TEST_P(SimulatorTransportRoundTripTest, EveryDocumentKindGoesThroughTheFoldersAndBack) {
  const sim::v1::Patient& patient = PatientOf(kPatient);
  ASSERT_GT(patient.records_size(), 0);
  const std::string name = patient.records(0).name();

  // 個別照会.
  const auto qualification = Exchange<ov1::QualificationResult>(
      DocumentKind::kQualificationRequest, MakeRequest(CardOf(kPatient), true, "RTQUAL01"),
      "RTQUAL01");
  EXPECT_EQ(qualification.arbitrary_file_identifier(), "RTQUAL01");
  ASSERT_EQ(qualification.records_size(), 1);
  EXPECT_EQ(qualification.records(0).name(), name);

  // Card-reader check-in: face/, the terminal's own file id.
  absl::StatusOr<CheckinResult> checkin = sim_->CheckIn(CheckinOf(kPatient, EveryConsent()));
  ASSERT_TRUE(checkin.ok()) << checkin.status();
  std::optional<IncomingAnswer> face;
  ASSERT_TRUE(WaitFor([&] { return (face = sink_.FindCheckin()).has_value(); }));
  EXPECT_EQ(oqs::FileNameFor(DocumentKind::kFaceCheckin, face->file_id), checkin->face_file);
  const ov1::QualificationResult* checked_in = AnswerAs<ov1::QualificationResult>(*face);
  ASSERT_NE(checked_in, nullptr);
  EXPECT_EQ(checked_in->character_code(), ExpectedCharacterCode());
  ASSERT_EQ(checked_in->records_size(), 1);
  EXPECT_EQ(checked_in->records(0).name(), name);
  seen_.insert(DocumentKind::kFaceCheckin);

  // 一括照会: upload → receipt → download → result.
  const auto receipt = Exchange<ov1::BulkReceiptDocument>(
      DocumentKind::kBatchUpload,
      BatchUpload({CardOf(kPatient), CardOf("kokuho-six-digit")}, "RTB01"), "RTB01");
  ASSERT_FALSE(receipt.reception_number().empty());
  const auto batch = Exchange<ov1::BatchQualificationResultDocument>(
      DocumentKind::kBatchResultRequest, ResultRequest(receipt.reception_number(), "RTB02"),
      "RTB02");
  EXPECT_EQ(batch.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_EQ(batch.reception_number(), receipt.reception_number());
  ASSERT_EQ(batch.units_size(), 2);
  ASSERT_EQ(batch.units(0).records_size(), 1);
  EXPECT_EQ(batch.units(0).records(0).name(), name);
  ASSERT_EQ(batch.units(1).records_size(), 1);
  EXPECT_EQ(batch.units(1).records(0).name(), PatientOf("kokuho-six-digit").records(0).name());

  // 照会番号, single and bulk.
  ov1::ReferenceNumberRequestDocument single;
  single.set_medical_institution_code(kInstitution);
  single.set_arbitrary_file_identifier("RTR01");
  *single.mutable_registration() = Registration(CardOf(kPatient), "PT-RT-1");
  EXPECT_EQ(Exchange<ov1::ReferenceNumberResultDocument>(DocumentKind::kReferenceNumberRequest,
                                                         single, "RTR01")
                .processing_result_status(),
            ov1::PROCESSING_RESULT_STATUS_NORMAL);
  ov1::BulkReferenceNumberRequestDocument bulk;
  bulk.set_medical_institution_code(kInstitution);
  bulk.set_arbitrary_file_identifier("RTR02");
  *bulk.add_registrations() = Registration(CardOf("limit-a05"), "PT-RT-2", "A");
  *bulk.add_registrations() = Registration(CardOf("kokuho-six-digit"), "PT-RT-3", "B");
  const auto bulk_receipt =
      Exchange<ov1::BulkReceiptDocument>(DocumentKind::kBulkReferenceNumberUpload, bulk, "RTR02");
  ASSERT_FALSE(bulk_receipt.reception_number().empty());
  const auto bulk_result = Exchange<ov1::BulkReferenceNumberResultDocument>(
      DocumentKind::kBulkReferenceNumberResultRequest,
      ResultRequest(bulk_receipt.reception_number(), "RTR03"), "RTR03");
  ASSERT_EQ(bulk_result.units_size(), 2);
  for (const auto& unit : bulk_result.units()) {
    EXPECT_EQ(unit.processing_result_status(), ov1::PROCESSING_RESULT_STATUS_NORMAL);
  }
  EXPECT_EQ(bulk_result.units(1).registration().reference_number(), "PT-RT-3");

  // 薬剤情報 and 特定健診 as XML (the check-in above gave every consent).
  const auto medication = Exchange<ov1::MedicationResultDocument>(
      DocumentKind::kMedicationRequest, MedicationRequest(CardOf(kPatient), "RTYZK01"), "RTYZK01");
  EXPECT_EQ(medication.result_code(), "1");
  std::vector<std::string> months;
  for (const ov1::MedicationMonth& m : medication.months()) months.push_back(m.month());
  std::sort(months.begin(), months.end());
  EXPECT_EQ(months, MonthsOnFile(kPatient, "202606", "202611"));
  EXPECT_FALSE(months.empty());
  const auto checkups = Exchange<ov1::CheckupResultDocument>(
      DocumentKind::kCheckupRequest, CheckupRequest(CardOf(kPatient), "RTTKK01"), "RTTKK01");
  EXPECT_EQ(checkups.result_code(), "1");
  EXPECT_EQ(checkups.checkups_size(), patient.checkups_size());
  ASSERT_GT(checkups.checkups_size(), 0);
  EXPECT_EQ(checkups.checkups(0).items(0).item_name(), patient.checkups(0).items(0).item_name());

  // ... as PDF: bytes, complete.
  for (const std::string& pdf :
       {ExchangePdf(DocumentKind::kMedicationRequest,
                    MedicationRequest(CardOf(kPatient), "RTYZK02", "202606", "202611", "1"),
                    "RTYZK02"),
        ExchangePdf(DocumentKind::kCheckupRequest, CheckupRequest(CardOf(kPatient), "RTTKK02", "1"),
                    "RTTKK02")}) {
    EXPECT_TRUE(absl::StartsWith(pdf, "%PDF-"));
    EXPECT_TRUE(absl::StrContains(pdf.substr(pdf.size() > 1024 ? pdf.size() - 1024 : 0), "%%EOF"));
  }

  // ... and refused for a patient who gave no consent here.
  const auto no_medication = Exchange<ov1::MedicationResultDocument>(
      DocumentKind::kMedicationRequest, MedicationRequest(CardOf(kWithoutConsent), "RTYZK03"),
      "RTYZK03");
  EXPECT_EQ(no_medication.result_code(), "2");
  EXPECT_EQ(no_medication.message_contents(), "薬剤情報の閲覧について患者の同意が確認できません。");
  EXPECT_EQ(no_medication.months_size(), 0);
  const auto no_checkups = Exchange<ov1::CheckupResultDocument>(
      DocumentKind::kCheckupRequest, CheckupRequest(CardOf(kWithoutConsent), "RTTKK03"), "RTTKK03");
  EXPECT_EQ(no_checkups.result_code(), "2");
  EXPECT_EQ(no_checkups.message_contents(),
            "特定健診情報の閲覧について患者の同意が確認できません。");

  EXPECT_EQ(sink_.unreadable_count(), 0u);
  for (DocumentKind kind : AllDocumentKinds()) {
    EXPECT_EQ(seen_.count(kind), 1u) << DocumentKindName(kind) << " did not go through";
  }
  // Every answer left the shared folders.
  EXPECT_TRUE(WaitFor([&] {
    return TempDir::ListDir(dir_.path() + "/OQS/res").empty() &&
           TempDir::ListDir(dir_.path() + "/OQS/face").empty();
  }));
}

// Each request kind, written by the transport for another institution, is refused by the
// simulator with an .err file; the transport reports it as a rejection of that kind, with the
// code (SIM-E0003), and nothing is read as an answer.
TEST_P(SimulatorTransportRoundTripTest, EveryRequestKindRefusedWithAnErrFileIsARejection) {
  const testing::Card card = CardOf(kPatient);
  std::vector<std::pair<DocumentKind, std::unique_ptr<google::protobuf::Message>>> requests;
  auto add = [&](DocumentKind kind, auto message) {
    using T = decltype(message);
    requests.emplace_back(kind, std::make_unique<T>(std::move(message)));
  };
  {
    auto r = MakeRequest(card, true, "ERR01");
    r.set_medical_institution_code(kOtherInstitution);
    add(DocumentKind::kQualificationRequest, r);
  }
  {
    auto r = BatchUpload({card}, "ERR02");
    r.set_medical_institution_code(kOtherInstitution);
    add(DocumentKind::kBatchUpload, r);
  }
  {
    auto r = ResultRequest("R1", "ERR03");
    r.set_medical_institution_code(kOtherInstitution);
    add(DocumentKind::kBatchResultRequest, r);
  }
  {
    ov1::ReferenceNumberRequestDocument r;
    r.set_medical_institution_code(kOtherInstitution);
    r.set_arbitrary_file_identifier("ERR04");
    *r.mutable_registration() = Registration(card, "PT-ERR");
    add(DocumentKind::kReferenceNumberRequest, r);
  }
  {
    ov1::BulkReferenceNumberRequestDocument r;
    r.set_medical_institution_code(kOtherInstitution);
    r.set_arbitrary_file_identifier("ERR05");
    *r.add_registrations() = Registration(card, "PT-ERR", "A");
    add(DocumentKind::kBulkReferenceNumberUpload, r);
  }
  {
    auto r = ResultRequest("R1", "ERR06");
    r.set_medical_institution_code(kOtherInstitution);
    add(DocumentKind::kBulkReferenceNumberResultRequest, r);
  }
  {
    auto r = MedicationRequest(card, "ERR07");
    r.mutable_header()->set_medical_institution_code(kOtherInstitution);
    add(DocumentKind::kMedicationRequest, r);
  }
  {
    auto r = CheckupRequest(card, "ERR08");
    r.mutable_header()->set_medical_institution_code(kOtherInstitution);
    add(DocumentKind::kCheckupRequest, r);
  }
  std::set<DocumentKind> kinds;
  for (const auto& [kind, message] : requests) {
    Submit(kind, *message);
    kinds.insert(kind);
  }
  for (DocumentKind kind : AllDocumentKinds()) {
    EXPECT_EQ(kinds.count(kind), IsRequestKind(kind) ? 1u : 0u) << DocumentKindName(kind);
  }
  for (const auto& [kind, message] : requests) {
    absl::StatusOr<std::string> id = FileIdOf(kind, *message);
    ASSERT_TRUE(id.ok());
    std::optional<RejectedRequest> rejected;
    EXPECT_TRUE(WaitFor([&, kind = kind] {
      return (rejected = sink_.FindRejection(kind, *id)).has_value();
    })) << DocumentKindName(kind);
    if (rejected.has_value()) {
      EXPECT_EQ(rejected->error_code, "SIM-E0003") << DocumentKindName(kind);
    }
  }
  EXPECT_TRUE(sink_.answers().empty());
  EXPECT_EQ(sink_.unreadable_count(), 0u);
}

INSTANTIATE_TEST_SUITE_P(BothEncodings, SimulatorTransportRoundTripTest,
                         ::testing::Values(oqs::Encoding::kUtf8, oqs::Encoding::kShiftJis),
                         [](const ::testing::TestParamInfo<oqs::Encoding>& info) {
                           return std::string(info.param == oqs::Encoding::kShiftJis ? "ShiftJis"
                                                                                     : "Utf8");
                         });

}  // namespace
}  // namespace onshi::sim
