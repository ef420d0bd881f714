/** Every string that reaches the log file is redacted, in the message and in the fields. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { configureLog, logError, logNote } from '../../src/cli/log.ts';
import { registerSecret } from '../../src/secrets/redact.ts';

it('masks a registered secret and a SAS signature in messages, fields and errors', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'cloudexit-log-redaction-'));
  try {
    const file = join(dir, 'log.jsonl');
    const secret = 'registered-secret-value-42';
    registerSecret(secret);
    await configureLog({ logFile: file }, 'copy');
    logNote(`retry with ${secret}`, { url: 'https://a.blob/c?sv=1&sig=abcdefsignature', nested: { list: [secret] } });
    logError(new Error(`failed with ${secret}`), 1, `failed with ${secret}`);
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('abcdefsignature');
    const [note, error] = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(note).toMatchObject({ level: 'info', command: 'copy', msg: 'retry with ***', nested: { list: ['***'] } });
    expect(error).toMatchObject({ level: 'error', exitCode: 1, msg: 'failed with ***' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
