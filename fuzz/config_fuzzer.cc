// Fuzz target: the config loader. A hostile or broken file must produce errors, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  auto result = vigie::config::load_string(text, "fuzz.yaml");
  if (!result && result.error().empty()) __builtin_trap();  // a failure must say why
  return 0;
}
