#ifndef ONSHI_PLUGIN_COMMON_SYSTEM_CLOCK_H_
#define ONSHI_PLUGIN_COMMON_SYSTEM_CLOCK_H_

#include "absl/time/clock.h"
#include "plugin/core/ports.h"

namespace onshi {

// The real wall clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
};

}  // namespace onshi

#endif  // ONSHI_PLUGIN_COMMON_SYSTEM_CLOCK_H_
