#include "oidc/graph.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "net/tls.h"
#include "unit/oidc/json_server.h"

namespace vigie::oidc {
namespace {

namespace asio = boost::asio;

core::Result<std::vector<std::string>, GraphError> groups(const std::string& graph_url) {
  auto tls = net::make_client_context("");
  std::optional<core::Result<std::vector<std::string>, GraphError>> out;
  asio::io_context io;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    out = co_await member_groups(graph_url, "user-token", *tls, std::chrono::seconds(2));
  }, asio::detached);
  io.run();
  return std::move(*out);
}

const std::string kFirst = "/v1.0/me/transitiveMemberOf/microsoft.graph.group?$select=id&$top=999";

TEST(GraphPage, groups_only_and_next_link) {
  auto p = parse_graph_page(R"({"value":[{"@odata.type":"#microsoft.graph.group","id":"g1"},
    {"@odata.type":"#microsoft.graph.directoryRole","id":"r1"},{"id":"g2"}],"@odata.nextLink":"https://graph/next"})");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->ids, (std::vector<std::string>{"g1", "g2"}));
  EXPECT_EQ(p->next, "https://graph/next");
  for (const char* bad : {"[]", R"({"value":{}})", R"({"value":[{"id":5}]})", R"({"value":[],"@odata.nextLink":1})", "x"}) {
    EXPECT_EQ(parse_graph_page(bad).error(), GraphError::Malformed) << bad;
  }
}

TEST(Graph, pages_are_followed) {
  testing::JsonServer graph;
  graph.set(kFirst, 200, R"({"value":[{"id":"g1"}],"@odata.nextLink":")" + graph.url("/page2") + R"("})");
  graph.set("/page2", 200, R"({"value":[{"id":"g2"}]})");
  auto g = groups(graph.url(""));
  ASSERT_TRUE(g);
  EXPECT_EQ(*g, (std::vector<std::string>{"g1", "g2"}));
}

TEST(Graph, next_link_to_another_origin_is_not_followed) {
  testing::JsonServer graph, elsewhere;
  graph.set(kFirst, 200, R"({"value":[{"id":"g1"}],"@odata.nextLink":")" + elsewhere.url("/steal") + R"("})");
  auto g = groups(graph.url(""));
  ASSERT_FALSE(g);
  EXPECT_EQ(g.error(), GraphError::Malformed);
  EXPECT_EQ(elsewhere.hits("/steal"), 0);  // the user's token never left for it
}

TEST(Graph, refused_and_unavailable) {
  testing::JsonServer graph;
  graph.set(kFirst, 403, R"({"error":{"code":"Authorization_RequestDenied"}})");
  EXPECT_EQ(groups(graph.url("")).error(), GraphError::Refused);
  graph.set(kFirst, 503, "");
  EXPECT_EQ(groups(graph.url("")).error(), GraphError::Unavailable);
}

}  // namespace
}  // namespace vigie::oidc
