// Progress of the one-time jar download (about 110 MB): Maven in batch mode prints a
// "Downloaded from <repo>: <url> (<size> at <rate>)" line per finished file; this turns those
// into one line per jar with a running total, so a first `kafka:start` is not silent for
// seconds to minutes.

/** A file Maven finished downloading. */
export interface Downloaded {
  /** File name, e.g. `kafka_2.13-4.1.2.jar`. */
  file: string;
  /** Size in bytes, as Maven rounded it. */
  bytes: number;
}

// Maven's sizes are SI: 1 kB = 1000 B.
const UNITS: Record<string, number> = { B: 1, kB: 1e3, MB: 1e6, GB: 1e9 };
const DOWNLOADED = /Downloaded from [^:]+: (\S+) \((\d+(?:\.\d+)?) (B|kB|MB|GB) at /;

/** The file of a "Downloaded from" line of Maven's output, or null for any other line. */
export function parseDownloaded(line: string): Downloaded | null {
  const match = DOWNLOADED.exec(line);
  if (!match?.[1] || !match[2] || !match[3]) return null;
  const unit = UNITS[match[3]] ?? 1;
  return {
    file: match[1].slice(match[1].lastIndexOf("/") + 1),
    bytes: Math.round(Number(match[2]) * unit),
  };
}

/** `12.3 MB`. */
export const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** `41 kB` below a megabyte, else `6.4 MB`. */
const size = (bytes: number) => (bytes < 1e6 ? `${Math.round(bytes / 1e3)} kB` : megabytes(bytes));

/**
 * Reads Maven's output line by line: each finished jar is one `log` line with the running
 * total of everything downloaded (POMs and checksums count in the total but get no line).
 */
export function downloadProgress(log: (line: string) => void) {
  let bytes = 0;
  let jars = 0;
  return {
    line(text: string): void {
      const done = parseDownloaded(text);
      if (!done) return;
      bytes += done.bytes;
      if (!done.file.endsWith(".jar")) return;
      jars++;
      log(`  ${done.file} (${size(done.bytes)}), ${megabytes(bytes)} so far`);
    },
    /** What was downloaded until now. */
    total: () => ({ bytes, jars }),
  };
}
