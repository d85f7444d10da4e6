// Path patterns for policy rules and audit markers: "/openmrs/ws/rest/v1/patient/**". Compiled once
// at load; matching is a segment walk with no allocation, safe from any thread.
//   *        any run of characters inside one segment ("/api/*/status", "*.json")
//   **       a whole segment only: any number of segments, none included ("/a/**" matches "/a")
//   {x,y}    alternatives inside one segment ("/v1/{patient,person}/*")
// A path's segments are compared without their ";parameters" (Tomcat, behind OpenMRS, ignores
// them, so "/patient;x/1" must not slip past a rule about "/patient/*"). Case-sensitive.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vigie::core {

class PathPattern {
 public:
  // The error says what is wrong: "must start with '/'", "'**' must be a whole segment"...
  [[nodiscard]] static Result<PathPattern, std::string> compile(std::string_view text);

  // `path`: normalised (no empty or dot segments except a trailing '/'), without query.
  [[nodiscard]] bool matches(std::string_view path) const;
  [[nodiscard]] const std::string& text() const { return text_; }

 private:
  struct Segment {
    bool any_depth = false;             // "**"
    std::vector<std::string> globs;     // alternatives, each may hold '*'
  };
  [[nodiscard]] bool match_from(size_t seg, std::string_view rest) const;

  std::string text_;
  std::vector<Segment> segments_;
};

}  // namespace vigie::core
