#include "audit/verify.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "audit/chain.h"
#include "support/scratch_dir.h"

namespace vigie::audit {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";

struct Trail {
  testing::ScratchDir scratch;
  const fs::path& dir = scratch.path;
  std::vector<std::string> lines;  // with '\n'
  Trail() {
    ChainState s;
    for (int i = 1; i <= 6; ++i) {
      std::string body = "{\"n\":" + std::to_string(i);
      seal(body, kKey, s, i % 2 ? config::AuditFormat::Json : config::AuditFormat::Fhir);
      lines.push_back(body);
    }
  }
  std::string file(const std::string& name, const std::vector<std::string>& content) const {
    std::ofstream out(dir / name, std::ios::binary);
    for (const auto& l : content) out << l;
    return (dir / name).string();
  }
};

TEST(Verify, an_intact_trail_in_two_files_given_in_any_order) {
  Trail t;
  std::string a = t.file("audit.log.1", {t.lines[0], t.lines[1], t.lines[2]});
  std::string b = t.file("audit.log", {t.lines[3], t.lines[4], t.lines[5]});
  auto r = verify_files({b, a}, kKey);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.records, 6u);
  EXPECT_EQ(r.first_seq, 1u);
  EXPECT_EQ(r.last_seq, 6u);
}

struct Tamper {
  const char* name;
  std::vector<int> order;   // indexes into the six lines
  int alter = -1;           // this line gets a changed body
  std::string where;        // expected location of the break
  std::string what;
};

TEST(Verify, tampering_is_found_at_the_right_record) {
  const std::vector<Tamper> cases = {
      {"deleted_record", {0, 1, 3, 4, 5}, -1, ":3:", "records 3..3 are missing"},
      {"reordered_records", {0, 2, 1, 3}, -1, ":2:", "are missing"},
      {"swapped_back", {0, 1, 2, 1}, -1, ":4:", "reordered or replayed"},
      {"altered_record", {0, 1, 2, 3}, 2, ":3:", "the mac does not match"},
      {"first_record_altered", {0, 1}, 0, ":1:", "the mac does not match"},
  };
  for (const auto& c : cases) {
    Trail t;
    std::vector<std::string> content;
    for (int i : c.order) content.push_back(t.lines[i]);
    if (c.alter >= 0) {
      for (auto& l : content) {
        if (l == t.lines[c.alter]) l.replace(l.find("\"n\":"), 5, "\"n\":9");
      }
    }
    auto r = verify_files({t.file("audit.log", content)}, kKey);
    EXPECT_FALSE(r.ok) << c.name;
    EXPECT_NE(r.problem.find(c.where), std::string::npos) << c.name << ": " << r.problem;
    EXPECT_NE(r.problem.find(c.what), std::string::npos) << c.name << ": " << r.problem;
  }
}

TEST(Verify, a_deleted_middle_file_is_a_gap) {
  Trail t;
  std::string a = t.file("a", {t.lines[0], t.lines[1]});
  std::string c = t.file("c", {t.lines[4], t.lines[5]});
  auto r = verify_files({a, c}, kKey);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("records 3..4 are missing"), std::string::npos) << r.problem;
}

TEST(Verify, another_key_breaks_at_the_first_record) {
  Trail t;
  auto r = verify_files({t.file("audit.log", t.lines)}, "another key, also 32 bytes long!");
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find(":1:"), std::string::npos) << r.problem;
}

TEST(Verify, a_trail_starting_later_is_checked_from_its_first_record) {
  Trail t;
  auto r = verify_files({t.file("audit.log", {t.lines[2], t.lines[3], t.lines[4]})}, kKey);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.first_seq, 3u);
  ASSERT_FALSE(r.notes.empty());
  EXPECT_NE(r.notes[0].find("the 2 records before it were not given"), std::string::npos);
}

TEST(Verify, a_torn_last_line_is_noted_not_a_break) {
  Trail t;
  std::string torn = t.lines[2].substr(0, 10);
  auto r = verify_files({t.file("audit.log", {t.lines[0], t.lines[1], torn})}, kKey);
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.records, 2u);
  EXPECT_FALSE(r.notes.empty());
}

TEST(Verify, foreign_lines_and_missing_files_are_breaks) {
  Trail t;
  auto r = verify_files({t.file("audit.log", {t.lines[0], "hello\n", t.lines[1]})}, kKey);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find(":2: not a sealed audit record"), std::string::npos) << r.problem;
  r = verify_files({(t.dir / "absent").string()}, kKey);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.problem.find("cannot open"), std::string::npos);
}

}  // namespace
}  // namespace vigie::audit
