#!/usr/bin/env node
// SPDX-License-Identifier: Apache-2.0
// A server that holds nothing and only stays alive. The test links it under each server's name
// (srv-delayed, ...) and kills it; should the test die first, it ends after 10 minutes.
setTimeout(() => process.exit(0), 10 * 60 * 1000);
