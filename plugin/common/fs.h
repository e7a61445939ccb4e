// Private directories for onshi's own files (state, archives, quarantine, the socket's folder).

#ifndef ONSHI_PLUGIN_COMMON_FS_H_
#define ONSHI_PLUGIN_COMMON_FS_H_

#include <string>

#include "absl/status/status.h"

namespace onshi {

// Creates `path` (and missing parents) with mode 0700, or accepts an existing directory that is
// owned by this process's user and not accessible to group or others. Anything else (a file, a
// symlink, a loose mode, another owner) is refused with ONSHI_CONFIG_INVALID naming the path
// and the problem, so onshi never puts patient data where others can read it.
absl::Status EnsurePrivateDirectory(const std::string& path);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_COMMON_FS_H_
