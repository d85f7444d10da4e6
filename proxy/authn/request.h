// The parts of an HTTP request that authentication reads, as views into the request (valid for the
// call). Filled by the HTTP layer, so authn does not depend on it.
#pragma once

#include <string_view>

namespace vigie::authn {

struct Request {
  std::string_view method;
  std::string_view host_header;  // as sent, port included (validated by the HTTP layer)
  std::string_view host;         // lower case, without port
  std::string_view path;         // normalised
  std::string_view query;
  std::string_view target;       // path and query as sent, for the return URL
  std::string_view cookie;       // the Cookie header(s), joined
  std::string_view authorization;
  std::string_view body;          // read only for the back-channel logout POST
  bool tls = false;               // the scheme the client used (https also behind a trusted proxy)
  bool browser = false;           // a GET/HEAD navigation that accepts text/html
  // Where a login redirect points: empty for a relative /oauth2/start; "https://host" in
  // forward-auth mode, where the browser is on the protected host, not on Vigie.
  std::string_view login_origin;
  // Forward-auth: the request the ingress is asking about.
  std::string_view original_url;     // X-Original-URL (NGINX Ingress)
  std::string_view original_method;  // X-Original-Method
  std::string_view forwarded_proto;  // X-Forwarded-Proto (Traefik, Envoy)
  std::string_view forwarded_host;   // X-Forwarded-Host
  std::string_view forwarded_uri;    // X-Forwarded-Uri
  std::string_view forwarded_method; // X-Forwarded-Method
};

}  // namespace vigie::authn
