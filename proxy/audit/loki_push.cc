#include "audit/loki_push.h"

#include <boost/asio/co_spawn.hpp>
#include <charconv>

#include "net/http_client.h"
#include "net/tls.h"
#include "observe/access_log.h"

namespace vigie::audit {
namespace {

using observe::LokiFailure;
constexpr size_t kDetailBytes = 512;  // of Loki's answer, for the log
constexpr size_t kMaxAnswer = 64 * 1024;

bool digits(std::string_view s, size_t at, size_t n, int& out) {
  if (at + n > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
  return ec == std::errc{} && p == s.data() + at + n;
}

LokiFailure failure_of(net::FetchError e) {
  switch (e) {
    case net::FetchError::Resolve:
    case net::FetchError::Connect: return LokiFailure::Connect;
    case net::FetchError::Tls: return LokiFailure::Tls;
    case net::FetchError::Timeout: return LokiFailure::Timeout;
    case net::FetchError::Io:
    case net::FetchError::BadResponse: return LokiFailure::Io;
  }
  return LokiFailure::Io;
}

PushOutcome retry(LokiFailure f, std::string detail, int status = 0) {
  PushOutcome o;
  o.kind = PushOutcome::Kind::Retry;
  o.failure = f;
  o.status = status;
  o.detail = std::move(detail);
  return o;
}

}  // namespace

std::optional<int64_t> parse_iso8601_ns(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM)
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 20 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                  std::chrono::day(static_cast<unsigned>(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  size_t at = 19;
  int64_t frac_ns = 0;
  if (at < s.size() && s[at] == '.') {
    size_t start = ++at;
    int64_t scale = 100000000;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') {
      if (at - start < 9) frac_ns += (s[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == start) return std::nullopt;
  }
  int offset_min = 0;
  if (at < s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    ++at;
  } else if (at < s.size() && (s[at] == '+' || s[at] == '-')) {
    int oh = 0, om = 0;
    if (!digits(s, at + 1, 2, oh) || at + 3 >= s.size() || s[at + 3] != ':' || !digits(s, at + 4, 2, om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = (s[at] == '+' ? 1 : -1) * (oh * 60 + om);
    at += 6;
  } else {
    return std::nullopt;
  }
  if (at != s.size()) return std::nullopt;
  auto days = std::chrono::sys_days(ymd).time_since_epoch().count();
  int64_t secs = static_cast<int64_t>(days) * 86400 + h * 3600 + mi * 60 + sec - offset_min * 60;
  return secs * 1000000000 + frac_ns;
}

// One pass over the line, no allocation (a DOM parse was most of the shipper's time): the string
// value of a top-level member named `time` or `recorded`. Strings are skipped with their escapes, so
// text inside a value (a path, a user agent) can never pass for a member.
std::optional<int64_t> record_time_ns(std::string_view line) {
  int depth = 0;
  bool key_next = false;  // at depth 1, after '{' or ','
  size_t i = 0;
  auto skip_string = [&](size_t from) -> size_t {  // index of the closing quote, or npos
    for (size_t j = from; j < line.size(); ++j) {
      if (line[j] == '\\') {
        ++j;
      } else if (line[j] == '"') {
        return j;
      }
    }
    return std::string_view::npos;
  };
  auto skip_ws = [&](size_t j) {
    while (j < line.size() && (line[j] == ' ' || line[j] == '\t' || line[j] == '\n' || line[j] == '\r')) ++j;
    return j;
  };
  for (; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"') {
      size_t end = skip_string(i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      std::string_view name = line.substr(i + 1, end - i - 1);
      bool was_key = key_next && depth == 1;
      key_next = false;
      i = end;
      if (!was_key || (name != "time" && name != "recorded")) continue;
      size_t v = skip_ws(end + 1);
      if (v >= line.size() || line[v] != ':') return std::nullopt;
      v = skip_ws(v + 1);
      if (v >= line.size() || line[v] != '"') continue;  // not a string: look further
      size_t vend = skip_string(v + 1);
      if (vend == std::string_view::npos) return std::nullopt;
      return parse_iso8601_ns(line.substr(v + 1, vend - v - 1));
    }
    if (c == '{' || c == '[') {
      ++depth;
      key_next = c == '{' && depth == 1;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',') {
      key_next = depth == 1;
    }
  }
  return std::nullopt;
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && (i == 0 || c < '0' || c > '9')) return false;
  }
  return true;
}

std::string push_body(const std::map<std::string, std::string>& labels, const std::vector<LokiEntry>& entries) {
  std::string out;
  size_t size = 64;
  for (const auto& e : entries) size += e.line.size() + e.line.size() / 8 + 32;
  out.reserve(size);
  out += R"({"streams":[{"stream":{)";
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += '"';
    observe::json_escape(out, name);
    out += "\":\"";
    observe::json_escape(out, value);
    out += '"';
  }
  out += R"(},"values":[)";
  first = true;
  for (const auto& e : entries) {
    if (!first) out += ',';
    first = false;
    out += "[\"";
    out += std::to_string(e.ts_ns);
    out += "\",\"";
    observe::json_escape(out, e.line);
    out += "\"]";
  }
  out += "]}]}";
  return out;
}

std::optional<core::Url> push_url(std::string_view base) {
  auto url = core::parse_url(base);
  if (!url || url->target.find('?') != std::string::npos) return std::nullopt;
  while (url->target.ends_with('/')) url->target.pop_back();
  url->target += "/loki/api/v1/push";
  return url;
}

PushOutcome classify(int status, std::string_view body) {
  std::string detail(body.substr(0, kDetailBytes));
  while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) detail.pop_back();
  if (status >= 200 && status < 300) return PushOutcome{PushOutcome::Kind::Accepted, LokiFailure::Io, status, {}};
  if (status == 400) return PushOutcome{PushOutcome::Kind::Rejected, LokiFailure::Io, status, std::move(detail)};
  if (status == 429) return retry(LokiFailure::Throttled, std::move(detail), status);
  if (status >= 500) return retry(LokiFailure::Server, std::move(detail), status);
  if (status == 408) return retry(LokiFailure::Timeout, std::move(detail), status);
  return retry(LokiFailure::Refused, std::move(detail), status);
}

LokiClient::LokiClient(Options o) : opt_(std::move(o)) {
  tls_ = opt_.url.tls ? net::make_client_context(opt_.ca_file)
                      : std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_client);
}

PushOutcome LokiClient::push(const std::string& body) {
  net::OutboundRequest req;
  req.method = "POST";
  req.url = opt_.url;
  req.content_type = "application/json";  // without it Loki reads the body as snappy protobuf
  req.body = body;
  if (!opt_.tenant.empty()) req.headers.emplace_back("X-Scope-OrgID", opt_.tenant);
  if (!opt_.token.empty()) req.headers.emplace_back("Authorization", "Bearer " + opt_.token);

  std::optional<core::Result<net::OutboundResponse, net::FetchError>> got;
  {
    std::lock_guard lk(mu_);
    if (interrupted_) return retry(LokiFailure::Io, "shutting down");
    io_.restart();
  }
  boost::asio::co_spawn(io_, net::fetch(req, *tls_, opt_.timeout, kMaxAnswer),
                        [&](std::exception_ptr e, core::Result<net::OutboundResponse, net::FetchError> r) {
                          if (!e) got = std::move(r);
                        });
  // Returns when the exchange is over (its deadline included) or interrupt() stopped the context;
  // an interrupted exchange is abandoned and its frame destroyed with the io_context.
  io_.run();
  if (!got) return retry(LokiFailure::Io, "interrupted");
  if (!*got) return retry(failure_of(got->error()), std::string(net::describe(got->error())));
  return classify((*got)->status, (*got)->body);
}

void LokiClient::interrupt() {
  std::lock_guard lk(mu_);
  interrupted_ = true;
  io_.stop();
}

}  // namespace vigie::audit
