#include "session/cookies.h"

namespace vigie::session {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls fn(name, value, whole pair) for each cookie in the header.
template <class Fn>
void each_cookie(std::string_view header, Fn&& fn) {
  while (!header.empty()) {
    size_t semi = header.find(';');
    std::string_view pair = trim(header.substr(0, semi));
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string_view name = trim(pair.substr(0, eq));
    std::string_view value = eq == std::string_view::npos ? std::string_view{} : trim(pair.substr(eq + 1));
    if (!fn(name, value, pair)) return;
  }
}

// Which chunk of `name` a cookie called `n` is: 0 for `name` itself, i for `name_i` (as chunk_name
// writes it: no sign, no leading zero, at most 99: far more than a header within limits can hold),
// npos for any other cookie.
size_t chunk_index(std::string_view n, std::string_view name) {
  if (!n.starts_with(name)) return std::string_view::npos;
  if (n.size() == name.size()) return 0;
  std::string_view digits = n.substr(name.size());
  if (digits.size() < 2 || digits.size() > 3 || digits[0] != '_' || digits[1] == '0') return std::string_view::npos;
  size_t i = 0;
  for (char c : digits.substr(1)) {
    if (c < '0' || c > '9') return std::string_view::npos;
    i = i * 10 + size_t(c - '0');
  }
  return i;
}

// The values of `name`, `name_1`, `name_2`… up to the first missing one, in one pass over the
// header; the first cookie of each name counts (as find_cookie).
std::vector<std::string_view> chunks(std::string_view header, std::string_view name) {
  std::vector<std::string_view> found;
  std::vector<bool> seen;
  each_cookie(header, [&](std::string_view n, std::string_view v, std::string_view) {
    size_t i = chunk_index(n, name);
    if (i == std::string_view::npos) return true;
    if (i >= found.size()) {
      found.resize(i + 1);
      seen.resize(i + 1);
    }
    if (!seen[i]) {
      found[i] = v;
      seen[i] = true;
    }
    return true;
  });
  size_t n = 0;
  while (n < seen.size() && seen[n]) ++n;
  found.resize(n);
  return found;
}

std::string join(const std::vector<std::string_view>& parts) {
  size_t total = 0;
  for (auto p : parts) total += p.size();
  std::string value;
  value.reserve(total);
  for (auto p : parts) value += p;
  return value;
}

std::string chunk_name(std::string_view name, size_t i) {
  return i == 0 ? std::string(name) : std::string(name) + "_" + std::to_string(i);
}

std::string attributes(const CookieSpec& spec, std::chrono::seconds max_age) {
  std::string out = "; Path=/; Max-Age=" + std::to_string(max_age.count());
  if (!spec.domain.empty()) out += "; Domain=" + spec.domain;
  if (spec.secure) out += "; Secure";
  // HttpOnly: no script, hence no XSS in an upstream page, can read the session.
  out += "; HttpOnly; SameSite=" + spec.same_site;
  return out;
}

}  // namespace

std::string prefixed_name(std::string_view base, bool secure, bool has_domain) {
  if (!secure) return std::string(base);
  return std::string(has_domain ? "__Secure-" : "__Host-") + std::string(base);
}

std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name) {
  std::optional<std::string_view> found;
  each_cookie(header, [&](std::string_view n, std::string_view v, std::string_view) {
    if (n != name) return true;
    found = v;
    return false;
  });
  return found;
}

std::optional<std::string> read_chunked(std::string_view header, std::string_view name) {
  auto parts = chunks(header, name);
  if (parts.empty()) return std::nullopt;
  return join(parts);
}

std::optional<std::string_view> read_chunked(std::string_view header, std::string_view name, std::string& joined) {
  auto parts = chunks(header, name);
  if (parts.empty()) return std::nullopt;
  if (parts.size() == 1) return parts[0];
  joined = join(parts);
  return joined;
}

size_t chunk_count(std::string_view header, std::string_view name) { return chunks(header, name).size(); }

std::vector<std::string> set_cookie_lines(const CookieSpec& spec, std::string_view value, std::chrono::seconds max_age,
                                          size_t old_chunks) {
  std::vector<std::string> out;
  std::string attrs = attributes(spec, max_age);
  size_t i = 0;
  do {
    out.push_back(chunk_name(spec.name, i) + "=" + std::string(value.substr(0, kMaxChunkBytes)) + attrs);
    value.remove_prefix(std::min(value.size(), kMaxChunkBytes));
    ++i;
  } while (!value.empty());
  std::string gone = attributes(spec, std::chrono::seconds(0));
  for (; i < old_chunks; ++i) out.push_back(chunk_name(spec.name, i) + "=" + gone);
  return out;
}

std::vector<std::string> clear_cookie_lines(const CookieSpec& spec, size_t count) {
  std::vector<std::string> out;
  std::string gone = attributes(spec, std::chrono::seconds(0));
  for (size_t i = 0; i < std::max<size_t>(count, 1); ++i) out.push_back(chunk_name(spec.name, i) + "=" + gone);
  return out;
}

std::string strip_cookies(std::string_view header, const std::vector<std::string>& prefixes) {
  std::string out;
  each_cookie(header, [&](std::string_view name, std::string_view, std::string_view pair) {
    for (const auto& p : prefixes) {
      if (name.starts_with(p)) return true;
    }
    if (!out.empty()) out += "; ";
    out += pair;
    return true;
  });
  return out;
}

}  // namespace vigie::session
