// Schema migration 2 on a database that release 1 filled: every row kept, confirmations in the
// order release 1 gave them, identity digests backfilled, and all of it in one transaction.

#include <sqlite3.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "adapters/store_sqlite/connection.h"
#include "adapters/store_sqlite/schema.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_support::FakeClock;
using testing_support::MakeAnswer;
using testing_support::MakeConfirmation;
using testing_support::MakeCoverage;
using testing_support::MakeEntry;
using testing_support::MakeResponse;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

constexpr int64_t kT0 = 1775001600LL * 1000000;

using Value = std::variant<int64_t, std::string, std::nullptr_t>;

// Runs one statement with bound values (strings are bound as BLOBs, as the store binds ids and
// messages).
void RunSql(RawDb& raw, const char* sql, const std::vector<Value>& values) {
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw.db(), sql, -1, &stmt, nullptr), SQLITE_OK) << sql;
  for (size_t i = 0; i < values.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const auto* number = std::get_if<int64_t>(&values[i])) {
      sqlite3_bind_int64(stmt, index, *number);
    } else if (const auto* bytes = std::get_if<std::string>(&values[i])) {
      sqlite3_bind_blob(stmt, index, bytes->data(), static_cast<int>(bytes->size()),
                        SQLITE_TRANSIENT);
    } else {
      sqlite3_bind_null(stmt, index);
    }
  }
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_DONE) << sql << ": " << sqlite3_errmsg(raw.db());
  sqlite3_finalize(stmt);
}

std::string Bytes(const google::protobuf::MessageLite& message) {
  std::string bytes;
  EXPECT_TRUE(message.SerializeToString(&bytes));
  return bytes;
}

v1::InsuranceIdentifiers Ids(const std::string& insurer, const std::string& number) {
  v1::InsuranceIdentifiers ids;
  ids.set_insurer_number(insurer);
  ids.set_insured_card_symbol("１２３");
  ids.set_insured_identification_number(number);
  ids.set_insured_branch_number("01");
  return ids;
}

v1::CoverageVersion Coverage(int64_t version, const std::string& request_id,
                             const v1::InsuranceIdentifiers& ids, const std::string& birth_date) {
  v1::CoverageVersion coverage =
      MakeCoverage(version - 1, "name", ids.insurer_number(), request_id).version;
  *coverage.mutable_coverage()->mutable_identifiers() = ids;
  coverage.mutable_coverage()->set_birth_date(birth_date);
  coverage.mutable_recorded_time()->set_seconds(kT0 / 1000000 + version);
  return coverage;
}

// A file at schema version 1, as release 1's code left it: its migration (the real step of
// schema.cc), then rows as its CreateRequest and ApplyTransition wrote them.
class MigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(path_).close();
    absl::StatusOr<std::unique_ptr<store_sqlite::Connection>> connection =
        store_sqlite::Connection::Open(path_, store_sqlite::ConnectionOptions());
    ASSERT_TRUE(connection.ok()) << connection.status();
    absl::Status migrated = store_sqlite::MigrateTo(**connection, clock_, 1);
    ASSERT_TRUE(migrated.ok()) << migrated;
  }

  void AddPatient(RawDb& raw, const std::string& patient_id) {
    RunSql(raw, "INSERT INTO patients (patient_id, created_time) VALUES (?1, ?2)",
           {patient_id, kT0});
  }

  void AddRequest(RawDb& raw, const std::string& request_id, const std::string& patient_id,
                  int64_t created, LedgerState state) {
    const LedgerEntry entry = MakeEntry(request_id, patient_id);
    const std::string response = state == LedgerState::kPending
                                     ? std::string()
                                     : Bytes(MakeResponse(v1::CHECK_OUTCOME_ANSWERED, "name"));
    RunSql(raw,
           "INSERT INTO requests (request_id, file_id, state, patient_id, created_time, deadline, "
           "updated_time, request, response, error_code, error) "
           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7, ?8, 0, ?9)",
           {request_id, entry.file_id, static_cast<int64_t>(state),
            patient_id.empty() ? Value(nullptr) : Value(patient_id), created, created + 30000000,
            Bytes(entry.request), response, std::string()});
  }

  void AddCoverage(RawDb& raw, const std::string& patient_id, const v1::CoverageVersion& coverage,
                   const std::string& request_id) {
    RunSql(raw,
           "INSERT INTO coverage_versions (patient_id, version, recorded_time, source, request_id, "
           "validity, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
           {patient_id, coverage.version(), coverage.recorded_time().seconds() * 1000000,
            static_cast<int64_t>(coverage.provenance().source()), request_id,
            static_cast<int64_t>(coverage.validity()), Bytes(coverage)});
  }

  void AddConfirmation(RawDb& raw, const std::string& request_id, const std::string& patient_id,
                       bool late, int64_t recorded) {
    v1::Confirmation confirmation =
        MakeConfirmation(late ? v1::CHECK_OUTCOME_LATE_ANSWER : v1::CHECK_OUTCOME_ANSWERED, late);
    confirmation.set_request_id(request_id);
    RunSql(raw,
           "INSERT INTO confirmations (request_id, patient_id, outcome, validity, late, "
           "recorded_time, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
           {request_id, patient_id, static_cast<int64_t>(confirmation.outcome()),
            static_cast<int64_t>(confirmation.validity()), int64_t{late ? 1 : 0}, recorded,
            Bytes(confirmation)});
  }

  // Release 1's data: P1 with two coverage versions and three checks (two created at the same
  // microsecond), P2 with one, P3 without any, a request without patient, a pending request.
  // Confirmation rows are inserted in an order unrelated to the checks'.
  void FillVersion1() {
    RawDb raw(path_);
    AddPatient(raw, "P1");
    AddPatient(raw, "P2");
    AddPatient(raw, "P3");
    AddRequest(raw, "req-a", "P1", kT0 + 1000, LedgerState::kAnswered);
    AddRequest(raw, "req-b", "P1", kT0 + 3000, LedgerState::kAnswered);
    AddRequest(raw, "req-c", "P2", kT0 + 2000, LedgerState::kAnswered);
    AddRequest(raw, "req-d", "", kT0 + 4000, LedgerState::kFailed);
    AddRequest(raw, "req-e", "P1", kT0 + 1000, LedgerState::kLate);
    AddRequest(raw, "req-f", "P1", kT0 + 5000, LedgerState::kPending);
    AddCoverage(raw, "P1", p1_v1_, "req-a");
    AddCoverage(raw, "P1", p1_v2_, "req-b");
    AddCoverage(raw, "P2", p2_v1_, "req-c");
    AddConfirmation(raw, "req-b", "P1", false, kT0 + 13000);
    AddConfirmation(raw, "req-e", "P1", true, kT0 + 12000);
    AddConfirmation(raw, "req-c", "P2", false, kT0 + 11000);
    AddConfirmation(raw, "req-a", "P1", false, kT0 + 10000);
  }

  ScopedTempDir dir_;
  const std::string path_ = dir_.File("onshi.db");
  FakeClock clock_;
  const v1::CoverageVersion p1_v1_ = Coverage(1, "req-a", Ids("06139806", "4567"), "19850412");
  const v1::CoverageVersion p1_v2_ = Coverage(2, "req-b", Ids("01130012", "4567"), "19850412");
  const v1::CoverageVersion p2_v1_ = Coverage(1, "req-c", Ids("06139806", "1111"), "19600101");
};

// Every row of the tables that carry over, column by column (ids and messages in hex).
constexpr char kPatientsRows[] =
    "SELECT hex(patient_id) || '|' || created_time FROM patients ORDER BY patient_id";
constexpr char kRequestsRows[] =
    "SELECT seq || '|' || hex(request_id) || '|' || hex(file_id) || '|' || state || '|' || "
    "hex(patient_id) || '|' || created_time || '|' || deadline || '|' || updated_time || '|' || "
    "hex(request) || '|' || hex(response) || '|' || error_code || '|' || hex(error) "
    "FROM requests ORDER BY seq";
constexpr char kCoverageRowsV1[] =
    "SELECT hex(patient_id) || '|' || version || '|' || recorded_time || '|' || source || '|' || "
    "hex(request_id) || '|' || validity || '|' || hex(content) FROM coverage_versions "
    "ORDER BY patient_id, version";
constexpr char kCoverageRowsV2[] =
    "SELECT hex(patient_id) || '|' || version || '|' || recorded_time || '|' || source || '|' || "
    "hex(check_id) || '|' || validity || '|' || hex(content) FROM coverage_versions "
    "ORDER BY patient_id, version";
constexpr char kConfirmationRowsV1[] =
    "SELECT hex(request_id) || '|' || hex(patient_id) || '|' || outcome || '|' || validity || "
    "'|' || late || '|' || recorded_time || '|' || hex(content) FROM confirmations "
    "ORDER BY request_id";
constexpr char kConfirmationRowsV2[] =
    "SELECT hex(check_id) || '|' || hex(patient_id) || '|' || outcome || '|' || validity || "
    "'|' || late || '|' || recorded_time || '|' || hex(content) FROM confirmations "
    "ORDER BY check_id";
// Release 1's order of a patient's confirmations.
constexpr char kP1OrderV1[] =
    "SELECT c.request_id FROM confirmations AS c JOIN requests AS r "
    "ON r.request_id = c.request_id WHERE c.patient_id = CAST('P1' AS BLOB) "
    "ORDER BY r.created_time DESC, r.seq DESC";

TEST_F(MigrationTest, VersionOneDataSurvivesWithEveryRowAndTheSameOrder) {
  FillVersion1();
  std::vector<std::string> patients, requests, coverages, confirmations, p1_order;
  {
    RawDb raw(path_);
    ASSERT_EQ(raw.QueryInt("SELECT max(version) FROM schema_migrations"), 1);
    patients = raw.QueryColumn(kPatientsRows);
    requests = raw.QueryColumn(kRequestsRows);
    coverages = raw.QueryColumn(kCoverageRowsV1);
    confirmations = raw.QueryColumn(kConfirmationRowsV1);
    p1_order = raw.QueryColumn(kP1OrderV1);
  }
  ASSERT_EQ(requests.size(), 6u);
  ASSERT_EQ(confirmations.size(), 4u);
  // Release 1 put req-e (same time as req-a, inserted later) before req-a.
  ASSERT_THAT(p1_order, ElementsAre("req-b", "req-e", "req-a"));

  auto store = SqliteStore::Open(path_, &clock_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->SchemaVersion(), SqliteStore::LatestSchemaVersion());
  EXPECT_TRUE((*store)->CheckIntegrity().ok());

  RawDb raw(path_);
  EXPECT_EQ(raw.QueryColumn(kPatientsRows), patients);
  EXPECT_EQ(raw.QueryColumn(kRequestsRows), requests);
  EXPECT_EQ(raw.QueryColumn(kCoverageRowsV2), coverages);
  EXPECT_EQ(raw.QueryColumn(kConfirmationRowsV2), confirmations);
  // Each confirmation's checked_time is its ledger entry's created_time.
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM confirmations AS c JOIN requests AS r "
                         "ON r.request_id = c.check_id WHERE c.checked_time = r.created_time"),
            4);
  // The rebuilt tables no longer refer to requests, still to patients; the new index.
  for (const char* table : {"confirmations", "coverage_versions"}) {
    const std::string base = std::string("SELECT count(*) FROM pragma_foreign_key_list('") + table +
                             "') WHERE \"table\" = ";
    EXPECT_EQ(raw.QueryInt((base + "'requests'").c_str()), 0) << table;
    EXPECT_EQ(raw.QueryInt((base + "'patients'").c_str()), 1) << table;
  }
  EXPECT_EQ(raw.QueryColumn("SELECT name FROM pragma_index_info('confirmations_by_patient') "
                            "ORDER BY seqno"),
            (std::vector<std::string>{"patient_id", "checked_time"}));
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM sqlite_schema WHERE name LIKE '%\\_new' "
                         "ESCAPE '\\'"),
            0);

  // The record reads as before: coverage history, and confirmations in release 1's order.
  absl::StatusOr<v1::PatientRecord> record = (*store)->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->current_coverage().version(), 2);
  EXPECT_EQ(record->current_coverage().coverage().identifiers().insurer_number(), "01130012");
  ASSERT_EQ(record->coverage_history_size(), 1);
  std::vector<std::string> order;
  for (const v1::Confirmation& confirmation : record->confirmations()) {
    order.push_back(confirmation.request_id());
  }
  EXPECT_EQ(order, p1_order);
  EXPECT_TRUE(record->confirmations(1).late());

  // The ledger is untouched and goes on: the pending request is answered, newest first now.
  LedgerTransition answer = MakeAnswer("req-f", "name");
  answer.coverage = MakeCoverage(2, "name", "01130012", "req-f");
  ASSERT_TRUE((*store)->ApplyTransition(answer).ok());
  record = (*store)->GetPatientRecord("P1");
  ASSERT_TRUE(record.ok());
  ASSERT_EQ(record->confirmations_size(), 4);
  EXPECT_EQ(record->confirmations(0).request_id(), "req-f");
  absl::StatusOr<std::optional<LedgerEntry>> failed = (*store)->FindRequest("req-d");
  ASSERT_TRUE(failed.ok() && failed->has_value());
  EXPECT_EQ((*failed)->state, LedgerState::kFailed);
}

TEST_F(MigrationTest, DigestsAreBackfilledForEveryCurrentCoverage) {
  FillVersion1();
  auto store = SqliteStore::Open(path_, &clock_);
  ASSERT_TRUE(store.ok()) << store.status();
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM store_keys"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT length(value) FROM store_keys"), 32);
  // P1 and P2 (P3 has no coverage), by their current coverage only.
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM patient_identities"), 2);
  auto find = [&](const v1::CoverageVersion& coverage) {
    absl::StatusOr<std::vector<std::string>> found = (*store)->FindPatientsByIdentity(
        coverage.coverage().identifiers(), coverage.coverage().birth_date());
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::vector<std::string>{"error"};
  };
  EXPECT_EQ(find(p1_v2_), std::vector<std::string>{"P1"});
  EXPECT_EQ(find(p2_v1_), std::vector<std::string>{"P2"});
  EXPECT_TRUE(find(p1_v1_).empty());
}

TEST_F(MigrationTest, FailingBackfillLeavesTheVersionOneFileAsItWas) {
  FillVersion1();
  std::vector<std::string> schema;
  {
    RawDb raw(path_);
    // A coverage that does not parse: the digest backfill (C++ after the DDL) fails.
    ASSERT_EQ(raw.Exec("UPDATE coverage_versions SET content = X'FFFF' "
                       "WHERE patient_id = CAST('P2' AS BLOB)"),
              SQLITE_OK);
    schema = raw.QueryColumn("SELECT name || ':' || sql FROM sqlite_schema ORDER BY name");
  }
  auto store = SqliteStore::Open(path_, &clock_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(Reason(store.status()), "ONSHI_INTERNAL");
  EXPECT_THAT(store.status().message(), HasSubstr("coverage_versions.content does not parse"));
  // The whole step rolled back: version 1, release 1's tables, no key.
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT max(version) FROM schema_migrations"), 1);
  EXPECT_EQ(raw.QueryColumn("SELECT name || ':' || sql FROM sqlite_schema ORDER BY name"), schema);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM confirmations"), 4);
}

TEST_F(MigrationTest, EmptyVersionOneFileMigrates) {
  auto store = SqliteStore::Open(path_, &clock_);
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_EQ(*(*store)->SchemaVersion(), SqliteStore::LatestSchemaVersion());
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM store_keys"), 1);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM patient_identities"), 0);
}

}  // namespace
}  // namespace onshi
