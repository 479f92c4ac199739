/**
 * Headless Debian Chromium for the explorer and dashboard tests, driven over the DevTools
 * protocol by puppeteer-core. The page may reach only the server under test (loopback, one port):
 * every other request is aborted and recorded, DNS resolves nothing, so the page works offline
 * or fails. Console errors and page errors are collected.
 *
 * @module
 */
import { mkdirSync } from "node:fs";
import process from "node:process";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { pidAlive, waitFor } from "./_util.ts";

/** Where the tests keep screenshots (git-ignored). */
export const ARTIFACTS = join(new URL("..", import.meta.url).pathname, ".cache", "artifacts");

/** A browser with one page locked to one origin. */
export interface TestBrowser {
  browser: Browser;
  page: Page;
  pid: number;
  /** Console errors and uncaught page errors seen so far. */
  errors: string[];
  /** Requests to anything but the allowed origin (all aborted). */
  blocked: string[];
  close(): Promise<void>;
}

/** Starts Chromium; only `origin` (e.g. `http://127.0.0.1:1234`) is reachable from the page. */
export async function openBrowser(origin: string): Promise<TestBrowser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
  const pid = browser.process()?.pid ?? 0;
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 1000 });
  const errors: string[] = [];
  const blocked: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`pageerror: ${(e as Error).message}`));
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const u = req.url();
    if (u.startsWith(origin + "/") || u.startsWith("data:")) void req.continue();
    else {
      blocked.push(u);
      void req.abort("internetdisconnected");
    }
  });
  let closed = false;
  return {
    browser,
    page,
    pid,
    errors,
    blocked,
    async close() {
      if (closed) return;
      closed = true;
      await browser.close();
      if (pid) await waitFor(() => !pidAlive(pid), 10_000);
    },
  };
}
