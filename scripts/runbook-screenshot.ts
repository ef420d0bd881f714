/**
 * `npm run runbook:screenshot`: opens the committed HTML overview of the sample plan
 * (runbooks/emc2/overview.html) in headless Chromium and saves the top of it (window,
 * timeline, status table) as docs/runbook-overview.png, the picture the README shows.
 *
 * Also the one place that starts Chromium, for this script and the runbook tests: Debian's
 * `chromium` package driven by playwright-core, which never downloads a browser of its own.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM = process.env['CLOUDEXIT_CHROMIUM'] ?? '/usr/bin/chromium';

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * Headless Chromium on a fresh profile, with every background service off so that nothing
 * but the page under test is loaded.
 * @throws Error naming the fix when Chromium is not installed.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: npm test installs it as root on Debian; elsewhere run: sudo apt-get install -y chromium (or set CLOUDEXIT_CHROMIUM to its path)`,
    );
  }
  const profile = await mkdtemp(join(tmpdir(), 'cloudexit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 900 },
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshotOverview(html: string, png: string): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.context.newPage();
    await page.goto(pathToFileURL(resolve(html)).href);
    // The window, the timeline and the status table: what a project manager looks at first.
    const table = await page.locator('#status').boundingBox();
    const height = Math.ceil((table ? table.y + table.height : 900) + 24);
    await page.screenshot({ path: png, fullPage: true, clip: { x: 0, y: 0, width: 1280, height } });
  } finally {
    await browser.close();
  }
}

if (import.meta.main) {
  const html = process.argv[2] ?? 'runbooks/emc2/overview.html';
  const png = process.argv[3] ?? 'docs/runbook-overview.png';
  await screenshotOverview(html, png);
  process.stdout.write(`${png}\n`);
}
