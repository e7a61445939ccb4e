// Fakes for the bulk-exchange tests: an in-memory BatchStore with the port's semantics
// (compare-and-set on revisions and coverage versions, one result per row), a transport that
// records what is placed, and a clock the test moves.

#ifndef ONSHI_TESTS_UNIT_SERVICE_BULK_FAKES_H_
#define ONSHI_TESTS_UNIT_SERVICE_BULK_FAKES_H_

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/message.h"
#include "plugin/core/batch_store.h"
#include "plugin/core/batches.h"
#include "plugin/core/errors.h"
#include "plugin/core/ports.h"

namespace onshi::service::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time now) : now_(now) {}
  absl::Time Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  absl::Time now_;
};

// Records every placed document; placements fail while `fail_with` is set.
class FakeTransport final : public TerminalTransport {
 public:
  struct Placed {
    DocumentKind kind;
    std::string file_id;
    std::shared_ptr<google::protobuf::Message> document;
    absl::Time deadline;
  };

  absl::Status Start(AnswerSink*) override { return absl::OkStatus(); }
  void Stop() override {}
  absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document) override {
    return Submit(kind, document, absl::InfiniteFuture());
  }
  absl::Status Submit(DocumentKind kind, const google::protobuf::Message& document,
                      absl::Time deadline) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!fail_with.ok()) return fail_with;
    absl::StatusOr<std::string> id = FileIdOf(kind, document);
    if (!id.ok()) return id.status();
    std::shared_ptr<google::protobuf::Message> copy(document.New());
    copy->CopyFrom(document);
    placed_.push_back(Placed{kind, *id, std::move(copy), deadline});
    return absl::OkStatus();
  }
  void Release(DocumentKind kind, const std::string& file_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    released_.emplace_back(kind, file_id);
  }
  absl::Status CheckHealth() override { return absl::OkStatus(); }

  // Placed documents of `kind`, oldest first.
  std::vector<Placed> PlacedOf(DocumentKind kind) {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Placed> out;
    for (const Placed& p : placed_) {
      if (p.kind == kind) out.push_back(p);
    }
    return out;
  }
  // Takes (and forgets) the documents placed so far.
  std::vector<Placed> Take() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Placed> out;
    out.swap(placed_);
    return out;
  }
  std::vector<std::pair<DocumentKind, std::string>> released() {
    std::lock_guard<std::mutex> lock(mu_);
    return released_;
  }

  absl::Status fail_with = absl::OkStatus();

 private:
  std::mutex mu_;
  std::vector<Placed> placed_;
  std::vector<std::pair<DocumentKind, std::string>> released_;
};

class FakeBatchStore final : public BatchStore {
 public:
  explicit FakeBatchStore(const Clock* clock) : clock_(clock) {}

  absl::StatusOr<BatchRecord> CreateBatch(const BatchRecord& batch,
                                          const std::vector<BulkFile>& files,
                                          const std::vector<BatchRowWrite>& rows,
                                          bool* created) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (created != nullptr) *created = false;
    auto it = batches_.find(batch.request_id);
    if (it != batches_.end()) return it->second;
    BatchRecord stored = batch;
    stored.created_time = clock_->Now();
    stored.file_count = static_cast<int32_t>(files.size());
    stored.done = files.empty();
    batches_[batch.request_id] = stored;
    if (absl::Status s = InsertFilesLocked(files); !s.ok()) return s;
    for (const BatchRowWrite& row : rows) {
      if (absl::Status s = InsertResultLocked(batch.request_id, row.result); !s.ok()) return s;
    }
    if (created != nullptr) *created = true;
    return stored;
  }

  absl::StatusOr<std::optional<BatchRecord>> FindBatch(const std::string& request_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = batches_.find(request_id);
    if (it == batches_.end()) return std::optional<BatchRecord>();
    return std::optional<BatchRecord>(it->second);
  }

  absl::StatusOr<std::vector<StoredBatchResult>> ListBatchResults(const std::string& request_id,
                                                                  int64_t after_sequence,
                                                                  int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<StoredBatchResult> out;
    for (const auto& [request, stored] : results_) {
      if (request != request_id || stored.sequence <= after_sequence) continue;
      out.push_back(stored);
      if (static_cast<int>(out.size()) == limit) break;
    }
    return out;
  }

  absl::Status FinishBatchFile(const BulkFile& file,
                               const std::vector<BatchRowWrite>& rows) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!IsFinished(file.state)) return MakeError(errors::kInvalidArgument, "not finished");
    // Checked before anything is written: all or nothing.
    BulkFile* stored = FileLocked(file);
    if (stored == nullptr) return MakeError(errors::kInvalidArgument, "unknown file");
    if (stored->revision != file.revision) return MakeError(errors::kStoreConflict, "revision");
    std::map<std::string, int64_t> versions;
    for (const BatchRowWrite& row : rows) {
      if (row.result.index() < file.rows.first || row.result.index() >= file.rows.end) {
        return MakeError(errors::kInvalidArgument, "row outside the file");
      }
      if (rows_.count({file.request_id, row.result.index()}) > 0) {
        return MakeError(errors::kInvalidArgument, "row written twice");
      }
      if (row.coverage.has_value()) {
        const std::string& patient = row.result.patient_id();
        auto seen = versions.find(patient);
        const int64_t current = seen != versions.end() ? seen->second : CurrentVersionLocked(patient);
        if (current != row.coverage->expected_version) {
          return MakeError(errors::kStoreConflict, "coverage version");
        }
        versions[patient] = row.coverage->version.version();
      }
    }
    for (const BatchRowWrite& row : rows) {
      (void)InsertResultLocked(file.request_id, row.result);
      const std::string& patient = row.result.patient_id();
      if (row.confirmation.has_value()) {
        confirmations_[BatchCheckId(file.request_id, row.result.index())] =
            std::make_pair(patient, *row.confirmation);
      }
      if (row.coverage.has_value()) coverages_[patient] = row.coverage->version;
    }
    *stored = file;
    ++stored->revision;
    bool done = true;
    for (const auto& [key, f] : files_) {
      if (f.exchange == BulkExchange::kBatch && f.request_id == file.request_id &&
          !IsFinished(f.state)) {
        done = false;
      }
    }
    if (done) batches_[file.request_id].done = true;
    return absl::OkStatus();
  }

  absl::StatusOr<std::map<std::string, v1::CoverageVersion>> CurrentCoverages(
      const std::vector<std::string>& patient_ids) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<std::string, v1::CoverageVersion> out;
    for (const std::string& id : patient_ids) {
      auto it = coverages_.find(id);
      if (it != coverages_.end()) out[id] = it->second;
    }
    return out;
  }

  absl::StatusOr<RegistrationRecord> CreateRegistration(const RegistrationRecord& registration,
                                                        const std::vector<BulkFile>& files,
                                                        bool* created) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (created != nullptr) *created = false;
    auto it = registrations_.find(registration.request_id);
    if (it != registrations_.end()) return it->second;
    RegistrationRecord stored = registration;
    stored.created_time = clock_->Now();
    registrations_[registration.request_id] = stored;
    if (absl::Status s = InsertFilesLocked(files); !s.ok()) return s;
    if (created != nullptr) *created = true;
    return stored;
  }

  absl::StatusOr<std::optional<RegistrationRecord>> FindRegistration(
      const std::string& request_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = registrations_.find(request_id);
    if (it == registrations_.end()) return std::optional<RegistrationRecord>();
    return std::optional<RegistrationRecord>(it->second);
  }

  absl::Status FinishRegistrationFile(
      const BulkFile& file,
      const std::map<int32_t, v1::ReferenceNumberOutcome>& outcomes) override {
    std::lock_guard<std::mutex> lock(mu_);
    BulkFile* stored = FileLocked(file);
    if (stored == nullptr) return MakeError(errors::kInvalidArgument, "unknown file");
    if (!IsFinished(file.state)) return MakeError(errors::kInvalidArgument, "not finished");
    if (stored->revision != file.revision) return MakeError(errors::kStoreConflict, "revision");
    RegistrationRecord& registration = registrations_[file.request_id];
    for (const auto& [row, outcome] : outcomes) {
      if (row < file.rows.first || row >= file.rows.end ||
          outcome.patient_id() != registration.request.patient_ids(row)) {
        return MakeError(errors::kInvalidArgument, "outcome row");
      }
    }
    for (const auto& [row, outcome] : outcomes) {
      *registration.response.mutable_outcomes(row) = outcome;
    }
    *stored = file;
    ++stored->revision;
    bool done = true;
    for (const auto& [key, f] : files_) {
      if (f.exchange == file.exchange && f.request_id == file.request_id && !IsFinished(f.state)) {
        done = false;
      }
    }
    registration.done = done;
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<BulkFile>> ListUnfinishedBulkFiles() override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<BulkFile> out;
    for (const auto& [key, file] : files_) {
      if (!IsFinished(file.state)) out.push_back(file);
    }
    return out;
  }

  absl::StatusOr<std::vector<BulkFile>> ListBulkFiles(BulkExchange exchange,
                                                      const std::string& request_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<BulkFile> out;
    for (const auto& [key, file] : files_) {
      if (file.exchange == exchange && file.request_id == request_id) out.push_back(file);
    }
    return out;
  }

  absl::StatusOr<std::optional<BulkFile>> FindBulkFileByFileId(
      const std::string& file_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [key, file] : files_) {
      if (file.upload_file_id == file_id || (!file_id.empty() && file.ask_file_id == file_id)) {
        return std::optional<BulkFile>(file);
      }
    }
    return std::optional<BulkFile>();
  }

  absl::StatusOr<BulkFile> UpdateBulkFile(const BulkFile& file) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (IsFinished(file.state)) return MakeError(errors::kInvalidArgument, "finished state");
    BulkFile* stored = FileLocked(file);
    if (stored == nullptr) return MakeError(errors::kInvalidArgument, "unknown file");
    if (stored->revision != file.revision) return MakeError(errors::kStoreConflict, "revision");
    const int64_t revision = stored->revision;
    *stored = file;
    stored->revision = revision + 1;
    stored->updated_time = clock_->Now();
    return *stored;
  }

  // --- For the tests ---

  void SetCoverage(const std::string& patient_id, const v1::CoverageVersion& coverage) {
    std::lock_guard<std::mutex> lock(mu_);
    coverages_[patient_id] = coverage;
  }
  std::optional<v1::CoverageVersion> Coverage(const std::string& patient_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = coverages_.find(patient_id);
    if (it == coverages_.end()) return std::nullopt;
    return it->second;
  }
  // check id → (patient, confirmation).
  std::map<std::string, std::pair<std::string, v1::Confirmation>> confirmations() {
    std::lock_guard<std::mutex> lock(mu_);
    return confirmations_;
  }
  // Rows with a result, per batch.
  int ResultCount(const std::string& request_id) {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const auto& [request, stored] : results_) n += request == request_id ? 1 : 0;
    return n;
  }
  std::vector<BulkFile> AllFiles() {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<BulkFile> out;
    for (const auto& [key, file] : files_) out.push_back(file);
    return out;
  }

 private:
  using FileKey = std::tuple<int, std::string, int32_t>;

  static FileKey KeyOf(const BulkFile& file) {
    return FileKey(static_cast<int>(file.exchange), file.request_id, file.index);
  }
  BulkFile* FileLocked(const BulkFile& file) {
    auto it = files_.find(KeyOf(file));
    return it == files_.end() ? nullptr : &it->second;
  }
  absl::Status InsertFilesLocked(const std::vector<BulkFile>& files) {
    for (const BulkFile& file : files) {
      BulkFile stored = file;
      stored.revision = 1;
      stored.state = BulkFileState::kWaitingForSlot;
      stored.created_time = clock_->Now();
      stored.updated_time = stored.created_time;
      files_[KeyOf(file)] = stored;
    }
    return absl::OkStatus();
  }
  absl::Status InsertResultLocked(const std::string& request_id,
                                  const v1::BatchPatientResult& result) {
    if (!rows_.insert({request_id, result.index()}).second) {
      return MakeError(errors::kInvalidArgument, "row written twice");
    }
    results_.emplace_back(request_id, StoredBatchResult{++sequence_, result});
    return absl::OkStatus();
  }
  int64_t CurrentVersionLocked(const std::string& patient_id) const {
    auto it = coverages_.find(patient_id);
    return it == coverages_.end() ? 0 : it->second.version();
  }

  const Clock* const clock_;
  std::mutex mu_;
  std::map<std::string, BatchRecord> batches_;
  std::vector<std::pair<std::string, StoredBatchResult>> results_;
  std::set<std::pair<std::string, int32_t>> rows_;
  int64_t sequence_ = 0;
  std::map<std::string, RegistrationRecord> registrations_;
  std::map<FileKey, BulkFile> files_;
  std::map<std::string, v1::CoverageVersion> coverages_;
  std::map<std::string, std::pair<std::string, v1::Confirmation>> confirmations_;
};

}  // namespace onshi::service::testing

#endif  // ONSHI_TESTS_UNIT_SERVICE_BULK_FAKES_H_
