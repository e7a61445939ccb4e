// docs/oqs-mapping.md lists every element the (oqs_element) options map, with its field, and
// every (oqs_code): this test keeps the page and the descriptors in step, both ways.

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "onshi/v1/oqs_options.pb.h"
#include "tests/unit/oqs_files/descriptor_paths.h"
#include "tests/unit/oqs_files/test_util.h"

namespace onshi::oqs {
namespace {

using Row = std::pair<std::string, std::string>;  // element path, field

std::string ShortName(const google::protobuf::FieldDescriptor* field) {
  return std::string(absl::StripPrefix(field->full_name(), "onshi.v1."));
}

std::set<Row> RowsFromDescriptors(const google::protobuf::Descriptor* type) {
  std::set<Row> rows;
  for (const testing_util::MappedElement& e : testing_util::MappedElements(type)) {
    rows.insert({absl::StrCat("XmlMsg/", e.path), ShortName(e.field)});
  }
  return rows;
}

// Rows of the table between "<!-- mapping:NAME:begin -->" and "<!-- mapping:NAME:end -->":
// the first two cells, each in backticks.
std::set<Row> RowsFromPage(const std::string& page, absl::string_view name) {
  std::set<Row> rows;
  const std::string begin = absl::StrCat("<!-- mapping:", name, ":begin -->");
  const std::string end = absl::StrCat("<!-- mapping:", name, ":end -->");
  size_t from = page.find(begin);
  size_t to = page.find(end);
  EXPECT_NE(from, std::string::npos) << begin;
  EXPECT_NE(to, std::string::npos) << end;
  if (from == std::string::npos || to == std::string::npos) return rows;
  for (absl::string_view line : absl::StrSplit(page.substr(from, to - from), '\n')) {
    if (!absl::StartsWith(line, "| `")) continue;
    std::vector<absl::string_view> cells = absl::StrSplit(line, '|');
    if (cells.size() < 3) continue;
    absl::string_view path = absl::StripAsciiWhitespace(cells[1]);
    absl::string_view field = absl::StripAsciiWhitespace(cells[2]);
    path = absl::StripSuffix(absl::StripPrefix(path, "`"), "`");
    field = absl::StripSuffix(absl::StripPrefix(field, "`"), "`");
    rows.insert({std::string(path), std::string(field)});
  }
  return rows;
}

std::string Describe(const std::set<Row>& rows) {
  std::string out;
  for (const Row& row : rows) absl::StrAppend(&out, "| `", row.first, "` | `", row.second, "` |\n");
  return out;
}

class MappingDocTest : public ::testing::Test {
 protected:
  std::string page_ = testing_util::ReadFileOrDie(testing_util::SourcePath("docs/oqs-mapping.md"));
};

TEST_F(MappingDocTest, RequestTableListsExactlyTheMappedElements) {
  std::set<Row> expected = RowsFromDescriptors(v1::QualificationRequestDocument::descriptor());
  std::set<Row> listed = RowsFromPage(page_, "QualificationRequestDocument");
  EXPECT_EQ(listed, expected) << "expected rows:\n" << Describe(expected);
}

TEST_F(MappingDocTest, ResultTableListsExactlyTheMappedElements) {
  std::set<Row> expected = RowsFromDescriptors(v1::QualificationResult::descriptor());
  std::set<Row> listed = RowsFromPage(page_, "QualificationResult");
  EXPECT_EQ(listed, expected) << "expected rows:\n" << Describe(expected);
}

// Flattened fields ("*", "Prefix*") have no element of their own; the page names them.
TEST_F(MappingDocTest, EveryFlattenedFieldIsNamed) {
  for (const google::protobuf::Descriptor* type :
       {v1::QualificationSearchInfo::descriptor(), v1::QualificationRecord::descriptor()}) {
    for (int i = 0; i < type->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = type->field(i);
      const std::string& spec = field->options().GetExtension(v1::oqs_element);
      if (spec.empty() || spec.back() != '*') continue;
      EXPECT_TRUE(
          absl::StrContains(page_, absl::StrCat("| `", ShortName(field), "` | `", spec, "` |")))
          << "| `" << ShortName(field) << "` | `" << spec << "` |";
    }
  }
}

TEST_F(MappingDocTest, EveryCodeIsListed) {
  for (const google::protobuf::EnumDescriptor* type :
       {v1::QualificationValidity_descriptor(), v1::SegmentOfResult_descriptor(),
        v1::ProcessingResultStatus_descriptor(), v1::ReferenceClassification_descriptor(),
        v1::CharacterCode_descriptor(), v1::ConsentFlag_descriptor()}) {
    for (int i = 0; i < type->value_count(); ++i) {
      const google::protobuf::EnumValueDescriptor* value = type->value(i);
      if (!value->options().HasExtension(v1::oqs_code)) continue;
      const std::string row = absl::StrCat("| `", value->options().GetExtension(v1::oqs_code),
                                           "` | `", value->name(), "` |");
      EXPECT_TRUE(absl::StrContains(page_, row)) << row;
    }
  }
}

}  // namespace
}  // namespace onshi::oqs
