// One audit record: who did what to which patient, from where, when, what Vigie decided and what
// the upstream answered. Built on the worker that served the request (http/audit), then encoded
// (JSON line or FHIR AuditEvent) and handed to the trail's writer thread, which numbers and chains
// it. Plain owned values: a record outlives the request that produced it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vigie::audit {

enum class Action {
  Read,    // GET/HEAD of one resource (patient/<uuid>, Patient/<id>/$everything)
  Search,  // GET of a collection or a query (encounter?patient=..., Observation/_search)
  Create,  // POST to a collection
  Update,  // PUT/PATCH, or an OpenMRS POST to an existing resource
  Delete,  // DELETE (OpenMRS voids, or purges with ?purge=true)
};

enum class Outcome {
  Allowed,          // a rule allowed it and the request went to the upstream
  BreakGlass,       // allowed by a break-glass rule, with a justification
  Denied,           // the policy refused it (403)
  Unauthenticated,  // no valid credential (401, or a redirect to the login)
  Refused,          // refused before the policy: WAF, rate limit, malformed request
  Failed,           // allowed, but the upstream failed (502/504) or answered 5xx
};

enum class Kind {
  PatientAccess,  // a request on patient data, whatever its outcome
  SecurityEvent,  // authentication failure, policy denial, break-glass use, sign-in
};

struct Patient {
  std::string id;      // a resource id, or a business identifier
  bool identifier = false;  // true: a business identifier (patient.identifier=), not an id
  std::string source;  // "path", or the query parameter it came from
};

struct Record {
  Kind kind = Kind::PatientAccess;
  std::string event;  // patient_access; or authentication_failed, policy_denied, break_glass, audit_started...
  std::chrono::system_clock::time_point time;
  std::string request_id;

  // Who. Users are named by oid + tid; the display fields are for people reading the trail.
  std::string user_oid;
  std::string tenant_id;
  std::string name;
  std::string username;       // preferred_username
  std::string client_app;     // azp / appid of the token's client
  std::string auth_method;    // session, bearer, client_credentials; empty when unknown
  std::string session_hash;   // hex SHA-256 prefix of the session id (never the ticket)
  std::string token_id;       // jti or uti of the token (never the token)

  // From where.
  std::string client;         // the client address as Vigie established it
  std::string forwarded_for;  // the X-Forwarded-For chain as received, if any
  std::string user_agent;

  // What.
  std::string method;
  std::string host;
  std::string route;
  std::string path;
  std::string query;          // with the configured parameters' values redacted
  std::vector<Patient> patients;
  Action action = Action::Read;

  // Decision and result.
  Outcome outcome = Outcome::Allowed;
  std::string reason;         // the deciding rule, or the refusal's code (policy_denied, jwt_expired)
  std::string justification;  // BreakGlass: the justification given
  int status = 0;             // the status the client received
  std::optional<uint64_t> bytes;  // response body size when known before it is sent
  double duration_s = 0;      // from the request header to the record
};

[[nodiscard]] std::string_view name(Action a);
[[nodiscard]] std::string_view name(Outcome o);

}  // namespace vigie::audit
