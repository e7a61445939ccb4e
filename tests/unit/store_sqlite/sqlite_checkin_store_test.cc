// SqliteCheckinStore on real SQLite files: one event per face file, in order, durable across
// reopening, written atomically with the matched patient's confirmation and coverage.

#include "adapters/store_sqlite/sqlite_checkin_store.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using testing_support::FakeClock;
using testing_support::MakeCoverage;
using testing_support::MakeEntry;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

// An event for face file `file_id`, unmatched, or matched to `patient_id`.
CheckinWrite MakeCheckin(const std::string& event_id, const std::string& file_id,
                         const std::string& patient_id = "") {
  CheckinWrite write;
  v1::CheckinEvent& event = write.event;
  event.set_event_id(event_id);
  event.mutable_received_time()->set_seconds(1775001700);
  event.mutable_result()->set_process_execution_time("20260401091030");
  event.mutable_result()->add_records()->set_name("試験　花子");
  event.mutable_billing()->set_status_label("有効");
  event.mutable_provenance()->set_source(v1::SOURCE_CARD_READER);
  event.mutable_provenance()->set_request_id(event_id);
  event.mutable_provenance()->set_file_id(file_id);
  if (patient_id.empty()) {
    event.mutable_match()->set_kind(v1::PATIENT_MATCH_KIND_NONE);
  } else {
    event.mutable_match()->set_kind(v1::PATIENT_MATCH_KIND_IDENTIFIERS);
    event.mutable_match()->set_patient_id(patient_id);
    event.mutable_record_write()->set_patient_id(patient_id);
    v1::Confirmation& confirmation = write.confirmation.emplace();
    confirmation.set_request_id(event_id);
    confirmation.set_outcome(v1::CHECK_OUTCOME_ANSWERED);
    confirmation.set_validity(v1::QUALIFICATION_VALIDITY_VALID);
    *confirmation.mutable_provenance() = event.provenance();
  }
  return write;
}

std::vector<std::string> FileIds(const std::vector<v1::CheckinEvent>& events) {
  std::vector<std::string> ids;
  for (const v1::CheckinEvent& event : events) ids.push_back(event.provenance().file_id());
  return ids;
}

class SqliteCheckinStoreTest : public ::testing::Test {
 protected:
  SqliteCheckinStoreTest() { Open(); }

  void Open() {
    checkins_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(dir_.File("onshi.db"), &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    checkins_ = std::make_unique<SqliteCheckinStore>(store_.get());
  }

  // Creates the patient the way a check that names it does.
  void AddPatient(const std::string& patient_id) {
    bool created = false;
    ASSERT_TRUE(store_->CreateRequest(MakeEntry("req-" + patient_id, patient_id), &created).ok());
  }

  v1::CheckinEvent Record(const CheckinWrite& write, bool expect_created = true) {
    bool created = !expect_created;
    absl::StatusOr<v1::CheckinEvent> stored = checkins_->RecordCheckin(write, &created);
    EXPECT_TRUE(stored.ok()) << stored.status();
    EXPECT_EQ(created, expect_created);
    return stored.value_or(v1::CheckinEvent());
  }

  std::vector<v1::CheckinEvent> List(int64_t after = 0, int limit = 100) {
    absl::StatusOr<std::vector<v1::CheckinEvent>> events =
        checkins_->ListUnacknowledgedCheckins(after, limit);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.value_or(std::vector<v1::CheckinEvent>());
  }

  int64_t EventRows() {
    RawDb raw(dir_.File("onshi.db"));
    return raw.QueryInt("SELECT count(*) FROM checkin_events");
  }

  FakeClock clock_;
  ScopedTempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteCheckinStore> checkins_;
};

TEST_F(SqliteCheckinStoreTest, SchemaHasTheCheckinStep) {
  EXPECT_GE(SqliteStore::LatestSchemaVersion(), 3);
  EXPECT_EQ(EventRows(), 0);
}

TEST_F(SqliteCheckinStoreTest, EventsAreListedInArrivalOrderAfterACursor) {
  const v1::CheckinEvent a = Record(MakeCheckin("ev-a", "face-a"));
  const v1::CheckinEvent b = Record(MakeCheckin("ev-b", "face-b"));
  const v1::CheckinEvent c = Record(MakeCheckin("ev-c", "face-c"));
  EXPECT_LT(a.sequence(), b.sequence());
  EXPECT_LT(b.sequence(), c.sequence());
  EXPECT_THAT(FileIds(List()), ::testing::ElementsAre("face-a", "face-b", "face-c"));
  EXPECT_THAT(FileIds(List(a.sequence())), ::testing::ElementsAre("face-b", "face-c"));
  EXPECT_THAT(FileIds(List(0, 2)), ::testing::ElementsAre("face-a", "face-b"));
  const std::vector<v1::CheckinEvent> all = List();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].sequence(), a.sequence());
  EXPECT_EQ(all[0].event_id(), "ev-a");
  EXPECT_EQ(all[0].result().records(0).name(), "試験　花子");
  EXPECT_FALSE(all[0].has_acknowledged_time());
}

TEST_F(SqliteCheckinStoreTest, SameFaceFileIsRecordedOnce) {
  const v1::CheckinEvent first = Record(MakeCheckin("ev-1", "face-1"));
  const v1::CheckinEvent again = Record(MakeCheckin("ev-2", "face-1"), /*expect_created=*/false);
  EXPECT_EQ(again.event_id(), "ev-1");
  EXPECT_EQ(again.sequence(), first.sequence());
  EXPECT_EQ(EventRows(), 1);
}

TEST_F(SqliteCheckinStoreTest, EventIdOfAnotherFileIsRefused) {
  Record(MakeCheckin("ev-1", "face-1"));
  bool created = true;
  absl::StatusOr<v1::CheckinEvent> stored =
      checkins_->RecordCheckin(MakeCheckin("ev-1", "face-2"), &created);
  EXPECT_EQ(Reason(stored.status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_FALSE(created);
  EXPECT_EQ(EventRows(), 1);
}

TEST_F(SqliteCheckinStoreTest, MalformedWritesAreRefused) {
  CheckinWrite no_file = MakeCheckin("ev-1", "");
  EXPECT_EQ(Reason(checkins_->RecordCheckin(no_file, nullptr).status()), "ONSHI_INVALID_ARGUMENT");
  CheckinWrite unmatched_with_confirmation = MakeCheckin("ev-2", "face-2", "p-1");
  unmatched_with_confirmation.event.mutable_match()->set_kind(v1::PATIENT_MATCH_KIND_NONE);
  EXPECT_EQ(Reason(checkins_->RecordCheckin(unmatched_with_confirmation, nullptr).status()),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(Reason(checkins_->ListUnacknowledgedCheckins(0, 0).status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(EventRows(), 0);
}

TEST_F(SqliteCheckinStoreTest, MatchedCheckinWritesConfirmationAndCoverageWithTheEvent) {
  AddPatient("p-1");
  CheckinWrite write = MakeCheckin("ev-1", "face-1", "p-1");
  write.coverage = MakeCoverage(0, "試験　花子", "06139806", "ev-1");
  write.coverage->version.mutable_provenance()->set_source(v1::SOURCE_CARD_READER);
  Record(write);

  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("p-1");
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->current_coverage().version(), 1);
  EXPECT_EQ(record->current_coverage().provenance().source(), v1::SOURCE_CARD_READER);
  std::vector<std::string> checks;
  for (const v1::Confirmation& c : record->confirmations()) checks.push_back(c.request_id());
  EXPECT_THAT(checks, ::testing::Contains("ev-1"));
  // The directory follows the coverage the check-in wrote.
  absl::StatusOr<std::vector<std::string>> found =
      store_->FindPatientsByIdentity(write.coverage->version.coverage().identifiers(),
                                     write.coverage->version.coverage().birth_date());
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_THAT(*found, ::testing::ElementsAre("p-1"));
}

TEST_F(SqliteCheckinStoreTest, CoverageConflictWritesNothing) {
  AddPatient("p-1");
  CheckinWrite write = MakeCheckin("ev-1", "face-1", "p-1");
  write.coverage = MakeCoverage(3, "試験　花子", "06139806", "ev-1");  // the patient has none
  absl::StatusOr<v1::CheckinEvent> stored = checkins_->RecordCheckin(write, nullptr);
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(Reason(stored.status()), "ONSHI_STORE_CONFLICT");
  EXPECT_EQ(EventRows(), 0);
  absl::StatusOr<v1::PatientRecord> record = store_->GetPatientRecord("p-1");
  ASSERT_TRUE(record.ok());
  EXPECT_EQ(record->confirmations_size(), 0);
}

TEST_F(SqliteCheckinStoreTest, UnknownPatientWritesNothing) {
  absl::StatusOr<v1::CheckinEvent> stored =
      checkins_->RecordCheckin(MakeCheckin("ev-1", "face-1", "p-nobody"), nullptr);
  EXPECT_EQ(Reason(stored.status()), "ONSHI_PATIENT_NOT_FOUND");
  EXPECT_EQ(EventRows(), 0);
}

TEST_F(SqliteCheckinStoreTest, AcknowledgedEventsLeaveTheListAndKeepTheirTime) {
  const v1::CheckinEvent a = Record(MakeCheckin("ev-a", "face-a"));
  Record(MakeCheckin("ev-b", "face-b"));
  const absl::Time first_time = absl::FromUnixSeconds(1775002000);
  absl::StatusOr<v1::CheckinEvent> acked = checkins_->AcknowledgeCheckin("ev-a", first_time);
  ASSERT_TRUE(acked.ok()) << acked.status();
  EXPECT_EQ(acked->acknowledged_time().seconds(), 1775002000);
  EXPECT_EQ(acked->sequence(), a.sequence());
  acked = checkins_->AcknowledgeCheckin("ev-a", first_time + absl::Hours(1));
  ASSERT_TRUE(acked.ok()) << acked.status();
  EXPECT_EQ(acked->acknowledged_time().seconds(), 1775002000);
  EXPECT_THAT(FileIds(List()), ::testing::ElementsAre("face-b"));
  // Still found by its file (a redelivered file stays recorded once).
  absl::StatusOr<std::optional<v1::CheckinEvent>> found = checkins_->FindCheckinByFileId("face-a");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_TRUE((*found)->has_acknowledged_time());
  absl::StatusOr<v1::CheckinEvent> unknown =
      checkins_->AcknowledgeCheckin("ev-unknown", first_time);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Reason(unknown.status()), "ONSHI_CHECKIN_NOT_FOUND");
}

TEST_F(SqliteCheckinStoreTest, EventsSurviveReopeningAndSequencesKeepGrowing) {
  Record(MakeCheckin("ev-a", "face-a"));
  const v1::CheckinEvent b = Record(MakeCheckin("ev-b", "face-b"));
  ASSERT_TRUE(checkins_->AcknowledgeCheckin("ev-b", absl::FromUnixSeconds(1775002000)).ok());
  Open();
  EXPECT_THAT(FileIds(List()), ::testing::ElementsAre("face-a"));
  const v1::CheckinEvent c = Record(MakeCheckin("ev-c", "face-c"));
  EXPECT_GT(c.sequence(), b.sequence());
  absl::StatusOr<std::optional<v1::CheckinEvent>> found = checkins_->FindCheckinByFileId("face-b");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->event_id(), "ev-b");
}

TEST_F(SqliteCheckinStoreTest, UnacknowledgedListUsesItsIndex) {
  RawDb raw(dir_.File("onshi.db"));
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw.db(),
                               "EXPLAIN QUERY PLAN SELECT sequence, content, acknowledged_time "
                               "FROM checkin_events WHERE acknowledged_time IS NULL AND "
                               "sequence > 0 ORDER BY sequence LIMIT 10",
                               -1, &stmt, nullptr),
            SQLITE_OK);
  std::string plan;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    plan += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
    plan += "\n";
  }
  sqlite3_finalize(stmt);
  EXPECT_THAT(plan, ::testing::HasSubstr("checkin_events_unacknowledged")) << plan;
}

}  // namespace
}  // namespace onshi
