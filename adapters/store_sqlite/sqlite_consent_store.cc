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

constexpr Sql kStaysByPatient{
    "list inpatient stays of a patient",
    "SELECT seq, patient_id, admitted_time, discharged_time, admission_request_id, "
    "discharge_request_id, admitted_by, discharged_by FROM inpatient_stays WHERE patient_id = ?1 "
    "ORDER BY seq"};
constexpr Sql kStayByAdmission{
    "find the inpatient stay an admission request opened",
    "SELECT seq, patient_id, admitted_time, discharged_time, admission_request_id, "
    "discharge_request_id, admitted_by, discharged_by FROM inpatient_stays "
    "WHERE admission_request_id = ?1"};
constexpr Sql kStayByDischarge{
    "find the inpatient stay a discharge request closed",
    "SELECT seq, patient_id, admitted_time, discharged_time, admission_request_id, "
    "discharge_request_id, admitted_by, discharged_by FROM inpatient_stays "
    "WHERE discharge_request_id = ?1"};
constexpr Sql kInsertStay{
    "insert inpatient stay",
    "INSERT INTO inpatient_stays (patient_id, admitted_time, admission_request_id, admitted_by) "
    "VALUES (?1, ?2, ?3, ?4)"};
constexpr Sql kCloseStay{
    "close inpatient stay",
    "UPDATE inpatient_stays SET discharged_time = ?2, discharge_request_id = ?3, "
    "discharged_by = ?4 WHERE seq = ?1 AND discharged_time IS NULL"};

struct StayRow {
  int64_t sequence = 0;
  InpatientStay stay;
};

StayRow ReadStay(const Statement& row) {
  StayRow out;
  out.sequence = row.ColumnInt64(0);
  out.stay.patient_id = row.ColumnBlob(1);
  out.stay.admitted_at = store_sqlite::FromMicros(row.ColumnInt64(2));
  if (!row.ColumnIsNull(3)) out.stay.discharged_at = store_sqlite::FromMicros(row.ColumnInt64(3));
  out.stay.admission_request_id = row.ColumnBlob(4);
  if (!row.ColumnIsNull(5)) out.stay.discharge_request_id = row.ColumnBlob(5);
  out.stay.admitted_by = row.ColumnBlob(6);
  if (!row.ColumnIsNull(7)) out.stay.discharged_by = row.ColumnBlob(7);
  return out;
}

absl::StatusOr<std::vector<StayRow>> Stays(Connection& connection, const Sql& sql,
                                           const std::string& key) {
  std::vector<StayRow> rows;
  Statement query = connection.Prepare(sql);
  query.BindBlob(1, key);
  while (true) {
    absl::StatusOr<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    rows.push_back(ReadStay(query));
  }
  return rows;
}

bool FiniteTime(absl::Time t) { return t != absl::InfinitePast() && t != absl::InfiniteFuture(); }

absl::Status CheckStayInput(const std::string& patient_id, const std::string& request_id,
                            absl::Time at, const std::string& user_id) {
  if (patient_id.empty()) return store_sqlite::InvalidArgument("patient_id is empty");
  if (request_id.empty()) return store_sqlite::InvalidArgument("request_id is empty");
  if (user_id.empty()) return store_sqlite::InvalidArgument("user_id is empty");
  if (!FiniteTime(at)) return store_sqlite::InvalidArgument("the time is not finite");
  return absl::OkStatus();
}

// What admissions and discharges share: one write transaction that replays the stay `by`
// (kStayByAdmission / kStayByDischarge) already recorded under `request_id` — for the same
// patient only (ONSHI_REQUEST_ID_CONFLICT naming `what` otherwise) —, else runs `change` and
// reads the stay back under the request_id.
template <typename Change>
absl::StatusOr<InpatientStay> ChangeStay(SqliteStore& store, const Sql& by,
                                         const std::string& patient_id,
                                         const std::string& request_id, absl::string_view what,
                                         Change&& change) {
  InpatientStay result;
  absl::Status status =
      StoreAccess::RunInTransaction(store, /*write=*/true, [&](Connection& connection) {
        absl::StatusOr<std::vector<StayRow>> same = Stays(connection, by, request_id);
        if (!same.ok()) return same.status();
        if (same->empty()) {
          if (absl::Status s = change(connection); !s.ok()) return s;
          same = Stays(connection, by, request_id);
          if (!same.ok()) return same.status();
          if (same->empty()) {
            return MakeError(errors::kInternal, absl::StrCat("the recorded ", what, " is missing"));
          }
        } else if (same->front().stay.patient_id != patient_id) {
          return MakeError(
              errors::kRequestIdConflict,
              absl::StrCat("the request_id already recorded the ", what, " of another patient"));
        }
        result = same->front().stay;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return result;
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

absl::StatusOr<InpatientStay> SqliteConsentStore::RecordAdmission(const std::string& patient_id,
                                                                  const std::string& request_id,
                                                                  absl::Time admitted_at,
                                                                  const std::string& user_id) {
  if (absl::Status s = CheckStayInput(patient_id, request_id, admitted_at, user_id); !s.ok()) {
    return s;
  }
  return ChangeStay(
      *store_, kStayByAdmission, patient_id, request_id, "admission",
      [&](Connection& connection) -> absl::Status {
        absl::StatusOr<bool> patient = store_sqlite::PatientExists(connection, patient_id);
        if (!patient.ok()) return patient.status();
        if (!*patient) return MakeError(errors::kPatientNotFound);
        absl::StatusOr<std::vector<StayRow>> stays = Stays(connection, kStaysByPatient, patient_id);
        if (!stays.ok()) return stays.status();
        for (const StayRow& row : *stays) {
          if (!row.stay.discharged_at.has_value()) {
            return MakeError(errors::kAlreadyAdmitted);
          }
          if (admitted_at < *row.stay.discharged_at) {
            return store_sqlite::InvalidArgument(
                "admitted_time is before the discharge of the patient's previous "
                "stay");
          }
        }
        Statement insert = connection.Prepare(kInsertStay);
        insert.BindBlob(1, patient_id);
        insert.BindInt64(2, store_sqlite::ToMicros(admitted_at));
        insert.BindBlob(3, request_id);
        insert.BindBlob(4, user_id);
        return insert.Run();
      });
}

absl::StatusOr<InpatientStay> SqliteConsentStore::RecordDischarge(const std::string& patient_id,
                                                                  const std::string& request_id,
                                                                  absl::Time discharged_at,
                                                                  const std::string& user_id) {
  if (absl::Status s = CheckStayInput(patient_id, request_id, discharged_at, user_id); !s.ok()) {
    return s;
  }
  return ChangeStay(
      *store_, kStayByDischarge, patient_id, request_id, "discharge",
      [&](Connection& connection) -> absl::Status {
        absl::StatusOr<std::vector<StayRow>> stays = Stays(connection, kStaysByPatient, patient_id);
        if (!stays.ok()) return stays.status();
        const StayRow* open = nullptr;
        for (const StayRow& row : *stays) {
          if (!row.stay.discharged_at.has_value()) open = &row;
        }
        if (open == nullptr) return MakeError(errors::kNotAdmitted);
        if (discharged_at < open->stay.admitted_at) {
          return store_sqlite::InvalidArgument("discharged_time is before the admission");
        }
        Statement update = connection.Prepare(kCloseStay);
        update.BindInt64(1, open->sequence);
        update.BindInt64(2, store_sqlite::ToMicros(discharged_at));
        update.BindBlob(3, request_id);
        update.BindBlob(4, user_id);
        return update.Run();
      });
}

absl::StatusOr<std::vector<InpatientStay>> SqliteConsentStore::ListStays(
    const std::string& patient_id) {
  if (patient_id.empty()) return store_sqlite::InvalidArgument("patient_id is empty");
  std::vector<InpatientStay> result;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        absl::StatusOr<std::vector<StayRow>> rows = Stays(connection, kStaysByPatient, patient_id);
        if (!rows.ok()) return rows.status();
        for (StayRow& row : *rows) result.push_back(std::move(row.stay));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return result;
}

}  // namespace onshi
