#include "http/audit.h"

#include <boost/asio/use_awaitable.hpp>

#include "audit/patient_ids.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "http/request_context.h"
#include "http/snapshot.h"

namespace vigie::http {
namespace asio = boost::asio;
namespace {

constexpr size_t kMaxUserAgent = 256;

std::string_view header(const RequestContext& ctx, std::string_view name) {
  auto it = ctx.request().find(name);
  return it == ctx.request().end() ? std::string_view{} : std::string_view(it->value());
}

void add_identity(audit::Record& r, const authn::Identity& id) {
  r.user_oid = id.oid;
  r.tenant_id = id.tid;
  r.name = id.name;
  r.username = id.preferred_username;
  r.client_app = id.client_id;
  r.auth_method = authn::name(id.method);
  r.token_id = id.token_id;
  // A hash names the session in the trail without giving anyone the means to revoke or replay it.
  if (!id.session_id.empty()) r.session_hash = crypto::hex_encode(crypto::sha256(id.session_id)).substr(0, 16);
}

audit::Record draft(const RequestContext& ctx, audit::Kind kind, const DescribedRequest* d = nullptr) {
  const Snapshot& snap = *ctx.snapshot;
  audit::Record r;
  r.kind = kind;
  r.time = std::chrono::system_clock::now();
  r.request_id = ctx.request_id;
  const authn::Identity* id = d ? d->identity.get() : ctx.identity.get();
  if (id) add_identity(r, *id);
  r.client = ctx.client;
  r.forwarded_for = header(ctx, "X-Forwarded-For");
  r.user_agent = header(ctx, "User-Agent").substr(0, kMaxUserAgent);
  r.method = d ? d->method : std::string_view(ctx.request().method_string());
  r.host = d ? d->host : std::string_view(ctx.host);
  const router::Route* route = d ? d->route : ctx.route;
  if (route) r.route = route->cfg->id;
  std::string_view path = d ? d->path : std::string_view(ctx.path);
  std::string_view query = d ? d->query : ctx.query;
  r.path = path;
  r.query = audit::redact_query(query, snap.config->audit.redact_params);
  if (snap.patient_ids) r.patients = snap.patient_ids->find(path, query);
  r.action = audit::action_of(r.method, path, query);
  r.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count();
  return r;
}

bool marks_patient_data(const RequestContext& ctx, const router::Route& route, std::string_view path) {
  const config::Route& rt = *route.cfg;
  if (rt.audit_patient) return true;
  if (rt.auth == config::AuthMode::Public) return false;
  for (const auto& p : ctx.snapshot->config->authorization.policies[rt.policy_index].patient_data) {
    if (p.matches(path)) return true;
  }
  return false;
}

audit::Outcome outcome_of(const RequestContext& ctx, std::optional<Reason> refusal, int status) {
  if (!refusal) {
    if (status >= 500) return audit::Outcome::Failed;
    return ctx.decision && ctx.decision->break_glass ? audit::Outcome::BreakGlass : audit::Outcome::Allowed;
  }
  switch (*refusal) {
    case Reason::PolicyDenied:
    case Reason::JustificationRequired:
    case Reason::InsufficientScope:
    case Reason::TenantNotAllowed:
    case Reason::GroupsOverage: return audit::Outcome::Denied;
    case Reason::Unauthenticated:
    case Reason::LoginRedirect:
    case Reason::InvalidToken:
    case Reason::AmbiguousCredentials:
    case Reason::IdentityUnavailable: return audit::Outcome::Unauthenticated;
    case Reason::UpstreamOverflow:
    case Reason::UpstreamConnect:
    case Reason::UpstreamTimeout:
    case Reason::UpstreamBadResponse:
    case Reason::AuditUnavailable: return audit::Outcome::Failed;
    default: return audit::Outcome::Refused;
  }
}

bool is_security_refusal(Reason r) {
  switch (r) {
    case Reason::InvalidToken:
    case Reason::InsufficientScope:
    case Reason::AmbiguousCredentials:
    case Reason::TenantNotAllowed:
    case Reason::GroupsOverage:
    case Reason::LoginRejected:
    case Reason::LoginStateInvalid:
    case Reason::PolicyDenied:
    case Reason::JustificationRequired: return true;
    default: return false;
  }
}

// The record drafted by the Audit stage, or one drafted now from the still untouched request.
audit::Record take_draft(RequestContext& ctx, audit::Kind kind) {
  audit::Record r = ctx.audit_draft ? *ctx.audit_draft : draft(ctx, kind);
  r.kind = kind;
  r.time = std::chrono::system_clock::now();
  r.duration_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count();
  return r;
}

void security_event(RequestContext& ctx, std::string_view event, audit::Outcome outcome, std::string_view reason,
                    int status) {
  audit::Trail& trail = ctx.trails->security();
  audit::Record r = take_draft(ctx, audit::Kind::SecurityEvent);
  r.event = event;
  r.outcome = outcome;
  r.reason = reason;
  r.status = status;
  trail.offer(ctx.trails->encode(r, trail));
}

class AuditStage final : public Stage {
 public:
  asio::awaitable<Verdict> run(RequestContext& ctx) const override {
    if (ctx.decision && ctx.decision->audit_patient) ctx.patient_data = true;
    if (!ctx.patient_data) co_return Continue{};
    // Fail closed: a request whose record could not be written is not forwarded at all.
    if (!ctx.trails || !ctx.trails->patient().accepting()) co_return Respond{Reason::AuditUnavailable, {}, {}};
    ctx.audit_draft = draft(ctx, audit::Kind::PatientAccess);
    if (ctx.decision && ctx.decision->break_glass) {
      ctx.audit_draft->justification = header(ctx, ctx.snapshot->config->authorization.break_glass_header);
      security_event(ctx, "break_glass", audit::Outcome::BreakGlass, ctx.decision->reason(), 0);
    }
    co_return Continue{};
  }
};

}  // namespace

void mark_patient_data(RequestContext& ctx) { ctx.patient_data = marks_patient_data(ctx, *ctx.route, ctx.path); }

std::unique_ptr<const Stage> make_audit_stage() { return std::make_unique<AuditStage>(); }

namespace {

asio::awaitable<bool> commit(RequestContext& ctx, audit::Record& r, int status, std::optional<uint64_t> bytes,
                             std::optional<Reason> refusal) {
  audit::Trail& trail = ctx.trails->patient();
  r.event = "patient_access";
  r.outcome = outcome_of(ctx, refusal, status);
  r.reason = refusal ? info(*refusal).code : (ctx.decision ? ctx.decision->reason() : std::string_view{});
  if (ctx.decision && (refusal == Reason::PolicyDenied || refusal == Reason::JustificationRequired)) {
    r.reason = ctx.decision->reason();
  }
  r.status = status;
  r.bytes = bytes;
  std::string body = ctx.trails->encode(r, trail);
  if (trail.durability() == config::Durability::Async) {
    trail.submit(std::move(body));
    co_return true;
  }
  bool ok = co_await trail.commit(std::move(body), asio::use_awaitable);
  co_return ok;
}

}  // namespace

asio::awaitable<bool> record_patient_access(RequestContext& ctx, int status, std::optional<uint64_t> bytes,
                                            std::optional<Reason> refusal) {
  ctx.audit_recorded = true;
  if (!ctx.trails) co_return false;
  audit::Record r = take_draft(ctx, audit::Kind::PatientAccess);
  co_return co_await commit(ctx, r, status, bytes, refusal);
}

asio::awaitable<bool> record_forward_auth(RequestContext& ctx, const DescribedRequest& d, int status,
                                          std::optional<Reason> refusal) {
  bool patient = marks_patient_data(ctx, *d.route, d.path) || (ctx.decision && ctx.decision->audit_patient);
  // The described request, not /oauth2/auth, is what this answer's records (security events
  // included) are about.
  if (ctx.trails) ctx.audit_draft = draft(ctx, audit::Kind::PatientAccess, &d);
  if (!patient) co_return true;
  ctx.audit_recorded = true;
  if (!ctx.trails || !ctx.trails->patient().accepting()) co_return false;
  if (ctx.decision && ctx.decision->break_glass) {
    ctx.audit_draft->justification = header(ctx, ctx.snapshot->config->authorization.break_glass_header);
    security_event(ctx, "break_glass", audit::Outcome::BreakGlass, ctx.decision->reason(), 0);
  }
  audit::Record r = take_draft(ctx, audit::Kind::PatientAccess);
  co_return co_await commit(ctx, r, status, std::nullopt, refusal);
}

void record_refusal_event(RequestContext& ctx, Reason r, std::string_view detail) {
  if (!ctx.trails || !is_security_refusal(r)) return;
  bool denial = r == Reason::PolicyDenied || r == Reason::JustificationRequired;
  security_event(ctx, denial ? "policy_denied" : "authentication_failed", outcome_of(ctx, r, info(r).status),
                 detail.empty() ? info(r).code : detail, info(r).status);
}

}  // namespace vigie::http
