#include "upstream/cluster.h"

#include <algorithm>

#include "net/tls.h"

namespace vigie::upstream {

Cluster::Cluster(const config::Cluster& c, unsigned workers, observe::Metrics& m)
    : cfg(&c),
      max_per_worker(std::max<uint32_t>(1, (c.max_connections + workers - 1) / std::max(1u, workers))),
      metrics(m.cluster(c.name)) {
  bool any_tls = false;
  for (const auto& e : c.endpoints) {
    keys.push_back(e.key());
    any_tls |= e.tls;
  }
  if (any_tls) tls = net::make_client_context(c.tls.ca_file);
}

}  // namespace vigie::upstream
