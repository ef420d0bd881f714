import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressDisplay } from '../../src/cli/progress-display.ts';
import { registerSecret } from '../../src/secrets/redact.ts';

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString()));
  return { stream, text: () => text };
}

describe('progress display', () => {
  it('prints plain lines with objects, bytes, rate and ETA when not on a terminal', async () => {
    const out = capture(false);
    const progress = await createProgressDisplay({ stream: out.stream, tty: false });
    progress.start('copy hcl', { objects: 10, bytes: 2048 });
    progress.advance({ objects: 4, bytes: 1024 });
    progress.stop();
    expect(out.text()).toMatch(/^copy hcl: 4\/10 objects \| 1\.0 KiB\/2\.0 KiB \| .+\/s \| ETA \S+\n$/);
  });

  it('draws a bar on a terminal', async () => {
    const out = capture(true);
    const progress = await createProgressDisplay({ stream: out.stream, tty: true });
    progress.start('copy clb', { objects: 2, bytes: 100 });
    progress.advance({ objects: 2, bytes: 100 });
    progress.stop();
    expect(out.text()).toMatch(/copy clb \[.*\] 100% \| 2\/2 objects/);
  });

  it('grows its totals as a listing finds work, in lines and on a bar', async () => {
    const lines = capture(false);
    const plain = await createProgressDisplay({ stream: lines.stream, tty: false });
    plain.start('copy hcl', { objects: 0, bytes: 0 });
    plain.grow?.({ objects: 3, bytes: 3072 });
    plain.advance({ objects: 1, bytes: 1024 });
    plain.grow?.({ objects: 2, bytes: 2048 });
    plain.stop();
    expect(lines.text()).toMatch(/^copy hcl: 1\/5 objects \| 1\.0 KiB\/5\.0 KiB \| /);

    const tty = capture(true);
    const bar = await createProgressDisplay({ stream: tty.stream, tty: true });
    bar.start('copy clb', { objects: 0, bytes: 0 });
    bar.grow?.({ objects: 4, bytes: 400 });
    bar.advance({ objects: 2, bytes: 200 });
    bar.stop();
    expect(tty.text()).toMatch(/copy clb \[.*\] 50% \| 2\/4 objects/);
  });

  it('masks registered secrets in notes', async () => {
    const out = capture(false);
    registerSecret('very-secret-sas-signature-value');
    (await createProgressDisplay({ stream: out.stream, quiet: true })).note(
      'retry after ?sv=1&sig=very-secret-sas-signature-value',
    );
    expect(out.text()).not.toContain('very-secret');
  });
});
