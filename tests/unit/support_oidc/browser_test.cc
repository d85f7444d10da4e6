// The test browser's cookie jar and URL helpers, without a network: the rules a login-flow test
// relies on when it asserts that Vigie's cookies would (or would not) reach it in Chromium.
#include "support/browser.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/upstream.h"

namespace vigie::testing {
namespace {

const std::string kApp = "http://127.0.0.1:8080/app/page";

TEST(BrowserCookies, host_only_cookie_stays_on_its_host) {
  Browser b;
  ASSERT_TRUE(b.set_cookie(kApp, "sid=1; Path=/"));
  EXPECT_EQ(b.cookie_header("http://127.0.0.1:9999/x"), "sid=1") << "ports do not separate cookies";
  EXPECT_EQ(b.cookie_header("http://localhost:8080/x"), "");
  EXPECT_TRUE(b.cookie("sid")->host_only);
}

TEST(BrowserCookies, domain_for_another_host_is_rejected) {
  Browser b;
  EXPECT_FALSE(b.set_cookie("http://app.example.test/", "x=1; Domain=other.test"));
  EXPECT_TRUE(b.set_cookie("http://app.example.test/", "y=1; Domain=.example.test"));
  EXPECT_EQ(b.cookie_header("http://api.example.test/"), "y=1");
  EXPECT_FALSE(b.set_cookie("http://127.0.0.1/", "z=1; Domain=0.0.1")) << "no domain cookies on IP addresses";
}

TEST(BrowserCookies, default_path_and_path_match) {
  Browser b;
  b.set_cookie(kApp, "a=1");  // default path: /app
  b.set_cookie(kApp, "b=2; Path=/app/page");
  EXPECT_EQ(b.cookie_header("http://127.0.0.1:8080/app/page"), "b=2; a=1") << "longer paths first";
  EXPECT_EQ(b.cookie_header("http://127.0.0.1:8080/app"), "a=1");
  EXPECT_EQ(b.cookie_header("http://127.0.0.1:8080/apple"), "");
  EXPECT_EQ(b.cookie_header("http://127.0.0.1:8080/"), "");
}

TEST(BrowserCookies, max_age_zero_and_past_expires_delete) {
  Browser b;
  b.set_cookie(kApp, "a=1; Path=/");
  b.set_cookie(kApp, "c=3; Path=/");
  b.set_cookie(kApp, "a=; Path=/; Max-Age=0");
  b.set_cookie(kApp, "c=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
  EXPECT_TRUE(b.cookies().empty());
  // A deletion must name the same path: this one misses.
  b.set_cookie(kApp, "d=4; Path=/");
  b.set_cookie(kApp, "d=; Path=/other; Max-Age=0");
  EXPECT_EQ(b.cookie_header(kApp), "d=4");
}

TEST(BrowserCookies, max_age_expires_with_the_clock) {
  Browser b;
  b.set_cookie(kApp, "s=1; Path=/; Max-Age=60; Expires=Thu, 01 Jan 1970 00:00:00 GMT");  // Max-Age wins
  EXPECT_EQ(b.cookie_header(kApp), "s=1");
  b.advance_clock(std::chrono::seconds(61));
  EXPECT_EQ(b.cookie_header(kApp), "");
}

TEST(BrowserCookies, host_and_secure_prefixes) {
  Browser b;
  EXPECT_FALSE(b.set_cookie(kApp, "__Host-s=1; Path=/")) << "__Host- needs Secure";
  EXPECT_FALSE(b.set_cookie(kApp, "__Host-s=1; Secure; Path=/app")) << "__Host- needs Path=/";
  EXPECT_FALSE(b.set_cookie("http://a.example.test/", "__Host-s=1; Secure; Path=/; Domain=example.test"));
  EXPECT_TRUE(b.set_cookie(kApp, "__Host-s=1; Secure; Path=/; HttpOnly; SameSite=Lax"));
  EXPECT_FALSE(b.set_cookie(kApp, "__Secure-t=1; Path=/")) << "__Secure- needs Secure";
  EXPECT_TRUE(b.set_cookie(kApp, "__Secure-t=1; Secure; Path=/"));
  auto host = b.cookie("__Host-s");
  ASSERT_TRUE(host.has_value());
  EXPECT_TRUE(host->http_only);
  EXPECT_EQ(host->same_site, "Lax");
}

TEST(BrowserCookies, secure_cookies_need_a_secure_context_but_loopback_is_one) {
  Browser b;
  EXPECT_TRUE(b.set_cookie("http://127.0.0.1:8080/", "s=1; Secure; Path=/"));
  EXPECT_TRUE(b.set_cookie("http://localhost:8080/", "s=2; Secure; Path=/"));
  EXPECT_FALSE(b.set_cookie("http://app.example.test/", "s=3; Secure; Path=/"));
  EXPECT_TRUE(b.set_cookie("https://app.example.test/", "s=4; Secure; Path=/"));
  EXPECT_EQ(b.cookie_header("http://app.example.test/"), "")
      << "Secure cookie over plain HTTP to a non-loopback host";
  EXPECT_EQ(b.cookie_header("https://app.example.test/"), "s=4");
  EXPECT_EQ(b.cookie_header("http://127.0.0.1:1/"), "s=1");
}

TEST(BrowserCookies, same_site_none_requires_secure) {
  Browser b;
  EXPECT_FALSE(b.set_cookie(kApp, "n=1; SameSite=None"));
  EXPECT_TRUE(b.set_cookie(kApp, "n=1; SameSite=None; Secure"));
}

TEST(BrowserCookies, replacing_keeps_one_cookie) {
  Browser b;
  b.set_cookie(kApp, "a=1; Path=/");
  b.set_cookie(kApp, "a=2; Path=/");
  ASSERT_EQ(b.cookies().size(), 1u);
  EXPECT_EQ(b.cookie("a")->value, "2");
}

TEST(BrowserRequests, sends_cookies_and_navigation_accept) {
  RecordingUpstream app;
  const std::string url = "http://127.0.0.1:" + std::to_string(app.port()) + "/page";
  Browser b;
  b.set_cookie(url, "sid=1; Path=/");
  Response r = b.get(url, {{"X-Test", "yes"}});
  ASSERT_EQ(r.result_int(), 200u);
  auto seen = app.requests().back();
  EXPECT_EQ(seen.header("cookie"), "sid=1");
  EXPECT_TRUE(seen.header("accept").value_or("").starts_with("text/html"));
  EXPECT_EQ(seen.header("host"), "127.0.0.1:" + std::to_string(app.port()));
  EXPECT_EQ(seen.header("x-test"), "yes");
  ASSERT_EQ(b.chain().size(), 1u);
  EXPECT_EQ(b.chain()[0].status, 200u);
}

TEST(BrowserRequests, silent_server_times_out_instead_of_hanging) {
  RecordingUpstream app;
  Browser b("", std::chrono::milliseconds(300));
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(b.get("http://127.0.0.1:" + std::to_string(app.port()) + "/hold"), std::runtime_error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  app.release_holds();
}

TEST(BrowserUrls, resolve_and_query) {
  EXPECT_EQ(resolve_url("http://h:1/a/b?x", "/c"), "http://h:1/c");
  EXPECT_EQ(resolve_url("http://h:1/a/b?x", "c?d=1"), "http://h:1/a/c?d=1");
  EXPECT_EQ(resolve_url("http://h:1/a/b", "https://o:2/z"), "https://o:2/z");
  EXPECT_EQ(resolve_url("https://h/a", "//o/z"), "https://o/z");
  EXPECT_EQ(resolve_url("http://h/a/b", "?q=1"), "http://h/a/b?q=1");
  EXPECT_EQ(query_param("http://h/cb?code=a%2Bb&state=x+y", "code"), "a+b");
  EXPECT_EQ(query_param("http://h/cb?code=a%2Bb&state=x+y", "state"), "x y");
  EXPECT_FALSE(query_param("http://h/cb?code=1", "state").has_value());
  EXPECT_EQ(form_encode({{"a b", "c&d"}}), "a%20b=c%26d");
  Url u = parse_url("http://[::1]:8080/p?q");
  EXPECT_EQ(u.host, "::1");
  EXPECT_EQ(u.port, 8080);
  EXPECT_EQ(u.target, "/p?q");
  EXPECT_EQ(parse_url("https://h").target, "/");
  EXPECT_THROW(parse_url("ftp://h/"), std::invalid_argument);
}

}  // namespace
}  // namespace vigie::testing
