#include "adapters/store_sqlite/store_internal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"
#include "plugin/core/identity.h"

namespace onshi {
namespace store_sqlite {
namespace {

constexpr absl::string_view kComponent = "store_sqlite";

// --- SQL ----------------------------------------------------------------------------------------
// Every statement is a constant; values are bound (?N), never spliced into the text.

constexpr Sql kInsertPatient{"insert patient",
                             "INSERT INTO patients (patient_id, created_time) VALUES (?1, ?2) "
                             "ON CONFLICT (patient_id) DO NOTHING"};
constexpr Sql kPatientExists{"look up patient", "SELECT 1 FROM patients WHERE patient_id = ?1"};
constexpr Sql kCurrentCoverageVersion{
    "read coverage version",
    "SELECT COALESCE(MAX(version), 0) FROM coverage_versions WHERE patient_id = ?1"};
constexpr Sql kInsertCoverage{
    "insert coverage version",
    "INSERT INTO coverage_versions (patient_id, version, recorded_time, source, check_id, "
    "validity, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
constexpr Sql kCurrentCoverage{"read current coverage",
                               "SELECT content FROM coverage_versions WHERE patient_id = ?1 "
                               "ORDER BY version DESC LIMIT 1"};
constexpr Sql kUpsertConfirmation{
    "upsert confirmation",
    "INSERT INTO confirmations (check_id, patient_id, checked_time, outcome, validity, late, "
    "recorded_time, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
    "ON CONFLICT (check_id) DO UPDATE SET patient_id = excluded.patient_id, "
    "checked_time = excluded.checked_time, outcome = excluded.outcome, "
    "validity = excluded.validity, late = excluded.late, recorded_time = excluded.recorded_time, "
    "content = excluded.content"};
constexpr Sql kReadStoreKey{"read store key", "SELECT value FROM store_keys WHERE name = ?1"};
constexpr Sql kWriteStoreKey{"write store key",
                             "INSERT INTO store_keys (name, value) VALUES (?1, ?2) "
                             "ON CONFLICT (name) DO UPDATE SET value = excluded.value"};
constexpr Sql kDeletePatientIdentities{"delete patient identity",
                                       "DELETE FROM patient_identities WHERE patient_id = ?1"};
constexpr Sql kDeleteAllIdentities{"delete every patient identity",
                                   "DELETE FROM patient_identities"};
constexpr Sql kInsertIdentity{"insert patient identity",
                              "INSERT INTO patient_identities (digest, patient_id) VALUES (?1, ?2) "
                              "ON CONFLICT (digest, patient_id) DO NOTHING"};
constexpr Sql kFindByDigest{"find patients by identity",
                            "SELECT patient_id FROM patient_identities WHERE digest = ?1 "
                            "ORDER BY patient_id"};
// Every patient's newest coverage version.
constexpr Sql kEveryCurrentCoverage{
    "read every current coverage",
    "SELECT patient_id, content FROM coverage_versions AS cv WHERE version = "
    "(SELECT MAX(version) FROM coverage_versions WHERE patient_id = cv.patient_id)"};

// The name of the identity digest key in store_keys.
constexpr absl::string_view kIdentityKeyName = "identity_digest";
constexpr size_t kIdentityKeyBytes = 32;

constexpr int64_t kInfiniteFutureMicros = std::numeric_limits<int64_t>::max();
constexpr int64_t kInfinitePastMicros = std::numeric_limits<int64_t>::min();

// Bytes that must not linger in freed memory (the digest key, the clear identity key).
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(std::string bytes) : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes&) = delete;
  SecretBytes& operator=(const SecretBytes&) = delete;
  ~SecretBytes() { Wipe(); }

  const std::string& bytes() const { return bytes_; }
  void Assign(std::string bytes) {
    Wipe();
    bytes_ = std::move(bytes);
  }

 private:
  void Wipe() {
    if (!bytes_.empty()) OPENSSL_cleanse(bytes_.data(), bytes_.size());
  }
  std::string bytes_;
};

absl::Status ReadIdentityKey(Connection& connection, SecretBytes* key) {
  Statement query = connection.Prepare(kReadStoreKey);
  query.BindText(1, kIdentityKeyName);
  absl::StatusOr<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    return MakeError(errors::kStoreUnavailable,
                     "store_keys holds no identity digest key; restart onshid, which creates a "
                     "new key and recomputes every identity digest");
  }
  key->Assign(query.ColumnBlob(0));
  if (key->bytes().size() != kIdentityKeyBytes) {
    return MakeError(errors::kInternal,
                     "the identity digest key in store_keys has the wrong length; the database "
                     "is damaged or was edited");
  }
  return absl::OkStatus();
}

// HMAC-SHA256(key, IdentityKey(identifiers, birth_date)): 32 bytes.
absl::StatusOr<std::string> IdentityDigest(const SecretBytes& key,
                                           const v1::InsuranceIdentifiers& identifiers,
                                           absl::string_view birth_date) {
  const SecretBytes input(IdentityKey(identifiers, birth_date));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.bytes().data(), static_cast<int>(key.bytes().size()),
           reinterpret_cast<const unsigned char*>(input.bytes().data()), input.bytes().size(),
           digest, &length) == nullptr ||
      length != 32) {
    return MakeError(errors::kInternal, "OpenSSL HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

// Makes `coverage` the patient's one identity row (none for an incomplete identity).
absl::Status ReplaceIdentity(Connection& connection, const SecretBytes& key,
                             const std::string& patient_id,
                             const v1::QualificationRecord& coverage) {
  {
    Statement clear = connection.Prepare(kDeletePatientIdentities);
    clear.BindBlob(1, patient_id);
    absl::Status cleared = clear.Run();
    if (!cleared.ok()) return cleared;
  }
  if (!IsCompleteIdentity(coverage.identifiers(), coverage.birth_date())) return absl::OkStatus();
  absl::StatusOr<std::string> digest =
      IdentityDigest(key, coverage.identifiers(), coverage.birth_date());
  if (!digest.ok()) return digest.status();
  Statement insert = connection.Prepare(kInsertIdentity);
  insert.BindBlob(1, *digest);
  insert.BindBlob(2, patient_id);
  return insert.Run();
}

absl::Status FillRandom(char* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    const ssize_t got = getrandom(out + done, size - done, 0);
    if (got > 0) {
      done += static_cast<size_t>(got);
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      const int error = errno;
      return MakeError(
          errors::kStoreUnavailable,
          absl::StrCat("getrandom failed creating the identity digest key (",
                       strerrorname_np(error) != nullptr ? strerrorname_np(error) : "unknown errno",
                       ")"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

// --- Values -------------------------------------------------------------------------------------

int64_t ToMicros(absl::Time time) {
  if (time == absl::InfiniteFuture()) return kInfiniteFutureMicros;
  if (time == absl::InfinitePast()) return kInfinitePastMicros;
  return absl::ToUnixMicros(time);
}

absl::Time FromMicros(int64_t micros) {
  if (micros == kInfiniteFutureMicros) return absl::InfiniteFuture();
  if (micros == kInfinitePastMicros) return absl::InfinitePast();
  return absl::FromUnixMicros(micros);
}

bool IsSet(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() != 0 || timestamp.nanos() != 0;
}

google::protobuf::Timestamp ToTimestamp(int64_t micros) {
  google::protobuf::Timestamp timestamp;
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(rest * 1000));
  return timestamp;
}

int64_t TimestampMicros(const google::protobuf::Timestamp& timestamp) {
  return ToMicros(absl::FromUnixSeconds(timestamp.seconds()) +
                  absl::Nanoseconds(timestamp.nanos()));
}

absl::Status InvalidArgument(absl::string_view detail) {
  return MakeError(errors::kInvalidArgument, detail);
}

absl::Status Encode(const google::protobuf::MessageLite& message, absl::string_view what,
                    std::string* out) {
  out->clear();
  bool written;
  {
    google::protobuf::io::StringOutputStream stream(out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    written = message.SerializePartialToCodedStream(&coded) && !coded.HadError();
  }
  if (!written) {
    return MakeError(errors::kInternal, absl::StrCat("cannot serialize ", what));
  }
  // proto3 refuses to parse a string field that is not UTF-8: a blob that cannot be read back
  // would make its row unreadable forever.
  std::unique_ptr<google::protobuf::MessageLite> check(message.New());
  if (!check->ParseFromString(*out)) {
    return InvalidArgument(absl::StrCat(what, " holds a string that is not valid UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status Decode(const std::string& bytes, absl::string_view what,
                    google::protobuf::MessageLite* message) {
  if (message->ParseFromString(bytes)) return absl::OkStatus();
  return MakeError(errors::kInternal,
                   absl::StrCat("stored ", what,
                                " does not parse; the database is damaged or was written by "
                                "other software"));
}

absl::StatusOr<int64_t> QueryInt(Connection& connection, const Sql& sql) {
  Statement statement = connection.Prepare(sql);
  absl::StatusOr<bool> row = statement.Step();
  if (!row.ok()) return row.status();
  if (!*row) return StoreError(SQLITE_EMPTY, sql.label);
  return statement.ColumnInt64(0);
}

// --- Record helpers -----------------------------------------------------------------------------

absl::Status EnsurePatient(Connection& connection, const std::string& patient_id, int64_t now) {
  if (patient_id.empty()) return InvalidArgument("patient_id is empty");
  Statement insert = connection.Prepare(kInsertPatient);
  insert.BindBlob(1, patient_id);
  insert.BindInt64(2, now);
  return insert.Run();
}

absl::StatusOr<bool> PatientExists(Connection& connection, const std::string& patient_id) {
  Statement query = connection.Prepare(kPatientExists);
  query.BindBlob(1, patient_id);
  return query.Step();
}

namespace {

absl::Status RequirePatient(Connection& connection, const std::string& patient_id) {
  if (patient_id.empty()) return InvalidArgument("patient_id is empty");
  absl::StatusOr<bool> exists = PatientExists(connection, patient_id);
  if (!exists.ok()) return exists.status();
  if (!*exists) return MakeError(errors::kPatientNotFound);
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckConfirmation(absl::string_view check_id, const v1::Confirmation& confirmation) {
  if (check_id.empty()) return InvalidArgument("the confirmation's check id is empty");
  if (!confirmation.request_id().empty() && confirmation.request_id() != check_id) {
    return InvalidArgument("confirmation.request_id names another check");
  }
  return absl::OkStatus();
}

absl::Status WriteConfirmation(Connection& connection, const std::string& check_id,
                               const std::string& patient_id, int64_t checked_time,
                               const v1::Confirmation& confirmation, int64_t now) {
  absl::Status status = CheckConfirmation(check_id, confirmation);
  if (!status.ok()) return status;
  std::string content;
  {
    v1::Confirmation filled = confirmation;
    filled.set_request_id(check_id);
    status = Encode(filled, "confirmation", &content);
    if (!status.ok()) return status;
  }
  status = RequirePatient(connection, patient_id);
  if (!status.ok()) return status;
  Statement upsert = connection.Prepare(kUpsertConfirmation);
  upsert.BindBlob(1, check_id);
  upsert.BindBlob(2, patient_id);
  upsert.BindInt64(3, checked_time);
  upsert.BindInt64(4, static_cast<int64_t>(confirmation.outcome()));
  upsert.BindInt64(5, static_cast<int64_t>(confirmation.validity()));
  upsert.BindInt64(6, confirmation.late() ? 1 : 0);
  upsert.BindInt64(7, now);
  upsert.BindBlob(8, content);
  return upsert.Run();
}

absl::Status CheckCoverageUpdate(const CoverageUpdate& update) {
  if (update.expected_version < 0 ||
      update.expected_version == std::numeric_limits<int64_t>::max() ||
      update.version.version() != update.expected_version + 1) {
    return InvalidArgument("coverage.version.version must be expected_version + 1 (>= 1)");
  }
  return absl::OkStatus();
}

absl::Status WriteCoverageVersion(Connection& connection, const std::string& patient_id,
                                  const std::string& check_id, const CoverageUpdate& update,
                                  int64_t now) {
  absl::Status status = CheckCoverageUpdate(update);
  if (!status.ok()) return status;
  if (check_id.empty()) return InvalidArgument("the coverage version's check id is empty");
  v1::CoverageVersion filled = update.version;
  if (!IsSet(filled.recorded_time())) *filled.mutable_recorded_time() = ToTimestamp(now);
  std::string content;
  status = Encode(filled, "coverage.version", &content);
  if (!status.ok()) return status;

  status = RequirePatient(connection, patient_id);
  if (!status.ok()) return status;
  {
    Statement version = connection.Prepare(kCurrentCoverageVersion);
    version.BindBlob(1, patient_id);
    absl::StatusOr<bool> row = version.Step();
    if (!row.ok()) return row.status();
    const int64_t current = *row ? version.ColumnInt64(0) : 0;
    if (current != update.expected_version) {
      return MakeError(errors::kStoreConflict,
                       absl::StrCat("the patient's coverage is at version ", current,
                                    ", not the expected ", update.expected_version));
    }
  }
  {
    Statement insert = connection.Prepare(kInsertCoverage);
    insert.BindBlob(1, patient_id);
    insert.BindInt64(2, filled.version());
    insert.BindInt64(3, TimestampMicros(filled.recorded_time()));
    insert.BindInt64(4, static_cast<int64_t>(filled.provenance().source()));
    insert.BindBlob(5, check_id);
    insert.BindInt64(6, static_cast<int64_t>(filled.validity()));
    insert.BindBlob(7, content);
    status = insert.Run();
    if (!status.ok()) return status;
  }
  SecretBytes key;
  status = ReadIdentityKey(connection, &key);
  if (!status.ok()) return status;
  return ReplaceIdentity(connection, key, patient_id, filled.coverage());
}

absl::StatusOr<std::optional<v1::CoverageVersion>> ReadCurrentCoverage(
    Connection& connection, const std::string& patient_id) {
  Statement query = connection.Prepare(kCurrentCoverage);
  query.BindBlob(1, patient_id);
  absl::StatusOr<bool> row = query.Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<v1::CoverageVersion>();
  v1::CoverageVersion coverage;
  absl::Status status = Decode(query.ColumnBlob(0), "coverage_versions.content", &coverage);
  if (!status.ok()) return status;
  return std::optional<v1::CoverageVersion>(std::move(coverage));
}

absl::StatusOr<std::vector<std::string>> FindPatientsByIdentity(
    Connection& connection, const v1::InsuranceIdentifiers& identifiers,
    absl::string_view birth_date) {
  std::vector<std::string> found;
  if (!IsCompleteIdentity(identifiers, birth_date)) return found;
  SecretBytes key;
  absl::Status status = ReadIdentityKey(connection, &key);
  if (!status.ok()) return status;
  absl::StatusOr<std::string> digest = IdentityDigest(key, identifiers, birth_date);
  if (!digest.ok()) return digest.status();
  std::vector<std::string> candidates;
  {
    Statement query = connection.Prepare(kFindByDigest);
    query.BindBlob(1, *digest);
    while (true) {
      absl::StatusOr<bool> row = query.Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      candidates.push_back(query.ColumnBlob(0));
    }
  }
  // The digest only narrows the search; each candidate's current coverage decides, so a stale
  // or forged index row can never make a patient match.
  const SecretBytes wanted(IdentityKey(identifiers, birth_date));
  for (std::string& candidate : candidates) {
    absl::StatusOr<std::optional<v1::CoverageVersion>> current =
        ReadCurrentCoverage(connection, candidate);
    if (!current.ok()) return current.status();
    if (!current->has_value()) continue;
    const v1::QualificationRecord& coverage = (*current)->coverage();
    const SecretBytes have(IdentityKey(coverage.identifiers(), coverage.birth_date()));
    if (have.bytes() == wanted.bytes()) found.push_back(std::move(candidate));
  }
  return found;
}

// --- Identity digest key ------------------------------------------------------------------------

absl::StatusOr<bool> HasIdentityKey(Connection& connection) {
  Statement query = connection.Prepare(kReadStoreKey);
  query.BindText(1, kIdentityKeyName);
  return query.Step();
}

absl::Status InstallIdentityKey(Connection& connection) {
  SecretBytes key;
  {
    std::string bytes(kIdentityKeyBytes, '\0');
    absl::Status random = FillRandom(bytes.data(), bytes.size());
    key.Assign(std::move(bytes));
    if (!random.ok()) return random;
  }
  {
    Statement write = connection.Prepare(kWriteStoreKey);
    write.BindText(1, kIdentityKeyName);
    write.BindBlob(2, key.bytes());
    absl::Status written = write.Run();
    if (!written.ok()) return written;
  }
  absl::Status status = connection.Exec(kDeleteAllIdentities);
  if (!status.ok()) return status;
  int64_t patients = 0;
  Statement coverages = connection.Prepare(kEveryCurrentCoverage);
  while (true) {
    absl::StatusOr<bool> row = coverages.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string patient_id = coverages.ColumnBlob(0);
    v1::CoverageVersion coverage;
    status = Decode(coverages.ColumnBlob(1), "coverage_versions.content", &coverage);
    if (!status.ok()) return status;
    status = ReplaceIdentity(connection, key, patient_id, coverage.coverage());
    if (!status.ok()) return status;
    ++patients;
  }
  Log(LogLevel::kInfo, kComponent,
      "created the identity digest key; recomputed the identity digests of ", patients,
      " patient(s) with coverage");
  return absl::OkStatus();
}

}  // namespace store_sqlite
}  // namespace onshi
