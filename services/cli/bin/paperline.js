#!/usr/bin/env node
// The `paperline` command: the compiled CLI (services/cli/dist, built by `pnpm build`, which set-up
// runs). This file is committed so that installing links the command before anything is built.
import '../dist/main.js';
