// The store port of the outage workflow (plugin/core/visits.h, docs/outage.md): visits that
// need one (every check naming a patient that the terminal did not answer in time), their
// self-declarations (every one kept) and billing-review items. Answered checks need no row:
// their visit is derived from the ledger.

#ifndef ONSHI_PLUGIN_CORE_VISIT_STORE_H_
#define ONSHI_PLUGIN_CORE_VISIT_STORE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "onshi/v1/visit_service.pb.h"
#include "plugin/core/dates.h"

namespace onshi {

// A change of one visit, written in one transaction.
struct VisitUpdate {
  // The visit as it is to be stored (its visit_id names an existing visit).
  v1::Visit visit;
  // A self-declaration to keep in the history (request_id unique), if any.
  std::optional<v1::SelfDeclaration> declaration;
  // Billing-review items to add (item_id unique).
  std::vector<v1::BillingReviewItem> new_items;
};

// Implementations must be thread-safe; every method is one transaction. Errors:
// ONSHI_STORE_UNAVAILABLE (retryable) for store failures; ONSHI_INTERNAL for damaged rows.
class VisitStore {
 public:
  virtual ~VisitStore() = default;

  // The request_ids of checks naming a patient whose ledger state is unconfirmed, failed or late
  // and that have no visit yet, oldest first, at most `limit`.
  virtual absl::StatusOr<std::vector<std::string>> ListChecksWithoutVisit(int limit) = 0;

  // Inserts `visit` unless a visit with its id exists; returns whether it was inserted. Its
  // visit_id must be the request_id of a check naming visit.patient_id.
  virtual absl::StatusOr<bool> CreateVisit(const v1::Visit& visit) = 0;

  virtual absl::StatusOr<std::optional<v1::Visit>> FindVisit(const std::string& visit_id) = 0;

  // Replaces the visit and adds what `update` carries. NOT_FOUND (ONSHI_VISIT_NOT_FOUND) for an
  // unknown visit; INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT) for a declaration or item id
  // already used.
  virtual absl::Status UpdateVisit(const VisitUpdate& update) = 0;

  // Visits with queued = true, oldest first (created_time), at most `limit` (0 = all).
  virtual absl::StatusOr<std::vector<v1::Visit>> ListQueuedVisits(int limit) = 0;

  // Visits whose visit_date is within [first, last], by date then creation.
  virtual absl::StatusOr<std::vector<v1::Visit>> ListVisitsByDate(const Date& first,
                                                                  const Date& last) = 0;

  // The self-declaration recorded with `request_id`, and its visit id.
  virtual absl::StatusOr<std::optional<std::pair<std::string, v1::SelfDeclaration>>>
  FindSelfDeclaration(const std::string& request_id) = 0;

  // Review items in creation order; open ones only unless `include_resolved`; only visits in
  // [first, last] when given.
  virtual absl::StatusOr<std::vector<v1::BillingReviewItem>> ListReviewItems(
      bool include_resolved, const std::optional<std::pair<Date, Date>>& range) = 0;

  virtual absl::StatusOr<std::optional<v1::BillingReviewItem>> FindReviewItem(
      const std::string& item_id) = 0;

  // Replaces an item. NOT_FOUND (ONSHI_VISIT_NOT_FOUND) for an unknown item.
  virtual absl::Status UpdateReviewItem(const v1::BillingReviewItem& item) = 0;
};

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_VISIT_STORE_H_
