// What an audited request does to which patients: the patients its path and query name (by the
// configured rules, config::PatientIdRule), the action (read, search, create, update, delete) and
// its query with the configured values hidden. PatientIds is built once per config snapshot and
// shared, const, by every worker; the free functions are pure. Nothing here parses a body: a FHIR
// `_search` POST names its patients in a form body, which a caller may pass to find() as a query.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "audit/record.h"
#include "config/audit.h"

namespace vigie::audit {

// A value longer than these, or holding other characters than below, is dropped, not truncated: a
// prefix of an id is another id (perhaps another patient's), and a byte the upstream would not
// resolve to a patient (a newline, a quote) has no business in the trail. The request's query,
// kept in the record, still shows what was sent.
inline constexpr size_t kMaxIdBytes = 64;           // FHIR id limit; OpenMRS UUIDs are 36
inline constexpr size_t kMaxIdentifierBytes = 128;  // "system|value", the system a URL or an OID
// Patients recorded per request at most (FHIR "patient=a,b,..."): a record stays small whatever
// the query's length; the query itself shows the rest.
inline constexpr size_t kMaxPatients = 64;

class PatientIds {
 public:
  explicit PatientIds(const std::vector<config::PatientIdRule>& rules);

  // `path`: normalised (no dot segments; escapes of reserved bytes kept, ";params" ignored as
  // PathPattern ignores them). `query`: raw, without '?', as Tomcat reads it: '&'-separated,
  // names and values percent-decoded with '+' as a space; a pair with a malformed escape is
  // skipped (Tomcat drops it too). FHIR OR lists ("patient=a,b") and repeated parameters give one
  // patient each. Accepted values: ids (Kind::Id) are FHIR ids, [A-Za-z0-9.-] starting with a
  // letter or digit, at most kMaxIdBytes; identifiers are printable ASCII without '"' or '\', at
  // most kMaxIdentifierBytes. In rule order, without duplicates, at most kMaxPatients.
  [[nodiscard]] std::vector<Patient> find(std::string_view path, std::string_view query) const;

 private:
  std::vector<config::PatientIdRule> rules_;
};

// The action, from the method and the path's last segments.
//   DELETE: Delete. PUT, PATCH: Update.
//   GET, HEAD: Read when the path names one resource, otherwise Search.
//   POST: Update when the path names one resource (OpenMRS REST updates by POST to it), Create on
//   a collection (patient, patient/<uuid>/allergy).
//   Any method: Search when the last segment is "_search" (FHIR) or "search" (OpenMRS
//   appointments/search), whatever it POSTs.
//   Other methods (OPTIONS...) are classified as GET.
// Before the last segment is judged, a trailing FHIR operation ("$everything", also "%24...") and
// a trailing "_history" or "_history/<version>" are set aside: Patient/<id>/$everything and
// Patient/<id>/_history/2 read one patient; Patient/$everything and Observation/$lastn search. A
// POST to an operation is judged as a GET would be (operations OpenMRS offers read).
// A segment names one resource when it looks like an id: FHIR id characters ([A-Za-z0-9.-]), at
// most 64, and either only digits ("Patient/123") or at least 8 characters with a digit among them
// (every OpenMRS UUID, including the CIEL "5089AAAA..." form). Resource and collection names hold
// no digit (patient, allergy, Observation); short ones that do (v1, R4, fhir2) are too short.
// Limits: an id without a digit ("Patient/example") or short and mixed ("Patient/p1") reads as a
// collection, so its GET is a Search and its POST a Create; a collection named with a digit and 8
// or more characters would read as an id. `query` is not consulted: OpenMRS and FHIR name the
// interaction by method and path (a conditional PUT or DELETE with a query is still that action).
[[nodiscard]] Action action_of(std::string_view method, std::string_view path, std::string_view query);

// `query` with the values of the listed parameters replaced by "***": names, order and every other
// pair unchanged; an empty value stays empty. A listed name matches whatever its case, percent-
// encoding, FHIR modifier or chain: "name" hides name=, Name=, n%61me=, name:contains= and
// patient.name= (hiding too much is the safe side of a mistake).
[[nodiscard]] std::string redact_query(std::string_view query, const std::vector<std::string>& params);

}  // namespace vigie::audit
