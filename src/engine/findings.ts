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
    const hits = signatures.matchHttp(req, limits);
    // the vendor whose server this is, by its name or its collector-shaped traffic (an SDK's cookie does not say)
    const vendorOf = (): string | null =>
      (req.host ? signatures.matchHost(req.host)[0]?.signature.vendor : undefined) ?? hits.find((h) => h.endpoint)?.signature.vendor ?? null;
    return { hits, leaks: findLeaksInHttpRequest(req, { limits, identifiers, vendorOf }) };
  }
}
