#include "audit/json_encoder.h"

#include "audit/json_writer.h"

namespace vigie::audit {
namespace {

std::string_view kind_name(Kind k) {
  return k == Kind::SecurityEvent ? "security_event" : "patient_access";
}

// A first guess at the line's size, so a typical record is written without regrowing.
size_t estimate(const Record& r) {
  size_t n = 400 + r.user_agent.size() + r.path.size() + r.query.size() + r.forwarded_for.size() +
             r.justification.size() + r.name.size();
  for (const auto& p : r.patients) n += 40 + p.id.size() + p.source.size();
  return n;
}

}  // namespace

std::string encode_json(const Record& r) {
  std::string out;
  out.reserve(estimate(r));
  JsonWriter w(out);
  w.open_object();
  w.key("time");
  w.timestamp(r.time);
  w.member("request_id", r.request_id);
  w.member("kind", kind_name(r.kind));
  w.member_if("event", r.event);

  if (!r.user_oid.empty() || !r.tenant_id.empty() || !r.name.empty() || !r.username.empty() ||
      !r.client_app.empty()) {
    w.object("user");
    w.member_if("oid", r.user_oid);
    w.member_if("tid", r.tenant_id);
    w.member_if("name", r.name);
    w.member_if("username", r.username);
    w.member_if("app", r.client_app);
    w.close_object();
  }
  w.member_if("auth", r.auth_method);
  w.member_if("session", r.session_hash);
  w.member_if("token_id", r.token_id);

  w.member_if("client", r.client);
  w.member_if("forwarded_for", r.forwarded_for);
  w.member_if("user_agent", r.user_agent);

  w.member_if("method", r.method);
  w.member_if("host", r.host);
  w.member_if("route", r.route);
  w.member_if("path", r.path);
  w.member_if("query", r.query);
  if (!r.patients.empty()) {
    w.array("patients");
    for (const auto& p : r.patients) {
      w.open_object();
      w.member("id", p.id);
      if (p.identifier) {
        w.key("identifier");
        w.boolean(true);
      }
      w.member_if("source", p.source);
      w.close_object();
    }
    w.close_array();
  }
  // A login or a refused token has no access to classify; a record that names patients does.
  if (r.kind == Kind::PatientAccess || !r.patients.empty()) w.member("action", name(r.action));

  w.member("outcome", name(r.outcome));
  w.member_if("reason", r.reason);
  w.member_if("justification", r.justification);
  w.key("status");
  w.number(static_cast<int64_t>(r.status));
  if (r.bytes) {
    w.key("bytes");
    w.number(*r.bytes);
  }
  w.key("duration_ms");
  w.fixed3(r.duration_s * 1000.0);
  return out;
}

}  // namespace vigie::audit
