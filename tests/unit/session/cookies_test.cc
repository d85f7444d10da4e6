#include "session/cookies.h"

#include <gtest/gtest.h>

namespace vigie::session {
namespace {

TEST(Cookies, prefixes) {
  EXPECT_EQ(prefixed_name("vigie", true, false), "__Host-vigie");
  EXPECT_EQ(prefixed_name("vigie", true, true), "__Secure-vigie");
  EXPECT_EQ(prefixed_name("vigie", false, false), "vigie");
}

TEST(Cookies, find_exact_name_first_occurrence) {
  std::string h = "a=1; __Host-vigie_x=2;__Host-vigie=abc ; __Host-vigie=second";
  EXPECT_EQ(find_cookie(h, "__Host-vigie"), "abc");
  EXPECT_EQ(find_cookie(h, "a"), "1");
  EXPECT_FALSE(find_cookie(h, "vigie"));
  EXPECT_FALSE(find_cookie("", "a"));
}

TEST(Cookies, large_value_round_trips_through_chunks) {
  CookieSpec spec{"__Host-vigie", "", true, "Lax"};
  std::string value(9000, 'x');
  value[4000] = 'y';
  auto lines = set_cookie_lines(spec, value, std::chrono::seconds(3600));
  ASSERT_EQ(lines.size(), 3u);
  std::string header;
  for (const auto& l : lines) {
    EXPECT_LE(l.size(), kMaxChunkBytes + 200);
    EXPECT_NE(l.find("; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax"), std::string::npos) << l;
    EXPECT_EQ(l.find("Domain"), std::string::npos);
    if (!header.empty()) header += "; ";
    header += l.substr(0, l.find(';'));
  }
  EXPECT_EQ(read_chunked(header, "__Host-vigie"), value);
  EXPECT_EQ(chunk_count(header, "__Host-vigie"), 3u);
}

TEST(Cookies, chunks_in_any_order_first_of_each_name_up_to_the_first_gap) {
  std::string h = "v_1=B; other=x; v=A; v_2=C; v_1=late; v_4=after-gap";
  EXPECT_EQ(read_chunked(h, "v"), "ABC");
  EXPECT_EQ(chunk_count(h, "v"), 3u);
  // Not chunks: other names sharing the prefix, a leading zero, a sign, more than two digits.
  std::string odd = "v=A; v_01=x; v_+1=x; v_x=x; vv_1=x; v_=x; v_100=x";
  EXPECT_EQ(read_chunked(odd, "v"), "A");
  EXPECT_EQ(chunk_count(odd, "v"), 1u);
  EXPECT_FALSE(read_chunked("v_1=B", "v"));
  EXPECT_EQ(chunk_count("v_1=B", "v"), 0u);
}

TEST(Cookies, shrinking_value_deletes_stale_chunks) {
  CookieSpec spec{"vigie", "example.org", false, "Lax"};
  auto lines = set_cookie_lines(spec, "small", std::chrono::seconds(60), 3);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[0].starts_with("vigie=small; Path=/; Max-Age=60; Domain=example.org; HttpOnly"));
  EXPECT_TRUE(lines[1].starts_with("vigie_1=; Path=/; Max-Age=0"));
  EXPECT_TRUE(lines[2].starts_with("vigie_2=; Path=/; Max-Age=0"));
  EXPECT_EQ(clear_cookie_lines(spec, 0).size(), 1u);
}

TEST(Cookies, strip_removes_vigie_cookies_only) {
  std::string h = "JSESSIONID=abc; __Host-vigie=v1.x; __Host-vigie_1=y; vigie_login_ab=z; grafana_session=q";
  EXPECT_EQ(strip_cookies(h, {"__Host-vigie", "vigie_login"}), "JSESSIONID=abc; grafana_session=q");
  EXPECT_EQ(strip_cookies("__Host-vigie=1", {"__Host-vigie"}), "");
}

}  // namespace
}  // namespace vigie::session
