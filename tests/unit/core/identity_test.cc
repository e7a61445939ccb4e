#include "plugin/core/identity.h"

#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace onshi {
namespace {

using ::testing::HasSubstr;

v1::InsuranceIdentifiers Ids(const std::string& insurer, const std::string& symbol,
                             const std::string& number, const std::string& branch) {
  v1::InsuranceIdentifiers ids;
  ids.set_insurer_number(insurer);
  ids.set_insured_card_symbol(symbol);
  ids.set_insured_identification_number(number);
  ids.set_insured_branch_number(branch);
  return ids;
}

TEST(IdentityKeyTest, WidthSpaceAndLeadingZeroVariantsGiveTheSameKey) {
  const std::string reference = IdentityKey(Ids("06138093", "123", "4567", "01"), "19850412");
  const std::vector<std::pair<v1::InsuranceIdentifiers, std::string>> variants = {
      {Ids("６１３８０９３", "１２３", "４５６７", "０１"), "１９８５０４１２"},
      {Ids("6138093", "0123", "04567", "1"), "19850412"},
      {Ids(" 06138093", "123　", "　4567", " 01 "), " 19850412 "},
      {Ids("0006138093", "00123", "0004567", "001"), "19850412"},
  };
  for (const auto& [ids, birth_date] : variants) {
    EXPECT_EQ(IdentityKey(ids, birth_date), reference) << ids.ShortDebugString();
  }
}

TEST(IdentityKeyTest, SixDigitKokuhoPaddedWithSpacesEqualsTheBareNumber) {
  EXPECT_EQ(IdentityKey(Ids("  138156", "", "12345", ""), "19500101"),
            IdentityKey(Ids("138156", "", "12345", ""), "19500101"));
}

TEST(IdentityKeyTest, EveryFieldAndTheBirthDateCount) {
  const v1::InsuranceIdentifiers base = Ids("06138093", "123", "4567", "01");
  const std::string reference = IdentityKey(base, "19850412");
  EXPECT_NE(IdentityKey(Ids("06138094", "123", "4567", "01"), "19850412"), reference);
  EXPECT_NE(IdentityKey(Ids("06138093", "124", "4567", "01"), "19850412"), reference);
  EXPECT_NE(IdentityKey(Ids("06138093", "123", "4568", "01"), "19850412"), reference);
  EXPECT_NE(IdentityKey(Ids("06138093", "123", "4567", "02"), "19850412"), reference);
  EXPECT_NE(IdentityKey(Ids("06138093", "123", "4567", ""), "19850412"), reference);
  EXPECT_NE(IdentityKey(base, "19850413"), reference);
  // Birth dates keep their zeros: they are dates, not numbers.
  EXPECT_NE(IdentityKey(base, "019850412"), reference);
}

TEST(IdentityKeyTest, FieldBoundariesCannotBeShifted) {
  // The same characters split differently between fields are different identities.
  std::set<std::string> keys = {
      IdentityKey(Ids("1", "23", "4", "5"), "19850412"),
      IdentityKey(Ids("12", "3", "4", "5"), "19850412"),
      IdentityKey(Ids("1", "2", "34", "5"), "19850412"),
      IdentityKey(Ids("1", "2", "3", "45"), "19850412"),
      IdentityKey(Ids("1", "2", "3", "4"), "519850412"),
      IdentityKey(Ids("1:2", "", "3", ""), "19850412"),
      IdentityKey(Ids("1", "2", "3", ""), "19850412"),
      IdentityKey(Ids("1", "", "23", ""), "19850412"),
  };
  EXPECT_EQ(keys.size(), 8u);
  // A separator inside a field does not fake a boundary.
  EXPECT_NE(IdentityKey(Ids("1", "1:2", "3", ""), "19850412"),
            IdentityKey(Ids("1", "1", "2:3", ""), "19850412"));
}

TEST(IdentityKeyTest, KanjiSymbolsAreComparedAsWritten) {
  EXPECT_EQ(IdentityKey(Ids("01130012", "東京１－２", "55", ""), "19700101"),
            IdentityKey(Ids("01130012", "東京1-2", "55", ""), "19700101"));
  EXPECT_NE(IdentityKey(Ids("01130012", "東京1-2", "55", ""), "19700101"),
            IdentityKey(Ids("01130012", "大阪1-2", "55", ""), "19700101"));
}

TEST(IdentityKeyTest, KeyIsVersionTaggedAndDeterministic) {
  const v1::InsuranceIdentifiers ids = Ids("39131156", "", "12345678", "");
  EXPECT_EQ(IdentityKey(ids, "19400101"), IdentityKey(ids, "19400101"));
  EXPECT_THAT(IdentityKey(ids, "19400101"), HasSubstr("onshi-identity-v1"));
}

TEST(IsCompleteIdentityTest, InsurerNumberCardNumberAndBirthDateAreRequired) {
  EXPECT_TRUE(IsCompleteIdentity(Ids("06138093", "123", "4567", "01"), "19850412"));
  // 後期高齢者: no 記号, no 枝番.
  EXPECT_TRUE(IsCompleteIdentity(Ids("39131156", "", "12345678", ""), "19400101"));
  EXPECT_FALSE(IsCompleteIdentity(Ids("", "123", "4567", "01"), "19850412"));
  EXPECT_FALSE(IsCompleteIdentity(Ids("06138093", "123", "", "01"), "19850412"));
  EXPECT_FALSE(IsCompleteIdentity(Ids("06138093", "123", "4567", "01"), ""));
  EXPECT_FALSE(IsCompleteIdentity(Ids("　", "123", "4567", "01"), "19850412"));
  EXPECT_FALSE(IsCompleteIdentity(Ids("06138093", "123", "4567", "01"), "　 "));
}

}  // namespace
}  // namespace onshi
