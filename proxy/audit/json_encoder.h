// The compact JSON encoding of an audit record: one line, member names short and stable, for
// files, stdout and Loki. Called on the worker that built the record (pure function, any thread).
// The text is the object WITHOUT its closing '}' and without a newline: the trail's chain appends
// its own members ("seq", "mac") and closes it, so the encoder never writes those names.
#pragma once

#include <string>

#include "audit/record.h"

namespace vigie::audit {

// Members, in this order. "always" members are written even when empty or zero; the others are
// left out when empty (or absent) to keep lines small.
//   time           always   UTC ISO-8601 with milliseconds, "2026-12-04T16:00:00.123Z"
//   request_id     always
//   kind           always   "patient_access" | "security_event"
//   event                   patient_access; security events: authentication_failed, policy_denied, break_glass...
//   user                    {oid, tid, name, username, app}, each left out when empty; the whole
//                           object is left out when all are (an unauthenticated caller)
//   auth                    session | bearer | client_credentials
//   session                 hex SHA-256 prefix of the session id
//   token_id                jti / uti of the token
//   client                  the client address as Vigie established it
//   forwarded_for           X-Forwarded-For as received
//   user_agent, method, host, route, path
//   query                   with the configured parameters' values redacted
//   patients                [{id, identifier: true (business identifier only), source}]
//   action                  patient_access always, and security events that name patients:
//                           read | search | create | update | delete
//   outcome        always   allowed | break_glass | denied | unauthenticated | refused | failed
//   reason, justification
//   status         always   the status the client received (0: none)
//   bytes                   response body size, when known
//   duration_ms    always   three decimals
[[nodiscard]] std::string encode_json(const Record& r);

}  // namespace vigie::audit
