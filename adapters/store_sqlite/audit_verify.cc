#include "adapters/store_sqlite/audit_verify.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "adapters/store_sqlite/audit_log_internal.h"
#include "adapters/store_sqlite/connection.h"
#include "adapters/store_sqlite/store_internal.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

constexpr char kHeadMagic[] = "onshi-audit-head";
constexpr char kHeadVersion[] = "v1";
constexpr char kKeyIdLabel[] = "onshi audit key id v1";

constexpr store_sqlite::Sql kHasAuditTable{
    "look for audit_log",
    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'"};
constexpr store_sqlite::Sql kBeginRead{"begin audit read", "BEGIN"};
constexpr store_sqlite::Sql kEndRead{"end audit read", "COMMIT"};
constexpr store_sqlite::Sql kReadAllRows{
    "read audit rows",
    "SELECT seq, time, user_id, operation, patient_id, request_id, outcome_code, outcome_reason, "
    "mac FROM audit_log ORDER BY seq"};

std::string Hmac(absl::string_view key, absl::string_view a, absl::string_view b) {
  unsigned char out[EVP_MAX_MD_SIZE];
  // One-shot HMAC over the concatenation (a || b), without copying: the streaming EVP_MAC API.
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  EVP_MAC_CTX* ctx = mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr;
  char digest_name[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0),
                         OSSL_PARAM_construct_end()};
  size_t written = 0;
  const bool ok =
      ctx != nullptr &&
      EVP_MAC_init(ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) ==
          1 &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(a.data()), a.size()) == 1 &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(b.data()), b.size()) == 1 &&
      EVP_MAC_final(ctx, out, &written, sizeof(out)) == 1;
  EVP_MAC_CTX_free(ctx);
  EVP_MAC_free(mac);
  // A failing HMAC (no provider) yields an empty MAC, which never matches a stored one: the
  // verifier then reports damage instead of passing, and Append refuses to write.
  if (!ok) return std::string();
  return std::string(reinterpret_cast<const char*>(out), written);
}

// Where the first bad row `i` (its MAC does not follow from `prev`) most likely came from.
AuditDamage Classify(absl::string_view key, const std::vector<AuditRow>& rows, size_t i,
                     const std::string& prev, const AuditHead& head) {
  const AuditRow& bad = rows[i];
  if (i + 1 < rows.size()) {
    const AuditRow& next = rows[i + 1];
    // The next row still chains from this row's MAC, or from the MAC its content should have:
    // this row was changed in place (content or MAC column).
    if (AuditMac(key, bad.mac, next.seq, next.entry) == next.mac) return AuditDamage::kEdited;
    const std::string genuine = AuditMac(key, prev, bad.seq, bad.entry);
    if (AuditMac(key, genuine, next.seq, next.entry) == next.mac) return AuditDamage::kEdited;
    // The rows from here on moved down by one: the row before this one was removed.
    if (AuditMac(key, bad.mac, next.seq + 1, next.entry) == next.mac) {
      return AuditDamage::kDeleted;
    }
    // The next row's content belongs at this row's place.
    if (AuditMac(key, prev, bad.seq, next.entry) == next.mac) {
      if (AuditMac(key, next.mac, next.seq, bad.entry) == bad.mac) return AuditDamage::kReordered;
      return AuditDamage::kInserted;
    }
  }
  // A genuine row from another place: it chains after some other row. A copy of a row that
  // is still at its own place is a replay: inserted.
  bool genuine = AuditMac(key, std::string(kAuditMacBytes, '\0'), 1, bad.entry) == bad.mac;
  for (size_t j = 0; j < rows.size() && !genuine; ++j) {
    genuine = j != i && AuditMac(key, rows[j].mac, rows[j].seq + 1, bad.entry) == bad.mac;
  }
  if (genuine) {
    for (size_t j = 0; j < rows.size(); ++j) {
      if (j != i && rows[j].mac == bad.mac) return AuditDamage::kInserted;
    }
    return AuditDamage::kReordered;
  }
  if (i + 1 == rows.size() && bad.seq > head.seq) return AuditDamage::kInserted;
  return AuditDamage::kEdited;
}

}  // namespace

std::string AuditKeyPath(const std::string& state_dir) {
  return absl::StrCat(state_dir, "/audit.key");
}

std::string AuditHeadPath(const std::string& state_dir) {
  return absl::StrCat(state_dir, "/audit.head");
}

std::string AuditMac(absl::string_view key, absl::string_view prev_mac, int64_t seq,
                     const AuditEntry& entry) {
  return Hmac(key, prev_mac, EncodeAuditRecord(seq, entry));
}

std::string AuditKeyId(absl::string_view key) {
  const std::string mac = Hmac(key, kKeyIdLabel, "");
  return absl::BytesToHexString(absl::string_view(mac).substr(0, 16));
}

std::string FormatAuditHead(const AuditHead& head) {
  return absl::StrCat(kHeadMagic, " ", kHeadVersion, " ", head.seq, " ",
                      head.mac.empty() ? "-" : absl::BytesToHexString(head.mac), " ", head.key_id,
                      "\n");
}

std::optional<AuditHead> ParseAuditHead(absl::string_view text) {
  if (text.empty() || text.back() != '\n') return std::nullopt;
  text.remove_suffix(1);
  const std::vector<absl::string_view> parts = absl::StrSplit(text, ' ');
  if (parts.size() != 5 || parts[0] != kHeadMagic || parts[1] != kHeadVersion) return std::nullopt;
  AuditHead head;
  if (!absl::SimpleAtoi(parts[2], &head.seq) || head.seq < 0) return std::nullopt;
  if (parts[3] == "-") {
    if (head.seq != 0) return std::nullopt;
  } else {
    if (parts[3].size() != 2 * kAuditMacBytes) return std::nullopt;
    for (char c : parts[3]) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    }
    head.mac = absl::HexStringToBytes(parts[3]);
  }
  if (parts[4].size() != 32) return std::nullopt;
  head.key_id = std::string(parts[4]);
  return head;
}

absl::string_view AuditDamageName(AuditDamage damage) {
  switch (damage) {
    case AuditDamage::kNone:
      return "intact";
    case AuditDamage::kEdited:
      return "edited";
    case AuditDamage::kDeleted:
      return "deleted";
    case AuditDamage::kInserted:
      return "inserted";
    case AuditDamage::kReordered:
      return "reordered";
    case AuditDamage::kTruncated:
      return "truncated";
    case AuditDamage::kKeyMismatch:
      return "key mismatch";
    case AuditDamage::kAnchorMissing:
      return "anchor missing";
  }
  return "unknown";
}

AuditVerdict VerifyAuditChain(absl::string_view key, const std::vector<AuditRow>& rows,
                              const std::optional<AuditHead>& head) {
  AuditVerdict verdict;
  verdict.rows = static_cast<int64_t>(rows.size());
  auto bad = [&verdict](AuditDamage damage, int64_t seq) {
    verdict.damage = damage;
    verdict.first_bad_seq = seq;
    return verdict;
  };
  if (!head.has_value()) {
    if (rows.empty()) return verdict;
    return bad(AuditDamage::kAnchorMissing, 1);
  }
  if (head->key_id != AuditKeyId(key)) return bad(AuditDamage::kKeyMismatch, 1);
  std::string prev(kAuditMacBytes, '\0');
  for (size_t i = 0; i < rows.size(); ++i) {
    const AuditRow& row = rows[i];
    const int64_t expected = static_cast<int64_t>(i) + 1;
    if (row.seq > expected) return bad(AuditDamage::kDeleted, expected);
    if (row.seq < expected) return bad(AuditDamage::kInserted, row.seq);
    if (row.mac.size() != kAuditMacBytes || AuditMac(key, prev, row.seq, row.entry) != row.mac) {
      return bad(Classify(key, rows, i, prev, *head), row.seq);
    }
    // The whole chain up to here verifies under the key, yet the anchored row is another one:
    // the log was rebuilt by someone holding the key, or the anchor belongs to another log.
    if (row.seq == head->seq && row.mac != head->mac)
      return bad(AuditDamage::kKeyMismatch, row.seq);
    prev = row.mac;
  }
  if (verdict.rows < head->seq) return bad(AuditDamage::kTruncated, verdict.rows + 1);
  return verdict;
}

namespace audit_internal {

absl::StatusOr<std::string> ReadKeyFile(const std::string& path, bool require_private) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    return MakeError(errors::kAuditUnavailable,
                     absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  struct stat st;
  std::string key(kAuditKeyBytes + 1, '\0');
  ssize_t got = -1;
  absl::Status status;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    status = MakeError(errors::kAuditUnavailable, absl::StrCat(path, ": not a regular file"));
  } else if (require_private && (st.st_mode & 077) != 0) {
    status = MakeError(errors::kAuditUnavailable,
                       absl::StrCat(path, ": readable by group or others (must be mode 0600)"));
  } else {
    size_t done = 0;
    while (done < key.size()) {
      got = ::read(fd, key.data() + done, key.size() - done);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      done += static_cast<size_t>(got);
    }
    if (got < 0) {
      status = MakeError(errors::kAuditUnavailable,
                         absl::StrCat(path, ": cannot read: ", std::strerror(errno)));
    } else if (done != kAuditKeyBytes) {
      status = MakeError(errors::kAuditUnavailable,
                         absl::StrCat(path, ": not a ", kAuditKeyBytes, "-byte key"));
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  key.resize(kAuditKeyBytes);
  return key;
}

absl::StatusOr<std::optional<AuditHead>> ReadHeadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return std::optional<AuditHead>();
    return MakeError(errors::kAuditUnavailable,
                     absl::StrCat(path, ": cannot open: ", std::strerror(errno)));
  }
  std::string text;
  char buffer[512];
  while (text.size() < 4096) {
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    text.append(buffer, static_cast<size_t>(got));
  }
  ::close(fd);
  // An unparsable anchor is treated as a missing one: the verifier reports it.
  return ParseAuditHead(text);
}

absl::Status ReadRows(store_sqlite::Connection& connection, std::vector<AuditRow>* rows) {
  absl::StatusOr<int64_t> has_table = store_sqlite::QueryInt(connection, kHasAuditTable);
  if (!has_table.ok()) return has_table.status();
  if (*has_table == 0) {
    return MakeError(errors::kStoreUnavailable,
                     "the database has no audit_log table (written by an older onshi)");
  }
  if (absl::Status s = connection.Exec(kBeginRead); !s.ok()) return s;
  absl::Status status;
  {
    store_sqlite::Statement query = connection.Prepare(kReadAllRows);
    while (true) {
      absl::StatusOr<bool> row = query.Step();
      if (!row.ok()) {
        status = row.status();
        break;
      }
      if (!*row) break;
      AuditRow out;
      out.seq = query.ColumnInt64(0);
      out.entry.time = absl::FromUnixMicros(query.ColumnInt64(1));
      out.entry.user_id = query.ColumnBlob(2);
      out.entry.operation = query.ColumnBlob(3);
      out.entry.patient_id = query.ColumnBlob(4);
      out.entry.request_id = query.ColumnBlob(5);
      out.entry.outcome_code = query.ColumnBlob(6);
      out.entry.outcome_reason = query.ColumnBlob(7);
      out.mac = query.ColumnBlob(8);
      rows->push_back(std::move(out));
    }
  }
  absl::Status end = connection.Exec(kEndRead);
  if (!status.ok()) return status;
  return end;
}

}  // namespace audit_internal

absl::StatusOr<AuditVerdict> VerifyAuditFiles(const std::string& db_path,
                                              const std::string& state_dir) {
  absl::StatusOr<std::string> key =
      audit_internal::ReadKeyFile(AuditKeyPath(state_dir), /*require_private=*/false);
  if (!key.ok()) return key.status();
  absl::StatusOr<std::optional<AuditHead>> head =
      audit_internal::ReadHeadFile(AuditHeadPath(state_dir));
  if (!head.ok()) return head.status();
  absl::StatusOr<std::unique_ptr<store_sqlite::Connection>> connection =
      store_sqlite::Connection::Open(db_path, store_sqlite::ConnectionOptions{});
  if (!connection.ok()) return connection.status();
  std::vector<AuditRow> rows;
  if (absl::Status s = audit_internal::ReadRows(**connection, &rows); !s.ok()) return s;
  return VerifyAuditChain(*key, rows, *head);
}

}  // namespace onshi
