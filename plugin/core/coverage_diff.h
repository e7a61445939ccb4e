// The difference between a patient's stored coverage and a new answer, and where each field of
// the new coverage came from.
//
// A coverage is compared as a flat map of field paths to text values: the fields of
// QualificationRecord by their proto names ("identifiers.insurer_number",
// "limit_certificate.category", "specific_diseases[0].self_pay_yen"), plus the pseudo-field
// "validity" (the terminal's verdict, as its Japanese label). Empty values are absent. Values
// are compared exactly as recorded: a change of width is a change of the recorded text (but the
// staff message then says only the 表記 changed).
//
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_COVERAGE_DIFF_H_
#define ONSHI_PLUGIN_CORE_COVERAGE_DIFF_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/core/ports.h"

namespace onshi {

// The path of the pseudo-field holding the validity label.
inline constexpr absl::string_view kValidityField = "validity";

// The coverage part of an answer's record: `record` without what belongs to one check rather
// than to the insurance — the consents and their times (every card-reader visit brings new
// ones), ArbitraryIdentifier, PrescriptionIssueSelect and LimitApplicationCertificateChanged.
// Those stay with the confirmation of the check (and the ledger); coverage versions change only
// when the insurance does.
v1::QualificationRecord CoverageOf(const v1::QualificationRecord& record);

// Every non-empty field of `record` by path, found by protobuf reflection (so a field added to
// the proto is compared without code here). Strings as they are; integers in decimal; bools
// "true"; enums as their OQS code ("1") or, without one, their value name. Nested messages join
// with '.', repeated entries get "[i]".
std::map<std::string, std::string> FlattenRecord(const v1::QualificationRecord& record);

// FlattenRecord plus kValidityField → ValidityLabel(validity) (absent when UNSPECIFIED).
std::map<std::string, std::string> CoverageFields(const v1::QualificationRecord& record,
                                                  v1::QualificationValidity validity);

// The Japanese label of a field path for staff ("identifiers.insurer_number" → "保険者番号"),
// looked up without list indices, falling back to the enclosing field's label, then to the path
// itself.
std::string FieldLabel(absl::string_view path);

// One FieldChange per path whose value differs between `current` (nullptr: no coverage stored
// yet, so every non-empty field is a change from "") and (`next`, `next_validity`), in path
// order. staff_message is readable Japanese:
//   保険者番号が変わりました; 記号・番号が変わりました (記号, 番号, 枝番);
//   when old and new are the same identifier under SameIdentifier, that only the 表記 changed;
//   負担割合が変わりました (card or 高齢受給者証 ratio); 限度額適用区分が変わりました;
//   資格を喪失しました (validity from 有効 to 無効, 無効（新しい資格あり） or 該当資格なし, or a
//   資格喪失日 appearing); 資格が有効になりました; 氏名が変わりました; 住所が変わりました;
//   else "<FieldLabel>が変わりました"; for a first coverage "<FieldLabel>を記録しました".
std::vector<v1::FieldChange> DiffCoverage(const v1::CoverageVersion* current,
                                          const v1::QualificationRecord& next,
                                          v1::QualificationValidity next_validity);

// Sets next->field_provenance: `current`'s map (none when `current` is nullptr), every path in
// `changes` with a new value, and for a first coverage every path of `next`, pointing at
// (next->version(), next->provenance()); entries for paths `next` no longer has are removed.
// Call after next's coverage, validity, version and provenance are set. `changes` is
// DiffCoverage(current, next->coverage(), next->validity()).
void CarryFieldProvenance(const v1::CoverageVersion* current,
                          const std::vector<v1::FieldChange>& changes, v1::CoverageVersion* next);

// What recording `record` (with the terminal's `validity`) for `patient_id` writes, given the
// patient's `current` coverage (nullptr: none yet): `write` always names the patient and the
// version that is current afterwards; when DiffCoverage finds changes, `update` holds the next
// version (expected_version = current's, or 0; coverage CoverageOf(record); `validity`;
// `provenance`; `recorded_time`; field provenance carried) and `write` lists the changes.
struct PlannedCoverageWrite {
  v1::RecordWrite write;
  std::optional<CoverageUpdate> update;
};
PlannedCoverageWrite PlanCoverageWrite(const std::string& patient_id,
                                       const v1::CoverageVersion* current,
                                       const v1::QualificationRecord& record,
                                       v1::QualificationValidity validity,
                                       const v1::Provenance& provenance,
                                       const google::protobuf::Timestamp& recorded_time);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_COVERAGE_DIFF_H_
