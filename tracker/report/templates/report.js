(function () {
  "use strict";
  // Every text is set with textContent: the record's texts are shown, never parsed as HTML.
  var data = JSON.parse(document.getElementById("report-data").textContent);

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function table(headers, rows) {
    if (!rows.length) { return el("p", {"class": "empty"}, ["(none)"]); }
    var head = el("tr", {}, headers.map(function (h) { return el("th", {}, [h]); }));
    var body = rows.map(function (cells) {
      return el("tr", {}, cells.map(function (c, n) {
        // A date in any of its forms (2024-06-11, 2024-06, 2024, ../2024-06-11) stays on one line.
        var day = typeof c === "string" && /^(\.\.\/)?\d{4}(-\d{2}){0,2}$/.test(c);
        // On a phone each row is a card, each cell a line labelled with its column.
        var attrs = {"data-label": headers[n]};
        if (day) { attrs["class"] = "day"; }
        return el("td", attrs, [c]);
      }));
    });
    return el("div", {"class": "scroll"}, [el("table", {}, [el("thead", {}, [head]), el("tbody", {}, body)])]);
  }

  function badge(certainty) { return el("span", {"class": "cert " + certainty}, [certainty]); }
  function code(text) { return el("code", {}, [text]); }

  // The index of the state in force on a day: the last change on or before it.
  function stateIndex(day) {
    var found = 0;
    data.dates.forEach(function (d, i) { if (d <= day) { found = i; } });
    return found;
  }

  function showState() {
    var day = document.getElementById("state-date").value || data.as_of;
    var state = data.states[stateIndex(day)];
    var view = document.getElementById("state-view");
    view.replaceChildren(
      el("h3", {}, ["In force on " + day]),
      table(["Term", "Summary", "Value", "Since", "Expires", "Certainty"], state.terms.map(function (t) {
        return [code(t.term), t.summary + (t.ends_when ? " (until " + t.ends_when + ")" : ""), t.value, t.since, t.expires || "-", badge(t.certainty)];
      })),
      el("h3", {}, ["Pending proposals"]),
      table(["Term", "Summary", "Since", "Certainty"], state.pending.map(function (p) {
        return [code(p.term), p.summary, p.since, badge(p.certainty)];
      })),
      el("h3", {}, ["Ended"]),
      table(["Term", "Summary", "Ended", "Reason"], state.ended.map(function (t) {
        return [code(t.term), t.summary, t.ended, t.reason];
      })),
      el("h3", {}, ["Possible"]),
      el("p", {"class": "hint"}, ["Changes whose imprecise date may or may not have come by this day."]),
      table(["Term", "Date", "Change", "Certainty", "Event", "If so"], state.possible.map(function (p) {
        return [code(p.term), p.date, p.change, badge(p.certainty), p.event, p.if_so];
      })),
      beyond(day)
    );
  }

  // A line saying that a day is after the last one the record reaches (nothing otherwise).
  function beyond(day) {
    var reach = data.coverage;
    if (!reach || day <= reach.last) { return document.createTextNode(""); }
    return el("p", {"class": "beyond"}, [reach.note]);
  }

  // The sources a change added (+) and dropped (−), as the command line's diff shows them.
  function sourcesLine(line) {
    var parts = [code(line.name), ":"];
    line.added.forEach(function (s) { parts.push(" ", el("span", {"class": "new"}, ["+" + s])); });
    line.dropped.forEach(function (s) { parts.push(" ", el("span", {"class": "old"}, ["\u2212" + s])); });
    return el("span", {"class": "field"}, parts);
  }

  function what(change) {
    if (!change.lines.length) { return el("span", {}, [change.summary]); }
    return el("span", {}, change.lines.map(function (line) {
      if (line.added) { return sourcesLine(line); }
      return el("span", {"class": "field"}, [
        code(line.name), ": ", el("span", {"class": "old"}, [line.old]), " → ",
        el("span", {"class": "new"}, [line.new])
      ]);
    }));
  }

  function showDiff() {
    var from = document.getElementById("diff-from").value;
    var to = document.getElementById("diff-to").value;
    var view = document.getElementById("diff-view");
    if (!from || !to) { view.replaceChildren(el("p", {"class": "empty"}, ["Pick two dates."])); return; }
    var swapped = from > to;
    if (swapped) { var t = from; from = to; to = t; }
    var i = stateIndex(from), j = stateIndex(to);
    var heading = el("h3", {}, ["From " + from + " to " + to + (swapped ? " (dates swapped)" : "")]);
    if (i === j) { view.replaceChildren(heading, el("p", {"class": "empty"}, ["Nothing changed between these dates."]), beyond(to)); return; }
    var diff = data.diffs[i + "-" + j];
    if (!diff) { view.replaceChildren(heading, el("p", {"class": "empty"}, ["Pick two dates closer together: this report holds the changes between consecutive change dates only."])); return; }
    view.replaceChildren(
      heading,
      table(["Change", "Term", "What", "Events"], diff.changes.map(function (c) {
        return [el("span", {"class": "change " + c.change}, [c.change]), code(c.term), what(c), c.events.join(", ")];
      })),
      el("h3", {}, ["Proposals"]),
      table(["Change", "Term", "Event"], diff.proposals.map(function (p) {
        return [el("span", {"class": "change " + p.change}, [p.change]), code(p.term), p.event];
      })),
      el("h3", {}, ["Affirmed unchanged"]),
      table(["Term", "Event"], diff.affirmed.map(function (a) { return [code(a.term), a.event]; })),
      beyond(to)
    );
  }

  // A tapped, clicked or focused bar or marker shows its details below the chart: a phone
  // has no hover to show an SVG title.
  function showDetail(event) {
    var target = event.target.closest ? event.target.closest("[tabindex]") : null;
    var title = target && target.querySelector("title");
    if (!title) { return; }
    document.querySelectorAll(".chart .picked").forEach(function (n) { n.classList.remove("picked"); });
    target.classList.add("picked");
    document.getElementById("chart-detail").textContent = title.textContent;
  }
  document.querySelectorAll(".chart").forEach(function (chart) {
    chart.addEventListener("click", showDetail);
    chart.addEventListener("focusin", showDetail);
  });

  document.getElementById("diff-from").value = data.diff_from;
  document.getElementById("diff-to").value = data.diff_to;
  ["input", "change"].forEach(function (kind) {
    document.getElementById("state-date").addEventListener(kind, showState);
    document.getElementById("diff-from").addEventListener(kind, showDiff);
    document.getElementById("diff-to").addEventListener(kind, showDiff);
  });
  showState();
  showDiff();
})();
