// Helpers shared by the terminal simulator's tests.

#ifndef ONSHI_TESTS_UNIT_TERMINAL_SIM_SIM_TEST_UTIL_H_
#define ONSHI_TESTS_UNIT_TERMINAL_SIM_SIM_TEST_UTIL_H_

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "adapters/terminal_sim/dataset.h"
#include "gtest/gtest.h"
#include "onshi/sim/v1/dataset.pb.h"
#include "onshi/v1/oqs_bulk_documents.pb.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "onshi/v1/oqs_medical_documents.pb.h"
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

// A clock tests move by hand.
class ManualClock final : public Clock {
 public:
  absl::Time Now() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return now_;
  }
  void Set(absl::Time t) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ = t;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  absl::Time now_ = TestNow();
};

// Marks the catalogue scenario (docs/simulator.md) a test exercises: recorded as the test's
// "scenario" property; catalogue_test.cc checks that every catalogued id is quoted in a test.
inline void Exercises(const char* scenario) {
  ::testing::Test::RecordProperty("scenario", scenario);
}

// The dataset (tests/data/sim/dataset.textproto), loaded once.
inline const sim::v1::Dataset& TestDataset() {
  static const sim::v1::Dataset* const dataset = [] {
    absl::StatusOr<sim::v1::Dataset> loaded = LoadDataset(ONSHI_SIM_DATASET);
    EXPECT_TRUE(loaded.ok()) << loaded.status();
    return new sim::v1::Dataset(loaded.ok() ? *loaded : sim::v1::Dataset());
  }();
  return *dataset;
}

// The dataset patient with `scenario` (a test failure when there is none).
inline const sim::v1::Patient& PatientOf(const std::string& scenario) {
  for (const sim::v1::Patient& p : TestDataset().patients()) {
    if (p.scenario() == scenario) return p;
  }
  ADD_FAILURE() << "no dataset patient " << scenario;
  static const sim::v1::Patient* const none = new sim::v1::Patient();
  return *none;
}

struct Card {
  std::string insurer;
  std::string symbol;
  std::string number;
  std::string branch;
  std::string birth;
};

// The card of a dataset patient, as reception staff type it.
inline Card CardOf(const std::string& scenario) {
  const sim::v1::Patient& p = PatientOf(scenario);
  return Card{p.card().insurer_number(), p.card().insured_card_symbol(),
              p.card().insured_identification_number(), p.card().insured_branch_number(),
              p.birth_date()};
}

// QualificationConfirmSearchInfo for `card` (a batch record).
inline onshi::v1::QualificationSearchInfo SearchInfo(const Card& card, bool consent,
                                                     const std::string& arbitrary_identifier) {
  onshi::v1::QualificationSearchInfo search;
  search.mutable_identifiers()->set_insurer_number(card.insurer);
  search.mutable_identifiers()->set_insured_card_symbol(card.symbol);
  search.mutable_identifiers()->set_insured_identification_number(card.number);
  search.mutable_identifiers()->set_insured_branch_number(card.branch);
  search.set_birth_date(card.birth);
  search.set_limit_certificate_consent(consent ? onshi::v1::CONSENT_FLAG_GIVEN
                                               : onshi::v1::CONSENT_FLAG_NOT_GIVEN);
  search.set_arbitrary_identifier(arbitrary_identifier);
  return search;
}

// A 一括照会 upload of `cards` (ArbitraryIdentifier "R<index>").
inline onshi::v1::BatchQualificationRequestDocument BatchUpload(const std::vector<Card>& cards,
                                                                const std::string& file_id) {
  onshi::v1::BatchQualificationRequestDocument upload;
  upload.set_qualification_confirmation_date("20261201");
  upload.set_medical_institution_code(kInstitution);
  upload.set_arbitrary_file_identifier(file_id);
  for (size_t i = 0; i < cards.size(); ++i) {
    *upload.add_search_infos() = SearchInfo(cards[i], true, "R" + std::to_string(i));
  }
  return upload;
}

// A result download (OQSmuquc02req / OQSmuimm02req) for `reception`.
inline onshi::v1::BulkResultRequestDocument ResultRequest(const std::string& reception,
                                                          const std::string& file_id) {
  onshi::v1::BulkResultRequestDocument request;
  request.set_medical_institution_code(kInstitution);
  request.set_arbitrary_file_identifier(file_id);
  request.set_reception_number(reception);
  return request;
}

// One 照会番号 registration for `card` (no birth date in these records).
inline onshi::v1::ReferenceNumberRegistration Registration(const Card& card,
                                                           const std::string& number,
                                                           const std::string& arbitrary = "") {
  onshi::v1::ReferenceNumberRegistration r;
  r.set_reference_number(number);
  r.mutable_identifiers()->set_insurer_number(card.insurer);
  r.mutable_identifiers()->set_insured_card_symbol(card.symbol);
  r.mutable_identifiers()->set_insured_identification_number(card.number);
  r.mutable_identifiers()->set_insured_branch_number(card.branch);
  r.set_arbitrary_identifier(arbitrary);
  return r;
}

inline onshi::v1::MedicalInfoRequestHeader MedicalHeader(const Card& card,
                                                         const std::string& file_id) {
  onshi::v1::MedicalInfoRequestHeader h;
  h.set_medical_institution_code(kInstitution);
  h.set_insurer_number(card.insurer);
  h.set_insurance_card_symbol(card.symbol);
  h.set_insured_person_identification_number(card.number);
  h.set_branch_number(card.branch);
  h.set_arbitrary_file_identifier(file_id);
  return h;
}

// A 薬剤情報 request: XML 薬剤 (FileCategory 2) for 外来 unless told otherwise.
inline onshi::v1::MedicationRequestDocument MedicationRequest(
    const Card& card, const std::string& file_id, const std::string& start = "202606",
    const std::string& end = "202611", const std::string& category = "2",
    onshi::v1::CareSetting setting = onshi::v1::CARE_SETTING_OUTPATIENT) {
  onshi::v1::MedicationRequestDocument r;
  *r.mutable_header() = MedicalHeader(card, file_id);
  r.set_start_month(start);
  r.set_end_month(end);
  r.set_file_category(category);
  r.set_pr_di_inf_classification("1");
  r.set_care_setting(setting);
  return r;
}

// A 特定健診 request: XML (FileCategory 2) for 外来 unless told otherwise.
inline onshi::v1::CheckupRequestDocument CheckupRequest(
    const Card& card, const std::string& file_id, const std::string& category = "2",
    onshi::v1::CareSetting setting = onshi::v1::CARE_SETTING_OUTPATIENT) {
  onshi::v1::CheckupRequestDocument r;
  *r.mutable_header() = MedicalHeader(card, file_id);
  r.set_file_category(category);
  r.set_care_setting(setting);
  return r;
}

// A check-in command for `scenario` with `consents` (empty = none), at `at` (empty = now).
inline sim::v1::CheckinCommand CheckinOf(const std::string& scenario,
                                         std::vector<sim::v1::ConsentCategory> consents,
                                         const std::string& at = "") {
  sim::v1::CheckinCommand c;
  c.set_scenario(scenario);
  for (sim::v1::ConsentCategory category : consents) c.add_consents(category);
  c.set_at(at);
  return c;
}

inline std::vector<sim::v1::ConsentCategory> EveryConsent() {
  return {sim::v1::CONSENT_CATEGORY_LIMIT,     sim::v1::CONSENT_CATEGORY_DISEASES,
          sim::v1::CONSENT_CATEGORY_CHECKUPS,  sim::v1::CONSENT_CATEGORY_PHARMACISTS,
          sim::v1::CONSENT_CATEGORY_DIAGNOSIS, sim::v1::CONSENT_CATEGORY_OPERATION};
}

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

// ---- running the program ---------------------------------------------------------------------

// Runs `args[0]` with `args`; its stdout is readable from `*out_fd`.
inline pid_t Spawn(const std::vector<std::string>& args, int* out_fd) {
  // Everything the child needs is prepared before fork (only async-signal-safe calls after).
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return -1;
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  *out_fd = pipe_fds[0];
  return pid;
}

inline std::string ReadLine(int fd) {
  std::string line;
  char c;
  while (::read(fd, &c, 1) == 1 && c != '\n') line.push_back(c);
  return line;
}

inline int WaitExit(pid_t pid) {
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace onshi::sim::testing

#endif  // ONSHI_TESTS_UNIT_TERMINAL_SIM_SIM_TEST_UTIL_H_
