// council web UI. Model output is untrusted: every piece of it becomes a text node
// (textContent), never HTML. Only the graph drawings, made by the server's Graphviz, are
// inserted as SVG markup. The Content-Security-Policy forbids inline scripts as well.
"use strict";

const state = {
  threadId: null,
  turnId: null,
  source: null,
  runs: [],
  selectedRuns: new Set(),
  openRun: null,
  runModified: null,
  problemOffset: 0,
};
window.councilLatencies = []; // ms from the server producing a step to this page showing it

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("data-")) node.setAttribute(key, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

async function api(path, options) {
  const response = await fetch(path, options);
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (_) { body = text; }
  if (!response.ok) {
    const detail = body && body.detail ? body.detail : text;
    throw new Error(typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return body;
}

function setStatus(text) { document.getElementById("status").textContent = text; }
function q(params) { return new URLSearchParams(params).toString(); }

// -- tabs -------------------------------------------------------------------------------
function showView(name) {
  for (const tab of document.querySelectorAll(".tab")) tab.classList.toggle("active", tab.dataset.view === name);
  for (const view of document.querySelectorAll(".view")) view.classList.toggle("active", view.id === "view-" + name);
  if (name === "runs" && !state.runs.length) loadRuns();
  if (name === "graphs" && !document.getElementById("graph-svg").children.length) showGraph();
}

// -- graphs -----------------------------------------------------------------------------
async function graphView(name) { return api("/api/graphs/view?" + q({ name })); }

function putSvg(container, svg) {
  container.innerHTML = svg; // made by the server's Graphviz from node names, not model output
}

function nodeElement(container, name) {
  return container.querySelector('[id="' + CSS.escape("node-" + name) + '"]');
}

function highlight(container, name, phase) {
  const node = nodeElement(container, name);
  if (!node) return;
  if (phase === "start") {
    node.classList.add("running");
  } else {
    node.classList.remove("running");
    node.classList.add("ran");
  }
}

function clearHighlights(container) {
  for (const node of container.querySelectorAll("g.node")) node.classList.remove("running", "ran");
}

async function drawChatGraph() {
  const name = document.getElementById("graph-picker").value;
  const box = document.getElementById("chat-graph");
  try {
    putSvg(box, (await graphView(name)).svg);
  } catch (error) {
    box.replaceChildren(el("div", { class: "error" }, error.message));
  }
}

async function showGraph() {
  const file = document.getElementById("graph-file").value.trim();
  const name = file || document.getElementById("graph-select").value;
  const svgBox = document.getElementById("graph-svg");
  const agents = document.getElementById("graph-agents");
  const branches = document.getElementById("graph-branches");
  try {
    const view = await graphView(name);
    putSvg(svgBox, view.svg);
    branches.replaceChildren(el("h3", {}, "Conditions"));
    if (!view.branches.length) branches.append(el("p", { class: "muted" }, "no branches: edges only"));
    for (const branch of view.branches) {
      const list = el("ul", {});
      for (const route of branch.routes) list.append(el("li", {}, "when ", el("code", {}, route.when), " → " + route.to.join(", ")));
      list.append(el("li", {}, "otherwise → " + branch.otherwise.join(", ")));
      branches.append(el("div", {}, el("strong", {}, "after " + branch.source), list));
    }
    agents.replaceChildren();
    if (view.card) agents.append(cardNode(view.card));
    agents.append(el("h3", {}, "Agents"));
    for (const agent of view.agents) {
      agents.append(el("div", { class: "agent-card" },
        el("strong", {}, agent.name), " ", el("span", { class: "muted" }, agent.role + " → " + agent.output),
        agent.tools.length ? el("div", { class: "muted" }, "tools: " + agent.tools.join(", ")) : null,
        el("div", { class: "muted" }, "system"), el("pre", {}, agent.system || "(none)"),
        el("div", { class: "muted" }, "task"), el("pre", {}, agent.task),
        agent.followup ? el("div", { class: "muted" }, "follow-up") : null,
        agent.followup ? el("pre", {}, agent.followup) : null));
    }
    const builtins = Object.entries(view.builtins);
    if (builtins.length) agents.append(el("p", { class: "muted" }, "built-in nodes: " + builtins.map(([n, b]) => n + " (" + b + ")").join(", ")));
  } catch (error) {
    svgBox.replaceChildren(el("div", { class: "error" }, error.message));
  }
}

// A built-in protocol's card: what a run uses, every default shown (as `council graph show`).
function cardNode(card) {
  const ref = card.reference;
  const rows = Object.entries(card.roles).map(([name, role]) => {
    const d = role.decoding;
    return el("tr", {}, el("td", {}, name), el("td", {}, role.agent), el("td", {}, role.count),
      el("td", {}, String(d.temperature)), el("td", {}, d.top_p == null ? "-" : String(d.top_p)),
      el("td", {}, d.max_tokens == null ? "no cap" : String(d.max_tokens)),
      el("td", {}, d.stop ? d.stop.map((x) => JSON.stringify(x)).join(" ") : "-"));
  });
  const head = el("tr", {}, ...["role", "agent", "count", "temperature", "top_p", "max_tokens", "stop"].map((h) => el("th", {}, h)));
  const options = Object.entries(card.options).map(([k, v]) => k + "=" + JSON.stringify(v)).join(", ") || "none";
  return el("div", { class: "protocol-card" },
    el("h3", {}, card.name), el("p", {}, card.summary),
    ref ? el("p", { class: "muted" }, "reference: " + ref.paper + (ref.repository ? " (" + ref.repository + (ref.commit ? " @ " + ref.commit.slice(0, 7) : "") + ")" : "")) : null,
    el("p", { class: "muted" }, "options: " + options + "; round bound " + card.rounds),
    el("table", {}, head, ...rows),
    el("p", {}, "answer: " + card.answer_rule),
    ...card.deviations.map((d) => el("p", { class: "muted" }, "deviation: " + d)));
}

// -- chat -------------------------------------------------------------------------------
function stepNode(step) {
  const who = step.agent && step.agent.startsWith(step.role) ? step.agent : step.role;
  const label = who + (step.round ? " r" + step.round : "");
  const node = el("div", { class: "step", "data-role": step.role, "data-kind": step.kind });
  node.append(el("span", { class: "who" }, label));
  if (!["plan", "solution", "verdict", "critique", "answer"].includes(step.kind)) node.append(el("span", { class: "kind" }, step.kind));
  if (step.kind === "tool" && step.tool) {
    const args = step.tool.arguments && step.tool.arguments.code !== undefined ? step.tool.arguments.code : JSON.stringify(step.tool.arguments);
    node.append(el("span", { class: "kind" }, "tool " + step.tool.tool), el("div", {}, args), el("div", { class: "muted" }, "→ " + step.content));
  } else {
    node.append(el("span", { class: "content" }, step.content));
  }
  return node;
}

function renderTurn(turn) {
  const box = el("div", { class: "turn" }, el("div", { class: "question" }, turn.question));
  for (const step of turn.steps || []) if (step.kind !== "final") box.append(stepNode(step));
  box.append(el("div", { class: "answer" }, "answer: " + (turn.answer ?? "(no answer)"), el("span", { class: "muted" }, "  " + turn.status + " · " + turn.graph)));
  return box;
}

async function loadThreads() {
  const list = document.getElementById("thread-list");
  const threads = await api("/api/threads");
  list.replaceChildren(...threads.map((t) => el("li", {
    class: t.thread_id === state.threadId ? "active" : "", title: t.last_question,
    "data-thread": t.thread_id, onclick: () => openThread(t.thread_id),
  }, t.last_question)));
}

async function openThread(threadId) {
  state.threadId = threadId;
  const thread = await api("/api/threads/" + encodeURIComponent(threadId));
  const turns = document.getElementById("turns");
  turns.replaceChildren(...thread.turns.map(renderTurn));
  const last = thread.turns[thread.turns.length - 1];
  if (last) {
    document.getElementById("graph-picker").value = last.graph;
    document.getElementById("model-picker").value = last.model || "";
    drawChatGraph();
  }
  document.getElementById("thread-label").textContent = "thread " + threadId;
  loadThreads();
}

function newThread() {
  state.threadId = null;
  document.getElementById("turns").replaceChildren();
  document.getElementById("thread-label").textContent = "new thread";
  loadThreads();
}

async function ask(event) {
  event.preventDefault();
  const input = document.getElementById("question");
  const question = input.value.trim();
  if (!question || state.turnId) return;
  const body = {
    question,
    thread_id: state.threadId,
    graph: document.getElementById("graph-picker").value,
    model: document.getElementById("model-picker").value.trim() || null,
  };
  let started;
  try {
    started = await api("/api/turns", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  } catch (error) {
    document.getElementById("turns").append(el("div", { class: "error" }, error.message));
    return;
  }
  input.value = "";
  state.threadId = started.thread_id;
  state.turnId = started.turn_id;
  document.getElementById("thread-label").textContent = "thread " + started.thread_id;
  document.getElementById("stop").disabled = false;
  document.getElementById("ask").disabled = true;
  const graphBox = document.getElementById("chat-graph");
  clearHighlights(graphBox);
  const box = el("div", { class: "turn streamed", "data-turn": started.turn_id }, el("div", { class: "question" }, question));
  document.getElementById("turns").append(box);
  setStatus("thinking…");
  const source = new EventSource("/api/turns/" + started.turn_id + "/events");
  state.source = source;
  source.onmessage = (message) => {
    const ev = JSON.parse(message.data);
    if (ev.type === "node") highlight(graphBox, ev.node, ev.phase);
    else if (ev.type === "step") {
      window.councilLatencies.push(Date.now() - ev.emitted_at);
      if (ev.step.kind !== "final") box.append(stepNode(ev.step));
    } else if (ev.type === "result") {
      const run = ev.result, total = run.usage.total;
      box.append(el("div", { class: "answer" }, "answer: " + (run.answer ?? "(no answer)"),
        el("span", { class: "muted" }, "  " + run.status + " · " + total.total_tokens + " tokens in " + total.calls + " calls · " + run.seconds.toFixed(3) + " s")));
      if (run.failure) box.append(el("div", { class: "error" }, "error: " + run.failure));
    } else if (ev.type === "error") box.append(el("div", { class: "error" }, "error: " + ev.message));
    else if (ev.type === "stopped") box.append(el("div", { class: "error" }, "(turn stopped)"));
    else if (ev.type === "end") finishTurn();
    box.scrollIntoView({ block: "end" });
  };
  source.onerror = () => finishTurn();
}

function finishTurn() {
  if (state.source) state.source.close();
  state.source = null;
  state.turnId = null;
  document.getElementById("stop").disabled = true;
  document.getElementById("ask").disabled = false;
  setStatus("");
  loadThreads();
}

async function stopTurn() {
  if (state.turnId) await api("/api/turns/" + state.turnId + "/stop", { method: "POST" });
}

// -- runs -------------------------------------------------------------------------------
function pct(x) { return (100 * x).toFixed(1) + "%"; }

async function loadRuns() {
  const root = document.getElementById("runs-root").value.trim();
  const table = document.getElementById("run-list");
  try {
    state.runs = await api("/api/runs" + (root ? "?" + q({ root }) : ""));
  } catch (error) {
    table.replaceChildren(el("tr", {}, el("td", { class: "error" }, error.message)));
    return;
  }
  const header = el("tr", {}, el("th", {}, "compare"), el("th", {}, "run"), el("th", {}, "path"), el("th", {}, ""));
  table.replaceChildren(header, ...state.runs.map((run) => el("tr", { class: "clickable", "data-run": run.path },
    el("td", {}, el("input", { type: "checkbox", checked: state.selectedRuns.has(run.path), onclick: (e) => { e.stopPropagation(); toggleRun(run.path, e.target.checked); } })),
    el("td", { onclick: () => openRun(run.path) }, run.name),
    el("td", { class: "muted", onclick: () => openRun(run.path) }, run.path),
    el("td", {}, run.live ? el("span", { class: "live" }, "live") : ""))));
  if (!state.runs.length) table.append(el("tr", {}, el("td", { class: "muted" }, "no runs here: give a `council bench --out` directory")));
  if (state.runs.length && !state.openRun) openRun(state.runs[0].path);
  drawChart();
}

function toggleRun(path, on) {
  if (on) state.selectedRuns.add(path); else state.selectedRuns.delete(path);
  drawChart();
  drawCompare();
}

async function openRun(path) {
  const samePage = state.openRun === path;  // a live run re-read: stay on the page shown
  state.openRun = path;
  const view = await api("/api/runs/view?" + q({ path }));
  state.runModified = view.info.modified;
  const s = view.summary;
  const rows = [
    ["run", view.info.path], ["state", view.info.live ? "live (being written)" : "finished"],
    ["accuracy (errors wrong)", pct(s.accuracy) + "  (95% CI " + pct(s.ci95_low) + "–" + pct(s.ci95_high) + ")"],
    ["accuracy (graded only)", pct(s.accuracy_graded) + " of " + s.graded],
    ["problems / errors", s.problems + " / " + s.errors], ["extraction failures", pct(s.extraction_failure_rate)],
    ["truncated replies", view.truncated_calls + " calls in " + view.truncated_problems + " problems"],
    ["tokens per problem", s.tokens_per_problem.toFixed(0)], ["calls per problem", s.calls_per_problem.toFixed(1)],
    ["seconds per problem", s.seconds_per_problem.toFixed(2)], ["stopped early", pct(s.stopped_early_share)],
  ];
  if (view.config && view.config.protocol) rows.splice(1, 0, ["protocol", String(view.config.protocol)]);
  if (s.usage) {
    for (const [kind, usages] of [["role", s.usage.by_role], ["agent", s.usage.by_agent]]) {
      const parts = Object.entries(usages).map(([name, u]) => name + " " + u.total_tokens + " tokens in " + u.calls + " calls, " + u.seconds.toFixed(1) + " s" + (u.cost_usd == null ? "" : ", $" + u.cost_usd.toFixed(5)));
      rows.push(["usage by " + kind, parts.join("; ") || "—"]);
    }
  }
  const list = el("dl", {});
  for (const [k, v] of rows) list.append(el("dt", {}, k), el("dd", { class: k === "state" && view.info.live ? "live" : "" }, v));
  const box = el("div", { class: "summary" }, el("h3", {}, "Summary"), list);
  if (view.errors.length) {
    box.append(el("h4", {}, "Errors"));
    box.append(el("ul", {}, ...view.errors.map(([pid, message]) => el("li", {}, el("code", {}, pid), " " + message))));
  }
  document.getElementById("run-summary").replaceChildren(box);
  if (!state.selectedRuns.size) { state.selectedRuns.add(path); drawChart(); }
  await loadProblems(samePage ? state.problemOffset : 0);
}

async function loadProblems(offset = 0) {
  if (!state.openRun) return;
  state.problemOffset = offset;
  const outcome = document.getElementById("problem-filter").value;
  const params = { path: state.openRun, offset };
  if (outcome) params.outcome = outcome;
  const page = await api("/api/runs/problems?" + q(params));
  const rows = page.rows;
  const table = document.getElementById("problem-table");
  const header = el("tr", {}, ...["problem", "outcome", "predicted", "gold", "tokens", "calls", "truncated", "question"].map((h) => el("th", {}, h)));
  table.replaceChildren(header, ...rows.map((r) => el("tr", { class: "clickable", "data-problem": r.problem_id, onclick: () => openTranscript(r.problem_id) },
    el("td", {}, r.problem_id), el("td", { class: "outcome-" + r.outcome }, r.outcome.replace("_", " ")),
    el("td", {}, r.predicted ?? "—"), el("td", {}, r.gold), el("td", {}, r.tokens), el("td", {}, r.calls),
    el("td", {}, r.truncated_calls || ""), el("td", {}, r.question.length > 120 ? r.question.slice(0, 119) + "…" : r.question))));
  const pager = document.getElementById("problem-pages");
  const shown = rows.length ? (page.offset + 1) + "–" + (page.offset + rows.length) + " of " + page.total : "none of " + page.total;
  pager.replaceChildren(
    el("button", { id: "problems-previous", disabled: page.offset === 0, onclick: () => loadProblems(Math.max(0, page.offset - page.limit)) }, "‹ previous"),
    el("span", { class: "muted" }, " problems " + shown + " "),
    el("button", { id: "problems-next", disabled: page.offset + page.limit >= page.total, onclick: () => loadProblems(page.offset + page.limit) }, "next ›"));
}

async function openTranscript(problemId) {
  const line = await api("/api/runs/transcript?" + q({ path: state.openRun, problem: problemId }));
  const box = document.getElementById("transcript");
  box.replaceChildren(el("h3", {}, "Transcript of " + problemId),
    el("p", {}, el("strong", {}, "question: "), line.question),
    el("p", {}, "gold ", el("code", {}, line.gold), " · predicted ", el("code", {}, line.predicted ?? "—"), " · " + (line.error ? "error: " + line.error : line.correct ? "correct" : "wrong")));
  line.calls.forEach((call, index) => {
    const head = "#" + (index + 1) + " " + (call.agent || call.role) + " (" + call.role + ") round " + call.round + " sample " + call.sample + " · " + call.purpose + " · " + call.model;
    const usage = call.usage || {};
    const decoding = call.decoding ? Object.entries(call.decoding).filter(([, v]) => v !== null).map(([k, v]) => k + "=" + v).join(" ") : "";
    const card = el("div", { class: "call", "data-call": index },
      el("h4", {}, head),
      el("div", { class: "muted" }, "finish: " + (call.finish_reason ?? "?") + (call.finish_reason === "length" ? " (truncated)" : "") + " · " + decoding + " · tokens in " + (usage.prompt_tokens ?? 0) + ", out " + (usage.completion_tokens ?? 0)));
    for (const message of call.messages) card.append(el("div", { class: "message", "data-role": message.role }, el("strong", {}, message.role + ": "), message.content));
    card.append(el("div", { class: "message reply" }, el("strong", {}, "reply: "), call.reply));
    box.append(card);
  });
  if (!line.calls.length && line.steps.length) for (const step of line.steps) box.append(stepNode(step));
  box.scrollIntoView({ block: "start" });
}

async function drawChart() {
  const chart = document.getElementById("run-chart");
  const paths = [...state.selectedRuns];
  const views = await Promise.all(paths.map((path) => api("/api/runs/view?" + q({ path })).catch(() => null)));
  const points = views.filter(Boolean).map((v) => ({ name: v.info.name, x: v.summary.tokens_per_problem, y: v.summary.accuracy, lo: v.summary.ci95_low, hi: v.summary.ci95_high }));
  const W = 460, H = 260, L = 48, B = 36, T = 10, R = 20;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  svg.setAttribute("width", W);
  const maxX = Math.max(1, ...points.map((p) => p.x)) * 1.15;
  const sx = (x) => L + (x / maxX) * (W - L - R);
  const sy = (y) => T + (1 - y) * (H - T - B);
  function add(tag, attrs, text) {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
  }
  add("line", { x1: L, y1: sy(0), x2: W - R, y2: sy(0), stroke: "#98a2b3" });
  add("line", { x1: L, y1: sy(0), x2: L, y2: sy(1), stroke: "#98a2b3" });
  for (const y of [0, 0.25, 0.5, 0.75, 1]) add("text", { x: L - 6, y: sy(y) + 4, "text-anchor": "end", "font-size": 10 }, Math.round(y * 100) + "%");
  add("text", { x: (W + L) / 2, y: H - 6, "text-anchor": "middle", "font-size": 11 }, "tokens per problem");
  for (const x of [0, maxX / 2, maxX]) add("text", { x: sx(x), y: sy(0) + 14, "text-anchor": "middle", "font-size": 10 }, Math.round(x));
  points.forEach((p, i) => {
    const color = ["#155eef", "#12b76a", "#f79009", "#9e77ed", "#f04438"][i % 5];
    add("line", { x1: sx(p.x), y1: sy(p.lo), x2: sx(p.x), y2: sy(p.hi), stroke: color, "stroke-width": 2 });
    add("circle", { cx: sx(p.x), cy: sy(p.y), r: 5, fill: color, "data-run": p.name });
    add("text", { x: sx(p.x) + 8, y: sy(p.y) - 6, "font-size": 11 }, p.name);
  });
  chart.replaceChildren(svg);
}

async function drawCompare() {
  const box = document.getElementById("compare");
  const paths = [...state.selectedRuns];
  if (paths.length !== 2) { box.replaceChildren(el("p", { class: "muted" }, "tick two runs to compare them pairwise (McNemar)")); return; }
  try {
    const c = await api("/api/runs/compare?" + q({ first: paths[0], second: paths[1] }));
    box.replaceChildren(el("h3", {}, "Paired comparison"), el("table", { class: "table", id: "compare-table" },
      el("tr", {}, el("th", {}, "shared problems"), el("td", {}, c.shared)),
      el("tr", {}, el("th", {}, "only first right"), el("td", {}, c.only_first_correct)),
      el("tr", {}, el("th", {}, "only second right"), el("td", {}, c.only_second_correct)),
      el("tr", {}, el("th", {}, "difference (second − first)"), el("td", {}, (c.accuracy_difference >= 0 ? "+" : "") + pct(c.accuracy_difference))),
      el("tr", {}, el("th", {}, "McNemar exact p"), el("td", {}, c.mcnemar_p.toFixed(3)))));
  } catch (error) {
    box.replaceChildren(el("div", { class: "error" }, error.message));
  }
}

async function pollLive() {
  if (!state.openRun || !document.getElementById("view-runs").classList.contains("active")) return;
  try {
    const view = await api("/api/runs/view?" + q({ path: state.openRun }));
    if (view.info.modified !== state.runModified) { await openRun(state.openRun); drawChart(); }
  } catch (_) { /* the run may be mid-write; try again next tick */ }
}

// -- start ------------------------------------------------------------------------------
async function start() {
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showView(tab.dataset.view));
  document.getElementById("ask-form").addEventListener("submit", ask);
  document.getElementById("question").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); document.getElementById("ask").click(); }
  });
  document.getElementById("stop").addEventListener("click", stopTurn);
  document.getElementById("new-thread").addEventListener("click", newThread);
  document.getElementById("graph-picker").addEventListener("change", drawChatGraph);
  document.getElementById("runs-load").addEventListener("click", () => { state.openRun = null; loadRuns(); });
  document.getElementById("problem-filter").addEventListener("change", () => loadProblems());
  document.getElementById("graph-show").addEventListener("click", showGraph);
  const options = await api("/api/options");
  const pickers = [document.getElementById("graph-picker"), document.getElementById("graph-select")];
  for (const picker of pickers) picker.replaceChildren(...options.graphs.map((g) => el("option", { value: g }, g)));
  pickers[0].value = options.graphs.includes(options.default_graph) ? options.default_graph : options.graphs[0];
  if (!options.graphs.includes(options.default_graph)) pickers[0].append(el("option", { value: options.default_graph, selected: true }, options.default_graph));
  document.getElementById("model-list").replaceChildren(...options.models.map((m) => el("option", { value: m })));
  document.getElementById("model-picker").placeholder = options.default_model || "default";
  document.getElementById("thread-label").textContent = "new thread";
  const hash = location.hash.replace("#", "");
  await Promise.all([loadThreads(), drawChatGraph()]);
  setInterval(pollLive, 2000);
  if (["runs", "graphs"].includes(hash)) showView(hash);
  window.addEventListener("hashchange", () => {
    const view = location.hash.replace("#", "");
    if (["chat", "runs", "graphs"].includes(view)) showView(view);
  });
  document.body.dataset.ready = "1";
}

start().catch((error) => setStatus("error: " + error.message));
