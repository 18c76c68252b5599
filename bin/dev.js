#!/usr/bin/env node
// Development entry: oclif prefers the TypeScript sources when a TS loader is available,
// and falls back to the compiled commands in dist/ otherwise.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
