// Loading and completing SidecarConfig (declared in runtime.h).

#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "plugin/common/log.h"
#include "plugin/core/errors.h"
#include "plugin/core/validation.h"
#include "plugin/service/runtime.h"

namespace onshi::service {
namespace {

constexpr int64_t kDefaultAnswerTimeoutMs = 30000;
constexpr int64_t kDefaultRescanIntervalMs = 1000;
constexpr int64_t kDefaultMaxDocumentBytes = int64_t{8} << 20;
constexpr int64_t kDefaultMalformedGraceMs = 10000;
constexpr int32_t kDefaultMaxInFlight = 10;
// The terminal serves at most 20 sessions (reliability.md §1.2).
constexpr int32_t kMaxInFlightLimit = 20;
constexpr int32_t kDefaultBatchFileSize = 500;
constexpr int32_t kDefaultBatchMaxPatients = 20000;
constexpr int64_t kDefaultBatchPollInitialMs = 1000;
constexpr int64_t kDefaultBatchPollMaxMs = 30000;
constexpr int64_t kDefaultBulkTimeoutMs = 3600000;

// Collects the first parse error as "line L column C: message" (the config holds no patient
// data, but values are still not echoed).
class FirstErrorCollector final : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first_.empty())
      first_ = absl::StrCat("line ", line + 1, " column ", column + 1, ": ", message);
  }
  const std::string& first() const { return first_; }

 private:
  std::string first_;
};

absl::Status Invalid(absl::string_view detail) { return MakeError(errors::kConfigInvalid, detail); }

absl::Status CheckRange(int64_t value, int64_t low, int64_t high, absl::string_view name) {
  if (value < low || value > high) {
    return Invalid(absl::StrCat(name, " must be between ", low, " and ", high));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::SidecarConfig> CompleteConfig(v1::SidecarConfig config) {
  if (config.state_dir().empty()) return Invalid("state_dir is required");
  if (config.state_dir().front() != '/') return Invalid("state_dir must be an absolute path");

  v1::TerminalConfig& terminal = *config.mutable_terminal();
  if (terminal.root().empty()) return Invalid("terminal.root is required");
  if (!ValidateMedicalInstitutionCode(terminal.medical_institution_code()).ok()) {
    return Invalid("terminal.medical_institution_code must be the 10-digit 医療機関コード");
  }
  if (terminal.request_encoding() == v1::DOCUMENT_ENCODING_UNSPECIFIED) {
    terminal.set_request_encoding(v1::DOCUMENT_ENCODING_UTF8);
  }
  if (terminal.answer_timeout_ms() == 0) terminal.set_answer_timeout_ms(kDefaultAnswerTimeoutMs);
  if (terminal.rescan_interval_ms() == 0) {
    terminal.set_rescan_interval_ms(kDefaultRescanIntervalMs);
  }
  if (terminal.max_document_bytes() == 0) {
    terminal.set_max_document_bytes(kDefaultMaxDocumentBytes);
  }
  if (terminal.malformed_grace_ms() == 0) {
    terminal.set_malformed_grace_ms(kDefaultMalformedGraceMs);
  }
  if (terminal.processed_policy() == v1::PROCESSED_FILE_POLICY_UNSPECIFIED) {
    terminal.set_processed_policy(v1::PROCESSED_FILE_POLICY_ARCHIVE);
  }
  if (terminal.processed_dir().empty()) {
    terminal.set_processed_dir(absl::StrCat(config.state_dir(), "/processed"));
  }
  if (terminal.quarantine_dir().empty()) {
    terminal.set_quarantine_dir(absl::StrCat(config.state_dir(), "/quarantine"));
  }
  if (terminal.max_in_flight() == 0) terminal.set_max_in_flight(kDefaultMaxInFlight);
  if (terminal.batch_file_size() == 0) terminal.set_batch_file_size(kDefaultBatchFileSize);
  if (terminal.batch_max_patients() == 0) {
    terminal.set_batch_max_patients(kDefaultBatchMaxPatients);
  }
  if (terminal.batch_poll_initial_ms() == 0) {
    terminal.set_batch_poll_initial_ms(kDefaultBatchPollInitialMs);
  }
  if (terminal.batch_poll_max_ms() == 0) terminal.set_batch_poll_max_ms(kDefaultBatchPollMaxMs);
  if (terminal.bulk_timeout_ms() == 0) terminal.set_bulk_timeout_ms(kDefaultBulkTimeoutMs);
  if (absl::Status s =
          CheckRange(terminal.max_in_flight(), 1, kMaxInFlightLimit, "terminal.max_in_flight");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange(terminal.batch_file_size(), 1, 10000, "terminal.batch_file_size");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange(terminal.batch_max_patients(), 1, 100000, "terminal.batch_max_patients");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange(terminal.batch_poll_initial_ms(), 10, 600000,
                                  "terminal.batch_poll_initial_ms");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange(terminal.batch_poll_max_ms(), terminal.batch_poll_initial_ms(),
                                  3600000, "terminal.batch_poll_max_ms");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange(terminal.bulk_timeout_ms(), 1000, 86400000, "terminal.bulk_timeout_ms");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange(terminal.answer_timeout_ms(), 100, 600000, "terminal.answer_timeout_ms");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange(terminal.rescan_interval_ms(), 10, 60000, "terminal.rescan_interval_ms");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange(terminal.max_document_bytes(), 4096, int64_t{64} << 20,
                                  "terminal.max_document_bytes");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange(terminal.malformed_grace_ms(), 0, 600000, "terminal.malformed_grace_ms");
      !s.ok()) {
    return s;
  }

  if (config.store().sqlite_path().empty()) {
    config.mutable_store()->set_sqlite_path(absl::StrCat(config.state_dir(), "/onshi.db"));
  }

  // --- outage workflow (docs/outage.md) ---
  v1::OutageConfig& outage = *config.mutable_outage();
  if (outage.recheck_tick_ms() == 0) outage.set_recheck_tick_ms(1000);
  if (outage.recheck_probe_initial_ms() == 0) outage.set_recheck_probe_initial_ms(5000);
  if (outage.recheck_probe_max_ms() == 0) outage.set_recheck_probe_max_ms(300000);
  if (outage.recheck_max_age_days() == 0) outage.set_recheck_max_age_days(180);
  if (absl::Status s = CheckRange(outage.recheck_tick_ms(), 10, 60000, "outage.recheck_tick_ms");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange(outage.recheck_probe_initial_ms(), 10, 3600000,
                                  "outage.recheck_probe_initial_ms");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckRange(outage.recheck_probe_max_ms(), outage.recheck_probe_initial_ms(),
                                  3600000, "outage.recheck_probe_max_ms");
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          CheckRange(outage.recheck_max_age_days(), 1, 3650, "outage.recheck_max_age_days");
      !s.ok()) {
    return s;
  }
  // --- end of outage workflow ---
  if (config.log_level().empty()) config.set_log_level("info");
  LogLevel level;
  if (!ParseLogLevel(config.log_level(), &level)) {
    return Invalid("log_level must be error, warning, info or debug");
  }
  if (config.has_tcp() && !config.tcp().address().empty()) {
    const v1::TcpListenerConfig& tcp = config.tcp();
    if (tcp.server_cert_path().empty() || tcp.server_key_path().empty() ||
        tcp.client_ca_path().empty()) {
      return Invalid(
          "tcp needs server_cert_path, server_key_path and client_ca_path: TCP is served only "
          "with mutual TLS");
    }
  }
  return config;
}

absl::StatusOr<v1::SidecarConfig> LoadConfigFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Invalid(absl::StrCat("cannot read config file ", path));
  std::stringstream text;
  text << in.rdbuf();
  google::protobuf::TextFormat::Parser parser;
  FirstErrorCollector collector;
  parser.RecordErrorsTo(&collector);
  v1::SidecarConfig config;
  if (!parser.ParseFromString(text.str(), &config)) {
    return Invalid(absl::StrCat(path, ": ", collector.first()));
  }
  return CompleteConfig(std::move(config));
}

}  // namespace onshi::service
