// fake_onshid SOCKET: the test-only fake onshid (fake_onshid.h) as its own process, so that a
// test can stop it with SIGSTOP like a hung sidecar. Serves until SIGTERM or SIGINT.

#include <signal.h>

#include <cstdio>

#include "tests/unit/client/fake_onshid.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fake_onshid SOCKET\n");
    return 64;
  }
  // Block the signals before gRPC starts its threads, so that only sigwait sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  onshi::testing::FakeOnshid server(argv[1]);
  if (!server.Start()) {
    std::fprintf(stderr, "fake_onshid: could not listen on the socket\n");
    return 1;
  }
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  server.Stop();
  return 0;
}
