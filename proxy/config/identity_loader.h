// Reads the `identity:` section and the per-route auth keys. Internal to config::load (loader.cc);
// config-load only.
#pragma once

#include "config/config.h"
#include "config/reader.h"

namespace vigie::config {

void read_identity(Reader& r, Identity& id);
void read_route_auth(Reader& r, Route& rt);
// Checks that need the whole config: a non-public route needs the identity section, and so on.
void check_identity(Config& c, LoadContext& ctx);  // also derives keep_access_token

}  // namespace vigie::config
