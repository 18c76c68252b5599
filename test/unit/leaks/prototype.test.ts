/** Untrusted keys (`__proto__`, `constructor`) must never reach object prototypes (msgpack's prototype-pollution rule). */
import { describe, expect, it } from 'vitest';
import { resolveLimits } from '../../../src/limits.js';
import { peel } from '../../../src/inspect/peel.js';
import { findLeaksInHttpRequest } from '../../../src/leaks/detect.js';
import { decodeSensorsRequest } from '../../../src/leaks/sensors.js';
import { request } from './helpers.js';

const limits = resolveLimits();
const hostile = '{"__proto__":{"polluted":"yes","imei":"864811045123671"},"constructor":{"prototype":{"polluted":"yes"}},"a":{"__proto__":{"polluted":"yes"}}}';

describe('prototype pollution', () => {
  it('peel keeps __proto__ as an own key of a null-safe value', () => {
    const [layer] = peel(hostile, limits);
    expect(layer.kind).toBe('json');
    const obj = layer.json as Record<string, unknown>;
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(obj, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('detectors walk __proto__ keys as data and pollute nothing', () => {
    const b64 = Buffer.from(hostile).toString('base64');
    const f = findLeaksInHttpRequest(
      request({ uri: `/x?__proto__[polluted]=yes&constructor.prototype.polluted=yes&data=${encodeURIComponent(b64)}`, body: `__proto__=x&constructor=y` }),
      { limits },
    );
    expect(f).toContainEqual({ kind: 'imei', value: '864811045123671', chain: 'uri query:data → base64 → json $.__proto__.imei', key: 'imei' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('the Sensors decoder returns the hostile event as data', () => {
    const b64 = Buffer.from(hostile).toString('base64');
    const [batch] = decodeSensorsRequest(request({ uri: `/sa?project=p&data=${encodeURIComponent(b64)}` }), limits);
    expect(Object.keys(batch.events[0] as object)).toEqual(['__proto__', 'constructor', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
