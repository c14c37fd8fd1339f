// SPDX-License-Identifier: Apache-2.0
// ParseCmdline: NUL-separated argv, including what setproctitle() leaves behind.
#include "procfs/cmdline_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace procleak {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using namespace std::string_literals;

TEST(CmdlineParser, Gives_NoArguments_ForEmptyCmdline) {
  // Kernel threads and zombies.
  EXPECT_THAT(ParseCmdline(""), IsEmpty());
}

TEST(CmdlineParser, Splits_NormalArgvWithFinalNul) {
  EXPECT_THAT(ParseCmdline("/usr/bin/sleep\0"s
                           "300\0"s),
              ElementsAre("/usr/bin/sleep", "300"));
}

TEST(CmdlineParser, Accepts_MissingFinalNul) {
  EXPECT_THAT(ParseCmdline("a\0b"s), ElementsAre("a", "b"));
}

TEST(CmdlineParser, Keeps_SpacesInsideOneArgument) {
  EXPECT_THAT(ParseCmdline("sh\0-c\0sleep 1 && echo done\0"s),
              ElementsAre("sh", "-c", "sleep 1 && echo done"));
}

TEST(CmdlineParser, Drops_TrailingNulPaddingOfInPlaceTitle) {
  // Real: `w: idle` written over argv, followed by 16 NULs.
  std::string text = "w: idle" + std::string(16, '\0');
  EXPECT_THAT(ParseCmdline(text), ElementsAre("w: idle"));
}

TEST(CmdlineParser, Keeps_TitleThatOverranArgvAsOneArgument) {
  // Real: the kernel returns a title that ran into environ up to its first NUL.
  std::string text = "proc title with spaces " + std::string(200, 'X') + '\0';
  std::vector<std::string> argv = ParseCmdline(text);
  ASSERT_EQ(argv.size(), 1u);
  EXPECT_EQ(argv[0], text.substr(0, text.size() - 1));
}

TEST(CmdlineParser, Keeps_EmptyArgumentInTheMiddle) {
  EXPECT_THAT(ParseCmdline("a\0\0b\0"s), ElementsAre("a", "", "b"));
}

TEST(CmdlineParser, Keeps_LeadingEmptyArgument) {
  EXPECT_THAT(ParseCmdline("\0x\0"s), ElementsAre("", "x"));
}

TEST(CmdlineParser, Gives_NoArguments_ForOnlyNuls) {
  EXPECT_THAT(ParseCmdline(std::string(8, '\0')), IsEmpty());
}

TEST(CmdlineParser, Splits_TwoMebibyteCmdline) {
  // No page limit in the normal path: a huge argv comes back whole.
  std::string big_arg(size_t{2} * 1024 * 1024, 'x');
  std::string text = "java" + std::string(1, '\0') + big_arg + '\0' + "Main" + '\0';
  std::vector<std::string> argv = ParseCmdline(text);
  ASSERT_EQ(argv.size(), 3u);
  EXPECT_EQ(argv[0], "java");
  EXPECT_EQ(argv[1].size(), big_arg.size());
  EXPECT_EQ(argv[2], "Main");
}

TEST(CmdlineParser, Splits_ManyArguments) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += std::to_string(i) + '\0';
  std::vector<std::string> argv = ParseCmdline(text);
  ASSERT_EQ(argv.size(), 100000u);
  EXPECT_EQ(argv.front(), "0");
  EXPECT_EQ(argv.back(), "99999");
}

}  // namespace
}  // namespace procleak
