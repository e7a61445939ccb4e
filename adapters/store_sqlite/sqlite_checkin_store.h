// Card-reader check-in events on the SQLite store (docs/store.md, table checkin_events): the
// CheckinStore port of plugin/core/checkin_store.h, on the store's own connection and
// transactions (store_internal.h), so an event, the patient's confirmation and a new coverage
// version are written in one transaction.

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_CHECKIN_STORE_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_CHECKIN_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "plugin/core/checkin_store.h"

namespace onshi {

// Thread-safe (every method is one transaction of `store`, serialised with the store's other
// work). Errors beyond the port's: those of SqliteStore (ONSHI_STORE_UNAVAILABLE; writes refused
// after a failed write or fsync; refused in a forked child).
class SqliteCheckinStore final : public CheckinStore {
 public:
  // `store` is not owned and must outlive this object. Its schema (migration 3) holds the table.
  explicit SqliteCheckinStore(SqliteStore* store) : store_(store) {}

  // CheckinStore. Beyond the port's contract:
  // - RecordCheckin: the event's content is stored without sequence and acknowledged_time
  //   (columns hold them); the confirmation's checked time is the event's received_time; a
  //   coverage version without recorded_time gets the store clock's time.
  // - AcknowledgeCheckin: `when` is stored at microsecond resolution.
  absl::StatusOr<v1::CheckinEvent> RecordCheckin(const CheckinWrite& write, bool* created) override;
  absl::StatusOr<std::optional<v1::CheckinEvent>> FindCheckinByFileId(
      const std::string& file_id) override;
  absl::StatusOr<std::vector<v1::CheckinEvent>> ListUnacknowledgedCheckins(int64_t after_sequence,
                                                                           int limit) override;
  absl::StatusOr<v1::CheckinEvent> AcknowledgeCheckin(const std::string& event_id,
                                                      absl::Time when) override;

 private:
  SqliteStore* const store_;
};

}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_CHECKIN_STORE_H_
