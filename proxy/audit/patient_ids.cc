#include "audit/patient_ids.h"

#include <optional>
#include <unordered_set>
#include <utility>

#include "core/strings.h"
#include "core/url.h"

namespace vigie::audit {
namespace {

using Rule = config::PatientIdRule;

std::optional<std::string> decode(std::string_view s, bool plus) { return core::percent_decode(s, plus); }

bool alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool digit(char c) {
  return c >= '0' && c <= '9';
}

// FHIR id syntax, which OpenMRS UUIDs satisfy. The first character must be a letter or digit, so
// FHIR keywords standing where an id would ("Patient/_search", "Patient/$everything") are not ids.
bool valid_id(std::string_view v) {
  if (v.empty() || v.size() > kMaxIdBytes || !alnum(v.front())) return false;
  for (char c : v) {
    if (!alnum(c) && c != '-' && c != '.') return false;
  }
  return true;
}

// Medical record numbers hold spaces, slashes, colons ("MGT 508", "111:CLINIC1"); FHIR tokens a
// '|'. Control bytes, quotes, backslashes and non-ASCII bytes are refused: nothing an identifier
// register issues, everything a forged log line needs.
bool valid_identifier(std::string_view v) {
  if (v.size() > kMaxIdentifierBytes) return false;
  bool visible = false;
  for (unsigned char c : v) {
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') return false;
    visible = visible || c != ' ';
  }
  return visible;
}

// The `index`th segment of `path` (0: the one after the first '/'), without its ";parameters".
std::optional<std::string_view> segment_at(std::string_view path, size_t index) {
  if (!path.starts_with('/')) return std::nullopt;
  std::string_view rest = path.substr(1);
  for (size_t i = 0; i < index; ++i) {
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    rest.remove_prefix(slash + 1);
  }
  std::string_view seg = rest.substr(0, rest.find('/'));
  return seg.substr(0, seg.find(';'));
}

// What is left of `value` once the rule's prefix is removed; nullopt when the value does not
// qualify (the prefix is required and absent).
std::optional<std::string_view> without_prefix(std::string_view value, const Rule& rule) {
  if (rule.prefix.empty()) return value;
  if (value.starts_with(rule.prefix)) return value.substr(rule.prefix.size());
  // FHIR accepts absolute references ("https://ehr/openmrs/ws/fhir2/R4/Patient/<id>"): the same
  // patient, and a way around the prefix if it were not read.
  if (value.starts_with("http://") || value.starts_with("https://")) {
    std::string typed = "/" + rule.prefix;
    size_t at = value.rfind(typed);
    if (at != std::string_view::npos) return value.substr(at + typed.size());
  }
  if (rule.prefix_optional) return value;
  return std::nullopt;
}

// Calls `each` with every element of a FHIR OR list ("a,b"); "\," is an escaped comma, part of
// its element (whose backslash then fails validation).
template <class F>
void each_alternative(std::string_view v, F&& each) {
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\') {
      ++i;
    } else if (v[i] == ',') {
      each(v.substr(start, i - start));
      start = i + 1;
    }
  }
  each(v.substr(start));
}

struct Pair {
  std::string name;        // decoded
  std::string_view value;  // raw
};

std::vector<Pair> parse_query(std::string_view query) {
  std::vector<Pair> pairs;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;  // a name without a value names no one
    auto name = decode(pair.substr(0, eq), true);
    if (name) pairs.push_back({std::move(*name), pair.substr(eq + 1)});
  }
  return pairs;
}

class Collector {
 public:
  explicit Collector(std::vector<Patient>& out) : out_(out) {}

  void add(std::string_view value, const Rule& rule, std::string_view source) {
    if (out_.size() >= kMaxPatients) return;
    bool identifier = rule.kind == Rule::Kind::Identifier;
    if (identifier ? !valid_identifier(value) : !valid_id(value)) return;
    std::string key(identifier ? "i" : "d");
    key += value;
    if (!seen_.insert(std::move(key)).second) return;
    out_.push_back(Patient{std::string(value), identifier, std::string(source)});
  }

 private:
  std::vector<Patient>& out_;
  std::unordered_set<std::string> seen_;
};

// A path segment as the upstream reads it: without ";parameters", percent-decoded.
std::string decoded_segment(std::string_view seg) {
  seg = seg.substr(0, seg.find(';'));
  auto d = decode(seg, false);
  return d ? std::move(*d) : std::string(seg);
}

bool names_one_resource(std::string_view seg) {
  if (!valid_id(seg)) return false;
  bool any_digit = false, all_digits = true;
  for (char c : seg) {
    any_digit = any_digit || digit(c);
    all_digits = all_digits && digit(c);
  }
  return all_digits || (any_digit && seg.size() >= 8);
}

bool hidden(std::string_view raw_name, const std::vector<std::string>& params) {
  auto decoded = decode(raw_name, true);
  std::string name = core::to_lower(decoded ? *decoded : raw_name);
  std::string_view base = std::string_view(name).substr(0, name.find(':'));  // FHIR modifier
  for (const auto& p : params) {
    std::string lower = core::to_lower(p);
    if (base == lower) return true;
    if (base.size() > lower.size() && base.ends_with(lower) && base[base.size() - lower.size() - 1] == '.') {
      return true;  // a chained search: patient.name, subject.family
    }
  }
  return false;
}

}  // namespace

PatientIds::PatientIds(const std::vector<config::PatientIdRule>& rules) : rules_(rules) {}

std::vector<Patient> PatientIds::find(std::string_view path, std::string_view query) const {
  std::vector<Patient> out;
  Collector collect(out);
  std::optional<std::vector<Pair>> pairs;  // parsed on the first query rule
  for (const auto& rule : rules_) {
    if (rule.source == Rule::Source::Path) {
      if (!rule.path.matches(path)) continue;
      auto seg = segment_at(path, rule.segment);
      if (!seg) continue;
      // A malformed escape (which the path normaliser refuses anyway) names nothing.
      if (auto id = decode(*seg, false)) collect.add(*id, rule, "path");
      continue;
    }
    if (!rule.path.text().empty() && !rule.path.matches(path)) continue;
    if (!pairs) pairs = parse_query(query);
    for (const auto& pair : *pairs) {
      if (pair.name != rule.param) continue;
      auto value = decode(pair.value, true);
      if (!value) continue;
      each_alternative(*value, [&](std::string_view v) {
        auto rest = without_prefix(v, rule);
        if (!rest) return;
        if (rule.kind == Rule::Kind::Id) {
          // A versioned reference, "Patient/<id>/_history/2", names the patient <id>.
          rest = rest->substr(0, rest->find("/_history/"));
        }
        collect.add(*rest, rule, rule.param);
      });
    }
  }
  return out;
}

Action action_of(std::string_view method, std::string_view path, std::string_view /*query*/) {
  if (method == "DELETE") return Action::Delete;
  if (method == "PUT" || method == "PATCH") return Action::Update;

  std::vector<std::string> segs;
  std::string_view rest = path.starts_with('/') ? path.substr(1) : path;
  while (true) {
    size_t slash = rest.find('/');
    segs.push_back(decoded_segment(rest.substr(0, slash)));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  if (segs.back().empty()) segs.pop_back();  // "/patient/": the collection

  bool operation = !segs.empty() && segs.back().starts_with('$');
  if (operation) segs.pop_back();
  if (segs.size() >= 2 && segs[segs.size() - 2] == "_history") {
    segs.resize(segs.size() - 2);
  } else if (!segs.empty() && segs.back() == "_history") {
    segs.pop_back();
  }

  std::string_view last = segs.empty() ? std::string_view{} : std::string_view(segs.back());
  if (last == "_search" || last == "search") return Action::Search;
  bool one = names_one_resource(last);
  if (method == "POST" && !operation) return one ? Action::Update : Action::Create;
  return one ? Action::Read : Action::Search;
}

std::string redact_query(std::string_view query, const std::vector<std::string>& params) {
  std::string out;
  out.reserve(query.size());
  bool first = true;
  while (true) {
    size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    if (!first) out += '&';
    first = false;
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && eq + 1 < pair.size() && hidden(pair.substr(0, eq), params)) {
      out += pair.substr(0, eq + 1);
      out += "***";
    } else {
      out += pair;
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace vigie::audit
