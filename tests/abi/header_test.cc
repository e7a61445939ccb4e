// The public header as a strict C++17 consumer sees it: built with -Wall -Wextra -pedantic
// -Werror (building is the test), then run to compare header and library versions.
#include <type_traits>

#include "onshi/onshi.h"
#include "onshi/onshi.h"  // the include guard holds

// Every entry point is noexcept in C++ (ONSHI_NOEXCEPT) and has C linkage.
static_assert(noexcept(onshi_version_string()), "onshi_* must be noexcept in C++");
static_assert(noexcept(onshi_error_free(nullptr)), "onshi_* must be noexcept in C++");
static_assert(std::is_same<onshi_status, int32_t>::value, "onshi_status is int32_t");

extern "C" typedef void CFreeFunction(onshi_error*);
static CFreeFunction* const kFree = &onshi_error_free;

int main() {
  int32_t major = -1;
  onshi_version(&major, nullptr, nullptr);
  kFree(nullptr);
  if (major != ONSHI_VERSION_MAJOR) return 1;
  if (onshi_abi_version() != ONSHI_ABI_VERSION) return 1;
  return ONSHI_OK;
}
