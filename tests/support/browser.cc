#include "support/browser.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cctype>
#include <charconv>
#include <ctime>
#include <stdexcept>

namespace vigie::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool is_ip(std::string_view host) {
  boost::system::error_code ec;
  (void)asio::ip::make_address(std::string(host), ec);
  return !ec;
}

// Chromium treats loopback hosts as potentially trustworthy (a secure context), so it stores and
// sends Secure cookies for http://localhost and http://127.0.0.1. We do the same: tests run
// plain-HTTP Vigie on loopback and still see __Host-/Secure cookies behave as in a browser.
bool secure_context(const Url& u) {
  return u.scheme == "https" || u.host == "localhost" || u.host == "127.0.0.1" || u.host == "::1" ||
         (u.host.size() > 10 && u.host.ends_with(".localhost"));
}

// The site of a URL for SameSite: scheme and host (schemeful same-site, ports ignored). Loopback
// names have no registrable domain, so the host stands for it.
std::string site_of(const Url& u) {
  return u.scheme + "://" + u.host;
}

bool domain_match(const std::string& host, const std::string& domain) {
  if (host == domain) return true;
  return !is_ip(host) && host.size() > domain.size() && host.ends_with(domain) &&
         host[host.size() - domain.size() - 1] == '.';
}

bool path_match(const std::string& request_path, const std::string& cookie_path) {
  if (request_path == cookie_path) return true;
  if (!request_path.starts_with(cookie_path)) return false;
  return cookie_path.back() == '/' || request_path[cookie_path.size()] == '/';
}

std::string default_path(const std::string& path) {
  if (path.empty() || path[0] != '/') return "/";
  auto slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

// RFC 1123 dates as sent by servers ("Thu, 01 Jan 1970 00:00:00 GMT"), plus the RFC 850 and
// dash variants that cookie libraries still emit.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view value) {
  std::string v(trim(value));
  for (const char* fmt : {"%a, %d %b %Y %H:%M:%S", "%A, %d-%b-%y %H:%M:%S", "%a, %d-%b-%Y %H:%M:%S"}) {
    std::tm tm{};
    const char* end = ::strptime(v.c_str(), fmt, &tm);
    if (end) return std::chrono::system_clock::from_time_t(::timegm(&tm));
  }
  return std::nullopt;
}

std::string html_unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    auto semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp")
      out += '&';
    else if (ent == "lt")
      out += '<';
    else if (ent == "gt")
      out += '>';
    else if (ent == "quot")
      out += '"';
    else if (ent == "apos")
      out += '\'';
    else if (ent.starts_with('#')) {
      bool hex = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X');
      unsigned code = 0;
      auto digits = ent.substr(hex ? 2 : 1);
      std::from_chars(digits.data(), digits.data() + digits.size(), code, hex ? 16 : 10);
      if (code < 0x80)
        out += static_cast<char>(code);
      else {
        out += s.substr(i, semi - i + 1);  // non-ASCII entities never appear in the forms we submit
      }
    } else {
      out += s.substr(i, semi - i + 1);
    }
    i = semi;
  }
  return out;
}

// The value of attribute `name` inside one HTML tag, unescaped.
std::optional<std::string> attribute(std::string_view tag, std::string_view name) {
  std::string low = lower(tag);
  size_t pos = 0;
  while ((pos = low.find(name, pos)) != std::string::npos) {
    bool boundary = pos > 0 && (std::isspace(static_cast<unsigned char>(low[pos - 1])) != 0);
    size_t eq = pos + name.size();
    while (eq < low.size() && low[eq] == ' ') ++eq;
    if (!boundary || eq >= low.size() || low[eq] != '=') {
      pos += name.size();
      continue;
    }
    size_t v = eq + 1;
    while (v < low.size() && low[v] == ' ') ++v;
    if (v >= tag.size()) return std::string();
    char quote = tag[v];
    if (quote == '"' || quote == '\'') {
      auto close = tag.find(quote, v + 1);
      return html_unescape(tag.substr(v + 1, close - v - 1));
    }
    auto end = tag.find_first_of(" >/", v);
    return html_unescape(tag.substr(v, end - v));
  }
  return std::nullopt;
}

struct AutoForm {
  std::string method;
  std::string action;
  Form fields;
};

// A page that submits its own form from script on load (an OAuth form_post response, a logout
// confirmation): what a browser running that script would send.
std::optional<AutoForm> auto_submitted_form(const Response& r) {
  if (r.result_int() != 200 && r.result_int() != 400) return std::nullopt;
  const std::string& body = r.body();
  if (body.find(".submit()") == std::string::npos) return std::nullopt;
  auto start = lower(body).find("<form");
  if (start == std::string::npos) return std::nullopt;
  auto tag_end = body.find('>', start);
  auto form_end = lower(body).find("</form", start);
  if (tag_end == std::string::npos) return std::nullopt;
  std::string_view tag(body.data() + start, tag_end - start + 1);
  AutoForm f;
  f.method = lower(attribute(tag, "method").value_or("get"));
  f.action = attribute(tag, "action").value_or("");
  size_t pos = tag_end;
  while (true) {
    auto in = lower(body).find("<input", pos);
    if (in == std::string::npos || (form_end != std::string::npos && in > form_end)) break;
    auto in_end = body.find('>', in);
    std::string_view input(body.data() + in, in_end - in + 1);
    auto name = attribute(input, "name");
    if (name) f.fields.emplace_back(*name, attribute(input, "value").value_or(""));
    pos = in_end;
  }
  return f;
}

asio::awaitable<void> exchange(const Url& u, const FetchRequest& req, Response& out, std::string& failed) {
  auto executor = co_await asio::this_coro::executor;
  constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);
  tcp::resolver resolver(executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(u.host, std::to_string(u.port), kTuple);
  if (rec) {
    failed = "resolve: " + rec.message();
    co_return;
  }
  http::request<http::string_body> msg{http::string_to_verb(req.method), u.target, 11};
  bool default_port = (u.scheme == "http" && u.port == 80) || (u.scheme == "https" && u.port == 443);
  std::string host_header = u.host.find(':') != std::string::npos ? "[" + u.host + "]" : u.host;
  msg.set(http::field::host, default_port ? host_header : host_header + ":" + std::to_string(u.port));
  msg.set(http::field::user_agent, "vigie-test-browser");
  for (const auto& [k, v] : req.headers) msg.insert(k, v);
  if (!req.body.empty() || req.method == "POST" || req.method == "PUT") {
    msg.body() = req.body;
    msg.prepare_payload();
  }
  http::response_parser<http::string_body> parser;
  parser.header_limit(256 * 1024);  // like browsers: a session in several cookie chunks is large
  parser.body_limit(64 * 1024 * 1024);
  if (req.method == "HEAD") parser.skip(true);
  beast::flat_buffer buffer;

  beast::tcp_stream tcp(executor);
  tcp.expires_after(req.timeout);  // one deadline for connect, handshake, write and read
  auto [cec, ep] = co_await tcp.async_connect(endpoints, kTuple);
  if (cec) {
    failed = "connect: " + cec.message();
    co_return;
  }
  if (u.scheme == "https") {
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    if (req.ca_file.empty())
      ctx.set_default_verify_paths();
    else
      ctx.load_verify_file(req.ca_file);
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp), ctx);
    SSL* ssl = tls.native_handle();
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (is_ip(u.host)) {
      X509_VERIFY_PARAM_set1_ip_asc(param, u.host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl, u.host.c_str());
      X509_VERIFY_PARAM_set1_host(param, u.host.c_str(), 0);
    }
    auto [hec] = co_await tls.async_handshake(asio::ssl::stream_base::client, kTuple);
    if (hec) {
      failed = "TLS handshake: " + hec.message();
      co_return;
    }
    auto [wec, wn] = co_await http::async_write(tls, msg, kTuple);
    if (wec) {
      failed = "write: " + wec.message();
      co_return;
    }
    auto [rdec, rn] = co_await http::async_read(tls, buffer, parser, kTuple);
    if (rdec) {
      failed = "read: " + rdec.message();
      co_return;
    }
    beast::get_lowest_layer(tls).close();
  } else {
    auto [wec, wn] = co_await http::async_write(tcp, msg, kTuple);
    if (wec) {
      failed = "write: " + wec.message();
      co_return;
    }
    auto [rdec, rn] = co_await http::async_read(tcp, buffer, parser, kTuple);
    if (rdec) {
      failed = "read: " + rdec.message();
      co_return;
    }
    tcp.close();
  }
  out = parser.release();
}

}  // namespace

std::string Url::origin() const {
  bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return scheme + "://" + h + (default_port ? "" : ":" + std::to_string(port));
}

Url parse_url(std::string_view url) {
  Url u;
  auto colon = url.find("://");
  if (colon == std::string_view::npos)
    throw std::invalid_argument("not an absolute URL: " + std::string(url));
  u.scheme = lower(url.substr(0, colon));
  if (u.scheme != "http" && u.scheme != "https")
    throw std::invalid_argument("not an http(s) URL: " + std::string(url));
  std::string_view rest = url.substr(colon + 3);
  auto path_start = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, path_start);
  std::string_view target = path_start == std::string_view::npos ? "/" : rest.substr(path_start);
  target = target.substr(0, target.find('#'));
  u.target = target.empty() || target[0] == '?' ? "/" + std::string(target) : std::string(target);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  std::string_view port;
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else if (auto c = authority.rfind(':'); c != std::string_view::npos) {
    u.host = std::string(authority.substr(0, c));
    port = authority.substr(c + 1);
  } else {
    u.host = std::string(authority);
  }
  u.host = lower(u.host);
  u.port = u.scheme == "https" ? 443 : 80;
  if (!port.empty()) {
    unsigned p = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p == 0 || p > 65535) {
      throw std::invalid_argument("bad port in URL: " + std::string(url));
    }
    u.port = static_cast<uint16_t>(p);
  }
  if (u.host.empty()) throw std::invalid_argument("no host in URL: " + std::string(url));
  return u;
}

std::string resolve_url(std::string_view base, std::string_view ref) {
  if (ref.find("://") != std::string_view::npos && ref.find("://") < ref.find_first_of("/?#")) {
    return std::string(ref);
  }
  Url b = parse_url(base);
  if (ref.starts_with("//")) return b.scheme + ":" + std::string(ref);
  if (ref.starts_with("/")) return b.origin() + std::string(ref);
  if (ref.empty()) return b.str();
  if (ref.starts_with("?")) return b.origin() + b.path() + std::string(ref);
  std::string dir = b.path().substr(0, b.path().rfind('/') + 1);
  return b.origin() + dir + std::string(ref);
}

std::string url_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size()) {
      unsigned v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec == std::errc() && p == s.data() + i + 3) {
        out += static_cast<char>(v);
        i += 2;
      } else {
        out += s[i];
      }
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string form_encode(const Form& form) {
  std::string out;
  for (const auto& [k, v] : form) {
    if (!out.empty()) out += '&';
    out += url_encode(k) + "=" + url_encode(v);
  }
  return out;
}

std::optional<std::string> query_param(std::string_view url, std::string_view name) {
  auto q = url.find('?');
  std::string_view query = q == std::string_view::npos ? url : url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    auto eq = pair.find('=');
    if (url_decode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1));
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

Response fetch(const FetchRequest& req) {
  Url u = parse_url(req.url);
  asio::io_context io;
  Response out;
  std::string failed;
  std::exception_ptr error;
  asio::co_spawn(io, exchange(u, req, out, failed), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
  if (!failed.empty()) throw std::runtime_error(req.method + " " + req.url + " failed at " + failed);
  return out;
}

Browser::Browser(std::string ca_file, std::chrono::milliseconds timeout)
    : ca_file_(std::move(ca_file)), timeout_(timeout) {}

Response Browser::get(const std::string& url, const Headers& headers) {
  chain_.clear();
  return request("GET", url, headers, "", "");
}

Response Browser::post_form(const std::string& url, const Form& form, const Headers& headers) {
  chain_.clear();
  Headers h = headers;
  h.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  return request("POST", url, h, form_encode(form), "");
}

Response Browser::follow(const std::string& url, int max_redirects) {
  chain_.clear();
  Response r = request("GET", url, {}, "", "");
  return follow_response(std::move(r), url, max_redirects);
}

Response Browser::follow_response(Response r, const std::string& start_url, int max_redirects) {
  std::string current = start_url;
  std::string method = chain_.empty() ? "GET" : chain_.back().method;
  std::string last_body = last_body_;
  Headers last_headers =
      last_content_type_.empty() ? Headers{} : Headers{{"Content-Type", last_content_type_}};
  for (int hops = 0;; ++hops) {
    std::string next;
    std::string next_method = "GET";
    std::string body;
    Headers headers;
    unsigned status = r.result_int();
    if (status == 301 || status == 302 || status == 303 || status == 307 || status == 308) {
      auto loc = r.find(http::field::location);
      if (loc == r.end()) return r;
      next = resolve_url(current, std::string(loc->value()));
      // 307/308 repeat the method and body; 301/302 turn POST into GET as browsers do; 303 always GETs.
      if ((status == 307 || status == 308) && method != "GET") {
        next_method = method;
        body = last_body;
        headers = last_headers;
      }
    } else if (auto form = auto_submit_ ? auto_submitted_form(r) : std::nullopt) {
      next = resolve_url(current, form->action.empty() ? current : form->action);
      if (form->method == "post") {
        next_method = "POST";
        body = form_encode(form->fields);
        headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      } else {
        next += (next.find('?') == std::string::npos ? "?" : "&") + form_encode(form->fields);
      }
    } else {
      return r;
    }
    for (const auto& prefix : stop_prefixes_) {
      if (next.starts_with(prefix)) return r;
    }
    if (hops >= max_redirects)
      throw std::runtime_error("more than " + std::to_string(max_redirects) + " redirects, last to " + next);
    last_body = body;
    last_headers = headers;
    r = request(next_method, next, headers, std::move(body), current);
    current = next;
    method = next_method;
  }
}

Response Browser::request(const std::string& method, const std::string& url, const Headers& headers,
                          std::string body, const std::string& initiator) {
  Url u = parse_url(url);
  FetchRequest req{method, url, headers, std::move(body), ca_file_, timeout_};
  auto has = [&](std::string_view name) {
    return std::any_of(headers.begin(), headers.end(),
                       [&](const auto& h) { return lower(h.first) == lower(name); });
  };
  if (!has("accept")) req.headers.emplace_back("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
  if (!has("cookie")) {
    std::string c = cookies_for(u, method, initiator);
    if (!c.empty()) req.headers.emplace_back("Cookie", c);
  }
  last_body_ = req.body;
  last_content_type_.clear();
  for (const auto& [k, v] : headers) {
    if (lower(k) == "content-type") last_content_type_ = v;
  }
  Response r = fetch(req);
  for (auto it = r.find(http::field::set_cookie); it != r.end() && it->name() == http::field::set_cookie;
       ++it) {
    store(u, it->value());
  }
  auto loc = r.find(http::field::location);
  chain_.push_back(
      {method, url, r.result_int(), loc == r.end() ? "" : resolve_url(url, std::string(loc->value()))});
  url_ = url;
  return r;
}

std::string Browser::cookies_for(const Url& u, const std::string& method,
                                 const std::string& initiator) const {
  // A request is cross-site when the page (or redirect) that caused it is on another site. What
  // the user types (no initiator) is same-site.
  bool cross_site = !initiator.empty() && site_of(parse_url(initiator)) != site_of(u);
  auto t = now();
  std::vector<const Stored*> matching;
  std::string path = u.path();
  for (const auto& s : jar_) {
    const Cookie& c = s.cookie;
    if (c.expires && *c.expires <= t) continue;
    if (c.host_only ? u.host != c.domain : !domain_match(u.host, c.domain)) continue;
    if (!path_match(path, c.path)) continue;
    if (c.secure && !secure_context(u)) continue;
    if (cross_site) {
      // Lax (and no SameSite, which Chromium treats as Lax) rides along only on top-level GETs.
      if (c.same_site == "Strict") continue;
      if (c.same_site != "None" && method != "GET") continue;
    }
    matching.push_back(&s);
  }
  std::stable_sort(matching.begin(), matching.end(), [](const Stored* a, const Stored* b) {
    if (a->cookie.path.size() != b->cookie.path.size()) return a->cookie.path.size() > b->cookie.path.size();
    return a->created < b->created;
  });
  std::string out;
  for (const Stored* s : matching) {
    if (!out.empty()) out += "; ";
    out += s->cookie.name + "=" + s->cookie.value;
  }
  return out;
}

std::string Browser::cookie_header(const std::string& url) const {
  return cookies_for(parse_url(url), "GET", "");
}

bool Browser::set_cookie(const std::string& url, std::string_view value) {
  return store(parse_url(url), value);
}

bool Browser::store(const Url& u, std::string_view header) {
  std::string_view pair = header.substr(0, header.find(';'));
  auto eq = pair.find('=');
  if (eq == std::string_view::npos) return false;
  Cookie c;
  c.name = std::string(trim(pair.substr(0, eq)));
  c.value = std::string(trim(pair.substr(eq + 1)));
  if (c.name.empty()) return false;
  std::optional<std::chrono::seconds> max_age;
  std::optional<std::chrono::system_clock::time_point> expires;
  std::string domain_attr;
  bool has_path = false;
  std::string_view rest =
      header.find(';') == std::string_view::npos ? "" : header.substr(header.find(';') + 1);
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view attr = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? "" : rest.substr(semi + 1);
    auto aeq = attr.find('=');
    std::string key = lower(trim(attr.substr(0, aeq)));
    std::string_view val = aeq == std::string_view::npos ? "" : trim(attr.substr(aeq + 1));
    if (key == "domain") {
      domain_attr = lower(val);
      if (!domain_attr.empty() && domain_attr[0] == '.') domain_attr.erase(0, 1);
    } else if (key == "path") {
      if (!val.empty() && val[0] == '/') {
        c.path = std::string(val);
        has_path = true;
      }
    } else if (key == "secure") {
      c.secure = true;
    } else if (key == "httponly") {
      c.http_only = true;
    } else if (key == "max-age") {
      long long n = 0;
      auto [p, ec] = std::from_chars(val.data(), val.data() + val.size(), n);
      if (ec == std::errc() && p == val.data() + val.size()) max_age = std::chrono::seconds(n);
    } else if (key == "expires") {
      expires = parse_http_date(val);
    } else if (key == "samesite") {
      std::string s = lower(val);
      c.same_site = s == "strict" ? "Strict" : s == "none" ? "None" : "Lax";
    }
  }
  if (!has_path) c.path = default_path(u.path());
  if (domain_attr.empty()) {
    c.domain = u.host;
  } else {
    if (!domain_match(u.host, domain_attr)) return false;  // a server may not set cookies for other hosts
    c.domain = domain_attr;
    c.host_only = false;
  }
  // Secure cookies only from secure contexts; SameSite=None without Secure is refused (Chromium).
  if (c.secure && !secure_context(u)) return false;
  if (c.same_site == "None" && !c.secure) return false;
  // RFC 6265bis prefixes: __Secure- must be Secure; __Host- must be Secure, host-only and Path=/.
  if (c.name.starts_with("__Secure-") && !c.secure) return false;
  if (c.name.starts_with("__Host-") && (!c.secure || !c.host_only || c.path != "/")) return false;
  // Max-Age wins over Expires; zero or negative (or an Expires in the past) deletes the cookie.
  if (max_age)
    c.expires = now() + *max_age;
  else if (expires)
    c.expires = *expires;
  bool deleting = c.expires && *c.expires <= now();
  auto same = [&](const Stored& s) {
    return s.cookie.name == c.name && s.cookie.domain == c.domain && s.cookie.path == c.path;
  };
  auto it = std::find_if(jar_.begin(), jar_.end(), same);
  uint64_t created = it != jar_.end() ? it->created : next_created_++;
  if (it != jar_.end()) jar_.erase(it);
  if (!deleting) jar_.push_back({std::move(c), created});
  expire();
  return true;
}

void Browser::expire() {
  auto t = now();
  std::erase_if(jar_, [&](const Stored& s) { return s.cookie.expires && *s.cookie.expires <= t; });
}

std::vector<Cookie> Browser::cookies() const {
  std::vector<Cookie> out;
  auto t = now();
  for (const auto& s : jar_) {
    if (!s.cookie.expires || *s.cookie.expires > t) out.push_back(s.cookie);
  }
  return out;
}

std::optional<Cookie> Browser::cookie(std::string_view name) const {
  for (const auto& c : cookies()) {
    if (c.name == name) return c;
  }
  return std::nullopt;
}

}  // namespace vigie::testing
