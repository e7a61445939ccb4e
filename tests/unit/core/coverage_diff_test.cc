#include "plugin/core/coverage_diff.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/core/test_names.h"

namespace onshi {
namespace {

using ::testing::Contains;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;

v1::QualificationRecord Record() {
  v1::QualificationRecord record;
  record.set_insured_card_classification("01");
  record.mutable_identifiers()->set_insurer_number("06139992");
  record.mutable_identifiers()->set_insured_card_symbol("123");
  record.mutable_identifiers()->set_insured_identification_number("4567");
  record.mutable_identifiers()->set_insured_branch_number("01");
  record.set_name("試験　花子");
  record.set_name_kana("ｼｹﾝ ﾊﾅｺ");
  record.set_birth_date("19850412");
  record.set_address("東京都千代田区○○一丁目");
  record.set_insured_partial_contribution_ratio("030");
  record.set_insurer_name("○○健康保険組合");
  record.mutable_limit_certificate_consent()->set_flag(v1::CONSENT_FLAG_GIVEN);
  record.mutable_limit_certificate_consent()->set_consent_time("20250602091512");
  record.mutable_limit_certificate()->set_category("A03");
  v1::SpecificDiseaseCertificate* disease = record.add_specific_diseases();
  disease->set_disease_category("1");
  disease->set_self_pay_yen(10000);
  return record;
}

v1::Provenance ProvenanceOf(const std::string& request_id) {
  v1::Provenance provenance;
  provenance.set_source(v1::SOURCE_TERMINAL_ANSWER);
  provenance.set_request_id(request_id);
  provenance.set_confirmation_date("20250602");
  return provenance;
}

v1::CoverageVersion Version(int64_t number, const v1::QualificationRecord& record,
                            v1::QualificationValidity validity, const std::string& request_id) {
  v1::CoverageVersion version;
  version.set_version(number);
  *version.mutable_coverage() = record;
  version.set_validity(validity);
  *version.mutable_provenance() = ProvenanceOf(request_id);
  return version;
}

// The first version as the service would build it.
v1::CoverageVersion FirstVersion() {
  v1::CoverageVersion first = Version(1, Record(), v1::QUALIFICATION_VALIDITY_VALID, "req-1");
  CarryFieldProvenance(nullptr, DiffCoverage(nullptr, first.coverage(), first.validity()), &first);
  return first;
}

const v1::FieldChange* FindChange(const std::vector<v1::FieldChange>& changes,
                                  const std::string& field) {
  for (const v1::FieldChange& change : changes) {
    if (change.field() == field) return &change;
  }
  return nullptr;
}

TEST(FlattenRecordTest, NamesNonEmptyFieldsByPath) {
  const std::map<std::string, std::string> fields = FlattenRecord(Record());
  EXPECT_THAT(fields, Contains(Pair("identifiers.insurer_number", "06139992")));
  EXPECT_THAT(fields, Contains(Pair("limit_certificate.category", "A03")));
  EXPECT_THAT(fields, Contains(Pair("specific_diseases[0].self_pay_yen", "10000")));
  EXPECT_THAT(fields, Contains(Pair("specific_diseases[0].disease_category", "1")));
  // Enums are written as their OQS code.
  EXPECT_THAT(fields, Contains(Pair("limit_certificate_consent.flag", "1")));
  EXPECT_THAT(fields, Not(Contains(Key("reason_of_loss"))));
  EXPECT_THAT(fields, Not(Contains(Key("elderly_recipient_certificate.contribution_ratio"))));
  EXPECT_EQ(fields.size(), 16u);
}

TEST(FlattenRecordTest, EmptyRecordHasNoFields) {
  EXPECT_TRUE(FlattenRecord(v1::QualificationRecord()).empty());
  v1::QualificationRecord record;
  record.mutable_limit_certificate();  // present but empty
  EXPECT_TRUE(FlattenRecord(record).empty());
}

TEST(CoverageFieldsTest, AddsTheValidityLabel) {
  EXPECT_THAT(CoverageFields(Record(), v1::QUALIFICATION_VALIDITY_INVALID),
              Contains(Pair("validity", "無効")));
  EXPECT_THAT(CoverageFields(Record(), v1::QUALIFICATION_VALIDITY_UNSPECIFIED),
              Not(Contains(Key("validity"))));
}

TEST(FieldLabelTest, LooksUpWithoutIndicesAndFallsBack) {
  EXPECT_EQ(FieldLabel("identifiers.insurer_number"), "保険者番号");
  EXPECT_EQ(FieldLabel("specific_diseases[1].self_pay_yen"), "特定疾病の自己負担限度額");
  EXPECT_EQ(FieldLabel("specific_diseases[1].valid_end_date"), "特定疾病療養受療証");
  EXPECT_EQ(FieldLabel("limit_certificate_consent.consent_time"), "限度額情報の提供同意");
  EXPECT_EQ(FieldLabel("medical_tickets[0].remarks1"), "医療券・調剤券");
  EXPECT_EQ(FieldLabel("no_such.field"), "no_such.field");
}

TEST(DiffCoverageTest, FirstVersionRecordsEveryField) {
  const std::vector<v1::FieldChange> changes =
      DiffCoverage(nullptr, Record(), v1::QUALIFICATION_VALIDITY_VALID);
  const std::map<std::string, std::string> fields =
      CoverageFields(Record(), v1::QUALIFICATION_VALIDITY_VALID);
  ASSERT_EQ(changes.size(), fields.size());
  for (const v1::FieldChange& change : changes) {
    EXPECT_EQ(change.old_value(), "");
    EXPECT_EQ(change.new_value(), fields.at(change.field()));
  }
  const v1::FieldChange* insurer = FindChange(changes, "identifiers.insurer_number");
  ASSERT_NE(insurer, nullptr);
  EXPECT_EQ(insurer->staff_message(), "保険者番号を記録しました");
  const v1::FieldChange* validity = FindChange(changes, "validity");
  ASSERT_NE(validity, nullptr);
  EXPECT_EQ(validity->new_value(), "有効");
}

TEST(DiffCoverageTest, IdenticalAnswerChangesNothing) {
  const v1::CoverageVersion current = FirstVersion();
  EXPECT_TRUE(DiffCoverage(&current, Record(), v1::QUALIFICATION_VALIDITY_VALID).empty());
}

struct ChangeCase {
  const char* name;
  std::function<void(v1::QualificationRecord*)> edit;
  std::string field;
  std::string staff_message;
};

class DiffCoverageMessageTest : public ::testing::TestWithParam<ChangeCase> {};

TEST_P(DiffCoverageMessageTest, SaysWhatChanged) {
  SCOPED_TRACE(GetParam().name);
  const v1::CoverageVersion current = FirstVersion();
  v1::QualificationRecord next = Record();
  GetParam().edit(&next);
  const std::vector<v1::FieldChange> changes =
      DiffCoverage(&current, next, v1::QUALIFICATION_VALIDITY_VALID);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].field(), GetParam().field);
  EXPECT_EQ(changes[0].staff_message(), GetParam().staff_message);
  const std::map<std::string, std::string> before = FlattenRecord(current.coverage());
  const std::map<std::string, std::string> after = FlattenRecord(next);
  EXPECT_EQ(changes[0].old_value(),
            before.count(GetParam().field) ? before.at(GetParam().field) : "");
  EXPECT_EQ(changes[0].new_value(),
            after.count(GetParam().field) ? after.at(GetParam().field) : "");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, DiffCoverageMessageTest,
    ::testing::Values(
        ChangeCase{"insurer",
                   [](auto* r) { r->mutable_identifiers()->set_insurer_number("138156"); },
                   "identifiers.insurer_number", "保険者番号が変わりました"},
        ChangeCase{
            "insurer padding only",
            [](auto* r) { r->mutable_identifiers()->set_insurer_number("０６１３９９９２"); },
            "identifiers.insurer_number", "保険者番号の表記（全角・半角など）が変わりました"},
        ChangeCase{"symbol width only",
                   [](auto* r) { r->mutable_identifiers()->set_insured_card_symbol("１２３"); },
                   "identifiers.insured_card_symbol",
                   "記号・番号の表記（全角・半角など）が変わりました"},
        ChangeCase{"symbol",
                   [](auto* r) { r->mutable_identifiers()->set_insured_card_symbol("124"); },
                   "identifiers.insured_card_symbol", "記号・番号が変わりました"},
        ChangeCase{
            "number leading zero only",
            [](auto* r) { r->mutable_identifiers()->set_insured_identification_number("04567"); },
            "identifiers.insured_identification_number",
            "記号・番号の表記（全角・半角など）が変わりました"},
        ChangeCase{
            "number",
            [](auto* r) { r->mutable_identifiers()->set_insured_identification_number("4568"); },
            "identifiers.insured_identification_number", "記号・番号が変わりました"},
        ChangeCase{"branch",
                   [](auto* r) { r->mutable_identifiers()->set_insured_branch_number("02"); },
                   "identifiers.insured_branch_number", "記号・番号が変わりました"},
        ChangeCase{"branch removed",
                   [](auto* r) { r->mutable_identifiers()->clear_insured_branch_number(); },
                   "identifiers.insured_branch_number", "記号・番号が変わりました"},
        ChangeCase{"ratio", [](auto* r) { r->set_insured_partial_contribution_ratio("020"); },
                   "insured_partial_contribution_ratio", "負担割合が変わりました"},
        ChangeCase{"elderly ratio",
                   [](auto* r) {
                     r->mutable_elderly_recipient_certificate()->set_contribution_ratio("020");
                   },
                   "elderly_recipient_certificate.contribution_ratio", "負担割合が変わりました"},
        ChangeCase{"limit category",
                   [](auto* r) { r->mutable_limit_certificate()->set_category("A04"); },
                   "limit_certificate.category", "限度額適用区分が変わりました"},
        ChangeCase{"disqualification", [](auto* r) { r->set_disqualification_date("20250531"); },
                   "disqualification_date", "資格を喪失しました"},
        ChangeCase{"name", [](auto* r) { r->set_name("試験　華子"); }, "name",
                   "氏名が変わりました"},
        ChangeCase{"kana", [](auto* r) { r->set_name_kana("ｼｹﾝ ﾊﾅｺｰ"); }, "name_kana",
                   "氏名が変わりました"},
        ChangeCase{"address", [](auto* r) { r->set_address("東京都港区"); }, "address",
                   "住所が変わりました"},
        ChangeCase{"insurer name", [](auto* r) { r->set_insurer_name("△△健康保険組合"); },
                   "insurer_name", "保険者名称が変わりました"},
        ChangeCase{"consent time",
                   [](auto* r) {
                     r->mutable_limit_certificate_consent()->set_consent_time("20250603100000");
                   },
                   "limit_certificate_consent.consent_time", "限度額情報の提供同意が変わりました"},
        ChangeCase{"self pay",
                   [](auto* r) { r->mutable_specific_diseases(0)->set_self_pay_yen(20000); },
                   "specific_diseases[0].self_pay_yen", "特定疾病の自己負担限度額が変わりました"}),
    DescriptionName());

TEST(DiffCoverageTest, LossOfValidityIsALoss) {
  const v1::CoverageVersion current = FirstVersion();
  for (v1::QualificationValidity lost :
       {v1::QUALIFICATION_VALIDITY_INVALID, v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS,
        v1::QUALIFICATION_VALIDITY_NOT_FOUND}) {
    const std::vector<v1::FieldChange> changes = DiffCoverage(&current, Record(), lost);
    ASSERT_EQ(changes.size(), 1u);
    EXPECT_EQ(changes[0].field(), "validity");
    EXPECT_EQ(changes[0].old_value(), "有効");
    EXPECT_EQ(changes[0].staff_message(), "資格を喪失しました");
  }
}

TEST(DiffCoverageTest, RegainingValidityIsSaid) {
  const v1::CoverageVersion current =
      Version(1, Record(), v1::QUALIFICATION_VALIDITY_INVALID, "req-1");
  const std::vector<v1::FieldChange> changes =
      DiffCoverage(&current, Record(), v1::QUALIFICATION_VALIDITY_VALID);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].staff_message(), "資格が有効になりました");
}

TEST(DiffCoverageTest, ChangesComeInPathOrder) {
  const v1::CoverageVersion current = FirstVersion();
  v1::QualificationRecord next = Record();
  next.set_name("別名");
  next.mutable_identifiers()->set_insurer_number("138156");
  next.clear_address();
  const std::vector<v1::FieldChange> changes =
      DiffCoverage(&current, next, v1::QUALIFICATION_VALIDITY_VALID);
  ASSERT_EQ(changes.size(), 3u);
  EXPECT_EQ(changes[0].field(), "address");
  EXPECT_EQ(changes[0].new_value(), "");
  EXPECT_EQ(changes[1].field(), "identifiers.insurer_number");
  EXPECT_EQ(changes[2].field(), "name");
}

TEST(CarryFieldProvenanceTest, FirstVersionPointsEveryFieldAtItself) {
  const v1::CoverageVersion first = FirstVersion();
  const std::map<std::string, std::string> fields =
      CoverageFields(first.coverage(), first.validity());
  ASSERT_EQ(static_cast<size_t>(first.field_provenance_size()), fields.size());
  for (const auto& [path, value] : fields) {
    ASSERT_EQ(first.field_provenance().count(path), 1u) << path;
    const v1::FieldProvenance& provenance = first.field_provenance().at(path);
    EXPECT_EQ(provenance.version(), 1);
    EXPECT_EQ(provenance.provenance().request_id(), "req-1");
  }
}

TEST(CarryFieldProvenanceTest, CarriesUnchangedUpdatesChangedDropsRemoved) {
  const v1::CoverageVersion first = FirstVersion();
  v1::QualificationRecord record = Record();
  record.mutable_identifiers()->set_insurer_number("138156");          // changed
  record.clear_address();                                              // removed
  record.mutable_limit_certificate()->set_valid_end_date("20260331");  // added
  v1::CoverageVersion second = Version(2, record, v1::QUALIFICATION_VALIDITY_VALID, "req-2");
  CarryFieldProvenance(&first, DiffCoverage(&first, second.coverage(), second.validity()), &second);

  const auto& map = second.field_provenance();
  EXPECT_EQ(map.count("address"), 0u);
  ASSERT_EQ(map.count("identifiers.insurer_number"), 1u);
  EXPECT_EQ(map.at("identifiers.insurer_number").version(), 2);
  EXPECT_EQ(map.at("identifiers.insurer_number").provenance().request_id(), "req-2");
  ASSERT_EQ(map.count("limit_certificate.valid_end_date"), 1u);
  EXPECT_EQ(map.at("limit_certificate.valid_end_date").version(), 2);
  ASSERT_EQ(map.count("name"), 1u);
  EXPECT_EQ(map.at("name").version(), 1);
  EXPECT_EQ(map.at("name").provenance().request_id(), "req-1");
  ASSERT_EQ(map.count("validity"), 1u);
  EXPECT_EQ(map.at("validity").version(), 1);
  EXPECT_EQ(static_cast<size_t>(map.size()),
            CoverageFields(second.coverage(), second.validity()).size());

  // A third answer that only loses validity moves just that entry.
  v1::CoverageVersion third =
      Version(3, second.coverage(), v1::QUALIFICATION_VALIDITY_INVALID, "req-3");
  CarryFieldProvenance(&second, DiffCoverage(&second, third.coverage(), third.validity()), &third);
  EXPECT_EQ(third.field_provenance().at("validity").version(), 3);
  EXPECT_EQ(third.field_provenance().at("identifiers.insurer_number").version(), 2);
  EXPECT_EQ(third.field_provenance().at("name").version(), 1);
}

TEST(CoverageOfTest, KeepsTheInsuranceAndDropsWhatBelongsToOneCheck) {
  v1::QualificationRecord record;
  record.mutable_identifiers()->set_insurer_number("06139992");
  record.set_name("試験　花子");
  record.mutable_limit_certificate()->set_category("A03");
  record.mutable_limit_certificate_consent()->set_consent_time("20250602091512");
  record.mutable_pharmacists_info_consent()->set_flag(v1::CONSENT_FLAG_GIVEN);
  record.set_arbitrary_identifier("row-1");
  record.set_prescription_issue_select("1");

  const v1::QualificationRecord coverage = CoverageOf(record);
  EXPECT_EQ(coverage.identifiers().insurer_number(), "06139992");
  EXPECT_EQ(coverage.limit_certificate().category(), "A03");
  EXPECT_FALSE(coverage.has_limit_certificate_consent());
  EXPECT_FALSE(coverage.has_pharmacists_info_consent());
  EXPECT_EQ(coverage.arbitrary_identifier(), "");
  EXPECT_EQ(coverage.prescription_issue_select(), "");

  // A new check-in with new consent times is the same coverage.
  v1::CoverageVersion stored;
  *stored.mutable_coverage() = coverage;
  stored.set_validity(v1::QUALIFICATION_VALIDITY_VALID);
  record.mutable_limit_certificate_consent()->set_consent_time("20250603100000");
  EXPECT_THAT(DiffCoverage(&stored, CoverageOf(record), v1::QUALIFICATION_VALIDITY_VALID),
              ::testing::IsEmpty());
}

}  // namespace
}  // namespace onshi
