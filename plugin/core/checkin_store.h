// The port for card-reader check-in events (docs/checkins.md): durable from the moment onshi
// read the face file until a host acknowledges them, recorded once per face file.
//
// Implemented by adapters/store_sqlite (SqliteCheckinStore); the service (plugin/service/
// checkins.h) is its only user.

#ifndef ONSHI_PLUGIN_CORE_CHECKIN_STORE_H_
#define ONSHI_PLUGIN_CORE_CHECKIN_STORE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "onshi/v1/checkin_service.pb.h"
#include "onshi/v1/eligibility_service.pb.h"
#include "plugin/core/ports.h"

namespace onshi {

// One check-in to record, with what it implies for the matched patient.
struct CheckinWrite {
  // Complete but for `sequence` (the store assigns it) and `acknowledged_time` (unset).
  // event_id is random and non-empty; provenance.file_id is the face file's id (non-empty), the
  // idempotency key; match.patient_id names an existing patient when the match is
  // REFERENCE_NUMBER or IDENTIFIERS, and then record_write.patient_id is the same.
  v1::CheckinEvent event;
  // When matched: the patient's confirmation row for this check-in, its request_id being the
  // event id (a check-in is a check without a request).
  std::optional<v1::Confirmation> confirmation;
  // When matched and the coverage changed: the new version (optimistic, as for
  // LedgerTransition::coverage).
  std::optional<CoverageUpdate> coverage;
};

// Implementations must be thread-safe; every method is one transaction.
class CheckinStore {
 public:
  virtual ~CheckinStore() = default;

  // Records `write` atomically (event, confirmation, coverage version: all or nothing) unless an
  // event with the same face file id exists. Returns the stored event (with its sequence);
  // `*created` (may be null) says whether this call inserted it. A duplicate writes nothing and
  // returns the event recorded first, whatever `write` holds.
  // Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an empty event id or file id, an event
  // id already used by another file, or a confirmation or coverage without a matched patient;
  // NOT_FOUND (ONSHI_PATIENT_NOT_FOUND) when the matched patient does not exist; ABORTED
  // (ONSHI_STORE_CONFLICT) when the patient's current coverage version is no longer
  // coverage->expected_version (nothing written: read again and retry); ONSHI_STORE_UNAVAILABLE.
  virtual absl::StatusOr<v1::CheckinEvent> RecordCheckin(const CheckinWrite& write,
                                                         bool* created) = 0;

  // The event recorded for a face file, if any (acknowledged or not).
  virtual absl::StatusOr<std::optional<v1::CheckinEvent>> FindCheckinByFileId(
      const std::string& file_id) = 0;

  // Unacknowledged events with a sequence above `after_sequence`, oldest (lowest sequence)
  // first, at most `limit` (> 0) of them.
  virtual absl::StatusOr<std::vector<v1::CheckinEvent>> ListUnacknowledgedCheckins(
      int64_t after_sequence, int limit) = 0;

  // Marks the event acknowledged at `when` (kept once set: acknowledging again is OK and
  // changes nothing). Returns the event as stored. Errors: NOT_FOUND (ONSHI_CHECKIN_NOT_FOUND)
  // for an unknown event id; ONSHI_STORE_UNAVAILABLE.
  virtual absl::StatusOr<v1::CheckinEvent> AcknowledgeCheckin(const std::string& event_id,
                                                              absl::Time when) = 0;
};

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_CHECKIN_STORE_H_
