#include "audit/fhir_encoder.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <random>

#include "crypto/encoding.h"

namespace vigie::audit {
namespace {

using nlohmann::json;

constexpr const char* kDcm = "http://dicom.nema.org/resources/ontology/DCM";
constexpr const char* kEventType = "http://terminology.hl7.org/CodeSystem/audit-event-type";
constexpr const char* kRestful = "http://hl7.org/fhir/restful-interaction";
constexpr const char* kParticipation = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
constexpr const char* kCustodian = "http://terminology.hl7.org/CodeSystem/provenance-participant-type";
constexpr const char* kBalpEntity = "https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType";
constexpr const char* kEntityType = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
constexpr const char* kObjectRole = "http://terminology.hl7.org/CodeSystem/object-role";
constexpr const char* kActReason = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

// The R4 AuditEvent elements (and the datatypes it uses), name -> type; "[]" marks 0..*. A member
// not listed here is one a FHIR validator would reject.
const std::map<std::string, std::map<std::string, std::string>>& r4() {
  static const std::map<std::string, std::map<std::string, std::string>> kTypes = {
      {"AuditEvent",
       {{"resourceType", "string"},
        {"id", "string"},
        {"meta", "Meta"},
        {"type", "Coding"},
        {"subtype", "Coding[]"},
        {"action", "code"},
        {"period", "Period"},
        {"recorded", "instant"},
        {"outcome", "code"},
        {"outcomeDesc", "string"},
        {"purposeOfEvent", "CodeableConcept[]"},
        {"agent", "Agent[]"},
        {"source", "Source"},
        {"entity", "Entity[]"}}},
      {"Agent",
       {{"type", "CodeableConcept"},
        {"role", "CodeableConcept[]"},
        {"who", "Reference"},
        {"altId", "string"},
        {"name", "string"},
        {"requestor", "boolean"},
        {"location", "Reference"},
        {"policy", "uri[]"},
        {"media", "Coding"},
        {"network", "Network"},
        {"purposeOfUse", "CodeableConcept[]"}}},
      {"Network", {{"address", "string"}, {"type", "code"}}},
      {"Source", {{"site", "string"}, {"observer", "Reference"}, {"type", "Coding[]"}}},
      {"Entity",
       {{"what", "Reference"},
        {"type", "Coding"},
        {"role", "Coding"},
        {"lifecycle", "Coding"},
        {"securityLabel", "Coding[]"},
        {"name", "string"},
        {"description", "string"},
        {"query", "base64Binary"},
        {"detail", "Detail[]"}}},
      {"Detail", {{"type", "string"}, {"valueString", "string"}, {"valueBase64Binary", "base64Binary"}}},
      {"Coding",
       {{"system", "uri"},
        {"version", "string"},
        {"code", "code"},
        {"display", "string"},
        {"userSelected", "boolean"}}},
      {"CodeableConcept", {{"coding", "Coding[]"}, {"text", "string"}}},
      {"Reference",
       {{"reference", "string"}, {"type", "uri"}, {"identifier", "Identifier"}, {"display", "string"}}},
      {"Identifier",
       {{"use", "code"},
        {"type", "CodeableConcept"},
        {"system", "uri"},
        {"value", "string"},
        {"period", "Period"},
        {"assigner", "Reference"}}},
      {"Period", {{"start", "string"}, {"end", "string"}}},
  };
  return kTypes;
}

// Checks j against type t: known members only, primitives as non-empty strings or booleans, arrays
// never empty (FHIR JSON forbids [] and "").
void expect_r4(const json& j, const std::string& t, const std::string& where) {
  if (t.ends_with("[]")) {
    ASSERT_TRUE(j.is_array()) << where;
    EXPECT_FALSE(j.empty()) << where;
    for (size_t i = 0; i < j.size(); ++i)
      expect_r4(j[i], t.substr(0, t.size() - 2), where + "[" + std::to_string(i) + "]");
    return;
  }
  if (t == "boolean") {
    EXPECT_TRUE(j.is_boolean()) << where;
    return;
  }
  const auto type = r4().find(t);
  if (type == r4().end()) {  // a string primitive
    ASSERT_TRUE(j.is_string()) << where;
    EXPECT_FALSE(j.get<std::string>().empty()) << where;
    return;
  }
  ASSERT_TRUE(j.is_object()) << where;
  EXPECT_FALSE(j.empty()) << where;
  for (const auto& [k, v] : j.items()) {
    const auto member = type->second.find(k);
    if (member == type->second.end()) {
      ADD_FAILURE() << where << "." << k << " is not an R4 " << t << " element";
      continue;
    }
    expect_r4(v, member->second, where + "." + k);
  }
}

// R4 cardinalities the encoder must meet: AuditEvent.type, .recorded, .agent (1..*) with
// .requestor, .source with .observer; entity.detail type and value.
void expect_mandatory_elements(const json& e) {
  EXPECT_TRUE(e.contains("type"));
  EXPECT_TRUE(e.contains("recorded"));
  ASSERT_TRUE(e.contains("agent"));
  ASSERT_FALSE(e["agent"].empty());
  for (const auto& a : e["agent"]) EXPECT_TRUE(a.contains("requestor")) << a.dump();
  ASSERT_TRUE(e.contains("source"));
  EXPECT_TRUE(e["source"].contains("observer"));
  for (const auto& en : e.value("entity", json::array())) {
    for (const auto& d : en.value("detail", json::array())) {
      EXPECT_TRUE(d.contains("type") && d.contains("valueString")) << d.dump();
    }
  }
}

json parse_resource(const std::string& text) {
  return json::parse(text + "}");
}

const json* find_entity(const json& e, const char* system, const char* code) {
  for (const auto& en : e["entity"]) {
    if (en.contains("type") && en["type"]["system"] == system && en["type"]["code"] == code) return &en;
  }
  return nullptr;
}

std::vector<json> entities(const json& e, const char* system, const char* code) {
  std::vector<json> out;
  for (const auto& en : e["entity"]) {
    if (en.contains("type") && en["type"]["system"] == system && en["type"]["code"] == code)
      out.push_back(en);
  }
  return out;
}

bool has_coding(const json& cc, const char* system, const char* code) {
  for (const auto& c : cc.value("coding", json::array())) {
    if (c["system"] == system && c["code"] == code) return true;
  }
  return false;
}

Record base(Action a, const char* method, Outcome o, int status) {
  Record r;
  r.kind = Kind::PatientAccess;
  r.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796400000123));
  r.request_id = "0f3c2a9e-1b7d-4c55-9e0a-7d2f6b1c8e44";
  r.user_oid = "6f1e2d3c-aaaa-bbbb-cccc-0123456789ab";
  r.tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  r.name = "Dr Alice Martin";
  r.username = "alice@hospital.example";
  r.client_app = "c0ffee00-1111-2222-3333-444455556666";
  r.auth_method = "bearer";
  r.token_id = "AbC-123_x";
  r.client = "192.0.2.10";
  r.user_agent = "Mozilla/5.0";
  r.method = method;
  r.host = "emr.hospital.example";
  r.route = "fhir";
  r.path = "/fhir/Patient/8d3c";
  r.patients = {{"8d3c", false, "path"}};
  r.action = a;
  r.outcome = o;
  r.status = status;
  r.duration_s = 0.012;
  return r;
}

Record search() {
  Record r = base(Action::Search, "GET", Outcome::Allowed, 200);
  r.path = "/fhir/Observation";
  r.query = "patient=8d3c&_count=10";
  r.patients = {{"8d3c", false, "patient"}};
  return r;
}

Record unauthenticated() {
  Record r = base(Action::Read, "GET", Outcome::Unauthenticated, 401);
  r.user_oid = r.tenant_id = r.name = r.username = r.client_app = r.token_id = r.auth_method = "";
  r.reason = "no_credential";
  return r;
}

Record security(const char* event, Outcome o, int status) {
  Record r = base(Action::Read, "GET", o, status);
  r.kind = Kind::SecurityEvent;
  r.event = event;
  r.reason = event;
  return r;
}

Record with_reason(Record r, const char* reason) {
  r.reason = reason;
  return r;
}

Record break_glass() {
  Record r = base(Action::Read, "GET", Outcome::BreakGlass, 200);
  r.reason = "emergency_access";
  r.justification = "cardiac arrest, bed 4";
  return r;
}

struct FhirCase {
  const char* name;
  Record record;
  const char* type_system;
  const char* type_code;
  const char* subtype_system;  // nullptr: no subtype
  const char* subtype_code;
  const char* action;
  const char* outcome;
  const char* user_type;  // nullptr: no type on the user agent
  const char* client_system;
  const char* client_type;
  const char* server_system;
  const char* server_type;
  bool btg;
};

void PrintTo(const FhirCase& c, std::ostream* os) {
  *os << c.name;
}

class FhirEncoder : public testing::TestWithParam<FhirCase> {};

TEST_P(FhirEncoder, codes_agents_and_entities_follow_balp) {
  const FhirCase& c = GetParam();
  const Record& r = c.record;
  const std::string text = encode_fhir(r, "vigie-01.hospital.example");
  ASSERT_NE(text.back(), '}');
  const json e = parse_resource(text);
  SCOPED_TRACE(e.dump());

  expect_r4(e, "AuditEvent", "AuditEvent");
  expect_mandatory_elements(e);
  EXPECT_EQ(e["resourceType"], "AuditEvent");
  EXPECT_FALSE(e.contains("extension"));  // the chain's
  EXPECT_EQ(e["type"]["system"], c.type_system);
  EXPECT_EQ(e["type"]["code"], c.type_code);
  if (c.subtype_system) {
    ASSERT_EQ(e["subtype"].size(), 1u);
    EXPECT_EQ(e["subtype"][0]["system"], c.subtype_system);
    EXPECT_EQ(e["subtype"][0]["code"], c.subtype_code);
  } else {
    EXPECT_FALSE(e.contains("subtype"));
  }
  EXPECT_EQ(e["action"], c.action);
  EXPECT_EQ(e["recorded"], "2026-12-04T16:00:00.123Z");
  EXPECT_EQ(e["outcome"], c.outcome);
  if (!r.reason.empty()) {
    EXPECT_EQ(e["outcomeDesc"], r.reason);
  }

  // Agents: exactly one requestor, the user when known, else the network client.
  int requestors = 0;
  const json* user = nullptr;
  const json* client = nullptr;
  const json* server = nullptr;
  for (const auto& a : e["agent"]) {
    requestors += a["requestor"].get<bool>() ? 1 : 0;
    if (a.contains("network") && a["network"]["address"] == r.client)
      client = &a;
    else if (a["who"].value("display", "") == r.host)
      server = &a;
    else
      user = &a;
  }
  EXPECT_EQ(requestors, 1);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ((*client)["network"]["type"], "2");
  EXPECT_TRUE(has_coding((*client)["type"], c.client_system, c.client_type));
  EXPECT_EQ((*client)["requestor"], r.user_oid.empty());
  if (!r.client_app.empty()) {
    EXPECT_EQ((*client)["who"]["identifier"]["value"], r.client_app);
    EXPECT_TRUE(has_coding((*client)["type"], kDcm, "110150"));  // BALP OAuth oClient
  }
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(has_coding((*server)["type"], c.server_system, c.server_type));
  EXPECT_FALSE((*server)["requestor"].get<bool>());
  if (r.user_oid.empty()) {
    EXPECT_EQ(user, nullptr);
  } else {
    ASSERT_NE(user, nullptr);
    EXPECT_TRUE((*user)["requestor"].get<bool>());
    EXPECT_EQ((*user)["who"]["identifier"]["value"], r.user_oid);
    EXPECT_FALSE(user->contains("network"));  // BALP user slice: network 0..0
    if (c.user_type) {
      EXPECT_TRUE(has_coding((*user)["type"], kParticipation, c.user_type));
    } else {
      EXPECT_FALSE(user->contains("type"));
    }
    EXPECT_EQ(user->contains("purposeOfUse"), c.btg);
    if (c.btg) {
      EXPECT_TRUE(has_coding((*user)["purposeOfUse"][0], kActReason, "BTG"));
      if (!r.justification.empty()) {
        EXPECT_EQ((*user)["purposeOfUse"][0]["text"], r.justification);
      }
    }
  }
  EXPECT_EQ(e["source"]["observer"]["display"], "vigie-01.hospital.example");

  // Entities: the request id, each patient as Person / Patient, the query or the resource.
  const json* transaction = find_entity(e, kBalpEntity, "XrequestId");
  ASSERT_NE(transaction, nullptr);
  EXPECT_EQ((*transaction)["what"]["identifier"]["value"], r.request_id);
  const auto patients = entities(e, kEntityType, "1");
  ASSERT_EQ(patients.size(), r.patients.size());
  for (size_t i = 0; i < patients.size(); ++i) {
    EXPECT_EQ(patients[i]["role"]["system"], kObjectRole);
    EXPECT_EQ(patients[i]["role"]["code"], "1");
    EXPECT_EQ(patients[i]["what"]["reference"], "Patient/" + r.patients[i].id);
  }
  const auto objects = entities(e, kEntityType, "2");
  const bool rest = r.kind == Kind::PatientAccess;
  if (rest && r.action == Action::Search) {
    ASSERT_EQ(objects.size(), 1u);
    EXPECT_EQ(objects[0]["role"]["code"], "24");
    EXPECT_FALSE(objects[0].contains("what"));  // BALP query slice: what 0..0
    auto decoded = crypto::base64_decode(objects[0]["query"].get<std::string>());
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, r.query.empty() ? r.path : r.path + "?" + r.query);
  } else if (rest) {
    ASSERT_EQ(objects.size(), 1u);
    EXPECT_EQ(objects[0]["role"]["code"], "4");
    EXPECT_EQ(objects[0]["what"]["display"], r.path);
  } else {
    EXPECT_TRUE(objects.empty());
  }
  if (c.btg && r.user_oid.empty()) {
    EXPECT_TRUE(has_coding(e["purposeOfEvent"][0], kActReason, "BTG"));
  }
}

#define REST(sub) kEventType, "rest", kRestful, sub
#define SOURCE_ROLE kDcm, "110153"
#define DESTINATION_ROLE kDcm, "110152"

INSTANTIATE_TEST_SUITE_P(
    Cases, FhirEncoder,
    testing::Values(
        FhirCase{"read_is_rest_read_r_server_is_source", base(Action::Read, "GET", Outcome::Allowed, 200),
                 REST("read"), "R", "0", "IRCP", DESTINATION_ROLE, SOURCE_ROLE, false},
        FhirCase{"search_is_search_type_e_with_base64_query", search(), REST("search-type"), "E", "0", "IRCP",
                 SOURCE_ROLE, DESTINATION_ROLE, false},
        FhirCase{"create_is_c_user_is_author", base(Action::Create, "POST", Outcome::Allowed, 201),
                 REST("create"), "C", "0", "AUT", SOURCE_ROLE, DESTINATION_ROLE, false},
        FhirCase{"put_is_update_u", base(Action::Update, "PUT", Outcome::Allowed, 200), REST("update"), "U",
                 "0", "AUT", SOURCE_ROLE, DESTINATION_ROLE, false},
        FhirCase{"patch_is_patch_u", base(Action::Update, "PATCH", Outcome::Allowed, 200), REST("patch"), "U",
                 "0", "AUT", SOURCE_ROLE, DESTINATION_ROLE, false},
        FhirCase{"delete_is_d_client_application_server_custodian",
                 base(Action::Delete, "DELETE", Outcome::Allowed, 204), REST("delete"), "D", "0", "AUT", kDcm,
                 "110150", kCustodian, "custodian", false},
        FhirCase{"denied_is_minor_failure_with_reason",
                 with_reason(base(Action::Read, "GET", Outcome::Denied, 403), "policy_denied"), REST("read"),
                 "R", "4", "IRCP", DESTINATION_ROLE, SOURCE_ROLE, false},
        FhirCase{"break_glass_is_success_with_btg_purpose", break_glass(), REST("read"), "R", "0", "IRCP",
                 DESTINATION_ROLE, SOURCE_ROLE, true},
        FhirCase{"unauthenticated_client_is_the_requestor", unauthenticated(), REST("read"), "R", "4",
                 nullptr, DESTINATION_ROLE, SOURCE_ROLE, false},
        FhirCase{"refused_is_minor_failure",
                 with_reason(base(Action::Search, "GET", Outcome::Refused, 429), "rate_limited"),
                 REST("search-type"), "E", "4", "IRCP", SOURCE_ROLE, DESTINATION_ROLE, false},
        FhirCase{"failed_upstream_is_serious_failure",
                 with_reason(base(Action::Read, "GET", Outcome::Failed, 502), "upstream_reset"), REST("read"),
                 "R", "8", "IRCP", DESTINATION_ROLE, SOURCE_ROLE, false},
        FhirCase{"allowed_but_upstream_404_is_minor_failure",
                 base(Action::Read, "GET", Outcome::Allowed, 404), REST("read"), "R", "4", "IRCP",
                 DESTINATION_ROLE, SOURCE_ROLE, false},
        FhirCase{"allowed_but_upstream_500_is_serious_failure",
                 base(Action::Read, "GET", Outcome::Allowed, 500), REST("read"), "R", "8", "IRCP",
                 DESTINATION_ROLE, SOURCE_ROLE, false},
        FhirCase{"authentication_failure_is_user_authentication_login_failed",
                 security("authentication_failed", Outcome::Unauthenticated, 401), kDcm, "110114", kDcm,
                 "110122", "E", "4", nullptr, SOURCE_ROLE, DESTINATION_ROLE, false},
        FhirCase{"login_is_user_authentication_login", security("login", Outcome::Allowed, 302), kDcm,
                 "110114", kDcm, "110122", "E", "0", nullptr, SOURCE_ROLE, DESTINATION_ROLE, false},
        FhirCase{"logout_is_user_authentication_logout", security("logout", Outcome::Allowed, 302), kDcm,
                 "110114", kDcm, "110123", "E", "0", nullptr, SOURCE_ROLE, DESTINATION_ROLE, false},
        FhirCase{"policy_denial_is_security_alert_authorization_decision",
                 security("policy_denied", Outcome::Denied, 403), kDcm, "110113", kDcm, "110144", "E", "4",
                 nullptr, SOURCE_ROLE, DESTINATION_ROLE, false},
        FhirCase{"break_glass_event_is_security_alert_emergency_override",
                 security("break_glass", Outcome::BreakGlass, 200), kDcm, "110113", kDcm, "110127", "E", "0",
                 nullptr, SOURCE_ROLE, DESTINATION_ROLE, true},
        FhirCase{"unknown_event_is_a_plain_security_alert", security("waf_blocked", Outcome::Refused, 403),
                 kDcm, "110113", nullptr, nullptr, "E", "4", nullptr, SOURCE_ROLE, DESTINATION_ROLE, false},
        FhirCase{"unnamed_event_falls_back_on_the_outcome", security("", Outcome::Unauthenticated, 401), kDcm,
                 "110114", kDcm, "110122", "E", "4", nullptr, SOURCE_ROLE, DESTINATION_ROLE, false}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(FhirEncoderDetails, user_named_by_oid_in_tenant_with_jti_policy) {
  Record r = base(Action::Read, "GET", Outcome::Allowed, 200);
  r.token_id = "a+b/c=";
  const json user = parse_resource(encode_fhir(r, "v"))["agent"][0];
  EXPECT_EQ(user["who"]["identifier"]["system"],
            "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47");
  EXPECT_EQ(user["who"]["display"], "Dr Alice Martin");
  EXPECT_EQ(user["name"], "alice@hospital.example");
  EXPECT_EQ(user["policy"], json::array({"urn:ietf:params:oauth:jti:a%2Bb%2Fc%3D"}));
}

TEST(FhirEncoderDetails, user_without_tenant_has_no_identifier_system) {
  Record r = base(Action::Read, "GET", Outcome::Allowed, 200);
  r.tenant_id.clear();
  r.token_id.clear();
  const json user = parse_resource(encode_fhir(r, "v"))["agent"][0];
  EXPECT_FALSE(user["who"]["identifier"].contains("system"));
  EXPECT_FALSE(user.contains("policy"));
}

struct PatientCase {
  const char* name;
  Patient patient;
  json what;
};

void PrintTo(const PatientCase& c, std::ostream* os) {
  *os << c.name;
}

class FhirPatient : public testing::TestWithParam<PatientCase> {};

TEST_P(FhirPatient, patient_entity_names_the_patient_as_stated) {
  Record r = base(Action::Read, "GET", Outcome::Allowed, 200);
  r.patients = {GetParam().patient};
  const json e = parse_resource(encode_fhir(r, "v"));
  const auto patients = entities(e, kEntityType, "1");
  ASSERT_EQ(patients.size(), 1u);
  EXPECT_EQ(patients[0]["what"], GetParam().what);
  expect_r4(e, "AuditEvent", "AuditEvent");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, FhirPatient,
    testing::Values(PatientCase{"resource_id_is_a_patient_reference",
                                {"8d3c-11", false, "path"},
                                json::parse(R"({"reference":"Patient/8d3c-11"})")},
                    PatientCase{"identifier_is_an_identifier",
                                {"MRN42", true, "patient.identifier"},
                                json::parse(R"({"identifier":{"value":"MRN42"}})")},
                    PatientCase{"token_system_and_value_split",
                                {"urn:oid:1.2.3|MRN42", true, "patient.identifier"},
                                json::parse(R"({"identifier":{"system":"urn:oid:1.2.3","value":"MRN42"}})")},
                    PatientCase{"empty_token_system_dropped",
                                {"|MRN42", true, "patient.identifier"},
                                json::parse(R"({"identifier":{"value":"MRN42"}})")},
                    PatientCase{"id_that_is_no_fhir_id_kept_as_identifier",
                                {"a b/c", false, "path"},
                                json::parse(R"({"identifier":{"value":"a b/c"}})")}),
    [](const auto& p) { return std::string(p.param.name); });

struct HostCase {
  const char* name;
  const char* host;
  const char* address;
  const char* type;
};

void PrintTo(const HostCase& c, std::ostream* os) {
  *os << c.name;
}

class FhirServerNetwork : public testing::TestWithParam<HostCase> {};

TEST_P(FhirServerNetwork, server_address_without_port_and_typed) {
  Record r = base(Action::Read, "GET", Outcome::Allowed, 200);
  r.host = GetParam().host;
  const json e = parse_resource(encode_fhir(r, "v"));
  const json& server = e["agent"][2];
  EXPECT_EQ(server["who"]["display"], GetParam().host);
  EXPECT_EQ(server["network"]["address"], GetParam().address);
  EXPECT_EQ(server["network"]["type"], GetParam().type);
}

INSTANTIATE_TEST_SUITE_P(Cases, FhirServerNetwork,
                         testing::Values(HostCase{"name", "emr.example", "emr.example", "1"},
                                         HostCase{"name_with_port", "emr.example:8443", "emr.example", "1"},
                                         HostCase{"ipv4_with_port", "10.0.0.5:443", "10.0.0.5", "2"},
                                         HostCase{"ipv6_literal_with_port", "[2001:db8::1]:443",
                                                  "2001:db8::1", "2"}),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(FhirEncoderDetails, request_details_carried_by_the_transaction_entity) {
  Record r = base(Action::Read, "GET", Outcome::Allowed, 200);
  r.session_hash = "9f86d081";
  r.forwarded_for = "198.51.100.7";
  r.bytes = 0;
  const json e = parse_resource(encode_fhir(r, "v"));
  std::map<std::string, std::string> details;
  for (const auto& d : (*find_entity(e, kBalpEntity, "XrequestId"))["detail"])
    details[d["type"].get<std::string>()] = d["valueString"].get<std::string>();
  const std::map<std::string, std::string> expected = {{"outcome", "allowed"},
                                                       {"method", "GET"},
                                                       {"host", "emr.hospital.example"},
                                                       {"route", "fhir"},
                                                       {"path", "/fhir/Patient/8d3c"},
                                                       {"user_agent", "Mozilla/5.0"},
                                                       {"forwarded_for", "198.51.100.7"},
                                                       {"auth", "bearer"},
                                                       {"session", "9f86d081"},
                                                       {"status", "200"},
                                                       {"bytes", "0"},
                                                       {"duration_ms", "12.000"}};
  EXPECT_EQ(details, expected);
}

TEST(FhirEncoderDetails, break_glass_without_user_goes_to_purpose_of_event) {
  Record r = unauthenticated();
  r.outcome = Outcome::BreakGlass;
  r.justification = "why";
  const json e = parse_resource(encode_fhir(r, "v"));
  EXPECT_TRUE(has_coding(e["purposeOfEvent"][0], kActReason, "BTG"));
  EXPECT_EQ(e["purposeOfEvent"][0]["text"], "why");
}

TEST(FhirEncoderDetails, failure_without_reason_describes_the_status) {
  const json e = parse_resource(encode_fhir(base(Action::Read, "GET", Outcome::Allowed, 503), "v"));
  EXPECT_EQ(e["outcomeDesc"], "HTTP status 503");
  const json ok = parse_resource(encode_fhir(base(Action::Read, "GET", Outcome::Allowed, 200), "v"));
  EXPECT_FALSE(ok.contains("outcomeDesc"));
}

TEST(FhirEncoderDetails, empty_observer_named_vigie) {
  const json e = parse_resource(encode_fhir(base(Action::Read, "GET", Outcome::Allowed, 200), ""));
  EXPECT_EQ(e["source"]["observer"]["display"], "vigie");
}

TEST(FhirEncoderDetails, same_record_gives_same_bytes_compact_and_open) {
  const Record r = search();
  const std::string a = encode_fhir(r, "v");
  EXPECT_EQ(a, encode_fhir(r, "v"));
  EXPECT_EQ(a.rfind(R"({"resourceType":"AuditEvent",)", 0), 0u);
  EXPECT_EQ(a.find('\n'), std::string::npos);
  // The chain appends its extension as the last member and closes the resource.
  const json chained = json::parse(a + R"(,"extension":[{"url":"urn:x","valueString":"1"}]})");
  EXPECT_EQ(chained["extension"].size(), 1u);
}

TEST(FhirEncoderDetails, any_bytes_in_client_strings_yield_valid_r4_json) {
  std::mt19937 rng(4242);  // fixed seed
  std::uniform_int_distribution<int> byte(0, 255);
  auto random_bytes = [&] {
    std::string s(1 + rng() % 30, '\0');
    for (char& c : s) c = static_cast<char>(byte(rng));
    return s;
  };
  for (int i = 0; i < 500; ++i) {
    Record r = search();
    r.path = random_bytes();
    r.query = random_bytes();
    r.user_agent = random_bytes();
    r.host = random_bytes();
    r.patients = {{random_bytes(), i % 2 == 0, "q"}};
    const std::string text = encode_fhir(r, "v");
    ASSERT_EQ(text.find_first_of("\n\r"), std::string::npos) << i;
    json e;
    ASSERT_NO_THROW(e = parse_resource(text)) << i << ": " << text;
    expect_r4(e, "AuditEvent", "AuditEvent");
  }
}

}  // namespace
}  // namespace vigie::audit
