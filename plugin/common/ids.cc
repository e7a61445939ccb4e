#include "plugin/common/ids.h"

#include <sys/random.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace onshi {
namespace {

void FillRandom(uint8_t* out, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t got = getrandom(out + done, n - done, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      // Without randomness ids could collide across requests; there is no safe fallback.
      std::perror("onshi: getrandom");
      std::abort();
    }
    done += static_cast<size_t>(got);
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
