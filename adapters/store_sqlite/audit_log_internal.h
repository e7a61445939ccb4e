// Internal to adapters/store_sqlite: the file and table access the audit log writer
// (sqlite_audit_log.cc) and the verifier (audit_verify.cc) share.

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_AUDIT_LOG_INTERNAL_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_AUDIT_LOG_INTERNAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/store_sqlite/audit_verify.h"
#include "adapters/store_sqlite/connection.h"

namespace onshi {
namespace audit_internal {

// The 32-byte key in `path` (no symlink, a regular file of exactly 32 bytes; with
// `require_private`, not accessible to group or others). Errors: ONSHI_AUDIT_UNAVAILABLE naming
// the path and the problem, never the key.
absl::StatusOr<std::string> ReadKeyFile(const std::string& path, bool require_private);

// The anchor in `path`; nullopt when the file does not exist or does not parse. Errors:
// ONSHI_AUDIT_UNAVAILABLE when it exists but cannot be read.
absl::StatusOr<std::optional<AuditHead>> ReadHeadFile(const std::string& path);

// Every row of audit_log in seq order, in one read transaction on `connection` (which must have
// none open). Errors: ONSHI_STORE_UNAVAILABLE, also when the table does not exist.
absl::Status ReadRows(store_sqlite::Connection& connection, std::vector<AuditRow>* rows);

}  // namespace audit_internal
}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_AUDIT_LOG_INTERNAL_H_
