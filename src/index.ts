/**
 * leakscope's library: the engine the commands are thin shells over (package.json `main`).
 * `analyzeCaptures` (the per-host report), `scanCapture` (observations and flows of one
 * capture), `captureInfo` (what a capture file holds), `runBatch` (an archive of captures in
 * worker processes); with the limits they run under and the records they produce.
 */
export { analyzeCaptures, type AnalyzeOptions, type AnalyzeResult, type AnalyzeHeader, type CaptureSource, type CaptureStatus } from './engine/analyze.js';
export { scanCapture, type ScanOptions, type ScanResult } from './engine/scan.js';
export { captureInfo, type InfoRecord } from './engine/info.js';
export { runBatch, defaultJobs, type BatchRunOptions, type BatchRunStats, type BatchProgress } from './batch/run.js';
export { DEFAULT_LIMITS, resolveLimits, type Limits, type LimitName } from './limits.js';
export { ANOMALY_CODES, type Anomaly, type AnomalyCode } from './anomaly.js';
export type { Observation, ObservationType, ObservationDetail } from './engine/observations.js';
export type { HostRecord, HostLeak, HostServer, LeakEvidence } from './engine/hosts.js';
export type { FlowInfo } from './flow/table.js';
export type { FlowSummaryExtra } from './analyzers/analyzer.js';
export type { KeyLookup, TlsSecrets } from './decrypt/key-store.js';
export { SignatureDb } from './signatures/db.js';
