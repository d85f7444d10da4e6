// config::compile_path_rule, query_rule, query_rule_on and the OpenMRS defaults: which rule texts
// compile to which segment, which are refused with which message, and what the defaults contain.
#include "config/patient_id_rule.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace vigie::config {
namespace {

using Kind = PatientIdRule::Kind;
using Source = PatientIdRule::Source;

struct PathCase {
  const char* name;
  const char* pattern;
  size_t segment;
  const char* compiled;  // the PathPattern text, "*" in place of "<id>"
  const char* matching;  // a path the rule matches
  const char* other;     // one it does not
};

TEST(PatientIdRule, path_rules_compile_to_their_id_segment) {
  for (const auto& c : std::vector<PathCase>{
           {"rest_patient_or_person", "/openmrs/ws/rest/v1/{patient,person}/<id>/**", 5,
            "/openmrs/ws/rest/v1/{patient,person}/*/**",
            "/openmrs/ws/rest/v1/patient/8673ee4f-e2ab-4077-ba55-4980f408773e/allergy",
            "/openmrs/ws/rest/v1/patient"},
           {"fhir_patient", "/openmrs/ws/fhir2/R4/Patient/<id>/**", 5, "/openmrs/ws/fhir2/R4/Patient/*/**",
            "/openmrs/ws/fhir2/R4/Patient/0695f46e-1ee0-49c8-830a-9df9e1ae9c21/$everything",
            "/openmrs/ws/fhir2/R4/Observation/0695f46e-1ee0-49c8-830a-9df9e1ae9c21"},
           {"id_last_segment", "/api/patients/<id>", 2, "/api/patients/*", "/api/patients/42",
            "/api/patients/42/notes"},
           {"id_first_segment", "/<id>/chart", 0, "/*/chart", "/p1/chart", "/chart"},
           {"glob_before_id_counts_one_segment", "/api/*/<id>", 2, "/api/*/*", "/api/v2/7", "/api/7"},
           {"double_star_after_id", "/a/<id>/**/b", 1, "/a/*/**/b", "/a/1/x/y/b", "/a/1/x"},
       }) {
    auto rule = compile_path_rule(c.pattern, Kind::Id);
    ASSERT_TRUE(rule) << c.name << ": " << rule.error();
    EXPECT_EQ(rule->source, Source::Path) << c.name;
    EXPECT_EQ(rule->segment, c.segment) << c.name;
    EXPECT_EQ(rule->path.text(), c.compiled) << c.name;
    EXPECT_EQ(rule->text, c.pattern) << c.name;
    EXPECT_TRUE(rule->path.matches(c.matching)) << c.name;
    EXPECT_FALSE(rule->path.matches(c.other)) << c.name;
  }
}

TEST(PatientIdRule, path_rule_keeps_its_kind) {
  auto rule = compile_path_rule("/mrn/<id>", Kind::Identifier);
  ASSERT_TRUE(rule);
  EXPECT_EQ(rule->kind, Kind::Identifier);
}

struct InvalidCase {
  const char* name;
  const char* pattern;
  const char* error;  // a fragment of the message
};

TEST(PatientIdRule, invalid_path_rules_are_refused_with_a_reason) {
  for (const auto& c : std::vector<InvalidCase>{
           {"no_id_segment", "/openmrs/ws/rest/v1/patient/*", "needs exactly one '<id>' segment"},
           {"two_id_segments", "/a/<id>/b/<id>", "needs exactly one '<id>' segment"},
           {"id_inside_a_segment", "/files/x<id>", "'<id>' must be a whole segment"},
           {"id_with_a_suffix", "/files/<id>.json", "'<id>' must be a whole segment"},
           {"id_inside_alternatives", "/v1/{<id>,x}", "'<id>' must be a whole segment"},
           {"id_after_any_depth", "/openmrs/**/patient/<id>", "'<id>' must come before '**'"},
           {"id_right_after_any_depth", "/a/**/<id>", "'<id>' must come before '**'"},
           {"no_leading_slash", "patient/<id>", "must start with '/'"},
           {"empty_segment", "/a//<id>", "an empty segment"},
           {"path_pattern_error_elsewhere", "/a/<id>/b**", "'**' must be a whole segment"},
           {"empty_pattern", "", "needs exactly one '<id>' segment"},
       }) {
    auto rule = compile_path_rule(c.pattern, Kind::Id);
    ASSERT_FALSE(rule) << c.name;
    EXPECT_NE(rule.error().find(c.error), std::string::npos) << c.name << ": " << rule.error();
  }
}

TEST(PatientIdRule, query_rule_reads_a_parameter_on_every_path) {
  PatientIdRule rule = query_rule("subject", "Patient/", false, Kind::Id);
  EXPECT_EQ(rule.source, Source::Query);
  EXPECT_EQ(rule.param, "subject");
  EXPECT_EQ(rule.prefix, "Patient/");
  EXPECT_FALSE(rule.prefix_optional);
  EXPECT_EQ(rule.kind, Kind::Id);
  EXPECT_TRUE(rule.path.text().empty());
  EXPECT_EQ(rule.text, "?subject=Patient/<id>");
  EXPECT_EQ(query_rule("patient", "Patient/", true, Kind::Id).text, "?patient=[Patient/]<id>");
  EXPECT_EQ(query_rule("patient.identifier", "", false, Kind::Identifier).text,
            "?patient.identifier=<identifier>");
}

TEST(PatientIdRule, scoped_query_rule_keeps_its_path) {
  auto rule = query_rule_on("/openmrs/ws/rest/v1/relationship", "personA", "", false, Kind::Id);
  ASSERT_TRUE(rule) << rule.error();
  EXPECT_EQ(rule->source, Source::Query);
  EXPECT_EQ(rule->param, "personA");
  EXPECT_EQ(rule->path.text(), "/openmrs/ws/rest/v1/relationship");
  EXPECT_EQ(rule->text, "/openmrs/ws/rest/v1/relationship?personA=<id>");
}

TEST(PatientIdRule, scoped_query_rule_with_a_bad_path_is_refused) {
  auto rule = query_rule_on("relationship", "personA", "", false, Kind::Id);
  ASSERT_FALSE(rule);
  EXPECT_NE(rule.error().find("must start with '/'"), std::string::npos) << rule.error();
}

const PatientIdRule* find_query_rule(const std::string& param, bool scoped) {
  for (const auto& r : default_patient_id_rules()) {
    if (r.source == Source::Query && r.param == param && r.path.text().empty() != scoped) return &r;
  }
  return nullptr;
}

struct DefaultQueryCase {
  const char* name;
  const char* param;
  bool scoped;  // read only on some paths
  const char* prefix;
  bool prefix_optional;
  Kind kind;
};

TEST(PatientIdRule, default_query_rules_are_the_real_openmrs_parameters) {
  for (const auto& c : std::vector<DefaultQueryCase>{
           {"patient_bare_or_typed", "patient", false, "Patient/", true, Kind::Id},
           {"subject_must_be_typed_patient", "subject", false, "Patient/", false, Kind::Id},
           {"subject_type_modifier", "subject:Patient", false, "Patient/", true, Kind::Id},
           {"rest_condition_and_diagnosis", "patientUuid", false, "", false, Kind::Id},
           {"rest_relationship_person", "person", false, "", false, Kind::Id},
           {"rest_relationship_person_a_only_there", "personA", true, "", false, Kind::Id},
           {"rest_relationship_person_b_only_there", "personB", true, "", false, Kind::Id},
           {"rest_relationship_related_person_only_there", "relatedPerson", true, "", false, Kind::Id},
           {"fhir_chained_identifier", "patient.identifier", false, "", false, Kind::Identifier},
           {"identifier_only_on_patient_searches", "identifier", true, "", false, Kind::Identifier},
           {"fhir_id_only_on_patient_and_person", "_id", true, "", false, Kind::Id},
       }) {
    const PatientIdRule* r = find_query_rule(c.param, c.scoped);
    ASSERT_NE(r, nullptr) << c.name;
    EXPECT_EQ(r->prefix, c.prefix) << c.name;
    EXPECT_EQ(r->prefix_optional, c.prefix_optional) << c.name;
    EXPECT_EQ(r->kind, c.kind) << c.name;
  }
}

TEST(PatientIdRule, default_rules_leave_out_parameters_openmrs_does_not_have) {
  for (const char* param : {"patientId", "subject.identifier", "patient.name", "identifier"}) {
    EXPECT_EQ(find_query_rule(param, false), nullptr) << param;
  }
}

TEST(PatientIdRule, default_path_rules_cover_rest_and_fhir) {
  std::vector<std::string> texts;
  for (const auto& r : default_patient_id_rules()) {
    if (r.source == Source::Path) texts.push_back(r.text);
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"/openmrs/ws/rest/v1/{patient,person}/<id>/**",
                                             "/openmrs/ws/fhir2/R4/{Patient,Person}/<id>/**"}));
}

TEST(PatientIdRule, default_redaction_hides_names_and_keeps_ids) {
  const auto& params = default_redact_params();
  auto has = [&](const char* p) { return std::find(params.begin(), params.end(), p) != params.end(); };
  for (const char* hidden : {"q", "name", "given", "family", "phone", "email", "address"}) {
    EXPECT_TRUE(has(hidden)) << hidden;
  }
  for (const char* kept : {"patient", "subject", "patientUuid", "identifier", "patient.identifier", "_id",
                           "birthdate", "gender", "code"}) {
    EXPECT_FALSE(has(kept)) << kept;
  }
}

}  // namespace
}  // namespace vigie::config
