// `vigie explain`: what Vigie would decide for one request by one caller, and why. Loads the config
// without its secrets (a laptop has the config and the policies, not the keys), routes the request
// as the proxy does, builds the caller from token claims and evaluates the route's policy with a
// trace. CLI thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "authz/explain.h"
#include "config/config.h"
#include "core/result.h"

namespace vigie::cli {

struct ExplainRequest {
  std::string request;  // "METHOD http[s]://host[:port]/path[?query]"
  nlohmann::json claims = nlohmann::json::object();
  uint8_t auth = config::kAuthSession;
  std::string client = "127.0.0.1";
  std::string justification;
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// The explanation, or what is wrong with the request line.
[[nodiscard]] core::Result<authz::Explanation, std::string> explain(const config::Config& cfg,
                                                                    const ExplainRequest& req);

// The command: `args` are the words after "explain". Exit status: 0 allowed, 3 refused, 2 usage or
// config error.
int explain_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace vigie::cli
