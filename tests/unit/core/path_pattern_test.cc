// core::PathPattern: which normalised paths each glob matches, and which patterns are refused at
// load with which message.
#include "core/path_pattern.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vigie::core {
namespace {

struct MatchCase {
  const char* name;
  const char* pattern;
  const char* path;
  bool matches;
};

TEST(PathPattern, match_table) {
  for (const auto& c : std::vector<MatchCase>{
           // Literal segments compare whole.
           {"literal_equal", "/openmrs/login.htm", "/openmrs/login.htm", true},
           {"literal_prefix_is_not_a_match", "/openmrs", "/openmrs/login.htm", false},
           {"literal_longer_segment_is_not_a_match", "/api", "/apis", false},
           {"literal_shorter_segment_is_not_a_match", "/apis", "/api", false},
           {"path_without_leading_slash_never_matches", "/a", "a", false},
           {"empty_path_never_matches", "/", "", false},
           // Root.
           {"root_matches_root", "/", "/", true},
           {"root_is_not_any_path", "/", "/a", false},
           {"root_any_depth_matches_root", "/**", "/", true},
           {"root_any_depth_matches_everything", "/**", "/a/b/c", true},
           // '*' within one segment.
           {"star_whole_segment", "/api/*/status", "/api/v1/status", true},
           {"star_does_not_cross_a_slash", "/api/*/status", "/api/v1/x/status", false},
           {"star_needs_a_segment", "/api/*/status", "/api/status", false},
           {"star_last_segment", "/a/*", "/a/b", true},
           {"star_never_matches_empty_trailing_segment", "/a/*", "/a/", false},
           {"star_stops_at_the_segment_end", "/a/*", "/a/b/c", false},
           {"star_does_not_take_a_trailing_slash", "/a/*", "/a/b/", false},
           {"star_suffix", "/files/*.json", "/files/report.json", true},
           {"star_may_match_nothing_inside_a_named_segment", "/files/*.json", "/files/.json", true},
           {"star_suffix_other_extension", "/files/*.json", "/files/report.jsonp", false},
           {"star_suffix_deeper_path", "/files/*.json", "/files/a/report.json", false},
           {"star_prefix", "/v*/x", "/v2/x", true},
           {"star_prefix_mismatch", "/v*/x", "/w2/x", false},
           {"star_middle", "/a*z", "/abcz", true},
           {"star_middle_backtracks", "/a*b*c", "/aXbYbZc", true},
           {"star_middle_mismatch", "/a*b*c", "/aXbYc_", false},
           {"two_stars_in_a_segment", "/*-*", "/x-y", true},
           // '**' at the end: zero or more segments.
           {"any_depth_end_zero_segments", "/a/**", "/a", true},
           {"any_depth_end_trailing_slash", "/a/**", "/a/", true},
           {"any_depth_end_one_segment", "/a/**", "/a/b", true},
           {"any_depth_end_many_segments", "/a/**", "/a/b/c/d", true},
           {"any_depth_end_is_not_a_segment_prefix", "/a/**", "/ab", false},
           {"any_depth_end_is_not_a_segment_prefix_deeper", "/a/**", "/ab/c", false},
           // '**' in the middle.
           {"any_depth_middle_zero_segments", "/a/**/b", "/a/b", true},
           {"any_depth_middle_one_segment", "/a/**/b", "/a/x/b", true},
           {"any_depth_middle_many_segments", "/a/**/b", "/a/x/y/z/b", true},
           {"any_depth_middle_last_must_match", "/a/**/b", "/a/x/y/c", false},
           {"any_depth_middle_nothing_after", "/a/**/b", "/a", false},
           {"any_depth_middle_trailing_slash", "/a/**/b", "/a/", false},
           {"any_depth_middle_b_not_last", "/a/**/b", "/a/b/c", false},
           {"any_depth_middle_then_star", "/a/**/*.json", "/a/x/y/z.json", true},
           {"any_depth_middle_then_star_zero", "/a/**/*.json", "/a/z.json", true},
           {"any_depth_twice", "/a/**/b/**/c", "/a/1/b/2/3/c", true},
           {"any_depth_twice_zero_each", "/a/**/b/**/c", "/a/b/c", true},
           {"any_depth_twice_missing_b", "/a/**/b/**/c", "/a/1/2/c", false},
           {"any_depth_then_trailing_any_depth", "/a/**/b/**", "/a/b", true},
           // '**' at the start.
           {"any_depth_start_zero_segments", "/**/b", "/b", true},
           {"any_depth_start_many_segments", "/**/b", "/x/y/b", true},
           {"any_depth_start_last_must_match", "/**/b", "/x/y/c", false},
           {"any_depth_start_root", "/**/b", "/", false},
           {"any_depth_then_trailing_slash_matches_directories", "/**/", "/a/", true},
           {"any_depth_then_trailing_slash_root", "/**/", "/", true},
           {"any_depth_then_trailing_slash_not_a_file", "/**/", "/a", false},
           // {a,b} alternatives.
           {"alternative_first", "/v1/{patient,person}/*", "/v1/patient/1", true},
           {"alternative_second", "/v1/{patient,person}/*", "/v1/person/1", true},
           {"alternative_none", "/v1/{patient,person}/*", "/v1/encounter/1", false},
           {"alternative_is_whole_segment", "/v1/{patient,person}/*", "/v1/patients/1", false},
           {"alternative_single", "/{a}", "/a", true},
           {"alternative_with_glob", "/{*.json,*.xml}", "/data.xml", true},
           {"alternative_with_glob_none", "/{*.json,*.xml}", "/data.csv", false},
           {"alternative_with_glob_prefix", "/{v*,api}/x", "/v3/x", true},
           {"alternative_last_segment_then_nothing", "/{a,b}", "/b/c", false},
           // ;params are ignored in path segments (Tomcat drops them).
           {"params_in_middle_segment", "/patient/*", "/patient;jsessionid=x/1", true},
           {"params_in_last_segment", "/patient/*", "/patient/1;v=2", true},
           {"params_in_literal_last_segment", "/a/b", "/a/b;x", true},
           {"params_before_any_depth", "/openmrs/ws/rest/v1/patient/**",
            "/openmrs/ws/rest/v1/patient;x=1/abc", true},
           {"params_do_not_make_a_name", "/patient/*", "/patient/;x", false},
           {"params_do_not_hide_a_different_name", "/patient/*", "/patients;x/1", false},
           {"params_ignored_for_glob_suffix", "/*.json", "/a.json;v=1", true},
           {"params_ignored_in_alternatives", "/{a,b}/c", "/b;x/c", true},
           // Trailing slash is significant.
           {"no_trailing_slash_in_pattern_refuses_one_in_path", "/a", "/a/", false},
           {"trailing_slash_in_pattern_refuses_none_in_path", "/a/", "/a", false},
           {"trailing_slash_both", "/a/", "/a/", true},
           {"star_then_trailing_slash", "/a/*/", "/a/b/", true},
           {"star_then_trailing_slash_needs_the_slash", "/a/*/", "/a/b", false},
           // Case-sensitive.
           {"case_sensitive_literal", "/Patient", "/patient", false},
           {"case_sensitive_glob", "/*.JSON", "/a.json", false},
           {"case_sensitive_alternative", "/{Patient,person}", "/patient", false},
           // Dots are ordinary characters inside a name.
           {"dots_inside_a_name", "/.well-known/*", "/.well-known/openid-configuration", true},
           {"star_matches_dotted_name", "/*", "/...", true},
       }) {
    auto p = PathPattern::compile(c.pattern);
    ASSERT_TRUE(p) << c.name << ": " << p.error();
    EXPECT_EQ(p->matches(c.path), c.matches) << c.name << ": " << c.pattern << " vs " << c.path;
  }
}

TEST(PathPattern, text_is_kept_as_written) {
  auto p = PathPattern::compile("/v1/{patient,person}/**");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->text(), "/v1/{patient,person}/**");
}

struct InvalidCase {
  const char* name;
  const char* pattern;
  const char* error;  // a fragment of the message
};

TEST(PathPattern, invalid_patterns_are_refused_with_a_reason) {
  for (const auto& c : std::vector<InvalidCase>{
           {"no_leading_slash", "api/*", "must start with '/'"},
           {"empty_pattern", "", "must start with '/'"},
           {"double_star_inside_a_segment", "/a**", "'**' must be a whole segment"},
           {"double_star_suffix_of_segment", "/a/**b", "'**' must be a whole segment"},
           {"triple_star", "/a/***", "'**' must be a whole segment"},
           {"double_star_inside_alternative", "/{**,a}", "'**' must be a whole segment"},
           {"unclosed_alternative", "/{a,b", "'{' needs a closing '}' ending the segment"},
           {"alternative_not_ending_the_segment", "/{a,b}x", "'{' needs a closing '}' ending the segment"},
           {"empty_braces", "/{}", "'{' needs a closing '}'"},
           {"empty_alternative_in_middle", "/{a,,b}", "empty alternative in '{...}'"},
           {"empty_alternative_at_end", "/{a,}", "empty alternative in '{...}'"},
           {"empty_alternative_at_start", "/{,a}", "empty alternative in '{...}'"},
           {"alternative_not_starting_the_segment", "/x{a,b}", "'{a,b}' must be a whole segment"},
           {"nested_alternatives", "/{a,{b,c}}", "'{a,b}' must be a whole segment"},
           {"stray_closing_brace", "/a}", "'{a,b}' must be a whole segment"},
           {"percent_encoding", "/a%2Fb", "patterns match decoded paths"},
           {"semicolon", "/a;jsessionid=1", "patterns match decoded paths"},
           {"question_mark", "/a?b", "patterns match decoded paths"},
           {"hash", "/a#b", "patterns match decoded paths"},
           {"backslash", "/a\\b", "patterns match decoded paths"},
           {"percent_in_a_later_segment", "/ok/**/a%20b", "patterns match decoded paths"},
           // Patterns that could never match a normalised path: in a deny rule they would deny nothing.
           {"empty_segment_in_middle", "/admin//**", "an empty segment ('//') never matches"},
           {"empty_first_segment", "//admin", "an empty segment ('//') never matches"},
           {"dot_segment", "/a/./b", "'.' or '..' never matches a normalised path"},
           {"dot_dot_segment", "/admin/../**", "'.' or '..' never matches a normalised path"},
           {"dot_dot_alternative", "/{a,..}", "'.' or '..' never matches a normalised path"},
           {"space", "/a b", "only printable ASCII"},
           {"control_byte", "/a\tb", "only printable ASCII"},
           {"raw_utf8", "/caf\xc3\xa9", "only printable ASCII"},
       }) {
    auto p = PathPattern::compile(c.pattern);
    ASSERT_FALSE(p) << c.name;
    EXPECT_NE(p.error().find(c.error), std::string::npos) << c.name << ": " << p.error();
  }
}

}  // namespace
}  // namespace vigie::core
