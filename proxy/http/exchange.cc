#include "http/exchange.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "core/request_id.h"
#include "http/audit.h"
#include "http/auth.h"
#include "http/headers.h"
#include "http/path.h"
#include "http/request_head.h"
#include "http/snapshot.h"

namespace vigie::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

Reason parse_error_reason(const beast::error_code& ec) {
  if (ec == bhttp::error::bad_transfer_encoding || ec == bhttp::error::bad_content_length ||
      ec == bhttp::error::multiple_content_length) {
    return Reason::BadFraming;
  }
  if (ec == bhttp::error::bad_target) return Reason::BadTarget;
  if (ec == bhttp::error::header_limit) return Reason::HeadersTooLarge;
  if (ec == bhttp::error::body_limit) return Reason::BodyTooLarge;
  return Reason::BadRequest;
}

Reason body_error_reason(const beast::error_code& ec) {
  if (ec == bhttp::error::body_limit) return Reason::BodyTooLarge;
  if (ec == beast::error::timeout) return Reason::BodyTimeout;
  return Reason::BadRequest;
}

Reason upstream_reason(upstream::Failure f) {
  switch (f) {
    case upstream::Failure::Overflow: return Reason::UpstreamOverflow;
    case upstream::Failure::Timeout: return Reason::UpstreamTimeout;
    case upstream::Failure::Connect: return Reason::UpstreamConnect;
    default: return Reason::UpstreamBadResponse;
  }
}

void finish(WorkerState& w, RequestContext& ctx) {
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count();
  if (ctx.route) ctx.snapshot->route_metrics[ctx.route->index].record(ctx.method(), ctx.status, secs);
  w.metrics.bytes_in.Increment(static_cast<double>(ctx.bytes_in));
  w.metrics.bytes_out.Increment(static_cast<double>(ctx.bytes_out));
  bool log_query = ctx.route && ctx.route->cfg->log_query;
  w.access_log.log({.time = std::chrono::system_clock::now(),
                    .request_id = ctx.request_id,
                    .client = ctx.client,
                    .method = ctx.method(),
                    .host = ctx.host,
                    .path = ctx.path,
                    .query = log_query ? ctx.query : std::string_view{},
                    .status = ctx.status,
                    .bytes_in = ctx.bytes_in,
                    .bytes_out = ctx.bytes_out,
                    .duration_s = secs,
                    .upstream = ctx.upstream,
                    .route = ctx.route ? std::string_view(ctx.route->cfg->id) : std::string_view{},
                    .rc_details = ctx.rc_details,
                    .user = ctx.identity ? std::string_view(ctx.identity->user()) : std::string_view{},
                    .auth = ctx.identity ? authn::name(ctx.identity->method) : std::string_view{},
                    .decision = !ctx.decision              ? std::string_view{}
                                : ctx.decision->break_glass ? std::string_view("break_glass")
                                : ctx.decision->allowed     ? std::string_view("allow")
                                                            : std::string_view("deny"),
                    .rule = ctx.decision ? ctx.decision->reason() : std::string_view{}});
}

// Writes a response Vigie produced itself, with the headers the request gathered (Set-Cookie).
asio::awaitable<bool> write_local(WorkerState& w, RequestContext& ctx, net::Stream& stream,
                                  bhttp::response<bhttp::string_body>& res, bool keep_alive) {
  for (const auto& [name, value] : ctx.response_headers) res.insert(name, value);
  if (ctx.request().method() == bhttp::verb::head) res.body().clear();
  ctx.status = static_cast<int>(res.result_int());
  stream.tcp().expires_after(ctx.snapshot->config->timeouts.body);
  auto [ec, n] = co_await bhttp::async_write(stream, res, kTuple);
  ctx.bytes_out += n;
  finish(w, ctx);
  co_return keep_alive && !ec;
}

bool reply_keep_alive(WorkerState& w, RequestContext& ctx, bool reusable) {
  return reusable && ctx.parser.is_header_done() && ctx.parser.is_done() && ctx.request().keep_alive() &&
         !w.draining;
}

// Answers with a local reply. The connection stays open only when the request was well-formed,
// its body fully read, and the client wants keep-alive.
asio::awaitable<bool> reply(WorkerState& w, RequestContext& ctx, net::Stream& stream, Reason r, bool reusable,
                            authn::Headers headers = {}, std::string_view detail = {}) {
  record_refusal_event(ctx, r, detail);
  // A refused patient-data request is recorded too; when even that record cannot be written the
  // answer becomes 503, so that no refusal goes unrecorded either.
  if (ctx.patient_data && !ctx.audit_recorded && r != Reason::AuditUnavailable) {
    if (!co_await record_patient_access(ctx, info(r).status, std::nullopt, r)) {
      r = Reason::AuditUnavailable;
      headers.clear();
      detail = {};
    }
  }
  if (r == Reason::AuditUnavailable) w.metrics.audit_refused.Increment();
  bool keep_alive = reply_keep_alive(w, ctx, reusable);
  auto res = render(r, ctx.prefs, ctx.request_id, 11, keep_alive);
  for (const auto& [name, value] : headers) res.insert(name, value);
  ctx.rc_details = detail.empty() ? info(r).code : detail;
  if (r == Reason::NoRoute) w.metrics.local_replies_no_route.Increment();
  co_return co_await write_local(w, ctx, stream, res, keep_alive);
}

// A small request body read whole (the back-channel logout form). False when it is too large,
// times out or is malformed.
asio::awaitable<bool> read_small_body(RequestContext& ctx, net::Stream& stream, beast::flat_buffer& buffer) {
  constexpr size_t kLimit = 64 * 1024;
  ctx.parser.body_limit(kLimit);
  stream.tcp().expires_after(ctx.snapshot->config->timeouts.body);
  char chunk[4096];
  while (!ctx.parser.is_done()) {
    ctx.parser.get().body().data = chunk;
    ctx.parser.get().body().size = sizeof chunk;
    auto [ec, n] = co_await bhttp::async_read_some(stream, buffer, ctx.parser, kTuple);
    if (ec && ec != bhttp::error::need_buffer) co_return false;
    ctx.endpoint_body.append(chunk, sizeof chunk - ctx.parser.get().body().size);
    ctx.bytes_in += n;
  }
  co_return true;
}

asio::awaitable<bool> serve_endpoint(WorkerState& w, RequestContext& ctx, net::Stream& stream,
                                     beast::flat_buffer& buffer) {
  bool has_body = ctx.parser.chunked() || ctx.parser.content_length().value_or(0) > 0;
  if (has_body && ctx.request().method() == bhttp::verb::post) {
    if (!co_await read_small_body(ctx, stream, buffer)) co_return co_await reply(w, ctx, stream, Reason::BodyTooLarge, false);
  }
  authn::EndpointAnswer answer = co_await serve_auth_endpoint(ctx);
  if (auto* refusal = std::get_if<authn::Refusal>(&answer)) {
    co_return co_await reply(w, ctx, stream, reason_for(refusal->failure), true, refusal->headers, refusal->detail);
  }
  auto& r = std::get<authn::Reply>(answer);
  bool keep_alive = reply_keep_alive(w, ctx, true);
  bhttp::response<bhttp::string_body> res(static_cast<bhttp::status>(r.status), 11);
  res.set(bhttp::field::server, "vigie");
  res.set("X-Request-Id", ctx.request_id);
  if (!r.content_type.empty()) res.set(bhttp::field::content_type, r.content_type);
  for (const auto& [name, value] : r.headers) res.insert(name, value);
  res.body() = std::move(r.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  ctx.rc_details = "auth_endpoint";
  co_return co_await write_local(w, ctx, stream, res, keep_alive);
}

std::optional<Reason> route_request(RequestContext& ctx) {
  const Snapshot& snap = *ctx.snapshot;
  if (auto r = check_request(ctx)) return r;
  auto target = normalise_target(ctx.request().target());
  if (!target) return Reason::BadTarget;
  ctx.path = std::move(target->path);
  ctx.query = target->query;
  if (is_auth_endpoint(ctx)) return std::nullopt;
  ctx.route = snap.routes.match(ctx.host, ctx.path, ctx.method());
  if (!ctx.route) return Reason::NoRoute;
  mark_patient_data(ctx);
  const config::Route& r = *ctx.route->cfg;
  // TRACE echoes the request (cookies and tokens included) back: only where a route lists it.
  if (ctx.request().method() == bhttp::verb::trace && (ctx.route->methods & core::method_bit("TRACE")) == 0) {
    return Reason::MethodNotAllowed;
  }
  uint64_t limit = r.max_body_bytes.value_or(snap.config->limits.max_body_bytes);
  auto length = ctx.parser.content_length();
  if (length && *length > limit) return Reason::BodyTooLarge;
  ctx.parser.body_limit(limit);
  ctx.upgrade = is_websocket_upgrade(ctx.request());
  if (ctx.upgrade && !r.websocket) return Reason::WebsocketNotAllowed;
  return std::nullopt;
}

// Holds a patient-data response until its record is written; refuses it when it cannot be.
class AuditGate final : public upstream::ResponseGate {
 public:
  explicit AuditGate(RequestContext& ctx) : ctx_(ctx) {}
  asio::awaitable<bool> admit(const bhttp::response_header<>& header, std::optional<uint64_t> size) override {
    co_return co_await record_patient_access(ctx_, static_cast<int>(header.result_int()), size, std::nullopt);
  }

 private:
  RequestContext& ctx_;
};

// Vigie answers Expect: 100-continue itself, and only once the request has passed every stage, so
// a refused client never sends its body.
asio::awaitable<bool> send_continue(RequestContext& ctx, net::Stream& stream) {
  auto expect = ctx.request().find(bhttp::field::expect);
  if (expect == ctx.request().end() || ctx.parser.is_done()) co_return true;
  static constexpr std::string_view k100 = "HTTP/1.1 100 Continue\r\n\r\n";
  auto [ec, n] = co_await asio::async_write(stream, asio::buffer(k100), kTuple);
  co_return !ec;
}

asio::awaitable<bool> forward_request(WorkerState& w, RequestContext& ctx, net::Stream& stream,
                                      beast::flat_buffer& buffer) {
  const auto& cfg = *ctx.snapshot->config;
  bool keep_alive = ctx.request().keep_alive();
  bool head = ctx.request().method() == bhttp::verb::head;
  if (!co_await send_continue(ctx, stream)) co_return false;
  prepare_upstream_request(ctx);
  upstream::Downstream d{stream, buffer, ctx.parser, cfg.timeouts.body, cfg.timeouts.body,
                         cfg.timeouts.websocket_idle, head, ctx.upgrade};
  d.added_fields = ctx.upstream_fields;
  AuditGate gate(ctx);
  if (ctx.patient_data) d.gate = &gate;
  const upstream::Cluster& cluster = ctx.snapshot->clusters[ctx.route->cluster];
  // Decided when the response starts: a drain that began meanwhile closes the connection after it.
  auto on_response = [&](upstream::Response& res) {
    keep_alive = keep_alive && !w.draining;
    prepare_downstream_response(ctx, res, keep_alive);
  };
  upstream::ResponseHook hook(on_response);
  upstream::Outcome out = co_await upstream::forward(d, cluster, w.pool, hook);
  ctx.bytes_in += out.bytes_in;
  ctx.upstream = out.endpoint;
  if (out.failure != upstream::Failure::None && !out.response_started) {
    Reason r = out.failure == upstream::Failure::ClientBody ? body_error_reason(out.client_error)
               : out.failure == upstream::Failure::Refused  ? Reason::AuditUnavailable
                                                            : upstream_reason(out.failure);
    co_return co_await reply(w, ctx, stream, r, false);
  }
  ctx.status = out.status;
  ctx.bytes_out += out.bytes_out;
  if (out.failure != upstream::Failure::None) ctx.rc_details = "aborted_after_response_start";
  finish(w, ctx);
  co_return keep_alive && out.client_keep_alive && out.failure == upstream::Failure::None && !ctx.upgrade;
}

}  // namespace

asio::awaitable<bool> handle_request(WorkerState& w, std::shared_ptr<const Snapshot> snap, net::Stream& stream,
                                     beast::flat_buffer& buffer, size_t header_len, const ConnectionInfo& conn) {
  const config::Config& cfg = *snap->config;
  upstream::RequestParser parser;
  parser.eager(false);
  parser.header_limit(cfg.limits.request_line_bytes + cfg.limits.header_bytes + 4);
  parser.body_limit(boost::none);  // the route's limit is applied once the route is known
  RequestContext ctx{snap, parser, conn, std::chrono::steady_clock::now()};
  ctx.bytes_in = header_len;
  ctx.auth_caches = &w.auth_caches;
  ctx.assertion_cache = &w.assertion_cache;
  ctx.trails = w.trails;

  std::string_view block(static_cast<const char*>(buffer.data().data()), header_len);
  bool controls = true;
  std::optional<Reason> bad = check_raw_header(block, cfg.limits.header_count, &controls);
  beast::error_code ec;
  if (!bad) parse_header_block(parser, block, ec, !controls);
  buffer.consume(header_len);
  if (!bad && (ec || !parser.is_header_done())) bad = parse_error_reason(ec);
  if (bad) {
    w.metrics.bad_requests.Increment();
    ctx.client = conn.peer_text;
    ctx.request_id = core::new_request_id();
    co_return co_await reply(w, ctx, stream, *bad, false);
  }
  identify_client(ctx, cfg.trusted_proxies);
  ctx.prefs = client_prefs(ctx.request()[bhttp::field::accept], ctx.request()[bhttp::field::accept_language]);
  if (auto r = route_request(ctx)) {
    if (!ctx.route && *r != Reason::NoRoute) w.metrics.bad_requests.Increment();
    co_return co_await reply(w, ctx, stream, *r, *r == Reason::NoRoute || *r == Reason::WebsocketNotAllowed);
  }
  if (!ctx.route) co_return co_await serve_endpoint(w, ctx, stream, buffer);  // the login prefix
  Verdict v = co_await snap->pipeline.run(ctx);
  if (auto* respond = std::get_if<Respond>(&v)) {
    co_return co_await reply(w, ctx, stream, respond->reason, true, respond->headers, respond->detail);
  }
  co_return co_await forward_request(w, ctx, stream, buffer);
}

}  // namespace vigie::http
