// A minimal browser for login-flow tests: blocking HTTP/1.1 and HTTPS requests (verified against a
// test CA) with a cookie jar that follows RFC 6265bis the way Chromium does, redirects across hosts,
// auto-submitted form pages (form_post responses, the provider's logout confirmation) and a record
// of every hop for assertions. Every request has a deadline, so a hung server fails the test
// instead of hanging it. One Browser per simulated user agent; test thread only.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/client.h"

namespace vigie::testing {

using Headers = std::vector<std::pair<std::string, std::string>>;
using Form = std::vector<std::pair<std::string, std::string>>;

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  uint16_t port = 0;
  std::string target;  // path and query, at least "/"
  [[nodiscard]] std::string path() const { return target.substr(0, target.find('?')); }
  [[nodiscard]] std::string origin() const;
  [[nodiscard]] std::string str() const { return origin() + target; }
};
// Parses an absolute http(s) URL; throws std::invalid_argument otherwise.
Url parse_url(std::string_view url);
// Resolves a Location header (absolute, scheme-relative, absolute-path or relative) against base.
std::string resolve_url(std::string_view base, std::string_view reference);

std::string url_encode(std::string_view s);
std::string url_decode(std::string_view s);
std::string form_encode(const Form& form);
// The decoded value of a query parameter of a URL (or of a bare query string), if present.
std::optional<std::string> query_param(std::string_view url, std::string_view name);

// One request on a fresh connection, no cookies, no redirects. ca_file verifies https servers (the
// name or IP in the URL must be in the certificate); empty uses the system trust store.
struct FetchRequest {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;
  std::string ca_file;
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
};
// Throws std::runtime_error on connection, TLS or timeout failure (with the step that failed).
Response fetch(const FetchRequest& request);

struct Cookie {
  std::string name;
  std::string value;
  std::string domain;  // host for host-only cookies
  std::string path;
  bool host_only = true;
  bool secure = false;
  bool http_only = false;
  std::string same_site;  // "Strict", "Lax", "None"; empty = not given (treated as Lax)
  std::optional<std::chrono::system_clock::time_point> expires;  // nullopt: session cookie
};

class Browser {
 public:
  explicit Browser(std::string ca_file = "", std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // One navigation request (Accept: text/html unless headers say otherwise), cookies sent and
  // stored; no redirect followed.
  Response get(const std::string& url, const Headers& headers = {});
  Response post_form(const std::string& url, const Form& form, const Headers& headers = {});
  // Navigates to url and follows 301/302/303/307/308 and auto-submitting form pages for at most
  // max_redirects hops; returns the last response. Throws when the limit is exceeded. Stops
  // before requesting a URL that starts with a prefix given to stop_before() and returns the
  // response that pointed there (its Location is the stopped URL).
  Response follow(const std::string& url, int max_redirects = 10);
  // Same, continuing from a response already received at url (e.g. from post_form).
  Response follow_response(Response response, const std::string& url, int max_redirects = 10);

  void stop_before(std::string url_prefix) { stop_prefixes_.push_back(std::move(url_prefix)); }
  void clear_stops() { stop_prefixes_.clear(); }
  void auto_submit_forms(bool on) { auto_submit_ = on; }

  struct Hop {
    std::string method;
    std::string url;
    unsigned status = 0;
    std::string location;  // resolved to an absolute URL; empty when none
  };
  // The hops of the last get/post_form/follow, in order.
  [[nodiscard]] const std::vector<Hop>& chain() const { return chain_; }
  // The URL whose response was returned last.
  [[nodiscard]] const std::string& url() const { return url_; }

  // The cookie jar.
  [[nodiscard]] std::vector<Cookie> cookies() const;
  [[nodiscard]] std::optional<Cookie> cookie(std::string_view name) const;
  // The Cookie header this browser would send to url on a same-site navigation.
  [[nodiscard]] std::string cookie_header(const std::string& url) const;
  // Stores a cookie as if the server at url had sent this Set-Cookie value; false if rejected.
  bool set_cookie(const std::string& url, std::string_view set_cookie_value);
  void clear_cookies() { jar_.clear(); }
  // Moves the browser's clock (cookie expiry only) forward.
  void advance_clock(std::chrono::seconds by) { clock_offset_ += by; }

 private:
  struct Stored {
    Cookie cookie;
    uint64_t created = 0;  // order of creation: ties in the Cookie header go to older cookies
  };
  Response request(const std::string& method, const std::string& url, const Headers& headers,
                   std::string body, const std::string& initiator);
  [[nodiscard]] std::string cookies_for(const Url& url, const std::string& method,
                                        const std::string& initiator) const;
  bool store(const Url& url, std::string_view set_cookie_value);
  void expire();
  [[nodiscard]] std::chrono::system_clock::time_point now() const {
    return std::chrono::system_clock::now() + clock_offset_;
  }

  std::string ca_file_;
  std::chrono::milliseconds timeout_;
  std::vector<Stored> jar_;
  uint64_t next_created_ = 0;
  std::chrono::seconds clock_offset_{0};
  std::vector<std::string> stop_prefixes_;
  bool auto_submit_ = true;
  std::vector<Hop> chain_;
  std::string url_;
  std::string last_body_;  // of the last request, repeated by a 307/308
  std::string last_content_type_;
};

}  // namespace vigie::testing
