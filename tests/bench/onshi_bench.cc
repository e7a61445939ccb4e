// onshi_bench: every figure of docs/benchmarks.md from one run, so that the ratios compare
// numbers measured side by side on the same machine at the same time.
//
//   (a) the floor: a bare gRPC unary echo of 1 KiB over a Unix socket to another process
//       (bench_echo_server, gRPC's generic API on both sides);
//   (b) onshi_check_qualification through the C ABI -> bench_sidecar (onshid's runtime, store
//       and socket, with the simulator's in-process twin as the terminal, answering at once);
//   (c) the same C entry point with the client in embedded mode (the service in this process on
//       an in-process channel), the twin again behind it;
//   (d) the full path: C ABI -> onshid -> request file in req/ -> onshi-terminal-sim
//       (--latency-ms 0) -> answer file in res/ -> onshid;
//   (e) decoding a 3.5 KB UTF-8 result document: onshi's DecodeQualificationResult against
//       pugixml's load_buffer alone on the same bytes;
//   (f) a card-reader check-in: a face file renamed into face/ of (d)'s terminal folder ->
//       onshid (notification, read, decode, match, durable record) -> WatchCheckins stream ->
//       the callback of an onshi_checkin_subscribe subscriber in this process. Timed from the
//       rename to the callback's entry;
//   (g) a 10,000-patient 一括照会 through the C ABI (onshi_batch_run) -> the service -> upload
//       files in req/ -> an onshi-terminal-sim process answering at once (--latency-ms 0,
//       --batch-processing-ms 0) -> receipts and results in res/ -> decode -> every patient
//       recorded: once with the client in embedded mode and a fresh state directory per batch
//       (g1), once through its own onshid, whose store keeps every batch (g2). Timed from the
//       call to its return, when the callback has seen every patient's result;
//   (k) DecodeByKind of one golden file per document kind (tests/data/oqs), UTF-8 and
//       Shift_JIS, and of a 500-unit batch result made from the golden one (the size of each
//       result file of (g)), each against pugixml's load_buffer of the same bytes, as (e).
//   (h) reliability.md E5, a hung sidecar: a bench_sidecar of its own is frozen with SIGSTOP
//       (the stop confirmed by waitpid WUNTRACED), then 1,000 C ABI calls from 100 threads,
//       half onshi_check_qualification and half onshi_get_patient_record, each with the
//       client's 2,000 ms deadline; every call must come back with an error (DEADLINE_EXCEEDED
//       or UNAVAILABLE), the goal is every call back within deadline + 100 ms. Before: one check
//       and one record read answered; after (SIGCONT): both answered again. One run whatever
//       --benchmark_repetitions says; --onshi_hung_calls=N and --onshi_hung_deadline_ms=MS
//       (the ctest smoke entry: 20 calls, 200 ms) scale it down.
// For reading (b)-(d), a second floor: one durable SQLite commit (WAL, synchronous=FULL, one
// 200-byte row per transaction) on the disk that holds the ledgers, the cost onshi pays twice
// per check.
// (b), (c) and (d) also run with a new patient id each time: the check then also creates the
// patient, and the answer becomes its first coverage version and a confirmation row, written
// in the same transaction as the ledger's answered state.
//
// The helper processes are started with posix_spawn before anything initialises gRPC here. Each
// benchmark times every iteration (wall clock) besides Google Benchmark's own accounting; after
// RunSpecifiedBenchmarks a summary prints the mean and percentiles of each over all reported
// iterations (all repetitions pooled), the spread of the repetitions' means, the ratios
// b/a, c/a, d/a and e, the goals of (f), (g) and (h) against what was measured, and the table of
// (k). The exit status is 1 when any benchmark failed (the ctest smoke entry relies on it),
// including a call of (h) that returned OK from the frozen sidecar; a missed speed goal is
// reported, not failed.
// docs/benchmarks.md gives the command line (repetitions randomly interleaved, so that a burst of
// load on a shared machine spreads over all figures instead of one).
//
// The C ABI is reached through onshi_capi_static, the archive libonshi.so is linked from: the
// same object code, called directly instead of through the .so's PLT (a few ns per call,
// ../shared/reference/toolchain.md §4). (c) needs that: a client with RuntimeOverrides cannot
// be opened through libonshi.so.

#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "adapters/oqs_files/codec.h"
#include "adapters/terminal_sim/dataset.h"
#include "adapters/terminal_sim/in_process_terminal.h"
#include "benchmark/benchmark.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/byte_buffer.h"
#include "onshi/onshi.h"
#include "onshi/v1/oqs_documents.pb.h"
#include "plugin/capi/capi_internal.h"
#include "plugin/client/client.h"
#include "plugin/common/uds.h"
#include "plugin/service/runtime.h"
#include "pugixml.hpp"
#include "sqlite3.h"
#include "tests/bench/child_process.h"

namespace onshi::bench {
namespace {

// A patient of tests/data/sim/dataset.textproto (scenario valid-kyokai-honnin): 有効.
constexpr char kInsurer[] = "01139013";
constexpr char kSymbol[] = "1001";
constexpr char kNumber[] = "25";
constexpr char kBranch[] = "00";
constexpr char kBirth[] = "19800115";
constexpr char kInstitution[] = "1310000016";

constexpr size_t kEchoBytes = 1024;
// (g): patients per batch; the goal is a batch of this size in at most 1 s.
constexpr int kBatchPatients = 10000;
constexpr char kEchoMethod[] = "/onshi.bench.Echo/Echo";
constexpr int kReadyTimeoutMs = 30000;

// (h): how many calls to the frozen sidecar, with which deadline, from how many threads. The
// defaults are reliability.md E5's figure; main() reads --onshi_hung_calls and
// --onshi_hung_deadline_ms.
struct HungSettings {
  int calls = 1000;
  int64_t deadline_ms = 2000;
  int max_threads = 100;
};
HungSettings g_hung;
// (h)'s goal: every call back within its deadline plus this.
constexpr int64_t kHungSlackMs = 100;

// ---------------------------------------------------------------------------------------------
// Per-iteration samples. Google Benchmark calls a benchmark function several times while it
// finds the iteration count; only the last call (and, with repetitions, the calls with the same
// count after it) is reported, so a call with a new count replaces the samples kept so far.

struct Samples {
  int64_t iterations = -1;
  std::vector<double> micros;
  // The mean of each kept run (one per repetition).
  std::vector<double> run_means;
};

std::map<std::string, Samples>& AllSamples() {
  static auto* samples = new std::map<std::string, Samples>();
  return *samples;
}

std::map<std::string, std::string>& Failures() {
  static auto* failures = new std::map<std::string, std::string>();
  return *failures;
}

class Recorder {
 public:
  Recorder(std::string key, const benchmark::State& state)
      : key_(std::move(key)), iterations_(state.max_iterations) {
    micros_.reserve(static_cast<size_t>(std::min<int64_t>(iterations_, 4'000'000)));
  }

  ~Recorder() {
    Samples& kept = AllSamples()[key_];
    if (kept.iterations != iterations_) {
      kept.iterations = iterations_;
      kept.micros.clear();
      kept.run_means.clear();
    }
    kept.micros.insert(kept.micros.end(), micros_.begin(), micros_.end());
    if (!micros_.empty()) {
      kept.run_means.push_back(std::accumulate(micros_.begin(), micros_.end(), 0.0) /
                               static_cast<double>(micros_.size()));
    }
  }

  void Add(std::chrono::steady_clock::duration d) {
    micros_.push_back(std::chrono::duration<double, std::micro>(d).count());
  }

  // Marks the benchmark failed (the summary and the exit status report it).
  void Fail(benchmark::State& state, const std::string& why) {
    Failures()[key_] = why;
    state.SkipWithError(why.c_str());
  }

 private:
  std::string key_;
  int64_t iterations_;
  std::vector<double> micros_;
};

// ---------------------------------------------------------------------------------------------
// The environment: temp folders, configurations, helper processes, clients.

std::string FsTypeName(const std::string& path) {
  struct statfs fs;
  if (::statfs(path.c_str(), &fs) != 0) return "unknown";
  switch (static_cast<unsigned long>(fs.f_type)) {
    case 0xEF53:
      return "ext4";
    case 0x01021994:
      return "tmpfs";
    case 0x58465342:
      return "xfs";
    case 0x9123683E:
      return "btrfs";
    case 0x794C7630:
      return "overlayfs";
    default: {
      char hex[32];
      std::snprintf(hex, sizeof(hex), "fs 0x%lx", static_cast<unsigned long>(fs.f_type));
      return hex;
    }
  }
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

bool ReadFile(const std::string& path, std::string* text) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *text = buffer.str();
  return static_cast<bool>(in) || in.eof();
}

std::string MakeTempDir(const std::string& parent, const char* prefix) {
  std::string pattern = parent + "/" + prefix + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

// A SidecarConfig in text format. `terminal_root` is served by the simulator in (d); in (b)
// and (c) the twin replaces the transport and the folder is never touched.
std::string SidecarConfigText(const std::string& state_dir, const std::string& socket_path,
                              const std::string& terminal_root) {
  std::string text = "state_dir: \"" + state_dir + "\"\n";
  if (!socket_path.empty()) text += "unix_socket_path: \"" + socket_path + "\"\n";
  text += "log_level: \"warning\"\n";
  text += "terminal {\n  root: \"" + terminal_root + "\"\n  medical_institution_code: \"" +
          std::string(kInstitution) + "\"\n}\n";
  return text;
}

// (k): one document to decode: a golden file of tests/data/oqs, or one made from it.
struct KindCase {
  DocumentKind kind;
  std::string label;     // ASCII, for the summary's columns
  std::string file;      // the golden file's stem, or a name for a made one
  std::string encoding;  // "utf8" or "sjis"
  std::string bytes;
};

struct Environment {
  std::string state_parent;     // on the disk the ledger's fsyncs go to
  std::string terminal_parent;  // /dev/shm when it is tmpfs, else state_parent
  std::string state_fs;
  std::string terminal_fs;
  std::string result_document;

  ChildProcess echo_server;
  ChildProcess twin_sidecar;
  ChildProcess simulator;
  ChildProcess onshid;
  ChildProcess hung_sidecar;  // (h): frozen during its benchmark only

  std::string echo_socket;
  std::string twin_socket;
  std::string onshid_socket;
  std::string embedded_config;

  std::shared_ptr<grpc::Channel> echo_channel;
  std::unique_ptr<grpc::GenericStub> echo_stub;
  onshi_client* twin_client = nullptr;      // (b)
  onshi_client* embedded_client = nullptr;  // (c)
  onshi_client* onshid_client = nullptr;    // (d)
  std::string hung_socket;
  onshi_client* hung_client = nullptr;  // (h): the client's deadline is g_hung.deadline_ms

  // (f): card-reader check-ins into (d)'s terminal folder, received by a subscription.
  std::string face_dir;
  std::string face_document;
  onshi_client* checkin_client = nullptr;
  onshi_subscription* checkin_subscription = nullptr;

  // (g): one simulator (batch processing time 0) per consumer of its folder, so that neither
  // consumer sees the other's answers. g1 opens an embedded client per batch on
  // batch_embedded_root; g2 goes through batch_onshid.
  ChildProcess batch_sim_embedded;
  ChildProcess batch_sim_onshid;
  ChildProcess batch_onshid;
  std::string batch_embedded_root;
  std::string batch_onshid_socket;
  onshi_client* batch_onshid_client = nullptr;

  // (k): what is decoded, in the order of the summary.
  std::vector<KindCase> kind_cases;

  ~Environment() {
    onshi_subscription_stop(checkin_subscription);
    onshi_client_close(checkin_client);
    onshi_client_close(batch_onshid_client);
    onshi_client_close(twin_client);
    onshi_client_close(embedded_client);
    onshi_client_close(onshid_client);
    onshi_client_close(hung_client);
    echo_stub.reset();
    echo_channel.reset();
    onshid.Stop();
    simulator.Stop();
    batch_onshid.Stop();
    batch_sim_onshid.Stop();
    batch_sim_embedded.Stop();
    twin_sidecar.Stop();
    hung_sidecar.Stop();  // continued first when still paused
    echo_server.Stop();
    std::error_code ignored;
    if (!state_parent.empty()) std::filesystem::remove_all(state_parent, ignored);
    if (!terminal_parent.empty() && terminal_parent != state_parent) {
      std::filesystem::remove_all(terminal_parent, ignored);
    }
  }
};

Environment* g_env = nullptr;

bool Fail(const std::string& what) {
  std::fprintf(stderr, "onshi_bench: %s\n", what.c_str());
  return false;
}

bool Spawn(ChildProcess* child, const std::vector<std::string>& argv, const std::string& log) {
  std::string error;
  if (!child->Start(argv, log, &error) || !child->WaitReady(kReadyTimeoutMs, &error)) {
    return Fail(error);
  }
  return true;
}

// Starts every helper process. Nothing in this process may have initialised gRPC yet.
bool StartProcesses(Environment* env) {
  const char* tmpdir = std::getenv("TMPDIR");
  const std::string tmp = tmpdir != nullptr && tmpdir[0] == '/' ? tmpdir : "/tmp";
  env->state_parent = MakeTempDir(tmp, "onshi-bench-");
  if (env->state_parent.empty()) return Fail("cannot create a temp directory in " + tmp);
  env->state_fs = FsTypeName(env->state_parent);
  if (FsTypeName("/dev/shm") == "tmpfs" && ::access("/dev/shm", W_OK) == 0) {
    env->terminal_parent = MakeTempDir("/dev/shm", "onshi-bench-");
  }
  if (env->terminal_parent.empty()) env->terminal_parent = env->state_parent;
  env->terminal_fs = FsTypeName(env->terminal_parent);
  const std::string& s = env->state_parent;

  if (!ReadFile(ONSHI_BENCH_RESULT_DOCUMENT, &env->result_document)) {
    return Fail("cannot read " ONSHI_BENCH_RESULT_DOCUMENT);
  }

  // Sockets live in private (0700) directories, as onshid requires.
  for (const char* dir :
       {"/sock-echo", "/sock-twin", "/sock-onshid", "/sock-batch", "/sock-hung"}) {
    if (::mkdir((s + dir).c_str(), 0700) != 0) return Fail("cannot create socket directory");
  }
  env->echo_socket = s + "/sock-echo/echo.sock";
  env->twin_socket = s + "/sock-twin/onshid.sock";
  env->onshid_socket = s + "/sock-onshid/onshid.sock";
  env->batch_onshid_socket = s + "/sock-batch/onshid.sock";
  env->hung_socket = s + "/sock-hung/onshid.sock";

  // (a)
  if (!Spawn(&env->echo_server, {ONSHI_BENCH_ECHO_SERVER, "--socket", env->echo_socket},
             s + "/echo.log")) {
    return false;
  }

  // (b)
  const std::string twin_config = s + "/twin.conf";
  if (!WriteFile(twin_config, SidecarConfigText(s + "/twin-state", env->twin_socket,
                                                s + "/twin-terminal-unused"))) {
    return Fail("cannot write " + twin_config);
  }
  if (!Spawn(&env->twin_sidecar,
             {ONSHI_BENCH_SIDECAR, "--config", twin_config, "--dataset", ONSHI_BENCH_DATASET},
             s + "/twin_sidecar.log")) {
    return false;
  }

  // (h): a stand-in sidecar of its own, so that freezing it stalls no other benchmark.
  const std::string hung_config = s + "/hung.conf";
  if (!WriteFile(hung_config, SidecarConfigText(s + "/hung-state", env->hung_socket,
                                                s + "/hung-terminal-unused"))) {
    return Fail("cannot write " + hung_config);
  }
  if (!Spawn(&env->hung_sidecar,
             {ONSHI_BENCH_SIDECAR, "--config", hung_config, "--dataset", ONSHI_BENCH_DATASET},
             s + "/hung_sidecar.log")) {
    return false;
  }

  // (c): started in this process later; only its configuration now.
  env->embedded_config = s + "/embedded.conf";
  if (!WriteFile(env->embedded_config,
                 SidecarConfigText(s + "/embedded-state", "", s + "/embedded-terminal-unused"))) {
    return Fail("cannot write " + env->embedded_config);
  }

  // (d): the simulator creates req/ res/ face/, which onshid requires to exist.
  const std::string terminal_root = env->terminal_parent + "/terminal";
  if (!Spawn(&env->simulator,
             {ONSHI_BENCH_TERMINAL_SIM, "--root", terminal_root, "--dataset", ONSHI_BENCH_DATASET,
              "--institution", kInstitution, "--latency-ms", "0", "--rescan-ms", "100"},
             s + "/simulator.log")) {
    return false;
  }
  env->face_dir = terminal_root + "/face";
  const std::string onshid_config = s + "/onshid.conf";
  if (!WriteFile(onshid_config,
                 SidecarConfigText(s + "/onshid-state", env->onshid_socket, terminal_root))) {
    return Fail("cannot write " + onshid_config);
  }
  if (!Spawn(&env->onshid, {ONSHI_BENCH_ONSHID, "--config", onshid_config}, s + "/onshid.log")) {
    return false;
  }

  // (g): both simulators answer 一括照会 results at once (the default is 2 s of 処理中).
  env->batch_embedded_root = env->terminal_parent + "/batch-terminal-embedded";
  const std::string batch_onshid_root = env->terminal_parent + "/batch-terminal-onshid";
  for (auto [child, root, log] :
       {std::tuple<ChildProcess*, std::string, std::string>{
            &env->batch_sim_embedded, env->batch_embedded_root, s + "/batch_sim_embedded.log"},
        {&env->batch_sim_onshid, batch_onshid_root, s + "/batch_sim_onshid.log"}}) {
    if (!Spawn(child,
               {ONSHI_BENCH_TERMINAL_SIM, "--root", root, "--dataset", ONSHI_BENCH_DATASET,
                "--institution", kInstitution, "--latency-ms", "0", "--batch-processing-ms", "0",
                "--rescan-ms", "100"},
               log)) {
      return false;
    }
  }
  const std::string batch_onshid_config = s + "/batch_onshid.conf";
  if (!WriteFile(batch_onshid_config,
                 SidecarConfigText(s + "/batch-onshid-state", env->batch_onshid_socket,
                                   batch_onshid_root))) {
    return Fail("cannot write " + batch_onshid_config);
  }
  return Spawn(&env->batch_onshid, {ONSHI_BENCH_ONSHID, "--config", batch_onshid_config},
               s + "/batch_onshid.log");
}

std::string ErrorText(onshi_error* err) {
  std::string text =
      err == nullptr ? std::string("(no error object)")
                     : std::string(onshi_error_reason(err)) + ": " + onshi_error_it_message(err);
  onshi_error_free(err);
  return text;
}

// `timeout_ms` 0: the C ABI's default deadlines.
bool OpenSocketClient(const std::string& socket_path, onshi_client** out, int64_t timeout_ms = 0) {
  onshi_client_options* options = onshi_client_options_new();
  onshi_error* err = nullptr;
  onshi_status status = onshi_client_options_set_socket_path(options, socket_path.c_str(), &err);
  if (status == ONSHI_OK) status = onshi_client_options_set_timeout_ms(options, timeout_ms, &err);
  if (status == ONSHI_OK) status = onshi_client_open(options, out, &err);
  onshi_client_options_free(options);
  if (status != ONSHI_OK) return Fail("onshi_client_open: " + ErrorText(err));
  return true;
}

// (c): the embedded client, with the twin as its terminal, wrapped in the C ABI's handle so
// that the benchmark calls the same onshi_check_qualification as (b) and (d).
bool OpenEmbeddedClient(Environment* env) {
  absl::StatusOr<sim::v1::Dataset> dataset = sim::LoadDataset(ONSHI_BENCH_DATASET);
  if (!dataset.ok()) return Fail("dataset: " + std::string(dataset.status().message()));
  sim::InProcessTerminalOptions twin_options;
  twin_options.dataset = *std::move(dataset);
  twin_options.institution_code = kInstitution;
  absl::StatusOr<std::unique_ptr<sim::InProcessTerminal>> twin =
      sim::InProcessTerminal::Create(std::move(twin_options));
  if (!twin.ok()) return Fail("terminal twin: " + std::string(twin.status().message()));
  service::RuntimeOverrides overrides;
  overrides.transport = *std::move(twin);
  client::ClientOptions options;
  options.embedded_config_path = env->embedded_config;
  absl::StatusOr<std::unique_ptr<client::Client>> client =
      client::Client::OpenEmbedded(options, std::move(overrides));
  if (!client.ok()) return Fail("embedded client: " + std::string(client.status().message()));
  auto handle = std::make_unique<onshi_client>();
  handle->client = *std::move(client);
  env->embedded_client = handle.release();
  return true;
}

// One qualification check through the C ABI; "" when it was answered 有効, else what went wrong.
// `timeout_ms` 0: the client's deadline.
std::string CheckOnce(onshi_client* client, const std::string& patient_id, int64_t timeout_ms = 0) {
  onshi_check_request* request = onshi_check_request_new();
  if (request == nullptr) return "onshi_check_request_new returned NULL";
  onshi_error* err = nullptr;
  onshi_status status = onshi_check_request_set_insurer_number(request, kInsurer, &err);
  if (status == ONSHI_OK) status = onshi_check_request_set_card_symbol(request, kSymbol, &err);
  if (status == ONSHI_OK) status = onshi_check_request_set_card_number(request, kNumber, &err);
  if (status == ONSHI_OK) status = onshi_check_request_set_branch_number(request, kBranch, &err);
  if (status == ONSHI_OK) status = onshi_check_request_set_birth_date(request, kBirth, &err);
  if (status == ONSHI_OK) status = onshi_check_request_set_limit_consent(request, 1, &err);
  if (status == ONSHI_OK && !patient_id.empty()) {
    status = onshi_check_request_set_patient_id(request, patient_id.c_str(), &err);
  }
  if (status == ONSHI_OK && timeout_ms > 0) {
    status = onshi_check_request_set_timeout_ms(request, timeout_ms, &err);
  }
  onshi_qualification* result = nullptr;
  if (status == ONSHI_OK) status = onshi_check_qualification(client, request, &result, &err);
  onshi_check_request_free(request);
  if (status != ONSHI_OK) {
    return std::string(onshi_status_name(status)) + " " + ErrorText(err);
  }
  std::string problem;
  if (onshi_qualification_outcome(result) != ONSHI_OUTCOME_ANSWERED) {
    problem = "outcome " + std::to_string(onshi_qualification_outcome(result)) + ", not ANSWERED";
  } else if (onshi_qualification_validity(result) != ONSHI_VALIDITY_VALID) {
    problem = "validity " + std::to_string(onshi_qualification_validity(result)) + ", not VALID";
  } else if (!patient_id.empty() &&
             (onshi_qualification_recorded_patient_id(result) != patient_id ||
              onshi_qualification_coverage_version(result) != 1)) {
    // A new patient each time: the answer must have become its first coverage version.
    problem = "the answer was not recorded as the new patient's first coverage version";
  }
  onshi_qualification_free(result);
  return problem;
}

// One echo call, the way a synchronous generated stub makes it (a completion queue per call).
grpc::Status EchoOnce(grpc::GenericStub* stub, const grpc::ByteBuffer& request,
                      grpc::ByteBuffer* reply) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
      stub->PrepareUnaryCall(&context, kEchoMethod, request, &cq);
  grpc::Status status;
  call->StartCall();
  call->Finish(reply, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  if (!cq.Next(&tag, &ok) || !ok) status = grpc::Status(grpc::StatusCode::INTERNAL, "cq failed");
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return status;
}

grpc::ByteBuffer EchoPayload() {
  std::string bytes(kEchoBytes, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>('a' + i % 26);
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string BufferBytes(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (!buffer.Dump(&slices).ok()) return bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

bool OpenClients(Environment* env) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  env->echo_channel = grpc::CreateCustomChannel(UnixSocketTarget(env->echo_socket),
                                                grpc::InsecureChannelCredentials(), args);
  if (!env->echo_channel->WaitForConnected(std::chrono::system_clock::now() +
                                           std::chrono::seconds(10))) {
    return Fail("no connection to bench_echo_server");
  }
  env->echo_stub = std::make_unique<grpc::GenericStub>(env->echo_channel);
  const grpc::ByteBuffer payload = EchoPayload();
  grpc::ByteBuffer reply;
  grpc::Status status = EchoOnce(env->echo_stub.get(), payload, &reply);
  if (!status.ok() || BufferBytes(reply) != BufferBytes(payload)) {
    return Fail("echo warm-up failed: " + status.error_message());
  }

  if (!OpenSocketClient(env->twin_socket, &env->twin_client)) return false;
  if (!OpenEmbeddedClient(env)) return false;
  if (!OpenSocketClient(env->onshid_socket, &env->onshid_client)) return false;
  if (!OpenSocketClient(env->batch_onshid_socket, &env->batch_onshid_client)) return false;
  if (!OpenSocketClient(env->hung_socket, &env->hung_client, g_hung.deadline_ms)) return false;
  // One check each before timing: connections up, SQLite pages cached, code paths warm.
  for (auto [name, client] : {std::pair<const char*, onshi_client*>{"(b)", env->twin_client},
                              {"(c)", env->embedded_client},
                              {"(d)", env->onshid_client}}) {
    const std::string problem = CheckOnce(client, "");
    if (!problem.empty()) return Fail(std::string("warm-up check ") + name + ": " + problem);
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// (f) card-reader check-ins.

// A dataset patient (kouki-1wari) that no other benchmark checks with a patient id: its face
// files match exactly one patient of the record (IDENTIFIERS), the one SetUpCheckins registers,
// so every check-in also writes the patient's confirmation, as at a real reception desk.
constexpr char kFaceScenario[] = "kouki-1wari";

// What the subscription's callback saw last. The bench waits on it after each rename.
struct FaceArrivals {
  std::mutex mu;
  std::condition_variable cv;
  std::string expected_file_id;
  bool arrived = false;
  std::chrono::steady_clock::time_point at;
  std::string event_id;
  std::string problem;
};

FaceArrivals& Arrivals() {
  static auto* arrivals = new FaceArrivals();
  return *arrivals;
}

void OnCheckin(void* /*user_data*/, const onshi_checkin* checkin) {
  // Stamped first: what follows is the bench's own bookkeeping.
  const auto now = std::chrono::steady_clock::now();
  char* json = nullptr;
  size_t length = 0;
  std::string text;
  if (onshi_checkin_to_json(checkin, &json, &length, nullptr) == ONSHI_OK) {
    text.assign(json, length);
    onshi_string_free(json);
  }
  FaceArrivals& a = Arrivals();
  std::lock_guard<std::mutex> lock(a.mu);
  if (a.expected_file_id.empty() ||
      text.find("\"file_id\":\"" + a.expected_file_id + "\"") == std::string::npos) {
    return;  // Not the file being timed.
  }
  if (onshi_checkin_match_kind(checkin) != ONSHI_MATCH_IDENTIFIERS) {
    a.problem =
        "match kind " + std::to_string(onshi_checkin_match_kind(checkin)) + ", not IDENTIFIERS";
  }
  a.arrived = true;
  a.at = now;
  a.event_id = onshi_checkin_event_id(checkin);
  a.cv.notify_all();
}

// Registers the face patient (a check naming a patient id records its coverage), encodes the
// face document, opens the subscriber.
bool SetUpCheckins(Environment* env) {
  absl::StatusOr<sim::v1::Dataset> dataset = sim::LoadDataset(ONSHI_BENCH_DATASET);
  if (!dataset.ok()) return Fail("dataset: " + std::string(dataset.status().message()));
  const sim::v1::Patient* patient = nullptr;
  for (const sim::v1::Patient& p : dataset->patients()) {
    if (p.scenario() == kFaceScenario) patient = &p;
  }
  if (patient == nullptr) return Fail(std::string("no dataset patient ") + kFaceScenario);

  onshi_check_request* request = onshi_check_request_new();
  onshi_error* err = nullptr;
  const v1::InsuranceIdentifiers& card = patient->card();
  const std::string patient_id = "bench-face-" + std::to_string(::getpid());
  onshi_status status =
      onshi_check_request_set_insurer_number(request, card.insurer_number().c_str(), &err);
  if (status == ONSHI_OK) {
    status = onshi_check_request_set_card_symbol(request, card.insured_card_symbol().c_str(), &err);
  }
  if (status == ONSHI_OK) {
    status = onshi_check_request_set_card_number(
        request, card.insured_identification_number().c_str(), &err);
  }
  if (status == ONSHI_OK) {
    status =
        onshi_check_request_set_branch_number(request, card.insured_branch_number().c_str(), &err);
  }
  if (status == ONSHI_OK) {
    status = onshi_check_request_set_birth_date(request, patient->birth_date().c_str(), &err);
  }
  if (status == ONSHI_OK) {
    status = onshi_check_request_set_patient_id(request, patient_id.c_str(), &err);
  }
  onshi_qualification* result = nullptr;
  if (status == ONSHI_OK) {
    status = onshi_check_qualification(env->onshid_client, request, &result, &err);
  }
  onshi_check_request_free(request);
  if (status != ONSHI_OK) return Fail("registering the face patient: " + ErrorText(err));
  const bool recorded = onshi_qualification_recorded_patient_id(result) == patient_id;
  onshi_qualification_free(result);
  if (!recorded) return Fail("the face patient was not recorded");

  v1::QualificationResult face;
  face.set_process_execution_time("20261123091030");
  face.set_medical_institution_code(kInstitution);
  face.set_arbitrary_file_identifier("ArnHCeDfNjMCFzg=");
  face.set_reference_classification(v1::REFERENCE_CLASSIFICATION_MY_NUMBER_CARD);
  face.set_segment_of_result(v1::SEGMENT_OF_RESULT_COMPLETED);
  face.set_character_code(v1::CHARACTER_CODE_UTF8);
  face.set_processing_result_status(v1::PROCESSING_RESULT_STATUS_NORMAL);
  face.set_qualification_validity(patient->validity());
  for (const v1::QualificationRecord& source : patient->records()) {
    v1::QualificationRecord& record = *face.add_records();
    record = source;
    v1::Consent& medication = *record.mutable_pharmacists_info_consent();
    medication.set_flag(v1::CONSENT_FLAG_GIVEN);
    medication.set_consent_time("20261123091030");
    medication.set_available_time("20261124091030");
  }
  absl::StatusOr<std::string> bytes = oqs::EncodeQualificationResult(face, oqs::EncodeOptions{});
  if (!bytes.ok()) return Fail("face document: " + std::string(bytes.status().message()));
  env->face_document = *std::move(bytes);

  if (!OpenSocketClient(env->onshid_socket, &env->checkin_client)) return false;
  status = onshi_checkin_subscribe(env->checkin_client, 0, &OnCheckin, nullptr,
                                   &env->checkin_subscription, &err);
  if (status != ONSHI_OK) return Fail("onshi_checkin_subscribe: " + ErrorText(err));
  return true;
}

// ---------------------------------------------------------------------------------------------
// (g) 10,000-patient batches and (k) the golden files.

// One line of a batch: a dataset patient's card and birth date.
struct BatchLine {
  std::string insurer;
  std::string symbol;
  std::string number;
  std::string branch;
  std::string birth;
};

// The dataset's patients the simulator answers normally (no scripted behaviour: silent, error,
// rejected, malformed or late patients would measure the fault, not the batch), taken in turn.
std::vector<BatchLine>& BatchLines() {
  static auto* lines = new std::vector<BatchLine>();
  return *lines;
}

// A document kind and the golden file that stands for it.
struct KindFile {
  DocumentKind kind;
  const char* stem;   // tests/data/oqs/<stem>.{utf8,sjis}.xml
  const char* label;  // ASCII, for the summary's columns
};

constexpr KindFile kKinds[] = {
    {DocumentKind::kQualificationRequest, "siquc01req_basic", "qualification request"},
    {DocumentKind::kQualificationAnswer, "siquc01res_medical_aid", "qualification answer"},
    {DocumentKind::kFaceCheckin, "siquc01res_face", "card-reader check-in"},
    {DocumentKind::kBatchUpload, "muquc01req_basic", "batch upload"},
    {DocumentKind::kBatchReceipt, "muquc01res_basic", "batch receipt"},
    {DocumentKind::kBatchResultRequest, "muquc02req_basic", "batch result request"},
    {DocumentKind::kBatchResult, "muquc02res_basic", "batch result"},
    {DocumentKind::kReferenceNumberRequest, "siimm01req_basic", "ref. number request"},
    {DocumentKind::kReferenceNumberResult, "siimm01res_basic", "ref. number result"},
    {DocumentKind::kBulkReferenceNumberUpload, "muimm01req_basic", "bulk ref. number upload"},
    {DocumentKind::kBulkReferenceNumberReceipt, "muimm01res_basic", "bulk ref. number receipt"},
    {DocumentKind::kBulkReferenceNumberResultRequest, "muimm02req_basic",
     "bulk ref. number result req."},
    {DocumentKind::kBulkReferenceNumberResult, "muimm02res_basic", "bulk ref. number result"},
    {DocumentKind::kMedicationRequest, "yzksiquc01req_basic", "medication request"},
    {DocumentKind::kMedicationResult, "yzksiquc01res_basic", "medication result"},
    {DocumentKind::kCheckupRequest, "tkksiquc01req_basic", "checkup request"},
    {DocumentKind::kCheckupResult, "tkksiquc01res_basic", "checkup result"},
};
constexpr const char* kEncodings[] = {"utf8", "sjis"};

// The units of the large batch result of (k): a full upload file's worth (batch_file_size's
// default), as each of the 20 result files of a 10,000-patient batch (g) carries.
constexpr int kLargeBatchUnits = 500;

std::string KindKey(const KindCase& c, bool pugixml) {
  return "k_" + c.file + "_" + c.encoding + (pugixml ? "_pugixml" : "");
}

// Loads the batch lines and the golden files, and checks that every golden file decodes as its
// kind (a benchmark of a failing decode would time the error path).
bool SetUpBatchesAndKinds(Environment* env) {
  absl::StatusOr<sim::v1::Dataset> dataset = sim::LoadDataset(ONSHI_BENCH_DATASET);
  if (!dataset.ok()) return Fail("dataset: " + std::string(dataset.status().message()));
  for (const sim::v1::Patient& p : dataset->patients()) {
    if (p.behavior() != sim::v1::BEHAVIOR_UNSPECIFIED && p.behavior() != sim::v1::BEHAVIOR_NORMAL) {
      continue;
    }
    const v1::InsuranceIdentifiers& card = p.card();
    if (card.insurer_number().empty()) continue;
    BatchLines().push_back({card.insurer_number(), card.insured_card_symbol(),
                            card.insured_identification_number(), card.insured_branch_number(),
                            p.birth_date()});
  }
  if (BatchLines().empty()) return Fail("no dataset patient for the batches");

  for (const KindFile& k : kKinds) {
    for (const char* encoding : kEncodings) {
      const std::string path =
          std::string(ONSHI_BENCH_GOLDEN_DIR) + "/" + k.stem + "." + encoding + ".xml";
      std::string bytes;
      if (!ReadFile(path, &bytes)) return Fail("cannot read " + path);
      absl::StatusOr<std::unique_ptr<google::protobuf::Message>> decoded =
          oqs::DecodeByKind(k.kind, bytes);
      if (!decoded.ok()) {
        return Fail(path + " does not decode: " + std::string(decoded.status().message()));
      }
      env->kind_cases.push_back({k.kind, k.label, k.stem, encoding, std::move(bytes)});
    }
  }

  // A batch result of kLargeBatchUnits units: the golden one's units repeated, encoded as the
  // simulator encodes its answers.
  std::string golden;
  const std::string golden_path =
      std::string(ONSHI_BENCH_GOLDEN_DIR) + "/muquc02res_basic.utf8.xml";
  if (!ReadFile(golden_path, &golden)) return Fail("cannot read " + golden_path);
  v1::BatchQualificationResultDocument large;
  absl::Status decoded = oqs::DecodeDocument(golden, oqs::DecodeLimits{}, &large);
  if (!decoded.ok() || large.units_size() == 0) return Fail(golden_path + " does not decode");
  const int golden_units = large.units_size();
  for (int i = golden_units; i < kLargeBatchUnits; ++i) {
    *large.add_units() = large.units(i % golden_units);
  }
  large.set_number_of_processing_result(kLargeBatchUnits);
  large.set_number_of_normal_processing(kLargeBatchUnits);
  large.set_number_of_error(0);
  for (const char* encoding : kEncodings) {
    oqs::EncodeOptions options;
    options.encoding =
        std::strcmp(encoding, "sjis") == 0 ? oqs::Encoding::kShiftJis : oqs::Encoding::kUtf8;
    absl::StatusOr<std::string> bytes =
        oqs::EncodeByKind(DocumentKind::kBatchResult, large, options);
    if (!bytes.ok()) {
      return Fail("large batch result: " + std::string(bytes.status().message()));
    }
    env->kind_cases.push_back({DocumentKind::kBatchResult, "batch result, 500 units",
                               "muquc02res_x500", encoding, *std::move(bytes)});
  }
  return true;
}

// What the callback of one batch saw.
struct BatchTally {
  explicit BatchTally(std::string prefix)
      : patient_prefix(std::move(prefix)), seen(kBatchPatients, 0) {}

  std::string patient_prefix;
  std::vector<char> seen;
  int results = 0;
  int repeated = 0;  // an index out of range or seen before
  int errors = 0;    // a patient without the terminal's answer
  int unanswered = 0;
  int not_recorded = 0;  // answered, but not recorded into the patient id of its line
  std::map<int32_t, int> validities;
  std::string first_error;
};

int32_t OnBatchResult(void* user_data, const onshi_batch_result* result) {
  BatchTally& t = *static_cast<BatchTally*>(user_data);
  const int32_t index = onshi_batch_result_index(result);
  if (index < 0 || index >= kBatchPatients || t.seen[static_cast<size_t>(index)] != 0) {
    ++t.repeated;
    return 0;
  }
  t.seen[static_cast<size_t>(index)] = 1;
  ++t.results;
  if (onshi_batch_result_error_code(result) != ONSHI_OK) {
    if (t.errors++ == 0) t.first_error = onshi_batch_result_error_reason(result);
    return 0;
  }
  const onshi_qualification* q = onshi_batch_result_qualification(result);
  if (onshi_qualification_outcome(q) != ONSHI_OUTCOME_ANSWERED) {
    ++t.unanswered;
    return 0;
  }
  ++t.validities[onshi_qualification_validity(q)];
  if (onshi_qualification_recorded_patient_id(q) != t.patient_prefix + std::to_string(index)) {
    ++t.not_recorded;
  }
  return 0;
}

const char* ValidityName(int32_t validity) {
  switch (validity) {
    case ONSHI_VALIDITY_VALID:
      return "valid";
    case ONSHI_VALIDITY_INVALID:
      return "invalid";
    case ONSHI_VALIDITY_INVALID_NEWER_EXISTS:
      return "invalid, newer exists";
    case ONSHI_VALIDITY_NOT_FOUND:
      return "not found";
    case ONSHI_VALIDITY_MULTIPLE:
      return "multiple";
    case ONSHI_VALIDITY_VALID_UNREGISTERED:
      return "valid, unregistered";
    default:
      return "unspecified";
  }
}

// User + system CPU time a process has used so far, in seconds (/proc/<pid>/stat); -1 when
// unreadable.
double ProcessCpuSeconds(pid_t pid) {
  std::string stat;
  if (!ReadFile("/proc/" + std::to_string(pid) + "/stat", &stat)) return -1;
  // Fields after the command name (which may hold spaces) start after the last ')'.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  // state is field 3; utime and stime are fields 14 and 15.
  for (int i = 3; i <= 15 && (fields >> field); ++i) {
    if (i == 14) utime = std::strtoull(field.c_str(), nullptr, 10);
    if (i == 15) stime = std::strtoull(field.c_str(), nullptr, 10);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Per (g) benchmark, per batch: CPU seconds of the service's process (this one for g1, the
// batch onshid for g2) and of the simulator during the timed call.
std::map<std::string, std::vector<std::pair<double, double>>>& BatchCpu() {
  static auto* cpu = new std::map<std::string, std::vector<std::pair<double, double>>>();
  return *cpu;
}

// What the last batch of each (g) benchmark answered, for the summary.
std::map<std::string, std::string>& BatchOutcomes() {
  static auto* outcomes = new std::map<std::string, std::string>();
  return *outcomes;
}

// A batch of kBatchPatients lines with a fresh request_id (onshi_batch_request_new's) and
// patient ids `prefix` + index; NULL with *problem set on failure.
onshi_batch_request* NewBatch(const std::string& prefix, std::string* problem) {
  onshi_batch_request* request = onshi_batch_request_new();
  if (request == nullptr) {
    *problem = "onshi_batch_request_new returned NULL";
    return nullptr;
  }
  const std::vector<BatchLine>& lines = BatchLines();
  for (int i = 0; i < kBatchPatients; ++i) {
    const BatchLine& line = lines[static_cast<size_t>(i) % lines.size()];
    const std::string patient_id = prefix + std::to_string(i);
    onshi_error* err = nullptr;
    if (onshi_batch_request_add_patient(
            request, patient_id.c_str(), line.insurer.c_str(), line.symbol.c_str(),
            line.number.c_str(), line.branch.c_str(), line.birth.c_str(), 1, &err) != ONSHI_OK) {
      *problem = "onshi_batch_request_add_patient: " + ErrorText(err);
      onshi_batch_request_free(request);
      return nullptr;
    }
  }
  return request;
}

// Opens an embedded client (the real file transport) on `state_dir` for (g1).
bool OpenBatchEmbeddedClient(const std::string& state_dir, onshi_client** out,
                             std::string* problem) {
  const std::string config = state_dir + ".conf";
  if (!WriteFile(config, SidecarConfigText(state_dir, "", g_env->batch_embedded_root))) {
    *problem = "cannot write " + config;
    return false;
  }
  onshi_client_options* options = onshi_client_options_new();
  onshi_error* err = nullptr;
  onshi_status status = onshi_client_options_set_embedded_config(options, config.c_str(), &err);
  if (status == ONSHI_OK) status = onshi_client_open(options, out, &err);
  onshi_client_options_free(options);
  if (status != ONSHI_OK) {
    *problem = "embedded onshi_client_open: " + ErrorText(err);
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The benchmarks.

void BM_Echo(benchmark::State& state, const std::string& key) {
  Recorder recorder(key, state);
  const grpc::ByteBuffer payload = EchoPayload();
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    grpc::Status status;
    size_t length = 0;
    {
      grpc::ByteBuffer reply;
      status = EchoOnce(g_env->echo_stub.get(), payload, &reply);
      length = reply.Length();
    }
    recorder.Add(std::chrono::steady_clock::now() - start);
    if (!status.ok() || length != kEchoBytes) {
      recorder.Fail(state, "echo failed: " + status.error_message());
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(2 * kEchoBytes));
}

void BM_Check(benchmark::State& state, const std::string& key, onshi_client* client,
              bool with_record) {
  Recorder recorder(key, state);
  // Patient ids unique across calls of this function and across runs on the same database.
  static std::atomic<int64_t> next_patient{0};
  const std::string prefix = "bench-" + key + "-" + std::to_string(::getpid()) + "-";
  for (auto _ : state) {
    const std::string patient_id =
        with_record ? prefix + std::to_string(next_patient.fetch_add(1)) : std::string();
    const auto start = std::chrono::steady_clock::now();
    const std::string problem = CheckOnce(client, patient_id);
    recorder.Add(std::chrono::steady_clock::now() - start);
    if (!problem.empty()) {
      recorder.Fail(state, problem);
      break;
    }
  }
}

void BM_FaceCheckin(benchmark::State& state, const std::string& key) {
  Recorder recorder(key, state);
  static std::atomic<int64_t> next_file{0};
  const std::string prefix = std::string(kInstitution) + "b" + std::to_string(::getpid()) + "x";
  FaceArrivals& arrivals = Arrivals();
  for (auto _ : state) {
    const std::string file_id = prefix + std::to_string(next_file.fetch_add(1)) + "_20261123091030";
    const std::string temp = g_env->face_dir + "/.onshi-tmp-bench-" + file_id;
    const std::string final_name = g_env->face_dir + "/OQSsiquc01res_face_" + file_id + ".xml";
    // Written under a temp name first, untimed, as the terminal's writer would.
    if (!WriteFile(temp, g_env->face_document)) {
      recorder.Fail(state, "cannot write " + temp);
      break;
    }
    {
      std::lock_guard<std::mutex> lock(arrivals.mu);
      arrivals.expected_file_id = file_id;
      arrivals.arrived = false;
      arrivals.problem.clear();
    }
    const auto start = std::chrono::steady_clock::now();
    if (::rename(temp.c_str(), final_name.c_str()) != 0) {
      recorder.Fail(state, "cannot rename the face file into face/");
      break;
    }
    std::string event_id;
    std::string problem;
    std::chrono::steady_clock::time_point at;
    {
      std::unique_lock<std::mutex> lock(arrivals.mu);
      if (!arrivals.cv.wait_for(lock, std::chrono::seconds(10), [&] { return arrivals.arrived; })) {
        problem = "no callback within 10 s of the rename";
      } else {
        at = arrivals.at;
        event_id = arrivals.event_id;
        problem = arrivals.problem;
      }
      arrivals.expected_file_id.clear();
    }
    if (!problem.empty()) {
      recorder.Fail(state, problem);
      break;
    }
    recorder.Add(at - start);
    // Untimed: a host acknowledges what it showed.
    onshi_error* err = nullptr;
    if (onshi_checkin_ack(g_env->checkin_client, event_id.c_str(), &err) != ONSHI_OK) {
      recorder.Fail(state, "onshi_checkin_ack: " + ErrorText(err));
      break;
    }
  }
}

void BM_Decode(benchmark::State& state, const std::string& key) {
  Recorder recorder(key, state);
  const std::string& bytes = g_env->result_document;
  for (auto _ : state) {
    // Timed with the message's destruction: what a caller pays per document.
    const auto start = std::chrono::steady_clock::now();
    absl::Status status;
    {
      absl::StatusOr<v1::QualificationResult> result = oqs::DecodeQualificationResult(bytes);
      benchmark::DoNotOptimize(result);
      status = result.status();
    }
    recorder.Add(std::chrono::steady_clock::now() - start);
    if (!status.ok()) {
      recorder.Fail(state, "decode failed: " + std::string(status.message()));
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

// `options` 0: pugixml's defaults (parse_default, encoding detected), the plain "parse this
// XML" a hand-written reader would do; otherwise the flags given.
void BM_Pugixml(benchmark::State& state, const std::string& key, unsigned options,
                pugi::xml_encoding encoding) {
  Recorder recorder(key, state);
  const std::string& bytes = g_env->result_document;
  for (auto _ : state) {
    // Timed with the document's destruction, as the decode above.
    const auto start = std::chrono::steady_clock::now();
    pugi::xml_parse_result parsed;
    {
      pugi::xml_document doc;
      parsed = doc.load_buffer(bytes.data(), bytes.size(), options, encoding);
      benchmark::DoNotOptimize(doc);
    }
    recorder.Add(std::chrono::steady_clock::now() - start);
    if (!parsed) {
      recorder.Fail(state, std::string("pugixml: ") + parsed.description());
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

// One autocommit INSERT per iteration into a WAL database with synchronous=FULL, as the store
// configures its connection (adapters/store_sqlite): the price of one durable commit here.
void BM_SqliteCommit(benchmark::State& state, const std::string& key) {
  Recorder recorder(key, state);
  const std::string path = g_env->state_parent + "/commit-floor.db";
  sqlite3* db = nullptr;
  sqlite3_stmt* insert = nullptr;
  const char* setup =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, v BLOB NOT NULL);";
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK ||
      sqlite3_exec(db, setup, nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db, "INSERT INTO t(v) VALUES(?1)", -1, &insert, nullptr) != SQLITE_OK) {
    recorder.Fail(state, std::string("sqlite setup: ") + sqlite3_errmsg(db));
    sqlite3_close(db);
    return;
  }
  const std::string row(200, 'x');
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    sqlite3_bind_blob(insert, 1, row.data(), static_cast<int>(row.size()), SQLITE_STATIC);
    const int rc = sqlite3_step(insert);
    sqlite3_reset(insert);
    recorder.Add(std::chrono::steady_clock::now() - start);
    if (rc != SQLITE_DONE) {
      recorder.Fail(state, std::string("sqlite insert: ") + sqlite3_errmsg(db));
      break;
    }
  }
  sqlite3_finalize(insert);
  sqlite3_close(db);
}

// (g): one batch per iteration, timed with manual time (the setup around it is not).
// `embedded`: g1, a new embedded client on a new state directory per batch (opened and closed
// untimed; the directory is removed afterwards); else g2, onshid's client, whose store keeps
// every batch of the run.
void BM_Batch(benchmark::State& state, const std::string& key, bool embedded) {
  Recorder recorder(key, state);
  static std::atomic<int> next_batch{0};
  for (auto _ : state) {
    const int n = next_batch.fetch_add(1);
    const std::string tag =
        key.substr(0, 2) + "-" + std::to_string(::getpid()) + "-" + std::to_string(n);
    std::string problem;
    onshi_client* client = g_env->batch_onshid_client;
    onshi_client* own = nullptr;
    const std::string state_dir = g_env->state_parent + "/batch-" + tag;
    if (embedded) {
      if (!OpenBatchEmbeddedClient(state_dir, &own, &problem)) {
        recorder.Fail(state, problem);
        break;
      }
      client = own;
    }
    const std::string prefix = "bat-" + tag + "-";
    onshi_batch_request* request = NewBatch(prefix, &problem);
    if (request == nullptr) {
      onshi_client_close(own);
      recorder.Fail(state, problem);
      break;
    }
    BatchTally tally(prefix);
    onshi_error* err = nullptr;
    const pid_t service_pid = embedded ? ::getpid() : g_env->batch_onshid.pid();
    const pid_t simulator_pid =
        embedded ? g_env->batch_sim_embedded.pid() : g_env->batch_sim_onshid.pid();
    const double service_cpu = ProcessCpuSeconds(service_pid);
    const double simulator_cpu = ProcessCpuSeconds(simulator_pid);
    const auto start = std::chrono::steady_clock::now();
    const onshi_status status = onshi_batch_run(client, request, &OnBatchResult, &tally, &err);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    BatchCpu()[key].emplace_back(ProcessCpuSeconds(service_pid) - service_cpu,
                                 ProcessCpuSeconds(simulator_pid) - simulator_cpu);
    state.SetIterationTime(std::chrono::duration<double>(elapsed).count());
    recorder.Add(elapsed);
    onshi_batch_request_free(request);
    onshi_client_close(own);
    if (embedded) {
      std::error_code ignored;
      std::filesystem::remove_all(state_dir, ignored);
      std::filesystem::remove(state_dir + ".conf", ignored);
    }
    if (status != ONSHI_OK) {
      problem = "onshi_batch_run: " + std::string(onshi_status_name(status)) + " " + ErrorText(err);
    } else if (tally.results != kBatchPatients || tally.repeated != 0) {
      problem = std::to_string(tally.results) + " results, " + std::to_string(tally.repeated) +
                " repeated, for " + std::to_string(kBatchPatients) + " patients";
    } else if (tally.errors != 0 || tally.unanswered != 0) {
      problem = std::to_string(tally.errors) + " patients failed (first: " + tally.first_error +
                "), " + std::to_string(tally.unanswered) + " unanswered";
    } else if (tally.not_recorded != 0) {
      problem = std::to_string(tally.not_recorded) + " answers not recorded into their patient";
    }
    if (!problem.empty()) {
      recorder.Fail(state, problem);
      break;
    }
    std::string outcome = "last batch: " + std::to_string(tally.results) + " answered";
    for (const auto& [validity, count] : tally.validities) {
      outcome += std::string(", ") + ValidityName(validity) + " " + std::to_string(count);
    }
    BatchOutcomes()[key] = outcome;
  }
  state.SetItemsProcessed(state.iterations() * kBatchPatients);
}

// ---------------------------------------------------------------------------------------------
// (h) a hung sidecar (reliability.md E5).

// What the last run of (h) saw, for the summary.
struct HungOutcome {
  bool measured = false;
  int calls = 0;
  int threads = 0;
  int64_t deadline_ms = 0;
  int ok_calls = 0;          // answered although the sidecar was frozen: a correctness failure
  int unexpected_calls = 0;  // an error other than DEADLINE_EXCEEDED or UNAVAILABLE
  double wall_s = 0;
  // "<function>: <status> <reason>" -> calls.
  std::map<std::string, int> tally;
};

HungOutcome& LastHungOutcome() {
  static auto* outcome = new HungOutcome();
  return *outcome;
}

// One call of (h) with the client's deadline: even-numbered calls check a card, odd ones open
// the record of `patient_id`. Only the C ABI call itself is timed: that is how long the host's
// thread is held.
struct HungCall {
  std::chrono::steady_clock::duration took{};
  onshi_status status = ONSHI_OK;
  std::string what;  // "<function>: <status> <reason>"
};

HungCall CallFrozen(onshi_client* client, int index, const std::string& patient_id) {
  HungCall call;
  onshi_error* err = nullptr;
  const char* function = nullptr;
  if (index % 2 == 0) {
    function = "onshi_check_qualification";
    onshi_check_request* request = onshi_check_request_new();
    onshi_status status = request == nullptr ? ONSHI_INTERNAL : ONSHI_OK;
    if (status == ONSHI_OK)
      status = onshi_check_request_set_insurer_number(request, kInsurer, &err);
    if (status == ONSHI_OK) status = onshi_check_request_set_card_symbol(request, kSymbol, &err);
    if (status == ONSHI_OK) status = onshi_check_request_set_card_number(request, kNumber, &err);
    if (status == ONSHI_OK) status = onshi_check_request_set_branch_number(request, kBranch, &err);
    if (status == ONSHI_OK) status = onshi_check_request_set_birth_date(request, kBirth, &err);
    onshi_qualification* result = nullptr;
    if (status == ONSHI_OK) {
      const auto start = std::chrono::steady_clock::now();
      status = onshi_check_qualification(client, request, &result, &err);
      call.took = std::chrono::steady_clock::now() - start;
    } else {
      function = "onshi_check_request_set_*";  // never timed; reported as unexpected
    }
    onshi_check_request_free(request);
    onshi_qualification_free(result);
    call.status = status;
  } else {
    function = "onshi_get_patient_record";
    char* json = nullptr;
    const auto start = std::chrono::steady_clock::now();
    call.status = onshi_get_patient_record(client, patient_id.c_str(), 0, &json, nullptr, &err);
    call.took = std::chrono::steady_clock::now() - start;
    onshi_string_free(json);
  }
  call.what = std::string(function) + ": " + onshi_status_name(call.status);
  if (err != nullptr) call.what += std::string(" ") + onshi_error_reason(err);
  onshi_error_free(err);
  return call;
}

// Opens the record of `patient_id` with a generous deadline; "" when it was returned.
std::string ReadRecordOnce(onshi_client* client, const std::string& patient_id) {
  char* json = nullptr;
  onshi_error* err = nullptr;
  const onshi_status status =
      onshi_get_patient_record(client, patient_id.c_str(), 10000, &json, nullptr, &err);
  onshi_string_free(json);
  if (status != ONSHI_OK) return std::string(onshi_status_name(status)) + " " + ErrorText(err);
  onshi_error_free(err);
  return "";
}

// (h): one measurement per repetition is all there is (Iterations(1), Repetitions(1)).
void BM_HungSidecar(benchmark::State& state, const std::string& key) {
  Recorder recorder(key, state);
  onshi_client* client = g_env->hung_client;
  ChildProcess& sidecar = g_env->hung_sidecar;
  static std::atomic<int64_t> next_patient{0};
  for (auto _ : state) {
    // Before: the sidecar answers a check that records a patient, and that patient's record.
    // These two calls (and the two after) get 10 s: they must not fail for a slow machine.
    const std::string patient_id =
        "bench-hung-" + std::to_string(::getpid()) + "-" + std::to_string(next_patient++);
    std::string problem = CheckOnce(client, patient_id, 10000);
    if (problem.empty()) problem = ReadRecordOnce(client, patient_id);
    if (!problem.empty()) {
      recorder.Fail(state, "before the stop: " + problem);
      break;
    }
    std::string error;
    if (!sidecar.Pause(&error)) {
      recorder.Fail(state, "SIGSTOP: " + error);
      break;
    }

    const int calls = g_hung.calls;
    const int threads = std::max(1, std::min(g_hung.max_threads, calls));
    std::vector<HungCall> results(static_cast<size_t>(calls));
    std::vector<std::thread> workers;
    workers.reserve(static_cast<size_t>(threads));
    const auto start = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&results, client, &patient_id, t, threads, calls] {
        for (int i = t; i < calls; i += threads) {
          results[static_cast<size_t>(i)] = CallFrozen(client, i, patient_id);
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    const auto wall = std::chrono::steady_clock::now() - start;

    const bool resumed = sidecar.Resume(&error);
    HungOutcome outcome;
    outcome.measured = true;
    outcome.calls = calls;
    outcome.threads = threads;
    outcome.deadline_ms = g_hung.deadline_ms;
    outcome.wall_s = std::chrono::duration<double>(wall).count();
    for (const HungCall& call : results) {
      recorder.Add(call.took);
      ++outcome.tally[call.what];
      if (call.status == ONSHI_OK) {
        ++outcome.ok_calls;
      } else if (call.status != ONSHI_DEADLINE_EXCEEDED && call.status != ONSHI_UNAVAILABLE) {
        ++outcome.unexpected_calls;
      }
    }
    LastHungOutcome() = outcome;
    state.SetIterationTime(outcome.wall_s);
    if (outcome.ok_calls != 0 || outcome.unexpected_calls != 0) {
      recorder.Fail(state, std::to_string(outcome.ok_calls) + " calls returned OK and " +
                               std::to_string(outcome.unexpected_calls) +
                               " another error than DEADLINE_EXCEEDED or UNAVAILABLE from the "
                               "stopped sidecar");
      break;
    }
    if (!resumed) {
      recorder.Fail(state, "SIGCONT: " + error);
      break;
    }
    // After: the same client is served again, record included.
    problem = CheckOnce(client, patient_id, 10000);
    if (problem.empty()) problem = ReadRecordOnce(client, patient_id);
    if (!problem.empty()) {
      recorder.Fail(state, "after SIGCONT: " + problem);
      break;
    }
  }
  // A failure above may leave it frozen: the other benchmarks do not use it, and Stop()
  // continues it before terminating it, but thaw it now all the same.
  if (sidecar.paused()) {
    std::string ignored;
    sidecar.Resume(&ignored);
  }
}

// (k): DecodeByKind of one golden file, timed with the message's destruction, as (e1).
void BM_DecodeKind(benchmark::State& state, const std::string& key, size_t index) {
  Recorder recorder(key, state);
  const KindCase& c = g_env->kind_cases[index];
  const std::string& bytes = c.bytes;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    absl::Status status;
    {
      absl::StatusOr<std::unique_ptr<google::protobuf::Message>> message =
          oqs::DecodeByKind(c.kind, bytes);
      benchmark::DoNotOptimize(message);
      status = message.status();
    }
    recorder.Add(std::chrono::steady_clock::now() - start);
    if (!status.ok()) {
      recorder.Fail(state, "decode failed: " + std::string(status.message()));
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

// (k): pugixml's load_buffer with its defaults on the same bytes, as (e2). pugixml knows no
// Shift_JIS: it reads those bytes without converting them, which is the parse floor still.
void BM_PugixmlKind(benchmark::State& state, const std::string& key, size_t index) {
  Recorder recorder(key, state);
  const std::string& bytes = g_env->kind_cases[index].bytes;
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    pugi::xml_parse_result parsed;
    {
      pugi::xml_document doc;
      parsed =
          doc.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_auto);
      benchmark::DoNotOptimize(doc);
    }
    recorder.Add(std::chrono::steady_clock::now() - start);
    if (!parsed) {
      recorder.Fail(state, std::string("pugixml: ") + parsed.description());
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}

// The flags onshi's codec parses with (adapters/oqs_files/codec.cc kParseOptions).
constexpr unsigned kCodecParseOptions =
    pugi::parse_cdata | pugi::parse_eol | pugi::parse_ws_pcdata_single | pugi::parse_doctype |
    pugi::parse_declaration | pugi::parse_fragment | pugi::parse_embed_pcdata;

struct Row {
  const char* key;
  const char* label;
};

constexpr Row kRows[] = {
    {"a_echo", "(a)  gRPC unary echo 1 KiB, UDS, 2 processes"},
    {"b_sidecar_twin", "(b)  C ABI -> bench_sidecar -> twin"},
    {"b_sidecar_twin_record", "(b+) same, with patient record write"},
    {"c_embedded_twin", "(c)  C ABI embedded -> twin"},
    {"c_embedded_twin_record", "(c+) same, with patient record write"},
    {"d_onshid_files_sim", "(d)  C ABI -> onshid -> files -> simulator"},
    {"d_onshid_files_sim_record", "(d+) same, with patient record write"},
    {"f_face_checkin", "(f)  face file rename -> C ABI callback (onshid)"},
    {"g1_batch_10000_embedded", "(g1) batch of 10,000, embedded, fresh state"},
    {"g2_batch_10000_onshid", "(g2) batch of 10,000 via onshid, store grows"},
    {"h_hung_sidecar", "(h)  C ABI call -> frozen sidecar -> error"},
    {"e_decode", "(e1) DecodeQualificationResult"},
    {"e_pugixml", "(e2) pugixml load_buffer, defaults"},
    {"e_pugixml_codec_flags", "(e3) pugixml load_buffer, codec's flags"},
    {"s_sqlite_commit", "(s)  SQLite commit, WAL+FULL, ledger disk"},
};

void RegisterAll() {
  auto add = [](const char* key, auto&& fn) {
    return benchmark::RegisterBenchmark(
               key, [key = std::string(key), fn](benchmark::State& st) { fn(st, key); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  };
  add("a_echo", [](benchmark::State& st, const std::string& key) { BM_Echo(st, key); });
  add("b_sidecar_twin", [](benchmark::State& st, const std::string& key) {
    BM_Check(st, key, g_env->twin_client, false);
  });
  add("b_sidecar_twin_record", [](benchmark::State& st, const std::string& key) {
    BM_Check(st, key, g_env->twin_client, true);
  });
  add("c_embedded_twin", [](benchmark::State& st, const std::string& key) {
    BM_Check(st, key, g_env->embedded_client, false);
  });
  add("c_embedded_twin_record", [](benchmark::State& st, const std::string& key) {
    BM_Check(st, key, g_env->embedded_client, true);
  });
  add("d_onshid_files_sim", [](benchmark::State& st, const std::string& key) {
    BM_Check(st, key, g_env->onshid_client, false);
  });
  add("d_onshid_files_sim_record", [](benchmark::State& st, const std::string& key) {
    BM_Check(st, key, g_env->onshid_client, true);
  });
  add("f_face_checkin",
      [](benchmark::State& st, const std::string& key) { BM_FaceCheckin(st, key); });
  add("e_decode", [](benchmark::State& st, const std::string& key) { BM_Decode(st, key); });
  add("e_pugixml", [](benchmark::State& st, const std::string& key) {
    BM_Pugixml(st, key, pugi::parse_default, pugi::encoding_auto);
  });
  add("e_pugixml_codec_flags", [](benchmark::State& st, const std::string& key) {
    BM_Pugixml(st, key, kCodecParseOptions, pugi::encoding_utf8);
  });
  add("s_sqlite_commit",
      [](benchmark::State& st, const std::string& key) { BM_SqliteCommit(st, key); });

  // (g): one batch per repetition (a batch takes about a second; --benchmark_repetitions sets
  // how many), timed by the benchmark itself (manual time), not including the untimed setup.
  for (const auto& [key, embedded] : {std::pair<const char*, bool>{"g1_batch_10000_embedded", true},
                                      {"g2_batch_10000_onshid", false}}) {
    benchmark::RegisterBenchmark(key, [key = std::string(key), embedded = embedded](
                                          benchmark::State& st) { BM_Batch(st, key, embedded); })
        ->UseManualTime()
        ->Iterations(1)
        ->Unit(benchmark::kMillisecond);
  }

  // (h): one run of calls.calls calls, however many repetitions the others make.
  benchmark::RegisterBenchmark("h_hung_sidecar",
                               [](benchmark::State& st) { BM_HungSidecar(st, "h_hung_sidecar"); })
      ->UseManualTime()
      ->Iterations(1)
      ->Repetitions(1)
      ->Unit(benchmark::kMillisecond);

  // (k)
  for (size_t i = 0; i < g_env->kind_cases.size(); ++i) {
    const std::string decode_key = KindKey(g_env->kind_cases[i], false);
    const std::string pugixml_key = KindKey(g_env->kind_cases[i], true);
    benchmark::RegisterBenchmark(
        decode_key.c_str(),
        [decode_key, i](benchmark::State& st) { BM_DecodeKind(st, decode_key, i); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(
        pugixml_key.c_str(),
        [pugixml_key, i](benchmark::State& st) { BM_PugixmlKind(st, pugixml_key, i); })
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
}

// ---------------------------------------------------------------------------------------------
// The summary.

struct Stats {
  size_t n = 0;
  double mean = 0, p50 = 0, p90 = 0, p99 = 0, max = 0;
  // Over repetitions: how many, and the lowest and highest mean of one.
  size_t runs = 0;
  double run_min = 0, run_max = 0;
};

double Percentile(std::vector<double>* sorted, double p) {
  const size_t index =
      std::min(sorted->size() - 1, static_cast<size_t>(p * static_cast<double>(sorted->size())));
  return (*sorted)[index];
}

bool StatsFor(const std::string& key, Stats* out) {
  auto it = AllSamples().find(key);
  if (it == AllSamples().end() || it->second.micros.empty()) return false;
  std::vector<double> v = it->second.micros;
  std::sort(v.begin(), v.end());
  out->n = v.size();
  out->mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  out->p50 = Percentile(&v, 0.50);
  out->p90 = Percentile(&v, 0.90);
  out->p99 = Percentile(&v, 0.99);
  out->max = v.back();
  const std::vector<double>& runs = it->second.run_means;
  out->runs = runs.size();
  if (!runs.empty()) {
    out->run_min = *std::min_element(runs.begin(), runs.end());
    out->run_max = *std::max_element(runs.begin(), runs.end());
  }
  return true;
}

void PrintRatio(const char* name, const char* num, const char* den, const char* what) {
  Stats a, b;
  if (!StatsFor(num, &a) || !StatsFor(den, &b)) {
    std::printf("  %-22s n/a (not run)\n", name);
    return;
  }
  std::printf("  %-22s %7.2f (p50)  %7.2f (mean)   %s\n", name, a.p50 / b.p50, a.mean / b.mean,
              what);
}

// (h): reliability.md E5's figure.
void PrintHungGoal() {
  const char* label = "(h)  E5 hung sidecar: every call an error";
  const HungOutcome& h = LastHungOutcome();
  Stats s;
  if (!h.measured || !StatsFor("h_hung_sidecar", &s)) {
    std::printf("  %-44s not measured\n", label);
    return;
  }
  const double bound_ms = static_cast<double>(h.deadline_ms + kHungSlackMs);
  const bool correct = h.ok_calls == 0 && h.unexpected_calls == 0;
  const bool in_time = s.max / 1000 <= bound_ms;
  std::printf(
      "  %-44s %d calls (%d threads, %.1f s), deadline %lld ms: %d OK, %d other errors;\n"
      "      latency p50 %.1f ms, p99 %.1f ms, max %.1f ms (goal every call <= %.0f ms): %s\n",
      label, h.calls, h.threads, h.wall_s, static_cast<long long>(h.deadline_ms), h.ok_calls,
      h.unexpected_calls, s.p50 / 1000, s.p99 / 1000, s.max / 1000, bound_ms,
      correct && in_time
          ? "met"
          : (!correct ? "NOT met (a call did not fail as it must)"
                      : (s.p99 / 1000 <= bound_ms ? "NOT met (met by the p99)" : "NOT met")));
  for (const auto& [what, count] : h.tally) {
    std::printf("      %5d  %s\n", count, what.c_str());
  }
}

void PrintSummary(const Environment& env) {
  std::printf("\nonshi_bench summary (wall clock per call, from every timed iteration)\n");
  std::printf("  ledger/state dirs: %s (%s); terminal folder of (d): %s (%s)\n",
              env.state_parent.c_str(), env.state_fs.c_str(), env.terminal_parent.c_str(),
              env.terminal_fs.c_str());
  std::printf("  result document of (e): %zu bytes\n\n", env.result_document.size());
  std::printf("  %-44s %9s %10s %10s %10s %10s %10s  %s\n", "", "calls", "mean us", "p50 us",
              "p90 us", "p99 us", "max us", "runs: min-max of their means, us");
  for (const Row& row : kRows) {
    auto failed = Failures().find(row.key);
    Stats s;
    if (failed != Failures().end()) {
      std::printf("  %-44s FAILED: %s\n", row.label, failed->second.c_str());
    } else if (!StatsFor(row.key, &s)) {
      std::printf("  %-44s not run\n", row.label);
    } else {
      std::printf("  %-44s %9zu %10.1f %10.1f %10.1f %10.1f %10.1f  %zu: %.1f-%.1f\n", row.label,
                  s.n, s.mean, s.p50, s.p90, s.p99, s.max, s.runs, s.run_min, s.run_max);
    }
  }
  std::printf("\n  ratios\n");
  PrintRatio("b/a", "b_sidecar_twin", "a_echo", "onshi via onshid vs the bare gRPC floor");
  PrintRatio("b+/a", "b_sidecar_twin_record", "a_echo", "same, with the record write");
  PrintRatio("c/a", "c_embedded_twin", "a_echo", "embedded vs the floor");
  PrintRatio("c+/a", "c_embedded_twin_record", "a_echo", "same, with the record write");
  PrintRatio("d/a", "d_onshid_files_sim", "a_echo", "full path through files vs the floor");
  PrintRatio("d+/a", "d_onshid_files_sim_record", "a_echo", "same, with the record write");
  PrintRatio("e = decode/pugixml", "e_decode", "e_pugixml", "codec vs pugixml parse alone");
  PrintRatio("decode/pugixml(codec)", "e_decode", "e_pugixml_codec_flags",
             "codec vs its own parse step");
  PrintRatio("c/s", "c_embedded_twin", "s_sqlite_commit",
             "embedded check vs one durable commit (a check makes two)");
  PrintRatio("f/s", "f_face_checkin", "s_sqlite_commit",
             "check-in latency vs one durable commit (a check-in makes one)");

  std::printf("\n  goals (issue 3, item 7; (h): reliability.md E5)\n");
  Stats f;
  if (StatsFor("f_face_checkin", &f) && Failures().count("f_face_checkin") == 0) {
    std::printf("  %-44s p50 %.3f ms, p99 %.3f ms (goal p99 <= 2 ms): %s\n",
                "(f)  face file -> event at the host", f.p50 / 1000, f.p99 / 1000,
                f.p99 <= 2000 ? "met" : "NOT met");
  } else {
    std::printf("  %-44s not measured\n", "(f)  face file -> event at the host");
  }
  for (const char* key : {"g1_batch_10000_embedded", "g2_batch_10000_onshid"}) {
    Stats g;
    const char* label = key[1] == '1' ? "(g1) batch of 10,000, embedded, fresh state"
                                      : "(g2) batch of 10,000 via onshid, store grows";
    if (!StatsFor(key, &g) || Failures().count(key) != 0) {
      std::printf("  %-44s not measured\n", label);
      continue;
    }
    auto it = AllSamples().find(key);
    std::string each;
    for (double us : it->second.micros) {
      char one[32];
      std::snprintf(one, sizeof(one), "%s%.3f", each.empty() ? "" : ", ", us / 1e6);
      each += one;
    }
    std::printf(
        "  %-44s %zu batches: median %.3f s, max %.3f s, %.0f patients/s (goal <= 1 s): "
        "%s\n      each, in run order: %s s\n      %s\n",
        label, g.n, g.p50 / 1e6, g.max / 1e6, kBatchPatients / (g.p50 / 1e6),
        g.max <= 1e6 ? "met" : (g.p50 <= 1e6 ? "met by the median, not by every batch" : "NOT met"),
        each.c_str(), BatchOutcomes()[key].c_str());
    std::string cpu;
    for (const auto& [service, simulator] : BatchCpu()[key]) {
      char one[48];
      std::snprintf(one, sizeof(one), "%s%.2f + %.2f", cpu.empty() ? "" : ", ", service, simulator);
      cpu += one;
    }
    std::printf("      CPU during each, s (service's process + simulator): %s\n", cpu.c_str());
  }
  PrintHungGoal();

  std::printf(
      "\n  (k) decode per document kind: DecodeByKind vs pugixml load_buffer (defaults), same "
      "bytes;\n      p50 per document, MB/s = bytes / p50 (10^6 bytes)\n");
  std::printf("  %-29s %-23s %4s %7s %10s %8s %9s %10s %7s\n", "kind", "golden file", "enc",
              "bytes", "decode us", "MB/s", "docs/s", "pugixml us", "ratio");
  for (const KindCase& c : env.kind_cases) {
    const std::string decode_key = KindKey(c, false);
    const std::string pugixml_key = KindKey(c, true);
    const char* label = c.label.c_str();
    const char* file = c.file.c_str();
    const char* encoding = c.encoding.c_str();
    Stats d, x;
    if (Failures().count(decode_key) != 0 || Failures().count(pugixml_key) != 0) {
      std::printf("  %-29s %-23s %4s FAILED\n", label, file, encoding);
    } else if (!StatsFor(decode_key, &d) || !StatsFor(pugixml_key, &x)) {
      std::printf("  %-29s %-23s %4s not run\n", label, file, encoding);
    } else {
      std::printf("  %-29s %-23s %4s %7zu %10.2f %8.1f %9.0f %10.2f %7.2f\n", label, file, encoding,
                  c.bytes.size(), d.p50, static_cast<double>(c.bytes.size()) / d.p50, 1e6 / d.p50,
                  x.p50, d.p50 / x.p50);
    }
  }
  std::fflush(stdout);
}

}  // namespace
}  // namespace onshi::bench

int main(int argc, char** argv) {
  using onshi::bench::Environment;
  // (h)'s own flags, taken out before Google Benchmark sees the command line.
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    long long value = 0;
    if (std::sscanf(arg.c_str(), "--onshi_hung_calls=%lld", &value) == 1) {
      if (value < 1 || value > 100000) {
        std::fprintf(stderr, "onshi_bench: --onshi_hung_calls must be 1 ... 100000\n");
        return 2;
      }
      onshi::bench::g_hung.calls = static_cast<int>(value);
    } else if (std::sscanf(arg.c_str(), "--onshi_hung_deadline_ms=%lld", &value) == 1) {
      if (value < 1 || value > 60000) {
        std::fprintf(stderr, "onshi_bench: --onshi_hung_deadline_ms must be 1 ... 60000\n");
        return 2;
      }
      onshi::bench::g_hung.deadline_ms = value;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  argv[argc] = nullptr;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;

  onshi::bench::StopChildrenOnFatalSignals();
  auto env = std::make_unique<Environment>();
  onshi::bench::g_env = env.get();
  // Processes first: gRPC must not be initialised in this process before posix_spawn.
  if (!onshi::bench::StartProcesses(env.get()) || !onshi::bench::OpenClients(env.get()) ||
      !onshi::bench::SetUpCheckins(env.get()) || !onshi::bench::SetUpBatchesAndKinds(env.get())) {
    return 1;
  }
  onshi::bench::RegisterAll();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  onshi::bench::PrintSummary(*env);
  const bool failed = !onshi::bench::Failures().empty();
  onshi::bench::g_env = nullptr;
  env.reset();
  return failed ? 1 : 0;
}
