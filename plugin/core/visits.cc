#include "plugin/core/visits.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "plugin/core/billing_view.h"
#include "plugin/core/errors.h"
#include "plugin/core/insurer_number.h"
#include "plugin/core/text.h"
#include "plugin/core/validation.h"

namespace onshi {
namespace {

// Field limits in characters (docs/outage.md).
constexpr size_t kMaxName = 100;
constexpr size_t kMaxAddress = 200;
constexpr size_t kMaxContact = 32;
constexpr size_t kMaxEmployer = 100;
constexpr size_t kMaxNumber = 20;

// The 不詳 fill (保発0710第1号 / 請求事務連絡 2023-07-19: "7" in the required digits).
constexpr absl::string_view kUnknownInsurer = "77777777";
constexpr absl::string_view kUnknownNumber = "7";

absl::Status Invalid(absl::string_view field) {
  return MakeError(errors::kInvalidSelfDeclaration, absl::StrCat("field ", field));
}

// True when `text` (width folded, spaces and hyphens removed) is exactly 12 digits.
bool LooksLikeMyNumber(absl::string_view text) {
  const std::string folded = FoldWidth(text);
  std::string compact;
  for (char c : folded) {
    if (c == ' ' || c == '-') continue;
    compact.push_back(c);
  }
  return compact.size() == 12 && IsAsciiDigits(compact);
}

absl::Status CheckText(absl::string_view text, size_t max, absl::string_view field) {
  if (!IsValidUtf8(text) || Utf8Length(text) > max || LooksLikeMyNumber(text)) {
    return Invalid(field);
  }
  return absl::OkStatus();
}

std::string Trimmed(absl::string_view text) { return std::string(TrimSpaces(FoldWidth(text))); }

bool IsConfirmedState(v1::VisitState state) {
  return state == v1::VISIT_STATE_CONFIRMED || state == v1::VISIT_STATE_RECHECKED_CONFIRMED;
}

std::string RatioText(int percent) { return absl::StrCat(percent / 10, "割"); }

}  // namespace

AnswerClass ClassifyAnswer(const v1::QualificationResult& result) {
  switch (result.qualification_validity()) {
    case v1::QUALIFICATION_VALIDITY_VALID:
    case v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED:
      return result.records_size() == 1 ? AnswerClass::kConfirmed : AnswerClass::kNotFound;
    case v1::QUALIFICATION_VALIDITY_INVALID:
    case v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS:
      return AnswerClass::kInvalid;
    default:
      return AnswerClass::kNotFound;
  }
}

std::optional<v1::VisitState> InitialVisitState(LedgerState ledger_state,
                                                const v1::CheckQualificationResponse& response) {
  switch (ledger_state) {
    case LedgerState::kPending:
      return std::nullopt;
    case LedgerState::kAnswered:
      switch (ClassifyAnswer(response.result())) {
        case AnswerClass::kConfirmed:
          return v1::VISIT_STATE_CONFIRMED;
        case AnswerClass::kInvalid:
          return v1::VISIT_STATE_INVALID;
        case AnswerClass::kNotFound:
          return v1::VISIT_STATE_NOT_FOUND;
      }
      return v1::VISIT_STATE_NOT_FOUND;
    case LedgerState::kUnconfirmed:
    case LedgerState::kFailed:
    case LedgerState::kLate:
      return v1::VISIT_STATE_UNCONFIRMED;
  }
  return std::nullopt;
}

bool IsAwaitingRecheck(v1::VisitState state) {
  return state == v1::VISIT_STATE_UNCONFIRMED || state == v1::VISIT_STATE_SELF_DECLARED ||
         state == v1::VISIT_STATE_RECHECK_PENDING;
}

bool HasTerminalAnswer(v1::VisitState state) {
  switch (state) {
    case v1::VISIT_STATE_CONFIRMED:
    case v1::VISIT_STATE_INVALID:
    case v1::VISIT_STATE_NOT_FOUND:
    case v1::VISIT_STATE_RECHECKED_CONFIRMED:
    case v1::VISIT_STATE_RECHECKED_INVALID:
    case v1::VISIT_STATE_RECHECKED_NOT_FOUND:
      return true;
    default:
      return false;
  }
}

absl::StatusOr<v1::VisitState> NextVisitState(v1::VisitState from, const VisitEvent& event) {
  if (IsAwaitingRecheck(from)) {
    switch (event.type) {
      case VisitEvent::Type::kSelfDeclared:
        return from == v1::VISIT_STATE_RECHECK_PENDING ? v1::VISIT_STATE_RECHECK_PENDING
                                                       : v1::VISIT_STATE_SELF_DECLARED;
      case VisitEvent::Type::kRecheckStarted:
        return v1::VISIT_STATE_RECHECK_PENDING;
      case VisitEvent::Type::kRecheckAnswered:
        switch (event.answer) {
          case AnswerClass::kConfirmed:
            return v1::VISIT_STATE_RECHECKED_CONFIRMED;
          case AnswerClass::kInvalid:
            return v1::VISIT_STATE_RECHECKED_INVALID;
          case AnswerClass::kNotFound:
            return v1::VISIT_STATE_RECHECKED_NOT_FOUND;
        }
    }
  }
  const char* event_name = event.type == VisitEvent::Type::kSelfDeclared     ? "self-declaration"
                           : event.type == VisitEvent::Type::kRecheckStarted ? "re-check start"
                                                                             : "re-check answer";
  return MakeError(errors::kVisitState,
                   absl::StrCat(event_name, " in state ", v1::VisitState_Name(from)));
}

absl::string_view VisitStateLabel(v1::VisitState state) {
  switch (state) {
    case v1::VISIT_STATE_CONFIRMED:
      return "確認済（有効）";
    case v1::VISIT_STATE_INVALID:
      return "確認済（無効）";
    case v1::VISIT_STATE_NOT_FOUND:
      return "確認済（該当資格なし）";
    case v1::VISIT_STATE_UNCONFIRMED:
      return "未確認（再照会待ち）";
    case v1::VISIT_STATE_SELF_DECLARED:
      return "申立済（再照会待ち）";
    case v1::VISIT_STATE_RECHECK_PENDING:
      return "再照会中";
    case v1::VISIT_STATE_RECHECKED_CONFIRMED:
      return "再照会済（有効）";
    case v1::VISIT_STATE_RECHECKED_INVALID:
      return "再照会済（無効）";
    case v1::VISIT_STATE_RECHECKED_NOT_FOUND:
      return "再照会済（該当資格なし）";
    default:
      return "不明";
  }
}

absl::string_view SelfDeclarationDocumentLabel(v1::SelfDeclarationDocument document) {
  switch (document) {
    case v1::SELF_DECLARATION_DOCUMENT_APPLICATION:
      return "被保険者資格申立書";
    case v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_CERTIFICATE:
      return "資格確認書";
    case v1::SELF_DECLARATION_DOCUMENT_MYNA_PORTAL_SCREEN:
      return "マイナポータル画面";
    case v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_NOTICE:
      return "資格情報のお知らせ";
    default:
      return "";
  }
}

absl::StatusOr<v1::RecordSelfDeclarationRequest> NormalizeSelfDeclaration(
    const v1::RecordSelfDeclarationRequest& request) {
  if (absl::Status s = ValidateRequestId(request.request_id()); !s.ok()) return s;
  if (!ValidateRequestId(request.visit_id()).ok()) {
    return MakeError(errors::kVisitNotFound, "field visit_id is malformed");
  }
  switch (request.document()) {
    case v1::SELF_DECLARATION_DOCUMENT_APPLICATION:
    case v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_CERTIFICATE:
    case v1::SELF_DECLARATION_DOCUMENT_MYNA_PORTAL_SCREEN:
    case v1::SELF_DECLARATION_DOCUMENT_QUALIFICATION_NOTICE:
      break;
    default:
      return Invalid("document");
  }
  v1::RecordSelfDeclarationRequest out = request;
  v1::CardFace& face = *out.mutable_card_face();
  v1::InsuranceIdentifiers& ids = *face.mutable_identifiers();

  const std::string insurer = Trimmed(ids.insurer_number());
  if (!insurer.empty()) {
    if (!IsValidUtf8(ids.insurer_number())) return Invalid("card_face.identifiers.insurer_number");
    absl::StatusOr<std::string> normalized = NormalizeInsurerNumber(insurer);
    if (!normalized.ok()) return Invalid("card_face.identifiers.insurer_number");
    ids.set_insurer_number(*normalized);
  } else {
    ids.clear_insurer_number();
  }
  for (auto [value, field] :
       {std::pair{ids.mutable_insured_card_symbol(), "card_face.identifiers.insured_card_symbol"},
        std::pair{ids.mutable_insured_identification_number(),
                  "card_face.identifiers.insured_identification_number"}}) {
    if (absl::Status s = CheckText(*value, kMaxNumber, field); !s.ok()) return s;
    *value = Trimmed(*value);
  }
  if (!IsValidUtf8(ids.insured_branch_number())) {
    return Invalid("card_face.identifiers.insured_branch_number");
  }
  const std::string branch = Trimmed(ids.insured_branch_number());
  if (!branch.empty() && (branch.size() != 2 || !IsAsciiDigits(branch))) {
    return Invalid("card_face.identifiers.insured_branch_number");
  }
  ids.set_insured_branch_number(branch);

  if (absl::Status s = CheckText(face.name(), kMaxName, "card_face.name"); !s.ok()) return s;
  if (absl::Status s = CheckText(face.address(), kMaxAddress, "card_face.address"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText(face.contact(), kMaxContact, "card_face.contact"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText(face.employer(), kMaxEmployer, "card_face.employer"); !s.ok()) {
    return s;
  }
  if (!face.birth_date().empty() && !ParseDate(face.birth_date()).has_value()) {
    return Invalid("card_face.birth_date");
  }
  if (!face.sex().empty() && face.sex() != "1" && face.sex() != "2") {
    return Invalid("card_face.sex");
  }
  const int ratio = face.copay_ratio_percent();
  if (ratio != 0 && ratio != 10 && ratio != 20 && ratio != 30) {
    return Invalid("card_face.copay_ratio_percent");
  }

  if (request.document() == v1::SELF_DECLARATION_DOCUMENT_APPLICATION) {
    const bool has_numbers =
        !ids.insurer_number().empty() && !ids.insured_identification_number().empty();
    if (!has_numbers && Trimmed(face.address()).empty() && Trimmed(face.contact()).empty()) {
      return Invalid("card_face.address");
    }
  } else {
    if (ids.insurer_number().empty()) return Invalid("card_face.identifiers.insurer_number");
    if (ids.insured_identification_number().empty()) {
      return Invalid("card_face.identifiers.insured_identification_number");
    }
  }
  return out;
}

std::vector<ReviewFinding> CompareRecheck(const v1::Visit& visit,
                                          const v1::CheckQualificationResponse& answer) {
  std::vector<ReviewFinding> findings;
  const AnswerClass answer_class = ClassifyAnswer(answer.result());
  const std::string label(ValidityLabel(answer.result().qualification_validity()));
  if (answer_class == AnswerClass::kInvalid) {
    findings.push_back(
        {"RECHECK_INVALID",
         absl::StrCat("再照会の結果、受診日の資格は「", label,
                      "」でした。窓口で徴収した負担金と請求先を確認してください。")});
    return findings;
  }
  if (answer_class == AnswerClass::kNotFound) {
    findings.push_back(
        {"RECHECK_NOT_FOUND",
         absl::StrCat("再照会の結果、受診日の資格を一つに特定できませんでした（", label,
                      "）。患者に保険情報を確認し、必要なら不詳で請求してください。")});
    return findings;
  }
  if (!visit.has_self_declaration()) return findings;
  const v1::CardFace& face = visit.self_declaration().card_face();
  const v1::InsuranceIdentifiers& declared = face.identifiers();
  const v1::InsuranceIdentifiers& found = answer.result().records(0).identifiers();
  if (!declared.insurer_number().empty() &&
      !SameIdentifier(declared.insurer_number(), found.insurer_number())) {
    findings.push_back({"INSURER_MISMATCH",
                        "申立の保険者番号と再照会の保険者番号が異なります。請求先を確認して"
                        "ください。"});
  }
  const bool number_differs =
      (!declared.insured_card_symbol().empty() &&
       !SameIdentifier(declared.insured_card_symbol(), found.insured_card_symbol())) ||
      (!declared.insured_identification_number().empty() &&
       !SameIdentifier(declared.insured_identification_number(),
                       found.insured_identification_number())) ||
      (!declared.insured_branch_number().empty() &&
       !SameIdentifier(declared.insured_branch_number(), found.insured_branch_number()));
  if (number_differs) {
    findings.push_back({"NUMBER_MISMATCH",
                        "申立の記号・番号・枝番と再照会の結果が異なります。レセプトの記号・番号を"
                        "確認してください。"});
  }
  const int collected = face.copay_ratio_percent();
  const int confirmed = answer.billing().copay_ratio_percent();
  if (collected != 0 && confirmed != 0 && collected != confirmed) {
    findings.push_back(
        {"COPAY_RATIO_MISMATCH",
         absl::StrCat("窓口で徴収した負担割合（", RatioText(collected), "）と再照会の負担割合（",
                      RatioText(confirmed),
                      "）が異なります。差額の精算を検討してください（自動では変更しません）。")});
  }
  return findings;
}

ReviewFinding TooOldFinding(int max_age_days) {
  return {"RECHECK_TOO_OLD",
          absl::StrCat("再照会不可: 受診日が再照会できる期間（", max_age_days,
                       "日）を過ぎています。被保険者資格申立書に基づき不詳で請求してください。")};
}

ReviewFinding RefusedFinding() {
  return {"RECHECK_REFUSED",
          "再照会不可: 資格確認端末が再照会を受け付けませんでした。入力内容を確認し、"
          "必要なら不詳で請求してください。"};
}

bool RecheckDateInRange(const Date& visit_date, const Date& today, int max_age_days) {
  return visit_date <= AddDays(today, 1) && AddDays(visit_date, max_age_days) >= today;
}

v1::ClaimsRendering RenderForClaims(const v1::Visit& visit) {
  v1::ClaimsRendering out;
  if (IsConfirmedState(visit.state())) {
    const v1::CheckQualificationResponse& answer =
        visit.state() == v1::VISIT_STATE_CONFIRMED ? visit.answer() : visit.recheck().response();
    if (answer.result().records_size() == 1) {
      const v1::InsuranceIdentifiers& ids = answer.result().records(0).identifiers();
      out.set_insurer_number(ids.insurer_number());
      out.set_insured_card_symbol(ids.insured_card_symbol());
      out.set_insured_identification_number(ids.insured_identification_number());
      out.set_insured_branch_number(ids.insured_branch_number());
      return out;
    }
  }
  out.set_unknown(true);
  out.set_insurer_number(std::string(kUnknownInsurer));
  out.set_insured_card_symbol(std::string(kUnknownNumber));
  out.set_insured_identification_number(std::string(kUnknownNumber));
  std::vector<std::string> parts;
  const v1::SelfDeclaration& declaration = visit.self_declaration();
  parts.push_back(absl::StrCat(visit.has_self_declaration()
                                   ? SelfDeclarationDocumentLabel(declaration.document())
                                   : absl::string_view("申立書なし"),
                               "により請求（資格確認不可）"));
  const v1::CardFace& face = declaration.card_face();
  if (!Trimmed(face.address()).empty())
    parts.push_back(absl::StrCat("住所：", Trimmed(face.address())));
  if (!Trimmed(face.contact()).empty()) {
    parts.push_back(absl::StrCat("連絡先：", Trimmed(face.contact())));
  }
  if (!Trimmed(face.employer()).empty()) {
    parts.push_back(absl::StrCat("事業所：", Trimmed(face.employer())));
  }
  out.set_summary_text(absl::StrJoin(parts, "　"));
  return out;
}

absl::StatusOr<std::pair<Date, Date>> ParseMonth(absl::string_view yyyymm) {
  if (yyyymm.size() != 6 || !IsAsciiDigits(yyyymm)) {
    return MakeError(errors::kInvalidArgument, "field month");
  }
  std::optional<Date> first = ParseDate(absl::StrCat(yyyymm, "01"));
  if (!first.has_value()) return MakeError(errors::kInvalidArgument, "field month");
  Date next = *first;
  next.month += 1;
  if (next.month > 12) {
    next.month = 1;
    next.year += 1;
  }
  return std::make_pair(*first, AddDays(next, -1));
}

}  // namespace onshi
