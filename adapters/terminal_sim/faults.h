// The simulator's fault modes (--fault), per document family. A fault replaces what the dataset
// says for every well-formed request of its scope (and for card-reader check-ins); malformed
// requests are refused in every mode. docs/simulator.md "Faults" is the table.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_FAULTS_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_FAULTS_H_

#include <array>
#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"
#include "plugin/core/ports.h"

namespace onshi::sim {

enum class Fault {
  kNone,
  // Take every request, never answer (check-ins: record the consents, write no face file).
  kSilent,
  // Answer with SegmentOfResult 9 (YZK/TKK: ResultCode 9); for a batch, the result download
  // (02) fails while the upload (01) is received; a check-in becomes a face file with
  // SegmentOfResult 9.
  kError,
  // Write every answer cut off in the middle (never well-formed).
  kMalformedAnswer,
  // Write every answer directly under its final name, in small chunks with pauses.
  kSlowWrite,
  // Write every answer, and once it has been taken out of its folder, write it again under the
  // same name.
  kDuplicate,
  // Write every answer, and the same bytes at once under a second name (id + "_dup").
  kDuplicateRenamed,
  // Write every answer after the late delay (--late-ms) instead of the latency.
  kLate,
  // Write every answer, and next to it an answer of the same kind for an id nobody asked for.
  kOrphan,
  // Write every answer with another 医療機関コード in it (check-ins: a check-in of another
  // institution, its file name included).
  kOtherInstitution,
  // Refuse every request: move it into res/ with an .err file (SIM-E0008).
  kReject,
  // 一括照会 / 照会番号一括: the upload's answer (01res) has SegmentOfResult 9 and no
  // ReceptionNumber.
  kReceiptError,
  // 一括照会 / 照会番号一括: the result download (02res) says 処理中 (SegmentOfResult 2) forever.
  kProcessingForever,
};

// What a fault can be aimed at (the part before ':' in --fault=SCOPE:MODE).
enum class FaultScope {
  // Every family where the mode applies (--fault=MODE).
  kAll = 0,
  kQualification,  // "qualification": 個別照会 OQSsiquc01
  kFace,           // "face": card-reader check-ins OQSsiquc01res_face
  kBatch,          // "batch": 一括照会 OQSmuquc01 / 02
  kReference,      // "reference": 照会番号 single OQSsiimm01
  kBulkReference,  // "bulk-reference": 照会番号 bulk OQSmuimm01 / 02
  kMedication,     // "medication": 薬剤情報 YZKsiquc01
  kCheckup,        // "checkup": 特定健診 TKKsiquc01
};
inline constexpr size_t kFaultScopeCount = 8;

// Parses a mode name ("none", "silent", "error", "malformed-answer", "slow-write", "duplicate",
// "duplicate-renamed", "late", "orphan", "other-institution", "reject", "receipt-error",
// "processing-forever"). Thread-safe.
bool ParseFault(absl::string_view name, Fault* fault);
absl::string_view FaultName(Fault fault);

// "qualification", "face", ...; "all" for kAll.
absl::string_view FaultScopeName(FaultScope scope);

// The scope a document kind belongs to (request and answer kinds alike; kFaceCheckin → kFace).
FaultScope ScopeOf(DocumentKind kind);

// Whether `fault` means something for `scope` (kAll: for at least one family).
bool FaultApplies(Fault fault, FaultScope scope);

// One fault per scope; a scoped fault overrides the kAll one for its family. Implicitly built
// from a single Fault (applied to every family), so `options.fault = Fault::kSilent` keeps
// working. Value type; not synchronised.
class FaultSet {
 public:
  FaultSet() { faults_.fill(Fault::kNone); }
  FaultSet(Fault fault) : FaultSet() { Set(FaultScope::kAll, fault); }  // NOLINT: implicit

  void Set(FaultScope scope, Fault fault) { faults_[static_cast<size_t>(scope)] = fault; }

  // The fault in force for `scope`: its own if set, else the kAll one when it applies to the
  // family, else kNone.
  Fault For(FaultScope scope) const;
  Fault For(DocumentKind kind) const { return For(ScopeOf(kind)); }

  bool empty() const;
  // "none", or e.g. "batch:processing-forever,face:duplicate" (for the log).
  std::string ToString() const;

 private:
  std::array<Fault, kFaultScopeCount> faults_;
};

// Parses one --fault value, "MODE" or "SCOPE:MODE", into `faults`. False (and `faults`
// unchanged) for an unknown scope or mode, or a mode that does not apply to the scope
// (`*problem` then says which, in English, without echoing the input). Thread-safe.
bool ParseFaultSpec(absl::string_view spec, FaultSet* faults, std::string* problem);

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_FAULTS_H_
