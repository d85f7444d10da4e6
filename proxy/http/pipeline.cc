#include "http/pipeline.h"

#include "core/assert.h"
#include "http/request_context.h"

namespace vigie::http {
namespace {

// The authentication gate. Every route states its auth mode (config load refuses a route without
// one); `public` is the only mode so far and lets the request through without an identity. Later
// modes (session, bearer) plug in here, so a route can never reach the upstream without passing it.
class AuthModeStage final : public Stage {
 public:
  boost::asio::awaitable<Verdict> run(RequestContext& ctx) const override {
    VIGIE_ASSERT(ctx.route->cfg->auth == config::AuthMode::Public);  // load rejects every other mode
    co_return Continue{};
  }
};

}  // namespace

Pipeline Pipeline::standard() {
  Pipeline p;
  p.set(Step::Authenticate, std::make_unique<AuthModeStage>());
  return p;
}

boost::asio::awaitable<Verdict> Pipeline::run(RequestContext& ctx) const {
  for (const auto& stage : stages_) {
    if (!stage) continue;
    Verdict v = co_await stage->run(ctx);
    if (std::holds_alternative<Respond>(v)) co_return v;
  }
  co_return Continue{};
}

}  // namespace vigie::http
