#include "adapters/terminal_sim/simulator.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
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
#include "adapters/oqs_files/fs_util.h"
#include "adapters/terminal_sim/control.h"
#include "adapters/terminal_sim/dataset.h"
#include "adapters/terminal_sim/state.h"
#include "google/protobuf/text_format.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/common/system_clock.h"
#include "plugin/core/errors.h"

namespace onshi::sim {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

constexpr absl::string_view kLog = "terminal_sim";
// Prefix of the simulator's temp files in res/ and face/: no document pattern matches it.
constexpr absl::string_view kSimTempPrefix = ".sim-tmp-";
// Answers and .err files: readable by the service user's group (the reader may run as another
// user of the same group), never by others.
constexpr mode_t kFileMode = 0640;
constexpr mode_t kDirMode = 0770;
// Largest control command read.
constexpr size_t kMaxCommandBytes = 64 * 1024;

std::string ErrnoText(int err) { return oqs::ErrnoName(err); }

std::chrono::nanoseconds ToChrono(absl::Duration d) { return absl::ToChronoNanoseconds(d); }

int RetryClose(int fd) { return fd >= 0 ? ::close(fd) : 0; }

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

// The id of the second copy --fault=duplicate-renamed writes.
std::string RenamedId(const std::string& id) {
  return absl::StrCat(id.size() > 60 ? id.substr(0, 60) : id, "_dup");
}

// Reads a whole regular file (not following links), at most `cap` bytes; false on any error.
bool ReadRegular(const std::string& path, size_t cap, std::string* out, struct stat* st) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) return false;
  oqs::UniqueFd owned(fd);
  if (::fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) return false;
  bool over = false;
  return oqs::ReadFromStart(fd, cap, out, &over) == 0;
}

}  // namespace

class Simulator::Impl {
 public:
  explicit Impl(SimulatorOptions options)
      : options_(std::move(options)),
        clock_(options_.clock != nullptr ? options_.clock : &system_clock_),
        req_dir_(options_.root + "/req"),
        res_dir_(options_.root + "/res"),
        face_dir_(options_.root + "/face"),
        control_dir_(ControlDirOf(options_.root)) {}

  ~Impl() {
    Stop();
    RetryClose(inotify_fd_);
    RetryClose(wake_fd_);
    RetryClose(lock_fd_);
  }

  absl::Status Init() {
    for (const char* sub : {"req", "res", "face"}) {
      const int err = MakeDirectories(absl::StrCat(options_.root, "/", sub));
      if (err != 0) {
        return MakeError(errors::kTerminalUnavailable,
                         absl::StrCat("simulator: creating folder ", sub, ": ", ErrnoText(err)));
      }
    }
    // The private folder: what the simulator remembers and its control commands.
    for (const std::string& dir : {PrivateDirOf(options_.root), control_dir_}) {
      oqs::UniqueFd fd;
      std::string problem;
      if (const int err = oqs::OpenPrivateDirectory(dir, &fd, &problem); err != 0) {
        return MakeError(errors::kTerminalUnavailable,
                         absl::StrCat("simulator: private folder .sim: ",
                                      problem.empty() ? ErrnoText(err) : problem));
      }
    }
    const std::string lock_path = absl::StrCat(PrivateDirOf(options_.root), "/", kLockFileName);
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) {
      return MakeError(errors::kTerminalUnavailable,
                       absl::StrCat("simulator: lock file: ", ErrnoText(errno)));
    }
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      return MakeError(
          errors::kTerminalUnavailable,
          absl::StrCat("simulator: another simulator serves this root (", ErrnoText(errno), ")"));
    }
    if (options_.durable_state) {
      absl::StatusOr<std::unique_ptr<SimState>> state =
          SimState::Open(absl::StrCat(PrivateDirOf(options_.root), "/", kStateFileName));
      if (!state.ok()) return state.status();
      state_ = *std::move(state);
    } else {
      state_ = std::make_unique<SimState>();
    }
    ResponderOptions responder_options;
    responder_options.institution_code = options_.institution_code;
    responder_options.encoding = options_.encoding;
    responder_options.latency = options_.latency;
    responder_options.fault = options_.fault;
    responder_options.batch_processing_time = options_.batch_processing_time;
    responder_options.late_delay = options_.late_delay;
    responder_ = std::make_unique<Responder>(std::move(options_.dataset),
                                             std::move(responder_options), state_.get());
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) {
      return MakeError(errors::kInternal, absl::StrCat("simulator: eventfd: ", ErrnoText(errno)));
    }
    inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    if (inotify_fd_ < 0) {
      return MakeError(errors::kTerminalUnavailable,
                       absl::StrCat("simulator: inotify_init1: ", ErrnoText(errno)));
    }
    if (options_.notifications && !AddReqWatch()) {
      return MakeError(errors::kTerminalUnavailable,
                       absl::StrCat("simulator: watching req: ", ErrnoText(errno)));
    }
    // The control folder is the simulator's own: always watched.
    control_watch_ =
        ::inotify_add_watch(inotify_fd_, control_dir_.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO);
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

  v1::State StateSnapshot() const { return state_->Snapshot(); }

  // A check-in; `done` is called (from the worker) once the face file is complete, or at once
  // when nothing is written or the check-in failed.
  absl::StatusOr<CheckinResult> CheckIn(
      const v1::CheckinCommand& command,
      std::function<void(const absl::StatusOr<CheckinResult>&)> done) {
    if (Stopping()) return MakeError(errors::kTerminalUnavailable, "simulator stopped");
    absl::StatusOr<CheckinReply> reply = responder_->CheckIn(command, clock_->Now());
    if (!reply.ok()) {
      if (done) done(reply.status());
      return reply.status();
    }
    CheckinResult result;
    result.face_file = oqs::FileNameFor(DocumentKind::kFaceCheckin, reply->file_id);
    result.written = reply->document != nullptr;
    const std::string scenario = reply->scenario.empty() ? "(unknown person)" : reply->scenario;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.checkins;
    }
    if (!result.written) {
      Log(LogLevel::kInfo, kLog, "check-in ", reply->file_id, " scenario=", scenario,
          " recorded, no face file (fault)");
      if (done) done(result);
      return result;
    }
    absl::StatusOr<std::string> encoded =
        oqs::EncodeByKind(DocumentKind::kFaceCheckin, *reply->document,
                          oqs::EncodeOptions{reply->encoding, /*substitute_unrepresentable=*/true});
    if (!encoded.ok()) {
      Log(LogLevel::kError, kLog, "check-in ", reply->file_id, " scenario=", scenario,
          " cannot be encoded: ", ReasonOf(encoded.status()));
      if (done) done(encoded.status());
      return encoded.status();
    }
    Log(LogLevel::kInfo, kLog, "check-in ", reply->file_id, " scenario=", scenario,
        reply->recorded ? " consents recorded" : " not recorded",
        reply->malformed ? " (malformed file)" : "");
    auto out = std::make_shared<Output>();
    out->dir = face_dir_;
    out->kind = DocumentKind::kFaceCheckin;
    out->file_id = reply->file_id;
    out->bytes = reply->malformed ? TruncateDocument(*encoded) : *std::move(encoded);
    out->write_fault = reply->write_fault;
    if (done) {
      out->on_written = [done, result](bool ok) {
        if (ok) {
          done(result);
        } else {
          done(MakeError(errors::kTerminalUnavailable, "simulator: face file not written"));
        }
      };
    }
    Schedule(std::chrono::steady_clock::now(), [this, out] { StartOutput(out); });
    return result;
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

  // One file to write (an answer, a check-in) and how.
  struct Output {
    std::string dir;
    DocumentKind kind = DocumentKind::kQualificationAnswer;
    std::string file_id;
    oqs::FileForm form = oqs::FileForm::kXml;
    std::string bytes;
    Fault write_fault = Fault::kNone;
    // kOrphan: the same kind of answer for an id nobody asked for.
    std::string orphan_id;
    std::string orphan_bytes;
    // Called once the (first) copy is complete under its name, or failed.
    std::function<void(bool)> on_written;
    // kSlowWrite.
    size_t offset = 0;
    int fd = -1;
    ~Output() { RetryClose(fd); }

    std::string Name() const { return oqs::FileNameFor(kind, file_id, form); }
  };

  bool AddReqWatch() {
    req_watch_ = ::inotify_add_watch(
        inotify_fd_, req_dir_.c_str(),
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_ONLYDIR | IN_DELETE_SELF | IN_MOVE_SELF);
    return req_watch_ >= 0;
  }

  bool Stopping() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopping_;
  }

  // ---- the watcher thread: takes request files out of req/, commands out of control/ --------

  void WatchLoop() {
    SteadyTime next_scan = std::chrono::steady_clock::now();
    SteadyTime next_control = next_scan;
    while (!Stopping()) {
      const SteadyTime now = std::chrono::steady_clock::now();
      if (now >= next_control) {
        ScanControl();
        next_control =
            std::chrono::steady_clock::now() + ToChrono(options_.control_rescan_interval);
        continue;
      }
      if (now >= next_scan || (retry_at_ && now >= *retry_at_)) {
        if (options_.notifications && req_watch_ < 0) AddReqWatch();
        Scan();
        next_scan = std::chrono::steady_clock::now() + ToChrono(options_.rescan_interval);
        continue;
      }
      SteadyTime wake = std::min(next_scan, next_control);
      if (retry_at_) wake = std::min(wake, *retry_at_);
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now);
      pollfd fds[2] = {{wake_fd_, POLLIN, 0}, {inotify_fd_, POLLIN, 0}};
      const int ready =
          ::poll(fds, 2, static_cast<int>(std::clamp<int64_t>(wait.count(), 1, 60 * 1000)));
      if (ready <= 0) continue;           // timeout (or EINTR): the loop head decides.
      if (fds[0].revents != 0) continue;  // Stop() woke us.
      if (fds[1].revents != 0) {
        bool req = false;
        bool control = false;
        DrainInotify(&req, &control);
        // Scan now; the listing is the truth.
        if (req) next_scan = std::chrono::steady_clock::now();
        if (control) next_control = std::chrono::steady_clock::now();
      }
    }
  }

  void DrainInotify(bool* req, bool* control) {
    alignas(inotify_event) char buffer[8192];
    while (true) {
      const ssize_t n = ::read(inotify_fd_, buffer, sizeof(buffer));
      if (n <= 0) break;
      for (ssize_t off = 0; off < n;) {
        const auto* event = reinterpret_cast<const inotify_event*>(buffer + off);
        if (event->wd == control_watch_ && control_watch_ >= 0) {
          *control = true;
        } else {
          *req = true;
          // req/ itself went away (or was replaced): watch again once it is back.
          if (event->wd == req_watch_ &&
              (event->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF))) {
            if (!(event->mask & IN_IGNORED)) ::inotify_rm_watch(inotify_fd_, req_watch_);
            req_watch_ = -1;
          }
        }
        off += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
      }
    }
  }

  void Scan() {
    retry_at_.reset();
    struct Found {
      std::string name;
      DocumentKind kind;
      std::string file_id;
    };
    std::vector<Found> requests;
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
      if (parsed && IsRequestKind(parsed->kind) && parsed->form == oqs::FileForm::kXml) {
        requests.push_back({entry->d_name, parsed->kind, parsed->file_id});
      }
    }
    ::closedir(dir);
    std::sort(requests.begin(), requests.end(),
              [](const Found& a, const Found& b) { return a.name < b.name; });
    for (auto it = unsettled_.begin(); it != unsettled_.end();) {
      const bool present = std::any_of(requests.begin(), requests.end(),
                                       [&](const Found& r) { return r.name == it->first; });
      it = present ? std::next(it) : unsettled_.erase(it);
    }
    for (const Found& r : requests) {
      if (Stopping()) return;
      TakeRequest(r.name, r.kind, r.file_id);
    }
  }

  void TakeRequest(const std::string& name, DocumentKind kind, const std::string& file_id) {
    const std::string path = absl::StrCat(req_dir_, "/", name);
    struct stat st;
    std::string bytes;
    if (!ReadRegular(path, oqs::DecodeLimits{}.max_bytes + 1, &bytes, &st)) {
      // ENOENT: the writer took it back. A symlink or special file: the terminal never reads it.
      return;
    }
    const FileKey key{name, st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec};
    if (stuck_.count(key) > 0) return;

    Reply reply = responder_->Handle(kind, bytes, clock_->Now());
    const oqs::FileForm form = reply.is_pdf() ? oqs::FileForm::kPdf : oqs::FileForm::kXml;
    if (reply.action == Reply::Action::kAnswer &&
        oqs::FileNameFor(reply.kind, file_id, form).empty()) {
      // An id no answer name can carry (one starting "face_" would read back as a card-reader
      // check-in): the request is refused rather than answered under a misleading name.
      reply = Reply();
      reply.action = Reply::Action::kReject;
      reply.reject_code = std::string(kRejectBadValue);
    }
    if (reply.action == Reply::Action::kReject && reply.undecodable) {
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
    const std::string what = absl::StrCat(DocumentKindName(kind), " ", file_id);
    const std::string scenario = reply.scenario.empty() ? "(none)" : reply.scenario;

    switch (reply.action) {
      case Reply::Action::kReject:
        Reject(name, kind, file_id, reply, key);
        return;
      case Reply::Action::kSilent:
        if (!Consume(path, file_id, key)) return;
        Log(LogLevel::kInfo, kLog, what, " scenario=", scenario, " taken, never answered");
        {
          std::lock_guard<std::mutex> lock(mu_);
          ++stats_.requests_taken;
          ++stats_.requests_silenced;
        }
        return;
      case Reply::Action::kAnswer:
        break;
    }

    auto out = std::make_shared<Output>();
    out->dir = res_dir_;
    out->kind = reply.kind;
    out->file_id = file_id;
    out->form = form;
    out->write_fault = reply.write_fault;
    absl::Status encoded = Encode(reply, &out->bytes);
    if (encoded.ok() && reply.write_fault == Fault::kOrphan) {
      out->orphan_id = NewFileId();
      Reply orphan = reply;
      if (orphan.document != nullptr) orphan.document = WithFileId(*reply.document, out->orphan_id);
      encoded = Encode(orphan, &out->orphan_bytes);
    }
    if (!encoded.ok()) {
      // The dataset holds something the codec refuses: a bug in the dataset, reported with the
      // scenario (ours, not patient data) and the codec's reason (names an element, no value).
      Log(LogLevel::kError, kLog, what, " scenario=", scenario,
          " answer cannot be encoded: ", ReasonOf(encoded));
      if (!Consume(path, file_id, key)) return;
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.requests_taken;
      ++stats_.write_errors;
      return;
    }
    if (!Consume(path, file_id, key)) return;
    Log(LogLevel::kInfo, kLog, what, " scenario=", scenario, " ", reply.summary,
        reply.summary.empty() ? "" : "; ", "answer in ", absl::ToInt64Milliseconds(reply.latency),
        " ms", reply.is_pdf() ? " (pdf)" : "", reply.malformed ? " (malformed)" : "",
        reply.write_fault != Fault::kNone ? absl::StrCat(" (", FaultName(reply.write_fault), ")")
                                          : "");
    const SteadyTime due = std::chrono::steady_clock::now() + ToChrono(reply.latency);
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.requests_taken;
    ScheduleLocked(due, [this, out] { StartOutput(out); });
  }

  // The bytes of an answer: the encoded XML (or the PDF), cut off when it is to be malformed.
  static absl::Status Encode(const Reply& reply, std::string* bytes) {
    if (reply.document != nullptr) {
      absl::StatusOr<std::string> encoded = oqs::EncodeByKind(
          reply.kind, *reply.document,
          oqs::EncodeOptions{reply.encoding, /*substitute_unrepresentable=*/true});
      if (!encoded.ok()) return encoded.status();
      *bytes = *std::move(encoded);
    } else {
      *bytes = reply.pdf;
    }
    if (reply.malformed) *bytes = TruncateDocument(*bytes);
    return absl::OkStatus();
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

  void Reject(const std::string& name, DocumentKind kind, const std::string& file_id,
              const Reply& reply, const FileKey& key) {
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
    Log(LogLevel::kInfo, kLog, DocumentKindName(kind), " ", file_id,
        " scenario=", reply.scenario.empty() ? "(none)" : reply.scenario,
        " refused: ", reply.reject_code);
    const std::string err_name = oqs::FileNameFor(kind, file_id, oqs::FileForm::kErr);
    if (!WriteAtomically(res_dir_, err_name, absl::StrCat(reply.reject_code, "\n"), file_id)) {
      std::lock_guard<std::mutex> lock(mu_);
      ++stats_.write_errors;
    }
  }

  // ---- the control folder: check-in commands -------------------------------------------------

  void ScanControl() {
    std::vector<std::string> ids;
    DIR* dir = ::opendir(control_dir_.c_str());
    if (dir == nullptr) return;
    while (const dirent* entry = ::readdir(dir)) {
      if (std::optional<std::string> id = ParseCommandFileName(entry->d_name)) {
        ids.push_back(*std::move(id));
      }
    }
    ::closedir(dir);
    std::sort(ids.begin(), ids.end());
    for (const std::string& id : ids) {
      if (Stopping()) return;
      const std::string path = absl::StrCat(control_dir_, "/", CommandFileName(id));
      std::string text;
      struct stat st;
      const bool read = ReadRegular(path, kMaxCommandBytes, &text, &st);
      // Taken once: removed before it is carried out.
      if (::unlink(path.c_str()) != 0 || !read) continue;
      v1::CheckinCommand command;
      if (!google::protobuf::TextFormat::ParseFromString(text, &command)) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          ++stats_.control_errors;
        }
        Log(LogLevel::kWarning, kLog, "control command ", id, " does not parse");
        WriteAck(id, MakeError(errors::kInvalidArgument,
                               "the command does not parse as onshi.sim.v1.CheckinCommand"));
        continue;
      }
      absl::StatusOr<CheckinResult> started = CheckIn(
          command,
          [this, id](const absl::StatusOr<CheckinResult>& outcome) { WriteAck(id, outcome); });
      if (!started.ok()) {
        std::lock_guard<std::mutex> lock(mu_);
        ++stats_.control_errors;
        Log(LogLevel::kWarning, kLog, "control command ", id,
            " refused: ", ReasonOf(started.status()));
      }
    }
  }

  void WriteAck(const std::string& id, const absl::StatusOr<CheckinResult>& outcome) {
    const std::string temp = absl::StrCat(control_dir_, "/.ack-tmp-", NewFileId());
    const std::string final_path = absl::StrCat(control_dir_, "/", AckFileName(id));
    oqs::UniqueFd fd(
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    int err = fd.valid() ? oqs::WriteAll(fd.get(), FormatAck(outcome)) : errno;
    if (fd.valid() && ::close(fd.release()) != 0 && err == 0) err = errno;
    if (err == 0 && ::rename(temp.c_str(), final_path.c_str()) != 0) err = errno;
    if (err != 0) {
      ::unlink(temp.c_str());
      Log(LogLevel::kError, kLog, "control answer ", id, " not written: ", ErrnoText(err));
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

  // Writes `bytes` under a temp name in `dir`, then renames it to `final_name`: a reader sees
  // the file complete or not at all. No fsync: durability is not what the simulator imitates.
  bool WriteAtomically(const std::string& dir, const std::string& final_name,
                       absl::string_view bytes, const std::string& file_id) {
    const std::string temp = absl::StrCat(dir, "/", kSimTempPrefix, NewFileId());
    const int fd =
        ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, kFileMode);
    int err = fd < 0 ? errno : oqs::WriteAll(fd, bytes);
    if (fd >= 0 && ::close(fd) != 0 && err == 0) err = errno;
    if (err == 0) {
      const std::string target = absl::StrCat(dir, "/", final_name);
      if (::rename(temp.c_str(), target.c_str()) != 0) err = errno;
    }
    if (err != 0) {
      if (fd >= 0) ::unlink(temp.c_str());
      Log(LogLevel::kError, kLog, "file ", file_id, " cannot be written: ", ErrnoText(err));
      return false;
    }
    return true;
  }

  // Writes the main copy and counts it.
  bool WriteMain(const std::shared_ptr<Output>& out) {
    const bool ok = WriteAtomically(out->dir, out->Name(), out->bytes, out->file_id);
    std::lock_guard<std::mutex> lock(mu_);
    ++(ok ? stats_.answers_written : stats_.write_errors);
    return ok;
  }

  void WriteExtra(const std::shared_ptr<Output>& out, const std::string& id,
                  absl::string_view bytes) {
    const bool ok =
        WriteAtomically(out->dir, oqs::FileNameFor(out->kind, id, out->form), bytes, id);
    std::lock_guard<std::mutex> lock(mu_);
    ++(ok ? stats_.extra_files_written : stats_.write_errors);
  }

  static void Written(const std::shared_ptr<Output>& out, bool ok) {
    if (out->on_written) {
      std::function<void(bool)> callback = std::move(out->on_written);
      out->on_written = nullptr;
      callback(ok);
    }
  }

  void StartOutput(const std::shared_ptr<Output>& out) {
    switch (out->write_fault) {
      case Fault::kSlowWrite:
        SlowWriteStep(out);
        return;
      case Fault::kDuplicate: {
        const bool ok = WriteMain(out);
        Written(out, ok);
        if (!ok) return;
        const SteadyTime give_up =
            std::chrono::steady_clock::now() + ToChrono(options_.duplicate_wait);
        ScheduleDuplicate(out, give_up);
        return;
      }
      case Fault::kDuplicateRenamed: {
        const bool ok = WriteMain(out);
        if (ok) {
          Log(LogLevel::kInfo, kLog, "file ", out->file_id, " also written as ",
              RenamedId(out->file_id), " (duplicate-renamed)");
          WriteExtra(out, RenamedId(out->file_id), out->bytes);
        }
        Written(out, ok);
        return;
      }
      case Fault::kOrphan: {
        const bool ok = WriteMain(out);
        Log(LogLevel::kInfo, kLog, "orphan answer ", out->orphan_id, " written next to ",
            out->file_id);
        WriteExtra(out, out->orphan_id, out->orphan_bytes);
        Written(out, ok);
        return;
      }
      default:
        Written(out, WriteMain(out));
        return;
    }
  }

  void ScheduleDuplicate(const std::shared_ptr<Output>& out, SteadyTime give_up) {
    Schedule(std::chrono::steady_clock::now() + ToChrono(options_.duplicate_poll),
             [this, out, give_up] {
               const std::string path = absl::StrCat(out->dir, "/", out->Name());
               struct stat st;
               if (::lstat(path.c_str(), &st) != 0 && errno == ENOENT) {
                 Log(LogLevel::kInfo, kLog, "file ", out->file_id, " written again (duplicate)");
                 WriteMain(out);
                 return;
               }
               if (std::chrono::steady_clock::now() >= give_up) {
                 Log(LogLevel::kWarning, kLog, "file ", out->file_id,
                     " never taken out of its folder; no duplicate written");
                 return;
               }
               ScheduleDuplicate(out, give_up);
             });
  }

  void SlowWriteStep(const std::shared_ptr<Output>& out) {
    if (out->fd < 0) {
      const std::string path = absl::StrCat(out->dir, "/", out->Name());
      out->fd =
          ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, kFileMode);
      if (out->fd < 0) {
        Log(LogLevel::kError, kLog, "file ", out->file_id,
            " cannot be created: ", ErrnoText(errno));
        {
          std::lock_guard<std::mutex> lock(mu_);
          ++stats_.write_errors;
        }
        Written(out, false);
        return;
      }
    }
    const size_t n = std::min(std::max<size_t>(options_.slow_write_chunk_bytes, 1),
                              out->bytes.size() - out->offset);
    const int err = oqs::WriteAll(out->fd, absl::string_view(out->bytes).substr(out->offset, n));
    out->offset += n;
    if (err != 0 || out->offset >= out->bytes.size()) {
      const int close_err = ::close(out->fd) != 0 ? errno : 0;
      out->fd = -1;
      const bool ok = err == 0 && close_err == 0;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!ok) {
          Log(LogLevel::kError, kLog, "file ", out->file_id,
              " write failed: ", ErrnoText(err != 0 ? err : close_err));
          ++stats_.write_errors;
        } else {
          ++stats_.answers_written;
        }
      }
      Written(out, ok);
      return;
    }
    Schedule(std::chrono::steady_clock::now() + ToChrono(options_.slow_write_pause),
             [this, out] { SlowWriteStep(out); });
  }

  SimulatorOptions options_;
  SystemClock system_clock_;
  const Clock* const clock_;
  const std::string req_dir_;
  const std::string res_dir_;
  const std::string face_dir_;
  const std::string control_dir_;
  std::unique_ptr<SimState> state_;
  std::unique_ptr<Responder> responder_;

  int inotify_fd_ = -1;
  int wake_fd_ = -1;
  int lock_fd_ = -1;
  int control_watch_ = -1;

  // Watcher thread only.
  int req_watch_ = -1;
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
  if (options.rescan_interval <= absl::ZeroDuration() ||
      options.control_rescan_interval <= absl::ZeroDuration()) {
    return MakeError(errors::kConfigInvalid, "simulator: rescan interval must be positive");
  }
  if (options.latency < absl::ZeroDuration() || options.settle_time < absl::ZeroDuration() ||
      options.slow_write_pause < absl::ZeroDuration() ||
      options.duplicate_poll <= absl::ZeroDuration() ||
      options.batch_processing_time < absl::ZeroDuration() ||
      options.late_delay < absl::ZeroDuration()) {
    return MakeError(errors::kConfigInvalid, "simulator: durations must not be negative");
  }
  absl::Status valid = ValidateDataset(options.dataset);
  if (!valid.ok()) return valid;

  const std::string faults = options.fault.ToString();
  const int patients = options.dataset.patients_size();
  auto impl = std::make_unique<Impl>(std::move(options));
  absl::Status started = impl->Init();
  if (!started.ok()) return started;
  Log(LogLevel::kInfo, kLog, "watching req: ", patients, " patients, fault=", faults);
  return std::unique_ptr<Simulator>(new Simulator(std::move(impl)));
}

Simulator::Simulator(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Simulator::~Simulator() { Stop(); }

void Simulator::Stop() {
  if (impl_) impl_->Stop();
}

SimulatorStats Simulator::stats() const { return impl_->stats(); }

absl::StatusOr<CheckinResult> Simulator::CheckIn(const v1::CheckinCommand& command) {
  return impl_->CheckIn(command, nullptr);
}

v1::State Simulator::StateSnapshot() const { return impl_->StateSnapshot(); }

}  // namespace onshi::sim
