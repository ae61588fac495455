// Placeholder until the console lands (same export).
export async function openConsole(_argv: string[]): Promise<number> {
  return 2;
}
