#!/usr/bin/env node
// oclif checks its own engines range with semver when imported, about 20 ms of every start-up;
// leakscope's own range (package.json engines, node >= 20) is the one that matters.
process.env.OCLIF_DISABLE_ENGINE_WARNING ??= '1';
const { execute } = await import('@oclif/core');

await execute({ dir: import.meta.url });
