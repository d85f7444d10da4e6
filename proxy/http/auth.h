// The HTTP side of authentication: the Authenticate stage of the pipeline, the login endpoints
// served before routing, and the identity headers an upstream receives. Adapts RequestContext to
// authn::Request and authn's answers to replies. Worker thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>

#include "authn/outcome.h"
#include "http/pipeline.h"

namespace vigie::http {

struct RequestContext;

[[nodiscard]] std::unique_ptr<const Stage> make_authenticate_stage();

// True when the request is for the login prefix of a snapshot with an identity section.
[[nodiscard]] bool is_auth_endpoint(const RequestContext& ctx);
// Serves it: a complete reply, or a refusal rendered by the caller.
[[nodiscard]] boost::asio::awaitable<authn::EndpointAnswer> serve_auth_endpoint(RequestContext& ctx);

// After the pipeline: Vigie's cookies removed, the route's identity headers from ctx.identity added
// to ctx.upstream_fields.
void set_identity_headers(RequestContext& ctx);

}  // namespace vigie::http
