/**
 * Bounded capture of one output stream of a hook. A hook can print without limit (a
 * `set -x` loop, a CLI dumping JSON); the audit log needs the end, where the error is,
 * so only the last `limit` bytes are kept and the text says how much was left out.
 */
import { redact } from '../secrets/redact.ts';

// A secret or a SAS can straddle the point where the kept tail starts, leaving only its
// end — which `redact` no longer recognises. So a truncated tail starts at the next line:
// the cut line is dropped whole. Lines are short in practice; when the tail holds no line
// break at all, this many bytes are dropped instead (longer than any SAS or key).
const NO_NEWLINE_DROP = 4096;

/** The captured text of one stream, already redacted. */
export interface CapturedOutput {
  text: string;
  /** Bytes of the stream that are not in `text` (0 when it is whole). */
  omittedBytes: number;
}

export class OutputTail {
  readonly #limit: number;
  readonly #label: string;
  #chunks: Buffer[] = [];
  #kept = 0;
  #total = 0;

  /** `limit`: bytes to keep; `label`: the stream's name in the truncation note. */
  constructor(limit: number, label: string) {
    this.#limit = limit;
    this.#label = label;
  }

  push(chunk: Buffer): void {
    this.#total += chunk.length;
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
    // Drop whole chunks from the front while the rest still covers the limit, so memory
    // stays near `limit` plus one chunk however much the hook prints.
    while (this.#chunks.length > 1 && this.#kept - this.#chunks[0]!.length >= this.#limit) {
      this.#kept -= this.#chunks.shift()!.length;
    }
  }

  /** The kept output, redacted, with a first line saying what was left out. */
  result(): CapturedOutput {
    let bytes = Buffer.concat(this.#chunks);
    if (bytes.length > this.#limit) bytes = bytes.subarray(bytes.length - this.#limit);
    if (bytes.length === this.#total) return { text: redact(bytes.toString('utf8')), omittedBytes: 0 };

    const newline = bytes.indexOf(0x0a);
    bytes = newline >= 0 ? bytes.subarray(newline + 1) : bytes.subarray(Math.min(NO_NEWLINE_DROP, bytes.length));
    const omitted = this.#total - bytes.length;
    const note = `[cloudexit: the first ${omitted} bytes of ${this.#label} were left out; the last ${bytes.length} follow]\n`;
    return { text: note + redact(bytes.toString('utf8')), omittedBytes: omitted };
  }
}
