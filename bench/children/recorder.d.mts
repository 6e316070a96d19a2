export declare function monotonicMs(): number;
export declare function recordStart(id: number, enqueuedAt: number): void;
