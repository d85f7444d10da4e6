// The audit step of the request path. A request touches patient data when its route says
// `audit: patient`, when its policy's `patient_data` paths match, or when the rule that allowed it
// says `audit: patient`; every such request gets exactly one record, allowed or not. Allowed ones
// are held until their record is written (sync trails: on disk) and refused with 503 when it
// cannot be: nothing reaches a client without its record. Runs on the request's worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string_view>

#include "authn/identity.h"
#include "http/local_reply.h"
#include "http/pipeline.h"

namespace vigie::router {
struct Route;
}

namespace vigie::http {

struct RequestContext;

// Forward-auth: the request an ingress asks about, which it serves itself.
struct DescribedRequest {
  const router::Route* route = nullptr;
  std::string_view method;
  std::string_view host;
  std::string_view path;   // normalised
  std::string_view query;
  std::shared_ptr<const authn::Identity> identity;  // null when the caller is unknown
};

// Once routed: marks the request as patient data from its route and its policy's paths.
void mark_patient_data(RequestContext& ctx);

// Step::Audit: adds the allowing rule's mark, refuses (503) when the trail cannot accept a record,
// keeps a break-glass justification for the record and writes the break-glass security event.
[[nodiscard]] std::unique_ptr<const Stage> make_audit_stage();

// Writes the patient-data record once the status is known. For a sync trail it completes when the
// record is on disk. False: it could not be written (the caller answers 503 instead).
[[nodiscard]] boost::asio::awaitable<bool> record_patient_access(RequestContext& ctx, int status,
                                                                 std::optional<uint64_t> bytes,
                                                                 std::optional<Reason> refusal);

// Forward-auth: when the described request touches patient data, writes its record for the
// decision (`status` is the answer given to the ingress). False: it could not be written.
[[nodiscard]] boost::asio::awaitable<bool> record_forward_auth(RequestContext& ctx, const DescribedRequest& d,
                                                               int status, std::optional<Reason> refusal);

// Writes a security event (authentication failure, policy denial) for a refusal; never waits.
void record_refusal_event(RequestContext& ctx, Reason r, std::string_view detail);

}  // namespace vigie::http
