// `mayus serve --web` in a real Chromium (Debian's, driven by puppeteer-core; no browser is
// downloaded): the page's client sends a line over TCP and one over UDP and their arrows and
// answers appear; drop at 100 % draws a lost datagram; a terminal `mayus client`'s exchange
// shows up too; no console errors. Screenshots go to test-artifacts/ (and the lesson guides'
// pictures to docs/, rewritten by every run so they never go stale).

import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { PROJECT_ROOT, runMayus } from "./support/processes.js";
import { startWebServe, type WebServe } from "./support/web-page.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(PROJECT_ROOT, "test-artifacts");
const DOCS = join(PROJECT_ROOT, "docs");

function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === "true")
    throw new Error(`${CHROMIUM} is missing, and CI must have it: install chromium in .ci/run`);
  return false;
}

const skip = chromiumAvailable() ? false : `${CHROMIUM} is missing: apt-get install chromium to run the browser tests`;

/** A page on the server, its console errors and uncaught exceptions collected. */
async function openPage(browser: Browser, url: string, language = "en-GB"): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  // The page's language comes from navigator.language when serve has no --lang.
  // Scripts for the page are strings: tsx would add its helpers to a function, and the page has none.
  await page.evaluateOnNewDocument(
    `Object.defineProperty(navigator, "language", { get: () => ${JSON.stringify(language)} });`,
  );
  await page.setViewport({ width: 1400, height: 900 });
  await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "light" }]);
  await page.goto(url);
  await page.waitForSelector("body[data-ready=true]");
  return { page, errors };
}

/** Types a line into the page's client and sends it with Enter, over `protocol`. */
async function sendLine(page: Page, protocol: "tcp" | "udp", line: string): Promise<void> {
  await page.click(`input[name=protocol][value=${protocol}]`);
  await page.click("#line", { count: 3 });
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

/** Waits for a diagram row (an SVG `g.row`) matching `selector` whose text contains `text`. */
async function waitForRow(page: Page, selector: string, text: string): Promise<void> {
  const rows = `[...document.querySelectorAll(${JSON.stringify(selector)})]`;
  await page.waitForFunction(`${rows}.some((row) => row.textContent.includes(${JSON.stringify(text)}))`, {
    timeout: 20_000,
  });
}

describe("the page in Chromium", { skip }, () => {
  let server: WebServe;
  let browser: Browser;
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startWebServe();
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      // As root (CI containers), Chromium's sandbox cannot start.
      args: process.getuid?.() === 0 ? ["--no-sandbox"] : [],
    });
  });
  after(async () => {
    const pid = browser?.process()?.pid;
    await browser?.close();
    // Chromium and its helpers are gone with it: no process of this test is left behind.
    if (pid !== undefined) assert.throws(() => process.kill(pid, 0), { code: "ESRCH" });
    const finished = await server?.stop();
    assert.equal(finished?.code, 0, finished?.stderr);
  });

  test("a TCP line and a UDP line from the page: their arrows and answers; drop 100 % draws a lost datagram", async () => {
    const { page, errors } = await openPage(browser, server.webUrl);
    assert.equal(await page.evaluate("document.documentElement.lang"), "en");
    await waitForRow(page, "g.row[data-step=listen][data-protocol=tcp]", "listen");

    await sendLine(page, "tcp", "hola ñu");
    await page.waitForSelector('#answers li[data-protocol=tcp][data-answer="HOLA ÑU"]');
    await waitForRow(page, "g.row[data-step=recv][data-protocol=tcp]", '"hola ñu\\n"');
    await waitForRow(page, "g.row[data-step=send][data-protocol=tcp]", '"HOLA ÑU\\n"');
    // The server closes at once after the answer: close() sends its FIN, drawn as an arrow.
    await waitForRow(page, "g.row[data-step=close][data-protocol=tcp]", "FIN (close)");

    await sendLine(page, "udp", "straße");
    await page.waitForSelector('#answers li[data-protocol=udp][data-answer="STRASSE"]');
    await waitForRow(page, "g.row[data-step=recvfrom]", '"straße"');
    await waitForRow(page, "g.row[data-step=sendto]", '"STRASSE"');

    // Drop to 100 % from the keyboard: focus the slider, End.
    await page.focus("#drop");
    await page.keyboard.press("End");
    await page.waitForSelector("g.row[data-kind=network]");
    assert.equal(await page.evaluate(`document.getElementById("drop-value").textContent`), "100");
    await sendLine(page, "udp", "perdido");
    await waitForRow(page, "g.row.lost[data-step=drop][data-reason=simulated-loss]", "lost");
    await page.screenshot({ path: join(ARTIFACTS, "web-page.png") });
    await page.screenshot({ path: join(DOCS, "web-page.png") });
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: "dark" }]);
    await page.screenshot({ path: join(ARTIFACTS, "web-page-dark.png") });

    // Back to no loss, for the next test.
    await page.focus("#drop");
    await page.keyboard.press("Home");
    await page.waitForFunction(`document.querySelectorAll("g.row[data-kind=network]").length === 2`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("duplicate and delay: a reply drawn twice, a delayed one slanting down the diagram; pause and step", async () => {
    const { page, errors } = await openPage(browser, server.webUrl);
    await page.click("#clear");
    // Duplicate at 100 % from the keyboard, and a delay typed in: each change goes to the server.
    await page.focus("#duplicate");
    await page.keyboard.press("End");
    await page.click("#delay", { count: 3 });
    await page.keyboard.type("300");
    await page.keyboard.press("Tab");
    await page.waitForFunction(`[...document.querySelectorAll("g.row[data-kind=network]")].some((row) =>
      row.textContent.includes("duplicate 100 %, delay 300 ± 0 ms"))`);
    await sendLine(page, "udp", "dos veces");
    await page.waitForSelector('#answers li[data-protocol=udp][data-answer="DOS VECES"]');
    await waitForRow(page, "g.row[data-step=duplicate]", "duplicated");
    await waitForRow(page, "g.row[data-step=delay]", "delayed 300 ms");
    await page.waitForFunction(`document.querySelectorAll('g.row[data-step=sendto]').length === 2`);
    // Each copy's arrow starts at its delay row, above its own: the line slants down.
    const slants = await page.evaluate(`[...document.querySelectorAll("g.row[data-step=sendto] line")].map(
      (line) => Number(line.getAttribute("y2")) - Number(line.getAttribute("y1")))`);
    assert.equal((slants as number[]).length, 2);
    for (const slant of slants as number[]) assert.ok(slant > 0, `slant ${slant}`);

    // Paused, events wait; Step draws them one at a time.
    await page.click("#pause");
    const rowsBefore = await page.evaluate(`document.querySelectorAll("g.row").length`);
    await sendLine(page, "tcp", "en pausa");
    await page.waitForSelector('#answers li[data-protocol=tcp][data-answer="EN PAUSA"]');
    assert.equal(await page.evaluate(`document.querySelectorAll("g.row").length`), rowsBefore);
    assert.match(String(await page.evaluate(`document.getElementById("status").textContent`)), /events waiting/);
    await page.click("#step");
    assert.equal(await page.evaluate(`document.querySelectorAll("g.row").length`), Number(rowsBefore) + 1);
    await page.click("#pause");
    await waitForRow(page, "g.row[data-step=recv][data-protocol=tcp]", '"en pausa\\n"');
    await page.screenshot({ path: join(ARTIFACTS, "web-page-duplicate-delay.png") });

    // The knobs back to a plain network for the next test.
    await page.focus("#duplicate");
    await page.keyboard.press("Home");
    await page.click("#delay", { count: 3 });
    await page.keyboard.type("0");
    await page.keyboard.press("Tab");
    await page.waitForFunction(`[...document.querySelectorAll("g.row[data-kind=network]")].some((row) =>
      row.textContent.includes("duplicate 0 %, delay 0 ± 0 ms"))`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test("a terminal `mayus client`'s exchange appears in the page, in Spanish from the browser's language", async () => {
    const { page, errors } = await openPage(browser, server.webUrl, "es-ES");
    assert.equal(await page.evaluate("document.documentElement.lang"), "es");
    assert.equal(await page.evaluate(`document.getElementById("send").textContent`), "Enviar");
    await page.click("#clear");
    assert.equal(await page.evaluate(`document.querySelectorAll("g.row").length`), 0);
    const client = await runMayus(["client", "127.0.0.1", String(server.tcpPort)], "desde la terminal\n");
    assert.equal(client.code, 0, client.stderr);
    assert.equal(client.stdout.toString(), "DESDE LA TERMINAL\n");
    await waitForRow(page, "g.row[data-step=recv][data-protocol=tcp]", '"desde la terminal\\n"');
    await waitForRow(page, "g.row[data-step=send][data-protocol=tcp]", '"DESDE LA TERMINAL\\n"');
    await waitForRow(page, "g.row[data-step=recv][data-protocol=tcp]", "el cliente terminó de enviar");
    await sendLine(page, "udp", "¿qué tal?");
    await page.waitForSelector('#answers li[data-protocol=udp][data-answer="¿QUÉ TAL?"]');
    await waitForRow(page, "g.row[data-step=recvfrom]", '"¿qué tal?"');
    await waitForRow(page, "g.row[data-step=sendto]", '"¿QUÉ TAL?"');
    await page.screenshot({ path: join(ARTIFACTS, "web-page.es.png") });
    await page.screenshot({ path: join(DOCS, "web-page.es.png") });
    assert.deepEqual(errors, []);
    await page.close();
  });
});
