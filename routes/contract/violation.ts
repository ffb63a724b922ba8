// The contract check's log prefix, in a module of its own so tests/util/server.ts
// can look for it without loading the app.
export const VIOLATION = "contract violation:";
