// The simulator's dataset: synthetic patients in protobuf text format
// (proto/onshi/sim/v1/dataset.proto; the catalogue is docs/simulator.md).

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_DATASET_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_DATASET_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "onshi/sim/v1/dataset.pb.h"

namespace onshi::sim {

// Reads and validates the dataset at `path`. Errors: ONSHI_CONFIG_INVALID when the file cannot
// be read, does not parse (the detail gives line and column, never text from the file) or fails
// ValidateDataset. Thread-safe.
absl::StatusOr<v1::Dataset> LoadDataset(const std::string& path);

// The same for text already in memory.
absl::StatusOr<v1::Dataset> ParseDataset(absl::string_view text);

// Checks what the simulator relies on; the first violation is returned as ONSHI_CONFIG_INVALID
// naming the patient (index and scenario id, which are not patient data) and the field:
// - scenario ids present, of [a-z0-9-], unique;
// - card insurer numbers 6 or 8 digits, record insurer numbers 8 characters (6-digit 国保
//   numbers left-padded with spaces, as OQS writes them), all with a valid check digit;
// - card 番号 present; no two patients that one request could both match;
// - birth dates, every record date (YYYYMMDD) and consent time (YYYYMMDDhhmmss) valid;
// - validity set and not NOT_FOUND (unknown people are not found by being absent); exactly one
//   record, or at least two for MULTIPLE;
// - 限度額: category one of A01–A06, B01–B10, classification 01–03, and the consent left unset
//   (the simulator sets it from each request);
// - contribution ratios three digits; latency_ms not negative, and set (> 0) for LATE.
absl::Status ValidateDataset(const v1::Dataset& dataset);

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_DATASET_H_
