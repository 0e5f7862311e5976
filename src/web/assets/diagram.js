// The sequence diagram: one SVG row per trace event, arrows between the client, network and
// server lanes, each connection or UDP peer in its own colour with its address beside it.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 1200;
const ROW_HEIGHT = 60;
const LANE_X = { client: 200, network: 600, server: 1000 };
const PALETTE_SIZE = 8;

/** Fills `{name}` placeholders of a catalogue message. */
export function fill(template, parameters = {}) {
  return String(template ?? "").replace(/\{(\w+)\}/g, (whole, name) => (name in parameters ? parameters[name] : whole));
}

function element(name, attributes = {}, text) {
  const created = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) created.setAttribute(key, String(value));
  if (text !== undefined) created.textContent = text;
  return created;
}

export class Diagram {
  /** @param {SVGSVGElement} svg @param {Record<string, string>} messages */
  constructor(svg, messages, maxRows) {
    this.svg = svg;
    this.messages = messages;
    this.maxRows = maxRows;
    this.rows = [];
    this.peerColours = new Map();
    /** Replies waiting in the simulated network, per peer: the row their arrow starts from. */
    this.delayed = new Map();
    this.lanes = element("g");
    this.body = element("g");
    svg.append(this.lanes, this.body);
    this.#layout();
  }

  /** The word for a key, or the key itself when the catalogue lacks it. */
  text(key, parameters) {
    return fill(this.messages[key] ?? key, parameters);
  }

  clear() {
    this.body.replaceChildren();
    this.rows = [];
    this.delayed.clear();
    this.#layout();
  }

  /** One trace event (see src/web/event-frames.ts for its fields). */
  event(event) {
    const row = this.#row("event", event);
    const { step, protocol, peer = "" } = event;
    const payload = event.payload === undefined ? "" : ` "${event.payload}"`;
    const size = event.bytes === undefined ? "" : ` ${this.text("web.page.bytes", { count: event.bytes })}`;
    const { client, network, server } = LANE_X;
    if (["socket", "bind", "listen"].includes(step) || (step === "close" && protocol === "udp")) {
      this.#mark(row, server, `${step} ${peer}`.trim(), "server");
    } else if (step === "accept") {
      this.#arrow(row, client, server, `accept (${this.text("trace.newSocket")})`);
    } else if ((step === "recv" || step === "recvfrom") && event.bytes !== 0) {
      this.#arrow(row, client, server, `${step}${size}${payload}`);
    } else if (step === "recv") {
      this.#arrow(row, client, server, `FIN · recv 0 (${this.text("trace.clientFinished")})`);
    } else if (step === "send") {
      this.#arrow(row, server, client, `send${size}${payload}`);
    } else if (step === "sendto") {
      this.#arrow(row, server, client, `sendto${size}${payload}`, { fromRow: this.#takeDelayed(peer) });
    } else if (step === "shutdown") {
      this.#arrow(row, server, client, "FIN (shutdown)");
    } else if (step === "close" && event.sendsFin) {
      this.#arrow(row, server, client, "FIN (close)");
    } else if (step === "close") {
      this.#mark(row, server, "close", "server");
    } else if (step === "refuse") {
      row.g.classList.add("refused");
      this.#arrow(row, client, server, `${this.text("web.page.refused")}: ${this.#reason(event)}`, { cross: true });
    } else if (step === "drop" && event.reason === "simulated-loss") {
      row.g.classList.add("lost");
      this.#arrow(row, server, network, `sendto · ${this.text("web.page.lost")}`, { cross: true });
    } else if (step === "drop") {
      row.g.classList.add("refused");
      this.#mark(row, server, `${this.text("web.page.refused")}: ${this.#reason(event)}`, "server");
    } else if (step === "duplicate") {
      this.#mark(row, network, this.text("web.page.duplicated"), "network");
    } else if (step === "delay") {
      const ms = Math.round(event.delayMs ?? 0);
      this.#mark(row, network, this.text("web.page.delayed", { ms }), "network");
      const queue = this.delayed.get(peer) ?? [];
      queue.push({ row, dueMs: event.atMs + (event.delayMs ?? 0) });
      this.delayed.set(peer, queue);
    } else {
      this.#mark(row, server, `${step} ${event.note ?? ""}`, "server");
    }
    this.#finish();
  }

  /** A line the page's client sent again (the UDP client's retransmission). */
  retry(attempt) {
    const row = this.#row("retry", {});
    this.#mark(row, LANE_X.client, this.text("web.page.retry", { attempt }), "client");
    this.#finish();
  }

  /** The page's client got its answer (or gave up). */
  answer(frame) {
    const row = this.#row("answer", { protocol: frame.protocol });
    if (frame.error !== undefined) row.g.classList.add("failed");
    const shown = frame.error === undefined ? `"${frame.answer}"` : this.text("web.page.error");
    this.#mark(row, LANE_X.client, `${frame.protocol.toUpperCase()} ${shown}`, "client");
    this.#finish();
  }

  /** The simulator's knobs changed. */
  network(settings) {
    const row = this.#row("network", {});
    const parameters = {
      drop: Math.round(settings.drop * 100),
      duplicate: Math.round(settings.duplicate * 100),
      delay: settings.delayMs,
      jitter: settings.jitterMs,
    };
    this.#mark(row, LANE_X.network, this.text("web.page.networkChanged", parameters), "network");
    this.#finish();
  }

  #reason(event) {
    if (event.reason === undefined) return event.note ?? "";
    const key = event.protocol === "tcp" ? `trace.refusal.${event.reason}` : `trace.reason.${event.reason}`;
    return this.messages[key] ?? event.note ?? event.reason;
  }

  #takeDelayed(peer) {
    const queue = this.delayed.get(peer);
    if (queue === undefined || queue.length === 0) return undefined;
    // The reply due first leaves first: that is how delayed replies overtake each other.
    let first = 0;
    for (let index = 1; index < queue.length; index++) if (queue[index].dueMs < queue[first].dueMs) first = index;
    const [taken] = queue.splice(first, 1);
    return taken.row;
  }

  #colourOf(peer) {
    if (!this.peerColours.has(peer)) this.peerColours.set(peer, this.peerColours.size % PALETTE_SIZE);
    return this.peerColours.get(peer);
  }

  #row(kind, event) {
    const g = element("g", { class: "row", "data-kind": kind });
    for (const name of ["step", "protocol", "peer", "reason"]) {
      if (event[name] !== undefined) g.setAttribute(`data-${name}`, event[name]);
    }
    if (event.peer) {
      g.classList.add(`peer-${this.#colourOf(event.peer)}`);
      g.append(element("text", { x: 8, y: 38, class: "peer-text" }, `${event.protocol} ${event.peer}`));
    }
    const row = { g };
    this.rows.push(row);
    this.body.append(g);
    return row;
  }

  #arrow(row, fromX, toX, label, options = {}) {
    const g = element("g", { class: "arrow" });
    const y = 44;
    let startY = y;
    const fromIndex = options.fromRow === undefined ? -1 : this.rows.indexOf(options.fromRow);
    if (options.fromRow !== undefined) startY = y - (this.rows.length - 1 - Math.max(fromIndex, -1)) * ROW_HEIGHT;
    const direction = Math.sign(toX - fromX);
    const tipX = toX - direction * 4;
    g.append(element("line", { x1: fromX, y1: startY, x2: tipX - direction * 14, y2: y }));
    if (options.cross) {
      g.append(
        element("path", {
          d: `M${toX - 12} ${y - 12} L${toX + 12} ${y + 12} M${toX - 12} ${y + 12} L${toX + 12} ${y - 12}`,
        }),
      );
    } else {
      g.append(
        element("polygon", {
          points: `${tipX},${y} ${tipX - direction * 18},${y - 9} ${tipX - direction * 18},${y + 9}`,
        }),
      );
    }
    const middle = (Math.min(fromX, toX) + Math.max(fromX, toX)) / 2;
    g.append(element("text", { x: middle, y: 30, "text-anchor": "middle", class: "label" }, label));
    g.append(element("title", {}, label));
    row.g.append(g);
  }

  #mark(row, x, label, lane) {
    const g = element("g", { class: "mark" });
    g.append(element("circle", { cx: x, cy: 38, r: 7 }));
    // Server marks read leftwards from the lane, client marks rightwards, network ones centred on it.
    const placed = {
      server: { x: x - 16, y: 45, "text-anchor": "end" },
      client: { x: x + 16, y: 45, "text-anchor": "start" },
      network: { x, y: 24, "text-anchor": "middle" },
    }[lane];
    g.append(element("text", placed, label));
    row.g.append(g);
  }

  /** Keeps the last `maxRows` rows, places them, and scrolls to the newest. */
  #finish() {
    while (this.rows.length > this.maxRows) this.rows.shift().g.remove();
    this.#layout();
    const scroller = this.svg.parentElement;
    if (scroller) scroller.scrollTop = scroller.scrollHeight;
  }

  #layout() {
    const height = Math.max(1, this.rows.length) * ROW_HEIGHT + 20;
    this.svg.setAttribute("viewBox", `0 0 ${WIDTH} ${height}`);
    this.lanes.replaceChildren(
      ...Object.values(LANE_X).map((x) => element("line", { class: "lane", x1: x, y1: 0, x2: x, y2: height })),
    );
    for (const [index, row] of this.rows.entries())
      row.g.setAttribute("transform", `translate(0 ${index * ROW_HEIGHT})`);
  }
}
