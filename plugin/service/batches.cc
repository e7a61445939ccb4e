#include "plugin/service/batches.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/message_differencer.h"
#include "google/protobuf/util/time_util.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/core/batches.h"
#include "plugin/core/dates.h"
#include "plugin/core/errors.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "batches";

// Batches whose canonical request is kept in memory.
constexpr size_t kCachedBatches = 4;
// Results read from the store per query while streaming.
constexpr int kResultsPerRead = 1000;

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  return google::protobuf::util::TimeUtil::NanosecondsToTimestamp(absl::ToUnixNanos(t));
}

}  // namespace

Batches::Batches(BatchOptions options, BatchStore* store, BulkExchangeEngine* engine,
                 const Clock* clock)
    : options_(std::move(options)), store_(store), engine_(engine), clock_(clock) {}

void Batches::Remember(std::shared_ptr<const BatchRecord> batch) {
  absl::MutexLock lock(&mu_);
  cache_.erase(std::remove_if(cache_.begin(), cache_.end(),
                              [&](const auto& b) { return b->request_id == batch->request_id; }),
               cache_.end());
  cache_.push_back(std::move(batch));
  if (cache_.size() > kCachedBatches) cache_.pop_front();
}

absl::StatusOr<std::shared_ptr<const BatchRecord>> Batches::Load(const std::string& request_id) {
  {
    absl::MutexLock lock(&mu_);
    for (const auto& batch : cache_) {
      if (batch->request_id == request_id) return batch;
    }
  }
  absl::StatusOr<std::optional<BatchRecord>> found = store_->FindBatch(request_id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return MakeError(errors::kInternal, "a bulk file names no batch");
  auto batch = std::make_shared<const BatchRecord>(std::move(**found));
  Remember(batch);
  return batch;
}

absl::StatusOr<std::shared_ptr<const BatchRecord>> Batches::Begin(
    const v1::RunBatchCheckRequest& request) {
  const absl::Time now = clock_->Now();
  absl::StatusOr<NormalizedBatch> normalized =
      NormalizeBatchRequest(request, JapanDate(now), options_.max_patients);
  if (!normalized.ok()) return normalized.status();

  BatchRecord fresh;
  fresh.request_id = normalized->request.request_id();
  fresh.request = normalized->request;
  std::vector<BulkFile> files;
  for (const RowRange& range : SplitIntoFiles(normalized->sendable_rows, options_.file_size)) {
    BulkFile& file = files.emplace_back();
    file.exchange = BulkExchange::kBatch;
    file.request_id = fresh.request_id;
    file.index = static_cast<int32_t>(files.size() - 1);
    file.rows = range;
    file.state = BulkFileState::kWaitingForSlot;
    file.upload_file_id = NewFileId();
    file.next_time = now;
  }
  fresh.file_count = static_cast<int32_t>(files.size());
  fresh.done = files.empty();
  std::vector<BatchRowWrite> invalid;
  for (size_t row = 0; row < normalized->patient_errors.size(); ++row) {
    const absl::Status& error = normalized->patient_errors[row];
    if (error.ok()) continue;
    invalid.push_back(ErrorRow(static_cast<int32_t>(row),
                               request.patients(static_cast<int>(row)).patient_id(), error));
  }

  bool created = false;
  absl::StatusOr<BatchRecord> stored = store_->CreateBatch(fresh, files, invalid, &created);
  if (!stored.ok()) return stored.status();
  if (!created &&
      !google::protobuf::util::MessageDifferencer::Equals(stored->request, fresh.request)) {
    return MakeError(errors::kRequestIdConflict, "the batch's request_id names another batch");
  }
  if (created) {
    Log(LogLevel::kInfo, kLog, "batch ", stored->request_id, ": ", fresh.request.patients_size(),
        " patient(s), ", invalid.size(), " invalid, ", files.size(), " file(s)");
  } else {
    Log(LogLevel::kInfo, kLog, "batch ", stored->request_id, " resumed by a retry");
  }
  auto batch = std::make_shared<const BatchRecord>(*std::move(stored));
  Remember(batch);
  engine_->Wake();
  return batch;
}

absl::Status Batches::RunBatchCheck(const v1::RunBatchCheckRequest& request,
                                    absl::Time call_deadline,
                                    const std::function<bool()>& cancelled, const Emit& emit) {
  absl::StatusOr<std::shared_ptr<const BatchRecord>> batch = Begin(request);
  if (!batch.ok()) return batch.status();
  return Stream(**batch, call_deadline, cancelled, emit);
}

absl::StatusOr<v1::BatchCheckEvent> Batches::Progress(const BatchRecord& batch,
                                                      int finished_patients) {
  absl::StatusOr<std::vector<BulkFile>> files =
      store_->ListBulkFiles(BulkExchange::kBatch, batch.request_id);
  if (!files.ok()) return files.status();
  v1::BatchCheckEvent event;
  v1::BatchProgress& progress = *event.mutable_progress();
  progress.set_total_patients(batch.request.patients_size());
  progress.set_finished_patients(finished_patients);
  progress.set_total_files(static_cast<int32_t>(files->size()));
  progress.set_finished_files(static_cast<int32_t>(std::count_if(
      files->begin(), files->end(), [](const BulkFile& f) { return IsFinished(f.state); })));
  progress.set_done(finished_patients == batch.request.patients_size());
  return event;
}

absl::Status Batches::Stream(const BatchRecord& batch, absl::Time call_deadline,
                             const std::function<bool()>& cancelled, const Emit& emit) {
  const int total = batch.request.patients_size();
  int sent = 0;
  int64_t after = 0;
  bool first = true;
  v1::BatchCheckEvent event;
  while (true) {
    // Read before the results, so that a file finishing in between is not missed.
    const int64_t seen = engine_->changes();
    absl::StatusOr<std::vector<StoredBatchResult>> results =
        store_->ListBatchResults(batch.request_id, after, kResultsPerRead);
    if (!results.ok()) return results.status();
    for (StoredBatchResult& stored : *results) {
      after = stored.sequence;
      *event.mutable_result() = std::move(stored.result);
      if (!emit(event)) return MakeError(errors::kCancelled, "the caller went away");
      ++sent;
    }
    if (results->size() == static_cast<size_t>(kResultsPerRead)) continue;
    if (first || !results->empty()) {
      absl::StatusOr<v1::BatchCheckEvent> progress = Progress(batch, sent);
      if (!progress.ok()) return progress.status();
      if (!emit(*progress)) return MakeError(errors::kCancelled, "the caller went away");
      first = false;
    }
    if (sent >= total) return absl::OkStatus();
    if (clock_->Now() >= call_deadline) {
      return MakeError(errors::kDeadlineExceeded,
                       "the batch goes on; call again with the same request to resume");
    }
    if (cancelled && cancelled()) return MakeError(errors::kCancelled);
    if (!engine_->AwaitChange(seen, call_deadline)) {
      return MakeError(errors::kCancelled, "onshi is shutting down; the batch resumes on restart");
    }
  }
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> Batches::BuildUpload(
    const BulkFile& file) {
  absl::StatusOr<std::shared_ptr<const BatchRecord>> batch = Load(file.request_id);
  if (!batch.ok()) return batch.status();
  const v1::RunBatchCheckRequest& canonical = (*batch)->request;
  return std::make_unique<v1::BatchQualificationRequestDocument>(
      BuildBatchUpload(canonical, SendableRows(canonical, file.rows),
                       options_.medical_institution_code, file.upload_file_id));
}

absl::Status Batches::RecordResult(const BulkFile& finished, const IncomingAnswer& answer) {
  const auto* document = AnswerAs<v1::BatchQualificationResultDocument>(answer);
  if (document == nullptr) return MakeError(errors::kInternal, "not a batch result document");
  absl::StatusOr<std::shared_ptr<const BatchRecord>> batch = Load(finished.request_id);
  if (!batch.ok()) return batch.status();
  const v1::RunBatchCheckRequest& canonical = (*batch)->request;
  const std::optional<Date> confirmation_date = ParseDate(canonical.confirmation_date());
  if (!confirmation_date.has_value()) {
    return MakeError(errors::kInternal, "stored batch without a confirmation date");
  }

  // The units by row. The terminal echoes each record's ArbitraryIdentifier; a unit naming no
  // row of this file, or a row twice, is left out (logged by count: units carry patient data).
  std::map<int32_t, const v1::BatchConfirmUnit*> units;
  int stray = 0;
  for (const v1::BatchConfirmUnit& unit : document->units()) {
    std::optional<int32_t> row = ParseRowKey(unit.search_info().arbitrary_identifier(), finished.rows);
    if (!row.has_value() || !units.emplace(*row, &unit).second) ++stray;
  }
  const std::vector<int32_t> rows = SendableRows(canonical, finished.rows);

  std::vector<std::string> patient_ids;
  patient_ids.reserve(rows.size());
  for (int32_t row : rows) patient_ids.push_back(canonical.patients(row).patient_id());
  absl::StatusOr<std::map<std::string, v1::CoverageVersion>> coverages =
      store_->CurrentCoverages(patient_ids);
  if (!coverages.ok()) return coverages.status();

  v1::Provenance provenance;
  provenance.set_source(v1::SOURCE_BATCH);
  provenance.set_request_id(finished.request_id);
  provenance.set_file_id(finished.upload_file_id);
  *provenance.mutable_requested_time() = ToProtoTime((*batch)->created_time);
  *provenance.mutable_answered_time() = ToProtoTime(answer.received_time);
  provenance.set_process_execution_time(document->process_execution_time());
  provenance.set_confirmation_date(canonical.confirmation_date());

  std::vector<BatchRowWrite> writes;
  writes.reserve(rows.size());
  int missing = 0;
  for (int32_t row : rows) {
    const v1::BatchPatient& patient = canonical.patients(row);
    auto unit = units.find(row);
    if (unit == units.end()) {
      ++missing;
      writes.push_back(ErrorRow(row, patient.patient_id(),
                                MakeError(errors::kTerminalMalformedAnswer,
                                          "the result has no BulkConfirmUnit for the row")));
      continue;
    }
    auto current = coverages->find(patient.patient_id());
    BatchRowWrite write = PlanAnsweredRow(
        row, patient, ResultOfUnit(*document, *unit->second), *confirmation_date, provenance,
        current == coverages->end() ? nullptr : &current->second, answer.received_time);
    // A patient listed twice in one file: the second row builds on the first one's version.
    if (write.coverage.has_value()) (*coverages)[patient.patient_id()] = write.coverage->version;
    writes.push_back(std::move(write));
  }
  if (stray > 0 || missing > 0) {
    Log(LogLevel::kWarning, kLog, "batch ", finished.request_id, " file ", finished.index, ": ",
        stray, " unit(s) naming no row of the file, ", missing, " row(s) without a unit");
  }
  return store_->FinishBatchFile(finished, writes);
}

absl::Status Batches::RecordFailure(const BulkFile& finished) {
  absl::StatusOr<std::shared_ptr<const BatchRecord>> batch = Load(finished.request_id);
  if (!batch.ok()) return batch.status();
  const v1::RunBatchCheckRequest& canonical = (*batch)->request;
  const absl::Status error = FromErrorDetail(finished.error_code, finished.error);
  std::vector<BatchRowWrite> writes;
  for (int32_t row : SendableRows(canonical, finished.rows)) {
    writes.push_back(ErrorRow(row, canonical.patients(row).patient_id(), error));
  }
  return store_->FinishBatchFile(finished, writes);
}

}  // namespace onshi::service
