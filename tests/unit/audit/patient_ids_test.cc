// audit::PatientIds with the OpenMRS default rules on real OpenMRS REST and FHIR2 requests (O3
// traffic): which patients each names, which values are dropped; action_of's classification;
// redact_query's output.
#include "audit/patient_ids.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <vector>

#include "config/patient_id_rule.h"

namespace vigie::audit {
namespace {

constexpr const char* kA = "8673ee4f-e2ab-4077-ba55-4980f408773e";
constexpr const char* kB = "162a2906-86f9-4fc3-8506-3404a63fadde";

std::string a(const char* s) {
  return s;
}

struct Found {
  std::string id;
  bool identifier = false;
  std::string source;
  bool operator==(const Found&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Found& f) {
  return os << "{" << f.id << (f.identifier ? ", identifier" : "") << ", " << f.source << "}";
}

std::vector<Found> found(const std::vector<Patient>& patients) {
  std::vector<Found> out;
  for (const auto& p : patients) out.push_back({p.id, p.identifier, p.source});
  return out;
}

struct FindCase {
  const char* name;
  std::string path;
  std::string query;
  std::vector<Found> patients;
};

void run(const PatientIds& ids, const std::vector<FindCase>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(found(ids.find(c.path, c.query)), c.patients) << c.name << ": " << c.path << "?" << c.query;
  }
}

const std::string kRest = "/openmrs/ws/rest/v1";
const std::string kFhir = "/openmrs/ws/fhir2/R4";

TEST(PatientIds, openmrs_rest_requests) {
  PatientIds ids(config::default_patient_id_rules());
  run(ids,
      {
          {"patient_read_by_uuid", kRest + "/patient/" + kA, "v=full", {{kA, false, "path"}}},
          {"patient_read_custom_representation",
           kRest + "/patient/68268b74-9b71-45c1-b38d-ecfa81406073",
           "v=custom:(uuid,display,identifiers:(identifier,uuid,preferred),person:(uuid,display,gender))",
           {{"68268b74-9b71-45c1-b38d-ecfa81406073", false, "path"}}},
          {"encounter_type_is_not_a_patient",
           kRest + "/encounter",
           "patient=1f8ed970-8586-4a82-933b-6e27aa737c59&encounterType=6fd18d84-6f4c-4073-bef7-76d844a8b523"
           "&order=desc&limit=5&v=custom:(uuid,encounterDatetime)",
           {{"1f8ed970-8586-4a82-933b-6e27aa737c59", false, "patient"}}},
          {"concepts_are_not_patients",
           kRest + "/obs",
           a("patient=") + kB +
               "&concept=160632AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA,5092AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
               "&v=custom:(uuid,value,obsDatetime,concept:(uuid,display))&limit=100",
           {{kB, false, "patient"}}},
          {"visit_search_by_patient",
           kRest + "/visit",
           "patient=1eab3d69-6681-4a83-aa09-a59055697712&includeInactive=false&v=custom:(uuid,visitType)",
           {{"1eab3d69-6681-4a83-aa09-a59055697712", false, "patient"}}},
          {"allergy_subresource_names_its_patient",
           kRest + "/patient/d589867b-4966-4d4e-af73-64bf71034080/allergy",
           "",
           {{"d589867b-4966-4d4e-af73-64bf71034080", false, "path"}}},
          {"person_subresource_uuid_is_not_a_patient",
           kRest + "/person/2bfde516-bc23-46cc-b1ba-d5f92d387ee7/name/a122f3ce-4039-4f8c-9d6f-3faf64c7cb69",
           "",
           {{"2bfde516-bc23-46cc-b1ba-d5f92d387ee7", false, "path"}}},
          {"search_by_name_names_no_one", kRest + "/patient", "q=John&v=default", {}},
          {"search_by_accented_name_names_no_one", kRest + "/patient", "q=S%C3%B8ren&v=full&limit=10", {}},
          {"patient_collection_names_no_one", kRest + "/patient/", "", {}},
          {"relationship_by_person",
           kRest + "/relationship",
           a("v=full&person=") + kA,
           {{kA, false, "person"}}},
          {"relationship_between_two_persons",
           kRest + "/relationship",
           a("personA=") + kA + "&personB=" + kB + "&relation=Parent",
           {{kA, false, "personA"}, {kB, false, "personB"}}},
          {"person_a_elsewhere_is_not_read", kRest + "/encounter", a("personA=") + kA, {}},
          {"condition_by_patient_uuid",
           kRest + "/condition",
           a("patientUuid=") + kA + "&includeInactive=false",
           {{kA, false, "patientUuid"}}},
          {"patient_by_identifier",
           kRest + "/patient",
           "identifier=100GEJ&v=full",
           {{"100GEJ", true, "identifier"}}},
          {"identifier_with_a_space",
           kRest + "/patient",
           "identifier=MGT+508",
           {{"MGT 508", true, "identifier"}}},
          {"queue_location_is_not_a_patient",
           kRest + "/queue-entry",
           "location=2579f5f3-6b4e-4350-ba4c-81ca243ce528"
           "&service=e505698b-bd89-44fd-8694-ab64eb1d8e32&isEnded=false",
           {}},
          {"path_parameters_ignored",
           kRest + "/patient;jsessionid=145ABF44/" + kA + ";v=1",
           "",
           {{kA, false, "path"}}},
      });
}

TEST(PatientIds, openmrs_fhir_requests) {
  PatientIds ids(config::default_patient_id_rules());
  const std::string everything = "0695f46e-1ee0-49c8-830a-9df9e1ae9c21";
  run(ids,
      {
          {"everything_names_its_patient",
           kFhir + "/Patient/" + everything + "/$everything",
           "_count=200",
           {{everything, false, "path"}}},
          {"everything_escaped_dollar",
           kFhir + "/Patient/" + everything + "/%24everything",
           "",
           {{everything, false, "path"}}},
          {"patient_read",
           kFhir + "/Patient/7a83b925-12e6-42dd-85c9-69ae43415754",
           "",
           {{"7a83b925-12e6-42dd-85c9-69ae43415754", false, "path"}}},
          {"person_read_is_the_same_uuid", kFhir + "/Person/" + kA, "", {{kA, false, "path"}}},
          {"version_read", kFhir + "/Patient/" + a(kA) + "/_history/2", "", {{kA, false, "path"}}},
          {"search_keyword_is_not_an_id", kFhir + "/Patient/_search", "", {}},
          {"type_level_everything_names_no_one", kFhir + "/Patient/$everything", "", {}},
          {"type_history_names_no_one", kFhir + "/Patient/_history", "", {}},
          {"related_person_id_is_a_relationship", kFhir + "/RelatedPerson/" + a(kA), "", {}},
          {"subject_typed_patient",
           kFhir + "/Observation",
           "subject=Patient/120daf9e-5634-4063-b51e-0aa0338b7049&code=http://loinc.org|59408-5,"
           "http://loinc.org|8302-2&_sort=-_lastUpdated&_count=100&date=ge2024-09-09&date=lt2024-11-16",
           {{"120daf9e-5634-4063-b51e-0aa0338b7049", false, "subject"}}},
          {"subject_of_another_type_is_not_a_patient", kFhir + "/Observation", a("subject=Group/") + kA, {}},
          {"untyped_subject_is_not_taken", kFhir + "/Observation", a("subject=") + kA, {}},
          {"subject_type_modifier_escaped",
           kFhir + "/Observation",
           a("_count=100&code=5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%2C5090AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA") +
               "&subject%3APatient=" + kA,
           {{kA, false, "subject:Patient"}}},
          {"patient_param",
           kFhir + "/Observation",
           "patient=fc446552-e94e-484d-b900-5d47e4093050"
           "&code=http://loinc.org%7C718-7&_sort=-_lastUpdated&_count=50",
           {{"fc446552-e94e-484d-b900-5d47e4093050", false, "patient"}}},
          {"patient_param_as_reference",
           kFhir + "/Condition",
           a("patient=Patient/") + kA + "&clinical-status=active",
           {{kA, false, "patient"}}},
          {"absolute_reference",
           kFhir + "/Observation",
           a("subject=https%3A%2F%2Fehr.example-hospital.org%2Fopenmrs%2Fws%2Ffhir2%2FR4%2FPatient%2F") + kA,
           {{kA, false, "subject"}}},
          {"versioned_reference",
           kFhir + "/Observation",
           a("patient=Patient/") + kA + "/_history/3",
           {{kA, false, "patient"}}},
          {"or_list_gives_each_patient",
           kFhir + "/MedicationRequest",
           a("patient=") + kA + "," + kB + "&status=completed&_include=MedicationRequest:medication",
           {{kA, false, "patient"}, {kB, false, "patient"}}},
          {"repeated_parameter_gives_each_patient",
           kFhir + "/Observation",
           a("patient=") + kA + "&patient=" + kB,
           {{kA, false, "patient"}, {kB, false, "patient"}}},
          {"same_patient_recorded_once",
           kFhir + "/Observation",
           a("patient=") + kA + "&patient=" + kA + "," + kA,
           {{kA, false, "patient"}}},
          {"path_and_query_same_patient_once",
           kFhir + "/Patient/" + a(kA),
           a("_id=") + kA,
           {{kA, false, "path"}}},
          {"patient_by_id_search", kFhir + "/Patient", a("_id=") + kA, {{kA, false, "_id"}}},
          {"id_of_another_resource_is_not_a_patient", kFhir + "/Encounter", a("_id=") + kA, {}},
          {"patient_by_identifier_token",
           kFhir + "/Patient",
           "identifier=http://openmrs.org/identifier%7C61688YY&_count=20",
           {{"http://openmrs.org/identifier|61688YY", true, "identifier"}}},
          {"chained_identifier",
           kFhir + "/Condition",
           "patient.identifier=100GEJ",
           {{"100GEJ", true, "patient.identifier"}}},
          {"practitioner_identifier_is_not_a_patient", kFhir + "/Practitioner", "identifier=clerk-0042", {}},
          {"search_by_name_names_no_one",
           kFhir + "/Patient",
           "family=van+der+Berg&given=Aoife&_count=10",
           {}},
          {"search_by_contains_names_no_one", kFhir + "/Patient", "name:contains=N%C3%AD+B&_count=10", {}},
      });
}

TEST(PatientIds, hostile_values) {
  PatientIds ids(config::default_patient_id_rules());
  const std::string longest(kMaxIdBytes, 'a');
  run(ids,
      {
          {"encoded_newline_in_id_dropped", kFhir + "/Observation", a("patient=") + kA + "%0A", {}},
          {"encoded_newline_in_path_id_dropped", kFhir + "/Patient/abc%0A123", "", {}},
          {"quote_in_id_dropped", kFhir + "/Observation", a("patient=") + kA + "%22", {}},
          {"quote_in_identifier_dropped", kRest + "/patient", "identifier=100GEJ%22%7D", {}},
          {"control_byte_in_identifier_dropped", kFhir + "/Condition", "patient.identifier=100%09GEJ", {}},
          {"backslash_in_identifier_dropped", kFhir + "/Condition", "patient.identifier=100%5CGEJ", {}},
          {"non_ascii_identifier_dropped", kFhir + "/Condition", "patient.identifier=%C3%A9100", {}},
          {"blank_identifier_dropped", kRest + "/patient", "identifier=+++", {}},
          {"longest_id_kept", kFhir + "/Observation", "patient=" + longest, {{longest, false, "patient"}}},
          {"overlong_id_dropped_not_truncated", kFhir + "/Observation", "patient=" + longest + "b", {}},
          {"overlong_identifier_dropped",
           kRest + "/patient",
           "identifier=" + std::string(kMaxIdentifierBytes + 1, '7'),
           {}},
          {"malformed_escape_skips_the_pair",
           kRest + "/relationship",
           a("person=ab%zz12345678&personA=") + kA,
           {{kA, false, "personA"}}},
          {"truncated_escape_skips_the_pair", kRest + "/encounter", a("patient=") + kA + "%4", {}},
          {"encoded_parameter_name_is_read",
           kRest + "/encounter",
           a("%70atient=") + kA,
           {{kA, false, "patient"}}},
          {"parameter_names_are_case_sensitive", kRest + "/encounter", a("Patient=") + kA, {}},
          {"empty_values_name_no_one", kRest + "/encounter", "patient&patient=&patient=,", {}},
          {"escaped_comma_is_one_bad_value", kFhir + "/Observation", a("patient=") + kA + "\\," + kB, {}},
          {"keyword_as_query_id_dropped",
           kFhir + "/Observation",
           "patient=_search&subject=Patient/$everything",
           {}},
          {"path_traversal_shaped_id_dropped", kFhir + "/Observation", "patient=Patient/../x", {}},
      });
}

TEST(PatientIds, patients_per_request_are_capped) {
  PatientIds ids(config::default_patient_id_rules());
  std::string query = "patient=";
  for (size_t i = 0; i < kMaxPatients + 10; ++i) query += (i ? "," : "") + std::to_string(100000 + i);
  auto patients = ids.find(kFhir + "/Observation", query);
  ASSERT_EQ(patients.size(), kMaxPatients);
  EXPECT_EQ(patients.front().id, "100000");
}

TEST(PatientIds, patients_come_in_rule_order) {
  auto path = config::compile_path_rule("/chart/<id>", config::PatientIdRule::Kind::Identifier);
  ASSERT_TRUE(path);
  PatientIds ids({config::query_rule("mrn", "MRN-", false, config::PatientIdRule::Kind::Identifier), *path});
  EXPECT_EQ(found(ids.find("/chart/A%2F17", "mrn=MRN-12&mrn=12")),
            (std::vector<Found>{{"12", true, "mrn"}, {"A/17", true, "path"}}));
}

TEST(PatientIds, no_rules_find_no_one) {
  PatientIds ids({});
  EXPECT_TRUE(ids.find(kRest + "/patient/" + kA, a("patient=") + kA).empty());
}

struct ActionCase {
  const char* name;
  const char* method;
  std::string path;
  Action action;
};

TEST(ActionOf, classification_table) {
  const std::string uuid = kA;
  for (const auto& c : std::vector<ActionCase>{
           {"rest_get_one_patient", "GET", kRest + "/patient/" + uuid, Action::Read},
           {"rest_head_one_patient", "HEAD", kRest + "/patient/" + uuid, Action::Read},
           {"rest_get_collection_is_search", "GET", kRest + "/patient", Action::Search},
           {"rest_trailing_slash_collection_is_search", "GET", kRest + "/patient/", Action::Search},
           {"rest_subresource_collection_is_search", "GET", kRest + "/patient/" + uuid + "/allergy",
            Action::Search},
           {"rest_subresource_item_is_read", "GET", kRest + "/patient/" + uuid + "/allergy/" + kB,
            Action::Read},
           {"rest_person_name_is_read", "GET", kRest + "/person/" + uuid + "/name/" + kB, Action::Read},
           {"ciel_uuid_is_an_id", "GET", kRest + "/concept/5089AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            Action::Read},
           {"report_data_is_read", "GET",
            kRest + "/reportingrest/reportdata/7a019cd2-2cc6-415f-9569-25618162e746", Action::Read},
           {"path_parameters_ignored", "GET", kRest + "/patient/" + uuid + ";jsessionid=145ABF44",
            Action::Read},
           {"short_versioned_name_is_not_an_id", "GET", kRest, Action::Search},
           {"fhir_instance_operation_is_read", "GET", kFhir + "/Patient/" + uuid + "/$everything",
            Action::Read},
           {"fhir_escaped_operation_is_read", "GET", kFhir + "/Patient/" + uuid + "/%24everything",
            Action::Read},
           {"fhir_type_operation_is_search", "GET", kFhir + "/Patient/$everything", Action::Search},
           {"fhir_lastn_is_search", "GET", kFhir + "/Observation/$lastn", Action::Search},
           {"fhir_expand_one_value_set_is_read", "GET", kFhir + "/ValueSet/" + uuid + "/$expand",
            Action::Read},
           {"fhir_version_read", "GET", kFhir + "/Patient/" + uuid + "/_history/2", Action::Read},
           {"fhir_instance_history_is_read", "GET", kFhir + "/Patient/" + uuid + "/_history", Action::Read},
           {"fhir_type_history_is_search", "GET", kFhir + "/Patient/_history", Action::Search},
           {"fhir_numeric_id_is_read", "GET", kFhir + "/Patient/123", Action::Read},
           {"fhir_search_is_search", "GET", kFhir + "/Observation", Action::Search},
           {"fhir_get_search_endpoint_is_search", "GET", kFhir + "/Patient/_search", Action::Search},
           {"alphabetic_fhir_id_reads_as_a_collection", "GET", kFhir + "/Patient/example", Action::Search},
           {"fhir_post_search_is_search", "POST", kFhir + "/Observation/_search", Action::Search},
           {"rest_post_appointments_search_is_search", "POST", kRest + "/appointments/search",
            Action::Search},
           {"rest_post_collection_is_create", "POST", kRest + "/patient", Action::Create},
           {"rest_post_encounter_is_create", "POST", kRest + "/encounter", Action::Create},
           {"rest_post_subresource_collection_is_create", "POST", kRest + "/patient/" + uuid + "/allergy",
            Action::Create},
           {"rest_post_person_attribute_is_create", "POST", kRest + "/person/" + uuid + "/attribute",
            Action::Create},
           {"rest_post_to_resource_is_update", "POST", kRest + "/person/" + uuid, Action::Update},
           {"rest_post_to_subresource_item_is_update", "POST", kRest + "/patient/" + uuid + "/allergy/" + kB,
            Action::Update},
           {"fhir_post_collection_is_create", "POST", kFhir + "/Condition", Action::Create},
           {"fhir_post_instance_operation_is_read", "POST", kFhir + "/Patient/" + uuid + "/$everything",
            Action::Read},
           {"fhir_post_type_operation_is_search", "POST", kFhir + "/Patient/$match", Action::Search},
           {"fhir_put_is_update", "PUT", kFhir + "/Patient/" + uuid, Action::Update},
           {"fhir_patch_is_update", "PATCH", kFhir + "/Patient/" + uuid, Action::Update},
           {"rest_delete_is_delete", "DELETE", kRest + "/obs/" + uuid, Action::Delete},
           {"fhir_delete_is_delete", "DELETE", kFhir + "/AllergyIntolerance/" + uuid, Action::Delete},
           {"conditional_delete_is_delete", "DELETE", kFhir + "/Patient", Action::Delete},
           {"options_is_classified_as_get", "OPTIONS", kRest + "/obs", Action::Search},
           {"root_is_search", "GET", "/", Action::Search},
           {"empty_path_is_search", "GET", "", Action::Search},
       }) {
    EXPECT_EQ(action_of(c.method, c.path, ""), c.action) << c.name << ": " << c.method << " " << c.path;
  }
}

TEST(ActionOf, query_does_not_change_the_action) {
  EXPECT_EQ(action_of("DELETE", kRest + "/obs/" + a(kA), "purge=true&reason=Duplicate%20entry"),
            Action::Delete);
  EXPECT_EQ(action_of("GET", kRest + "/patient/" + a(kA), "v=full"), Action::Read);
  EXPECT_EQ(action_of("GET", kFhir + "/Patient", a("_id=") + kA), Action::Search);
}

struct RedactCase {
  const char* name;
  std::string query;
  std::string redacted;
};

TEST(RedactQuery, default_parameters) {
  const auto& params = config::default_redact_params();
  for (const auto& c : std::vector<RedactCase>{
           {"rest_free_text_hidden", "q=S%C3%B8ren&v=full&limit=10&totalCount=true",
            "q=***&v=full&limit=10&totalCount=true"},
           {"fhir_names_hidden", "family=van+der+Berg&given=Aoife&_count=10",
            "family=***&given=***&_count=10"},
           {"modifier_hidden", "name:contains=O%27Co&_count=10", "name:contains=***&_count=10"},
           {"escaped_modifier_hidden", "name%3Acontains=O%27Co", "name%3Acontains=***"},
           {"chained_name_hidden", "patient.name=Smith&code=http://loinc.org|718-7",
            "patient.name=***&code=http://loinc.org|718-7"},
           {"other_case_hidden", "Name=Smith&GIVEN=Ann", "Name=***&GIVEN=***"},
           {"encoded_name_hidden", "n%61me=Smith", "n%61me=***"},
           {"search_criteria_kept", "name=Ochieng&birthdate=ge2004-01-31&gender=female&_count=20",
            "name=***&birthdate=ge2004-01-31&gender=female&_count=20"},
           {"identifier_kept", "identifier=http://openmrs.org/identifier%7C61688YY&_count=20",
            "identifier=http://openmrs.org/identifier%7C61688YY&_count=20"},
           {"patient_id_kept", a("patient=") + kA + "&_summary=data", a("patient=") + kA + "&_summary=data"},
           {"repeated_parameter_each_hidden", "given=A&x=1&given=B", "given=***&x=1&given=***"},
           {"value_with_equals_hidden_whole", "q=a=b&v=1", "q=***&v=1"},
           {"empty_value_stays_empty", "q=&v=full", "q=&v=full"},
           {"name_without_value_kept", "q&v=full", "q&v=full"},
           {"empty_pairs_kept", "a=1&&q=x&", "a=1&&q=***&"},
           {"empty_query", "", ""},
           {"similar_names_kept", "nickname=x&username=y&surname_x=z", "nickname=x&username=y&surname_x=z"},
           {"rest_matchsimilar_names_hidden", "matchSimilar=true&givenName=Ann&familyName=Ode&gender=F",
            "matchSimilar=true&givenName=***&familyName=***&gender=F"},
           {"contact_details_hidden", "phone=%2B254700000000&email=a%40b.org", "phone=***&email=***"},
       }) {
    EXPECT_EQ(redact_query(c.query, params), c.redacted) << c.name;
  }
}

TEST(RedactQuery, only_the_listed_parameters) {
  EXPECT_EQ(redact_query("location=abc&q=x", {"location"}), "location=***&q=x");
  EXPECT_EQ(redact_query("location=abc&q=x", {}), "location=abc&q=x");
}

}  // namespace
}  // namespace vigie::audit
