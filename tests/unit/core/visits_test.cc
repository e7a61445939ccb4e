#include "plugin/core/visits.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;

v1::QualificationResult Result(v1::QualificationValidity validity, int records,
                               const std::string& insurer = "06138093") {
  v1::QualificationResult result;
  result.set_qualification_validity(validity);
  for (int i = 0; i < records; ++i) {
    v1::InsuranceIdentifiers* ids = result.add_records()->mutable_identifiers();
    ids->set_insurer_number(insurer);
    ids->set_insured_card_symbol("1234");
    ids->set_insured_identification_number("5678");
    ids->set_insured_branch_number("01");
  }
  return result;
}

v1::CheckQualificationResponse Answer(v1::QualificationValidity validity, int records,
                                      int ratio = 30, const std::string& insurer = "06138093") {
  v1::CheckQualificationResponse response;
  response.set_outcome(v1::CHECK_OUTCOME_ANSWERED);
  *response.mutable_result() = Result(validity, records, insurer);
  response.mutable_billing()->set_copay_ratio_percent(ratio);
  return response;
}

std::string StateName(v1::VisitState state) { return v1::VisitState_Name(state); }

TEST(ClassifyAnswerTest, OnlyOneValidQualificationConfirms) {
  EXPECT_EQ(ClassifyAnswer(Result(v1::QUALIFICATION_VALIDITY_VALID, 1)), AnswerClass::kConfirmed);
  EXPECT_EQ(ClassifyAnswer(Result(v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED, 1)),
            AnswerClass::kConfirmed);
  EXPECT_EQ(ClassifyAnswer(Result(v1::QUALIFICATION_VALIDITY_VALID, 0)), AnswerClass::kNotFound);
  EXPECT_EQ(ClassifyAnswer(Result(v1::QUALIFICATION_VALIDITY_VALID, 2)), AnswerClass::kNotFound);
  EXPECT_EQ(ClassifyAnswer(Result(v1::QUALIFICATION_VALIDITY_INVALID, 1)), AnswerClass::kInvalid);
  EXPECT_EQ(ClassifyAnswer(Result(v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS, 1)),
            AnswerClass::kInvalid);
  EXPECT_EQ(ClassifyAnswer(Result(v1::QUALIFICATION_VALIDITY_NOT_FOUND, 0)),
            AnswerClass::kNotFound);
  EXPECT_EQ(ClassifyAnswer(Result(v1::QUALIFICATION_VALIDITY_MULTIPLE, 2)), AnswerClass::kNotFound);
}

TEST(InitialVisitStateTest, OnlyAnOnTimeAnswerGivesAnAnsweredState) {
  const v1::CheckQualificationResponse valid = Answer(v1::QUALIFICATION_VALIDITY_VALID, 1);
  EXPECT_EQ(InitialVisitState(LedgerState::kAnswered, valid), v1::VISIT_STATE_CONFIRMED);
  EXPECT_EQ(
      InitialVisitState(LedgerState::kAnswered, Answer(v1::QUALIFICATION_VALIDITY_INVALID, 1)),
      v1::VISIT_STATE_INVALID);
  EXPECT_EQ(
      InitialVisitState(LedgerState::kAnswered, Answer(v1::QUALIFICATION_VALIDITY_NOT_FOUND, 0)),
      v1::VISIT_STATE_NOT_FOUND);
  // A late answer, however valid, came after the patient left: the visit was not confirmed.
  EXPECT_EQ(InitialVisitState(LedgerState::kLate, valid), v1::VISIT_STATE_UNCONFIRMED);
  EXPECT_EQ(InitialVisitState(LedgerState::kUnconfirmed, {}), v1::VISIT_STATE_UNCONFIRMED);
  EXPECT_EQ(InitialVisitState(LedgerState::kFailed, {}), v1::VISIT_STATE_UNCONFIRMED);
  EXPECT_EQ(InitialVisitState(LedgerState::kPending, {}), std::nullopt);
}

struct TransitionCase {
  v1::VisitState from;
  VisitEvent::Type type;
  AnswerClass answer;
  // VISIT_STATE_UNSPECIFIED: refused with ONSHI_VISIT_STATE.
  v1::VisitState to;
};

TEST(NextVisitStateTest, FollowsTheTableAndRefusesEverythingElse) {
  using T = VisitEvent::Type;
  const AnswerClass kC = AnswerClass::kConfirmed;
  const AnswerClass kI = AnswerClass::kInvalid;
  const AnswerClass kN = AnswerClass::kNotFound;
  const std::vector<TransitionCase> cases = {
      {v1::VISIT_STATE_UNCONFIRMED, T::kSelfDeclared, kC, v1::VISIT_STATE_SELF_DECLARED},
      {v1::VISIT_STATE_SELF_DECLARED, T::kSelfDeclared, kC, v1::VISIT_STATE_SELF_DECLARED},
      {v1::VISIT_STATE_RECHECK_PENDING, T::kSelfDeclared, kC, v1::VISIT_STATE_RECHECK_PENDING},
      {v1::VISIT_STATE_UNCONFIRMED, T::kRecheckStarted, kC, v1::VISIT_STATE_RECHECK_PENDING},
      {v1::VISIT_STATE_SELF_DECLARED, T::kRecheckStarted, kC, v1::VISIT_STATE_RECHECK_PENDING},
      {v1::VISIT_STATE_RECHECK_PENDING, T::kRecheckStarted, kC, v1::VISIT_STATE_RECHECK_PENDING},
      {v1::VISIT_STATE_UNCONFIRMED, T::kRecheckAnswered, kC, v1::VISIT_STATE_RECHECKED_CONFIRMED},
      {v1::VISIT_STATE_SELF_DECLARED, T::kRecheckAnswered, kI, v1::VISIT_STATE_RECHECKED_INVALID},
      {v1::VISIT_STATE_RECHECK_PENDING, T::kRecheckAnswered, kN,
       v1::VISIT_STATE_RECHECKED_NOT_FOUND},
      {v1::VISIT_STATE_RECHECK_PENDING, T::kRecheckAnswered, kC,
       v1::VISIT_STATE_RECHECKED_CONFIRMED},
  };
  for (const TransitionCase& c : cases) {
    absl::StatusOr<v1::VisitState> next = NextVisitState(c.from, VisitEvent{c.type, c.answer});
    ASSERT_TRUE(next.ok()) << StateName(c.from) << " " << static_cast<int>(c.type);
    EXPECT_EQ(*next, c.to) << StateName(c.from) << " " << static_cast<int>(c.type);
  }
  // Every answered state is final: no event moves it.
  for (v1::VisitState from :
       {v1::VISIT_STATE_CONFIRMED, v1::VISIT_STATE_INVALID, v1::VISIT_STATE_NOT_FOUND,
        v1::VISIT_STATE_RECHECKED_CONFIRMED, v1::VISIT_STATE_RECHECKED_INVALID,
        v1::VISIT_STATE_RECHECKED_NOT_FOUND, v1::VISIT_STATE_UNSPECIFIED}) {
    for (T type : {T::kSelfDeclared, T::kRecheckStarted, T::kRecheckAnswered}) {
      absl::StatusOr<v1::VisitState> next = NextVisitState(from, VisitEvent{type, kC});
      EXPECT_EQ(ReasonOf(next.status()), errors::kVisitState.reason) << StateName(from);
    }
  }
}

TEST(NextVisitStateTest, NoEventButATerminalAnswerReachesAConfirmedState) {
  using T = VisitEvent::Type;
  for (int s = v1::VisitState_MIN; s <= v1::VisitState_MAX; ++s) {
    const auto from = static_cast<v1::VisitState>(s);
    for (T type : {T::kSelfDeclared, T::kRecheckStarted}) {
      absl::StatusOr<v1::VisitState> next =
          NextVisitState(from, VisitEvent{type, AnswerClass::kConfirmed});
      if (!next.ok()) continue;
      EXPECT_NE(*next, v1::VISIT_STATE_CONFIRMED);
      EXPECT_NE(*next, v1::VISIT_STATE_RECHECKED_CONFIRMED);
      EXPECT_TRUE(IsAwaitingRecheck(*next));
    }
  }
}

v1::RecordSelfDeclarationRequest Declaration(v1::SelfDeclarationDocument document) {
  v1::RecordSelfDeclarationRequest request;
  request.set_request_id("decl-0001");
  request.set_visit_id("visit-0001");
  request.set_document(document);
  v1::CardFace& face = *request.mutable_card_face();
  face.mutable_identifiers()->set_insurer_number("06138093");
  face.mutable_identifiers()->set_insured_card_symbol("１２３４");
  face.mutable_identifiers()->set_insured_identification_number(" 5678 ");
  face.set_name("試験 花子");
  face.set_birth_date("19800101");
  face.set_sex("2");
  face.set_address("東京都千代田区霞が関1-2-2");
  face.set_contact("03-0000-0000");
  face.set_copay_ratio_percent(30);
  return request;
}

TEST(NormalizeSelfDeclarationTest, AcceptsEachDocumentTypeWithItsNumbers) {
  for (v1::SelfDeclarationDocument document :
       {v1::SELF_DECLARATION_DOCUMENT_APPLICATION,
        v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_CERTIFICATE,
        v1::SELF_DECLARATION_DOCUMENT_MYNA_PORTAL_SCREEN,
        v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_NOTICE}) {
    absl::StatusOr<v1::RecordSelfDeclarationRequest> out =
        NormalizeSelfDeclaration(Declaration(document));
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(out->card_face().identifiers().insured_card_symbol(), "1234");
    EXPECT_EQ(out->card_face().identifiers().insured_identification_number(), "5678");
  }
}

TEST(NormalizeSelfDeclarationTest, ApplicationWithoutNumbersNeedsAddressOrContact) {
  v1::RecordSelfDeclarationRequest request = Declaration(v1::SELF_DECLARATION_DOCUMENT_APPLICATION);
  request.mutable_card_face()->clear_identifiers();
  EXPECT_TRUE(NormalizeSelfDeclaration(request).ok());
  request.mutable_card_face()->clear_address();
  EXPECT_TRUE(NormalizeSelfDeclaration(request).ok());
  request.mutable_card_face()->clear_contact();
  EXPECT_EQ(ReasonOf(NormalizeSelfDeclaration(request).status()),
            errors::kInvalidSelfDeclaration.reason);
}

TEST(NormalizeSelfDeclarationTest, DocumentsShowingNumbersRequireThem) {
  v1::RecordSelfDeclarationRequest request =
      Declaration(v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_CERTIFICATE);
  request.mutable_card_face()->mutable_identifiers()->clear_insured_identification_number();
  absl::Status status = NormalizeSelfDeclaration(request).status();
  EXPECT_EQ(ReasonOf(status), errors::kInvalidSelfDeclaration.reason);
  EXPECT_NE(std::string(status.message()).find("insured_identification_number"), std::string::npos);
}

TEST(NormalizeSelfDeclarationTest, RefusesBadFieldsNamingTheFieldNotTheValue) {
  struct Case {
    std::function<void(v1::RecordSelfDeclarationRequest*)> spoil;
    std::string field;
  };
  const std::vector<Case> cases = {
      {[](auto* r) { r->set_document(v1::SELF_DECLARATION_DOCUMENT_UNSPECIFIED); }, "document"},
      {[](auto* r) {
         r->mutable_card_face()->mutable_identifiers()->set_insurer_number("0613980");
       },
       "insurer_number"},
      {[](auto* r) {
         r->mutable_card_face()->mutable_identifiers()->set_insurer_number("06138094");
       },
       "insurer_number"},
      {[](auto* r) {
         r->mutable_card_face()->mutable_identifiers()->set_insured_branch_number("1");
       },
       "insured_branch_number"},
      {[](auto* r) { r->mutable_card_face()->set_birth_date("19800230"); }, "birth_date"},
      {[](auto* r) { r->mutable_card_face()->set_sex("3"); }, "sex"},
      {[](auto* r) { r->mutable_card_face()->set_copay_ratio_percent(25); }, "copay_ratio_percent"},
      {[](auto* r) { r->mutable_card_face()->set_name(std::string(101 * 3, 'a')); }, "name"},
      {[](auto* r) { r->mutable_card_face()->set_contact("1234 5678 9012"); }, "contact"},
      {[](auto* r) {
         r->mutable_card_face()->mutable_identifiers()->set_insured_identification_number(
             "123456789012");
       },
       "insured_identification_number"},
      {[](auto* r) { r->mutable_card_face()->set_address("\xff\xfe"); }, "address"},
  };
  for (const Case& c : cases) {
    v1::RecordSelfDeclarationRequest request =
        Declaration(v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_NOTICE);
    c.spoil(&request);
    absl::Status status = NormalizeSelfDeclaration(request).status();
    EXPECT_EQ(ReasonOf(status), errors::kInvalidSelfDeclaration.reason) << c.field;
    EXPECT_NE(std::string(status.message()).find(c.field), std::string::npos) << status;
    EXPECT_EQ(std::string(status.message()).find("霞が関"), std::string::npos);
  }
}

TEST(NormalizeSelfDeclarationTest, MalformedIdsAreRefused) {
  v1::RecordSelfDeclarationRequest request = Declaration(v1::SELF_DECLARATION_DOCUMENT_APPLICATION);
  request.set_request_id("x");
  EXPECT_EQ(ReasonOf(NormalizeSelfDeclaration(request).status()), errors::kInvalidRequestId.reason);
  request = Declaration(v1::SELF_DECLARATION_DOCUMENT_APPLICATION);
  request.set_visit_id("");
  EXPECT_EQ(ReasonOf(NormalizeSelfDeclaration(request).status()), errors::kVisitNotFound.reason);
}

v1::Visit DeclaredVisit(int ratio, const std::string& insurer = "06138093") {
  v1::Visit visit;
  visit.set_visit_id("visit-0001");
  visit.set_visit_date("20260401");
  visit.set_state(v1::VISIT_STATE_SELF_DECLARED);
  v1::CardFace& face = *visit.mutable_self_declaration()->mutable_card_face();
  face.mutable_identifiers()->set_insurer_number(insurer);
  face.mutable_identifiers()->set_insured_card_symbol("1234");
  face.mutable_identifiers()->set_insured_identification_number("5678");
  face.set_copay_ratio_percent(ratio);
  return visit;
}

std::vector<std::string> Codes(const std::vector<ReviewFinding>& findings) {
  std::vector<std::string> codes;
  for (const ReviewFinding& f : findings) codes.push_back(f.reason_code);
  return codes;
}

TEST(CompareRecheckTest, AgreeingAnswerRaisesNothing) {
  EXPECT_THAT(CompareRecheck(DeclaredVisit(30), Answer(v1::QUALIFICATION_VALIDITY_VALID, 1, 30)),
              IsEmpty());
  // Width and leading zeros do not make a difference.
  v1::Visit visit = DeclaredVisit(30);
  visit.mutable_self_declaration()
      ->mutable_card_face()
      ->mutable_identifiers()
      ->set_insured_identification_number("05678");
  EXPECT_THAT(CompareRecheck(visit, Answer(v1::QUALIFICATION_VALIDITY_VALID, 1, 30)), IsEmpty());
}

TEST(CompareRecheckTest, EachContradictionBecomesAFinding) {
  EXPECT_THAT(
      Codes(CompareRecheck(DeclaredVisit(30), Answer(v1::QUALIFICATION_VALIDITY_INVALID, 1, 30))),
      ElementsAre("RECHECK_INVALID"));
  EXPECT_THAT(
      Codes(CompareRecheck(DeclaredVisit(30), Answer(v1::QUALIFICATION_VALIDITY_NOT_FOUND, 0, 0))),
      ElementsAre("RECHECK_NOT_FOUND"));
  EXPECT_THAT(
      Codes(CompareRecheck(DeclaredVisit(30), Answer(v1::QUALIFICATION_VALIDITY_MULTIPLE, 2, 0))),
      ElementsAre("RECHECK_NOT_FOUND"));
  EXPECT_THAT(
      Codes(CompareRecheck(DeclaredVisit(30), Answer(v1::QUALIFICATION_VALIDITY_VALID, 1, 20))),
      ElementsAre("COPAY_RATIO_MISMATCH"));
  EXPECT_THAT(Codes(CompareRecheck(DeclaredVisit(30, "06110852"),
                                   Answer(v1::QUALIFICATION_VALIDITY_VALID, 1, 30))),
              ElementsAre("INSURER_MISMATCH"));
  v1::Visit other_number = DeclaredVisit(30);
  other_number.mutable_self_declaration()
      ->mutable_card_face()
      ->mutable_identifiers()
      ->set_insured_identification_number("9999");
  EXPECT_THAT(Codes(CompareRecheck(other_number, Answer(v1::QUALIFICATION_VALIDITY_VALID, 1, 30))),
              ElementsAre("NUMBER_MISMATCH"));
  const std::vector<ReviewFinding> ratio =
      CompareRecheck(DeclaredVisit(30), Answer(v1::QUALIFICATION_VALIDITY_VALID, 1, 20));
  EXPECT_NE(ratio[0].staff_message.find("3割"), std::string::npos);
  EXPECT_NE(ratio[0].staff_message.find("2割"), std::string::npos);
}

TEST(CompareRecheckTest, WithoutDeclarationOnlyANonConfirmingAnswerIsAFinding) {
  v1::Visit visit;
  visit.set_state(v1::VISIT_STATE_UNCONFIRMED);
  EXPECT_THAT(CompareRecheck(visit, Answer(v1::QUALIFICATION_VALIDITY_VALID, 1, 20)), IsEmpty());
  EXPECT_THAT(Codes(CompareRecheck(visit, Answer(v1::QUALIFICATION_VALIDITY_INVALID, 1))),
              ElementsAre("RECHECK_INVALID"));
}

TEST(RecheckDateInRangeTest, BoundariesAreInclusive) {
  const Date today{2026, 4, 1};
  EXPECT_TRUE(RecheckDateInRange(Date{2026, 4, 2}, today, 180));
  EXPECT_FALSE(RecheckDateInRange(Date{2026, 4, 3}, today, 180));
  EXPECT_TRUE(RecheckDateInRange(AddDays(today, -180), today, 180));
  EXPECT_FALSE(RecheckDateInRange(AddDays(today, -181), today, 180));
  EXPECT_EQ(TooOldFinding(180).reason_code, "RECHECK_TOO_OLD");
  EXPECT_NE(TooOldFinding(180).staff_message.find("再照会不可"), std::string::npos);
}

TEST(ParseMonthTest, GivesFirstAndLastDay) {
  absl::StatusOr<std::pair<Date, Date>> feb = ParseMonth("202802");
  ASSERT_TRUE(feb.ok());
  EXPECT_EQ(feb->first, (Date{2028, 2, 1}));
  EXPECT_EQ(feb->second, (Date{2028, 2, 29}));
  absl::StatusOr<std::pair<Date, Date>> dec = ParseMonth("202612");
  ASSERT_TRUE(dec.ok());
  EXPECT_EQ(dec->second, (Date{2026, 12, 31}));
  for (const char* bad : {"", "2026", "202613", "202600", "2026-04", "２０２６０４"}) {
    EXPECT_EQ(ReasonOf(ParseMonth(bad).status()), errors::kInvalidArgument.reason) << bad;
  }
}

std::string ReadGolden(const std::string& name) {
  std::ifstream in(std::string(ONSHI_SOURCE_DIR) + "/tests/unit/core/testdata/" + name);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// E4: a visit still unknown at billing time is claimed as 不詳.
TEST(RenderForClaimsTest, UnknownVisitMatchesTheGoldenFile) {
  v1::Visit visit;
  visit.set_visit_id("visit-0001");
  visit.set_visit_date("20260401");
  visit.set_state(v1::VISIT_STATE_SELF_DECLARED);
  v1::SelfDeclaration& declaration = *visit.mutable_self_declaration();
  declaration.set_document(v1::SELF_DECLARATION_DOCUMENT_APPLICATION);
  declaration.mutable_card_face()->set_address("東京都千代田区霞が関1-2-2");
  declaration.mutable_card_face()->set_contact("03-0000-0000");
  declaration.mutable_card_face()->set_employer("試験商事株式会社");
  std::string text;
  google::protobuf::TextFormat::Printer printer;
  printer.SetUseUtf8StringEscaping(true);
  ASSERT_TRUE(printer.PrintToString(RenderForClaims(visit), &text));
  EXPECT_EQ(text, ReadGolden("claims_unknown.textproto"));
}

TEST(RenderForClaimsTest, UnknownWithoutDeclarationSaysSo) {
  v1::Visit visit;
  visit.set_state(v1::VISIT_STATE_UNCONFIRMED);
  const v1::ClaimsRendering rendering = RenderForClaims(visit);
  EXPECT_TRUE(rendering.unknown());
  EXPECT_EQ(rendering.insurer_number(), "77777777");
  EXPECT_EQ(rendering.summary_text(), "申立書なしにより請求（資格確認不可）");
}

TEST(RenderForClaimsTest, RecheckedConfirmedVisitShowsTheAnswersNumbers) {
  v1::Visit visit = DeclaredVisit(30, "06110852");
  visit.set_state(v1::VISIT_STATE_RECHECKED_CONFIRMED);
  *visit.mutable_recheck()->mutable_response() = Answer(v1::QUALIFICATION_VALIDITY_VALID, 1);
  const v1::ClaimsRendering rendering = RenderForClaims(visit);
  EXPECT_FALSE(rendering.unknown());
  EXPECT_EQ(rendering.insurer_number(), "06138093");
  EXPECT_EQ(rendering.insured_identification_number(), "5678");
  EXPECT_EQ(rendering.summary_text(), "");
  // Invalid after re-check: still nothing to claim against; 不詳.
  visit.set_state(v1::VISIT_STATE_RECHECKED_INVALID);
  EXPECT_TRUE(RenderForClaims(visit).unknown());
}

}  // namespace
}  // namespace onshi
