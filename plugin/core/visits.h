// Visits and the outage workflow, as pure rules (docs/outage.md): the explicit states of a
// visit and the only transitions between them, what a re-check answer means against what the
// clerk collected (billing-review findings), the range of dates a re-check may ask for, and
// how a visit appears on a claim (不詳 rendering, reliability.md §1.3). No I/O.
//
// The rule kept everywhere: nothing reaches CONFIRMED or RECHECKED_CONFIRMED without a terminal
// answer, and a re-check never changes what was collected; it raises findings for staff.

#ifndef ONSHI_PLUGIN_CORE_VISITS_H_
#define ONSHI_PLUGIN_CORE_VISITS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onshi/v1/visit_service.pb.h"
#include "plugin/core/dates.h"
#include "plugin/core/ports.h"

namespace onshi {

// What a terminal answer says about the visit's qualification.
enum class AnswerClass {
  // 有効 (or 有効（未登録）) for exactly one qualification.
  kConfirmed,
  // 無効 / 無効（新しい資格あり）.
  kInvalid,
  // 該当資格なし, 複数該当, or no single qualification.
  kNotFound,
};

// Thread-safe.
AnswerClass ClassifyAnswer(const v1::QualificationResult& result);

// An event of a visit's life.
struct VisitEvent {
  enum class Type {
    // The clerk recorded (or amended) a self-declaration.
    kSelfDeclared,
    // A re-check was placed for the terminal.
    kRecheckStarted,
    // The terminal answered a re-check, or the visit's own check late: `answer` says what.
    kRecheckAnswered,
  };
  Type type = Type::kSelfDeclared;
  AnswerClass answer = AnswerClass::kNotFound;
};

// The state a visit starts in from its check's ledger state: kAnswered → CONFIRMED / INVALID /
// NOT_FOUND by ClassifyAnswer of the response's result; kUnconfirmed, kFailed and kLate (the
// answer came after the deadline: the visit was not confirmed when the patient was at the desk)
// → UNCONFIRMED; kPending → nullopt (not decided yet). Thread-safe.
std::optional<v1::VisitState> InitialVisitState(LedgerState ledger_state,
                                                const v1::CheckQualificationResponse& response);

// The state after `event`. The allowed transitions (everything else is FAILED_PRECONDITION,
// ONSHI_VISIT_STATE, naming both):
//   UNCONFIRMED | SELF_DECLARED  --kSelfDeclared-->   SELF_DECLARED
//   RECHECK_PENDING              --kSelfDeclared-->   RECHECK_PENDING (the declaration attaches)
//   UNCONFIRMED | SELF_DECLARED | RECHECK_PENDING --kRecheckStarted--> RECHECK_PENDING
//   UNCONFIRMED | SELF_DECLARED | RECHECK_PENDING --kRecheckAnswered--> RECHECKED_CONFIRMED /
//                                                     RECHECKED_INVALID / RECHECKED_NOT_FOUND
// Thread-safe.
absl::StatusOr<v1::VisitState> NextVisitState(v1::VisitState from, const VisitEvent& event);

// True for UNCONFIRMED, SELF_DECLARED, RECHECK_PENDING: no terminal answer yet.
bool IsAwaitingRecheck(v1::VisitState state);

// True for the states a terminal answer gave (CONFIRMED ... NOT_FOUND, RECHECKED_*).
bool HasTerminalAnswer(v1::VisitState state);

// Japanese label for staff ("未確認（障害）", "申立済", ...). Thread-safe.
absl::string_view VisitStateLabel(v1::VisitState state);

// Japanese label of a document type ("被保険者資格申立書", ...); "" for UNSPECIFIED.
absl::string_view SelfDeclarationDocumentLabel(v1::SelfDeclarationDocument document);

// Checks a self-declaration request: request_id (ONSHI_INVALID_REQUEST_ID), visit_id
// (ONSHI_VISIT_NOT_FOUND when malformed: it can name no visit), and the declaration
// (INVALID_ARGUMENT, ONSHI_INVALID_SELF_DECLARATION naming the field, never a value):
// - document must be set;
// - 資格確認書 / マイナポータル / 資格情報のお知らせ show the numbers: insurer_number and
//   insured_identification_number are required; a 申立書 may lack them but then needs the
//   address or the contact (the 不詳 claim's 摘要欄 is built from them);
// - insurer_number, when given, is 6 or 8 digits with a valid check digit; branch 2 digits;
//   birth_date a valid YYYYMMDD; sex "", "1" or "2"; copay_ratio_percent 0, 10, 20 or 30;
// - text fields are valid UTF-8 within their limits (name 100, address 200, contact 32,
//   employer 100, symbol and number 20 characters);
// - no field holds a 12-digit number (a My Number is never accepted).
// Returns the request with the identifiers normalised (width folded, spaces trimmed).
// Thread-safe.
absl::StatusOr<v1::RecordSelfDeclarationRequest> NormalizeSelfDeclaration(
    const v1::RecordSelfDeclarationRequest& request);

// A reason for billing staff to look at a visit again.
struct ReviewFinding {
  // Stable code (BillingReviewItem.reason_code).
  std::string reason_code;
  // Japanese, for billing staff. Holds no patient identifier (ratios at most).
  std::string staff_message;
};

// What a re-check answer contradicts in what was collected for `visit` (its self-declaration,
// if any): RECHECK_INVALID / RECHECK_NOT_FOUND whenever the answer does not confirm (whatever
// was collected was collected without a valid qualification); for a confirming answer and a
// declaration: INSURER_MISMATCH (another 保険者番号), NUMBER_MISMATCH (記号・番号・枝番 that the
// declaration states and the answer contradicts), COPAY_RATIO_MISMATCH (the ratio collected
// differs from the answer's billing view). Empty when nothing contradicts. Thread-safe.
std::vector<ReviewFinding> CompareRecheck(const v1::Visit& visit,
                                          const v1::CheckQualificationResponse& answer);

// The finding for a visit whose date is outside the re-check range (再照会不可).
ReviewFinding TooOldFinding(int max_age_days);

// The finding for a re-check the terminal refused or that failed for good (再照会不可).
ReviewFinding RefusedFinding();

// True when a re-check may ask for `visit_date` today: not after today + 1 day (the
// coordinator's rule) and at most `max_age_days` before today. Thread-safe.
bool RecheckDateInRange(const Date& visit_date, const Date& today, int max_age_days);

// How `visit` appears on a claim. A visit with a confirming answer (CONFIRMED,
// RECHECKED_CONFIRMED) renders the answer's numbers; every other visit is 不詳: 保険者番号
// "77777777", 記号 "7", 番号 "7", 枝番 empty, and the 摘要欄 text built from the declaration's
// address, contact and employer ("被保険者資格申立書により請求（資格確認不可）" first; fields that
// are unknown are left out). Thread-safe.
v1::ClaimsRendering RenderForClaims(const v1::Visit& visit);

// The first and last day of month "YYYYMM". Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT,
// "field month") for anything else. Thread-safe.
absl::StatusOr<std::pair<Date, Date>> ParseMonth(absl::string_view yyyymm);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_VISITS_H_
