// What onshi must report for a dataset patient, stated from the dataset itself (the insurer's
// registered records, the patient's behaviour), independently of onshi's code.

#ifndef ONSHI_TESTS_INTEGRATION_EXPECTATIONS_H_
#define ONSHI_TESTS_INTEGRATION_EXPECTATIONS_H_

#include <string>

#include "onshi/onshi.h"
#include "onshi/sim/v1/dataset.pb.h"
#include "tests/integration/harness.h"

namespace onshi::integration {

// How the simulator wrote the answer.
enum class AnswerEncoding { kUtf8, kShiftJis };

// Text as it reads back from an answer in `encoding`: in Shift_JIS (CP932) characters outside it
// (外字: the dataset's only one is 𠮷, U+20BB7) become 〓.
std::string AsWritten(const std::string& text, AnswerEncoding encoding);

// The dataset's record as it reads back from an answer in `encoding`.
v1::QualificationRecord RecordAsWritten(const v1::QualificationRecord& record,
                                        AnswerEncoding encoding);

// The encoding the simulator uses for `patient` on a stack started with `stack_encoding`.
AnswerEncoding EncodingFor(const sim::v1::Patient& patient, AnswerEncoding stack_encoding);

// Expects `q` to be the terminal's on-time answer for `patient`, asked on kConfirmationDate with
// or without 限度額 consent: outcome ANSWERED (or `outcome`), the dataset's validity and status
// label, eligible iff 有効 with one record, every record field as the insurer registered it
// (typed getters and the whole record in the JSON), 負担割合, 限度額区分 only with consent,
// 未就学, and the notices the answer calls for.
void ExpectAnswerFor(const onshi_qualification* q, const sim::v1::Patient& patient,
                     bool limit_consent, AnswerEncoding encoding = AnswerEncoding::kUtf8,
                     int32_t outcome = ONSHI_OUTCOME_ANSWERED);

// Expects `q` to be an UNCONFIRMED outcome: reason ONSHI_TERMINAL_TIMEOUT, no verdict, no
// records, not eligible, nothing recorded.
void ExpectUnconfirmed(const onshi_qualification* q);

// Expects the patient record to hold nothing the terminal confirmed: the patient is unknown, or
// has no coverage and no ANSWERED confirmation.
void ExpectNothingConfirmed(onshi_client* client, const std::string& patient_id);

// The number of notices of `q` with this code.
int CountNotices(const onshi_qualification* q, const std::string& code);

}  // namespace onshi::integration

#endif  // ONSHI_TESTS_INTEGRATION_EXPECTATIONS_H_
