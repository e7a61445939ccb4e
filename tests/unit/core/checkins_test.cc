#include "plugin/core/checkins.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "plugin/core/identity.h"

namespace onshi {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// The record: patients, and the identity of each one's current coverage.
class FakeDirectory final : public PatientDirectory {
 public:
  void AddPatient(const std::string& id) { patients_.insert(id); }
  void AddPatient(const std::string& id, const v1::InsuranceIdentifiers& identifiers,
                  const std::string& birth_date) {
    patients_.insert(id);
    identities_.emplace(IdentityKey(identifiers, birth_date), id);
  }
  void FailWith(absl::Status status) { failure_ = std::move(status); }
  int lookups() const { return lookups_; }

  absl::StatusOr<std::vector<std::string>> FindPatientsByIdentity(
      const v1::InsuranceIdentifiers& identifiers, absl::string_view birth_date) override {
    ++lookups_;
    if (!failure_.ok()) return failure_;
    std::vector<std::string> found;
    if (!IsCompleteIdentity(identifiers, birth_date)) return found;
    auto [begin, end] = identities_.equal_range(IdentityKey(identifiers, birth_date));
    for (auto it = begin; it != end; ++it) found.push_back(it->second);
    return found;
  }

  absl::StatusOr<bool> PatientExists(const std::string& patient_id) override {
    ++lookups_;
    if (!failure_.ok()) return failure_;
    return patients_.count(patient_id) > 0;
  }

 private:
  std::set<std::string> patients_;
  std::multimap<std::string, std::string> identities_;
  absl::Status failure_;
  int lookups_ = 0;
};

v1::InsuranceIdentifiers Card(const std::string& insurer, const std::string& symbol,
                              const std::string& number, const std::string& branch) {
  v1::InsuranceIdentifiers card;
  card.set_insurer_number(insurer);
  card.set_insured_card_symbol(symbol);
  card.set_insured_identification_number(number);
  card.set_insured_branch_number(branch);
  return card;
}

const v1::InsuranceIdentifiers kCard = Card("06139992", "1234", "5678", "01");
constexpr char kBirth[] = "19800115";

// A face file naming one qualification with `card` and `birth`, and `reference` if any.
v1::QualificationResult FaceFile(const v1::InsuranceIdentifiers& card, const std::string& birth,
                                 const std::string& reference = "") {
  v1::QualificationResult result;
  result.set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  result.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_VALID);
  v1::QualificationRecord& record = *result.add_records();
  *record.mutable_identifiers() = card;
  record.set_birth_date(birth);
  record.set_reference_number(reference);
  return result;
}

struct MatchCase {
  const char* name;
  v1::QualificationResult file;
  v1::PatientMatchKind kind;
  std::string patient_id;
  std::vector<std::string> candidates;
};

class MatchCheckinPatientTest : public ::testing::TestWithParam<MatchCase> {
 protected:
  // p-ref: registered 照会番号 target; p-one: the card's patient; p-twin-a/b: two patients with
  // one identity (a duplicate in the record); p-other: someone else.
  MatchCheckinPatientTest() {
    directory_.AddPatient("p-ref", Card("01139013", "1001", "25", "00"), "19700101");
    directory_.AddPatient("p-one", kCard, kBirth);
    directory_.AddPatient("p-twin-b", Card("39131156", "", "777", ""), "19400202");
    directory_.AddPatient("p-twin-a", Card("39131156", "", "777", ""), "19400202");
    directory_.AddPatient("p-other", Card("01139013", "2002", "9", ""), "19900303");
    directory_.AddPatient("p-no-coverage");
  }
  FakeDirectory directory_;
};

TEST_P(MatchCheckinPatientTest, DecidesWhoThePatientIs) {
  const MatchCase& c = GetParam();
  absl::StatusOr<v1::PatientMatch> match = MatchCheckinPatient(c.file, directory_);
  ASSERT_TRUE(match.ok()) << match.status();
  EXPECT_EQ(match->kind(), c.kind);
  EXPECT_EQ(match->patient_id(), c.patient_id);
  EXPECT_THAT(std::vector<std::string>(match->candidate_patient_ids().begin(),
                                       match->candidate_patient_ids().end()),
              ::testing::ElementsAreArray(c.candidates));
}

v1::QualificationResult WithoutRecords() {
  v1::QualificationResult result = FaceFile(kCard, kBirth);
  result.clear_records();
  result.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_ERROR);
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_NOT_FOUND);
  return result;
}

v1::QualificationResult Multiple() {
  v1::QualificationResult result = FaceFile(kCard, kBirth, "p-ref");
  *result.add_records() = result.records(0);
  result.set_qualification_validity(v1::QUALIFICATION_VALIDITY_MULTIPLE);
  return result;
}

INSTANTIATE_TEST_SUITE_P(
    Rule, MatchCheckinPatientTest,
    ::testing::Values(
        MatchCase{"ReferenceNumberOfAPatient",
                  FaceFile(kCard, kBirth, "p-ref"),
                  v1::PATIENT_MATCH_KIND_REFERENCE_NUMBER,
                  "p-ref",
                  {}},
        MatchCase{"ReferenceNumberOutranksTheNumbers",
                  FaceFile(Card("01139013", "2002", "9", ""), "19900303", "p-ref"),
                  v1::PATIENT_MATCH_KIND_REFERENCE_NUMBER,
                  "p-ref",
                  {}},
        MatchCase{"ReferenceNumberOfAPatientWithoutCoverage",
                  FaceFile(kCard, kBirth, "p-no-coverage"),
                  v1::PATIENT_MATCH_KIND_REFERENCE_NUMBER,
                  "p-no-coverage",
                  {}},
        MatchCase{"UnknownReferenceNumberFallsBackToIdentity",
                  FaceFile(kCard, kBirth, "p-unknown"),
                  v1::PATIENT_MATCH_KIND_IDENTIFIERS,
                  "p-one",
                  {}},
        MatchCase{"MalformedReferenceNumberFallsBackToIdentity",
                  FaceFile(kCard, kBirth, "照会 番号"),
                  v1::PATIENT_MATCH_KIND_IDENTIFIERS,
                  "p-one",
                  {}},
        MatchCase{"IdentityOfOnePatient",
                  FaceFile(kCard, kBirth),
                  v1::PATIENT_MATCH_KIND_IDENTIFIERS,
                  "p-one",
                  {}},
        MatchCase{"IdentityInOtherWidthAndPadding",
                  FaceFile(Card("06139992", "１２３４", "５６７８", "01"), kBirth),
                  v1::PATIENT_MATCH_KIND_IDENTIFIERS,
                  "p-one",
                  {}},
        MatchCase{"SameNumbersOtherBirthDateIsNobody",
                  FaceFile(kCard, "19800116"),
                  v1::PATIENT_MATCH_KIND_NONE,
                  "",
                  {}},
        MatchCase{"OtherBranchIsNobody",
                  FaceFile(Card("06139992", "1234", "5678", "02"), kBirth),
                  v1::PATIENT_MATCH_KIND_NONE,
                  "",
                  {}},
        MatchCase{"UnknownPersonIsNobody",
                  FaceFile(Card("27000017", "1", "2", ""), "20000101", "p-unknown"),
                  v1::PATIENT_MATCH_KIND_NONE,
                  "",
                  {}},
        MatchCase{"IncompleteIdentityIsNobody",
                  FaceFile(Card("06139992", "1234", "", ""), kBirth),
                  v1::PATIENT_MATCH_KIND_NONE,
                  "",
                  {}},
        MatchCase{"TwoPatientsWithOneIdentityAreAmbiguous",
                  FaceFile(Card("39131156", "", "777", ""), "19400202"),
                  v1::PATIENT_MATCH_KIND_AMBIGUOUS,
                  "",
                  {"p-twin-a", "p-twin-b"}},
        MatchCase{
            "NoRecordInTheFileIsNobody", WithoutRecords(), v1::PATIENT_MATCH_KIND_NONE, "", {}},
        MatchCase{"SeveralRecordsAreNobodyEvenWithAReferenceNumber",
                  Multiple(),
                  v1::PATIENT_MATCH_KIND_NONE,
                  "",
                  {}}),
    [](const ::testing::TestParamInfo<MatchCase>& info) { return std::string(info.param.name); });

TEST(MatchCheckinPatientErrorTest, DirectoryFailureIsReturnedNotGuessed) {
  FakeDirectory directory;
  directory.AddPatient("p-one", kCard, kBirth);
  directory.FailWith(MakeError(errors::kStoreUnavailable));
  absl::StatusOr<v1::PatientMatch> match =
      MatchCheckinPatient(FaceFile(kCard, kBirth, "p-one"), directory);
  ASSERT_FALSE(match.ok());
  EXPECT_EQ(ReasonOf(match.status()), "ONSHI_STORE_UNAVAILABLE");
}

TEST(MatchCheckinPatientErrorTest, FileWithoutOneRecordAsksTheDirectoryNothing) {
  FakeDirectory directory;
  ASSERT_TRUE(MatchCheckinPatient(Multiple(), directory).ok());
  ASSERT_TRUE(MatchCheckinPatient(WithoutRecords(), directory).ok());
  EXPECT_EQ(directory.lookups(), 0);
}

absl::Time Utc(int y, int mo, int d, int h, int mi) {
  return absl::FromCivil(absl::CivilMinute(y, mo, d, h, mi), absl::UTCTimeZone());
}

TEST(CheckinConfirmationDateTest, FileConfirmationDateWins) {
  v1::QualificationResult result = FaceFile(kCard, kBirth);
  result.set_qualification_confirmation_date("20261123");
  result.set_process_execution_time("20261124093000");
  EXPECT_EQ(FormatDate(CheckinConfirmationDate(result, Utc(2026, 11, 30, 0, 0))), "20261123");
}

TEST(CheckinConfirmationDateTest, ProcessExecutionTimeIsJapanTime) {
  v1::QualificationResult result = FaceFile(kCard, kBirth);
  // 00:30 JST on the 24th is still the 23rd in UTC: the JST date counts.
  result.set_process_execution_time("20261124003000");
  EXPECT_EQ(FormatDate(CheckinConfirmationDate(result, Utc(2026, 11, 30, 0, 0))), "20261124");
}

TEST(CheckinConfirmationDateTest, ReceivedTimeInJapanWhenTheFileStatesNoTime) {
  v1::QualificationResult result = FaceFile(kCard, kBirth);
  result.set_qualification_confirmation_date("2026112");  // not a date
  // 2026-11-22T15:30Z is 2026-11-23 00:30 in Japan.
  EXPECT_EQ(FormatDate(CheckinConfirmationDate(result, Utc(2026, 11, 22, 15, 30))), "20261123");
}

}  // namespace
}  // namespace onshi
