// What the simulated terminal remembers between requests: the 照会番号 each institution
// registered for a person, the consents of each person's latest card-reader check-in, and the
// ReceptionNumber sequence. In memory for the in-process twin; durable in
// <root>/.sim/state.textproto for the simulator, so a restarted simulator still knows them.
// People are keyed by scenario id (never by insurance numbers).

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_STATE_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_STATE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onshi/sim/v1/dataset.pb.h"

namespace onshi::sim {

// Thread-safe: every method may be called from any thread.
class SimState {
 public:
  // In memory only: nothing survives the object.
  SimState() = default;

  // Durable in `path`: loads it when it exists (else starts empty, creating nothing yet), and
  // writes it back (temp file, fsync, rename, fsync of the folder; mode 0600) on every change
  // before the change is visible. The folder must exist. Errors: ONSHI_CONFIG_INVALID when the
  // file does not parse as onshi.sim.v1.State (line and column only, never its text);
  // ONSHI_TERMINAL_UNAVAILABLE when it cannot be read (the errno name).
  static absl::StatusOr<std::unique_ptr<SimState>> Open(std::string path);

  SimState(const SimState&) = delete;
  SimState& operator=(const SimState&) = delete;

  // The 照会番号 `institution` registered for `scenario`, if any.
  std::optional<std::string> ReferenceNumber(absl::string_view institution,
                                             absl::string_view scenario) const;
  // The scenario `institution` registered `number` for, if any.
  std::optional<std::string> HolderOf(absl::string_view institution,
                                      absl::string_view number) const;
  // The consents of `scenario`'s latest check-in at `institution`, if any.
  std::optional<v1::PatientConsents> Consents(absl::string_view institution,
                                              absl::string_view scenario) const;

  // Applies `change` to the state and makes it durable (once, whatever `change` did). When the
  // write fails the state is left as it was and ONSHI_TERMINAL_UNAVAILABLE (the step and errno
  // name) is returned. `change` runs under the state's lock: it must not call back into it.
  absl::Status Update(const std::function<void(v1::State&)>& change);

  // The next ReceptionNumber sequence (1, 2, ...), made durable before it is returned, so a
  // restarted simulator never hands out a number twice. Errors as Update.
  absl::StatusOr<int64_t> NextReceptionSequence();

  // A copy of everything (tests).
  v1::State Snapshot() const;

 private:
  absl::Status WriteLocked(const v1::State& state) const;

  std::string path_;  // empty: in memory only
  mutable std::mutex mu_;
  v1::State state_;  // guarded by mu_
};

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_STATE_H_
