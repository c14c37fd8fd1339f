// SPDX-License-Identifier: Apache-2.0
#include "procfs/passwd_parser.h"

#include <gtest/gtest.h>

namespace procleak {
namespace {

constexpr char kPasswd[] =
    "root:x:0:0:root:/root:/bin/bash\n"
    "# a comment:x:5:5\n"
    "+nisuser::::::\n"
    "broken:x:notanumber:1:::\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
    "minus:x:4294967295:1:::\n"
    "alice:x:1000:1000:Alice,,,:/home/alice:/bin/bash\n"
    "alice:x:2000:2000:second alice:/home/a2:/bin/sh\n"
    "short:x:77";  // no final newline, no GID: the uid is still there

TEST(PasswdParser, UidOfUser_FindsTheFirstLineOfThatName) {
  EXPECT_EQ(UidOfUser(kPasswd, "root"), 0u);
  EXPECT_EQ(UidOfUser(kPasswd, "nobody"), 65534u);
  EXPECT_EQ(UidOfUser(kPasswd, "alice"), 1000u);
  EXPECT_EQ(UidOfUser(kPasswd, "short"), 77u);
}

TEST(PasswdParser, UidOfUser_SkipsWhatIsNotAUserLine) {
  EXPECT_EQ(UidOfUser(kPasswd, "broken"), std::nullopt);
  EXPECT_EQ(UidOfUser(kPasswd, "minus"), std::nullopt);  // (uid_t)-1 is no user
  EXPECT_EQ(UidOfUser(kPasswd, "+nisuser"), std::nullopt);
  EXPECT_EQ(UidOfUser(kPasswd, "# a comment"), std::nullopt);
  EXPECT_EQ(UidOfUser(kPasswd, "ali"), std::nullopt);  // names match whole
  EXPECT_EQ(UidOfUser(kPasswd, ""), std::nullopt);
  EXPECT_EQ(UidOfUser("", "root"), std::nullopt);
  EXPECT_EQ(UidOfUser("root", "root"), std::nullopt);
}

}  // namespace
}  // namespace procleak
