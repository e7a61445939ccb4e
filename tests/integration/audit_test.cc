// The audit log end to end (docs/audit.md): calls through the C ABI on onshid's socket leave one
// row each with the host's user id, the operation, the internal patient id and the outcome; a
// call whose row cannot be written fails with ONSHI_AUDIT_UNAVAILABLE; `onshid audit-verify`
// passes the live log and catches a tampered copy.

#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "tests/integration/expectations.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

class AuditLogTest : public SharedStackTest<AuditLogTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "audit";
    return options;
  }
};

// A read/write SQLite connection to onshid's live store (WAL: safe next to onshid).
class Db {
 public:
  explicit Db(const std::string& path) {
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Db() { sqlite3_close_v2(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  int Exec(const std::string& sql) {
    return sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  }

  // The rows of `sql` (one text parameter bound to ?1), every column as text.
  std::vector<std::vector<std::string>> Rows(const std::string& sql, const std::string& param) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
    sqlite3_bind_text(stmt, 1, param.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
        const auto* text = sqlite3_column_blob(stmt, i);
        row.emplace_back(static_cast<const char*>(text),
                         static_cast<size_t>(sqlite3_column_bytes(stmt, i)));
      }
      rows.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return rows;
  }

 private:
  sqlite3* db_ = nullptr;
};

ClientPtr OpenClientAs(const std::string& socket_path, const char* user_id) {
  onshi_client_options* options = onshi_client_options_new();
  EXPECT_NE(options, nullptr);
  EXPECT_EQ(onshi_client_options_set_socket_path(options, socket_path.c_str(), nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_client_options_set_user_id(options, user_id, nullptr), ONSHI_OK);
  onshi_client* client = nullptr;
  onshi_error* error = nullptr;
  EXPECT_EQ(onshi_client_open(options, &client, &error), ONSHI_OK) << onshi_error_it_message(error);
  onshi_error_free(error);
  onshi_client_options_free(options);
  return ClientPtr(client);
}

// Runs `onshid audit-verify <args>`; returns its exit status and stdout.
int RunAuditVerify(const Stack& stack, const std::vector<std::string>& args, std::string* out) {
  SpawnOptions spawn;
  spawn.argv = {ONSHI_IT_ONSHID_BINARY, "audit-verify"};
  spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
  spawn.stdout_path = stack.root() + "/audit-verify.out";
  spawn.stderr_path = stack.root() + "/audit-verify.err";
  spawn.wait_for_ready = false;
  std::string error;
  std::unique_ptr<Process> process = Process::Spawn(spawn, &error);
  EXPECT_NE(process, nullptr) << error;
  if (process == nullptr) return -1;
  int status = 0;
  EXPECT_TRUE(process->WaitForExit(kStopTimeout, &status));
  *out = ReadFile(spawn.stdout_path);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

constexpr char kRowsOfPatient[] =
    "SELECT user_id, operation, outcome_code, outcome_reason FROM audit_log "
    "WHERE CAST(patient_id AS TEXT) = ?1 ORDER BY seq";

TEST_F(AuditLogTest, EveryCallLeavesOneRowWithUserOperationPatientAndOutcome) {
  ClientPtr client = OpenClientAs(stack().socket_path(), "clerk07");
  ASSERT_NE(client, nullptr);

  RequestSpec spec;
  spec.patient_id = "audit-p1";
  RequestPtr request = NewRequestFor(PatientByScenario("valid-kyokai-honnin"), spec);
  CheckOutcome outcome = Check(client.get(), request.get());
  ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
  stack().NoteAnswered(outcome.result.get());

  // Another user logs in to the host: later calls carry the new id.
  ASSERT_EQ(onshi_client_set_user_id(client.get(), "dr.tanaka@clinic", nullptr), ONSHI_OK);
  ASSERT_TRUE(GetPatientRecord(client.get(), "audit-p1").has_value());
  // A failed call is recorded with its reason.
  onshi_status status = ONSHI_OK;
  std::string reason;
  EXPECT_FALSE(GetPatientRecord(client.get(), "audit-nobody", &status, &reason).has_value());
  // "" clears the id.
  ASSERT_EQ(onshi_client_set_user_id(client.get(), "", nullptr), ONSHI_OK);
  ASSERT_TRUE(GetPatientRecord(client.get(), "audit-p1").has_value());

  Db db(stack().state_dir() + "/onshi.db");
  const auto rows = db.Rows(kRowsOfPatient, "audit-p1");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"clerk07", "CheckQualification", "OK", ""}));
  EXPECT_EQ(rows[1], (std::vector<std::string>{"dr.tanaka@clinic", "GetPatientRecord", "OK", ""}));
  EXPECT_EQ(rows[2], (std::vector<std::string>{"", "GetPatientRecord", "OK", ""}));
  const auto failed = db.Rows(kRowsOfPatient, "audit-nobody");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(failed[0][0], "dr.tanaka@clinic");
  EXPECT_EQ(failed[0][2], "NOT_FOUND");
  EXPECT_EQ(failed[0][3], reason);
  // No patient data in any row: the dataset's values never appear.
  const auto everything = db.Rows(
      "SELECT user_id || operation || CAST(patient_id AS TEXT) || CAST(request_id AS TEXT) || "
      "outcome_code || outcome_reason FROM audit_log WHERE ?1 = ?1",
      "");
  const std::vector<Canary> canaries = PhiCanaries();
  for (const auto& row : everything) {
    EXPECT_TRUE(FindCanaries(row[0], canaries).empty());
  }

  std::string out;
  EXPECT_EQ(RunAuditVerify(stack(), {"--config", stack().config_path()}, &out), 0) << out;
  EXPECT_NE(out.find("audit log intact: "), std::string::npos) << out;
}

TEST_F(AuditLogTest, InvalidUserIdsAreRefusedAtTheCApi) {
  ClientPtr client = OpenClientAs(stack().socket_path(), "clerk07");
  ASSERT_NE(client, nullptr);
  const std::string too_long(65, 'a');
  for (const std::string& bad :
       {std::string("two words"), std::string("名前"), std::string("x/y"), too_long}) {
    onshi_error* error = nullptr;
    EXPECT_EQ(onshi_client_set_user_id(client.get(), bad.c_str(), &error), ONSHI_INVALID_ARGUMENT);
    EXPECT_STREQ(onshi_error_reason(error), "ONSHI_INVALID_USER_ID");
    onshi_error_free(error);
  }
  onshi_client_options* options = onshi_client_options_new();
  onshi_error* error = nullptr;
  EXPECT_EQ(onshi_client_options_set_user_id(options, "a b", &error), ONSHI_INVALID_ARGUMENT);
  EXPECT_STREQ(onshi_error_reason(error), "ONSHI_INVALID_USER_ID");
  onshi_error_free(error);
  EXPECT_EQ(onshi_client_options_set_user_id(nullptr, "a", nullptr), ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_client_set_user_id(nullptr, "a", nullptr), ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(onshi_client_set_user_id(client.get(), nullptr, nullptr), ONSHI_INVALID_ARGUMENT);
  onshi_client_options_free(options);
}

TEST_F(AuditLogTest, CallFailsWithAuditUnavailableWhenItsRowCannotBeWritten) {
  ClientPtr client = OpenClientAs(stack().socket_path(), "clerk07");
  ASSERT_NE(client, nullptr);
  RequestSpec spec;
  spec.patient_id = "audit-p2";
  RequestPtr request = NewRequestFor(PatientByScenario("valid-kyokai-honnin"), spec);
  CheckOutcome first = Check(client.get(), request.get());
  ASSERT_EQ(first.status, ONSHI_OK) << first.Describe();
  stack().NoteAnswered(first.result.get());

  Db db(stack().state_dir() + "/onshi.db");
  ASSERT_EQ(db.Exec("CREATE TRIGGER audit_refuse BEFORE INSERT ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"),
            SQLITE_OK);
  onshi_status status = ONSHI_OK;
  std::string reason;
  EXPECT_FALSE(GetPatientRecord(client.get(), "audit-p2", &status, &reason).has_value());
  EXPECT_EQ(status, ONSHI_UNAVAILABLE);
  EXPECT_EQ(reason, "ONSHI_AUDIT_UNAVAILABLE");
  // The same check again (idempotent by request_id): withheld too.
  CheckOutcome again = Check(client.get(), request.get());
  EXPECT_EQ(again.status, ONSHI_UNAVAILABLE) << again.Describe();
  EXPECT_EQ(again.reason(), "ONSHI_AUDIT_UNAVAILABLE");
  EXPECT_EQ(again.result, nullptr);

  // Once rows can be written again, calls succeed again and the chain is intact.
  ASSERT_EQ(db.Exec("DROP TRIGGER audit_refuse"), SQLITE_OK);
  EXPECT_TRUE(GetPatientRecord(client.get(), "audit-p2").has_value());
  std::string out;
  EXPECT_EQ(RunAuditVerify(stack(), {"--config", stack().config_path()}, &out), 0) << out;
}

TEST_F(AuditLogTest, AuditVerifyNamesTheFirstBadRowOfATamperedCopy) {
  ClientPtr client = OpenClientAs(stack().socket_path(), "clerk07");
  ASSERT_NE(client, nullptr);
  for (int i = 0; i < 3; ++i) GetPatientRecord(client.get(), "audit-p3");

  // A consistent copy of the live store with its key and anchor (nothing runs in between).
  const std::string copy = stack().root() + "/audit-copy";
  RemoveTree(copy);
  ASSERT_EQ(mkdir(copy.c_str(), 0700), 0);
  {
    Db db(stack().state_dir() + "/onshi.db");
    ASSERT_EQ(db.Exec("VACUUM INTO '" + copy + "/onshi.db'"), SQLITE_OK);
  }
  ASSERT_TRUE(WriteFile(copy + "/audit.key", ReadFile(stack().state_dir() + "/audit.key")));
  ASSERT_TRUE(WriteFile(copy + "/audit.head", ReadFile(stack().state_dir() + "/audit.head")));
  std::string out;
  ASSERT_EQ(RunAuditVerify(stack(), {"--state-dir", copy}, &out), 0) << out;

  int64_t seq = 0;
  {
    Db db(copy + "/onshi.db");
    const auto rows = db.Rows(
        "SELECT seq FROM audit_log WHERE CAST(patient_id AS TEXT) = ?1 ORDER BY seq", "audit-p3");
    ASSERT_EQ(rows.size(), 3u);
    seq = std::stoll(rows[1][0]);
    // Someone with write access to the file drops the guard and rewrites who did it.
    ASSERT_EQ(db.Exec("DROP TRIGGER audit_log_no_update"), SQLITE_OK);
    ASSERT_EQ(
        db.Exec("UPDATE audit_log SET user_id = 'someone.else' WHERE seq = " + std::to_string(seq)),
        SQLITE_OK);
  }
  EXPECT_EQ(RunAuditVerify(stack(), {"--state-dir", copy}, &out), 1) << out;
  EXPECT_NE(out.find("edited at seq " + std::to_string(seq)), std::string::npos) << out;
  RemoveTree(copy);
}

}  // namespace
}  // namespace onshi::integration
