// 照会番号 registration end to end through the C API: onshid registers each patient's
// patient_id as its 照会番号 with the identifiers of the patient's recorded coverage, one patient
// as a single registration (OQSsiimm01), several as a bulk one (OQSmuimm01/02); the simulator
// (a process) remembers them, and a card-reader check-in it writes afterwards carries the number,
// by which onshid names the patient.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "onshi/v1/checkin_service.pb.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

struct ReferenceNumbersFreer {
  void operator()(onshi_reference_numbers* o) const { onshi_reference_numbers_free(o); }
};
using ReferenceNumbersPtr = std::unique_ptr<onshi_reference_numbers, ReferenceNumbersFreer>;

struct CheckinFreer {
  void operator()(onshi_checkin* c) const { onshi_checkin_free(c); }
};
using CheckinPtr = std::unique_ptr<onshi_checkin, CheckinFreer>;

struct Registration {
  onshi_status status = ONSHI_UNKNOWN;
  std::string reason;
  ReferenceNumbersPtr outcomes;
};

Registration Register(onshi_client* client, const std::string& request_id,
                      const std::vector<std::string>& patient_ids) {
  std::vector<const char*> ids;
  for (const std::string& id : patient_ids) ids.push_back(id.c_str());
  onshi_reference_numbers* out = nullptr;
  onshi_error* err = nullptr;
  Registration r;
  r.status = onshi_register_reference_numbers(client, request_id.c_str(), ids.data(), ids.size(),
                                              120000, &out, &err);
  ErrorPtr error(err);
  r.reason = onshi_error_reason(err);
  r.outcomes.reset(out);
  if (r.status == ONSHI_OK) {
    EXPECT_NE(out, nullptr);
    EXPECT_EQ(onshi_reference_numbers_count(out), static_cast<int32_t>(patient_ids.size()));
  } else {
    EXPECT_EQ(out, nullptr);
  }
  return r;
}

v1::CheckinEvent EventOf(const onshi_checkin* checkin) {
  char* json = nullptr;
  size_t length = 0;
  EXPECT_EQ(onshi_checkin_to_json(checkin, &json, &length, nullptr), ONSHI_OK);
  StringPtr owned(json);
  v1::CheckinEvent event;
  if (json != nullptr) {
    EXPECT_TRUE(
        google::protobuf::util::JsonStringToMessage(std::string(json, length), &event).ok());
  }
  return event;
}

// The check-in of the face file `face_file` (a bare name in face/), acknowledging every other
// one on the way; nullptr (with a test failure) when it does not come.
CheckinPtr CheckinOf(onshi_client* client, const std::string& face_file) {
  const std::string prefix = "OQSsiquc01res_face_";
  const std::string suffix = ".xml";
  if (face_file.size() <= prefix.size() + suffix.size()) {
    ADD_FAILURE() << "not a face file name: " << face_file;
    return nullptr;
  }
  const std::string file_id =
      face_file.substr(prefix.size(), face_file.size() - prefix.size() - suffix.size());
  while (true) {
    onshi_checkin* checkin = nullptr;
    onshi_error* err = nullptr;
    const onshi_status status = onshi_checkin_next(client, kSettleTimeout.count(), &checkin, &err);
    ErrorPtr error(err);
    CheckinPtr owned(checkin);
    if (status != ONSHI_OK || checkin == nullptr) {
      ADD_FAILURE() << "no check-in for " << face_file << ": " << onshi_status_name(status);
      return nullptr;
    }
    if (EventOf(checkin).provenance().file_id() == file_id) return owned;
    EXPECT_EQ(onshi_checkin_ack(client, onshi_checkin_event_id(checkin), nullptr), ONSHI_OK);
  }
}

class ReferenceNumberTest : public SharedStackTest<ReferenceNumberTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "reference-number";
    // 照会番号一括: 処理中 for 300 ms after the upload; onshid asks again after 100, 200 ms.
    options.sim_flags = {"--batch-processing-ms", "300"};
    options.extra_terminal_config = "batch_poll_initial_ms: 100 batch_poll_max_ms: 400";
    return options;
  }

 protected:
  // A 個別照会 naming `patient_id` records the patient's coverage: what a registration sends.
  void CheckAs(const std::string& scenario, const std::string& patient_id) {
    RequestSpec spec;
    spec.patient_id = patient_id;
    spec.timeout_ms = stack().check_timeout_ms();
    CheckOutcome outcome = Check(client(), NewRequestFor(PatientByScenario(scenario), spec).get());
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    ASSERT_EQ(outcome.outcome(), ONSHI_OUTCOME_ANSWERED);
    stack().NoteAnswered(outcome.result.get());
  }

  // A check-in of `scenario` at the simulator's card reader is named by `patient_id`'s 照会番号.
  void ExpectCheckinNamedByReferenceNumber(const std::string& scenario,
                                           const std::string& patient_id) {
    const std::string face_file = stack().SimCheckIn(scenario, {});
    ASSERT_FALSE(face_file.empty());
    CheckinPtr c = CheckinOf(client(), face_file);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(onshi_checkin_match_kind(c.get()), ONSHI_MATCH_REFERENCE_NUMBER);
    EXPECT_EQ(std::string(onshi_checkin_patient_id(c.get())), patient_id);
    const v1::CheckinEvent event = EventOf(c.get());
    ASSERT_GT(event.result().records_size(), 0);
    EXPECT_EQ(event.result().records(0).reference_number(), patient_id);
    EXPECT_EQ(onshi_checkin_ack(client(), onshi_checkin_event_id(c.get()), nullptr), ONSHI_OK);
  }
};

TEST_F(ReferenceNumberTest, SingleRegistrationIsCarriedByTheNextCheckinAndNamesThePatient) {
  CheckAs("limit-b06", "it-ref-single");
  FolderWatch watch(stack().req_dir());
  ASSERT_TRUE(watch.ok());
  Registration r = Register(client(), "it-ref-single-0001", {"it-ref-single"});
  ASSERT_EQ(r.status, ONSHI_OK) << r.reason;
  const onshi_reference_numbers* o = r.outcomes.get();
  EXPECT_STREQ(onshi_reference_numbers_patient_id(o, 0), "it-ref-single");
  EXPECT_EQ(onshi_reference_numbers_registered(o, 0), 1);
  EXPECT_EQ(onshi_reference_numbers_error_code(o, 0), ONSHI_OK);
  EXPECT_STREQ(onshi_reference_numbers_error_reason(o, 0), "");
  // One patient: a single registration, no bulk exchange.
  const std::vector<std::string> placed = watch.TakeEvents();
  EXPECT_THAT(placed, ::testing::Contains(::testing::StartsWith("OQSsiimm01req_")));
  EXPECT_THAT(placed, ::testing::Not(::testing::Contains(::testing::StartsWith("OQSmuimm"))));

  ExpectCheckinNamedByReferenceNumber("limit-b06", "it-ref-single");
}

TEST_F(ReferenceNumberTest, BulkRegistrationGivesEachPatientItsOutcome) {
  CheckAs("limit-b07", "it-ref-bulk-1");
  CheckAs("limit-b08", "it-ref-bulk-2");
  const std::string too_long = "it-ref-" + std::string(44, 'x');  // 51 characters
  const std::vector<std::string> ids = {"it-ref-bulk-1", "it-ref-bulk-2", "it-ref-never-checked",
                                        "it-ref-bulk-1", too_long};
  FolderWatch watch(stack().req_dir());
  ASSERT_TRUE(watch.ok());
  Registration r = Register(client(), "it-ref-bulk-0001", ids);
  ASSERT_EQ(r.status, ONSHI_OK) << r.reason;
  const onshi_reference_numbers* o = r.outcomes.get();
  for (int32_t i = 0; i < static_cast<int32_t>(ids.size()); ++i) {
    EXPECT_EQ(std::string(onshi_reference_numbers_patient_id(o, i)), ids[static_cast<size_t>(i)]);
  }
  EXPECT_EQ(onshi_reference_numbers_registered(o, 0), 1)
      << onshi_reference_numbers_error_reason(o, 0);
  EXPECT_EQ(onshi_reference_numbers_registered(o, 1), 1)
      << onshi_reference_numbers_error_reason(o, 1);
  EXPECT_EQ(onshi_reference_numbers_registered(o, 2), 0);
  EXPECT_EQ(onshi_reference_numbers_error_code(o, 2), ONSHI_FAILED_PRECONDITION);
  EXPECT_STREQ(onshi_reference_numbers_error_reason(o, 2), "ONSHI_NO_COVERAGE");
  EXPECT_STRNE(onshi_reference_numbers_error_staff_message(o, 2), "");
  EXPECT_EQ(onshi_reference_numbers_registered(o, 3), 0);
  EXPECT_EQ(onshi_reference_numbers_error_code(o, 3), ONSHI_INVALID_ARGUMENT);
  EXPECT_STREQ(onshi_reference_numbers_error_reason(o, 3), "ONSHI_INVALID_ARGUMENT");
  EXPECT_EQ(onshi_reference_numbers_registered(o, 4), 0);
  EXPECT_STREQ(onshi_reference_numbers_error_reason(o, 4), "ONSHI_INVALID_PATIENT_ID");
  // Out of range and NULL.
  EXPECT_STREQ(onshi_reference_numbers_patient_id(o, 5), "");
  EXPECT_EQ(onshi_reference_numbers_registered(o, -1), 0);
  EXPECT_EQ(onshi_reference_numbers_count(nullptr), 0);

  // Two patients to send: the bulk exchange, asked again while the terminal said 処理中.
  const std::vector<std::string> placed = watch.TakeEvents();
  EXPECT_THAT(placed, ::testing::Contains(::testing::StartsWith("OQSmuimm01req_")));
  EXPECT_THAT(placed, ::testing::Contains(::testing::StartsWith("OQSmuimm02req_")));
  EXPECT_THAT(placed, ::testing::Not(::testing::Contains(::testing::StartsWith("OQSsiimm01req_"))));

  ExpectCheckinNamedByReferenceNumber("limit-b08", "it-ref-bulk-2");
  ExpectCheckinNamedByReferenceNumber("limit-b07", "it-ref-bulk-1");
}

TEST_F(ReferenceNumberTest, TerminalRefusalIsThePatientsOutcomeWithItsCode) {
  // The number is registered for one person; then the same patient id is checked as another
  // person, and registering it again for that person is refused by the terminal (SIM-E0007:
  // the number belongs to someone else at this institution).
  CheckAs("limit-a05", "it-ref-moved");
  Registration first = Register(client(), "it-ref-moved-0001", {"it-ref-moved"});
  ASSERT_EQ(first.status, ONSHI_OK) << first.reason;
  ASSERT_EQ(onshi_reference_numbers_registered(first.outcomes.get(), 0), 1);

  CheckAs("limit-a06", "it-ref-moved");
  Registration refused = Register(client(), "it-ref-moved-0002", {"it-ref-moved"});
  ASSERT_EQ(refused.status, ONSHI_OK) << refused.reason;
  const onshi_reference_numbers* o = refused.outcomes.get();
  EXPECT_EQ(onshi_reference_numbers_registered(o, 0), 0);
  EXPECT_EQ(onshi_reference_numbers_error_code(o, 0), ONSHI_FAILED_PRECONDITION);
  EXPECT_STREQ(onshi_reference_numbers_error_reason(o, 0), "ONSHI_REFERENCE_NUMBER_REFUSED");
  EXPECT_STREQ(onshi_reference_numbers_result_code(o, 0), "SIM-E0007");
  EXPECT_STRNE(onshi_reference_numbers_result_message(o, 0), "");
}

TEST_F(ReferenceNumberTest, SameRequestIdReturnsTheOutcomesAndOtherIdsAreRefused) {
  CheckAs("limit-b02", "it-ref-again");
  Registration first = Register(client(), "it-ref-again-0001", {"it-ref-again"});
  ASSERT_EQ(first.status, ONSHI_OK) << first.reason;
  ASSERT_EQ(onshi_reference_numbers_registered(first.outcomes.get(), 0), 1);

  FolderWatch watch(stack().req_dir());
  ASSERT_TRUE(watch.ok());
  Registration again = Register(client(), "it-ref-again-0001", {"it-ref-again"});
  ASSERT_EQ(again.status, ONSHI_OK) << again.reason;
  EXPECT_EQ(onshi_reference_numbers_registered(again.outcomes.get(), 0), 1);
  EXPECT_THAT(watch.TakeEvents(), ::testing::IsEmpty()) << "the retry placed requests";

  Registration other = Register(client(), "it-ref-again-0001", {"it-ref-single"});
  EXPECT_EQ(other.status, ONSHI_ALREADY_EXISTS);
  EXPECT_EQ(other.reason, "ONSHI_REQUEST_ID_CONFLICT");

  const char* ids[] = {"it-ref-again"};
  onshi_reference_numbers* out = nullptr;
  EXPECT_EQ(
      onshi_register_reference_numbers(client(), "it-ref-again-0002", ids, 0, 0, &out, nullptr),
      ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(out, nullptr);
  Registration bad_id = Register(client(), "short", {"it-ref-again"});
  EXPECT_EQ(bad_id.status, ONSHI_INVALID_ARGUMENT);
  EXPECT_EQ(bad_id.reason, "ONSHI_INVALID_REQUEST_ID");
}

}  // namespace
}  // namespace onshi::integration
