#include "config/config.h"

namespace vigie::config {

std::string Endpoint::key() const {
  return (tls ? "https://" : "http://") + host + ":" + std::to_string(port);
}

}  // namespace vigie::config
