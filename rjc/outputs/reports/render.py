"""Every format of a report, drawn from the same rows: a number is written once, read many ways.

- table: rich tables for the terminal, a table per section (period beside previous period);
- md: the same tables in Markdown;
- csv: the quarterly report's one tidy table (measure, breakdown, period, value); for the other
  reports, their main table;
- json: the same rows with the report's periods and facts;
- html: one self-contained, printable page (inline CSS, inline SVG charts, no script, nothing
  fetched), with the same tables and, for the quarterly report, charts of referrals by source,
  closures and outcomes, and volunteer hours by quarter.

`text` is the one way a value is written (None, a value with nothing to derive it from, is
"n/a"; CSV leaves it empty and JSON writes null).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Iterable
from decimal import Decimal

from rjc.outputs.reports.measures import MEASURES, SECTIONS, TOTAL, Row
from rjc.outputs.reports.quarterly import Quarterly
from rjc.outputs.reports.tables import TablesReport

FORMATS = ("table", "md", "csv", "json", "html")
NOT_AVAILABLE = "n/a"


# --- values ----------------------------------------------------------------------------------


def text(value) -> str:
    """A value as every format that writes text shows it."""
    if value is None:
        return NOT_AVAILABLE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(text(v) for v in value)
    return str(value)


def _csv_text(value) -> str:
    return "" if value is None else text(value)


def _json_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return value


# --- the quarterly report, pivoted for reading -------------------------------------------------


def _grid(report: Quarterly) -> list[tuple[str, list[tuple[str, list[tuple[str, dict[str, Row]]]]]]]:
    """[(section, [(measure, [(breakdown, {period label: row})])])], in report order."""
    measures: dict[str, dict[str, dict[str, Row]]] = {}
    for row in report.rows:
        measures.setdefault(row.measure, {}).setdefault(row.breakdown, {})[row.period] = row
    grid = []
    for section in SECTIONS:
        inside = [(key, list(measures[key].items())) for key, m in MEASURES.items()
                  if m.section == section and key in measures]
        if inside:
            grid.append((section, inside))
    return grid


def _heading(report: Quarterly) -> list[str]:
    year = {"vermont": "Vermont fiscal year (July-June)", "federal": "federal fiscal year (October-September)",
            "calendar": "calendar year"}[report.current.year]
    lines = [f"Period: {_named(report.current)}", f"Compared with: {_named(report.previous)}",
             f"Quarters of the {year}; NEW victims by the federal fiscal year.",
             f"Prepared {report.as_of}. No names; definitions of every measure: docs/reports.md."]
    if report.threshold is not None:  # a public report
        lines.append(f"Public report: counts from 1 to {report.threshold - 1} are shown as \"<{report.threshold}\"; "
                     "cells that would reveal them, and values derived from them, as \"suppressed\"; "
                     "no case ids.")
    if report.skipped:
        lines.append(f"Left out, failing rjc check: {', '.join(report.skipped)}.")
    return lines


def _named(w) -> str:
    """A period as the heading states it: a quarter with its days; a range of days once."""
    return f"{w.label} ({w.start} to {w.end})" if w.is_quarter else w.label


def _title(report: Quarterly) -> str:
    return f"{report.center + ': ' if report.center else ''}quarterly report, {report.current.label}"


def records_current_statement(report: Quarterly) -> str:
    quiet = report.value("records_current", "no activity in the period")
    open_cases = report.value("records_current", "open cases")
    if quiet == 0:
        return (f"Records current at the end of the period: every one of the {text(open_cases)} open cases "
                "had activity recorded in the period.")
    listed = "" if report.public else " (listed below)"
    return (f"Records current at the end of the period: {text(quiet)} of the {text(open_cases)} open cases "
            f"had no activity recorded in the period{listed}.")


def quarterly_csv(report: Quarterly) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["measure", "breakdown", "period", "value"])
    for row in report.rows:
        writer.writerow([row.measure, row.breakdown, row.period, _csv_text(row.value)])
    return out.getvalue()


def quarterly_json(report: Quarterly) -> str:
    data = {
        "report": "quarterly",
        "center": report.center,
        "year": report.current.year,
        "periods": [{"label": w.label, "start": w.start.isoformat(), "end": w.end.isoformat(),
                     "role": role} for w, role in ((report.current, "current"), (report.previous, "previous"))],
        "prepared": report.as_of.isoformat(),
        "public": report.public,
        "suppress_below": report.threshold,
        "skipped": report.skipped,
        "measures": {key: {"section": m.section, "title": m.title} for key, m in MEASURES.items()},
        "rows": [{**row.tidy(), "value": _json_value(row.value)} for row in report.rows],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _md_cell(value: str) -> str:
    return value.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def quarterly_md(report: Quarterly) -> str:
    labels = [w.label for w in report.windows]
    lines = [f"# {_md_cell(_title(report))}", ""]
    lines += [f"{_md_cell(line)}  " for line in _heading(report)]
    lines += ["", records_current_statement(report), ""]
    for section, measures in _grid(report):
        lines += [f"## {section}", "", f"| measure | breakdown | {' | '.join(labels)} |",
                  "|---|---|" + "---:|" * len(labels)]
        for key, breakdowns in measures:
            for index, (breakdown, by_period) in enumerate(breakdowns):
                title = MEASURES[key].title if index == 0 else ""
                cells = [text(by_period[label].value) if label in by_period else "" for label in labels]
                lines.append(f"| {_md_cell(title)} | {_md_cell(breakdown)} | {' | '.join(cells)} |")
        lines.append("")
    return "\n".join(lines)


def quarterly_table(report: Quarterly, console) -> list[str]:
    """The report on a terminal; returns the columns (periods) its width left out."""
    from rich.text import Text

    from rjc.outputs import screen

    labels = [w.label for w in report.windows]
    console.print(Text(_title(report), style="bold"))
    for line in _heading(report):
        console.print(Text(line))
    console.print(Text(records_current_statement(report)))
    left_out: list[str] = []
    for section, measures in _grid(report):
        rows, ends = [], []
        for key, breakdowns in measures:
            for index, (breakdown, by_period) in enumerate(breakdowns):
                rows.append([MEASURES[key].title if index == 0 else "", breakdown,
                             *(text(by_period[label].value) if label in by_period else "" for label in labels)])
                ends.append(index == len(breakdowns) - 1)
        # the measure's long title wraps first; the periods' numbers are what the report is for
        layout = screen.fit(["measure", "breakdown", *labels], rows, _width(console),
                            rank=["breakdown", *labels, "measure"])
        console.print(Text(section, style="bold"))
        screen.print_layout(console, layout, right=labels, ends=ends, box=None, pad_edge=False)
        left_out += [c for c in layout.left_out if c not in left_out]
    return left_out


def _width(console) -> int | None:
    """The width a table must fit: the terminal's; none for a file (it holds every column)."""
    return console.width if console.is_terminal else None


# --- HTML --------------------------------------------------------------------------------------

_CSS = """
:root { color-scheme: light; }
body { font-family: "Source Serif Pro", Georgia, serif; margin: 2rem auto; max-width: 60rem; color: #111;
       line-height: 1.35; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .4rem; border-bottom: 1px solid #999; }
p.facts { margin: .1rem 0; color: #333; font-size: .92rem; }
p.statement { font-weight: bold; margin: 1rem 0; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #ddd; padding: .2rem .45rem; text-align: left; vertical-align: top; }
th { background: #f1f1f1; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.first td { border-top: 1px solid #999; }
table.measures { table-layout: fixed; }
table.measures th.num { white-space: normal; }
table.measures th:nth-child(1) { width: 36%; } table.measures th:nth-child(2) { width: 28%; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
figure.chart { margin: 0; flex: 1 1 26rem; }
figure.chart svg { width: 100%; height: auto; }
figcaption { font-size: .85rem; color: #333; }
@page { size: letter; margin: .6in; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; }
  .charts { display: block; }
  figure.chart { margin-bottom: 1rem; }
  figure.chart, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
"""


def _page(title: str, body: list[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])


def _e(value: str) -> str:
    return html.escape(value, quote=True)


def quarterly_html(report: Quarterly) -> str:
    labels = [w.label for w in report.windows]
    body = [f"<h1>{_e(_title(report))}</h1>"]
    body += [f'<p class="facts">{_e(line)}</p>' for line in _heading(report)]
    body.append(f'<p class="statement">{_e(records_current_statement(report))}</p>')
    charts = _charts(report)
    if charts:
        body.append('<section class="charts">')
        body += charts
        body.append("</section>")
    for section, measures in _grid(report):
        body += [f"<section><h2>{_e(section)}</h2>", '<table class="measures">',
                 "<thead><tr><th>measure</th><th>breakdown</th>"
                 + "".join(f'<th class="num">{_e(label)}</th>' for label in labels) + "</tr></thead>", "<tbody>"]
        for key, breakdowns in measures:
            for index, (breakdown, by_period) in enumerate(breakdowns):
                cells = []
                for label in labels:
                    row = by_period.get(label)
                    if row is None:
                        cells.append('<td class="num"></td>')
                    else:
                        cells.append(f'<td class="num" data-measure="{_e(key)}" data-breakdown="{_e(breakdown)}" '
                                     f'data-period="{_e(label)}">{_e(text(row.value))}</td>')
                title = _e(MEASURES[key].title) if index == 0 else ""
                css = ' class="first"' if index == 0 else ""
                body.append(f"<tr{css}><td>{title}</td><td>{_e(breakdown)}</td>{''.join(cells)}</tr>")
        body += ["</tbody>", "</table>", "</section>"]
    return _page(_title(report), body)


# --- charts ------------------------------------------------------------------------------------


def _series(report: Quarterly, measure: str, label: str, names: list[str]) -> list[float | None]:
    """A chart's values: the same rows as the tables; a suppressed value is not drawn (None)."""
    by_breakdown = {r.breakdown: r for r in report.rows if r.measure == measure and r.period == label}
    values = []
    for name in names:
        value = by_breakdown[name].value if name in by_breakdown else None
        values.append(float(value) if isinstance(value, (int, Decimal)) and not isinstance(value, bool) else None)
    return values


def _parts(report: Quarterly, measure: str) -> list[str]:
    return list(dict.fromkeys(r.breakdown for r in report.rows if r.measure == measure and r.breakdown != TOTAL))


def _charts(report: Quarterly) -> list[str]:
    current, previous = report.current.label, report.previous.label
    figures = []
    sources = _parts(report, "referrals_by_source")
    if sources:
        figures.append(_figure("Referrals received, by source", sources,
                               [(current, _series(report, "referrals_by_source", current, sources)),
                                (previous, _series(report, "referrals_by_source", previous, sources))]))
    reasons = _parts(report, "closures_by_reason")
    if reasons:
        figures.append(_figure("Cases closed, by reason", reasons,
                               [(current, _series(report, "closures_by_reason", current, reasons)),
                                (previous, _series(report, "closures_by_reason", previous, reasons))]))
    outcome_labels: list[str] = []
    outcome_series: dict[str, list[float | None]] = {current: [], previous: []}
    for measure, name in (("mediation_outcomes", "mediation"), ("conference_outcomes", "conference")):
        parts = _parts(report, measure)
        outcome_labels += [f"{name}: {p}" for p in parts]
        for label in (current, previous):
            outcome_series[label] += _series(report, measure, label, parts)
    if outcome_labels:
        figures.append(_figure("Mediation and family group conference outcomes", outcome_labels,
                               list(outcome_series.items())))
    quarters = _parts(report, "volunteer_hours_by_quarter")
    if quarters:
        figures.append(_figure("Volunteer hours, by quarter", quarters,
                               [("hours", _series(report, "volunteer_hours_by_quarter", current, quarters))],
                               horizontal=False, counts=False))
    if report.public:
        figures.append('<p class="facts">Suppressed values are not drawn.</p>')
    return figures


_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)  # pygal's tooltip config
_GUIDE = re.compile(r'<path [^>]*class="[^"]*guide line"\s*/>')  # a gridline; the axes stay
BAR_COLOURS = ("#1f4e79", "#9bb7d4", "#5b8c3a", "#c9a227")  # the period, the one before, ...
VALUE_INK = "#222"  # on white: 16:1 contrast
_CHART_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _figure(title: str, labels: list[str], series: Iterable[tuple[str, list[float | None]]], *,
            horizontal: bool = True, counts: bool = True) -> str:
    return (f"<figure class=\"chart\"><figcaption>{_e(title)}</figcaption>"
            f"{svg_chart(labels, series, horizontal=horizontal, counts=counts, name=_slug(title))}</figure>")


def _slug(title: str) -> str:
    return "chart-" + re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def svg_chart(labels: list[str], series: Iterable[tuple[str, list[float | None]]], *, horizontal: bool = True,
              counts: bool = True, name: str = "chart") -> str:
    """An inline SVG bar chart drawn by pygal, values printed on the bars so it reads on paper.

    Drawn to be read printed: bars opaque, each value in near-black just past the end of its bar
    (on the white page, never on a coloured bar), no gridlines (the printed values replace them,
    and a line through a label makes "2" look like "Z"), and room past the longest bar for its
    value. pygal's SVG is made self-contained here: its script (tooltip settings for a JavaScript
    file it would otherwise fetch), comments (its web address) and gridlines (which it draws
    always, hidden only by its stylesheet, that print converters do not all read) are removed,
    and its random chart id is replaced by `name` (unique in the page) so the same report renders
    the same. A value of None (a suppressed count) is not drawn.
    """
    import pygal
    from pygal.style import Style

    series = list(series)
    if horizontal:  # pygal draws the first category at the bottom: list them top-down
        labels = labels[::-1]
        series = [(title, values[::-1]) for title, values in series]
    style = Style(background="white", plot_background="white", foreground=VALUE_INK, foreground_strong="#111",
                  foreground_subtle="#888", colors=BAR_COLOURS, value_colors=(VALUE_INK,) * len(BAR_COLOURS),
                  opacity="1", opacity_hover="1", font_family="Georgia, serif", value_font_size=11,
                  label_font_size=11, legend_font_size=12, major_label_font_size=11)
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    height = max(220, 70 + 14 * len(labels) * len(series)) if horizontal else 280
    options = dict(style=style, js=[], disable_xml_declaration=True, print_values=True, print_values_position="top",
                   width=640, height=height, legend_at_bottom=True, truncate_label=-1, truncate_legend=-1, margin=8,
                   print_zeroes=False, show_legend=len(series) > 1, no_data_text="no data",
                   show_x_guides=False, show_y_guides=False)
    top = max((v for _, values in series for v in values if v is not None), default=0)
    if counts:
        step = max(1, int(top // 8) + (top % 8 > 0)) if top > 8 else 1
        options["y_labels"] = list(range(0, int(top) + step + 1, step)) if top else [0, 1]
    elif top:
        options["range"] = (0, float(top) * 1.15)  # room past the longest bar for its value
    chart = kind(**options)
    chart.x_labels = labels
    for title, values in series:
        chart.add(title, values)
    svg = _GUIDE.sub("", _SCRIPT.sub("", _COMMENT.sub("", chart.render(is_unicode=True))))
    return _CHART_ID.sub(name, svg)


# --- the reports that are tables of ids and facts ---------------------------------------------


def _tables_heading(report: TablesReport) -> list[str]:
    lines = [f"{key}: {value}" for key, value in report.facts.items()]
    lines += report.notes
    if report.skipped:
        lines.append(f"Left out, failing rjc check: {', '.join(report.skipped)}.")
    return lines


def _tables_title(report: TablesReport) -> str:
    return f"{report.center + ': ' if report.center else ''}{report.title}"


def tables_csv(report: TablesReport) -> str:
    main = report.tables[0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(main.columns)
    for row in main.rows:
        writer.writerow([_csv_text(row.get(c)) for c in main.columns])
    return out.getvalue()


def tables_json(report: TablesReport) -> str:
    data = {"report": report.kind, "center": report.center, "prepared": report.as_of.isoformat(),
            "facts": {key.replace(" ", "_"): value for key, value in report.facts.items()},
            "notes": report.notes, "skipped": report.skipped,
            **{t.name: [{c: _json_value(row.get(c)) for c in t.columns} for row in t.rows] for t in report.tables}}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def tables_md(report: TablesReport) -> str:
    lines = [f"# {_md_cell(_tables_title(report))}", ""]
    lines += [f"{_md_cell(line)}  " for line in _tables_heading(report)]
    for table in report.tables:
        lines += ["", f"## {table.title}", "", "| " + " | ".join(table.columns) + " |",
                  "|" + "---|" * len(table.columns)]
        for row in table.rows:
            lines.append("| " + " | ".join(_md_cell(text(row.get(c)) if row.get(c) is not None else "")
                                           for c in table.columns) + " |")
        if not table.rows:
            lines.append("| " + " | ".join(["—"] + [""] * (len(table.columns) - 1)) + " |")
    return "\n".join(lines) + "\n"


def tables_table(report: TablesReport, console) -> list[str]:
    """The report on a terminal; returns the columns its width left out, as "table title: columns"."""
    from rich.text import Text

    from rjc.outputs import screen

    console.print(Text(_tables_title(report), style="bold"))
    for line in _tables_heading(report):
        console.print(Text(line))
    left_out: list[str] = []
    for table in report.tables:
        layout = screen.fit(table.columns, [[text(row.get(c)) if row.get(c) is not None else "" for c in table.columns]
                                            for row in table.rows], _width(console),
                            rank=table.rank)
        console.print(Text(table.title, style="bold"))
        screen.print_layout(console, layout, right=[c for c in table.columns if _numeric(table, c)],
                            box=None, pad_edge=False)
        if layout.left_out:
            left_out.append(f"{table.title}: {', '.join(layout.left_out)}")
    return left_out


def _numeric(table, column: str) -> bool:
    values = [row.get(column) for row in table.rows if row.get(column) is not None]
    return bool(values) and all(isinstance(v, (int, Decimal)) and not isinstance(v, bool) for v in values)


def tables_html(report: TablesReport) -> str:
    body = [f"<h1>{_e(_tables_title(report))}</h1>"]
    body += [f'<p class="facts">{_e(line)}</p>' for line in _tables_heading(report)]
    for table in report.tables:
        numeric = {c: _numeric(table, c) for c in table.columns}
        body += [f"<section><h2>{_e(table.title)}</h2>", f'<table data-table="{_e(table.name)}">', "<thead><tr>"
                 + "".join(f'<th{" class=num" if numeric[c] else ""}>{_e(c)}</th>' for c in table.columns)
                 + "</tr></thead>", "<tbody>"]
        for row in table.rows:
            body.append("<tr>" + "".join(
                f'<td{" class=num" if numeric[c] else ""} data-column="{_e(c)}">'
                f'{_e(text(row.get(c)) if row.get(c) is not None else "")}</td>' for c in table.columns) + "</tr>")
        body += ["</tbody>", "</table>", "</section>"]
    return _page(_tables_title(report), body)


# --- one entry point ---------------------------------------------------------------------------


def render(report: Quarterly | TablesReport, fmt: str, console=None) -> str | list[str]:
    """The report in a format: its text; for `table`, printed on `console`, the columns that the
    console's width left out (for the caller to say so)."""
    if fmt == "table":
        if isinstance(report, Quarterly):
            return quarterly_table(report, console)
        return tables_table(report, console)
    writer = {"md": (quarterly_md, tables_md), "csv": (quarterly_csv, tables_csv),
              "json": (quarterly_json, tables_json), "html": (quarterly_html, tables_html)}[fmt]
    return writer[0](report) if isinstance(report, Quarterly) else writer[1](report)
