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

  // A number at full precision, or an array's entries as nested lists.
  const full = (x) => (Array.isArray(x) ? JSON.stringify(x) : String(x));

  // The node table: one row per node.
  $("grad-title").textContent = "∂" + data.output + "/∂node";
  const rows = new Map();
  for (const n of data.nodes) {
    const value = make("td", { className: "num value" });
    const grad = make("td", { className: "num grad" });
    const check = make("td", { className: "check" });
    value.dataset.value = full(n.fullValue);
    if (n.fullGrad !== null) grad.dataset.value = full(n.fullGrad);
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

  // Through time (a loop): one row per step in time, with the named nodes of that step;
  // each shows its value and gradient once the passes reach them.
  const time = data.time || [];
  const timeRows = time.map((column, c) => {
    const values = make("td", { className: "value" });
    const grads = make("td", { className: "grad" });
    const row = make("tr", {}, [make("th", { scope: "row", textContent: column.title }), values, grads]);
    row.dataset.t = String(c);
    $("time-rows").append(row);
    return { row, values, grads, nodes: column.nodes.map((id) => byId.get(id)) };
  });
  if (time.length) {
    for (const id of ["time-panel", "time-back", "time-next"]) $(id).hidden = false;
    $("time-grad-title").textContent = "∂" + data.output + "/∂node";
  }
  // A step in time is a run of the passes' steps, in one pass, whose nodes belong to one
  // step of the loop (or to none: outside the loop); a step whose t is null (a shared
  // weight's, an input's gradient) belongs to the run it is in.
  const owned = (i) => steps[i].t !== null && steps[i].t !== undefined;
  const sameRun = (i, j) => steps[i].t === steps[j].t && steps[i].pass === steps[j].pass;
  const runEnd = (from) => { // the index after the run that starts at step index `from`
    let first = -1;
    let j = from;
    for (; j < steps.length; j++) {
      if (!owned(j)) continue;
      if (first < 0) first = j;
      else if (!sameRun(first, j)) break;
    }
    return j;
  };
  const runStart = (to) => { // where the run that ends at step index `to` - 1 starts
    let last = -1;
    let j = to;
    for (; j > 0; j--) {
      if (!owned(j - 1)) continue;
      if (last < 0) last = j - 1;
      else if (!sameRun(last, j - 1)) break;
    }
    return j;
  };
  const timeOf = (i) => { // the step in time of the passes' step i: its own, or its run's
    for (let j = i; j >= 0; j--) if (owned(j)) return steps[j].t;
    for (let j = i + 1; j < steps.length; j++) if (owned(j)) return steps[j].t;
    return -1;
  };

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

  // The drawing is a window on the graph, at a readable size: the SVG's viewBox is the
  // part shown. Its text is 14 points; at least READABLE pixels per point keeps it over
  // 12 pixels, however wide the graph. Dragging pans, the buttons and Ctrl + wheel zoom,
  // and each step brings its node into the window.
  const view = (() => {
    const box = $("drawing");
    const box0 = svg && (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
    if (!svg || !box0 || box0.length !== 4 || !(box0[2] > 0 && box0[3] > 0)) {
      for (const id of ["zoom-in", "zoom-out", "zoom-fit"]) $(id).disabled = true;
      return { follow() {}, zoom() {}, fit() {}, layout() {} };
    }
    const [x0, y0, w0, h0] = box0;
    const READABLE = 0.9; // pixels per point
    const NATURAL = 4 / 3; // the drawing's own size: a point is 4/3 of a pixel
    const MOST = 4;
    svg.removeAttribute("style");
    svg.setAttribute("width", "100%");
    svg.setAttribute("height", "100%");
    svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    let scale = NATURAL;
    let cx = x0 + w0 / 2;
    let cy = y0 + h0 / 2;
    const fitScale = () => Math.min(box.clientWidth / w0, box.clientHeight / h0);
    const least = () => Math.min(fitScale(), READABLE);
    function apply() {
      const vw = box.clientWidth / scale;
      const vh = box.clientHeight / scale;
      // never past the drawing's edges, and centred where it is smaller than the window
      cx = vw >= w0 ? x0 + w0 / 2 : Math.min(Math.max(cx, x0 + vw / 2), x0 + w0 - vw / 2);
      cy = vh >= h0 ? y0 + h0 / 2 : Math.min(Math.max(cy, y0 + vh / 2), y0 + h0 - vh / 2);
      svg.setAttribute("viewBox", [cx - vw / 2, cy - vh / 2, vw, vh].map((v) => v.toFixed(2)).join(" "));
      $("zoom-level").textContent = Math.round((scale / NATURAL) * 100) + "%";
      $("zoom-out").disabled = scale <= least() + 1e-9;
      $("zoom-in").disabled = scale >= MOST - 1e-9;
    }
    function layout() {
      // as tall as the drawing at a readable scale, within part of the window
      const wide = Math.min(NATURAL, Math.max(READABLE, box.clientWidth / w0));
      const room = Math.max(200, window.innerHeight * (innerWidth >= 900 ? 0.42 : 0.6));
      const border = box.offsetHeight - box.clientHeight;
      box.style.height = Math.ceil(Math.min(h0 * wide, room)) + border + "px";
      scale = Math.min(NATURAL, Math.max(READABLE, fitScale()));
      cx = x0 + box.clientWidth / scale / 2; // the inputs (on the left) first
      cy = y0 + h0 / 2;
      apply();
    }
    function zoom(factor, atX, atY) {
      const rect = box.getBoundingClientRect();
      const px = atX === undefined ? rect.width / 2 : atX - rect.left;
      const py = atY === undefined ? rect.height / 2 : atY - rect.top;
      const before = scale;
      scale = Math.min(MOST, Math.max(least(), scale * factor));
      // the point under the pointer stays where it is
      cx += (px - rect.width / 2) * (1 / before - 1 / scale);
      cy += (py - rect.height / 2) * (1 / before - 1 / scale);
      apply();
    }
    function fit() {
      scale = fitScale();
      cx = x0 + w0 / 2;
      cy = y0 + h0 / 2;
      apply();
    }
    function follow(g) {
      const b = g.getBoundingClientRect();
      const f = box.getBoundingClientRect();
      const margin = Math.min(32, f.width / 6, f.height / 6);
      if (b.left < f.left + margin || b.right > f.right - margin ||
          b.top < f.top + margin || b.bottom > f.bottom - margin) {
        cx += ((b.left + b.right) / 2 - (f.left + f.right) / 2) / scale;
        cy += ((b.top + b.bottom) / 2 - (f.top + f.bottom) / 2) / scale;
        apply();
      }
    }
    let drag = null;
    box.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, moved: false, id: event.pointerId };
    });
    box.addEventListener("pointermove", (event) => {
      if (drag === null || event.pointerId !== drag.id) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return; // a click, not yet a drag
      if (!drag.moved) {
        drag.moved = true;
        box.setPointerCapture(event.pointerId);
        box.classList.add("dragging");
      }
      cx -= dx / scale;
      cy -= dy / scale;
      drag.x = event.clientX;
      drag.y = event.clientY;
      apply();
    });
    const stop = () => {
      box.classList.remove("dragging");
      setTimeout(() => (drag = null), 0); // the click after a drag is not a selection
    };
    box.addEventListener("pointerup", stop);
    box.addEventListener("pointercancel", stop);
    box.addEventListener("click", (event) => {
      if (drag !== null && drag.moved) event.stopPropagation();
    }, true);
    box.addEventListener("wheel", (event) => {
      if (!event.ctrlKey && !event.metaKey) return; // the page scrolls as usual
      event.preventDefault();
      zoom(event.deltaY < 0 ? 1.15 : 1 / 1.15, event.clientX, event.clientY);
    }, { passive: false });
    $("zoom-in").addEventListener("click", () => zoom(1.25));
    $("zoom-out").addEventListener("click", () => zoom(1 / 1.25));
    $("zoom-fit").addEventListener("click", fit);
    window.addEventListener("resize", layout);
    layout();
    return { follow, zoom, fit, layout };
  })();

  function render() {
    const current = k > 0 ? steps[k - 1] : null;
    for (const n of data.nodes) {
      const r = rows.get(n.id);
      const valueShown = n.valueStep < k;
      const gradShown = n.gradStep < k;
      r.value.textContent = valueShown ? n.value : "";
      r.grad.textContent = gradShown ? n.grad : "";
      r.value.title = valueShown ? full(n.fullValue) : ""; // full precision
      r.grad.title = gradShown && n.fullGrad !== null ? full(n.fullGrad) : "";
      r.check.textContent = gradShown ? n.check : "";
      r.row.classList.toggle("current", current !== null && current.node === n.id);
    }
    for (const { t, node, kind } of texts) {
      const shown = kind === "value" ? node.valueStep < k : node.gradStep < k;
      t.classList.toggle("cg-pending", !shown);
    }
    for (const [id, g] of drawn) {
      g.classList.toggle("cg-current", current !== null && current.node === id);
      if (current !== null && current.node === id) view.follow(g);
    }
    const now = current !== null && time.length ? timeOf(k - 1) : null;
    for (const [c, r] of timeRows.entries()) {
      const shown = (kind) => r.nodes.filter((n) => (kind === "value" ? n.valueStep < k : n.gradStep < k && n.fullGrad !== null));
      r.values.replaceChildren(...shown("value").map((n) => make("code", { textContent: n.label + " = " + n.value })));
      r.grads.replaceChildren(...shown("grad").map((n) => make("code", { textContent: "∂" + data.output + "/∂" + n.label + " = " + n.grad })));
      r.row.classList.toggle("current", now === c);
      if (now === c) {
        const box = r.row.closest(".time-scroll"); // within the table's own scroll only
        const top = r.row.offsetTop - box.querySelector("thead").offsetHeight;
        if (top < box.scrollTop || r.row.offsetTop + r.row.offsetHeight > box.scrollTop + box.clientHeight) {
          box.scrollTop = Math.max(0, top);
        }
      }
    }
    if (time.length) {
      const where = now === null ? "" : now >= 0 ? time[now].title : "outside the loop";
      $("time-now").textContent = where && (current.pass === "forward" ? "forward · " : "backward · ") + where;
      $("time-back").disabled = k === 0;
      $("time-next").disabled = k === steps.length;
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
    // what scrolls into view must not hide under the sticky controls (and drawing)
    const figure = $("graph");
    const under = getComputedStyle(figure).position === "sticky" ? figure.offsetHeight : 0;
    document.documentElement.style.setProperty("--bar-height", bar.offsetHeight + "px");
    document.documentElement.style.scrollPaddingTop = bar.offsetHeight + under + 8 + "px";
    $("back").disabled = $("reset").disabled = k === 0;
    $("step").disabled = k === steps.length;
    if (k === steps.length && timer !== null) pause();
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
  $("time-next").addEventListener("click", () => stepBy(runEnd(k) - k));
  $("time-back").addEventListener("click", () => stepBy(runStart(k) - k));
  document.addEventListener("keydown", (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const onButton = event.target instanceof HTMLButtonElement;
    const keys = {
      ArrowRight: () => stepBy(1),
      ArrowLeft: () => stepBy(-1),
      Home: () => $("reset").click(),
      End: () => stepBy(steps.length),
      " ": onButton ? null : () => $("play").click(),
      "+": () => view.zoom(1.25),
      "=": () => view.zoom(1.25),
      "-": () => view.zoom(1 / 1.25),
      "0": () => view.fit(),
      "]": time.length ? () => $("time-next").click() : null,
      "[": time.length ? () => $("time-back").click() : null,
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
