#include "http/pipeline.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include "http/request_context.h"

namespace vigie::http {
namespace {

TEST(Pipeline, standard_pipeline_has_the_authentication_gate) {
  Pipeline p = Pipeline::standard();
  EXPECT_TRUE(p.has(Pipeline::Step::Authenticate));
}

TEST(Pipeline, public_route_continues) {
  Pipeline p = Pipeline::standard();
  upstream::RequestParser parser;
  ConnectionInfo conn;
  RequestContext ctx{nullptr, parser, conn, {}};
  config::Route cfg;
  cfg.auth = config::AuthMode::Public;
  router::Route route;
  route.cfg = &cfg;
  ctx.route = &route;
  boost::asio::io_context io;
  auto f = boost::asio::co_spawn(io, p.run(ctx), boost::asio::use_future);
  io.run();
  EXPECT_TRUE(std::holds_alternative<Continue>(f.get()));
}

}  // namespace
}  // namespace vigie::http
