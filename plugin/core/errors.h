// onshi's one error vocabulary.
//
// Every failure onshi reports is one entry of a single table (errors.cc): a stable reason, the
// canonical gRPC/absl code, a Japanese text for reception staff and an English text for IT, and
// whether asking again may help. Inside onshi errors travel as absl::Status carrying the reason
// as a payload; at the gRPC edge they become an ErrorDetail, at the C ABI an onshi_error. The
// texts never contain patient data: callers may add an IT detail (field names, codes, counts),
// never values.

#ifndef ONSHI_PLUGIN_CORE_ERRORS_H_
#define ONSHI_PLUGIN_CORE_ERRORS_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "onshi/v1/error.pb.h"

namespace onshi {

struct ErrorSpec {
  // Stable machine reason, e.g. "ONSHI_TERMINAL_TIMEOUT".
  absl::string_view reason;
  absl::StatusCode code;
  // For reception staff (Japanese): what happened, what to do at the desk.
  absl::string_view staff_message;
  // For IT (English): what to check.
  absl::string_view it_message;
  // Asking again (with a new request_id) may succeed.
  bool retryable;
};

// The catalogue. Each is a constant of the table in errors.cc; docs/errors.md lists them all
// and a test keeps the two in step.
namespace errors {
extern const ErrorSpec kInvalidRequestId;
extern const ErrorSpec kInvalidPatientId;
extern const ErrorSpec kInvalidInsurerNumber;
extern const ErrorSpec kInsurerCheckDigit;
extern const ErrorSpec kInvalidCardSymbol;
extern const ErrorSpec kInvalidCardNumber;
extern const ErrorSpec kInvalidBranchNumber;
extern const ErrorSpec kInvalidPublicExpenseNumber;
extern const ErrorSpec kInvalidRecipientNumber;
extern const ErrorSpec kInvalidBirthDate;
extern const ErrorSpec kInvalidConfirmationDate;
extern const ErrorSpec kInvalidMonthRange;
extern const ErrorSpec kInvalidArgument;
extern const ErrorSpec kRequestIdConflict;
extern const ErrorSpec kPatientNotFound;
extern const ErrorSpec kNoCoverage;
extern const ErrorSpec kNoConsent;
extern const ErrorSpec kCheckinNotFound;
extern const ErrorSpec kBatchTooLarge;
extern const ErrorSpec kReferenceNumberRefused;
extern const ErrorSpec kTerminalTimeout;
extern const ErrorSpec kMedicalInfoTimeout;
extern const ErrorSpec kTerminalFailed;
extern const ErrorSpec kTerminalRejectedRequest;
extern const ErrorSpec kTerminalMalformedAnswer;
extern const ErrorSpec kTerminalUnavailable;
extern const ErrorSpec kTerminalBusy;
extern const ErrorSpec kDocumentTooLarge;
extern const ErrorSpec kDocumentDoctype;
extern const ErrorSpec kDocumentMalformed;
extern const ErrorSpec kDocumentEncoding;
extern const ErrorSpec kDocumentTooDeep;
extern const ErrorSpec kDocumentInvalidValue;
extern const ErrorSpec kStoreUnavailable;
extern const ErrorSpec kStoreConflict;
extern const ErrorSpec kConfigInvalid;
extern const ErrorSpec kSidecarUnavailable;
extern const ErrorSpec kDeadlineExceeded;
extern const ErrorSpec kInvalidUserId;
extern const ErrorSpec kConsentExpired;
extern const ErrorSpec kConsentWrongSetting;
extern const ErrorSpec kConsentNeverAvailable;
extern const ErrorSpec kEligibilityOnly;
extern const ErrorSpec kVersionConflict;
extern const ErrorSpec kNotConfirmed;
extern const ErrorSpec kVisitNotFound;
extern const ErrorSpec kVisitState;
extern const ErrorSpec kInvalidSelfDeclaration;
extern const ErrorSpec kLimitCategoryUnknown;
extern const ErrorSpec kAuditUnavailable;
extern const ErrorSpec kAlreadyAdmitted;
extern const ErrorSpec kNotAdmitted;
extern const ErrorSpec kCancelled;
extern const ErrorSpec kInternal;
}  // namespace errors

// Every entry of the catalogue, in a stable order.
const std::vector<const ErrorSpec*>& AllErrorSpecs();

// The entry for `reason`, or nullptr.
const ErrorSpec* FindErrorSpec(absl::string_view reason);

// A status for `spec`. `it_detail` is appended to the IT text; it must not contain patient data
// (name the field, never its value).
absl::Status MakeError(const ErrorSpec& spec, absl::string_view it_detail = {});

// The reason carried by `status`; for a status onshi did not make, a generic reason derived
// from its code (ONSHI_INTERNAL, ONSHI_DEADLINE_EXCEEDED, ...). Empty for OK.
absl::string_view ReasonOf(const absl::Status& status);

// The wire form of `status` (reason, staff text, IT text, retryable). For a status onshi did not
// make, the texts of the generic reason for its code; its own message is kept as IT text.
v1::ErrorDetail ToErrorDetail(const absl::Status& status);

// Back from the wire: a status with `code`, the IT text as message and the reason as payload.
absl::Status FromErrorDetail(absl::StatusCode code, const v1::ErrorDetail& detail);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_ERRORS_H_
