// Write-back through WriteBacks and the gRPC RecordService, on a real SQLite store in a temp
// directory: preview writes nothing; a write records who/why with a new version and keeps the
// old one; idempotency by request_id (the same write retried five times at once: one version,
// one outcome; same key with another payload: conflict, original untouched); optimistic
// concurrency (stale version refused; two writers on one version: one wins); checks without a
// terminal answer are never written; patients are created only when asked.

#include "plugin/service/record_service.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "adapters/store_sqlite/sqlite_consent_store.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "adapters/store_sqlite/sqlite_write_back_store.h"
#include "google/protobuf/util/message_differencer.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "onshi/v1/record_service.grpc.pb.h"
#include "plugin/common/system_clock.h"
#include "plugin/core/consent.h"
#include "plugin/core/errors.h"

namespace onshi::service {
namespace {

using google::protobuf::util::MessageDifferencer;

v1::QualificationRecord Record(const std::string& insurer_number) {
  v1::QualificationRecord record;
  v1::InsuranceIdentifiers* ids = record.mutable_identifiers();
  ids->set_insurer_number(insurer_number);
  ids->set_insured_card_symbol("１２３");
  ids->set_insured_identification_number("4567");
  ids->set_insured_branch_number("01");
  record.set_name("山田太郎");
  record.set_birth_date("19850412");
  record.set_insured_partial_contribution_ratio("3");
  return record;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "/record_service_XXXXXX";
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class WriteBackServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(dir_.path() + "/onshi.db", &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    write_back_store_ = std::make_unique<SqliteWriteBackStore>(store_.get());
    write_backs_ = std::make_unique<WriteBacks>(store_.get(), write_back_store_.get(), &clock_);
    consent_store_ = std::make_unique<SqliteConsentStore>(store_.get());
    consents_ = std::make_unique<ConsentLedger>(consent_store_.get(), store_.get(), &clock_);
  }

  // Stores a check in `state` (an answer with `record`, or none) as the coordinator would.
  void AddCheck(const std::string& request_id, const std::string& patient_id,
                const v1::QualificationRecord* record, LedgerState state = LedgerState::kAnswered,
                v1::QualificationValidity validity = v1::QUALIFICATION_VALIDITY_VALID) {
    LedgerEntry entry;
    entry.request_id = request_id;
    entry.file_id = "F" + request_id;
    entry.patient_id = patient_id;
    entry.deadline = clock_.Now() + absl::Seconds(30);
    entry.request.set_request_id(request_id);
    entry.request.set_patient_id(patient_id);
    ASSERT_TRUE(store_->CreateRequest(entry, nullptr).ok());
    if (state == LedgerState::kPending) return;
    LedgerTransition transition;
    transition.request_id = request_id;
    transition.from = LedgerState::kPending;
    transition.to = state;
    v1::CheckQualificationResponse& response = transition.response;
    if (state == LedgerState::kUnconfirmed) {
      response.set_outcome(v1::CHECK_OUTCOME_UNCONFIRMED);
    } else {
      response.set_outcome(state == LedgerState::kLate ? v1::CHECK_OUTCOME_LATE_ANSWER
                                                       : v1::CHECK_OUTCOME_ANSWERED);
      response.mutable_result()->set_qualification_validity(validity);
      if (record != nullptr) *response.mutable_result()->add_records() = *record;
      response.mutable_provenance()->set_source(v1::SOURCE_TERMINAL_ANSWER);
      response.mutable_provenance()->set_request_id(request_id);
      response.mutable_provenance()->set_file_id(entry.file_id);
    }
    ASSERT_TRUE(store_->ApplyTransition(transition).ok());
  }

  v1::WriteBackRequest Write(const std::string& request_id, const std::string& patient_id,
                             const std::string& source, int64_t expected_version) {
    v1::WriteBackRequest request;
    request.set_request_id(request_id);
    request.set_patient_id(patient_id);
    request.set_source_request_id(source);
    request.set_expected_version(expected_version);
    request.set_reason("窓口で確認");
    return request;
  }

  // Patient P1 with coverage version 1 (insurer 06139806), written back by clerk01.
  void PatientWithVersionOne() {
    const v1::QualificationRecord first = Record("06139806");
    AddCheck("check-first", "P1", &first);
    absl::StatusOr<v1::WriteBackResponse> written =
        write_backs_->WriteBack(Write("wb-first-01", "P1", "check-first", 0), "clerk01");
    ASSERT_TRUE(written.ok()) << written.status();
    ASSERT_EQ(written->write().coverage_version(), 1);
  }

  int64_t Versions(const std::string& patient_id) {
    absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord(patient_id);
    if (!record.ok()) return -1;
    return (record->has_current_coverage() ? 1 : 0) + record->coverage_history_size();
  }

  TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteWriteBackStore> write_back_store_;
  std::unique_ptr<WriteBacks> write_backs_;
  std::unique_ptr<SqliteConsentStore> consent_store_;
  std::unique_ptr<ConsentLedger> consents_;
};

TEST_F(WriteBackServiceTest, PreviewShowsDiffAgainstCurrentVersionAndWritesNothing) {
  PatientWithVersionOne();
  const v1::QualificationRecord moved = Record("01130012");
  AddCheck("check-second", "P1", &moved);
  absl::StatusOr<v1::RecordPreview> preview = write_backs_->Preview("P1", "check-second");
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_TRUE(preview->patient_exists());
  EXPECT_EQ(preview->current_version(), 1);
  EXPECT_TRUE(preview->changed());
  ASSERT_EQ(preview->changes_size(), 1);
  EXPECT_EQ(preview->changes(0).staff_message(), "保険者番号が変わりました");
  EXPECT_EQ(Versions("P1"), 1);
}

TEST_F(WriteBackServiceTest, WriteRecordsNewVersionWithWhoWhyAndKeepsThePrevious) {
  PatientWithVersionOne();
  const v1::QualificationRecord moved = Record("01130012");
  AddCheck("check-second", "P1", &moved);
  absl::StatusOr<v1::WriteBackResponse> written =
      write_backs_->WriteBack(Write("wb-second-1", "P1", "check-second", 1), "clerk07");
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_TRUE(written->write().changed());
  EXPECT_EQ(written->write().coverage_version(), 2);
  EXPECT_FALSE(written->dry_run());

  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok());
  const v1::CoverageVersion& current = record->current_coverage();
  EXPECT_EQ(current.version(), 2);
  EXPECT_EQ(current.recorded_by(), "clerk07");
  EXPECT_EQ(current.reason(), "窓口で確認");
  EXPECT_EQ(current.write_request_id(), "wb-second-1");
  EXPECT_EQ(current.coverage().identifiers().insurer_number(), "01130012");
  EXPECT_EQ(current.field_provenance().at("identifiers.insurer_number").provenance().request_id(),
            "check-second");
  EXPECT_EQ(current.field_provenance().at("name").provenance().request_id(), "check-first");
  ASSERT_EQ(record->coverage_history_size(), 1);
  EXPECT_EQ(record->coverage_history(0).recorded_by(), "clerk01");
  EXPECT_EQ(record->coverage_history(0).coverage().identifiers().insurer_number(), "06139806");
}

TEST_F(WriteBackServiceTest, StaleExpectedVersionIsAbortedAndWritesNothing) {
  PatientWithVersionOne();
  const v1::QualificationRecord moved = Record("01130012");
  AddCheck("check-second", "P1", &moved);
  absl::StatusOr<v1::WriteBackResponse> stale =
      write_backs_->WriteBack(Write("wb-stale-01", "P1", "check-second", 0), "clerk07");
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ReasonOf(stale.status()), "ONSHI_VERSION_CONFLICT");
  EXPECT_EQ(Versions("P1"), 1);
  // The key was not used up: the same key with the right version then writes.
  EXPECT_TRUE(
      write_backs_->WriteBack(Write("wb-stale-01", "P1", "check-second", 1), "clerk07").ok());
  EXPECT_EQ(Versions("P1"), 2);
}

TEST_F(WriteBackServiceTest, RetryReturnsStoredOutcomeEvenAfterThePatientMovedOn) {
  PatientWithVersionOne();
  const v1::QualificationRecord moved = Record("01130012");
  AddCheck("check-second", "P1", &moved);
  const v1::WriteBackRequest request = Write("wb-second-1", "P1", "check-second", 1);
  absl::StatusOr<v1::WriteBackResponse> first = write_backs_->WriteBack(request, "clerk07");
  ASSERT_TRUE(first.ok());
  const v1::QualificationRecord back = Record("06139806");
  AddCheck("check-third", "P1", &back);
  ASSERT_TRUE(write_backs_->WriteBack(Write("wb-third-01", "P1", "check-third", 2), "c").ok());
  absl::StatusOr<v1::WriteBackResponse> retry = write_backs_->WriteBack(request, "clerk07");
  ASSERT_TRUE(retry.ok()) << retry.status();
  EXPECT_TRUE(MessageDifferencer::Equals(*first, *retry));
  EXPECT_EQ(Versions("P1"), 3);
}

TEST_F(WriteBackServiceTest, SameKeyWithAnotherPayloadIsConflictAndOriginalUntouched) {
  PatientWithVersionOne();
  const v1::QualificationRecord moved = Record("01130012");
  AddCheck("check-second", "P1", &moved);
  ASSERT_TRUE(
      write_backs_->WriteBack(Write("wb-second-1", "P1", "check-second", 1), "clerk07").ok());
  absl::StatusOr<v1::PatientRecord> before = store_->GetPatientRecord("P1");
  v1::WriteBackRequest other = Write("wb-second-1", "P1", "check-second", 1);
  other.set_reason("別の理由");
  absl::StatusOr<v1::WriteBackResponse> conflict = write_backs_->WriteBack(other, "clerk07");
  EXPECT_EQ(conflict.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReasonOf(conflict.status()), "ONSHI_REQUEST_ID_CONFLICT");
  absl::StatusOr<v1::PatientRecord> after = store_->GetPatientRecord("P1");
  ASSERT_TRUE(before.ok() && after.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*before, *after));
  absl::StatusOr<std::optional<WriteBackEntry>> stored =
      write_back_store_->FindWriteBack("wb-second-1");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->request.reason(), "窓口で確認");
}

TEST_F(WriteBackServiceTest, CheckWithoutTerminalAnswerIsNeverWritten) {
  const v1::QualificationRecord record = Record("06139806");
  AddCheck("check-pending", "P1", &record, LedgerState::kPending);
  AddCheck("check-unconf", "P1", &record, LedgerState::kUnconfirmed);
  for (const char* source : {"check-pending", "check-unconf", "check-unknown"}) {
    absl::StatusOr<v1::WriteBackResponse> refused =
        write_backs_->WriteBack(Write("wb-never-01", "P1", source, 0), "clerk07");
    EXPECT_EQ(refused.status().code(), absl::StatusCode::kFailedPrecondition) << source;
    EXPECT_EQ(ReasonOf(refused.status()), "ONSHI_NOT_CONFIRMED") << source;
    EXPECT_EQ(ReasonOf(write_backs_->Preview("P1", source).status()), "ONSHI_NOT_CONFIRMED");
  }
  EXPECT_EQ(Versions("P1"), 0);
}

// A late answer (after the check went unconfirmed) is a terminal answer: staff may record it.
TEST_F(WriteBackServiceTest, LateAnswerCanBeWrittenBack) {
  PatientWithVersionOne();
  const v1::QualificationRecord moved = Record("01130012");
  AddCheck("check-late", "P1", &moved, LedgerState::kLate);
  absl::StatusOr<v1::WriteBackResponse> written =
      write_backs_->WriteBack(Write("wb-late-001", "P1", "check-late", 1), "clerk07");
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_EQ(written->write().coverage_version(), 2);
}

// 該当資格なし without a record: a version with only the validity changed.
TEST_F(WriteBackServiceTest, LostQualificationWithoutRecordChangesOnlyTheValidity) {
  PatientWithVersionOne();
  AddCheck("check-gone", "P1", nullptr, LedgerState::kAnswered,
           v1::QUALIFICATION_VALIDITY_NOT_FOUND);
  absl::StatusOr<v1::WriteBackResponse> written =
      write_backs_->WriteBack(Write("wb-gone-001", "P1", "check-gone", 1), "clerk07");
  ASSERT_TRUE(written.ok()) << written.status();
  ASSERT_EQ(written->write().changes_size(), 1);
  EXPECT_EQ(written->write().changes(0).staff_message(), "資格を喪失しました");
  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->current_coverage().validity(), v1::QUALIFICATION_VALIDITY_NOT_FOUND);
  EXPECT_EQ(record->current_coverage().coverage().identifiers().insurer_number(), "06139806");
  EXPECT_EQ(record->current_coverage().field_provenance().at("validity").provenance().request_id(),
            "check-gone");
  EXPECT_EQ(record->current_coverage().field_provenance().at("name").provenance().request_id(),
            "check-first");
}

TEST_F(WriteBackServiceTest, UnknownPatientIsNotFoundUnlessCreateIsAsked) {
  const v1::QualificationRecord record = Record("06139806");
  AddCheck("check-anon", "", &record);
  absl::StatusOr<v1::RecordPreview> preview = write_backs_->Preview("NEW1", "check-anon");
  ASSERT_TRUE(preview.ok()) << preview.status();
  EXPECT_FALSE(preview->patient_exists());
  absl::StatusOr<v1::WriteBackResponse> refused =
      write_backs_->WriteBack(Write("wb-new-0001", "NEW1", "check-anon", 0), "clerk07");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(refused.status()), "ONSHI_PATIENT_NOT_FOUND");
  EXPECT_EQ(Versions("NEW1"), -1);

  v1::WriteBackRequest create = Write("wb-new-0002", "NEW1", "check-anon", 0);
  create.set_create_patient(true);
  absl::StatusOr<v1::WriteBackResponse> created = write_backs_->WriteBack(create, "clerk07");
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->patient_created());
  EXPECT_EQ(created->write().coverage_version(), 1);
  EXPECT_EQ(Versions("NEW1"), 1);
}

TEST_F(WriteBackServiceTest, DryRunWritesNothingAndLeavesTheKeyUnused) {
  PatientWithVersionOne();
  const v1::QualificationRecord moved = Record("01130012");
  AddCheck("check-second", "P1", &moved);
  v1::WriteBackRequest request = Write("wb-dry-0001", "P1", "check-second", 1);
  request.set_dry_run(true);
  absl::StatusOr<v1::WriteBackResponse> dry = write_backs_->WriteBack(request, "clerk07");
  ASSERT_TRUE(dry.ok()) << dry.status();
  EXPECT_TRUE(dry->dry_run());
  EXPECT_TRUE(dry->write().changed());
  EXPECT_EQ(dry->write().changes_size(), 1);
  EXPECT_EQ(Versions("P1"), 1);
  request.set_dry_run(false);
  request.set_reason("確認後に記録");
  absl::StatusOr<v1::WriteBackResponse> real = write_backs_->WriteBack(request, "clerk07");
  ASSERT_TRUE(real.ok()) << real.status();
  EXPECT_EQ(Versions("P1"), 2);
}

TEST_F(WriteBackServiceTest, MatchingAnswerWritesNoVersionButIsStillIdempotent) {
  PatientWithVersionOne();
  const v1::QualificationRecord same = Record("06139806");
  AddCheck("check-same", "P1", &same);
  const v1::WriteBackRequest request = Write("wb-same-001", "P1", "check-same", 1);
  absl::StatusOr<v1::WriteBackResponse> written = write_backs_->WriteBack(request, "clerk07");
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_FALSE(written->write().changed());
  EXPECT_EQ(written->write().coverage_version(), 1);
  EXPECT_EQ(Versions("P1"), 1);
  v1::WriteBackRequest other = request;
  other.set_expected_version(0);
  EXPECT_EQ(ReasonOf(write_backs_->WriteBack(other, "clerk07").status()),
            "ONSHI_REQUEST_ID_CONFLICT");
  absl::StatusOr<v1::WriteBackResponse> retry = write_backs_->WriteBack(request, "clerk07");
  ASSERT_TRUE(retry.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(*written, *retry));
}

TEST_F(WriteBackServiceTest, SameWriteRetriedFiveTimesAtOnceWritesOneVersion) {
  PatientWithVersionOne();
  const v1::QualificationRecord moved = Record("01130012");
  AddCheck("check-second", "P1", &moved);
  const v1::WriteBackRequest request = Write("wb-five-0001", "P1", "check-second", 1);
  constexpr int kRetries = 5;
  std::vector<absl::StatusOr<v1::WriteBackResponse>> outcomes(
      kRetries, absl::StatusOr<v1::WriteBackResponse>(absl::UnknownError("not run")));
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int i = 0; i < kRetries; ++i) {
    threads.emplace_back([&, i] {
      while (!go.load()) std::this_thread::yield();
      outcomes[i] = write_backs_->WriteBack(request, "clerk07");
    });
  }
  go.store(true);
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < kRetries; ++i) {
    ASSERT_TRUE(outcomes[i].ok()) << i << ": " << outcomes[i].status();
    EXPECT_TRUE(MessageDifferencer::Equals(*outcomes[0], *outcomes[i])) << i;
  }
  EXPECT_EQ(outcomes[0]->write().coverage_version(), 2);
  EXPECT_EQ(Versions("P1"), 2);
}

TEST_F(WriteBackServiceTest, TwoWritesOnOneVersionLetExactlyOneWin) {
  PatientWithVersionOne();
  const v1::QualificationRecord a = Record("01130012");
  const v1::QualificationRecord b = Record("27139802");
  AddCheck("check-aaaa", "P1", &a);
  AddCheck("check-bbbb", "P1", &b);
  absl::StatusOr<v1::WriteBackResponse> first(absl::UnknownError("not run"));
  absl::StatusOr<v1::WriteBackResponse> second(absl::UnknownError("not run"));
  std::atomic<bool> go{false};
  std::thread t1([&] {
    while (!go.load()) std::this_thread::yield();
    first = write_backs_->WriteBack(Write("wb-race-aaaa", "P1", "check-aaaa", 1), "clerk07");
  });
  std::thread t2([&] {
    while (!go.load()) std::this_thread::yield();
    second = write_backs_->WriteBack(Write("wb-race-bbbb", "P1", "check-bbbb", 1), "clerk08");
  });
  go.store(true);
  t1.join();
  t2.join();
  EXPECT_NE(first.ok(), second.ok());
  const absl::Status& lost = first.ok() ? second.status() : first.status();
  EXPECT_EQ(ReasonOf(lost), "ONSHI_VERSION_CONFLICT");
  EXPECT_EQ(Versions("P1"), 2);
}

// Through gRPC: the caller's onshi-user-id becomes the version's author.
TEST_F(WriteBackServiceTest, GrpcCallerUserIdIsRecordedAsWhoWrote) {
  PatientWithVersionOne();
  const v1::QualificationRecord moved = Record("01130012");
  AddCheck("check-second", "P1", &moved);
  RecordServiceImpl service(write_backs_.get(), consents_.get());
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  std::unique_ptr<v1::RecordService::Stub> stub =
      v1::RecordService::NewStub(server->InProcessChannel(grpc::ChannelArguments()));

  {
    grpc::ClientContext context;
    context.AddMetadata("onshi-user-id", "bad user!");
    v1::WriteBackResponse response;
    grpc::Status status =
        stub->WriteBack(&context, Write("wb-grpc-0001", "P1", "check-second", 1), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  }
  {
    grpc::ClientContext context;
    v1::PreviewWriteBackRequest request;
    request.set_patient_id("P1");
    request.set_source_request_id("check-second");
    v1::PreviewWriteBackResponse response;
    ASSERT_TRUE(stub->PreviewWriteBack(&context, request, &response).ok());
    EXPECT_EQ(response.preview().current_version(), 1);
  }
  {
    grpc::ClientContext context;
    context.AddMetadata("onshi-user-id", "clerk07");
    v1::WriteBackResponse response;
    grpc::Status status =
        stub->WriteBack(&context, Write("wb-grpc-0001", "P1", "check-second", 1), &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.write().coverage_version(), 2);
  }
  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->current_coverage().recorded_by(), "clerk07");
  server->Shutdown();
}

// 限度額 data leaves with a write-back only when the source check recorded a 限度額 consent
// (docs/consent.md): without one, the change of 限度額区分 is not shown (preview or write), while
// the other changes are.
TEST_F(WriteBackServiceTest, LimitCategoryChangesLeaveOnlyUnderTheSourceChecksConsent) {
  PatientWithVersionOne();
  v1::QualificationRecord moved = Record("01130012");
  moved.mutable_limit_certificate()->set_category("A03");
  AddCheck("check-nolimit", "P1", &moved);
  AddCheck("check-limit", "P1", &moved);
  absl::StatusOr<ConsentRecord> staff = StaffRecordedConsent(
      ConsentScope::kLimitCertificate, clock_.Now(), ConsentSetting::kOutpatient);
  ASSERT_TRUE(staff.ok());
  ASSERT_TRUE(consent_store_->AppendConsents("P1", "check-limit", "clerk01", {*staff}).ok());

  RecordServiceImpl service(write_backs_.get(), consents_.get());
  grpc::ServerBuilder builder;
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  ASSERT_NE(server, nullptr);
  std::unique_ptr<v1::RecordService::Stub> stub =
      v1::RecordService::NewStub(server->InProcessChannel(grpc::ChannelArguments()));
  auto fields = [](const google::protobuf::RepeatedPtrField<v1::FieldChange>& changes) {
    std::vector<std::string> names;
    for (const v1::FieldChange& change : changes) names.push_back(change.field());
    return names;
  };
  const std::string kCategory = "limit_certificate.category";
  for (const std::string source : {"check-nolimit", "check-limit"}) {
    SCOPED_TRACE(source);
    const bool consented = source == "check-limit";
    grpc::ClientContext preview_context;
    v1::PreviewWriteBackRequest preview_request;
    preview_request.set_patient_id("P1");
    preview_request.set_source_request_id(source);
    v1::PreviewWriteBackResponse preview;
    ASSERT_TRUE(stub->PreviewWriteBack(&preview_context, preview_request, &preview).ok());
    std::vector<std::string> names = fields(preview.preview().changes());
    EXPECT_EQ(std::count(names.begin(), names.end(), kCategory), consented ? 1 : 0);
    EXPECT_EQ(std::count(names.begin(), names.end(), "identifiers.insurer_number"), 1);

    grpc::ClientContext write_context;
    v1::WriteBackRequest write = Write("wb-" + source, "P1", source, 1);
    write.set_dry_run(true);
    v1::WriteBackResponse written;
    ASSERT_TRUE(stub->WriteBack(&write_context, write, &written).ok());
    names = fields(written.write().changes());
    EXPECT_EQ(std::count(names.begin(), names.end(), kCategory), consented ? 1 : 0);
    EXPECT_EQ(std::count(names.begin(), names.end(), "identifiers.insurer_number"), 1);
  }
  server->Shutdown();
}

}  // namespace
}  // namespace onshi::service
