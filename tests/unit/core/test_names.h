// Names for parameterized test cases, made from a description in the case (gtest requires
// [A-Za-z0-9_] names).

#ifndef ONSHI_TESTS_UNIT_CORE_TEST_NAMES_H_
#define ONSHI_TESTS_UNIT_CORE_TEST_NAMES_H_

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"

namespace onshi {

// `description` with every character outside [A-Za-z0-9] turned into '_'.
inline std::string IdentifierFrom(absl::string_view description) {
  std::string name;
  for (char c : description) {
    name.push_back(absl::ascii_isalnum(static_cast<unsigned char>(c)) ? c : '_');
  }
  return name;
}

// For a parameter struct with a `name` member.
struct DescriptionName {
  template <typename T>
  std::string operator()(const ::testing::TestParamInfo<T>& info) const {
    return IdentifierFrom(info.param.name);
  }
};

}  // namespace onshi

#endif  // ONSHI_TESTS_UNIT_CORE_TEST_NAMES_H_
