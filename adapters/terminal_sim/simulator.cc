#include "adapters/terminal_sim/simulator.h"

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
#include <condition_variable>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/oqs_files/file_names.h"
#include "adapters/terminal_sim/dataset.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/common/system_clock.h"
#include "plugin/core/errors.h"

namespace onshi::sim {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

constexpr absl::string_view kLog = "terminal_sim";
// Prefix of the simulator's temp files in res/: no document pattern matches it.
constexpr absl::string_view kSimTempPrefix = ".sim-tmp-";
// Answers and .err files: readable by the service user's group (the reader may run as another
// user of the same group), never by others.
constexpr mode_t kFileMode = 0640;
constexpr mode_t kDirMode = 0770;

std::string ErrnoText(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? std::string(name) : absl::StrCat("errno ", err);
}

std::chrono::nanoseconds ToChrono(absl::Duration d) { return absl::ToChronoNanoseconds(d); }

int RetryClose(int fd) { return fd >= 0 ? ::close(fd) : 0; }

// Writes all of `data` to `fd`; 0 or an errno.
int WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

// mkdir -p for `path` (absolute or relative); existing directories are fine.
int MakeDirectories(const std::string& path) {
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    partial = path.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), kDirMode) != 0 && errno != EEXIST) return errno;
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return errno;
  return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

}  // namespace

class Simulator::Impl {
 public:
  explicit Impl(SimulatorOptions options)
      : options_(std::move(options)),
        clock_(options_.clock != nullptr ? options_.clock : &system_clock_),
        req_dir_(options_.root + "/req"),
        res_dir_(options_.root + "/res") {}

  ~Impl() {
    Stop();
    RetryClose(inotify_fd_);
    RetryClose(wake_fd_);
  }

  absl::Status Init() {
    for (const char* sub : {"req", "res", "face"}) {
      const int err = MakeDirectories(absl::StrCat(options_.root, "/", sub));
      if (err != 0) {
        return MakeError(errors::kTerminalUnavailable,
                         absl::StrCat("simulator: creating folder ", sub, ": ", ErrnoText(err)));
      }
    }
    responder_ = std::make_unique<Responder>(
        std::move(options_.dataset), ResponderOptions{options_.institution_code, options_.encoding,
                                                      options_.latency, options_.fault});
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) {
      return MakeError(errors::kInternal, absl::StrCat("simulator: eventfd: ", ErrnoText(errno)));
    }
    if (options_.notifications) {
      inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
      if (inotify_fd_ < 0) {
        return MakeError(errors::kTerminalUnavailable,
                         absl::StrCat("simulator: inotify_init1: ", ErrnoText(errno)));
      }
      if (!AddWatch()) {
        return MakeError(errors::kTerminalUnavailable,
                         absl::StrCat("simulator: watching req: ", ErrnoText(errno)));
      }
    }
    watcher_ = std::thread([this] { WatchLoop(); });
    worker_ = std::thread([this] { WorkLoop(); });
    return absl::OkStatus();
  }

  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      stopping_ = true;
      jobs_.clear();
    }
    cv_.notify_all();
    const uint64_t one = 1;
    if (wake_fd_ >= 0) (void)!::write(wake_fd_, &one, sizeof(one));
    if (watcher_.joinable()) watcher_.join();
    if (worker_.joinable()) worker_.join();
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.clear();
  }

  SimulatorStats stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    SimulatorStats s = stats_;
    s.pending_jobs = static_cast<int64_t>(jobs_.size()) + (job_running_ ? 1 : 0);
    return s;
  }

 private:
  using Job = std::function<void()>;

  // Identifies one version of a request file.
  struct FileKey {
    std::string name;
    ino_t ino;
    off_t size;
    time_t mtime_sec;
    long mtime_nsec;
    bool operator<(const FileKey& o) const {
      return std::tie(name, ino, size, mtime_sec, mtime_nsec) <
             std::tie(o.name, o.ino, o.size, o.mtime_sec, o.mtime_nsec);
    }
    bool operator==(const FileKey& o) const { return !(*this < o) && !(o < *this); }
  };

  // A file written in chunks under its final name (--fault=slow-write).
  struct SlowWrite {
    std::string file_id;
    std::string path;
    std::string bytes;
    size_t offset = 0;
    int fd = -1;
    ~SlowWrite() { RetryClose(fd); }
  };

  bool AddWatch() {
    watch_ = ::inotify_add_watch(
        inotify_fd_, req_dir_.c_str(),
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR | IN_DELETE_SELF | IN_MOVE_SELF);
    return watch_ >= 0;
  }

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopping_;
  }

  // ---- the watcher thread: takes request files out of req/ ------------------------------------

  void WatchLoop() {
    SteadyTime next_scan = std::chrono::steady_clock::now();
    while (!Stopping()) {
      const SteadyTime now = std::chrono::steady_clock::now();
      if (now >= next_scan || (retry_at_ && now >= *retry_at_)) {
        if (options_.notifications && watch_ < 0) AddWatch();
        Scan();
        next_scan = std::chrono::steady_clock::now() + ToChrono(options_.rescan_interval);
        continue;
      }
      SteadyTime wake = next_scan;
      if (retry_at_) wake = std::min(wake, *retry_at_);
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now);
      pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
      const int nfds = inotify_fd_ >= 0 ? 2 : 1;
      const int ready =
          ::poll(fds, nfds, static_cast<int>(std::clamp<int64_t>(wait.count(), 1, 60 * 1000)));
      if (ready <= 0) continue;           // timeout (or EINTR): the loop head decides.
      if (fds[0].revents != 0) continue;  // Stop() woke us.
      if (nfds == 2 && fds[1].revents != 0) {
        DrainInotify();
        next_scan = std::chrono::steady_clock::now();  // scan now; the listing is the truth
      }
    }
  }

  void DrainInotify() {
    alignas(inotify_event) char buffer[8192];
    while (true) {
      const ssize_t n = ::read(inotify_fd_, buffer, sizeof(buffer));
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + off);
        // req/ itself went away (or was replaced): watch again once it is back.
        if (event->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
          if (watch_ >= 0 && !(event->mask & IN_IGNORED)) {
            ::inotify_rm_watch(inotify_fd_, watch_);
          }
          watch_ = -1;
        }
        off += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
  }

  void Scan() {
    retry_at_.reset();
    std::vector<std::pair<std::string, std::string>> requests;  // name, file id
    DIR* dir = ::opendir(req_dir_.c_str());
    if (dir == nullptr) {
      // Logged once per outage, not once per rescan.
      if (!listing_failed_) Log(LogLevel::kWarning, kLog, "listing req failed: ", ErrnoText(errno));
      listing_failed_ = true;
      return;
    }
    if (listing_failed_) Log(LogLevel::kInfo, kLog, "listing req works again");
    listing_failed_ = false;
    while (const dirent* entry = ::readdir(dir)) {
      std::optional<oqs::FileName> parsed = oqs::ParseFileName(entry->d_name);
      if (parsed && parsed->kind == DocumentKind::kQualificationRequest &&
          parsed->form == oqs::FileForm::kXml) {
        requests.emplace_back(entry->d_name, parsed->file_id);
      }
    }
    ::closedir(dir);
    std::sort(requests.begin(), requests.end());
    for (auto it = unsettled_.begin(); it != unsettled_.end();) {
      const bool present = std::any_of(requests.begin(), requests.end(),
                                       [&](const auto& r) { return r.first == it->first; });
      it = present ? std::next(it) : unsettled_.erase(it);
    }
    for (const auto& [name, file_id] : requests) {
      if (Stopping()) return;
      TakeRequest(name, file_id);
    }
  }

  void TakeRequest(const std::string& name, const std::string& file_id) {
    const std::string path = absl::StrCat(req_dir_, "/", name);
    const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
      // ENOENT: the writer took it back. ELOOP: a symlink, which the terminal never reads.
      if (errno != ENOENT) Log(LogLevel::kDebug, kLog, "request ", file_id, " not opened");
      return;
    }
    struct stat st;
    std::string bytes;
    bool readable = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    if (readable) {
      const size_t cap = oqs::DecodeLimits{}.max_bytes + 1;
      char buffer[16384];
      while (bytes.size() < cap) {
        const ssize_t n = ::read(fd, buffer, sizeof(buffer));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
          readable = false;
          break;
        }
        if (n == 0) break;
        bytes.append(buffer, static_cast<size_t>(n));
      }
    }
    ::close(fd);
    if (!readable) return;
    const FileKey key{name, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
    if (stuck_.count(key) > 0) return;

    Plan plan = responder_->Respond(bytes, clock_->Now());
    if (plan.action != Plan::Action::kReject &&
        oqs::FileNameFor(DocumentKind::kQualificationAnswer, file_id).empty()) {
      // An id no answer name can carry (one starting "face_" would read back as a card-reader
      // check-in): the request is refused rather than answered under a misleading name.
      plan.action = Plan::Action::kReject;
      plan.reject_code = std::string(kRejectBadValue);
    }
    if (plan.action == Plan::Action::kReject && plan.undecodable) {
      // Perhaps still being written by a writer that does not rename into place: refuse it only
      // once it has stayed unchanged for settle_time since first seen (first-seen rather than
      // mtime, which a shared folder's other machine may set from a skewed clock).
      const SteadyTime now = std::chrono::steady_clock::now();
      auto [it, inserted] = unsettled_.try_emplace(name, Unsettled{key, now});
      if (!inserted && !(it->second.key == key)) it->second = Unsettled{key, now};
      const SteadyTime settled = it->second.first_seen + ToChrono(options_.settle_time);
      if (now < settled) {
        retry_at_ = retry_at_ ? std::min(*retry_at_, settled) : settled;
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.requests_deferred;
        return;
      }
    }
    unsettled_.erase(name);

    switch (plan.action) {
      case Plan::Action::kReject:
        Reject(name, file_id, plan, key);
        return;
      case Plan::Action::kSilent:
        if (!Consume(path, file_id, key)) return;
        Log(LogLevel::kInfo, kLog, "request ", file_id, " scenario=", ScenarioForLog(plan),
            " taken, never answered");
        {
          std::lock_guard<std::mutex> lock(mu_);
          ++stats_.requests_taken;
          ++stats_.requests_silenced;
        }
        return;
      case Plan::Action::kAnswer:
        break;
    }

    absl::StatusOr<std::string> encoded = oqs::EncodeQualificationResult(
        plan.answer, oqs::EncodeOptions{plan.encoding, /*substitute_unrepresentable=*/true});
    if (!encoded.ok()) {
      // The dataset holds something the codec refuses: a bug in the dataset, reported with the
      // scenario (ours, not patient data) and the codec's reason (names an element, no value).
      Log(LogLevel::kError, kLog, "request ", file_id, " scenario=", ScenarioForLog(plan),
          " answer cannot be encoded: ", ReasonOf(encoded.status()));
      if (!Consume(path, file_id, key)) return;
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.requests_taken;
      ++stats_.write_errors;
      return;
    }
    std::string document = plan.malformed ? TruncateDocument(*encoded) : *std::move(encoded);
    if (!Consume(path, file_id, key)) return;
    Log(LogLevel::kInfo, kLog, "request ", file_id, " scenario=", ScenarioForLog(plan),
        " answer in ", absl::ToInt64Milliseconds(plan.latency), " ms",
        plan.malformed ? " (malformed)" : "");

    const SteadyTime due = std::chrono::steady_clock::now() + ToChrono(plan.latency);
    Job job;
    switch (options_.fault) {
      case Fault::kSlowWrite: {
        auto slow = std::make_shared<SlowWrite>();
        slow->file_id = file_id;
        slow->path = absl::StrCat(res_dir_, "/",
                                  oqs::FileNameFor(DocumentKind::kQualificationAnswer, file_id));
        slow->bytes = std::move(document);
        job = [this, slow] { SlowWriteStep(slow); };
        break;
      }
      case Fault::kDuplicate:
        job = [this, file_id, document = std::move(document)] {
          if (!WriteAnswer(file_id, document)) return;
          const SteadyTime give_up =
              std::chrono::steady_clock::now() + ToChrono(options_.duplicate_wait);
          ScheduleDuplicate(file_id, document, give_up);
        };
        break;
      default:
        job = [this, file_id, document = std::move(document)] { WriteAnswer(file_id, document); };
        break;
    }
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.requests_taken;
    ScheduleLocked(due, std::move(job));
  }

  static std::string ScenarioForLog(const Plan& plan) {
    return plan.scenario.empty() ? "(none)" : plan.scenario;
  }

  // Removes the request from req/, as the 連携アプリ does with what it took. False when it could
  // not (the file is then remembered and left alone, so it is not answered twice).
  bool Consume(const std::string& path, const std::string& file_id, const FileKey& key) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      Log(LogLevel::kError, kLog, "request ", file_id,
          " cannot be removed from req: ", ErrnoText(errno), "; ignoring it");
      stuck_.insert(key);
      return false;
    }
    return true;
  }

  void Reject(const std::string& name, const std::string& file_id, const Plan& plan,
              const FileKey& key) {
    // The request moves first, so that when the .err appears its request is already beside it.
    const std::string from = absl::StrCat(req_dir_, "/", name);
    const std::string to = absl::StrCat(res_dir_, "/", name);
    if (::rename(from.c_str(), to.c_str()) != 0) {
      if (errno == ENOENT) return;  // taken back by its writer
      Log(LogLevel::kError, kLog, "request ", file_id,
          " cannot be moved into res: ", ErrnoText(errno), "; ignoring it");
      stuck_.insert(key);
      return;
    }
    {
      // Counted before the .err appears, so whoever sees the .err sees the count.
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.requests_taken;
      ++stats_.requests_rejected;
    }
    Log(LogLevel::kInfo, kLog, "request ", file_id, " scenario=", ScenarioForLog(plan),
        " refused: ", plan.reject_code);
    const std::string err_name =
        oqs::FileNameFor(DocumentKind::kQualificationRequest, file_id, oqs::FileForm::kErr);
    if (!WriteAtomically(err_name, absl::StrCat(plan.reject_code, "\n"), file_id)) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.write_errors;
    }
  }

  // ---- the worker thread: writes answers when they are due ------------------------------------

  void ScheduleLocked(SteadyTime due, Job job) {
    if (stopping_) return;
    jobs_.emplace(std::make_pair(due, next_seq_++), std::move(job));
    cv_.notify_all();
  }

  void Schedule(SteadyTime due, Job job) {
    std::lock_guard<std::mutex> lock(mu_);
    ScheduleLocked(due, std::move(job));
  }

  void WorkLoop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      if (jobs_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = jobs_.begin();
      const SteadyTime due = first->first.first;
      if (std::chrono::steady_clock::now() < due) {
        cv_.wait_until(lock, due);
        continue;
      }
      Job job = std::move(first->second);
      jobs_.erase(first);
      job_running_ = true;
      lock.unlock();
      job();
      lock.lock();
      job_running_ = false;
    }
  }

  // Writes `bytes` under a temp name in res/, then renames it to `final_name`: a reader sees the
  // file complete or not at all. No fsync: durability is not what the simulator imitates.
  bool WriteAtomically(const std::string& final_name, absl::string_view bytes,
                       const std::string& file_id) {
    const std::string temp = absl::StrCat(res_dir_, "/", kSimTempPrefix, NewFileId());
    const int fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kFileMode);
    int err = fd < 0 ? errno : WriteAll(fd, bytes);
    if (fd >= 0 && ::close(fd) != 0 && err == 0) err = errno;
    if (err == 0) {
      const std::string target = absl::StrCat(res_dir_, "/", final_name);
      if (::rename(temp.c_str(), target.c_str()) != 0) err = errno;
    }
    if (err != 0) {
      if (fd >= 0) ::unlink(temp.c_str());
      Log(LogLevel::kError, kLog, "file ", file_id,
          " cannot be written into res: ", ErrnoText(err));
      return false;
    }
    return true;
  }

  bool WriteAnswer(const std::string& file_id, absl::string_view document) {
    const bool ok = WriteAtomically(oqs::FileNameFor(DocumentKind::kQualificationAnswer, file_id),
                                    document, file_id);
    std::lock_guard<std::mutex> lock(mu_);
    ++(ok ? stats_.answers_written : stats_.write_errors);
    return ok;
  }

  void ScheduleDuplicate(const std::string& file_id, const std::string& document,
                         SteadyTime give_up) {
    Schedule(std::chrono::steady_clock::now() + ToChrono(options_.duplicate_poll),
             [this, file_id, document, give_up] {
               const std::string path = absl::StrCat(
                   res_dir_, "/", oqs::FileNameFor(DocumentKind::kQualificationAnswer, file_id));
               struct stat st;
               if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
                 Log(LogLevel::kInfo, kLog, "answer ", file_id, " written again (duplicate)");
                 WriteAnswer(file_id, document);
                 return;
               }
               if (std::chrono::steady_clock::now() >= give_up) {
                 Log(LogLevel::kWarning, kLog, "answer ", file_id,
                     " never taken out of res; no duplicate written");
                 return;
               }
               ScheduleDuplicate(file_id, document, give_up);
             });
  }

  void SlowWriteStep(const std::shared_ptr<SlowWrite>& slow) {
    if (slow->fd < 0) {
      slow->fd = ::open(slow->path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                        kFileMode);
      if (slow->fd < 0) {
        Log(LogLevel::kError, kLog, "answer ", slow->file_id,
            " cannot be created in res: ", ErrnoText(errno));
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.write_errors;
        return;
      }
    }
    const size_t n = std::min(std::max<size_t>(options_.slow_write_chunk_bytes, 1),
                              slow->bytes.size() - slow->offset);
    const int err = WriteAll(slow->fd, absl::string_view(slow->bytes).substr(slow->offset, n));
    slow->offset += n;
    if (err != 0 || slow->offset >= slow->bytes.size()) {
      const int close_err = ::close(slow->fd) != 0 ? errno : 0;
      slow->fd = -1;
      std::lock_guard<std::mutex> lock(mu_);
      if (err != 0 || close_err != 0) {
        Log(LogLevel::kError, kLog, "answer ", slow->file_id,
            " write failed: ", ErrnoText(err != 0 ? err : close_err));
        ++stats_.write_errors;
      } else {
        ++stats_.answers_written;
      }
      return;
    }
    Schedule(std::chrono::steady_clock::now() + ToChrono(options_.slow_write_pause),
             [this, slow] { SlowWriteStep(slow); });
  }

  SimulatorOptions options_;
  SystemClock system_clock_;
  const Clock* const clock_;
  const std::string req_dir_;
  const std::string res_dir_;
  std::unique_ptr<Responder> responder_;

  int inotify_fd_ = -1;
  int wake_fd_ = -1;

  // Watcher thread only.
  int watch_ = -1;
  std::optional<SteadyTime> retry_at_;
  bool listing_failed_ = false;
  // Undecodable request files waiting to settle, by name.
  struct Unsettled {
    FileKey key;
    SteadyTime first_seen;
  };
  std::map<std::string, Unsettled> unsettled_;
  // Requests that could not be taken out of req/ (left alone from then on).
  std::set<FileKey> stuck_;

  std::thread watcher_;
  std::thread worker_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                                // guarded by mu_
  std::map<std::pair<SteadyTime, uint64_t>, Job> jobs_;  // guarded by mu_
  uint64_t next_seq_ = 0;                                // guarded by mu_
  bool job_running_ = false;                             // guarded by mu_
  SimulatorStats stats_;                                 // guarded by mu_
};

absl::StatusOr<std::unique_ptr<Simulator>> Simulator::Start(SimulatorOptions options) {
  if (options.root.empty()) {
    return MakeError(errors::kConfigInvalid, "simulator: root (--root) is required");
  }
  if (options.institution_code.size() != 10 ||
      !std::all_of(options.institution_code.begin(), options.institution_code.end(),
                   [](char c) { return absl::ascii_isdigit(static_cast<unsigned char>(c)); })) {
    return MakeError(errors::kConfigInvalid,
                     "simulator: institution code (--institution) must be 10 digits");
  }
  if (options.rescan_interval <= absl::ZeroDuration()) {
    return MakeError(errors::kConfigInvalid, "simulator: rescan interval must be positive");
  }
  if (options.latency < absl::ZeroDuration() || options.settle_time < absl::ZeroDuration() ||
      options.slow_write_pause < absl::ZeroDuration() ||
      options.duplicate_poll <= absl::ZeroDuration()) {
    return MakeError(errors::kConfigInvalid, "simulator: durations must not be negative");
  }
  absl::Status valid = ValidateDataset(options.dataset);
  if (!valid.ok()) return valid;

  const Fault fault = options.fault;
  const int patients = options.dataset.patients_size();
  auto impl = std::make_unique<Impl>(std::move(options));
  absl::Status started = impl->Init();
  if (!started.ok()) return started;
  Log(LogLevel::kInfo, kLog, "watching req: ", patients, " patients, fault=", FaultName(fault));
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Simulator::~Simulator() { Stop(); }

void Simulator::Stop() {
  if (impl_) impl_->Stop();
}

SimulatorStats Simulator::stats() const { return impl_->stats(); }

}  // namespace onshi::sim
