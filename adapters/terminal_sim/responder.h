// The simulated terminal's decisions, without any I/O: given the bytes of one request file,
// what the 連携アプリケーション does with it (answer, refuse, or stay silent) and with which
// document. The Simulator (simulator.h) carries the decisions out on the folders.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_RESPONDER_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_RESPONDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "adapters/oqs_files/codec.h"
#include "onshi/sim/v1/dataset.pb.h"
#include "onshi/v1/oqs_documents.pb.h"

namespace onshi::sim {

// Fault modes applied to every well-formed request, whatever the dataset says
// (--fault=...). Malformed requests are refused in every mode.
enum class Fault {
  kNone,
  // Take every request, never answer.
  kSilent,
  // Answer every request with SegmentOfResult 9 (ErrorCode kFaultErrorCode).
  kError,
  // Write every answer cut off in the middle.
  kMalformedAnswer,
  // Write every answer directly under its final name, in small chunks with pauses.
  kSlowWrite,
  // Write every answer, and once it has been taken out of res/, write it again under the same
  // name.
  kDuplicate,
};

// Parses "none", "silent", "error", "malformed-answer", "slow-write", "duplicate".
bool ParseFault(absl::string_view name, Fault* fault);
absl::string_view FaultName(Fault fault);

// The simulator's synthetic codes. The real 別紙6-1 codes are not public; these are clearly not
// them. docs/simulator.md lists them.
//
// .err file contents (one line) for refused requests:
inline constexpr absl::string_view kRejectUndecodable = "SIM-E0001";       // not a readable XmlMsg
inline constexpr absl::string_view kRejectMissingElement = "SIM-E0002";    // required element
inline constexpr absl::string_view kRejectOtherInstitution = "SIM-E0003";  // not our 医療機関
inline constexpr absl::string_view kRejectBadValue = "SIM-E0004";          // malformed value
inline constexpr absl::string_view kRejectByScenario = "SIM-E0005";  // BEHAVIOR_REJECT_REQUEST
// ProcessingResultCode of the answer for a person the dataset does not know.
inline constexpr absl::string_view kNotFoundCode = "SIM-NOTFOUND";
// ErrorCode of SegmentOfResult 9 answers when the dataset gives none, and of --fault=error.
inline constexpr absl::string_view kTerminalErrorCode = "SIM-E9001";
inline constexpr absl::string_view kFaultErrorCode = "SIM-E9002";

struct ResponderOptions {
  // The 医療機関コード this terminal serves; requests for another are refused (SIM-E0003).
  std::string institution_code;
  oqs::Encoding encoding = oqs::Encoding::kUtf8;
  absl::Duration latency = absl::ZeroDuration();
  Fault fault = Fault::kNone;
};

// What to do with one request file.
struct Plan {
  enum class Action {
    // Write `answer` as the answer file after `latency`.
    kAnswer,
    // Move the request into res/ and write an .err file containing `reject_code`.
    kReject,
    // Remove the request and never answer.
    kSilent,
  };
  Action action = Action::kSilent;
  // kReject.
  std::string reject_code;
  // kReject: the file could not be decoded at all (the Simulator gives a file that may still be
  // being written a moment before refusing it).
  bool undecodable = false;
  // kAnswer.
  onshi::v1::QualificationResult answer;
  oqs::Encoding encoding = oqs::Encoding::kUtf8;
  absl::Duration latency = absl::ZeroDuration();
  // kAnswer: write the answer cut off in the middle instead of whole.
  bool malformed = false;
  // The matched scenario id; empty when nobody matched or the request was refused before
  // matching. Not patient data; safe to log.
  std::string scenario;
};

// Immutable after construction; Respond may be called from any thread.
class Responder {
 public:
  // `dataset` must have passed ValidateDataset.
  Responder(sim::v1::Dataset dataset, ResponderOptions options);

  // Decides about one request file. `now` becomes the answer's ProcessExecutionTime (JST) and
  // the time of the 限度額 consent. Never fails: anything wrong with the request is a kReject
  // plan.
  Plan Respond(absl::string_view request_bytes, absl::Time now) const;

  // Decides about a request already decoded (same rules after decoding).
  Plan RespondTo(const onshi::v1::QualificationRequestDocument& request, absl::Time now) const;

  const ResponderOptions& options() const { return options_; }

 private:
  const sim::v1::Patient* FindPatient(const onshi::v1::QualificationSearchInfo& search) const;

  sim::v1::Dataset dataset_;
  ResponderOptions options_;
};

// `time` as YYYYMMDDhhmmss in JST (UTC+9, no daylight saving).
std::string FormatJst(absl::Time time);

// An encoded answer cut off in the middle, at the end of an element tag, so that it is never
// well-formed yet stays valid in its encoding.
std::string TruncateDocument(absl::string_view encoded);

}  // namespace onshi::sim

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_RESPONDER_H_
