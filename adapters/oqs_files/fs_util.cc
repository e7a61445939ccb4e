#include "adapters/oqs_files/fs_util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "absl/strings/str_cat.h"
#include "adapters/oqs_files/file_names.h"
#include "plugin/common/ids.h"

namespace onshi::oqs {
namespace {

int64_t Nanos(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + static_cast<int64_t>(ts.tv_nsec);
}

// How many alternative names MoveIntoPrivateDir tries when the plain name is taken.
constexpr int kNameAttempts = 8;

int CopyToPrivateDir(int source_fd, size_t max_copy_bytes, int to_dir, const std::string& name,
                     std::string* stored_name) {
  std::string bytes;
  bool over_limit = false;
  if (int err = ReadFromStart(source_fd, max_copy_bytes, &bytes, &over_limit)) return err;
  if (over_limit) return EFBIG;
  std::string temp = TempFileName("");
  UniqueFd out;
  if (int err = CreateExclusive(to_dir, temp, 0600, &out)) return err;
  int err = WriteAll(out.get(), bytes);
  if (err == 0) err = FsyncFd(out.get());
  out.reset();
  if (err == 0) {
    err = EEXIST;
    for (int attempt = 0; attempt < kNameAttempts && err == EEXIST; ++attempt) {
      std::string candidate = attempt == 0 ? name : absl::StrCat(name, ".", NewFileId());
      err = RenameNoReplace(to_dir, temp, to_dir, candidate);
      if (err == 0) *stored_name = candidate;
    }
  }
  if (err != 0) {
    unlinkat(to_dir, temp.c_str(), 0);
    return err;
  }
  return FsyncDirectory(to_dir);
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

void UniqueFd::reset(int fd) {
  // close() is not retried on EINTR: on Linux the descriptor is released either way.
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

std::string ErrnoName(int err) {
  if (const char* name = strerrorname_np(err)) return name;
  return absl::StrCat("errno ", err);
}

FileStamp StampOf(const struct stat& st) {
  FileStamp stamp;
  stamp.dev = st.st_dev;
  stamp.ino = st.st_ino;
  stamp.size = st.st_size;
  stamp.mtime_ns = Nanos(st.st_mtim);
  stamp.ctime_ns = Nanos(st.st_ctim);
  return stamp;
}

int StatEntry(int dirfd, const std::string& name, struct stat* st) {
  if (fstatat(dirfd, name.c_str(), st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  return 0;
}

int OpenDirectory(int dirfd, const std::string& name, bool nofollow, UniqueFd* out) {
  int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0);
  int fd;
  do {
    fd = openat(dirfd, name.c_str(), flags);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  out->reset(fd);
  return 0;
}

int OpenRegularForRead(int dirfd, const std::string& name, const FileStamp* expected, UniqueFd* out,
                       struct stat* st) {
  int fd;
  do {
    // O_NONBLOCK: should the entry have become a FIFO or a device since it was checked, the open
    // returns at once instead of waiting for a writer.
    fd = openat(dirfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  UniqueFd owned(fd);
  if (fstat(fd, st) != 0) return errno;
  if (!S_ISREG(st->st_mode) || st->st_nlink != 1) return EINVAL;
  if (expected != nullptr && (st->st_dev != expected->dev || st->st_ino != expected->ino)) {
    return EINVAL;
  }
  *out = std::move(owned);
  return 0;
}

int ReadFromStart(int fd, size_t max_bytes, std::string* out, bool* over_limit) {
  out->clear();
  *over_limit = false;
  char buffer[64 * 1024];
  off_t offset = 0;
  for (;;) {
    ssize_t got = pread(fd, buffer, sizeof(buffer), offset);
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (got == 0) return 0;
    offset += got;
    if (out->size() + static_cast<size_t>(got) > max_bytes) {
      *over_limit = true;
      out->clear();
      return 0;
    }
    out->append(buffer, static_cast<size_t>(got));
  }
}

int WriteAll(int fd, absl::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t put = write(fd, p, left);
    if (put < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (put == 0) return EIO;  // A regular file never accepts nothing; do not spin.
    p += put;
    left -= static_cast<size_t>(put);
  }
  return 0;
}

int FsyncFd(int fd) {
  int rc;
  do {
    rc = fsync(fd);
  } while (rc != 0 && errno == EINTR);
  return rc == 0 ? 0 : errno;
}

int FsyncDirectory(int dirfd) {
  int err = FsyncFd(dirfd);
  if (err == EINVAL || err == ENOTSUP || err == EOPNOTSUPP) return 0;
  return err;
}

int RenameNoReplace(int from_dir, const std::string& from, int to_dir, const std::string& to) {
  if (renameat2(from_dir, from.c_str(), to_dir, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  int err = errno;
  if (err != EINVAL && err != ENOSYS && err != ENOTSUP && err != EOPNOTSUPP) return err;
  // No RENAME_NOREPLACE here: link() refuses an existing target just as atomically.
  if (linkat(from_dir, from.c_str(), to_dir, to.c_str(), 0) != 0) return errno;
  unlinkat(from_dir, from.c_str(), 0);
  return 0;
}

int CreateExclusive(int dirfd, const std::string& name, mode_t mode, UniqueFd* out) {
  int fd;
  do {
    fd = openat(dirfd, name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return errno;
  out->reset(fd);
  return 0;
}

std::string TempFileName(absl::string_view tag) {
  return absl::StrCat(kTempFilePrefix, tag, tag.empty() ? "" : "-", NewFileId());
}

int OpenPrivateDirectory(const std::string& path, UniqueFd* out, std::string* problem) {
  if (mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    int err = errno;
    *problem = absl::StrCat("cannot create (", ErrnoName(err), ")");
    return err;
  }
  UniqueFd dir;
  if (int err = OpenDirectory(AT_FDCWD, path, /*nofollow=*/true, &dir)) {
    *problem = err == ELOOP || err == ENOTDIR ? "is not a directory (or is a symlink)"
                                              : absl::StrCat("cannot open (", ErrnoName(err), ")");
    return err;
  }
  struct stat st;
  if (fstat(dir.get(), &st) != 0) {
    int err = errno;
    *problem = absl::StrCat("cannot stat (", ErrnoName(err), ")");
    return err;
  }
  if (st.st_uid != geteuid()) {
    *problem = "is not owned by the service user";
    return EPERM;
  }
  if ((st.st_mode & 077) != 0) {
    *problem = "is accessible to group or others (must be 0700)";
    return EPERM;
  }
  *out = std::move(dir);
  return 0;
}

int MoveIntoPrivateDir(int from_dir, const std::string& name, int source_fd,
                       const FileStamp* source_stamp, size_t max_copy_bytes, int to_dir,
                       MoveResult* result) {
  *result = MoveResult();
  struct stat st;
  if (int err = StatEntry(from_dir, name, &st)) return err;
  if (source_stamp != nullptr && StampOf(st) != *source_stamp) return ESTALE;
  const bool regular = S_ISREG(st.st_mode);

  int err = EEXIST;
  for (int attempt = 0; attempt < kNameAttempts && err == EEXIST; ++attempt) {
    std::string candidate = attempt == 0 ? name : absl::StrCat(name, ".", NewFileId());
    err = RenameNoReplace(from_dir, name, to_dir, candidate);
    if (err == 0) result->stored_name = candidate;
  }
  if (err == 0) {
    if (regular && source_fd >= 0) fchmod(source_fd, 0600);
    return FsyncDirectory(to_dir);
  }
  if (err != EXDEV) return err;

  if (regular && source_fd >= 0 && source_stamp != nullptr &&
      static_cast<uint64_t>(st.st_size) <= max_copy_bytes) {
    std::string stored;
    if (int copy_err = CopyToPrivateDir(source_fd, max_copy_bytes, to_dir, name, &stored)) {
      return copy_err;
    }
    int unlink_err = UnlinkIfSame(from_dir, name, *source_stamp);
    if (unlink_err != 0 && unlink_err != ENOENT && unlink_err != ESTALE) {
      // The original cannot be removed (a read-only or failing share): take the copy back, so
      // that the caller's retries do not pile up copies of one file.
      unlinkat(to_dir, stored.c_str(), 0);
      FsyncDirectory(to_dir);
      return unlink_err;
    }
    result->copied = true;
    result->stored_name = stored;
    return unlink_err;
  }
  // A link, a FIFO, a device or an oversized file on another file system: nothing worth reading
  // and nothing safe to read. Remove the entry itself (unlinkat never follows a link).
  if (S_ISDIR(st.st_mode)) return EISDIR;
  if (unlinkat(from_dir, name.c_str(), 0) != 0) return errno;
  result->unlinked_only = true;
  return 0;
}

int UnlinkIfSame(int dirfd, const std::string& name, const FileStamp& stamp) {
  struct stat st;
  if (int err = StatEntry(dirfd, name, &st)) return err;
  if (StampOf(st) != stamp) return ESTALE;
  if (unlinkat(dirfd, name.c_str(), 0) != 0) return errno;
  return 0;
}

}  // namespace onshi::oqs
