#include "plugin/common/uds.h"

namespace onshi {

std::string UnixSocketTarget(absl::string_view path) {
  std::string target = "unix:";
  for (char c : path) {
    switch (c) {
      case '%':
        target += "%25";
        break;
      case '?':
        target += "%3F";
        break;
      case '#':
        target += "%23";
        break;
      default:
        target += c;
    }
  }
  return target;
}

}  // namespace onshi
