// authz::evaluate over policies loaded the real way (YAML through config::load_policy_text): deny
// precedence, default deny, every criterion, all/any/not, break glass, traces.
#include "authz/engine.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <time.h>

#include "config/policy_loader.h"
#include "core/http_method.h"

namespace vigie::authz {
namespace {

const std::string kClinicians = "11111111-1111-1111-1111-111111111111";
const std::string kOps = "22222222-2222-2222-2222-222222222222";

config::Authorization load(const std::string& yaml, bool display = false) {
  config::Authorization a;
  a.allow_display_criteria = display;
  config::add_builtin_policies(a);
  config::Errors errors;
  config::load_policy_text("groups:\n  clinicians: " + kClinicians + "\n  ops: " + kOps + "\n" + yaml, "p.yaml", a,
                           errors);
  config::resolve_groups(a, errors);
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0].to_string());
  return a;
}

struct Caller {
  std::vector<std::string> groups;
  std::vector<std::string> roles;
  std::vector<std::pair<std::string, std::vector<std::string>>> claims;
  uint8_t method = config::kAuthSession;
  std::string oid = "o1";
  std::string tid = "t1";
  std::string email = "alice@clinic.example";
};

Decision decide(const config::Authorization& a, const Caller& c, std::string_view method, std::string_view path,
                std::string_view client = "10.0.0.5", std::string_view justification = "", Trace* trace = nullptr) {
  Facts f;
  f.subject = {c.method, c.oid, c.tid, c.email, &c.groups, &c.roles, &c.claims};
  f.method = core::method_bit(method);
  f.path = path;
  f.client = client;
  f.justification = justification;
  f.now = std::chrono::system_clock::now();
  return evaluate(*a.find("openmrs"), f, trace);
}

const char* kOpenmrs = R"(
policies:
  openmrs:
    rules:
      - name: clinicians-read
        allow:
          groups: [clinicians]
          methods: [GET, HEAD]
          paths: [/openmrs/ws/rest/v1/patient/**]
        audit: patient
      - name: no-delete
        deny:
          methods: [DELETE]
      - name: ops-anything
        allow:
          groups: [ops]
)";

TEST(Engine, allow_rule_matches_and_names_itself) {
  auto a = load(kOpenmrs);
  auto d = decide(a, {{kClinicians}}, "GET", "/openmrs/ws/rest/v1/patient/abc");
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.reason(), "clinicians-read");
  EXPECT_TRUE(d.audit_patient);
}

TEST(Engine, no_matching_allow_is_default_deny) {
  auto a = load(kOpenmrs);
  auto d = decide(a, {{kClinicians}}, "POST", "/openmrs/ws/rest/v1/patient/abc");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason(), "default_deny");
  EXPECT_FALSE(decide(a, {}, "GET", "/openmrs/ws/rest/v1/patient/abc").allowed);
}

TEST(Engine, deny_wins_over_an_earlier_allow) {
  auto a = load(kOpenmrs);
  auto d = decide(a, {{kOps}}, "DELETE", "/openmrs/ws/rest/v1/patient/abc");
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason(), "no-delete");
  EXPECT_TRUE(decide(a, {{kOps}}, "PUT", "/openmrs/x").allowed);
}

TEST(Engine, path_parameters_do_not_slip_past_a_rule) {
  auto a = load(kOpenmrs);
  EXPECT_TRUE(decide(a, {{kClinicians}}, "GET", "/openmrs/ws/rest/v1/patient;jsessionid=1/abc").allowed);
  EXPECT_FALSE(decide(a, {{kClinicians}}, "GET", "/openmrs/ws/rest/v1/patients/abc").allowed);
}

TEST(Engine, trace_lists_every_rule_and_failed_criterion) {
  auto a = load(kOpenmrs);
  Trace t;
  auto d = decide(a, {{kClinicians}}, "POST", "/openmrs/ws/rest/v1/patient/abc", "10.0.0.5", "", &t);
  EXPECT_FALSE(d.allowed);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t[0].rule->name, "no-delete");  // deny rules are evaluated first
  EXPECT_EQ(t[0].failed, std::vector<std::string>{"methods: [DELETE]"});
  EXPECT_EQ(t[1].rule->name, "clinicians-read");
  EXPECT_EQ(t[1].failed, std::vector<std::string>{"methods: [GET, HEAD]"});
  EXPECT_EQ(t[2].failed, std::vector<std::string>{"groups: [ops]"});
}

TEST(Engine, criteria_table) {
  auto a = load(R"(
policies:
  openmrs:
    rules:
      - name: r
        allow:
          any:
            - {roles: [Admin]}
            - {users: [o-special]}
            - {tenants: [t-partner]}
            - {email_domains: [Partner.example]}
            - {claims: {department: audiology}}
            - {claims_contain: {wids: [w-admin]}}
            - {auth: [client_credentials]}
            - {client_cidrs: [192.168.0.0/16]}
            - all: [{groups: [clinicians]}, {not: {methods: [POST]}}]
)",
                true);
  struct Case {
    const char* name;
    Caller caller;
    const char* method;
    const char* client;
    bool allowed;
  };
  Caller nobody;
  auto with = [&](auto fn) {
    Caller c = nobody;
    fn(c);
    return c;
  };
  for (const auto& c : std::vector<Case>{
           {"nothing_matches", nobody, "GET", "10.0.0.1", false},
           {"role", with([](Caller& c) { c.roles = {"Admin"}; }), "GET", "10.0.0.1", true},
           {"role_case_sensitive", with([](Caller& c) { c.roles = {"admin"}; }), "GET", "10.0.0.1", false},
           {"user_oid", with([](Caller& c) { c.oid = "o-special"; }), "GET", "10.0.0.1", true},
           {"tenant", with([](Caller& c) { c.tid = "t-partner"; }), "GET", "10.0.0.1", true},
           {"email_domain_any_case", with([](Caller& c) { c.email = "Bob@PARTNER.example"; }), "GET", "10.0.0.1", true},
           {"email_subdomain_is_not_the_domain", with([](Caller& c) { c.email = "b@x.partner.example"; }), "GET",
            "10.0.0.1", false},
           {"claim_equals", with([](Caller& c) { c.claims = {{"department", {"audiology"}}}; }), "GET", "10.0.0.1", true},
           {"claim_equals_other_value", with([](Caller& c) { c.claims = {{"department", {"ent"}}}; }), "GET",
            "10.0.0.1", false},
           {"claim_contains", with([](Caller& c) { c.claims = {{"wids", {"w-other", "w-admin"}}}; }), "GET",
            "10.0.0.1", true},
           {"auth_method", with([](Caller& c) { c.method = config::kAuthClientCredentials; }), "GET", "10.0.0.1", true},
           {"client_cidr", nobody, "GET", "192.168.4.2", true},
           {"client_not_an_address", nobody, "GET", "unknown", false},
           {"all_with_not", with([](Caller& c) { c.groups = {kClinicians}; }), "GET", "10.0.0.1", true},
           {"not_excludes", with([](Caller& c) { c.groups = {kClinicians}; }), "POST", "10.0.0.1", false},
       }) {
    EXPECT_EQ(decide(a, c.caller, c.method, "/x", c.client).allowed, c.allowed) << c.name;
  }
}

TEST(Engine, break_glass_needs_a_justification_and_is_flagged) {
  auto a = load(R"(
policies:
  openmrs:
    rules:
      - name: emergency
        break_glass: true
        allow: {roles: [BreakGlass]}
      - name: clinicians
        allow: {groups: [clinicians]}
)");
  Caller glass;
  glass.roles = {"BreakGlass"};
  auto need = decide(a, glass, "GET", "/x");
  EXPECT_FALSE(need.allowed);
  EXPECT_TRUE(need.justification_required);
  EXPECT_EQ(need.reason(), "justification_required");
  EXPECT_FALSE(decide(a, glass, "GET", "/x", "10.0.0.1", "too short").allowed);
  auto ok = decide(a, glass, "GET", "/x", "10.0.0.1", "patient unconscious in ER");
  EXPECT_TRUE(ok.allowed);
  EXPECT_TRUE(ok.break_glass);
  EXPECT_TRUE(ok.audit_patient);
  EXPECT_EQ(ok.reason(), "emergency");
  // An ordinary allow comes first, even when written after the break-glass rule.
  glass.groups = {kClinicians};
  auto ordinary = decide(a, glass, "GET", "/x");
  EXPECT_TRUE(ordinary.allowed);
  EXPECT_FALSE(ordinary.break_glass);
}

TEST(Engine, builtin_authenticated_policy_admits_any_caller) {
  config::Authorization a;
  config::add_builtin_policies(a);
  Caller c;
  Facts f;
  f.subject = {c.method, c.oid, c.tid, c.email, &c.groups, &c.roles, &c.claims};
  EXPECT_TRUE(evaluate(*a.find("authenticated"), f).allowed);
  f.subject.method = 0;
  EXPECT_FALSE(evaluate(*a.find("authenticated"), f).allowed);
}

// Time windows, evaluated at fixed instants (2024-01-01 was a Monday). zone: utc, so the process's TZ
// does not matter.
std::chrono::system_clock::time_point utc(std::chrono::year_month_day day, int hour, int minute, int second = 0) {
  return std::chrono::sys_days{day} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
         std::chrono::seconds{second};
}

Decision decide_at(const config::Authorization& a, std::string_view policy, std::chrono::system_clock::time_point now,
                   Trace* trace = nullptr) {
  Caller c{{kClinicians}};
  Facts f;
  f.subject = {c.method, c.oid, c.tid, c.email, &c.groups, &c.roles, &c.claims};
  f.method = core::method_bit("GET");
  f.path = "/x";
  f.client = "10.0.0.5";
  f.now = now;
  return evaluate(*a.find(policy), f, trace);
}

const char* kWindows = R"(
policies:
  office:
    rules:
      - name: office-hours
        allow:
          groups: [clinicians]
          time: {days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00", zone: utc}
  friday_night:
    rules:
      - name: night-shift
        allow:
          time: {days: [fri], from: "22:00", to: "06:00", zone: utc}
  sunday_night:
    rules:
      - allow:
          time: {days: [sun], from: "23:00", to: "02:00", zone: utc}
  late:
    rules:
      - allow:
          time: {from: "22:00", to: "24:00", zone: utc}
  office_local:
    rules:
      - allow:
          time: {days: [mon, tue, wed, thu, fri], from: "08:00", to: "18:00"}
)";

TEST(Engine, time_window_table_utc) {
  using namespace std::chrono;
  auto a = load(kWindows);
  constexpr auto mon = 2024y / January / 1d, thu = 2024y / January / 4d, fri = 2024y / January / 5d,
                 sat = 2024y / January / 6d, sun = 2024y / January / 7d, next_mon = 2024y / January / 8d;
  struct Case {
    const char* name;
    const char* policy;
    system_clock::time_point now;
    bool allowed;
  };
  for (const auto& c : std::vector<Case>{
           {"inside", "office", utc(mon, 12, 0), true},
           {"from_is_inclusive", "office", utc(mon, 8, 0), true},
           {"one_minute_before_from", "office", utc(mon, 7, 59, 59), false},
           {"last_second_before_to", "office", utc(mon, 17, 59, 59), true},
           {"to_is_exclusive", "office", utc(mon, 18, 0), false},
           {"outside_late_evening", "office", utc(thu, 23, 30), false},
           {"last_listed_day", "office", utc(fri, 9, 0), true},
           {"saturday_not_in_day_mask", "office", utc(sat, 12, 0), false},
           {"sunday_not_in_day_mask", "office", utc(sun, 12, 0), false},
           {"to_24_00_covers_the_last_minute", "late", utc(sat, 23, 59, 59), true},
           {"to_24_00_ends_at_midnight", "late", utc(sun, 0, 0), false},
           // Spanning midnight: the evening belongs to the listed day, the early morning to the day before.
           {"midnight_evening_of_listed_day", "friday_night", utc(fri, 22, 0), true},
           {"midnight_before_from_on_listed_day", "friday_night", utc(fri, 21, 59), false},
           {"midnight_just_before_midnight", "friday_night", utc(fri, 23, 59, 59), true},
           {"midnight_at_midnight_counts_to_previous_day", "friday_night", utc(sat, 0, 0), true},
           {"midnight_early_morning_counts_to_previous_day", "friday_night", utc(sat, 5, 59), true},
           {"midnight_to_is_exclusive", "friday_night", utc(sat, 6, 0), false},
           {"midnight_evening_of_unlisted_day", "friday_night", utc(sat, 22, 30), false},
           {"midnight_early_morning_of_listed_day_belongs_to_unlisted_day_before", "friday_night", utc(fri, 3, 0),
            false},
           {"midnight_early_morning_after_unlisted_day", "friday_night", utc(sun, 1, 0), false},
           {"midnight_early_monday_counts_to_sunday", "sunday_night", utc(next_mon, 1, 30), true},
           {"midnight_sunday_evening", "sunday_night", utc(sun, 23, 0), true},
           {"midnight_early_sunday_counts_to_saturday", "sunday_night", utc(sun, 1, 30), false},
           {"midnight_early_monday_after_to", "sunday_night", utc(next_mon, 2, 0), false},
           {"midnight_middle_of_the_day", "sunday_night", utc(sun, 12, 0), false},
       }) {
    EXPECT_EQ(decide_at(a, c.policy, c.now).allowed, c.allowed) << c.name;
  }
}

TEST(Engine, time_window_outside_is_a_failed_criterion_in_the_trace) {
  using namespace std::chrono;
  auto a = load(kWindows);
  Trace t;
  auto d = decide_at(a, "office", utc(2024y / January / 6d, 12, 0), &t);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason(), "default_deny");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].rule->name, "office-hours");
  EXPECT_EQ(t[0].failed, std::vector<std::string>{"time"});
}

// zone: utc reads the clock in UTC whatever the process's TZ says; the same window in local time moves.
TEST(Engine, time_window_utc_ignores_process_time_zone) {
  using namespace std::chrono;
  auto a = load(kWindows);
  const char* old = std::getenv("TZ");
  std::string saved = old ? old : "";
  setenv("TZ", "UTC-14", 1);  // POSIX sign: 14 hours east of UTC
  tzset();
  auto monday_noon = utc(2024y / January / 1d, 12, 0);    // Tuesday 02:00 there
  auto sunday_evening = utc(2024y / January / 7d, 20, 0);  // Monday 10:00 there
  bool utc_monday = decide_at(a, "office", monday_noon).allowed;
  bool utc_sunday = decide_at(a, "office", sunday_evening).allowed;
  bool local_monday = decide_at(a, "office_local", monday_noon).allowed;
  bool local_sunday = decide_at(a, "office_local", sunday_evening).allowed;
  if (old) setenv("TZ", saved.c_str(), 1);
  else unsetenv("TZ");
  tzset();
  EXPECT_TRUE(utc_monday);
  EXPECT_FALSE(utc_sunday);
  EXPECT_FALSE(local_monday);
  EXPECT_TRUE(local_sunday);
}

}  // namespace
}  // namespace vigie::authz
