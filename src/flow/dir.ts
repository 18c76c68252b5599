/**
 * Direction of a packet or byte within a flow. A plain const object rather than a `const enum`
 * (which does not survive isolated-module compilers such as esbuild): `Dir.ToServer` is a value,
 * `Dir` is also the type. The value doubles as the index into FlowInfo's `[toServer, toClient]`
 * pairs.
 */
export const Dir = { ToServer: 0, ToClient: 1 } as const;
export type Dir = (typeof Dir)[keyof typeof Dir];
