// Careful file-system primitives for the terminal's shared folders and onshi's private folders.
//
// The shared folders (req/, res/) are writable by another machine, so every entry is untrusted:
// names are resolved only relative to an open directory (openat and friends), links are never
// followed, and nothing but a regular file with a single link is ever opened for reading. The
// functions here speak errno (0 = success) rather than absl::Status: the caller knows which step
// of its protocol failed and builds the error (naming the step and the errno, never a path's
// content). All functions are thread-safe (they keep no state) and retry EINTR.

#ifndef ONSHI_ADAPTERS_OQS_FILES_FS_UTIL_H_
#define ONSHI_ADAPTERS_OQS_FILES_FS_UTIL_H_

#include <sys/stat.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace onshi::oqs {

// Owns a file descriptor; closes it on destruction. Movable, not copyable.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// The symbolic name of an errno value ("ENOENT"), or "errno <n>" for an unknown one. Safe to log.
std::string ErrnoName(int err);

// What identifies a version of a file: which inode, how big, when last changed. Two stamps that
// compare equal mean (as far as the kernel tells) nobody wrote to the file in between.
struct FileStamp {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  int64_t mtime_ns = 0;
  int64_t ctime_ns = 0;

  bool operator==(const FileStamp& o) const {
    return dev == o.dev && ino == o.ino && size == o.size && mtime_ns == o.mtime_ns &&
           ctime_ns == o.ctime_ns;
  }
  bool operator!=(const FileStamp& o) const { return !(*this == o); }
};
FileStamp StampOf(const struct stat& st);

// fstatat(dirfd, name, AT_SYMLINK_NOFOLLOW): the entry itself, never what a link points to.
int StatEntry(int dirfd, const std::string& name, struct stat* st);

// Opens the directory `name` relative to `dirfd` (AT_FDCWD for a path) read-only, O_DIRECTORY |
// O_CLOEXEC, plus O_NOFOLLOW when `nofollow` (the last component must not be a symlink).
int OpenDirectory(int dirfd, const std::string& name, bool nofollow, UniqueFd* out);

// Opens the entry `name` in `dirfd` for reading without following a link and without blocking
// (O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC), then checks on the open
// descriptor that it is a regular file with exactly one link and, when `expected` is given, the
// same inode as `expected`. Returns ELOOP for a symlink, EINVAL when the checks fail (the entry
// changed, or is not a plain file), or the errno of the failing call. `*st` receives the fstat.
int OpenRegularForRead(int dirfd, const std::string& name, const FileStamp* expected, UniqueFd* out,
                       struct stat* st);

// Reads `fd` from offset 0 (pread) until EOF or until more than `max_bytes` were seen. Sets
// `*over_limit` (and stops) when the file holds more than `max_bytes`.
int ReadFromStart(int fd, size_t max_bytes, std::string* out, bool* over_limit);

// Writes all of `data`, retrying short writes and EINTR.
int WriteAll(int fd, absl::string_view data);

// fsync, retrying EINTR.
int FsyncFd(int fd);

// fsync of a directory. File systems that cannot sync a directory (EINVAL, ENOTSUP, EOPNOTSUPP:
// some network and FUSE file systems) count as success: there is nothing more to do there.
int FsyncDirectory(int dirfd);

// Renames `from` (in `from_dir`) to `to` (in `to_dir`) without ever replacing an existing `to`:
// renameat2(RENAME_NOREPLACE), or, on file systems without it (EINVAL, ENOSYS, ENOTSUP), link()
// then unlink() of `from`. EEXIST when `to` exists; EXDEV across file systems. When the fallback
// linked `to` but could not unlink `from`, returns 0 (the rename happened; `from` is a harmless
// second name the caller may remove).
int RenameNoReplace(int from_dir, const std::string& from, int to_dir, const std::string& to);

// Creates `name` in `dirfd` with O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC and `mode`.
int CreateExclusive(int dirfd, const std::string& name, mode_t mode, UniqueFd* out);

// A fresh temp name: kTempFilePrefix, then `tag` (may be empty), then a random suffix. Never
// matches a document pattern (file_names.h).
std::string TempFileName(absl::string_view tag);

// Opens the private directory `path`, creating it with mode 0700 when missing (its parent must
// exist). Refuses (EPERM) a directory that is a symlink, is not owned by the effective user or
// grants any permission to group or others; `*problem` then says which, for the error text.
int OpenPrivateDirectory(const std::string& path, UniqueFd* out, std::string* problem);

// What MoveIntoPrivateDir did.
struct MoveResult {
  // The entry was copied across file systems and the original unlinked.
  bool copied = false;
  // The entry was only unlinked (nothing safe to copy across file systems).
  bool unlinked_only = false;
  // Its name in the destination (empty when only unlinked).
  std::string stored_name;
};

// Moves the entry `name` of `from_dir` into the private directory `to_dir` under `name` (or, when
// that is taken, `name` plus a random suffix) without following it, and fsyncs `to_dir`.
// Across file systems (EXDEV) a regular file is copied instead: `source_fd` must then be its open
// descriptor (else -1) and at most `max_copy_bytes` long; the copy is written under a temp name
// with mode 0600, fsynced and renamed into place, and the original is unlinked only if it is
// still the inode `source_stamp` describes; when that unlink fails (other than ENOENT/ESTALE:
// e.g. EROFS on a share that turned read-only) the copy is removed again and the errno returned,
// so a retry makes no second copy. Anything else across file systems (a link, a FIFO, a
// file too large to copy) is unlinked without being read. A moved regular file is chmod'ed 0600
// through `source_fd`. ESTALE when the entry no longer matches `source_stamp` (nothing moved).
int MoveIntoPrivateDir(int from_dir, const std::string& name, int source_fd,
                       const FileStamp* source_stamp, size_t max_copy_bytes, int to_dir,
                       MoveResult* result);

// Unlinks `name` in `dirfd` only while it is still the inode `stamp` describes (a file that was
// replaced under the same name since it was read is left alone: ESTALE).
int UnlinkIfSame(int dirfd, const std::string& name, const FileStamp& stamp);

}  // namespace onshi::oqs

#endif  // ONSHI_ADAPTERS_OQS_FILES_FS_UTIL_H_
