#ifndef ONSHI_PLUGIN_COMMON_UDS_H_
#define ONSHI_PLUGIN_COMMON_UDS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace onshi {

// The gRPC address of a Unix socket ("unix:<path>"). gRPC parses addresses as URIs and
// percent-decodes the path on both the client and the server side, so '%', '?' and '#' in a
// file name are escaped; both onshid and the client build their address here.
std::string UnixSocketTarget(absl::string_view path);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_COMMON_UDS_H_
