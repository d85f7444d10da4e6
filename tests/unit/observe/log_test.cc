#include "observe/log.h"

#include <gtest/gtest.h>

namespace vigie::observe {
namespace {

TEST(ProcessLog, messages_with_quotes_are_logged_without_throwing) {
  init_process_log();
  log_info("file \"a.yaml\"\n");
  log_warn("w");
  log_error("e");
  SUCCEED();  // the process log writes to stderr; its escaping is the access log's json_escape
}

}  // namespace
}  // namespace vigie::observe
