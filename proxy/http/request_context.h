// Everything known about one request while it walks the pipeline: the pinned snapshot, the parsed
// header, the normalised target, the matched route, the client as Vigie sees it, and the facts the
// access log and metrics need once it is answered. Created by the session per request, on its worker.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "audit/trails.h"
#include "authn/assertion.h"
#include "authn/caches.h"
#include "authn/identity.h"
#include "authn/outcome.h"
#include "authz/engine.h"
#include "http/local_reply.h"
#include "router/table.h"
#include "upstream/forwarder.h"

namespace vigie::http {

struct Snapshot;

struct ConnectionInfo {
  boost::asio::ip::address peer;
  std::string peer_text;
  bool tls = false;
  bool peer_trusted = false;  // peer is in trusted_proxies
};

struct RequestContext {
  std::shared_ptr<const Snapshot> snapshot;
  upstream::RequestParser& parser;
  const ConnectionInfo& conn;
  std::chrono::steady_clock::time_point start;

  std::string request_id;
  std::string client;  // the client address: the peer, or from X-Forwarded-For via trusted proxies
  std::string host;    // lower-case, without port
  std::string path;    // normalised
  std::string_view query;
  const router::Route* route = nullptr;
  ClientPrefs prefs;
  bool upgrade = false;
  authn::Caches* auth_caches = nullptr;  // the worker's
  authn::AssertionCache* assertion_cache = nullptr;  // the worker's
  std::shared_ptr<const authn::Identity> identity;  // set by the Authenticate stage
  std::optional<authz::Decision> decision;          // set by the Authorize stage (non-public routes)
  authn::Headers response_headers;  // added to whatever answers the request (a renewed session cookie)
  // Field lines Vigie adds for the upstream (identity, X-Forwarded-*), sent after the request's own
  // fields; written by prepare_upstream_request once the client's versions are removed.
  std::string upstream_fields;
  std::string endpoint_body;  // a login-prefix POST body (back-channel logout), read whole
  audit::Trails* trails = nullptr;  // the process's; null when no `audit:` section was loaded at start
  bool patient_data = false;  // the audit trail records this request (http/audit)
  bool audit_recorded = false;
  // What the record takes from the request, drafted before the request is rewritten for the
  // upstream (its target, X-Forwarded-For and the justification header change or go).
  std::optional<audit::Record> audit_draft;

  // Filled as the request is answered.
  int status = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  std::string_view upstream;  // owned by the pinned snapshot's cluster
  std::string_view rc_details;  // why Vigie answered itself; empty when the upstream answered

  [[nodiscard]] auto& request() { return parser.get(); }
  [[nodiscard]] const auto& request() const { return parser.get(); }
  [[nodiscard]] std::string_view method() { return parser.get().method_string(); }
};

}  // namespace vigie::http
