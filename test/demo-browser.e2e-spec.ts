import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, type Locator, type Page, chromium } from 'playwright-core';
import { ParleyClient } from '../client/src';
import { type TestApp, createTestApp } from './utils/create-test-app';

/**
 * The demo page (/demo) in Debian's Chromium, driven by playwright-core: a client and a listing's
 * owner in two browser contexts chat through the SDK's browser build. A failing step leaves
 * screenshots of both pages in test-artifacts/. DEMO_SCREENSHOT=1 also writes docs/demo.png.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
const ROOT = join(__dirname, '..');

jest.setTimeout(60_000);

let server: TestApp;
let browser: Browser;
let clientContext: BrowserContext;
let ownerContext: BrowserContext;
let client: Page;
let owner: Page;

/** Runs a step; on failure saves both pages' screenshots under test-artifacts/ and rethrows. */
async function step(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    mkdirSync(ARTIFACTS, { recursive: true });
    const slug = name.replace(/[^a-z0-9]+/gi, '-').toLowerCase();
    for (const [who, page] of [
      ['client', client],
      ['owner', owner],
    ] as const) {
      if (page && !page.isClosed()) {
        await page.screenshot({ path: join(ARTIFACTS, `demo-${slug}-${who}.png`) }).catch(() => undefined);
      }
    }
    throw error;
  }
}

/** Polls until `check` holds (playwright-core has no `expect`): the web-first assertions we need. */
async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const visible = (locator: Locator, timeout = 10_000) => locator.waitFor({ state: 'visible', timeout });
const hidden = (locator: Locator, timeout = 10_000) => locator.waitFor({ state: 'hidden', timeout });
const hasAttribute = (locator: Locator, name: string, value: string, timeoutMs?: number) =>
  eventually(
    `${String(locator)} [${name}=${value}]`,
    async () => (await locator.getAttribute(name, { timeout: 200 })) === value,
    timeoutMs,
  );
const hasText = (locator: Locator, text: RegExp | string, timeoutMs?: number) =>
  eventually(
    `${String(locator)} text ${String(text)}`,
    async () => {
      const actual = (await locator.textContent({ timeout: 200 })) ?? '';
      return typeof text === 'string' ? actual.trim() === text : text.test(actual);
    },
    timeoutMs,
  );
const hasCount = (locator: Locator, count: number, timeoutMs?: number) =>
  eventually(`${String(locator)} count ${count}`, async () => (await locator.count()) === count, timeoutMs);

async function signUp(page: Page, name: string): Promise<void> {
  await page.goto(`${server.baseUrl}/demo/`);
  await page.getByTestId('auth-name').fill(name);
  await page.getByTestId('auth-email').fill(`${name.toLowerCase()}-${randomUUID()}@example.com`);
  await page.getByTestId('auth-password').fill('correct-horse-battery');
  await page.getByTestId('register').click();
  await visible(page.getByTestId('listing-title'));
}

const messages = (page: Page, text: string) => page.getByTestId('message').filter({ hasText: text });
const tick = (page: Page, text: string) => messages(page, text).getByTestId('tick');

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: the browser e2e needs Debian's chromium (apt-get install -y chromium; .ci/run installs it). Set CHROMIUM_PATH to use another binary.`,
    );
  }
  // The SDK's browser build, served at /demo/sdk/ (npm run build makes it too).
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'client/tsconfig.esm.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  server = await createTestApp();
  // Playwright gives each launch a fresh, empty profile (its own --user-data-dir).
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  clientContext = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  ownerContext = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  client = await clientContext.newPage();
  owner = await ownerContext.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('demo page in Chromium', () => {
  it('client asks about a listing; ticks go sent → delivered → read; the owner sees it live', async () => {
    await step('sign up and open a conversation', async () => {
      await Promise.all([signUp(owner, 'Olga'), signUp(client, 'Carlos')]);
      await owner.getByTestId('listing-title').fill('Flat in Miraflores');
      await owner.getByTestId('create-listing').click();
      await eventually('listing id', async () =>
        Boolean((await owner.getByTestId('listing-id').textContent())?.trim()),
      );
      const listingId = (await owner.getByTestId('listing-id').textContent())!.trim();
      await client.getByTestId('open-listing-id').fill(listingId);
      await client.getByTestId('open-conversation').click();
      await visible(client.getByTestId('chat'));
      await hidden(client.getByTestId('conn-banner'));
      await hasAttribute(client.getByTestId('presence'), 'data-online', 'false');
    });

    await step('send before the owner opens it: sent', async () => {
      await client.getByTestId('composer').fill('Hola, ¿sigue disponible?');
      await client.getByTestId('send').click();
      await hasAttribute(tick(client, 'Hola, ¿sigue disponible?'), 'data-state', 'sent');
    });

    await step('owner sees an unread badge, opens it: delivered then read', async () => {
      const item = owner.getByTestId('conversation');
      await hasText(item.getByTestId('unread-badge'), '1', 10_000);
      await item.click();
      await hasCount(messages(owner, 'Hola, ¿sigue disponible?'), 1);
      const clientTick = tick(client, 'Hola, ¿sigue disponible?');
      await hasAttribute(clientTick, 'data-state', 'read');
      const history = (await clientTick.getAttribute('data-history'))!.split(' ');
      expect(history.filter((state) => state !== 'pending')).toEqual(['sent', 'delivered', 'read']);
      await hasAttribute(client.getByTestId('presence'), 'data-online', 'true');
    });

    await step('a message arrives live', async () => {
      await client.getByTestId('composer').fill('¿Acepta mascotas?');
      await client.getByTestId('send').click();
      await hasCount(messages(owner, '¿Acepta mascotas?'), 1);
      await hasAttribute(tick(client, '¿Acepta mascotas?'), 'data-state', 'read');
    });
  });

  it('typing shows and hides', async () => {
    await step('typing', async () => {
      await owner.getByTestId('composer').fill('Sí, cla');
      await visible(client.getByTestId('typing'));
      if (process.env.DEMO_SCREENSHOT) {
        await owner.getByTestId('composer').fill('Sí, claro. ¿Cuándo quiere verlo?');
        await owner.getByTestId('send').click();
        await hasCount(messages(client, 'Sí, claro'), 1);
        await client.getByTestId('composer').fill('Mañana a las 10');
        await visible(owner.getByTestId('typing'));
        await owner.screenshot({ path: join(ROOT, 'docs', 'demo.png') });
        await client.getByTestId('composer').fill('');
        await owner.getByTestId('composer').fill('Sí');
        await visible(client.getByTestId('typing'));
      }
      await owner.getByTestId('composer').fill('');
      await hidden(client.getByTestId('typing'));
    });
  });

  it('a message sent offline is queued and delivered once when back online', async () => {
    await step('offline send', async () => {
      await clientContext.setOffline(true);
      await visible(client.getByTestId('conn-banner'), 15_000);
      await hasText(client.getByTestId('conn-banner'), /reconnecting/i);
      await client.getByTestId('composer').fill('Enviado sin conexión');
      await client.getByTestId('send').click();
      await hasAttribute(tick(client, 'Enviado sin conexión'), 'data-state', 'pending');
      await owner.waitForTimeout(500);
      await hasCount(messages(owner, 'Enviado sin conexión'), 0);
    });
    await step('back online', async () => {
      await clientContext.setOffline(false);
      await hidden(client.getByTestId('conn-banner'), 15_000);
      await hasCount(messages(owner, 'Enviado sin conexión'), 1);
      await hasAttribute(tick(client, 'Enviado sin conexión'), 'data-state', 'read');
      await owner.waitForTimeout(500);
      await hasCount(messages(owner, 'Enviado sin conexión'), 1);
      await hasCount(messages(client, 'Enviado sin conexión'), 1);
    });
  });

  it('scrolling up loads older messages', async () => {
    await step('history', async () => {
      // 40 more messages over REST with the client's own token (the demo shows the newest 30).
      // Expressions as strings: this project's TypeScript has no DOM typings.
      const token = await client.evaluate<string | null>("sessionStorage.getItem('parley.token')");
      const conversationId = await client
        .getByTestId('conversation')
        .first()
        .getAttribute('data-conversation-id');
      const sdk = new ParleyClient({ baseUrl: server.baseUrl, getToken: () => token! });
      for (let i = 1; i <= 40; i += 1) await sdk.sendMessage(conversationId!, { content: `Old #${i}` });
      await client.reload();
      await client.getByTestId('conversation').first().click();
      await hasCount(client.getByTestId('message'), 30);
      await hasCount(messages(client, 'Hola, ¿sigue disponible?'), 0);
      await client.evaluate("document.querySelector('[data-testid=messages]').scrollTo(0, 0)");
      await eventually(
        'more than 30 messages',
        async () => (await client.getByTestId('message').count()) > 30,
      );
      await hasCount(messages(client, 'Hola, ¿sigue disponible?'), 1);
    });
  });

  it("closing the owner's window shows them offline with a last seen time", async () => {
    await step('owner leaves', async () => {
      await ownerContext.close();
      await hasAttribute(client.getByTestId('presence'), 'data-online', 'false');
      await hasText(client.getByTestId('last-seen'), /last seen/);
    });
  });
});
