#include "adapters/terminal_sim/state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/oqs_files/fs_util.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "plugin/common/ids.h"
#include "plugin/core/errors.h"

namespace onshi::sim {
namespace {

// Keeps only where the first parse problem is: the parser's own text may quote the file.
class FirstError final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& /*message*/) override {
    if (line_ < 0) {
      line_ = line + 1;
      column_ = column + 1;
    }
  }
  void AddWarning(int, int, const std::string&) override {}
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_ = -1;
  int column_ = -1;
};

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

absl::Status Unavailable(absl::string_view step, int err) {
  return MakeError(errors::kTerminalUnavailable,
                   absl::StrCat("simulator state file: ", step, ": ", oqs::ErrnoName(err)));
}

}  // namespace

absl::StatusOr<std::unique_ptr<SimState>> SimState::Open(std::string path) {
  auto state = std::make_unique<SimState>();
  state->path_ = std::move(path);
  oqs::UniqueFd fd(::open(state->path_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOENT) return state;
    return Unavailable("open", errno);
  }
  std::string text;
  bool over_limit = false;
  if (const int err = oqs::ReadFromStart(fd.get(), size_t{64} << 20, &text, &over_limit);
      err != 0) {
    return Unavailable("read", err);
  }
  if (over_limit) {
    return MakeError(errors::kConfigInvalid, "simulator state file is larger than 64 MiB");
  }
  google::protobuf::TextFormat::Parser parser;
  FirstError collector;
  parser.RecordErrorsTo(&collector);
  if (!parser.ParseFromString(text, &state->state_)) {
    return MakeError(errors::kConfigInvalid,
                     absl::StrCat("simulator state file does not parse as onshi.sim.v1.State "
                                  "at line ",
                                  collector.line(), " column ", collector.column()));
  }
  return state;
}

std::optional<std::string> SimState::ReferenceNumber(absl::string_view institution,
                                                     absl::string_view scenario) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto inst = state_.institutions().find(std::string(institution));
  if (inst == state_.institutions().end()) return std::nullopt;
  auto it = inst->second.reference_numbers().find(std::string(scenario));
  if (it == inst->second.reference_numbers().end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> SimState::HolderOf(absl::string_view institution,
                                              absl::string_view number) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto inst = state_.institutions().find(std::string(institution));
  if (inst == state_.institutions().end()) return std::nullopt;
  for (const auto& [scenario, registered] : inst->second.reference_numbers()) {
    if (registered == number) return scenario;
  }
  return std::nullopt;
}

std::optional<v1::PatientConsents> SimState::Consents(absl::string_view institution,
                                                      absl::string_view scenario) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto inst = state_.institutions().find(std::string(institution));
  if (inst == state_.institutions().end()) return std::nullopt;
  auto it = inst->second.consents().find(std::string(scenario));
  if (it == inst->second.consents().end()) return std::nullopt;
  return it->second;
}

absl::Status SimState::Update(const std::function<void(v1::State&)>& change) {
  std::lock_guard<std::mutex> lock(mu_);
  v1::State next = state_;
  change(next);
  if (absl::Status written = WriteLocked(next); !written.ok()) return written;
  state_ = std::move(next);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> SimState::NextReceptionSequence() {
  int64_t sequence = 0;
  absl::Status updated = Update([&](v1::State& state) {
    state.set_reception_sequence(state.reception_sequence() + 1);
    sequence = state.reception_sequence();
  });
  if (!updated.ok()) return updated;
  return sequence;
}

v1::State SimState::Snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

absl::Status SimState::WriteLocked(const v1::State& state) const {
  if (path_.empty()) return absl::OkStatus();
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(state, &text)) {
    return MakeError(errors::kInternal, "simulator state cannot be printed");
  }
  const std::string dir = DirName(path_);
  const std::string temp = absl::StrCat(dir, "/.state-tmp-", NewFileId());
  oqs::UniqueFd fd(
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return Unavailable("create", errno);
  int err = oqs::WriteAll(fd.get(), text);
  if (err == 0) err = oqs::FsyncFd(fd.get());
  if (err == 0 && ::close(fd.release()) != 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), path_.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    return Unavailable("write", err);
  }
  oqs::UniqueFd dir_fd;
  if (oqs::OpenDirectory(AT_FDCWD, dir, /*nofollow=*/false, &dir_fd) == 0) {
    oqs::FsyncDirectory(dir_fd.get());
  }
  return absl::OkStatus();
}

}  // namespace onshi::sim
