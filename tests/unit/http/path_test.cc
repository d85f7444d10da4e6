#include "http/path.h"

#include <gtest/gtest.h>

namespace vigie::http {
namespace {

struct Case {
  const char* target;
  const char* path;  // nullptr: refused
  const char* query;
};

TEST(NormaliseTarget, table) {
  const Case cases[] = {
      {"/", "/", ""},
      {"/a/b?x=1&y=%20", "/a/b", "x=1&y=%20"},
      {"/a//b///c", "/a/b/c", ""},
      {"/a/./b/../c", "/a/c", ""},
      {"/a/b/..", "/a/", ""},
      {"/a/b/.", "/a/b/", ""},
      {"/a/%2e%2E/b", "/b", ""},
      {"/%7euser/%41", "/~user/A", ""},
      {"/a%3ab", "/a%3Ab", ""},
      {"/a%3Bb", "/a%3Bb", ""},
      {"/a;jsessionid=1/b", "/a;jsessionid=1/b", ""},
      {"/caf\xc3\xa9", "/caf%C3%A9", ""},
      {"/..", nullptr, ""},
      {"/a/../..", nullptr, ""},
      {"/a/%2E%2E/%2e%2e/x", nullptr, ""},
      {"/a/..;/b", nullptr, ""},
      {"/a/.;x/b", nullptr, ""},
      {"/a%00", nullptr, ""},
      {"/a%2", nullptr, ""},
      {"/a%g0", nullptr, ""},
      {"/a\\b", nullptr, ""},
      {"/a#frag", nullptr, ""},
      {"/a?b#frag", nullptr, ""},
      {"*", nullptr, ""},
      {"http://host/a", nullptr, ""},
      {"", nullptr, ""},
  };
  for (const auto& c : cases) {
    auto t = normalise_target(c.target);
    if (!c.path) {
      EXPECT_FALSE(t) << c.target << " gave " << (t ? t->path : "");
      continue;
    }
    ASSERT_TRUE(t) << c.target;
    EXPECT_EQ(t->path, c.path) << c.target;
    EXPECT_EQ(t->query, c.query) << c.target;
  }
}

TEST(NormaliseTarget, errors_name_the_problem) {
  EXPECT_EQ(normalise_target("x").error(), PathError::NotOriginForm);
  EXPECT_EQ(normalise_target("/%zz").error(), PathError::BadEscape);
  EXPECT_EQ(normalise_target("/a\\b").error(), PathError::BadCharacter);
  EXPECT_EQ(normalise_target("/../a").error(), PathError::EscapesRoot);
  EXPECT_EQ(normalise_target("/x/..;/a").error(), PathError::HiddenDotSegment);
  EXPECT_EQ(normalise_target("/api%2Fadmin/settings").error(), PathError::EncodedSlash);
  EXPECT_EQ(normalise_target("/-%2freload").error(), PathError::EncodedSlash);
  EXPECT_EQ(normalise_target("/a%5Cb").error(), PathError::EncodedSlash);
  EXPECT_TRUE(normalise_target("/a?next=%2Fb"));  // the query is not the path
}

}  // namespace
}  // namespace vigie::http
