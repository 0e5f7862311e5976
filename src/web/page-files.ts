/**
 * What the web server serves over HTTP: the page's files (they ship in the package, read
 * once at start), the part of the catalogues the page needs as JSON, and the checks that
 * keep other sites and DNS rebinding away from it.
 */

import { readFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import { catalogue, type Language } from "../i18n/index.js";

/** The page's files, by URL path; nothing else on disk is reachable. */
const FILES: Record<string, { file: string; type: string }> = {
  "/": { file: "index.html", type: "text/html; charset=utf-8" },
  "/app.js": { file: "app.js", type: "text/javascript; charset=utf-8" },
  "/diagram.js": { file: "diagram.js", type: "text/javascript; charset=utf-8" },
  "/style.css": { file: "style.css", type: "text/css; charset=utf-8" },
};

/** Catalogue keys the page shows (its own words, and the reasons a datagram or connection is refused). */
const PAGE_KEY_PREFIXES = ["web.page.", "trace.reason.", "trace.refusal.", "trace.newSocket", "trace.clientFinished"];

export interface PageFile {
  body: Buffer;
  type: string;
}

/** Reads the files from `assets/` beside this module (dist/web/assets once built). */
export function loadPageFiles(folder = new URL("./assets/", import.meta.url)): Map<string, PageFile> {
  const files = new Map<string, PageFile>();
  for (const [path, { file, type }] of Object.entries(FILES)) {
    files.set(path, { body: readFileSync(new URL(file, folder)), type });
  }
  return files;
}

/** `--lang` when given, else the language the browser asks for, else English. */
export function pageLanguage(requested: string | null | undefined, forced: Language | undefined): Language {
  if (forced !== undefined) return forced;
  return requested?.trim().toLowerCase().startsWith("es") ? "es" : "en";
}

/** The messages the page needs, in one language. */
export function pageMessages(language: Language): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const [key, text] of Object.entries(catalogue(language))) {
    if (PAGE_KEY_PREFIXES.some((prefix) => key.startsWith(prefix))) messages[key] = text;
  }
  return messages;
}

/**
 * Whether the request names this server by an address or `localhost` (or the `--web-host`
 * name): a page on another site that got its name to resolve here (DNS rebinding) is refused.
 */
export function hostAllowed(request: IncomingMessage, webHost: string): boolean {
  const host = request.headers.host;
  if (host === undefined) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${host}`).hostname.replace(/^\[|\]$/g, "");
  } catch {
    return false;
  }
  return isIP(hostname) !== 0 || hostname === "localhost" || hostname === webHost;
}

/** A WebSocket from a browser must come from this page (a program that sends no Origin is not a browser). */
export function originAllowed(request: IncomingMessage): boolean {
  const origin = request.headers.origin;
  return origin === undefined || origin === `http://${request.headers.host}`;
}

/** Headers of every answer: nothing from elsewhere, no sniffing, no caching, no referrer. */
export function securityHeaders(host: string): Record<string, string> {
  return {
    "content-security-policy": `default-src 'self'; connect-src 'self' ws://${host}; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`,
    "x-content-type-options": "nosniff",
    "cache-control": "no-store",
    "referrer-policy": "no-referrer",
  };
}
