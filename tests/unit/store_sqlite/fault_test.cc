// C2-style fault injection (reliability.md §3 C) through a shim VFS over SQLite's default one,
// and lock timeouts: a failed write or fsync leaves no trace of its transaction, is reported as
// ONSHI_STORE_UNAVAILABLE, and closes the store for writes (fail closed).

#include <sqlite3.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <string>

#include "adapters/store_sqlite/sqlite_store.h"
#include "adapters/store_sqlite/store_internal.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using ::testing::HasSubstr;
using testing_support::FakeClock;
using testing_support::MakeAnswer;
using testing_support::MakeConfirmation;
using testing_support::MakeCoverage;
using testing_support::MakeEntry;
using testing_support::RawDb;
using testing_support::Reason;
using testing_support::ScopedTempDir;

// --- The shim VFS -------------------------------------------------------------------------------

constexpr char kFaultyVfs[] = "onshi_faulty";

std::atomic<bool> fail_sync{false};
std::atomic<bool> fail_wal_write{false};

sqlite3_vfs* real_vfs = nullptr;
sqlite3_vfs faulty_vfs;
sqlite3_io_methods faulty_methods;

struct ShimFile {
  sqlite3_file base;
  sqlite3_file* real;
  bool is_wal;
};

sqlite3_file* Real(sqlite3_file* file) { return reinterpret_cast<ShimFile*>(file)->real; }

int ShimClose(sqlite3_file* f) { return Real(f)->pMethods->xClose(Real(f)); }
int ShimRead(sqlite3_file* f, void* buffer, int amount, sqlite3_int64 offset) {
  return Real(f)->pMethods->xRead(Real(f), buffer, amount, offset);
}
int ShimWrite(sqlite3_file* f, const void* buffer, int amount, sqlite3_int64 offset) {
  if (reinterpret_cast<ShimFile*>(f)->is_wal && fail_wal_write.load()) return SQLITE_IOERR_WRITE;
  return Real(f)->pMethods->xWrite(Real(f), buffer, amount, offset);
}
int ShimTruncate(sqlite3_file* f, sqlite3_int64 size) {
  return Real(f)->pMethods->xTruncate(Real(f), size);
}
int ShimSync(sqlite3_file* f, int flags) {
  if (fail_sync.load()) return SQLITE_IOERR_FSYNC;
  return Real(f)->pMethods->xSync(Real(f), flags);
}
int ShimFileSize(sqlite3_file* f, sqlite3_int64* size) {
  return Real(f)->pMethods->xFileSize(Real(f), size);
}
int ShimLock(sqlite3_file* f, int level) { return Real(f)->pMethods->xLock(Real(f), level); }
int ShimUnlock(sqlite3_file* f, int level) { return Real(f)->pMethods->xUnlock(Real(f), level); }
int ShimCheckReservedLock(sqlite3_file* f, int* out) {
  return Real(f)->pMethods->xCheckReservedLock(Real(f), out);
}
int ShimFileControl(sqlite3_file* f, int op, void* arg) {
  return Real(f)->pMethods->xFileControl(Real(f), op, arg);
}
int ShimSectorSize(sqlite3_file* f) { return Real(f)->pMethods->xSectorSize(Real(f)); }
int ShimDeviceCharacteristics(sqlite3_file* f) {
  return Real(f)->pMethods->xDeviceCharacteristics(Real(f));
}
int ShimShmMap(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return Real(f)->pMethods->xShmMap(Real(f), region, size, extend, out);
}
int ShimShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Real(f)->pMethods->xShmLock(Real(f), offset, n, flags);
}
void ShimShmBarrier(sqlite3_file* f) { Real(f)->pMethods->xShmBarrier(Real(f)); }
int ShimShmUnmap(sqlite3_file* f, int delete_flag) {
  return Real(f)->pMethods->xShmUnmap(Real(f), delete_flag);
}
int ShimFetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  return Real(f)->pMethods->xFetch(Real(f), offset, amount, out);
}
int ShimUnfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return Real(f)->pMethods->xUnfetch(Real(f), offset, page);
}

int ShimOpen(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out_flags) {
  auto* shim = reinterpret_cast<ShimFile*>(file);
  shim->real = reinterpret_cast<sqlite3_file*>(shim + 1);
  shim->is_wal = (flags & SQLITE_OPEN_WAL) != 0;
  const int rc = real_vfs->xOpen(real_vfs, name, shim->real, flags, out_flags);
  // SQLite calls xClose whenever pMethods is set, even after a failed open.
  shim->base.pMethods = shim->real->pMethods != nullptr ? &faulty_methods : nullptr;
  return rc;
}
int ShimDelete(sqlite3_vfs*, const char* name, int sync_dir) {
  return real_vfs->xDelete(real_vfs, name, sync_dir);
}
int ShimAccess(sqlite3_vfs*, const char* name, int flags, int* out) {
  return real_vfs->xAccess(real_vfs, name, flags, out);
}
int ShimFullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  return real_vfs->xFullPathname(real_vfs, name, size, out);
}
int ShimRandomness(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xRandomness(real_vfs, size, out);
}
int ShimSleep(sqlite3_vfs*, int micros) { return real_vfs->xSleep(real_vfs, micros); }
int ShimCurrentTime(sqlite3_vfs*, double* out) { return real_vfs->xCurrentTime(real_vfs, out); }
int ShimGetLastError(sqlite3_vfs*, int size, char* out) {
  return real_vfs->xGetLastError(real_vfs, size, out);
}
int ShimCurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* out) {
  return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

void RegisterFaultyVfs() {
  static std::once_flag once;
  std::call_once(once, [] {
    real_vfs = sqlite3_vfs_find(nullptr);
    std::memset(&faulty_methods, 0, sizeof(faulty_methods));
    faulty_methods.iVersion = 3;
    faulty_methods.xClose = ShimClose;
    faulty_methods.xRead = ShimRead;
    faulty_methods.xWrite = ShimWrite;
    faulty_methods.xTruncate = ShimTruncate;
    faulty_methods.xSync = ShimSync;
    faulty_methods.xFileSize = ShimFileSize;
    faulty_methods.xLock = ShimLock;
    faulty_methods.xUnlock = ShimUnlock;
    faulty_methods.xCheckReservedLock = ShimCheckReservedLock;
    faulty_methods.xFileControl = ShimFileControl;
    faulty_methods.xSectorSize = ShimSectorSize;
    faulty_methods.xDeviceCharacteristics = ShimDeviceCharacteristics;
    faulty_methods.xShmMap = ShimShmMap;
    faulty_methods.xShmLock = ShimShmLock;
    faulty_methods.xShmBarrier = ShimShmBarrier;
    faulty_methods.xShmUnmap = ShimShmUnmap;
    faulty_methods.xFetch = ShimFetch;
    faulty_methods.xUnfetch = ShimUnfetch;
    std::memset(&faulty_vfs, 0, sizeof(faulty_vfs));
    faulty_vfs.iVersion = 2;
    faulty_vfs.szOsFile = static_cast<int>(sizeof(ShimFile)) + real_vfs->szOsFile;
    faulty_vfs.mxPathname = real_vfs->mxPathname;
    faulty_vfs.zName = kFaultyVfs;
    faulty_vfs.xOpen = ShimOpen;
    faulty_vfs.xDelete = ShimDelete;
    faulty_vfs.xAccess = ShimAccess;
    faulty_vfs.xFullPathname = ShimFullPathname;
    faulty_vfs.xRandomness = ShimRandomness;
    faulty_vfs.xSleep = ShimSleep;
    faulty_vfs.xCurrentTime = ShimCurrentTime;
    faulty_vfs.xGetLastError = ShimGetLastError;
    faulty_vfs.xCurrentTimeInt64 = ShimCurrentTimeInt64;
    ASSERT_EQ(sqlite3_vfs_register(&faulty_vfs, /*makeDflt=*/0), SQLITE_OK);
  });
}

// --- Tests --------------------------------------------------------------------------------------

enum class Fault { kSync, kWalWrite };
enum class Shape { kCreate, kTransitionWithCoverage };

struct FaultCase {
  Fault fault;
  Shape shape;
};

class SqliteStoreFaultTest : public ::testing::TestWithParam<FaultCase> {
 protected:
  void SetUp() override { RegisterFaultyVfs(); }
  void TearDown() override {
    fail_sync.store(false);
    fail_wal_write.store(false);
  }
};

TEST_P(SqliteStoreFaultTest, FailedWriteLeavesNoTraceAndClosesTheStoreForWrites) {
  const FaultCase param = GetParam();
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  SqliteStoreOptions options;
  options.vfs = kFaultyVfs;
  RawDb::Counts before;
  {
    auto opened = SqliteStore::Open(path, &clock, options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    SqliteStore& store = **opened;
    ASSERT_TRUE(store.CreateRequest(MakeEntry("req-00000001", "P1"), nullptr).ok());
    {
      RawDb raw(path);
      before = raw.RowCounts();
    }

    (param.fault == Fault::kSync ? fail_sync : fail_wal_write).store(true);
    absl::Status status;
    if (param.shape == Shape::kCreate) {
      status = store.CreateRequest(MakeEntry("req-00000002", "P2"), nullptr).status();
    } else {
      LedgerTransition answer = MakeAnswer("req-00000001", "x");
      answer.coverage = MakeCoverage(0, "x");
      status = store.ApplyTransition(answer);
    }
    fail_sync.store(false);
    fail_wal_write.store(false);
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
    EXPECT_EQ(Reason(status), "ONSHI_STORE_UNAVAILABLE");
    EXPECT_THAT(status.message(), HasSubstr(param.fault == Fault::kSync ? "SQLITE_IOERR_FSYNC"
                                                                        : "SQLITE_IOERR_WRITE"));

    // Fail closed: no more writes from this instance, even with the disk healthy again.
    absl::Status later = store.CreateRequest(MakeEntry("req-00000003"), nullptr).status();
    EXPECT_EQ(Reason(later), "ONSHI_STORE_UNAVAILABLE");
    EXPECT_THAT(later.message(), HasSubstr("writes stay refused"));
    EXPECT_EQ(Reason(store.CheckHealth()), "ONSHI_STORE_UNAVAILABLE");
    // Reads go on and see the state before the failed transaction.
    absl::StatusOr<std::optional<LedgerEntry>> found = store.FindRequest("req-00000001");
    ASSERT_TRUE(found.ok()) << found.status();
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->state, LedgerState::kPending);
  }
  // A new instance: the file is intact, the failed transaction absent, writes accepted again.
  auto reopened = SqliteStore::Open(path, &clock);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->CheckIntegrity().ok());
  RawDb raw(path);
  EXPECT_EQ(raw.RowCounts(), before);
  EXPECT_EQ((**(*reopened)->FindRequest("req-00000001")).state, LedgerState::kPending);
  EXPECT_TRUE((*reopened)->CreateRequest(MakeEntry("req-00000004"), nullptr).ok());
}

INSTANTIATE_TEST_SUITE_P(
    AllFaults, SqliteStoreFaultTest,
    ::testing::Values(FaultCase{Fault::kSync, Shape::kCreate},
                      FaultCase{Fault::kSync, Shape::kTransitionWithCoverage},
                      FaultCase{Fault::kWalWrite, Shape::kCreate},
                      FaultCase{Fault::kWalWrite, Shape::kTransitionWithCoverage}),
    [](const ::testing::TestParamInfo<FaultCase>& info) {
      return std::string(info.param.fault == Fault::kSync ? "Fsync" : "WalWrite") +
             (info.param.shape == Shape::kCreate ? "DuringCreate" : "DuringTransition");
    });

// The extension API (store_internal.h) shares the store's fail-closed state both ways.
class SqliteStoreExtensionFaultTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { RegisterFaultyVfs(); }
  void TearDown() override { fail_sync.store(false); }
};

TEST_P(SqliteStoreExtensionFaultTest, FailedWriteClosesTheStoreForEveryWriter) {
  const bool fault_in_body = GetParam();
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  SqliteStoreOptions options;
  options.vfs = kFaultyVfs;
  using store_sqlite::Connection;
  using store_sqlite::StoreAccess;
  RawDb::Counts before;
  {
    auto opened = SqliteStore::Open(path, &clock, options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    SqliteStore& store = **opened;
    auto record_checkin = [&](const std::string& event_id) {
      return StoreAccess::RunInTransaction(store, /*write=*/true, [&](Connection& c) {
        const int64_t now = store_sqlite::ToMicros(clock.Now());
        absl::Status status = store_sqlite::EnsurePatient(c, "P1", now);
        if (status.ok()) {
          status = store_sqlite::WriteCoverageVersion(c, "P1", event_id, MakeCoverage(0, "x"), now);
        }
        if (status.ok()) {
          status = store_sqlite::WriteConfirmation(
              c, event_id, "P1", now, MakeConfirmation(v1::CHECK_OUTCOME_ANSWERED, false), now);
        }
        return status;
      });
    };
    ASSERT_TRUE(store.CreateRequest(MakeEntry("req-00000001", "P0"), nullptr).ok());
    {
      RawDb raw(path);
      before = raw.RowCounts();
    }

    fail_sync.store(true);
    absl::Status status = fault_in_body
                              ? record_checkin("evt-1")
                              : store.CreateRequest(MakeEntry("req-00000002"), nullptr).status();
    fail_sync.store(false);
    EXPECT_EQ(Reason(status), "ONSHI_STORE_UNAVAILABLE");
    EXPECT_THAT(status.message(), HasSubstr("SQLITE_IOERR_FSYNC"));

    // Every writer is refused now, the API's before its body runs, the store's methods too.
    bool ran = false;
    absl::Status later = StoreAccess::RunInTransaction(store, /*write=*/true, [&](Connection&) {
      ran = true;
      return absl::OkStatus();
    });
    EXPECT_FALSE(ran);
    EXPECT_THAT(later.message(), HasSubstr("writes stay refused"));
    EXPECT_THAT(record_checkin("evt-2").message(), HasSubstr("writes stay refused"));
    EXPECT_THAT(store.CreateRequest(MakeEntry("req-00000003"), nullptr).status().message(),
                HasSubstr("writes stay refused"));
    // Reads go on, through the API as through the store.
    absl::Status read = StoreAccess::RunInTransaction(store, /*write=*/false, [&](Connection& c) {
      absl::StatusOr<bool> exists = store_sqlite::PatientExists(c, "P0");
      if (!exists.ok()) return exists.status();
      EXPECT_TRUE(*exists);
      return absl::OkStatus();
    });
    EXPECT_TRUE(read.ok()) << read;
    EXPECT_TRUE(store.GetPatientRecord("P0").ok());
  }
  auto reopened = SqliteStore::Open(path, &clock);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  EXPECT_TRUE((*reopened)->CheckIntegrity().ok());
  RawDb raw(path);
  EXPECT_EQ(raw.RowCounts(), before);
}

INSTANTIATE_TEST_SUITE_P(BothWays, SqliteStoreExtensionFaultTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "FaultInABody" : "FaultInTheStore");
                         });

TEST(SqliteStoreLockTest, WriteLockHeldPastTheBusyTimeoutIsUnavailableAndRetryable) {
  ScopedTempDir dir;
  FakeClock clock;
  const std::string path = dir.File("onshi.db");
  SqliteStoreOptions options;
  options.busy_timeout = absl::Milliseconds(100);
  auto opened = SqliteStore::Open(path, &clock, options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  SqliteStore& store = **opened;
  ASSERT_TRUE(store.CreateRequest(MakeEntry("req-00000001", "P1"), nullptr).ok());

  RawDb other(path);
  ASSERT_EQ(other.Exec("BEGIN IMMEDIATE"), SQLITE_OK);
  absl::Status blocked = store.CreateRequest(MakeEntry("req-00000002"), nullptr).status();
  EXPECT_EQ(blocked.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Reason(blocked), "ONSHI_STORE_UNAVAILABLE");
  EXPECT_THAT(blocked.message(), HasSubstr("SQLITE_BUSY"));
  EXPECT_TRUE(ToErrorDetail(blocked).retryable());
  // Readers are not blocked by a writer (WAL).
  absl::StatusOr<v1::PatientRecord> record = store.GetPatientRecord("P1");
  EXPECT_TRUE(record.ok()) << record.status();
  ASSERT_EQ(other.Exec("COMMIT"), SQLITE_OK);

  // A busy failure is not a write failure: the store goes on writing.
  EXPECT_TRUE(store.CreateRequest(MakeEntry("req-00000002"), nullptr).ok());
  EXPECT_TRUE(store.CheckHealth().ok());
}

}  // namespace
}  // namespace onshi
