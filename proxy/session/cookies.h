// Reading and writing Vigie's cookies: finding one in a Cookie header, values split into numbered
// chunks when they would exceed what browsers keep (~4 KB per cookie), Set-Cookie lines with strict
// attributes, and removing Vigie's cookies from what the upstream sees. Pure functions; any thread.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::session {

struct CookieSpec {
  std::string name;    // full name, prefix included ("__Host-vigie")
  std::string domain;  // empty: host-only
  bool secure = true;
  std::string same_site = "Lax";  // Lax: the session survives the top-level redirect back from the IdP
};

// "__Host-" when secure and host-only (the browser then refuses a Domain or a non-secure origin
// setting it), "__Secure-" when secure with a domain, the bare name otherwise.
[[nodiscard]] std::string prefixed_name(std::string_view base, bool secure, bool has_domain);

// The value of the first cookie called `name`, or nullopt.
[[nodiscard]] std::optional<std::string_view> find_cookie(std::string_view header, std::string_view name);

// A value written by set_cookie_lines: `name` plus `name_1`, `name_2`… joined; nullopt when absent.
[[nodiscard]] std::optional<std::string> read_chunked(std::string_view header, std::string_view name);
// The same without a copy when the value is in one cookie: a view of the header, else of `joined`.
[[nodiscard]] std::optional<std::string_view> read_chunked(std::string_view header, std::string_view name,
                                                         std::string& joined);
// How many chunks of `name` the header carries (0 when none).
[[nodiscard]] size_t chunk_count(std::string_view header, std::string_view name);

inline constexpr size_t kMaxChunkBytes = 3800;

// Set-Cookie values for `value`, split into chunks; chunks the client had beyond the new count
// (`old_chunks`) are deleted so a stale tail never joins a new value.
[[nodiscard]] std::vector<std::string> set_cookie_lines(const CookieSpec& spec, std::string_view value,
                                                        std::chrono::seconds max_age, size_t old_chunks = 0);
// Set-Cookie values deleting `count` chunks of the cookie.
[[nodiscard]] std::vector<std::string> clear_cookie_lines(const CookieSpec& spec, size_t count);

// The Cookie header without any cookie whose name starts with one of `prefixes` — Vigie's own cookies
// (sessions, login state) carry credentials and never reach an upstream. Empty when nothing remains.
[[nodiscard]] std::string strip_cookies(std::string_view header, const std::vector<std::string>& prefixes);

}  // namespace vigie::session
