/** Types for bench/rows.mjs, for the benches written in TypeScript. */
export declare function reportRow(row: { what: string; figure: string; against: string; target?: string }): void;
