// Fuzz target: the request parser and header sanitiser, exactly as a client's bytes meet them.
// Header-block scan with limits, raw checks (obs-fold, bare CR/LF), Beast parse (long Cookie and
// Authorization lines set aside and checked by request_head.cc), request checks,
// path normalisation, client identification and the rewrite for the upstream, whose head must parse
// back as exactly one request. Must never crash, leak or trip a sanitizer, whatever the bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/header_reader.h"
#include "http/headers.h"
#include "http/path.h"
#include "http/request_head.h"
#include "http/request_context.h"
#include "upstream/wire.h"

namespace {

const vigie::config::Config& fuzz_config() {
  static const vigie::config::Config c = [] {
    vigie::config::Config cfg;
    cfg.limits.request_line_bytes = 4096;
    cfg.limits.header_bytes = 16384;
    cfg.trusted_proxies.add(*vigie::core::Cidr::parse("127.0.0.0/8"));
    vigie::config::Route r;
    r.id = "fuzz";
    r.path = "/a";
    r.rewrite_prefix = "/b/";
    cfg.routes.push_back(r);
    return cfg;
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigie;
  const config::Config& cfg = fuzz_config();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto block = http::scan_header_block(bytes, cfg.limits);
  if (!block || *block == 0) return 0;
  std::string_view head = bytes.substr(0, *block);
  bool controls = true;
  if (http::check_raw_header(head, 100, &controls)) return 0;
  upstream::RequestParser parser;
  parser.eager(false);
  parser.header_limit(cfg.limits.request_line_bytes + cfg.limits.header_bytes + 4);
  boost::system::error_code ec;
  http::parse_header_block(parser, head, ec, !controls);
  if (!controls) {  // the shortcut check_raw_header allows must not change the outcome
    upstream::RequestParser checked;
    checked.eager(false);
    checked.header_limit(cfg.limits.request_line_bytes + cfg.limits.header_bytes + 4);
    boost::system::error_code checked_ec;
    http::parse_header_block(checked, head, checked_ec, false);
    if (checked_ec != ec) __builtin_trap();
  }
  if (ec || !parser.is_header_done()) return 0;

  http::ConnectionInfo conn;
  conn.peer = boost::asio::ip::make_address("127.0.0.1");
  conn.peer_text = "127.0.0.1";
  conn.peer_trusted = true;
  http::RequestContext ctx{nullptr, parser, conn, {}};
  if (http::check_request(ctx)) return 0;
  http::identify_client(ctx, cfg.trusted_proxies);
  auto target = http::normalise_target(ctx.request().target());
  if (!target) return 0;
  ctx.path = target->path;
  ctx.query = target->query;
  static const router::Route route{&cfg.routes[0], 0, 0, 0, nullptr};
  if (!ctx.path.starts_with("/a")) return 0;
  ctx.route = &route;
  ctx.upgrade = http::is_websocket_upgrade(ctx.request());
  http::prepare_upstream_request(ctx);
  // What goes upstream is one well-formed request head, whatever came in (no smuggled second one).
  std::string wire;
  upstream::append_request_head(wire, ctx.request(), ctx.upstream_fields);
  upstream::RequestParser again;
  again.eager(false);
  again.header_limit(static_cast<uint32_t>(wire.size()));
  size_t used = again.put(boost::asio::buffer(wire.data(), wire.size()), ec);
  if (ec || !again.is_header_done() || used != wire.size()) __builtin_trap();
  return 0;
}
