#!/usr/bin/env node
// Entry point for `npx cloudexit`. The sources are TypeScript run directly by Node 24
// (type stripping); older Node versions cannot load them, so say so plainly.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `cloudexit needs Node.js 24 or later (this is ${process.version}).\n` +
      '  fix: run it through npm, which uses the Node 24 pinned in node_modules: `npx cloudexit …` or `npm run cloudexit -- …`\n',
  );
  process.exit(2);
}
const { main, exitQuietlyOnClosedPipe } = await import('../src/cli/main.ts');
exitQuietlyOnClosedPipe();
process.exitCode = await main(process.argv.slice(2));
