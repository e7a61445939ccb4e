// PatientDirectory on SqliteStore: finding patients by a keyed digest of their current
// coverage's identity, never by a stored insurance number.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <string>
#include <vector>

#include "adapters/store_sqlite/sqlite_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "plugin/core/identity.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using ::testing::HasSubstr;
using testing_support::FakeClock;
using testing_support::MakeAnswer;
using testing_support::MakeCoverage;
using testing_support::MakeEntry;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

v1::InsuranceIdentifiers Ids(const std::string& insurer, const std::string& symbol,
                             const std::string& number, const std::string& branch) {
  v1::InsuranceIdentifiers ids;
  ids.set_insurer_number(insurer);
  ids.set_insured_card_symbol(symbol);
  ids.set_insured_identification_number(number);
  ids.set_insured_branch_number(branch);
  return ids;
}

class PatientDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    store_.reset();
    auto store = SqliteStore::Open(path_, &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
  }

  // Records a check of `patient_id` whose answer makes `ids` + `birth_date` the current
  // coverage.
  void Record(const std::string& patient_id, const v1::InsuranceIdentifiers& ids,
              const std::string& birth_date) {
    const std::string request_id = "req-" + std::to_string(++checks_);
    ASSERT_TRUE(store_->CreateRequest(MakeEntry(request_id, patient_id), nullptr).ok());
    absl::StatusOr<std::optional<v1::CoverageVersion>> current =
        store_->GetCurrentCoverage(patient_id);
    ASSERT_TRUE(current.ok());
    LedgerTransition answer = MakeAnswer(request_id, "name");
    answer.coverage = MakeCoverage(current->has_value() ? (*current)->version() : 0, "name",
                                   ids.insurer_number(), request_id);
    *answer.coverage->version.mutable_coverage()->mutable_identifiers() = ids;
    answer.coverage->version.mutable_coverage()->set_birth_date(birth_date);
    absl::Status status = store_->ApplyTransition(answer);
    ASSERT_TRUE(status.ok()) << status;
  }

  std::vector<std::string> Find(const v1::InsuranceIdentifiers& ids,
                                const std::string& birth_date) {
    absl::StatusOr<std::vector<std::string>> found =
        store_->FindPatientsByIdentity(ids, birth_date);
    EXPECT_TRUE(found.ok()) << found.status();
    return found.ok() ? *found : std::vector<std::string>{"<error>"};
  }

  ScopedTempDir dir_;
  const std::string path_ = dir_.File("onshi.db");
  FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  int checks_ = 0;
  const v1::InsuranceIdentifiers card_ = Ids("06139806", "１２３", "4567", "01");
};

TEST_F(PatientDirectoryTest, FindsAPatientByWidthSpaceAndZeroVariantsOfItsCoverage) {
  Record("P1", card_, "19850412");
  Record("P2", Ids("06139806", "123", "9999", "01"), "19850412");
  EXPECT_EQ(Find(card_, "19850412"), std::vector<std::string>{"P1"});
  EXPECT_EQ(Find(Ids("6139806", "123", "０４５６７", "1"), "19850412"),
            std::vector<std::string>{"P1"});
  EXPECT_EQ(Find(Ids(" 06139806 ", "０１２３", "4567　", "０１"), "１９８５０４１２"),
            std::vector<std::string>{"P1"});
}

TEST_F(PatientDirectoryTest, AnotherBirthDateOrAnotherFieldFindsNobody) {
  Record("P1", card_, "19850412");
  EXPECT_TRUE(Find(card_, "19850413").empty());
  EXPECT_TRUE(Find(Ids("06139806", "１２３", "4567", "02"), "19850412").empty());
  EXPECT_TRUE(Find(Ids("06139806", "１２４", "4567", "01"), "19850412").empty());
  EXPECT_TRUE(Find(Ids("06139814", "１２３", "4567", "01"), "19850412").empty());
}

TEST_F(PatientDirectoryTest, DuplicatePatientsAreAllReturnedSorted) {
  Record("P9", card_, "19850412");
  Record("P1", Ids("6139806", "123", "4567", "1"), "19850412");
  Record("P5", card_, "19850412");
  EXPECT_EQ(Find(card_, "19850412"), (std::vector<std::string>{"P1", "P5", "P9"}));
}

TEST_F(PatientDirectoryTest, FollowsACoverageChange) {
  Record("P1", card_, "19850412");
  const v1::InsuranceIdentifiers new_card = Ids("39131156", "", "12345678", "");
  Record("P1", new_card, "19850412");
  EXPECT_TRUE(Find(card_, "19850412").empty());
  EXPECT_EQ(Find(new_card, "19850412"), std::vector<std::string>{"P1"});
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM patient_identities"), 1);
}

TEST_F(PatientDirectoryTest, IncompleteIdentitiesAreNeitherIndexedNorFound) {
  // No 番号 on the coverage: the patient is not indexed.
  Record("P1", Ids("06139806", "123", "", "01"), "19850412");
  // No birth date.
  Record("P2", card_, "");
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM patient_identities"), 0);
  EXPECT_TRUE(Find(Ids("06139806", "123", "", "01"), "19850412").empty());
  EXPECT_TRUE(Find(card_, "").empty());
  EXPECT_TRUE(Find(v1::InsuranceIdentifiers(), "").empty());
  // A complete coverage later indexes P1 after all; an incomplete one removes P2's entry.
  Record("P1", card_, "19850412");
  EXPECT_EQ(Find(card_, "19850412"), std::vector<std::string>{"P1"});
  Record("P1", Ids("", "", "", ""), "19850412");
  EXPECT_TRUE(Find(card_, "19850412").empty());
  EXPECT_EQ(raw.QueryInt("SELECT count(*) FROM patient_identities"), 0);
}

TEST_F(PatientDirectoryTest, DigestIsHmacSha256OfTheIdentityKeyUnderTheStoreKey) {
  Record("P1", card_, "19850412");
  RawDb raw(path_);
  const std::vector<std::string> keys =
      raw.QueryColumn("SELECT value FROM store_keys WHERE name = 'identity_digest'");
  ASSERT_EQ(keys.size(), 1u);
  ASSERT_EQ(keys[0].size(), 32u);
  const std::string input = IdentityKey(card_, "19850412");
  unsigned char expected[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  ASSERT_NE(
      HMAC(EVP_sha256(), keys[0].data(), static_cast<int>(keys[0].size()),
           reinterpret_cast<const unsigned char*>(input.data()), input.size(), expected, &length),
      nullptr);
  EXPECT_EQ(raw.QueryColumn("SELECT digest FROM patient_identities"),
            std::vector<std::string>{std::string(reinterpret_cast<char*>(expected), length)});
  // And not an unkeyed hash of the same input.
  unsigned char plain[EVP_MAX_MD_SIZE];
  unsigned int plain_length = 0;
  ASSERT_EQ(EVP_Digest(input.data(), input.size(), plain, &plain_length, EVP_sha256(), nullptr), 1);
  EXPECT_NE(raw.QueryColumn("SELECT digest FROM patient_identities")[0],
            std::string(reinterpret_cast<char*>(plain), plain_length));
}

TEST_F(PatientDirectoryTest, EachStoreFileHasItsOwnKey) {
  Record("P1", card_, "19850412");
  FakeClock clock;
  auto other = SqliteStore::Open(dir_.File("other.db"), &clock);
  ASSERT_TRUE(other.ok());
  RawDb raw(path_);
  RawDb other_raw(dir_.File("other.db"));
  EXPECT_NE(raw.QueryColumn("SELECT value FROM store_keys"),
            other_raw.QueryColumn("SELECT value FROM store_keys"));
}

TEST_F(PatientDirectoryTest, ForgedIndexRowsNeverMakeAPatientMatch) {
  Record("P1", card_, "19850412");
  Record("P2", Ids("06139806", "123", "1111", "01"), "19700101");
  {
    // P1's digest attached to P2 as well, behind the store's back.
    RawDb raw(path_);
    ASSERT_EQ(raw.Exec("INSERT INTO patient_identities (digest, patient_id) "
                       "SELECT digest, CAST('P2' AS BLOB) FROM patient_identities "
                       "WHERE patient_id = CAST('P1' AS BLOB)"),
              SQLITE_OK);
  }
  // Each candidate is checked against its current coverage.
  EXPECT_EQ(Find(card_, "19850412"), std::vector<std::string>{"P1"});
}

TEST_F(PatientDirectoryTest, MissingKeyIsRecreatedAtOpenWithEveryDigestRecomputed) {
  Record("P1", card_, "19850412");
  std::vector<std::string> old_key;
  {
    RawDb raw(path_);
    old_key = raw.QueryColumn("SELECT value FROM store_keys");
    ASSERT_EQ(raw.Exec("DELETE FROM store_keys"), SQLITE_OK);
  }
  // The running store refuses to write a coverage (it cannot digest it) and changes nothing.
  ASSERT_TRUE(store_->CreateRequest(MakeEntry("req-x", "P1"), nullptr).ok());
  LedgerTransition answer = MakeAnswer("req-x", "name");
  answer.coverage = MakeCoverage(1, "name");
  absl::Status refused = store_->ApplyTransition(answer);
  EXPECT_EQ(Reason(refused), "ONSHI_STORE_UNAVAILABLE");
  EXPECT_THAT(refused.message(), HasSubstr("no identity digest key"));
  EXPECT_EQ((*store_->FindRequest("req-x"))->state, LedgerState::kPending);
  EXPECT_EQ(Reason(store_->FindPatientsByIdentity(card_, "19850412").status()),
            "ONSHI_STORE_UNAVAILABLE");

  Reopen();
  RawDb raw(path_);
  const std::vector<std::string> new_key = raw.QueryColumn("SELECT value FROM store_keys");
  ASSERT_EQ(new_key.size(), 1u);
  EXPECT_NE(new_key, old_key);
  EXPECT_EQ(Find(card_, "19850412"), std::vector<std::string>{"P1"});
}

TEST_F(PatientDirectoryTest, PatientExistsForEveryNamedPatientOnly) {
  ASSERT_TRUE(store_->CreateRequest(MakeEntry("req-no-coverage", "P-no-coverage"), nullptr).ok());
  Record("P1", card_, "19850412");
  for (const char* id : {"P-no-coverage", "P1"}) {
    absl::StatusOr<bool> exists = store_->PatientExists(id);
    ASSERT_TRUE(exists.ok()) << exists.status();
    EXPECT_TRUE(*exists) << id;
  }
  for (const std::string& id : {std::string("P2"), std::string(), std::string("P1\0", 3)}) {
    absl::StatusOr<bool> exists = store_->PatientExists(id);
    ASSERT_TRUE(exists.ok()) << exists.status();
    EXPECT_FALSE(*exists);
  }
}

TEST_F(PatientDirectoryTest, SqliteStoreServesThePatientDirectoryPort) {
  Record("P1", card_, "19850412");
  PatientDirectory& directory = *store_;
  absl::StatusOr<std::vector<std::string>> found =
      directory.FindPatientsByIdentity(card_, "19850412");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, std::vector<std::string>{"P1"});
  EXPECT_TRUE(*directory.PatientExists("P1"));
}

}  // namespace
}  // namespace onshi
