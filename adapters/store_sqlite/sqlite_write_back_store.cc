#include "adapters/store_sqlite/sqlite_write_back_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/store_sqlite/connection.h"
#include "adapters/store_sqlite/store_internal.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

using store_sqlite::Connection;
using store_sqlite::Sql;
using store_sqlite::Statement;
using store_sqlite::StoreAccess;

// Every statement is a constant; values are bound (?N), never spliced into the text.
constexpr Sql kFindWriteBack{
    "find write-back",
    "SELECT request_id, patient_id, source_request_id, user_id, recorded_time, request, "
    "response FROM write_backs WHERE request_id = ?1"};
constexpr Sql kInsertWriteBack{
    "insert write-back",
    "INSERT INTO write_backs (request_id, patient_id, source_request_id, user_id, "
    "recorded_time, coverage_version, changed, request, response) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"};
constexpr Sql kWriteBackCurrentVersion{
    "read coverage version for write-back",
    "SELECT COALESCE(MAX(version), 0) FROM coverage_versions WHERE patient_id = ?1"};
constexpr Sql kSetVersionAuthor{"set coverage version author",
                                "UPDATE coverage_versions SET recorded_by = ?3, reason = ?4 "
                                "WHERE patient_id = ?1 AND version = ?2"};

absl::StatusOr<std::optional<WriteBackEntry>> FindLocked(Connection& connection,
                                                         const std::string& request_id) {
  Statement query = connection.Prepare(kFindWriteBack);
  query.BindBlob(1, request_id);
  absl::StatusOr<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<WriteBackEntry>();
  WriteBackEntry entry;
  entry.request_id = query.ColumnBlob(0);
  entry.patient_id = query.ColumnBlob(1);
  entry.source_request_id = query.ColumnBlob(2);
  entry.user_id = query.ColumnBlob(3);
  entry.recorded_time = store_sqlite::FromMicros(query.ColumnInt64(4));
  absl::Status status =
      store_sqlite::Decode(query.ColumnBlob(5), "write_backs.request", &entry.request);
  if (status.ok()) {
    status = store_sqlite::Decode(query.ColumnBlob(6), "write_backs.response", &entry.response);
  }
  if (!status.ok()) return status;
  return std::optional<WriteBackEntry>(std::move(entry));
}

}  // namespace

absl::StatusOr<std::optional<WriteBackEntry>> SqliteWriteBackStore::FindWriteBack(
    const std::string& request_id) {
  std::optional<WriteBackEntry> found;
  absl::Status status = StoreAccess::RunInTransaction(
      *store_, /*write=*/false, [&](Connection& connection) -> absl::Status {
        absl::StatusOr<std::optional<WriteBackEntry>> entry = FindLocked(connection, request_id);
        if (!entry.ok()) return entry.status();
        found = *std::move(entry);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<PatientCoverage> SqliteWriteBackStore::ReadPatientCoverage(
    const std::string& patient_id) {
  PatientCoverage patient;
  absl::Status status = StoreAccess::RunInTransaction(
      *store_, /*write=*/false, [&](Connection& connection) -> absl::Status {
        patient = PatientCoverage();
        absl::StatusOr<bool> exists = store_sqlite::PatientExists(connection, patient_id);
        if (!exists.ok()) return exists.status();
        patient.exists = *exists;
        if (!patient.exists) return absl::OkStatus();
        absl::StatusOr<std::optional<v1::CoverageVersion>> current =
            store_sqlite::ReadCurrentCoverage(connection, patient_id);
        if (!current.ok()) return current.status();
        patient.current = *std::move(current);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return patient;
}

absl::StatusOr<WriteBackEntry> SqliteWriteBackStore::ApplyWriteBack(
    const WriteBackEntry& entry, int64_t expected_version,
    const std::optional<CoverageUpdate>& update, bool create_patient, bool* created) {
  if (entry.request_id.empty() || entry.patient_id.empty() || entry.source_request_id.empty()) {
    return store_sqlite::InvalidArgument("entry.request_id, patient_id or source_request_id");
  }
  if (expected_version < 0) return store_sqlite::InvalidArgument("expected_version");
  if (update.has_value()) {
    if (update->expected_version != expected_version) {
      return store_sqlite::InvalidArgument("update.expected_version");
    }
    if (absl::Status s = store_sqlite::CheckCoverageUpdate(*update); !s.ok()) return s;
  }
  std::string request;
  std::string response;
  absl::Status status = store_sqlite::Encode(entry.request, "entry.request", &request);
  if (status.ok()) status = store_sqlite::Encode(entry.response, "entry.response", &response);
  if (!status.ok()) return status;

  WriteBackEntry stored;
  bool inserted = false;
  status = StoreAccess::RunInTransaction(
      *store_, /*write=*/true, [&](Connection& connection) -> absl::Status {
        inserted = false;
        // The idempotency key first: a retry gets the stored outcome whatever happened to the
        // patient since.
        absl::StatusOr<std::optional<WriteBackEntry>> existing =
            FindLocked(connection, entry.request_id);
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) {
          stored = std::move(**existing);
          return absl::OkStatus();
        }
        const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());
        absl::StatusOr<bool> exists = store_sqlite::PatientExists(connection, entry.patient_id);
        if (!exists.ok()) return exists.status();
        if (!*exists) {
          if (!create_patient) return MakeError(errors::kPatientNotFound);
          if (absl::Status s = store_sqlite::EnsurePatient(connection, entry.patient_id, now);
              !s.ok()) {
            return s;
          }
        }
        {
          Statement version = connection.Prepare(kWriteBackCurrentVersion);
          version.BindBlob(1, entry.patient_id);
          absl::StatusOr<bool> row = version.Step();
          if (!row.ok()) return row.status();
          const int64_t current = *row ? version.ColumnInt64(0) : 0;
          if (current != expected_version) {
            return MakeError(errors::kVersionConflict,
                             absl::StrCat("the patient's coverage is at version ", current,
                                          ", not the expected ", expected_version));
          }
        }
        if (update.has_value()) {
          absl::Status written = store_sqlite::WriteCoverageVersion(
              connection, entry.patient_id, entry.source_request_id, *update, now);
          if (!written.ok()) return written;
          Statement author = connection.Prepare(kSetVersionAuthor);
          author.BindBlob(1, entry.patient_id);
          author.BindInt64(2, update->version.version());
          author.BindText(3, update->version.recorded_by());
          author.BindText(4, update->version.reason());
          if (absl::Status s = author.Run(); !s.ok()) return s;
        }
        {
          Statement insert = connection.Prepare(kInsertWriteBack);
          insert.BindBlob(1, entry.request_id);
          insert.BindBlob(2, entry.patient_id);
          insert.BindBlob(3, entry.source_request_id);
          insert.BindText(4, entry.user_id);
          insert.BindInt64(5, now);
          insert.BindInt64(6, entry.response.write().coverage_version());
          insert.BindInt64(7, entry.response.write().changed() ? 1 : 0);
          insert.BindBlob(8, request);
          insert.BindBlob(9, response);
          if (absl::Status s = insert.Run(); !s.ok()) return s;
        }
        absl::StatusOr<std::optional<WriteBackEntry>> again =
            FindLocked(connection, entry.request_id);
        if (!again.ok()) return again.status();
        if (!again->has_value()) {
          return MakeError(errors::kInternal, "the inserted write-back cannot be read back");
        }
        stored = std::move(**again);
        inserted = true;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (created != nullptr) *created = inserted;
  return stored;
}

}  // namespace onshi
