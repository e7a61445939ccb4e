#include "adapters/store_sqlite/sqlite_checkin_store.h"

#include <utility>

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
constexpr Sql kFindByFileId{"find check-in by file id",
                            "SELECT sequence, content, acknowledged_time FROM checkin_events "
                            "WHERE file_id = ?1"};
constexpr Sql kFindByEventId{"find check-in by event id",
                             "SELECT sequence, content, acknowledged_time FROM checkin_events "
                             "WHERE event_id = ?1"};
constexpr Sql kInsertEvent{
    "insert check-in",
    "INSERT INTO checkin_events (event_id, file_id, received_time, patient_id, content) "
    "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING sequence"};
constexpr Sql kListUnacknowledged{
    "list unacknowledged check-ins",
    "SELECT sequence, content, acknowledged_time FROM checkin_events "
    "WHERE acknowledged_time IS NULL AND sequence > ?1 ORDER BY sequence LIMIT ?2"};
constexpr Sql kAcknowledge{"acknowledge check-in",
                           "UPDATE checkin_events SET acknowledged_time = ?2 "
                           "WHERE event_id = ?1 AND acknowledged_time IS NULL"};

bool IsMatched(const v1::PatientMatch& match) {
  return match.kind() == v1::PATIENT_MATCH_KIND_REFERENCE_NUMBER ||
         match.kind() == v1::PATIENT_MATCH_KIND_IDENTIFIERS;
}

// The event of the current row of a statement selecting (sequence, content, acknowledged_time).
absl::StatusOr<v1::CheckinEvent> ReadEvent(const Statement& row) {
  v1::CheckinEvent event;
  if (absl::Status s = store_sqlite::Decode(row.ColumnBlob(1), "checkin_events.content", &event);
      !s.ok()) {
    return s;
  }
  event.set_sequence(row.ColumnInt64(0));
  if (!row.ColumnIsNull(2)) {
    *event.mutable_acknowledged_time() = store_sqlite::ToTimestamp(row.ColumnInt64(2));
  }
  return event;
}

// The event `sql` (one id parameter) selects, if any.
absl::StatusOr<std::optional<v1::CheckinEvent>> FindOne(Connection& connection, const Sql& sql,
                                                        const std::string& id) {
  Statement query = connection.Prepare(sql);
  query.BindBlob(1, id);
  absl::StatusOr<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::nullopt;
  absl::StatusOr<v1::CheckinEvent> event = ReadEvent(query);
  if (!event.ok()) return event.status();
  return *std::move(event);
}

// The checks of RecordCheckin that need no database.
absl::Status CheckWrite(const CheckinWrite& write) {
  const v1::CheckinEvent& event = write.event;
  if (event.event_id().empty()) return store_sqlite::InvalidArgument("event.event_id is empty");
  if (event.provenance().file_id().empty()) {
    return store_sqlite::InvalidArgument("event.provenance.file_id is empty");
  }
  const bool matched = IsMatched(event.match());
  if (matched && event.match().patient_id().empty()) {
    return store_sqlite::InvalidArgument("event.match.patient_id is empty for a match");
  }
  if (!matched && (write.confirmation.has_value() || write.coverage.has_value())) {
    return store_sqlite::InvalidArgument(
        "confirmation or coverage given for a check-in without a matched patient");
  }
  if (write.confirmation.has_value()) {
    if (absl::Status s = store_sqlite::CheckConfirmation(event.event_id(), *write.confirmation);
        !s.ok()) {
      return s;
    }
  }
  if (write.coverage.has_value()) {
    if (absl::Status s = store_sqlite::CheckCoverageUpdate(*write.coverage); !s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::CheckinEvent> SqliteCheckinStore::RecordCheckin(const CheckinWrite& write,
                                                                   bool* created) {
  if (created != nullptr) *created = false;
  if (absl::Status s = CheckWrite(write); !s.ok()) return s;
  // Stored without what the columns hold.
  v1::CheckinEvent content = write.event;
  content.clear_sequence();
  content.clear_acknowledged_time();
  std::string bytes;
  if (absl::Status s = store_sqlite::Encode(content, "check-in event", &bytes); !s.ok()) return s;

  const std::string& event_id = content.event_id();
  const std::string& file_id = content.provenance().file_id();
  const bool matched = IsMatched(content.match());
  const std::string& patient_id = content.match().patient_id();
  const int64_t received = store_sqlite::TimestampMicros(content.received_time());
  const int64_t now = store_sqlite::ToMicros(StoreAccess::ClockOf(*store_).Now());

  v1::CheckinEvent stored;
  bool inserted = false;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
        absl::StatusOr<std::optional<v1::CheckinEvent>> existing =
            FindOne(connection, kFindByFileId, file_id);
        if (!existing.ok()) return existing.status();
        if (existing->has_value()) {
          stored = **std::move(existing);
          return absl::OkStatus();
        }
        absl::StatusOr<std::optional<v1::CheckinEvent>> same_id =
            FindOne(connection, kFindByEventId, event_id);
        if (!same_id.ok()) return same_id.status();
        if (same_id->has_value()) {
          return store_sqlite::InvalidArgument("event.event_id is already used by another file");
        }
        if (matched) {
          absl::StatusOr<bool> exists = store_sqlite::PatientExists(connection, patient_id);
          if (!exists.ok()) return exists.status();
          if (!*exists) {
            return MakeError(errors::kPatientNotFound, "the matched patient of a check-in");
          }
        }

        Statement insert = connection.Prepare(kInsertEvent);
        insert.BindBlob(1, event_id);
        insert.BindBlob(2, file_id);
        insert.BindInt64(3, received);
        if (matched) {
          insert.BindBlob(4, patient_id);
        } else {
          insert.BindNull(4);
        }
        insert.BindBlob(5, bytes);
        absl::StatusOr<bool> row = insert.Step();
        if (!row.ok()) return row.status();
        if (!*row) return store_sqlite::StoreError(SQLITE_EMPTY, kInsertEvent.label);
        const int64_t sequence = insert.ColumnInt64(0);
        if (absl::Status s = insert.Run(); !s.ok()) return s;

        if (write.coverage.has_value()) {
          absl::Status s = store_sqlite::WriteCoverageVersion(connection, patient_id, event_id,
                                                              *write.coverage, now);
          if (!s.ok()) return s;
        }
        if (write.confirmation.has_value()) {
          absl::Status s = store_sqlite::WriteConfirmation(connection, event_id, patient_id,
                                                           received, *write.confirmation, now);
          if (!s.ok()) return s;
        }
        stored = content;
        stored.set_sequence(sequence);
        inserted = true;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (created != nullptr) *created = inserted;
  return stored;
}

absl::StatusOr<std::optional<v1::CheckinEvent>> SqliteCheckinStore::FindCheckinByFileId(
    const std::string& file_id) {
  std::optional<v1::CheckinEvent> found;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        absl::StatusOr<std::optional<v1::CheckinEvent>> event =
            FindOne(connection, kFindByFileId, file_id);
        if (!event.ok()) return event.status();
        found = *std::move(event);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<std::vector<v1::CheckinEvent>> SqliteCheckinStore::ListUnacknowledgedCheckins(
    int64_t after_sequence, int limit) {
  if (limit <= 0) return store_sqlite::InvalidArgument("limit must be positive");
  std::vector<v1::CheckinEvent> events;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        events.clear();
        Statement query = connection.Prepare(kListUnacknowledged);
        query.BindInt64(1, after_sequence);
        query.BindInt64(2, limit);
        while (true) {
          absl::StatusOr<bool> row = query.Step();
          if (!row.ok()) return row.status();
          if (!*row) return absl::OkStatus();
          absl::StatusOr<v1::CheckinEvent> event = ReadEvent(query);
          if (!event.ok()) return event.status();
          events.push_back(*std::move(event));
        }
      });
  if (!status.ok()) return status;
  return events;
}

absl::StatusOr<v1::CheckinEvent> SqliteCheckinStore::AcknowledgeCheckin(const std::string& event_id,
                                                                        absl::Time when) {
  v1::CheckinEvent acknowledged;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
        Statement update = connection.Prepare(kAcknowledge);
        update.BindBlob(1, event_id);
        update.BindInt64(2, store_sqlite::ToMicros(when));
        if (absl::Status s = update.Run(); !s.ok()) return s;
        absl::StatusOr<std::optional<v1::CheckinEvent>> event =
            FindOne(connection, kFindByEventId, event_id);
        if (!event.ok()) return event.status();
        if (!event->has_value()) return MakeError(errors::kCheckinNotFound);
        acknowledged = **std::move(event);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return acknowledged;
}

}  // namespace onshi
