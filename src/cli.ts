#!/usr/bin/env node
import 'reflect-metadata';
import { runCli } from './cli/cli';

// `pantry <command>`: the operator's command line (src/cli/); `npm run pantry -- <command>`.
void runCli(process.argv.slice(2)).then((code) => process.exit(code));
