#!/usr/bin/env node
// Writes oclif.manifest.json after each build (what `oclif manifest` does, without that
// package). With a manifest oclif reads every command's flags from one file at start-up
// instead of importing all twelve command modules and their dependencies: about 50 ms of
// the ~0.25 s start-up. The manifest is generated, not committed, so it cannot go stale.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'oclif.manifest.json');
// ignoreManifest: a manifest left from an earlier build must not describe the commands now
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true, respectNoCacheDefault: true });
await plugin.load();
writeFileSync(file, JSON.stringify(plugin.manifest, null, 2) + '\n');
