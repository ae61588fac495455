import { useEffect, useState } from 'react';
import { useStdout } from 'ink';

const FALLBACK = { rows: 24, columns: 80 };

/** The terminal's size, following resizes; 24x80 when stdout is not a terminal. */
export function useTerminalSize(): { rows: number; columns: number } {
  const { stdout } = useStdout();
  const read = () => ({ rows: stdout.rows || FALLBACK.rows, columns: stdout.columns || FALLBACK.columns });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);
  return size;
}
