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
// version under the write lock). A step may run C++ after its script, in its transaction
// (migration 2 creates the identity digest key and indexes the existing coverages). Finally
// makes sure the identity digest key exists (InstallIdentityKey when store_keys has none, under
// the write lock, so concurrent openers end up with one key). Errors: ONSHI_STORE_UNAVAILABLE
// when the file belongs to another application, its schema is newer than this code knows,
// schema_migrations has gaps, the kernel gives no randomness, or on any SQLite failure;
// ONSHI_INTERNAL when a stored coverage does not parse. A failed step leaves the database at
// the previous version.
absl::Status Migrate(Connection& connection, const Clock& clock);

// Applies the steps up to `target_version` only (1..LatestSchemaVersion()), the same way; a
// file already past it is left alone. For tests that need a database as an older release left
// it. Errors: as Migrate; ONSHI_INTERNAL for a version out of range.
absl::Status MigrateTo(Connection& connection, const Clock& clock, int64_t target_version);

// The version recorded in schema_migrations (0 before any step). Errors: ONSHI_STORE_UNAVAILABLE.
absl::StatusOr<int64_t> ReadSchemaVersion(Connection& connection);

}  // namespace store_sqlite
}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_SCHEMA_H_
