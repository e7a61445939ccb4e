// A writer of request files for the crash tests (reliability.md B2): places 個別照会 requests in
// <root>/req through FileTransport::Submit, one after another, until it is killed or has placed
// --count of them. Each request's ArbitraryFileIdentifier is "W" followed by its number, from
// --first on, so the test can tell which one was being written when it killed the writer.
//
// Usage: onshi_request_writer --root DIR --quarantine DIR [--first N] [--count N] [--wait]
//   --wait: after FileTransport::Create (which removes this writer's leftover temp files from
//           req/), print "ready" and wait for a line on stdin before writing.
// Exit status: 0 after --count requests; 2 for bad arguments; 1 when the transport fails.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

#include "absl/strings/str_cat.h"
#include "adapters/oqs_files/transport.h"
#include "plugin/common/log.h"
#include "plugin/common/system_clock.h"
#include "plugin/core/errors.h"

namespace {

onshi::v1::QualificationRequestDocument Request(int64_t number) {
  onshi::v1::QualificationRequestDocument request;
  request.set_qualification_confirmation_date("20250602");
  request.set_medical_institution_code("1310000016");
  request.set_arbitrary_file_identifier(absl::StrCat("W", number));
  onshi::v1::QualificationSearchInfo* info = request.mutable_search_info();
  info->mutable_identifiers()->set_insurer_number("06139992");
  info->mutable_identifiers()->set_insured_card_symbol("ＴＥＳＴ記号");
  info->mutable_identifiers()->set_insured_identification_number("9900001");
  info->mutable_identifiers()->set_insured_branch_number("01");
  info->set_birth_date("19850412");
  info->set_limit_certificate_consent(onshi::v1::CONSENT_FLAG_GIVEN);
  return request;
}

}  // namespace

int main(int argc, char** argv) {
  std::string root;
  std::string quarantine;
  int64_t first = 0;
  int64_t count = -1;
  bool wait = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--root" && has_value) {
      root = argv[++i];
    } else if (arg == "--quarantine" && has_value) {
      quarantine = argv[++i];
    } else if (arg == "--first" && has_value) {
      first = std::strtoll(argv[++i], nullptr, 10);
    } else if (arg == "--count" && has_value) {
      count = std::strtoll(argv[++i], nullptr, 10);
    } else if (arg == "--wait") {
      wait = true;
    } else {
      std::cerr << "unknown argument\n";
      return 2;
    }
  }
  if (root.empty() || quarantine.empty()) {
    std::cerr << "--root and --quarantine are required\n";
    return 2;
  }
  onshi::SetLogLevel(onshi::LogLevel::kError);
  onshi::SystemClock clock;
  onshi::oqs::FileTransportOptions options;
  options.root = root;
  options.quarantine_dir = quarantine;
  options.archive_processed = false;
  absl::StatusOr<std::unique_ptr<onshi::oqs::FileTransport>> transport =
      onshi::oqs::FileTransport::Create(options, &clock);
  if (!transport.ok()) {
    std::cerr << onshi::ReasonOf(transport.status()) << "\n";
    return 1;
  }
  if (wait) {
    std::cout << "ready" << std::endl;
    std::string line;
    if (!std::getline(std::cin, line)) return 0;
  }
  for (int64_t n = first; count < 0 || n < first + count; ++n) {
    absl::Status placed =
        (*transport)->Submit(onshi::DocumentKind::kQualificationRequest, Request(n));
    if (!placed.ok()) {
      std::cerr << onshi::ReasonOf(placed) << "\n";
      return 1;
    }
  }
  return 0;
}
