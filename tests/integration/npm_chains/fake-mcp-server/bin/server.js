#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// A stand-in MCP server for procleak's integration test: it holds nothing and only stays alive.
// The test kills it; should the test itself be killed first, it still ends after 10 minutes.
setTimeout(() => process.exit(0), 10 * 60 * 1000);
