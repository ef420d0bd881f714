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
  it('prints plain lines with objects, bytes, rate and ETA when not on a terminal', () => {
    const out = capture(false);
    const progress = createProgressDisplay({ stream: out.stream, tty: false });
    progress.start('copy hcl', { objects: 10, bytes: 2048 });
    progress.advance({ objects: 4, bytes: 1024 });
    progress.stop();
    expect(out.text()).toMatch(/^copy hcl: 4\/10 objects \| 1\.0 KiB\/2\.0 KiB \| .+\/s \| ETA \S+\n$/);
  });

  it('draws a bar on a terminal', () => {
    const out = capture(true);
    const progress = createProgressDisplay({ stream: out.stream, tty: true });
    progress.start('copy clb', { objects: 2, bytes: 100 });
    progress.advance({ objects: 2, bytes: 100 });
    progress.stop();
    expect(out.text()).toMatch(/copy clb \[.*\] 100% \| 2\/2 objects/);
  });

  it('masks registered secrets in notes', () => {
    const out = capture(false);
    registerSecret('very-secret-sas-signature-value');
    createProgressDisplay({ stream: out.stream, quiet: true }).note(
      'retry after ?sv=1&sig=very-secret-sas-signature-value',
    );
    expect(out.text()).not.toContain('very-secret');
  });
});
