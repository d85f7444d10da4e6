#include "core/url.h"

#include <gtest/gtest.h>

namespace vigie::core {
namespace {

TEST(Url, https_with_default_port_and_path) {
  auto u = parse_url("https://Login.MicrosoftOnline.com/tenant/v2.0");
  ASSERT_TRUE(u);
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "login.microsoftonline.com");
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(u->target, "/tenant/v2.0");
  EXPECT_EQ(u->str(), "https://login.microsoftonline.com/tenant/v2.0");
}

TEST(Url, explicit_port_ipv6_and_query_only) {
  auto u = parse_url("http://[::1]:8080?a=b");
  ASSERT_TRUE(u);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->target, "/?a=b");
  EXPECT_EQ(u->origin(), "http://[::1]:8080");
  EXPECT_EQ(parse_url("http://127.0.0.1")->target, "/");
}

TEST(Url, strict_forms_rejected) {
  for (const char* bad : {"ftp://x/", "//host/", "https://user@host/", "https://host:0/", "https://host:99999/",
                          "https://host/a b", "https://host/#frag", "https://ho st/", "https:///path",
                          "https://host/a\\b", "https://[::1/", "https://host:/", "https://host/\x01"}) {
    EXPECT_FALSE(parse_url(bad)) << bad;
  }
}

TEST(Url, loopback_hosts) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("login.microsoftonline.com"));
}

TEST(Url, encode_decode_round_trip) {
  std::string raw = "/a b?c=d&e=é";
  EXPECT_EQ(url_encode(raw), "%2Fa%20b%3Fc%3Dd%26e%3D%C3%A9");
  EXPECT_EQ(url_decode(url_encode(raw)), raw);
  EXPECT_EQ(url_decode("a+b%2f"), "a b/");
  EXPECT_FALSE(url_decode("%"));
  EXPECT_FALSE(url_decode("%4"));
  EXPECT_FALSE(url_decode("%zz"));
}

TEST(Url, percent_decode_keeps_plus_in_paths) {
  EXPECT_EQ(percent_decode("a+b%2B", false), "a+b+");
  EXPECT_EQ(percent_decode("a+b%2B", true), "a b+");
  EXPECT_FALSE(percent_decode("a%2", false));
}

TEST(Url, query_param_first_occurrence_decoded) {
  EXPECT_EQ(query_param("code=abc&state=x%2By&code=zzz", "code"), "abc");
  EXPECT_EQ(query_param("code=abc&state=x%2By", "state"), "x+y");
  EXPECT_EQ(query_param("flag&x=1", "flag"), "");
  EXPECT_FALSE(query_param("codes=1", "code"));
  EXPECT_FALSE(query_param("code=%G0", "code"));
}

}  // namespace
}  // namespace vigie::core
