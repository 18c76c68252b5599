import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root and the shared folder beside it (captures from other projects: read, never copy). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SHARED = path.resolve(REPO_ROOT, '../shared');
export const SHARED_CAPTURES = path.join(SHARED, 'captures');
export const CORPUS_FILES = path.join(SHARED, 'corpus', 'files');
export const CORPUS_ORACLE = path.join(SHARED, 'corpus', 'oracle');
export const FIXTURES = path.join(REPO_ROOT, 'fixtures');

export function sharedCapture(name: string): string {
  return path.join(SHARED_CAPTURES, name);
}
export function corpusFile(name: string): string {
  return path.join(CORPUS_FILES, name);
}
