// Microsoft Graph, for the one thing Vigie needs it for: the groups of a user whose token carries
// the "group overage" marker instead of a groups claim (more than 200 groups). Lists
// /me/transitiveMemberOf/microsoft.graph.group with the user's own access token, following
// @odata.nextLink pages only on the Graph origin (the token never goes anywhere else). Worker.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"

namespace vigie::oidc {

enum class GraphError {
  Unavailable,  // Graph could not be reached or timed out
  Refused,      // 401/403: the token lacks GroupMember.Read.All (or User.Read) consent
  Malformed,    // an answer that is not the documented shape, or a nextLink off the Graph origin
  TooMany,      // more pages than Vigie follows (a safety bound)
};

[[nodiscard]] std::string_view describe(GraphError e);

// graph_url: "https://graph.microsoft.com" (no trailing slash).
[[nodiscard]] boost::asio::awaitable<core::Result<std::vector<std::string>, GraphError>> member_groups(
    const std::string& graph_url, const std::string& access_token, boost::asio::ssl::context& tls,
    std::chrono::milliseconds timeout);

// One page: the group ids and the next link (empty when last). For tests and the fuzz target.
struct GraphPage {
  std::vector<std::string> ids;
  std::string next;
};
[[nodiscard]] core::Result<GraphPage, GraphError> parse_graph_page(std::string_view body);

}  // namespace vigie::oidc
