// 薬剤情報 (YZK) and 特定健診 (TKK), decided without files: matching without birth date, the
// consent window of oqs-interface.md §7 on the terminal's side, months, treatments, PDF.

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/terminal_sim/responder.h"
#include "gtest/gtest.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using ::onshi::sim::testing::Card;
using ::onshi::sim::testing::CardOf;
using ::onshi::sim::testing::CheckinOf;
using ::onshi::sim::testing::CheckupRequest;
using ::onshi::sim::testing::EveryConsent;
using ::onshi::sim::testing::Exercises;
using ::onshi::sim::testing::kInstitution;
using ::onshi::sim::testing::MedicationRequest;
using ::onshi::sim::testing::TestDataset;
using ::onshi::sim::testing::TestNow;

class MedicalTest : public ::testing::Test {
 protected:
  std::unique_ptr<Responder> Make(FaultSet fault = Fault::kNone) {
    ResponderOptions options;
    options.institution_code = kInstitution;
    options.fault = fault;
    return std::make_unique<Responder>(TestDataset(), options, &state_);
  }

  // A check-in with `consents` at `at` (JST YYYYMMDDhhmmss).
  static void CheckIn(const Responder& r, const std::string& scenario,
                      std::vector<v1::ConsentCategory> consents,
                      const std::string& at = "20261201090000") {
    absl::StatusOr<CheckinReply> reply = r.CheckIn(CheckinOf(scenario, consents, at), TestNow());
    ASSERT_TRUE(reply.ok()) << reply.status();
  }

  static ov1::MedicationResultDocument Medication(const Responder& r,
                                                  const ov1::MedicationRequestDocument& request,
                                                  absl::Time now = TestNow()) {
    const Reply reply = r.HandleDocument(DocumentKind::kMedicationRequest, request, now);
    EXPECT_EQ(reply.action, Reply::Action::kAnswer);
    EXPECT_EQ(reply.kind, DocumentKind::kMedicationResult);
    const auto* doc = reply.document != nullptr
                          ? google::protobuf::DynamicCastToGenerated<ov1::MedicationResultDocument>(
                                reply.document.get())
                          : nullptr;
    EXPECT_NE(doc, nullptr) << "a PDF where XML was expected";
    return doc != nullptr ? *doc : ov1::MedicationResultDocument();
  }

  static ov1::CheckupResultDocument Checkups(const Responder& r,
                                             const ov1::CheckupRequestDocument& request,
                                             absl::Time now = TestNow()) {
    const Reply reply = r.HandleDocument(DocumentKind::kCheckupRequest, request, now);
    EXPECT_EQ(reply.kind, DocumentKind::kCheckupResult);
    const auto* doc = reply.document != nullptr
                          ? google::protobuf::DynamicCastToGenerated<ov1::CheckupResultDocument>(
                                reply.document.get())
                          : nullptr;
    EXPECT_NE(doc, nullptr);
    return doc != nullptr ? *doc : ov1::CheckupResultDocument();
  }

  SimState state_;
};

TEST_F(MedicalTest, MedicationWithAFreshConsentReturnsTheMonthsAsked) {
  Exercises("medication-xml");
  auto r = Make();
  CheckIn(*r, "valid-kyokai-honnin", {v1::CONSENT_CATEGORY_PHARMACISTS});
  const ov1::MedicationResultDocument result =
      Medication(*r, MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK01", "202608", "202610"));
  EXPECT_EQ(result.result_code(), "1");
  EXPECT_EQ(result.arbitrary_file_identifier(), "YZK01");
  EXPECT_EQ(result.medical_institution_code(), kInstitution);
  EXPECT_EQ(result.subject().name(), "試験　太郎");
  EXPECT_EQ(result.subject().kana_name(), "ｼｹﾝ ﾀﾛｳ");
  EXPECT_EQ(result.subject().birth_date(), "19800115");
  EXPECT_EQ(result.subject().sex(), "1");
  // 202608, two institutions in 202609, 202610; not 202607 nor 202611.
  ASSERT_EQ(result.months_size(), 4);
  EXPECT_EQ(result.months(0).month(), "202608");
  EXPECT_EQ(result.months(3).month(), "202610");
  EXPECT_EQ(result.months(3).dates_size(), 2);
  EXPECT_EQ(result.months(0).dates(0).drugs(0).name(), "アムロジピン錠５ｍｇ");
  EXPECT_EQ(result.months(0).dates(0).drugs(0).code(), "2171022F1010");
  // FileCategory 2: no 診療 information.
  for (const ov1::MedicationMonth& m : result.months()) EXPECT_EQ(m.treatments_size(), 0);
}

TEST_F(MedicalTest, TreatmentsOnlyWhenAskedAndUnderTheirOwnConsent) {
  auto r = Make();
  Exercises("medication-treatments");
  CheckIn(*r, "valid-kyokai-honnin",
          {v1::CONSENT_CATEGORY_PHARMACISTS, v1::CONSENT_CATEGORY_DIAGNOSIS});
  ov1::MedicationResultDocument with = Medication(
      *r, MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK02", "202611", "202611", "4"));
  ASSERT_EQ(with.months_size(), 1);
  ASSERT_EQ(with.months(0).treatments_size(), 3);
  EXPECT_EQ(with.months(0).treatments(0).name(), "再診料");

  Exercises("medication-treatments-without-diagnosis-consent");
  CheckIn(*r, "valid-kyokai-honnin", {v1::CONSENT_CATEGORY_PHARMACISTS});
  ov1::MedicationResultDocument without = Medication(
      *r, MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK03", "202611", "202611", "4"));
  EXPECT_EQ(without.result_code(), "1");
  ASSERT_EQ(without.months_size(), 1);
  EXPECT_EQ(without.months(0).treatments_size(), 0);
}

TEST_F(MedicalTest, WithoutAConsentTheAnswerIsARefusal) {
  Exercises("medication-no-consent");
  auto r = Make();
  // No check-in: the dataset's consent of 20261101 has long expired; this patient has none.
  const ov1::MedicationResultDocument none =
      Medication(*r, MedicationRequest(CardOf("limit-a01"), "YZK04"));
  EXPECT_EQ(none.result_code(), "2");
  EXPECT_EQ(none.message_contents(), "薬剤情報の閲覧について患者の同意が確認できません。");
  EXPECT_EQ(none.months_size(), 0);
  EXPECT_FALSE(none.has_subject());
  // A check-in that did not consent to 薬剤情報 (only 特定健診) is no consent either.
  CheckIn(*r, "valid-kyokai-honnin", {v1::CONSENT_CATEGORY_CHECKUPS});
  EXPECT_EQ(Medication(*r, MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK05")).result_code(),
            "2");
}

TEST_F(MedicalTest, OutpatientConsentLastsUntilItsAvailableTime) {
  Exercises("medication-consent-expired");
  auto r = Make();
  CheckIn(*r, "valid-kyokai-honnin", {v1::CONSENT_CATEGORY_PHARMACISTS}, "20261130093001");
  // 23:59:59 after the check-in: still within.
  EXPECT_EQ(Medication(*r, MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK06")).result_code(),
            "1");
  // 24 h after it: expired.
  const ov1::MedicationResultDocument late = Medication(
      *r, MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK07"), TestNow() + absl::Seconds(1));
  EXPECT_EQ(late.result_code(), "2");
  EXPECT_TRUE(absl::StrContains(late.message_contents(), "有効期限"));
  // A consent given after the request's moment does not count for it.
  CheckIn(*r, "limit-a02", {v1::CONSENT_CATEGORY_PHARMACISTS}, "20261201100000");
  EXPECT_EQ(Medication(*r, MedicationRequest(CardOf("limit-a02"), "YZK08")).result_code(), "2");
}

TEST_F(MedicalTest, HomeVisitAndOnlineAcceptAConsentOfTheLast24Hours) {
  Exercises("medication-home-visit-recent-consent");
  auto r = Make();
  CheckIn(*r, "valid-kyokai-honnin", {v1::CONSENT_CATEGORY_PHARMACISTS}, "20261130100000");
  for (ov1::CareSetting setting : {ov1::CARE_SETTING_HOME_VISIT, ov1::CARE_SETTING_ONLINE}) {
    EXPECT_EQ(Medication(*r, MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK09", "202606",
                                               "202611", "2", setting))
                  .result_code(),
              "1");
    EXPECT_EQ(Medication(*r,
                         MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK10", "202606",
                                           "202611", "2", setting),
                         TestNow() + absl::Hours(1))
                  .result_code(),
              "2");
  }
}

TEST_F(MedicalTest, EmergencyIsAnsweredWithoutConsent) {
  Exercises("medication-emergency");
  auto r = Make();
  const ov1::MedicationResultDocument result =
      Medication(*r, MedicationRequest(CardOf("kouki-1wari"), "YZK11", "202601", "202612", "4",
                                       ov1::CARE_SETTING_EMERGENCY));
  EXPECT_EQ(result.result_code(), "1");
  EXPECT_EQ(result.months_size(), 3);
  EXPECT_EQ(result.months(0).treatments_size(), 3) << "救急時: 診療情報 too";
}

TEST_F(MedicalTest, StandingHomeCareConsentCoversVisitsButNotTheOutpatientDesk) {
  Exercises("medication-home-care-consent");
  auto r = Make();
  const Card card = CardOf("home-care-consent");
  EXPECT_EQ(Medication(*r, MedicationRequest(card, "YZK12", "202610", "202611", "2",
                                             ov1::CARE_SETTING_HOME_VISIT))
                .months_size(),
            2);
  EXPECT_EQ(Medication(*r, MedicationRequest(card, "YZK13", "202610", "202611", "2",
                                             ov1::CARE_SETTING_ONLINE))
                .result_code(),
            "1");
  EXPECT_EQ(Medication(*r, MedicationRequest(card, "YZK14")).result_code(), "2");
}

TEST_F(MedicalTest, SomeHoldersAreNeverAnswered) {
  auto r = Make();
  Exercises("medication-never-released");
  CheckIn(*r, "jieikan", EveryConsent());
  const ov1::MedicationResultDocument jieikan =
      Medication(*r, MedicationRequest(CardOf("jieikan"), "YZK15", "202601", "202612", "2",
                                       ov1::CARE_SETTING_EMERGENCY));
  EXPECT_EQ(jieikan.result_code(), "2");
  EXPECT_TRUE(absl::StrContains(jieikan.message_contents(), "自衛官"));
  EXPECT_EQ(Checkups(*r, CheckupRequest(CardOf("jieikan"), "TKK15")).result_code(), "2");

  Exercises("medication-grace-period");
  CheckIn(*r, "cert-grace", EveryConsent());
  const ov1::MedicationResultDocument grace =
      Medication(*r, MedicationRequest(CardOf("cert-grace"), "YZK16"));
  EXPECT_EQ(grace.result_code(), "2");
  EXPECT_TRUE(absl::StrContains(grace.message_contents(), "電子証明書"));
  EXPECT_EQ(Checkups(*r, CheckupRequest(CardOf("cert-grace"), "TKK16")).result_code(), "2");

  // 医療扶助 (A1) too.
  v1::Dataset dataset = TestDataset();
  for (v1::Patient& p : *dataset.mutable_patients()) {
    if (p.scenario() == "limit-a01") p.mutable_records(0)->set_insured_card_classification("A1");
  }
  ResponderOptions options;
  options.institution_code = kInstitution;
  Responder aid(dataset, options);
  EXPECT_EQ(Medication(aid, MedicationRequest(CardOf("limit-a01"), "YZK17", "202601", "202612", "2",
                                              ov1::CARE_SETTING_EMERGENCY))
                .result_code(),
            "2");
}

TEST_F(MedicalTest, UnknownOrAmbiguousPeopleFail) {
  auto r = Make();
  Exercises("medication-not-found");
  const ov1::MedicationResultDocument unknown =
      Medication(*r, MedicationRequest(Card{"01139013", "9999", "999", "00", ""}, "YZK18"));
  EXPECT_EQ(unknown.result_code(), "9");
  EXPECT_FALSE(unknown.message_contents().empty());
  Exercises("medication-ambiguous");
  Card family = CardOf("valid-kyokai-honnin");
  family.branch.clear();
  EXPECT_EQ(Medication(*r, MedicationRequest(family, "YZK19")).result_code(), "9");
}

TEST_F(MedicalTest, PdfIsARealPdfWithThePatientsData) {
  Exercises("medication-pdf");
  auto r = Make();
  CheckIn(*r, "valid-kyokai-honnin", EveryConsent());
  const Reply reply = r->HandleDocument(
      DocumentKind::kMedicationRequest,
      MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK20", "202609", "202609", "3"),
      TestNow());
  ASSERT_EQ(reply.action, Reply::Action::kAnswer);
  ASSERT_TRUE(reply.is_pdf());
  EXPECT_EQ(reply.kind, DocumentKind::kMedicationResult);
  EXPECT_TRUE(absl::StartsWith(reply.pdf, "%PDF-1."));
  EXPECT_TRUE(absl::EndsWith(reply.pdf, "%%EOF\n"));
  EXPECT_TRUE(absl::StrContains(reply.pdf, "SHIKEN TAROU"));
  EXPECT_TRUE(absl::StrContains(reply.pdf, "1149019F1021"));  // 202609's 整形外科 drug
  EXPECT_FALSE(absl::StrContains(reply.pdf, "20261102")) << "a month outside the range";
  EXPECT_TRUE(absl::StrContains(reply.pdf, "Treatment 112007410"));

  // A refusal is XML even when a PDF was asked for.
  const Reply refused = r->HandleDocument(
      DocumentKind::kMedicationRequest,
      MedicationRequest(CardOf("limit-a01"), "YZK21", "202601", "202612", "1"), TestNow());
  EXPECT_FALSE(refused.is_pdf());
  ASSERT_NE(refused.document, nullptr);
}

TEST_F(MedicalTest, MalformedRequestsAreRefused) {
  auto r = Make();
  auto code = [&](ov1::MedicationRequestDocument request) {
    return r->HandleDocument(DocumentKind::kMedicationRequest, request, TestNow()).reject_code;
  };
  ov1::MedicationRequestDocument base = MedicationRequest(CardOf("limit-a01"), "YZK22");
  ov1::MedicationRequestDocument x = base;
  x.clear_start_month();
  EXPECT_EQ(code(x), "SIM-E0002");
  x = base;
  x.clear_care_setting();
  EXPECT_EQ(code(x), "SIM-E0002");
  x = base;
  x.set_start_month("202613");
  EXPECT_EQ(code(x), "SIM-E0004");
  x = base;
  x.set_start_month("202612");
  x.set_end_month("202601");
  EXPECT_EQ(code(x), "SIM-E0004");
  x = base;
  x.set_file_category("5");
  EXPECT_EQ(code(x), "SIM-E0004");
  x = base;
  x.mutable_header()->set_medical_institution_code("1310000024");
  EXPECT_EQ(code(x), "SIM-E0003");
  ov1::CheckupRequestDocument c = CheckupRequest(CardOf("limit-a01"), "TKK22", "3");
  EXPECT_EQ(r->HandleDocument(DocumentKind::kCheckupRequest, c, TestNow()).reject_code,
            "SIM-E0004");
}

TEST_F(MedicalTest, MedicalFaults) {
  {
    Exercises("medication-fault-error");
    FaultSet faults;
    faults.Set(FaultScope::kMedication, Fault::kError);
    auto r = Make(faults);
    const ov1::MedicationResultDocument result =
        Medication(*r, MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK23"));
    EXPECT_EQ(result.result_code(), "9");
    // The checkup family is not touched.
    CheckIn(*r, "valid-kyokai-honnin", EveryConsent());
    EXPECT_EQ(Checkups(*r, CheckupRequest(CardOf("valid-kyokai-honnin"), "TKK23")).result_code(),
              "1");
  }
  {
    Exercises("medication-fault-other-institution");
    FaultSet faults;
    faults.Set(FaultScope::kMedication, Fault::kOtherInstitution);
    auto r = Make(faults);
    const ov1::MedicationResultDocument result =
        Medication(*r, MedicationRequest(CardOf("valid-kyokai-honnin"), "YZK24"));
    EXPECT_NE(result.medical_institution_code(), kInstitution);
    EXPECT_EQ(result.medical_institution_code().size(), 10u);
  }
}

// ---- 特定健診 --------------------------------------------------------------------------------

TEST_F(MedicalTest, CheckupsWithConsentHaveItemsWithValuesAndUnits) {
  Exercises("checkup-xml");
  auto r = Make();
  CheckIn(*r, "valid-kyokai-honnin", {v1::CONSENT_CATEGORY_CHECKUPS});
  const ov1::CheckupResultDocument result =
      Checkups(*r, CheckupRequest(CardOf("valid-kyokai-honnin"), "TKK01"));
  EXPECT_EQ(result.result_code(), "1");
  EXPECT_EQ(result.arbitrary_file_identifier(), "TKK01");
  EXPECT_EQ(result.subject().kana_name(), "ｼｹﾝ ﾀﾛｳ");
  ASSERT_EQ(result.checkups_size(), 2);
  EXPECT_EQ(result.checkups(0).effective_time(), "20260915");
  bool bmi = false, hba1c = false, sbp = false;
  for (const ov1::CheckupItem& item : result.checkups(0).items()) {
    if (item.item_name() == "ＢＭＩ") bmi = item.value() == "25.5" && item.unit() == "kg/m2";
    if (item.item_code() == "3D046000001906202")
      hba1c = item.value() == "5.8" && item.unit() == "%";
    if (item.item_code() == "9A751000000000001") sbp = item.unit() == "mmHg";
  }
  EXPECT_TRUE(bmi && hba1c && sbp);
}

TEST_F(MedicalTest, CheckupsNeedTheirOwnConsent) {
  auto r = Make();
  Exercises("checkup-no-consent");
  CheckIn(*r, "valid-kyokai-honnin", {v1::CONSENT_CATEGORY_PHARMACISTS});
  const ov1::CheckupResultDocument refused =
      Checkups(*r, CheckupRequest(CardOf("valid-kyokai-honnin"), "TKK02"));
  EXPECT_EQ(refused.result_code(), "2");
  EXPECT_EQ(refused.message_contents(), "特定健診情報の閲覧について患者の同意が確認できません。");
  EXPECT_EQ(refused.checkups_size(), 0);

  Exercises("checkup-consent-expired");
  CheckIn(*r, "valid-kyokai-honnin", {v1::CONSENT_CATEGORY_CHECKUPS}, "20261130093000");
  EXPECT_EQ(Checkups(*r, CheckupRequest(CardOf("valid-kyokai-honnin"), "TKK03")).result_code(),
            "2");
}

TEST_F(MedicalTest, PatientWithoutCheckupsGetsAnEmptyRelease) {
  Exercises("checkup-none-on-file");
  auto r = Make();
  CheckIn(*r, "kouki-1wari", EveryConsent());
  const ov1::CheckupResultDocument result =
      Checkups(*r, CheckupRequest(CardOf("kouki-1wari"), "TKK04"));
  EXPECT_EQ(result.result_code(), "1");
  EXPECT_EQ(result.checkups_size(), 0);
}

TEST_F(MedicalTest, CheckupPdf) {
  Exercises("checkup-pdf");
  auto r = Make();
  CheckIn(*r, "gaiji-name", EveryConsent());
  const Reply reply = r->HandleDocument(
      DocumentKind::kCheckupRequest, CheckupRequest(CardOf("gaiji-name"), "TKK05", "1"), TestNow());
  ASSERT_TRUE(reply.is_pdf());
  EXPECT_EQ(reply.kind, DocumentKind::kCheckupResult);
  EXPECT_TRUE(absl::StrContains(reply.pdf, "YOSHIDA TAMEKO"));
  EXPECT_TRUE(absl::StrContains(reply.pdf, "3D046000001906202"));
}

TEST_F(MedicalTest, AnswersEncodeWithTheCodecInBothEncodings) {
  auto r = Make();
  CheckIn(*r, "gaiji-name", EveryConsent());
  const Reply medication =
      r->HandleDocument(DocumentKind::kMedicationRequest,
                        MedicationRequest(CardOf("gaiji-name"), "YZK30"), TestNow());
  const Reply checkups = r->HandleDocument(
      DocumentKind::kCheckupRequest, CheckupRequest(CardOf("gaiji-name"), "TKK30"), TestNow());
  for (const Reply* reply : {&medication, &checkups}) {
    for (oqs::Encoding encoding : {oqs::Encoding::kUtf8, oqs::Encoding::kShiftJis}) {
      absl::StatusOr<std::string> bytes =
          oqs::EncodeByKind(reply->kind, *reply->document, {encoding, true});
      ASSERT_TRUE(bytes.ok()) << bytes.status();
      absl::StatusOr<std::unique_ptr<google::protobuf::Message>> back =
          oqs::DecodeByKind(reply->kind, *bytes);
      ASSERT_TRUE(back.ok()) << back.status();
    }
  }
}

}  // namespace
}  // namespace onshi::sim
