// The responder's 薬剤情報 (YZKsiquc01) and 特定健診情報 (TKKsiquc01) requests: matching by
// insurer/記号/番号/枝番, the consent window of oqs-interface.md §7 enforced on the terminal's
// side, and XML or PDF answers.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "adapters/terminal_sim/pdf.h"
#include "adapters/terminal_sim/responder.h"
#include "adapters/terminal_sim/responder_util.h"
#include "plugin/core/dates.h"
#include "plugin/core/validation.h"

namespace onshi::sim {
namespace {

namespace ov1 = ::onshi::v1;
using internal::AnswerReply;
using internal::ApplyAnswerFaults;
using internal::RejectReply;
using internal::SilentReply;

constexpr absl::string_view kNeverReleasedMessage =
    "自衛官診療証・医療扶助等の資格では薬剤情報・特定健診情報を提供できません。";
constexpr absl::string_view kGracePeriodMessage =
    "マイナンバーカードの電子証明書の有効期限が切れているため、薬剤情報・特定健診情報を提供できま"
    "せん。";

// Which information a request is for.
enum class Category { kMedication, kCheckups };

absl::string_view NoConsentMessage(Category c) {
  return c == Category::kMedication ? "薬剤情報の閲覧について患者の同意が確認できません。"
                                    : "特定健診情報の閲覧について患者の同意が確認できません。";
}

absl::string_view ExpiredMessage(Category c) {
  return c == Category::kMedication ? "薬剤情報の閲覧同意の有効期限が切れています。マイナンバーカー"
                                      "ドで再度受付してください。"
                                    : "特定健診情報の閲覧同意の有効期限が切れています。マイナンバー"
                                      "カードで再度受付してくだ"
                                      "さい。";
}

// Whether a consent of a viewing category lets the terminal release it now, and why not.
struct Verdict {
  bool released = false;
  absl::string_view message;
};

// §7. `consent` is the patient's current consent for the category.
Verdict JudgeConsent(const ov1::Consent& consent, ov1::CareSetting setting, absl::Time now,
                     Category category) {
  if (consent.flag() != ov1::CONSENT_FLAG_GIVEN) return {false, NoConsentMessage(category)};
  absl::StatusOr<absl::Time> given = ParseJstTimestamp(consent.consent_time());
  if (!given.ok() || now < *given) return {false, NoConsentMessage(category)};
  absl::Time until = *given + absl::Hours(24);
  if (setting == ov1::CARE_SETTING_OUTPATIENT && !consent.available_time().empty()) {
    // 外来: until the viewing deadline the reader wrote (consent + 24 h).
    absl::StatusOr<absl::Time> available = ParseJstTimestamp(consent.available_time());
    if (!available.ok()) return {false, NoConsentMessage(category)};
    until = *available;
  }
  // 訪問診療等 / オンライン診療等 without a 居宅同意取得型 consent: a consent recorded within the
  // last 24 hours.
  if (now >= until) return {false, ExpiredMessage(category)};
  return {true, {}};
}

// Holders whose 薬剤・特定健診 information is never released (自衛官診療証, 医療扶助).
bool NeverReleased(const v1::Patient& patient) {
  for (const ov1::QualificationRecord& r : patient.records()) {
    if (r.insured_card_classification() == "07" || r.insured_card_classification() == "A1") {
      return true;
    }
  }
  return false;
}

// The header checks both kinds share. Returns the .err code, or empty.
absl::string_view CheckHeader(const ov1::MedicalInfoRequestHeader& header, ov1::CareSetting setting,
                              const std::string& file_category, const std::string& ours) {
  if (header.medical_institution_code().empty() || header.insurer_number().empty() ||
      header.insured_person_identification_number().empty() || file_category.empty() ||
      setting == ov1::CARE_SETTING_UNSPECIFIED) {
    return kRejectMissingElement;
  }
  if (!IsMedicalInstitutionCode(header.medical_institution_code()) ||
      !internal::IsInsurerNumberForm(header.insurer_number())) {
    return kRejectBadValue;
  }
  if (header.medical_institution_code() != ours) return kRejectOtherInstitution;
  return {};
}

ov1::InsuranceIdentifiers IdentifiersOf(const ov1::MedicalInfoRequestHeader& header) {
  ov1::InsuranceIdentifiers ids;
  ids.set_insurer_number(header.insurer_number());
  ids.set_insured_card_symbol(header.insurance_card_symbol());
  ids.set_insured_identification_number(header.insured_person_identification_number());
  ids.set_insured_branch_number(header.branch_number());
  return ids;
}

absl::string_view SettingName(ov1::CareSetting setting) {
  switch (setting) {
    case ov1::CARE_SETTING_OUTPATIENT:
      return "outpatient";
    case ov1::CARE_SETTING_HOME_VISIT:
      return "home visit";
    case ov1::CARE_SETTING_ONLINE:
      return "online";
    case ov1::CARE_SETTING_EMERGENCY:
      return "emergency";
    default:
      return "-";
  }
}

// The person part of a PDF: transliterated kana name, birth date, sex.
std::vector<std::string> PdfHeader(absl::string_view title, const v1::Patient& patient,
                                   const std::string& institution, ov1::CareSetting setting) {
  const ov1::QualificationRecord& r = patient.records(0);
  return {std::string(title), "Synthetic data from onshi-terminal-sim (not a real terminal).",
          absl::StrCat("Institution: ", institution, "   Care setting: ", SettingName(setting)),
          absl::StrCat("Patient: ", Transliterate(r.name_kana()), "   Born: ", r.birth_date(),
                       "   Sex: ", r.sex1()),
          ""};
}

// A 薬剤情報 or 特定健診 answer being built, and the checks both kinds make, in the order the
// terminal makes them, before their own consent: the kError fault, nobody or several people with
// the request's numbers, holders whose information is never released, the certificate's grace
// period. Admit() returns the one person, or nullptr when the answer is a refusal (refused()).
template <typename Document>
class MedicalAnswer {
 public:
  MedicalAnswer(DocumentKind kind, const ov1::MedicalInfoRequestHeader& header, Fault fault,
                const ResponderOptions& options)
      : answer_(std::make_shared<Document>()), fault_(fault), options_(options) {
    answer_->set_arbitrary_file_identifier(header.arbitrary_file_identifier());
    answer_->set_medical_institution_code(header.medical_institution_code());
    reply_ = AnswerReply(kind, answer_, options);
  }

  const v1::Patient* Admit(const PatientIndex& index, const ov1::MedicalInfoRequestHeader& header) {
    if (fault_ == Fault::kError) {
      Refuse(kMedicalResultFailed, internal::kTerminalErrorMessage, "fault");
      return nullptr;
    }
    const std::vector<const v1::Patient*> people = index.FindByIdentifiers(IdentifiersOf(header));
    if (people.size() != 1) {
      Refuse(kMedicalResultFailed,
             people.empty() ? internal::kNotFoundMessage : internal::kAmbiguousMessage,
             people.empty() ? "not found" : "ambiguous");
      return nullptr;
    }
    const v1::Patient& patient = *people[0];
    reply_.scenario = patient.scenario();
    reply_.encoding = internal::EncodingFor(&patient, options_.encoding);
    if (NeverReleased(patient)) {
      Refuse(kMedicalResultNoConsent, kNeverReleasedMessage, "never released");
      return nullptr;
    }
    if (patient.certificate_grace_period()) {
      Refuse(kMedicalResultNoConsent, kGracePeriodMessage, "certificate grace period");
      return nullptr;
    }
    return &patient;
  }

  // Makes the answer a refusal with `result_code` and the terminal's `message`.
  void Refuse(absl::string_view result_code, absl::string_view message, absl::string_view why) {
    answer_->set_result_code(std::string(result_code));
    answer_->set_message_contents(std::string(message));
    reply_.summary = absl::StrCat("refused: ", why);
  }

  // Makes the answer a release for `patient` (its subject); the caller adds the data.
  void Release(const v1::Patient& patient) {
    answer_->set_result_code(std::string(kMedicalResultReleased));
    const ov1::QualificationRecord& record = patient.records(0);
    answer_->mutable_subject()->set_name(record.name());
    answer_->mutable_subject()->set_kana_name(record.name_kana());
    answer_->mutable_subject()->set_birth_date(record.birth_date());
    answer_->mutable_subject()->set_sex(record.sex1());
  }

  Document* answer() { return answer_.get(); }
  Reply* reply() { return &reply_; }

  // The reply with the kind's answer faults applied.
  Reply Finish() {
    ApplyAnswerFaults(fault_, options_, &reply_);
    return std::move(reply_);
  }

 private:
  std::shared_ptr<Document> answer_;
  Reply reply_;
  const Fault fault_;
  const ResponderOptions& options_;
};

}  // namespace

// ---- 薬剤情報 -----------------------------------------------------------------------------

Reply Responder::HandleMedication(const ov1::MedicationRequestDocument& request,
                                  absl::Time now) const {
  const ov1::MedicalInfoRequestHeader& header = request.header();
  if (absl::string_view code = CheckHeader(header, request.care_setting(), request.file_category(),
                                           options_.institution_code);
      !code.empty()) {
    // A bad value outranks a missing period only when everything else is there.
    return RejectReply(code);
  }
  if (request.start_month().empty() || request.end_month().empty()) {
    return RejectReply(kRejectMissingElement);
  }
  const std::string& category = request.file_category();
  if (!internal::IsYearMonth(request.start_month()) ||
      !internal::IsYearMonth(request.end_month()) || request.start_month() > request.end_month() ||
      (category != "1" && category != "2" && category != "3" && category != "4")) {
    return RejectReply(kRejectBadValue);
  }
  const Fault fault = options_.fault.For(FaultScope::kMedication);
  if (fault == Fault::kReject) return RejectReply(kRejectByFault);
  if (fault == Fault::kSilent) return SilentReply();

  MedicalAnswer<ov1::MedicationResultDocument> m(DocumentKind::kMedicationResult, header, fault,
                                                 options_);
  const v1::Patient* admitted = m.Admit(index_, header);
  if (admitted == nullptr) return m.Finish();
  const v1::Patient& patient = *admitted;
  const ov1::CareSetting setting = request.care_setting();
  const v1::PatientConsents consents = CurrentConsents(patient);
  const bool standing = setting == ov1::CARE_SETTING_EMERGENCY ||
                        (patient.home_care_consent() && (setting == ov1::CARE_SETTING_HOME_VISIT ||
                                                         setting == ov1::CARE_SETTING_ONLINE));
  if (!standing) {
    const Verdict verdict =
        JudgeConsent(consents.pharmacists_info(), setting, now, Category::kMedication);
    if (!verdict.released) {
      m.Refuse(kMedicalResultNoConsent, verdict.message, "no consent");
      return m.Finish();
    }
  }
  // 診療情報 (FileCategory 3/4) only under its own consent (DiagnosisInfo), like every category.
  const bool treatments =
      (category == "3" || category == "4") &&
      (standing ||
       JudgeConsent(consents.diagnosis_info(), setting, now, Category::kMedication).released);

  m.Release(patient);
  ov1::MedicationResultDocument* answer = m.answer();
  Reply& reply = *m.reply();
  for (const ov1::MedicationMonth& month : patient.medication_months()) {
    if (month.month() < request.start_month() || month.month() > request.end_month()) continue;
    ov1::MedicationMonth* out = answer->add_months();
    *out = month;
    if (!treatments) out->clear_treatments();
  }
  reply.summary = absl::StrCat("released: ", answer->months_size(), " months",
                               treatments ? " with treatments" : "");

  if (category == "1" || category == "3") {
    std::vector<std::string> lines =
        PdfHeader("Medication information (YZK)", patient, options_.institution_code, setting);
    lines.push_back(absl::StrCat("Months: ", request.start_month(), " - ", request.end_month()));
    if (answer->months().empty()) lines.push_back("No information for these months.");
    for (const ov1::MedicationMonth& m : answer->months()) {
      lines.push_back(absl::StrCat("Month ", m.month(), "   Institution ", m.institution_code(),
                                   " ", Transliterate(m.institution_name()), "   Pharmacy ",
                                   m.pharmacy_code(), " ", Transliterate(m.pharmacy_name())));
      for (const ov1::DispensingDate& d : m.dates()) {
        lines.push_back(absl::StrCat("  Dispensed ", d.dispensing_date(), "   Prescribed ",
                                     d.prescription_date()));
        for (const ov1::Drug& drug : d.drugs()) {
          lines.push_back(absl::StrCat("    ", drug.code(), "  ", Transliterate(drug.name()), "  ",
                                       drug.quantity(), " ", Transliterate(drug.unit()), "  x",
                                       drug.times(), "  ", Transliterate(drug.usage())));
        }
      }
      for (const ov1::Treatment& t : m.treatments()) {
        lines.push_back(absl::StrCat("  Treatment ", t.code(), "  ", Transliterate(t.name()), "  ",
                                     t.quantity(), " x", t.times()));
      }
    }
    reply.document = nullptr;
    reply.pdf = MakeTextPdf("Medication information (YZK)", lines);
  }
  return m.Finish();
}

// ---- 特定健診情報 -------------------------------------------------------------------------

Reply Responder::HandleCheckup(const ov1::CheckupRequestDocument& request, absl::Time now) const {
  const ov1::MedicalInfoRequestHeader& header = request.header();
  if (absl::string_view code = CheckHeader(header, request.care_setting(), request.file_category(),
                                           options_.institution_code);
      !code.empty()) {
    return RejectReply(code);
  }
  const std::string& category = request.file_category();
  if (category != "1" && category != "2") return RejectReply(kRejectBadValue);
  const Fault fault = options_.fault.For(FaultScope::kCheckup);
  if (fault == Fault::kReject) return RejectReply(kRejectByFault);
  if (fault == Fault::kSilent) return SilentReply();

  MedicalAnswer<ov1::CheckupResultDocument> m(DocumentKind::kCheckupResult, header, fault,
                                              options_);
  const v1::Patient* admitted = m.Admit(index_, header);
  if (admitted == nullptr) return m.Finish();
  const v1::Patient& patient = *admitted;
  const ov1::CareSetting setting = request.care_setting();
  const bool standing = setting == ov1::CARE_SETTING_EMERGENCY ||
                        (patient.home_care_consent() && (setting == ov1::CARE_SETTING_HOME_VISIT ||
                                                         setting == ov1::CARE_SETTING_ONLINE));
  if (!standing) {
    const Verdict verdict = JudgeConsent(CurrentConsents(patient).specific_health_checkups(),
                                         setting, now, Category::kCheckups);
    if (!verdict.released) {
      m.Refuse(kMedicalResultNoConsent, verdict.message, "no consent");
      return m.Finish();
    }
  }

  m.Release(patient);
  ov1::CheckupResultDocument* answer = m.answer();
  Reply& reply = *m.reply();
  *answer->mutable_checkups() = patient.checkups();
  reply.summary = absl::StrCat("released: ", answer->checkups_size(), " checkups");

  if (category == "1") {
    std::vector<std::string> lines =
        PdfHeader("Specific health checkups (TKK)", patient, options_.institution_code, setting);
    if (answer->checkups().empty()) lines.push_back("No checkup on file.");
    for (const ov1::Checkup& c : answer->checkups()) {
      lines.push_back(absl::StrCat("Checkup of ", c.effective_time()));
      for (const ov1::CheckupItem& item : c.items()) {
        lines.push_back(absl::StrCat(
            "  ", item.item_code(), "  ", Transliterate(item.item_name()), "  ",
            item.value_name().empty() ? item.value() : Transliterate(item.value_name()), " ",
            item.unit()));
      }
    }
    reply.document = nullptr;
    reply.pdf = MakeTextPdf("Specific health checkups (TKK)", lines);
  }
  return m.Finish();
}

}  // namespace onshi::sim
