// The route table, compiled from config at load time: hosts are bucketed (exact, then *.suffix, then
// any-host routes), regexes compiled, methods turned into a bitmask. Matching is first match in config
// order among the routes that can apply to the host. Immutable; shared by all workers.
#pragma once

#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.h"

namespace vigie::router {

struct Route {
  const config::Route* cfg = nullptr;  // owned by the Config the Table was built from
  size_t index = 0;                     // position in config.routes
  size_t cluster = 0;                   // position in config.clusters
  uint32_t methods = 0;                 // bitmask of method_bit(); 0 = any
  std::shared_ptr<const std::regex> regex;
  [[nodiscard]] bool matches_path(std::string_view path) const;
};

[[nodiscard]] uint32_t method_bit(std::string_view method);

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class Table {
 public:
  // The config must outlive the table (both live in one snapshot). Regexes were validated by load.
  explicit Table(const config::Config& cfg);
  // host: lower-case, port removed. path: normalised, no query.
  [[nodiscard]] const Route* match(std::string_view host, std::string_view path, std::string_view method) const;
  [[nodiscard]] const std::vector<Route>& routes() const { return routes_; }

 private:
  [[nodiscard]] const std::vector<size_t>& candidates(std::string_view host) const;

  std::vector<Route> routes_;
  std::unordered_map<std::string, std::vector<size_t>, StringHash, std::equal_to<>> by_host_;  // exact host → route indexes in order
  std::vector<std::pair<std::string, std::vector<size_t>>> by_suffix_;  // ".example.org" → indexes
  std::vector<size_t> any_host_;
};

}  // namespace vigie::router
