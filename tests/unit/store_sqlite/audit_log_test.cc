// The audit log on SQLite: rows chain, the table refuses UPDATE and DELETE, a reopened log
// continues its chain, concurrent appends stay consistent, and the verifier finds every one of
// 1,000 random tamperings (done behind the triggers' back) and raises no alarm on clean logs.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/store_sqlite/audit_verify.h"
#include "adapters/store_sqlite/sqlite_audit_log.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/audit.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using testing_support::FakeClock;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

AuditEntry Entry(int n) {
  AuditEntry entry;
  entry.time = absl::FromUnixMicros(1775001600LL * 1000000 + n * 1000LL);
  entry.user_id = absl::StrCat("clerk", n % 7);
  entry.operation = n % 3 == 0 ? "CheckQualification" : "GetPatientRecord";
  entry.patient_id = n % 5 == 0 ? "" : absl::StrCat("P-", n % 11);
  entry.request_id = absl::StrCat("R-", n);
  entry.outcome_code = n % 4 == 0 ? "UNAVAILABLE" : "OK";
  entry.outcome_reason = n % 4 == 0 ? "ONSHI_TERMINAL_UNAVAILABLE" : "";
  return entry;
}

// A store and its audit log in one directory (state_dir = the directory).
class Fixture {
 public:
  explicit Fixture(const std::string& dir) : dir_(dir) { Reopen(); }

  void Reopen() {
    log_.reset();
    store_.reset();
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Db(), &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    absl::StatusOr<std::unique_ptr<SqliteAuditLog>> log = SqliteAuditLog::Open(store_.get(), dir_);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = *std::move(log);
  }

  void Close() {
    log_.reset();
    store_.reset();
  }

  std::string Db() const { return dir_ + "/onshi.db"; }
  SqliteAuditLog& log() { return *log_; }
  SqliteStore& store() { return *store_; }

  AuditVerdict Verify() {
    absl::StatusOr<AuditVerdict> verdict = VerifyAuditFiles(Db(), dir_);
    EXPECT_TRUE(verdict.ok()) << verdict.status();
    return verdict.ok() ? *verdict : AuditVerdict{AuditDamage::kKeyMismatch, -1, -1};
  }

 private:
  const std::string dir_;
  FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteAuditLog> log_;
};

TEST(SqliteAuditLogTest, AppendedRowsChainAndVerify) {
  ScopedTempDir dir;
  Fixture fixture(dir.path());
  for (int n = 1; n <= 10; ++n) ASSERT_TRUE(fixture.log().Append(Entry(n)).ok());
  EXPECT_EQ(fixture.log().last_seq(), 10);
  const AuditVerdict verdict = fixture.Verify();
  EXPECT_EQ(verdict.damage, AuditDamage::kNone);
  EXPECT_EQ(verdict.rows, 10);

  // The stored row is exactly the entry, and its MAC follows the previous one.
  RawDb raw(fixture.Db());
  EXPECT_EQ(raw.QueryColumn("SELECT user_id FROM audit_log WHERE seq = 3")[0], "clerk3");
  EXPECT_EQ(raw.QueryColumn("SELECT request_id FROM audit_log WHERE seq = 3")[0], "R-3");
  const std::string mac2 = raw.QueryColumn("SELECT mac FROM audit_log WHERE seq = 2")[0];
  const std::string mac3 = raw.QueryColumn("SELECT mac FROM audit_log WHERE seq = 3")[0];
  absl::StatusOr<std::string> key = [&]() -> absl::StatusOr<std::string> {
    std::ifstream in(AuditKeyPath(dir.path()), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  ASSERT_EQ(key->size(), kAuditKeyBytes);
  EXPECT_EQ(AuditMac(*key, mac2, 3, Entry(3)), mac3);
}

TEST(SqliteAuditLogTest, KeyFileIsPrivateAndAnchorNamesTheLastRow) {
  ScopedTempDir dir;
  Fixture fixture(dir.path());
  ASSERT_TRUE(fixture.log().Append(Entry(1)).ok());
  ASSERT_TRUE(fixture.log().Append(Entry(2)).ok());
  struct stat st;
  ASSERT_EQ(::stat(AuditKeyPath(dir.path()).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(st.st_size, 32);
  std::ifstream in(AuditHeadPath(dir.path()));
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  std::optional<AuditHead> head = ParseAuditHead(text);
  ASSERT_TRUE(head.has_value()) << text;
  EXPECT_EQ(head->seq, 2);
  RawDb raw(fixture.Db());
  EXPECT_EQ(head->mac, raw.QueryColumn("SELECT mac FROM audit_log WHERE seq = 2")[0]);
}

TEST(SqliteAuditLogTest, TriggersRefuseUpdateAndDelete) {
  ScopedTempDir dir;
  Fixture fixture(dir.path());
  ASSERT_TRUE(fixture.log().Append(Entry(1)).ok());
  RawDb raw(fixture.Db());
  EXPECT_NE(raw.Exec("UPDATE audit_log SET user_id = 'someone' WHERE seq = 1"), SQLITE_OK);
  EXPECT_NE(raw.Exec("DELETE FROM audit_log WHERE seq = 1"), SQLITE_OK);
  EXPECT_NE(raw.Exec("DELETE FROM audit_log"), SQLITE_OK);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM audit_log"), 1);
  EXPECT_EQ(raw.QueryColumn("SELECT user_id FROM audit_log")[0], "clerk1");
}

TEST(SqliteAuditLogTest, ReopenedLogContinuesTheChain) {
  ScopedTempDir dir;
  Fixture fixture(dir.path());
  for (int n = 1; n <= 3; ++n) ASSERT_TRUE(fixture.log().Append(Entry(n)).ok());
  fixture.Reopen();
  EXPECT_EQ(fixture.log().last_seq(), 3);
  for (int n = 4; n <= 6; ++n) ASSERT_TRUE(fixture.log().Append(Entry(n)).ok());
  const AuditVerdict verdict = fixture.Verify();
  EXPECT_EQ(verdict.damage, AuditDamage::kNone);
  EXPECT_EQ(verdict.rows, 6);
}

TEST(SqliteAuditLogTest, ConcurrentAppendsFromEightThreadsFormOneValidChain) {
  ScopedTempDir dir;
  Fixture fixture(dir.path());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&fixture, t] {
      for (int i = 0; i < 25; ++i) EXPECT_TRUE(fixture.log().Append(Entry(t * 100 + i)).ok());
    });
  }
  for (std::thread& thread : threads) thread.join();
  const AuditVerdict verdict = fixture.Verify();
  EXPECT_EQ(verdict.damage, AuditDamage::kNone);
  EXPECT_EQ(verdict.rows, 200);
  EXPECT_EQ(fixture.log().last_seq(), 200);
}

TEST(SqliteAuditLogTest, RefusesEntriesWithoutOperationOrWithOverlongFields) {
  ScopedTempDir dir;
  Fixture fixture(dir.path());
  AuditEntry entry = Entry(1);
  entry.operation.clear();
  EXPECT_EQ(Reason(fixture.log().Append(entry)), "ONSHI_INVALID_ARGUMENT");
  entry = Entry(1);
  entry.patient_id.assign(kMaxAuditFieldBytes + 1, 'x');
  EXPECT_EQ(Reason(fixture.log().Append(entry)), "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(fixture.log().last_seq(), 0);
}

TEST(SqliteAuditLogTest, AppendFailsWithAuditUnavailableWhenTheRowCannotBeWritten) {
  ScopedTempDir dir;
  Fixture fixture(dir.path());
  ASSERT_TRUE(fixture.log().Append(Entry(1)).ok());
  {
    RawDb raw(fixture.Db());
    ASSERT_EQ(raw.Exec("CREATE TRIGGER refuse BEFORE INSERT ON audit_log "
                       "BEGIN SELECT RAISE(ABORT, 'no'); END"),
              SQLITE_OK);
  }
  const absl::Status status = fixture.log().Append(Entry(2));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Reason(status), "ONSHI_AUDIT_UNAVAILABLE");
  EXPECT_EQ(fixture.log().last_seq(), 1);
  EXPECT_EQ(fixture.Verify().damage, AuditDamage::kNone);
}

TEST(SqliteAuditLogTest, RefusesToOpenWithAKeyReadableByOthers) {
  ScopedTempDir dir;
  Fixture fixture(dir.path());
  ASSERT_TRUE(fixture.log().Append(Entry(1)).ok());
  fixture.Close();
  ASSERT_EQ(::chmod(AuditKeyPath(dir.path()).c_str(), 0644), 0);
  FakeClock clock;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(fixture.Db(), &clock);
  ASSERT_TRUE(store.ok());
  absl::StatusOr<std::unique_ptr<SqliteAuditLog>> log =
      SqliteAuditLog::Open(store->get(), dir.path());
  EXPECT_EQ(Reason(log.status()), "ONSHI_AUDIT_UNAVAILABLE");
}

TEST(SqliteAuditLogTest, RefusesToOpenWithoutKeyOrAnchorWhenTheLogHasRows) {
  for (const char* missing : {"audit.key", "audit.head"}) {
    SCOPED_TRACE(missing);
    ScopedTempDir dir;
    Fixture fixture(dir.path());
    ASSERT_TRUE(fixture.log().Append(Entry(1)).ok());
    fixture.Close();
    ASSERT_EQ(std::remove(dir.File(missing).c_str()), 0);
    FakeClock clock;
    absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(fixture.Db(), &clock);
    ASSERT_TRUE(store.ok());
    absl::StatusOr<std::unique_ptr<SqliteAuditLog>> log =
        SqliteAuditLog::Open(store->get(), dir.path());
    EXPECT_EQ(Reason(log.status()), "ONSHI_AUDIT_UNAVAILABLE");
    EXPECT_FALSE(std::filesystem::exists(dir.File("audit.key")) &&
                 std::string(missing) == "audit.key");
  }
}

TEST(SqliteAuditLogTest, RefusesToOpenATruncatedLogButAcceptsOneAheadOfItsAnchor) {
  ScopedTempDir dir;
  Fixture fixture(dir.path());
  for (int n = 1; n <= 3; ++n) ASSERT_TRUE(fixture.log().Append(Entry(n)).ok());
  std::ifstream in(AuditHeadPath(dir.path()));
  const std::string at_three((std::istreambuf_iterator<char>(in)), {});
  in.close();
  ASSERT_TRUE(fixture.log().Append(Entry(4)).ok());
  fixture.Close();

  // A crash between the commit of row 4 and the anchor's update: accepted, anchor caught up.
  { std::ofstream(AuditHeadPath(dir.path()), std::ios::trunc) << at_three; }
  EXPECT_EQ(Fixture(dir.path()).Verify().damage, AuditDamage::kNone);
  {
    Fixture reopened(dir.path());
    EXPECT_EQ(reopened.log().last_seq(), 4);
  }
  std::ifstream again(AuditHeadPath(dir.path()));
  const std::string text((std::istreambuf_iterator<char>(again)), {});
  ASSERT_TRUE(ParseAuditHead(text).has_value());
  EXPECT_EQ(ParseAuditHead(text)->seq, 4);

  // The tail cut behind the triggers' back: refused.
  {
    RawDb raw(fixture.Db());
    ASSERT_EQ(raw.Exec("DROP TRIGGER audit_log_no_delete"), SQLITE_OK);
    ASSERT_EQ(raw.Exec("DELETE FROM audit_log WHERE seq = 4"), SQLITE_OK);
  }
  FakeClock clock;
  absl::StatusOr<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(fixture.Db(), &clock);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(Reason(SqliteAuditLog::Open(store->get(), dir.path()).status()),
            "ONSHI_AUDIT_UNAVAILABLE");
}

// --- The verifier against tampering ---------------------------------------------------------

constexpr int kCleanRows = 200;

enum class Tamper { kEdit, kDelete, kDeleteAndRenumber, kInsert, kSwap, kTruncate, kCount };

// Reads the whole file.
std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void Exec(RawDb& raw, const std::string& sql) {
  ASSERT_EQ(raw.Exec(sql.c_str()), SQLITE_OK) << sql << ": " << sqlite3_errmsg(raw.db());
}

// Applies one tampering of `kind` to the log in `db` (kCleanRows rows), bypassing the triggers
// (dropped first, as anyone with write access to the file can). `what` describes it.
void ApplyTamper(Tamper kind, const std::string& db, std::mt19937& random, std::string* what) {
  RawDb raw(db);
  Exec(raw, "PRAGMA synchronous = OFF");  // a scratch copy: no need to wait for the disk
  Exec(raw, "DROP TRIGGER audit_log_no_update");
  Exec(raw, "DROP TRIGGER audit_log_no_delete");
  auto pick = [&random](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(random);
  };
  // First and last rows get a fair share of the picks.
  auto pick_row = [&]() {
    const int choice = pick(0, 9);
    if (choice == 0) return 1;
    if (choice == 1) return kCleanRows;
    return pick(1, kCleanRows);
  };
  switch (kind) {
    case Tamper::kEdit: {
      const int row = pick_row();
      const char* fields[] = {"time",       "user_id",      "operation",      "patient_id",
                              "request_id", "outcome_code", "outcome_reason", "mac"};
      const std::string field = fields[pick(0, 7)];
      *what = absl::StrCat("edit ", field, " of ", row);
      std::string value;
      if (field == "time") {
        value = absl::StrCat("time + ", pick(1, 1000000));
      } else if (field == "mac") {
        value = "randomblob(32)";
      } else {
        // A value the row does not hold: one of two forged values, whichever differs.
        const std::string forged = absl::StrCat("'forged", pick(0, 99), "'");
        value =
            absl::StrCat("CASE WHEN ", field, " = ", forged, " THEN 'other' ELSE ", forged, " END");
      }
      Exec(raw, absl::StrCat("UPDATE audit_log SET ", field, " = ", value, " WHERE seq = ", row));
      break;
    }
    case Tamper::kDelete: {
      const int row = pick_row();
      *what = absl::StrCat("delete ", row);
      Exec(raw, absl::StrCat("DELETE FROM audit_log WHERE seq = ", row));
      break;
    }
    case Tamper::kDeleteAndRenumber: {
      const int row = pick_row();
      *what = absl::StrCat("delete and renumber ", row);
      Exec(raw, absl::StrCat("DELETE FROM audit_log WHERE seq = ", row));
      // (Through a high range: seq is the primary key, and rows move one at a time.)
      Exec(raw, absl::StrCat("UPDATE audit_log SET seq = seq + 1000000 WHERE seq > ", row));
      Exec(raw, "UPDATE audit_log SET seq = seq - 1000001 WHERE seq > 1000000");
      break;
    }
    case Tamper::kInsert: {
      const int at = pick(1, kCleanRows + 1);
      *what = absl::StrCat("insert at ", at);
      Exec(raw, absl::StrCat("UPDATE audit_log SET seq = seq + 1000000 WHERE seq >= ", at));
      Exec(raw, "UPDATE audit_log SET seq = seq - 999999 WHERE seq > 1000000");
      // A plausible row (copied from a neighbour, another user), with a MAC the forger made up.
      const int from = at == 1 ? 2 : at - 1;
      Exec(raw, absl::StrCat("INSERT INTO audit_log (seq, time, user_id, operation, patient_id, "
                             "request_id, outcome_code, outcome_reason, mac) SELECT ",
                             at,
                             ", time, 'dr.forged', operation, patient_id, request_id, "
                             "outcome_code, outcome_reason, randomblob(32) FROM audit_log "
                             "WHERE seq = ",
                             from));
      break;
    }
    case Tamper::kSwap: {
      const int a = pick_row();
      int b = pick_row();
      while (b == a) b = pick(1, kCleanRows);
      *what = absl::StrCat("swap ", a, " and ", b);
      Exec(raw, absl::StrCat("UPDATE audit_log SET seq = 1000000 WHERE seq = ", a));
      Exec(raw, absl::StrCat("UPDATE audit_log SET seq = ", a, " WHERE seq = ", b));
      Exec(raw, absl::StrCat("UPDATE audit_log SET seq = ", b, " WHERE seq = 1000000"));
      break;
    }
    case Tamper::kTruncate: {
      const int keep = pick(0, kCleanRows - 1);
      *what = absl::StrCat("truncate after ", keep);
      Exec(raw, absl::StrCat("DELETE FROM audit_log WHERE seq > ", keep));
      break;
    }
    case Tamper::kCount:
      break;
  }
}

TEST(AuditVerifierTest, DetectsEveryOneOfAThousandRandomTamperings) {
  ScopedTempDir clean_dir;
  {
    Fixture fixture(clean_dir.path());
    for (int n = 1; n <= kCleanRows; ++n) ASSERT_TRUE(fixture.log().Append(Entry(n)).ok());
    ASSERT_EQ(fixture.Verify().damage, AuditDamage::kNone);
  }
  // The closed store is one file (its WAL checkpointed on close): copies are whole logs.
  const std::string db = Slurp(clean_dir.File("onshi.db"));
  const std::string key = Slurp(AuditKeyPath(clean_dir.path()));
  const std::string head = Slurp(AuditHeadPath(clean_dir.path()));
  ASSERT_FALSE(std::filesystem::exists(clean_dir.File("onshi.db-wal")) &&
               std::filesystem::file_size(clean_dir.File("onshi.db-wal")) > 0);

  std::mt19937 random(20261124);
  std::map<std::string, int> kinds;
  int detected = 0;
  constexpr int kTrials = 1000;
  for (int trial = 0; trial < kTrials; ++trial) {
    ScopedTempDir dir;
    std::ofstream(dir.File("onshi.db"), std::ios::binary) << db;
    std::ofstream(AuditKeyPath(dir.path()), std::ios::binary) << key;
    std::ofstream(AuditHeadPath(dir.path()), std::ios::binary) << head;
    const auto kind = static_cast<Tamper>(trial % static_cast<int>(Tamper::kCount));
    std::string what;
    ApplyTamper(kind, dir.File("onshi.db"), random, &what);
    absl::StatusOr<AuditVerdict> verdict = VerifyAuditFiles(dir.File("onshi.db"), dir.path());
    ASSERT_TRUE(verdict.ok()) << verdict.status();
    EXPECT_NE(verdict->damage, AuditDamage::kNone) << "trial " << trial << ": " << what;
    if (verdict->damage != AuditDamage::kNone) ++detected;
    EXPECT_GE(verdict->first_bad_seq, 0);
    ++kinds[std::string(AuditDamageName(verdict->damage))];
    // The kinds with one right name get it.
    if (kind == Tamper::kTruncate) {
      EXPECT_EQ(verdict->damage, AuditDamage::kTruncated) << what;
    } else if (kind == Tamper::kSwap) {
      EXPECT_EQ(verdict->damage, AuditDamage::kReordered) << what;
    } else if (kind == Tamper::kInsert) {
      EXPECT_EQ(verdict->damage, AuditDamage::kInserted) << what;
    }
  }
  EXPECT_EQ(detected, kTrials);
  for (const auto& [name, count] : kinds) std::printf("  %s: %d\n", name.c_str(), count);
}

// Ten logs written through the store (half of them across a reopen), end to end.
TEST(AuditVerifierTest, RaisesNoAlarmOnCleanLogsWrittenByTheStore) {
  std::mt19937 random(4);
  for (int log = 0; log < 10; ++log) {
    ScopedTempDir dir;
    Fixture fixture(dir.path());
    const int rows = std::uniform_int_distribution<int>(0, 12)(random);
    for (int n = 1; n <= rows; ++n) ASSERT_TRUE(fixture.log().Append(Entry(log * 50 + n)).ok());
    if (log % 2 == 1) {
      fixture.Reopen();
      ASSERT_TRUE(fixture.log().Append(Entry(log)).ok());
    }
    const AuditVerdict verdict = fixture.Verify();
    EXPECT_EQ(verdict.damage, AuditDamage::kNone) << "log " << log;
  }
}

// A hundred logs chained in memory, each under its own random key, with random sizes and field
// contents (binary ids included), some with the anchor behind the tail (a crash before the
// anchor's update): never an alarm.
TEST(AuditVerifierTest, RaisesNoAlarmOnAHundredCleanLogs) {
  std::mt19937 random(100);
  auto bytes = [&random](int max) {
    std::string out(std::uniform_int_distribution<int>(0, max)(random), '\0');
    for (char& c : out) c = static_cast<char>(random());
    return out;
  };
  for (int log = 0; log < 100; ++log) {
    std::string random_key(kAuditKeyBytes, '\0');
    for (char& c : random_key) c = static_cast<char>(random());
    const int size = std::uniform_int_distribution<int>(0, 300)(random);
    std::vector<AuditRow> rows;
    std::string prev(kAuditMacBytes, '\0');
    for (int n = 1; n <= size; ++n) {
      AuditRow row;
      row.seq = n;
      row.entry = Entry(n);
      row.entry.patient_id = bytes(40);
      row.entry.request_id = bytes(40);
      row.mac = AuditMac(random_key, prev, n, row.entry);
      prev = row.mac;
      rows.push_back(std::move(row));
    }
    AuditHead head;
    head.key_id = AuditKeyId(random_key);
    head.seq = size - (log % 3 == 0 && size > 0 ? std::min(size, 2) : 0);
    if (head.seq > 0) head.mac = rows[head.seq - 1].mac;
    const AuditVerdict verdict = VerifyAuditChain(random_key, rows, head);
    EXPECT_EQ(verdict.damage, AuditDamage::kNone) << "log " << log;
    EXPECT_EQ(verdict.rows, size);
  }
}

TEST(AuditVerifierTest, NamesTheKindAndTheFirstBadSeq) {
  ScopedTempDir dir;
  {
    Fixture fixture(dir.path());
    for (int n = 1; n <= 10; ++n) ASSERT_TRUE(fixture.log().Append(Entry(n)).ok());
  }
  const std::string db = Slurp(dir.File("onshi.db"));
  const std::string key = Slurp(AuditKeyPath(dir.path()));
  const std::string head = Slurp(AuditHeadPath(dir.path()));
  struct Case {
    const char* sql;
    AuditDamage damage;
    int64_t seq;
  } cases[] = {
      {"UPDATE audit_log SET patient_id = 'P-other' WHERE seq = 4", AuditDamage::kEdited, 4},
      {"UPDATE audit_log SET user_id = 'x' WHERE seq = 10", AuditDamage::kEdited, 10},
      {"DELETE FROM audit_log WHERE seq = 5", AuditDamage::kDeleted, 5},
      {"DELETE FROM audit_log WHERE seq = 1", AuditDamage::kDeleted, 1},
      {"DELETE FROM audit_log WHERE seq > 7", AuditDamage::kTruncated, 8},
      {"UPDATE audit_log SET seq = 1000 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 6; "
       "UPDATE audit_log SET seq = 6 WHERE seq = 1000",
       AuditDamage::kReordered, 3},
      {"INSERT INTO audit_log SELECT 11, time, user_id, operation, patient_id, request_id, "
       "outcome_code, outcome_reason, mac FROM audit_log WHERE seq = 10",
       AuditDamage::kInserted, 11},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    ScopedTempDir copy;
    std::ofstream(copy.File("onshi.db"), std::ios::binary) << db;
    std::ofstream(AuditKeyPath(copy.path()), std::ios::binary) << key;
    std::ofstream(AuditHeadPath(copy.path()), std::ios::binary) << head;
    {
      RawDb raw(copy.File("onshi.db"));
      Exec(raw, "DROP TRIGGER audit_log_no_update");
      Exec(raw, "DROP TRIGGER audit_log_no_delete");
      Exec(raw, c.sql);
    }
    absl::StatusOr<AuditVerdict> verdict = VerifyAuditFiles(copy.File("onshi.db"), copy.path());
    ASSERT_TRUE(verdict.ok()) << verdict.status();
    EXPECT_EQ(AuditDamageName(verdict->damage), AuditDamageName(c.damage));
    EXPECT_EQ(verdict->first_bad_seq, c.seq);
  }

  // Another key: named as such.
  ScopedTempDir other;
  std::ofstream(other.File("onshi.db"), std::ios::binary) << db;
  std::ofstream(AuditKeyPath(other.path()), std::ios::binary) << std::string(32, 'k');
  std::ofstream(AuditHeadPath(other.path()), std::ios::binary) << head;
  absl::StatusOr<AuditVerdict> verdict = VerifyAuditFiles(other.File("onshi.db"), other.path());
  ASSERT_TRUE(verdict.ok());
  EXPECT_EQ(verdict->damage, AuditDamage::kKeyMismatch);

  // No anchor: named as such.
  ScopedTempDir headless;
  std::ofstream(headless.File("onshi.db"), std::ios::binary) << db;
  std::ofstream(AuditKeyPath(headless.path()), std::ios::binary) << key;
  verdict = VerifyAuditFiles(headless.File("onshi.db"), headless.path());
  ASSERT_TRUE(verdict.ok());
  EXPECT_EQ(verdict->damage, AuditDamage::kAnchorMissing);
}

TEST(AuditHeadTest, FormatAndParseRoundTripAndRejectGarbage) {
  AuditHead head;
  head.seq = 42;
  head.mac = std::string(32, '\x5a');
  head.key_id = AuditKeyId(std::string(32, 'k'));
  std::optional<AuditHead> parsed = ParseAuditHead(FormatAuditHead(head));
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->seq, 42);
  EXPECT_EQ(parsed->mac, head.mac);
  EXPECT_EQ(parsed->key_id, head.key_id);
  EXPECT_FALSE(ParseAuditHead("").has_value());
  EXPECT_FALSE(ParseAuditHead("onshi-audit-head v1 1 - abc\n").has_value());
  EXPECT_FALSE(ParseAuditHead(FormatAuditHead(head).substr(1)).has_value());
}

TEST(AuditRecordTest, EncodingSeparatesFieldsUnambiguously) {
  AuditEntry a = Entry(1);
  AuditEntry b = a;
  a.user_id = "ab";
  a.operation = "c";
  b.user_id = "a";
  b.operation = "bc";
  EXPECT_NE(EncodeAuditRecord(1, a), EncodeAuditRecord(1, b));
  EXPECT_NE(EncodeAuditRecord(1, a), EncodeAuditRecord(2, a));
}

}  // namespace
}  // namespace onshi
