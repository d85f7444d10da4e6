// What an HTTP session needs from the worker that owns it: the current snapshot, the upstream pool,
// metrics and logs, the drain flag and the set of idle keep-alive connections (closed at drain).
// Owned by server::Worker; every member is touched only on that worker's thread, except the shared
// connection counter (atomic) and the thread-safe metrics and log.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>

#include "audit/trails.h"
#include "authn/assertion.h"
#include "authn/caches.h"
#include "core/clock.h"
#include "http/snapshot.h"
#include "net/stream.h"
#include "observe/access_log.h"
#include "observe/metrics.h"
#include "upstream/pool.h"

namespace vigie::http {

struct WorkerState {
  WorkerState(observe::Metrics& m, const observe::AccessLog& log, std::atomic<uint32_t>& connections)
      : pool(core::SystemClock::instance()), metrics(m), access_log(log), open_connections(connections) {}

  upstream::Pool pool;
  authn::Caches auth_caches;
  authn::AssertionCache assertion_cache;
  std::shared_ptr<const Snapshot> snapshot;
  observe::Metrics& metrics;
  const observe::AccessLog& access_log;
  std::atomic<uint32_t>& open_connections;  // across all workers, for limits.max_connections
  audit::Trails* trails = nullptr;  // the process's audit trails (thread-safe), when configured
  bool draining = false;
  // Connections waiting for their next request, with a flag that turns false once its first byte
  // has arrived: drain closes only those still without a byte.
  std::unordered_map<net::Stream*, const bool*> idle;
  size_t active = 0;                      // connections owned by this worker
  std::function<void()> on_drained;       // set by drain; runs when `active` reaches 0
};

}  // namespace vigie::http
