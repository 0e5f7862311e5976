// The page's wiring: the catalogue in the browser's language (or --lang), the WebSocket to
// mayus, the client form, the simulator's knobs, pause/step/clear, and the answers list.

import { Diagram, fill } from "./diagram.js";

const $ = (id) => document.getElementById(id);

async function loadMessages() {
  const response = await fetch(`/messages.json?lang=${encodeURIComponent(navigator.language ?? "")}`);
  return response.json();
}

function translatePage(messages) {
  for (const node of document.querySelectorAll("[data-text]")) {
    const text = messages[node.dataset.text];
    if (text !== undefined) node.textContent = text;
  }
  document.title = messages["web.page.title"] ?? document.title;
  $("diagram-title").textContent = document.title;
}

async function main() {
  const { language, messages } = await loadMessages();
  document.documentElement.lang = language;
  translatePage(messages);
  const text = (key, parameters) => fill(messages[key] ?? key, parameters);
  const status = $("status");
  let diagram;
  let paused = false;
  /** Frames that came while paused; the oldest go when more than the diagram keeps wait. */
  const waiting = [];
  let maxWaiting = 500;
  let nextId = 1;
  const answers = new Map();

  const socket = new WebSocket(`ws://${location.host}/events?lang=${language}`);
  const send = (frame) => {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
  };

  function draw(frame) {
    if (frame.type === "event") diagram.event(frame.event);
    else if (frame.type === "retry") diagram.retry(frame.attempt);
    else if (frame.type === "answer") diagram.answer(frame);
    else if (frame.type === "simulator") diagram.network(frame.settings);
  }

  function showWaiting() {
    status.textContent = paused ? text("web.page.waiting", { count: waiting.length }) : "";
    $("step").disabled = !paused || waiting.length === 0;
  }

  function arrive(frame) {
    if (!paused) return draw(frame);
    waiting.push(frame);
    if (waiting.length > maxWaiting) waiting.shift();
    showWaiting();
  }

  function showSimulator(settings) {
    const disabled = settings === null;
    for (const id of ["drop", "duplicate", "delay", "jitter"]) $(id).disabled = disabled;
    if (disabled) return;
    $("drop").value = String(Math.round(settings.drop * 100));
    $("duplicate").value = String(Math.round(settings.duplicate * 100));
    $("delay").value = String(settings.delayMs);
    $("jitter").value = String(settings.jitterMs);
    $("drop-value").textContent = $("drop").value;
    $("duplicate-value").textContent = $("duplicate").value;
  }

  function answerItem(id, protocol, line) {
    const item = document.createElement("li");
    item.dataset.protocol = protocol;
    item.dataset.id = String(id);
    item.textContent = `${protocol.toUpperCase()} ${line} → …`;
    $("answers").append(item);
    answers.set(id, item);
  }

  function answered(frame) {
    const item = answers.get(frame.id);
    if (item === undefined) return;
    answers.delete(frame.id);
    if (frame.error === undefined) {
      item.textContent = `${frame.protocol.toUpperCase()} ${frame.line} → ${frame.answer}`;
      item.dataset.answer = frame.answer;
    } else {
      item.textContent = `${frame.protocol.toUpperCase()} ${frame.line} → ${frame.error}`;
      item.classList.add("failed");
    }
  }

  socket.addEventListener("message", (message) => {
    const frame = JSON.parse(message.data);
    if (frame.type === "hello") {
      diagram = new Diagram($("diagram"), messages, frame.limits.maxEventsKept);
      maxWaiting = frame.limits.maxEventsKept;
      for (const input of document.querySelectorAll("input[name=protocol]")) {
        input.disabled = !frame.protocols.includes(input.value);
        if (input.disabled && input.checked) input.checked = false;
      }
      const served = document.querySelector("input[name=protocol]:not(:disabled)");
      if (served && !document.querySelector("input[name=protocol]:checked")) served.checked = true;
      showSimulator(frame.simulator);
      for (const event of frame.history) diagram.event(event);
      document.body.dataset.ready = "true";
    } else if (frame.type === "skipped") {
      status.textContent = text("web.page.skipped", { count: frame.count });
    } else if (frame.type === "error") {
      status.textContent = frame.message;
      if (frame.id !== undefined) answered({ id: frame.id, protocol: "", line: "", error: frame.message });
    } else {
      if (frame.type === "answer") answered(frame);
      if (frame.type === "simulator") showSimulator(frame.settings);
      arrive(frame);
    }
  });
  socket.addEventListener("close", () => {
    status.textContent = text("web.page.disconnected");
    document.body.dataset.ready = "closed";
  });

  $("client-form").addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const protocol = document.querySelector("input[name=protocol]:checked")?.value ?? "tcp";
    const line = $("line").value;
    const id = nextId++;
    answerItem(id, protocol, line);
    send({ type: "send", id, protocol, line });
    $("line").select();
  });

  const knobsChanged = () => {
    $("drop-value").textContent = $("drop").value;
    $("duplicate-value").textContent = $("duplicate").value;
    send({
      type: "simulator",
      drop: Number($("drop").value) / 100,
      duplicate: Number($("duplicate").value) / 100,
      delayMs: Math.min(60000, Math.max(0, Number($("delay").value) || 0)),
      jitterMs: Math.min(60000, Math.max(0, Number($("jitter").value) || 0)),
    });
  };
  for (const id of ["drop", "duplicate", "delay", "jitter"]) $(id).addEventListener("change", knobsChanged);

  $("pause").addEventListener("click", () => {
    paused = !paused;
    $("pause").textContent = text(paused ? "web.page.resume" : "web.page.pause");
    $("pause").setAttribute("aria-pressed", String(paused));
    if (!paused) for (const frame of waiting.splice(0)) draw(frame);
    showWaiting();
  });
  $("step").addEventListener("click", () => {
    const frame = waiting.shift();
    if (frame !== undefined) draw(frame);
    showWaiting();
  });
  $("clear").addEventListener("click", () => {
    waiting.length = 0;
    diagram?.clear();
    showWaiting();
  });
}

main().catch((error) => {
  document.getElementById("status").textContent = String(error);
});
