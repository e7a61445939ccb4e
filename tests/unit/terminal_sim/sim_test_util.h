// Helpers shared by the terminal simulator's tests.

#ifndef ONSHI_TESTS_UNIT_TERMINAL_SIM_SIM_TEST_UTIL_H_
#define ONSHI_TESTS_UNIT_TERMINAL_SIM_SIM_TEST_UTIL_H_

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/core/ports.h"

namespace onshi::sim::testing {

inline constexpr char kInstitution[] = "1310000016";

// 2026-12-01 09:30:00 JST.
inline absl::Time TestNow() {
  return absl::FromCivil(absl::CivilSecond(2026, 12, 1, 0, 30, 0), absl::UTCTimeZone());
}

class FixedClock final : public Clock {
 public:
  absl::Time Now() const override { return TestNow(); }
};

struct Card {
  std::string insurer;
  std::string symbol;
  std::string number;
  std::string branch;
  std::string birth;
};

inline onshi::v1::QualificationRequestDocument MakeRequest(const Card& card, bool consent,
                                                           const std::string& file_id = "ID0001") {
  onshi::v1::QualificationRequestDocument request;
  request.set_qualification_confirmation_date("20261201");
  request.set_medical_institution_code(kInstitution);
  request.set_arbitrary_file_identifier(file_id);
  auto* search = request.mutable_search_info();
  search->mutable_identifiers()->set_insurer_number(card.insurer);
  search->mutable_identifiers()->set_insured_card_symbol(card.symbol);
  search->mutable_identifiers()->set_insured_identification_number(card.number);
  search->mutable_identifiers()->set_insured_branch_number(card.branch);
  search->set_birth_date(card.birth);
  search->set_limit_certificate_consent(consent ? onshi::v1::CONSENT_FLAG_GIVEN
                                                : onshi::v1::CONSENT_FLAG_NOT_GIVEN);
  return request;
}

// A fresh directory under the test temp dir; removed (recursively) by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string pattern = ::testing::TempDir() + "/onshi-sim-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    const char* made = ::mkdtemp(buffer.data());
    EXPECT_NE(made, nullptr);
    path_ = made != nullptr ? made : "";
  }
  ~TempDir() {
    if (!path_.empty()) RemoveTree(path_);
  }
  const std::string& path() const { return path_; }

  static void RemoveTree(const std::string& path) {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return;
    if (S_ISDIR(st.st_mode)) {
      for (const std::string& name : ListDir(path)) RemoveTree(path + "/" + name);
      ::rmdir(path.c_str());
    } else {
      ::unlink(path.c_str());
    }
  }

  static std::vector<std::string> ListDir(const std::string& path) {
    std::vector<std::string> names;
    DIR* dir = ::opendir(path.c_str());
    if (dir == nullptr) return names;
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

inline bool FileExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Writes under a temp name, then renames into place (as onshi's transport does).
inline void WriteFileAtomically(const std::string& dir, const std::string& name,
                                const std::string& bytes) {
  const std::string temp = dir + "/.onshi-tmp-test-" + name;
  {
    std::ofstream out(temp, std::ios::binary);
    out << bytes;
  }
  ASSERT_EQ(::rename(temp.c_str(), (dir + "/" + name).c_str()), 0);
}

// Polls `done` until it holds or a generous timeout passes (a correctness bound, not a speed
// check). Returns whether it held.
inline bool WaitFor(const std::function<bool()>& done,
                    std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

}  // namespace onshi::sim::testing

#endif  // ONSHI_TESTS_UNIT_TERMINAL_SIM_SIM_TEST_UTIL_H_
