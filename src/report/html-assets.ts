// Owns the static parts of report.html: the stylesheet, the tiny sortable-table script, and the
// Content-Security-Policy that allows exactly that script and nothing from the network.

import { createHash } from "node:crypto";

export const REPORT_CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#1d232b;background:#f6f7f9}
header{background:#1f2a37;color:#fff;padding:18px 28px}
header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c9d2dc;font-size:12px}
nav{padding:8px 28px;background:#fff;border-bottom:1px solid #dde2e8;font-size:13px}
nav a{margin-right:14px;color:#2b5d8a;text-decoration:none;white-space:nowrap;display:inline-block}
main{padding:12px 28px 40px;max-width:1560px}
section{margin:20px 0}
h2{font-size:18px;border-bottom:2px solid #dde2e8;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
.cards{display:flex;flex-wrap:wrap;gap:12px}
.card{background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:10px 14px;min-width:180px}
.card .v{font-size:22px;font-weight:600}
.card .k{font-size:12px;color:#5b6673}
.card .s{font-size:12px;color:#5b6673}
ul.findings li{margin:3px 0}
ul.warnings li{margin:3px 0;color:#8a4b00}
.badge{display:inline-block;font-size:11px;padding:1px 6px;border-radius:9px;background:#fde7c8;color:#7a4300;margin-left:6px}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(520px,1fr));gap:14px}
figure.chart-box{margin:0;background:#fff;border:1px solid #dde2e8;border-radius:6px;padding:6px;overflow:auto}
figure.chart-box svg{width:100%;height:auto;display:block}
.table-wrap{overflow:auto;background:#fff;border:1px solid #dde2e8;border-radius:6px;margin:6px 0 4px}
table{border-collapse:collapse;font-size:13px;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid #edf0f3;text-align:left;white-space:nowrap}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
th{background:#f0f3f6;position:sticky;top:0;cursor:pointer;user-select:none;white-space:normal;vertical-align:bottom}
th[aria-sort=ascending]::after{content:" ▲";font-size:10px}
th[aria-sort=descending]::after{content:" ▼";font-size:10px}
td.wrap{white-space:normal;min-width:240px}
p.note{font-size:12px;color:#5b6673;margin:2px 0}
details summary{cursor:pointer;color:#2b5d8a}
nav .dimnav{display:inline-block;margin-right:14px}
nav .navdim{color:#5b6673;margin-right:6px}
nav .navgroup{margin-right:10px;white-space:nowrap}
nav .navgroup a{margin-right:6px}
p.lead{font-size:15px;margin:4px 0 8px}
figure.chart-box.wide{grid-column:1/-1}
.table-wrap.fit{display:inline-block;max-width:100%;vertical-align:top}
table.matrix{width:auto}
details.cell{background:#fff;border:1px solid #dde2e8;border-radius:6px;margin:4px 0;padding:4px 10px}
details.cell[open]{padding-bottom:10px}
details.flat{margin:8px 0}
`;

/** Click a header to sort by that column; numeric cells carry their raw value in data-v. */
export const SORT_SCRIPT = `(function(){
document.querySelectorAll("table.sortable").forEach(function(table){
  var heads=table.querySelectorAll("thead th");
  heads.forEach(function(th,col){
    th.addEventListener("click",function(){
      var asc=th.getAttribute("aria-sort")!=="ascending";
      heads.forEach(function(h){h.removeAttribute("aria-sort");});
      th.setAttribute("aria-sort",asc?"ascending":"descending");
      var body=table.tBodies[0];
      var rows=Array.prototype.slice.call(body.rows);
      rows.sort(function(a,b){
        var x=a.cells[col],y=b.cells[col];
        var xv=x?x.getAttribute("data-v"):null,yv=y?y.getAttribute("data-v"):null;
        var r;
        if(xv!==null&&yv!==null){r=parseFloat(xv)-parseFloat(yv);}
        else if(xv!==null){r=-1;}else if(yv!==null){r=1;}
        else{r=(x?x.textContent:"").localeCompare(y?y.textContent:"");}
        return asc?r:-r;
      });
      rows.forEach(function(row){body.appendChild(row);});
    });
  });
});
})();`;

/** Only our own script runs; nothing loads from anywhere (charts are inline SVG). */
export function contentSecurityPolicy(script: string): string {
  const hash = createHash("sha256").update(script, "utf8").digest("base64");
  return `default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-${hash}'`;
}
