// Dates and times as OQS writes them: dates YYYYMMDD and timestamps YYYYMMDDhhmmss, Western
// calendar, Japan time (oqs-interface.md §2.4). Japan has one time zone and no daylight saving
// time, so Japan time is UTC+9 at every instant; onshi uses that fixed offset rather than the
// system's zone database, so a misconfigured host zone cannot shift a confirmation date.
//
// No clocks here: callers pass the instant or the date. All functions are pure and
// thread-safe.

#ifndef ONSHI_PLUGIN_CORE_DATES_H_
#define ONSHI_PLUGIN_CORE_DATES_H_

#include <optional>
#include <string>
#include <tuple>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace onshi {

// A calendar date (proleptic Gregorian). Values from ParseDate, JapanDate and AddDays are
// always real dates; a hand-built Date may not be (see IsValidDate).
struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
};

inline bool operator==(const Date& a, const Date& b) {
  return a.year == b.year && a.month == b.month && a.day == b.day;
}
inline bool operator!=(const Date& a, const Date& b) { return !(a == b); }
inline bool operator<(const Date& a, const Date& b) {
  return std::tie(a.year, a.month, a.day) < std::tie(b.year, b.month, b.day);
}
inline bool operator>(const Date& a, const Date& b) { return b < a; }
inline bool operator<=(const Date& a, const Date& b) { return !(b < a); }
inline bool operator>=(const Date& a, const Date& b) { return !(a < b); }

// The range of years onshi accepts in any OQS date or timestamp.
inline constexpr int kMinYear = 1900;
inline constexpr int kMaxYear = 2199;

// True for a real calendar date with kMinYear <= year <= kMaxYear (leap years per the
// Gregorian rule: 2000 and 2024 have 29 February, 1900 and 2100 do not).
bool IsValidDate(const Date& date);

// Parses exactly eight ASCII digits YYYYMMDD naming a valid date (IsValidDate). Anything else
// (separators, full-width digits, 20250230, 18991231) gives nullopt.
std::optional<Date> ParseDate(absl::string_view yyyymmdd);

// "YYYYMMDD". `date` must satisfy IsValidDate.
std::string FormatDate(const Date& date);

// True for exactly fourteen ASCII digits YYYYMMDDhhmmss: a valid date, hh 00–23, mm 00–59,
// ss 00–59 (OQS writes no leap seconds).
bool IsValidTimestamp(absl::string_view yyyymmddhhmmss);

// The instant that a Japan-time timestamp YYYYMMDDhhmmss (as in ProcessExecutionTime, ConsTime)
// names. Errors: INVALID_ARGUMENT (ONSHI_INVALID_ARGUMENT, naming no value) when
// !IsValidTimestamp.
absl::StatusOr<absl::Time> ParseJstTimestamp(absl::string_view yyyymmddhhmmss);

// The date in Japan at instant `t` (UTC+9). `t` must be finite. E.g. 2026-11-22T15:00:00Z is
// 2026-11-23 in Japan.
Date JapanDate(absl::Time t);

// `date` moved by `days` (negative goes back). `date` must satisfy IsValidDate; the result is a
// real date (it may leave the kMinYear–kMaxYear range for extreme `days`).
Date AddDays(const Date& date, int days);

// The legal age (満年齢) on date `on` of a person born on `birth`.
//
// Japanese law (年齢計算ニ関スル法律 with 民法 143条) counts age from the day of birth and
// completes each year at the end of the day before the birthday: a person reaches age N on the
// day before their N-th birthday. So AgeOn(1956-05-01, 2026-04-30) is already 70. For a birth on
// 29 February the year is completed at the end of 28 February in every year.
//
// Consequence for month-based rules such as the 70–74 負担割合 (applies "from the month after the
// month one reaches 70", oqs-interface.md §8.4): a person born on the 1st reaches the age on
// the last day of the previous month, so the rule applies from the month of the birthday
// itself. AgeOn stays the plain legal age; such rules use DateOfReachingAge.
//
// `birth` and `on` must satisfy IsValidDate. Returns 0 for `on` before the birth.
int AgeOn(const Date& birth, const Date& on);

// The day on which a person born on `birth` reaches age `years` (the day before the `years`-th
// birthday, 28 February for a 29 February birth in any year). `birth` must satisfy
// IsValidDate and `years` >= 1.
Date DateOfReachingAge(const Date& birth, int years);

}  // namespace onshi

#endif  // ONSHI_PLUGIN_CORE_DATES_H_
