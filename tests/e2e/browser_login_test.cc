// Browser end-to-end tests: headless Chromium (Debian `chromium`, driven by npm playwright-core in
// tests/e2e/login.spec.mjs) signs in through the real vigie binary against the Entra-shaped
// provider. The script checks what the browser sees (pages, redirects, cookie attributes); this
// test owns the bed and checks what the recording upstream received and what the provider counted.
// Skipped only when Chromium is not installed (scripts/lib.sh installs it). Test thread only.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "integration/identity_harness.h"

namespace vigie::testing {
namespace {

constexpr int kSpecTimeoutMs = 120000;  // one scenario, Chromium start-up included

std::string chromium_path() {
  const char* env = std::getenv("VIGIE_CHROMIUM");  // the spec reads the same variable
  return env ? env : "/usr/bin/chromium";
}

struct SpecRun {
  int exit_code = -1;  // 0 all checks passed, 1 a check failed, 2 usage or launch failure, -1 killed
  std::string output;  // stdout and stderr, for failure messages
  nlohmann::json result;
};

// Runs one scenario of login.spec.mjs against the bed, bounded by kSpecTimeoutMs. node and
// Chromium run in their own process group so a timeout kills the whole browser.
SpecRun run_spec(const IdentityBed& bed, const std::string& scenario) {
  SpecRun run;
  const std::string node = find_on_path("node");
  if (node.empty()) {
    run.output = "`node` is not on PATH (scripts/test.sh installs nodejs)";
    return run;
  }
  const std::string script = std::string(VIGIE_SOURCE_DIR) + "/tests/e2e/login.spec.mjs";
  const std::string log = bed.dir + "/spec-" + scenario + ".log";
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    // The test's sockets (upstream, client connections) must not live on in node or Chromium.
    ::close_range(3, ~0U, 0);
    ::execl(node.c_str(), node.c_str(), script.c_str(), "--scenario", scenario.c_str(), "--url",
            bed.base.c_str(), "--provider", bed.provider->base_url().c_str(), nullptr);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so the kill below cannot race the child's own setpgid
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  pollfd pfd{pidfd, POLLIN, 0};
  bool ended = pidfd >= 0 && ::poll(&pfd, 1, kSpecTimeoutMs) > 0;
  if (!ended) ::kill(-pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (pidfd >= 0) ::close(pidfd);
  if (ended && WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);

  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  run.output = ss.str();
  if (!ended) run.output += "\n[killed after " + std::to_string(kSpecTimeoutMs / 1000) + " s]";
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("RESULT ")) run.result = nlohmann::json::parse(line.substr(7), nullptr, false);
  }
  return run;
}

// A public landing page at / (where the provider sends the browser after sign-out) and an
// OpenMRS behind a session.
const std::string kRoutes = R"(  - id: landing
    path: {exact: /}
    cluster: app
    auth: public
  - id: openmrs
    path: {prefix: /openmrs/}
    cluster: app
    auth: session
    policy: authenticated
)";

const std::string kAlice = "alice@contoso.test";

class BrowserLogin : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(chromium_path().c_str(), X_OK) != 0) {
      GTEST_SKIP() << chromium_path()
                   << " is not installed (apt-get install chromium; scripts/lib.sh does it)";
    }
    bed = std::make_unique<IdentityBed>(kRoutes);
  }

  void TearDown() override {
    // The bed's directory (cookie key, client secret, the scenario's log) goes with the test.
    std::string ignored;
    if (bed && !std::getenv("VIGIE_KEEP_TEST_DIRS")) run_command("rm -rf " + bed->dir, &ignored);
  }

  // Puts Vigie at http://<host>:<port> for the browser (provider and Vigie restarted, since the
  // provider must allow that redirect URI). With vigie.localhost the provider on 127.0.0.1 is
  // another site, as Entra's login.microsoftonline.com always is; Chromium resolves *.localhost to
  // loopback by itself and counts it as a secure context, so __Host- cookies still stick over http.
  void serve_as(const std::string& host) {
    bed->vigie.reset();
    bed->base = "http://" + host + ":" + std::to_string(bed->port);
    bed->provider =
        std::make_unique<OidcProvider>(standard_tenant(bed->url("/oauth2/callback"), bed->url("/")));
    bed->start(kRoutes, "");
  }

  // Runs a scenario of login.spec.mjs; on failure the message carries the browser's log and Vigie's.
  ::testing::AssertionResult passes(const std::string& scenario) {
    spec = run_spec(*bed, scenario);
    if (spec.exit_code == 0) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "login.spec.mjs --scenario " << scenario << " exited with " << spec.exit_code << ":\n"
           << spec.output << "\n--- vigie stderr ---\n"
           << bed->vigie->stderr_text();
  }

  // The upstream request for this target (the last one if several).
  std::optional<Recorded> seen(const std::string& target) const {
    std::optional<Recorded> found;
    for (auto& r : bed->upstream.requests()) {
      if (r.target == target) found = r;
    }
    return found;
  }

  // The request carried alice's identity, once, and no Vigie cookie.
  static void expect_alice(const Recorded& r) {
    EXPECT_EQ(r.header("X-Forwarded-User"), kAlice) << r.target;
    EXPECT_EQ(r.count("X-Forwarded-User"), 1u) << r.target;
    EXPECT_EQ(r.header("X-Forwarded-Email"), kAlice) << r.target;
    EXPECT_EQ(r.header("X-Forwarded-Groups"),
              test_group_id(1) + "," + test_group_id(2) + "," + test_group_id(3))
        << r.target;
    std::string cookie = r.header("Cookie").value_or("");
    EXPECT_EQ(cookie.find("vigie"), std::string::npos) << r.target << ": " << cookie;
  }

  std::unique_ptr<IdentityBed> bed;
  SpecRun spec;  // the last scenario run
};

TEST_F(BrowserLogin, clinician_signs_in_and_the_upstream_sees_who) {
  ASSERT_TRUE(passes("login"));
  auto requests = bed->upstream.requests();
  ASSERT_EQ(requests.size(), 2u);  // the page asked for, then the patient search; nothing before the login
  EXPECT_EQ(requests[0].target, "/openmrs/app/home?from=bookmark");
  EXPECT_EQ(requests[1].target, "/openmrs/ws/rest/v1/patient?q=Jeanne");
  for (const auto& req : requests) expect_alice(req);
  EXPECT_EQ(spec.result["session_cookie"]["name"], "__Host-vigie");
  auto state = bed->provider->state();
  EXPECT_EQ(state["logins"], 1);
  EXPECT_EQ(state["token_requests"].value("authorization_code", 0), 1);
}

TEST_F(BrowserLogin, login_works_when_the_provider_is_another_site) {
  serve_as("vigie.localhost");
  ASSERT_TRUE(passes("login"));
  auto requests = bed->upstream.requests();
  ASSERT_EQ(requests.size(), 2u);
  for (const auto& req : requests) {
    expect_alice(req);
    EXPECT_EQ(req.header("Host"), "vigie.localhost:" + std::to_string(bed->port));
  }
  // The per-login state cookie (SameSite=Lax) came back on the cross-site redirect from the provider.
  EXPECT_EQ(bed->provider->state()["token_requests"].value("authorization_code", 0), 1);
}

TEST_F(BrowserLogin, two_tabs_signing_in_at_once_both_end_signed_in) {
  ASSERT_TRUE(passes("parallel_tabs"));
  std::set<std::string> targets;
  for (const auto& req : bed->upstream.requests()) {
    targets.insert(req.target);
    expect_alice(req);
  }
  EXPECT_EQ(targets, (std::set<std::string>{"/openmrs/tab-a", "/openmrs/tab-b", "/openmrs/after"}));
  EXPECT_EQ(bed->upstream.count(), 3u);
  // Two complete code exchanges: neither callback was refused for a missing or foreign state.
  EXPECT_EQ(bed->provider->state()["token_requests"].value("authorization_code", 0), 2);
}

TEST_F(BrowserLogin, sign_out_ends_at_the_provider_and_the_next_page_signs_in_again) {
  ASSERT_TRUE(passes("sign_out"));
  auto home = seen("/openmrs/app/home");
  auto landing = seen("/");
  auto again = seen("/openmrs/again");
  ASSERT_TRUE(home && landing && again);
  expect_alice(*home);
  expect_alice(*again);
  EXPECT_FALSE(landing->header("X-Forwarded-User"));  // signed out: anonymous on the public page
  EXPECT_EQ(landing->header("Cookie").value_or("").find("vigie"), std::string::npos);
  auto state = bed->provider->state();
  EXPECT_EQ(state["logouts"], 1);
  EXPECT_EQ(state["logins"], 2);  // the provider's session ended too: the second login was a real one
}

TEST_F(BrowserLogin, french_browser_with_group_overage_is_refused_in_french) {
  bed->provider->next_login("overage");
  ASSERT_TRUE(passes("overage_fr"));
  EXPECT_EQ(bed->upstream.count(), 0u);
  EXPECT_EQ(bed->provider->state()["token_requests"].value("authorization_code", 0), 1);
}

TEST_F(BrowserLogin, french_api_call_without_session_gets_french_json) {
  ASSERT_TRUE(passes("api_fr"));
  ASSERT_EQ(bed->upstream.count(), 1u);  // the public landing page only
  EXPECT_EQ(bed->upstream.requests()[0].target, "/");
}

}  // namespace
}  // namespace vigie::testing
