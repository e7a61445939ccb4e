#include "adapters/store_sqlite/sqlite_visit_store.h"

#include <utility>

#include "adapters/store_sqlite/connection.h"
#include "adapters/store_sqlite/store_internal.h"
#include "plugin/core/errors.h"
#include "plugin/core/visits.h"

namespace onshi {
namespace {

using store_sqlite::Connection;
using store_sqlite::Sql;
using store_sqlite::Statement;
using store_sqlite::StoreAccess;

// Ledger states (adapters/store_sqlite/sqlite_store.cc, LedgerState): 3 failed, 4 unconfirmed,
// 5 late.
constexpr Sql kChecksWithoutVisit{
    "list checks without a visit",
    "SELECT r.request_id FROM requests AS r WHERE r.state IN (3, 4, 5) "
    "AND r.patient_id IS NOT NULL "
    "AND NOT EXISTS (SELECT 1 FROM visits AS v WHERE v.visit_id = r.request_id) "
    "ORDER BY r.created_time, r.seq LIMIT ?1"};
constexpr Sql kInsertVisit{
    "insert visit",
    "INSERT INTO visits (visit_id, patient_id, visit_date, queued, created_time, updated_time, "
    "content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (visit_id) DO NOTHING "
    "RETURNING visit_id"};
constexpr Sql kFindVisit{"find visit", "SELECT content FROM visits WHERE visit_id = ?1"};
constexpr Sql kUpdateVisit{"update visit",
                           "UPDATE visits SET queued = ?2, updated_time = ?3, content = ?4 "
                           "WHERE visit_id = ?1 RETURNING visit_id"};
constexpr Sql kListQueued{"list queued visits",
                          "SELECT content FROM visits WHERE queued = 1 "
                          "ORDER BY created_time, visit_id LIMIT ?1"};
constexpr Sql kListByDate{"list visits by date",
                          "SELECT content FROM visits WHERE visit_date BETWEEN ?1 AND ?2 "
                          "ORDER BY visit_date, created_time, visit_id"};
constexpr Sql kInsertDeclaration{
    "insert self-declaration",
    "INSERT INTO self_declarations (request_id, visit_id, recorded_time, content) "
    "VALUES (?1, ?2, ?3, ?4)"};
constexpr Sql kFindDeclaration{"find self-declaration",
                               "SELECT visit_id, content FROM self_declarations "
                               "WHERE request_id = ?1"};
constexpr Sql kInsertItem{
    "insert billing-review item",
    "INSERT INTO billing_review_items (item_id, visit_id, visit_date, resolved, content) "
    "VALUES (?1, ?2, ?3, ?4, ?5)"};
constexpr Sql kFindItem{"find billing-review item",
                        "SELECT content FROM billing_review_items WHERE item_id = ?1"};
constexpr Sql kUpdateItem{"update billing-review item",
                          "UPDATE billing_review_items SET resolved = ?2, content = ?3 "
                          "WHERE item_id = ?1 RETURNING item_id"};
constexpr Sql kListItems{"list billing-review items",
                         "SELECT content FROM billing_review_items "
                         "WHERE (?1 = 1 OR resolved = 0) AND visit_date BETWEEN ?2 AND ?3 "
                         "ORDER BY seq"};

int64_t DateKey(const Date& date) {
  return static_cast<int64_t>(date.year) * 10000 + date.month * 100 + date.day;
}

absl::StatusOr<int64_t> VisitDateKey(const v1::Visit& visit) {
  std::optional<Date> date = ParseDate(visit.visit_date());
  if (!date.has_value()) return store_sqlite::InvalidArgument("visit.visit_date");
  return DateKey(*date);
}

bool IsQueued(const v1::Visit& visit) { return visit.queued(); }

// Runs a statement ending in RETURNING; true when it changed a row.
absl::StatusOr<bool> RunReturning(Statement& statement) {
  absl::StatusOr<bool> row = statement.Step();
  if (!row.ok()) return row.status();
  if (!*row) return false;
  if (absl::Status s = statement.Run(); !s.ok()) return s;
  return true;
}

template <typename T>
absl::StatusOr<std::vector<T>> ReadAll(Statement& query, absl::string_view what) {
  std::vector<T> out;
  while (true) {
    absl::StatusOr<bool> row = query.Step();
    if (!row.ok()) return row.status();
    if (!*row) return out;
    T message;
    if (absl::Status s = store_sqlite::Decode(query.ColumnBlob(0), what, &message); !s.ok()) {
      return s;
    }
    out.push_back(std::move(message));
  }
}

absl::StatusOr<std::optional<v1::Visit>> FindVisitIn(Connection& connection,
                                                     const std::string& visit_id) {
  Statement query = connection.Prepare(kFindVisit);
  query.BindBlob(1, visit_id);
  absl::StatusOr<std::vector<v1::Visit>> found = ReadAll<v1::Visit>(query, "visits.content");
  if (!found.ok()) return found.status();
  if (found->empty()) return std::nullopt;
  return std::move(found->front());
}

absl::Status InsertItem(Connection& connection, const v1::BillingReviewItem& item) {
  if (item.item_id().empty()) return store_sqlite::InvalidArgument("item.item_id is empty");
  std::optional<Date> date = ParseDate(item.visit_date());
  if (!date.has_value()) return store_sqlite::InvalidArgument("item.visit_date");
  std::string bytes;
  if (absl::Status s = store_sqlite::Encode(item, "billing-review item", &bytes); !s.ok()) {
    return s;
  }
  Statement exists = connection.Prepare(kFindItem);
  exists.BindBlob(1, item.item_id());
  absl::StatusOr<bool> row = exists.Step();
  if (!row.ok()) return row.status();
  if (*row) return store_sqlite::InvalidArgument("item.item_id is already used");
  Statement insert = connection.Prepare(kInsertItem);
  insert.BindBlob(1, item.item_id());
  insert.BindBlob(2, item.visit_id());
  insert.BindInt64(3, DateKey(*date));
  insert.BindInt64(4, item.resolved() ? 1 : 0);
  insert.BindBlob(5, bytes);
  return insert.Run();
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SqliteVisitStore::ListChecksWithoutVisit(int limit) {
  if (limit <= 0) return store_sqlite::InvalidArgument("limit must be positive");
  std::vector<std::string> ids;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        ids.clear();
        Statement query = connection.Prepare(kChecksWithoutVisit);
        query.BindInt64(1, limit);
        while (true) {
          absl::StatusOr<bool> row = query.Step();
          if (!row.ok()) return row.status();
          if (!*row) return absl::OkStatus();
          ids.push_back(query.ColumnBlob(0));
        }
      });
  if (!status.ok()) return status;
  return ids;
}

absl::StatusOr<bool> SqliteVisitStore::CreateVisit(const v1::Visit& visit) {
  if (visit.visit_id().empty()) return store_sqlite::InvalidArgument("visit.visit_id is empty");
  if (visit.patient_id().empty()) {
    return store_sqlite::InvalidArgument("visit.patient_id is empty");
  }
  absl::StatusOr<int64_t> date = VisitDateKey(visit);
  if (!date.ok()) return date.status();
  std::string bytes;
  if (absl::Status s = store_sqlite::Encode(visit, "visit", &bytes); !s.ok()) return s;
  const int64_t created = store_sqlite::TimestampMicros(visit.created_time());
  const int64_t updated = store_sqlite::TimestampMicros(visit.updated_time());
  bool inserted = false;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
        Statement insert = connection.Prepare(kInsertVisit);
        insert.BindBlob(1, visit.visit_id());
        insert.BindBlob(2, visit.patient_id());
        insert.BindInt64(3, *date);
        insert.BindInt64(4, IsQueued(visit) ? 1 : 0);
        insert.BindInt64(5, created);
        insert.BindInt64(6, updated);
        insert.BindBlob(7, bytes);
        absl::StatusOr<bool> changed = RunReturning(insert);
        if (!changed.ok()) return changed.status();
        inserted = *changed;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return inserted;
}

absl::StatusOr<std::optional<v1::Visit>> SqliteVisitStore::FindVisit(const std::string& visit_id) {
  std::optional<v1::Visit> found;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        absl::StatusOr<std::optional<v1::Visit>> visit = FindVisitIn(connection, visit_id);
        if (!visit.ok()) return visit.status();
        found = *std::move(visit);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return found;
}

absl::Status SqliteVisitStore::UpdateVisit(const VisitUpdate& update) {
  const v1::Visit& visit = update.visit;
  std::string bytes;
  if (absl::Status s = store_sqlite::Encode(visit, "visit", &bytes); !s.ok()) return s;
  std::string declaration_bytes;
  if (update.declaration.has_value()) {
    if (update.declaration->request_id().empty()) {
      return store_sqlite::InvalidArgument("declaration.request_id is empty");
    }
    if (absl::Status s =
            store_sqlite::Encode(*update.declaration, "self-declaration", &declaration_bytes);
        !s.ok()) {
      return s;
    }
  }
  const int64_t updated = store_sqlite::TimestampMicros(visit.updated_time());
  return StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
    Statement write = connection.Prepare(kUpdateVisit);
    write.BindBlob(1, visit.visit_id());
    write.BindInt64(2, IsQueued(visit) ? 1 : 0);
    write.BindInt64(3, updated);
    write.BindBlob(4, bytes);
    absl::StatusOr<bool> changed = RunReturning(write);
    if (!changed.ok()) return changed.status();
    if (!*changed) return MakeError(errors::kVisitNotFound);
    if (update.declaration.has_value()) {
      Statement exists = connection.Prepare(kFindDeclaration);
      exists.BindBlob(1, update.declaration->request_id());
      absl::StatusOr<bool> row = exists.Step();
      if (!row.ok()) return row.status();
      if (*row) return store_sqlite::InvalidArgument("declaration.request_id is already used");
      Statement insert = connection.Prepare(kInsertDeclaration);
      insert.BindBlob(1, update.declaration->request_id());
      insert.BindBlob(2, visit.visit_id());
      insert.BindInt64(3, store_sqlite::TimestampMicros(update.declaration->recorded_time()));
      insert.BindBlob(4, declaration_bytes);
      if (absl::Status s = insert.Run(); !s.ok()) return s;
    }
    for (const v1::BillingReviewItem& item : update.new_items) {
      if (absl::Status s = InsertItem(connection, item); !s.ok()) return s;
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<v1::Visit>> SqliteVisitStore::ListQueuedVisits(int limit) {
  std::vector<v1::Visit> visits;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        Statement query = connection.Prepare(kListQueued);
        query.BindInt64(1, limit > 0 ? limit : -1);
        absl::StatusOr<std::vector<v1::Visit>> read = ReadAll<v1::Visit>(query, "visits.content");
        if (!read.ok()) return read.status();
        visits = *std::move(read);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return visits;
}

absl::StatusOr<std::vector<v1::Visit>> SqliteVisitStore::ListVisitsByDate(const Date& first,
                                                                          const Date& last) {
  std::vector<v1::Visit> visits;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        Statement query = connection.Prepare(kListByDate);
        query.BindInt64(1, DateKey(first));
        query.BindInt64(2, DateKey(last));
        absl::StatusOr<std::vector<v1::Visit>> read = ReadAll<v1::Visit>(query, "visits.content");
        if (!read.ok()) return read.status();
        visits = *std::move(read);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return visits;
}

absl::StatusOr<std::optional<std::pair<std::string, v1::SelfDeclaration>>>
SqliteVisitStore::FindSelfDeclaration(const std::string& request_id) {
  std::optional<std::pair<std::string, v1::SelfDeclaration>> found;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        Statement query = connection.Prepare(kFindDeclaration);
        query.BindBlob(1, request_id);
        absl::StatusOr<bool> row = query.Step();
        if (!row.ok()) return row.status();
        if (!*row) return absl::OkStatus();
        v1::SelfDeclaration declaration;
        if (absl::Status s = store_sqlite::Decode(query.ColumnBlob(1), "self_declarations.content",
                                                  &declaration);
            !s.ok()) {
          return s;
        }
        found.emplace(query.ColumnBlob(0), std::move(declaration));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<std::vector<v1::BillingReviewItem>> SqliteVisitStore::ListReviewItems(
    bool include_resolved, const std::optional<std::pair<Date, Date>>& range) {
  std::vector<v1::BillingReviewItem> items;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        Statement query = connection.Prepare(kListItems);
        query.BindInt64(1, include_resolved ? 1 : 0);
        query.BindInt64(2, range.has_value() ? DateKey(range->first) : 0);
        query.BindInt64(3, range.has_value() ? DateKey(range->second) : 99999999);
        absl::StatusOr<std::vector<v1::BillingReviewItem>> read =
            ReadAll<v1::BillingReviewItem>(query, "billing_review_items.content");
        if (!read.ok()) return read.status();
        items = *std::move(read);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return items;
}

absl::StatusOr<std::optional<v1::BillingReviewItem>> SqliteVisitStore::FindReviewItem(
    const std::string& item_id) {
  std::optional<v1::BillingReviewItem> found;
  absl::Status status =
      StoreAccess::RunInTransaction(*store_, /*write=*/false, [&](Connection& connection) {
        Statement query = connection.Prepare(kFindItem);
        query.BindBlob(1, item_id);
        absl::StatusOr<std::vector<v1::BillingReviewItem>> read =
            ReadAll<v1::BillingReviewItem>(query, "billing_review_items.content");
        if (!read.ok()) return read.status();
        if (!read->empty()) found = std::move(read->front());
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return found;
}

absl::Status SqliteVisitStore::UpdateReviewItem(const v1::BillingReviewItem& item) {
  std::string bytes;
  if (absl::Status s = store_sqlite::Encode(item, "billing-review item", &bytes); !s.ok()) {
    return s;
  }
  return StoreAccess::RunInTransaction(*store_, /*write=*/true, [&](Connection& connection) {
    Statement write = connection.Prepare(kUpdateItem);
    write.BindBlob(1, item.item_id());
    write.BindInt64(2, item.resolved() ? 1 : 0);
    write.BindBlob(3, bytes);
    absl::StatusOr<bool> changed = RunReturning(write);
    if (!changed.ok()) return changed.status();
    if (!*changed) return MakeError(errors::kVisitNotFound, "billing-review item");
    return absl::OkStatus();
  });
}

}  // namespace onshi
