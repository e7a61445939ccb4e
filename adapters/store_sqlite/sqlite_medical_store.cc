#include "adapters/store_sqlite/sqlite_medical_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/store_sqlite/connection.h"
#include "adapters/store_sqlite/store_internal.h"
#include "onshi/v1/checkin_service.pb.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

using store_sqlite::Connection;
using store_sqlite::Sql;
using store_sqlite::Statement;
using store_sqlite::StoreAccess;

// Every statement is a constant; values are bound (?N), never spliced into the text.
// (The three selects name the same columns in the same order: ReadEntry reads them.)
constexpr Sql kFindByRequestId{
    "find medical request",
    "SELECT request_id, file_id, kind, state, patient_id, created_time, deadline, updated_time, "
    "purged_time, request, document, response, error_code, error FROM medical_requests "
    "WHERE request_id = ?1"};
constexpr Sql kFindByFileId{
    "find medical request by file id",
    "SELECT request_id, file_id, kind, state, patient_id, created_time, deadline, updated_time, "
    "purged_time, request, document, response, error_code, error FROM medical_requests "
    "WHERE file_id = ?1"};
constexpr Sql kListPending{
    "list pending medical requests",
    "SELECT request_id, file_id, kind, state, patient_id, created_time, deadline, updated_time, "
    "purged_time, request, document, response, error_code, error FROM medical_requests "
    "WHERE state = 1 ORDER BY created_time, seq"};
constexpr Sql kFileIdInUse{"look up medical file id",
                           "SELECT 1 FROM medical_requests WHERE file_id = ?1"};
constexpr Sql kInsert{
    "insert medical request",
    "INSERT INTO medical_requests (request_id, file_id, kind, state, patient_id, created_time, "
    "deadline, updated_time, request, document, response, error_code, error) "
    "VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, ?5, ?7, ?8, ?9, 0, ?9)"};
// Compare-and-set: changes the entry only while it is in state ?7 and not purged.
constexpr Sql kUpdate{"update medical request",
                      "UPDATE medical_requests SET state = ?2, updated_time = ?3, response = ?4, "
                      "error_code = ?5, error = ?6 "
                      "WHERE request_id = ?1 AND state = ?7 AND purged_time IS NULL"};
constexpr Sql kStateOf{"read medical request state",
                       "SELECT state, purged_time FROM medical_requests WHERE request_id = ?1"};
constexpr Sql kPurge{"purge medical results",
                     "UPDATE medical_requests SET document = X'', response = X'', "
                     "purged_time = ?2 "
                     "WHERE purged_time IS NULL AND state <> 1 AND updated_time < ?1 "
                     "RETURNING seq"};
// The patient's recorded answers, newest first: qualification answers of the ledger (answered,
// late) and check-ins matched to the patient.
constexpr Sql kRecordedAnswers{
    "read recorded answers of a patient",
    "SELECT 1 AS source, updated_time AS at, response FROM requests "
    "WHERE patient_id = ?1 AND state IN (2, 5) "
    "UNION ALL "
    "SELECT 2, received_time, content FROM checkin_events WHERE patient_id = ?1 "
    "ORDER BY at DESC LIMIT 64"};

bool ValidState(int64_t state) {
  return state >= static_cast<int64_t>(MedicalRequestState::kPending) &&
         state <= static_cast<int64_t>(MedicalRequestState::kLate);
}

bool ValidKind(int64_t kind) {
  return kind == static_cast<int64_t>(MedicalInfoKind::kMedication) ||
         kind == static_cast<int64_t>(MedicalInfoKind::kCheckups);
}

// The messages of an entry (or transition) that belong to its kind.
struct Messages {
  google::protobuf::MessageLite* request;
  google::protobuf::MessageLite* document;
  google::protobuf::MessageLite* response;
};

Messages MessagesOf(MedicalRequestEntry& entry) {
  if (entry.kind == MedicalInfoKind::kCheckups) {
    return {&entry.checkups_request, &entry.checkup_document, &entry.checkups_response};
  }
  return {&entry.medication_request, &entry.medication_document, &entry.medication_response};
}

// The entry in the current row of a statement selecting the medical columns in order.
absl::StatusOr<MedicalRequestEntry> ReadEntry(const Statement& row) {
  MedicalRequestEntry entry;
  entry.request_id = row.ColumnBlob(0);
  entry.file_id = row.ColumnBlob(1);
  const int64_t kind = row.ColumnInt64(2);
  const int64_t state = row.ColumnInt64(3);
  if (!ValidKind(kind) || !ValidState(state)) {
    return MakeError(errors::kInternal,
                     absl::StrCat("stored medical_requests kind ", kind, " / state ", state,
                                  " is out of range"));
  }
  entry.kind = static_cast<MedicalInfoKind>(kind);
  entry.state = static_cast<MedicalRequestState>(state);
  entry.patient_id = row.ColumnBlob(4);
  entry.created_time = store_sqlite::FromMicros(row.ColumnInt64(5));
  entry.deadline = store_sqlite::FromMicros(row.ColumnInt64(6));
  entry.updated_time = store_sqlite::FromMicros(row.ColumnInt64(7));
  if (!row.ColumnIsNull(8)) entry.purged_time = store_sqlite::FromMicros(row.ColumnInt64(8));
  const Messages messages = MessagesOf(entry);
  absl::Status status =
      store_sqlite::Decode(row.ColumnBlob(9), "medical_requests.request", messages.request);
  if (status.ok()) {
    status =
        store_sqlite::Decode(row.ColumnBlob(10), "medical_requests.document", messages.document);
  }
  if (status.ok()) {
    status =
        store_sqlite::Decode(row.ColumnBlob(11), "medical_requests.response", messages.response);
  }
  if (!status.ok()) return status;
  const int64_t code = row.ColumnInt64(12);
  if (code < 0 || code > 16) {
    return MakeError(errors::kInternal, "stored medical_requests.error_code is not a status code");
  }
  entry.error_code = static_cast<absl::StatusCode>(code);
  if (absl::Status s = store_sqlite::Decode(row.ColumnBlob(13), "medical_requests.error",
                                            &entry.error);
      !s.ok()) {
    return s;
  }
  return entry;
}

absl::StatusOr<std::optional<MedicalRequestEntry>> FindOne(Connection& connection, const Sql& sql,
                                                           const std::string& id) {
  Statement query = connection.Prepare(sql);
  query.BindBlob(1, id);
  absl::StatusOr<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  absl::StatusOr<MedicalRequestEntry> entry = ReadEntry(query);
  if (!entry.ok()) return entry.status();
  return *std::move(entry);
}

// The consent for `kind` a recorded qualification result states, if any record states one.
std::optional<v1::Consent> StatedConsent(const v1::QualificationResult& result,
                                         MedicalInfoKind kind) {
  for (const v1::QualificationRecord& record : result.records()) {
    const v1::Consent& consent = ConsentFor(record, kind);
    if (consent.flag() != v1::CONSENT_FLAG_UNSPECIFIED) return consent;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<MedicalRequestEntry> SqliteMedicalStore::CreateMedicalRequest(
    const MedicalRequestEntry& entry, bool* created) {
  if (created != nullptr) *created = false;
  if (entry.request_id.empty()) return store_sqlite::InvalidArgument("entry.request_id is empty");
  if (entry.file_id.empty()) return store_sqlite::InvalidArgument("entry.file_id is empty");
  if (entry.patient_id.empty()) return store_sqlite::InvalidArgument("entry.patient_id is empty");
  if (entry.state != MedicalRequestState::kPending) {
    return store_sqlite::InvalidArgument("entry.state must be kPending for a new entry");
  }
  if (!ValidKind(static_cast<int64_t>(entry.kind))) {
    return store_sqlite::InvalidArgument("entry.kind is not a MedicalInfoKind");
  }
  MedicalRequestEntry copy = entry;
  const Messages messages = MessagesOf(copy);
  std::string request;
  std::string document;
  if (absl::Status s = store_sqlite::Encode(*messages.request, "entry.request", &request);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = store_sqlite::Encode(*messages.document, "entry.document", &document);
      !s.ok()) {
    return s;
  }
  const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());

  MedicalRequestEntry stored;
  bool inserted = false;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
        absl::StatusOr<std::optional<MedicalRequestEntry>> existing =
            FindOne(connection, kFindByRequestId, entry.request_id);
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) {
          stored = **std::move(existing);
          return absl::OkStatus();
        }
        {
          Statement probe = connection.Prepare(kFileIdInUse);
          probe.BindBlob(1, entry.file_id);
          absl::StatusOr<bool> row = probe.Step();
          if (!row.ok()) return row.status();
          if (*row) {
            return store_sqlite::InvalidArgument(
                "entry.file_id already belongs to another medical request");
          }
        }
        absl::StatusOr<bool> patient = store_sqlite::PatientExists(connection, entry.patient_id);
        if (!patient.ok()) return patient.status();
        if (!*patient) return MakeError(errors::kPatientNotFound);
        {
          Statement insert = connection.Prepare(kInsert);
          insert.BindBlob(1, entry.request_id);
          insert.BindBlob(2, entry.file_id);
          insert.BindInt64(3, static_cast<int64_t>(entry.kind));
          insert.BindBlob(4, entry.patient_id);
          insert.BindInt64(5, now);
          insert.BindInt64(6, store_sqlite::ToMicros(entry.deadline));
          insert.BindBlob(7, request);
          insert.BindBlob(8, document);
          // An empty message serializes to no bytes: response and error start empty.
          insert.BindBlob(9, absl::string_view());
          if (absl::Status s = insert.Run(); !s.ok()) return s;
        }
        absl::StatusOr<std::optional<MedicalRequestEntry>> again =
            FindOne(connection, kFindByRequestId, entry.request_id);
        if (!again.ok()) return again.status();
        if (!again->has_value()) {
          return MakeError(errors::kInternal, "the inserted medical request cannot be read back");
        }
        stored = **std::move(again);
        inserted = true;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (created != nullptr) *created = inserted;
  return stored;
}

absl::StatusOr<std::optional<MedicalRequestEntry>> SqliteMedicalStore::FindMedicalRequest(
    const std::string& request_id) {
  std::optional<MedicalRequestEntry> found;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        absl::StatusOr<std::optional<MedicalRequestEntry>> entry =
            FindOne(connection, kFindByRequestId, request_id);
        if (!entry.ok()) return entry.status();
        found = *std::move(entry);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<std::optional<MedicalRequestEntry>> SqliteMedicalStore::FindMedicalRequestByFileId(
    const std::string& file_id) {
  std::optional<MedicalRequestEntry> found;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        absl::StatusOr<std::optional<MedicalRequestEntry>> entry =
            FindOne(connection, kFindByFileId, file_id);
        if (!entry.ok()) return entry.status();
        found = *std::move(entry);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<std::vector<MedicalRequestEntry>> SqliteMedicalStore::ListPendingMedicalRequests() {
  std::vector<MedicalRequestEntry> entries;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        entries.clear();
        Statement query = connection.Prepare(kListPending);
        while (true) {
          absl::StatusOr<bool> row = query.Step();
          if (!row.ok()) return row.status();
          if (!*row) return absl::OkStatus();
          absl::StatusOr<MedicalRequestEntry> entry = ReadEntry(query);
          if (!entry.ok()) return entry.status();
          entries.push_back(*std::move(entry));
        }
      });
  if (!status.ok()) return status;
  return entries;
}

absl::Status SqliteMedicalStore::ApplyMedicalTransition(const MedicalTransition& transition) {
  if (transition.request_id.empty()) {
    return store_sqlite::InvalidArgument("transition.request_id is empty");
  }
  if (!ValidState(static_cast<int64_t>(transition.from)) ||
      !ValidState(static_cast<int64_t>(transition.to))) {
    return store_sqlite::InvalidArgument("transition.from or transition.to is not a state");
  }
  if (transition.to == MedicalRequestState::kPending || transition.to == transition.from) {
    return store_sqlite::InvalidArgument("transition.to must be a new state other than kPending");
  }
  if ((transition.to == MedicalRequestState::kFailed) !=
      (transition.error_code != absl::StatusCode::kOk)) {
    return store_sqlite::InvalidArgument(
        "transition.error_code must be set for kFailed and only for kFailed");
  }
  const int64_t code = static_cast<int64_t>(transition.error_code);
  if (code < 0 || code > 16) {
    return store_sqlite::InvalidArgument("transition.error_code is not a status code");
  }
  std::string error;
  if (absl::Status s = store_sqlite::Encode(transition.error, "transition.error", &error);
      !s.ok()) {
    return s;
  }
  // Both responses are encoded; the one of the entry's kind is chosen inside the transaction.
  std::string medication;
  std::string checkups;
  if (absl::Status s = store_sqlite::Encode(transition.medication_response,
                                            "transition.medication_response", &medication);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = store_sqlite::Encode(transition.checkups_response,
                                            "transition.checkups_response", &checkups);
      !s.ok()) {
    return s;
  }
  const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());

  return StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
    MedicalInfoKind kind;
    {
      Statement current = connection.Prepare(kStateOf);
      current.BindBlob(1, transition.request_id);
      absl::StatusOr<bool> found = current.Step();
      if (!found.ok()) return found.status();
      if (!*found) {
        return store_sqlite::InvalidArgument("transition.request_id names no medical request");
      }
      if (!current.ColumnIsNull(1)) {
        return store_sqlite::InvalidArgument("the medical request was purged");
      }
      const int64_t state = current.ColumnInt64(0);
      if (state != static_cast<int64_t>(transition.from)) {
        return MakeError(errors::kStoreConflict,
                         absl::StrCat("the medical request is in state ", state, ", not ",
                                      static_cast<int>(transition.from)));
      }
    }
    {
      absl::StatusOr<std::optional<MedicalRequestEntry>> entry =
          FindOne(connection, kFindByRequestId, transition.request_id);
      if (!entry.ok()) return entry.status();
      if (!entry->has_value()) return MakeError(errors::kInternal, "medical request vanished");
      kind = (*entry)->kind;
    }
    Statement update = connection.Prepare(kUpdate);
    update.BindBlob(1, transition.request_id);
    update.BindInt64(2, static_cast<int64_t>(transition.to));
    update.BindInt64(3, now);
    update.BindBlob(4, kind == MedicalInfoKind::kCheckups ? checkups : medication);
    update.BindInt64(5, code);
    update.BindBlob(6, error);
    update.BindInt64(7, static_cast<int64_t>(transition.from));
    return update.Run();
  });
}

absl::StatusOr<int64_t> SqliteMedicalStore::PurgeMedicalResults(absl::Time updated_before) {
  const int64_t cutoff = store_sqlite::ToMicros(updated_before);
  const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());
  int64_t purged = 0;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
        purged = 0;
        Statement purge = connection.Prepare(kPurge);
        purge.BindInt64(1, cutoff);
        purge.BindInt64(2, now);
        while (true) {
          absl::StatusOr<bool> row = purge.Step();
          if (!row.ok()) return row.status();
          if (!*row) return absl::OkStatus();
          ++purged;
        }
      });
  if (!status.ok()) return status;
  return purged;
}

absl::StatusOr<std::optional<RecordedConsent>> SqliteMedicalStore::LatestConsent(
    const std::string& patient_id, MedicalInfoKind kind) {
  std::optional<RecordedConsent> latest;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        latest.reset();
        Statement query = connection.Prepare(kRecordedAnswers);
        query.BindBlob(1, patient_id);
        while (true) {
          absl::StatusOr<bool> row = query.Step();
          if (!row.ok()) return row.status();
          if (!*row) return absl::OkStatus();
          const bool checkin = query.ColumnInt64(0) == 2;
          std::optional<v1::Consent> consent;
          if (checkin) {
            v1::CheckinEvent event;
            if (absl::Status s = store_sqlite::Decode(query.ColumnBlob(2),
                                                      "checkin_events.content", &event);
                !s.ok()) {
              return s;
            }
            consent = StatedConsent(event.result(), kind);
          } else {
            v1::CheckQualificationResponse response;
            if (absl::Status s =
                    store_sqlite::Decode(query.ColumnBlob(2), "requests.response", &response);
                !s.ok()) {
              return s;
            }
            consent = StatedConsent(response.result(), kind);
          }
          if (!consent.has_value()) continue;
          RecordedConsent found;
          found.consent = *std::move(consent);
          found.source = checkin ? v1::SOURCE_CARD_READER : v1::SOURCE_TERMINAL_ANSWER;
          found.recorded_time = store_sqlite::FromMicros(query.ColumnInt64(1));
          latest = std::move(found);
          return absl::OkStatus();
        }
      });
  if (!status.ok()) return status;
  return latest;
}

}  // namespace onshi
