// Header hygiene at both edges of the proxy: checks that refuse ambiguous requests, removal of
// hop-by-hop headers (RFC 9110 §7.6.1, including names listed in Connection), removal of
// client-supplied identity headers, and the X-Forwarded-* / X-Request-Id headers Vigie sets.
// Pure functions over Beast messages; worker thread.
#pragma once

#include <optional>
#include <string_view>

#include "http/local_reply.h"
#include "http/request_context.h"

namespace vigie::http {

// Raw header block checks Beast does not make: obs-fold, bare LF or CR, header count.
// `block` is the request line and headers up to and including the empty line. When it passes,
// *controls (if given) tells whether it holds a control byte besides CRLF line ends and tabs, or a
// DEL: with none, no field value can be one Beast refuses (parse_header_block need not look).
[[nodiscard]] std::optional<Reason> check_raw_header(std::string_view block, uint32_t max_headers,
                                                     bool* controls = nullptr);

// Checks on the parsed request: one valid Host, a transfer coding of exactly "chunked", no CONNECT,
// Expect only 100-continue. Fills ctx.host on success.
[[nodiscard]] std::optional<Reason> check_request(RequestContext& ctx);

// True for a WebSocket upgrade request (Upgrade: websocket with Connection: upgrade).
[[nodiscard]] bool is_websocket_upgrade(const upstream::RequestParser::value_type& req);

// Resolves the client address and request id from the connection and, for trusted peers only,
// X-Forwarded-For and X-Request-Id.
void identify_client(RequestContext& ctx, const core::CidrSet& trusted);

// Rewrites the request in place for the upstream: target, hop-by-hop and identity headers removed,
// framing normalised, forwarding headers set.
void prepare_upstream_request(RequestContext& ctx);

// Rewrites the upstream response header in place for the client.
void prepare_downstream_response(const RequestContext& ctx, upstream::Response& res, bool keep_alive);

}  // namespace vigie::http
