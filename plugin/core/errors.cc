#include "plugin/core/errors.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace onshi {
namespace {

using absl::StatusCode;

// The payload under which a status carries its serialized v1::ErrorDetail.
constexpr absl::string_view kDetailPayloadUrl = "type.googleapis.com/onshi.v1.ErrorDetail";

}  // namespace

namespace errors {

// clang-format off
const ErrorSpec kInvalidRequestId{
    "ONSHI_INVALID_REQUEST_ID", StatusCode::kInvalidArgument,
    "システムの要求番号が不正です。受付システムの担当者に連絡してください。",
    "request_id must be 8-64 characters of [A-Za-z0-9._-], chosen at random by the caller",
    false};
const ErrorSpec kInvalidPatientId{
    "ONSHI_INVALID_PATIENT_ID", StatusCode::kInvalidArgument,
    "患者IDの形式が正しくありません。患者IDを確認してください。",
    "patient_id must be 1-64 characters of [A-Za-z0-9._-]", false};
const ErrorSpec kInvalidInsurerNumber{
    "ONSHI_INVALID_INSURER_NUMBER", StatusCode::kInvalidArgument,
    "保険者番号の形式が正しくありません。保険者番号は6桁または8桁の数字です。保険証等を確認してください。",
    "insurer_number must be 6 or 8 digits (half- or full-width)", false};
const ErrorSpec kInsurerCheckDigit{
    "ONSHI_INSURER_CHECK_DIGIT", StatusCode::kInvalidArgument,
    "保険者番号の検証番号が一致しません。入力した保険者番号を確認してください。",
    "insurer_number check digit does not match (MHLW insurer number rules, hokensha bangou "
    "settei youryou)", false};
const ErrorSpec kInvalidCardSymbol{
    "ONSHI_INVALID_CARD_SYMBOL", StatusCode::kInvalidArgument,
    "記号の形式が正しくありません。保険証等の記号を確認してください。",
    "insured_card_symbol must be at most 20 characters without control characters", false};
const ErrorSpec kInvalidCardNumber{
    "ONSHI_INVALID_CARD_NUMBER", StatusCode::kInvalidArgument,
    "番号の形式が正しくありません。保険証等の番号を確認してください。",
    "insured_identification_number is required: 1-20 characters without control characters",
    false};
const ErrorSpec kInvalidBranchNumber{
    "ONSHI_INVALID_BRANCH_NUMBER", StatusCode::kInvalidArgument,
    "枝番の形式が正しくありません。枝番は2桁の数字です。",
    "insured_branch_number must be empty or 2 digits", false};
const ErrorSpec kInvalidPublicExpenseNumber{
    "ONSHI_INVALID_PUBLIC_EXPENSE_NUMBER", StatusCode::kInvalidArgument,
    "公費負担者番号が正しくありません。公費負担者番号は8桁の数字です。受給者証（医療証）の番号を確認してください。",
    "public_expense_number must be 8 digits (houbetsu 2 + prefecture 2 + agency 3 + check digit) "
    "with a "
    "valid check digit; the detail says which rule failed", false};
const ErrorSpec kInvalidRecipientNumber{
    "ONSHI_INVALID_RECIPIENT_NUMBER", StatusCode::kInvalidArgument,
    "受給者番号が正しくありません。受給者証（医療証）の受給者番号を確認してください。",
    "recipient_number must be 7 digits with a valid check digit for a national scheme (houbetsu "
    "01-79), 1-30 characters for a local one (houbetsu 80-99); the detail says which rule "
    "failed",
    false};
const ErrorSpec kInvalidBirthDate{
    "ONSHI_INVALID_BIRTH_DATE", StatusCode::kInvalidArgument,
    "生年月日が正しくありません。西暦8桁（例：19850412）で入力してください。",
    "birth_date must be a real calendar date YYYYMMDD, not after the confirmation date", false};
const ErrorSpec kInvalidConfirmationDate{
    "ONSHI_INVALID_CONFIRMATION_DATE", StatusCode::kInvalidArgument,
    "確認日が正しくありません。西暦8桁で、明日までの日付を指定してください。",
    "confirmation_date must be a real date YYYYMMDD, at most one day after today (JST)", false};
const ErrorSpec kInvalidMonthRange{
    "ONSHI_INVALID_MONTH_RANGE", StatusCode::kInvalidArgument,
    "期間の指定が正しくありません。開始月・終了月は西暦6桁（例：202501）で、開始月を終了月以前とし、"
    "今月までの36か月以内で指定してください。",
    "start_month/end_month must be YYYYMM, start_month <= end_month, within the 36 months ending "
    "with the current month (JST)",
    false};
const ErrorSpec kInvalidArgument{
    "ONSHI_INVALID_ARGUMENT", StatusCode::kInvalidArgument,
    "入力内容に誤りがあります。受付システムの担当者に連絡してください。",
    "an argument is missing or malformed; the detail names it", false};
const ErrorSpec kRequestIdConflict{
    "ONSHI_REQUEST_ID_CONFLICT", StatusCode::kAlreadyExists,
    "同じ要求番号で別の内容が送られました。受付システムの担当者に連絡してください。",
    "request_id was already used for a different request; use a new random request_id per "
    "logical request and the same one only for its retries",
    false};
const ErrorSpec kPatientNotFound{
    "ONSHI_PATIENT_NOT_FOUND", StatusCode::kNotFound,
    "この患者の記録はまだありません。",
    "no patient with this patient_id in the record", false};
const ErrorSpec kNoCoverage{
    "ONSHI_NO_COVERAGE", StatusCode::kFailedPrecondition,
    "この患者の保険資格がまだ記録されていません。先に資格確認を行ってください。",
    "the patient has no recorded coverage to take the insurance identifiers from; run a "
    "qualification check for the patient first",
    false};
const ErrorSpec kNoConsent{
    "ONSHI_NO_CONSENT", StatusCode::kFailedPrecondition,
    "患者の同意がないため、この情報は表示できません。閲覧にはマイナ保険証での受付（同意）が必要です。",
    "no valid patient consent for this information (none given, expired, or refused by the "
    "terminal); nothing was returned",
    false};
const ErrorSpec kCheckinNotFound{
    "ONSHI_CHECKIN_NOT_FOUND", StatusCode::kNotFound,
    "該当する受付情報が見つかりません。",
    "no card-reader check-in with this event id", false};
const ErrorSpec kBatchTooLarge{
    "ONSHI_BATCH_TOO_LARGE", StatusCode::kInvalidArgument,
    "一度に確認できる人数を超えています。分けて確認してください。",
    "the batch has more patients than allowed (see docs/config.md); split it", false};
const ErrorSpec kReferenceNumberRefused{
    "ONSHI_REFERENCE_NUMBER_REFUSED", StatusCode::kFailedPrecondition,
    "照会番号を登録できませんでした。患者の保険資格を確認し直してから、もう一度登録してください。",
    "the terminal answered ProcessingResultStatus 2 (error) for this reference number "
    "(shoukai bangou) registration; its "
    "ProcessingResultCode and message are in the outcome", false};
const ErrorSpec kTerminalTimeout{
    "ONSHI_TERMINAL_TIMEOUT", StatusCode::kDeadlineExceeded,
    "資格確認端末から時間内に応答がありません。資格は確認できていません。資格確認書・マイナポータル画面"
    "・被保険者資格申立書などで受付し、回線復旧後に再確認してください。",
    "no answer file from the terminal before the deadline; check that the terminal's link "
    "application (renkei application) is running and the shared folder is reachable. The "
    "request stays on record",
    true};
const ErrorSpec kMedicalInfoTimeout{
    "ONSHI_MEDICAL_INFO_TIMEOUT", StatusCode::kDeadlineExceeded,
    "資格確認端末から時間内に応答がありません。薬剤情報・健診情報は取得できていません。しばらくしてから"
    "もう一度表示してください。",
    "no medication/checkup answer file from the terminal before the answer timeout; check that "
    "the terminal's link application (renkei application) is running. The request stays on "
    "record: a retry with the "
    "same request_id returns an answer that arrived since",
    true};
const ErrorSpec kTerminalFailed{
    "ONSHI_TERMINAL_FAILED", StatusCode::kUnavailable,
    "オンライン資格確認システムでエラーが発生しました。しばらくしてから再度確認してください。",
    "the terminal answered abnormal end (SegmentOfResult 9; ResultCode 9 for medication and "
    "checkup requests); its code "
    "follows",
    true};
const ErrorSpec kTerminalRejectedRequest{
    "ONSHI_TERMINAL_REJECTED_REQUEST", StatusCode::kFailedPrecondition,
    "資格確認端末が照会を受け付けませんでした。受付システムの担当者に連絡してください。",
    "the terminal returned the request file with an .err file; compare onshi's request format "
    "with the terminal's interface version",
    false};
const ErrorSpec kTerminalMalformedAnswer{
    "ONSHI_TERMINAL_MALFORMED_ANSWER", StatusCode::kInternal,
    "資格確認端末の応答を読み取れませんでした。資格は確認できていません。もう一度確認してください。",
    "the terminal's answer file could not be decoded; it was quarantined (see onshid log for the "
    "file id and the decoder's error)",
    true};
const ErrorSpec kTerminalUnavailable{
    "ONSHI_TERMINAL_UNAVAILABLE", StatusCode::kUnavailable,
    "資格確認端末の共有フォルダにアクセスできません。端末の電源とネットワークを確認してください。",
    "the terminal's shared folder (req/ res/) is missing, not writable or full", true};
const ErrorSpec kTerminalBusy{
    "ONSHI_TERMINAL_BUSY", StatusCode::kUnavailable,
    "資格確認端末への照会が混み合っており、時間内に送信できませんでした。資格は確認できていません。"
    "資格確認書・マイナポータル画面・被保険者資格申立書などで受付し、しばらくしてから再確認してください。",
    "the request waited for a place at the terminal until its deadline and was never placed: "
    "terminal.max_in_flight requests were at the terminal the whole time (a slow terminal, or "
    "more checks at once than it answers within the answer timeout). The request stays on record",
    true};
const ErrorSpec kDocumentTooLarge{
    "ONSHI_DOCUMENT_TOO_LARGE", StatusCode::kInvalidArgument,
    "資格確認端末の応答が大きすぎるため読み取りませんでした。担当者に連絡してください。",
    "the document exceeds max_document_bytes", false};
const ErrorSpec kDocumentDoctype{
    "ONSHI_DOCUMENT_DOCTYPE", StatusCode::kInvalidArgument,
    "資格確認端末の応答に不正な内容が含まれていたため読み取りませんでした。担当者に連絡してください。",
    "the document has a DOCTYPE; DTDs and entities are refused", false};
const ErrorSpec kDocumentMalformed{
    "ONSHI_DOCUMENT_MALFORMED", StatusCode::kInvalidArgument,
    "資格確認端末の応答の形式が正しくありません。担当者に連絡してください。",
    "the document is not well-formed XML or not an XmlMsg of the expected kind", false};
const ErrorSpec kDocumentEncoding{
    "ONSHI_DOCUMENT_ENCODING", StatusCode::kInvalidArgument,
    "資格確認端末の応答の文字コードが正しくありません。担当者に連絡してください。",
    "the document's bytes do not match its declared encoding (UTF-8 or Shift_JIS) or its "
    "CharacterCodeIdentifier",
    false};
const ErrorSpec kDocumentTooDeep{
    "ONSHI_DOCUMENT_TOO_DEEP", StatusCode::kInvalidArgument,
    "資格確認端末の応答の形式が正しくありません。担当者に連絡してください。",
    "the document nests elements deeper than allowed (32)", false};
const ErrorSpec kDocumentInvalidValue{
    "ONSHI_DOCUMENT_INVALID_VALUE", StatusCode::kInvalidArgument,
    "資格確認端末の応答に読み取れない値がありました。担当者に連絡してください。",
    "an element has a value outside its code table or format, or appears twice; the detail "
    "names the element",
    false};
const ErrorSpec kStoreUnavailable{
    "ONSHI_STORE_UNAVAILABLE", StatusCode::kUnavailable,
    "患者記録のデータベースに書き込めません。担当者に連絡してください。",
    "the record store could not be opened or written (disk full, permissions, I/O error)", true};
const ErrorSpec kStoreConflict{
    "ONSHI_STORE_CONFLICT", StatusCode::kAborted,
    "患者記録が同時に更新されました。もう一度操作してください。",
    "the record changed between read and write (optimistic concurrency); retry", true};
const ErrorSpec kConfigInvalid{
    "ONSHI_CONFIG_INVALID", StatusCode::kFailedPrecondition,
    "onshiの設定に誤りがあります。担当者に連絡してください。",
    "the configuration is invalid or unsafe; the detail names the setting", false};
const ErrorSpec kSidecarUnavailable{
    "ONSHI_SIDECAR_UNAVAILABLE", StatusCode::kUnavailable,
    "資格確認サービス（onshid）に接続できません。担当者に連絡してください。",
    "cannot reach onshid on its socket; check that it is running and the socket path", true};
const ErrorSpec kDeadlineExceeded{
    "ONSHI_DEADLINE_EXCEEDED", StatusCode::kDeadlineExceeded,
    "処理が時間内に終わりませんでした。もう一度操作してください。",
    "the call did not complete within its deadline", true};
const ErrorSpec kInvalidUserId{
    "ONSHI_INVALID_USER_ID", StatusCode::kInvalidArgument,
    "操作した職員のIDが正しくありません。受付システムの担当者に連絡してください。",
    "the host user id (metadata onshi-user-id, onshi_client_set_user_id) must be 1-64 "
    "characters of [A-Za-z0-9._@-]; it names a login, never a person's name", false};
const ErrorSpec kConsentExpired{
    "ONSHI_CONSENT_EXPIRED", StatusCode::kFailedPrecondition,
    "患者の同意の閲覧期限が過ぎています。もう一度マイナ保険証で受付（同意）をしてもらってください。",
    "the patient's consent for this information has expired (24 h after consent for outpatients); "
    "nothing was sent to the terminal", false};
const ErrorSpec kConsentWrongSetting{
    "ONSHI_CONSENT_WRONG_SETTING", StatusCode::kFailedPrecondition,
    "患者の同意はありますが、この診療の場面（外来・入院・訪問・オンライン）では使えません。",
    "the consents on record were given for another care setting (on site vs. home visit / "
    "online); nothing was sent to the terminal", false};
const ErrorSpec kConsentNeverAvailable{
    "ONSHI_CONSENT_NEVER_AVAILABLE", StatusCode::kFailedPrecondition,
    "この患者の資格（自衛官診療証・日雇特例・医療扶助など）では、この情報は取得できません。",
    "information is never retrievable for this holder (card class 07/A1, medical assistance "
    "ticket, day-laborer (hiyatoi tokurei) certificate); nothing was sent to the terminal", false};
const ErrorSpec kEligibilityOnly{
    "ONSHI_ELIGIBILITY_ONLY", StatusCode::kFailedPrecondition,
    "マイナ保険証の電子証明書が有効期限切れ後の猶予期間中のため、資格情報のみ確認できます。薬剤・診療情報は取得できません。",
    "the patient's certificate is in its post-expiry grace period: only eligibility is "
    "available; nothing was sent to the terminal", false};
const ErrorSpec kVersionConflict{
    "ONSHI_VERSION_CONFLICT", StatusCode::kAborted,
    "患者記録が他の端末で先に更新されました。最新の内容を確認してから、もう一度記録してください。",
    "expected_version is not the patient's current coverage version; read the record (or "
    "preview again) and retry with the current version", true};
const ErrorSpec kNotConfirmed{
    "ONSHI_NOT_CONFIRMED", StatusCode::kFailedPrecondition,
    "資格確認端末の回答がないため、記録できません。",
    "the referenced check has no terminal answer (pending, unconfirmed or failed); only a "
    "terminal answer can be written into the record", false};
const ErrorSpec kVisitNotFound{
    "ONSHI_VISIT_NOT_FOUND", StatusCode::kNotFound,
    "該当する受診（受付）の記録がありません。",
    "no visit with this visit_id", false};
const ErrorSpec kVisitState{
    "ONSHI_VISIT_STATE", StatusCode::kFailedPrecondition,
    "この受診はすでに資格確認済みか、別の手続き中のため、この操作はできません。",
    "the visit is not in a state that allows this operation; the detail names the state", false};
const ErrorSpec kInvalidSelfDeclaration{
    "ONSHI_INVALID_SELF_DECLARATION", StatusCode::kInvalidArgument,
    "申立ての内容が不足しているか、形式が正しくありません。書類の種類と券面の内容を確認してください。",
    "the self-declaration is incomplete or malformed; the detail names the field", false};
const ErrorSpec kLimitCategoryUnknown{
    "ONSHI_LIMIT_CATEGORY_UNKNOWN", StatusCode::kFailedPrecondition,
    "限度額適用区分が分からないため、自己負担限度額を計算できません。限度額情報の提供に同意のうえ資格確認をしてください。",
    "no limit category (LimitApplicationCertificateClassificationFlag) usable for the month is "
    "on record for this patient (no consented limit data, or the "
    "certificate does not cover the month); run a check with limit consent first", false};
const ErrorSpec kAuditUnavailable{
    "ONSHI_AUDIT_UNAVAILABLE", StatusCode::kUnavailable,
    "操作記録（監査ログ）を書き込めないため、操作を完了できませんでした。しばらくしてからもう一度操作してください。",
    "the audit row of this operation could not be written, so the operation is reported as "
    "failed; check the store (disk space, permissions); a retry with the same request_id "
    "returns the stored outcome", true};
const ErrorSpec kAlreadyAdmitted{
    "ONSHI_ALREADY_ADMITTED", StatusCode::kFailedPrecondition,
    "この患者さんは入院中として記録されています。先に退院を記録してください。",
    "the patient has an open inpatient stay; record the discharge first", false};
const ErrorSpec kNotAdmitted{
    "ONSHI_NOT_ADMITTED", StatusCode::kFailedPrecondition,
    "この患者さんの入院は記録されていません。",
    "the patient has no open inpatient stay to discharge", false};
const ErrorSpec kCancelled{
    "ONSHI_CANCELLED", StatusCode::kCancelled,
    "処理が取り消されました。",
    "the call was cancelled by the caller or by shutdown", true};
const ErrorSpec kInternal{
    "ONSHI_INTERNAL", StatusCode::kInternal,
    "システム内部でエラーが発生しました。担当者に連絡してください。",
    "an unexpected internal error; see onshid's log", false};
// clang-format on

}  // namespace errors

const std::vector<const ErrorSpec*>& AllErrorSpecs() {
  static const auto* const kAll = new std::vector<const ErrorSpec*>{
      &errors::kInvalidRequestId,
      &errors::kInvalidPatientId,
      &errors::kInvalidInsurerNumber,
      &errors::kInsurerCheckDigit,
      &errors::kInvalidCardSymbol,
      &errors::kInvalidCardNumber,
      &errors::kInvalidBranchNumber,
      &errors::kInvalidPublicExpenseNumber,
      &errors::kInvalidRecipientNumber,
      &errors::kInvalidBirthDate,
      &errors::kInvalidConfirmationDate,
      &errors::kInvalidMonthRange,
      &errors::kInvalidArgument,
      &errors::kRequestIdConflict,
      &errors::kPatientNotFound,
      &errors::kNoCoverage,
      &errors::kNoConsent,
      &errors::kCheckinNotFound,
      &errors::kBatchTooLarge,
      &errors::kReferenceNumberRefused,
      &errors::kTerminalTimeout,
      &errors::kMedicalInfoTimeout,
      &errors::kTerminalFailed,
      &errors::kTerminalRejectedRequest,
      &errors::kTerminalMalformedAnswer,
      &errors::kTerminalUnavailable,
      &errors::kTerminalBusy,
      &errors::kDocumentTooLarge,
      &errors::kDocumentDoctype,
      &errors::kDocumentMalformed,
      &errors::kDocumentEncoding,
      &errors::kDocumentTooDeep,
      &errors::kDocumentInvalidValue,
      &errors::kStoreUnavailable,
      &errors::kStoreConflict,
      &errors::kConfigInvalid,
      &errors::kSidecarUnavailable,
      &errors::kDeadlineExceeded,
      &errors::kInvalidUserId,
      &errors::kConsentExpired,
      &errors::kConsentWrongSetting,
      &errors::kConsentNeverAvailable,
      &errors::kEligibilityOnly,
      &errors::kVersionConflict,
      &errors::kNotConfirmed,
      &errors::kVisitNotFound,
      &errors::kVisitState,
      &errors::kInvalidSelfDeclaration,
      &errors::kLimitCategoryUnknown,
      &errors::kAuditUnavailable,
      &errors::kAlreadyAdmitted,
      &errors::kNotAdmitted,
      &errors::kCancelled,
      &errors::kInternal,
  };
  return *kAll;
}

const ErrorSpec* FindErrorSpec(absl::string_view reason) {
  for (const ErrorSpec* spec : AllErrorSpecs()) {
    if (spec->reason == reason) return spec;
  }
  return nullptr;
}

namespace {

// The generic entry for a status onshi did not make itself.
const ErrorSpec& GenericSpecFor(absl::StatusCode code) {
  switch (code) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kOutOfRange:
      return errors::kInvalidArgument;
    case StatusCode::kDeadlineExceeded:
      return errors::kDeadlineExceeded;
    case StatusCode::kCancelled:
      return errors::kCancelled;
    case StatusCode::kUnavailable:
      return errors::kSidecarUnavailable;
    case StatusCode::kAborted:
      return errors::kStoreConflict;
    default:
      return errors::kInternal;
  }
}

v1::ErrorDetail DetailFromSpec(const ErrorSpec& spec, absl::string_view it_message) {
  v1::ErrorDetail detail;
  detail.set_reason(std::string(spec.reason));
  detail.set_staff_message(std::string(spec.staff_message));
  detail.set_it_message(std::string(it_message));
  detail.set_retryable(spec.retryable);
  return detail;
}

absl::Status StatusWithDetail(absl::StatusCode code, const v1::ErrorDetail& detail) {
  absl::Status status(code, detail.it_message());
  status.SetPayload(kDetailPayloadUrl, absl::Cord(detail.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status MakeError(const ErrorSpec& spec, absl::string_view it_detail) {
  std::string it_message = it_detail.empty() ? std::string(spec.it_message)
                                             : absl::StrCat(spec.it_message, ": ", it_detail);
  return StatusWithDetail(spec.code, DetailFromSpec(spec, it_message));
}

v1::ErrorDetail ToErrorDetail(const absl::Status& status) {
  v1::ErrorDetail detail;
  if (status.ok()) return detail;
  absl::optional<absl::Cord> payload = status.GetPayload(kDetailPayloadUrl);
  if (payload.has_value() && detail.ParseFromString(std::string(*payload))) return detail;
  const ErrorSpec& spec = GenericSpecFor(status.code());
  return DetailFromSpec(spec, status.message().empty() ? spec.it_message : status.message());
}

absl::string_view ReasonOf(const absl::Status& status) {
  if (status.ok()) return {};
  absl::optional<absl::Cord> payload = status.GetPayload(kDetailPayloadUrl);
  if (payload.has_value()) {
    v1::ErrorDetail detail;
    if (detail.ParseFromString(std::string(*payload))) {
      // Return the catalogue's own string so the view outlives the status.
      if (const ErrorSpec* spec = FindErrorSpec(detail.reason())) return spec->reason;
    }
  }
  return GenericSpecFor(status.code()).reason;
}

absl::Status FromErrorDetail(absl::StatusCode code, const v1::ErrorDetail& detail) {
  if (code == StatusCode::kOk) return absl::OkStatus();
  return StatusWithDetail(code, detail);
}

}  // namespace onshi
