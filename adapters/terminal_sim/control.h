// The simulator's control folder: how a test (or `onshi-terminal-sim checkin`) asks the running
// simulator for a card-reader check-in, through files only, so that the running simulator stays
// the one holder of the consents it records.
//
//   <root>/.sim/                 private to the simulator's user (0700)
//   <root>/.sim/control/         0700
//     checkin-<id>.cmd           a command: onshi.sim.v1.CheckinCommand in protobuf text format,
//                                written under a name starting '.', then renamed into place
//     checkin-<id>.done          the simulator's answer, one line (written the same way):
//                                  "ok <face file name>"       the face file is in face/
//                                  "silent <face file name>"   recorded, no file (--fault)
//                                  "error <REASON> <detail>"   nothing done
//   <root>/.sim/state.textproto  what the simulator remembers (state.h)
//
// <id> is 1-64 characters of [A-Za-z0-9_-]. The simulator takes each command once (it removes
// the .cmd), carries it out, and writes the .done once the face file is complete in face/; the
// requester reads and removes the .done. docs/simulator.md "Check-ins" describes it.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_CONTROL_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_CONTROL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "onshi/sim/v1/dataset.pb.h"

namespace onshi::sim {

inline constexpr absl::string_view kPrivateDirName = ".sim";
inline constexpr absl::string_view kControlDirName = "control";
inline constexpr absl::string_view kStateFileName = "state.textproto";
inline constexpr absl::string_view kLockFileName = "lock";

// <root>/.sim and <root>/.sim/control.
std::string PrivateDirOf(absl::string_view root);
std::string ControlDirOf(absl::string_view root);

// The outcome of a check-in.
struct CheckinResult {
  // The face file's bare name (OQSsiquc01res_face_<id>.xml), in face/.
  std::string face_file;
  // False under --fault=face:silent: the consents were recorded, no file appears.
  bool written = true;
};

// "checkin-<id>.cmd" / "checkin-<id>.done"; empty for an invalid id.
std::string CommandFileName(absl::string_view id);
std::string AckFileName(absl::string_view id);
// The id of a command file name, or nullopt for any other name.
std::optional<std::string> ParseCommandFileName(absl::string_view name);

// The .done line for an outcome, and back. ParseAck errors: ONSHI_INVALID_ARGUMENT for an error
// answer whose reason is ONSHI_INVALID_ARGUMENT (an unknown scenario, a bad time), else the
// reason it names (ONSHI_TERMINAL_UNAVAILABLE when it names none it knows).
std::string FormatAck(const absl::StatusOr<CheckinResult>& outcome);
absl::StatusOr<CheckinResult> ParseAck(absl::string_view line);

// Parses a --consent list: comma-separated limit, diseases, checkups, pharmacists, diagnosis,
// operation; or "all" or "none". False (with `*problem` in English) for anything else.
bool ParseConsentList(absl::string_view list, std::vector<v1::ConsentCategory>* consents,
                      std::string* problem);

// Every category ("all").
std::vector<v1::ConsentCategory> AllConsentCategories();

// The requester's side: writes `command` into the control folder of `root` and waits (up to
// `timeout`) for the running simulator's answer. Errors: those ParseAck gives;
// ONSHI_TERMINAL_UNAVAILABLE when the control folder does not exist (no simulator ever ran on
// `root`) or cannot be written, and ONSHI_TERMINAL_TIMEOUT when no simulator answered in time
// (the command is then withdrawn, unless the simulator took it meanwhile, in which case its
// answer is awaited for another `timeout`). Thread-safe; blocks the caller.
absl::StatusOr<CheckinResult> RequestCheckin(const std::string& root,
                                             const v1::CheckinCommand& command,
                                             absl::Duration timeout);

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_CONTROL_H_
