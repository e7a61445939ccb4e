// The audit log on the record store's SQLite file (table audit_log, append-only: triggers refuse
// UPDATE and DELETE), chained with HMAC-SHA256 under <state_dir>/audit.key and anchored in
// <state_dir>/audit.head. docs/audit.md describes the chain, the anchor and the verifier
// (adapters/store_sqlite/audit_verify.h).

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_AUDIT_LOG_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_AUDIT_LOG_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "adapters/store_sqlite/sqlite_store.h"
#include "plugin/core/audit.h"

namespace onshi {

class SqliteAuditLog final : public AuditLog {
 public:
  // Opens the audit log of `store` (not owned; must outlive the log) with the key and anchor of
  // `state_dir` (an existing private directory). On first use creates audit.key (32 random
  // bytes, mode 0600) and an anchor for the empty log. Refuses to start (the operator must look,
  // docs/audit.md) when the key is unreadable, not 32 bytes or readable by others; when the log
  // has rows but no anchor; when the anchor names another key; or when the log ends before the
  // anchored row or that row's MAC differs from the anchor (truncated or replaced log). A log
  // ahead of its anchor (a crash between a commit and the anchor's update) is accepted when its
  // anchored row matches, and the anchor is brought up to date. Errors: UNAVAILABLE
  // (ONSHI_AUDIT_UNAVAILABLE) for all of these, naming the file and the problem;
  // ONSHI_STORE_UNAVAILABLE when the store cannot be read.
  static absl::StatusOr<std::unique_ptr<SqliteAuditLog>> Open(SqliteStore* store,
                                                              const std::string& state_dir);

  SqliteAuditLog(const SqliteAuditLog&) = delete;
  SqliteAuditLog& operator=(const SqliteAuditLog&) = delete;
  ~SqliteAuditLog() override = default;

  // AuditLog: one BEGIN IMMEDIATE transaction per row (durable when it returns, like every
  // store write), then the anchor is replaced (written to a temporary file, fsynced, renamed).
  // A failure of either fails the append with ONSHI_AUDIT_UNAVAILABLE whose IT text names the
  // underlying reason; a row committed before a failed anchor update stays in the log (the
  // verifier accepts a log ahead of its anchor). Thread-safe: appends are serialised, so seqs
  // and anchors advance in order.
  absl::Status Append(const AuditEntry& entry) override;

  // The seq of the last row written (0 for an empty log). Thread-safe.
  int64_t last_seq() const;

 private:
  SqliteAuditLog(SqliteStore* store, std::string state_dir, std::string key)
      : store_(store), state_dir_(std::move(state_dir)), key_(std::move(key)) {}

  absl::Status WriteHead(int64_t seq, const std::string& mac) const;

  SqliteStore* const store_;
  const std::string state_dir_;
  const std::string key_;
  mutable std::mutex mu_;
  int64_t last_seq_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_AUDIT_LOG_H_
