// vigie-demo-upstream: the demo's upstream, a fake OpenMRS REST service with a WebSocket echo on
// /ws, listening on 127.0.0.1:PORT until killed. Used by scripts/demo.sh.
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "support/upstream.h"

int main(int argc, char** argv) {
  // Blocked before the server thread starts, so only sigwait below receives them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  vigie::testing::RecordingUpstream::Options o;
  o.port = static_cast<uint16_t>(argc > 1 ? std::atoi(argv[1]) : 8080);
  vigie::testing::RecordingUpstream up(o);
  std::printf("demo upstream listening on 127.0.0.1:%u\n", up.port());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&set, &sig);
  return 0;
}
