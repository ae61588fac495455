/**
 * The last `maxLines` lines of `text` word-wrapped to `width` columns, so that text still being
 * written shows its newest words in a known number of lines. Words longer than a line are cut.
 */
export function tailLines(text: string, width: number, maxLines: number): string[] {
  const size = Math.max(1, width);
  const lines: string[] = [];
  let line = '';
  for (const word of text.replace(/\s+/g, ' ').trim().split(' ')) {
    let rest = word;
    while (rest.length > 0) {
      const room = line.length === 0 ? size : size - line.length - 1;
      if (rest.length <= room) {
        line = line.length === 0 ? rest : `${line} ${rest}`;
        rest = '';
      } else if (line.length > 0) {
        lines.push(line);
        line = '';
      } else {
        lines.push(rest.slice(0, size));
        rest = rest.slice(size);
      }
    }
  }
  if (line.length > 0) lines.push(line);
  return lines.slice(-Math.max(1, maxLines));
}
