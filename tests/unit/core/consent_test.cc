// The consent ledger's rules (oqs-interface.md §7): windows and their boundaries, settings,
// sources, holders that are never retrievable, the certificate grace period.

#include "plugin/core/consent.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

using Scope = ConsentScope;
using Setting = ConsentSetting;
using Refusal = ConsentRefusal;
using Basis = ConsentBasis;

// 2026-11-23 09:10:30 JST, the moment of the patient's card check-in in most cases.
absl::Time T0() { return *ParseJstTimestamp("20261123091030"); }
absl::Time At(absl::Duration d) { return T0() + d; }

ConsentRecord Card(Scope scope, Setting setting, absl::Duration captured = absl::ZeroDuration(),
                   absl::Duration window = kConsentWindow) {
  ConsentRecord r;
  r.scope = scope;
  r.source = ConsentSource::kCardReader;
  r.flag = v1::CONSENT_FLAG_GIVEN;
  r.captured_at = At(captured);
  r.available_until = At(captured) + window;
  r.setting = setting;
  return r;
}

ConsentRecord Staff(Scope scope, Setting setting, absl::Duration captured = absl::ZeroDuration()) {
  ConsentRecord r = Card(scope, setting, captured);
  r.source = ConsentSource::kStaffRecorded;
  return r;
}

ConsentRecord Answer(Scope scope, v1::ConsentFlag flag, absl::Duration captured) {
  ConsentRecord r = Card(scope, Setting::kOutpatient, captured);
  r.flag = flag;
  return r;
}

ConsentHolderFacts Holder() { return {}; }
ConsentHolderFacts CardClass(std::string classification) {
  ConsentHolderFacts h;
  h.insured_card_classification = std::move(classification);
  return h;
}
ConsentHolderFacts MedicalAssistance() {
  ConsentHolderFacts h;
  h.medical_assistance_ticket = true;
  return h;
}
ConsentHolderFacts DayLaborer() {
  ConsentHolderFacts h;
  h.day_laborer_certificate = true;
  return h;
}
ConsentHolderFacts Grace() {
  ConsentHolderFacts h;
  h.certificate_grace_period = true;
  return h;
}
ConsentHolderFacts HomeCare() {
  ConsentHolderFacts h;
  h.home_care_consent = true;
  return h;
}
ConsentHolderFacts AdmittedAt(absl::Duration d) {
  ConsentHolderFacts h;
  h.admitted_at = At(d);
  return h;
}

const absl::Duration kDay = absl::Hours(24);
const absl::Duration kSec = absl::Seconds(1);

struct Case {
  const char* name;
  std::vector<ConsentRecord> consents;
  Scope scope;
  Setting setting;
  ConsentHolderFacts holder;
  absl::Duration now;  // after T0
  Refusal refusal;
  Basis basis;
  // Allowed: valid_until; kExpired: expired_at (after T0). Ignored otherwise.
  absl::Duration time = absl::ZeroDuration();
  bool infinite = false;  // valid_until is InfiniteFuture
};

const std::vector<Case>& Cases() {
  static const auto* cases =
      new std::vector<Case>{
          // 外来: 24 hours from the consent; the boundary second.
          {"OutpatientAtConsent",
           {Card(Scope::kMedication, Setting::kOutpatient)},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           absl::ZeroDuration(),
           Refusal::kNone,
           Basis::kConsent,
           kDay},
          {"OutpatientOneSecondBeforeExpiry",
           {Card(Scope::kMedication, Setting::kOutpatient)},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           kDay - kSec,
           Refusal::kNone,
           Basis::kConsent,
           kDay},
          {"OutpatientExactlyAtExpiryIsExpired",
           {Card(Scope::kMedication, Setting::kOutpatient)},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           kDay,
           Refusal::kExpired,
           Basis::kNone,
           kDay},
          {"OutpatientOneSecondAfterExpiry",
           {Card(Scope::kMedication, Setting::kOutpatient)},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           kDay + kSec,
           Refusal::kExpired,
           Basis::kNone,
           kDay},
          // The terminal's AvailableTime rules over the default window.
          {"TerminalAvailableTimeShorterWindow",
           {Card(Scope::kCheckups, Setting::kOutpatient, absl::ZeroDuration(), absl::Hours(2))},
           Scope::kCheckups,
           Setting::kOutpatient,
           Holder(),
           absl::Hours(2),
           Refusal::kExpired,
           Basis::kNone,
           absl::Hours(2)},
          // A consent given after the request time does not count for it.
          {"ConsentAfterRequestDoesNotCount",
           {Card(Scope::kMedication, Setting::kOutpatient, absl::Minutes(5))},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           absl::Minutes(4),
           Refusal::kNoConsent,
           Basis::kNone},
          {"ConsentOneSecondAfterRequestDoesNotCount",
           {Card(Scope::kMedication, Setting::kOutpatient, kSec)},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           absl::ZeroDuration(),
           Refusal::kNoConsent,
           Basis::kNone},
          // A fresh check-in after expiry opens a new window; the longest window decides.
          {"NewCheckinAfterExpiry",
           {Card(Scope::kMedication, Setting::kOutpatient),
            Card(Scope::kMedication, Setting::kOutpatient, kDay + absl::Hours(1))},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           kDay + absl::Hours(2),
           Refusal::kNone,
           Basis::kConsent,
           2 * kDay + absl::Hours(1)},
          {"OtherScopeDoesNotCount",
           {Card(Scope::kMedication, Setting::kOutpatient)},
           Scope::kCheckups,
           Setting::kOutpatient,
           Holder(),
           absl::Minutes(1),
           Refusal::kNoConsent,
           Basis::kNone},
          {"EmptyLedger",
           {},
           Scope::kDiagnosis,
           Setting::kOutpatient,
           Holder(),
           absl::ZeroDuration(),
           Refusal::kNoConsent,
           Basis::kNone},
          // Withdrawal: the patient's later answer cancels earlier grants; a tie withdraws.
          {"LaterRefusalWithdraws",
           {Card(Scope::kMedication, Setting::kOutpatient),
            Answer(Scope::kMedication, v1::CONSENT_FLAG_NOT_GIVEN, absl::Hours(1))},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           absl::Hours(2),
           Refusal::kNoConsent,
           Basis::kNone},
          {"RefusalAtSameInstantWithdraws",
           {Card(Scope::kMedication, Setting::kOutpatient),
            Answer(Scope::kMedication, v1::CONSENT_FLAG_NOT_GIVEN, absl::ZeroDuration())},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           absl::Hours(1),
           Refusal::kNoConsent,
           Basis::kNone},
          {"RefusalAfterRequestDoesNotWithdrawYet",
           {Card(Scope::kMedication, Setting::kOutpatient),
            Answer(Scope::kMedication, v1::CONSENT_FLAG_NOT_GIVEN, absl::Hours(3))},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           absl::Hours(2),
           Refusal::kNone,
           Basis::kConsent,
           kDay},
          {"ConsentAfterRefusalCounts",
           {Answer(Scope::kMedication, v1::CONSENT_FLAG_NOT_GIVEN, absl::ZeroDuration()),
            Card(Scope::kMedication, Setting::kOutpatient, absl::Hours(1))},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           absl::Hours(2),
           Refusal::kNone,
           Basis::kConsent,
           kDay + absl::Hours(1)},
          // Sources: staff-recorded only for 限度額.
          {"StaffRecordedMedicationRefused",
           {Staff(Scope::kMedication, Setting::kOutpatient)},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           absl::Minutes(1),
           Refusal::kStaffRecordedNotAccepted,
           Basis::kNone},
          {"StaffRecordedCheckupsRefused",
           {Staff(Scope::kCheckups, Setting::kOutpatient)},
           Scope::kCheckups,
           Setting::kOutpatient,
           Holder(),
           absl::Minutes(1),
           Refusal::kStaffRecordedNotAccepted,
           Basis::kNone},
          {"StaffRecordedLimitAccepted",
           {Staff(Scope::kLimitCertificate, Setting::kOutpatient)},
           Scope::kLimitCertificate,
           Setting::kOutpatient,
           Holder(),
           absl::Minutes(1),
           Refusal::kNone,
           Basis::kConsent,
           kDay},
          {"StaffRecordedLimitExpiresAfterWindow",
           {Staff(Scope::kLimitCertificate, Setting::kOutpatient)},
           Scope::kLimitCertificate,
           Setting::kOutpatient,
           Holder(),
           kDay,
           Refusal::kExpired,
           Basis::kNone,
           kDay},
          // 限度額 ignores settings but is never waived.
          {"LimitConsentFromOutpatientCountsInHomeVisit",
           {Card(Scope::kLimitCertificate, Setting::kOutpatient)},
           Scope::kLimitCertificate,
           Setting::kHomeVisit,
           Holder(),
           absl::Minutes(1),
           Refusal::kNone,
           Basis::kConsent,
           kDay},
          {"LimitNotWaivedInEmergency",
           {},
           Scope::kLimitCertificate,
           Setting::kEmergency,
           Holder(),
           absl::ZeroDuration(),
           Refusal::kNoConsent,
           Basis::kNone},
          {"LimitNotWaivedByHomeCareConsent",
           {},
           Scope::kLimitCertificate,
           Setting::kOnline,
           HomeCare(),
           absl::ZeroDuration(),
           Refusal::kNoConsent,
           Basis::kNone},
          // Settings: on site (外来/入院/救急) vs remote (訪問/オンライン).
          {"OutpatientConsentWrongSettingForHomeVisit",
           {Card(Scope::kMedication, Setting::kOutpatient)},
           Scope::kMedication,
           Setting::kHomeVisit,
           Holder(),
           absl::Minutes(1),
           Refusal::kWrongSetting,
           Basis::kNone},
          {"HomeVisitConsentWrongSettingForOutpatient",
           {Card(Scope::kMedication, Setting::kHomeVisit)},
           Scope::kMedication,
           Setting::kOutpatient,
           Holder(),
           absl::Minutes(1),
           Refusal::kWrongSetting,
           Basis::kNone},
          {"HomeVisitConsentCountsOnline",
           {Card(Scope::kMedication, Setting::kHomeVisit)},
           Scope::kMedication,
           Setting::kOnline,
           Holder(),
           absl::Minutes(1),
           Refusal::kNone,
           Basis::kConsent,
           kDay},
          {"OnlineWithoutStandingConsentExpires",
           {Card(Scope::kMedication, Setting::kOnline)},
           Scope::kMedication,
           Setting::kOnline,
           Holder(),
           kDay,
           Refusal::kExpired,
           Basis::kNone,
           kDay},
          {"HomeVisitWithStandingConsent",
           {},
           Scope::kMedication,
           Setting::kHomeVisit,
           HomeCare(),
           absl::ZeroDuration(),
           Refusal::kNone,
           Basis::kStandingHomeCare,
           absl::ZeroDuration(),
           true},
          {"OnlineWithStandingConsent",
           {},
           Scope::kCheckups,
           Setting::kOnline,
           HomeCare(),
           absl::ZeroDuration(),
           Refusal::kNone,
           Basis::kStandingHomeCare,
           absl::ZeroDuration(),
           true},
          {"StandingConsentDoesNotCoverOutpatient",
           {},
           Scope::kMedication,
           Setting::kOutpatient,
           HomeCare(),
           absl::ZeroDuration(),
           Refusal::kNoConsent,
           Basis::kNone},
          {"WrongSettingOutranksStaffSource",
           {Card(Scope::kMedication, Setting::kOutpatient),
            Staff(Scope::kMedication, Setting::kOnline)},
           Scope::kMedication,
           Setting::kOnline,
           Holder(),
           absl::Minutes(1),
           Refusal::kWrongSetting,
           Basis::kNone},
          // 入院: while the stay lasts for a consent captured during it.
          {"InpatientConsentDuringStayOutlastsWindow",
           {Card(Scope::kMedication, Setting::kInpatient, absl::Hours(1))},
           Scope::kMedication,
           Setting::kInpatient,
           AdmittedAt(absl::ZeroDuration()),
           10 * kDay,
           Refusal::kNone,
           Basis::kInpatientStay,
           absl::ZeroDuration(),
           true},
          {"InpatientConsentAtAdmissionInstantCounts",
           {Card(Scope::kMedication, Setting::kInpatient)},
           Scope::kMedication,
           Setting::kInpatient,
           AdmittedAt(absl::ZeroDuration()),
           3 * kDay,
           Refusal::kNone,
           Basis::kInpatientStay,
           absl::ZeroDuration(),
           true},
          {"InpatientConsentBeforeThisStayUsesWindow",
           {Card(Scope::kMedication, Setting::kInpatient)},
           Scope::kMedication,
           Setting::kInpatient,
           AdmittedAt(absl::Hours(1)),
           kDay,
           Refusal::kExpired,
           Basis::kNone,
           kDay},
          {"InpatientAfterDischargeUsesWindow",
           {Card(Scope::kMedication, Setting::kInpatient)},
           Scope::kMedication,
           Setting::kInpatient,
           Holder(),
           kDay + kSec,
           Refusal::kExpired,
           Basis::kNone,
           kDay},
          {"OutpatientConsentAtAdmissionCountsForItsWindow",
           {Card(Scope::kMedication, Setting::kOutpatient)},
           Scope::kMedication,
           Setting::kInpatient,
           AdmittedAt(absl::Minutes(30)),
           absl::Hours(2),
           Refusal::kNone,
           Basis::kConsent,
           kDay},
          {"InpatientConsentUsedInOutpatientKeepsWindow",
           {Card(Scope::kMedication, Setting::kInpatient)},
           Scope::kMedication,
           Setting::kOutpatient,
           AdmittedAt(absl::ZeroDuration()),
           kDay,
           Refusal::kExpired,
           Basis::kNone,
           kDay},
          // 救急: no consent needed, except for holders who are never retrievable.
          {"EmergencyWithoutConsent",
           {},
           Scope::kMedication,
           Setting::kEmergency,
           Holder(),
           absl::ZeroDuration(),
           Refusal::kNone,
           Basis::kEmergency,
           absl::ZeroDuration(),
           true},
          {"EmergencyAfterWithdrawal",
           {Answer(Scope::kDiagnosis, v1::CONSENT_FLAG_NOT_GIVEN, absl::ZeroDuration())},
           Scope::kDiagnosis,
           Setting::kEmergency,
           Holder(),
           absl::Hours(1),
           Refusal::kNone,
           Basis::kEmergency,
           absl::ZeroDuration(),
           true},
          // Holders never retrievable: refused in every setting, 救急 included, with a consent.
          {"SelfDefenseForceOutpatient",
           {Card(Scope::kMedication, Setting::kOutpatient)},
           Scope::kMedication,
           Setting::kOutpatient,
           CardClass("07"),
           absl::Minutes(1),
           Refusal::kHolderNeverRetrievable,
           Basis::kNone},
          {"SelfDefenseForceEmergency",
           {},
           Scope::kMedication,
           Setting::kEmergency,
           CardClass("07"),
           absl::ZeroDuration(),
           Refusal::kHolderNeverRetrievable,
           Basis::kNone},
          {"MedicalAssistanceClassEmergency",
           {},
           Scope::kCheckups,
           Setting::kEmergency,
           CardClass("A1"),
           absl::ZeroDuration(),
           Refusal::kHolderNeverRetrievable,
           Basis::kNone},
          {"MedicalAssistanceTicketEmergency",
           {},
           Scope::kDiagnosis,
           Setting::kEmergency,
           MedicalAssistance(),
           absl::ZeroDuration(),
           Refusal::kHolderNeverRetrievable,
           Basis::kNone},
          {"DayLaborerEmergency",
           {},
           Scope::kOperation,
           Setting::kEmergency,
           DayLaborer(),
           absl::ZeroDuration(),
           Refusal::kHolderNeverRetrievable,
           Basis::kNone},
          {"SelfDefenseForceLimit",
           {Staff(Scope::kLimitCertificate, Setting::kOutpatient)},
           Scope::kLimitCertificate,
           Setting::kOutpatient,
           CardClass("07"),
           absl::Minutes(1),
           Refusal::kHolderNeverRetrievable,
           Basis::kNone},
          {"OrdinaryCardClassIsRetrievable",
           {Card(Scope::kMedication, Setting::kOutpatient)},
           Scope::kMedication,
           Setting::kOutpatient,
           CardClass("01"),
           absl::Minutes(1),
           Refusal::kNone,
           Basis::kConsent,
           kDay},
          // Certificate grace period: eligibility only.
          {"GraceRefusesMedication",
           {Card(Scope::kMedication, Setting::kOutpatient)},
           Scope::kMedication,
           Setting::kOutpatient,
           Grace(),
           absl::Minutes(1),
           Refusal::kCertificateGracePeriod,
           Basis::kNone},
          {"GraceRefusesCheckupsInEmergency",
           {},
           Scope::kCheckups,
           Setting::kEmergency,
           Grace(),
           absl::ZeroDuration(),
           Refusal::kCertificateGracePeriod,
           Basis::kNone},
          {"GraceRefusesOperationWithStandingConsent",
           {},
           Scope::kOperation,
           Setting::kHomeVisit,
           [] {
             ConsentHolderFacts h = Grace();
             h.home_care_consent = true;
             return h;
           }(),
           absl::ZeroDuration(),
           Refusal::kCertificateGracePeriod,
           Basis::kNone},
          {"GraceKeepsLimitWithConsent",
           {Card(Scope::kLimitCertificate, Setting::kOutpatient)},
           Scope::kLimitCertificate,
           Setting::kOutpatient,
           Grace(),
           absl::Minutes(1),
           Refusal::kNone,
           Basis::kConsent,
           kDay},
          {"GraceKeepsSpecificDiseasesWithConsent",
           {Card(Scope::kSpecificDiseases, Setting::kOutpatient)},
           Scope::kSpecificDiseases,
           Setting::kOutpatient,
           Grace(),
           absl::Minutes(1),
           Refusal::kNone,
           Basis::kConsent,
           kDay},
          {"GraceLimitStillNeedsConsent",
           {},
           Scope::kLimitCertificate,
           Setting::kOutpatient,
           Grace(),
           absl::Minutes(1),
           Refusal::kNoConsent,
           Basis::kNone},
      };
  return *cases;
}

class EvaluateConsentTableTest : public testing::TestWithParam<size_t> {};

TEST_P(EvaluateConsentTableTest, FollowsTheRules) {
  const Case& c = Cases()[GetParam()];
  SCOPED_TRACE(c.name);
  const ConsentVerdict v = EvaluateConsent(c.consents, c.scope, c.setting, c.holder, At(c.now));
  EXPECT_EQ(v.refusal, c.refusal) << ConsentRefusalName(v.refusal);
  EXPECT_EQ(v.basis, c.basis);
  if (c.refusal == Refusal::kNone) {
    ASSERT_TRUE(v.allowed()) << v.status;
    EXPECT_EQ(v.valid_until, c.infinite ? absl::InfiniteFuture() : At(c.time));
    // Allowed means usable now: the window has not ended.
    EXPECT_LT(At(c.now), v.valid_until);
  } else {
    ASSERT_FALSE(v.allowed());
    EXPECT_EQ(v.status.code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(ReasonOf(v.status), "ONSHI_NO_CONSENT");
    const std::string text(v.status.message());
    EXPECT_NE(text.find(std::string(ConsentScopeName(c.scope))), std::string::npos) << text;
    EXPECT_NE(text.find(std::string(ConsentRefusalName(c.refusal))), std::string::npos) << text;
    if (c.refusal == Refusal::kExpired) {
      EXPECT_EQ(v.expired_at, At(c.time));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Table, EvaluateConsentTableTest, testing::Range<size_t>(0, Cases().size()),
                         [](const testing::TestParamInfo<size_t>& info) {
                           return std::string(Cases()[info.param].name);
                         });

// The clerk's trap: the same consent asked about twice, the window ending in between.
TEST(EvaluateConsentTest, ConsentExpiringBetweenTwoCalls) {
  const std::vector<ConsentRecord> ledger = {Card(Scope::kMedication, Setting::kOutpatient)};
  const ConsentVerdict first =
      EvaluateConsent(ledger, Scope::kMedication, Setting::kOutpatient, Holder(), At(kDay - kSec));
  const ConsentVerdict second =
      EvaluateConsent(ledger, Scope::kMedication, Setting::kOutpatient, Holder(), At(kDay));
  EXPECT_TRUE(first.allowed());
  EXPECT_EQ(first.valid_until, At(kDay));
  EXPECT_FALSE(second.allowed());
  EXPECT_EQ(second.refusal, Refusal::kExpired);
  EXPECT_EQ(second.expired_at, first.valid_until);
}

TEST(EvaluateConsentTest, ErrorTextCarriesNoTimes) {
  const ConsentVerdict v =
      EvaluateConsent({Card(Scope::kMedication, Setting::kOutpatient)}, Scope::kMedication,
                      Setting::kOutpatient, Holder(), At(2 * kDay));
  ASSERT_FALSE(v.allowed());
  const std::string text(v.status.message());
  EXPECT_EQ(text.find("2026"), std::string::npos) << text;
  EXPECT_EQ(text.find("20261124"), std::string::npos) << text;
}

// ---- Building records ----------------------------------------------------------------------

v1::Consent TerminalConsent(v1::ConsentFlag flag, std::string time, std::string available) {
  v1::Consent c;
  c.set_flag(flag);
  c.set_consent_time(std::move(time));
  c.set_available_time(std::move(available));
  return c;
}

TEST(ConsentFromCardReaderTest, UsesTheTerminalsAvailableTime) {
  absl::StatusOr<ConsentRecord> r = ConsentFromCardReader(
      Scope::kMedication,
      TerminalConsent(v1::CONSENT_FLAG_GIVEN, "20261123091030", "20261123121030"),
      Setting::kOutpatient, At(absl::Minutes(1)));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->source, ConsentSource::kCardReader);
  EXPECT_EQ(r->captured_at, T0());
  EXPECT_EQ(r->available_until, At(absl::Hours(3)));
  EXPECT_EQ(r->setting, Setting::kOutpatient);
}

TEST(ConsentFromCardReaderTest, WithoutAvailableTimeLastsTwentyFourHours) {
  absl::StatusOr<ConsentRecord> r = ConsentFromCardReader(
      Scope::kCheckups, TerminalConsent(v1::CONSENT_FLAG_GIVEN, "20261123091030", ""),
      Setting::kOutpatient, At(absl::Minutes(1)));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->available_until, *ParseJstTimestamp("20261124091030"));
}

TEST(ConsentFromCardReaderTest, RefusalWithoutTimeIsCapturedWhenObserved) {
  absl::StatusOr<ConsentRecord> r =
      ConsentFromCardReader(Scope::kMedication, TerminalConsent(v1::CONSENT_FLAG_NOT_GIVEN, "", ""),
                            Setting::kOutpatient, At(absl::Minutes(1)));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->flag, v1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_EQ(r->captured_at, At(absl::Minutes(1)));
}

TEST(ConsentFromCardReaderTest, RefusesMalformedConsents) {
  const std::vector<v1::Consent> bad = {
      TerminalConsent(v1::CONSENT_FLAG_UNSPECIFIED, "20261123091030", ""),
      TerminalConsent(static_cast<v1::ConsentFlag>(42), "20261123091030", ""),
      TerminalConsent(v1::CONSENT_FLAG_GIVEN, "", ""),
      TerminalConsent(v1::CONSENT_FLAG_GIVEN, "2026112309103", ""),
      TerminalConsent(v1::CONSENT_FLAG_GIVEN, "20261123091030", "20261123251030"),
      TerminalConsent(v1::CONSENT_FLAG_GIVEN, "20261123091030", "20261123091030"),
      TerminalConsent(v1::CONSENT_FLAG_GIVEN, "20261123091030", "20261122091030"),
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    absl::StatusOr<ConsentRecord> r =
        ConsentFromCardReader(Scope::kMedication, bad[i], Setting::kOutpatient, T0());
    EXPECT_FALSE(r.ok()) << i;
    EXPECT_EQ(ReasonOf(r.status()), "ONSHI_INVALID_ARGUMENT") << i;
  }
}

TEST(StaffRecordedConsentTest, AcceptedOnlyForLimitCertificate) {
  absl::StatusOr<ConsentRecord> limit =
      StaffRecordedConsent(Scope::kLimitCertificate, T0(), Setting::kOutpatient);
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_EQ(limit->source, ConsentSource::kStaffRecorded);
  EXPECT_EQ(limit->available_until, At(kDay));
  for (Scope scope : {Scope::kSpecificDiseases, Scope::kMedication, Scope::kDiagnosis,
                      Scope::kOperation, Scope::kCheckups}) {
    absl::StatusOr<ConsentRecord> r = StaffRecordedConsent(scope, T0(), Setting::kOutpatient);
    EXPECT_FALSE(r.ok()) << ConsentScopeName(scope);
    EXPECT_EQ(ReasonOf(r.status()), "ONSHI_INVALID_ARGUMENT");
  }
  EXPECT_FALSE(
      StaffRecordedConsent(Scope::kLimitCertificate, absl::InfinitePast(), Setting::kOutpatient)
          .ok());
}

TEST(ValidateConsentRecordTest, RefusesRecordsThatCouldNeverBeValid) {
  EXPECT_TRUE(ValidateConsentRecord(Card(Scope::kMedication, Setting::kOutpatient)).ok());
  EXPECT_FALSE(ValidateConsentRecord(Staff(Scope::kMedication, Setting::kOutpatient)).ok());
  ConsentRecord empty_window = Card(Scope::kMedication, Setting::kOutpatient);
  empty_window.available_until = empty_window.captured_at;
  EXPECT_FALSE(ValidateConsentRecord(empty_window).ok());
  ConsentRecord bad_scope = Card(Scope::kMedication, Setting::kOutpatient);
  bad_scope.scope = static_cast<Scope>(9);
  EXPECT_FALSE(ValidateConsentRecord(bad_scope).ok());
  ConsentRecord bad_setting = Card(Scope::kMedication, Setting::kOutpatient);
  bad_setting.setting = static_cast<Setting>(0);
  EXPECT_FALSE(ValidateConsentRecord(bad_setting).ok());
}

TEST(EvaluateConsentTest, InvalidRecordNeverGrants) {
  ConsentRecord empty_window = Card(Scope::kMedication, Setting::kOutpatient);
  empty_window.available_until = empty_window.captured_at - kSec;
  const ConsentVerdict v =
      EvaluateConsent({empty_window}, Scope::kMedication, Setting::kOutpatient, Holder(), T0());
  EXPECT_FALSE(v.allowed());
}

TEST(ConsentOfTest, MapsEachScopeToItsTerminalElements) {
  v1::QualificationRecord record;
  record.mutable_limit_certificate_consent()->set_consent_time("1");
  record.mutable_specific_diseases_consent()->set_consent_time("2");
  record.mutable_pharmacists_info_consent()->set_consent_time("3");
  record.mutable_diagnosis_info_consent()->set_consent_time("4");
  record.mutable_operation_info_consent()->set_consent_time("5");
  record.mutable_specific_health_checkups_consent()->set_consent_time("6");
  EXPECT_EQ(ConsentOf(record, Scope::kLimitCertificate).consent_time(), "1");
  EXPECT_EQ(ConsentOf(record, Scope::kSpecificDiseases).consent_time(), "2");
  EXPECT_EQ(ConsentOf(record, Scope::kMedication).consent_time(), "3");
  EXPECT_EQ(ConsentOf(record, Scope::kDiagnosis).consent_time(), "4");
  EXPECT_EQ(ConsentOf(record, Scope::kOperation).consent_time(), "5");
  EXPECT_EQ(ConsentOf(record, Scope::kCheckups).consent_time(), "6");
}

TEST(ConsentSettingTest, InpatientIsSentAsHomeVisit) {
  EXPECT_EQ(TerminalCareSetting(Setting::kOutpatient), v1::CARE_SETTING_OUTPATIENT);
  EXPECT_EQ(TerminalCareSetting(Setting::kInpatient), v1::CARE_SETTING_HOME_VISIT);
  EXPECT_EQ(TerminalCareSetting(Setting::kHomeVisit), v1::CARE_SETTING_HOME_VISIT);
  EXPECT_EQ(TerminalCareSetting(Setting::kOnline), v1::CARE_SETTING_ONLINE);
  EXPECT_EQ(TerminalCareSetting(Setting::kEmergency), v1::CARE_SETTING_EMERGENCY);
  EXPECT_EQ(ConsentSettingFromTerminal(v1::CARE_SETTING_ONLINE), Setting::kOnline);
  EXPECT_EQ(ConsentSettingFromTerminal(v1::CARE_SETTING_EMERGENCY), Setting::kEmergency);
  EXPECT_FALSE(ConsentSettingFromTerminal(v1::CARE_SETTING_UNSPECIFIED).has_value());
  EXPECT_FALSE(ConsentSettingFromTerminal(static_cast<v1::CareSetting>(17)).has_value());
}

}  // namespace
}  // namespace onshi
