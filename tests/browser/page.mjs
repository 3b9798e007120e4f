// Drives the "Verify a badge" page in Debian's headless Chromium, with JavaScript disabled (the
// page is a plain form): upload a baked PNG and read VERIFIED and the badge name; upload a
// tampered one and read the reason; check keyboard order and labels. Screenshots go to OUTDIR.
// Usage: node page.mjs URL BAKED.png TAMPERED.png OUTDIR
import { chromium } from 'playwright-core';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const [url, baked, tampered, outdir] = process.argv.slice(2);
mkdirSync(outdir, { recursive: true });
const profile = mkdtempSync(join(tmpdir(), 'ob-chromium-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  javaScriptEnabled: false,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await context.newPage();
  await page.goto(url);
  assert.equal(await page.title(), 'Verify a badge');
  // Every control has a label; Tab reaches the file input, the text area, then the button.
  assert.equal(await page.getByLabel(/Badge file/).count(), 1);
  assert.equal(await page.getByLabel(/paste the badge/).count(), 1);
  await page.keyboard.press('Tab');
  assert.equal(await page.locator('#badge:focus').count(), 1, 'Tab focuses the file input');
  await page.keyboard.press('Tab');
  assert.equal(await page.locator('#pasted:focus').count(), 1, 'then the text area');
  await page.keyboard.press('Tab');
  assert.equal(await page.locator('button:focus').count(), 1, 'then Verify');
  await page.screenshot({ path: join(outdir, 'form.png'), fullPage: true });

  await page.setInputFiles('#badge', baked);
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
  const verdict = await page.locator('#verdict').innerText();
  assert.match(verdict, /^VERIFIED/, verdict);
  assert.match(verdict, /Growth Mindset/);
  assert.equal(await page.locator('img.badge-image').count(), 1, "the badge's image is shown");
  assert.match(await page.locator('dl').innerText(), /Riverside USD/);
  await page.screenshot({ path: join(outdir, 'verified.png'), fullPage: true });
  console.log(`verified page: ${verdict}`);

  await page.goto(url);
  await page.setInputFiles('#badge', tampered);
  await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  const bad = await page.locator('#verdict').innerText();
  assert.match(bad, /^NOT VERIFIED/, bad);
  const reason = await page.locator('#reason').innerText();
  assert.match(reason, /Signature/, reason);
  assert.match(reason, /altered|does not match/, reason);
  await page.screenshot({ path: join(outdir, 'tampered.png'), fullPage: true });
  console.log(`tampered page: ${bad} — ${reason}`);
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
