#include "plugin/common/log.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace onshi {
namespace {

LogLevel InitialLevel() {
  LogLevel level = LogLevel::kInfo;
  if (const char* env = std::getenv("ONSHI_LOG_LEVEL")) ParseLogLevel(env, &level);
  return level;
}

std::atomic<int>& CurrentLevel() {
  static std::atomic<int> level{static_cast<int>(InitialLevel())};
  return level;
}

absl::string_view LevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kError:
      return "E";
    case LogLevel::kWarning:
      return "W";
    case LogLevel::kInfo:
      return "I";
    case LogLevel::kDebug:
      return "D";
  }
  return "?";
}

}  // namespace

void SetLogLevel(LogLevel level) { CurrentLevel().store(static_cast<int>(level)); }

bool ParseLogLevel(absl::string_view name, LogLevel* level) {
  if (name == "error") {
    *level = LogLevel::kError;
  } else if (name == "warning") {
    *level = LogLevel::kWarning;
  } else if (name == "info") {
    *level = LogLevel::kInfo;
  } else if (name == "debug") {
    *level = LogLevel::kDebug;
  } else {
    return false;
  }
  return true;
}

bool LogEnabled(LogLevel level) { return static_cast<int>(level) <= CurrentLevel().load(); }

void LogLine(LogLevel level, absl::string_view component, absl::string_view message) {
  std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()),
                   " ", LevelName(level), " ", component, ": ", message, "\n");
  // One fwrite per line keeps lines whole when threads log at once.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace onshi
