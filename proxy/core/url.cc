#include "core/url.h"

#include <charconv>

#include "core/strings.h"

namespace vigie::core {
namespace {

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

bool target_char(char c) {
  auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u < 0x7f && c != '#' && c != '\\';
}

std::optional<uint16_t> parse_port(std::string_view p) {
  unsigned port = 0;
  auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
  if (ec != std::errc{} || end != p.data() + p.size() || port == 0 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string Url::origin() const {
  std::string out = tls ? "https://" : "http://";
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != (tls ? 443 : 80)) out += ":" + std::to_string(port);
  return out;
}

std::optional<Url> parse_url(std::string_view s) {
  Url u;
  if (s.starts_with("https://")) {
    u.tls = true;
    s.remove_prefix(8);
  } else if (s.starts_with("http://")) {
    s.remove_prefix(7);
  } else {
    return std::nullopt;
  }
  size_t slash = s.find_first_of("/?");
  std::string_view authority = s.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string_view rest = s.substr(slash);
    for (char c : rest) {
      if (!target_char(c)) return std::nullopt;
    }
    u.target = rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
  }
  u.port = u.tls ? 443 : 80;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    u.host = to_lower(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (u.host.empty() || u.host.find_first_not_of("0123456789abcdef:.") != std::string::npos) return std::nullopt;
  } else {
    size_t colon = authority.find(':');
    u.host = to_lower(authority.substr(0, colon));
    authority = colon == std::string_view::npos ? std::string_view{} : authority.substr(colon);
    if (u.host.empty()) return std::nullopt;
    for (char c : u.host) {
      if (!host_char(c)) return std::nullopt;
    }
  }
  if (!authority.empty()) {
    if (authority.front() != ':') return std::nullopt;
    auto port = parse_port(authority.substr(1));
    if (!port) return std::nullopt;
    u.port = *port;
  }
  return u;
}

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.starts_with("127.");
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() * 3);
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::optional<std::string> percent_decode(std::string_view s, bool plus) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]);
      int lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += plus && s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

std::optional<std::string> url_decode(std::string_view s) { return percent_decode(s, true); }

std::optional<std::string> query_param(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    return url_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
  }
  return std::nullopt;
}

}  // namespace vigie::core
