// The audit log, seen from the domain: one append-only row per operation saying who (the host's
// user id), when, what, on which internal patient id, with which outcome. docs/audit.md
// describes what is recorded and how the log is protected (a keyed hash chain, verified by
// `onshid audit-verify`).
//
// A row never holds patient data: no insurance number, name, birth date or document text. Only
// the internal ids (patient_id, request_id), the operation's name and the canonical outcome.

#ifndef ONSHI_PLUGIN_CORE_AUDIT_H_
#define ONSHI_PLUGIN_CORE_AUDIT_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace onshi {

// The user id of rows written for work onshi does on its own (re-checks drained when the
// terminal answers again, recovery after a restart).
inline constexpr absl::string_view kAuditSystemUserId = "onshi";

struct AuditEntry {
  // When the operation ended (UTC, stored at microsecond resolution).
  absl::Time time = absl::UnixEpoch();
  // The host's login (plugin/service/caller.h), kAuditSystemUserId, or "" when the caller gave
  // none.
  std::string user_id;
  // What was done: the RPC's method name ("CheckQualification") or a background operation's
  // name ("recheck"). For streamed messages "<method>.message" (see docs/audit.md).
  std::string operation;
  // The internal patient id the operation concerned; "" when none.
  std::string patient_id;
  // The request id of the operation; "" when it has none.
  std::string request_id;
  // The canonical status code name ("OK", "UNAVAILABLE", ...; absl::StatusCodeToString).
  std::string outcome_code;
  // The ONSHI_* reason of a failure; "" for OK.
  std::string outcome_reason;
};

// Limits on what a row may hold: longer values are refused by CheckAuditEntry (ids are short
// by construction; a longer one is a caller bug, not something to store).
inline constexpr size_t kMaxAuditFieldBytes = 256;

// OK when every text field is at most kMaxAuditFieldBytes and operation and outcome_code are
// non-empty; otherwise INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) naming the field. Thread-safe.
absl::Status CheckAuditEntry(const AuditEntry& entry);

// The canonical byte encoding of row `seq` that the chain's MAC covers: a version tag, seq and
// the time in microseconds as 8-byte big-endian two's complement, then each text field (user_id,
// operation, patient_id, request_id, outcome_code, outcome_reason) as a 4-byte big-endian length
// and its bytes. Injective: two different (seq, entry) never encode alike. Thread-safe.
std::string EncodeAuditRecord(int64_t seq, const AuditEntry& entry);

// microseconds since the Unix epoch ↔ absl::Time, as the rows store times.
int64_t AuditTimeMicros(absl::Time time);

// Writes audit rows. Implementations: adapters/store_sqlite/sqlite_audit_log.h.
class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // Appends one row, durably, in a transaction of its own (never the operation's: a rolled-back
  // operation is still recorded, and the row is written even when the operation failed).
  // Returns OK only once the row is committed. Errors: UNAVAILABLE (ONSHI_AUDIT_UNAVAILABLE)
  // when the row cannot be written; INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for an entry
  // CheckAuditEntry refuses. Thread-safe: appends are serialised.
  virtual absl::Status Append(const AuditEntry& entry) = 0;
};

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_AUDIT_H_
