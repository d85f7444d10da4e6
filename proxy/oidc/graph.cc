#include "oidc/graph.h"

#include <nlohmann/json.hpp>

#include "core/url.h"
#include "net/http_client.h"

namespace vigie::oidc {
namespace asio = boost::asio;
namespace {

constexpr int kMaxPages = 50;  // 50 x 999 groups: far beyond any real membership

}  // namespace

std::string_view describe(GraphError e) {
  switch (e) {
    case GraphError::Unavailable: return "graph_unavailable";
    case GraphError::Refused: return "graph_refused";
    case GraphError::Malformed: return "graph_malformed";
    case GraphError::TooMany: return "graph_too_many_pages";
  }
  return "graph_error";
}

core::Result<GraphPage, GraphError> parse_graph_page(std::string_view body) {
  auto j = nlohmann::json::parse(body, nullptr, false);
  if (!j.is_object()) return core::fail(GraphError::Malformed);
  auto value = j.find("value");
  if (value == j.end() || !value->is_array()) return core::fail(GraphError::Malformed);
  GraphPage page;
  for (const auto& item : *value) {
    if (!item.is_object()) return core::fail(GraphError::Malformed);
    auto type = item.find("@odata.type");
    // transitiveMemberOf lists directory roles and administrative units too; only groups count.
    if (type != item.end() && (!type->is_string() || type->get<std::string>() != "#microsoft.graph.group")) continue;
    auto id = item.find("id");
    if (id == item.end() || !id->is_string()) return core::fail(GraphError::Malformed);
    page.ids.push_back(id->get<std::string>());
  }
  if (auto next = j.find("@odata.nextLink"); next != j.end()) {
    if (!next->is_string()) return core::fail(GraphError::Malformed);
    page.next = next->get<std::string>();
  }
  return page;
}

asio::awaitable<core::Result<std::vector<std::string>, GraphError>> member_groups(const std::string& graph_url,
                                                                                  const std::string& access_token,
                                                                                  asio::ssl::context& tls,
                                                                                  std::chrono::milliseconds timeout) {
  auto origin = core::parse_url(graph_url);
  if (!origin) co_return core::fail(GraphError::Malformed);
  std::string url = graph_url + "/v1.0/me/transitiveMemberOf/microsoft.graph.group?$select=id&$top=999";
  std::vector<std::string> groups;
  for (int page = 0; page < kMaxPages; ++page) {
    auto parsed = core::parse_url(url);
    // The user's token goes to the Graph origin only, whatever a nextLink says.
    if (!parsed || parsed->origin() != origin->origin()) co_return core::fail(GraphError::Malformed);
    net::OutboundRequest req;
    req.url = *parsed;
    req.headers.emplace_back("Authorization", "Bearer " + access_token);
    auto res = co_await net::fetch(req, tls, timeout, 4 << 20);
    if (!res) co_return core::fail(GraphError::Unavailable);
    if (res->status == 401 || res->status == 403) co_return core::fail(GraphError::Refused);
    if (res->status != 200) co_return core::fail(GraphError::Unavailable);
    auto p = parse_graph_page(res->body);
    if (!p) co_return core::fail(p.error());
    groups.insert(groups.end(), p->ids.begin(), p->ids.end());
    if (p->next.empty()) co_return groups;
    url = std::move(p->next);
  }
  co_return core::fail(GraphError::TooMany);
}

}  // namespace vigie::oidc
