// The audit log's hash chain (docs/audit.md): how a row's MAC is computed, what the head anchor
// holds, and the verification of a whole log against its key and anchor. The pure parts (no
// I/O) are VerifyAuditChain and the MAC; VerifyAuditFiles reads a store and a state directory.
//
// Row n's MAC is HMAC-SHA256(key, mac(n-1) || EncodeAuditRecord(n, entry)), with mac(0) = 32
// zero bytes, so every row commits to its own seq and content and to every row before it. The
// anchor (<state_dir>/audit.head) names the last row written (seq and MAC) and the key's id; it
// is what makes a cut-off tail detectable.

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_AUDIT_VERIFY_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_AUDIT_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "plugin/core/audit.h"

namespace onshi {

inline constexpr size_t kAuditKeyBytes = 32;
inline constexpr size_t kAuditMacBytes = 32;

// <state_dir>/audit.key and <state_dir>/audit.head.
std::string AuditKeyPath(const std::string& state_dir);
std::string AuditHeadPath(const std::string& state_dir);

// One stored row.
struct AuditRow {
  int64_t seq = 0;
  AuditEntry entry;
  // 32 bytes.
  std::string mac;
};

// The head anchor: the last row written when it was last updated (seq 0 and an empty MAC for a
// log without rows), and the id of the key the chain is computed with.
struct AuditHead {
  int64_t seq = 0;
  std::string mac;
  std::string key_id;
};

// HMAC-SHA256(key, prev_mac || EncodeAuditRecord(seq, entry)). Thread-safe.
std::string AuditMac(absl::string_view key, absl::string_view prev_mac, int64_t seq,
                     const AuditEntry& entry);

// A public id of `key` (lower-case hex of 16 bytes of an HMAC of a constant under the key): tells
// which key a chain needs without revealing the key. Thread-safe.
std::string AuditKeyId(absl::string_view key);

// The anchor file's text: "onshi-audit-head v1 <seq> <mac hex> <key id>\n"; and its parser
// (nullopt for anything else).
std::string FormatAuditHead(const AuditHead& head);
std::optional<AuditHead> ParseAuditHead(absl::string_view text);

enum class AuditDamage {
  kNone = 0,
  // A row's content no longer matches its MAC (its MAC still links the next row).
  kEdited,
  // A row is missing: seq jumps.
  kDeleted,
  // A row that was never written by onshi (its MAC matches no place in the chain).
  kInserted,
  // A genuine row at another place than where it was written.
  kReordered,
  // The log ends before the row the anchor names.
  kTruncated,
  // The anchor names another key than audit.key, or the anchored row differs from the anchor.
  kKeyMismatch,
  // audit.head is missing or unreadable while the log has rows.
  kAnchorMissing,
};

// "edited", "deleted", ... ; "intact" for kNone.
absl::string_view AuditDamageName(AuditDamage damage);

struct AuditVerdict {
  AuditDamage damage = AuditDamage::kNone;
  // The seq of the first row found bad (for kDeleted/kTruncated: the first missing seq); 0 when
  // intact.
  int64_t first_bad_seq = 0;
  // Rows in the log.
  int64_t rows = 0;
};

// Verifies `rows` (in ascending seq order as stored) against `key` and `head` (nullopt: no
// anchor). Intact means: seqs are 1, 2, ... without gap, every MAC chains, the anchor's key id
// is the key's, and the log reaches the anchored row with the anchored MAC (rows after it are
// accepted when they chain: a crash between a commit and the anchor's update leaves the log
// ahead of it). Otherwise the first damage found, classified as well as the neighbouring rows
// allow (any damage is reported; the kind is a hint for the auditor). Thread-safe.
AuditVerdict VerifyAuditChain(absl::string_view key, const std::vector<AuditRow>& rows,
                              const std::optional<AuditHead>& head);

// Reads the key and the anchor of `state_dir` and every row of the audit log of the store at
// `db_path` (read-only use of the file; safe while onshid runs), and verifies them. The rows
// are held in memory during the check. Errors: ONSHI_AUDIT_UNAVAILABLE when audit.key cannot
// be read or is not 32 bytes; ONSHI_STORE_UNAVAILABLE when the database cannot be read or has
// no audit log (schema too old).
absl::StatusOr<AuditVerdict> VerifyAuditFiles(const std::string& db_path,
                                              const std::string& state_dir);

}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_AUDIT_VERIFY_H_
