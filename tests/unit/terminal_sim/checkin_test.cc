// Card-reader check-ins, decided without files: what the face document holds for the consents
// chosen on the reader, what the terminal records, and the face family's faults.

#include <memory>
#include <regex>
#include <string>

#include "absl/strings/match.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/oqs_files/file_names.h"
#include "adapters/terminal_sim/responder.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/terminal_sim/sim_test_util.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using ::onshi::sim::testing::CardOf;
using ::onshi::sim::testing::CheckinOf;
using ::onshi::sim::testing::EveryConsent;
using ::onshi::sim::testing::Exercises;
using ::onshi::sim::testing::kInstitution;
using ::onshi::sim::testing::MakeRequest;
using ::onshi::sim::testing::TestDataset;
using ::onshi::sim::testing::TestNow;

class CheckinTest : public ::testing::Test {
 protected:
  std::unique_ptr<Responder> Make(FaultSet fault = Fault::kNone) {
    ResponderOptions options;
    options.institution_code = kInstitution;
    options.fault = fault;
    return std::make_unique<Responder>(TestDataset(), options, &state_);
  }

  static CheckinReply Do(const Responder& r, const v1::CheckinCommand& command) {
    absl::StatusOr<CheckinReply> reply = r.CheckIn(command, TestNow());
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : CheckinReply();
  }

  SimState state_;
};

TEST_F(CheckinTest, EveryConsentGivesTimesLimitDataAndAFaceFileName) {
  Exercises("face-checkin-all-consents");
  auto r = Make();
  const CheckinReply reply =
      Do(*r, CheckinOf("valid-kyokai-honnin", EveryConsent(), "20261201091030"));
  EXPECT_TRUE(std::regex_match(reply.file_id, std::regex("1310000016[0-9a-f]{20}_20261201091030")))
      << reply.file_id;
  EXPECT_FALSE(oqs::FileNameFor(DocumentKind::kFaceCheckin, reply.file_id).empty());
  EXPECT_TRUE(reply.recorded);
  EXPECT_EQ(reply.scenario, "valid-kyokai-honnin");
  ASSERT_NE(reply.document, nullptr);
  const ov1::QualificationResult& face = *reply.document;
  EXPECT_EQ(face.reference_classification(), ov1::REFERENCE_CLASSIFICATION_MY_NUMBER_CARD);
  EXPECT_EQ(face.process_execution_time(), "20261201091030");
  EXPECT_EQ(face.qualification_confirmation_date(), "20261201");
  EXPECT_EQ(face.medical_institution_code(), kInstitution);
  EXPECT_EQ(face.segment_of_result(), ov1::SEGMENT_OF_RESULT_COMPLETED);
  EXPECT_FALSE(face.has_search_info());
  EXPECT_TRUE(std::regex_match(face.arbitrary_file_identifier(), std::regex("[A-Za-z0-9+/]{15}=")))
      << face.arbitrary_file_identifier();
  EXPECT_EQ(face.prescription_issue_select(), "1");
  ASSERT_EQ(face.records_size(), 1);
  const ov1::QualificationRecord& record = face.records(0);
  EXPECT_EQ(record.name(), "試験　太郎");
  EXPECT_EQ(record.limit_certificate_consent().flag(), ov1::CONSENT_FLAG_GIVEN);
  EXPECT_EQ(record.limit_certificate_consent().consent_time(), "20261201091030");
  EXPECT_EQ(record.limit_certificate_consent().available_time(), "");
  EXPECT_EQ(record.limit_certificate().category(), "A03");
  for (const ov1::Consent* c :
       {&record.pharmacists_info_consent(), &record.specific_health_checkups_consent(),
        &record.diagnosis_info_consent(), &record.operation_info_consent()}) {
    EXPECT_EQ(c->flag(), ov1::CONSENT_FLAG_GIVEN);
    EXPECT_EQ(c->consent_time(), "20261201091030");
    EXPECT_EQ(c->available_time(), "20261202091030");  // §4: ConsTime + 24 h
  }
  EXPECT_EQ(record.reference_number(), "");
  // Recorded: later answers carry the check-in's consents.
  const Plan later = r->RespondTo(MakeRequest(CardOf("valid-kyokai-honnin"), false), TestNow());
  EXPECT_EQ(later.answer.records(0).pharmacists_info_consent().available_time(), "20261202091030");
  // It encodes and decodes as a face file.
  absl::StatusOr<std::string> bytes =
      oqs::EncodeByKind(DocumentKind::kFaceCheckin, face, {oqs::Encoding::kShiftJis, true});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_TRUE(oqs::DecodeByKind(DocumentKind::kFaceCheckin, *bytes).ok());
}

TEST_F(CheckinTest, NoLimitConsentNoLimitData) {
  Exercises("face-checkin-no-limit-consent");
  auto r = Make();
  const CheckinReply reply =
      Do(*r, CheckinOf("specific-disease-10000", {v1::CONSENT_CATEGORY_PHARMACISTS}));
  const ov1::QualificationRecord& record = reply.document->records(0);
  EXPECT_EQ(record.limit_certificate_consent().flag(), ov1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_FALSE(record.has_limit_certificate());
  // 特定疾病 data only with its own consent.
  EXPECT_EQ(record.specific_diseases_size(), 0);
  EXPECT_EQ(record.specific_health_checkups_consent().flag(), ov1::CONSENT_FLAG_NOT_GIVEN);
  EXPECT_EQ(record.specific_health_checkups_consent().consent_time(), "");
  EXPECT_EQ(record.pharmacists_info_consent().consent_time(), "20261201093000");  // now
  const CheckinReply diseases =
      Do(*r, CheckinOf("specific-disease-10000", {v1::CONSENT_CATEGORY_DISEASES}));
  EXPECT_EQ(diseases.document->records(0).specific_diseases_size(), 1);
  EXPECT_EQ(state_.Consents(kInstitution, "specific-disease-10000")->pharmacists_info().flag(),
            ov1::CONSENT_FLAG_NOT_GIVEN)
      << "the latest check-in is what counts";
}

TEST_F(CheckinTest, RegisteredReferenceNumberAndPrescriptionSelectAreCarried) {
  auto r = Make();
  Exercises("face-checkin-reference-number");
  ASSERT_TRUE(state_
                  .Update([](v1::State& s) {
                    (*(*s.mutable_institutions())[kInstitution]
                          .mutable_reference_numbers())["kouki-1wari"] = "PT-77";
                  })
                  .ok());
  const CheckinReply reply = Do(*r, CheckinOf("kouki-1wari", EveryConsent()));
  EXPECT_EQ(reply.document->records(0).reference_number(), "PT-77");
  Exercises("face-checkin-prescription-select");
  EXPECT_EQ(reply.document->prescription_issue_select(), "2");
  EXPECT_EQ(Do(*r, CheckinOf("limit-a01", {})).document->prescription_issue_select(), "");
}

TEST_F(CheckinTest, UnknownPersonIsAValidCheckinOfNobodyInTheDataset) {
  Exercises("face-checkin-unknown-person");
  auto r = Make();
  v1::CheckinCommand command;
  command.set_unknown_person(true);
  const CheckinReply reply = Do(*r, command);
  EXPECT_FALSE(reply.recorded);
  EXPECT_EQ(reply.scenario, "");
  ASSERT_NE(reply.document, nullptr);
  EXPECT_EQ(reply.document->qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);
  ASSERT_EQ(reply.document->records_size(), 1);
  // Nobody in the dataset has that card.
  EXPECT_EQ(
      r->RespondTo(MakeRequest(testing::Card{"01139013", "9999", "999", "00", "19800115"}, true),
                   TestNow())
          .answer.qualification_validity(),
      ov1::QUALIFICATION_VALIDITY_NOT_FOUND);
  EXPECT_TRUE(state_.Snapshot().institutions().empty());
}

TEST_F(CheckinTest, MalformedCheckinIsMarkedAndRecordsNothing) {
  Exercises("face-checkin-malformed");
  auto r = Make();
  v1::CheckinCommand command = CheckinOf("valid-kyokai-honnin", EveryConsent());
  command.set_malformed(true);
  const CheckinReply reply = Do(*r, command);
  EXPECT_TRUE(reply.malformed);
  EXPECT_FALSE(reply.recorded);
  EXPECT_FALSE(state_.Consents(kInstitution, "valid-kyokai-honnin").has_value());
}

TEST_F(CheckinTest, AMultipleFamilyCardIsOnePerson) {
  Exercises("face-checkin-multiple");
  auto r = Make();
  const CheckinReply reply = Do(*r, CheckinOf("multiple-twins", {}));
  EXPECT_EQ(reply.document->qualification_validity(), ov1::QUALIFICATION_VALIDITY_VALID);
  EXPECT_EQ(reply.document->records_size(), 1);
}

TEST_F(CheckinTest, BadCommandsAreRefused) {
  auto r = Make();
  EXPECT_EQ(ReasonOf(r->CheckIn(CheckinOf("no-such-person", {}), TestNow()).status()),
            "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(ReasonOf(r->CheckIn(CheckinOf("", {}), TestNow()).status()), "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(ReasonOf(r->CheckIn(CheckinOf("limit-a01", {}, "20261301000000"), TestNow()).status()),
            "ONSHI_INVALID_ARGUMENT");
}

TEST_F(CheckinTest, FaceFaults) {
  {
    Exercises("face-fault-silent");
    FaultSet faults;
    faults.Set(FaultScope::kFace, Fault::kSilent);
    auto r = Make(faults);
    const CheckinReply reply = Do(*r, CheckinOf("limit-a01", EveryConsent()));
    EXPECT_EQ(reply.document, nullptr);
    EXPECT_TRUE(reply.recorded) << "the terminal has the consents; only the file is lost";
    EXPECT_TRUE(state_.Consents(kInstitution, "limit-a01").has_value());
  }
  {
    Exercises("face-fault-error");
    FaultSet faults;
    faults.Set(FaultScope::kFace, Fault::kError);
    auto r = Make(faults);
    const CheckinReply reply = Do(*r, CheckinOf("limit-a02", EveryConsent()));
    EXPECT_EQ(reply.document->segment_of_result(), ov1::SEGMENT_OF_RESULT_FAILED);
    EXPECT_EQ(reply.document->error_code(), "SIM-E9002");
    EXPECT_EQ(reply.document->records_size(), 0);
    EXPECT_FALSE(reply.recorded);
  }
  {
    Exercises("face-fault-other-institution");
    FaultSet faults;
    faults.Set(FaultScope::kFace, Fault::kOtherInstitution);
    auto r = Make(faults);
    const CheckinReply reply = Do(*r, CheckinOf("limit-a04", EveryConsent()));
    EXPECT_FALSE(absl::StartsWith(reply.file_id, kInstitution));
    EXPECT_TRUE(absl::StartsWith(reply.file_id, reply.document->medical_institution_code()));
    EXPECT_NE(reply.document->medical_institution_code(), kInstitution);
    EXPECT_FALSE(reply.recorded);
  }
  {
    FaultSet faults;
    faults.Set(FaultScope::kFace, Fault::kMalformedAnswer);
    auto r = Make(faults);
    EXPECT_TRUE(Do(*r, CheckinOf("limit-a05", {})).malformed);
  }
  {
    FaultSet faults;
    faults.Set(FaultScope::kFace, Fault::kDuplicate);
    auto r = Make(faults);
    EXPECT_EQ(Do(*r, CheckinOf("limit-a05", {})).write_fault, Fault::kDuplicate);
  }
}

}  // namespace
}  // namespace onshi::sim
