const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export function sparkline(values: readonly number[], width: number, min = 0, max?: number): string {
  const shown = values.slice(-width);
  if (shown.length === 0) return ' '.repeat(width);
  const top = max ?? Math.max(...shown);
  const span = top - min || 1;
  const line = shown
    .map((value) => {
      const level = Math.round(((Math.min(Math.max(value, min), top) - min) / span) * (BLOCKS.length - 1));
      return BLOCKS[level] ?? BLOCKS[0];
    })
    .join('');
  return line.padStart(width, ' ');
}

export function bar(fraction: number, width: number): { filled: string; empty: string } {
  const clamped = Number.isFinite(fraction) ? Math.min(Math.max(fraction, 0), 1) : 0;
  const filled = Math.round(clamped * width);
  return { filled: '█'.repeat(filled), empty: '░'.repeat(width - filled) };
}
