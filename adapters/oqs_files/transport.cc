#include "adapters/oqs_files/transport.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "adapters/oqs_files/file_names.h"
#include "plugin/common/fs.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"

namespace onshi::oqs {
namespace {

constexpr absl::string_view kLog = "oqs_files";

// An .err file is read once its stamp held this long (it may still be being written).
constexpr std::chrono::milliseconds kErrSettle{300};
// At most this much of an .err file is read.
constexpr size_t kErrReadLimit = 4096;
// Sink and disposition retries back off from rescan_interval, doubling, up to this.
constexpr absl::Duration kMaxBackoff = absl::Seconds(30);
// Names not matching any document pattern that are remembered (so each is debug-logged once).
constexpr size_t kMaxIgnoredNames = 4096;

using Steady = std::chrono::steady_clock;

Steady::duration ToSteady(absl::Duration d) {
  if (d <= absl::ZeroDuration()) return Steady::duration::zero();
  if (d > absl::Hours(24 * 365)) d = absl::Hours(24 * 365);
  return std::chrono::duration_cast<Steady::duration>(absl::ToChronoNanoseconds(d));
}

bool IsSafeCodeChar(char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; }

bool IsSafeCode(absl::string_view s) {
  return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), IsSafeCodeChar);
}

absl::Status Unavailable(absl::string_view step, int err) {
  return MakeError(errors::kTerminalUnavailable, absl::StrCat(step, ": ", ErrnoName(err)));
}

uint64_t Fnv1a(absl::string_view data, uint64_t hash = 1469598103934665603ULL) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

std::string MakeInstanceTag(const std::string& quarantine_dir) {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0) host[0] = '\0';
  uint64_t hash = Fnv1a(host);
  hash = Fnv1a(absl::string_view("\0", 1), hash);
  hash = Fnv1a(quarantine_dir, hash);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag(8, '0');
  for (int i = 0; i < 8; ++i) tag[i] = kHex[(hash >> (60 - 4 * i)) & 0xf];
  return tag;
}

// Reads at most `limit` bytes from the start of `fd`.
int ReadPrefix(int fd, size_t limit, std::string* out) {
  out->assign(limit, '\0');
  size_t have = 0;
  while (have < limit) {
    ssize_t got = pread(fd, out->data() + have, limit - have, static_cast<off_t>(have));
    if (got < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (got == 0) break;
    have += static_cast<size_t>(got);
  }
  out->resize(have);
  return 0;
}

// Whether the entry `name` of `dirfd` is a plain file holding exactly `bytes`.
bool HoldsExactly(int dirfd, const std::string& name, absl::string_view bytes) {
  UniqueFd fd;
  struct stat st;
  if (OpenRegularForRead(dirfd, name, nullptr, &fd, &st) != 0) return false;
  if (static_cast<size_t>(st.st_size) != bytes.size()) return false;
  std::string content;
  bool over_limit = false;
  if (ReadFromStart(fd.get(), bytes.size(), &content, &over_limit) != 0 || over_limit) {
    return false;
  }
  return content == bytes;
}

// What MoveIntoPrivateDir did with an entry of `folder` bound for quarantine, for the log.
std::string QuarantineOutcome(const MoveResult& moved, absl::string_view folder) {
  if (moved.unlinked_only) {
    return absl::StrCat("removed from ", folder,
                        "/ (the quarantine folder is on another file system)");
  }
  return moved.copied ? absl::StrCat("copied into quarantine and removed from ", folder, "/")
                      : "moved into quarantine";
}

}  // namespace

bool IsCompletePdf(absl::string_view bytes) {
  constexpr absl::string_view kHeader = "%PDF-";
  constexpr absl::string_view kTrailer = "%%EOF";
  constexpr size_t kTail = 1024;
  if (!absl::StartsWith(bytes, kHeader)) return false;
  absl::string_view tail = bytes.size() > kTail ? bytes.substr(bytes.size() - kTail) : bytes;
  return absl::StrContains(tail, kTrailer);
}

std::string ExtractSafeErrorCode(absl::string_view content) {
  if (absl::StartsWith(content, "\xEF\xBB\xBF")) content.remove_prefix(3);
  content = absl::StripAsciiWhitespace(content);
  if (IsSafeCode(content)) return std::string(content);
  size_t end = 0;
  while (end < content.size() && !absl::ascii_isspace(static_cast<unsigned char>(content[end]))) {
    ++end;
  }
  absl::string_view token = content.substr(0, end);
  if (IsSafeCode(token)) return std::string(token);
  return "";
}

// ---------------------------------------------------------------------------------------------
// The watcher: everything below runs on its one thread, except RequestStop.

class FileTransport::Watcher {
 public:
  Watcher(const FileTransport& transport, AnswerSink* sink, UniqueFd wake_fd)
      : t_(transport), sink_(sink), wake_fd_(std::move(wake_fd)) {
    folders_[0].name = "res";
    folders_[1].name = "face";
    folders_[1].is_face = true;
  }

  void Run();

  // Thread-safe.
  void RequestStop() {
    stop_.store(true);
    uint64_t one = 1;
    // The eventfd counter cannot overflow from a handful of writes; EAGAIN would only mean it is
    // already readable, which is all that is needed.
    ssize_t ignored = write(wake_fd_.get(), &one, sizeof(one));
    (void)ignored;
  }
  bool stop_requested() const { return stop_.load(); }

 private:
  // What the watcher remembers about one document-named entry of a folder while it is there.
  struct Entry {
    FileStamp stamp;
    // Since when (Clock) / (steady) the entry has had `stamp`.
    absl::Time stable_since;
    Steady::time_point stable_since_steady;
    bool logged_directory = false;
    // The last complete read did not decode, or was not a complete PDF (with this stamp).
    bool decode_failed = false;
    // The sink accepted this version; only its disposition is left to do.
    bool accepted = false;
    AnswerDisposition disposition = AnswerDisposition::kProcessed;
    // Backoff after a sink error or a failed move.
    int failures = 0;
    Steady::time_point retry_at{};
    // The serialized document (or the PDF bytes) the sink accepted for this name, and what it
    // said, kept when the stamp changes: a writer that appends a trailing newline after the
    // document was delivered changes the stamp but not the answer, and is not delivered twice
    // for it.
    std::string delivered;
    AnswerDisposition delivered_disposition = AnswerDisposition::kProcessed;
  };

  // One watched folder: res/ (answers, .err files, requests the terminal returned) or face/
  // (card-reader check-ins; the terminal creates it, so it may be missing for a while).
  struct Folder {
    const char* name = "";
    bool is_face = false;
    UniqueFd fd;
    bool unavailable_logged = false;
    int watch = -1;
    std::map<std::string, Entry> entries;
    std::set<std::string> ignored;
  };

  enum class Order { kAnswer = 0, kRejection = 1, kReturnedRequest = 2 };

  // What a document-named entry of `folder` is to the watcher; nullopt when it is not read there
  // (a check-in name in res/, anything but a check-in in face/).
  static std::optional<Order> Classify(const Folder& folder, const FileName& file);

  void Watch(Folder* folder);
  void FullScan();
  void ScanFolder(Folder* folder);
  void PendingPass();
  void HandleEvents();
  void ProcessName(Folder* folder, const std::string& name);

  void ProcessAnswer(Folder* folder, const std::string& name, const FileName& file);
  void ProcessRejection(Folder* folder, const std::string& name, const FileName& file);
  void ProcessReturnedRequest(Folder* folder, const std::string& name, const FileName& file);

  // Looks `name` up with lstat and updates its Entry. Returns nullptr (and forgets the entry)
  // when it is gone or cannot be examined.
  Entry* Observe(Folder* folder, const std::string& name, struct stat* st);
  // Quarantines an answer-named entry that must not be read, then tells the sink.
  void QuarantineUnread(Folder* folder, const std::string& name, const FileName& file, Entry* entry,
                        const struct stat& st, absl::string_view why);
  // Quarantines an answer read from `fd`, then tells the sink `error`.
  void QuarantineRead(Folder* folder, const std::string& name, const FileName& file, Entry* entry,
                      int fd, absl::Status error);
  void Dispose(Folder* folder, const std::string& name, const FileName& file, Entry* entry, int fd);
  // Moves `name` (and, for requests, nothing else) into the quarantine folder, reading it for a
  // cross-file-system copy only if it is a plain file. Returns the errno.
  int QuarantineEntry(Folder* folder, const std::string& name, MoveResult* moved);
  void Backoff(Entry* entry);
  bool Waiting(const Entry& entry);
  bool GraceElapsed(const Entry& entry);
  void WakeAt(Steady::time_point when) { next_wake_ = std::min(next_wake_, when); }
  void WakeAtClock(absl::Time when);

  const FileTransport& t_;
  AnswerSink* const sink_;
  const UniqueFd wake_fd_;
  std::atomic<bool> stop_{false};

  // res/ first: answers to onshi's own requests are what callers wait on.
  Folder folders_[2];
  UniqueFd inotify_fd_;
  bool inotify_unavailable_ = false;
  bool rescan_now_ = false;
  Steady::time_point next_wake_ = Steady::time_point::max();
};

std::optional<FileTransport::Watcher::Order> FileTransport::Watcher::Classify(
    const Folder& folder, const FileName& file) {
  if (folder.is_face) {
    if (file.kind == DocumentKind::kFaceCheckin && file.form == FileForm::kXml) {
      return Order::kAnswer;
    }
    return std::nullopt;
  }
  if (file.kind == DocumentKind::kFaceCheckin) return std::nullopt;  // read from face/ only
  if (IsRequestKind(file.kind)) {
    if (file.form == FileForm::kErr) return Order::kRejection;
    if (file.form == FileForm::kXml) return Order::kReturnedRequest;
    return std::nullopt;
  }
  return Order::kAnswer;
}

void FileTransport::Watcher::Run() {
  Log(LogLevel::kInfo, kLog, "watching res/ and face/ (notifications ",
      t_.options_.notifications ? "on" : "off", ", rescan every ",
      absl::FormatDuration(t_.options_.rescan_interval), ")");
  const Steady::duration rescan = ToSteady(t_.options_.rescan_interval);
  const Steady::duration sweep = std::max(rescan, ToSteady(t_.options_.stale_temp_age / 2));
  Steady::time_point next_rescan = Steady::now();
  Steady::time_point next_sweep = Steady::now() + sweep;

  while (!stop_requested()) {
    Steady::time_point now = Steady::now();
    if (rescan_now_ || now >= next_rescan) {
      rescan_now_ = false;
      next_wake_ = Steady::time_point::max();
      FullScan();
      next_rescan = Steady::now() + rescan;
    } else if (now >= next_wake_) {
      next_wake_ = Steady::time_point::max();
      PendingPass();
    }
    if (now >= next_sweep) {
      t_.RemoveStaleTempFiles(/*include_own=*/false);
      next_sweep = Steady::now() + sweep;
    }
    if (stop_requested()) break;

    Steady::time_point until = std::min({next_rescan, next_wake_, next_sweep});
    now = Steady::now();
    int timeout_ms = 0;
    if (until > now) {
      auto ms = std::chrono::ceil<std::chrono::milliseconds>(until - now).count();
      timeout_ms = static_cast<int>(std::min<int64_t>(ms, INT_MAX));
    }
    if (rescan_now_) timeout_ms = 0;
    struct pollfd fds[2] = {};
    fds[0].fd = wake_fd_.get();
    fds[0].events = POLLIN;
    fds[1].fd = inotify_fd_.valid() ? inotify_fd_.get() : -1;  // poll ignores negative fds
    fds[1].events = POLLIN;
    int ready = poll(fds, 2, timeout_ms);
    if (ready < 0) {
      if (errno != EINTR) {
        Log(LogLevel::kError, kLog, "poll: ", ErrnoName(errno));
        // Do not spin on a persistent failure: fall back to sleeping until the next deadline.
        std::this_thread::sleep_for(std::chrono::milliseconds(std::max(timeout_ms, 10)));
      }
      continue;
    }
    if (fds[0].revents & POLLIN) {
      uint64_t count;
      ssize_t ignored = read(wake_fd_.get(), &count, sizeof(count));
      (void)ignored;
    }
    if (stop_requested()) break;
    if (fds[1].revents & POLLIN) HandleEvents();
  }
  Log(LogLevel::kInfo, kLog, "stopped watching res/ and face/");
}

void FileTransport::Watcher::Watch(Folder* folder) {
  if (!t_.options_.notifications || inotify_unavailable_ || folder->watch >= 0) return;
  if (!inotify_fd_.valid()) {
    int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (fd < 0) {
      // Out of inotify instances (a per-user limit): rescans alone still find everything.
      Log(LogLevel::kWarning, kLog, "inotify unavailable (", ErrnoName(errno),
          "); relying on rescans");
      inotify_unavailable_ = true;
      return;
    }
    inotify_fd_.reset(fd);
  }
  std::string path = absl::StrCat(t_.options_.root, "/", folder->name);
  folder->watch = inotify_add_watch(
      inotify_fd_.get(), path.c_str(),
      IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW);
  if (folder->watch < 0) {
    Log(LogLevel::kDebug, kLog, "cannot watch ", folder->name, "/ (", ErrnoName(errno),
        "); will retry");
  }
}

void FileTransport::Watcher::HandleEvents() {
  alignas(struct inotify_event) char buffer[16 * 1024];
  std::vector<std::string> names[2];
  for (;;) {
    ssize_t got = read(inotify_fd_.get(), buffer, sizeof(buffer));
    if (got < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) Log(LogLevel::kWarning, kLog, "inotify read: ", ErrnoName(errno));
      break;
    }
    if (got == 0) break;
    for (char* p = buffer; p < buffer + got;) {
      auto* event = reinterpret_cast<struct inotify_event*>(p);
      p += sizeof(struct inotify_event) + event->len;
      if (event->mask & IN_Q_OVERFLOW) {
        // Events were lost: only a full scan can tell what is there.
        rescan_now_ = true;
        continue;
      }
      int which = -1;
      for (int i = 0; i < 2; ++i) {
        if (folders_[i].watch >= 0 && event->wd == folders_[i].watch) which = i;
      }
      if (event->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT)) {
        // The folder went away, was moved or unmounted: watch whatever is there at the next scan.
        if (which >= 0) {
          Folder& folder = folders_[which];
          if (!(event->mask & IN_IGNORED)) inotify_rm_watch(inotify_fd_.get(), folder.watch);
          folder.watch = -1;
        }
        rescan_now_ = true;
      } else if (event->len > 0 && which >= 0) {
        names[which].emplace_back(event->name);  // NUL-terminated (and padded) by the kernel
      }
    }
  }
  if (rescan_now_) return;
  for (int i = 0; i < 2; ++i) {
    if (names[i].empty()) continue;
    Folder& folder = folders_[i];
    if (!folder.fd.valid()) {
      rescan_now_ = true;
      return;
    }
    std::sort(names[i].begin(), names[i].end());
    names[i].erase(std::unique(names[i].begin(), names[i].end()), names[i].end());
    for (const std::string& name : names[i]) {
      if (stop_requested()) return;
      ProcessName(&folder, name);
    }
  }
}

void FileTransport::Watcher::FullScan() {
  for (Folder& folder : folders_) {
    if (stop_requested()) return;
    ScanFolder(&folder);
  }
}

void FileTransport::Watcher::ScanFolder(Folder* folder) {
  UniqueFd dir_fd;
  if (int err = t_.OpenShared(folder->name, &dir_fd)) {
    if (!folder->unavailable_logged) {
      if (folder->is_face) {
        Log(LogLevel::kInfo, kLog, "face/ unavailable (", ErrnoName(err),
            "); card-reader check-ins are picked up once the terminal provides it");
      } else {
        Log(LogLevel::kWarning, kLog, folder->name, "/ unavailable (", ErrnoName(err),
            "); will retry");
      }
      folder->unavailable_logged = true;
    }
    folder->fd.reset();
    return;
  }
  if (folder->unavailable_logged) {
    Log(LogLevel::kInfo, kLog, folder->name, "/ available", folder->is_face ? "" : " again");
    folder->unavailable_logged = false;
  }
  folder->fd = std::move(dir_fd);
  // Watched before it is listed, so nothing that lands in between is missed.
  Watch(folder);

  // fdopendir takes over the descriptor it is given: give it its own.
  int list_fd = openat(folder->fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = list_fd >= 0 ? fdopendir(list_fd) : nullptr;
  if (dir == nullptr) {
    int err = errno;
    if (list_fd >= 0) close(list_fd);
    Log(LogLevel::kWarning, kLog, "cannot list ", folder->name, "/ (", ErrnoName(err), ")");
    return;
  }
  std::vector<std::pair<Order, std::string>> work;
  std::set<std::string> present;
  size_t newly_ignored = 0;
  for (;;) {
    errno = 0;
    struct dirent* de = readdir(dir);
    if (de == nullptr) break;
    std::string name = de->d_name;
    if (name == "." || name == "..") continue;
    std::optional<FileName> parsed = ParseFileName(name);
    std::optional<Order> order;
    if (parsed.has_value()) order = Classify(*folder, *parsed);
    if (!order.has_value()) {
      if (folder->ignored.size() >= kMaxIgnoredNames) folder->ignored.clear();
      if (folder->ignored.insert(name).second) ++newly_ignored;
      continue;
    }
    present.insert(name);
    work.emplace_back(*order, std::move(name));
  }
  int list_err = errno;
  closedir(dir);
  if (list_err != 0) {
    Log(LogLevel::kWarning, kLog, "listing ", folder->name, "/ failed (", ErrnoName(list_err), ")");
  }
  if (newly_ignored > 0) {
    // The names themselves are not logged: they are not onshi's, and may say anything.
    Log(LogLevel::kDebug, kLog, "ignoring ", newly_ignored, " entr(ies) in ", folder->name,
        "/ whose names are not names of OQS documents read there");
  }
  // Forget entries that left the folder (by whatever hand).
  if (list_err == 0) {
    for (auto it = folder->entries.begin(); it != folder->entries.end();) {
      it = present.count(it->first) ? std::next(it) : folder->entries.erase(it);
    }
  }
  // Answers first; then .err files, which take their returned request along; then requests
  // that came back without an .err.
  std::sort(work.begin(), work.end());
  for (const auto& [order, name] : work) {
    if (stop_requested()) return;
    ProcessName(folder, name);
  }
}

void FileTransport::Watcher::PendingPass() {
  for (Folder& folder : folders_) {
    if (!folder.fd.valid()) continue;
    std::vector<std::string> names;
    names.reserve(folder.entries.size());
    for (const auto& [name, entry] : folder.entries) names.push_back(name);
    for (const std::string& name : names) {
      if (stop_requested()) return;
      ProcessName(&folder, name);
    }
  }
}

void FileTransport::Watcher::ProcessName(Folder* folder, const std::string& name) {
  std::optional<FileName> parsed = ParseFileName(name);
  if (!parsed.has_value()) return;
  std::optional<Order> order = Classify(*folder, *parsed);
  if (!order.has_value()) return;
  switch (*order) {
    case Order::kAnswer:
      ProcessAnswer(folder, name, *parsed);
      break;
    case Order::kRejection:
      ProcessRejection(folder, name, *parsed);
      break;
    case Order::kReturnedRequest:
      ProcessReturnedRequest(folder, name, *parsed);
      break;
  }
}

FileTransport::Watcher::Entry* FileTransport::Watcher::Observe(Folder* folder,
                                                               const std::string& name,
                                                               struct stat* st) {
  if (int err = StatEntry(folder->fd.get(), name, st)) {
    if (err != ENOENT) {
      Log(LogLevel::kDebug, kLog, "cannot examine an entry of ", folder->name, "/ (",
          ErrnoName(err), ")");
    }
    folder->entries.erase(name);
    return nullptr;
  }
  FileStamp stamp = StampOf(*st);
  auto [it, inserted] = folder->entries.try_emplace(name);
  Entry& entry = it->second;
  absl::Time now = t_.clock_->Now();
  if (inserted || entry.stamp != stamp) {
    Entry fresh;
    fresh.logged_directory = entry.logged_directory;
    fresh.delivered = std::move(entry.delivered);
    fresh.delivered_disposition = entry.delivered_disposition;
    entry = std::move(fresh);
    entry.stamp = stamp;
    entry.stable_since = now;
    entry.stable_since_steady = Steady::now();
  } else if (now < entry.stable_since) {
    // The wall clock stepped back: restart the grace period rather than stretch it by the step.
    entry.stable_since = now;
  }
  return &entry;
}

bool FileTransport::Watcher::GraceElapsed(const Entry& entry) {
  absl::Time deadline = entry.stable_since + t_.options_.malformed_grace;
  if (t_.clock_->Now() >= deadline) return true;
  WakeAtClock(deadline);
  return false;
}

void FileTransport::Watcher::WakeAtClock(absl::Time when) {
  absl::Duration left = when - t_.clock_->Now();
  WakeAt(Steady::now() + ToSteady(left) + std::chrono::milliseconds(1));
}

bool FileTransport::Watcher::Waiting(const Entry& entry) {
  if (entry.failures == 0 || Steady::now() >= entry.retry_at) return false;
  WakeAt(entry.retry_at);
  return true;
}

void FileTransport::Watcher::Backoff(Entry* entry) {
  ++entry->failures;
  absl::Duration delay = t_.options_.rescan_interval;
  for (int i = 1; i < entry->failures && delay < kMaxBackoff; ++i) delay *= 2;
  delay = std::min(delay, kMaxBackoff);
  entry->retry_at = Steady::now() + ToSteady(delay);
  WakeAt(entry->retry_at);
}

int FileTransport::Watcher::QuarantineEntry(Folder* folder, const std::string& name,
                                            MoveResult* moved) {
  struct stat st;
  if (int err = StatEntry(folder->fd.get(), name, &st)) return err;
  FileStamp stamp = StampOf(st);
  UniqueFd fd;
  if (S_ISREG(st.st_mode) && st.st_nlink == 1 &&
      static_cast<uint64_t>(st.st_size) <= t_.options_.limits.max_bytes) {
    struct stat opened;
    if (OpenRegularForRead(folder->fd.get(), name, &stamp, &fd, &opened) == 0) {
      stamp = StampOf(opened);
    }
  }
  return MoveIntoPrivateDir(folder->fd.get(), name, fd.get(), &stamp, t_.options_.limits.max_bytes,
                            t_.quarantine_dir_.get(), moved);
}

void FileTransport::Watcher::QuarantineUnread(Folder* folder, const std::string& name,
                                              const FileName& file, Entry* entry,
                                              const struct stat& st, absl::string_view why) {
  if (Waiting(*entry)) return;
  const absl::string_view kind = DocumentKindName(file.kind);
  const std::string& id = file.file_id;
  FileStamp stamp = StampOf(st);
  UniqueFd fd;
  // A plain file that is only too large is opened (not read) so that the move can make it 0600.
  if (S_ISREG(st.st_mode) && st.st_nlink == 1) {
    struct stat opened;
    if (OpenRegularForRead(folder->fd.get(), name, &stamp, &fd, &opened) == 0) {
      stamp = StampOf(opened);
    }
  }
  MoveResult moved;
  // max_copy_bytes 0: nothing of this entry is ever read, not even for a copy.
  int err = MoveIntoPrivateDir(folder->fd.get(), name, fd.get(), &stamp, /*max_copy_bytes=*/0,
                               t_.quarantine_dir_.get(), &moved);
  if (err == ESTALE || err == ENOENT) return;  // It changed meanwhile: look again next time.
  if (err != 0) {
    Log(LogLevel::kWarning, kLog, "cannot quarantine ", kind, " ", id, " (", why,
        "): ", ErrnoName(err));
    Backoff(entry);
    return;
  }
  folder->entries.erase(name);
  Log(LogLevel::kWarning, kLog, kind, " ", id, " ", why, ": never read, ",
      QuarantineOutcome(moved, folder->name));
  absl::Status told = sink_->OnUnreadableAnswer(UnreadableAnswer{
      file.kind, id,
      MakeError(errors::kTerminalMalformedAnswer, absl::StrCat(kind, " file id ", id, ": ", why))});
  if (!told.ok()) {
    Log(LogLevel::kWarning, kLog, "sink failed to record unreadable ", kind, " ", id, ": ",
        ReasonOf(told));
  }
}

void FileTransport::Watcher::QuarantineRead(Folder* folder, const std::string& name,
                                            const FileName& file, Entry* entry, int fd,
                                            absl::Status error) {
  if (Waiting(*entry)) return;
  const absl::string_view kind = DocumentKindName(file.kind);
  const std::string& id = file.file_id;
  MoveResult moved;
  int err = MoveIntoPrivateDir(folder->fd.get(), name, fd, &entry->stamp,
                               t_.options_.limits.max_bytes, t_.quarantine_dir_.get(), &moved);
  if (err == ESTALE || err == ENOENT) return;
  if (err != 0) {
    Log(LogLevel::kWarning, kLog, "cannot quarantine unreadable ", kind, " ", id, ": ",
        ErrnoName(err));
    Backoff(entry);
    return;
  }
  folder->entries.erase(name);
  Log(LogLevel::kWarning, kLog, kind, " ", id, " unreadable (", error.message(), "); ",
      QuarantineOutcome(moved, folder->name));
  absl::Status told = sink_->OnUnreadableAnswer(UnreadableAnswer{file.kind, id, std::move(error)});
  if (!told.ok()) {
    Log(LogLevel::kWarning, kLog, "sink failed to record unreadable ", kind, " ", id, ": ",
        ReasonOf(told));
  }
}

void FileTransport::Watcher::ProcessAnswer(Folder* folder, const std::string& name,
                                           const FileName& file) {
  const absl::string_view kind = DocumentKindName(file.kind);
  const std::string& id = file.file_id;
  struct stat st;
  Entry* entry = Observe(folder, name, &st);
  if (entry == nullptr) return;

  if (S_ISDIR(st.st_mode)) {
    if (!entry->logged_directory) {
      Log(LogLevel::kWarning, kLog, "a directory named like ", kind, " ", id, " is in ",
          folder->name, "/; left alone");
      entry->logged_directory = true;
    }
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    QuarantineUnread(folder, name, file, entry, st,
                     S_ISLNK(st.st_mode) ? "is a symbolic link" : "is not a regular file");
    return;
  }
  if (st.st_nlink != 1) {
    // A writer falling back to link()+unlink() shows two links for an instant.
    if (GraceElapsed(*entry)) {
      QuarantineUnread(folder, name, file, entry, st, "has more than one link");
    }
    return;
  }
  if (static_cast<uint64_t>(st.st_size) > t_.options_.limits.max_bytes) {
    QuarantineUnread(folder, name, file, entry, st, "is larger than max_document_bytes");
    return;
  }
  if (Waiting(*entry)) return;

  UniqueFd fd;
  struct stat before;
  int err = OpenRegularForRead(folder->fd.get(), name, &entry->stamp, &fd, &before);
  if (err != 0) {
    // Replaced or changed between lstat and open (EINVAL, ELOOP), or gone: look again later.
    if (err != ENOENT && err != EINVAL && err != ELOOP) {
      Log(LogLevel::kWarning, kLog, "cannot open ", kind, " ", id, ": ", ErrnoName(err));
      Backoff(entry);
    }
    return;
  }
  std::string bytes;
  bool over_limit = false;
  if (int read_err = ReadFromStart(fd.get(), t_.options_.limits.max_bytes, &bytes, &over_limit)) {
    Log(LogLevel::kWarning, kLog, "cannot read ", kind, " ", id, ": ", ErrnoName(read_err));
    Backoff(entry);
    return;
  }
  struct stat after;
  if (fstat(fd.get(), &after) != 0) return;
  if (over_limit || StampOf(before) != StampOf(after) || StampOf(after) != entry->stamp ||
      bytes.size() != static_cast<size_t>(after.st_size)) {
    // Still being written. The writer's close or a later scan brings it back.
    Log(LogLevel::kDebug, kLog, kind, " ", id, " changed while being read; will read again");
    return;
  }

  if (entry->accepted) {
    // The sink has this version already; only moving it out of the folder failed before.
    Dispose(folder, name, file, entry, fd.get());
    return;
  }

  IncomingAnswer answer;
  answer.kind = file.kind;
  answer.file_id = id;
  // What identifies this answer's content for the sink (see Entry::delivered).
  std::string content;
  if (file.form == FileForm::kPdf) {
    if (!IsCompletePdf(bytes)) {
      // Possibly still being written by a writer that does not rename into place: like an
      // undecodable XML answer, given up on only once it stayed unchanged for the grace period.
      if (!entry->decode_failed) {
        Log(LogLevel::kDebug, kLog, kind, " ", id,
            " is not a complete PDF yet; waiting for it to complete");
      }
      entry->decode_failed = true;
      if (GraceElapsed(*entry)) {
        QuarantineRead(folder, name, file, entry, fd.get(),
                       MakeError(errors::kTerminalMalformedAnswer,
                                 absl::StrCat(kind, " file id ", id,
                                              ": the PDF does not start with %PDF- or has no "
                                              "%%EOF in its last KiB")));
      }
      return;
    }
    content = bytes;
    answer.pdf = std::move(bytes);
  } else {
    absl::StatusOr<std::unique_ptr<google::protobuf::Message>> document =
        DecodeByKind(file.kind, bytes, t_.options_.limits);
    if (!document.ok()) {
      // Possibly half-written: only a document that stays unreadable and unchanged for the grace
      // period is given up on.
      if (!entry->decode_failed) {
        Log(LogLevel::kDebug, kLog, kind, " ", id, " not decodable yet (",
            ReasonOf(document.status()), "); waiting for it to complete");
      }
      entry->decode_failed = true;
      if (GraceElapsed(*entry)) {
        QuarantineRead(
            folder, name, file, entry, fd.get(),
            MakeError(errors::kTerminalMalformedAnswer,
                      absl::StrCat(kind, " file id ", id, ": ", ReasonOf(document.status()), " (",
                                   document.status().message(), ")")));
      }
      return;
    }
    // B6: an answer to one of onshi's requests echoes the request's id exactly. A check-in's id
    // is the terminal's own and its ArbitraryFileIdentifier the face app's: nothing to compare.
    if (file.kind != DocumentKind::kFaceCheckin) {
      absl::StatusOr<std::string> carried = FileIdOf(file.kind, **document);
      if (!carried.ok() || *carried != id) {
        QuarantineRead(folder, name, file, entry, fd.get(),
                       MakeError(errors::kTerminalMalformedAnswer,
                                 absl::StrCat(kind, " file id ", id,
                                              ": ArbitraryFileIdentifier does not match the "
                                              "file name")));
        return;
      }
    }
    content = (*document)->SerializeAsString();
    answer.document = std::shared_ptr<const google::protobuf::Message>(std::move(*document));
  }

  if (!entry->delivered.empty() && content == entry->delivered) {
    entry->accepted = true;
    entry->disposition = entry->delivered_disposition;
    Dispose(folder, name, file, entry, fd.get());
    return;
  }
  answer.received_time = t_.clock_->Now();
  absl::StatusOr<AnswerDisposition> disposition = sink_->OnAnswer(answer);
  if (!disposition.ok()) {
    Backoff(entry);
    Log(LogLevel::kWarning, kLog, "sink did not record ", kind, " ", id, " (attempt ",
        entry->failures, "): ", ReasonOf(disposition.status()), " ", disposition.status().message(),
        "; the file stays in ", folder->name, "/ and is retried");
    return;
  }
  entry->accepted = true;
  entry->disposition = *disposition;
  entry->failures = 0;
  entry->delivered = std::move(content);
  entry->delivered_disposition = *disposition;
  Dispose(folder, name, file, entry, fd.get());
}

void FileTransport::Watcher::Dispose(Folder* folder, const std::string& name, const FileName& file,
                                     Entry* entry, int fd) {
  if (Waiting(*entry)) return;
  const absl::string_view kind = DocumentKindName(file.kind);
  int err;
  MoveResult moved;
  const char* what;
  if (entry->disposition == AnswerDisposition::kQuarantine) {
    what = "quarantine";
    err = MoveIntoPrivateDir(folder->fd.get(), name, fd, &entry->stamp,
                             t_.options_.limits.max_bytes, t_.quarantine_dir_.get(), &moved);
  } else if (t_.options_.archive_processed) {
    what = "archive";
    err = MoveIntoPrivateDir(folder->fd.get(), name, fd, &entry->stamp,
                             t_.options_.limits.max_bytes, t_.processed_dir_.get(), &moved);
  } else {
    what = "delete";
    err = UnlinkIfSame(folder->fd.get(), name, entry->stamp);
  }
  if (err == ESTALE) return;  // A new version arrived under the name: it is delivered anew.
  if (err == ENOENT) {
    folder->entries.erase(name);
    return;
  }
  if (err != 0) {
    Backoff(entry);
    Log(LogLevel::kWarning, kLog, "cannot ", what, " ", kind, " ", file.file_id, ": ",
        ErrnoName(err), "; retrying");
    return;
  }
  folder->entries.erase(name);
  Log(LogLevel::kInfo, kLog, kind, " ", file.file_id, " delivered; ", what, " done",
      moved.copied ? " (copied across file systems)" : "");
}

void FileTransport::Watcher::ProcessRejection(Folder* folder, const std::string& name,
                                              const FileName& file) {
  const absl::string_view kind = DocumentKindName(file.kind);
  const std::string& id = file.file_id;
  struct stat st;
  Entry* entry = Observe(folder, name, &st);
  if (entry == nullptr) return;
  if (S_ISDIR(st.st_mode)) {
    if (!entry->logged_directory) {
      Log(LogLevel::kWarning, kLog, "a directory named like the .err of ", kind, " ", id,
          " is in res/; left alone");
      entry->logged_directory = true;
    }
    return;
  }
  // The terminal may still be writing it.
  Steady::time_point settled = entry->stable_since_steady + kErrSettle;
  if (Steady::now() < settled) {
    WakeAt(settled);
    return;
  }
  if (Waiting(*entry)) return;

  if (!entry->accepted) {
    std::string code;
    if (S_ISREG(st.st_mode) && st.st_nlink == 1) {
      UniqueFd fd;
      struct stat before;
      if (OpenRegularForRead(folder->fd.get(), name, &entry->stamp, &fd, &before) != 0) return;
      std::string prefix;
      if (int err = ReadPrefix(fd.get(), kErrReadLimit, &prefix)) {
        Log(LogLevel::kWarning, kLog, "cannot read the .err of ", kind, " ", id, ": ",
            ErrnoName(err));
        Backoff(entry);
        return;
      }
      struct stat after;
      if (fstat(fd.get(), &after) != 0 || StampOf(after) != StampOf(before)) return;
      code = ExtractSafeErrorCode(prefix);
    }
    // Anything but a plain file is not read: the rejection stands, without a code.
    absl::Status told = sink_->OnRequestRejected(RejectedRequest{file.kind, id, code});
    if (!told.ok()) {
      Backoff(entry);
      Log(LogLevel::kWarning, kLog, "sink did not record the rejection of ", kind, " ", id, ": ",
          ReasonOf(told), " ", told.message(), "; retrying");
      return;
    }
    entry->accepted = true;
    entry->failures = 0;
    Log(LogLevel::kWarning, kLog, "the terminal rejected ", kind, " ", id, " (error code ",
        code.empty() ? "none" : code, ")");
  }

  MoveResult moved;
  int err = QuarantineEntry(folder, name, &moved);
  if (err != 0 && err != ENOENT) {
    if (err != ESTALE) {
      Log(LogLevel::kWarning, kLog, "cannot quarantine the .err of ", kind, " ", id, ": ",
          ErrnoName(err));
    }
    Backoff(entry);
    return;
  }
  folder->entries.erase(name);
  std::string request = FileNameFor(file.kind, id, FileForm::kXml);
  err = QuarantineEntry(folder, request, &moved);
  if (err == 0) {
    folder->entries.erase(request);
  } else if (err != ENOENT) {
    // Left for ProcessReturnedRequest, which quarantines it after the grace period.
    Log(LogLevel::kWarning, kLog, "cannot quarantine returned ", kind, " ", id, ": ",
        ErrnoName(err));
  }
}

void FileTransport::Watcher::ProcessReturnedRequest(Folder* folder, const std::string& name,
                                                    const FileName& file) {
  const absl::string_view kind = DocumentKindName(file.kind);
  const std::string& id = file.file_id;
  struct stat st;
  Entry* entry = Observe(folder, name, &st);
  if (entry == nullptr) return;
  if (S_ISDIR(st.st_mode)) {
    if (!entry->logged_directory) {
      Log(LogLevel::kWarning, kLog, "a directory named like ", kind, " ", id,
          " is in res/; left alone");
      entry->logged_directory = true;
    }
    return;
  }
  struct stat err_st;
  if (StatEntry(folder->fd.get(), FileNameFor(file.kind, id, FileForm::kErr), &err_st) == 0 &&
      !S_ISDIR(err_st.st_mode)) {
    return;  // Its .err is there: ProcessRejection takes both.
  }
  // The .err may follow: wait the grace period before treating the request as refused.
  if (!GraceElapsed(*entry) || Waiting(*entry)) return;
  if (!entry->accepted) {
    absl::Status told = sink_->OnRequestRejected(RejectedRequest{file.kind, id, ""});
    if (!told.ok()) {
      Backoff(entry);
      Log(LogLevel::kWarning, kLog, "sink did not record the rejection of ", kind, " ", id, ": ",
          ReasonOf(told), " ", told.message(), "; retrying");
      return;
    }
    entry->accepted = true;
    entry->failures = 0;
    Log(LogLevel::kWarning, kLog, kind, " ", id,
        " came back into res/ without an .err; treated as rejected");
  }
  MoveResult moved;
  int err = QuarantineEntry(folder, name, &moved);
  if (err != 0 && err != ENOENT) {
    if (err != ESTALE) {
      Log(LogLevel::kWarning, kLog, "cannot quarantine returned ", kind, " ", id, ": ",
          ErrnoName(err));
    }
    Backoff(entry);
    return;
  }
  folder->entries.erase(name);
}

// ---------------------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<FileTransport>> FileTransport::Create(FileTransportOptions options,
                                                                     const Clock* clock) {
  if (clock == nullptr) return MakeError(errors::kInvalidArgument, "clock is null");
  if (options.root.empty()) return MakeError(errors::kConfigInvalid, "terminal root is empty");
  if (options.rescan_interval <= absl::ZeroDuration()) {
    return MakeError(errors::kConfigInvalid, "rescan_interval must be positive");
  }
  if (options.malformed_grace < absl::ZeroDuration()) {
    return MakeError(errors::kConfigInvalid, "malformed_grace must not be negative");
  }
  if (options.stale_temp_age <= absl::ZeroDuration()) {
    return MakeError(errors::kConfigInvalid, "stale_temp_age must be positive");
  }
  if (options.limits.max_bytes == 0) {
    return MakeError(errors::kConfigInvalid, "max_document_bytes must be positive");
  }
  if (options.quarantine_dir.empty()) {
    return MakeError(errors::kConfigInvalid, "quarantine_dir is empty");
  }
  if (options.archive_processed && options.processed_dir.empty()) {
    return MakeError(errors::kConfigInvalid, "processed_dir is empty but archiving is on");
  }

  UniqueFd root;
  if (int err = OpenDirectory(AT_FDCWD, options.root, /*nofollow=*/false, &root)) {
    return Unavailable("open terminal root", err);
  }
  struct stat shared[2];
  const char* kShared[2] = {"req", "res"};
  for (int i = 0; i < 2; ++i) {
    UniqueFd dir;
    if (int err = OpenDirectory(root.get(), kShared[i], /*nofollow=*/true, &dir)) {
      return Unavailable(absl::StrCat("open ", kShared[i], "/"), err);
    }
    if (fstat(dir.get(), &shared[i]) != 0) {
      return Unavailable(absl::StrCat("stat ", kShared[i], "/"), errno);
    }
  }

  auto open_private = [&](const std::string& path, const char* setting,
                          UniqueFd* out) -> absl::Status {
    // Creates missing parents too, and refuses loose modes and foreign owners.
    if (absl::Status s = EnsurePrivateDirectory(path); !s.ok()) return s;
    // Held open from here on, so the folder cannot be swapped under the transport; checked
    // again on the descriptor.
    std::string problem;
    if (OpenPrivateDirectory(path, out, &problem) != 0) {
      return MakeError(errors::kConfigInvalid, absl::StrCat(setting, " ", problem));
    }
    struct stat st;
    if (fstat(out->get(), &st) != 0) {
      return MakeError(errors::kConfigInvalid, absl::StrCat(setting, " cannot be examined"));
    }
    for (const struct stat& s : shared) {
      if (s.st_dev == st.st_dev && s.st_ino == st.st_ino) {
        return MakeError(errors::kConfigInvalid,
                         absl::StrCat(setting, " must not be the terminal's req/ or res/"));
      }
    }
    return absl::OkStatus();
  };
  UniqueFd quarantine;
  if (absl::Status s = open_private(options.quarantine_dir, "quarantine_dir", &quarantine);
      !s.ok()) {
    return s;
  }
  UniqueFd processed;
  if (options.archive_processed) {
    if (absl::Status s = open_private(options.processed_dir, "processed_dir", &processed);
        !s.ok()) {
      return s;
    }
  }

  std::string tag = MakeInstanceTag(options.quarantine_dir);
  std::unique_ptr<FileTransport> transport(new FileTransport(
      std::move(options), clock, std::move(processed), std::move(quarantine), std::move(tag)));
  // No Submit of this instance can be running yet: its own leftovers are all stale.
  transport->RemoveStaleTempFiles(/*include_own=*/true);
  return transport;
}

FileTransport::FileTransport(FileTransportOptions options, const Clock* clock,
                             UniqueFd processed_dir, UniqueFd quarantine_dir,
                             std::string instance_tag)
    : options_(std::move(options)),
      clock_(clock),
      processed_dir_(std::move(processed_dir)),
      quarantine_dir_(std::move(quarantine_dir)),
      instance_tag_(std::move(instance_tag)) {}

FileTransport::~FileTransport() {
  Stop();
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (thread_.joinable()) {
    // Only reachable when destroyed from a sink callback, which the contract forbids; detaching
    // beats std::terminate.
    Log(LogLevel::kError, kLog, "transport destroyed from its own watcher thread");
    thread_.detach();
  }
}

int FileTransport::OpenShared(const char* sub, UniqueFd* out) const {
  UniqueFd root;
  if (int err = OpenDirectory(AT_FDCWD, options_.root, /*nofollow=*/false, &root)) return err;
  return OpenDirectory(root.get(), sub, /*nofollow=*/true, out);
}

void FileTransport::RemoveStaleTempFiles(bool include_own) const {
  UniqueFd req;
  if (OpenShared("req", &req) != 0) return;
  int list_fd = openat(req.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = list_fd >= 0 ? fdopendir(list_fd) : nullptr;
  if (dir == nullptr) {
    if (list_fd >= 0) close(list_fd);
    return;
  }
  const std::string own_prefix = absl::StrCat(kTempFilePrefix, instance_tag_, "-");
  // File times come from the file server: compare with the real time, not an injected clock.
  const absl::Time cutoff = absl::Now() - options_.stale_temp_age;
  std::vector<std::string> names;
  while (struct dirent* de = readdir(dir)) {
    if (absl::StartsWith(de->d_name, kTempFilePrefix)) names.emplace_back(de->d_name);
  }
  closedir(dir);
  int removed = 0;
  for (const std::string& name : names) {
    struct stat st;
    if (StatEntry(req.get(), name, &st) != 0 || S_ISDIR(st.st_mode)) continue;
    bool own = include_own && absl::StartsWith(name, own_prefix);
    if (!own && absl::TimeFromTimespec(st.st_mtim) > cutoff) continue;
    if (unlinkat(req.get(), name.c_str(), 0) == 0) ++removed;
  }
  if (removed > 0) {
    Log(LogLevel::kInfo, kLog, "removed ", removed, " unfinished temp file(s) from req/");
  }
}

absl::Status FileTransport::Start(AnswerSink* sink) {
  if (sink == nullptr) return MakeError(errors::kInvalidArgument, "sink is null");
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (watcher_ != nullptr) {
    if (!watcher_->stop_requested() || std::this_thread::get_id() == thread_.get_id()) {
      return MakeError(errors::kInternal, "transport already started");
    }
    // Stopped from a sink callback earlier: finish that now.
    if (thread_.joinable()) thread_.join();
    watcher_.reset();
  }
  int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake < 0) {
    return MakeError(errors::kInternal, absl::StrCat("eventfd: ", ErrnoName(errno)));
  }
  auto watcher = std::make_unique<Watcher>(*this, sink, UniqueFd(wake));
  try {
    thread_ = std::thread([w = watcher.get()] { w->Run(); });
  } catch (const std::system_error& e) {
    return MakeError(errors::kInternal, "cannot start the watcher thread");
  }
  watcher_thread_id_.store(thread_.get_id());
  current_watcher_.store(watcher.get());
  watcher_ = std::move(watcher);
  return absl::OkStatus();
}

void FileTransport::Stop() {
  if (std::this_thread::get_id() == watcher_thread_id_.load()) {
    // From a sink callback: the thread cannot join itself. It ends after the callback returns.
    if (Watcher* w = current_watcher_.load()) w->RequestStop();
    return;
  }
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (watcher_ == nullptr) return;
  watcher_->RequestStop();
  // A sink callback that raced Start's publication of the thread id lands here.
  if (std::this_thread::get_id() == thread_.get_id()) return;
  if (thread_.joinable()) thread_.join();
  watcher_thread_id_.store(std::thread::id());
  current_watcher_.store(nullptr);
  watcher_.reset();
}

absl::Status FileTransport::Submit(DocumentKind kind, const google::protobuf::Message& document) {
  if (!IsRequestKind(kind)) {
    return MakeError(errors::kInvalidArgument,
                     absl::StrCat("document kind ", DocumentKindName(kind), " is not a request"));
  }
  absl::StatusOr<std::string> file_id = FileIdOf(kind, document);
  if (!file_id.ok()) return file_id.status();
  const std::string& id = *file_id;
  const absl::string_view kind_name = DocumentKindName(kind);
  if (!IsValidFileId(id)) {
    return MakeError(errors::kInvalidArgument,
                     "arbitrary_file_identifier must be 1-64 characters of [A-Za-z0-9_-]");
  }
  const std::string final_name = FileNameFor(kind, id);
  std::optional<FileName> check = ParseFileName(final_name);
  // The answer must come back under a name that reads as that answer (not, say, as a card-reader
  // check-in for a 個別照会 id starting "face_").
  const std::optional<DocumentKind> answer_kind = AnswerKindOf(kind);
  if (final_name.empty() || !check.has_value() || check->kind != kind ||
      check->form != FileForm::kXml || check->file_id != id || !answer_kind.has_value() ||
      FileNameFor(*answer_kind, id).empty()) {
    return MakeError(errors::kInvalidArgument,
                     "arbitrary_file_identifier does not make request and answer file names");
  }
  EncodeOptions encode;
  encode.encoding = options_.request_encoding;
  absl::StatusOr<std::string> bytes = EncodeByKind(kind, document, encode);
  if (!bytes.ok()) return bytes.status();

  UniqueFd req;
  if (int err = OpenShared("req", &req)) return Unavailable("open req/", err);
  const std::string temp = TempFileName(instance_tag_);
  UniqueFd file;
  if (int err = CreateExclusive(req.get(), temp, 0640, &file)) {
    return Unavailable("create temp file in req/", err);
  }
  auto fail = [&](absl::string_view step, int err) {
    file.reset();
    unlinkat(req.get(), temp.c_str(), 0);
    Log(LogLevel::kWarning, kLog, kind_name, " ", id, " not placed: ", step, ": ", ErrnoName(err));
    return Unavailable(step, err);
  };
  if (int err = WriteAll(file.get(), *bytes)) return fail("write temp file", err);
  if (int err = FsyncFd(file.get())) return fail("fsync temp file", err);
  // close() reports deferred write errors on network file systems.
  if (close(file.release()) != 0 && errno != EINTR) return fail("close temp file", errno);
  if (int err = RenameNoReplace(req.get(), temp, req.get(), final_name)) {
    if (err != EEXIST || !HoldsExactly(req.get(), final_name, *bytes)) {
      return fail(err == EEXIST ? "rename (a file with the final name exists)" : "rename", err);
    }
    // This very request is there already (placed by an earlier run that died before it could
    // record so): make sure it is durable, and drop the copy.
    unlinkat(req.get(), temp.c_str(), 0);
    if (int fsync_err = FsyncDirectory(req.get())) return Unavailable("fsync req/", fsync_err);
    Log(LogLevel::kInfo, kLog, kind_name, " ", id, " was in req/ already");
    return absl::OkStatus();
  }
  if (int err = FsyncDirectory(req.get())) {
    // Not durable: take the request back, so a retry can place it again under the same name.
    unlinkat(req.get(), final_name.c_str(), 0);
    Log(LogLevel::kWarning, kLog, kind_name, " ", id, " not placed: fsync req/: ", ErrnoName(err));
    return Unavailable("fsync req/", err);
  }
  Log(LogLevel::kInfo, kLog, kind_name, " ", id, " placed in req/");
  return absl::OkStatus();
}

absl::Status FileTransport::CheckHealth() {
  UniqueFd root;
  if (int err = OpenDirectory(AT_FDCWD, options_.root, /*nofollow=*/false, &root)) {
    return Unavailable("open terminal root", err);
  }
  for (const char* sub : {"req", "res"}) {
    struct stat st;
    if (int err = StatEntry(root.get(), sub, &st)) {
      return Unavailable(absl::StrCat("stat ", sub, "/"), err);
    }
    if (!S_ISDIR(st.st_mode)) return Unavailable(absl::StrCat(sub, "/ is a directory"), ENOTDIR);
    if (faccessat(root.get(), sub, W_OK | X_OK, AT_EACCESS) != 0) {
      return Unavailable(absl::StrCat("access ", sub, "/"), errno);
    }
  }
  return absl::OkStatus();
}

}  // namespace onshi::oqs
