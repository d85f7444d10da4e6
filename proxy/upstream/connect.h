// Opens a connection to one endpoint of a cluster: async resolve (IP literals skip the resolver),
// TCP connect under the cluster's connect timeout, TLS handshake with SNI and host-name verification
// for https endpoints. Worker thread only.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>

#include "upstream/cluster.h"
#include "upstream/pool.h"

namespace vigie::upstream {

enum class ConnectError {
  None,
  Refused,  // resolve, connect or TLS handshake failed
  Timeout,  // connect_timeout elapsed
};

struct Connected {
  std::unique_ptr<Connection> conn;
  ConnectError error = ConnectError::None;
};

[[nodiscard]] boost::asio::awaitable<Connected> connect(const Cluster& cluster, size_t endpoint, Pool& pool);

}  // namespace vigie::upstream
