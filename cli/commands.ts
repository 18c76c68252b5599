/**
 * Every command by its oclif id, and `execute` (cli/execute.ts): the entry point of the bundle that
 * `bin/run.js` loads (package.json `oclif.commands`, strategy `explicit`). One pre-linked file
 * instead of ~250 modules to resolve and compile saves 30–50 ms of every start-up.
 */
import Analyze from '../commands/analyze.js';
import Batch from '../commands/batch.js';
import Decode from '../commands/decode.js';
import Diff from '../commands/diff.js';
import Events from '../commands/events.js';
import Geo from '../commands/geo.js';
import Info from '../commands/info.js';
import KeylogInject from '../commands/keylog/inject.js';
import Merge from '../commands/merge.js';
import Signatures from '../commands/signatures/index.js';
import SignaturesImport from '../commands/signatures/import.js';
import SignaturesTest from '../commands/signatures/test.js';
import SignaturesValidate from '../commands/signatures/validate.js';
import Streams from '../commands/streams.js';

export { execute } from './execute.js';
/** package.json `oclif.hooks.command_not_found`: in the bundle, so no module is imported at that moment */
export { default as commandNotFound } from './not-found.js';

export const COMMANDS = {
  analyze: Analyze,
  batch: Batch,
  decode: Decode,
  diff: Diff,
  events: Events,
  geo: Geo,
  info: Info,
  'keylog:inject': KeylogInject,
  merge: Merge,
  signatures: Signatures,
  'signatures:import': SignaturesImport,
  'signatures:test': SignaturesTest,
  'signatures:validate': SignaturesValidate,
  streams: Streams,
};
