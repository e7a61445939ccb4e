#include "tests/unit/store_sqlite/test_support.h"

#include <stdlib.h>

#include <filesystem>

#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace testing_support {

absl::Time FakeClock::Now() const { return absl::FromUnixMicros(micros_.fetch_add(1000)); }

void FakeClock::Advance(absl::Duration by) { micros_.fetch_add(absl::ToInt64Microseconds(by)); }

ScopedTempDir::ScopedTempDir() {
  std::string pattern = ::testing::TempDir() + "onshi_store_XXXXXX";
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) ADD_FAILURE() << "mkdtemp failed";
  path_ = pattern;
}

ScopedTempDir::~ScopedTempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

LedgerEntry MakeEntry(const std::string& request_id, const std::string& patient_id,
                      absl::Time deadline) {
  LedgerEntry entry;
  entry.request_id = request_id;
  entry.file_id = "F-" + request_id;
  entry.patient_id = patient_id;
  entry.deadline = deadline;
  entry.request.set_request_id(request_id);
  entry.request.mutable_identifiers()->set_insurer_number("06139806");
  entry.request.mutable_identifiers()->set_insured_card_symbol("１２３");
  entry.request.mutable_identifiers()->set_insured_identification_number("4567");
  entry.request.mutable_identifiers()->set_insured_branch_number("01");
  entry.request.set_birth_date("19850412");
  entry.request.set_confirmation_date("20260401");
  entry.request.set_patient_id(patient_id);
  return entry;
}

v1::CheckQualificationResponse MakeResponse(v1::CheckOutcome outcome, const std::string& name) {
  v1::CheckQualificationResponse response;
  response.set_outcome(outcome);
  response.mutable_result()->set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
  v1::QualificationRecord* record = response.mutable_result()->add_records();
  record->set_name(name);
  record->mutable_identifiers()->set_insurer_number("06139806");
  response.mutable_billing()->set_eligible(true);
  response.mutable_billing()->set_copay_ratio_percent(30);
  return response;
}

v1::Confirmation MakeConfirmation(v1::CheckOutcome outcome, bool late) {
  v1::Confirmation confirmation;
  confirmation.set_outcome(outcome);
  confirmation.set_validity(v1::QUALIFICATION_VALIDITY_VALID);
  confirmation.set_late(late);
  confirmation.mutable_provenance()->set_source(v1::SOURCE_TERMINAL_ANSWER);
  confirmation.mutable_provenance()->set_confirmation_date("20260401");
  return confirmation;
}

CoverageUpdate MakeCoverage(int64_t expected_version, const std::string& name,
                            const std::string& insurer_number, const std::string& request_id) {
  CoverageUpdate update;
  update.expected_version = expected_version;
  update.version.set_version(expected_version + 1);
  update.version.mutable_coverage()->set_name(name);
  v1::InsuranceIdentifiers* ids = update.version.mutable_coverage()->mutable_identifiers();
  ids->set_insurer_number(insurer_number);
  ids->set_insured_card_symbol("１２３");
  ids->set_insured_identification_number("4567");
  ids->set_insured_branch_number("01");
  update.version.mutable_coverage()->set_birth_date("19850412");
  update.version.set_validity(v1::QUALIFICATION_VALIDITY_VALID);
  update.version.mutable_provenance()->set_source(v1::SOURCE_TERMINAL_ANSWER);
  update.version.mutable_provenance()->set_request_id(request_id);
  v1::FieldProvenance field;
  field.set_version(expected_version + 1);
  field.mutable_provenance()->set_request_id(request_id);
  (*update.version.mutable_field_provenance())["name"] = field;
  (*update.version.mutable_field_provenance())["identifiers.insurer_number"] = field;
  return update;
}

LedgerTransition MakeAnswer(const std::string& request_id, const std::string& name) {
  LedgerTransition transition;
  transition.request_id = request_id;
  transition.from = LedgerState::kPending;
  transition.to = LedgerState::kAnswered;
  transition.response = MakeResponse(v1::CHECK_OUTCOME_ANSWERED, name);
  transition.confirmation = MakeConfirmation(v1::CHECK_OUTCOME_ANSWERED, /*late=*/false);
  return transition;
}

std::string Reason(const absl::Status& status) { return std::string(ReasonOf(status)); }

RawDb::RawDb(const std::string& path) {
  const int rc = sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr);
  EXPECT_EQ(rc, SQLITE_OK) << sqlite3_errstr(rc);
  sqlite3_busy_timeout(db_, 5000);
}

RawDb::~RawDb() { sqlite3_close_v2(db_); }

int RawDb::Exec(const char* sql) { return sqlite3_exec(db_, sql, nullptr, nullptr, nullptr); }

int64_t RawDb::QueryInt(const char* sql) {
  sqlite3_stmt* stmt = nullptr;
  int64_t value = -1;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    value = sqlite3_column_int64(stmt, 0);
  }
  sqlite3_finalize(stmt);
  return value;
}

std::vector<std::string> RawDb::QueryColumn(const char* sql) {
  std::vector<std::string> values;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << "cannot prepare: " << sql;
    return values;
  }
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    const void* data = sqlite3_column_blob(stmt, 0);
    const int size = sqlite3_column_bytes(stmt, 0);
    values.emplace_back(data == nullptr ? "" : std::string(static_cast<const char*>(data), size));
  }
  sqlite3_finalize(stmt);
  return values;
}

bool RawDb::Counts::operator==(const Counts& other) const {
  return patients == other.patients && requests == other.requests &&
         coverage_versions == other.coverage_versions && confirmations == other.confirmations &&
         patient_identities == other.patient_identities && schema_objects == other.schema_objects;
}

RawDb::Counts RawDb::RowCounts() {
  Counts counts;
  counts.patients = QueryInt("SELECT count(*) FROM patients");
  counts.requests = QueryInt("SELECT count(*) FROM requests");
  counts.coverage_versions = QueryInt("SELECT count(*) FROM coverage_versions");
  counts.confirmations = QueryInt("SELECT count(*) FROM confirmations");
  counts.patient_identities = QueryInt("SELECT count(*) FROM patient_identities");
  counts.schema_objects = QueryInt("SELECT count(*) FROM sqlite_schema");
  return counts;
}

}  // namespace testing_support
}  // namespace onshi
