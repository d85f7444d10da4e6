// Reload and drain: a new config reaches every worker while requests keep flowing with zero
// failures, an invalid config is refused and the old one keeps serving, SIGTERM drains in-flight
// requests and exits 0. Also `vigie check`.
#include <signal.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "integration/harness.h"

namespace vigie::testing {
namespace {

std::string two_cluster_config(uint16_t a, uint16_t b, const std::string& target_cluster) {
  ConfigOptions o;
  o.upstream_port = a;
  o.cluster_extra = "  - name: other\n    endpoints: [\"http://127.0.0.1:" + std::to_string(b) + "\"]\n";
  o.routes = "  - id: all\n    path: {prefix: /}\n    cluster: " + target_cluster + "\n    auth: public\n";
  return make_config(o);
}

TEST(Reload, new_config_reaches_all_workers_under_load_with_zero_failed_requests) {
  RecordingUpstream a, b;
  VigieProcess vigie(two_cluster_config(a.port(), b.port(), "app"));
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, failed{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&] {
      while (!stop) {
        try {
          RawClient c(vigie.port());
          for (int i = 0; i < 50 && !stop; ++i) {
            c.send("GET /load HTTP/1.1\r\nHost: app.test\r\n\r\n");
            auto r = c.read_response();
            (r && r->result_int() == 200) ? ++ok : ++failed;
          }
        } catch (...) {
          ++failed;
        }
      }
    });
  }
  const std::string targets[] = {"other", "app"};
  for (int round = 0; round < 6; ++round) {
    RecordingUpstream& next = round % 2 == 0 ? b : a;
    size_t seen = next.count();
    vigie.rewrite_config(two_cluster_config(a.port(), b.port(), targets[round % 2]));
    vigie.signal(SIGHUP);
    // The switch is visible when the newly targeted upstream starts receiving the load.
    ASSERT_TRUE(next.wait_for(seen + 50)) << "round " << round;
  }
  stop = true;
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_GT(ok.load(), 300);
  EXPECT_EQ(vigie.metric("vigie_config_reloads_total{result=\"success\"}"), 6.0);
}

TEST(Reload, invalid_config_is_rejected_and_the_old_one_keeps_serving) {
  RecordingUpstream a, b;
  VigieProcess vigie(two_cluster_config(a.port(), b.port(), "app"));
  vigie.rewrite_config("routes:\n  - id: broken\n    path: {prefix: /}\n    cluster: app\n");  // no auth, no listeners
  vigie.signal(SIGHUP);
  EXPECT_EQ(vigie.wait_metric("vigie_config_reloads_total{result=\"failure\"}", 1.0), 1.0);
  auto r = http_request(vigie.port(), "GET", "/still");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(a.count(), 1u);
}

TEST(Drain, sigterm_finishes_in_flight_requests_refuses_new_ones_and_exits_zero) {
  RecordingUpstream upstream;
  ConfigOptions o;
  o.upstream_port = upstream.port();
  VigieProcess vigie(make_config(o));
  EXPECT_EQ(http_request(vigie.admin_port(), "GET", "/readyz")->result_int(), 200);
  RawClient idle(vigie.port());
  idle.send("GET /warm HTTP/1.1\r\nHost: app.test\r\n\r\n");
  ASSERT_TRUE(idle.read_response());  // now an idle keep-alive connection
  RawClient busy(vigie.port());
  busy.send("GET /hold HTTP/1.1\r\nHost: app.test\r\n\r\n");
  ASSERT_TRUE(upstream.wait_for_holds(1));

  vigie.signal(SIGTERM);
  EXPECT_TRUE(idle.closed_by_peer());  // idle connections are closed at once
  EXPECT_EQ(http_request(vigie.admin_port(), "GET", "/readyz")->result_int(), 503);
  // Each worker closes its own acceptor when it handles the drain: wait for all of them.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool refused = connection_refused(vigie.port());
  while (!refused && std::chrono::steady_clock::now() < deadline) refused = connection_refused(vigie.port());
  EXPECT_TRUE(refused);
  upstream.release_holds();
  auto r = busy.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200);
  EXPECT_EQ(std::string((*r)[boost::beast::http::field::connection]), "close");
  EXPECT_EQ(vigie.wait_exit(std::chrono::seconds(20)), 0);
}

TEST(Check, reports_every_error_with_file_line_and_key) {
  std::string dir = make_temp_dir();
  std::string path = dir + "/bad.yaml";
  std::ofstream(path) << "listeners:\n"
                         "  - name: http\n"
                         "    port: 99999\n"
                         "clusters:\n"
                         "  - name: app\n"
                         "    endpoints: [\"ftp://x\"]\n"
                         "routes:\n"
                         "  - id: r\n"
                         "    path: {prefix: /}\n"
                         "    cluster: nope\n"
                         "    timeout: 5s\n";
  std::string out;
  int rc = run_command(std::string(VIGIE_BINARY) + " check --config " + path, &out);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(out.find(path + ":3: listeners[0].port: expected a whole number"), std::string::npos) << out;
  EXPECT_NE(out.find(path + ":6: clusters[0].endpoints:"), std::string::npos) << out;
  EXPECT_NE(out.find(path + ":11: routes[0].timeout: unknown key"), std::string::npos) << out;
  EXPECT_NE(out.find("routes[0].auth: is required"), std::string::npos) << out;
  EXPECT_NE(out.find("routes[0].cluster: no cluster named 'nope'"), std::string::npos) << out;
  std::string ignored;
  run_command("rm -rf " + dir, &ignored);
}

TEST(Check, shipped_example_configs_are_valid) {
  std::string out;
  // The demo's secrets come from the environment, as scripts/demo.sh sets them.
  std::string env = "VIGIE_DEMO_CLIENT_SECRET=s VIGIE_DEMO_COOKIE_KEYS=$(openssl rand -base64 32) "
                    "VIGIE_DEMO_AUDIT_KEY=$(openssl rand -base64 48) ";
  EXPECT_EQ(run_command(env + VIGIE_BINARY + " check --config " VIGIE_SOURCE_DIR "/config/demo.yaml", &out), 0) << out;
}

}  // namespace
}  // namespace vigie::testing
