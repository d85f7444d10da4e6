// `vigie audit verify`: its arguments, where the key comes from, and its exit status and report.
#include "cli/audit_verify_command.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "audit/chain.h"
#include "support/scratch_dir.h"

namespace vigie::cli {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";

struct Files {
  testing::ScratchDir scratch;
  const fs::path& dir = scratch.path;
  Files() {
    std::ofstream(dir / "key") << kKey << "\n";  // a trailing newline, as `echo` writes it
    audit::ChainState s;
    std::ofstream out(dir / "audit.log");
    for (int i = 0; i < 3; ++i) {
      std::string line = "{\"n\":" + std::to_string(i);
      audit::seal(line, kKey, s, config::AuditFormat::Json);
      out << line;
    }
  }
  std::string at(const char* name) const { return (dir / name).string(); }
};

struct Ran {
  int status;
  std::string out, err;
};

Ran run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int status = audit_verify_main(args, out, err);
  return {status, out.str(), err.str()};
}

TEST(AuditVerifyCommand, an_intact_chain_exits_0_with_its_range) {
  Files f;
  Ran r = run({"--key-file", f.at("key"), f.at("audit.log")});
  EXPECT_EQ(r.status, 0) << r.out << r.err;
  EXPECT_EQ(r.out, "ok: 3 records, seq 1..3, chain intact\n");
}

TEST(AuditVerifyCommand, the_key_from_the_environment) {
  Files f;
  ::setenv("VIGIE_TEST_VERIFY_KEY", std::string(kKey).c_str(), 1);
  EXPECT_EQ(run({"--key-env", "VIGIE_TEST_VERIFY_KEY", f.at("audit.log")}).status, 0);
  Ran wrong = run({"--key-env", "HOME", f.at("audit.log")});
  EXPECT_EQ(wrong.status, 1);
  EXPECT_NE(wrong.out.find("BROKEN: " + f.at("audit.log") + ":1:"), std::string::npos) << wrong.out;
}

TEST(AuditVerifyCommand, usage_and_unreadable_keys_exit_2) {
  Files f;
  EXPECT_EQ(run({f.at("audit.log")}).status, 2);                                         // no key
  EXPECT_EQ(run({"--key-file", f.at("key")}).status, 2);                                 // no file
  EXPECT_EQ(run({"--key-file", f.at("key"), "--key-env", "X", f.at("audit.log")}).status, 2);  // two keys
  EXPECT_EQ(run({"--key-file", f.at("absent"), f.at("audit.log")}).status, 2);
  EXPECT_EQ(run({"--key-env", "VIGIE_TEST_UNSET_VARIABLE", f.at("audit.log")}).status, 2);
  EXPECT_EQ(run({"--frobnicate", f.at("audit.log")}).status, 2);
}

}  // namespace
}  // namespace vigie::cli
