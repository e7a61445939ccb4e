#include "plugin/core/bulk_exchange.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "plugin/core/text.h"

namespace onshi {

bool IsFinished(BulkFileState state) {
  return state == BulkFileState::kDone || state == BulkFileState::kFailed;
}

absl::string_view BulkFileStateName(BulkFileState state) {
  switch (state) {
    case BulkFileState::kWaitingForSlot:
      return "waiting-for-slot";
    case BulkFileState::kUploaded:
      return "uploaded";
    case BulkFileState::kReceipt:
      return "receipt";
    case BulkFileState::kAsking:
      return "asking";
    case BulkFileState::kDone:
      return "done";
    case BulkFileState::kFailed:
      return "failed";
  }
  return "unknown";
}

absl::string_view BulkExchangeName(BulkExchange exchange) {
  switch (exchange) {
    case BulkExchange::kBatch:
      return "batch";
    case BulkExchange::kReferenceNumber:
      return "reference-number";
    case BulkExchange::kBulkReferenceNumber:
      return "bulk-reference-number";
  }
  return "unknown";
}

BulkKinds KindsOf(BulkExchange exchange) {
  switch (exchange) {
    case BulkExchange::kBatch:
      return {DocumentKind::kBatchUpload, DocumentKind::kBatchReceipt,
              DocumentKind::kBatchResultRequest, DocumentKind::kBatchResult};
    case BulkExchange::kReferenceNumber:
      return {DocumentKind::kReferenceNumberRequest, std::nullopt, std::nullopt,
              DocumentKind::kReferenceNumberResult};
    case BulkExchange::kBulkReferenceNumber:
      break;
  }
  return {DocumentKind::kBulkReferenceNumberUpload, DocumentKind::kBulkReferenceNumberReceipt,
          DocumentKind::kBulkReferenceNumberResultRequest,
          DocumentKind::kBulkReferenceNumberResult};
}

absl::Duration PollDelay(int processing_answers, absl::Duration initial, absl::Duration max) {
  if (processing_answers <= 0) return absl::ZeroDuration();
  absl::Duration delay = initial;
  for (int i = 1; i < processing_answers && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

std::vector<RowRange> SplitIntoFiles(const std::vector<int32_t>& rows, int file_size) {
  std::vector<RowRange> files;
  const size_t size = static_cast<size_t>(std::max(file_size, 1));
  for (size_t start = 0; start < rows.size(); start += size) {
    const size_t last = std::min(rows.size(), start + size) - 1;
    files.push_back(RowRange{rows[start], rows[last] + 1});
  }
  return files;
}

std::string LoggableCode(absl::string_view code) {
  if (code.empty()) return "(none)";
  if (code.size() > 32) return "(not shown)";
  for (char c : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') {
      return "(not shown)";
    }
  }
  return std::string(code);
}

std::string RowKey(int32_t row) { return absl::StrCat(row); }

std::optional<int32_t> ParseRowKey(absl::string_view key, RowRange range) {
  // Exactly the form RowKey writes: digits, no sign, no leading zero (so one row has one key).
  if (key.empty() || key.size() > 10 || !IsAsciiDigits(key) || (key.size() > 1 && key[0] == '0')) {
    return std::nullopt;
  }
  int32_t row = 0;
  if (!absl::SimpleAtoi(key, &row) || row < range.first || row >= range.end) return std::nullopt;
  return row;
}

}  // namespace onshi
