// Normalises a request path before routing, so the path that is routed, authorised and audited is
// the very path the upstream receives: percent-decodes unreserved characters, upper-cases other
// escapes, merges slashes, resolves dot segments and refuses paths that climb above the root or
// hide dot segments behind path parameters ("..;/", a Tomcat bypass). Pure; any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace vigie::http {

enum class PathError {
  NotOriginForm,  // does not start with '/'
  BadEscape,      // '%' not followed by two hex digits, or an encoded NUL
  BadCharacter,   // backslash, '#', control byte or space
  EscapesRoot,    // ".." above "/"
  HiddenDotSegment,  // "..;x" or ".;x": dot segments disguised by path parameters
  EncodedSlash,   // "%2F" or "%5C": one segment to Vigie, a separator to many upstreams
};

struct Target {
  std::string path;        // normalised
  std::string_view query;  // raw, without '?', a view into the original target
};

[[nodiscard]] core::Result<Target, PathError> normalise_target(std::string_view target);

}  // namespace vigie::http
