#include "audit/json_encoder.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <random>

namespace vigie::audit {
namespace {

using nlohmann::json;

Record full_record() {
  Record r;
  r.kind = Kind::PatientAccess;
  r.time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1796400000123));
  r.request_id = "0f3c2a9e-1b7d-4c55-9e0a-7d2f6b1c8e44";
  r.user_oid = "6f1e2d3c-aaaa-bbbb-cccc-0123456789ab";
  r.tenant_id = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  r.name = "Dr Alice Martin";
  r.username = "alice@hospital.example";
  r.client_app = "c0ffee00-1111-2222-3333-444455556666";
  r.auth_method = "session";
  r.session_hash = "9f86d081884c7d65";
  r.token_id = "AbC-123_x";
  r.client = "192.0.2.10";
  r.forwarded_for = "198.51.100.7, 192.0.2.10";
  r.user_agent = "Mozilla/5.0";
  r.method = "GET";
  r.host = "emr.hospital.example";
  r.route = "openmrs";
  r.path = "/openmrs/ws/rest/v1/patient/8d3c";
  r.query = "v=full&token=REDACTED";
  r.patients = {{"8d3c", false, "path"}, {"MRN-42", true, "patient.identifier"}};
  r.action = Action::Read;
  r.outcome = Outcome::BreakGlass;
  r.reason = "emergency_department";
  r.justification = "cardiac arrest, bed 4";
  r.status = 200;
  r.bytes = 5120;
  r.duration_s = 0.0123456;
  return r;
}

json parse_line(const std::string& line) {
  return json::parse(line + "}");
}

TEST(JsonEncoder, every_member_written_with_its_documented_name_and_value) {
  const json j = parse_line(encode_json(full_record()));
  const json expected = json::parse(R"({
    "time": "2026-12-04T16:00:00.123Z",
    "request_id": "0f3c2a9e-1b7d-4c55-9e0a-7d2f6b1c8e44",
    "kind": "patient_access",
    "user": {"oid": "6f1e2d3c-aaaa-bbbb-cccc-0123456789ab", "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47",
             "name": "Dr Alice Martin", "username": "alice@hospital.example",
             "app": "c0ffee00-1111-2222-3333-444455556666"},
    "auth": "session", "session": "9f86d081884c7d65", "token_id": "AbC-123_x",
    "client": "192.0.2.10", "forwarded_for": "198.51.100.7, 192.0.2.10", "user_agent": "Mozilla/5.0",
    "method": "GET", "host": "emr.hospital.example", "route": "openmrs",
    "path": "/openmrs/ws/rest/v1/patient/8d3c", "query": "v=full&token=REDACTED",
    "patients": [{"id": "8d3c", "source": "path"},
                 {"id": "MRN-42", "identifier": true, "source": "patient.identifier"}],
    "action": "read", "outcome": "break_glass", "reason": "emergency_department",
    "justification": "cardiac arrest, bed 4", "status": 200, "bytes": 5120, "duration_ms": 12.346
  })");
  EXPECT_EQ(j, expected) << j.dump();
}

TEST(JsonEncoder, members_appear_in_documented_order) {
  const std::string line = encode_json(full_record());
  EXPECT_EQ(line.rfind(R"({"time":"2026-12-04T16:00:00.123Z","request_id":)", 0), 0u) << line;
  const char* order[] = {"\"time\"",          "\"request_id\"", "\"kind\"",       "\"user\"",
                         "\"auth\"",          "\"session\"",    "\"token_id\"",   "\"client\"",
                         "\"forwarded_for\"", "\"user_agent\"", "\"method\"",     "\"host\"",
                         "\"route\"",         "\"path\"",       "\"query\"",      "\"patients\"",
                         "\"action\"",        "\"outcome\"",    "\"reason\"",     "\"justification\"",
                         "\"status\"",        "\"bytes\"",      "\"duration_ms\""};
  size_t at = 0;
  for (const char* name : order) {
    const size_t found = line.find(name, at);
    ASSERT_NE(found, std::string::npos) << name;
    at = found;
  }
}

struct ShapeCase {
  const char* name;
  Record record;
  std::vector<std::string> present;
  std::vector<std::string> absent;
};

void PrintTo(const ShapeCase& c, std::ostream* os) {
  *os << c.name;
}

Record minimal(Kind k) {
  Record r;
  r.kind = k;
  r.request_id = "rid";
  return r;
}

Record security_login_failure() {
  Record r = minimal(Kind::SecurityEvent);
  r.event = "authentication_failed";
  r.outcome = Outcome::Unauthenticated;
  r.reason = "jwt_expired";
  r.status = 401;
  return r;
}

Record security_break_glass_on_patient() {
  Record r = security_login_failure();
  r.event = "break_glass";
  r.outcome = Outcome::BreakGlass;
  r.patients = {{"p1", false, "path"}};
  return r;
}

class JsonEncoderShape : public testing::TestWithParam<ShapeCase> {};

TEST_P(JsonEncoderShape, members_present_and_absent_as_stated) {
  const json j = parse_line(encode_json(GetParam().record));
  for (const auto& m : GetParam().present) EXPECT_TRUE(j.contains(m)) << m << " in " << j.dump();
  for (const auto& m : GetParam().absent) EXPECT_FALSE(j.contains(m)) << m << " in " << j.dump();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonEncoderShape,
    testing::Values(ShapeCase{"empty_patient_access_has_only_the_always_members",
                              minimal(Kind::PatientAccess),
                              {"time", "request_id", "kind", "action", "outcome", "status", "duration_ms"},
                              {"event", "user", "auth", "session", "token_id", "client", "forwarded_for",
                               "user_agent", "method", "host", "route", "path", "query", "patients", "reason",
                               "justification", "bytes"}},
                    ShapeCase{"security_event_without_patients_has_no_action",
                              security_login_failure(),
                              {"event", "outcome", "reason", "status"},
                              {"action", "patients", "user"}},
                    ShapeCase{"security_event_naming_patients_has_its_action",
                              security_break_glass_on_patient(),
                              {"event", "patients", "action"},
                              {"user"}},
                    ShapeCase{"zero_bytes_known_is_written",
                              [] {
                                Record r = minimal(Kind::PatientAccess);
                                r.bytes = 0;
                                return r;
                              }(),
                              {"bytes"},
                              {}},
                    ShapeCase{"user_object_holds_only_what_is_known",
                              [] {
                                Record r = minimal(Kind::PatientAccess);
                                r.client_app = "app";
                                return r;
                              }(),
                              {"user"},
                              {"auth"}}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(JsonEncoder, user_object_omits_its_empty_members) {
  Record r = minimal(Kind::PatientAccess);
  r.client_app = "app";
  EXPECT_EQ(parse_line(encode_json(r))["user"], json::parse(R"({"app":"app"})"));
}

TEST(JsonEncoder, kind_names_are_stable) {
  EXPECT_EQ(parse_line(encode_json(minimal(Kind::PatientAccess)))["kind"], "patient_access");
  EXPECT_EQ(parse_line(encode_json(minimal(Kind::SecurityEvent)))["kind"], "security_event");
}

void expect_no_empty_string(const json& j, const std::string& where) {
  if (j.is_string()) {
    EXPECT_FALSE(j.get<std::string>().empty()) << where;
  } else if (j.is_object()) {
    for (const auto& [k, v] : j.items()) expect_no_empty_string(v, where + "." + k);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) expect_no_empty_string(j[i], where + "[" + std::to_string(i) + "]");
  }
  EXPECT_FALSE(j.is_null()) << where;
}

TEST(JsonEncoder, no_member_is_empty_or_null) {
  for (const Record& r : {full_record(), minimal(Kind::PatientAccess), security_login_failure(),
                          security_break_glass_on_patient()}) {
    expect_no_empty_string(parse_line(encode_json(r)), "$");
  }
}

TEST(JsonEncoder, same_record_gives_same_bytes) {
  EXPECT_EQ(encode_json(full_record()), encode_json(full_record()));
  const Record r = full_record();
  EXPECT_EQ(encode_json(r), encode_json(r));
}

TEST(JsonEncoder, line_is_left_open_for_the_chain_and_never_writes_its_names) {
  for (const Record& r : {full_record(), minimal(Kind::PatientAccess), security_login_failure()}) {
    const std::string line = encode_json(r);
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.front(), '{');
    EXPECT_NE(line.back(), '}');
    EXPECT_EQ(line.find('\n'), std::string::npos);
    const json j = json::parse(line + R"(,"seq":7,"mac":"00ff"})");
    EXPECT_EQ(j["seq"], 7);
    EXPECT_EQ(j["mac"], "00ff");
    const json without = parse_line(line);
    EXPECT_FALSE(without.contains("seq"));
    EXPECT_FALSE(without.contains("mac"));
  }
}

TEST(JsonEncoder, compact_no_whitespace_outside_values) {
  const std::string line = encode_json(minimal(Kind::PatientAccess));
  EXPECT_EQ(line.find_first_of(" \t\r\n"), std::string::npos) << line;
}

struct HostileCase {
  const char* name;
  std::string in;
  std::string parsed;  // what a JSON reader sees
};

void PrintTo(const HostileCase& c, std::ostream* os) {
  *os << c.name;
}

class JsonEncoderHostile : public testing::TestWithParam<HostileCase> {};

TEST_P(JsonEncoderHostile, client_bytes_stay_inside_one_valid_line) {
  Record r = minimal(Kind::PatientAccess);
  r.user_agent = GetParam().in;
  r.path = GetParam().in;
  r.query = GetParam().in;
  const std::string line = encode_json(r);
  EXPECT_EQ(line.find_first_of("\n\r"), std::string::npos);
  json j;
  ASSERT_NO_THROW(j = parse_line(line)) << line;
  EXPECT_EQ(j["user_agent"], GetParam().parsed);
  EXPECT_EQ(j["path"], GetParam().parsed);
  EXPECT_EQ(j["query"], GetParam().parsed);
  EXPECT_FALSE(j.contains("forged"));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, JsonEncoderHostile,
    testing::Values(
        HostileCase{"quotes_cannot_close_the_string", R"(x","forged":"1)", R"(x","forged":"1)"},
        HostileCase{"newline_cannot_start_a_forged_line", "a\n{\"forged\":1}\r\n", "a\n{\"forged\":1}\r\n"},
        HostileCase{"control_bytes_escaped", std::string("a\0b\x1b[31m", 8), std::string("a\0b\x1b[31m", 8)},
        HostileCase{"invalid_utf8_replaced", "curl\xff\xfe/\xc3", "curl\uFFFD\uFFFD/\uFFFD"},
        HostileCase{"valid_utf8_kept", "Firefox — Müller 🦊", "Firefox — Müller 🦊"},
        HostileCase{"line_separator_kept_as_a_character", "a\u2028b", "a\u2028b"}),
    [](const auto& p) { return std::string(p.param.name); });

TEST(JsonEncoder, line_separator_is_escaped_in_the_raw_line) {
  Record r = minimal(Kind::PatientAccess);
  r.user_agent = "a\u2028b";
  EXPECT_NE(encode_json(r).find("a\\u2028b"), std::string::npos);
}

TEST(JsonEncoder, any_bytes_in_any_string_field_yield_one_parseable_line) {
  std::mt19937 rng(20261204);  // fixed seed: the same inputs on every run
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> len(0, 40);
  auto random_bytes = [&] {
    std::string s(static_cast<size_t>(len(rng)), '\0');
    for (char& c : s) c = static_cast<char>(byte(rng));
    return s;
  };
  for (int i = 0; i < 2000; ++i) {
    Record r;
    r.request_id = random_bytes();
    r.event = random_bytes();
    r.name = random_bytes();
    r.user_agent = random_bytes();
    r.path = random_bytes();
    r.query = random_bytes();
    r.forwarded_for = random_bytes();
    r.justification = random_bytes();
    r.patients = {{random_bytes(), true, random_bytes()}};
    const std::string line = encode_json(r);
    ASSERT_EQ(line.find_first_of("\n\r"), std::string::npos) << i;
    ASSERT_NO_THROW((void)parse_line(line)) << i << ": " << line;
  }
}

}  // namespace
}  // namespace vigie::audit
