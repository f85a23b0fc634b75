// SmbSign report: paginates, filters and sorts the machine and server tables from the JSON block above.
// Input-derived text only ever reaches the page through textContent, never innerHTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var pageSize = data.pageSize || 100;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }

  // One shell word for a copy-paste command, the same rule as HtmlReportWriter.ShellWord: plain when safe, single-quoted
  // otherwise, null (no command) when a quote, a control character or a leading '-' would need hand quoting.
  function word(s) {
    if (!s || s.charAt(0) === "-" || /['\u0000-\u001f\u007f]/.test(s)) { return null; }
    return /^[A-Za-z0-9._\/:=@+,-]+$/.test(s) ? s : "'" + s + "'";
  }

  function fmt(n) { return n.toLocaleString("en-US"); }

  function table(cfg) {
    var root = document.getElementById(cfg.id + "-table");
    if (!root) { return null; }
    var state = { rows: cfg.rows, shown: cfg.rows, page: 0, sort: -1, dir: 1, filter: "", view: "all" };
    var keys = null;
    var thead = root.tHead, tbody = root.tBodies[0];
    var headRow = el("tr");
    cfg.columns.forEach(function (c, i) {
      var th = el("th", c.num ? "num" : "", c.label);
      th.setAttribute("scope", "col");
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(i); });
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(i); } });
      headRow.appendChild(th);
    });
    thead.appendChild(headRow);
    var count = document.getElementById(cfg.id + "-count");
    var pageLabel = document.getElementById(cfg.id + "-page");
    var pager = document.getElementById(cfg.id + "-pager");
    var filterBox = document.getElementById(cfg.id + "-filter");
    var viewBox = document.getElementById(cfg.id + "-view");

    function apply() {
      var f = state.filter, v = state.view;
      if (f && !keys) { keys = state.rows.map(cfg.key); }
      var out = [];
      for (var i = 0; i < state.rows.length; i++) {
        var r = state.rows[i];
        if (v !== "all" && !cfg.view(r, v)) { continue; }
        if (f && keys[i].indexOf(f) < 0) { continue; }
        out.push(r);
      }
      if (state.sort >= 0) {
        var c = cfg.columns[state.sort], d = state.dir;
        out.sort(function (a, b) {
          var x = c.sort(a), y = c.sort(b);
          if (x === y) { return 0; }
          if (x === null) { return 1; }
          if (y === null) { return -1; }
          return (x < y ? -1 : 1) * d;
        });
      }
      state.shown = out;
      state.page = 0;
      render();
    }

    function render() {
      var pages = Math.max(1, Math.ceil(state.shown.length / pageSize));
      if (state.page >= pages) { state.page = pages - 1; }
      var start = state.page * pageSize, end = Math.min(start + pageSize, state.shown.length);
      var frag = document.createDocumentFragment();
      for (var i = start; i < end; i++) {
        var r = state.shown[i], tr = el("tr");
        cfg.columns.forEach(function (c) {
          var td = el("td", c.num ? "num" : (c.cls || ""));
          c.cell(td, r);
          tr.appendChild(td);
        });
        frag.appendChild(tr);
      }
      if (start === end) {
        var tr0 = el("tr"), td0 = el("td", "empty", "No " + cfg.noun + " match.");
        td0.colSpan = cfg.columns.length;
        tr0.appendChild(td0);
        frag.appendChild(tr0);
      }
      tbody.replaceChildren(frag);
      var total = state.rows.length, shown = state.shown.length;
      count.textContent = shown === 0 ? "No " + cfg.noun + " shown"
        : "Showing " + fmt(start + 1) + "\u2013" + fmt(end) + " of " + fmt(shown) + " " + cfg.noun + (shown !== total ? " (filtered from " + fmt(total) + ")" : "");
      count.setAttribute("data-shown", String(shown));
      count.setAttribute("data-total", String(total));
      count.setAttribute("data-rows", String(end - start));
      pageLabel.textContent = "Page " + fmt(state.page + 1) + " of " + fmt(pages);
      pageLabel.setAttribute("data-page", String(state.page + 1));
      pageLabel.setAttribute("data-pages", String(pages));
      pager.querySelector("[data-p=first]").disabled = state.page === 0;
      pager.querySelector("[data-p=prev]").disabled = state.page === 0;
      pager.querySelector("[data-p=next]").disabled = state.page >= pages - 1;
      pager.querySelector("[data-p=last]").disabled = state.page >= pages - 1;
      pager.hidden = pages <= 1;
    }

    function sortBy(i) {
      state.dir = state.sort === i ? -state.dir : (cfg.columns[i].num ? -1 : 1);
      state.sort = i;
      Array.prototype.forEach.call(headRow.children, function (th, j) {
        if (j === i) { th.setAttribute("aria-sort", state.dir > 0 ? "ascending" : "descending"); } else { th.removeAttribute("aria-sort"); }
      });
      apply();
    }

    var timer = 0;
    filterBox.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { state.filter = filterBox.value.trim().toLowerCase(); apply(); }, state.rows.length > 20000 ? 200 : 60);
    });
    viewBox.addEventListener("change", function () { state.view = viewBox.value; apply(); });
    pager.addEventListener("click", function (e) {
      var p = e.target && e.target.getAttribute ? e.target.getAttribute("data-p") : null;
      if (!p) { return; }
      var pages = Math.max(1, Math.ceil(state.shown.length / pageSize));
      state.page = p === "first" ? 0 : p === "prev" ? Math.max(0, state.page - 1) : p === "next" ? Math.min(pages - 1, state.page + 1) : pages - 1;
      render();
    });
    render();
    return { state: state, apply: apply };
  }

  // Machines: [name, os, passed, pass, fail, na, error, notConfigured, failing set, source, relay by configuration].
  var os = data.os, rules = data.rules, sets = data.sets, sources = data.sources;
  function failing(r) { return sets[r[8]].map(function (i) { return rules[i]; }); }
  function fixCommand(r) {
    if (r[2] === 1) { return null; }
    var name = word(r[0]), src = sources[r[9]];
    if (name === null) { return null; }
    var dir = name === r[0] ? "fix-" + r[0] : "fix-machine";
    return "smbsign fix --from " + src + " -m " + name + " -t all -o " + dir;
  }
  table({
    id: "m", noun: "machines", rows: data.machines,
    key: function (r) { return (r[0] + " " + os[r[1]] + " " + (r[2] ? "pass" : "fail") + " " + failing(r).join(" ")).toLowerCase(); },
    view: function (r, v) { return v === "fail" ? r[2] === 0 : v === "pass" ? r[2] === 1 : v === "relay" ? r[10] === 1 : true; },
    columns: [
      { label: "Machine", cls: "name", sort: function (r) { return r[0].toLowerCase(); }, cell: function (td, r) { td.textContent = r[0]; } },
      { label: "OS", sort: function (r) { return os[r[1]]; }, cell: function (td, r) { td.textContent = os[r[1]]; } },
      { label: "Verdict", sort: function (r) { return r[2]; }, cell: function (td, r) { td.textContent = r[2] ? "pass" : "fail"; td.className = "verdict-cell " + (r[2] ? "pass" : "fail"); } },
      { label: "Pass", num: true, sort: function (r) { return r[3]; }, cell: function (td, r) { td.textContent = r[3]; } },
      { label: "Fail", num: true, sort: function (r) { return r[4]; }, cell: function (td, r) { td.textContent = r[4]; if (r[4] > 0) { td.className += " bad"; } } },
      { label: "N/A", num: true, sort: function (r) { return r[5]; }, cell: function (td, r) { td.textContent = r[5]; } },
      { label: "Not configured", num: true, sort: function (r) { return r[7]; }, cell: function (td, r) { td.textContent = r[7]; } },
      { label: "Failing items", cls: "items", sort: function (r) { return sets[r[8]].length; }, cell: function (td, r) {
        failing(r).forEach(function (id) { td.appendChild(el("span", "", id)); });
        if (r[6] > 0) { td.appendChild(el("span", "", r[6] + " error(s)")); }
      } },
      { label: "Fix", sort: function (r) { return r[2]; }, cell: function (td, r) {
        var cmd = fixCommand(r);
        if (cmd) { td.appendChild(el("code", "cmd", cmd)); }
        else if (r[2] === 0) { td.appendChild(el("span", "muted", "quote the machine name by hand")); td.title = "smbsign fix --from AUDIT.json --machine NAME -t all -o DIR"; }
      } }
    ]
  });

  // Servers: [target, port, reachable, smb1, smb2, dialect, algorithm, relay 1/0/null, name, error].
  function relayText(r) { return r[7] === 1 ? "yes" : r[7] === 0 ? "no" : "unknown"; }
  table({
    id: "s", noun: "servers", rows: data.servers,
    key: function (r) { return [r[0], r[1], r[3], r[4], r[5], r[6], r[8], r[9], "relay " + relayText(r)].join(" ").toLowerCase(); },
    view: function (r, v) { return v === "relay" ? r[7] === 1 : v === "required" ? r[7] === 0 : v === "unknown" ? r[7] === null : true; },
    columns: [
      { label: "Server", cls: "name", sort: function (r) { return r[0].toLowerCase(); }, cell: function (td, r) { td.textContent = r[1] === 445 ? r[0] : r[0] + ":" + r[1]; } },
      { label: "Name", sort: function (r) { return r[8]; }, cell: function (td, r) { td.textContent = r[8] || "-"; } },
      { label: "Reachable", sort: function (r) { return r[2]; }, cell: function (td, r) { td.textContent = r[2] ? "yes" : "no"; } },
      { label: "SMB2 signing", sort: function (r) { return r[4]; }, cell: function (td, r) { td.textContent = r[4]; } },
      { label: "SMB1 signing", sort: function (r) { return r[3]; }, cell: function (td, r) { td.textContent = r[3]; } },
      { label: "Dialect", sort: function (r) { return r[5]; }, cell: function (td, r) { td.textContent = r[5] || "-"; } },
      { label: "Algorithm", sort: function (r) { return r[6]; }, cell: function (td, r) { td.textContent = r[6] || "-"; } },
      { label: "Relay target", sort: function (r) { return r[7]; }, cell: function (td, r) { td.textContent = relayText(r); td.className = r[7] === 1 ? "bad" : r[7] === 0 ? "good" : "muted"; } },
      { label: "Error", sort: function (r) { return r[9]; }, cell: function (td, r) { td.textContent = r[9] || ""; } }
    ]
  });
  // For bench/report-100k.sh: milliseconds from navigation start to the tables drawn, and to the load event.
  document.documentElement.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  window.addEventListener("load", function () { document.documentElement.setAttribute("data-load-ms", String(Math.round(performance.now()))); });
  document.documentElement.setAttribute("data-ready", "1");
})();
