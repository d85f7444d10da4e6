#include "router/table.h"

#include <algorithm>

namespace vigie::router {
namespace {

constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT",
                                         "TRACE"};

// Merges the host-specific and any-host index lists, keeping config order.
std::vector<size_t> merged(const std::vector<size_t>& a, const std::vector<size_t>& b) {
  std::vector<size_t> out;
  std::merge(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

uint32_t method_bit(std::string_view method) {
  for (size_t i = 0; i < std::size(kMethods); ++i) {
    if (method == kMethods[i]) return 1u << i;
  }
  return 1u << 31;  // extension methods: only routes without a method list accept them
}

bool Route::matches_path(std::string_view path) const {
  switch (cfg->path_match) {
    case config::PathMatch::Exact: return path == cfg->path;
    case config::PathMatch::Prefix: return path.starts_with(cfg->path);
    case config::PathMatch::Regex: return std::regex_match(path.begin(), path.end(), *regex);
  }
  return false;
}

Table::Table(const config::Config& cfg) {
  for (size_t i = 0; i < cfg.routes.size(); ++i) {
    const config::Route& rc = cfg.routes[i];
    Route r;
    r.cfg = &rc;
    r.index = i;
    for (size_t c = 0; c < cfg.clusters.size(); ++c) {
      if (cfg.clusters[c].name == rc.cluster) r.cluster = c;
    }
    for (const auto& m : rc.methods) r.methods |= method_bit(m);
    if (rc.path_match == config::PathMatch::Regex) {
      r.regex = std::make_shared<const std::regex>(rc.path, std::regex::ECMAScript | std::regex::optimize);
    }
    routes_.push_back(std::move(r));
    if (rc.host.empty()) any_host_.push_back(i);
    else if (rc.host.starts_with("*.")) {
      std::string suffix = rc.host.substr(1);
      auto it = std::find_if(by_suffix_.begin(), by_suffix_.end(), [&](auto& p) { return p.first == suffix; });
      if (it == by_suffix_.end()) by_suffix_.push_back({suffix, {i}});
      else it->second.push_back(i);
    } else {
      by_host_[rc.host].push_back(i);
    }
  }
  // Each list holds every route that can apply to its hosts, in config order: an exact host also
  // gets the wildcard routes that cover it, and every list the any-host routes. One list is walked
  // per request.
  const auto wildcards = by_suffix_;
  for (auto& [host, list] : by_host_) {
    for (const auto& [suffix, wild] : wildcards) {
      if (host.size() > suffix.size() && host.ends_with(suffix)) list = merged(list, wild);
    }
  }
  for (auto& [suffix, list] : by_suffix_) {
    for (const auto& [other, wild] : wildcards) {
      if (suffix.size() > other.size() && suffix.ends_with(other)) list = merged(list, wild);
    }
  }
  for (auto& [host, list] : by_host_) list = merged(list, any_host_);
  for (auto& [suffix, list] : by_suffix_) list = merged(list, any_host_);
  // Longest suffix first: "*.api.example.org" is more specific than "*.example.org".
  std::stable_sort(by_suffix_.begin(), by_suffix_.end(),
                   [](auto& a, auto& b) { return a.first.size() > b.first.size(); });
}

const std::vector<size_t>& Table::candidates(std::string_view host) const {
  if (auto it = by_host_.find(host); it != by_host_.end()) return it->second;
  for (const auto& [suffix, list] : by_suffix_) {
    if (host.size() > suffix.size() && host.ends_with(suffix)) return list;
  }
  return any_host_;
}

const Route* Table::match(std::string_view host, std::string_view path, std::string_view method) const {
  uint32_t bit = method_bit(method);
  for (size_t i : candidates(host)) {
    const Route& r = routes_[i];
    if (r.methods != 0 && (r.methods & bit) == 0) continue;
    if (r.matches_path(path)) return &r;
  }
  return nullptr;
}

}  // namespace vigie::router
