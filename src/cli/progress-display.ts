/**
 * Turns engine progress into what a person sees: a live bar (bytes, objects, rate,
 * ETA) on a terminal, a plain line every few seconds in a log, nothing but notes under
 * `--json` (stdout then carries one JSON object only; everything else goes to stderr),
 * nothing at all under `--quiet`. Notes, and stages at debug level, also go to the log
 * (`--log-file`, log.ts), whatever is printed.
 */
import type { Presets, SingleBar } from 'cli-progress';
import { SILENT, type ProgressSink } from '../progress.ts';
import { formatBytes } from '../plan/sizes.ts';
import { redact } from '../secrets/redact.ts';
import { isQuiet, logDebug, logNote } from './log.ts';

export interface ProgressDisplayOptions {
  /** Draw a live bar. @default whether stderr is a terminal */
  tty?: boolean;
  /** Print nothing but notes. @default false */
  quiet?: boolean;
  /** Print nothing at all (the log still gets the notes). @default whether `--quiet` was given */
  silent?: boolean;
  /** Seconds between plain progress lines. @default 5 */
  intervalSeconds?: number;
  /** Where to write. @default process.stderr */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export async function createProgressDisplay(options: ProgressDisplayOptions = {}): Promise<ProgressSink> {
  return logged(await display(options));
}

async function display(options: ProgressDisplayOptions): Promise<ProgressSink> {
  const stream = options.stream ?? process.stderr;
  if (options.silent ?? isQuiet()) return SILENT;
  if (options.quiet) return { start() {}, advance() {}, stop() {}, note: (m) => stream.write(`${redact(m)}\n`) };
  if (!(options.tty ?? Boolean(stream.isTTY))) return lineDisplay(stream, (options.intervalSeconds ?? 5) * 1000);
  // cli-progress only for a live bar: a log, a pipe, `--json`, `--no-progress` and `--quiet`
  // never draw one, and would otherwise evaluate it (and its dependencies) at every start.
  const { default: cliProgress } = await import('cli-progress');
  return barDisplay(stream, cliProgress);
}

interface Tally {
  stage: string;
  objects: number;
  bytes: number;
  totalObjects: number;
  totalBytes: number;
  startedAt: number;
}

function rate(t: Tally): string {
  const seconds = (performance.now() - t.startedAt) / 1000;
  return seconds > 0 ? `${formatBytes(t.bytes / seconds)}/s` : '—';
}

function eta(t: Tally): string {
  const seconds = (performance.now() - t.startedAt) / 1000;
  if (t.totalBytes === 0 || t.bytes === 0) return '—';
  const left = (seconds * (t.totalBytes - t.bytes)) / t.bytes;
  return left < 90
    ? `${Math.round(left)}s`
    : left < 5400
      ? `${Math.round(left / 60)}min`
      : `${(left / 3600).toFixed(1)}h`;
}

function describe(t: Tally): string {
  const objects = t.totalObjects ? `${t.objects}/${t.totalObjects} objects` : `${t.objects} objects`;
  const bytes = t.totalBytes ? `${formatBytes(t.bytes)}/${formatBytes(t.totalBytes)}` : formatBytes(t.bytes);
  return `${objects} | ${bytes} | ${rate(t)} | ETA ${eta(t)}`;
}

function newTally(stage: string, totals: { objects: number; bytes: number }): Tally {
  return {
    stage,
    objects: 0,
    bytes: 0,
    totalObjects: totals.objects,
    totalBytes: totals.bytes,
    startedAt: performance.now(),
  };
}

/** What the bar takes from cli-progress, loaded by `display` when a bar is drawn. */
interface BarLibrary {
  SingleBar: typeof SingleBar;
  Presets: typeof Presets;
}

function barDisplay(stream: NodeJS.WritableStream, cliProgress: BarLibrary): ProgressSink {
  let tally: Tally | undefined;
  let bar: SingleBar | undefined;
  const total = (t: Tally) => (t.totalBytes > 0 ? t.totalBytes : Math.max(t.totalObjects, 1));
  const done = (t: Tally) => (t.totalBytes > 0 ? t.bytes : t.objects);
  return {
    start(stage, totals) {
      tally = newTally(stage, totals);
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: '{stage} [{bar}] {percentage}% | {detail}',
          hideCursor: true,
          clearOnComplete: false,
          barsize: 24,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total(tally), 0, { stage, detail: describe(tally) });
    },
    grow(delta) {
      if (!tally || !bar) return;
      tally.totalObjects += delta.objects ?? 0;
      tally.totalBytes += delta.bytes ?? 0;
      bar.setTotal(total(tally));
    },
    advance(delta) {
      if (!tally || !bar) return;
      tally.objects += delta.objects ?? 0;
      tally.bytes += delta.bytes ?? 0;
      bar.update(Math.min(done(tally), total(tally)), { detail: describe(tally) });
    },
    note(message) {
      // Erase the bar's line first; the bar redraws itself below on its next tick.
      stream.write(`${bar ? '\r\x1b[2K' : ''}${redact(message)}\n`);
    },
    stop() {
      bar?.stop();
      bar = undefined;
      tally = undefined;
    },
  };
}

function lineDisplay(stream: NodeJS.WritableStream, intervalMs: number): ProgressSink {
  let tally: Tally | undefined;
  let timer: NodeJS.Timeout | undefined;
  const print = () => tally && stream.write(`${tally.stage}: ${describe(tally)}\n`);
  return {
    start(stage, totals) {
      tally = newTally(stage, totals);
      timer = setInterval(print, intervalMs);
      timer.unref();
    },
    grow(delta) {
      if (!tally) return;
      tally.totalObjects += delta.objects ?? 0;
      tally.totalBytes += delta.bytes ?? 0;
    },
    advance(delta) {
      if (!tally) return;
      tally.objects += delta.objects ?? 0;
      tally.bytes += delta.bytes ?? 0;
    },
    note: (message) => stream.write(`${redact(message)}\n`),
    stop() {
      clearInterval(timer);
      print();
      tally = undefined;
    },
  };
}

/** `sink`, with its notes (and its stages, at debug level) also written to the log. */
function logged(sink: ProgressSink): ProgressSink {
  let stage: string | undefined;
  let done = { objects: 0, bytes: 0 };
  return {
    start(name, totals) {
      stage = name;
      done = { objects: 0, bytes: 0 };
      logDebug('stage started', { stage: name, totalObjects: totals.objects, totalBytes: totals.bytes });
      sink.start(name, totals);
    },
    grow(delta) {
      sink.grow?.(delta);
    },
    advance(delta) {
      done.objects += delta.objects ?? 0;
      done.bytes += delta.bytes ?? 0;
      sink.advance(delta);
    },
    note(message) {
      logNote(message, stage ? { stage } : {});
      sink.note(message);
    },
    stop() {
      if (stage) logDebug('stage ended', { stage, ...done });
      stage = undefined;
      sink.stop();
    },
  };
}
