import { closeSync, openSync, writeSync } from 'node:fs';

/**
 * An asciicast v2 recording (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line,
 * then one `[seconds, "o", text]` line per write to the terminal (and `[seconds, "r", "COLSxROWS"]`
 * on a resize), which `asciinema play` replays. Written as it goes, synchronously and unbuffered,
 * so that a demo cut short by Ctrl-C still leaves a playable file up to that moment.
 */
export class CastRecorder {
  private readonly fd: number;
  private readonly startedAt = process.hrtime.bigint();
  private closed = false;

  constructor(
    readonly file: string,
    header: { width: number; height: number; title?: string; env?: Record<string, string> },
  ) {
    // 'w': a recording replaces an older one of the same name (the user named the file).
    this.fd = openSync(file, 'w', 0o644);
    const line = {
      version: 2,
      width: header.width,
      height: header.height,
      timestamp: Math.floor(Date.now() / 1000),
      ...(header.title ? { title: header.title } : {}),
      env: header.env ?? { TERM: process.env.TERM ?? 'xterm-256color', SHELL: process.env.SHELL ?? '/bin/sh' },
    };
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
  }

  private seconds(): number {
    return Math.round(Number(process.hrtime.bigint() - this.startedAt) / 1000) / 1e6;
  }

  output(data: string | Uint8Array): void {
    if (this.closed) return;
    const text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    if (text === '') return;
    writeSync(this.fd, `${JSON.stringify([this.seconds(), 'o', text])}\n`);
  }

  resize(width: number, height: number): void {
    if (this.closed) return;
    writeSync(this.fd, `${JSON.stringify([this.seconds(), 'r', `${width}x${height}`])}\n`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/**
 * Records everything written to `stream` (the presenter's terminal) until the returned function is
 * called. The stream keeps working as before: the recording is a copy.
 */
export function recordStream(stream: NodeJS.WriteStream, recorder: CastRecorder): () => void {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const onResize = () => recorder.resize(stream.columns ?? 80, stream.rows ?? 24);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    recorder.output(chunk);
    return write(chunk, ...rest);
  }) as typeof stream.write;
  stream.on('resize', onResize);
  return () => {
    stream.write = write as typeof stream.write;
    stream.off('resize', onResize);
    recorder.close();
  };
}
