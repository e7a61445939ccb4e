// docs/errors.md is generated from the error table in plugin/core/errors.cc; this test keeps
// the two identical. After changing the table, regenerate the page with
//   ONSHI_UPDATE_DOCS=1 build/tests/unit/core/core_test --gtest_filter='ErrorsDocTest.*'

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

std::string CodeName(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  // absl spells them "INVALID_ARGUMENT" etc., the same as gRPC.
  return name;
}

std::string Cell(absl::string_view text) { return absl::StrReplaceAll(text, {{"|", "\\|"}}); }

std::string RenderErrorsPage() {
  std::string page =
      "# onshi error catalogue\n\n"
      "Generated from the table in `plugin/core/errors.cc` (the test `ErrorsDocTest` keeps this\n"
      "page and the table identical). Every failure onshi reports has exactly one of these\n"
      "reasons, with the same gRPC code, reason and texts at the gRPC API and at the C ABI\n"
      "(`onshi_error_code`, `onshi_error_reason`, `onshi_error_staff_message`,\n"
      "`onshi_error_it_message`, `onshi_error_retryable`).\n\n"
      "- **staff (ja)**: shown to reception staff; says what to do at the desk.\n"
      "- **IT (en)**: for the vendor or IT; says what to check. onshi may append a detail that\n"
      "  names a field, file id or code, never patient data.\n"
      "- **retry**: whether asking again (a new `request_id`) may succeed. A retry with the *same*\n"
      "  `request_id` always returns the stored outcome.\n\n"
      "New reasons may be added; an existing reason never changes its meaning. Hosts should treat\n"
      "an unknown reason by its gRPC code.\n\n"
      "| reason | gRPC code | retry | staff (ja) | IT (en) |\n"
      "|---|---|---|---|---|\n";
  for (const ErrorSpec* spec : AllErrorSpecs()) {
    absl::StrAppend(&page, "| `", spec->reason, "` | ", CodeName(spec->code), " (",
                    static_cast<int>(spec->code), ") | ", spec->retryable ? "yes" : "no", " | ",
                    Cell(spec->staff_message), " | ", Cell(spec->it_message), " |\n");
  }
  return page;
}

TEST(ErrorsDocTest, PageMatchesTheTable) {
  const std::string path = std::string(ONSHI_SOURCE_DIR) + "/docs/errors.md";
  const std::string expected = RenderErrorsPage();
  if (std::getenv("ONSHI_UPDATE_DOCS") != nullptr) {
    std::ofstream(path) << expected;
  }
  std::ifstream in(path);
  std::stringstream actual;
  actual << in.rdbuf();
  EXPECT_EQ(actual.str(), expected)
      << "docs/errors.md is out of date; regenerate it (see the top of this test)";
}

}  // namespace
}  // namespace onshi
