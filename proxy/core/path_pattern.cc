#include "core/path_pattern.h"

namespace vigie::core {
namespace {

// '*' matches any run (possibly empty) of characters; everything else literally.
bool glob(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  while (i < s.size()) {
    if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (p < pat.size() && pat[p] == s[i]) {
      ++p;
      ++i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

// The next segment of `rest` (which starts after a '/'), without its ";parameters".
std::string_view head(std::string_view rest) {
  std::string_view seg = rest.substr(0, rest.find('/'));
  return seg.substr(0, seg.find(';'));
}

std::string_view tail(std::string_view rest) {
  size_t slash = rest.find('/');
  return slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
}

bool has_more(std::string_view rest) { return rest.find('/') != std::string_view::npos; }

}  // namespace

Result<PathPattern, std::string> PathPattern::compile(std::string_view text) {
  if (!text.starts_with("/")) return fail(std::string("must start with '/'"));
  PathPattern p;
  p.text_ = std::string(text);
  std::string_view rest = text.substr(1);
  while (true) {
    std::string_view seg = rest.substr(0, rest.find('/'));
    Segment s;
    // Request paths are normalised before they are matched (no empty or dot segments, bytes outside
    // printable ASCII percent-encoded): a pattern holding one of those could never match, and in a
    // deny rule that silently lets everything through.
    if (seg.empty() && seg.size() != rest.size()) {
      return fail(std::string("an empty segment ('//') never matches a normalised path"));
    }
    for (unsigned char c : seg) {
      if (c <= 0x20 || c >= 0x7f) {
        return fail(std::string("a segment may hold only printable ASCII: paths hold other bytes %-encoded"));
      }
    }
    if (seg == "**") {
      s.any_depth = true;
    } else {
      if (seg.find("**") != std::string_view::npos) return fail(std::string("'**' must be a whole segment"));
      if (seg.find_first_of("?;#%\\") != std::string_view::npos) {
        return fail(std::string("a segment may not hold '?', ';', '#', '%' or '\\': patterns match decoded paths"));
      }
      if (seg.starts_with("{")) {
        if (!seg.ends_with("}") || seg.size() < 3) return fail(std::string("'{' needs a closing '}' ending the segment"));
        std::string_view alts = seg.substr(1, seg.size() - 2);
        while (true) {
          std::string_view a = alts.substr(0, alts.find(','));
          if (a.empty()) return fail(std::string("empty alternative in '{...}'"));
          s.globs.emplace_back(a);
          if (a.size() == alts.size()) break;
          alts.remove_prefix(a.size() + 1);
        }
      } else {
        s.globs.emplace_back(seg);
      }
      for (const auto& g : s.globs) {
        if (g.find_first_of("{},") != std::string::npos) return fail(std::string("'{a,b}' must be a whole segment"));
        if (g == "." || g == "..") return fail(std::string("'.' or '..' never matches a normalised path"));
      }
    }
    p.segments_.push_back(std::move(s));
    if (seg.size() == rest.size()) break;
    rest.remove_prefix(seg.size() + 1);
  }
  return p;
}

bool PathPattern::matches(std::string_view path) const {
  if (!path.starts_with("/")) return false;
  return match_from(0, path.substr(1));
}

// `rest`: the path after the '/' that precedes the next segment to match.
bool PathPattern::match_from(size_t seg, std::string_view rest) const {
  for (; seg < segments_.size(); ++seg) {
    const Segment& s = segments_[seg];
    if (s.any_depth) {
      if (seg + 1 == segments_.size()) return true;  // a trailing "**" takes whatever is left
      // Zero segments, then one more at a time.
      for (std::string_view r = rest;; r = tail(r)) {
        if (match_from(seg + 1, r)) return true;
        if (!has_more(r)) return false;
      }
    }
    std::string_view h = head(rest);
    bool any = false;
    for (const auto& g : s.globs) {
      // "*" names a segment, so it never matches the empty one a trailing '/' leaves.
      if ((!h.empty() || g.empty()) && glob(g, h)) {
        any = true;
        break;
      }
    }
    if (!any) return false;
    if (seg + 1 == segments_.size()) return !has_more(rest);
    if (!has_more(rest)) {
      // The path ends here: only trailing "**" segments may remain.
      for (size_t k = seg + 1; k < segments_.size(); ++k) {
        if (!segments_[k].any_depth) return false;
      }
      return true;
    }
    rest = tail(rest);
  }
  return rest.empty();
}

}  // namespace vigie::core
