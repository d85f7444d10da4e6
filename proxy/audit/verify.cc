#include "audit/verify.h"

#include <algorithm>
#include <fstream>
#include <optional>

#include "audit/chain.h"

namespace vigie::audit {
namespace {

struct Position {
  std::string file;
  uint64_t line = 0;
  [[nodiscard]] std::string where() const { return file + ":" + std::to_string(line); }
};

// The sequence number of a file's first record; nullopt when its first line is none.
std::optional<uint64_t> first_seq(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  if (!std::getline(in, line)) return std::nullopt;
  auto s = unseal(line);
  if (!s) return std::nullopt;
  return s->seq;
}

class Checker {
 public:
  Checker(std::string_view key, VerifyResult& r) : key_(key), r_(r) {}

  // False at the first break.
  bool check(const Position& at, std::string_view line, bool last_line_of_last_file, bool ends_with_newline) {
    if (!ends_with_newline) {
      if (last_line_of_last_file) {
        r_.notes.push_back(at.where() + ": the last line is incomplete (a write in progress, or a crash)");
        return true;
      }
      return fail(at, "a line without its end inside the trail");
    }
    auto s = unseal(line);
    if (!s) return fail(at, "not a sealed audit record");
    if (!started_) return start(at, *s);
    if (s->seq == 1) {
      r_.notes.push_back(at.where() + ": a new chain starts (seq 1) after seq " + std::to_string(prev_seq_));
      return accept(*s, std::string(32, '\0'), at);
    }
    if (s->seq <= prev_seq_) {
      return fail(at, "seq " + std::to_string(s->seq) + " after seq " + std::to_string(prev_seq_) +
                          ": records reordered or replayed");
    }
    if (s->seq != prev_seq_ + 1) {
      return fail(at, "seq " + std::to_string(s->seq) + " after seq " + std::to_string(prev_seq_) + ": records " +
                          std::to_string(prev_seq_ + 1) + ".." + std::to_string(s->seq - 1) + " are missing");
    }
    return accept(*s, prev_mac_, at);
  }

 private:
  bool start(const Position& at, const Sealed& s) {
    started_ = true;
    r_.first_seq = s.seq;
    if (s.seq == 1) return accept(s, std::string(32, '\0'), at);
    // Without the record before it, the first mac cannot be checked: it anchors what follows.
    r_.notes.push_back(at.where() + ": starts at seq " + std::to_string(s.seq) + "; the " +
                       std::to_string(s.seq - 1) + " records before it were not given (its own mac is taken on trust)");
    take(s);
    return true;
  }

  bool accept(const Sealed& s, const std::string& previous_mac, const Position& at) {
    if (chain_mac(key_, previous_mac, s.seq, s.body) != s.mac) {
      return fail(at, "seq " + std::to_string(s.seq) +
                          ": the mac does not match: this record was altered or inserted, or the one before it "
                          "removed (or the key is not the trail's)");
    }
    take(s);
    return true;
  }

  void take(const Sealed& s) {
    prev_seq_ = s.seq;
    prev_mac_ = s.mac;
    r_.last_seq = s.seq;
    ++r_.records;
  }

  bool fail(const Position& at, const std::string& what) {
    r_.ok = false;
    r_.problem = at.where() + ": " + what;
    return false;
  }

  std::string_view key_;
  VerifyResult& r_;
  bool started_ = false;
  uint64_t prev_seq_ = 0;
  std::string prev_mac_;
};

}  // namespace

VerifyResult verify_files(std::vector<std::string> files, std::string_view key) {
  VerifyResult r;
  std::vector<std::pair<uint64_t, std::string>> ordered;
  for (auto& f : files) {
    std::ifstream probe(f);
    if (!probe) {
      r.ok = false;
      r.problem = f + ": cannot open the file";
      return r;
    }
    auto seq = first_seq(f);
    if (!seq) {
      if (probe.peek() == std::ifstream::traits_type::eof()) {
        r.notes.push_back(f + ": empty");
        continue;
      }
      r.ok = false;
      r.problem = f + ":1: not a sealed audit record";
      return r;
    }
    ordered.emplace_back(*seq, std::move(f));
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  Checker checker(key, r);
  for (size_t i = 0; i < ordered.size(); ++i) {
    std::ifstream in(ordered[i].second, std::ios::binary);
    Position at{ordered[i].second, 0};
    std::string line;
    while (std::getline(in, line)) {
      ++at.line;
      bool newline = !in.eof();
      bool last = i + 1 == ordered.size() && in.peek() == std::ifstream::traits_type::eof();
      if (!checker.check(at, line, last, newline)) return r;
    }
  }
  if (ordered.empty() && r.notes.empty()) r.notes.push_back("no records");
  return r;
}

}  // namespace vigie::audit
