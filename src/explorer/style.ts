/** The explorer's stylesheet: system fonts, no external resource (the page works offline). */
export const STYLE = /* css */ `
:root { font: 14px/1.4 system-ui, sans-serif; color: #1d2433; background: #f6f7f9; }
body { margin: 0; }
[hidden] { display: none !important; }
header { background: #1d2433; color: #fff; padding: 8px 16px; display: flex; gap: 16px; align-items: center; flex-wrap: wrap; }
header h1 { font-size: 16px; margin: 0; }
header nav button { background: none; border: 0; color: #cfd6e4; cursor: pointer; font: inherit; padding: 4px 8px; }
header nav button[aria-selected="true"] { color: #fff; border-bottom: 2px solid #f6821f; }
header label { margin-left: auto; color: #cfd6e4; }
main { padding: 10px 16px; }
form { display: flex; flex-wrap: wrap; gap: 8px; align-items: end; margin-bottom: 8px; }
label { display: flex; flex-direction: column; font-size: 12px; color: #4a5468; }
input, select, button, textarea { font: inherit; padding: 4px 6px; }
input[name="q"] { min-width: 260px; }
.bar { display: flex; gap: 8px; align-items: end; flex-wrap: wrap; margin: 4px 0; }
#saved-status, #sql-saved-status { font-size: 12px; color: #4a5468; padding-bottom: 6px; }
#saved-status.error, #sql-saved-status.error { color: #b42318; }
label.check { flex-direction: row; align-items: center; gap: 4px; padding-bottom: 6px; }
button.primary { background: #b45309; color: #fff; border: 0; border-radius: 3px; padding: 6px 12px; cursor: pointer; }
:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 1px; }
#chips { display: flex; flex-wrap: wrap; gap: 6px; margin: 4px 0; }
.chip { background: #e8ecf4; border-radius: 12px; padding: 2px 4px 2px 10px; font-size: 12px; display: inline-flex; align-items: center; gap: 4px; }
.chip.not { background: #fde8e8; }
.chip button { border: 0; background: none; cursor: pointer; padding: 0 4px; font-size: 14px; line-height: 1; }
#status { color: #4a5468; margin: 6px 0; min-height: 1.4em; } #status.error, .error { color: #b42318; }
figure { margin: 0 0 8px; background: #fff; border: 1px solid #e3e6ec; padding: 6px 8px; }
figcaption { font-size: 12px; color: #4a5468; display: flex; gap: 12px; align-items: center; }
#histogram { width: 100%; height: 110px; display: block; cursor: crosshair; user-select: none; }
#histogram rect.bar { fill: transparent; } #histogram rect.bar:hover { fill: rgba(29, 36, 51, .25); }
.chart { display: grid; grid-template-columns: 18px 44px minmax(0, 1fr); grid-template-rows: 110px auto; }
.y-title { writing-mode: vertical-rl; transform: rotate(180deg); font-size: 11px; color: #4a5468; text-align: center; }
.y-axis { display: flex; flex-direction: column; justify-content: space-between; align-items: flex-end; padding-right: 4px; font-size: 11px; color: #4a5468; border-right: 1px solid #8a93a6; }
.x-axis { display: flex; justify-content: space-between; font-size: 11px; color: #4a5468; border-top: 1px solid #8a93a6; padding-top: 2px; }
#legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 14px; margin: 4px 0 0 62px; padding: 0; font-size: 12px; }
#legend li { display: inline-flex; align-items: center; gap: 4px; }
#legend .swatch { width: 10px; height: 10px; display: inline-block; border-radius: 2px; }
#histogram rect.selection { fill: rgba(29, 78, 216, 0.18); stroke: #1d4ed8; }
.layout { display: grid; grid-template-columns: 240px minmax(0, 1fr); gap: 12px; align-items: start; }
.layout > div { overflow-x: auto; }
#facets { background: #fff; border: 1px solid #e3e6ec; padding: 6px 8px; font-size: 13px; }
#facets h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #4a5468; margin: 8px 0 2px; }
#facets ul { list-style: none; margin: 0; padding: 0; }
.facet-value { display: flex; justify-content: space-between; gap: 6px; width: 100%; border: 0; background: none; text-align: left; cursor: pointer; padding: 2px 4px; }
.facet-value:hover { background: #fff4ea; }
.facet-value .v { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.facet-value .n { color: #4a5468; }
#facets li { display: flex; align-items: center; gap: 2px; }
.facet-act { visibility: hidden; border: 1px solid #c9ced8; background: #fff; border-radius: 3px; padding: 0 5px; line-height: 16px; cursor: pointer; font-size: 13px; }
#facets li:hover .facet-act, #facets li:focus-within .facet-act { visibility: visible; }
.facet-act.exclude { color: #b42318; } .facet-act.include { color: #14532d; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #e3e6ec; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 320px; }
tbody tr { cursor: pointer; } tbody tr:hover, tbody tr:focus { background: #fff4ea; }
tbody tr.selected { background: #fde7cf; }
tbody tr.new td:first-child { box-shadow: inset 3px 0 0 #15803d; }
.toolbar { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; }
#tail[aria-pressed="true"] { background: #15803d; color: #fff; border: 1px solid #15803d; }
#tail-status, #export-status { font-size: 12px; color: #4a5468; } #tail-status.error, #export-status.error { color: #b42318; }
#panel { position: fixed; top: 0; right: 0; bottom: 0; width: min(560px, 92vw); background: #fff; border-left: 1px solid #c9ced8; box-shadow: -4px 0 16px rgba(0,0,0,.12); padding: 12px 16px; overflow: auto; z-index: 10; }
#panel h2 { font-size: 15px; margin: 0 32px 8px 0; word-break: break-all; }
#panel-close { position: absolute; top: 8px; right: 8px; }
#panel dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; font-size: 12px; }
#panel dt { color: #4a5468; } #panel dd { margin: 0; word-break: break-all; }
#panel dd { display: flex; gap: 6px; align-items: flex-start; justify-content: space-between; }
#panel dd details { flex: 1; min-width: 0; } #panel dd pre.json { max-height: 240px; margin: 2px 0; }
#panel .acts { display: inline-flex; gap: 2px; flex: none; }
#panel .act { border: 1px solid #c9ced8; background: #fff; border-radius: 3px; padding: 0 5px; font-size: 12px; cursor: pointer; line-height: 18px; }
#panel details.raw > summary { font-weight: 600; margin-top: 8px; }
#panel-status { font-size: 12px; color: #4a5468; } #panel-status.error { color: #b42318; }
#columns { margin: 0 0 4px; font-size: 12px; } #columns-list { display: flex; flex-wrap: wrap; gap: 4px 12px; padding: 4px 0; }
#panel .links { display: flex; gap: 12px; margin: 8px 0; }
a { color: #1d4ed8; }
pre { background: #f6f7f9; border: 1px solid #e3e6ec; padding: 8px; overflow: auto; max-height: 50vh; font-size: 12px; }
#sql-query { width: 100%; min-height: 120px; font-family: ui-monospace, monospace; box-sizing: border-box; }
.sql { display: grid; grid-template-columns: minmax(0, 1fr) 260px; gap: 12px; align-items: start; }
.sql .bar { display: flex; gap: 8px; align-items: end; margin: 6px 0; flex-wrap: wrap; }
#sql-schema { background: #fff; border: 1px solid #e3e6ec; padding: 6px 8px; font-size: 12px; max-height: 70vh; overflow: auto; }
#sql-schema code { display: inline-block; margin: 1px 4px 1px 0; }
.health { border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; }
.health.ok { background: #dcfce7; color: #14532d; } .health.lagging { background: #fef3c7; color: #713f12; }
.health.failing { background: #fee2e2; color: #7f1d1d; } .health.idle { background: #e5e7eb; color: #1f2937; }
svg.spark { width: 120px; height: 24px; } svg.spark polyline { fill: none; stroke: #b45309; stroke-width: 1.5; }
#rule-editor { position: relative; background: #fff; border: 1px solid #e3e6ec; padding: 8px 12px; margin-top: 8px; }
#rule-editor h2 { font-size: 15px; margin: 0 32px 8px 0; } #rule-editor h3 { font-size: 13px; margin: 8px 0 2px; }
#rule-close { position: absolute; top: 8px; right: 8px; }
#rule-yaml, #rule-events { width: 100%; font-family: ui-monospace, monospace; box-sizing: border-box; }
#rule-yaml { min-height: 320px; } #rule-events { min-height: 100px; }
#rule-editor .bar { display: flex; gap: 8px; align-items: end; margin: 6px 0; flex-wrap: wrap; }
#rule-warnings { color: #713f12; margin: 0; }
.rule-table { margin: 8px 0; } .rule-table caption { text-align: left; font-weight: 600; padding: 4px 0; }
.rule-table tbody tr { cursor: default; }
.level { border-radius: 10px; padding: 1px 8px; font-size: 12px; font-weight: 600; }
.level-informational { background: #e5e7eb; color: #1f2937; } .level-low { background: #dbeafe; color: #1e3a8a; }
.level-medium { background: #fef3c7; color: #713f12; } .level-high { background: #fed7aa; color: #7c2d12; }
.level-critical { background: #991b1b; color: #fff; }
#view-table.alerts > table { table-layout: fixed; }
#view-table.alerts > table th:nth-child(1) { width: 110px; } #view-table.alerts > table th:nth-child(5) { width: 60px; }
#view-table.alerts > table th:nth-child(6), #view-table.alerts > table th:nth-child(7) { width: 190px; }
#view-table.alerts > table th:nth-child(8) { width: 110px; }
#alert-view { position: relative; background: #fff; border: 1px solid #e3e6ec; padding: 8px 12px; margin-top: 8px; }
#alert-view h2 { font-size: 16px; margin: 0 32px 8px 0; } #alert-view h3 { font-size: 13px; margin: 10px 0 4px; }
#alert-close-view { position: absolute; top: 8px; right: 8px; }
#alert-facts { display: grid; grid-template-columns: max-content minmax(0, 1fr) max-content minmax(0, 1fr); gap: 2px 12px; font-size: 13px; margin: 0; }
#alert-facts dt { color: #4a5468; } #alert-facts dd { margin: 0; word-break: break-all; }
svg.timeline { width: 100%; height: 46px; display: block; }
svg.timeline .axis { stroke: #8a93a6; } svg.timeline .ev { fill: #b45309; } svg.timeline .note { fill: #1d4ed8; }
svg.timeline .lbl { font-size: 11px; fill: #4a5468; }
#alert-notes { padding-left: 18px; } #alert-notes p { margin: 2px 0 6px; white-space: pre-wrap; }
#alert-notes li.empty { list-style: none; margin-left: -18px; color: #4a5468; }
#note-text { width: 100%; box-sizing: border-box; }
#entry-view { position: relative; background: #fff; border: 1px solid #e3e6ec; padding: 8px 12px; margin-top: 8px; }
#entry-view h2 { font-size: 15px; margin: 0 32px 8px 0; } #entry-close { position: absolute; top: 8px; right: 8px; }
#entry-facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 2px 12px; font-size: 13px; }
#entry-facts dt { color: #4a5468; } #entry-facts dd { margin: 0; word-break: break-all; }
#entry-records td.wrap { white-space: normal; max-width: 360px; }
#entry-records pre.record { margin: 0; max-height: 160px; max-width: 560px; white-space: pre-wrap; word-break: break-all; }
.empty-state { background: #fff; border: 1px dashed #c9ced8; padding: 10px 14px; color: #1d2433; max-width: 900px; }
footer { color: #4a5468; font-size: 12px; padding: 12px 16px; }
@media (max-width: 800px) { .layout, .sql { grid-template-columns: 1fr; } }
`;
