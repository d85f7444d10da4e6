#include "audit/file_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/scratch_dir.h"

namespace vigie::audit {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kKey = "0123456789abcdef0123456789abcdef";

using TempDir = testing::ScratchDir;

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string sealed(ChainState& s, std::string body) {
  seal(body, kKey, s, config::AuditFormat::Json);
  return body;
}

TEST(FileSink, resume_continues_the_chain_of_the_last_line) {
  TempDir dir;
  std::string path = (dir.path / "audit.log").string();
  ChainState written;
  {
    FileSink sink({path});
    ChainState s;
    std::string error;
    ASSERT_TRUE(sink.resume(s, error)) << error;
    EXPECT_EQ(s.seq, 0u);
    std::string lines = sealed(written, "{\"n\":1");
    lines += sealed(written, "{\"n\":2");
    ASSERT_TRUE(sink.write(lines, error)) << error;
    ASSERT_TRUE(sink.sync(error)) << error;
  }
  FileSink again({path});
  ChainState s;
  std::string error;
  ASSERT_TRUE(again.resume(s, error)) << error;
  EXPECT_EQ(s.seq, 2u);
  EXPECT_EQ(s.mac, written.mac);
}

TEST(FileSink, torn_last_line_is_cut_off_on_resume) {
  TempDir dir;
  std::string path = (dir.path / "audit.log").string();
  ChainState written;
  std::string whole = sealed(written, "{\"n\":1");
  std::ofstream(path) << whole << "{\"n\":2,\"seq\":2,\"ma";  // the process died mid-write
  FileSink sink({path});
  ChainState s;
  std::string error;
  ASSERT_TRUE(sink.resume(s, error)) << error;
  EXPECT_EQ(s.seq, 1u);
  EXPECT_EQ(read(path), whole);
}

TEST(FileSink, a_last_line_that_is_no_record_stops_the_chain) {
  TempDir dir;
  std::string path = (dir.path / "audit.log").string();
  std::ofstream(path) << "not a record\n";
  FileSink sink({path});
  ChainState s;
  std::string error;
  EXPECT_FALSE(sink.resume(s, error));
  EXPECT_NE(error.find("not a sealed audit record"), std::string::npos) << error;
}

TEST(FileSink, rotation_by_size_keeps_the_chain_across_files) {
  TempDir dir;
  std::string path = (dir.path / "audit.log").string();
  ChainState written;
  {
    FileSink sink({path, 100, {}});
    ChainState s;
    std::string error;
    ASSERT_TRUE(sink.resume(s, error));
    auto now = std::chrono::system_clock::now();
    for (int i = 0; i < 3; ++i) {
      std::string line = sealed(written, "{\"n\":" + std::to_string(i) + ",\"pad\":\"" + std::string(60, 'x') + "\"");
      ASSERT_TRUE(sink.rotate_if_due(line.size(), now + std::chrono::seconds(i), error)) << error;
      ASSERT_TRUE(sink.write(line, error)) << error;
    }
  }
  auto rotated = FileSink::rotated_files(path);
  ASSERT_EQ(rotated.size(), 2u);
  EXPECT_LT(rotated[0], rotated[1]);
  // The live file holds the third record; an empty live file resumes from the newest rotated one.
  fs::rename(path, (dir.path / "moved").string());
  FileSink again({path});
  ChainState s;
  std::string error;
  ASSERT_TRUE(again.resume(s, error)) << error;
  EXPECT_EQ(s.seq, 2u);
}

TEST(FileSink, rotation_by_age) {
  TempDir dir;
  std::string path = (dir.path / "audit.log").string();
  FileSink sink({path, 0, std::chrono::hours(1)});
  ChainState s, written;
  std::string error;
  ASSERT_TRUE(sink.resume(s, error));
  ASSERT_TRUE(sink.write(sealed(written, "{\"n\":1"), error));
  auto now = std::chrono::system_clock::now();
  ASSERT_TRUE(sink.rotate_if_due(10, now + std::chrono::minutes(59), error));
  EXPECT_TRUE(FileSink::rotated_files(path).empty());
  ASSERT_TRUE(sink.rotate_if_due(10, now + std::chrono::minutes(61), error));
  EXPECT_EQ(FileSink::rotated_files(path).size(), 1u);
}

TEST(FileSink, a_full_device_fails_the_write) {
  FileSink sink({"/dev/full"});
  ChainState s, written;
  std::string error;
  ASSERT_TRUE(sink.resume(s, error)) << error;  // a device: nothing to resume from
  EXPECT_FALSE(sink.write(sealed(written, "{\"n\":1"), error));
  EXPECT_NE(error.find("No space left"), std::string::npos) << error;
}

TEST(FileSink, rotated_files_ignore_other_names) {
  TempDir dir;
  std::string path = (dir.path / "audit.log").string();
  for (const char* name : {"audit.log.20261204T100000.000Z", "audit.log.cursor", "audit.log.bak", "other.log"}) {
    std::ofstream(dir.path / name) << "x\n";
  }
  auto rotated = FileSink::rotated_files(path);
  ASSERT_EQ(rotated.size(), 1u);
  EXPECT_TRUE(rotated[0].ends_with("audit.log.20261204T100000.000Z"));
}

TEST(LastLine, finds_the_last_complete_line_across_blocks) {
  TempDir dir;
  fs::path p = dir.path / "f";
  std::string big(200000, 'a');
  std::ofstream(p) << "first\n" << big << "\ntail-without-newline";
  int fd = ::open(p.c_str(), O_RDONLY);
  std::string line, error;
  uint64_t torn = 0;
  ASSERT_TRUE(last_line(fd, fs::file_size(p), line, torn, error));
  ::close(fd);
  EXPECT_EQ(line, big);
  EXPECT_EQ(torn, 6 + big.size() + 1);
}

}  // namespace
}  // namespace vigie::audit

namespace vigie::audit {
namespace {

TEST(FileSink, a_chain_sealed_under_another_key_is_refused_at_resume) {
  TempDir dir;
  std::string path = (dir.path / "audit.log").string();
  ChainState written;
  std::string lines = sealed(written, "{\"n\":1");
  lines += sealed(written, "{\"n\":2");
  std::ofstream(path) << lines;
  ChainState s;
  std::string error;
  {
    FileSink same({path, 0, {}, std::string(kKey)});
    EXPECT_TRUE(same.resume(s, error)) << error;
    EXPECT_EQ(s.seq, 2u);
  }
  FileSink other({(dir.path / "audit.log").string(), 0, {}, "another key, also 32 bytes long!"});
  std::string error2;
  EXPECT_FALSE(other.resume(s, error2));
  EXPECT_NE(error2.find("does not verify under the configured audit key"), std::string::npos) << error2;
}

TEST(FileSink, one_writer_per_file) {
  TempDir dir;
  std::string path = (dir.path / "audit.log").string();
  FileSink first({path});
  FileSink second({path});
  ChainState s;
  std::string error;
  ASSERT_TRUE(first.resume(s, error)) << error;
  EXPECT_FALSE(second.resume(s, error));
  EXPECT_NE(error.find("one Vigie per audit file"), std::string::npos) << error;
}

TEST(FileSink, a_live_file_moved_away_is_replaced_at_the_next_rotation) {
  TempDir dir;
  std::string path = (dir.path / "audit.log").string();
  FileSink sink({path, 10, {}});
  ChainState s, written;
  std::string error;
  ASSERT_TRUE(sink.resume(s, error));
  ASSERT_TRUE(sink.write(sealed(written, "{\"n\":1"), error));
  fs::rename(path, dir.path / "taken");
  EXPECT_TRUE(sink.rotate_if_due(100, std::chrono::system_clock::now(), error)) << error;
  ASSERT_TRUE(sink.write(sealed(written, "{\"n\":2"), error));
  EXPECT_TRUE(fs::exists(path));
}

TEST(FileSink, compressed_or_renamed_copies_are_not_chain_files) {
  TempDir dir;
  std::string path = (dir.path / "audit.log").string();
  for (const char* name : {"audit.log.20261204T100000.000Z.gz", "audit.log.20261204T100000.000Z-2",
                           "audit.log.20261204T1000.000Z", "audit.log.20261204T100000.000Z-"}) {
    std::ofstream(dir.path / name) << "x\n";
  }
  auto rotated = FileSink::rotated_files(path);
  ASSERT_EQ(rotated.size(), 1u);
  EXPECT_TRUE(rotated[0].ends_with("-2"));
}

}  // namespace
}  // namespace vigie::audit
