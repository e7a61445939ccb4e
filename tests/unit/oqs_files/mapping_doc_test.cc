// docs/oqs-mapping.md lists every element the (oqs_element) options map, with its field, for the
// message type of every document kind, and every (oqs_code): this test keeps the page and the
// descriptors in step, both ways.

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "adapters/oqs_files/file_names.h"
#include "gtest/gtest.h"
#include "onshi/v1/oqs_options.pb.h"
#include "plugin/core/ports.h"
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

// Every message type a document kind has, each once, in kind order.
std::vector<const google::protobuf::Descriptor*> DocumentTypes() {
  std::vector<const google::protobuf::Descriptor*> types;
  for (DocumentKind kind : AllDocumentKinds()) {
    const google::protobuf::Descriptor* type = DocumentTypeOf(kind);
    if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
  }
  return types;
}

// Every message and enum type reachable from the document types through mapped fields.
void Reachable(const google::protobuf::Descriptor* type,
               std::set<const google::protobuf::Descriptor*>* messages,
               std::set<const google::protobuf::EnumDescriptor*>* enums) {
  if (!messages->insert(type).second) return;
  for (int i = 0; i < type->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* field = type->field(i);
    if (!field->options().HasExtension(v1::oqs_element)) continue;
    if (field->message_type() != nullptr) Reachable(field->message_type(), messages, enums);
    if (field->enum_type() != nullptr) enums->insert(field->enum_type());
  }
}

class MappingDocTest : public ::testing::Test {
 protected:
  std::string page_ = testing_util::ReadFileOrDie(testing_util::SourcePath("docs/oqs-mapping.md"));
};

// One table per message type, named after it, for every document kind's type.
TEST_F(MappingDocTest, EachDocumentTypesTableListsExactlyItsMappedElements) {
  for (const google::protobuf::Descriptor* type : DocumentTypes()) {
    std::set<Row> expected = RowsFromDescriptors(type);
    std::set<Row> listed = RowsFromPage(page_, type->name());
    EXPECT_EQ(listed, expected) << type->name() << ": expected rows:\n" << Describe(expected);
  }
}

// Each table's heading names the file-name prefixes of the kinds it serves.
TEST_F(MappingDocTest, EachDocumentKindsPrefixHeadsItsTypesTable) {
  for (DocumentKind kind : AllDocumentKinds()) {
    std::string name = FileNameFor(kind, "X");
    name = name.substr(0, name.find("_X"));  // "OQSsiquc01req", "OQSsiquc01res_face", ...
    const std::string begin =
        absl::StrCat("<!-- mapping:", DocumentTypeOf(kind)->name(), ":begin -->");
    const size_t table = page_.find(begin);
    ASSERT_NE(table, std::string::npos) << begin;
    const size_t heading = page_.rfind("\n## ", table);
    ASSERT_NE(heading, std::string::npos);
    const std::string line = page_.substr(heading + 1, page_.find('\n', heading + 1) - heading - 1);
    EXPECT_TRUE(absl::StrContains(line, name)) << DocumentKindName(kind) << ": " << line;
  }
}

// Flattened fields ("*", "Prefix*") have no element of their own; the page names them.
TEST_F(MappingDocTest, EveryFlattenedFieldIsNamed) {
  std::set<const google::protobuf::Descriptor*> messages;
  std::set<const google::protobuf::EnumDescriptor*> enums;
  for (const google::protobuf::Descriptor* type : DocumentTypes()) {
    Reachable(type, &messages, &enums);
  }
  for (const google::protobuf::Descriptor* type : messages) {
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
  std::set<const google::protobuf::Descriptor*> messages;
  std::set<const google::protobuf::EnumDescriptor*> enums;
  for (const google::protobuf::Descriptor* type : DocumentTypes()) {
    Reachable(type, &messages, &enums);
  }
  EXPECT_GE(enums.size(), 7u);
  for (const google::protobuf::EnumDescriptor* type : enums) {
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
