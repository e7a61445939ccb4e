#include "adapters/terminal_sim/matching.h"

#include <cstdint>

#include "absl/strings/ascii.h"

namespace onshi::sim {
namespace {

bool AllDigits(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

int ParseDigits(absl::string_view digits) {
  int value = 0;
  for (char c : digits) value = value * 10 + (c - '0');
  return value;
}

absl::string_view TrimSpaces(absl::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  return text;
}

}  // namespace

std::string FoldWidth(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    // Full-width forms and the ideographic space are 3-byte sequences: EF BC 81–EF BD 9E and
    // E3 80 80.
    if (i + 2 < text.size() && (b0 == 0xEF || b0 == 0xE3)) {
      const auto b1 = static_cast<unsigned char>(text[i + 1]);
      const auto b2 = static_cast<unsigned char>(text[i + 2]);
      if ((b1 & 0xC0) == 0x80 && (b2 & 0xC0) == 0x80) {
        const uint32_t cp = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
        if (cp >= 0xFF01 && cp <= 0xFF5E) {
          out.push_back(static_cast<char>(cp - 0xFF01 + 0x21));
          i += 3;
          continue;
        }
        if (cp == 0x3000) {
          out.push_back(' ');
          i += 3;
          continue;
        }
      }
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

std::string NormalizeCardValue(absl::string_view value) {
  std::string folded = FoldWidth(value);
  absl::string_view trimmed = TrimSpaces(folded);
  if (AllDigits(trimmed)) {
    while (trimmed.size() > 1 && trimmed.front() == '0') trimmed.remove_prefix(1);
  }
  return std::string(trimmed);
}

std::string NormalizeInsurerNumber(absl::string_view value) { return NormalizeCardValue(value); }

bool InsurerCheckDigitValid(absl::string_view digits) {
  if ((digits.size() != 6 && digits.size() != 8) || !AllDigits(digits)) return false;
  int sum = 0;
  int weight = 2;
  for (size_t i = digits.size() - 1; i-- > 0;) {
    const int product = (digits[i] - '0') * weight;
    sum += product / 10 + product % 10;
    weight = weight == 2 ? 1 : 2;
  }
  const int check = (10 - sum % 10) % 10;
  return digits.back() - '0' == check;
}

bool IsValidDate(absl::string_view yyyymmdd) {
  if (yyyymmdd.size() != 8 || !AllDigits(yyyymmdd)) return false;
  const int year = ParseDigits(yyyymmdd.substr(0, 4));
  const int month = ParseDigits(yyyymmdd.substr(4, 2));
  const int day = ParseDigits(yyyymmdd.substr(6, 2));
  if (year < 1800 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  const int max_day = month == 2 && leap ? 29 : kDays[month - 1];
  return day <= max_day;
}

bool IsValidTimestamp(absl::string_view yyyymmddhhmmss) {
  if (yyyymmddhhmmss.size() != 14 || !AllDigits(yyyymmddhhmmss)) return false;
  if (!IsValidDate(yyyymmddhhmmss.substr(0, 8))) return false;
  return ParseDigits(yyyymmddhhmmss.substr(8, 2)) < 24 &&
         ParseDigits(yyyymmddhhmmss.substr(10, 2)) < 60 &&
         ParseDigits(yyyymmddhhmmss.substr(12, 2)) < 60;
}

bool CardMatches(const onshi::v1::InsuranceIdentifiers& asked, absl::string_view asked_birth_date,
                 const onshi::v1::InsuranceIdentifiers& card, absl::string_view birth_date) {
  if (asked_birth_date != birth_date) return false;
  if (NormalizeInsurerNumber(asked.insurer_number()) !=
      NormalizeInsurerNumber(card.insurer_number())) {
    return false;
  }
  if (NormalizeCardValue(asked.insured_card_symbol()) !=
      NormalizeCardValue(card.insured_card_symbol())) {
    return false;
  }
  if (NormalizeCardValue(asked.insured_identification_number()) !=
      NormalizeCardValue(card.insured_identification_number())) {
    return false;
  }
  const std::string asked_branch = NormalizeCardValue(asked.insured_branch_number());
  const std::string card_branch = NormalizeCardValue(card.insured_branch_number());
  return asked_branch.empty() || card_branch.empty() || asked_branch == card_branch;
}

}  // namespace onshi::sim
