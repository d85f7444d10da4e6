// Reads the `authorization` section of the config and the policy files it names (YAML, relative to
// the config file), into config::Authorization. Every problem is reported with its own file, line
// and key, like the config's. Config-load only (main thread).
#pragma once

#include <string>

#include "config/config.h"
#include "config/reader.h"

namespace vigie::config {

void read_authorization(Reader& r, Config& c);
// Without an authorization section: only the built-in `authenticated` policy exists.
void add_builtin_policies(Authorization& a);
// Routes: a non-public route names an existing policy; a public one names none.
void check_policies(Config& c, LoadContext& ctx);

// Parses one policy file's text into `a` (groups merged, policies appended), as if read from
// `file`. For `vigie policy test`, fuzzing and tests; read_authorization uses it too.
void load_policy_text(const std::string& text, const std::string& file, Authorization& a, Errors& errors);
// After every file is read: resolves group aliases in every rule, reporting unknown ones.
void resolve_groups(Authorization& a, Errors& errors);

}  // namespace vigie::config
