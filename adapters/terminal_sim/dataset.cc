#include "adapters/terminal_sim/dataset.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/terminal_sim/matching.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"
#include "plugin/core/insurer_number.h"
#include "plugin/core/text.h"

namespace onshi::sim {
namespace {

// Keeps only where the first parse problem is: the parser's own text may quote the file.
class PositionCollector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& /*message*/) override {
    if (!has_error_) {
      has_error_ = true;
      line_ = line + 1;
      column_ = column + 1;
    }
  }
  void AddWarning(int, int, const std::string&) override {}

  bool has_error() const { return has_error_; }
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  bool has_error_ = false;
  int line_ = 0;
  int column_ = 0;
};

bool IsScenarioId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(absl::ascii_islower(static_cast<unsigned char>(c)) ||
          absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return false;
    }
  }
  return true;
}

bool IsThreeDigits(absl::string_view value) {
  if (value.size() != 3) return false;
  for (char c : value) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsLimitCategory(absl::string_view code) {
  static const std::set<std::string, std::less<>> kCodes = {
      "A01", "A02", "A03", "A04", "A05", "A06", "B01", "B02",
      "B03", "B04", "B05", "B06", "B07", "B08", "B09", "B10"};
  return kCodes.count(code) > 0;
}

// Collects the first violation; later checks are skipped once one is found.
class Checker {
 public:
  void Fail(absl::string_view where, absl::string_view what) {
    if (status_.ok()) {
      status_ =
          MakeError(errors::kConfigInvalid, absl::StrCat("simulator dataset: ", where, " ", what));
    }
  }
  void Date(absl::string_view where, absl::string_view field, absl::string_view value,
            bool required = false) {
    if (value.empty() && !required) return;
    if (!ParseDate(value).has_value())
      Fail(where, absl::StrCat(field, " is not a valid YYYYMMDD date"));
  }
  void Time(absl::string_view where, absl::string_view field, absl::string_view value) {
    if (value.empty()) return;
    if (!IsValidTimestamp(value)) {
      Fail(where, absl::StrCat(field, " is not a valid YYYYMMDDhhmmss time"));
    }
  }
  void Consent(absl::string_view where, absl::string_view field, const onshi::v1::Consent& c) {
    Time(where, absl::StrCat(field, ".consent_time"), c.consent_time());
    Time(where, absl::StrCat(field, ".available_time"), c.available_time());
  }
  const absl::Status& status() const { return status_; }

 private:
  absl::Status status_;
};

void CheckRecord(Checker& check, const std::string& where,
                 const onshi::v1::QualificationRecord& r) {
  const std::string& insurer = r.identifiers().insurer_number();
  const std::string trimmed(absl::StripLeadingAsciiWhitespace(insurer));
  if (insurer.size() != 8 || !HasValidCheckDigit(trimmed) ||
      (trimmed.size() == 6) != (insurer.size() - trimmed.size() == 2)) {
    check.Fail(where,
               "identifiers.insurer_number must be 8 digits, or 6 digits left-padded with two "
               "spaces, with a valid check digit");
  }
  if (r.identifiers().insured_identification_number().empty()) {
    check.Fail(where, "identifiers.insured_identification_number is required");
  }
  check.Date(where, "birth_date", r.birth_date(), /*required=*/true);
  check.Date(where, "qualification_date", r.qualification_date());
  check.Date(where, "disqualification_date", r.disqualification_date());
  check.Date(where, "insured_certificate_issuance_date", r.insured_certificate_issuance_date());
  check.Date(where, "insured_card_valid_date", r.insured_card_valid_date());
  check.Date(where, "insured_card_expiration_date", r.insured_card_expiration_date());
  if (!r.insured_partial_contribution_ratio().empty() &&
      !IsThreeDigits(r.insured_partial_contribution_ratio())) {
    check.Fail(where, "insured_partial_contribution_ratio must be three digits");
  }
  if (r.has_elderly_recipient_certificate()) {
    const auto& e = r.elderly_recipient_certificate();
    check.Date(where, "elderly_recipient_certificate.certificate_date", e.certificate_date());
    check.Date(where, "elderly_recipient_certificate.valid_start_date", e.valid_start_date());
    check.Date(where, "elderly_recipient_certificate.valid_end_date", e.valid_end_date());
    if (!IsThreeDigits(e.contribution_ratio())) {
      check.Fail(where, "elderly_recipient_certificate.contribution_ratio must be three digits");
    }
  }
  if (r.has_limit_certificate_consent()) {
    check.Fail(where,
               "limit_certificate_consent must be unset: the simulator sets it from each request");
  }
  if (r.has_limit_certificate()) {
    const auto& l = r.limit_certificate();
    if (!IsLimitCategory(l.category())) {
      check.Fail(where, "limit_certificate.category must be one of A01-A06, B01-B10");
    }
    if (l.classification() != "01" && l.classification() != "02" && l.classification() != "03") {
      check.Fail(where, "limit_certificate.classification must be 01, 02 or 03");
    }
    check.Date(where, "limit_certificate.certificate_date", l.certificate_date());
    check.Date(where, "limit_certificate.valid_start_date", l.valid_start_date());
    check.Date(where, "limit_certificate.valid_end_date", l.valid_end_date());
    check.Date(where, "limit_certificate.long_term_date", l.long_term_date());
  }
  for (int i = 0; i < r.specific_diseases_size(); ++i) {
    const auto& d = r.specific_diseases(i);
    const std::string field = absl::StrCat("specific_diseases[", i, "]");
    if (d.disease_category() != "1" && d.disease_category() != "2" && d.disease_category() != "3") {
      check.Fail(where, absl::StrCat(field, ".disease_category must be 1, 2 or 3"));
    }
    if (d.self_pay_yen() < 0) check.Fail(where, absl::StrCat(field, ".self_pay_yen < 0"));
    check.Date(where, absl::StrCat(field, ".certificate_date"), d.certificate_date());
    check.Date(where, absl::StrCat(field, ".valid_start_date"), d.valid_start_date());
    check.Date(where, absl::StrCat(field, ".valid_end_date"), d.valid_end_date());
  }
  check.Consent(where, "specific_diseases_consent", r.specific_diseases_consent());
  check.Consent(where, "specific_health_checkups_consent", r.specific_health_checkups_consent());
  check.Consent(where, "pharmacists_info_consent", r.pharmacists_info_consent());
  check.Consent(where, "diagnosis_info_consent", r.diagnosis_info_consent());
  check.Consent(where, "operation_info_consent", r.operation_info_consent());
}

void CheckMedicalInformation(Checker& check, const std::string& where, const v1::Patient& p) {
  for (int m = 0; m < p.medication_months_size(); ++m) {
    const onshi::v1::MedicationMonth& month = p.medication_months(m);
    const std::string field = absl::StrCat("medication_months[", m, "]");
    if (month.month().size() != 6 || !ParseDate(absl::StrCat(month.month(), "01")).has_value()) {
      check.Fail(where, absl::StrCat(field, ".month must be YYYYMM"));
      continue;
    }
    if (m > 0 && month.month() < p.medication_months(m - 1).month()) {
      check.Fail(where, absl::StrCat(field, " is older than the month before it"));
    }
    for (int d = 0; d < month.dates_size(); ++d) {
      const onshi::v1::DispensingDate& date = month.dates(d);
      const std::string date_field = absl::StrCat(field, ".dates[", d, "]");
      check.Date(where, absl::StrCat(date_field, ".dispensing_date"), date.dispensing_date(),
                 /*required=*/true);
      check.Date(where, absl::StrCat(date_field, ".prescription_date"), date.prescription_date());
      if (date.dispensing_date().compare(0, 6, month.month()) != 0) {
        check.Fail(where, absl::StrCat(date_field, ".dispensing_date is not in its month"));
      }
      for (int k = 0; k < date.drugs_size(); ++k) {
        if (date.drugs(k).code().empty() || date.drugs(k).name().empty()) {
          check.Fail(where, absl::StrCat(date_field, ".drugs[", k, "] needs a code and a name"));
        }
      }
    }
    for (int t = 0; t < month.treatments_size(); ++t) {
      if (month.treatments(t).code().empty() || month.treatments(t).name().empty()) {
        check.Fail(where, absl::StrCat(field, ".treatments[", t, "] needs a code and a name"));
      }
    }
  }
  for (int c = 0; c < p.checkups_size(); ++c) {
    const std::string field = absl::StrCat("checkups[", c, "]");
    check.Date(where, absl::StrCat(field, ".effective_time"), p.checkups(c).effective_time(),
               /*required=*/true);
    for (int k = 0; k < p.checkups(c).items_size(); ++k) {
      const onshi::v1::CheckupItem& item = p.checkups(c).items(k);
      if (item.item_code().empty() || item.item_name().empty() || item.value().empty()) {
        check.Fail(where, absl::StrCat(field, ".items[", k, "] needs a code, a name and a value"));
      }
    }
  }
}

}  // namespace

absl::StatusOr<v1::Dataset> ParseDataset(absl::string_view text) {
  v1::Dataset dataset;
  google::protobuf::TextFormat::Parser parser;
  PositionCollector collector;
  parser.RecordErrorsTo(&collector);
  if (!parser.ParseFromString(std::string(text), &dataset)) {
    if (collector.has_error()) {
      return MakeError(errors::kConfigInvalid,
                       absl::StrCat("simulator dataset does not parse as onshi.sim.v1.Dataset "
                                    "text format at line ",
                                    collector.line(), " column ", collector.column()));
    }
    return MakeError(errors::kConfigInvalid,
                     "simulator dataset does not parse as onshi.sim.v1.Dataset text format");
  }
  absl::Status valid = ValidateDataset(dataset);
  if (!valid.ok()) return valid;
  return dataset;
}

absl::StatusOr<v1::Dataset> LoadDataset(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError(errors::kConfigInvalid, "simulator dataset file cannot be opened (--dataset)");
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return MakeError(errors::kConfigInvalid, "simulator dataset file cannot be read (--dataset)");
  }
  return ParseDataset(text.str());
}

absl::Status ValidateDataset(const v1::Dataset& dataset) {
  Checker check;
  std::set<std::string> scenarios;
  for (int i = 0; i < dataset.patients_size() && check.status().ok(); ++i) {
    const v1::Patient& p = dataset.patients(i);
    const std::string where = absl::StrCat("patients[", i, "] (", p.scenario(), "):");
    if (!IsScenarioId(p.scenario())) {
      check.Fail(absl::StrCat("patients[", i, "]:"), "scenario must be 1-64 of [a-z0-9-]");
      break;
    }
    if (!scenarios.insert(p.scenario()).second) check.Fail(where, "scenario is not unique");
    const std::string& insurer = p.card().insurer_number();
    if (!HasValidCheckDigit(insurer)) {
      check.Fail(where, "card.insurer_number must be 6 or 8 digits with a valid check digit");
    }
    if (NormalizeIdentifierForComparison(p.card().insured_identification_number()).empty()) {
      check.Fail(where, "card.insured_identification_number is required");
    }
    check.Date(where, "birth_date", p.birth_date(), /*required=*/true);
    if (p.validity() == onshi::v1::QUALIFICATION_VALIDITY_UNSPECIFIED ||
        p.validity() == onshi::v1::QUALIFICATION_VALIDITY_NOT_FOUND) {
      check.Fail(where,
                 "validity must be set and not NOT_FOUND (unknown people are simply absent)");
    }
    if (p.validity() == onshi::v1::QUALIFICATION_VALIDITY_MULTIPLE) {
      if (p.records_size() < 2) check.Fail(where, "validity MULTIPLE needs at least two records");
    } else if (p.records_size() != 1) {
      check.Fail(where, "needs exactly one record (several only for validity MULTIPLE)");
    }
    for (int r = 0; r < p.records_size(); ++r) {
      CheckRecord(check, absl::StrCat(where, " records[", r, "]"), p.records(r));
    }
    if (p.has_latency_ms() && p.latency_ms() < 0) check.Fail(where, "latency_ms must be >= 0");
    if (p.behavior() == v1::BEHAVIOR_LATE && (!p.has_latency_ms() || p.latency_ms() <= 0)) {
      check.Fail(where, "behavior LATE needs latency_ms > 0");
    }
    if (p.processing_result_message().empty() != p.processing_result_code().empty()) {
      check.Fail(where, "processing_result_code and processing_result_message go together");
    }
    if (!p.prescription_issue_select().empty() && p.prescription_issue_select() != "1" &&
        p.prescription_issue_select() != "2") {
      check.Fail(where, "prescription_issue_select must be empty, 1 or 2");
    }
    CheckMedicalInformation(check, where, p);
    for (int j = 0; j < i && check.status().ok(); ++j) {
      const v1::Patient& other = dataset.patients(j);
      if (CardMatches(p.card(), p.birth_date(), other.card(), other.birth_date())) {
        check.Fail(where, absl::StrCat("a request could match both it and patients[", j, "] (",
                                       other.scenario(), ")"));
      }
    }
  }
  return check.status();
}

}  // namespace onshi::sim
