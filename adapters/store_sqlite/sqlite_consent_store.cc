#include "adapters/store_sqlite/sqlite_consent_store.h"

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

// Every statement is a constant; values are bound (?N), never spliced into the text. Both
// selects name the same columns in the same order: ReadRow reads them.
constexpr Sql kListByPatient{
    "list consents of a patient",
    "SELECT seq, patient_id, scope, source, flag, captured_time, available_until, setting, "
    "origin, user_id, recorded_time FROM consents WHERE patient_id = ?1 ORDER BY seq"};
constexpr Sql kListByOrigin{
    "list consents of an origin",
    "SELECT seq, patient_id, scope, source, flag, captured_time, available_until, setting, "
    "origin, user_id, recorded_time FROM consents WHERE origin = ?1 ORDER BY seq"};
constexpr Sql kInsert{
    "insert consent",
    "INSERT INTO consents (patient_id, scope, source, flag, captured_time, available_until, "
    "setting, origin, user_id, recorded_time) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"};

absl::StatusOr<StoredConsent> ReadRow(const Statement& row) {
  StoredConsent stored;
  stored.sequence = row.ColumnInt64(0);
  stored.patient_id = row.ColumnBlob(1);
  const int64_t scope = row.ColumnInt64(2);
  const int64_t source = row.ColumnInt64(3);
  const int64_t flag = row.ColumnInt64(4);
  const int64_t setting = row.ColumnInt64(7);
  if (scope < 1 || scope > 6 || source < 1 || source > 2 || !v1::ConsentFlag_IsValid(flag) ||
      flag == v1::CONSENT_FLAG_UNSPECIFIED || setting < 1 || setting > 5) {
    return MakeError(errors::kInternal, "a stored consents row is out of range");
  }
  stored.record.scope = static_cast<ConsentScope>(scope);
  stored.record.source = static_cast<ConsentSource>(source);
  stored.record.flag = static_cast<v1::ConsentFlag>(flag);
  stored.record.captured_at = store_sqlite::FromMicros(row.ColumnInt64(5));
  stored.record.available_until = store_sqlite::FromMicros(row.ColumnInt64(6));
  stored.record.setting = static_cast<ConsentSetting>(setting);
  stored.origin = row.ColumnBlob(8);
  stored.user_id = row.ColumnBlob(9);
  stored.recorded_time = store_sqlite::FromMicros(row.ColumnInt64(10));
  return stored;
}

absl::StatusOr<std::vector<StoredConsent>> List(Connection& connection, const Sql& sql,
                                                const std::string& key) {
  std::vector<StoredConsent> rows;
  Statement query = connection.Prepare(sql);
  query.BindBlob(1, key);
  while (true) {
    absl::StatusOr<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    absl::StatusOr<StoredConsent> stored = ReadRow(query);
    if (!stored.ok()) return stored.status();
    rows.push_back(*std::move(stored));
  }
  return rows;
}

}  // namespace

absl::StatusOr<std::vector<StoredConsent>> SqliteConsentStore::AppendConsents(
    const std::string& patient_id, const std::string& origin, const std::string& user_id,
    const std::vector<ConsentRecord>& records) {
  if (patient_id.empty()) return store_sqlite::InvalidArgument("patient_id is empty");
  if (origin.empty()) return store_sqlite::InvalidArgument("origin is empty");
  for (const ConsentRecord& record : records) {
    if (absl::Status valid = ValidateConsentRecord(record); !valid.ok()) return valid;
  }
  std::vector<StoredConsent> result;
  const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
        absl::StatusOr<std::vector<StoredConsent>> existing =
            List(connection, kListByOrigin, origin);
        if (!existing.ok()) return existing.status();
        for (const StoredConsent& row : *existing) {
          if (row.patient_id != patient_id) {
            return MakeError(errors::kRequestIdConflict,
                             "the origin already recorded consents for another patient");
          }
        }
        absl::StatusOr<bool> patient = store_sqlite::PatientExists(connection, patient_id);
        if (!patient.ok()) return patient.status();
        if (!*patient) return MakeError(errors::kPatientNotFound);
        for (const ConsentRecord& record : records) {
          bool present = false;
          for (const StoredConsent& row : *existing) present |= row.record.scope == record.scope;
          if (present) continue;
          Statement insert = connection.Prepare(kInsert);
          insert.BindBlob(1, patient_id);
          insert.BindInt64(2, static_cast<int64_t>(record.scope));
          insert.BindInt64(3, static_cast<int64_t>(record.source));
          insert.BindInt64(4, static_cast<int64_t>(record.flag));
          insert.BindInt64(5, store_sqlite::ToMicros(record.captured_at));
          insert.BindInt64(6, store_sqlite::ToMicros(record.available_until));
          insert.BindInt64(7, static_cast<int64_t>(record.setting));
          insert.BindBlob(8, origin);
          insert.BindBlob(9, user_id);
          insert.BindInt64(10, now);
          if (absl::Status s = insert.Run(); !s.ok()) return s;
        }
        absl::StatusOr<std::vector<StoredConsent>> after = List(connection, kListByOrigin, origin);
        if (!after.ok()) return after.status();
        result = *std::move(after);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<std::vector<StoredConsent>> SqliteConsentStore::ListConsents(
    const std::string& patient_id) {
  if (patient_id.empty()) return store_sqlite::InvalidArgument("patient_id is empty");
  std::vector<StoredConsent> result;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        absl::StatusOr<std::vector<StoredConsent>> rows =
            List(connection, kListByPatient, patient_id);
        if (!rows.ok()) return rows.status();
        result = *std::move(rows);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return result;
}

}  // namespace onshi
