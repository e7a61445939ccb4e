#include "tests/integration/harness.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "adapters/terminal_sim/control.h"
#include "adapters/terminal_sim/dataset.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"

extern char** environ;

namespace onshi::integration {
namespace {

// setpriv(1), to give children PDEATHSIG=KILL; "" when the build found none.
constexpr char kSetpriv[] = ONSHI_IT_SETPRIV;

using Clock = std::chrono::steady_clock;

Millis Remaining(Clock::time_point deadline) {
  return std::max(Millis(0), std::chrono::duration_cast<Millis>(deadline - Clock::now()));
}

// The environment for a child: ours, with `extra` ("NAME=value") added or replacing.
std::vector<std::string> ChildEnvironment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry = *e;
    const std::string name = entry.substr(0, entry.find('='));
    bool replaced = false;
    for (const std::string& x : extra) {
      if (x.substr(0, x.find('=')) == name) replaced = true;
    }
    if (!replaced) env.push_back(std::move(entry));
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

std::vector<char*> CStrings(std::vector<std::string>& strings) {
  std::vector<char*> out;
  for (std::string& s : strings) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

bool IsAsciiAlnum(const std::string& s) {
  for (unsigned char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
      return false;
    }
  }
  return true;
}

// Characters of onshi's ids (file ids, UUIDs, request ids): a value next to one of them is part
// of an id, not a value of its own.
bool IsIdChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-' ||
         c == '_';
}

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(' ');
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(' ') - begin + 1);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Process

std::unique_ptr<Process> Process::Spawn(const SpawnOptions& options, std::string* error) {
  std::vector<std::string> argv;
  if (kSetpriv[0] != '\0') argv = {kSetpriv, "--pdeathsig", "KILL", "--"};
  argv.insert(argv.end(), options.argv.begin(), options.argv.end());
  std::vector<std::string> env = ChildEnvironment(options.extra_env);
  std::vector<char*> c_argv = CStrings(argv);
  std::vector<char*> c_env = CStrings(env);

  int pipe_fds[2] = {-1, -1};
  const bool use_pipe = options.stdout_path.empty();
  if (use_pipe && pipe2(pipe_fds, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + strerror(errno);
    return nullptr;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (use_pipe) {
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  } else {
    posix_spawn_file_actions_addopen(&actions, 1, options.stdout_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  posix_spawn_file_actions_addopen(&actions, 2, options.stderr_path.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0600);

  // A clean signal state: nothing blocked, nothing ignored (gRPC ignores SIGPIPE in our process
  // and an ignored disposition would survive exec).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int s = 1; s < 32; ++s) {
    if (s != SIGKILL && s != SIGSTOP) sigaddset(&defaults, s);
  }
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, c_argv[0], &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (use_pipe) close(pipe_fds[1]);
  if (spawned != 0) {
    if (use_pipe) close(pipe_fds[0]);
    *error = std::string("posix_spawn ") + options.argv[0] + ": " + strerror(spawned);
    return nullptr;
  }

  std::unique_ptr<Process> process(new Process());
  process->pid_ = pid;
  process->stdout_fd_ = use_pipe ? pipe_fds[0] : -1;
  process->stderr_path_ = options.stderr_path;
  if (!options.wait_for_ready || !use_pipe) return process;

  const Clock::time_point deadline = Clock::now() + kStartTimeout;
  std::string out;
  while (out.find("ready\n") == std::string::npos) {
    const Millis left = Remaining(deadline);
    if (left.count() == 0) {
      process->Kill();
      *error = options.argv[0] + " printed no \"ready\" within the start timeout; stderr:\n" +
               TailOfFile(options.stderr_path);
      return nullptr;
    }
    struct pollfd p = {process->stdout_fd_, POLLIN, 0};
    const int polled = poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 1000)));
    if (polled < 0 && errno != EINTR) {
      *error = std::string("poll: ") + strerror(errno);
      return nullptr;
    }
    if (polled <= 0) continue;
    char buffer[256];
    const ssize_t n = read(process->stdout_fd_, buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int status = 0;
      if (!process->WaitForExit(Millis(5000), &status)) status = process->Kill();
      *error = options.argv[0] + " ended before \"ready\" (" + DescribeWaitStatus(status) +
               "); stderr:\n" + TailOfFile(options.stderr_path);
      return nullptr;
    }
    out.append(buffer, static_cast<size_t>(n));
  }
  return process;
}

Process::~Process() {
  if (!reaped_ && pid_ > 0) Kill();
  if (stdout_fd_ >= 0) close(stdout_fd_);
}

bool Process::Reap(bool block) {
  if (reaped_) return true;
  while (true) {
    int status = 0;
    const pid_t r = waitpid(pid_, &status, block ? 0 : WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      status_ = status;
      return true;
    }
    if (r == 0) return false;
    if (errno == EINTR) continue;
    // ECHILD: nothing to reap any more.
    reaped_ = true;
    status_ = -1;
    return true;
  }
}

bool Process::WaitForExit(Millis timeout, int* status) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (!Reap(false)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(Millis(10));
  }
  *status = status_;
  return true;
}

int Process::Terminate(Millis grace) {
  if (reaped_) return status_;
  kill(pid_, SIGTERM);
  kill(pid_, SIGCONT);  // A stopped process handles SIGTERM only once it runs.
  int status = 0;
  if (WaitForExit(grace, &status)) return status;
  ADD_FAILURE() << "pid " << pid_ << " did not stop within " << grace.count()
                << " ms of SIGTERM; killed";
  return Kill();
}

int Process::Kill() {
  if (reaped_) return status_;
  kill(pid_, SIGKILL);
  Reap(true);
  return status_;
}

void Process::Pause() {
  if (!reaped_) kill(pid_, SIGSTOP);
}

void Process::Resume() {
  if (!reaped_) kill(pid_, SIGCONT);
}

std::string DescribeWaitStatus(int status) {
  if (status == -1) return "unknown (not our child)";
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) {
    return "signal " + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  }
  return "status " + std::to_string(status);
}

bool ExitedCleanly(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

// ---------------------------------------------------------------------------------------------
// Files and folders

std::string MakeTempRoot(const std::string& name) {
  std::string base = ::testing::TempDir();
  if (base.empty() || base.back() != '/') base += '/';
  // The socket path (root + "/run/onshid.sock") must stay below 108 bytes.
  if (base.size() + name.size() + 40 > 100) base = "/tmp/";
  std::string pattern = base + "onshi-it-" + name + ".XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp " << pattern << ": " << strerror(errno);
    return "";
  }
  return pattern;
}

void RemoveTree(const std::string& path) {
  if (path.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

bool WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  return static_cast<bool>(out);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string TailOfFile(const std::string& path, int lines) {
  const std::string text = ReadFile(path);
  size_t pos = text.size();
  for (int i = 0; i <= lines && pos > 0; ++i) {
    const size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) {
      pos = 0;
      break;
    }
    pos = nl;
  }
  return text.substr(pos);
}

std::vector<std::string> ListDir(const std::string& path) {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

bool WaitUntil(const std::function<bool()>& condition, Millis timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (true) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return condition();
    std::this_thread::sleep_for(Millis(20));
  }
}

FolderWatch::FolderWatch(const std::string& path) {
  fd_ = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ < 0) return;
  if (inotify_add_watch(fd_, path.c_str(), IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
    close(fd_);
    fd_ = -1;
  }
}

FolderWatch::~FolderWatch() {
  if (fd_ >= 0) close(fd_);
}

std::vector<std::string> FolderWatch::TakeEvents() {
  std::vector<std::string> names;
  if (fd_ < 0) return names;
  alignas(struct inotify_event) char buffer[8192];
  while (true) {
    const ssize_t n = read(fd_, buffer, sizeof(buffer));
    if (n <= 0) break;
    for (ssize_t off = 0; off < n;) {
      const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + off);
      names.push_back(event->len > 0 ? std::string(event->name) : std::string("(folder)"));
      off += static_cast<ssize_t>(sizeof(struct inotify_event) + event->len);
    }
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// The dataset

const sim::v1::Dataset& Dataset() {
  static const sim::v1::Dataset* const dataset = [] {
    absl::StatusOr<sim::v1::Dataset> loaded = sim::LoadDataset(ONSHI_IT_DATASET);
    if (!loaded.ok()) {
      // Reported by DatasetTest; parametrised suites then have no patients.
      std::fprintf(stderr, "cannot load the dataset: %s\n", loaded.status().ToString().c_str());
      return new sim::v1::Dataset();
    }
    return new sim::v1::Dataset(*std::move(loaded));
  }();
  return *dataset;
}

const sim::v1::Patient& PatientByScenario(const std::string& scenario) {
  for (const sim::v1::Patient& patient : Dataset().patients()) {
    if (patient.scenario() == scenario) return patient;
  }
  ADD_FAILURE() << "no dataset patient with scenario " << scenario;
  static const sim::v1::Patient* const empty = new sim::v1::Patient();
  return *empty;
}

std::string TestNameOf(const std::string& scenario) {
  std::string name = scenario;
  for (char& c : name) {
    if (!IsIdChar(c) || c == '-') c = '_';
  }
  return name;
}

std::vector<Canary> PhiCanaries() {
  std::vector<Canary> canaries;
  std::set<std::string> seen;
  auto add = [&](const std::string& raw, const std::string& where) {
    const std::string value = Trim(raw);
    if (Utf8Length(value) < 4 || !seen.insert(value).second) return;
    canaries.push_back({value, where});
  };
  for (const sim::v1::Patient& p : Dataset().patients()) {
    const std::string s = p.scenario() + "/";
    add(p.card().insurer_number(), s + "card.insurer_number");
    add(p.card().insured_card_symbol(), s + "card.insured_card_symbol");
    add(p.card().insured_identification_number(), s + "card.insured_identification_number");
    add(p.birth_date(), s + "birth_date");
    for (const v1::QualificationRecord& r : p.records()) {
      add(r.identifiers().insurer_number(), s + "record.insurer_number");
      add(r.identifiers().insured_card_symbol(), s + "record.insured_card_symbol");
      add(r.identifiers().insured_identification_number(),
          s + "record.insured_identification_number");
      add(r.insured_name(), s + "record.insured_name");
      add(r.name(), s + "record.name");
      add(r.name_of_other(), s + "record.name_of_other");
      add(r.name_kana(), s + "record.name_kana");
      add(r.name_of_other_kana(), s + "record.name_of_other_kana");
      add(r.birth_date(), s + "record.birth_date");
      add(r.address(), s + "record.address");
      add(r.post_number(), s + "record.post_number");
    }
    // 薬剤・特定健診 information is PHI too.
    for (const v1::MedicationMonth& m : p.medication_months()) {
      add(m.institution_name(), s + "medication.institution_name");
      add(m.pharmacy_name(), s + "medication.pharmacy_name");
      for (const v1::DispensingDate& d : m.dates()) {
        for (const v1::Drug& drug : d.drugs()) {
          add(drug.name(), s + "medication.drug.name");
          add(drug.ingredient_name(), s + "medication.drug.ingredient_name");
          add(drug.usage(), s + "medication.drug.usage");
        }
      }
      for (const v1::Treatment& t : m.treatments()) add(t.name(), s + "medication.treatment.name");
    }
    for (const v1::Checkup& c : p.checkups()) {
      for (const v1::CheckupItem& item : c.items()) {
        add(item.item_name(), s + "checkup.item_name");
        add(item.value_name(), s + "checkup.value_name");
      }
    }
  }
  return canaries;
}

std::vector<std::string> FindCanaries(const std::string& text,
                                      const std::vector<Canary>& canaries) {
  std::vector<std::string> hits;
  // The clinic's own 医療機関コード (in logs, and at the start of the terminal's face file ids)
  // is not patient data, though a card number of the dataset ("10000016") is part of it.
  const std::string institution = kInstitutionCode;
  auto inside_institution_code = [&](size_t pos, size_t length) {
    const size_t from = pos >= institution.size() ? pos - institution.size() : 0;
    for (size_t at = text.find(institution, from); at != std::string::npos && at <= pos;
         at = text.find(institution, at + 1)) {
      if (pos + length <= at + institution.size()) return true;
    }
    return false;
  };
  for (const Canary& canary : canaries) {
    const bool token_only = canary.value.size() < 8 && IsAsciiAlnum(canary.value);
    for (size_t pos = text.find(canary.value); pos != std::string::npos;
         pos = text.find(canary.value, pos + 1)) {
      if (inside_institution_code(pos, canary.value.size())) continue;
      if (token_only) {
        const size_t end = pos + canary.value.size();
        if ((pos > 0 && IsIdChar(text[pos - 1])) || (end < text.size() && IsIdChar(text[end]))) {
          continue;
        }
      }
      const size_t line = 1 + std::count(text.begin(), text.begin() + pos, '\n');
      hits.push_back(canary.where + " (line " + std::to_string(line) + ")");
    }
  }
  return hits;
}

// ---------------------------------------------------------------------------------------------
// The C API

RequestPtr NewRequestForCard(const v1::InsuranceIdentifiers& card, const std::string& birth_date,
                             const RequestSpec& spec) {
  RequestPtr request(onshi_check_request_new());
  EXPECT_NE(request, nullptr);
  if (request == nullptr) return request;
  onshi_check_request* r = request.get();
  EXPECT_EQ(onshi_check_request_set_insurer_number(r, card.insurer_number().c_str(), nullptr),
            ONSHI_OK);
  EXPECT_EQ(onshi_check_request_set_card_symbol(r, card.insured_card_symbol().c_str(), nullptr),
            ONSHI_OK);
  EXPECT_EQ(
      onshi_check_request_set_card_number(r, card.insured_identification_number().c_str(), nullptr),
      ONSHI_OK);
  EXPECT_EQ(onshi_check_request_set_branch_number(r, card.insured_branch_number().c_str(), nullptr),
            ONSHI_OK);
  EXPECT_EQ(onshi_check_request_set_birth_date(r, birth_date.c_str(), nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_check_request_set_confirmation_date(r, spec.confirmation_date.c_str(), nullptr),
            ONSHI_OK);
  EXPECT_EQ(onshi_check_request_set_limit_consent(r, spec.limit_consent ? 1 : 0, nullptr),
            ONSHI_OK);
  EXPECT_EQ(onshi_check_request_set_patient_id(r, spec.patient_id.c_str(), nullptr), ONSHI_OK);
  if (!spec.request_id.empty()) {
    EXPECT_EQ(onshi_check_request_set_request_id(r, spec.request_id.c_str(), nullptr), ONSHI_OK);
  }
  EXPECT_EQ(onshi_check_request_set_timeout_ms(r, spec.timeout_ms, nullptr), ONSHI_OK);
  return request;
}

RequestPtr NewRequestFor(const sim::v1::Patient& patient, const RequestSpec& spec) {
  return NewRequestForCard(patient.card(), patient.birth_date(), spec);
}

std::string CheckOutcome::Describe() const {
  if (status == ONSHI_OK) return "OK";
  return std::string(onshi_status_name(status)) + " " + onshi_error_reason(error.get()) + ": " +
         onshi_error_it_message(error.get());
}

CheckOutcome Check(onshi_client* client, const onshi_check_request* request) {
  onshi_qualification* q = nullptr;
  onshi_error* err = nullptr;
  const Clock::time_point start = Clock::now();
  const onshi_status status = onshi_check_qualification(client, request, &q, &err);
  CheckOutcome outcome;
  outcome.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
  outcome.status = status;
  outcome.result.reset(q);
  outcome.error.reset(err);
  if (status == ONSHI_OK) {
    EXPECT_NE(q, nullptr);
    EXPECT_EQ(err, nullptr);
  } else {
    EXPECT_EQ(q, nullptr);
    EXPECT_NE(err, nullptr);
    EXPECT_EQ(onshi_error_code(err), status);
  }
  return outcome;
}

std::string JstStamp(absl::Time t) {
  return absl::FormatTime("%Y%m%d%H%M%S", t, absl::FixedTimeZone(9 * 3600));
}

v1::CheckinEvent CheckInAtTheReader(Stack& stack, onshi_client* client, const std::string& scenario,
                                    const std::vector<sim::v1::ConsentCategory>& consents,
                                    absl::Time at) {
  const std::string stamp = JstStamp(at);
  struct SecondOver {
    const std::string& stamp;
    bool live;
    ~SecondOver() {
      while (live && JstStamp(absl::Now()) <= stamp) absl::SleepFor(absl::Milliseconds(50));
    }
  } second_over{stamp, absl::Now() - at < absl::Seconds(2)};
  const std::string face = stack.SimCheckIn(scenario, consents, stamp);
  EXPECT_FALSE(face.empty());
  const std::string prefix = "OQSsiquc01res_face_";
  const std::string file_id = face.size() > prefix.size() + 4
                                  ? face.substr(prefix.size(), face.size() - prefix.size() - 4)
                                  : face;
  while (!face.empty()) {
    onshi_checkin* c = nullptr;
    onshi_error* err = nullptr;
    const onshi_status status = onshi_checkin_next(client, kSettleTimeout.count(), &c, &err);
    ErrorPtr error(err);
    std::unique_ptr<onshi_checkin, void (*)(onshi_checkin*)> checkin(c, onshi_checkin_free);
    if (status != ONSHI_OK || checkin == nullptr) {
      ADD_FAILURE() << "the check-in " << face << " did not reach the host";
      break;
    }
    char* json = nullptr;
    size_t length = 0;
    EXPECT_EQ(onshi_checkin_to_json(checkin.get(), &json, &length, nullptr), ONSHI_OK);
    StringPtr owned(json);
    v1::CheckinEvent event;
    if (json != nullptr) {
      EXPECT_TRUE(
          google::protobuf::util::JsonStringToMessage(std::string(json, length), &event).ok());
    }
    EXPECT_EQ(onshi_checkin_ack(client, onshi_checkin_event_id(checkin.get()), nullptr), ONSHI_OK);
    if (event.provenance().file_id() == file_id) return event;
  }
  return v1::CheckinEvent();
}

std::vector<CheckOutcome> CheckAtOnce(onshi_client* client,
                                      const std::vector<RequestPtr>& requests) {
  std::vector<std::future<CheckOutcome>> running;
  running.reserve(requests.size());
  for (const RequestPtr& request : requests) {
    const onshi_check_request* r = request.get();
    running.push_back(std::async(std::launch::async, [client, r] { return Check(client, r); }));
  }
  std::vector<CheckOutcome> outcomes;
  outcomes.reserve(running.size());
  for (std::future<CheckOutcome>& f : running) outcomes.push_back(f.get());
  return outcomes;
}

v1::CheckQualificationResponse ResponseOf(const onshi_qualification* q) {
  v1::CheckQualificationResponse response;
  char* json = nullptr;
  size_t length = 0;
  onshi_error* err = nullptr;
  const onshi_status status = onshi_qualification_to_json(q, &json, &length, &err);
  StringPtr owned(json);
  ErrorPtr error(err);
  EXPECT_EQ(status, ONSHI_OK) << onshi_error_it_message(err);
  if (status != ONSHI_OK) return response;
  EXPECT_EQ(length, std::strlen(json));
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(std::string(json, length), &response);
  EXPECT_TRUE(parsed.ok()) << parsed.ToString();
  return response;
}

std::optional<v1::PatientRecord> GetPatientRecord(onshi_client* client,
                                                  const std::string& patient_id,
                                                  onshi_status* status, std::string* reason) {
  char* json = nullptr;
  size_t length = 0;
  onshi_error* err = nullptr;
  const onshi_status s =
      onshi_get_patient_record(client, patient_id.c_str(), 0, &json, &length, &err);
  StringPtr owned(json);
  ErrorPtr error(err);
  if (status != nullptr) *status = s;
  if (reason != nullptr) *reason = onshi_error_reason(err);
  if (s != ONSHI_OK) return std::nullopt;
  v1::PatientRecord record;
  const auto parsed =
      google::protobuf::util::JsonStringToMessage(std::string(json, length), &record);
  EXPECT_TRUE(parsed.ok()) << parsed.ToString();
  return record;
}

ClientPtr OpenSidecarClient(const std::string& socket_path, int64_t connect_timeout_ms) {
  onshi_client_options* options = onshi_client_options_new();
  EXPECT_NE(options, nullptr);
  EXPECT_EQ(onshi_client_options_set_socket_path(options, socket_path.c_str(), nullptr), ONSHI_OK);
  EXPECT_EQ(onshi_client_options_set_connect_timeout_ms(options, connect_timeout_ms, nullptr),
            ONSHI_OK);
  onshi_client* client = nullptr;
  onshi_error* err = nullptr;
  const onshi_status status = onshi_client_open(options, &client, &err);
  ErrorPtr error(err);
  onshi_client_options_free(options);
  EXPECT_EQ(status, ONSHI_OK) << onshi_error_reason(err) << ": " << onshi_error_it_message(err);
  return ClientPtr(client);
}

ClientPtr OpenEmbeddedClient(const std::string& config_path, onshi_status* status,
                             std::string* reason) {
  onshi_client_options* options = onshi_client_options_new();
  EXPECT_NE(options, nullptr);
  EXPECT_EQ(onshi_client_options_set_embedded_config(options, config_path.c_str(), nullptr),
            ONSHI_OK);
  onshi_client* client = nullptr;
  onshi_error* err = nullptr;
  const onshi_status s = onshi_client_open(options, &client, &err);
  ErrorPtr error(err);
  onshi_client_options_free(options);
  if (status != nullptr) *status = s;
  if (reason != nullptr) *reason = onshi_error_reason(err);
  return ClientPtr(client);
}

// ---------------------------------------------------------------------------------------------
// Stack

Stack::Stack(StackOptions options) : options_(std::move(options)) {}

Stack::~Stack() {
  client_.reset();
  onshid_.reset();
  sim_.reset();
  if (std::getenv("ONSHI_IT_KEEP_TEMP") == nullptr) RemoveTree(root_);
}

bool Stack::Start(std::string* error) {
  root_ = MakeTempRoot(options_.name);
  if (root_.empty()) {
    *error = "cannot create the temp root";
    return false;
  }
  for (const std::string& dir :
       {oqs_dir(), req_dir(), res_dir(), oqs_dir() + "/face", state_dir(), root_ + "/run"}) {
    if (mkdir(dir.c_str(), 0700) != 0) {
      *error = "mkdir " + dir + ": " + strerror(errno);
      return false;
    }
  }
  std::ostringstream config;
  config << "# written by the integration harness\n"
         << "state_dir: \"" << state_dir() << "\"\n"
         << "unix_socket_path: \"" << socket_path() << "\"\n"
         << "log_level: \"debug\"\n"
         << "terminal {\n"
         << "  root: \"" << oqs_dir() << "\"\n"
         << "  medical_institution_code: \""
         << (options_.onshid_institution_code.empty() ? std::string(kInstitutionCode)
                                                      : options_.onshid_institution_code)
         << "\"\n"
         << "  answer_timeout_ms: " << options_.answer_timeout_ms << "\n"
         << "  rescan_interval_ms: " << options_.rescan_interval_ms << "\n"
         << "  malformed_grace_ms: " << options_.malformed_grace_ms << "\n"
         << (options_.shift_jis_requests ? "  request_encoding: DOCUMENT_ENCODING_SHIFT_JIS\n" : "")
         << (options_.notifications ? "" : "  disable_notifications: true\n")
         << (options_.extra_terminal_config.empty() ? ""
                                                    : "  " + options_.extra_terminal_config + "\n")
         << "}\n"
         << (options_.extra_config.empty() ? "" : options_.extra_config + "\n");
  if (!WriteFile(config_path(), config.str())) {
    *error = "cannot write " + config_path();
    return false;
  }
  if (!StartSim(error)) return false;
  if (!options_.start_onshid) return true;
  if (!StartOnshid(error)) return false;
  client_ = OpenSidecarClient(socket_path());
  if (client_ == nullptr) {
    *error = "cannot open a client on " + socket_path();
    return false;
  }
  return true;
}

bool Stack::StartSim(std::string* error) {
  SpawnOptions spawn;
  spawn.argv = {ONSHI_IT_SIM_BINARY, "--root",         oqs_dir(),     "--dataset", ONSHI_IT_DATASET,
                "--institution",     kInstitutionCode, "--rescan-ms", "100"};
  if (!options_.notifications) spawn.argv.push_back("--no-notify");
  spawn.argv.insert(spawn.argv.end(), options_.sim_flags.begin(), options_.sim_flags.end());
  spawn.stderr_path = sim_log();
  spawn.extra_env = {"ONSHI_LOG_LEVEL=debug"};
  sim_ = Process::Spawn(spawn, error);
  return sim_ != nullptr;
}

bool Stack::StartOnshid(std::string* error) {
  SpawnOptions spawn;
  spawn.argv = {ONSHI_IT_ONSHID_BINARY, "--config", config_path()};
  spawn.stderr_path = onshid_log();
  onshid_ = Process::Spawn(spawn, error);
  return onshid_ != nullptr;
}

int Stack::StopOnshid() {
  if (onshid_ == nullptr || onshid_->exited()) return 0;
  const int status = onshid_->Terminate();
  if (!ExitedCleanly(status)) {
    unclean_exits_.push_back("onshid: " + DescribeWaitStatus(status));
  }
  return status;
}

int Stack::StopSim() {
  if (sim_ == nullptr || sim_->exited()) return 0;
  const int status = sim_->Terminate();
  if (!ExitedCleanly(status)) {
    unclean_exits_.push_back("onshi-terminal-sim: " + DescribeWaitStatus(status));
  }
  return status;
}

void Stack::KillOnshid() {
  if (onshid_ != nullptr) onshid_->Kill();
}

std::string Stack::SimCheckIn(const std::string& scenario,
                              const std::vector<sim::v1::ConsentCategory>& consents,
                              const std::string& at) {
  sim::v1::CheckinCommand command;
  command.set_scenario(scenario);
  for (sim::v1::ConsentCategory consent : consents) command.add_consents(consent);
  command.set_at(at);
  absl::StatusOr<sim::CheckinResult> result =
      sim::RequestCheckin(oqs_dir(), command, absl::FromChrono(kSettleTimeout));
  if (!result.ok()) {
    ADD_FAILURE() << "[" << options_.name << "] check-in of " << scenario
                  << " refused: " << result.status();
    return "";
  }
  if (result->written) ++sim_face_files_;
  return result->face_file;
}

void Stack::NoteAnswered(const onshi_qualification* q) {
  const std::string file_id = ResponseOf(q).provenance().file_id();
  EXPECT_FALSE(file_id.empty());
  if (!file_id.empty()) answered_file_ids_.push_back(file_id);
}

void Stack::StopAndCheckHygiene() {
  if (root_.empty()) return;
  const std::string tag = "[" + options_.name + "] ";
  auto leftovers = [&](const std::string& dir, const std::string& label) {
    std::string left;
    for (const std::string& name : ListDir(dir)) left += " " + label + name;
    return left;
  };
  // The terminal takes every request; then it stops (dropping nothing: every check is over).
  if (!WaitUntil([&] { return ListDir(req_dir()).empty(); })) {
    ADD_FAILURE() << tag << "requests left in req/:" << leftovers(req_dir(), "req/");
  }
  StopSim();
  // onshid takes every answer out of the shared folder.
  if (!WaitUntil([&] { return ListDir(res_dir()).empty(); })) {
    ADD_FAILURE() << tag << "documents left in res/:" << leftovers(res_dir(), "res/");
  }

  // Every answer the terminal wrote was archived (processed) or quarantined (unreadable), none
  // lost; every answered check's own answer is among the archived ones.
  const std::vector<std::string> processed = ListDir(processed_dir());
  const std::vector<std::string> quarantined = ListDir(quarantine_dir());
  auto answers_in = [](const std::vector<std::string>& names) {
    return std::count_if(names.begin(), names.end(), [](const std::string& name) {
      // Card-reader check-ins (OQSsiquc01res_face_*) are not answers to requests.
      return (name.rfind("OQSsiquc01res_", 0) == 0 && name.rfind("OQSsiquc01res_face_", 0) != 0) ||
             name.rfind("YZKsiquc01res_", 0) == 0 || name.rfind("TKKsiquc01res_", 0) == 0 ||
             // 一括照会 and 照会番号: receipts and results.
             name.rfind("OQSmuquc01res_", 0) == 0 || name.rfind("OQSmuquc02res_", 0) == 0 ||
             name.rfind("OQSsiimm01res_", 0) == 0 || name.rfind("OQSmuimm01res_", 0) == 0 ||
             name.rfind("OQSmuimm02res_", 0) == 0;
    });
  };
  const std::string sim_text = ReadFile(sim_log());
  const std::string marker = "answers written";
  const size_t at = sim_text.rfind(marker);
  const size_t comma = at == std::string::npos ? std::string::npos : sim_text.rfind(", ", at);
  if (comma == std::string::npos) {
    ADD_FAILURE() << tag << "the simulator's final counts are not in its log";
  } else {
    const int64_t written = std::stoll(sim_text.substr(comma + 2, at - comma - 2));
    // The simulator counts the face files of the check-ins it was asked for (SimCheckIn).
    const int64_t taken = answers_in(processed) + answers_in(quarantined) + sim_face_files_;
    if (options_.answers_may_be_replaced) {
      EXPECT_LE(taken, written) << tag << "answers archived + quarantined by onshi vs. written";
    } else {
      EXPECT_EQ(taken, written)
          << tag << "answers written by the terminal vs. archived + quarantined by onshi";
    }
  }
  for (const std::string& file_id : answered_file_ids_) {
    const std::string archived = "OQSsiquc01res_" + file_id + ".xml";
    EXPECT_TRUE(std::find(processed.begin(), processed.end(), archived) != processed.end())
        << tag << "answer " << archived << " is not under state/processed";
  }

  client_.reset();
  StopOnshid();
  for (const std::string& exit : unclean_exits_) {
    ADD_FAILURE() << tag << exit << " instead of a clean stop; log:\n"
                  << TailOfFile(exit.rfind("onshid", 0) == 0 ? onshid_log() : sim_log());
  }

  const std::vector<Canary> canaries = PhiCanaries();
  EXPECT_GT(canaries.size(), 100u) << "the privacy check needs the dataset's values";
  for (const std::string& log : {onshid_log(), sim_log()}) {
    const std::string text = ReadFile(log);
    if (log == sim_log() || options_.start_onshid) {
      EXPECT_FALSE(text.empty()) << log << " is empty: nothing was checked";
    }
    const std::vector<std::string> hits = FindCanaries(text, canaries);
    std::string where;
    for (size_t i = 0; i < hits.size() && i < 20; ++i) where += "\n  " + hits[i];
    EXPECT_TRUE(hits.empty()) << "[" << options_.name << "] " << log << " holds " << hits.size()
                              << " value(s) of the dataset:" << where;
  }
}

}  // namespace onshi::integration
