// The Authorize stage: the route's policy (compiled into the config) decides for the authenticated
// caller; a refusal is a 403 whose reason names the deciding rule in the log and metrics, never in
// the page. Also used for forward-auth requests, about the route they describe. Worker thread.
#pragma once

#include <memory>
#include <string_view>

#include "authn/identity.h"
#include "authz/engine.h"
#include "http/pipeline.h"
#include "router/table.h"

namespace vigie::http {

struct RequestContext;

[[nodiscard]] std::unique_ptr<const Stage> make_authorize_stage();

// The decision for `id` doing `method path` on `route` (counted in the route's decision metrics).
[[nodiscard]] authz::Decision authorize(const RequestContext& ctx, const router::Route& route,
                                        const authn::Identity& id, std::string_view method, std::string_view path);

// The caller as policies see it (views into `id`).
[[nodiscard]] authz::Subject subject_of(const authn::Identity& id);

}  // namespace vigie::http
