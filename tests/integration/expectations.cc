#include "tests/integration/expectations.h"

#include <map>
#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace onshi::integration {
namespace {

constexpr char kGetaMark[] = "\xE3\x80\x93";          // 〓 U+3013
constexpr char kOutsideCp932[] = "\xF0\xA0\xAE\xB7";  // 𠮷 U+20BB7

// OQSCD012 as the C API names the categories (docs/c-api.md, oqs-interface.md §6).
const std::map<std::string, std::string>& LimitCategoryNames() {
  static const auto* const names = new std::map<std::string, std::string>{
      {"A01", "区分ア"},          {"A02", "区分イ"},
      {"A03", "区分ウ"},          {"A04", "区分エ"},
      {"A05", "区分オ"},          {"A06", "区分オ（境）"},
      {"B01", "現役並みⅢ"},       {"B02", "現役並みⅡ"},
      {"B03", "現役並みⅠ"},       {"B04", "一般"},
      {"B05", "低所得Ⅱ"},         {"B06", "低所得Ⅰ"},
      {"B07", "低所得Ⅰ（老福）"}, {"B08", "低所得Ⅰ（境）"},
      {"B09", "一般Ⅱ"},           {"B10", "一般Ⅰ"},
  };
  return *names;
}

std::string ValidityLabel(v1::QualificationValidity validity) {
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
    default:
      return "(no label expected)";
  }
}

// Whether [start, end] (YYYYMMDD, empty = open) covers `date`.
bool Covers(const std::string& start, const std::string& end, const std::string& date) {
  return (start.empty() || start <= date) && (end.empty() || date <= end);
}

// 10000 → "10,000".
std::string Yen(int64_t amount) {
  std::string digits = std::to_string(amount);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

// The 負担割合 the answer means on kConfirmationDate, in percent; 0 when the dataset gives none
// and the law does not fix it by age.
int ExpectedCopayPercent(const v1::QualificationRecord& record) {
  const v1::ElderlyRecipientCertificate& elderly = record.elderly_recipient_certificate();
  std::string ratio;
  if (!elderly.contribution_ratio().empty() &&
      Covers(elderly.valid_start_date(), elderly.valid_end_date(), kConfirmationDate)) {
    ratio = elderly.contribution_ratio();
  } else {
    ratio = record.insured_partial_contribution_ratio();
  }
  if (!ratio.empty()) return std::stoi(ratio);
  // No ratio in the answer: 未就学 2割; below the 70–74 rules 3割 (everyone born after
  // 1956-12 is under 70 on the confirmation date).
  if (record.preschool_classification() == "1") return 20;
  EXPECT_GT(record.birth_date(), "19561231")
      << "a dataset patient of 70 or more without a ratio: state what onshi should show";
  return 30;
}

}  // namespace

std::string AsWritten(const std::string& text, AnswerEncoding encoding) {
  if (encoding == AnswerEncoding::kUtf8) return text;
  std::string out = text;
  for (size_t pos = out.find(kOutsideCp932); pos != std::string::npos;
       pos = out.find(kOutsideCp932, pos)) {
    out.replace(pos, sizeof(kOutsideCp932) - 1, kGetaMark);
  }
  return out;
}

v1::QualificationRecord RecordAsWritten(const v1::QualificationRecord& record,
                                        AnswerEncoding encoding) {
  v1::QualificationRecord out = record;
  out.set_insured_name(AsWritten(record.insured_name(), encoding));
  out.set_name(AsWritten(record.name(), encoding));
  out.set_name_of_other(AsWritten(record.name_of_other(), encoding));
  out.set_name_kana(AsWritten(record.name_kana(), encoding));
  out.set_name_of_other_kana(AsWritten(record.name_of_other_kana(), encoding));
  out.set_address(AsWritten(record.address(), encoding));
  return out;
}

AnswerEncoding EncodingFor(const sim::v1::Patient& patient, AnswerEncoding stack_encoding) {
  switch (patient.encoding()) {
    case sim::v1::ANSWER_ENCODING_SHIFT_JIS:
      return AnswerEncoding::kShiftJis;
    case sim::v1::ANSWER_ENCODING_UTF8:
      return AnswerEncoding::kUtf8;
    default:
      return stack_encoding;
  }
}

int CountNotices(const onshi_qualification* q, const std::string& code) {
  int n = 0;
  for (int32_t i = 0; i < onshi_qualification_notice_count(q); ++i) {
    if (code == onshi_qualification_notice_code(q, i)) ++n;
  }
  return n;
}

void ExpectAnswerFor(const onshi_qualification* q, const sim::v1::Patient& patient,
                     bool limit_consent, AnswerEncoding encoding, int32_t outcome) {
  SCOPED_TRACE("scenario " + patient.scenario() + (limit_consent ? " with" : " without") +
               " limit consent");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(onshi_qualification_outcome(q), outcome);
  EXPECT_EQ(onshi_qualification_validity(q), static_cast<int32_t>(patient.validity()));
  EXPECT_STREQ(onshi_qualification_status_label(q), ValidityLabel(patient.validity()).c_str());
  EXPECT_STRNE(onshi_qualification_status_explanation(q), "");
  EXPECT_STREQ(onshi_qualification_confirmation_date(q), kConfirmationDate);
  EXPECT_STREQ(onshi_qualification_unconfirmed_reason(q), "");

  const bool eligible =
      patient.validity() == v1::QUALIFICATION_VALIDITY_VALID && patient.records_size() == 1;
  EXPECT_EQ(onshi_qualification_is_eligible(q), eligible ? 1 : 0);

  // Every record as the insurer registered it: typed getters, then the whole record.
  ASSERT_EQ(onshi_qualification_record_count(q), patient.records_size());
  const v1::CheckQualificationResponse response = ResponseOf(q);
  ASSERT_EQ(response.result().records_size(), patient.records_size());
  for (int i = 0; i < patient.records_size(); ++i) {
    SCOPED_TRACE("record " + std::to_string(i));
    const v1::QualificationRecord want = RecordAsWritten(patient.records(i), encoding);
    EXPECT_STREQ(onshi_qualification_insurer_number(q, i),
                 want.identifiers().insurer_number().c_str());
    EXPECT_STREQ(onshi_qualification_insurer_name(q, i), want.insurer_name().c_str());
    EXPECT_STREQ(onshi_qualification_card_symbol(q, i),
                 want.identifiers().insured_card_symbol().c_str());
    EXPECT_STREQ(onshi_qualification_card_number(q, i),
                 want.identifiers().insured_identification_number().c_str());
    EXPECT_STREQ(onshi_qualification_branch_number(q, i),
                 want.identifiers().insured_branch_number().c_str());
    EXPECT_STREQ(onshi_qualification_name(q, i), want.name().c_str());
    EXPECT_STREQ(onshi_qualification_name_kana(q, i), want.name_kana().c_str());
    EXPECT_STREQ(onshi_qualification_birth_date(q, i), want.birth_date().c_str());
    EXPECT_STREQ(onshi_qualification_sex(q, i), want.sex1().c_str());
    EXPECT_STREQ(onshi_qualification_personal_family(q, i),
                 want.personal_family_classification().c_str());
    EXPECT_STREQ(onshi_qualification_insured_card_valid_date(q, i),
                 want.insured_card_valid_date().c_str());
    EXPECT_STREQ(onshi_qualification_insured_card_expiration_date(q, i),
                 want.insured_card_expiration_date().c_str());
    EXPECT_STREQ(onshi_qualification_qualification_date(q, i), want.qualification_date().c_str());
    EXPECT_STREQ(onshi_qualification_elderly_contribution_ratio(q, i),
                 want.elderly_recipient_certificate().contribution_ratio().c_str());
    EXPECT_STREQ(onshi_qualification_elderly_valid_start_date(q, i),
                 want.elderly_recipient_certificate().valid_start_date().c_str());
    EXPECT_STREQ(onshi_qualification_elderly_valid_end_date(q, i),
                 want.elderly_recipient_certificate().valid_end_date().c_str());

    // The whole record. The simulator sets the 限度額 consent per request (checked below) and
    // drops the 限度額 data without it; ArbitraryIdentifier is onshi's own echo.
    const v1::QualificationRecord& got = response.result().records(i);
    v1::QualificationRecord expected = want;
    if (!limit_consent) expected.clear_limit_certificate();
    google::protobuf::util::MessageDifferencer differencer;
    const google::protobuf::Descriptor* d = v1::QualificationRecord::descriptor();
    differencer.IgnoreField(d->FindFieldByName("limit_certificate_consent"));
    differencer.IgnoreField(d->FindFieldByName("arbitrary_identifier"));
    std::string differences;
    differencer.ReportDifferencesToString(&differences);
    EXPECT_TRUE(differencer.Compare(expected, got)) << differences;
    if (limit_consent) {
      EXPECT_EQ(got.limit_certificate_consent().flag(), v1::CONSENT_FLAG_GIVEN);
      EXPECT_EQ(got.limit_certificate_consent().consent_time(),
                response.result().process_execution_time());
    } else {
      EXPECT_NE(got.limit_certificate_consent().flag(), v1::CONSENT_FLAG_GIVEN);
    }
  }
  EXPECT_EQ(response.result().qualification_validity(), patient.validity());
  EXPECT_EQ(response.result().processing_result_code(), patient.processing_result_code());

  // The billing view.
  int expected_notices = 0;
  auto expect_notices = [&](const std::string& code, int count) {
    EXPECT_EQ(CountNotices(q, code), count) << code;
    expected_notices += count;
  };
  const std::string message = AsWritten(patient.processing_result_message(), encoding);
  expect_notices("ONSHI_NOTICE_TERMINAL_MESSAGE", message.empty() ? 0 : 1);
  if (!message.empty()) {
    for (int32_t i = 0; i < onshi_qualification_notice_count(q); ++i) {
      if (std::string(onshi_qualification_notice_code(q, i)) == "ONSHI_NOTICE_TERMINAL_MESSAGE") {
        EXPECT_EQ(onshi_qualification_notice_staff_message(q, i), message);
        EXPECT_NE(std::string(onshi_qualification_notice_it_message(q, i))
                      .find(patient.processing_result_code()),
                  std::string::npos);
      }
    }
  }
  int unrepresentable = 0;
  for (const v1::QualificationRecord& record : patient.records()) {
    const v1::QualificationRecord written = RecordAsWritten(record, encoding);
    if ((written.name() + written.insured_name() + written.name_of_other()).find(kGetaMark) !=
        std::string::npos) {
      ++unrepresentable;
    }
    if (written.address().find(kGetaMark) != std::string::npos) ++unrepresentable;
  }
  expect_notices("ONSHI_NOTICE_UNREPRESENTABLE_CHARACTER", unrepresentable);
  expect_notices("ONSHI_NOTICE_MULTIPLE_QUALIFICATIONS",
                 patient.validity() == v1::QUALIFICATION_VALIDITY_MULTIPLE ? 1 : 0);

  if (!eligible) {
    EXPECT_EQ(onshi_qualification_copay_ratio_percent(q), 0);
    EXPECT_STREQ(onshi_qualification_copay_ratio_label(q), "");
    EXPECT_STREQ(onshi_qualification_limit_category_code(q), "");
    EXPECT_STREQ(onshi_qualification_limit_category_name(q), "");
    EXPECT_EQ(onshi_qualification_limit_certificate_in_force(q), 0);
    EXPECT_EQ(onshi_qualification_preschool(q), 0);
    EXPECT_EQ(onshi_qualification_notice_count(q), expected_notices);
    return;
  }
  const v1::QualificationRecord& record = patient.records(0);
  const int percent = ExpectedCopayPercent(record);
  EXPECT_EQ(onshi_qualification_copay_ratio_percent(q), percent);
  EXPECT_EQ(onshi_qualification_copay_ratio_label(q), std::to_string(percent / 10) + "割");

  const v1::LimitCertificate& limit = record.limit_certificate();
  if (limit_consent && !limit.category().empty()) {
    EXPECT_EQ(onshi_qualification_limit_category_code(q), limit.category());
    EXPECT_EQ(onshi_qualification_limit_category_name(q),
              LimitCategoryNames().at(limit.category()));
    EXPECT_EQ(onshi_qualification_limit_certificate_in_force(q),
              Covers(limit.valid_start_date(), limit.valid_end_date(), kConfirmationDate) ? 1 : 0);
  } else {
    // Without consent the answer carries no 限度額 data, so onshi shows none.
    EXPECT_STREQ(onshi_qualification_limit_category_code(q), "");
    EXPECT_STREQ(onshi_qualification_limit_category_name(q), "");
    EXPECT_EQ(onshi_qualification_limit_certificate_in_force(q), 0);
  }
  expect_notices("ONSHI_NOTICE_NO_LIMIT_DATA", limit_consent && limit.category().empty() ? 1 : 0);
  expect_notices(
      "ONSHI_NOTICE_LIMIT_CERTIFICATE_NOT_IN_FORCE",
      limit_consent && !limit.category().empty() &&
              !Covers(limit.valid_start_date(), limit.valid_end_date(), kConfirmationDate)
          ? 1
          : 0);
  EXPECT_EQ(onshi_qualification_preschool(q), record.preschool_classification() == "1" ? 1 : 0);
  expect_notices("ONSHI_NOTICE_CARD_EXPIRED",
                 !record.insured_card_expiration_date().empty() &&
                         record.insured_card_expiration_date() < kConfirmationDate
                     ? 1
                     : 0);
  expect_notices("ONSHI_NOTICE_SPECIFIC_DISEASE", record.specific_diseases_size());
  for (const v1::SpecificDiseaseCertificate& disease : record.specific_diseases()) {
    bool found = false;
    for (int32_t i = 0; i < onshi_qualification_notice_count(q); ++i) {
      found |= std::string(onshi_qualification_notice_staff_message(q, i))
                   .find("月" + Yen(disease.self_pay_yen()) + "円") != std::string::npos;
    }
    EXPECT_TRUE(found) << "no notice states the self-pay of " << disease.self_pay_yen() << " yen";
  }
  // Nothing else: no notice the answer does not call for.
  EXPECT_EQ(onshi_qualification_notice_count(q), expected_notices);
}

void ExpectUnconfirmed(const onshi_qualification* q) {
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(onshi_qualification_outcome(q), ONSHI_OUTCOME_UNCONFIRMED);
  EXPECT_STREQ(onshi_qualification_unconfirmed_reason(q), "ONSHI_TERMINAL_TIMEOUT");
  EXPECT_STRNE(onshi_qualification_unconfirmed_staff_message(q), "");
  EXPECT_STRNE(onshi_qualification_unconfirmed_it_message(q), "");
  EXPECT_EQ(onshi_qualification_validity(q), ONSHI_VALIDITY_UNSPECIFIED);
  EXPECT_EQ(onshi_qualification_is_eligible(q), 0);
  EXPECT_STREQ(onshi_qualification_status_label(q), "未確認");
  EXPECT_EQ(onshi_qualification_record_count(q), 0);
  EXPECT_EQ(onshi_qualification_copay_ratio_percent(q), 0);
  EXPECT_STREQ(onshi_qualification_limit_category_code(q), "");
  EXPECT_STREQ(onshi_qualification_recorded_patient_id(q), "");
  EXPECT_EQ(onshi_qualification_coverage_version(q), 0);
  EXPECT_EQ(onshi_qualification_change_count(q), 0);
}

void ExpectNothingConfirmed(onshi_client* client, const std::string& patient_id) {
  onshi_status status = ONSHI_UNKNOWN;
  std::string reason;
  std::optional<v1::PatientRecord> record = GetPatientRecord(client, patient_id, &status, &reason);
  if (!record.has_value()) {
    EXPECT_EQ(status, ONSHI_NOT_FOUND) << reason;
    EXPECT_EQ(reason, "ONSHI_PATIENT_NOT_FOUND");
    return;
  }
  EXPECT_FALSE(record->has_current_coverage()) << record->DebugString();
  EXPECT_EQ(record->coverage_history_size(), 0);
  for (const v1::Confirmation& confirmation : record->confirmations()) {
    EXPECT_NE(confirmation.outcome(), v1::CHECK_OUTCOME_ANSWERED);
    EXPECT_EQ(confirmation.validity(), v1::QUALIFICATION_VALIDITY_UNSPECIFIED);
  }
}

}  // namespace onshi::integration
