#include "cli/audit_verify_command.h"

#include <cstdlib>
#include <fstream>
#include <optional>
#include <ostream>
#include <sstream>

#include "audit/verify.h"
#include "config/loader.h"

namespace vigie::cli {
namespace {

constexpr const char* kUsage =
    "usage: vigie audit verify (--key-file FILE | --key-env NAME | --config FILE) AUDIT_FILE...\n"
    "       (rotated files and the live file may be given in any order: `audit.log*`)\n";

struct Args {
  std::string key_file, key_env, config;
  std::vector<std::string> files;
};

std::optional<Args> parse(const std::vector<std::string>& args) {
  Args a;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& w = args[i];
    bool has_value = i + 1 < args.size();
    if (w == "--key-file" && has_value) a.key_file = args[++i];
    else if (w == "--key-env" && has_value) a.key_env = args[++i];
    else if (w == "--config" && has_value) a.config = args[++i];
    else if (w.starts_with("--")) return std::nullopt;
    else a.files.push_back(w);
  }
  int sources = !a.key_file.empty() + !a.key_env.empty() + !a.config.empty();
  if (sources != 1 || a.files.empty()) return std::nullopt;
  return a;
}

// The key exactly as Vigie reads it (config::Reader::secret: a file's content or a variable's value).
std::optional<std::string> read_key(const Args& a, std::ostream& err) {
  if (!a.key_env.empty()) {
    const char* v = std::getenv(a.key_env.c_str());
    if (!v) err << "vigie audit verify: the environment variable " << a.key_env << " is not set\n";
    return v ? std::optional<std::string>(v) : std::nullopt;
  }
  if (!a.config.empty()) {
    auto cfg = config::load_file(a.config);
    if (!cfg) {
      for (const auto& e : cfg.error()) err << e.to_string() << "\n";
      return std::nullopt;
    }
    if (!(*cfg)->audit.key) {
      err << "vigie audit verify: " << a.config << " has no audit section\n";
      return std::nullopt;
    }
    return (*cfg)->audit.key->value;
  }
  std::ifstream in(a.key_file, std::ios::binary);
  if (!in) {
    err << "vigie audit verify: cannot read " << a.key_file << "\n";
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string key = ss.str();
  while (!key.empty() && (key.back() == '\n' || key.back() == '\r')) key.pop_back();
  return key;
}

}  // namespace

int audit_verify_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  auto a = parse(args);
  if (!a) {
    err << kUsage;
    return 2;
  }
  auto key = read_key(*a, err);
  if (!key) return 2;
  audit::VerifyResult r = audit::verify_files(a->files, *key);
  for (const auto& n : r.notes) out << "note: " << n << "\n";
  if (!r.ok) {
    out << "BROKEN: " << r.problem << "\n";
    if (r.records > 0) {
      out << "records " << r.first_seq << ".." << r.last_seq << " before it verified (" << r.records << ")\n";
    }
    return 1;
  }
  if (r.records == 0) out << "ok: no records\n";
  else out << "ok: " << r.records << " records, seq " << r.first_seq << ".." << r.last_seq << ", chain intact\n";
  return 0;
}

}  // namespace vigie::cli
