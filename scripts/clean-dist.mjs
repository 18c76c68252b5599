#!/usr/bin/env node
// Empties dist/ before a build: tsc never deletes what it wrote before, so a module moved or
// removed from the sources would linger in dist/ and be shipped by `npm pack`.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

rmSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist'), { recursive: true, force: true });
