// The FHIR R4 encoding of an audit record: one AuditEvent resource per line, shaped after the IHE
// Basic Audit Log Patterns (BALP 1.1, https://profiles.ihe.net/ITI/BALP/) so an audit repository
// or SIEM that knows BALP can read it. Pure function, called on the worker that built the record.
// Like encode_json, the text is the resource WITHOUT its closing '}' and without a newline: the
// chain appends a top-level "extension" array (sequence, MAC) and closes it, so the encoder never
// writes a top-level "extension".
#pragma once

#include <string>
#include <string_view>

#include "audit/record.h"

namespace vigie::audit {

// observer: this Vigie instance's name (source.observer); "vigie" when empty.
//
// Patient access (REST): type audit-event-type#rest; subtype restful-interaction read |
// search-type | create | update (patch for PATCH) | delete; action R | E | C | U | D; the client,
// server and user agents of the matching BALP profile; entities: the X-Request-Id transaction,
// each patient (Person, role Patient), the query (role Query, base64) for searches, the resource
// (System Object, role Domain Resource) otherwise.
// Security events: DICOM types (User Authentication + Login/Logout, Security Alert + Emergency
// Override Started / Authorization Decision), action E. See fhir_encoder.cc for every code.
// No meta.profile is claimed: refused and failed requests cannot meet the BALP success profiles.
[[nodiscard]] std::string encode_fhir(const Record& r, std::string_view observer);

}  // namespace vigie::audit
