// SPDX-License-Identifier: Apache-2.0
// ClassifyCommand(): what identifies a command line across copies.
#include "signature/signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace procleak {
namespace {

using Argv = std::vector<std::string>;

std::string Sig(const Argv& argv, std::string_view comm = "x") {
  return ClassifyCommand(argv, comm).signature;
}

TEST(Signature, KernelThread_IsCommInBrackets) {
  CommandForm form = ClassifyCommand({}, "kworker/0:1");
  EXPECT_EQ(form.signature, "[kworker/0:1]");
  EXPECT_EQ(form.program, "kworker/0:1");
  EXPECT_FALSE(form.wrapper);
}

TEST(Signature, ZombieCommWithSpaces_IsKeptInBrackets) {
  CommandForm form = ClassifyCommand({}, "Web Content");
  EXPECT_EQ(form.signature, "[Web Content]");
  EXPECT_EQ(form.program, "Web Content");
}

TEST(Signature, ArgvOfEmptyStrings_FallsBackToComm) {
  CommandForm form = ClassifyCommand({"", ""}, "daemon");
  EXPECT_EQ(form.signature, "[daemon]");
  EXPECT_EQ(form.program, "daemon");
}

TEST(Signature, ProgramPath_IsReducedToBasename) {
  CommandForm form = ClassifyCommand({"/usr/local/bin/node", "x"}, "node");
  EXPECT_EQ(form.signature, "node x");
  EXPECT_EQ(form.program, "node");
  EXPECT_FALSE(form.wrapper);
}

TEST(Signature, ScriptPathOutsideCaches_IsKept) {
  EXPECT_EQ(Sig({"/usr/bin/python3", "/srv/etl.py", "--daily"}), "python3 /srv/etl.py --daily");
  EXPECT_EQ(Sig({"node", "/app/node_modules/server/index.js"}),
            "node /app/node_modules/server/index.js");
}

TEST(Signature, NodeModulesBinScript_IsReducedToItsName) {
  // Observed: npm exec's sh -c runs the package's bin through node.
  CommandForm form =
      ClassifyCommand({"node", "/home/u/proj/node_modules/.bin/fake-mcp-server"}, "node");
  EXPECT_EQ(form.signature, "node fake-mcp-server");
  EXPECT_EQ(form.program, "node");
  EXPECT_FALSE(form.wrapper);
}

TEST(Signature, NpxCachePaths_DropTheirHash) {
  EXPECT_EQ(Sig({"node", "/root/.npm/_npx/9f8e7d6c5b4a3210/node_modules/.bin/server-x"}),
            "node server-x");
  EXPECT_EQ(Sig({"node",
                 "/root/.npm/_npx/9f8e7d6c5b4a3210/node_modules/@scope/server-x/dist/"
                 "index.js"}),
            "node @scope/server-x/dist/index.js");
  EXPECT_EQ(Sig({"/root/.cache/uv/archive-v0/Xy12abc/bin/mcp-server-fetch", "--verbose"}),
            "mcp-server-fetch --verbose");
}

TEST(Signature, EveryNpmLauncherForm_IsNpmExecPackage) {
  const std::vector<Argv> forms = {
      {"npx", "-y", "@scope/pkg@1.2.3"},
      {"/usr/local/bin/npx", "--yes", "@scope/pkg"},
      {"npm", "exec", "--yes", "--", "@scope/pkg"},
      {"npm", "exec", "@scope/pkg@latest"},
      {"npm", "x", "-y", "@scope/pkg@^2"},
      {"node", "/usr/lib/node_modules/npm/bin/npx-cli.js", "-y", "@scope/pkg"},
      {"/usr/bin/node", "/usr/lib/node_modules/npm/bin/npm-cli.js", "exec", "@scope/pkg"},
      {"node", "/usr/local/bin/npx", "--offline", "--quiet", "-q", "@scope/pkg@1"},
      {"npx", "--package=@scope/pkg@1.0.0", "--", "@scope/pkg"},
      {"npx", "-p", "@scope/other", "@scope/pkg"},
      {"npm exec @scope/pkg"},
      {"npm exec --yes @scope/pkg@1.2.3"},
  };
  for (const Argv& argv : forms) {
    CommandForm form = ClassifyCommand(argv, "npm exec @scop");
    EXPECT_EQ(form.signature, "npm exec @scope/pkg") << argv[0] << " " << argv.size();
    EXPECT_EQ(form.program, "npm exec");
    EXPECT_TRUE(form.wrapper);
  }
}

TEST(Signature, NpmRewrittenTitle_IsSplit) {
  // Observed: npm replaces its argv with one argument; comm is cut to 15 bytes, exe is node.
  CommandForm form = ClassifyCommand({"npm exec fake-mcp-server"}, "npm exec fake-m");
  EXPECT_EQ(form.signature, "npm exec fake-mcp-server");
  EXPECT_EQ(form.program, "npm exec");
  EXPECT_TRUE(form.wrapper);
}

TEST(Signature, NpmExecCall_UsesTheCommandOfTheCall) {
  EXPECT_EQ(Sig({"npm", "exec", "--package=@x/y-cli", "-c", "y-cli --verbose"}),
            "npm exec y-cli --verbose");
}

TEST(Signature, NpmRunScript_IsAWrapperButNotALauncher) {
  CommandForm form = ClassifyCommand({"npm run dev"}, "npm run dev");
  EXPECT_EQ(form.signature, "npm run dev");
  EXPECT_EQ(form.program, "npm");
  EXPECT_TRUE(form.wrapper);
  CommandForm other = ClassifyCommand({"npm", "install"}, "npm install");
  EXPECT_EQ(other.signature, "npm install");
  EXPECT_FALSE(other.wrapper);
}

TEST(Signature, OtherJavaScriptLaunchers_AreUnified) {
  EXPECT_EQ(Sig({"pnpm", "dlx", "@scope/pkg@1.0.0"}), "pnpm dlx @scope/pkg");
  EXPECT_EQ(Sig({"pnpx", "@scope/pkg"}), "pnpm dlx @scope/pkg");
  EXPECT_EQ(Sig({"node", "/usr/local/lib/node_modules/pnpm/bin/pnpm.cjs", "dlx", "pkg"}),
            "pnpm dlx pkg");
  EXPECT_EQ(Sig({"yarn", "dlx", "-q", "pkg@3"}), "yarn dlx pkg");
  EXPECT_EQ(Sig({"bunx", "--bun", "@scope/pkg@latest", "--stdio"}), "bunx @scope/pkg --stdio");
  EXPECT_EQ(Sig({"bun", "x", "@scope/pkg"}), "bunx @scope/pkg");
  CommandForm dlx = ClassifyCommand({"yarn", "dlx", "pkg"}, "yarn");
  EXPECT_EQ(dlx.program, "yarn dlx");
  EXPECT_TRUE(dlx.wrapper);
}

TEST(Signature, PnpmExec_IsNotALauncher) {
  CommandForm form = ClassifyCommand({"pnpm", "exec", "tsc"}, "pnpm");
  EXPECT_EQ(form.signature, "pnpm exec tsc");
  EXPECT_EQ(form.program, "pnpm");
  EXPECT_FALSE(form.wrapper);
}

TEST(Signature, PythonLaunchers_AreUnifiedWithoutVersionPins) {
  EXPECT_EQ(Sig({"uvx", "mcp-server-fetch==2025.1.0"}), "uvx mcp-server-fetch");
  EXPECT_EQ(Sig({"uvx", "mcp-server-fetch@latest"}), "uvx mcp-server-fetch");
  EXPECT_EQ(Sig({"/root/.local/bin/uv", "tool", "run", "mcp-server-fetch"}),
            "uvx mcp-server-fetch");
  EXPECT_EQ(Sig({"uv", "tool", "uvx", "mcp-server-fetch>=1.0"}), "uvx mcp-server-fetch");
  EXPECT_EQ(Sig({"uvx", "--from", "git+https://example.com/x.git", "--python", "3.12",
                 "mcp-server-git", "--repository", "/srv/repo"}),
            "uvx mcp-server-git --repository /srv/repo");
  EXPECT_EQ(Sig({"pipx", "run", "--spec", "black==24.1", "black", "--check"}),
            "pipx run black --check");
  EXPECT_EQ(Sig({"/usr/bin/python3", "/usr/bin/pipx", "run", "pycowsay==0.0.0.2"}),
            "pipx run pycowsay");
  EXPECT_EQ(Sig({"python3", "-m", "pipx", "run", "pycowsay"}), "pipx run pycowsay");
  CommandForm form = ClassifyCommand({"uvx", "x"}, "uvx");
  EXPECT_EQ(form.program, "uvx");
  EXPECT_TRUE(form.wrapper);
  EXPECT_FALSE(ClassifyCommand({"pipx", "list"}, "pipx").wrapper);
}

TEST(Signature, ScopedPackage_SurvivesIntact) {
  EXPECT_EQ(Sig({"npx", "-y", "@modelcontextprotocol/server-filesystem@2025.3.28", "/srv"}),
            "npm exec @modelcontextprotocol/server-filesystem /srv");
  EXPECT_EQ(Sig({"npx", "@scope/server-x"}), "npm exec @scope/server-x");
}

TEST(Signature, PackageSpecsWithAProtocol_AreKept) {
  EXPECT_EQ(Sig({"npx", "github:user/repo"}), "npm exec github:user/repo");
  EXPECT_EQ(Sig({"npx", "npm:alias@1.0.0"}), "npm exec npm:alias@1.0.0");
}

TEST(Signature, PerRunArguments_AreDroppedStableFlagsKept) {
  EXPECT_EQ(Sig({"npx", "-y", "@scope/server-x@1.0.0", "--port", "3000", "--log-dir",
                 "/tmp/run-123", "--session", "0123abcd4567ef89", "--id",
                 "123e4567-e89b-12d3-a456-426614174000", "--read-only"}),
            "npm exec @scope/server-x --port --log-dir --session --id --read-only");
  EXPECT_EQ(Sig({"server", "--port=8080", "--state=/var/tmp/s1", "--mode=fast"}),
            "server --port --state --mode=fast");
  EXPECT_EQ(Sig({"sleep", "3600"}), "sleep");
  EXPECT_EQ(Sig({"worker", "/dev/shm/seg.1", "/tmp"}), "worker");
}

TEST(Signature, HexIds_NeedEightDigitsAndADecimal) {
  EXPECT_EQ(Sig({"tool", "cafebabe", "cafe1234", "ab12"}), "tool cafebabe ab12");
  EXPECT_EQ(Sig({"containerd-shim-runc-v2", "-namespace", "moby", "-id",
                 "0b6aa5f2967a07ea9b60e7c680931d4f8a4c1b2e3d4f5a6b7c8d9e0f1a2b3c4d"}),
            "containerd-shim-runc-v2 -namespace moby -id");
}

TEST(Signature, ShDashC_StripsQuotesAndIsAWrapper) {
  // Observed: npm exec runs its package through `sh -c` with the name single-quoted.
  CommandForm form = ClassifyCommand({"sh", "-c", "'fake-mcp-server'"}, "sh");
  EXPECT_EQ(form.signature, "sh -c fake-mcp-server");
  EXPECT_EQ(form.program, "sh");
  EXPECT_TRUE(form.wrapper);
}

TEST(Signature, ShellCommandStrings_AreNormalisedLikeArgv) {
  EXPECT_EQ(Sig({"/bin/bash", "-lc", "exec /usr/local/bin/server --port 80"}),
            "bash -c exec server --port");
  EXPECT_EQ(Sig({"dash", "-c", "\"  a b  \""}), "dash -c a b");
  EXPECT_EQ(Sig({"sh", "-e", "-c", "/app/node_modules/.bin/x --tmp /tmp/q"}), "sh -c x --tmp");
  EXPECT_EQ(Sig({"bash", "-o", "pipefail", "-c", "run"}), "bash -c run");
  CommandForm bare = ClassifyCommand({"sh", "-c"}, "sh");
  EXPECT_EQ(bare.signature, "sh -c");
  EXPECT_TRUE(bare.wrapper);
}

TEST(Signature, ShellRunningAScript_IsNotAWrapper) {
  CommandForm form = ClassifyCommand({"/bin/bash", "/usr/local/bin/poll.sh"}, "bash");
  EXPECT_EQ(form.signature, "bash /usr/local/bin/poll.sh");
  EXPECT_EQ(form.program, "bash");
  EXPECT_FALSE(form.wrapper);
  EXPECT_FALSE(ClassifyCommand({"bash", "--norc", "script"}, "bash").wrapper);
}

TEST(Signature, Env_DropsAssignmentsAndIsAWrapper) {
  CommandForm form = ClassifyCommand(
      {"/usr/bin/env", "-u", "HOME", "FOO=1", "TOKEN=s3cr3t", "/usr/bin/node", "/app/x.js"}, "env");
  EXPECT_EQ(form.signature, "env node /app/x.js");
  EXPECT_EQ(form.program, "env");
  EXPECT_TRUE(form.wrapper);
  EXPECT_FALSE(ClassifyCommand({"env"}, "env").wrapper);  // prints the environment
}

TEST(Signature, RewrittenTitles_AreKeptWhole) {
  CommandForm form = ClassifyCommand({"nginx: worker process"}, "nginx");
  EXPECT_EQ(form.signature, "nginx: worker process");
  EXPECT_EQ(form.program, "nginx");
  EXPECT_FALSE(form.wrapper);
  EXPECT_EQ(Sig({"nginx: master process /usr/sbin/nginx -g daemon off;"}),
            "nginx: master process /usr/sbin/nginx -g daemon off;");
  EXPECT_EQ(Sig({"my server 1234"}), "my server 1234");  // only npm's titles are split
}

TEST(Signature, HugeArgument_IsKeptWithoutBlowingUp) {
  std::string big(1 << 20, 'a');
  CommandForm form = ClassifyCommand({"/usr/bin/prog", big}, "prog");
  ASSERT_EQ(form.signature.size(), 5 + big.size());
  EXPECT_EQ(form.signature.substr(0, 5), "prog ");
  std::string hex(1 << 20, 'f');
  hex[0] = '1';
  EXPECT_EQ(Sig({"prog", hex}), "prog");  // a (very long) hex id is still per-run
  EXPECT_EQ(Sig({"sh", "-c", "'" + big + "'"}), "sh -c " + big);
}

TEST(Signature, ManyArguments_AreAllNormalised) {
  Argv argv = {"prog"};
  for (int i = 0; i < 100000; ++i) argv.push_back(i % 2 ? "--flag" : std::to_string(i));
  std::string sig = Sig(argv);
  EXPECT_EQ(sig.size(), 4 + 50000 * 7u);
}

TEST(Signature, InteractiveShell_IsAShellWithoutCommandOrScript) {
  EXPECT_TRUE(IsInteractiveShell({"bash"}));
  EXPECT_TRUE(IsInteractiveShell({"-bash"}));
  EXPECT_TRUE(IsInteractiveShell({"/bin/sh", "-i"}));
  EXPECT_TRUE(IsInteractiveShell({"zsh", "-l", "-o", "vi"}));
  EXPECT_FALSE(IsInteractiveShell({"bash", "-c", "sleep 1"}));
  EXPECT_FALSE(IsInteractiveShell({"bash", "-lc", "x"}));
  EXPECT_FALSE(IsInteractiveShell({"bash", "/srv/run.sh"}));
  EXPECT_FALSE(IsInteractiveShell({"python3"}));
  EXPECT_FALSE(IsInteractiveShell({}));
}

}  // namespace
}  // namespace procleak
