// Placeholder until the drills' safety module replaces it (same export).
/** Synchronously end every child firedrill started and remove every file it created. */
export function emergencyCleanupSync(): void {}
