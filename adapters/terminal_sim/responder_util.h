// Internal to the responder (responder*.cc): helpers its parts share. Not for other users.

#ifndef ONSHI_ADAPTERS_TERMINAL_SIM_RESPONDER_UTIL_H_
#define ONSHI_ADAPTERS_TERMINAL_SIM_RESPONDER_UTIL_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "adapters/oqs_files/codec.h"
#include "adapters/terminal_sim/responder.h"
#include "onshi/sim/v1/dataset.pb.h"
#include "onshi/v1/oqs_documents.pb.h"

namespace onshi::sim::internal {

// Texts the terminal writes (synthetic wording; the real ones are not public).
inline constexpr absl::string_view kNotFoundMessage =
    "照会した被保険者証等記号・番号等に該当する資格情報が存在しません。入力内容を確認してください"
    "。";
inline constexpr absl::string_view kTerminalErrorMessage =
    "オンライン資格確認等システムで処理中にエラーが発生しました。しばらく時間をおいてから再度照会し"
    "て"
    "ください。";
inline constexpr absl::string_view kAmbiguousMessage =
    "照会した被保険者証等記号・番号等に複数の資格情報が該当します。枝番を指定してください。";
inline constexpr absl::string_view kMissingElementMessage = "必須項目が設定されていません。";
inline constexpr absl::string_view kBadValueMessage = "項目の形式に誤りがあります。";

// A kReject reply with `code`.
Reply RejectReply(absl::string_view code);

// A kSilent reply.
Reply SilentReply();

// A kAnswer reply of `kind` carrying `document`, in the default encoding and latency.
Reply AnswerReply(DocumentKind kind, std::shared_ptr<const google::protobuf::Message> document,
                  const ResponderOptions& options);

// The answer encoding for `patient` (its override, else `fallback`); `patient` may be null.
oqs::Encoding EncodingFor(const v1::Patient* patient, oqs::Encoding fallback);

// True for 6 or 8 digits after width folding and trimming spaces (OQS sends 6-digit 国保
// numbers space-padded, some senders zero-pad).
bool IsInsurerNumberForm(absl::string_view insurer_number);

// True for YYYYMM with a real month.
bool IsYearMonth(absl::string_view yyyymm);

// The JST date YYYYMMDD of `time`.
std::string JstDate(absl::Time time);

// Applies the family's fault to an answer the family's handler built: kLate → the late delay,
// kOtherInstitution → another MedicalInstitutionCode in the document, kMalformedAnswer → cut
// off, the write faults → `write_fault`.
void ApplyAnswerFaults(Fault fault, const ResponderOptions& options, Reply* reply);

}  // namespace onshi::sim::internal

#endif  // ONSHI_ADAPTERS_TERMINAL_SIM_RESPONDER_UTIL_H_
