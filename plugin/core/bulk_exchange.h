// The terminal's two-phase ("bulk") exchanges, as rules without I/O: 一括照会 (OQSmuquc01/02) and
// bulk 照会番号 registration (OQSmuimm01/02), plus the single 照会番号 registration (OQSsiimm01),
// which the same machinery runs as a one-phase exchange. oqs-interface.md §5.1, §5.2;
// docs/batches.md.
//
// One upload file goes through these states (BulkFileState), each stored before the file that
// leads out of it is placed, so that a restart resumes from the stored state:
//
//   waiting-for-slot ──upload placed──▶ uploaded ──receipt (ReceptionNumber)──▶ receipt
//        receipt ──result request placed──▶ asking ──"処理中" (SegmentOfResult 2)──▶ receipt
//        asking ──complete (SegmentOfResult 1)──▶ done;  anything ──failure / timeout──▶ failed
//
// A one-phase exchange skips receipt and asking: its upload's answer is the result.
//
// All functions are pure and thread-safe.

#ifndef ONSHI_PLUGIN_CORE_BULK_EXCHANGE_H_
#define ONSHI_PLUGIN_CORE_BULK_EXCHANGE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "plugin/core/ports.h"

namespace onshi {

// Which exchange a file belongs to. Stored as its number: never renumber.
enum class BulkExchange {
  // 一括照会 (OQSmuquc01req → OQSmuquc01res → OQSmuquc02req → OQSmuquc02res).
  kBatch = 1,
  // 照会番号 registration of one patient (OQSsiimm01req → OQSsiimm01res): one phase.
  kReferenceNumber = 2,
  // 照会番号 registration of several (OQSmuimm01req → 01res → OQSmuimm02req → 02res).
  kBulkReferenceNumber = 3,
};

// Stored as its number: never renumber.
enum class BulkFileState {
  // Recorded, its upload file id chosen, not placed yet (a new file, or one whose placement
  // failed or had to wait for a free place at the terminal).
  kWaitingForSlot = 1,
  // The upload is placed; its receipt (or, for a one-phase exchange, its result) has not come.
  kUploaded = 2,
  // The receipt came with a ReceptionNumber: ask for the results at `next_time`.
  kReceipt = 3,
  // A result request is placed (ask_file_id); its answer has not come.
  kAsking = 4,
  // The results are recorded.
  kDone = 5,
  // The terminal failed the file, refused it, answered unreadably, or it did not finish in
  // time: its rows carry the error.
  kFailed = 6,
};

// True for kDone and kFailed.
bool IsFinished(BulkFileState state);

// A short stable name ("waiting-for-slot", "uploaded", ...) for logs; "unknown" otherwise.
absl::string_view BulkFileStateName(BulkFileState state);

// A short stable name ("batch", "reference-number", "bulk-reference-number") for logs.
absl::string_view BulkExchangeName(BulkExchange exchange);

// The document kinds of an exchange. For a one-phase exchange `receipt` and `result_request`
// are nullopt and `result` answers `upload`.
struct BulkKinds {
  DocumentKind upload;
  std::optional<DocumentKind> receipt;
  std::optional<DocumentKind> result_request;
  DocumentKind result;
};
BulkKinds KindsOf(BulkExchange exchange);

// The pause before asking again after the terminal answered "処理中" for the
// `processing_answers`-th time (1, 2, ...): `initial` doubling each time, at most `max`
// (batch_poll_initial_ms, batch_poll_max_ms). Zero for processing_answers <= 0 (the first ask
// follows the receipt at once).
absl::Duration PollDelay(int processing_answers, absl::Duration initial, absl::Duration max);

// A half-open range of row indices [first, end) of a request.
struct RowRange {
  int32_t first = 0;
  int32_t end = 0;
};

// Splits the rows `rows` (ascending row indices: the ones to send) into consecutive files of at
// most `file_size` rows each (file_size >= 1), in order. Each range runs from a file's first row
// to one past its last; rows of the request in between that are not in `rows` (invalid ones,
// never sent) fall inside a range but are not part of the file. Empty for empty `rows`.
std::vector<RowRange> SplitIntoFiles(const std::vector<int32_t>& rows, int file_size);

// The ArbitraryIdentifier of a row in an upload: its index in the request, in decimal. Not
// patient data; echoed in the row's result unit.
std::string RowKey(int32_t row);

// A code the terminal wrote (ErrorCode, ProcessingResultCode) as fit for logs and IT texts: the
// code when it is at most 32 characters of [A-Za-z0-9_-], "(none)" when empty, "(not shown)"
// otherwise (the element could hold anything, input included).
std::string LoggableCode(absl::string_view code);

// The row index a result unit's ArbitraryIdentifier names; nullopt unless it is the decimal
// form RowKey writes of a row in [range.first, range.end).
std::optional<int32_t> ParseRowKey(absl::string_view key, RowRange range);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_BULK_EXCHANGE_H_
