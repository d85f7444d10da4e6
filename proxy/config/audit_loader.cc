#include "config/audit_loader.h"

#include <filesystem>

#include "config/patient_id_rule.h"
#include "core/url.h"

namespace vigie::config {
namespace {

constexpr size_t kMinKeyBytes = 32;

void read_format(Reader& r, AuditStream& s) {
  std::string f = r.str("format").value_or("json");
  if (f == "json") s.format = AuditFormat::Json;
  else if (f == "fhir") s.format = AuditFormat::Fhir;
  else r.error("format", "expected json or fhir, got '" + f + "'");
}

void read_durability(Reader& r, AuditStream& s) {
  if (!r.has("durability")) return;
  std::string d = *r.str("durability");
  if (d == "sync") s.durability = Durability::Sync;
  else if (d == "async") s.durability = Durability::Async;
  else r.error("durability", "expected sync or async, got '" + d + "'");
}

void read_rotation(Reader& r, AuditSink& sink) {
  r.child("rotate", [&](Reader& rot) {
    sink.rotate_bytes = rot.uint("bytes", 0, 1ull << 40).value_or(sink.rotate_bytes);
    sink.rotate_every = rot.duration("every", true).value_or(sink.rotate_every);
  });
}

void read_loki(Reader& r, AuditSink& sink) {
  bool present = r.child("loki", [&](Reader& l) {
    sink.loki_url = l.str("url", true).value_or("");
    auto u = core::parse_url(sink.loki_url);
    if (!sink.loki_url.empty() && !u) l.error("url", "'" + sink.loki_url + "' is not an http(s) URL");
    sink.loki_tenant = l.str("tenant").value_or("");
    sink.loki_token = l.secret("token");
    sink.ca_file = l.str("ca_file").value_or("");
    sink.spool_bytes = l.uint("spool_bytes", 1 << 20, 1ull << 40).value_or(sink.spool_bytes);
    l.child("labels", [&](Reader& lab) {
      for (const auto& k : lab.keys()) sink.labels[k] = lab.str(k).value_or("");
    });
  });
  if (!present) r.error("loki", "is required with sink: loki (url, labels, spool_bytes)");
  if (sink.labels.empty()) sink.labels["job"] = "vigie-audit";
}

void read_stream(Reader& r, AuditStream& s, Durability default_durability) {
  s.durability = default_durability;
  std::string type = r.str("sink", true).value_or("file");
  read_format(r, s);
  read_durability(r, s);
  if (type == "file" || type == "loki") {
    s.sink.type = type == "file" ? AuditSinkType::File : AuditSinkType::Loki;
    s.sink.path = r.str("path", true).value_or("");
    // Relative to the config file's directory, as policy files are: not to wherever Vigie started.
    std::filesystem::path p = s.sink.path;
    if (!s.sink.path.empty() && p.is_relative()) {
      s.sink.path = (std::filesystem::path(r.context().file).parent_path() / p).lexically_normal().string();
    }
    read_rotation(r, s.sink);
    if (s.sink.type == AuditSinkType::Loki) read_loki(r, s.sink);
  } else if (type == "stdout") {
    s.sink.type = AuditSinkType::Stdout;
  } else {
    r.error("sink", "expected file, stdout or loki, got '" + type + "'");
  }
}

void read_patient_ids(Reader& r, Audit& a) {
  if (!r.has("patient_ids")) {
    a.patient_ids = default_patient_id_rules();
    return;
  }
  r.each("patient_ids", [&](Reader& p) {
    auto kind_text = p.str("kind").value_or("id");
    PatientIdRule::Kind kind = PatientIdRule::Kind::Id;
    if (kind_text == "identifier") kind = PatientIdRule::Kind::Identifier;
    else if (kind_text != "id") p.error("kind", "expected id or identifier, got '" + kind_text + "'");
    if (auto param = p.str("query")) {
      if (param->empty()) p.error("query", "names no parameter");
      std::string prefix = p.str("prefix").value_or("");
      bool optional = p.boolean("prefix_optional").value_or(false);
      if (auto on = p.str("path")) {  // the parameter names a patient only on these paths
        auto rule = query_rule_on(*on, *param, prefix, optional, kind);
        if (rule) a.patient_ids.push_back(std::move(*rule));
        else p.error("path", "'" + *on + "' " + rule.error());
      } else {
        a.patient_ids.push_back(query_rule(*param, prefix, optional, kind));
      }
      return;
    }
    auto path = p.str("path");
    if (!path) {
      p.error("path", "a rule needs a path with '<id>', or a query parameter");
      return;
    }
    auto rule = compile_path_rule(*path, kind);
    if (rule) a.patient_ids.push_back(std::move(*rule));
    else p.error("path", "'" + *path + "' " + rule.error());
  });
}

}  // namespace

void read_audit(Reader& r, Audit& a) {
  a.enabled = true;
  a.line = r.line();
  a.key = r.secret("key", true);
  if (a.key && r.context().read_secrets && a.key->value.size() < kMinKeyBytes) {
    r.error("key", "is " + std::to_string(a.key->value.size()) + " bytes long; the chain key needs at least 32 " +
                       "(head -c 32 /dev/urandom | base64)");
  }
  if (!r.child("patient", [&](Reader& p) { read_stream(p, a.patient, Durability::Sync); })) {
    r.error("patient", "is required: where patient-data access records go");
  }
  r.child("security", [&](Reader& s) { read_stream(s, a.security.emplace(), Durability::Async); });
  read_patient_ids(r, a);
  if (r.has("redact_params")) a.redact_params = r.strings("redact_params");
  else a.redact_params = default_redact_params();
}

void check_audit(const Config& c, LoadContext& ctx) {
  if (c.audit.enabled) {
    const Audit& a = c.audit;
    // Lines over the pipe's atomic size (4 KiB) from two writers interleave on one stdout.
    int on_stdout = (c.access_log.path == "stdout") + (a.patient.sink.type == AuditSinkType::Stdout) +
                    (a.security && a.security->sink.type == AuditSinkType::Stdout);
    if (on_stdout > 1 && (a.patient.sink.type == AuditSinkType::Stdout ||
                          (a.security && a.security->sink.type == AuditSinkType::Stdout))) {
      ctx.errors.push_back({ctx.file, a.line, "audit",
                            "only one of access_log and the audit streams may write to stdout (their lines would "
                            "interleave): set access_log.path to a file or off, or give a stream a file"});
    }
    bool same_file = a.security && a.security->sink.type != AuditSinkType::Stdout &&
                     a.security->sink.path == a.patient.sink.path;
    if (same_file) {
      ctx.errors.push_back({ctx.file, a.line, "audit.security.path",
                            "is the patient stream's file: leave `security` out to share it (one chain per file)"});
    }
    return;
  }
  for (size_t i = 0; i < c.routes.size(); ++i) {
    const Route& rt = c.routes[i];
    std::string key = "routes[" + std::to_string(i) + "]";
    const Policy* p = rt.auth == AuthMode::Public ? nullptr : &c.authorization.policies[rt.policy_index];
    if (rt.audit_patient) key += ".audit";
    else if (p && p->marks_patient_data()) key += ".policy";
    else continue;
    ctx.errors.push_back({ctx.file, rt.line, key,
                          "the route serves patient data (" + (rt.audit_patient ? std::string("audit: patient") :
                          "policy " + p->name + " marks it") + ") but there is no `audit:` section to record it"});
  }
}

}  // namespace vigie::config
