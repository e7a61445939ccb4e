#include "plugin/core/audit.h"

#include "absl/strings/str_cat.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

// Bumped if the encoding ever changes (old rows keep verifying under their tag).
constexpr char kEncodingTag[] = "onshi.audit.v1";

void PutUint64(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

void PutText(absl::string_view text, std::string* out) {
  const uint32_t size = static_cast<uint32_t>(text.size());
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(size >> shift));
  out->append(text.data(), text.size());
}

}  // namespace

absl::Status CheckAuditEntry(const AuditEntry& entry) {
  const struct {
    const char* name;
    const std::string& value;
  } fields[] = {{"user_id", entry.user_id},           {"operation", entry.operation},
                {"patient_id", entry.patient_id},     {"request_id", entry.request_id},
                {"outcome_code", entry.outcome_code}, {"outcome_reason", entry.outcome_reason}};
  for (const auto& field : fields) {
    if (field.value.size() > kMaxAuditFieldBytes) {
      return MakeError(errors::kInvalidArgument,
                       absl::StrCat("audit entry ", field.name, " is longer than ",
                                    kMaxAuditFieldBytes, " bytes"));
    }
  }
  if (entry.operation.empty()) return MakeError(errors::kInvalidArgument, "audit entry operation");
  if (entry.outcome_code.empty()) {
    return MakeError(errors::kInvalidArgument, "audit entry outcome_code");
  }
  return absl::OkStatus();
}

std::string EncodeAuditRecord(int64_t seq, const AuditEntry& entry) {
  std::string out;
  out.reserve(64 + entry.user_id.size() + entry.operation.size() + entry.patient_id.size() +
              entry.request_id.size() + entry.outcome_code.size() + entry.outcome_reason.size());
  PutText(kEncodingTag, &out);
  PutUint64(static_cast<uint64_t>(seq), &out);
  PutUint64(static_cast<uint64_t>(AuditTimeMicros(entry.time)), &out);
  PutText(entry.user_id, &out);
  PutText(entry.operation, &out);
  PutText(entry.patient_id, &out);
  PutText(entry.request_id, &out);
  PutText(entry.outcome_code, &out);
  PutText(entry.outcome_reason, &out);
  return out;
}

int64_t AuditTimeMicros(absl::Time time) { return absl::ToUnixMicros(time); }

}  // namespace onshi
