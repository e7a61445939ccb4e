// Internal to adapters/store_sqlite: the schema as an ordered list of migration steps, and the
// code that brings a database file up to date. docs/store.md describes the tables.

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_SCHEMA_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_SCHEMA_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/store_sqlite/connection.h"
#include "plugin/core/ports.h"

namespace onshi {
namespace store_sqlite {

// PRAGMA application_id of an onshi database: "ONSH".
inline constexpr int32_t kApplicationId = 0x4F4E5348;

// The newest schema version this code knows (the last migration step).
int64_t LatestSchemaVersion();

// Brings the database behind `connection` to LatestSchemaVersion(): marks an empty file as an
// onshi database (application_id, schema_migrations), then applies each missing step in its own
// BEGIN IMMEDIATE transaction, recording it in schema_migrations with `clock`'s time. Safe
// against another process migrating the same file at the same time (each step re-reads the
// version under the write lock). Errors, all ONSHI_STORE_UNAVAILABLE: the file belongs to
// another application; its schema is newer than this code knows; schema_migrations has gaps;
// any SQLite failure. A failed step leaves the database at the previous version.
absl::Status Migrate(Connection& connection, const Clock& clock);

// The version recorded in schema_migrations (0 before any step). Errors: ONSHI_STORE_UNAVAILABLE.
absl::StatusOr<int64_t> ReadSchemaVersion(Connection& connection);

}  // namespace store_sqlite
}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_SCHEMA_H_
