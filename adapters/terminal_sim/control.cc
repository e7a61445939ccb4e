#include "adapters/terminal_sim/control.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <set>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "adapters/oqs_files/file_names.h"
#include "adapters/oqs_files/fs_util.h"
#include "google/protobuf/text_format.h"
#include "plugin/common/ids.h"
#include "plugin/core/errors.h"

namespace onshi::sim {
namespace {

constexpr absl::string_view kCommandPrefix = "checkin-";
constexpr absl::string_view kCommandSuffix = ".cmd";
constexpr absl::string_view kAckSuffix = ".done";

constexpr std::pair<absl::string_view, v1::ConsentCategory> kCategories[] = {
    {"limit", v1::CONSENT_CATEGORY_LIMIT},
    {"diseases", v1::CONSENT_CATEGORY_DISEASES},
    {"checkups", v1::CONSENT_CATEGORY_CHECKUPS},
    {"pharmacists", v1::CONSENT_CATEGORY_PHARMACISTS},
    {"diagnosis", v1::CONSENT_CATEGORY_DIAGNOSIS},
    {"operation", v1::CONSENT_CATEGORY_OPERATION},
};

// Writes `bytes` as `dir`/`name` atomically: a temp name starting '.', then rename.
int WriteControlFile(const std::string& dir, const std::string& name, absl::string_view bytes) {
  const std::string temp = absl::StrCat(dir, "/.tmp-", NewFileId());
  oqs::UniqueFd fd(
      ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.valid()) return errno;
  int err = oqs::WriteAll(fd.get(), bytes);
  if (err == 0 && ::close(fd.release()) != 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), absl::StrCat(dir, "/", name).c_str()) != 0) err = errno;
  if (err != 0) ::unlink(temp.c_str());
  return err;
}

// Reads a small control file; false when it does not exist (yet).
bool ReadControlFile(const std::string& path, std::string* out) {
  oqs::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) return false;
  bool over = false;
  return oqs::ReadFromStart(fd.get(), 64 * 1024, out, &over) == 0 && !over;
}

}  // namespace

std::string PrivateDirOf(absl::string_view root) {
  return absl::StrCat(root, "/", kPrivateDirName);
}

std::string ControlDirOf(absl::string_view root) {
  return absl::StrCat(root, "/", kPrivateDirName, "/", kControlDirName);
}

std::string CommandFileName(absl::string_view id) {
  return oqs::IsValidFileId(id) ? absl::StrCat(kCommandPrefix, id, kCommandSuffix) : "";
}

std::string AckFileName(absl::string_view id) {
  return oqs::IsValidFileId(id) ? absl::StrCat(kCommandPrefix, id, kAckSuffix) : "";
}

std::optional<std::string> ParseCommandFileName(absl::string_view name) {
  if (!absl::ConsumePrefix(&name, kCommandPrefix) || !absl::ConsumeSuffix(&name, kCommandSuffix) ||
      !oqs::IsValidFileId(name)) {
    return std::nullopt;
  }
  return std::string(name);
}

std::string FormatAck(const absl::StatusOr<CheckinResult>& outcome) {
  if (!outcome.ok()) {
    std::string message(outcome.status().message());
    for (char& c : message) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    return absl::StrCat("error ", ReasonOf(outcome.status()), " ", message, "\n");
  }
  return absl::StrCat(outcome->written ? "ok " : "silent ", outcome->face_file, "\n");
}

absl::StatusOr<CheckinResult> ParseAck(absl::string_view line) {
  line = absl::StripTrailingAsciiWhitespace(line);
  CheckinResult result;
  if (absl::ConsumePrefix(&line, "ok ")) {
    result.face_file = std::string(line);
    return result;
  }
  if (absl::ConsumePrefix(&line, "silent ")) {
    result.face_file = std::string(line);
    result.written = false;
    return result;
  }
  if (absl::ConsumePrefix(&line, "error ")) {
    std::pair<absl::string_view, absl::string_view> parts =
        absl::StrSplit(line, absl::MaxSplits(' ', 1));
    const ErrorSpec* spec = FindErrorSpec(parts.first);
    return MakeError(spec != nullptr ? *spec : errors::kTerminalUnavailable,
                     absl::StrCat("simulator: ", parts.second));
  }
  return MakeError(errors::kTerminalUnavailable, "simulator: unreadable control answer");
}

std::vector<v1::ConsentCategory> AllConsentCategories() {
  std::vector<v1::ConsentCategory> all;
  for (const auto& [name, category] : kCategories) all.push_back(category);
  return all;
}

bool ParseConsentList(absl::string_view list, std::vector<v1::ConsentCategory>* consents,
                      std::string* problem) {
  if (list == "all") {
    *consents = AllConsentCategories();
    return true;
  }
  std::vector<v1::ConsentCategory> out;
  if (list == "none") {
    *consents = out;
    return true;
  }
  std::set<v1::ConsentCategory> seen;
  for (absl::string_view item : absl::StrSplit(list, ',')) {
    bool known = false;
    for (const auto& [name, category] : kCategories) {
      if (item == name) {
        known = true;
        if (seen.insert(category).second) out.push_back(category);
      }
    }
    if (!known) {
      *problem =
          "--consent takes all, none, or a comma-separated list of limit, diseases, checkups, "
          "pharmacists, diagnosis, operation";
      return false;
    }
  }
  *consents = std::move(out);
  return true;
}

absl::StatusOr<CheckinResult> RequestCheckin(const std::string& root,
                                             const v1::CheckinCommand& command,
                                             absl::Duration timeout) {
  const std::string dir = ControlDirOf(root);
  struct stat st;
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return MakeError(errors::kTerminalUnavailable,
                     "simulator control folder missing (is the simulator running on --root?)");
  }
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(command, &text)) {
    return MakeError(errors::kInternal, "check-in command cannot be printed");
  }
  const std::string id = NewFileId();
  const std::string command_path = absl::StrCat(dir, "/", CommandFileName(id));
  const std::string ack_path = absl::StrCat(dir, "/", AckFileName(id));
  if (const int err = WriteControlFile(dir, CommandFileName(id), text); err != 0) {
    return MakeError(errors::kTerminalUnavailable,
                     absl::StrCat("writing the check-in command: ", oqs::ErrnoName(err)));
  }
  auto await = [&](absl::Duration limit) -> std::optional<std::string> {
    const auto give_up = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(limit);
    std::string ack;
    while (!ReadControlFile(ack_path, &ack)) {
      if (std::chrono::steady_clock::now() >= give_up) return std::nullopt;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ::unlink(ack_path.c_str());
    return ack;
  };
  std::optional<std::string> ack = await(timeout);
  if (!ack.has_value()) {
    // Withdraw the command, unless the simulator has just taken it.
    if (::unlink(command_path.c_str()) == 0 || errno != ENOENT) {
      return MakeError(errors::kTerminalTimeout, "no simulator answered the check-in command");
    }
    ack = await(timeout);
    if (!ack.has_value()) {
      return MakeError(errors::kTerminalTimeout, "the simulator took the check-in, no answer");
    }
  }
  return ParseAck(*ack);
}

}  // namespace onshi::sim
