// Building the `audit.patient_ids` rules (where a request names a patient) and the OpenMRS
// defaults used when the configuration gives none, plus the default list of query parameters a
// record hides. Called by the config loader at load time, on the main thread; the rules it returns
// are immutable afterwards and matched per request by audit::PatientIds.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/audit.h"
#include "core/result.h"

namespace vigie::config {

// A path rule: a PathPattern text in which exactly one whole segment is "<id>", before any "**"
// ("/openmrs/ws/rest/v1/{patient,person}/<id>/**"). "<id>" matches like "*"; the rule takes the
// request path's segment at that position. The error says what is wrong: "needs exactly one '<id>'
// segment", "'<id>' must be a whole segment", "'<id>' must come before '**'", or PathPattern's own.
[[nodiscard]] core::Result<PatientIdRule, std::string> compile_path_rule(std::string_view pattern,
                                                                         PatientIdRule::Kind kind);

// A query rule: the values of parameter `param` (exact, case-sensitive, after percent-decoding the
// name as Tomcat does). A value must start with `prefix`, which is removed, unless
// `prefix_optional`; an empty prefix accepts every value. Applies to every audited path.
[[nodiscard]] PatientIdRule query_rule(std::string param, std::string prefix, bool prefix_optional,
                                       PatientIdRule::Kind kind);

// The same, read only on paths matching `path_pattern` (a plain PathPattern text): for parameters
// that name a patient on one resource and something else elsewhere ("identifier" is a patient's
// on /patient, a practitioner's on /Practitioner).
[[nodiscard]] core::Result<PatientIdRule, std::string> query_rule_on(std::string_view path_pattern,
                                                                     std::string param, std::string prefix,
                                                                     bool prefix_optional,
                                                                     PatientIdRule::Kind kind);

// The OpenMRS REST (ws/rest/v1) and FHIR2 R4 (ws/fhir2/R4) rules; patient_id_rule.cc says why each
// is there and why some look-alikes are not.
[[nodiscard]] const std::vector<PatientIdRule>& default_patient_id_rules();

// Query parameters whose values a record shows as "***" unless the configuration lists its own:
// names, contact details and free text. audit::redact_query says how a name matches.
[[nodiscard]] const std::vector<std::string>& default_redact_params();

}  // namespace vigie::config
