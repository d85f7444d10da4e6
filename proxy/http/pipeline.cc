#include "http/pipeline.h"

#include "http/audit.h"
#include "http/auth.h"
#include "http/authorize.h"
#include "http/request_context.h"

namespace vigie::http {

Pipeline Pipeline::standard() {
  Pipeline p;
  p.set(Step::Authenticate, make_authenticate_stage());
  p.set(Step::Authorize, make_authorize_stage());
  p.set(Step::Audit, make_audit_stage());
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
