// Visits, self-declarations and billing-review items on the SQLite store (docs/store.md, tables
// visits, self_declarations, billing_review_items): the VisitStore port of
// plugin/core/visit_store.h on the store's own connection and transactions (store_internal.h).

#ifndef ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_VISIT_STORE_H_
#define ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_VISIT_STORE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "adapters/store_sqlite/sqlite_store.h"
#include "plugin/core/visit_store.h"

namespace onshi {

// Thread-safe (every method is one transaction of `store`). Errors beyond the port's: those of
// SqliteStore (ONSHI_STORE_UNAVAILABLE; writes refused after a failed write or fsync).
class SqliteVisitStore final : public VisitStore {
 public:
  // `store` is not owned and must outlive this object. Its schema holds the tables (the outage
  // workflow's migration).
  explicit SqliteVisitStore(SqliteStore* store) : store_(store) {}

  absl::StatusOr<std::vector<std::string>> ListChecksWithoutVisit(int limit) override;
  absl::StatusOr<bool> CreateVisit(const v1::Visit& visit) override;
  absl::StatusOr<std::optional<v1::Visit>> FindVisit(const std::string& visit_id) override;
  absl::Status UpdateVisit(const VisitUpdate& update) override;
  absl::StatusOr<std::vector<v1::Visit>> ListQueuedVisits(int limit) override;
  absl::StatusOr<std::vector<v1::Visit>> ListVisitsByDate(const Date& first,
                                                          const Date& last) override;
  absl::StatusOr<std::optional<std::pair<std::string, v1::SelfDeclaration>>> FindSelfDeclaration(
      const std::string& request_id) override;
  absl::StatusOr<std::vector<v1::BillingReviewItem>> ListReviewItems(
      bool include_resolved, const std::optional<std::pair<Date, Date>>& range) override;
  absl::StatusOr<std::optional<v1::BillingReviewItem>> FindReviewItem(
      const std::string& item_id) override;
  absl::Status UpdateReviewItem(const v1::BillingReviewItem& item) override;

 private:
  SqliteStore* const store_;
};

}  // namespace onshi

#endif  // ONSHI_ADAPTERS_STORE_SQLITE_SQLITE_VISIT_STORE_H_
