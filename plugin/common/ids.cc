#include "plugin/common/ids.h"

#include <sys/random.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>

namespace onshi {
namespace {

// SplitMix64: spreads the fallback seed below over all bits.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void FillRandom(uint8_t* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = getrandom(out + done, n - done, 0);
    if (got > 0) {
      done += static_cast<size_t>(got);
    } else if (got < 0 && errno == EINTR) {
      continue;
    } else {
      break;
    }
  }
  if (done == n) return;
  // getrandom() only fails on kernels without it (before 3.17). These ids must be unique, not
  // secret: mix time, pid and a process-wide counter rather than abort the host process.
  static std::atomic<uint64_t> counter{0};
  uint64_t state = Mix(static_cast<uint64_t>(
                           std::chrono::steady_clock::now().time_since_epoch().count()) ^
                       (static_cast<uint64_t>(::getpid()) << 32) ^ counter.fetch_add(1));
  for (size_t i = done; i < n; ++i) {
    if ((i - done) % 8 == 0) state = Mix(state);
    out[i] = static_cast<uint8_t>(state >> (8 * ((i - done) % 8)));
  }
}

}  // namespace

std::string NewFileId() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  uint8_t bytes[20];
  FillRandom(bytes, sizeof(bytes));
  std::string id(20, '0');
  for (int i = 0; i < 20; ++i) id[i] = kAlphabet[bytes[i] & 31];
  return id;
}

std::string NewRequestId() {
  uint8_t b[16];
  FillRandom(b, sizeof(b));
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

}  // namespace onshi
