// Random identifiers: ArbitraryFileIdentifier / file ids and request ids. They come from the
// kernel's CSPRNG and carry no information about anyone.

#ifndef ONSHI_PLUGIN_COMMON_IDS_H_
#define ONSHI_PLUGIN_COMMON_IDS_H_

#include <string>

namespace onshi {

// 20 characters of Crockford base32 (0-9, A-Z without I L O U): 100 random bits. Safe as a file
// name part and as an OQS ArbitraryFileIdentifier.
std::string NewFileId();

// A random UUID (version 4), lower-case with dashes: a fresh request_id.
std::string NewRequestId();

}  // namespace onshi

#endif  // ONSHI_PLUGIN_COMMON_IDS_H_
