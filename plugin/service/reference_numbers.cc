#include "plugin/service/reference_numbers.h"

#include <map>
#include <utility>
#include <vector>

#include "google/protobuf/util/message_differencer.h"
#include "plugin/common/ids.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"
#include "plugin/core/reference_numbers.h"

namespace onshi::service {
namespace {

constexpr absl::string_view kLog = "reference-numbers";

// The rows of `range` that are sent: those with identifiers (the others' outcomes were set at
// once).
std::vector<int32_t> SentRows(const RegistrationRecord& registration, RowRange range) {
  std::vector<int32_t> rows;
  const int32_t size = static_cast<int32_t>(registration.registrations.size());
  for (int32_t row = std::max(range.first, 0); row < range.end && row < size; ++row) {
    if (registration.registrations[row].has_identifiers()) rows.push_back(row);
  }
  return rows;
}

}  // namespace

ReferenceNumbers::ReferenceNumbers(ReferenceNumberOptions options, BatchStore* store,
                                   BulkExchangeEngine* engine, const Clock* clock)
    : options_(std::move(options)), store_(store), engine_(engine), clock_(clock) {}

absl::StatusOr<RegistrationRecord> ReferenceNumbers::Load(const std::string& request_id) {
  absl::StatusOr<std::optional<RegistrationRecord>> found = store_->FindRegistration(request_id);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return MakeError(errors::kInternal, "a bulk file names no registration");
  return **std::move(found);
}

absl::StatusOr<RegistrationRecord> ReferenceNumbers::Begin(
    const v1::RegisterReferenceNumbersRequest& request) {
  absl::StatusOr<NormalizedRegistration> normalized =
      NormalizeRegistrationRequest(request, options_.max_patients);
  if (!normalized.ok()) return normalized.status();
  const v1::RegisterReferenceNumbersRequest& canonical = normalized->request;

  absl::StatusOr<std::optional<RegistrationRecord>> existing =
      store_->FindRegistration(canonical.request_id());
  if (!existing.ok()) return existing.status();
  if (!existing->has_value()) {
    std::vector<std::string> valid;
    for (int i = 0; i < canonical.patient_ids_size(); ++i) {
      if (normalized->patient_errors[i].ok()) valid.push_back(canonical.patient_ids(i));
    }
    absl::StatusOr<std::map<std::string, v1::CoverageVersion>> coverages =
        store_->CurrentCoverages(valid);
    if (!coverages.ok()) return coverages.status();

    const absl::Time now = clock_->Now();
    RegistrationRecord fresh;
    fresh.request_id = canonical.request_id();
    fresh.request = canonical;
    std::vector<int32_t> sent;
    for (int32_t row = 0; row < canonical.patient_ids_size(); ++row) {
      const std::string& patient_id = canonical.patient_ids(row);
      absl::Status error = normalized->patient_errors[row];
      auto coverage = coverages->find(patient_id);
      if (error.ok() && coverage == coverages->end()) error = MakeError(errors::kNoCoverage);
      if (error.ok()) {
        fresh.registrations.push_back(
            RegistrationFor(patient_id, coverage->second.coverage().identifiers(), row));
        *fresh.response.add_outcomes() = v1::ReferenceNumberOutcome();
        sent.push_back(row);
      } else {
        fresh.registrations.emplace_back().set_reference_number(patient_id);
        *fresh.response.add_outcomes() = ErrorOutcome(patient_id, error);
      }
    }
    // One patient goes as a single registration; several as a bulk one, in files.
    const BulkExchange exchange =
        sent.size() == 1 ? BulkExchange::kReferenceNumber : BulkExchange::kBulkReferenceNumber;
    std::vector<BulkFile> files;
    for (const RowRange& range : SplitIntoFiles(sent, options_.file_size)) {
      BulkFile& file = files.emplace_back();
      file.exchange = exchange;
      file.request_id = fresh.request_id;
      file.index = static_cast<int32_t>(files.size() - 1);
      file.rows = range;
      file.upload_file_id = NewFileId();
      file.next_time = now;
    }
    fresh.done = files.empty();
    bool created = false;
    absl::StatusOr<RegistrationRecord> stored = store_->CreateRegistration(fresh, files, &created);
    if (!stored.ok()) return stored.status();
    if (created) {
      Log(LogLevel::kInfo, kLog, "registration ", fresh.request_id, ": ",
          canonical.patient_ids_size(), " patient(s), ", sent.size(), " to send in ",
          files.size(), " ", BulkExchangeName(exchange), " file(s)");
      engine_->Wake();
      return stored;
    }
    existing = std::optional<RegistrationRecord>(*std::move(stored));
  }
  if (!google::protobuf::util::MessageDifferencer::Equals((*existing)->request, canonical)) {
    return MakeError(errors::kRequestIdConflict,
                     "the registration's request_id names other patients");
  }
  engine_->Wake();
  return **std::move(existing);
}

absl::StatusOr<v1::RegisterReferenceNumbersResponse> ReferenceNumbers::Register(
    const v1::RegisterReferenceNumbersRequest& request, absl::Time call_deadline,
    const std::function<bool()>& cancelled) {
  absl::StatusOr<RegistrationRecord> registration = Begin(request);
  if (!registration.ok()) return registration.status();
  while (true) {
    if (registration->done) return std::move(registration->response);
    const int64_t seen = engine_->changes();
    registration = Load(request.request_id());
    if (!registration.ok()) return registration.status();
    if (registration->done) return std::move(registration->response);
    if (clock_->Now() >= call_deadline) {
      return MakeError(errors::kDeadlineExceeded,
                       "the registration goes on; a retry with the same request returns its "
                       "outcomes");
    }
    if (cancelled && cancelled()) return MakeError(errors::kCancelled);
    if (!engine_->AwaitChange(seen, call_deadline)) {
      return MakeError(errors::kCancelled, "onshi is shutting down; the registration resumes");
    }
  }
}

absl::StatusOr<std::unique_ptr<google::protobuf::Message>> ReferenceNumbers::BuildUpload(
    const BulkFile& file) {
  absl::StatusOr<RegistrationRecord> registration = Load(file.request_id);
  if (!registration.ok()) return registration.status();
  const std::vector<int32_t> rows = SentRows(*registration, file.rows);
  if (file.exchange == BulkExchange::kReferenceNumber) {
    if (rows.size() != 1) return MakeError(errors::kInternal, "a single registration file");
    auto document = std::make_unique<v1::ReferenceNumberRequestDocument>();
    document->set_medical_institution_code(options_.medical_institution_code);
    document->set_arbitrary_file_identifier(file.upload_file_id);
    *document->mutable_registration() = registration->registrations[rows[0]];
    return document;
  }
  auto document = std::make_unique<v1::BulkReferenceNumberRequestDocument>();
  document->set_medical_institution_code(options_.medical_institution_code);
  document->set_arbitrary_file_identifier(file.upload_file_id);
  for (int32_t row : rows) *document->add_registrations() = registration->registrations[row];
  return document;
}

absl::Status ReferenceNumbers::RecordResult(const BulkFile& finished,
                                            const IncomingAnswer& answer) {
  absl::StatusOr<RegistrationRecord> registration = Load(finished.request_id);
  if (!registration.ok()) return registration.status();
  const std::vector<int32_t> rows = SentRows(*registration, finished.rows);
  std::map<int32_t, v1::ReferenceNumberOutcome> outcomes;
  if (const auto* single = AnswerAs<v1::ReferenceNumberResultDocument>(answer)) {
    for (int32_t row : rows) {
      outcomes[row] = TerminalOutcome(registration->request.patient_ids(row),
                                      single->processing_result_status(),
                                      single->processing_result_code(),
                                      single->processing_result_message());
    }
  } else if (const auto* bulk = AnswerAs<v1::BulkReferenceNumberResultDocument>(answer)) {
    std::map<int32_t, const v1::ReferenceNumberUnit*> units;
    for (const v1::ReferenceNumberUnit& unit : bulk->units()) {
      std::optional<int32_t> row =
          ParseRowKey(unit.registration().arbitrary_identifier(), finished.rows);
      if (row.has_value()) units.emplace(*row, &unit);
    }
    for (int32_t row : rows) {
      const std::string& patient_id = registration->request.patient_ids(row);
      auto unit = units.find(row);
      outcomes[row] =
          unit == units.end()
              ? ErrorOutcome(patient_id,
                             MakeError(errors::kTerminalMalformedAnswer,
                                       "the result has no ReferenceNumberUnit for the row"))
              : TerminalOutcome(patient_id, unit->second->processing_result_status(),
                                unit->second->processing_result_code(),
                                unit->second->processing_result_message());
    }
  } else {
    return MakeError(errors::kInternal, "not a 照会番号 result document");
  }
  return store_->FinishRegistrationFile(finished, outcomes);
}

absl::Status ReferenceNumbers::RecordFailure(const BulkFile& finished) {
  absl::StatusOr<RegistrationRecord> registration = Load(finished.request_id);
  if (!registration.ok()) return registration.status();
  const absl::Status error = FromErrorDetail(finished.error_code, finished.error);
  std::map<int32_t, v1::ReferenceNumberOutcome> outcomes;
  for (int32_t row : SentRows(*registration, finished.rows)) {
    outcomes[row] = ErrorOutcome(registration->request.patient_ids(row), error);
  }
  return store_->FinishRegistrationFile(finished, outcomes);
}

}  // namespace onshi::service
