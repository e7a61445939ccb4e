#include "adapters/store_sqlite/sqlite_audit_log.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/store_sqlite/audit_log_internal.h"
#include "adapters/store_sqlite/audit_verify.h"
#include "adapters/store_sqlite/store_internal.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

using store_sqlite::Connection;
using store_sqlite::Sql;
using store_sqlite::Statement;
using store_sqlite::StoreAccess;

constexpr absl::string_view kComponent = "audit";

constexpr Sql kLastAuditRow{"read last audit row",
                            "SELECT seq, mac FROM audit_log ORDER BY seq DESC LIMIT 1"};
constexpr Sql kAuditRowMac{"read anchored audit row", "SELECT mac FROM audit_log WHERE seq = ?1"};
constexpr Sql kInsertAuditRow{
    "insert audit row",
    "INSERT INTO audit_log (seq, time, user_id, operation, patient_id, request_id, outcome_code, "
    "outcome_reason, mac) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"};

absl::Status Unavailable(absl::string_view detail) {
  return MakeError(errors::kAuditUnavailable, detail);
}

absl::Status Errno(const std::string& path, absl::string_view what) {
  return Unavailable(absl::StrCat(path, ": ", what, ": ", std::strerror(errno)));
}

absl::Status WriteAll(int fd, absl::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t wrote = ::write(fd, data.data(), data.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return Errno(path, "cannot write");
    data.remove_prefix(static_cast<size_t>(wrote));
  }
  return absl::OkStatus();
}

absl::Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno(dir, "cannot open");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno(dir, "cannot fsync");
  return absl::OkStatus();
}

// Creates `path` with 32 random bytes (mode 0600, never replacing a file), durably.
absl::StatusOr<std::string> CreateKey(const std::string& path, const std::string& dir) {
  std::string key(kAuditKeyBytes, '\0');
  size_t done = 0;
  while (done < key.size()) {
    const ssize_t got = ::getrandom(key.data() + done, key.size() - done, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return Errno(path, "no randomness for a new key");
    done += static_cast<size_t>(got);
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Errno(path, "cannot create");
  absl::Status status = WriteAll(fd, key, path);
  if (status.ok() && ::fsync(fd) != 0) status = Errno(path, "cannot fsync");
  ::close(fd);
  if (status.ok()) status = SyncDirectory(dir);
  if (!status.ok()) {
    ::unlink(path.c_str());
    return status;
  }
  Log(LogLevel::kInfo, kComponent, "created a new audit key");
  return key;
}

struct Tail {
  int64_t seq = 0;
  std::string mac;
  // The MAC of the row the anchor names, when asked for and present.
  std::optional<std::string> anchored_mac;
};

absl::StatusOr<Tail> ReadTail(SqliteStore& store, int64_t anchored_seq) {
  Tail tail;
  absl::Status status = StoreAccess::RunInTransaction(store, false, [&](Connection& connection) {
    {
      Statement last = connection.Prepare(kLastAuditRow);
      absl::StatusOr<bool> row = last.Step();
      if (!row.ok()) return row.status();
      if (*row) {
        tail.seq = last.ColumnInt64(0);
        tail.mac = last.ColumnBlob(1);
      }
    }
    if (anchored_seq > 0) {
      Statement anchored = connection.Prepare(kAuditRowMac);
      anchored.BindInt64(1, anchored_seq);
      absl::StatusOr<bool> row = anchored.Step();
      if (!row.ok()) return row.status();
      if (*row) tail.anchored_mac = anchored.ColumnBlob(0);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return tail;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqliteAuditLog>> SqliteAuditLog::Open(SqliteStore* store,
                                                                     const std::string& state_dir) {
  if (store == nullptr) return MakeError(errors::kInvalidArgument, "audit log without a store");
  const std::string key_path = AuditKeyPath(state_dir);
  const std::string head_path = AuditHeadPath(state_dir);

  absl::StatusOr<std::optional<AuditHead>> head = audit_internal::ReadHeadFile(head_path);
  if (!head.ok()) return head.status();
  absl::StatusOr<Tail> tail = ReadTail(*store, head->has_value() ? (*head)->seq : 0);
  if (!tail.ok()) return tail.status();

  struct stat st;
  absl::StatusOr<std::string> key;
  if (::lstat(key_path.c_str(), &st) != 0 && errno == ENOENT) {
    if (tail->seq > 0 || head->has_value()) {
      return Unavailable(absl::StrCat(key_path,
                                      " is missing while the audit log has rows or an anchor; "
                                      "restore it from the backup (docs/audit.md)"));
    }
    key = CreateKey(key_path, state_dir);
  } else {
    key = audit_internal::ReadKeyFile(key_path, /*require_private=*/true);
  }
  if (!key.ok()) return key.status();

  auto log = std::unique_ptr<SqliteAuditLog>(new SqliteAuditLog(store, state_dir, *key));
  if (!head->has_value()) {
    if (tail->seq > 0) {
      return Unavailable(absl::StrCat(head_path,
                                      " is missing or damaged while the audit log has rows; run "
                                      "onshid audit-verify (docs/audit.md)"));
    }
  } else {
    const AuditHead& anchor = **head;
    if (anchor.key_id != AuditKeyId(*key)) {
      return Unavailable(absl::StrCat(head_path, " names another key than ", key_path,
                                      "; run onshid audit-verify (docs/audit.md)"));
    }
    if (tail->seq < anchor.seq) {
      return Unavailable(absl::StrCat("the audit log ends at seq ", tail->seq,
                                      " before the anchored seq ", anchor.seq,
                                      " (truncated); run onshid audit-verify (docs/audit.md)"));
    }
    if (anchor.seq > 0 && tail->anchored_mac != anchor.mac) {
      return Unavailable(absl::StrCat("audit row ", anchor.seq,
                                      " differs from the anchor; run onshid audit-verify "
                                      "(docs/audit.md)"));
    }
  }
  if (!head->has_value() || tail->seq != (*head)->seq) {
    if (absl::Status s = log->WriteHead(tail->seq, tail->mac); !s.ok()) return s;
  }
  {
    std::lock_guard<std::mutex> lock(log->mu_);
    log->last_seq_ = tail->seq;
  }
  return log;
}

absl::Status SqliteAuditLog::Append(const AuditEntry& entry) {
  if (absl::Status s = CheckAuditEntry(entry); !s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  int64_t seq = 0;
  std::string mac;
  absl::Status status = StoreAccess::RunInTransaction(*store_, true, [&](Connection& connection) {
    std::string prev(kAuditMacBytes, '\0');
    int64_t prev_seq = 0;
    {
      Statement last = connection.Prepare(kLastAuditRow);
      absl::StatusOr<bool> row = last.Step();
      if (!row.ok()) return row.status();
      if (*row) {
        prev_seq = last.ColumnInt64(0);
        prev = last.ColumnBlob(1);
      }
    }
    seq = prev_seq + 1;
    mac = AuditMac(key_, prev, seq, entry);
    if (mac.size() != kAuditMacBytes) {
      return MakeError(errors::kInternal, "HMAC-SHA256 is not available");
    }
    Statement insert = connection.Prepare(kInsertAuditRow);
    insert.BindInt64(1, seq);
    insert.BindInt64(2, AuditTimeMicros(entry.time));
    insert.BindText(3, entry.user_id);
    insert.BindText(4, entry.operation);
    insert.BindBlob(5, entry.patient_id);
    insert.BindBlob(6, entry.request_id);
    insert.BindText(7, entry.outcome_code);
    insert.BindText(8, entry.outcome_reason);
    insert.BindBlob(9, mac);
    return insert.Run();
  });
  if (!status.ok()) {
    const v1::ErrorDetail detail = ToErrorDetail(status);
    Log(LogLevel::kError, kComponent, "audit row not written: ", detail.reason(), ": ",
        detail.it_message());
    return Unavailable(absl::StrCat("audit row not written: ", detail.reason()));
  }
  last_seq_ = seq;
  if (absl::Status s = WriteHead(seq, mac); !s.ok()) {
    Log(LogLevel::kError, kComponent, "audit anchor not updated after seq ", seq);
    return s;
  }
  return absl::OkStatus();
}

int64_t SqliteAuditLog::last_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_seq_;
}

absl::Status SqliteAuditLog::WriteHead(int64_t seq, const std::string& mac) const {
  const std::string path = AuditHeadPath(state_dir_);
  const std::string temp = absl::StrCat(path, ".tmp");
  AuditHead head;
  head.seq = seq;
  head.mac = mac;
  head.key_id = AuditKeyId(key_);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return Errno(temp, "cannot create");
  // No fsync: what makes a cut tail visible is the anchor readers see, and the rename makes it
  // visible at once. Power lost before the kernel writes it back can only bring back an older
  // anchor, the crash window the verifier accepts (docs/audit.md); an fsync per call would cost
  // a second disk flush on every operation.
  absl::Status status = WriteAll(fd, FormatAuditHead(head), temp);
  ::close(fd);
  if (status.ok() && ::rename(temp.c_str(), path.c_str()) != 0) {
    status = Errno(path, "cannot replace");
  }
  if (!status.ok()) ::unlink(temp.c_str());
  return status;
}

}  // namespace onshi
