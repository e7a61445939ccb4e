// A person's insurance identity (保険者番号, 記号, 番号, 枝番 and birth date) as one comparison
// key, so that a store can find the patients whose current coverage is a given card without
// keeping the numbers in a key or an index: it keeps a keyed digest of this key instead
// (docs/store.md, "Identity digests").
//
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_IDENTITY_H_
#define ONSHI_PLUGIN_CORE_IDENTITY_H_

#include <string>

#include "absl/strings/string_view.h"
#include "onshi/v1/oqs_documents.pb.h"

namespace onshi {

// The comparison key of an identity: each of 保険者番号, 記号, 番号 and 枝番 through
// NormalizeIdentifierForComparison (width folded, spaces trimmed, leading zeros of digit strings
// stripped: "  138156", "00138156" and "１３８１５６" are one insurer), and the birth date with its
// width folded and spaces trimmed (leading zeros kept), each length-prefixed after a version tag,
// so no two different field tuples give the same key whatever bytes they hold.
//
// The key holds the numbers in clear: it is an input to a keyed digest, never stored, logged or
// sent. Its format is part of the store schema: changing it requires a store migration that
// recomputes every stored digest.
std::string IdentityKey(const v1::InsuranceIdentifiers& identifiers, absl::string_view birth_date);

// True when the identity can name a person: 保険者番号, 番号 and the birth date are non-empty
// after normalisation (記号 and 枝番 are optional: 後期高齢者 have no 記号, and not every insurer
// registers a 枝番). Stores index only complete identities and find nobody for an incomplete
// one, so that two patients with, say, no recorded 番号 never match each other.
bool IsCompleteIdentity(const v1::InsuranceIdentifiers& identifiers, absl::string_view birth_date);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_IDENTITY_H_
