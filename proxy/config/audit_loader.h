// Reads the `audit:` section and checks that patient data is never served without a trail.
// Internal to config::load (loader.cc); config-load only.
#pragma once

#include "config/config.h"
#include "config/reader.h"

namespace vigie::config {

void read_audit(Reader& r, Audit& a);
// A route or policy that marks patient data needs the audit section (default deny applied to
// auditing: a config cannot serve patient data unrecorded).
void check_audit(const Config& c, LoadContext& ctx);

}  // namespace vigie::config
