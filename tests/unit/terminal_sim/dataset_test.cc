// The dataset file itself: it loads, and it covers every scenario kind issue 2 asks for. Each
// check looks at the data (not at a tag a writer could forget to keep true).

#include "adapters/terminal_sim/dataset.h"

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "adapters/terminal_sim/matching.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "plugin/core/insurer_number.h"
#include "plugin/core/text.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;

class DatasetFileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<v1::Dataset> loaded = LoadDataset(ONSHI_SIM_DATASET);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    dataset_ = new v1::Dataset(*std::move(loaded));
  }
  static void TearDownTestSuite() {
    delete dataset_;
    dataset_ = nullptr;
  }

  static const v1::Dataset& dataset() { return *dataset_; }

  // Patients whose (first) record satisfies `pred`.
  template <typename Pred>
  static int CountPatients(Pred pred) {
    int n = 0;
    for (const v1::Patient& p : dataset().patients()) {
      if (pred(p)) ++n;
    }
    return n;
  }

  static bool IsKouki(const ov1::QualificationRecord& r) {
    return absl::StartsWith(r.identifiers().insurer_number(), "39");
  }

  // Age in whole years on `date` (YYYYMMDD) for a birth date YYYYMMDD.
  static int AgeOn(const std::string& birth, const std::string& date) {
    const int by = std::stoi(birth.substr(0, 4));
    const int bmd = std::stoi(birth.substr(4));
    const int y = std::stoi(date.substr(0, 4));
    const int md = std::stoi(date.substr(4));
    return y - by - (md < bmd ? 1 : 0);
  }

 private:
  static v1::Dataset* dataset_;
};

v1::Dataset* DatasetFileTest::dataset_ = nullptr;

TEST_F(DatasetFileTest, HasAtLeastThirtyPatientsWithUniqueScenarios) {
  EXPECT_GE(dataset().patients_size(), 30);
  std::set<std::string> ids;
  for (const v1::Patient& p : dataset().patients()) {
    EXPECT_TRUE(ids.insert(p.scenario()).second) << p.scenario();
    EXPECT_FALSE(p.description().empty()) << p.scenario();
  }
}

TEST_F(DatasetFileTest, EveryInsurerNumberHasAValidCheckDigit) {
  for (const v1::Patient& p : dataset().patients()) {
    EXPECT_TRUE(HasValidCheckDigit(p.card().insurer_number())) << p.scenario();
    for (const ov1::QualificationRecord& r : p.records()) {
      EXPECT_TRUE(
          HasValidCheckDigit(absl::StripLeadingAsciiWhitespace(r.identifiers().insurer_number())))
          << p.scenario();
      EXPECT_EQ(r.birth_date(), p.birth_date()) << p.scenario();
    }
  }
}

TEST_F(DatasetFileTest, UsesSeveralKindsOfInsurer) {
  for (const char* prefix : {"01", "06", "31", "32", "33", "39"}) {
    EXPECT_GT(CountPatients([&](const v1::Patient& p) {
                return p.card().insurer_number().size() == 8 &&
                       absl::StartsWith(p.card().insurer_number(), prefix);
              }),
              0)
        << prefix;
  }
}

TEST_F(DatasetFileTest, CoversEveryQualificationValidity) {
  for (ov1::QualificationValidity v :
       {ov1::QUALIFICATION_VALIDITY_VALID, ov1::QUALIFICATION_VALIDITY_INVALID,
        ov1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS}) {
    EXPECT_GT(CountPatients([&](const v1::Patient& p) {
                return p.validity() == v && p.behavior() == v1::BEHAVIOR_UNSPECIFIED;
              }),
              0)
        << v;
  }
  EXPECT_GT(CountPatients([](const v1::Patient& p) {
              return p.validity() == ov1::QUALIFICATION_VALIDITY_MULTIPLE && p.records_size() >= 2;
            }),
            0);
  // 該当資格なし is produced for people the dataset does not know: none may claim it.
  EXPECT_EQ(CountPatients([](const v1::Patient& p) {
              return p.validity() == ov1::QUALIFICATION_VALIDITY_NOT_FOUND;
            }),
            0);
}

TEST_F(DatasetFileTest, InvalidQualificationsCarryTheirEndDate) {
  for (const v1::Patient& p : dataset().patients()) {
    if (p.validity() != ov1::QUALIFICATION_VALIDITY_INVALID &&
        p.validity() != ov1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS) {
      continue;
    }
    EXPECT_FALSE(p.records(0).disqualification_date().empty()) << p.scenario();
    EXPECT_FALSE(p.records(0).reason_of_loss().empty()) << p.scenario();
  }
}

TEST_F(DatasetFileTest, KoukiPatientsHaveNoSymbolAndEachRatio) {
  for (const char* ratio : {"010", "020", "030"}) {
    EXPECT_GT(CountPatients([&](const v1::Patient& p) {
                const auto& r = p.records(0);
                return IsKouki(r) && p.card().insured_card_symbol().empty() &&
                       r.identifiers().insured_card_symbol().empty() &&
                       r.insured_partial_contribution_ratio() == ratio;
              }),
              0)
        << ratio;
  }
}

TEST_F(DatasetFileTest, SeventyToSeventyFourHaveElderlyCertificatesAtTwoAndThreeWari) {
  for (const char* ratio : {"020", "030"}) {
    EXPECT_GT(CountPatients([&](const v1::Patient& p) {
                const auto& r = p.records(0);
                if (!r.has_elderly_recipient_certificate()) return false;
                const auto& e = r.elderly_recipient_certificate();
                return e.contribution_ratio() == ratio &&
                       AgeOn(p.birth_date(), e.valid_start_date()) == 70 &&
                       AgeOn(p.birth_date(), e.valid_end_date()) == 74;
              }),
              0)
        << ratio;
  }
}

TEST_F(DatasetFileTest, EveryLimitCategoryIsPresentAndFitsTheAgeBand) {
  std::set<std::string> seen;
  for (const v1::Patient& p : dataset().patients()) {
    for (const ov1::QualificationRecord& r : p.records()) {
      if (!r.has_limit_certificate()) continue;
      const std::string code = r.limit_certificate().category();
      seen.insert(code);
      const int age = AgeOn(p.birth_date(), r.limit_certificate().valid_start_date());
      const bool elderly = r.has_elderly_recipient_certificate();
      if (code[0] == 'A') {
        EXPECT_LT(age, 70) << p.scenario();
        EXPECT_FALSE(elderly || IsKouki(r)) << p.scenario();
      } else if (code == "B04") {
        EXPECT_TRUE(elderly && !IsKouki(r)) << p.scenario();
      } else if (code == "B09" || code == "B10") {
        EXPECT_TRUE(IsKouki(r)) << p.scenario();
      } else {
        EXPECT_GE(age, 70) << p.scenario();
        EXPECT_TRUE(elderly || IsKouki(r)) << p.scenario();
      }
      // Within the certificate's validity the patient is in the band the code belongs to.
      const int age_at_end = AgeOn(p.birth_date(), r.limit_certificate().valid_end_date());
      if (code[0] == 'A') {
        EXPECT_LT(age_at_end, 70) << p.scenario();
      }
      if (elderly) {
        EXPECT_LT(age_at_end, 75) << p.scenario();
      }
    }
  }
  for (const char* code : {"A01", "A02", "A03", "A04", "A05", "A06", "B01", "B02", "B03", "B04",
                           "B05", "B06", "B07", "B08", "B09", "B10"}) {
    EXPECT_EQ(seen.count(code), 1u) << code;
  }
}

TEST_F(DatasetFileTest, LimitCertificatesAreInForceForYearsToCome) {
  for (const v1::Patient& p : dataset().patients()) {
    for (const ov1::QualificationRecord& r : p.records()) {
      if (!r.has_limit_certificate()) continue;
      EXPECT_LE(r.limit_certificate().valid_start_date(), "20261201") << p.scenario();
      EXPECT_GE(r.limit_certificate().valid_end_date(), "20300228") << p.scenario();
    }
  }
}

TEST_F(DatasetFileTest, HasSpecificDiseaseCertificatesAtTenAndTwentyThousandYen) {
  for (int64_t yen : {10000, 20000}) {
    EXPECT_GT(CountPatients([&](const v1::Patient& p) {
                for (const auto& d : p.records(0).specific_diseases()) {
                  if (d.disease_category() == "1" && d.self_pay_yen() == yen) return true;
                }
                return false;
              }),
              0)
        << yen;
  }
}

TEST_F(DatasetFileTest, HasACardSymbolThatDiffersFromTheRegisteredOneOnlyInWidth) {
  EXPECT_GT(CountPatients([](const v1::Patient& p) {
              const std::string& card = p.card().insured_card_symbol();
              const std::string& registered = p.records(0).identifiers().insured_card_symbol();
              return card != registered && FoldWidth(card) == FoldWidth(registered);
            }),
            0);
}

TEST_F(DatasetFileTest, HasANumberThatDiffersFromTheRegisteredOneOnlyInLeadingZeros) {
  EXPECT_GT(CountPatients([](const v1::Patient& p) {
              const std::string& card = p.card().insured_identification_number();
              const std::string& registered =
                  p.records(0).identifiers().insured_identification_number();
              return card != registered && NormalizeIdentifierForComparison(card) ==
                                               NormalizeIdentifierForComparison(registered);
            }),
            0);
}

TEST_F(DatasetFileTest, SixDigitKokuhoIsRegisteredSpacePadded) {
  int found = 0;
  for (const v1::Patient& p : dataset().patients()) {
    if (p.card().insurer_number().size() != 6) continue;
    ++found;
    EXPECT_EQ(p.records(0).identifiers().insurer_number(), "  " + p.card().insurer_number())
        << p.scenario();
  }
  EXPECT_GT(found, 0);
}

TEST_F(DatasetFileTest, HasANameOutsideJis) {
  // U+20BB7 (𠮷) is outside JIS X 0208, so outside Shift_JIS/CP932.
  EXPECT_GT(CountPatients([](const v1::Patient& p) {
              return absl::StrContains(p.records(0).name(), "\xF0\xA0\xAE\xB7");
            }),
            0);
}

TEST_F(DatasetFileTest, HasAPreschoolChild) {
  EXPECT_GT(CountPatients([](const v1::Patient& p) {
              return p.records(0).preschool_classification() == "1" &&
                     AgeOn(p.birth_date(), "20261201") < 6 &&
                     p.records(0).personal_family_classification() == "2";
            }),
            0);
}

TEST_F(DatasetFileTest, HasASupplementaryMessageOnANormalResult) {
  EXPECT_GT(CountPatients([](const v1::Patient& p) {
              return p.validity() == ov1::QUALIFICATION_VALIDITY_VALID &&
                     absl::StartsWith(p.processing_result_code(), "SIM-") &&
                     absl::StrContains(p.processing_result_message(), "電子証明書");
            }),
            0);
}

TEST_F(DatasetFileTest, HasEveryBehavior) {
  for (v1::Behavior b : {v1::BEHAVIOR_SILENT, v1::BEHAVIOR_TERMINAL_ERROR,
                         v1::BEHAVIOR_REJECT_REQUEST, v1::BEHAVIOR_MALFORMED_ANSWER}) {
    EXPECT_GT(CountPatients([&](const v1::Patient& p) { return p.behavior() == b; }), 0) << b;
  }
  EXPECT_GT(CountPatients([](const v1::Patient& p) {
              return p.behavior() == v1::BEHAVIOR_LATE && p.latency_ms() >= 3000;
            }),
            0);
}

TEST_F(DatasetFileTest, HasAPatientAnsweredInShiftJisWhateverTheDefault) {
  EXPECT_GT(CountPatients(
                [](const v1::Patient& p) { return p.encoding() == v1::ANSWER_ENCODING_SHIFT_JIS; }),
            0);
}

TEST_F(DatasetFileTest, SomePatientsHaveConsentsAndNoneAReferenceNumber) {
  EXPECT_GT(CountPatients([](const v1::Patient& p) {
              const auto& c = p.records(0).pharmacists_info_consent();
              return c.flag() == ov1::CONSENT_FLAG_GIVEN && !c.available_time().empty();
            }),
            0);
  EXPECT_EQ(CountPatients([](const v1::Patient& p) {
              for (const auto& r : p.records()) {
                if (!r.reference_number().empty()) return true;
              }
              return false;
            }),
            0);
}

// ---- validation -------------------------------------------------------------------------------

constexpr char kOnePatient[] = R"pb(
  patients {
    scenario: "a"
    card { insurer_number: "06139992" insured_identification_number: "1" }
    birth_date: "19800101"
    validity: QUALIFICATION_VALIDITY_VALID
    records {
      identifiers { insurer_number: "06139992" insured_identification_number: "1" }
      birth_date: "19800101"
    }
  }
)pb";

std::string WithSecond(const std::string& second) { return std::string(kOnePatient) + second; }

void ExpectInvalid(const std::string& text, const std::string& what) {
  absl::StatusOr<v1::Dataset> parsed = ParseDataset(text);
  ASSERT_FALSE(parsed.ok()) << what;
  EXPECT_EQ(ReasonOf(parsed.status()), "ONSHI_CONFIG_INVALID");
  EXPECT_THAT(std::string(parsed.status().message()), ::testing::HasSubstr(what));
}

TEST(ValidateDatasetTest, AMinimalDatasetIsAccepted) {
  EXPECT_TRUE(ParseDataset(kOnePatient).ok());
}

TEST(ValidateDatasetTest, DuplicateScenarioIsRefused) {
  ExpectInvalid(WithSecond(R"pb(
                  patients {
                    scenario: "a"
                    card { insurer_number: "06139984" insured_identification_number: "2" }
                    birth_date: "19800101"
                    validity: QUALIFICATION_VALIDITY_VALID
                    records {
                      identifiers { insurer_number: "06139984" insured_identification_number: "2" }
                      birth_date: "19800101"
                    }
                  })pb"),
                "scenario is not unique");
}

TEST(ValidateDatasetTest, WrongCheckDigitIsRefused) {
  ExpectInvalid(R"pb(
                  patients {
                    scenario: "a"
                    card { insurer_number: "06139995" insured_identification_number: "1" }
                    birth_date: "19800101"
                    validity: QUALIFICATION_VALIDITY_VALID
                    records {
                      identifiers { insurer_number: "06139992" insured_identification_number: "1" }
                      birth_date: "19800101"
                    }
                  })pb",
                "card.insurer_number");
}

TEST(ValidateDatasetTest, UnpaddedSixDigitInsurerInARecordIsRefused) {
  ExpectInvalid(R"pb(
                  patients {
                    scenario: "a"
                    card { insurer_number: "139014" insured_identification_number: "1" }
                    birth_date: "19800101"
                    validity: QUALIFICATION_VALIDITY_VALID
                    records {
                      identifiers { insurer_number: "139014" insured_identification_number: "1" }
                      birth_date: "19800101"
                    }
                  })pb",
                "identifiers.insurer_number");
}

TEST(ValidateDatasetTest, ImpossibleDateIsRefused) {
  ExpectInvalid(R"pb(
                  patients {
                    scenario: "a"
                    card { insurer_number: "06139992" insured_identification_number: "1" }
                    birth_date: "19800230"
                    validity: QUALIFICATION_VALIDITY_VALID
                    records {
                      identifiers { insurer_number: "06139992" insured_identification_number: "1" }
                      birth_date: "19800230"
                    }
                  })pb",
                "birth_date is not a valid");
}

TEST(ValidateDatasetTest, TwoPatientsOneRequestCouldMatchAreRefused) {
  ExpectInvalid(WithSecond(R"pb(
                  patients {
                    scenario: "b"
                    card { insurer_number: "06139992" insured_identification_number: "０１" }
                    birth_date: "19800101"
                    validity: QUALIFICATION_VALIDITY_VALID
                    records {
                      identifiers { insurer_number: "06139992" insured_identification_number: "1" }
                      birth_date: "19800101"
                    }
                  })pb"),
                "could match both");
}

TEST(ValidateDatasetTest, PresetLimitConsentIsRefused) {
  ExpectInvalid(R"pb(
                  patients {
                    scenario: "a"
                    card { insurer_number: "06139992" insured_identification_number: "1" }
                    birth_date: "19800101"
                    validity: QUALIFICATION_VALIDITY_VALID
                    records {
                      identifiers { insurer_number: "06139992" insured_identification_number: "1" }
                      birth_date: "19800101"
                      limit_certificate_consent { flag: CONSENT_FLAG_GIVEN }
                    }
                  })pb",
                "limit_certificate_consent must be unset");
}

TEST(ValidateDatasetTest, UnknownLimitCategoryIsRefused) {
  ExpectInvalid(R"pb(
                  patients {
                    scenario: "a"
                    card { insurer_number: "06139992" insured_identification_number: "1" }
                    birth_date: "19800101"
                    validity: QUALIFICATION_VALIDITY_VALID
                    records {
                      identifiers { insurer_number: "06139992" insured_identification_number: "1" }
                      birth_date: "19800101"
                      limit_certificate { classification: "01" category: "A07" }
                    }
                  })pb",
                "limit_certificate.category");
}

TEST(ValidateDatasetTest, MultipleNeedsTwoRecordsAndOthersExactlyOne) {
  ExpectInvalid(R"pb(
                  patients {
                    scenario: "a"
                    card { insurer_number: "06139992" insured_identification_number: "1" }
                    birth_date: "19800101"
                    validity: QUALIFICATION_VALIDITY_MULTIPLE
                    records {
                      identifiers { insurer_number: "06139992" insured_identification_number: "1" }
                      birth_date: "19800101"
                    }
                  })pb",
                "MULTIPLE needs at least two records");
  ExpectInvalid(R"pb(
                  patients {
                    scenario: "a"
                    card { insurer_number: "06139992" insured_identification_number: "1" }
                    birth_date: "19800101"
                    validity: QUALIFICATION_VALIDITY_VALID
                  })pb",
                "exactly one record");
}

TEST(ValidateDatasetTest, NotFoundValidityIsRefused) {
  ExpectInvalid(R"pb(
                  patients {
                    scenario: "a"
                    card { insurer_number: "06139992" insured_identification_number: "1" }
                    birth_date: "19800101"
                    validity: QUALIFICATION_VALIDITY_NOT_FOUND
                    records {
                      identifiers { insurer_number: "06139992" insured_identification_number: "1" }
                      birth_date: "19800101"
                    }
                  })pb",
                "validity must be set and not NOT_FOUND");
}

TEST(ValidateDatasetTest, LateWithoutLatencyIsRefused) {
  ExpectInvalid(R"pb(
                  patients {
                    scenario: "a"
                    card { insurer_number: "06139992" insured_identification_number: "1" }
                    birth_date: "19800101"
                    validity: QUALIFICATION_VALIDITY_VALID
                    behavior: BEHAVIOR_LATE
                    records {
                      identifiers { insurer_number: "06139992" insured_identification_number: "1" }
                      birth_date: "19800101"
                    }
                  })pb",
                "LATE needs latency_ms");
}

// The one patient of kOnePatient with `fields` added.
std::string WithFields(const std::string& fields) {
  std::string text = kOnePatient;
  const std::string anchor = "validity: QUALIFICATION_VALIDITY_VALID";
  text.insert(text.find(anchor) + anchor.size(), "\n" + fields);
  return text;
}

TEST(ValidateDatasetTest, MedicalInformationIsAccepted) {
  absl::StatusOr<v1::Dataset> parsed = ParseDataset(WithFields(R"pb(
    medication_months {
      month: "202610"
      dates {
        dispensing_date: "20261005"
        drugs { code: "2171022F1010" name: "アムロジピン錠５ｍｇ" }
      }
      treatments { code: "112007410" name: "再診料" }
    }
    medication_months { month: "202611" }
    checkups {
      effective_time: "20260915"
      items { item_code: "9N001000000000001" item_name: "身長" value: "171.2" }
    }
    prescription_issue_select: "1"
  )pb"));
  EXPECT_TRUE(parsed.ok()) << parsed.status();
}

TEST(ValidateDatasetTest, MalformedMedicalInformationIsRefused) {
  ExpectInvalid(WithFields(R"pb(medication_months { month: "2026-10" })pb"),
                "medication_months[0].month must be YYYYMM");
  ExpectInvalid(WithFields(R"pb(medication_months { month: "202611" }
                                medication_months { month: "202610" })pb"),
                "older than the month before it");
  ExpectInvalid(WithFields(R"pb(medication_months {
                                  month: "202610"
                                  dates { dispensing_date: "20261105" }
                                })pb"),
                "dispensing_date is not in its month");
  ExpectInvalid(WithFields(R"pb(medication_months {
                                  month: "202610"
                                  dates {
                                    dispensing_date: "20261005"
                                    drugs { name: "x" }
                                  }
                                })pb"),
                "needs a code and a name");
  ExpectInvalid(WithFields(R"pb(checkups { effective_time: "2026" })pb"),
                "checkups[0].effective_time");
  ExpectInvalid(WithFields(R"pb(checkups {
                                  effective_time: "20260915"
                                  items { item_code: "9N001000000000001" item_name: "身長" }
                                })pb"),
                "needs a code, a name and a value");
  ExpectInvalid(WithFields(R"pb(prescription_issue_select: "3")pb"), "prescription_issue_select");
}

TEST_F(DatasetFileTest, SomePatientsHaveMonthsOfMedicationAndCheckupsWithValues) {
  EXPECT_GE(CountPatients([](const v1::Patient& p) { return p.medication_months_size() >= 3; }),
            2);
  EXPECT_GE(CountPatients([](const v1::Patient& p) { return p.checkups_size() > 0; }), 2);
  EXPECT_GE(CountPatients([](const v1::Patient& p) { return p.limit_certificate_changed(); }), 1);
  EXPECT_GE(CountPatients([](const v1::Patient& p) { return p.home_care_consent(); }), 1);
  EXPECT_GE(CountPatients([](const v1::Patient& p) { return p.certificate_grace_period(); }), 1);
  EXPECT_GE(CountPatients([](const v1::Patient& p) {
              return p.records(0).insured_card_classification() == "07";
            }),
            1);
}

TEST(ParseDatasetTest, SyntaxErrorGivesLineAndColumnButNoFileText) {
  absl::StatusOr<v1::Dataset> parsed =
      ParseDataset("patients {\n  scenario: \"a\"\n  secret_field_試験: 1\n}\n");
  ASSERT_FALSE(parsed.ok());
  const std::string message(parsed.status().message());
  EXPECT_THAT(message, ::testing::HasSubstr("line 3"));
  EXPECT_THAT(message, ::testing::Not(::testing::HasSubstr("secret_field")));
  EXPECT_THAT(message, ::testing::Not(::testing::HasSubstr("試験")));
}

TEST(LoadDatasetTest, MissingFileIsAConfigError) {
  absl::StatusOr<v1::Dataset> loaded = LoadDataset("/nonexistent/onshi/dataset.textproto");
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(ReasonOf(loaded.status()), "ONSHI_CONFIG_INVALID");
}

}  // namespace
}  // namespace onshi::sim
