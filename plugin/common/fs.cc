#include "plugin/common/fs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

absl::Status Refuse(const std::string& path, absl::string_view why) {
  return MakeError(errors::kConfigInvalid, absl::StrCat(path, ": ", why));
}

}  // namespace

absl::Status EnsurePrivateDirectory(const std::string& path) {
  if (path.empty() || path.front() != '/') return Refuse(path, "must be an absolute path");
  // Parents first; they only need to exist (e.g. /var/lib), not to be private.
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string parent = path.substr(0, slash);
    if (::mkdir(parent.c_str(), 0700) != 0 && errno != EEXIST) {
      return Refuse(parent, absl::StrCat("cannot create: ", std::strerror(errno)));
    }
  }
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return Refuse(path, absl::StrCat("cannot create: ", std::strerror(errno)));
  }
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    return Refuse(path, absl::StrCat("cannot stat: ", std::strerror(errno)));
  }
  if (!S_ISDIR(st.st_mode)) return Refuse(path, "is not a directory (or is a symlink)");
  if (st.st_uid != ::geteuid()) return Refuse(path, "is owned by another user");
  if ((st.st_mode & 077) != 0) return Refuse(path, "is accessible to group or others (want 0700)");
  return absl::OkStatus();
}

}  // namespace onshi
