// SqliteVisitStore (migration 9): visits materialised from the ledger, the queue index,
// self-declarations kept with their idempotency keys, billing-review items.

#include <memory>
#include <string>

#include "adapters/store_sqlite/sqlite_visit_store.h"
#include "adapters/store_sqlite/store_internal.h"
#include "gtest/gtest.h"
#include "plugin/core/errors.h"
#include "tests/unit/store_sqlite/test_support.h"

namespace onshi {
namespace {

using testing_support::FakeClock;
using testing_support::MakeEntry;
using testing_support::Reason;
using testing_support::ScopedTempDir;

class SqliteVisitStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<SqliteStore>> store =
        SqliteStore::Open(dir_.File("onshi.db"), &clock_);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    visits_ = std::make_unique<SqliteVisitStore>(store_.get());
  }

  // A check naming `patient` (or none) left in `state`.
  void AddCheck(const std::string& id, const std::string& patient, LedgerState state) {
    bool created = false;
    ASSERT_TRUE(store_->CreateRequest(MakeEntry(id, patient), &created).ok());
    if (state == LedgerState::kPending) return;
    LedgerTransition t;
    t.request_id = id;
    t.to = state;
    if (state == LedgerState::kFailed) {
      t.error_code = absl::StatusCode::kUnavailable;
    } else {
      t.response.set_outcome(state == LedgerState::kAnswered ? v1::CHECK_OUTCOME_ANSWERED
                                                             : v1::CHECK_OUTCOME_UNCONFIRMED);
    }
    ASSERT_TRUE(store_->ApplyTransition(t).ok());
  }

  v1::Visit Visit(const std::string& id, const std::string& date, bool queued = true) {
    v1::Visit visit;
    visit.set_visit_id(id);
    visit.set_patient_id("pat-1");
    visit.set_visit_date(date);
    visit.set_state(v1::VISIT_STATE_UNCONFIRMED);
    visit.set_queued(queued);
    *visit.mutable_created_time() = store_sqlite::ToTimestamp(store_sqlite::ToMicros(clock_.Now()));
    return visit;
  }

  ScopedTempDir dir_;
  FakeClock clock_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<SqliteVisitStore> visits_;
};

TEST_F(SqliteVisitStoreTest, OnlyUnansweredChecksNamingAPatientNeedAVisit) {
  AddCheck("check-unconfirmed", "pat-1", LedgerState::kUnconfirmed);
  AddCheck("check-failed", "pat-1", LedgerState::kFailed);
  AddCheck("check-answered", "pat-1", LedgerState::kAnswered);
  AddCheck("check-pending", "pat-1", LedgerState::kPending);
  AddCheck("check-anonymous", "", LedgerState::kUnconfirmed);
  absl::StatusOr<std::vector<std::string>> ids = visits_->ListChecksWithoutVisit(10);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"check-unconfirmed", "check-failed"}));
  absl::StatusOr<bool> created = visits_->CreateVisit(Visit("check-unconfirmed", "20260401"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(*created);
  created = visits_->CreateVisit(Visit("check-unconfirmed", "20260401"));
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(*created) << "a visit is created once";
  ids = visits_->ListChecksWithoutVisit(10);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"check-failed"}));
}

TEST_F(SqliteVisitStoreTest, QueueAndDateRangeFollowTheVisitRows) {
  AddCheck("check-0001", "pat-1", LedgerState::kUnconfirmed);
  AddCheck("check-0002", "pat-1", LedgerState::kUnconfirmed);
  ASSERT_TRUE(visits_->CreateVisit(Visit("check-0001", "20260331")).ok());
  ASSERT_TRUE(visits_->CreateVisit(Visit("check-0002", "20260401")).ok());
  VisitUpdate update;
  update.visit = Visit("check-0001", "20260331", /*queued=*/false);
  ASSERT_TRUE(visits_->UpdateVisit(update).ok());
  absl::StatusOr<std::vector<v1::Visit>> queued = visits_->ListQueuedVisits(0);
  ASSERT_TRUE(queued.ok());
  ASSERT_EQ(queued->size(), 1u);
  EXPECT_EQ((*queued)[0].visit_id(), "check-0002");
  absl::StatusOr<std::vector<v1::Visit>> april =
      visits_->ListVisitsByDate(Date{2026, 4, 1}, Date{2026, 4, 30});
  ASSERT_TRUE(april.ok());
  ASSERT_EQ(april->size(), 1u);
  EXPECT_EQ((*april)[0].visit_id(), "check-0002");
  update.visit = Visit("check-none", "20260401");
  EXPECT_EQ(Reason(visits_->UpdateVisit(update)), errors::kVisitNotFound.reason);
}

TEST_F(SqliteVisitStoreTest, ADeclarationIdIsUsedOnceAndAFailedUpdateWritesNothing) {
  AddCheck("check-0001", "pat-1", LedgerState::kUnconfirmed);
  ASSERT_TRUE(visits_->CreateVisit(Visit("check-0001", "20260401")).ok());
  VisitUpdate update;
  update.visit = Visit("check-0001", "20260401");
  update.visit.set_state(v1::VISIT_STATE_SELF_DECLARED);
  v1::SelfDeclaration declaration;
  declaration.set_request_id("decl-0001");
  declaration.set_document(v1::SELF_DECLARATION_DOCUMENT_APPLICATION);
  declaration.set_recorded_by("clerk07");
  update.declaration = declaration;
  ASSERT_TRUE(visits_->UpdateVisit(update).ok());
  absl::StatusOr<std::optional<std::pair<std::string, v1::SelfDeclaration>>> found =
      visits_->FindSelfDeclaration("decl-0001");
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->first, "check-0001");
  EXPECT_EQ((*found)->second.recorded_by(), "clerk07");

  // The same id again: refused, and the visit's change is rolled back with it.
  update.visit.set_state(v1::VISIT_STATE_RECHECK_PENDING);
  EXPECT_EQ(Reason(visits_->UpdateVisit(update)), errors::kInvalidArgument.reason);
  absl::StatusOr<std::optional<v1::Visit>> visit = visits_->FindVisit("check-0001");
  ASSERT_TRUE(visit.ok());
  EXPECT_EQ((*visit)->state(), v1::VISIT_STATE_SELF_DECLARED);
}

TEST_F(SqliteVisitStoreTest, ReviewItemsAreListedByMonthAndResolution) {
  AddCheck("check-0001", "pat-1", LedgerState::kUnconfirmed);
  ASSERT_TRUE(visits_->CreateVisit(Visit("check-0001", "20260401")).ok());
  VisitUpdate update;
  update.visit = Visit("check-0001", "20260401", false);
  for (const char* id : {"item-0001", "item-0002"}) {
    v1::BillingReviewItem& item = update.new_items.emplace_back();
    item.set_item_id(id);
    item.set_visit_id("check-0001");
    item.set_visit_date("20260401");
    item.set_reason_code("RECHECK_INVALID");
  }
  ASSERT_TRUE(visits_->UpdateVisit(update).ok());
  absl::StatusOr<std::optional<v1::BillingReviewItem>> item = visits_->FindReviewItem("item-0001");
  ASSERT_TRUE(item.ok());
  ASSERT_TRUE(item->has_value());
  v1::BillingReviewItem resolved = **item;
  resolved.set_resolved(true);
  ASSERT_TRUE(visits_->UpdateReviewItem(resolved).ok());
  absl::StatusOr<std::vector<v1::BillingReviewItem>> open =
      visits_->ListReviewItems(false, std::make_pair(Date{2026, 4, 1}, Date{2026, 4, 30}));
  ASSERT_TRUE(open.ok());
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].item_id(), "item-0002");
  absl::StatusOr<std::vector<v1::BillingReviewItem>> march =
      visits_->ListReviewItems(true, std::make_pair(Date{2026, 3, 1}, Date{2026, 3, 31}));
  ASSERT_TRUE(march.ok());
  EXPECT_TRUE(march->empty());
  absl::StatusOr<std::vector<v1::BillingReviewItem>> all = visits_->ListReviewItems(true, {});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);
  resolved.set_item_id("item-none");
  EXPECT_EQ(Reason(visits_->UpdateReviewItem(resolved)), errors::kVisitNotFound.reason);
}

}  // namespace
}  // namespace onshi
