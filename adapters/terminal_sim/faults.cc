#include "adapters/terminal_sim/faults.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace onshi::sim {
namespace {

constexpr std::pair<absl::string_view, Fault> kFaultNames[] = {
    {"none", Fault::kNone},
    {"silent", Fault::kSilent},
    {"error", Fault::kError},
    {"malformed-answer", Fault::kMalformedAnswer},
    {"slow-write", Fault::kSlowWrite},
    {"duplicate", Fault::kDuplicate},
    {"duplicate-renamed", Fault::kDuplicateRenamed},
    {"late", Fault::kLate},
    {"orphan", Fault::kOrphan},
    {"other-institution", Fault::kOtherInstitution},
    {"reject", Fault::kReject},
    {"receipt-error", Fault::kReceiptError},
    {"processing-forever", Fault::kProcessingForever},
};

constexpr std::pair<absl::string_view, FaultScope> kScopeNames[] = {
    {"all", FaultScope::kAll},
    {"qualification", FaultScope::kQualification},
    {"face", FaultScope::kFace},
    {"batch", FaultScope::kBatch},
    {"reference", FaultScope::kReference},
    {"bulk-reference", FaultScope::kBulkReference},
    {"medication", FaultScope::kMedication},
    {"checkup", FaultScope::kCheckup},
};

bool AppliesToFamily(Fault fault, FaultScope scope) {
  switch (fault) {
    case Fault::kNone:
    case Fault::kSilent:
    case Fault::kError:
    case Fault::kMalformedAnswer:
    case Fault::kSlowWrite:
    case Fault::kDuplicate:
    case Fault::kDuplicateRenamed:
    case Fault::kOtherInstitution:
      return true;
    case Fault::kLate:
    case Fault::kOrphan:
    case Fault::kReject:
      // Check-ins answer no request: they are never late, every one is unsolicited, and there
      // is no request to refuse.
      return scope != FaultScope::kFace;
    case Fault::kReceiptError:
    case Fault::kProcessingForever:
      return scope == FaultScope::kBatch || scope == FaultScope::kBulkReference;
  }
  return false;
}

}  // namespace

bool ParseFault(absl::string_view name, Fault* fault) {
  for (const auto& [text, value] : kFaultNames) {
    if (name == text) {
      *fault = value;
      return true;
    }
  }
  return false;
}

absl::string_view FaultName(Fault fault) {
  for (const auto& [text, value] : kFaultNames) {
    if (value == fault) return text;
  }
  return "none";
}

absl::string_view FaultScopeName(FaultScope scope) {
  for (const auto& [text, value] : kScopeNames) {
    if (value == scope) return text;
  }
  return "all";
}

FaultScope ScopeOf(DocumentKind kind) {
  switch (kind) {
    case DocumentKind::kQualificationRequest:
    case DocumentKind::kQualificationAnswer:
      return FaultScope::kQualification;
    case DocumentKind::kFaceCheckin:
      return FaultScope::kFace;
    case DocumentKind::kBatchUpload:
    case DocumentKind::kBatchReceipt:
    case DocumentKind::kBatchResultRequest:
    case DocumentKind::kBatchResult:
      return FaultScope::kBatch;
    case DocumentKind::kReferenceNumberRequest:
    case DocumentKind::kReferenceNumberResult:
      return FaultScope::kReference;
    case DocumentKind::kBulkReferenceNumberUpload:
    case DocumentKind::kBulkReferenceNumberReceipt:
    case DocumentKind::kBulkReferenceNumberResultRequest:
    case DocumentKind::kBulkReferenceNumberResult:
      return FaultScope::kBulkReference;
    case DocumentKind::kMedicationRequest:
    case DocumentKind::kMedicationResult:
      return FaultScope::kMedication;
    case DocumentKind::kCheckupRequest:
    case DocumentKind::kCheckupResult:
      return FaultScope::kCheckup;
  }
  return FaultScope::kAll;
}

bool FaultApplies(Fault fault, FaultScope scope) {
  if (scope != FaultScope::kAll) return AppliesToFamily(fault, scope);
  for (const auto& [text, family] : kScopeNames) {
    if (family != FaultScope::kAll && AppliesToFamily(fault, family)) return true;
  }
  return false;
}

Fault FaultSet::For(FaultScope scope) const {
  const Fault own = faults_[static_cast<size_t>(scope)];
  if (own != Fault::kNone || scope == FaultScope::kAll) return own;
  const Fault all = faults_[static_cast<size_t>(FaultScope::kAll)];
  return AppliesToFamily(all, scope) ? all : Fault::kNone;
}

bool FaultSet::empty() const {
  for (Fault f : faults_) {
    if (f != Fault::kNone) return false;
  }
  return true;
}

std::string FaultSet::ToString() const {
  std::string out;
  for (const auto& [text, scope] : kScopeNames) {
    const Fault f = faults_[static_cast<size_t>(scope)];
    if (f == Fault::kNone) continue;
    if (!out.empty()) out += ",";
    if (scope != FaultScope::kAll) absl::StrAppend(&out, text, ":");
    absl::StrAppend(&out, FaultName(f));
  }
  return out.empty() ? "none" : out;
}

bool ParseFaultSpec(absl::string_view spec, FaultSet* faults, std::string* problem) {
  FaultScope scope = FaultScope::kAll;
  absl::string_view mode = spec;
  const size_t colon = spec.find(':');
  if (colon != absl::string_view::npos) {
    const absl::string_view scope_name = spec.substr(0, colon);
    mode = spec.substr(colon + 1);
    bool known = false;
    for (const auto& [text, value] : kScopeNames) {
      if (scope_name == text) {
        scope = value;
        known = true;
      }
    }
    if (!known) {
      *problem =
          "unknown --fault scope (all, qualification, face, batch, reference, bulk-reference, "
          "medication, checkup)";
      return false;
    }
  }
  Fault fault = Fault::kNone;
  if (!ParseFault(mode, &fault)) {
    *problem = "unknown --fault mode";
    return false;
  }
  if (!FaultApplies(fault, scope)) {
    *problem = absl::StrCat("--fault mode ", FaultName(fault), " does not apply to ",
                            FaultScopeName(scope));
    return false;
  }
  faults->Set(scope, fault);
  return true;
}

}  // namespace onshi::sim
