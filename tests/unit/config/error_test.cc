#include "config/error.h"

#include <gtest/gtest.h>

namespace vigie::config {
namespace {

TEST(Error, formats_as_file_line_key_message) {
  EXPECT_EQ((Error{"a.yaml", 3, "routes[0].auth", "is required"}.to_string()), "a.yaml:3: routes[0].auth: is required");
  EXPECT_EQ((Error{"a.yaml", 0, "", "cannot open the file"}.to_string()), "a.yaml: cannot open the file");
}

}  // namespace
}  // namespace vigie::config
