#include "audit/trails.h"

#include "audit/fhir_encoder.h"
#include "audit/file_sink.h"
#include "audit/json_encoder.h"
#include "audit/loki_sink.h"

namespace vigie::audit {
namespace {

std::unique_ptr<Sink> make_sink(const std::string& stream, const config::AuditSink& s, const std::string& key,
                                observe::Metrics& metrics) {
  switch (s.type) {
    case config::AuditSinkType::File:
      return std::make_unique<FileSink>(FileSink::Options{s.path, s.rotate_bytes, s.rotate_every, key});
    case config::AuditSinkType::Stdout: return std::make_unique<StdoutSink>();
    case config::AuditSinkType::Loki: return std::make_unique<LokiSink>(s, stream, metrics.loki(stream));
  }
  return nullptr;
}

std::unique_ptr<Trail> open_trail(const std::string& name, const config::AuditStream& st, const std::string& key,
                                  observe::Metrics& metrics, const std::string& observer,
                                  std::vector<std::string>& errors) {
  Trail::Options o;
  o.name = name;
  o.key = key;
  o.format = st.format;
  o.durability = st.durability;
  o.encode = [format = st.format, observer](const Record& r) {
    return format == config::AuditFormat::Json ? encode_json(r) : encode_fhir(r, observer);
  };
  auto trail = std::make_unique<Trail>(std::move(o), make_sink(name, st.sink, key, metrics), metrics.audit(name));
  std::string error;
  if (!trail->start(error)) errors.push_back("audit stream " + name + ": " + error);
  return trail;
}

}  // namespace

std::unique_ptr<Trails> Trails::open(const config::Audit& cfg, observe::Metrics& metrics, std::string observer,
                                     std::vector<std::string>& errors) {
  std::unique_ptr<Trails> t(new Trails());
  t->observer_ = std::move(observer);
  std::string key = cfg.key ? cfg.key->value : std::string();
  t->patient_ = open_trail("patient", cfg.patient, key, metrics, t->observer_, errors);
  if (cfg.security) t->security_ = open_trail("security", *cfg.security, key, metrics, t->observer_, errors);
  return t;
}

Trails::~Trails() { stop(); }

std::string Trails::encode(const Record& r, const Trail& trail) const {
  return trail.format() == config::AuditFormat::Json ? encode_json(r) : encode_fhir(r, observer_);
}

void Trails::stop() {
  if (security_) security_->stop();
  if (patient_) patient_->stop();
}

}  // namespace vigie::audit
