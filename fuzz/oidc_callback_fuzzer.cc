// Fuzz target: everything the login endpoints parse from a browser or a provider — the callback
// query (state, code, error), return URLs, the login-state cookie, discovery documents and token
// endpoint answers and Microsoft Graph pages. Hostile bytes must give errors, never a crash or an unsafe return URL.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/url.h"
#include "oidc/graph.h"
#include "oidc/login.h"
#include "oidc/metadata.h"
#include "oidc/token_client.h"

namespace {

const vigie::session::KeyRing& ring() {
  static const auto r = vigie::session::KeyRing::from_keys({vigie::crypto::Key{}});
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vigie;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (const char* name : {"state", "code", "error", "rd"}) (void)core::query_param(in, name);
  if (auto rd = core::query_param(in, "rd")) {
    if (auto to = oidc::safe_return_to(*rd, "app.example", {"*.example.org"})) {
      // Whatever passes is a same-site path or an allowed absolute URL.
      bool relative = to->starts_with("/") && !to->starts_with("//") && !to->starts_with("/\\");
      if (!relative && !core::parse_url(*to)) __builtin_trap();
    }
  }
  (void)oidc::open_login(ring(), in, "state", 0, 600);
  (void)core::parse_url(in);
  (void)oidc::parse_metadata(in, "https://login.example/t/v2.0");
  (void)oidc::parse_token_response(200, in);
  (void)oidc::parse_token_response(400, in);
  (void)oidc::parse_graph_page(in);
  return 0;
}
