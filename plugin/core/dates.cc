#include "plugin/core/dates.h"

#include <cstdio>

#include "absl/time/civil_time.h"
#include "plugin/core/errors.h"

namespace onshi {
namespace {

constexpr int kJapanOffsetSeconds = 9 * 60 * 60;

absl::TimeZone JapanTimeZone() { return absl::FixedTimeZone(kJapanOffsetSeconds); }

// Parses `text` (ASCII digits only, checked by the caller) as a number.
int Digits(absl::string_view text) {
  int value = 0;
  for (char c : text) value = value * 10 + (c - '0');
  return value;
}

bool AllDigits(absl::string_view text) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

absl::CivilDay ToCivil(const Date& date) { return absl::CivilDay(date.year, date.month, date.day); }

Date FromCivil(const absl::CivilDay& day) {
  return Date{static_cast<int>(day.year()), day.month(), day.day()};
}

// The plain (birthday-completes-the-year) age on `on`.
int PlainAge(const Date& birth, const Date& on) {
  int age = on.year - birth.year;
  if (std::tie(on.month, on.day) < std::tie(birth.month, birth.day)) --age;
  return age < 0 ? 0 : age;
}

}  // namespace

bool IsValidDate(const Date& date) {
  if (date.year < kMinYear || date.year > kMaxYear) return false;
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) return false;
  // CivilDay normalises out-of-range fields (2025-02-30 → 2025-03-02); a real date survives.
  const absl::CivilDay day = ToCivil(date);
  return day.year() == date.year && day.month() == date.month && day.day() == date.day;
}

std::optional<Date> ParseDate(absl::string_view yyyymmdd) {
  if (yyyymmdd.size() != 8 || !AllDigits(yyyymmdd)) return std::nullopt;
  Date date{Digits(yyyymmdd.substr(0, 4)), Digits(yyyymmdd.substr(4, 2)),
            Digits(yyyymmdd.substr(6, 2))};
  if (!IsValidDate(date)) return std::nullopt;
  return date;
}

std::string FormatDate(const Date& date) {
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%04d%02d%02d", date.year, date.month, date.day);
  return buffer;
}

bool IsValidTimestamp(absl::string_view yyyymmddhhmmss) {
  if (yyyymmddhhmmss.size() != 14 || !AllDigits(yyyymmddhhmmss)) return false;
  if (!ParseDate(yyyymmddhhmmss.substr(0, 8)).has_value()) return false;
  return Digits(yyyymmddhhmmss.substr(8, 2)) <= 23 && Digits(yyyymmddhhmmss.substr(10, 2)) <= 59 &&
         Digits(yyyymmddhhmmss.substr(12, 2)) <= 59;
}

absl::StatusOr<absl::Time> ParseJstTimestamp(absl::string_view yyyymmddhhmmss) {
  if (!IsValidTimestamp(yyyymmddhhmmss)) {
    return MakeError(errors::kInvalidArgument, "timestamp must be YYYYMMDDhhmmss (Japan time)");
  }
  const Date date = *ParseDate(yyyymmddhhmmss.substr(0, 8));
  const absl::CivilSecond second(
      date.year, date.month, date.day, Digits(yyyymmddhhmmss.substr(8, 2)),
      Digits(yyyymmddhhmmss.substr(10, 2)), Digits(yyyymmddhhmmss.substr(12, 2)));
  return absl::FromCivil(second, JapanTimeZone());
}

Date JapanDate(absl::Time t) { return FromCivil(absl::ToCivilDay(t, JapanTimeZone())); }

Date AddDays(const Date& date, int days) { return FromCivil(ToCivil(date) + days); }

int AgeOn(const Date& birth, const Date& on) {
  // The year completes at the end of the day before the birthday, so the legal age on `on` is
  // the plain age on the following day.
  return PlainAge(birth, AddDays(on, 1));
}

Date DateOfReachingAge(const Date& birth, int years) {
  Date anniversary{birth.year + years, birth.month, birth.day};
  if (birth.month == 2 && birth.day == 29 && !IsValidDate(anniversary)) {
    // No 29 February that year: the year completes at the end of February (民法 143条 2項).
    anniversary = Date{birth.year + years, 3, 1};
  }
  return AddDays(anniversary, -1);
}

}  // namespace onshi
