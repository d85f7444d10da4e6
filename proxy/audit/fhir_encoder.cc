#include "audit/fhir_encoder.h"

#include <charconv>
#include <initializer_list>

#include "audit/json_writer.h"
#include "core/strings.h"
#include "crypto/encoding.h"

// Codes and shapes checked against IHE BALP 1.1.4 (profiles IHE.BasicAudit.Read, .Query,
// .PatientRead, .PatientQuery, .Create, .Update, .Delete, .OAUTHaccessTokenUse.Comprehensive/
// .Minimal; CodeSystem BasicAuditEntityType; ValueSets AllSearchVS, AllUpdateVS, DataSources,
// RestObjectRoles; example ex-auditBasicQueryGetServer), the FHIR R4 AuditEvent definition and its
// examples (example-error: outcome 8 for a server failure; example-breakglass-start: Security
// Alert / 110127), and the DICOM CID 400/403 code lists.

namespace vigie::audit {
namespace {

struct Code {
  std::string_view system;
  std::string_view code;
  std::string_view display;
};

constexpr std::string_view kDcm = "http://dicom.nema.org/resources/ontology/DCM";
constexpr std::string_view kParticipation = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";
constexpr std::string_view kRestful = "http://hl7.org/fhir/restful-interaction";
constexpr std::string_view kEntityType = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
constexpr std::string_view kObjectRole = "http://terminology.hl7.org/CodeSystem/object-role";
constexpr std::string_view kSourceType = "http://terminology.hl7.org/CodeSystem/security-source-type";

constexpr Code kRest{"http://terminology.hl7.org/CodeSystem/audit-event-type", "rest", "Restful Operation"};
constexpr Code kUserAuthentication{kDcm, "110114", "User Authentication"};
constexpr Code kSecurityAlert{kDcm, "110113", "Security Alert"};
constexpr Code kLogin{kDcm, "110122", "Login"};
constexpr Code kLogout{kDcm, "110123", "Logout"};
constexpr Code kEmergencyOverrideStarted{kDcm, "110127", "Emergency Override Started"};
constexpr Code kAuthorizationDecision{kDcm, "110144", "Authorization Decision"};
constexpr Code kNone{};

// Agent types. DICOM's convention, which BALP keeps: the side the data flows from is the Source
// Role ID, so for a read the server is the source and the client the destination.
constexpr Code kSourceRole{kDcm, "110153", "Source Role ID"};
constexpr Code kDestinationRole{kDcm, "110152", "Destination Role ID"};
constexpr Code kApplication{kDcm, "110150", "Application"};
constexpr Code kCustodian{"http://terminology.hl7.org/CodeSystem/provenance-participant-type", "custodian",
                          "Custodian"};
constexpr Code kRecipient{kParticipation, "IRCP", "information recipient"};
constexpr Code kAuthor{kParticipation, "AUT", "author (originator)"};

constexpr Code kPerson{kEntityType, "1", "Person"};
constexpr Code kSystemObject{kEntityType, "2", "System Object"};
constexpr Code kPatientRole{kObjectRole, "1", "Patient"};
constexpr Code kDomainResourceRole{kObjectRole, "4", "Domain Resource"};
constexpr Code kQueryRole{kObjectRole, "24", "Query"};
constexpr Code kRequestId{"https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType", "XrequestId",
                          ""};
constexpr Code kBreakTheGlass{"http://terminology.hl7.org/CodeSystem/v3-ActReason", "BTG", "break the glass"};

// What one record is, in FHIR terms: the event codes and the types of its three agents.
struct Shape {
  Code type;
  Code subtype;
  std::string_view action;
  Code client;
  Code server;
  Code user;  // kNone: the user agent carries no type
  bool rest = false;
};

Shape rest_shape(const Record& r) {
  switch (r.action) {
    case Action::Read:
      return {kRest, {kRestful, "read", "read"}, "R", kDestinationRole, kSourceRole, kRecipient, true};
    case Action::Search:
      // A GET of a collection (Observation?patient=...) is a type-level search; BALP AllSearchVS.
      return {kRest, {kRestful, "search-type", "search-type"}, "E", kSourceRole, kDestinationRole, kRecipient,
              true};
    case Action::Create:
      // BALP Create: the user is the data's source (ValueSet DataSources: AUT, INF, CST).
      return {kRest, {kRestful, "create", "create"}, "C", kSourceRole, kDestinationRole, kAuthor, true};
    case Action::Update:
      // BALP AllUpdateVS admits patch beside update.
      if (core::iequals(r.method, "PATCH")) {
        return {kRest, {kRestful, "patch", "patch"}, "U", kSourceRole, kDestinationRole, kAuthor, true};
      }
      return {kRest, {kRestful, "update", "update"}, "U", kSourceRole, kDestinationRole, kAuthor, true};
    case Action::Delete:
      // BALP Delete types its agents differently: the client as Application, the server as the
      // custodian of the deleted data.
      return {kRest, {kRestful, "delete", "delete"}, "D", kApplication, kCustodian, kAuthor, true};
  }
  return {kRest, {kRestful, "read", "read"}, "R", kDestinationRole, kSourceRole, kRecipient, true};
}

// Security events follow DICOM's audit vocabulary (CID 400 event ids, CID 403 security alert
// types), as the FHIR break-glass example does. The event name decides; an unknown or empty name
// falls back on the outcome. Action E: the event is a security function executing, whatever the
// request tried (that stays in the transaction's details).
Shape security_shape(const Record& r) {
  auto make = [](Code type, Code subtype) {
    return Shape{type, subtype, "E", kSourceRole, kDestinationRole, kNone, false};
  };
  // Authentication, successful or not, is DICOM "User Authentication" with Login or Logout; the
  // failure is in the outcome, as IHE ATNA records it.
  if (r.event == "login" || r.event == "authentication_failed") return make(kUserAuthentication, kLogin);
  if (r.event == "logout") return make(kUserAuthentication, kLogout);
  if (r.event == "break_glass") return make(kSecurityAlert, kEmergencyOverrideStarted);
  // A policy refusal is an authorization decision, raised as a security alert for the SIEM.
  if (r.event == "policy_denied") return make(kSecurityAlert, kAuthorizationDecision);
  switch (r.outcome) {
    case Outcome::Unauthenticated:
      return make(kUserAuthentication, kLogin);
    case Outcome::Denied:
      return make(kSecurityAlert, kAuthorizationDecision);
    case Outcome::BreakGlass:
      return make(kSecurityAlert, kEmergencyOverrideStarted);
    default:
      return make(kSecurityAlert, kNone);
  }
}

// audit-event-outcome: 0 success, 4 minor failure (a 4xx), 8 serious failure (a 5xx), 12 major
// failure (the system died; Vigie never records that one).
std::string_view outcome_code(const Record& r) {
  switch (r.outcome) {
    case Outcome::Allowed:
    case Outcome::BreakGlass:
      // Vigie let it through, but "success" should mean the data went out: an upstream 404 or 500
      // did not disclose the resource.
      if (r.status >= 500) return "8";
      if (r.status >= 400) return "4";
      return "0";
    case Outcome::Denied:           // 403
    case Outcome::Unauthenticated:  // 401 or a redirect to the login
    case Outcome::Refused:          // WAF, rate limit, malformed request: the client's fault
      return "4";
    case Outcome::Failed:  // upstream 502/504, or the trail could not write
      return "8";
  }
  return "8";
}

void coding_members(JsonWriter& w, const Code& c) {
  w.member("system", c.system);
  w.member("code", c.code);
  w.member_if("display", c.display);
}

void coding(JsonWriter& w, std::string_view key, const Code& c) {
  w.object(key);
  coding_members(w, c);
  w.close_object();
}

// A CodeableConcept holding the codes that are set.
void codeable_concept(JsonWriter& w, std::string_view key, std::initializer_list<Code> codes) {
  w.object(key);
  w.array("coding");
  for (const Code& c : codes) {
    if (c.code.empty()) continue;
    w.open_object();
    coding_members(w, c);
    w.close_object();
  }
  w.close_array();
  w.close_object();
}

void break_the_glass(JsonWriter& w, std::string_view key, std::string_view justification) {
  w.array(key);
  w.open_object();
  w.array("coding");
  w.open_object();
  coding_members(w, kBreakTheGlass);
  w.close_object();
  w.close_array();
  w.member_if("text", justification);
  w.close_object();
  w.close_array();
}

// Percent-encodes everything but RFC 3986 unreserved characters, so a claim value always makes a
// valid uri (agent.policy, identifier.system).
void append_uri_part(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
}

// A FHIR id ([A-Za-z0-9.-]{1,64}) can be a relative reference Patient/<id>; anything else is
// recorded as an identifier rather than as a reference a validator would reject.
bool is_fhir_id(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// The host without its port ("[::1]:8443" -> "::1"), for agent.network.address.
std::string_view host_name(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    const size_t end = host.find(']');
    return end == std::string_view::npos ? host : host.substr(1, end - 1);
  }
  const size_t colon = host.find(':');
  if (colon != std::string_view::npos && host.find(':', colon + 1) == std::string_view::npos) {
    return host.substr(0, colon);
  }
  return host;
}

// network-type: 1 machine name, 2 IP address.
std::string_view network_type(std::string_view address) {
  if (address.find(':') != std::string_view::npos) return "2";  // IPv6
  for (char c : address) {
    if (!((c >= '0' && c <= '9') || c == '.')) return "1";
  }
  return "2";
}

void network(JsonWriter& w, std::string_view address) {
  w.object("network");
  w.member("address", address);
  w.member("type", network_type(address));
  w.close_object();
}

void detail(JsonWriter& w, std::string_view type, std::string_view value) {
  if (value.empty()) return;  // FHIR forbids empty strings
  w.open_object();
  w.member("type", type);
  w.member("valueString", value);
  w.close_object();
}

std::string_view digits(char (&buf)[24], uint64_t v) {
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return {buf, static_cast<size_t>(end - buf)};
}

bool has_user(const Record& r) {
  return !r.user_oid.empty() || !r.name.empty() || !r.username.empty();
}

// BALP user slice (IRCP for reads and searches, AUT for changes) and OAuth oUser slice: the user
// id in who.identifier (system: the token issuer's tenant), the name in .name for searching, the
// token's jti in .policy.
void user_agent(JsonWriter& w, const Record& r, const Shape& s, bool btg) {
  w.open_object();
  if (!s.user.code.empty()) codeable_concept(w, "type", {s.user});
  w.object("who");
  if (!r.user_oid.empty()) {
    w.object("identifier");
    if (!r.tenant_id.empty()) {
      // Entra ids (oid) are unique within a tenant; the tenant's authority names that namespace
      // whether the token came from the v1 or the v2 issuer.
      std::string system = "https://login.microsoftonline.com/";
      append_uri_part(system, r.tenant_id);
      w.member("system", system);
    }
    w.member("value", r.user_oid);
    w.close_object();
  }
  w.member_if("display", r.name.empty() ? r.username : r.name);
  w.close_object();
  w.member_if("name", r.username.empty() ? r.name : r.username);
  w.key("requestor");
  w.boolean(true);
  if (!r.token_id.empty()) {
    // BALP OAUTHaccessTokenUse: "jti SHALL be prefixed with urn:ietf:params:oauth:jti:".
    std::string policy = "urn:ietf:params:oauth:jti:";
    append_uri_part(policy, r.token_id);
    w.array("policy");
    w.string(policy);
    w.close_array();
  }
  if (btg) break_the_glass(w, "purposeOfUse", r.justification);
  w.close_object();
}

// The network client. BALP client slice, typed for the interaction; with the OAuth oClient type
// (110150 Application) beside it when the token names its application, whose client id is then
// who.identifier. Requestor only when no user is known (an unauthenticated caller).
void client_agent(JsonWriter& w, const Record& r, const Shape& s) {
  w.open_object();
  const bool app = !r.client_app.empty();
  codeable_concept(w, "type", {s.client, app && s.client.code != kApplication.code ? kApplication : kNone});
  w.object("who");
  if (app) {
    w.object("identifier");
    w.member("value", r.client_app);
    w.close_object();
  } else {
    w.member("display", r.client.empty() ? std::string_view("unknown client") : std::string_view(r.client));
  }
  w.close_object();
  w.key("requestor");
  w.boolean(!has_user(r));
  if (!r.client.empty()) network(w, r.client);
  w.close_object();
}

// The server the client addressed (Vigie fronts it under this host name).
void server_agent(JsonWriter& w, const Record& r, const Shape& s) {
  w.open_object();
  codeable_concept(w, "type", {s.server});
  w.object("who");
  w.member("display", r.host);
  w.close_object();
  w.key("requestor");
  w.boolean(false);
  if (const std::string_view name = host_name(r.host); !name.empty()) network(w, name);
  w.close_object();
}

// BALP transaction slice: the X-Request-Id as the identifier. What Vigie knows of the request and
// that FHIR has no element for goes into its details (entity.detail: type + valueString).
void transaction_entity(JsonWriter& w, const Record& r) {
  w.open_object();
  if (!r.request_id.empty()) {
    w.object("what");
    w.object("identifier");
    w.member("value", r.request_id);
    w.close_object();
    w.close_object();
  }
  coding(w, "type", kRequestId);
  w.array("detail");
  detail(w, "outcome", name(r.outcome));
  detail(w, "event", r.event);
  detail(w, "method", r.method);
  detail(w, "host", r.host);
  detail(w, "route", r.route);
  detail(w, "path", r.path);
  detail(w, "query", r.query);
  detail(w, "user_agent", r.user_agent);
  detail(w, "forwarded_for", r.forwarded_for);
  detail(w, "auth", r.auth_method);
  detail(w, "session", r.session_hash);
  char buf[24];
  if (r.status > 0) detail(w, "status", digits(buf, static_cast<uint64_t>(r.status)));
  if (r.bytes) detail(w, "bytes", digits(buf, *r.bytes));
  char ms[40];
  double d = r.duration_s * 1000.0;
  if (!(d >= 0) || d > 1e15) d = 0;  // also NaN
  auto [end, ec] = std::to_chars(ms, ms + sizeof ms, d, std::chars_format::fixed, 3);
  detail(w, "duration_ms", {ms, static_cast<size_t>(end - ms)});
  w.close_array();
  w.close_object();
}

// BALP patient slice: type 1 Person, role 1 Patient. A resource id becomes Patient/<id>; a
// business identifier (FHIR token "system|value") becomes what.identifier.
void patient_entity(JsonWriter& w, const Patient& p) {
  w.open_object();
  w.object("what");
  if (!p.identifier && is_fhir_id(p.id)) {
    w.key("reference");
    w.string("Patient/", p.id);
  } else {
    w.object("identifier");
    std::string_view value = p.id;
    const size_t bar = p.identifier ? value.find('|') : std::string_view::npos;
    if (bar != std::string_view::npos && bar + 1 < value.size()) {
      w.member_if("system", value.substr(0, bar));
      value.remove_prefix(bar + 1);
    }
    w.member("value", value.empty() ? std::string_view("unknown") : value);
    w.close_object();
  }
  w.close_object();
  coding(w, "type", kPerson);
  coding(w, "role", kPatientRole);
  w.close_object();
}

// BALP query slice: the search as requested (path and redacted query), base64 in .query.
void query_entity(JsonWriter& w, const Record& r) {
  std::string search = r.path;
  if (!r.query.empty()) {
    search += '?';
    search += r.query;
  }
  if (search.empty()) return;
  w.open_object();
  coding(w, "type", kSystemObject);
  coding(w, "role", kQueryRole);
  w.member("query", crypto::base64_encode(search));
  w.close_object();
}

// BALP data slice: the resource read, created, changed or deleted, named by its path.
void data_entity(JsonWriter& w, const Record& r) {
  if (r.path.empty()) return;
  w.open_object();
  w.object("what");
  w.member("display", r.path);
  w.close_object();
  coding(w, "type", kSystemObject);
  coding(w, "role", kDomainResourceRole);
  w.close_object();
}

}  // namespace

std::string encode_fhir(const Record& r, std::string_view observer) {
  const Shape s = r.kind == Kind::PatientAccess ? rest_shape(r) : security_shape(r);
  const bool user = has_user(r);
  const bool btg = r.outcome == Outcome::BreakGlass || s.subtype.code == kEmergencyOverrideStarted.code;

  std::string out;  // a search with one patient is about 3 kB, most of it codes
  out.reserve(2600 + 2 * (r.path.size() + r.query.size()) + r.user_agent.size() + r.forwarded_for.size() +
              r.justification.size() + 160 * r.patients.size());
  JsonWriter w(out);
  w.open_object();
  w.member("resourceType", "AuditEvent");
  coding(w, "type", s.type);
  if (!s.subtype.code.empty()) {
    w.array("subtype");
    w.open_object();
    coding_members(w, s.subtype);
    w.close_object();
    w.close_array();
  }
  w.member("action", s.action);
  w.key("recorded");
  w.timestamp(r.time);
  const std::string_view outcome = outcome_code(r);
  w.member("outcome", outcome);
  if (!r.reason.empty()) {
    w.member("outcomeDesc", r.reason);
  } else if (outcome != "0" && r.status > 0) {
    char buf[24];
    w.key("outcomeDesc");
    w.string("HTTP status ", digits(buf, static_cast<uint64_t>(r.status)));
  }
  // Break-glass purpose goes on the user (BALP: user.purposeOfUse); on the event when no user.
  if (btg && !user) break_the_glass(w, "purposeOfEvent", r.justification);

  // R4 needs at least one agent, and the client agent is always written, so there is one.
  w.array("agent");
  if (user) user_agent(w, r, s, btg);
  client_agent(w, r, s);
  if (!r.host.empty()) server_agent(w, r, s);
  w.close_array();

  // The observer is this Vigie instance. Source types (RFC 3881 / security-source-type): a web
  // server tier (a reverse proxy) that is also a security server (it authenticates and decides).
  w.object("source");
  w.object("observer");
  w.member("type", "Device");
  w.member("display", observer.empty() ? std::string_view("vigie") : observer);
  w.close_object();
  w.array("type");
  for (const Code& c : {Code{kSourceType, "3", "Web Server"}, Code{kSourceType, "6", "Security Server"}}) {
    w.open_object();
    coding_members(w, c);
    w.close_object();
  }
  w.close_array();
  w.close_object();

  w.array("entity");
  transaction_entity(w, r);
  for (const auto& p : r.patients) patient_entity(w, p);
  if (s.rest) {
    if (r.action == Action::Search)
      query_entity(w, r);
    else
      data_entity(w, r);
  }
  w.close_array();
  return out;
}

}  // namespace vigie::audit
