// onshi's operational log: one line per event on stderr (or a file), with a level.
//
// Privacy rule: log lines carry internal ids only (request_id, file id, patient_id as chosen by
// the host), codes and counts. Never a name, birth date, address, insurer number, 記号・番号 or
// any text read from a terminal document. Reviewers grep for this; tests run canary patients
// through the whole stack and check the logs.

#ifndef ONSHI_PLUGIN_COMMON_LOG_H_
#define ONSHI_PLUGIN_COMMON_LOG_H_

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace onshi {

enum class LogLevel { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

// Sets the most verbose level written. Thread-safe. Default kInfo; kError when the environment
// variable ONSHI_LOG_LEVEL says "error" (and likewise for the other names).
void SetLogLevel(LogLevel level);
// Parses "error", "warning", "info", "debug"; false for anything else.
bool ParseLogLevel(absl::string_view name, LogLevel* level);
bool LogEnabled(LogLevel level);

// Writes one line: "<UTC time> <level> <component>: <message>". Thread-safe.
void LogLine(LogLevel level, absl::string_view component, absl::string_view message);

template <typename... Args>
void Log(LogLevel level, absl::string_view component, const Args&... args) {
  if (LogEnabled(level)) LogLine(level, component, absl::StrCat(args...));
}

}  // namespace onshi

#endif  // ONSHI_PLUGIN_COMMON_LOG_H_
