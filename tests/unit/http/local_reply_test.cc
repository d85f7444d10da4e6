#include "http/local_reply.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace vigie::http {
namespace {

TEST(LocalReply, statuses_follow_the_rules) {
  EXPECT_EQ(info(Reason::NoRoute).status, 404);
  EXPECT_EQ(info(Reason::UriTooLong).status, 414);
  EXPECT_EQ(info(Reason::HeadersTooLarge).status, 431);
  EXPECT_EQ(info(Reason::BodyTooLarge).status, 413);
  EXPECT_EQ(info(Reason::HeaderTimeout).status, 408);
  EXPECT_EQ(info(Reason::UpstreamConnect).status, 502);
  EXPECT_EQ(info(Reason::UpstreamOverflow).status, 503);
  EXPECT_EQ(info(Reason::UpstreamTimeout).status, 504);
  EXPECT_EQ(info(Reason::UpstreamBadResponse).code, "upstream_bad_response");  // last entry: table is complete
}

TEST(ClientPrefs, browser_and_language_detection) {
  EXPECT_TRUE(client_prefs("text/html,application/xhtml+xml;q=0.9", "").html);
  EXPECT_FALSE(client_prefs("application/json", "fr").html);
  EXPECT_FALSE(client_prefs("", "").html);
  EXPECT_TRUE(client_prefs("", "fr-FR,fr;q=0.9,en;q=0.8").french);
  EXPECT_FALSE(client_prefs("", "en-US,fr;q=0.5").french);
  EXPECT_TRUE(client_prefs("", "en;q=0.3, fr-CA;q=0.7").french);
  EXPECT_FALSE(client_prefs("", "de").french);
}

TEST(Render, json_for_apis_html_for_browsers) {
  auto j = render(Reason::NoRoute, {false, false}, "rid-1", 11, true);
  EXPECT_EQ(j.result_int(), 404);
  EXPECT_EQ(j[boost::beast::http::field::content_type], "application/json");
  auto body = nlohmann::json::parse(j.body());
  EXPECT_EQ(body["error"], "no_route");
  EXPECT_EQ(body["request_id"], "rid-1");
  EXPECT_EQ(j["X-Request-Id"], "rid-1");
  EXPECT_TRUE(j.keep_alive());

  auto h = render(Reason::UpstreamTimeout, {true, true}, "<script>", 11, false);
  EXPECT_EQ(h[boost::beast::http::field::content_language], "fr");
  EXPECT_NE(h.body().find("n'a pas répondu"), std::string::npos);
  EXPECT_NE(h.body().find("&lt;script&gt;"), std::string::npos);  // escaped, never raw
  EXPECT_EQ(h.body().find("<script>"), std::string::npos);
  EXPECT_FALSE(h.keep_alive());
}

}  // namespace
}  // namespace vigie::http
