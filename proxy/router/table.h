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
#include "core/http_method.h"

namespace vigie::router {

struct Route {
  const config::Route* cfg = nullptr;  // owned by the Config the Table was built from
  size_t index = 0;                     // position in config.routes
  size_t cluster = 0;                   // position in config.clusters
  uint32_t methods = 0;                 // bitmask of core::method_bit(); 0 = any
  std::shared_ptr<const std::regex> regex;
  [[nodiscard]] bool matches_path(std::string_view path) const;
};


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
  // The routes that can apply to one host, indexed by the first segment of the request path. One host
  // may front hundreds of applications ("/openmrs/", "/grafana/"…), and walking all their routes would
  // cost every request. A route all of whose matches share one first segment (an exact path; a prefix
  // with a second '/', as "/openmrs/ws/") goes into that segment's bucket. The others are loose: regexes,
  // and prefixes that end inside the first segment ("/"; "/openmrs", which also matches "/openmrsX").
  // Each bucket holds its routes and the loose routes that can match its segment, in config order, so
  // walking it finds the same first match as walking all the host's routes.
  struct PathIndex {
    PathIndex() = default;
    PathIndex(const std::vector<Route>& routes, const std::vector<size_t>& list);
    [[nodiscard]] const std::vector<size_t>& for_path(std::string_view path) const;

    std::unordered_map<std::string, std::vector<size_t>, StringHash, std::equal_to<>> by_segment;
    std::vector<size_t> loose;  // for a path whose first segment has no bucket
  };

  [[nodiscard]] const PathIndex& candidates(std::string_view host) const;

  std::vector<Route> routes_;
  std::unordered_map<std::string, PathIndex, StringHash, std::equal_to<>> by_host_;  // exact host
  std::vector<std::pair<std::string, PathIndex>> by_suffix_;  // ".example.org", longest first
  PathIndex any_host_;
};

}  // namespace vigie::router
