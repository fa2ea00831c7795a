// cg's interactive page: reveals the numbers cg computed (the JSON in #cg-data), one step
// at a time. Step k shows every value and gradient whose step comes before k.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("cg-data").textContent);
  const steps = data.steps;
  const byId = new Map(data.nodes.map((n) => [n.id, n]));
  for (const n of data.nodes) {
    n.valueStep = -1; // no step: known from the start (a constant)
    n.gradStep = -1; // no step: no gradient ("-")
  }
  steps.forEach((s, i) => {
    const n = byId.get(s.node);
    if (s.pass === "forward") n.valueStep = i;
    else if (n.gradStep < 0) n.gradStep = i;
  });
  const $ = (id) => document.getElementById(id);
  const make = (tag, props, children) => {
    const el = Object.assign(document.createElement(tag), props || {});
    for (const child of children || []) el.append(child);
    return el;
  };
  const bar = document.querySelector(".bar");
  let k = 0;
  let selected = null;
  let timer = null;

  // The node table: one row per node.
  $("grad-title").textContent = "∂" + data.output + "/∂node";
  const rows = new Map();
  for (const n of data.nodes) {
    const value = make("td", { className: "num value" });
    const grad = make("td", { className: "num grad" });
    const check = make("td", { className: "check" });
    value.dataset.value = n.fullValue;
    if (n.fullGrad !== null) grad.dataset.value = n.fullGrad;
    const row = make("tr", {}, [
      make("th", { scope: "row", textContent: n.label }),
      make("td", { className: "computes" }, [make("code", { textContent: n.caption })]),
      value, grad, check,
    ]);
    row.dataset.node = n.id;
    row.addEventListener("click", () => select(n.id));
    rows.set(n.id, { row, value, grad, check });
    $("node-rows").append(row);
  }

  // The worked steps: one item per step, shown once reached.
  const items = steps.map((s, i) => {
    const n = byId.get(s.node);
    const what = s.pass === "forward" ? "value of " : "gradient of ";
    const item = make("li", { hidden: true }, [
      make("span", { className: "tag", textContent: s.pass + " pass · " + what + n.label }),
      ...s.lines.map((line) => make("code", { textContent: line })),
    ]);
    item.dataset.node = s.node;
    item.dataset.step = String(i + 1);
    item.addEventListener("click", () => select(s.node));
    $("steps").append(item);
    return item;
  });

  // The drawing: each node's element has the id cg-node-<id>; an element that shows a
  // node's numbers elsewhere (a wire) has the class cg-of-<id>. Values and gradients
  // are the texts in the value and gradient colours.
  const drawn = new Map();
  const texts = [];
  const svg = document.querySelector("#graph svg");
  if (svg) {
    for (const g of svg.querySelectorAll("g")) {
      let id = g.id.startsWith("cg-node-") ? g.id.slice(8) : null;
      if (id) drawn.set(id, g);
      for (const c of g.classList) if (c.startsWith("cg-of-")) id = c.slice(6);
      if (!id || !byId.has(id)) continue;
      g.classList.add("cg-node");
      g.addEventListener("click", () => select(id));
      for (const t of g.querySelectorAll("text")) {
        const fill = (t.getAttribute("fill") || "").toLowerCase();
        const kind = fill === data.colours.value ? "value" : fill === data.colours.grad ? "grad" : null;
        if (kind) {
          t.classList.add("cg-" + kind);
          texts.push({ t, node: byId.get(id), kind });
        }
      }
    }
  }

  function render() {
    const current = k > 0 ? steps[k - 1] : null;
    for (const n of data.nodes) {
      const r = rows.get(n.id);
      const valueShown = n.valueStep < k;
      const gradShown = n.gradStep < k;
      r.value.textContent = valueShown ? n.value : "";
      r.grad.textContent = gradShown ? n.grad : "";
      r.value.title = valueShown ? String(n.fullValue) : ""; // full precision
      r.grad.title = gradShown && n.fullGrad !== null ? String(n.fullGrad) : "";
      r.check.textContent = gradShown ? n.check : "";
      r.row.classList.toggle("current", current !== null && current.node === n.id);
    }
    for (const { t, node, kind } of texts) {
      const shown = kind === "value" ? node.valueStep < k : node.gradStep < k;
      t.classList.toggle("cg-pending", !shown);
    }
    for (const [id, g] of drawn) {
      g.classList.toggle("cg-current", current !== null && current.node === id);
      if (current !== null && current.node === id) scrollIntoFigure(g);
    }
    $("steps-empty").hidden = k > 0;
    items.forEach((item, i) => {
      item.hidden = i >= k;
      item.classList.toggle("current", i === k - 1);
    });
    $("progress").textContent = "step " + k + " of " + steps.length;
    if (current) {
      const n = byId.get(current.node);
      $("now-phase").textContent =
        (current.pass === "forward" ? "Forward pass: the value of " : "Backward pass: the gradient of ") + n.label;
      $("now-lines").replaceChildren(...current.lines.map((line) => make("code", { textContent: line })));
    } else {
      $("now-phase").textContent = "Ready";
      $("now-lines").replaceChildren("Press Step (or →) to start the forward pass.");
    }
    if (k === steps.length) {
      $("now-phase").textContent += " (done: every value and gradient is known)";
    }
    // what scrolls into view must not hide under the sticky controls
    document.documentElement.style.scrollPaddingTop = bar.offsetHeight + 8 + "px";
    $("back").disabled = $("reset").disabled = k === 0;
    $("step").disabled = k === steps.length;
    if (k === steps.length && timer !== null) pause();
  }

  // A drawing wider than the screen scrolls sideways: keep the current node in view.
  function scrollIntoFigure(g) {
    const figure = $("drawing");
    const box = g.getBoundingClientRect();
    const frame = figure.getBoundingClientRect();
    if (box.left < frame.left || box.right > frame.right) {
      figure.scrollLeft += box.left - frame.left - (frame.width - box.width) / 2;
    }
  }

  function go(to) {
    k = Math.max(0, Math.min(steps.length, to));
    render();
    const item = items[k - 1];
    if (item) item.scrollIntoView({ block: "nearest" });
  }

  function select(id) {
    selected = selected === id ? null : id;
    for (const [nid, r] of rows) r.row.classList.toggle("selected", nid === selected);
    for (const [nid, g] of drawn) g.classList.toggle("cg-selected", nid === selected);
    for (const item of items) item.classList.toggle("selected", item.dataset.node === selected);
    if (selected !== null) rows.get(selected).row.scrollIntoView({ block: "nearest" });
  }

  function play() {
    if (k === steps.length) k = 0;
    timer = setInterval(() => go(k + 1), 1100);
    $("play").textContent = "⏸ Pause";
    $("play").setAttribute("aria-pressed", "true");
    go(k + 1);
  }

  function pause() {
    clearInterval(timer);
    timer = null;
    $("play").textContent = "▶ Play";
    $("play").setAttribute("aria-pressed", "false");
  }

  const stepBy = (delta) => {
    if (timer !== null) pause();
    go(k + delta);
  };
  $("step").addEventListener("click", () => stepBy(1));
  $("back").addEventListener("click", () => stepBy(-1));
  $("reset").addEventListener("click", () => {
    if (timer !== null) pause();
    go(0);
  });
  $("play").addEventListener("click", () => (timer === null ? play() : pause()));
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const onButton = event.target instanceof HTMLButtonElement;
    const keys = {
      ArrowRight: () => stepBy(1),
      ArrowLeft: () => stepBy(-1),
      Home: () => $("reset").click(),
      End: () => stepBy(steps.length),
      " ": onButton ? null : () => $("play").click(),
    };
    const action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
  $("check").textContent = data.check;
  render();
})();
