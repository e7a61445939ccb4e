// K1/K3 (reliability.md §3 K): hostile strings in every id and string field are stored and read
// back verbatim and change nothing else; every statement of the store is a constant.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/store_sqlite/sqlite_store.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing_support::FakeClock;
using testing_support::MakeAnswer;
using testing_support::MakeCoverage;
using testing_support::MakeEntry;
using testing_support::RawDb;
using testing_support::ScopedTempDir;

std::vector<std::string> HostileStrings() {
  using namespace std::string_literals;
  const std::vector<std::string> bases = {
      "'",
      "''",
      "\"",
      "`",
      "' OR 1=1 --",
      "' OR '1'='1",
      "\" OR \"\"=\"",
      "1; DROP TABLE requests; --",
      ";DROP TABLE patients",
      "'); DROP TABLE confirmations; --",
      "'; DELETE FROM requests; --",
      "'; UPDATE requests SET state = 2; --",
      "'; VACUUM; --",
      "'; PRAGMA writable_schema = 1; --",
      "'; ATTACH DATABASE 'x.db' AS x; --",
      "' UNION SELECT * FROM schema_migrations --",
      "x' AND 1=(SELECT count(*) FROM sqlite_schema) --",
      "' || (SELECT hex(randomblob(4))) || '",
      "/* comment */",
      "*/",
      "/*",
      "--",
      "#",
      "\\",
      "\\'",
      "%",
      "_",
      "%_%",
      "?",
      "?1",
      ":name",
      "@p",
      "$x",
      "NULL",
      "null",
      "0x27",
      "char(39)",
      "\0"s,
      "a\0b"s,
      "\0' OR 1=1 --"s,
      "' OR 1=1 --\0"s,
      "’ OR 1=1 --",
      "＇ＯＲ　１＝１　－－",
      "＇",
      "＂",
      "‘",
      "“",
      "”",
      "´",
      "ʼ",
      "🙂",
      "👨‍👩‍👧‍👦",
      "山田　太郎",
      "ﾔﾏﾀﾞ ﾀﾛｳ",
      "𠮷野家",
      "髙橋",
      "\r\n",
      "\t",
      "\x7f",
      "\x1b[31m",
      "<script>alert(1)</script>",
      "${jndi:ldap://x}",
      "%s%s%n",
      "../../etc/passwd",
      "\u2028",
      "\ufeff",
      "\u202e",
  };
  std::set<std::string> unique;
  for (const std::string& base : bases) {
    unique.insert(base);
    unique.insert("P" + base);
    unique.insert(base + "X");
    unique.insert("a" + base + "b");
    unique.insert("\0"s + base);
    unique.insert("＇" + base + "＇");
    unique.insert(base + "' OR 1=1 --");
    std::string long_value;
    while (long_value.size() < 2048) long_value += base;
    unique.insert(long_value);
  }
  return std::vector<std::string>(unique.begin(), unique.end());
}

TEST(SqliteStoreInjectionTest, HostileStringsAreStoredVerbatimAndChangeNothingElse) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  auto opened = SqliteStore::Open(path, &clock);
  ASSERT_TRUE(opened.ok()) << opened.status();
  SqliteStore& store = **opened;

  // Canary rows written before the payloads.
  std::vector<LedgerEntry> canaries;
  for (int i = 0; i < 3; ++i) {
    const std::string id = "req-canary-" + std::to_string(i);
    ASSERT_TRUE(store.CreateRequest(MakeEntry(id, "canary"), nullptr).ok());
    LedgerTransition answer = MakeAnswer(id, "canary");
    answer.coverage = MakeCoverage(i, "canary");
    ASSERT_TRUE(store.ApplyTransition(answer).ok());
    canaries.push_back(**store.FindRequest(id));
  }
  const v1::PatientRecord canary_record = *store.GetPatientRecord("canary");
  RawDb raw(path);
  const RawDb::Counts before = raw.RowCounts();
  const std::vector<std::string> schema_before =
      raw.QueryColumn("SELECT name || ':' || sql FROM sqlite_schema ORDER BY name");

  const std::vector<std::string> hostile = HostileStrings();
  ASSERT_GE(hostile.size(), 500u);
  int64_t n = 0;
  for (const std::string& s : hostile) {
    const std::string request_id = s + "#r" + std::to_string(n);
    const std::string file_id = "f" + std::to_string(n) + s;
    LedgerEntry entry = MakeEntry(request_id, s);
    entry.file_id = file_id;
    v1::InsuranceIdentifiers* ids = entry.request.mutable_identifiers();
    ids->set_insurer_number(s);
    ids->set_insured_card_symbol(s);
    ids->set_insured_identification_number(s);
    ids->set_insured_branch_number(s);
    entry.request.set_birth_date(s);
    bool created = false;
    absl::StatusOr<LedgerEntry> stored = store.CreateRequest(entry, &created);
    ASSERT_TRUE(stored.ok()) << n << ": " << stored.status();
    ASSERT_TRUE(created) << n;

    LedgerTransition answer = MakeAnswer(request_id, s);
    answer.response.mutable_billing()->set_status_label(s);
    answer.confirmation->mutable_provenance()->set_request_id(s);
    answer.coverage = MakeCoverage(0, s, s, s);
    v1::FieldProvenance field;
    field.set_version(1);
    (*answer.coverage->version.mutable_field_provenance())[s] = field;
    absl::Status applied = store.ApplyTransition(answer);
    ASSERT_TRUE(applied.ok()) << n << ": " << applied;

    absl::StatusOr<std::optional<LedgerEntry>> found = store.FindRequest(request_id);
    ASSERT_TRUE(found.ok() && found->has_value()) << n;
    EXPECT_EQ((*found)->request_id, request_id) << n;
    EXPECT_EQ((*found)->file_id, file_id) << n;
    EXPECT_EQ((*found)->patient_id, s) << n;
    EXPECT_TRUE(MessageDifferencer::Equals((*found)->request, entry.request)) << n;
    EXPECT_TRUE(MessageDifferencer::Equals((*found)->response, answer.response)) << n;
    absl::StatusOr<std::optional<LedgerEntry>> by_file = store.FindRequestByFileId(file_id);
    ASSERT_TRUE(by_file.ok() && by_file->has_value()) << n;
    EXPECT_EQ((*by_file)->request_id, request_id) << n;

    absl::StatusOr<v1::PatientRecord> record = store.GetPatientRecord(s);
    ASSERT_TRUE(record.ok()) << n << ": " << record.status();
    EXPECT_EQ(record->patient_id(), s) << n;
    EXPECT_EQ(record->current_coverage().coverage().name(), s) << n;
    EXPECT_EQ(record->current_coverage().coverage().identifiers().insurer_number(), s) << n;
    EXPECT_EQ(record->current_coverage().field_provenance().count(s), 1u) << n;
    ASSERT_EQ(record->confirmations_size(), 1) << n;
    EXPECT_EQ(record->confirmations(0).request_id(), request_id) << n;
    EXPECT_EQ(record->confirmations(0).provenance().request_id(), s) << n;
    ++n;
  }

  // Exactly one row per payload in each table; the schema and the canaries untouched.
  const RawDb::Counts after = raw.RowCounts();
  EXPECT_EQ(after.patients, before.patients + n);
  EXPECT_EQ(after.requests, before.requests + n);
  EXPECT_EQ(after.coverage_versions, before.coverage_versions + n);
  EXPECT_EQ(after.confirmations, before.confirmations + n);
  EXPECT_EQ(after.schema_objects, before.schema_objects);
  EXPECT_EQ(raw.QueryColumn("SELECT name || ':' || sql FROM sqlite_schema ORDER BY name"),
            schema_before);
  for (const LedgerEntry& canary : canaries) {
    absl::StatusOr<std::optional<LedgerEntry>> found = store.FindRequest(canary.request_id);
    ASSERT_TRUE(found.ok() && found->has_value());
    EXPECT_EQ((*found)->state, canary.state);
    EXPECT_EQ((*found)->updated_time, canary.updated_time);
    EXPECT_TRUE(MessageDifferencer::Equals((*found)->response, canary.response));
  }
  EXPECT_TRUE(MessageDifferencer::Equals(*store.GetPatientRecord("canary"), canary_record));
  // A patient id that differs only after an embedded NUL is another patient.
  EXPECT_EQ(store.GetPatientRecord(std::string("a\0c", 3)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store.CheckIntegrity().ok());
}

// K3: the store's SQL is constant text. Values reach SQLite only through sqlite3_bind_*.
std::string ReadSource(const std::string& relative) {
  std::ifstream in(std::string(ONSHI_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in.good()) << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every source of the library, the feature stores built on store_internal.h included.
std::vector<std::string> StoreSources() {
  std::vector<std::string> sources;
  for (const auto& file : std::filesystem::directory_iterator(std::string(ONSHI_SOURCE_DIR) +
                                                              "/adapters/store_sqlite")) {
    const std::string name = file.path().filename().string();
    if (file.path().extension() == ".cc") sources.push_back("adapters/store_sqlite/" + name);
  }
  std::sort(sources.begin(), sources.end());
  return sources;
}

TEST(SqliteStoreSqlSafetyTest, EveryStatementIsAConstant) {
  const std::vector<std::string> kSources = StoreSources();
  for (const char* known :
       {"adapters/store_sqlite/connection.cc", "adapters/store_sqlite/schema.cc",
        "adapters/store_sqlite/sqlite_store.cc", "adapters/store_sqlite/store_internal.cc"}) {
    EXPECT_NE(std::find(kSources.begin(), kSources.end(), known), kSources.end()) << known;
  }
  // Every call that hands SQL to the connection names a constant (kSomething), a ternary of
  // two constants, or the migration step's constant script.
  const std::regex call(R"((?:\.|->)(Prepare|Exec|ExecScript)\(([^()]*)\))");
  // (`sql` is the `const Sql&` parameter of a helper that passes a constant through.)
  const std::regex constant(R"(^(k\w+|\w+ \? k\w+ : k\w+|migration\.script|sql)$)");
  // Every Sql object is a constant named kSomething whose initializer holds string literals
  // only.
  const std::regex definition(R"(\bSql\s+(\w+)\s*\{([^}]*)\})");
  const std::regex literal(R"("(?:[^"\\]|\\.)*")");
  const std::regex only_separators(R"(^[\s,]*$)");
  int calls = 0;
  int definitions = 0;
  for (const std::string& source : kSources) {
    const std::string text = ReadSource(source);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), call);
         it != std::sregex_iterator(); ++it) {
      const std::string argument = (*it)[2];
      // Declarations in connection.cc ("Prepare(const Sql& sql)") are not calls.
      if (argument.rfind("const Sql&", 0) == 0) continue;
      ++calls;
      EXPECT_TRUE(std::regex_match(argument, constant))
          << source << ": " << (*it)[1] << "(" << argument << ")";
    }
    for (auto it = std::sregex_iterator(text.begin(), text.end(), definition);
         it != std::sregex_iterator(); ++it) {
      ++definitions;
      EXPECT_EQ(std::string((*it)[1]).rfind("k", 0), 0u) << source << ": " << (*it)[1];
      const std::string rest = std::regex_replace(std::string((*it)[2]), literal, "");
      EXPECT_TRUE(std::regex_match(rest, only_separators)) << source << ": " << (*it)[1];
    }
    // Only the connection talks to SQLite's prepare/exec, and only with the constant's text.
    const bool is_connection = source.find("connection.cc") != std::string::npos;
    for (const char* api : {"sqlite3_prepare", "sqlite3_exec("}) {
      const size_t at = text.find(api);
      if (!is_connection) {
        EXPECT_EQ(at, std::string::npos) << source << " calls " << api;
      }
    }
  }
  const std::string connection = ReadSource("adapters/store_sqlite/connection.cc");
  EXPECT_NE(connection.find("sqlite3_prepare_v3(db_, sql.text,"), std::string::npos);
  EXPECT_NE(connection.find("sqlite3_exec(db_, script.text,"), std::string::npos);
  EXPECT_GT(calls, 30);
  EXPECT_GT(definitions, 30);
}

}  // namespace
}  // namespace onshi
