// Helpers shared by the OQS codec tests: golden files and status inspection.

#ifndef ONSHI_TESTS_UNIT_OQS_FILES_TEST_UTIL_H_
#define ONSHI_TESTS_UNIT_OQS_FILES_TEST_UTIL_H_

#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"

namespace onshi::oqs::testing_util {

// The repository root (set by tests/unit/oqs_files/CMakeLists.txt).
inline std::string SourcePath(absl::string_view relative) {
  return absl::StrCat(ONSHI_SOURCE_DIR, "/", relative);
}

// Whole file as bytes; fails the test (and returns "") when it cannot be read.
inline std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

inline std::string Golden(absl::string_view name) {
  return ReadFileOrDie(SourcePath(absl::StrCat("tests/data/oqs/", name)));
}

// Replaces the first occurrence of `from` in `text` (which must occur).
inline std::string ReplaceOnce(std::string text, absl::string_view from, absl::string_view to) {
  size_t at = text.find(std::string(from));
  EXPECT_NE(at, std::string::npos) << "not in the document: " << from;
  if (at != std::string::npos) text.replace(at, from.size(), std::string(to));
  return text;
}

// Everything a caller can see of a status: message, and the ErrorDetail texts.
inline std::string VisibleText(const absl::Status& status) {
  v1::ErrorDetail detail = ToErrorDetail(status);
  return absl::StrCat(status.ToString(), "\n", detail.reason(), "\n", detail.staff_message(), "\n",
                      detail.it_message());
}

}  // namespace onshi::oqs::testing_util

#endif  // ONSHI_TESTS_UNIT_OQS_FILES_TEST_UTIL_H_
