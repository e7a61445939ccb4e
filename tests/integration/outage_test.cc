// The outage workflow end to end (reliability.md E1–E3; E4 in outage_core_test, E6 in
// long_outage_test.cc; docs/outage.md): onshi-terminal-sim stopped (a silent terminal), checks
// through libonshi.so, onshid restarted with its queue, the simulator back, the queue drained
// with the original visit date, review items for contradicting answers, and the claims view.

#include <iostream>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "onshi/onshi.h"
#include "onshi/v1/visit_service.pb.h"
#include "tests/integration/expectations.h"
#include "tests/integration/harness.h"

namespace onshi::integration {
namespace {

constexpr int kSilentChecks = 100;   // E1
constexpr int kPendingVisits = 200;  // E3: E1's 100 and 100 more
constexpr char kMonth[] = "202611";  // kConfirmationDate's month

struct VisitsFreer {
  void operator()(onshi_visits* v) const { onshi_visits_free(v); }
};
using VisitsPtr = std::unique_ptr<onshi_visits, VisitsFreer>;
struct ItemsFreer {
  void operator()(onshi_review_items* r) const { onshi_review_items_free(r); }
};
using ItemsPtr = std::unique_ptr<onshi_review_items, ItemsFreer>;

class OutageWorkflowTest : public SharedStackTest<OutageWorkflowTest> {
 public:
  static StackOptions SuiteStackOptions() {
    StackOptions options;
    options.name = "outage";
    options.answer_timeout_ms = 2000;  // E1: T = 2 s
    options.extra_config =
        "outage { recheck_tick_ms: 100 recheck_probe_initial_ms: 200 "
        "recheck_probe_max_ms: 1000 }";
    return options;
  }

 protected:
  // Runs `count` checks at once for a dataset patient's card, each naming its own patient.
  static std::vector<CheckOutcome> CheckMany(const std::string& scenario, const std::string& prefix,
                                             int count) {
    std::vector<RequestPtr> requests;
    for (int i = 0; i < count; ++i) {
      RequestSpec spec;
      spec.patient_id = absl::StrCat(prefix, "-", i);
      spec.request_id = absl::StrCat(prefix, "-req-", i);
      spec.timeout_ms = stack().check_timeout_ms();
      requests.push_back(NewRequestFor(PatientByScenario(scenario), spec));
    }
    return CheckAtOnce(client(), requests);
  }

  static std::set<std::string> QueuedIds() {
    onshi_visits* raw = nullptr;
    onshi_error* err = nullptr;
    EXPECT_EQ(onshi_list_recheck_queue(client(), 0, &raw, &err), ONSHI_OK)
        << onshi_error_reason(err);
    ErrorPtr error(err);
    VisitsPtr visits(raw);
    std::set<std::string> ids;
    for (int32_t i = 0; i < onshi_visits_count(visits.get()); ++i) {
      ids.insert(onshi_visits_visit_id(visits.get(), i));
    }
    return ids;
  }

  // Up to `count` visits still UNCONFIRMED, from the tail of the re-check queue. While the
  // terminal is silent the drain probes only the head of the queue, so a tail visit is not
  // under a re-check (RECHECK_PENDING) when a test declares it; which visit ids those are depends
  // on the order the concurrent checks arrived in.
  static std::vector<std::string> UnconfirmedFromTheTail(int count) {
    onshi_visits* raw = nullptr;
    EXPECT_EQ(onshi_list_recheck_queue(client(), 0, &raw, nullptr), ONSHI_OK);
    VisitsPtr visits(raw);
    std::vector<std::string> ids;
    for (int32_t i = onshi_visits_count(visits.get()) - 1;
         i >= 0 && static_cast<int>(ids.size()) < count; --i) {
      if (onshi_visits_state(visits.get(), i) == ONSHI_VISIT_STATE_UNCONFIRMED) {
        ids.push_back(onshi_visits_visit_id(visits.get(), i));
      }
    }
    return ids;
  }

  // The visit E2 declared with a 申立書; read by the claims test.
  static std::string& ApplicationVisitId() {
    static std::string id;
    return id;
  }

  static VisitsPtr Claims(bool changed) {
    onshi_visits* raw = nullptr;
    onshi_error* err = nullptr;
    const onshi_status status = changed
                                    ? onshi_list_changed_after_billing(client(), kMonth, &raw, &err)
                                    : onshi_list_unconfirmed_visits(client(), kMonth, &raw, &err);
    EXPECT_EQ(status, ONSHI_OK) << onshi_error_reason(err);
    ErrorPtr error(err);
    return VisitsPtr(raw);
  }
};

// E1: a silent terminal; every check is UNCONFIRMED within its deadline, none is confirmed, and
// each visit is on the re-check queue.
TEST_F(OutageWorkflowTest, E1SilentTerminalLeavesEveryCheckUnconfirmedAndQueued) {
  ASSERT_TRUE(ExitedCleanly(stack().StopSim()));
  std::vector<CheckOutcome> outcomes = CheckMany("valid-kyokai-honnin", "e1", kSilentChecks);
  int unconfirmed = 0;
  for (const CheckOutcome& outcome : outcomes) {
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    unconfirmed += outcome.outcome() == ONSHI_OUTCOME_UNCONFIRMED ? 1 : 0;
  }
  EXPECT_EQ(unconfirmed, kSilentChecks);
  for (int i = 0; i < kSilentChecks; ++i) ExpectNothingConfirmed(client(), absl::StrCat("e1-", i));
  const std::set<std::string> queued = QueuedIds();
  for (int i = 0; i < kSilentChecks; ++i) {
    EXPECT_EQ(queued.count(absl::StrCat("e1-req-", i)), 1u) << i;
  }
  VisitsPtr unconfirmed_visits = Claims(false);
  EXPECT_EQ(onshi_visits_count(unconfirmed_visits.get()), kSilentChecks);
  ASSERT_GT(onshi_visits_count(unconfirmed_visits.get()), 0);
  EXPECT_EQ(onshi_visits_claim_unknown(unconfirmed_visits.get(), 0), 1);
  EXPECT_STREQ(onshi_visits_claim_insurer_number(unconfirmed_visits.get(), 0), "77777777");
}

// A self-declaration needs the clerk's user id; without one it is refused and nothing changes.
TEST_F(OutageWorkflowTest, SelfDeclarationWithoutAClerkIsRefused) {
  onshi_self_declaration* raw = nullptr;
  ASSERT_EQ(onshi_self_declaration_new("decl-e1-0", "e1-req-0", ONSHI_SELF_DECLARATION_APPLICATION,
                                       &raw, nullptr),
            ONSHI_OK);
  std::unique_ptr<onshi_self_declaration, void (*)(onshi_self_declaration*)> d(
      raw, onshi_self_declaration_free);
  ASSERT_EQ(onshi_self_declaration_set_contact(d.get(), "東京都千代田区霞が関1-2-2", "03-0000-0000",
                                               nullptr, nullptr),
            ONSHI_OK);
  onshi_error* err = nullptr;
  int32_t state = -1;
  EXPECT_EQ(onshi_record_self_declaration(client(), d.get(), &state, &err), ONSHI_INVALID_ARGUMENT);
  ErrorPtr error(err);
  EXPECT_STREQ(onshi_error_reason(error.get()), "ONSHI_INVALID_USER_ID");
  EXPECT_EQ(state, 0);
}

// E2: each document type, recorded by a clerk through libonshi.so, is stored with its source
// type and card-face fields, names the clerk, and the visit stays queued.
TEST_F(OutageWorkflowTest, E2EachDocumentTypeIsRecordedByTheClerkAndStaysQueued) {
  ASSERT_EQ(onshi_client_set_user_id(client(), "clerk07", nullptr), ONSHI_OK);
  const sim::v1::Patient& patient = PatientByScenario("valid-kyokai-honnin");
  const int32_t documents[] = {
      ONSHI_SELF_DECLARATION_APPLICATION, ONSHI_SELF_DECLARATION_QUALIFICATION_CERTIFICATE,
      ONSHI_SELF_DECLARATION_MYNA_PORTAL_SCREEN, ONSHI_SELF_DECLARATION_QUALIFICATION_NOTICE};
  const std::vector<std::string> visit_ids = UnconfirmedFromTheTail(4);
  ASSERT_EQ(visit_ids.size(), 4u);
  ApplicationVisitId() = visit_ids[0];
  for (int i = 0; i < 4; ++i) {
    const std::string& visit_id = visit_ids[i];
    onshi_self_declaration* raw = nullptr;
    ASSERT_EQ(onshi_self_declaration_new(absl::StrCat("decl-e2-", i).c_str(), visit_id.c_str(),
                                         documents[i], &raw, nullptr),
              ONSHI_OK);
    std::unique_ptr<onshi_self_declaration, void (*)(onshi_self_declaration*)> d(
        raw, onshi_self_declaration_free);
    const v1::InsuranceIdentifiers& card = patient.card();
    ASSERT_EQ(onshi_self_declaration_set_numbers(d.get(), card.insurer_number().c_str(),
                                                 card.insured_card_symbol().c_str(),
                                                 card.insured_identification_number().c_str(),
                                                 card.insured_branch_number().c_str(), nullptr),
              ONSHI_OK);
    ASSERT_EQ(onshi_self_declaration_set_contact(d.get(), "東京都千代田区霞が関1-2-2",
                                                 "03-0000-0000", nullptr, nullptr),
              ONSHI_OK);
    onshi_error* err = nullptr;
    int32_t state = 0;
    ASSERT_EQ(onshi_record_self_declaration(client(), d.get(), &state, &err), ONSHI_OK)
        << onshi_error_reason(err);
    EXPECT_EQ(state, ONSHI_VISIT_STATE_SELF_DECLARED);
    // A retry is the same declaration.
    ASSERT_EQ(onshi_record_self_declaration(client(), d.get(), &state, nullptr), ONSHI_OK);

    onshi_visits* got = nullptr;
    ASSERT_EQ(onshi_get_visit(client(), visit_id.c_str(), &got, nullptr), ONSHI_OK);
    VisitsPtr visit(got);
    EXPECT_EQ(onshi_visits_document(visit.get(), 0), documents[i]);
    EXPECT_STREQ(onshi_visits_declared_by(visit.get(), 0), "clerk07");
    EXPECT_EQ(onshi_visits_queued(visit.get(), 0), 1);
    EXPECT_EQ(onshi_visits_claim_unknown(visit.get(), 0), 1);
    EXPECT_NE(std::string(onshi_visits_claim_summary(visit.get(), 0)).find("連絡先：03-0000-0000"),
              std::string::npos);
  }
  ASSERT_EQ(onshi_client_set_user_id(client(), "", nullptr), ONSHI_OK);
}

// sample_host's `claims` command lists the month's visits without proof, with the 不詳 fields.
TEST_F(OutageWorkflowTest, SampleHostClaimsListsVisitsWithoutProof) {
  const std::string base = stack().root() + "/sample_host.claims";
  SpawnOptions spawn;
  spawn.argv = {
      ONSHI_IT_SAMPLE_HOST_BINARY, "--socket", stack().socket_path(), "claims", "--month", kMonth};
  spawn.stdout_path = base + ".out";
  spawn.stderr_path = base + ".err";
  spawn.wait_for_ready = false;
  std::string error;
  std::unique_ptr<Process> host = Process::Spawn(spawn, &error);
  ASSERT_NE(host, nullptr) << error;
  int status = 0;
  if (!host->WaitForExit(kSettleTimeout, &status)) status = host->Kill();
  ASSERT_TRUE(ExitedCleanly(status)) << ReadFile(spawn.stderr_path);
  const std::string out = ReadFile(spawn.stdout_path);
  EXPECT_NE(out.find(absl::StrCat("資格確認できていない受診 2026年11月: ", kSilentChecks, "件")),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("レセプト: 不詳（保険者番号 77777777"), std::string::npos);
  EXPECT_NE(out.find("摘要欄: 被保険者資格申立書により請求（資格確認不可）"), std::string::npos);
  ASSERT_FALSE(ApplicationVisitId().empty()) << "runs after E2";
  EXPECT_NE(out.find(absl::StrCat("受診ID: ", ApplicationVisitId())), std::string::npos) << out;
}

// E6 (compressed) and E3: 200 visits pending across an onshid restart, then drained once the
// terminal is back: 0 left, each RECHECKED_*, invalid answers as review items, no coverage
// written, and the billed ones listed as changed after billing.
TEST_F(OutageWorkflowTest, E3QueueSurvivesRestartAndDrainsWhenTheTerminalIsBack) {
  std::vector<CheckOutcome> more = CheckMany("invalid-lost", "e3", kPendingVisits - kSilentChecks);
  for (const CheckOutcome& outcome : more) {
    ASSERT_EQ(outcome.status, ONSHI_OK) << outcome.Describe();
    EXPECT_EQ(outcome.outcome(), ONSHI_OUTCOME_UNCONFIRMED);
  }
  int32_t marked = -1;
  onshi_error* err = nullptr;
  ASSERT_EQ(onshi_mark_billed(client(), "bill-202611-1", kMonth, &marked, &err), ONSHI_OK)
      << onshi_error_reason(err);
  EXPECT_EQ(marked, kPendingVisits);

  // E6: the queue is durable.
  EXPECT_TRUE(ExitedCleanly(stack().StopOnshid()));
  std::string error;
  ASSERT_TRUE(stack().StartOnshid(&error)) << error;
  EXPECT_EQ(QueuedIds().size(), static_cast<size_t>(kPendingVisits));

  // E3: the terminal answers again.
  ASSERT_TRUE(stack().StartSim(&error)) << error;
  const bool drained = WaitUntil([] { return QueuedIds().empty(); }, Millis(60000));
  ASSERT_TRUE(drained) << QueuedIds().size() << " visit(s) still queued";

  int confirmed = 0;
  int invalid = 0;
  int late = 0;
  for (const auto& [prefix, count] :
       {std::pair{"e1", kSilentChecks}, std::pair{"e3", kPendingVisits - kSilentChecks}}) {
    for (int i = 0; i < count; ++i) {
      onshi_visits* raw = nullptr;
      ASSERT_EQ(onshi_get_visit(client(), absl::StrCat(prefix, "-req-", i).c_str(), &raw, nullptr),
                ONSHI_OK);
      VisitsPtr visit(raw);
      const int32_t state = onshi_visits_state(visit.get(), 0);
      confirmed += state == ONSHI_VISIT_STATE_RECHECKED_CONFIRMED ? 1 : 0;
      invalid += state == ONSHI_VISIT_STATE_RECHECKED_INVALID ? 1 : 0;
      char* json = nullptr;
      ASSERT_EQ(onshi_visits_to_json(visit.get(), &json, nullptr, nullptr), ONSHI_OK);
      v1::ListClaimsResponse parsed;
      ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &parsed).ok());
      onshi_string_free(json);
      ASSERT_EQ(parsed.visits_size(), 1);
      const v1::Visit& v = parsed.visits(0).visit();
      late += v.recheck().late_answer() ? 1 : 0;
      // Re-checked for the original visit date.
      EXPECT_EQ(v.recheck().response().provenance().confirmation_date(), kConfirmationDate);
      EXPECT_EQ(v.visit_date(), kConfirmationDate);
      // No silent change: the patient's coverage was never written.
      std::optional<v1::PatientRecord> record =
          GetPatientRecord(client(), absl::StrCat(prefix, "-", i));
      ASSERT_TRUE(record.has_value());
      EXPECT_FALSE(record->has_current_coverage()) << prefix << i;
    }
  }
  EXPECT_EQ(confirmed, kSilentChecks);
  EXPECT_EQ(invalid, kPendingVisits - kSilentChecks);
  std::cout << "[ figures  ] drained " << kPendingVisits << " visits; " << late
            << " by a late answer of their own check" << std::endl;

  onshi_review_items* raw_items = nullptr;
  ASSERT_EQ(onshi_list_review_items(client(), kMonth, 0, &raw_items, nullptr), ONSHI_OK);
  ItemsPtr items(raw_items);
  int recheck_invalid = 0;
  for (int32_t i = 0; i < onshi_review_items_count(items.get()); ++i) {
    recheck_invalid +=
        std::string(onshi_review_items_reason_code(items.get(), i)) == "RECHECK_INVALID" ? 1 : 0;
  }
  EXPECT_EQ(recheck_invalid, kPendingVisits - kSilentChecks);
  ASSERT_GT(onshi_review_items_count(items.get()), 0);
  EXPECT_EQ(onshi_resolve_review_item(client(), onshi_review_items_item_id(items.get(), 0),
                                      "確認済", nullptr),
            ONSHI_INVALID_ARGUMENT)
      << "resolving needs the user id too";

  // Claims view: nothing left without proof; every billed visit changed after billing.
  EXPECT_EQ(onshi_visits_count(Claims(false).get()), 0);
  VisitsPtr changed = Claims(true);
  EXPECT_EQ(onshi_visits_count(changed.get()), kPendingVisits);
  EXPECT_EQ(onshi_visits_changed_after_billing(changed.get(), 0), 1);
}

}  // namespace
}  // namespace onshi::integration
