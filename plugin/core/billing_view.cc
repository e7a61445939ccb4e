#include "plugin/core/billing_view.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "plugin/core/copay_ratio.h"
#include "plugin/core/text.h"

namespace onshi {
namespace {

constexpr absl::string_view kUnconfirmedLabel = "未確認";
constexpr absl::string_view kGetaMark = "\xE3\x80\x93";          // 〓 U+3013
constexpr absl::string_view kMedicalAssistanceCardClass = "A1";  // 医療扶助 (OQSCD010)
constexpr absl::string_view kCardRatioElement = "InsuredPartialContributionRatio";
constexpr absl::string_view kElderlyRatioElement = "ElderlyRecipientContributionRatio";
constexpr absl::string_view kAgeRatioSource = "age";

struct LimitCategory {
  absl::string_view code;
  absl::string_view name;
};

// OQSCD012 限度額適用認定証適用区分 (oqs-interface.md §6).
constexpr LimitCategory kLimitCategories[] = {
    {"A01", "区分ア"},          {"A02", "区分イ"},
    {"A03", "区分ウ"},          {"A04", "区分エ"},
    {"A05", "区分オ"},          {"A06", "区分オ（境）"},
    {"B01", "現役並みⅢ"},       {"B02", "現役並みⅡ"},
    {"B03", "現役並みⅠ"},       {"B04", "一般"},
    {"B05", "低所得Ⅱ"},         {"B06", "低所得Ⅰ"},
    {"B07", "低所得Ⅰ（老福）"}, {"B08", "低所得Ⅰ（境）"},
    {"B09", "一般Ⅱ"},           {"B10", "一般Ⅰ"},
};

// What staff should do, per validity.
absl::string_view ValidityExplanation(v1::QualificationValidity validity) {
  switch (validity) {
    case v1::QUALIFICATION_VALIDITY_VALID:
      return "資格は有効です。負担割合と限度額区分を確認して受付してください。";
    case v1::QUALIFICATION_VALIDITY_INVALID:
      return "保険証等の資格が無効です。新しい保険証・資格確認書の提示を求めるか、"
             "被保険者資格申立書で受付してください。";
    case v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS:
      return "この保険証等の資格は終了しており、新しい資格があります。マイナンバーカードで"
             "確認するか、新しい保険証・資格確認書の提示を求めてください。";
    case v1::QUALIFICATION_VALIDITY_NOT_FOUND:
      return "該当する資格が見つかりません。保険者番号・記号・番号・枝番・生年月日を保険証等と"
             "照らし合わせて、もう一度確認してください。見つからない場合は被保険者資格申立書で"
             "受付してください。";
    case v1::QUALIFICATION_VALIDITY_MULTIPLE:
      return "複数の資格が該当したため、資格を特定できません。";
    case v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED:
      return "医療扶助の資格は有効ですが、医療券・調剤券の情報が未登録です。必要に応じて"
             "福祉事務所に確認してください。";
    default:
      return "";
  }
}

constexpr absl::string_view kUnconfirmedExplanation =
    "資格を確認できていません。資格確認書・マイナポータルの資格情報画面・被保険者資格申立書"
    "などで受付し、後ほど再確認してください。";
constexpr absl::string_view kTerminalErrorExplanation =
    "資格確認端末が照会エラーを返しました。端末のメッセージを確認し、入力内容を見直して"
    "もう一度確認してください。";
constexpr absl::string_view kInconsistentExplanation =
    "資格確認端末の応答に資格情報が正しく含まれていないため、資格を確認できていません。"
    "もう一度確認してください。";

void AddNotice(v1::BillingView* view, absl::string_view code, std::string staff_message,
               std::string it_message) {
  v1::Notice* notice = view->add_notices();
  notice->set_code(std::string(code));
  notice->set_staff_message(std::move(staff_message));
  notice->set_it_message(std::move(it_message));
}

// A code read from the answer, fit for an IT text: short and of code characters only.
// Anything else is not quoted (it could be free text).
std::string SafeCode(absl::string_view code) {
  bool safe = !code.empty() && code.size() <= 32;
  for (char c : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') safe = false;
  }
  return safe ? std::string(code) : std::string("(not shown)");
}

std::string RatioLabel(int percent) {
  if (percent % 10 == 0) return absl::StrCat(percent / 10, "割");
  return absl::StrCat(percent, "%");
}

std::string JapaneseDate(const Date& date) {
  return absl::StrCat(date.year, "年", date.month, "月", date.day, "日");
}

// 10000 → "10,000".
std::string Yen(int64_t amount) {
  std::string digits = absl::StrCat(amount);
  std::string out;
  const size_t lead = digits.size() % 3 == 0 ? 3 : digits.size() % 3;
  out.append(digits, 0, lead);
  for (size_t i = lead; i < digits.size(); i += 3) {
    out.push_back(',');
    out.append(digits, i, 3);
  }
  return out;
}

absl::string_view SpecificDiseaseName(absl::string_view category) {
  // OQSCD013.
  if (category == "1") return "人工透析を必要とする慢性腎不全";
  if (category == "2") return "先天性血液凝固因子障害";
  if (category == "3") return "血液凝固因子製剤に起因するHIV感染症";
  return "";
}

void AddUnrepresentableNotices(const v1::QualificationRecord& record, v1::BillingView* view) {
  if (absl::StrContains(record.name(), kGetaMark) ||
      absl::StrContains(record.name_of_other(), kGetaMark) ||
      absl::StrContains(record.insured_name(), kGetaMark)) {
    AddNotice(view, notices::kUnrepresentableCharacter,
              "氏名に表示できない文字（外字）が含まれています。保険証等の表記を確認してください。",
              "a name element (Name, NameOfOther or InsuredName) contains U+3013 GETA MARK: a "
              "character the terminal could not represent");
  }
  if (absl::StrContains(record.address(), kGetaMark)) {
    AddNotice(view, notices::kUnrepresentableCharacter,
              "住所に表示できない文字（外字）が含まれています。保険証等の表記を確認してください。",
              "Address contains U+3013 GETA MARK: a character the terminal could not represent");
  }
}

// The ratio the law fixes by age alone, for answers that state none (the terminal reports a
// ratio for 後期高齢者 and 高齢受給者 only): CopayPercentFixedByAge (copay_ratio.h), i.e. 2割
// before compulsory schooling or with PreschoolClassification 1, 3割 until the 70–74 rules
// start. From then on the ratio depends on income and only the terminal can say it: nullopt.
std::optional<int> RatioByAge(const v1::QualificationRecord& record, const Date& date) {
  const std::optional<Date> birth = ParseDate(record.birth_date());
  if (!birth.has_value()) return std::nullopt;
  return CopayPercentFixedByAge(*birth, date, record.preschool_classification() == "1");
}

// The ratio is shown as the terminal states it; when the age on the date does not allow it, or
// the certificates do not fit the age, staff are warned (CheckCopayRatio), never corrected. A
// record whose Birthdate cannot be checked was already refused by ValidateQualificationResult,
// so an error here only means there is nothing to cross-check.
void AddCopayWarnings(const v1::QualificationRecord& record, const Date& date,
                      v1::BillingView* view) {
  absl::StatusOr<CopayCheck> check = CheckCopayRatio(record, date);
  if (!check.ok()) return;
  for (CopayWarning& warning : check->warnings) {
    AddNotice(view, warning.code, std::move(warning.staff_message), std::move(warning.it_message));
  }
}

void DeriveCopayRatio(const v1::QualificationRecord& record, v1::QualificationValidity validity,
                      const Date& date, v1::BillingView* view) {
  const v1::ElderlyRecipientCertificate& elderly = record.elderly_recipient_certificate();
  const std::string& card_ratio = record.insured_partial_contribution_ratio();
  absl::string_view ratio = card_ratio;
  absl::string_view source = kCardRatioElement;
  if (!elderly.contribution_ratio().empty()) {
    if (CertificateCovers(elderly.valid_start_date(), elderly.valid_end_date(), date)) {
      ratio = elderly.contribution_ratio();
      source = kElderlyRatioElement;
      if (!card_ratio.empty()) {
        const std::optional<int> a = ParseContributionRatio(card_ratio);
        const std::optional<int> b = ParseContributionRatio(elderly.contribution_ratio());
        const bool differ =
            a.has_value() && b.has_value() ? *a != *b : card_ratio != elderly.contribution_ratio();
        if (differ) {
          AddNotice(view, notices::kCopayRatioMismatch,
                    "保険証等の負担割合と高齢受給者証の負担割合が異なります。高齢受給者証の割合で"
                    "表示しています。高齢受給者証を確認してください。",
                    "InsuredPartialContributionRatio and ElderlyRecipientContributionRatio differ; "
                    "the latter is used because the elderly certificate covers the confirmation "
                    "date");
        }
      }
    } else {
      AddNotice(view, notices::kElderlyCertificateNotInForce,
                "高齢受給者証の有効期間外のため、保険証等の負担割合を表示しています。",
                "ElderlyRecipientValidStartDate/EndDate do not cover the confirmation date; "
                "InsuredPartialContributionRatio is used");
    }
  }
  if (ratio.empty()) {
    const bool medical_assistance =
        record.insured_card_classification() == kMedicalAssistanceCardClass ||
        validity == v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED;
    if (medical_assistance) return;
    if (const std::optional<int> by_age = RatioByAge(record, date); by_age.has_value()) {
      view->set_copay_ratio_percent(*by_age);
      view->set_copay_ratio_label(RatioLabel(*by_age));
      view->set_copay_ratio_source(std::string(kAgeRatioSource));
      return;
    }
    {
      AddNotice(view, notices::kCopayRatioMissing,
                "応答に負担割合が含まれていません。保険証等で負担割合を確認してください。",
                "the record has neither InsuredPartialContributionRatio nor an applicable "
                "ElderlyRecipientContributionRatio");
    }
    return;
  }
  const std::optional<int> percent = ParseContributionRatio(ratio);
  if (!percent.has_value()) {
    AddNotice(view, notices::kCopayRatioUnreadable,
              "応答の負担割合を読み取れません。保険証等で負担割合を確認してください。",
              absl::StrCat(source, " is not a 3-digit percent"));
    return;
  }
  view->set_copay_ratio_percent(*percent);
  view->set_copay_ratio_label(RatioLabel(*percent));
  view->set_copay_ratio_source(std::string(source));
}

void DeriveLimit(const v1::QualificationResult& result, const v1::QualificationRecord& record,
                 const Date& date, v1::BillingView* view) {
  const v1::LimitCertificate& limit = record.limit_certificate();
  if (limit.category().empty()) {
    const bool consent = record.limit_certificate_consent().flag() == v1::CONSENT_FLAG_GIVEN ||
                         result.search_info().limit_certificate_consent() == v1::CONSENT_FLAG_GIVEN;
    if (consent) {
      AddNotice(view, notices::kNoLimitData,
                "限度額情報の提供に同意がありますが、限度額適用区分の情報は登録されていません。"
                "限度額適用認定証をお持ちの場合は提示を求めてください。",
                "limit consent flag is 1 but the record has no "
                "LimitApplicationCertificateClassificationFlag");
    }
    return;
  }
  view->set_limit_category_code(limit.category());
  const absl::string_view name = LimitCategoryName(limit.category());
  view->set_limit_category_name(std::string(name));
  if (name.empty()) {
    AddNotice(view, notices::kUnknownLimitCategory,
              "限度額適用区分のコードを判別できません。限度額適用認定証で区分を確認してください。",
              absl::StrCat("LimitApplicationCertificateClassificationFlag code ",
                           SafeCode(limit.category()), " is not in OQSCD012"));
  }
  const bool in_force = CertificateCovers(limit.valid_start_date(), limit.valid_end_date(), date);
  view->set_limit_certificate_in_force(in_force);
  if (!in_force) {
    AddNotice(view, notices::kLimitCertificateNotInForce,
              "限度額適用認定証の有効期間外のため、限度額適用区分は適用されません。新しい認定証の"
              "有無を確認してください。",
              "LimitApplicationCertificateValidStartDate/EndDate do not cover the confirmation "
              "date");
  }
}

void AddCardExpiredNotice(const v1::QualificationRecord& record, const Date& date,
                          v1::BillingView* view) {
  const std::optional<Date> expiration = ParseDate(record.insured_card_expiration_date());
  if (!expiration.has_value() || !(*expiration < date)) return;
  AddNotice(view, notices::kCardExpired,
            absl::StrCat("保険証等の有効期限（", JapaneseDate(*expiration),
                         "）を過ぎています。新しい保険証・資格確認書の有無を確認してください。"),
            "InsuredCardExpirationDate is before the confirmation date");
}

void AddSpecificDiseaseNotices(const v1::QualificationRecord& record, const Date& date,
                               v1::BillingView* view) {
  for (const v1::SpecificDiseaseCertificate& certificate : record.specific_diseases()) {
    const absl::string_view disease = SpecificDiseaseName(certificate.disease_category());
    std::string staff =
        absl::StrCat("特定疾病療養受療証があります",
                     disease.empty() ? "" : absl::StrCat("（", disease, "）"), "。");
    if (certificate.self_pay_yen() > 0) {
      absl::StrAppend(&staff, "自己負担限度額は月", Yen(certificate.self_pay_yen()), "円です。");
    } else {
      absl::StrAppend(&staff, "自己負担限度額は応答に含まれていません。受療証で確認してください。");
    }
    const bool in_force =
        CertificateCovers(certificate.valid_start_date(), certificate.valid_end_date(), date);
    if (!in_force) absl::StrAppend(&staff, "ただし、確認日は有効期間外です。");
    AddNotice(view, notices::kSpecificDisease, std::move(staff),
              absl::StrCat("SpecificDiseasesCertificateInfo, SpecificDiseasesDiseaseCategory code ",
                           SafeCode(certificate.disease_category()),
                           in_force ? "" : ", not in force on the confirmation date"));
  }
}

}  // namespace

absl::string_view LimitCategoryName(absl::string_view code) {
  for (const LimitCategory& category : kLimitCategories) {
    if (category.code == code) return category.name;
  }
  return {};
}

absl::string_view ValidityLabel(v1::QualificationValidity validity) {
  switch (validity) {
    case v1::QUALIFICATION_VALIDITY_VALID:
      return "有効";
    case v1::QUALIFICATION_VALIDITY_INVALID:
      return "無効";
    case v1::QUALIFICATION_VALIDITY_INVALID_NEWER_EXISTS:
      return "無効（新しい資格あり）";
    case v1::QUALIFICATION_VALIDITY_NOT_FOUND:
      return "該当資格なし";
    case v1::QUALIFICATION_VALIDITY_MULTIPLE:
      return "複数該当";
    case v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED:
      return "有効（未登録）";
    default:
      return {};
  }
}

v1::BillingView UnconfirmedBillingView() {
  v1::BillingView view;
  view.set_eligible(false);
  view.set_status_label(std::string(kUnconfirmedLabel));
  view.set_status_explanation(std::string(kUnconfirmedExplanation));
  return view;
}

v1::BillingView DeriveBillingView(const v1::QualificationResult& result,
                                  const Date& confirmation_date) {
  if (result.segment_of_result() != v1::SEGMENT_OF_RESULT_COMPLETED) {
    return UnconfirmedBillingView();
  }
  v1::BillingView view;
  const v1::QualificationValidity validity = result.qualification_validity();
  const bool normal = result.processing_result_status() == v1::PROCESSING_RESULT_STATUS_NORMAL;

  if (!result.processing_result_message().empty()) {
    AddNotice(&view, notices::kTerminalMessage, result.processing_result_message(),
              absl::StrCat(normal ? "terminal supplementary message" : "terminal error message",
                           ", code ", SafeCode(result.processing_result_code())));
  }
  for (const v1::QualificationRecord& record : result.records()) {
    AddUnrepresentableNotices(record, &view);
  }

  const absl::string_view label = ValidityLabel(validity);
  if (label.empty()) {
    view.set_status_label(std::string(kUnconfirmedLabel));
    view.set_status_explanation(
        std::string(normal ? kInconsistentExplanation : kTerminalErrorExplanation));
    return view;
  }

  const bool valid = validity == v1::QUALIFICATION_VALIDITY_VALID ||
                     validity == v1::QUALIFICATION_VALIDITY_VALID_UNREGISTERED;
  if (valid && (!normal || result.records_size() != 1)) {
    view.set_status_label(std::string(kUnconfirmedLabel));
    view.set_status_explanation(std::string(kInconsistentExplanation));
    AddNotice(
        &view, notices::kInconsistentAnswer, std::string(kInconsistentExplanation),
        absl::StrCat("QualificationValidity says valid but ProcessingResultStatus is ",
                     normal ? "normal" : "error", " and the answer carries ", result.records_size(),
                     " ResultOfQualificationConfirmation (expected "
                     "normal and exactly 1)"));
    return view;
  }

  view.set_status_label(std::string(label));
  view.set_status_explanation(std::string(ValidityExplanation(validity)));
  if (validity == v1::QUALIFICATION_VALIDITY_MULTIPLE) {
    AddNotice(&view, notices::kMultipleQualifications,
              "保険証等の枝番を入力してもう一度確認するか、マイナンバーカードで確認してください。",
              "QualificationValidity 5 (multiple qualifications match); ask again with "
              "InsuredBranchNumber");
  }
  if (!valid) return view;

  view.set_eligible(true);
  const v1::QualificationRecord& record = result.records(0);
  DeriveCopayRatio(record, validity, confirmation_date, &view);
  AddCopayWarnings(record, confirmation_date, &view);
  DeriveLimit(result, record, confirmation_date, &view);
  view.set_preschool(record.preschool_classification() == "1");
  AddCardExpiredNotice(record, confirmation_date, &view);
  AddSpecificDiseaseNotices(record, confirmation_date, &view);
  return view;
}

}  // namespace onshi
