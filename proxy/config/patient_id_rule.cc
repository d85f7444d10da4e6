#include "config/patient_id_rule.h"

#include <utility>

#include "core/assert.h"

namespace vigie::config {
namespace {

constexpr std::string_view kId = "<id>";

std::string query_text(std::string_view path, const std::string& param, const std::string& prefix,
                       bool prefix_optional, PatientIdRule::Kind kind) {
  std::string text(path);
  text += "?" + param + "=";
  text += prefix_optional && !prefix.empty() ? "[" + prefix + "]" : prefix;
  text += kind == PatientIdRule::Kind::Identifier ? "<identifier>" : "<id>";
  return text;
}

PatientIdRule path_rule(std::string_view pattern) {
  auto rule = compile_path_rule(pattern, PatientIdRule::Kind::Id);
  VIGIE_ASSERT(rule.has_value());
  return std::move(*rule);
}

PatientIdRule scoped(std::string_view path, std::string param, PatientIdRule::Kind kind) {
  auto rule = query_rule_on(path, std::move(param), "", false, kind);
  VIGIE_ASSERT(rule.has_value());
  return std::move(*rule);
}

}  // namespace

core::Result<PatientIdRule, std::string> compile_path_rule(std::string_view pattern,
                                                           PatientIdRule::Kind kind) {
  size_t at = pattern.find(kId);
  if (at == std::string_view::npos || pattern.find(kId, at + 1) != std::string_view::npos) {
    return core::fail(std::string("needs exactly one '<id>' segment"));
  }
  std::string replaced(pattern);
  replaced.replace(at, kId.size(), "*");
  auto compiled = core::PathPattern::compile(replaced);
  if (!compiled) return core::fail(std::move(compiled.error()));

  // The pattern starts with '/' (compile checked it): segment i follows the (i+1)th slash.
  if (pattern[at - 1] != '/' || (at + kId.size() < pattern.size() && pattern[at + kId.size()] != '/')) {
    return core::fail(std::string("'<id>' must be a whole segment"));
  }
  size_t segment = 0;
  std::string_view before = pattern.substr(1, at - 1);
  while (!before.empty()) {
    std::string_view seg = before.substr(0, before.find('/'));
    // After a "**" the index of the "<id>" segment in the request path depends on how many segments
    // the "**" took, so it would name no fixed segment.
    if (seg == "**") return core::fail(std::string("'<id>' must come before '**'"));
    ++segment;
    before.remove_prefix(seg.size() + 1);
  }

  PatientIdRule rule;
  rule.source = PatientIdRule::Source::Path;
  rule.kind = kind;
  rule.path = std::move(*compiled);
  rule.segment = segment;
  rule.text = std::string(pattern);
  return rule;
}

PatientIdRule query_rule(std::string param, std::string prefix, bool prefix_optional,
                         PatientIdRule::Kind kind) {
  PatientIdRule rule;
  rule.source = PatientIdRule::Source::Query;
  rule.kind = kind;
  rule.text = query_text("", param, prefix, prefix_optional, kind);
  rule.param = std::move(param);
  rule.prefix = std::move(prefix);
  rule.prefix_optional = prefix_optional;
  return rule;
}

core::Result<PatientIdRule, std::string> query_rule_on(std::string_view path_pattern, std::string param,
                                                       std::string prefix, bool prefix_optional,
                                                       PatientIdRule::Kind kind) {
  auto compiled = core::PathPattern::compile(path_pattern);
  if (!compiled) return core::fail(std::move(compiled.error()));
  PatientIdRule rule = query_rule(std::move(param), std::move(prefix), prefix_optional, kind);
  rule.path = std::move(*compiled);
  rule.text = query_text(path_pattern, rule.param, rule.prefix, prefix_optional, kind);
  return rule;
}

const std::vector<PatientIdRule>& default_patient_id_rules() {
  using Kind = PatientIdRule::Kind;
  static const std::vector<PatientIdRule> rules = [] {
    std::vector<PatientIdRule> r;
    // OpenMRS REST: the patient, its sub-resources (allergy, identifier) and the person behind it.
    // A patient *is* a person in OpenMRS (same row, same uuid), so person/<uuid> reads the patient's
    // demographics. A person who is not a patient (a relative, a provider) is recorded too: on an
    // audited route that is personal data as well, and the trail cannot tell them apart.
    r.push_back(path_rule("/openmrs/ws/rest/v1/{patient,person}/<id>/**"));
    // FHIR2 R4: Patient/<id>, its $everything and _history. FHIR Person ids are the same person uuid
    // (the module maps both resources from the one OpenMRS person), hence the same rule.
    // RelatedPerson/<id> is left out: its id is a relationship's uuid, not a person's.
    r.push_back(path_rule("/openmrs/ws/fhir2/R4/{Patient,Person}/<id>/**"));

    // REST encounter, obs, visit, order, programenrollment, queue-entry, attachment... and the FHIR
    // `patient` reference parameter of every clinical resource, bare ("patient=<uuid>", what O3
    // sends) or as a reference ("patient=Patient/<uuid>").
    r.push_back(query_rule("patient", "Patient/", true, Kind::Id));
    // FHIR `subject` may name a Group, a Location or a Device on other servers: only a value typed
    // Patient/ is taken. (OpenMRS FHIR2 limits subject to Patient, so a bare "subject=<uuid>" is a
    // patient there; it stays visible in the record's query.)
    r.push_back(query_rule("subject", "Patient/", false, Kind::Id));
    // The same with FHIR's type modifier: O3's chart sends "subject%3APatient=<uuid>".
    r.push_back(query_rule("subject:Patient", "Patient/", true, Kind::Id));
    // REST condition and diagnosis searches (webservices.rest 2.2+), Bahmni appointments.
    r.push_back(query_rule("patientUuid", "", false, Kind::Id));
    // REST relationship search: the person whose relatives are listed.
    r.push_back(query_rule("person", "", false, Kind::Id));
    // The other relationship search parameters name persons only on that resource.
    r.push_back(scoped("/openmrs/ws/rest/v1/relationship", "personA", Kind::Id));
    r.push_back(scoped("/openmrs/ws/rest/v1/relationship", "personB", Kind::Id));
    r.push_back(scoped("/openmrs/ws/rest/v1/relationship", "relatedPerson", Kind::Id));
    // FHIR chained search by medical record number (Condition?patient.identifier=...). The token
    // keeps its system ("http://openmrs.org/identifier|100GEJ"): the same number may be an OpenMRS
    // ID in one register and a national id in another, and a FHIR AuditEvent names an identifier
    // by system and value.
    r.push_back(query_rule("patient.identifier", "", false, Kind::Identifier));
    // "identifier" names a patient on the patient searches only (REST patientByIdentifier handler,
    // FHIR Patient); on Practitioner or Location it names them.
    r.push_back(scoped("/openmrs/ws/rest/v1/patient", "identifier", Kind::Identifier));
    r.push_back(scoped("/openmrs/ws/fhir2/R4/Patient/**", "identifier", Kind::Identifier));
    // FHIR search by id (Patient?_id=<uuid>); `_id` of another resource type is that resource's.
    r.push_back(scoped("/openmrs/ws/fhir2/R4/{Patient,Person}/**", "_id", Kind::Id));
    // Not here: "patientId" (no OpenMRS REST or FHIR2 search takes it), "subject.identifier" (on
    // a server where subject may be a Group it is the Group's), chained names (patient.name: hidden
    // by redaction instead, and a name does not identify one patient).
    return r;
  }();
  return rules;
}

const std::vector<std::string>& default_redact_params() {
  // An auditor needs to know that a search was run and how (which parameters, birth date range,
  // gender), but a name or a phone number written in clear in a log kept for years is itself
  // personal data, about someone who may not even be a patient here. Ids and identifiers are kept:
  // "who opened whose record" is what the trail is for. `q` goes, though it may hold an identifier,
  // because it as often holds a name.
  static const std::vector<std::string> params{
      // REST free-text search (patient, person): a name, or part of one, as typed.
      "q",
      // FHIR name searches, also as name:contains, name:exact and chained (patient.name).
      "name",
      "given",
      "family",
      // The name fields of the REST similar-patient search (patient?matchSimilar=...).
      "givenname",
      "middlename",
      "familyname",
      // FHIR contact points: direct identifiers of a person.
      "phone",
      "email",
      "telecom",
      // A street address; city, state and postal code stay visible (an area, not a home).
      "address",
      // FHIR free-text search over a resource or its narrative.
      "_content",
      "_text",
  };
  return params;
}

}  // namespace vigie::config
