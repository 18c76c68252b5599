/**
 * What inspection finds in one HTTP request: the vendor signatures it matches and the personal
 * data it carries. Both read the same InspectedRequest, whose decoded layers are peeled once.
 * The report stage aggregates the findings per host (hosts.ts); it does not look for them.
 */
import type { Limits } from '../limits.js';
import type { HttpRequest } from '../proto/http1.js';
import { InspectedRequest } from '../inspect/request.js';
import { findLeaksInHttpRequest, type Identifier, type LeakFinding } from '../leaks/detect.js';
import type { SignatureDb, SignatureHit } from '../signatures/db.js';

export interface RequestFindings {
  hits: SignatureHit[];
  leaks: LeakFinding[];
}

export interface RequestInspectorOptions {
  signatures: SignatureDb;
  limits: Limits;
  identifiers?: Identifier[];
}

export class RequestInspector {
  constructor(private readonly opts: RequestInspectorOptions) {}

  inspect(http: HttpRequest): RequestFindings {
    const { signatures, limits, identifiers } = this.opts;
    const req = InspectedRequest.fromHttp(http);
    return { hits: signatures.matchHttp(req, limits), leaks: findLeaksInHttpRequest(req, { limits, identifiers }) };
  }
}
