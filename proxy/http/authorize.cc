#include "http/authorize.h"

#include "core/assert.h"
#include "core/http_method.h"
#include "http/request_context.h"
#include "http/snapshot.h"

namespace vigie::http {
namespace asio = boost::asio;
namespace {

uint8_t method_bit(authn::Method m) {
  switch (m) {
    case authn::Method::Session: return config::kAuthSession;
    case authn::Method::Bearer: return config::kAuthBearer;
    case authn::Method::ClientCredentials: return config::kAuthClientCredentials;
  }
  return 0;
}

void count(const observe::DecisionMetrics& m, const config::Policy& p, const authz::Decision& d) {
  if (d.justification_required) m.justification_required->Increment();
  else if (!d.rule) m.default_deny->Increment();
  else m.by_rule[static_cast<size_t>(d.rule - p.rules.data())]->Increment();
  if (d.break_glass) m.break_glass->Increment();
}

class AuthorizeStage final : public Stage {
 public:
  asio::awaitable<Verdict> run(RequestContext& ctx) const override {
    if (ctx.route->cfg->auth == config::AuthMode::Public) co_return Continue{};
    // The Authenticate stage runs first and answers itself when it cannot name the caller.
    VIGIE_ASSERT(ctx.identity != nullptr);
    ctx.decision = authorize(ctx, *ctx.route, *ctx.identity, ctx.method(), ctx.path);
    const authz::Decision& d = *ctx.decision;
    if (d.allowed) co_return Continue{};
    co_return Respond{d.justification_required ? Reason::JustificationRequired : Reason::PolicyDenied, {}, d.reason()};
  }
};

}  // namespace

authz::Subject subject_of(const authn::Identity& id) {
  return {method_bit(id.method), id.oid, id.tid, id.email, &id.groups, &id.roles, &id.claims};
}

authz::Decision authorize(const RequestContext& ctx, const router::Route& route, const authn::Identity& id,
                          std::string_view method, std::string_view path) {
  const config::Config& cfg = *ctx.snapshot->config;
  const config::Policy& policy = cfg.authorization.policies[route.cfg->policy_index];
  authz::Facts f;
  f.subject = subject_of(id);
  f.method = core::method_bit(method);
  f.path = path;
  f.client = ctx.client;
  auto it = ctx.request().find(cfg.authorization.break_glass_header);
  if (it != ctx.request().end()) f.justification = std::string_view(it->value());
  f.now = std::chrono::system_clock::now();
  authz::Decision d = authz::evaluate(policy, f);
  count(ctx.snapshot->decision_metrics[route.index], policy, d);
  return d;
}

std::unique_ptr<const Stage> make_authorize_stage() { return std::make_unique<AuthorizeStage>(); }

}  // namespace vigie::http
