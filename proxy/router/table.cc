#include "router/table.h"

#include <algorithm>
#include <optional>


namespace vigie::router {
namespace {

// Merges the host-specific and any-host index lists, keeping config order.
std::vector<size_t> merged(const std::vector<size_t>& a, const std::vector<size_t>& b) {
  std::vector<size_t> out;
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

// The first segment of an absolute path: "/a/b" → "a", "/a" → "a", "/" → "".
std::string_view first_segment(std::string_view path) {
  path.remove_prefix(1);
  return path.substr(0, path.find('/'));
}

// The first segment shared by every path the route matches, or nothing when its paths need not share
// one: regexes, and prefixes that end inside the first segment ("/"; "/app", which matches "/apple").
std::optional<std::string_view> fixed_segment(const config::Route& r) {
  bool exact = r.path_match == config::PathMatch::Exact;
  bool deep_prefix = r.path_match == config::PathMatch::Prefix && r.path.find('/', 1) != std::string::npos;
  if (!(exact || deep_prefix) || !r.path.starts_with('/')) return std::nullopt;
  return first_segment(r.path);
}

// Whether a loose route can match a path whose first segment is `segment`.
bool can_match_segment(const config::Route& r, std::string_view segment) {
  if (r.path_match == config::PathMatch::Prefix && r.path.starts_with('/')) {
    return segment.starts_with(std::string_view(r.path).substr(1));  // "/app": segments "app", "apple"…
  }
  return true;  // a regex can match anything
}

}  // namespace

bool Route::matches_path(std::string_view path) const {
  switch (cfg->path_match) {
    case config::PathMatch::Exact: return path == cfg->path;
    case config::PathMatch::Prefix: return path.starts_with(cfg->path);
    case config::PathMatch::Regex: return std::regex_match(path.begin(), path.end(), *regex);
  }
  return false;
}

Table::Table(const config::Config& cfg) {
  std::unordered_map<std::string, std::vector<size_t>> by_host;  // exact host → route indexes in order
  std::vector<std::pair<std::string, std::vector<size_t>>> by_suffix;  // ".example.org" → indexes
  std::vector<size_t> any_host;
  for (size_t i = 0; i < cfg.routes.size(); ++i) {
    const config::Route& rc = cfg.routes[i];
    Route r;
    r.cfg = &rc;
    r.index = i;
    for (size_t c = 0; c < cfg.clusters.size(); ++c) {
      if (cfg.clusters[c].name == rc.cluster) r.cluster = c;
    }
    for (const auto& m : rc.methods) r.methods |= core::method_bit(m);
    if (rc.path_match == config::PathMatch::Regex) {
      r.regex = std::make_shared<const std::regex>(rc.path, std::regex::ECMAScript | std::regex::optimize);
    }
    routes_.push_back(std::move(r));
    if (rc.host.empty()) any_host.push_back(i);
    else if (rc.host.starts_with("*.")) {
      std::string suffix = rc.host.substr(1);
      auto it = std::find_if(by_suffix.begin(), by_suffix.end(), [&](auto& p) { return p.first == suffix; });
      if (it == by_suffix.end()) by_suffix.push_back({suffix, {i}});
      else it->second.push_back(i);
    } else {
      by_host[rc.host].push_back(i);
    }
  }
  // Each list holds every route that can apply to its hosts, in config order: an exact host also
  // gets the wildcard routes that cover it, and every list the any-host routes. One list is walked
  // per request.
  const auto wildcards = by_suffix;
  for (auto& [host, list] : by_host) {
    for (const auto& [suffix, wild] : wildcards) {
      if (host.size() > suffix.size() && host.ends_with(suffix)) list = merged(list, wild);
    }
  }
  for (auto& [suffix, list] : by_suffix) {
    for (const auto& [other, wild] : wildcards) {
      if (suffix.size() > other.size() && suffix.ends_with(other)) list = merged(list, wild);
    }
  }
  for (auto& [host, list] : by_host) list = merged(list, any_host);
  for (auto& [suffix, list] : by_suffix) list = merged(list, any_host);
  // Longest suffix first: "*.api.example.org" is more specific than "*.example.org".
  std::stable_sort(by_suffix.begin(), by_suffix.end(),
                   [](auto& a, auto& b) { return a.first.size() > b.first.size(); });

  // Then each list is indexed by the request path's first segment.
  for (const auto& [host, list] : by_host) by_host_.try_emplace(host, routes_, list);
  for (const auto& [suffix, list] : by_suffix) by_suffix_.emplace_back(suffix, PathIndex(routes_, list));
  any_host_ = PathIndex(routes_, any_host);
}

Table::PathIndex::PathIndex(const std::vector<Route>& routes, const std::vector<size_t>& list) {
  for (size_t i : list) {
    if (auto segment = fixed_segment(*routes[i].cfg)) by_segment.try_emplace(std::string(*segment));
  }
  // One walk in config order appends each route to every list it can match in: each stays in config order.
  for (size_t i : list) {
    const config::Route& r = *routes[i].cfg;
    if (auto segment = fixed_segment(r)) {
      by_segment.find(*segment)->second.push_back(i);
      continue;
    }
    loose.push_back(i);
    for (auto& [segment, bucket] : by_segment) {
      if (can_match_segment(r, segment)) bucket.push_back(i);
    }
  }
}

const std::vector<size_t>& Table::PathIndex::for_path(std::string_view path) const {
  if (!path.starts_with('/')) return loose;
  auto it = by_segment.find(first_segment(path));
  return it != by_segment.end() ? it->second : loose;
}

const Table::PathIndex& Table::candidates(std::string_view host) const {
  if (auto it = by_host_.find(host); it != by_host_.end()) return it->second;
  for (const auto& [suffix, index] : by_suffix_) {
    if (host.size() > suffix.size() && host.ends_with(suffix)) return index;
  }
  return any_host_;
}

const Route* Table::match(std::string_view host, std::string_view path, std::string_view method) const {
  uint32_t bit = core::method_bit(method);
  for (size_t i : candidates(host).for_path(path)) {
    const Route& r = routes_[i];
    if (r.methods != 0 && (r.methods & bit) == 0) continue;
    if (r.matches_path(path)) return &r;
  }
  return nullptr;
}

}  // namespace vigie::router
