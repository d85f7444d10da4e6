// Absolute http(s) URLs as Vigie uses them for outbound calls (discovery, JWKS, token, Graph) and
// for checking return URLs: scheme, host, port and the rest. Strict on purpose: no user info, no
// fragments, no control characters or spaces, host in lower case. Pure functions, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::core {

struct Url {
  bool tls = false;
  std::string host;  // lower case; an IPv6 literal without brackets
  uint16_t port = 0;  // explicit or 80/443
  std::string target = "/";  // path and query, always starting with '/'

  [[nodiscard]] std::string origin() const;  // "https://host[:port]", default port omitted
  [[nodiscard]] std::string str() const { return origin() + target; }
};

// nullopt when the text is not an absolute http:// or https:// URL of the strict form above.
[[nodiscard]] std::optional<Url> parse_url(std::string_view text);

// True for 127.0.0.0/8, ::1 and "localhost": the only hosts plain http is accepted for.
[[nodiscard]] bool is_loopback_host(std::string_view host);

// Percent-encodes everything but unreserved characters (RFC 3986), for query parameters.
[[nodiscard]] std::string url_encode(std::string_view s);
// Decodes %XX and '+' (form encoding); nullopt on a bad escape.
[[nodiscard]] std::optional<std::string> url_decode(std::string_view s);
// Decodes %XX, and '+' as a space only when `plus` (a path keeps its '+'); nullopt on a bad escape.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view s, bool plus);
// The value of `name` in an application/x-www-form-urlencoded query, decoded; nullopt when absent
// or badly encoded. The first occurrence wins.
[[nodiscard]] std::optional<std::string> query_param(std::string_view query, std::string_view name);

}  // namespace vigie::core
